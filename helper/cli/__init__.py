"""The `cahelper` command: one module per command group, all thin faces over helper services."""
