"""POST /v1/sign-pdf: dialog with origin, file name and preview; signed PDF verified by pdfsig; 用印记录."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from login_kit import ORIGIN, ScriptedUI, call

from helper.audit import AuditLog
from helper.demo.portal.roster import ANCHOR, roster_pdf


@pytest.fixture(scope="module")
def nssdir(tmp_path_factory, demo_pki) -> Path:
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = folder / "root.pem"
    pem.write_bytes(demo_pki.root_cert.public_bytes(Encoding.PEM))
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "demo-root", "-t", "CT,C,C", "-i", pem],
                   check=True)
    return folder


def pdfsig(nssdir: Path, pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nssdir}", path], capture_output=True, text=True)
    return result.stdout + result.stderr


def test_sign_pdf_with_consent(service, ui, nssdir, tmp_path):
    pdf = roster_pdf("石家庄示例科技有限公司", "91130100MA0DEM012U")
    reply = call(service.port, "POST", "/v1/sign-pdf", {
        "pdf": base64.b64encode(pdf).decode(), "fileName": "../../参保登记名册.pdf",
        "placement": {"mode": "anchor", "anchor": ANCHOR, "sizeMm": 40}})
    assert reply.status == 200, reply.body
    answer = reply.json()
    request = ui.requests[-1]
    assert request.kind == "sign_pdf" and request.origin == ORIGIN
    assert request.file_name == "参保登记名册.pdf" and request.pages == 1
    assert request.preview_png.startswith(b"\x89PNG")
    report = pdfsig(nssdir, base64.b64decode(answer["pdf"]), tmp_path)
    assert "Signature is Valid" in report and "Certificate is Trusted" in report, report
    last = AuditLog().entries()[-1]
    assert last["origin"] == ORIGIN and last["unit"] == "石家庄示例科技有限公司"


@pytest.mark.parametrize("body, code", [
    ({"pdf": "not base64!"}, "REQUEST_INVALID"),
    ({"pdf": base64.b64encode(b"GIF89a").decode()}, "REQUEST_INVALID"),
    ({"pdf": base64.b64encode(b"%PDF-1.7 broken").decode()}, "REQUEST_INVALID"),
    ({"pdf": base64.b64encode(b"%PDF-1.7").decode(), "placement": {"mode": "field", "field": "x"}},
     "REQUEST_INVALID"),
    ({"pdf": base64.b64encode(b"%PDF-1.7").decode(), "placement": {"page": True}}, "REQUEST_INVALID"),
    ({}, "REQUEST_INVALID"),
])
def test_bad_sign_requests_never_reach_the_key(service, ui, body, code):
    reply = call(service.port, "POST", "/v1/sign-pdf", body)
    assert (reply.status, reply.code) == (400, code)
    assert ui.requests == [] and service.ops.key_uses == 0


def test_sign_pdf_size_limit(start_service):
    ui = ScriptedUI()
    service = start_service(ui, pdf_limit_mb=1)
    big = base64.b64encode(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)).decode()
    reply = call(service.port, "POST", "/v1/sign-pdf", {"pdf": big})
    assert (reply.status, reply.code) == (413, "BODY_TOO_LARGE")
    assert ui.requests == []


def test_sign_pdf_uses_the_seal_stored_on_the_key(start_service, make_token, token_service, tmp_path):
    from helper import seal_store
    from helper.seals import make_demo_seal

    token = make_token("带印章的U盾", keys=(("rsa2048", "sign"),))
    with token_service.session(token.serial, bytearray(token.pin.encode()), rw=True) as session:
        seal_store.store(session, make_demo_seal("石家庄示例科技有限公司"), "公章")
    ui = ScriptedUI(choose=lambda request: next(c.id for c in request.certificates if c.token_label == token.label))
    service = start_service(ui)
    reply = call(service.port, "POST", "/v1/sign-pdf", {
        "pdf": base64.b64encode(roster_pdf("石家庄示例科技有限公司", "91130100MA0DEM012U")).decode(),
        "placement": {"mode": "anchor", "anchor": ANCHOR, "sizeMm": 40}})
    assert reply.status == 200, reply.body
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(base64.b64decode(reply.json()["pdf"]))
    images = subprocess.run(["pdfimages", "-list", signed], capture_output=True, text=True).stdout
    assert "smask" in images  # the seal PNG with its transparency, drawn in the signature appearance


@pytest.mark.parametrize("placement, code", [
    ({"mode": "coords", "page": 1, "xMm": 5000, "yMm": 100}, "SEAL_OFF_PAGE"),
    ({"mode": "anchor", "anchor": "没有这几个字"}, "ANCHOR_NOT_FOUND"),
])
def test_a_placement_the_pdf_cannot_take_is_refused_before_the_dialog(service, ui, placement, code):
    pdf = roster_pdf("石家庄示例科技有限公司", "91130100MA0DEMO12X")
    reply = call(service.port, "POST", "/v1/sign-pdf", {"pdf": base64.b64encode(pdf).decode(),
                                                        "placement": placement})
    assert reply.code == code and reply.status >= 400
    assert ui.requests == [] and service.ops.key_uses == 0
