"""Shared dialogs: the 提示/说明/解决方案 message dialog, PIN entry, PIN change/unblock, certificate details."""
