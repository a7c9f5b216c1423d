"""Frozen entry point of `cahelper-gui` (windowed)."""

from gui.app import main

if __name__ == "__main__":
    main()
