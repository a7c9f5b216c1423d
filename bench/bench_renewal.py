"""Full `renew cmp` kur on a SoftHSM key (token signing, CMP round trip, journalled install) vs the
`openssl cmp` client sending the same signature-protected kur with a software key, one run.

The key is put back to its old certificate between rounds (not timed).
Run: .venv/bin/python bench/bench_renewal.py [rounds]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "helper" / "renewal")]
_TMP = Path(tempfile.mkdtemp(prefix="bench-renewal-"))
os.environ["CAHELPER_HOME"] = str(_TMP / "home")

from cmp_pki import OPENSSL, start_server  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from renewal_kit import pem_file, ra_files, renewed_for  # noqa: E402

from helper.demo import softhsm  # noqa: E402
from helper.demo.pki import DemoPKI, software_key, unit_name  # noqa: E402
from helper.demo.token import provision  # noqa: E402
from helper.keys import KeyService  # noqa: E402
from helper.renewal.service import CmpRequest, RenewalService  # noqa: E402
from tokenio.session import TokenSession  # noqa: E402
from tokenio.worker import TokenService  # noqa: E402

TARGET_RATIO = 1.5
PIN = "123456"


def median(samples: list[float]) -> float:
    return statistics.median(samples[1:])  # the first round warms up


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    conf = softhsm.configure(_TMP / "softhsm")
    softhsm.use(conf)
    pki = DemoPKI.create()
    pki.write(_TMP / "pki")
    ca_dir = _TMP / "home" / "data" / "ca"
    ca_dir.mkdir(parents=True)
    for name in ("root.pem", "ca.pem"):
        shutil.copy(_TMP / "pki" / name, ca_dir / name)
    service = TokenService((softhsm.SOFTHSM_MODULE,), use_registry=False)
    serial = softhsm.init_token(conf, "bench", PIN, "12345678")
    (issued,) = provision(service, serial, pki, keys=(("rsa2048", "sign"),), days=20)
    renewed = renewed_for(pki, issued.cert_der)
    ra = ra_files(pki, _TMP)
    servers = [start_server(_TMP, *ra, "-rsp_cert", pem_file(_TMP, "renewed", renewed))]

    # The openssl client: a software RSA key with the same kind of certificate, its own mock server.
    key = software_key("rsa")
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    soft_old = pki.issue(spki, unit_name(), days=20)
    (_TMP / "soft_key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    servers.append(start_server(_TMP, *ra, "-rsp_cert", pem_file(_TMP, "soft_new", renewed_for(pki, soft_old))))
    openssl_cmd = [
        OPENSSL, "cmp", "-cmd", "kur", "-server", f"127.0.0.1:{servers[1].port}", "-path", "pkix/",
        "-cert", pem_file(_TMP, "soft_old", soft_old), "-key", str(_TMP / "soft_key.pem"),
        "-extracerts", pem_file(_TMP, "chain", *pki.chain_der), "-trusted", str(_TMP / "pki" / "root.pem"),
        "-untrusted", str(_TMP / "pki" / "ca.pem"), "-certout", str(_TMP / "out.pem"),
    ]  # fmt: skip
    ours, theirs = [], []
    renewals = RenewalService(KeyService(service))
    try:
        with service.session(serial, bytearray(PIN.encode()), rw=True) as handle:
            for _ in range(rounds + 1):
                start = time.perf_counter()
                result = renewals.cmp_in_session(handle, issued.cert_der, CmpRequest(servers[0].url))
                ours.append(time.perf_counter() - start)
                assert result.certificate.der == renewed
                handle.run(TokenSession.delete_certificate, renewed)
                handle.run(TokenSession.import_certificate, issued.cert_der, issued.cka_id, "签名证书1")
                start = time.perf_counter()
                subprocess.run(openssl_cmd, check=True, capture_output=True)
                theirs.append(time.perf_counter() - start)
    finally:
        for server in servers:
            server.stop()
        service.shutdown()
        shutil.rmtree(_TMP, ignore_errors=True)
    ours_s, theirs_s = median(ours), median(theirs)
    ratio = ours_s / theirs_s
    print(f"renew cmp kur (sign on SoftHSM + CMP + install), median of {rounds}:")
    print(f"  cahelper renew cmp  : {ours_s * 1000:7.1f} ms")
    print(f"  openssl cmp client  : {theirs_s * 1000:7.1f} ms")
    print(f"  ratio               : {ratio:7.2f} (target <= {TARGET_RATIO})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
