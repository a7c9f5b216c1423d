"""The one `--token` option: a key named by the ID `cahelper tokens` shows, its serial or its label."""

from __future__ import annotations

import click

HELP = "U盾编号、序列号或名称（见 cahelper tokens）/ the key: its ID, serial or label (see `cahelper tokens`)."

token_option = click.option("--token", "serial", metavar="ID", help=HELP)
