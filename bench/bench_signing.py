"""E-signing figures, in one run on a fresh SoftHSM key:

1. 50 one-page PDFs with a visible seal: the helper's batch (SigningService: checks, seal, signing through the
   TokenService thread, atomic output, seal-use log) vs a minimal pyHanko loop with PKCS11Signer, the same key
   and seal image. Also the wall time of the whole `cahelper sign DIR` process.
2. A 300-page PDF of at least 20 MB: signing time and peak RSS (in a child process) vs `qpdf --check`.

Run: .venv/bin/python bench/bench_signing.py
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "helper" / "signing")]

TARGET_RATIO = 1.2
TARGET_MS = 60
DOCS = 50


def big_pdf(pages: int = 300, per_page: int = 72_000) -> bytes:
    """Pages each holding an incompressible grey image (like a scan), over 20 MB in all."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

    writer = PdfFileWriter()
    side = int(per_page ** 0.5)
    for _ in range(pages):
        img = writer.add_object(generic.StreamObject({
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(side), pdf_name("/Height"): generic.NumberObject(side),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8), pdf_name("/ColorSpace"): pdf_name("/DeviceGray"),
        }, stream_data=os.urandom(side * side)))
        content = writer.add_object(generic.StreamObject(stream_data=b"q 500 0 0 700 47 70 cm /Im Do Q"))
        res = generic.DictionaryObject({pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/Im"): img})})
        writer.insert_page(PageObject(content, (0, 0, 595, 842), res))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pyhanko_loop(serial: str, pin: str, cka_id: bytes, seal_png: bytes, sources: list[Path], out: Path) -> float:
    """The reference: PKCS11Signer with explicit certificate, one session, the same seal image."""
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, pkcs11, signers
    from pyhanko.stamp import StaticStampStyle

    from helper.demo.softhsm import SOFTHSM_MODULE

    start = time.perf_counter()
    session = pkcs11.open_pkcs11_session(SOFTHSM_MODULE, token_criteria=pkcs11.TokenCriteria(serial=serial.encode()),
                                         user_pin=pin)
    try:
        signer = pkcs11.PKCS11Signer(session, key_id=cka_id, cert_id=cka_id, other_certs_to_pull=())
        style = StaticStampStyle(background=PdfImage(Image.open(io.BytesIO(seal_png))), border_width=0)
        for n, src in enumerate(sources):
            meta = signers.PdfSignatureMetadata(field_name="Seal", subfilter=fields.SigSeedSubFilter.PADES)
            pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style,
                                           new_field_spec=fields.SigFieldSpec("Seal", box=(420, 70, 539, 189)))
            with src.open("rb") as f:
                data = pdf_signer.sign_pdf(IncrementalPdfFileWriter(f, strict=False)).getvalue()
            (out / f"{n}.pdf").write_bytes(data)
    finally:
        session.close()
    return time.perf_counter() - start


def helper_batch(service, identity, pin: str, seal_png: bytes, sources: list[Path], out: Path) -> float:
    from helper.signing import batch
    from helper.signing.options import SignOptions
    from helper.signing.service import SealChoice

    items = batch.plan(sources, out)
    start = time.perf_counter()
    outcome = service.sign(identity, bytearray(pin.encode()), items, SignOptions(), SealChoice(png=seal_png))
    elapsed = time.perf_counter() - start
    assert outcome.report.ok, [r.code for r in outcome.report.results if r.code]
    return elapsed


def peak_rss_child(args: list[str], env: dict, stdin: str) -> tuple[float, int]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(args, input=stdin, text=True, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) * 1024


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as tmp:
        folder = Path(tmp)
        os.environ["CAHELPER_HOME"] = str(folder / "home")
        from helper.demo import softhsm

        conf = softhsm.configure(folder / "softhsm")
        softhsm.use(conf)
        from corpus import roster_pdf

        from helper.audit import AuditLog
        from helper.demo.pki import DemoPKI
        from helper.demo.token import DEMO_SO_PIN, DEMO_USER_PIN, provision
        from helper.keys import KeyService
        from helper.seals import make_demo_seal
        from helper.signing.service import SigningService
        from tokenio.worker import TokenService

        pki = DemoPKI.create()
        pki.write(folder / "pki")
        serial = softhsm.init_token(conf, "bench", DEMO_USER_PIN, DEMO_SO_PIN)
        service = TokenService((softhsm.SOFTHSM_MODULE,), use_registry=False)
        issued = provision(service, serial, pki, keys=(("rsa2048", "sign"),))
        seal = make_demo_seal("石家庄示例科技有限公司", "公章").png
        docs = folder / "docs"
        docs.mkdir()
        data = roster_pdf(rows=8)
        sources = []
        for n in range(DOCS):
            (docs / f"{n:02d}.pdf").write_bytes(data)
            sources.append(docs / f"{n:02d}.pdf")
        signing = SigningService(KeyService(service), AuditLog(folder / "log.jsonl"))
        identity = signing.identity(serial)

        ours, ref = [], []
        for round_ in range(3):
            for d in ("ours", "ref"):
                (folder / f"{d}{round_}").mkdir()
            ours.append(helper_batch(signing, identity, DEMO_USER_PIN, seal, sources, folder / f"ours{round_}"))
            ref.append(pyhanko_loop(serial, DEMO_USER_PIN, issued[0].cka_id, seal, sources, folder / f"ref{round_}"))
        big = folder / "big.pdf"
        big.write_bytes(big_pdf())
        big_s = helper_batch(signing, identity, DEMO_USER_PIN, seal, [big], folder / "big-inproc.pdf")
        service.shutdown()
        ours_s, ref_s = min(ours), min(ref)
        env = {**os.environ, "CAHELPER_PKCS11_MODULE": softhsm.SOFTHSM_MODULE}
        cli_out = folder / "cli"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "helper.cli.main", "sign", str(docs), "--out", str(cli_out), "--seal",
                        str(_write(folder / "seal.png", seal)), "--token", serial, "--pin-stdin"],
                       input=DEMO_USER_PIN + "\n", text=True, env=env, check=True, capture_output=True)
        cli_s = time.perf_counter() - start
        ratio = ours_s / ref_s
        print(f"batch of {DOCS} one-page PDFs with a visible seal (best of 3):")
        print(f"  helper service   {ours_s * 1000 / DOCS:6.1f} ms/doc  (target <= {TARGET_MS} ms)")
        print(f"  pyHanko loop     {ref_s * 1000 / DOCS:6.1f} ms/doc  (PKCS11Signer, same key and seal)")
        print(f"  ratio            {ratio:6.2f}      (target <= {TARGET_RATIO})")
        print(f"  `cahelper sign DIR` process, {DOCS} docs: {cli_s:.2f} s wall, incl. start-up and key login")

        size = big.stat().st_size
        start = time.perf_counter()
        subprocess.run(["qpdf", "--check", str(big)], check=True, capture_output=True)
        qpdf_s = time.perf_counter() - start
        sign_s, rss = peak_rss_child([sys.executable, "-m", "helper.cli.main", "sign", str(big), "--out",
                                      str(folder / "big-signed.pdf"), "--seal", str(folder / "seal.png"),
                                      "--token", serial, "--pin-stdin"], env, DEMO_USER_PIN + "\n")
        print(f"{size / 1e6:.1f} MB, 300-page PDF:")
        print(f"  sign (service) {big_s:.2f} s vs qpdf --check {qpdf_s:.2f} s: {big_s / qpdf_s:.2f}x (target <= 2x)")
        print(f"  `cahelper sign` process {sign_s:.2f} s wall ({sign_s / qpdf_s:.2f}x, incl. ~0.6 s start-up)")
        print(f"  peak RSS of that process {rss / 1e6:.0f} MB = file size + {(rss - size) / 1e6:.0f} MB"
              " (target <= +200 MB)")
        ok = (ratio <= TARGET_RATIO and ours_s * 1000 / DOCS <= TARGET_MS and rss <= size + 200e6
              and big_s <= 2 * qpdf_s)
        return 0 if ok else 1


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


if __name__ == "__main__":
    sys.exit(main())
