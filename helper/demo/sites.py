"""What the demo websites (social-insurance portal, CA renewal site) share when run with a local service, and
their portal entries: written by ``./dev demo`` into the demo home's own portal list, never shipped in
resources/portals.toml (a program serving on these ports elsewhere must not get the service)."""

from __future__ import annotations

from typing import Protocol

from helper import portals
from helper.demo.portal.app import DEFAULT_PORT as PORTAL_PORT
from helper.demo.renewal_site.app import DEFAULT_PORT as RENEWAL_PORT
from helper.local_service import LocalService

DEMO_PORTALS = (
    portals.Portal(
        id="demo", name="社会保险网上服务平台（演示）", region="演示", url=f"http://127.0.0.1:{PORTAL_PORT}/",
        login="ca_key", browser="chrome", needs_service=True, needs_root_ca=True, allow_http=True,
        help="./dev demo 启动的演示网站：选择“单位用户登录”，用演示U盾（口令123456）登录；首次登录用演示账号 "
             "sjz_demo 绑定证书，之后可上报参保登记名册并加盖电子签章。"),
    portals.Portal(
        id="demo-renewal", name="证书延期（演示CA）", region="演示", url=f"http://127.0.0.1:{RENEWAL_PORT}/",
        login="ca_key", browser="chrome", needs_service=True, needs_root_ca=True, allow_http=True, renewal=True,
        help="./dev demo 启动的演示CA延期网站：选择证书、填写订单、点“模拟支付”，再点“延期证书”，在助手窗口中输入"
             "U盾口令（演示口令123456），网站签发的新证书由助手写入U盾。"),
)


def register_demo_portals() -> None:
    """Add the demo sites to the portal list of the active helper home (the demo's, after ``activate()``)."""
    for portal in DEMO_PORTALS:
        portals.save_user_entry(portal)


class DemoSite(Protocol):
    origin: str
    helper_url: str

    def stop(self) -> None: ...


def start_service_beside(site: DemoSite, service: LocalService) -> None:
    """Start ``service`` for the running ``site`` and point the site's pages at it. If the service cannot
    start (its port is taken), the site is stopped too and the error raised."""
    try:
        service.start()
    except BaseException:
        site.stop()
        raise
    site.helper_url = service.url
