"""`cahelper sign` of 20 one-page PDFs with a seal, as one whole process, against a raw pyHanko script doing
the same (PKCS11Signer on the same SoftHSM key, same seal image, its imports included), in the same run.

Also prints where the helper's own start-up goes (`python -X importtime` of `cahelper sign --help`'s modules).
Target: ratio ≤ 1.2 (best of 5 each, interleaved).

Run: .venv/bin/python bench/bench_sign_process.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "helper" / "signing")]

DOCS = 20
ROUNDS = 5
TARGET = 1.2

RAW_SCRIPT = """
import io, sys
from pathlib import Path
from PIL import Image
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, pkcs11, signers
from pyhanko.stamp import StaticStampStyle

module, serial, pin, key_id, seal, docs, out = sys.argv[1:8]
session = pkcs11.open_pkcs11_session(module, token_criteria=pkcs11.TokenCriteria(serial=serial.encode()),
                                     user_pin=pin)
try:
    signer = pkcs11.PKCS11Signer(session, key_id=bytes.fromhex(key_id), cert_id=bytes.fromhex(key_id),
                                 other_certs_to_pull=())
    style = StaticStampStyle(background=PdfImage(Image.open(seal)), border_width=0)
    for src in sorted(Path(docs).glob("*.pdf")):
        meta = signers.PdfSignatureMetadata(field_name="Seal", subfilter=fields.SigSeedSubFilter.PADES)
        pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style,
                                       new_field_spec=fields.SigFieldSpec("Seal", box=(420, 70, 539, 189)))
        with src.open("rb") as f:
            data = pdf_signer.sign_pdf(IncrementalPdfFileWriter(f, strict=False)).getvalue()
        (Path(out) / src.name).write_bytes(data)
finally:
    session.close()
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-sign-process-") as tmp:
        folder = Path(tmp)
        os.environ["CAHELPER_HOME"] = str(folder / "home")
        from helper.demo import softhsm

        conf = softhsm.configure(folder / "softhsm")
        softhsm.use(conf)
        from corpus import blank_pdf

        from helper.demo.pki import DemoPKI
        from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
        from helper.seals import make_demo_seal
        from tokenio.worker import TokenService

        pki = DemoPKI.create()
        pki.write(folder / "pki")
        ca = folder / "home" / "data" / "ca"
        ca.mkdir(parents=True)
        (ca / "root.pem").write_bytes((folder / "pki" / "root.pem").read_bytes())
        (ca / "ca.pem").write_bytes((folder / "pki" / "ca.pem").read_bytes())
        serial = softhsm.init_token(conf, "bench", DEMO_USER_PIN, DEMO_SO_PIN)
        service = TokenService((softhsm.SOFTHSM_MODULE,), use_registry=False)
        issued = provision(service, serial, pki, keys=(("rsa2048", "sign"),))
        service.shutdown()
        seal = folder / "seal.png"
        seal.write_bytes(make_demo_seal("石家庄示例科技有限公司", "公章").png)
        docs = folder / "docs"
        docs.mkdir()
        for n in range(DOCS):
            (docs / f"{n:02d}.pdf").write_bytes(blank_pdf(1))
        env = {**os.environ, "CAHELPER_PKCS11_MODULE": softhsm.SOFTHSM_MODULE, "PYTHONPATH": str(ROOT)}
        python = sys.executable
        subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "tokenio"), str(ROOT / "helper")], check=True)

        def ours(round_: int) -> float:
            out = folder / f"ours{round_}"
            start = time.perf_counter()
            subprocess.run([python, "-m", "helper.cli.main", "sign", str(docs), "--out", str(out), "--seal", str(seal),
                            "--pos", "150,40", "--no-text", "--token", serial, "--pin-stdin"], input=DEMO_USER_PIN + "\n",
                           text=True, env=env, check=True, capture_output=True)
            return time.perf_counter() - start

        def raw(round_: int) -> float:
            out = folder / f"raw{round_}"
            out.mkdir()
            start = time.perf_counter()
            subprocess.run([python, "-c", RAW_SCRIPT, softhsm.SOFTHSM_MODULE, serial, DEMO_USER_PIN,
                            issued[0].cka_id.hex(), str(seal), str(docs), str(out)], env=env, check=True,
                           capture_output=True)
            return time.perf_counter() - start

        times: dict[str, list[float]] = {"ours": [], "raw": []}
        for round_ in range(ROUNDS):
            times["raw"].append(raw(round_))
            times["ours"].append(ours(round_))
        signed = len(list((folder / "ours0").glob("*.pdf")))
        assert signed == DOCS, signed
        best = {name: min(values) for name, values in times.items()}
        ratio = best["ours"] / best["raw"]
        print(f"sign {DOCS} one-page PDFs with a seal, whole process (best of {ROUNDS}):")
        print(f"  raw pyHanko script (PKCS11Signer, imports included): {best['raw']:6.2f} s")
        print(f"  cahelper sign DIR                                  : {best['ours']:6.2f} s   "
              f"ratio {ratio:.2f} (target ≤ {TARGET})")
        return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
