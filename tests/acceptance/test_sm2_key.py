"""An SM2 key (the demo's 国密演示U盾 on the SM2 test driver): its signing + encryption pair is listed as
sm2-256 with SM3withSM2 and classified by key usage; CMP renewal, which signs its request with the old key
in RSA or ECDSA only, gives the coded KEY_TYPE_UNSUPPORTED message before the key is used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helper.demo import environment, sm2token

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


def test_cmp_renewal_of_an_sm2_certificate_is_a_coded_refusal(sm2_env, monkeypatch):
    from helper import certs
    from helper.keys import KeyService
    from helper.messages import HelperError
    from helper.renewal.service import CmpRequest, RenewalService
    from tokenio.worker import TokenService

    for name in ("SM2TOKEN_CONF", "CAHELPER_HOME"):
        monkeypatch.setenv(name, sm2_env[name])
    service = TokenService((str(sm2token.MODULE),), use_registry=False)
    try:
        with service.session(service.find().id, bytearray(environment.DEMO_USER_PIN.encode()), rw=True) as handle:
            from tokenio.session import TokenSession

            signing = next(o for o in handle.run(TokenSession.certificates)
                           if o.der and o.key and certs.parse(o.der).is_signing)
            with pytest.raises(HelperError) as refused:
                RenewalService(KeyService(service)).cmp_in_session(handle, signing.der,
                                                                   CmpRequest("http://127.0.0.1:9/cmp"))
    finally:
        service.shutdown()
    assert refused.value.code == "KEY_TYPE_UNSUPPORTED" and refused.value.params["algorithm"] == "SM2"
