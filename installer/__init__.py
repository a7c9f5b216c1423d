"""Packaging: PyInstaller spec and build driver, NSIS script, Windows CI notes."""
