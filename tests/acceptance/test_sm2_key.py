"""An SM2 key (the demo's 国密演示U盾 on the SM2 test driver): its signing + encryption pair is listed as
sm2-256 with SM3withSM2 and classified by key usage; signing a PDF with it, which needs the SM2 signing
path, gives the coded KEY_TYPE_UNSUPPORTED message with no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helper.demo import environment, sm2token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import blank_pdf  # noqa: E402

_MAKE_DEMO = """
import sys
from pathlib import Path
from helper.demo import environment
assert environment.ensure(Path(sys.argv[1]))[1]
"""


@pytest.fixture(scope="module")
def sm2_env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("sm2demo") / "demo"
    made = subprocess.run([sys.executable, "-c", _MAKE_DEMO, str(folder)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert made.returncode == 0, made.stderr
    env, _ = environment.ensure(folder)
    return {**env.env, "CAHELPER_PKCS11_MODULE": str(sm2token.MODULE)}


def test_sm2_pair_is_listed_and_classified(run_cli, sm2_env):
    result = run_cli("certs", "--json", env=sm2_env)
    assert result.returncode == 0, result.stderr
    pair = json.loads(result.stdout)["certificates"]
    assert {c["key_algorithm"] for c in pair} == {"sm2-256"}
    assert sorted(c["usage"] for c in pair) == ["encryption", "signing"]
    assert {c["signature_algorithm"] for c in pair} == {"SM3withSM2"}
    assert all(c["has_private_key"] for c in pair)


def test_signing_with_an_sm2_key_is_a_coded_refusal(run_cli, sm2_env, tmp_path):
    src = tmp_path / "国密.pdf"
    src.write_bytes(blank_pdf(1))
    for lang, title in (("zh", "暂时还不能用这张 SM2 证书完成这项操作"), ("en", "This SM2 certificate cannot be used")):
        result = run_cli("--lang", lang, "sign", str(src), "--out", str(tmp_path / f"out-{lang}.pdf"), "--invisible",
                         "--pin-stdin", stdin=environment.DEMO_USER_PIN + "\n", env=sm2_env)
        assert result.returncode != 0 and title in result.stderr
        assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("out-*.pdf"))
