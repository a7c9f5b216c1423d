"""SM2 e-seal figures, in one run on the demo's two keys:

1. Batch signing per document through the signing service (one PIN, visible seal, the same 20 one-page PDFs):
   SM2 (SM3withSM2) on 国密演示U盾 (the SM2 test key) against RSA-2048 on the SoftHSM demo key, best of 3.
2. Verification per signature: `verify` of one SM2-sealed PDF against one RSA-sealed PDF (whole report:
   file, digests, signature, chain, changes), and the bare SM2 signature check (helper.crypto.sm2.verify).

Run: .venv/bin/python bench/bench_sm2.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "helper" / "signing")]

DOCS = 20


def batch(service, identity, sources: list[Path], out: Path, seal: bytes) -> float:
    from helper.demo import environment
    from helper.signing import batch as batch_mod
    from helper.signing.options import SignOptions
    from helper.signing.service import SealChoice

    out.mkdir()
    items = batch_mod.plan(sources, out)
    start = time.perf_counter()
    outcome = service.sign(identity, bytearray(environment.DEMO_USER_PIN.encode()), items, SignOptions(),
                           SealChoice(png=seal))
    elapsed = time.perf_counter() - start
    assert outcome.report.ok, [r.code for r in outcome.report.results if r.code]
    return elapsed / len(sources)


def timed(fn, n: int) -> float:
    """Median over 5 rounds of the time per call, in seconds."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-sm2-") as tmp:
        folder = Path(tmp)
        from helper.demo import environment, sm2token, softhsm

        env, _ = environment.ensure(folder / "demo")
        env.activate()
        from asn1crypto import pem, x509
        from corpus import roster_pdf

        from helper.audit import AuditLog
        from helper.crypto import sm2
        from helper.keys import KeyService
        from helper.seals import make_demo_seal
        from helper.signing.service import SigningService
        from helper.signing.verify import verify_pdf
        from tokenio.worker import TokenService

        service = TokenService((softhsm.SOFTHSM_MODULE, str(sm2token.MODULE)), use_registry=False)
        try:
            signing = SigningService(KeyService(service), AuditLog(folder / "log.jsonl"))
            rsa_id, sm2_id = signing.identity(env.serial), signing.identity(env.sm2_serial)
            assert rsa_id.info.key_algorithm == "RSA" and sm2.is_sm2_certificate(x509.Certificate.load(sm2_id.info.der))
            seal = make_demo_seal("石家庄示例科技有限公司", "公章").png
            docs = folder / "docs"
            docs.mkdir()
            sources = []
            for n in range(DOCS):
                sources.append(docs / f"{n:02d}.pdf")
                sources[-1].write_bytes(roster_pdf(rows=8))
            rsa_t, sm2_t = [], []
            for r in range(3):
                rsa_t.append(batch(signing, rsa_id, sources, folder / f"rsa{r}", seal))
                sm2_t.append(batch(signing, sm2_id, sources, folder / f"sm2{r}", seal))
        finally:
            service.shutdown()
        rsa_s, sm2_s = min(rsa_t), min(sm2_t)
        print(f"batch of {DOCS} one-page PDFs with a visible seal, one PIN (best of 3), per document:")
        print(f"  RSA-2048 on SoftHSM      {rsa_s * 1000:6.1f} ms  (baseline)")
        print(f"  SM2 on the SM2 test key  {sm2_s * 1000:6.1f} ms  ratio {sm2_s / rsa_s:.2f}")

        sm2_root = pem.unarmor((env.sm2_ca_dir / "root.pem").read_bytes())[2]
        sm2_pdf, rsa_pdf = (sorted((folder / d).glob("*.pdf"))[0] for d in ("sm20", "rsa0"))
        report = verify_pdf(sm2_pdf, (sm2_root,))
        assert report.ok, report.problems()
        v_sm2 = timed(lambda: verify_pdf(sm2_pdf, (sm2_root,)), 5)
        v_rsa = timed(lambda: verify_pdf(rsa_pdf), 5)
        key = sm2.SoftwareKey.generate()
        message = os.urandom(1024)
        signature = key.sign(message)
        bare = timed(lambda: sm2.verify(key.public_point, message, signature), 200)
        print("verification per signature:")
        print(f"  verify, RSA-sealed PDF   {v_rsa * 1000:6.1f} ms  (baseline)")
        print(f"  verify, SM2-sealed PDF   {v_sm2 * 1000:6.1f} ms  ratio {v_sm2 / v_rsa:.2f}")
        print(f"  SM2 signature alone      {bare * 1000:6.2f} ms  (helper.crypto.sm2.verify, 1 KiB, gmalglib)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
