"""Root CA trust in real NSS databases (certutil): untrusted in a temp database, 修复 installs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helper.diagnostics import Facts, Status, repair
from tests.helper.diagnostics.kit import run_check


def new_nssdb(folder: Path) -> Path:
    folder.mkdir(parents=True)
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{folder}"], check=True, capture_output=True)
    return folder


def listing(db: Path) -> str:
    return subprocess.run(["certutil", "-L", "-d", f"sql:{db}"], check=True, capture_output=True, text=True).stdout


def test_untrusted_root_in_the_browser_store_is_installed(env, tmp_path):
    home = tmp_path / "home"
    db = new_nssdb(home / ".pki" / "nssdb")
    e = env(home=home, nss_dirs=None)  # discovered under HOME, like Chromium's store
    before = run_check("root-ca", e)
    assert before.status is Status.WARNING and before.code == "DIAG_ROOT_UNTRUSTED" and before.fixable
    assert "示例根CA" in before.params["names"]
    after = repair(Facts(e), "root-ca")
    assert after.status is Status.OK and after.code == "DIAG_ROOT_TRUSTED"
    row = next(line for line in listing(db).splitlines() if "示例根CA" in line)
    assert row.split()[-1] == "C,,"


def test_explicit_store_and_firefox_profile(env, tmp_path):
    home = tmp_path / "home"
    profile = new_nssdb(home / ".mozilla" / "firefox" / "abcd1234.default-release")
    explicit = new_nssdb(tmp_path / "explicit")
    assert run_check("root-ca", env(nss_dirs=(explicit,))).code == "DIAG_ROOT_UNTRUSTED"
    repair(Facts(env(nss_dirs=(explicit,))), "root-ca")
    assert run_check("root-ca", env(nss_dirs=(explicit,))).status is Status.OK
    firefox = run_check("root-ca", env(home=home, nss_dirs=None))
    assert firefox.status is Status.WARNING and str(profile) in firefox.params["stores"]


def test_no_browser_store_is_skipped_with_reason(env, tmp_path):
    result = run_check("root-ca", env(home=tmp_path / "empty-home", nss_dirs=None))
    assert result.status is Status.SKIPPED and result.code == "DIAG_SKIPPED_NO_BROWSER_STORE"


def test_no_known_root_is_skipped(env, tmp_path):
    empty = tmp_path / "no-ca"
    empty.mkdir()
    result = run_check("root-ca", env(user_ca_dir=empty))
    assert result.status is Status.SKIPPED and result.code == "DIAG_SKIPPED_NO_ROOT"
