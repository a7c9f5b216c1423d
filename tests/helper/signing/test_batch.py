"""Batch signing: one login for many files, coded refusals for bad ones, a clean stop when the key goes."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from corpus import blank_pdf, encrypted, minimal_pdf, roster_pdf
from sigtools import options

from helper.audit import AuditLog
from helper.demo import softhsm
from helper.keys import KeyService
from helper.signing import batch
from helper.signing.service import SealChoice, SigningService
from tokenio.session import TokenSession


def _mixed_folder(folder: Path) -> dict[str, str | None]:
    """50 PDFs, some bad; returns file name -> expected refusal code (None = must sign)."""
    folder.mkdir()
    expected: dict[str, str | None] = {}
    bad = {
        "07-word.pdf": (b"PK\x03\x04word document", "PDF_NOT_PDF"),
        "15-empty.pdf": (b"", "PDF_EMPTY"),
        "23-truncated.pdf": (b"%PDF-1.7\n1 0 obj\n<<", "PDF_MALFORMED"),
        "31-locked.pdf": (None, "PDF_PASSWORD_REQUIRED"),
        "44-no-anchor.pdf": (blank_pdf(), "ANCHOR_NOT_FOUND"),
    }
    for n in range(50):
        name = next((k for k in bad if k.startswith(f"{n:02d}-")), f"{n:02d}-roster.pdf")
        data, code = bad.get(name, (roster_pdf(rows=3) if n % 3 else minimal_pdf(), None))
        if name == "31-locked.pdf":
            data = encrypted(roster_pdf(), folder, user="secret")
        if code is None and n % 3 == 0:
            data = roster_pdf(rows=2)
        (folder / name).write_bytes(data)
        expected[name] = code
    return expected


@pytest.mark.slow
def test_fifty_mixed_files_one_login(signing, check_signed, seal_png, tmp_path, monkeypatch):
    expected = _mixed_folder(tmp_path / "in")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "in").iterdir()}
    logins = []
    original = KeyService.login
    monkeypatch.setattr(KeyService, "login", lambda self, *a, **k: logins.append(1) or original(self, *a, **k))
    items = batch.plan([tmp_path / "in"], tmp_path / "out")
    assert len(items) == 50
    outcome = signing.batch(items, options(mode="anchor", anchor="单位（盖章）"), seal_png)
    assert len(logins) == 1 and outcome.report.stopped is None
    by_name = {r.item.source.name: r for r in outcome.report.results}
    for name, code in expected.items():
        result = by_name[name]
        if code is None:
            assert result.status == "signed", (name, result.code)
        else:
            assert (result.status, result.code) == ("refused", code), name
            assert not result.item.output.exists()
    for result in outcome.report.results[:12]:
        if result.status == "signed":
            check_signed(result.item.output)
    out = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(out) == 45 and all(n.endswith("-signed.pdf") for n in out)  # no partial or temp files
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "in").iterdir()}
    assert signing.audit.verify() == 45


def test_key_removed_mid_batch_stops_cleanly(make_token, token_service, softhsm_conf, check_signed, seal_png,
                                              tmp_path):
    token = make_token("拔出测试U盾", keys=(("rsa2048", "sign"),))
    service = SigningService(KeyService(token_service), AuditLog(tmp_path / "log.jsonl"))
    src = tmp_path / "in"
    src.mkdir()
    for n in range(10):
        (src / f"{n}.pdf").write_bytes(blank_pdf())
    items = batch.plan([src], tmp_path / "out")
    stash = tmp_path / "stash"
    stash.mkdir()
    pulled = threading.Event()

    def pull_after_three(result: batch.FileResult) -> None:
        if result.status == "signed" and len(list((tmp_path / "out").glob("*.pdf"))) == 3 and not pulled.is_set():
            softhsm.unplug(softhsm_conf, token.serial, stash)
            pulled.set()

    identity = service.identity(token.serial)
    try:
        outcome = service.sign(identity, bytearray(token.pin.encode()), items, options(), SealChoice(png=seal_png),
                               on_result=pull_after_three)
    finally:
        for d in stash.iterdir():
            softhsm.plug_back(softhsm_conf, d)
    report = outcome.report
    assert pulled.is_set()
    assert report.stopped is not None and report.stopped.code == "TOKEN_REMOVED"
    assert report.count("signed") == 3 and report.count("not_processed") == 7 and report.count("refused") == 0
    outputs = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in outputs] == ["0-signed.pdf", "1-signed.pdf", "2-signed.pdf"]
    for p in outputs:
        check_signed(p)
    with token_service.session(token.serial) as s:  # the key works again once plugged back
        assert s.run(TokenSession.certificates)


def test_batch_outputs_never_land_on_inputs_or_on_each_other(tmp_path):
    for folder in ("一月", "二月"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "名册.pdf").write_bytes(blank_pdf())
    earlier = tmp_path / "一月" / "名册-signed.pdf"  # an earlier run's output, now among the inputs
    earlier.write_bytes(minimal_pdf())
    items = batch.plan([tmp_path / "一月", tmp_path / "二月", tmp_path / "一月" / "名册.pdf"], None)
    sources = [i.source for i in items]
    outputs = [i.output for i in items]
    assert len(sources) == len(set(sources)) == 3  # the file named twice is signed once
    assert len(set(outputs)) == 3 and not set(outputs) & set(sources)
    assert tmp_path / "一月" / "名册-signed (2).pdf" in outputs and tmp_path / "二月" / "名册-signed.pdf" in outputs
    together = batch.plan([tmp_path / "一月", tmp_path / "二月"], tmp_path / "out")
    assert sorted(i.output.name for i in together) == ["名册-signed (2).pdf", "名册-signed-signed.pdf",
                                                        "名册-signed.pdf"]
