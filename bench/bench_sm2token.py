"""SM2 on the token: signatures per second on the SM2 test key in both profiles, against RSA-2048 on SoftHSM.

Prints, for one run on the demo's two keys (国密演示U盾 and the SoftHSM key):
- SM2 signatures through TokenService where the token computes Z and SM3 (0x80008100) and where the helper
  computes e = SM3(Z||M) and the token signs it (0x80008105), 1 KiB messages;
- RSA-2048 PKCS#1 v1.5 signatures of the same messages on SoftHSM, the baseline (ratio = SM2 / RSA time).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helper.demo import environment, sm2token, softhsm  # noqa: E402


def per_signature(sign, n: int) -> float:
    """Median over 5 rounds of the time per signature, in seconds."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for i in range(n):
            sign(i.to_bytes(4, "big") * 256)
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def main(n: int = 200) -> None:
    from tokenio import sm2
    from tokenio.session import TokenSession
    from tokenio.worker import TokenService

    with tempfile.TemporaryDirectory() as tmp:
        env, _ = environment.ensure(Path(tmp) / "demo")
        env.activate()
        service = TokenService((softhsm.SOFTHSM_MODULE, str(sm2token.MODULE)), use_registry=False)
        pin = environment.DEMO_USER_PIN.encode()
        try:
            with service.session(env.serial, bytearray(pin)) as rsa:
                rsa_key = next(k for k in rsa.run(TokenSession.private_keys) if k.key_type == "rsa").cka_id
                base = per_signature(lambda m: rsa.run(TokenSession.sign, rsa_key, m, "rsa-pkcs1-sha256"), n)
            with service.session(env.sm2_serial, bytearray(pin)) as s:
                key = next(k for k in s.run(TokenSession.private_keys) if k.key_type == "sm2").cka_id
                plan = s.run(sm2.plan)
                times = {m: per_signature(lambda msg, m=m: s.run(sm2.sign_using, m, key, msg), n)
                         for m in (plan.sign[0], plan.sign[-1])}
        finally:
            service.shutdown()
    print(f"RSA-2048 on SoftHSM (baseline)          : {base * 1000:6.2f} ms per signature")
    for method, t in times.items():
        who = "token computes Z+SM3" if method.input == "message" else "helper computes Z+SM3"
        print(f"SM2 {method.mechanism:#x} ({who:<21}): {t * 1000:6.2f} ms per signature   ratio {t / base:.2f}")


if __name__ == "__main__":
    main()
