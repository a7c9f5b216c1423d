"""`./dev demo` without a display: it makes the demo keys, says their PINs and PIN rules, and walks through
`tokens`, `certs` and `portals list` (the demo portal and renewal site on their fixed ports 28961/28962)
with exit code 0; a second run reuses the keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _demo(folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY") and not k.startswith(
        ("CAHELPER_", "SOFTHSM2_", "SM2TOKEN_", "PYTEST"))}
    return subprocess.run([sys.executable, "-m", "helper.demo", "--folder", str(folder)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_cli_tour_on_a_new_machine_and_again(tmp_path):
    first = _demo(tmp_path / "demo")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    out = first.stdout
    assert "没有检测到图形界面，运行命令行演示" in out and "已创建演示U盾: 石家庄示例科技-U盾" in out
    assert "用户口令 / user PIN: 123456   管理员口令 / SO PIN: 12345678" in out
    assert "改过口令后不能再改回 123456" in out and "国密演示U盾连续输错 6 次口令即锁定" in out
    for step in ("$ cahelper tokens", "$ cahelper certs", "$ cahelper portals list"):
        assert step in out
    assert "国密演示U盾" in out.split("$ cahelper tokens")[1] and "石家庄示例科技有限公司" in out
    assert "社会保险网上服务平台（演示）" in out and "http://127.0.0.1:28961/" in out
    assert "Traceback" not in first.stdout + first.stderr
    again = _demo(tmp_path / "demo")
    assert again.returncode == 0 and "已存在演示U盾" in again.stdout, again.stdout[-2000:] + again.stderr[-2000:]
