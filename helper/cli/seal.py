"""`cahelper seal import|make|store|remove|list`: seal images, and seals kept on the key."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from helper.cli.runtime import emit_json, emit_notice, obj, read_input
from helper.cli.secrets import SecretReader
from helper.cli.tokenopt import token_option
from helper.messages import HelperError


@click.group("seal", help="印章图片：导入印模、生成演示印章、存入U盾 / seal images and seals on the key.")
def seal() -> None:
    pass


@seal.command("import", help="把扫描或拍照的印模变成透明背景的印章图片 / turn a scanned impression into a seal PNG.")
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", help="印章名称 / seal name.")
@click.option("--overwrite", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
def import_(image: Path, out: Path, name: str | None, overwrite: bool, as_json: bool) -> None:
    from helper.seals import import_seal_image

    obj().json = as_json
    result = import_seal_image(image, name)
    result.save_png(out, overwrite=overwrite)
    _done(as_json, out, result)
    if not as_json:
        emit_notice("SEAL_IMPORTED_CHECK", path=str(image), out=str(out))


@seal.command("make", help="生成演示用的圆形公章（带 DEMO 标记）/ draw a demo round seal.")
@click.option("--unit", required=True, help="单位名称 / unit name.")
@click.option("--name", default="演示专用章", show_default=True, help="印章名称 / seal name.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
def make(unit: str, name: str, out: Path, overwrite: bool, as_json: bool) -> None:
    from helper.seals import make_demo_seal

    obj().json = as_json
    result = make_demo_seal(unit, name)
    result.save_png(out, overwrite=overwrite)
    _done(as_json, out, result)


def _done(as_json: bool, out: Path, result) -> None:
    if as_json:
        emit_json({"ok": True, "out": str(out), "width": result.width, "height": result.height})
    else:
        click.echo(obj().t(f"已保存印章图片：{out}", f"Seal image saved: {out}"))


@seal.command("store", help="把印章图片存入U盾（随U盾携带）/ store a seal PNG on the key.")
@click.argument("png", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="印章名称，如“公章” / seal name.")
@click.option("--overwrite", is_flag=True, help="替换U盾里同名的印章 / replace a seal of that name.")
@token_option
@click.option("--pin-stdin", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
def store(png: Path, name: str, overwrite: bool, serial: str | None, pin_stdin: bool, as_json: bool) -> None:
    from helper import seal_store
    from helper.seals import seal_from_png

    ctx = obj()
    ctx.json = as_json
    name = seal_store.check_name(name)
    image = seal_from_png(read_input(png), str(png), name)
    keys = ctx.keys()
    token = keys.find_token(serial)
    with ctx.token_service().session(token.id) as s:  # asked before the PIN, read without it
        taken = seal_store.exists(s, name)
    if taken and not overwrite:
        ask = sys.stdin.isatty() and not pin_stdin and not as_json
        prompt = ctx.t(f"U盾里已有印章“{name}”，要替换吗？", f"The key already holds a seal \"{name}\". Replace it?")
        if not ask or not click.confirm(prompt, default=False):
            raise HelperError("SEAL_EXISTS_ON_KEY", name=name, serial=token.serial)
    login = _login(ctx, token.id, pin_stdin)
    try:
        seal_store.store(login.session, image, name)
    finally:
        login.session.close()
    if as_json:
        emit_json({"ok": True, "serial": token.serial, "name": name, "size": len(image.png), "replaced": taken})
    else:
        click.echo(ctx.t(f"印章“{name}”已存入U盾 {token.serial}。", f"Seal \"{name}\" stored on key {token.serial}."))


@seal.command("remove", help="从U盾里删除一枚印章 / remove a seal from the key.")
@click.argument("name")
@token_option
@click.option("--pin-stdin", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
def remove(name: str, serial: str | None, pin_stdin: bool, as_json: bool) -> None:
    from helper import seal_store

    ctx = obj()
    ctx.json = as_json
    token = ctx.keys().find_token(serial)
    with ctx.token_service().session(token.id) as s:  # an unknown name is said before the PIN
        if not seal_store.exists(s, name):
            raise seal_store.not_on_token(s, name)
    login = _login(ctx, token.id, pin_stdin)
    try:
        seal_store.remove(login.session, name)
    finally:
        login.session.close()
    if as_json:
        emit_json({"ok": True, "serial": token.serial, "removed": name})
    else:
        click.echo(ctx.t(f"已从U盾 {token.serial} 删除印章“{name}”。", f"Seal \"{name}\" removed from key {token.serial}."))


def _login(ctx, serial: str, pin_stdin: bool):
    """A read-write login for changing the key's seals (the default-PIN warning said once)."""
    pin = SecretReader(pin_stdin).read(ctx.t("请输入U盾口令: ", "PIN: "))
    login = ctx.keys().login(serial, pin, rw=True)
    if login.default_pin:
        emit_notice("DEFAULT_PIN_IN_USE")
    return login


@seal.command("list", help="列出U盾里保存的印章 / list the seals stored on the keys.")
@token_option
@click.option("--json", "as_json", is_flag=True)
def list_(serial: str | None, as_json: bool) -> None:
    from helper import seal_store

    ctx = obj()
    ctx.json = as_json
    keys = ctx.keys()
    tokens = [keys.find_token(serial)] if serial else keys.tokens()
    rows = []
    for token in tokens:
        with ctx.token_service().session(token.id) as s:
            rows += [{"serial": token.serial, "token": token.label, "name": o.label, "size": o.size}
                     for o in seal_store.list_seals(s)]
    if as_json:
        emit_json({"ok": True, "seals": rows})
        return
    if not rows:
        click.echo(ctx.t("U盾里没有保存印章。可用 cahelper seal store 存入。",
                         "No seals stored on the key. Use cahelper seal store."))
    for r in rows:
        click.echo(f"{r['name']}  [{r['token']} {r['serial']}]  {r['size'] // 1024 + 1} KB")
