"""Frozen entry point of `cahelper` (console)."""

from helper.cli.main import main

if __name__ == "__main__":
    main()
