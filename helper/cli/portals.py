"""`cahelper portals list|open`: the 社保网报 portal list and one-click launch."""

from __future__ import annotations

import click

from helper.cli.runtime import emit_json, obj

LOGIN_ZH = {"ca_key": "U盾登录", "qr_code": "扫码登录", "password": "密码登录"}


@click.group(help="社保网报网站：列出、一键打开 / social-insurance portals: list, open.")
def portals() -> None:
    pass


def _readiness(portal, keys):
    from helper import portals as registry

    return registry.check(portal, keys, registry.service_running)


@portals.command("list", help="按地区列出网站及是否可以登录 / portals by region, with readiness.")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
@click.option("--all", "show_all", is_flag=True, help="包括已隐藏的网站 / include hidden entries.")
def list_portals(as_json: bool, show_all: bool) -> None:
    from helper import portals as registry

    ctx = obj()
    ctx.json = as_json
    keys = ctx.keys()
    entries = registry.load(include_hidden=show_all)
    checks = registry.check_all(entries, keys, registry.service_running)
    if as_json:
        emit_json({"ok": True, "portals": [
            {**p.as_config(), "source": p.source, "origin": p.origin, "login_client": p.login_client,
             "ready": c.ready, "launchable": c.launchable, "problems": [m.as_json() for m in c.problems],
             "needs_client": c.external.as_json() if c.external else None}
            for p, c in zip(entries, checks, strict=True)]})
        return
    region = None
    for portal, check in zip(entries, checks, strict=True):
        if portal.region != region:
            region = portal.region
            click.echo(f"\n{region}")
        kind = LOGIN_ZH.get(portal.login, portal.login) if ctx.zh else portal.login
        state = ctx.t("已就绪", "ready") if check.ready else check.summary()
        hidden = ctx.t("（已隐藏）", " (hidden)") if portal.hidden else ""
        click.echo(f"  {portal.id:<12} {portal.name}{hidden}  [{kind}]  {portal.url}")
        click.echo(f"  {'':<12} {state}")
        if check.external is not None:
            click.echo(f"  {'':<12} {check.external.remedy[0]}")


@portals.command("open", help="检查后用推荐的浏览器打开网站 / check readiness, then open in the recommended browser.")
@click.argument("portal_id", metavar="ID")
@click.option("--force", is_flag=True, help="即使检查未通过也打开 / open even if checks fail.")
def open_portal(portal_id: str, force: bool) -> None:
    from helper import portals as registry

    ctx = obj()
    portal = registry.find(portal_id)
    check = _readiness(portal, ctx.keys())
    if not check.launchable and force:
        click.echo(check.summary(), err=True)
    browser = registry.launch(check, force=force)
    click.echo(ctx.t(f"已用 {browser} 打开 {portal.name}：{portal.url}", f"Opened {portal.name} in {browser}: {portal.url}"))
    if check.external is not None:
        click.echo(check.external.title)
    if portal.help:
        click.echo(portal.help)
