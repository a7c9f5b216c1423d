"""Entry point of `cahelper`. Command modules are imported only when used, to keep start-up fast."""

from __future__ import annotations

import importlib

import click

from helper import __version__
from helper.cli.runtime import CliContext, run

# command name -> "module:attribute"; each module keeps heavy imports inside its functions.
COMMANDS: dict[str, str] = {
    "tokens": "helper.cli.keys:tokens",
    "certs": "helper.cli.keys:certs_command",
    "cert": "helper.cli.keys:cert",
    "pin": "helper.cli.pin:pin",
    "diagnose": "helper.cli.diagnose:diagnose",
    "sign": "helper.cli.sign:sign",
    "verify": "helper.cli.verify:verify",
    "seal": "helper.cli.seal:seal",
    "audit": "helper.cli.audit:audit",
    "renew": "helper.cli.renew:renew",
    "portals": "helper.cli.portals:portals",
    "serve": "helper.cli.serve:serve",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


HELP = """数字证书助手 — 管理U盾里的数字证书：查看证书、修改口令、证书延期、网站登录、PDF电子签章。

The certificate helper: see the certificates on your USB key, change its PIN, renew,
log in to government sites and e-sign PDFs.

数字证书口令只会在提示时输入，或用 --pin-stdin 从标准输入读取，绝不写在命令行上。
"""


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cahelper")
@click.option("--module", "modules", multiple=True, metavar="PATH",
              help="PKCS#11 驱动文件路径（可多次）/ a PKCS#11 module to load (repeatable).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="界面语言 / language (default: settings, zh).")
@click.option("-v", "--verbose", is_flag=True, help="出错时显示技术细节 / show technical details on errors.")
@click.pass_context
def cli(ctx: click.Context, modules: tuple[str, ...], lang: str | None, verbose: bool) -> None:
    ctx.ensure_object(CliContext).configure(modules=modules, lang=lang, verbose=verbose)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    run(cli)


if __name__ == "__main__":
    main()
