"""Full kur round trip (kur/kup + certConf/pkiConf, signature-protected) on loopback:
our CMP client vs the `openssl cmp` client, against the same `openssl cmp` mock server in one run.

Run: .venv/bin/python bench/bench_cmp.py [rounds]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "helper" / "renewal")]

from cmp_pki import DER, OPENSSL, SoftSigner, build_pki, start_server  # noqa: E402

from helper.renewal.cmp import CmpClient, SignatureProtection  # noqa: E402

TARGET_RATIO = 1.5


def timed(action, rounds: int) -> float:
    """Median seconds of ``action`` over ``rounds`` runs, after one warm-up."""
    action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory(prefix="bench-cmp-") as tmp:
        folder = Path(tmp)
        pki = build_pki(folder)
        server = start_server(
            folder,
            *("-srv_cert", pki.path("ra"), "-srv_key", pki.path("ra_key"), "-srv_trusted", pki.path("root")),
            *("-rsp_cert", pki.path("ee_renewed")),
        )
        try:
            signer = SoftSigner(pki.ee_key, pki.ee_old)
            client = CmpClient(
                server.url, protection=SignatureProtection(signer), trusted=[pki.asn1(pki.root)]
            )
            old_cert, expected = pki.asn1(pki.ee_old), pki.ee_renewed.public_bytes(DER)

            def ours() -> None:
                assert client.key_update(old_cert, signer).certificate.dump() == expected

            openssl_cmd = [
                OPENSSL, "cmp", "-cmd", "kur", "-server", f"127.0.0.1:{server.port}", "-path", "pkix/",
                "-cert", pki.path("ee_old"), "-key", pki.path("ee_key"), "-oldcert", pki.path("ee_old"),
                "-trusted", pki.path("root"), "-certout", str(folder / "renewed.pem"),
            ]  # fmt: skip

            def theirs() -> None:
                subprocess.run(openssl_cmd, check=True, capture_output=True)

            ours_s = timed(ours, rounds)
            theirs_s = timed(theirs, rounds)
        finally:
            server.stop()
    ratio = ours_s / theirs_s
    print(f"kur round trip, median of {rounds}:")
    print(f"  cahelper CMP client : {ours_s * 1000:7.1f} ms")
    print(f"  openssl cmp client  : {theirs_s * 1000:7.1f} ms")
    print(f"  ratio               : {ratio:7.2f} (target <= {TARGET_RATIO})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
