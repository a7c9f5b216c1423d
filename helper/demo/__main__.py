"""`./dev demo`: create the demo key once, then open the helper (or, without a display, a CLI tour)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from helper.demo import environment

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FOLDER = ROOT / ".dev-state" / "demo"


def has_display() -> bool:
    if sys.platform.startswith("win") or sys.platform == "darwin":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def tour(env: environment.DemoEnvironment) -> int:
    """A short CLI walk-through on the demo key; returns the first failing exit code, else 0."""
    run_env = {**os.environ, **env.env}
    steps = [
        ("插入的U盾 / keys", ["tokens"]),
        ("U盾里的证书 / certificates", ["certs"]),
    ]
    for title, args in steps:
        print(f"\n$ cahelper {' '.join(args)}    # {title}", flush=True)
        code = subprocess.call([sys.executable, "-m", "helper.cli.main", *args], env=run_env)
        if code:
            return code
    from helper.demo.portal.launch import login_tour

    return login_tour(env.env, env.pki_dir)


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev demo", description="数字证书助手演示 / helper demo")
    parser.add_argument("--reset", action="store_true", help="recreate the demo key and PKI")
    parser.add_argument("--no-gui", action="store_true", help="run the CLI tour even when a display is available")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args()

    env, created = environment.ensure(args.folder, reset=args.reset)
    env.activate()
    from helper.demo.sites import register_demo_portals

    register_demo_portals()  # the demo sites are the demo home's own portal entries
    print("数字证书助手演示环境 / demo environment")
    print(f"  {'已创建' if created else '已存在'}演示U盾: {environment.DEMO_LABEL} (serial {env.serial})")
    print(f"  国密演示U盾 / SM2 demo key: {environment.SM2_DEMO_LABEL} (serial {env.sm2_serial})")
    print(f"  用户口令 / user PIN: {environment.DEMO_USER_PIN}   管理员口令 / SO PIN: {environment.DEMO_SO_PIN}")
    print("  口令规则与真实U盾相同：改过口令后不能再改回 123456，请用 ./dev demo --reset 恢复演示U盾。")
    print("  / The PIN rules of a real key apply: 123456 cannot be set again; ./dev demo --reset restores the keys.")
    print("  SoftHSM 演示U盾不计口令错误次数、不会锁定；国密演示U盾连续输错 6 次口令即锁定，可用管理员口令解锁。")
    print("  / The SoftHSM key never locks; the SM2 key locks after 6 wrong PINs and unblocks with the SO PIN.")
    print(f"  演示CA / demo CA: {env.pki_dir}")
    print(f"  SoftHSM 配置: {env.softhsm_conf}")
    print(f"  国密演示CA / SM2 demo CA: {env.sm2_ca_dir}")
    print(f"  助手数据目录 / helper home: {env.home}")
    print("  在其他终端使用 / to use it from another shell:")
    for key, value in env.env.items():
        print(f"    export {key}={value}")
    if args.no_gui or not has_display():
        if not args.no_gui:
            print("\n没有检测到图形界面，运行命令行演示。/ No display found: running the CLI tour instead.")
        return tour(env)
    from helper.demo.portal.launch import start_portal
    from helper.demo.renewal_site.launch import start_renewal_site

    portal = start_portal(env.pki_dir)
    renewal = start_renewal_site(env.pki_dir)
    print(f"  演示社保网站 / demo portal: {portal.origin}/  (社保网报 → 社会保险网上服务平台（演示）)")
    print(f"  演示CA延期网站 / demo CA renewal site: {renewal.origin}/  (证书延期 → 一键延期)")
    try:
        return subprocess.call([sys.executable, "-m", "gui.app"], env={**os.environ, **env.env})
    finally:
        renewal.stop()
        portal.stop()


if __name__ == "__main__":
    sys.exit(main())
