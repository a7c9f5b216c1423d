"""The demo CA's renewal website (证书延期（演示CA）) used by ./dev demo and the end-to-end tests."""
