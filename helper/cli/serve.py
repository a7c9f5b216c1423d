"""`cahelper serve`: run the local login/e-seal service for web pages, asking on this terminal."""

from __future__ import annotations

import click

from helper.cli.runtime import emit_notice, obj


@click.command(help="运行网站登录服务（在本终端确认并输入口令）/ run the local service for websites "
                    "(confirm and type the PIN on this terminal).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="端口（默认取“设置”，28960；0 为任一空闲端口）/ port (default: settings, 28960; 0: any free port).")
@click.option("--consent-timeout", type=click.FloatRange(1, 3600), default=None,
              help="每个问题等待回答的秒数（默认 120）/ seconds each question waits for an answer (default 120).")
def serve(port: int | None, consent_timeout: float | None) -> None:
    import asyncio
    import dataclasses

    from helper import settings
    from helper.local_service import LocalService, ServiceConfig
    from helper.login.consent import TerminalConsentUI
    from helper.login.keyops import Limits
    from helper.tokens import TokenWatcher

    ctx = obj()
    conf = settings.load()
    ui = TerminalConsentUI() if TerminalConsentUI.available() else None
    if ui is None:
        emit_notice("NO_CONSENT_UI")
    limits = Limits() if consent_timeout is None else dataclasses.replace(Limits(), consent_timeout=consent_timeout)
    service = LocalService(ctx.keys(), ui, ServiceConfig(port=conf.service_port if port is None else port,
                                                         pdf_limit_mb=conf.max_pdf_mb, limits=limits))

    # Keys pulled out or put in while it runs reach the listing websites get, as in the window.
    watcher = TokenWatcher(ctx.token_service(), lambda _change: None, interval=1.0)
    watcher.start()

    async def run() -> None:
        await service.start_async()
        click.echo(ctx.t(f"网站登录服务已启动：{service.url}（按 Ctrl+C 停止）",
                         f"Local service running at {service.url} (Ctrl+C stops it)"), err=True)
        try:
            await asyncio.Event().wait()
        finally:
            await service.stop_async()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        click.echo(ctx.t("服务已停止。", "Service stopped."), err=True)
    finally:
        watcher.stop()
