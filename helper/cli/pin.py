"""`cahelper pin change|unblock`: PINs from the terminal without echo, or one per line with --pin-stdin.

The key's state is read before any PIN is asked for: a locked PIN (or SO PIN) is refused up front.
"""

from __future__ import annotations

import click

from helper.cli.runtime import emit_json, emit_notice, obj
from helper.cli.secrets import SecretReader
from helper.cli.tokenopt import token_option


@click.group(help="修改或解锁数字证书口令 / change or unblock the PIN.")
def pin() -> None:
    pass


def _pin_command(name: str, help_text: str):
    def decorate(fn):
        fn = click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")(fn)
        fn = click.option("--pin-stdin", is_flag=True,
                          help="从标准输入逐行读取口令 / read PINs from stdin, one per line.")(fn)
        fn = token_option(fn)
        return pin.command(name, help=help_text)(fn)
    return decorate


def _run(serial: str | None, pin_stdin: bool, as_json: bool, *, unblock: bool) -> None:
    from tokenio.errors import PinLocked, SoPinLocked

    ctx = obj()
    ctx.json = as_json
    keys = ctx.keys()
    token = keys.find_token(serial)
    if unblock and token.pin.so_locked:
        raise SoPinLocked("so locked", token.pin)
    if not unblock and token.pin.locked:
        raise PinLocked("locked", token.pin)
    if not pin_stdin:
        if unblock:
            click.echo(ctx.t(
                "管理员口令通常在领取U盾时的信封里。注意：管理员口令输错多次也会被锁定。",
                "The SO PIN is usually in the envelope that came with the key. Careful: it also locks after wrong tries."))
        elif token.pin.final_try:
            emit_notice("PIN_INCORRECT_FINAL_TRY")
    reader = SecretReader(pin_stdin)
    first = reader.read(ctx.t("请输入管理员口令: ", "Administrator PIN: ") if unblock else ctx.t("请输入原口令: ", "Current PIN: "))
    new = reader.read(ctx.t("请输入新口令: ", "New PIN: "))
    repeat = None if pin_stdin else reader.read(ctx.t("请再次输入新口令: ", "Repeat new PIN: "))
    operation = keys.unblock_pin if unblock else keys.change_pin
    after = operation(token.id, first, new, repeat)
    if as_json:
        emit_json({"ok": True, "serial": after.serial, "pin_state": after.pin.summary})
    elif unblock:
        click.echo(ctx.t("解锁成功，已设置新口令。", "Unblocked; the new PIN is set."))
    else:
        click.echo(ctx.t("口令修改成功。请牢记新口令。", "PIN changed. Please remember the new PIN."))


@_pin_command("change", "修改数字证书口令。--pin-stdin 时标准输入依次为：原口令、新口令。"
                        " / Change the PIN. With --pin-stdin, stdin carries: old PIN, new PIN.")
def change(serial: str | None, pin_stdin: bool, as_json: bool) -> None:
    _run(serial, pin_stdin, as_json, unblock=False)


@_pin_command("unblock", "用管理员口令解锁并设置新口令。--pin-stdin 时标准输入依次为：管理员口令、新口令。"
                         " / Unblock with the SO PIN. With --pin-stdin: SO PIN, new PIN.")
def unblock(serial: str | None, pin_stdin: bool, as_json: bool) -> None:
    _run(serial, pin_stdin, as_json, unblock=True)
