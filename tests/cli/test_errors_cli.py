"""One error path: operating-system failures, usage errors and unknown IDs as 提示/说明/解决方案 with the
README's exit codes, in the chosen language. Real processes; a read-only or full disk is a tmpfs mounted in
a private mount namespace of the command alone (unshare), so nothing stays mounted."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import blank_pdf  # noqa: E402


@pytest.fixture
def run_raw(cli_env):
    def run(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(argv, input=stdin, text=True, capture_output=True, env=cli_env, timeout=120)

    return run


def _cahelper(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in [sys.executable, "-m", "helper.cli.main", *args])


def _mounted(run_raw, folder: Path, options: str, *args: str, fill: bool = False) -> subprocess.CompletedProcess:
    folder.mkdir(exist_ok=True)
    where = shlex.quote(str(folder))
    steps = [f"mount -t tmpfs -o size=64k,mode=755 tmpfs {where}"]
    if fill:
        steps.append(f"(dd if=/dev/zero of={where}/fill bs=4k 2>/dev/null || true)")
    if options:
        steps.append(f"mount -o remount,{options} {where}")
    steps.append("exec " + _cahelper(*args))
    return run_raw(["unshare", "--mount", "--propagation", "private", "sh", "-c", " && ".join(steps)])


def test_export_into_a_read_only_folder_is_coded(run_raw, demo_token, tmp_path):
    certs = json.loads(run_raw([sys.executable, "-m", "helper.cli.main", "certs", "--json"]).stdout)["certificates"]
    result = _mounted(run_raw, tmp_path / "ro", "ro", "cert", "export", certs[0]["id"], "--out",
                      str(tmp_path / "ro" / "a.cer"))
    assert result.returncode == 5 and "文件无法保存" in result.stderr and "意外错误" not in result.stderr, result.stderr


def test_report_into_a_read_only_folder_is_refused_before_the_checks(run_raw, tmp_path):
    result = _mounted(run_raw, tmp_path / "ro", "ro", "diagnose", "--check", "clock", "--report",
                      str(tmp_path / "ro" / "rep"))
    assert result.returncode == 5 and "文件无法保存" in result.stderr and "意外错误" not in result.stderr, result.stderr


def test_a_full_disk_is_said_and_leaves_nothing(run_raw, demo_token, tmp_path):
    certs = json.loads(run_raw([sys.executable, "-m", "helper.cli.main", "certs", "--json"]).stdout)["certificates"]
    folder = tmp_path / "full"
    result = _mounted(run_raw, folder, "", "--lang", "en", "cert", "export", certs[0]["id"], "--out",
                      str(folder / "a.pem"), fill=True)
    assert result.returncode == 5 and "The disk is full" in result.stderr, result.stderr


def test_export_into_a_missing_folder_creates_nothing(run_cli, demo_token, tmp_path):
    certs = json.loads(run_cli("certs", "--json").stdout)["certificates"]
    target = tmp_path / "nonexistent" / "dir" / "a.cer"
    result = run_cli("cert", "export", certs[0]["id"], "--out", str(target))
    assert result.returncode == 5 and "文件夹不存在" in result.stderr, result.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_a_reader_that_stops_early_ends_the_command_quietly(cli_env, demo_token):
    cmd = f"{_cahelper('certs')} | head -c 10 >/dev/null; echo rc=${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", cmd], text=True, capture_output=True, env=cli_env, timeout=120)
    assert result.stdout.strip() == "rc=0" and result.stderr == "", result.stderr


def test_usage_errors_come_in_the_chosen_language_with_readme_codes(run_cli, tmp_path):
    missing = run_cli("verify", str(tmp_path / "nope.pdf"))
    assert missing.returncode == 5 and "找不到文件" in missing.stderr and "Error:" not in missing.stderr
    folder = run_cli("--lang", "en", "verify", str(tmp_path))
    assert folder.returncode == 5 and "A file is needed here, not a folder" in folder.stderr, folder.stderr
    assert "：" not in folder.stderr
    option = run_cli("sign", str(tmp_path / "x.pdf"), "--bogus")
    assert option.returncode == 2 and "没有 --bogus 这个选项" in option.stderr and "解决方案" in option.stderr
    command = run_cli("--lang", "en", "nosuch")
    assert command.returncode == 2 and "there is no command nosuch" in command.stderr
    choice = run_cli("sign", str(tmp_path / "x.pdf"), "--level", "X")
    assert choice.returncode == 2 and "--level 的值不正确" in choice.stderr


def test_exclusive_options_and_unknown_ids(run_cli, demo_token, tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(blank_pdf())
    both = run_cli("sign", str(pdf), "--pos", "1,1", "--anchor", "x", "--pin-stdin", stdin="1\n")
    assert both.returncode == 2 and "这几个选项只能选一个：--pos / --anchor" in both.stderr
    assert "choose one" not in both.stderr
    unknown = run_cli("cert", "show", "nonexist")
    assert unknown.returncode == 2 and "没有找到这张证书" in unknown.stderr
    portal = run_cli("portals", "open", "nosuch")
    assert portal.returncode == 2 and "没有找到网站“nosuch”" in portal.stderr
    seal = run_cli("seal", "remove", "没有这枚章", "--token", demo_token.serial, "--pin-stdin",
                   stdin=demo_token.pin + "\n")
    assert seal.returncode == 2 and "U盾里没有名为“没有这枚章”的印章" in seal.stderr, seal.stderr


def test_output_files_get_the_umask_permissions(run_cli, demo_token, tmp_path):
    certs = json.loads(run_cli("certs", "--json").stdout)["certificates"]
    out = tmp_path / "a.pem"
    result = run_cli("cert", "export", certs[0]["id"], "--out", str(out))
    assert result.returncode == 0, result.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
