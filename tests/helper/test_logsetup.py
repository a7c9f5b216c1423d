"""The log file holds the helper's own records; third-party libraries only from WARNING."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helper.logsetup import own_lines

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import roster_pdf  # noqa: E402

OLD_LOG = """2026-12-01 10:00:00,001 INFO fontTools.subset: maxp pruned
2026-12-01 10:00:00,002 INFO helper.signing.engine: signed 名册.pdf
2026-12-01 10:00:00,003 ERROR cahelper.cli: command failed
Traceback (most recent call last):
  File "x.py", line 1
2026-12-01 10:00:00,004 INFO fontTools.ttLib: glyf pruned
""".splitlines(keepends=True)


def test_own_lines_keep_records_with_their_tracebacks():
    assert own_lines(OLD_LOG) == OLD_LOG[1:5]


def test_a_batch_logs_no_library_chatter_and_the_report_shows_own_lines(run_cli, cli_env, make_token, tmp_path):
    token = make_token("日志U盾", keys=(("rsa2048", "sign"),))
    home = tmp_path / "home"
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(3):
        (docs / f"名册{n}.pdf").write_bytes(roster_pdf(rows=2))
    env = {"CAHELPER_HOME": str(home)}
    signed = run_cli("sign", str(docs), "--token", token.serial, "--pin-stdin", stdin=token.pin + "\n", env=env)
    assert signed.returncode == 0, signed.stderr
    assert all("fontTools" not in log.read_text("utf-8") for log in home.rglob("cahelper.log"))
    log_dir = Path(subprocess.run([sys.executable, "-c", "from helper import settings; print(settings.log_dir())"],
                                  capture_output=True, text=True, env={**cli_env, **env}).stdout.strip())
    assert log_dir.is_relative_to(home)
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "cahelper.log").open("a", encoding="utf-8") as f:
        f.writelines(OLD_LOG)
    report = tmp_path / "rep.json"
    written = run_cli("diagnose", "--check", "clock", "--report", str(report), env=env)
    assert report.exists(), written.stderr
    lines = json.loads(report.read_text("utf-8"))["log"]
    assert lines and all("fontTools" not in line for line in lines) and any("signed 名册.pdf" in x for x in lines)
