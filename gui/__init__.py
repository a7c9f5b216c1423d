"""The desktop face of 数字证书助手 (PySide6): shell, pages, shared dialogs, tray. See gui/README.md."""
