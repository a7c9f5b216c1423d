"""`cahelper diagnose`: run the checks, repair one (--fix), write a report for support (--report).

Exit codes: 0 when no check reports an error (warnings allowed), 8 when at least one does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from helper.cli.runtime import emit_json, obj
from helper.cli.tokenopt import token_option

EXIT_PROBLEMS = 8
MARKS = {"ok": ("✔", "green"), "warning": ("!", "yellow"), "error": ("✘", "red"), "skipped": ("–", None)}


def _environment(serial: str | None):
    from helper import settings
    from helper.diagnostics import Environment

    return Environment(tokens=obj().token_service(), serial=serial, settings=settings.load())


def _print_result(c, r) -> None:
    ctx = obj()
    mark, colour = MARKS[r.status.value]
    m = r.message()
    click.echo(click.style(f"{mark} {c.name()}", fg=colour, bold=True) + f"  {m.title}")
    if r.status.value in ("warning", "error"):
        click.echo(f"    {ctx.t('说明：', 'Why: ')}{m.explanation}")
        click.echo(f"    {ctx.t('解决方案：', 'Solution:')}")
        for n, step in enumerate(m.remedy, 1):
            click.echo(f"      {n}. {step}")
        if r.fixable:
            click.echo(f"    {ctx.t('修复：', 'Fix: ')}cahelper diagnose --fix {r.check_id}")
    if ctx.verbose:
        for line in r.details:
            click.echo(click.style(f"    · {line}", dim=True))


def _support() -> None:
    from helper import settings

    contacts = settings.load().support_contacts
    if contacts:
        click.echo(obj().t("客服：", "Support: ") + obj().t("；", "; ").join(contacts))


def _confirm(check_name: str, yes: bool) -> None:
    from helper.messages import HelperError

    if yes:
        return
    if not sys.stdin.isatty():
        raise HelperError("DIAG_FIX_NEEDS_CONFIRMATION")
    if not click.confirm(obj().t(f"现在修复“{check_name}”吗？", f"Fix “{check_name}” now?"), default=False):
        raise click.exceptions.Abort()


def _fix(check_id: str, serial: str | None, yes: bool) -> None:
    from helper import diagnostics
    from helper.diagnostics.runner import run_one
    from helper.messages import HelperError, get

    ctx = obj()
    c = diagnostics.check(check_id)
    if c.fix is None:
        raise HelperError("DIAG_NOT_FIXABLE", check=check_id)
    facts = diagnostics.Facts(_environment(serial))
    before = run_one(c, facts)
    if not before.fixable:
        if ctx.json:
            emit_json({"ok": before.status.value != "error", "fixed": False, "check": before.as_json()})
        else:
            _print_result(c, before)
            if before.status.value == "ok":
                click.echo(get("DIAG_FIX_NOT_NEEDED", check=check_id).title)
        click.get_current_context().exit(EXIT_PROBLEMS if before.status.value == "error" else 0)
    if not ctx.json:
        _print_result(c, before)
    _confirm(c.name(), yes)
    after = diagnostics.repair(facts, check_id)
    if ctx.json:
        emit_json({"ok": after.status.value != "error", "fixed": True, "check": after.as_json()})
    else:
        click.echo(ctx.t("修复后重新检测：", "After the fix:"))
        _print_result(c, after)
    click.get_current_context().exit(EXIT_PROBLEMS if after.status.value == "error" else 0)


@click.command(help="一键检测：检查驱动、U盾、证书、根证书、本机服务、时间和网络 / run the diagnostics.\n\n"
                    "退出码 0：没有发现问题（可能有提醒）；8：发现了问题。/ Exit 0: no errors; 8: errors found.")
@click.option("--json", "as_json", is_flag=True, help="JSON 输出 / JSON output.")
@click.option("--fix", "fix_id", metavar="CHECK_ID", help="修复这一项（先询问）/ repair this check (asks first).")
@click.option("--yes", is_flag=True, help="修复前不询问 / do not ask before repairing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="导出检测报告（FILE.txt + FILE.json，或按扩展名）/ write a report for support.")
@click.option("--overwrite", is_flag=True, help="覆盖已存在的报告 / replace an existing report.")
@token_option
@click.option("--check", "only", multiple=True, metavar="CHECK_ID", help="只运行这些检测项 / only these checks.")
def diagnose(as_json: bool, fix_id: str | None, yes: bool, report_path: Path | None, overwrite: bool,
             serial: str | None, only: tuple[str, ...]) -> None:
    from helper import diagnostics
    from helper.diagnostics import report

    ctx = obj()
    ctx.json = as_json
    if fix_id:
        _fix(fix_id, serial, yes)
        return
    if report_path:  # before the checks run: a report that cannot be saved is said at once
        from helper.fileio import check_output

        for target in report.targets(report_path):
            check_output(target, overwrite=overwrite)
    facts = diagnostics.Facts(_environment(serial))
    show_progress = not as_json and sys.stderr.isatty()

    def progress(result, done: int, total: int) -> None:
        if show_progress:
            click.echo(f"\r{ctx.t('检测中', 'Checking')} {done}/{total}", nl=done == total, err=True)

    results = diagnostics.run(facts, only or None, progress)
    worst = diagnostics.worst(results)
    written = report.write(report_path, report.build(facts, results), overwrite=overwrite) if report_path else []
    if as_json:
        emit_json({"ok": worst.value != "error", "status": worst.value,
                   "checks": [r.as_json() for r in results], "report": [str(p) for p in written]})
    else:
        for r in results:
            _print_result(diagnostics.check(r.check_id), r)
        for path in written:
            click.echo(ctx.t(f"检测报告已保存：{path}", f"Report written: {path}"))
        if worst.value in ("warning", "error"):
            _support()
    click.get_current_context().exit(EXIT_PROBLEMS if worst.value == "error" else 0)
