"""The support report and `cahelper diagnose` end to end: no PIN, no SO PIN, no private key, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helper.diagnostics import CHECK_IDS
from tests.helper.diagnostics.test_diag_trust import listing, new_nssdb

SECRETS = ("123456", "12345678", "Xk7429mq", "Zq8317pw")  # the test keys' PINs, SO PIN and the new PINs


def leaked(text: str, secret: str) -> bool:
    """The secret as a number of its own (a hex serial or fingerprint that happens to contain it is not a leak)."""
    return re.search(rf"(?<![0-9A-Fa-f]){secret}(?![0-9A-Fa-f])", text) is not None


def test_report_after_pin_operations_holds_no_secret(run_cli, make_token, tmp_path):
    token = make_token("报告测试U盾")
    # the PIN and the SO PIN flow through the helper first, so the log has something to say about them
    assert run_cli("pin", "change", "--token", token.serial, "--pin-stdin", stdin="999999\nXk7429mq\n").returncode == 4
    assert run_cli("pin", "change", "--token", token.serial, "--pin-stdin",
                   stdin=f"{token.pin}\nXk7429mq\n").returncode == 0
    assert run_cli("pin", "unblock", "--token", token.serial, "--pin-stdin",
                   stdin=f"{token.so_pin}\nZq8317pw\n").returncode == 0
    out = tmp_path / "report"
    done = run_cli("diagnose", "--token", token.serial, "--report", str(out))
    assert done.returncode in (0, 8), done.stderr
    text = (tmp_path / "report.txt").read_text("utf-8")
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    assert data["keys"][0]["serial"] == token.serial and len(data["certificates"]) == 3
    assert data["log"] and any("pin" in line.lower() or "check" in line for line in data["log"])
    raw = json.dumps(data, ensure_ascii=False)
    for content in (text, raw):
        assert "PRIVATE KEY" not in content and "BEGIN" not in content
        for secret in SECRETS:
            assert not leaked(content, secret), secret
    assert "报告测试U盾" in text and "检测结果" in text


def test_report_is_never_overwritten_unless_asked(run_cli, demo_token, tmp_path):
    target = tmp_path / "support.json"
    assert run_cli("diagnose", "--token", demo_token.serial, "--check", "key", "--report", str(target)).returncode == 0
    first = target.read_text("utf-8")
    again = run_cli("diagnose", "--token", demo_token.serial, "--check", "key", "--report", str(target))
    assert again.returncode == 5 and target.read_text("utf-8") == first
    assert not (tmp_path / "support.json.txt").exists()
    assert run_cli("diagnose", "--check", "key", "--report", str(target), "--overwrite").returncode == 0


def test_exit_codes_and_json(run_cli, demo_token):
    ok = run_cli("diagnose", "--json", "--token", demo_token.serial, "--check", "key", "--check", "pin")
    assert ok.returncode == 0, ok.stderr
    body = json.loads(ok.stdout)
    assert body["ok"] is True and [c["id"] for c in body["checks"]] == ["key", "pin"]
    bad = run_cli("diagnose", "--json", "--token", "0000feedface0000", "--check", "key")
    assert bad.returncode == 8 and json.loads(bad.stdout)["status"] == "error"
    text = run_cli("--lang", "zh", "diagnose", "--token", "0000feedface0000", "--check", "key")
    assert text.returncode == 8 and "✘ U盾" in text.stdout and "解决方案" in text.stdout
    unknown = run_cli("diagnose", "--fix", "no-such-check")
    assert unknown.returncode == 2 and "no-such-check" in unknown.stderr
    not_fixable = run_cli("diagnose", "--fix", "pin")
    assert not_fixable.returncode == 2


def test_fix_root_ca_from_the_command_line(run_cli, tmp_path):
    home = tmp_path / "home"
    db = new_nssdb(home / ".pki" / "nssdb")
    asked = run_cli("diagnose", "--fix", "root-ca", env={"HOME": str(home)})  # no terminal to ask on
    assert asked.returncode == 2 and "--yes" in asked.stderr
    assert "示例根CA" not in listing(db)
    fixed = run_cli("diagnose", "--fix", "root-ca", "--yes", env={"HOME": str(home)})
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "示例根CA" in listing(db)
    again = run_cli("--lang", "en", "diagnose", "--fix", "root-ca", "--yes", env={"HOME": str(home)})
    assert again.returncode == 0 and "needs no fix" in again.stdout


def test_check_ids_are_listed_in_the_readme():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    for check_id in CHECK_IDS:
        assert f"`{check_id}`" in readme, check_id
