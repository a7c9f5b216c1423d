"""The seal-use log: entries chain by hash; editing, deleting or reordering any line is detected."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from helper.audit import AuditLog, SealUse
from helper.messages import HelperError


def _use(n: int, origin: str = "") -> SealUse:
    return SealUse(file=f"名册{n}.pdf", output=f"名册{n}-signed.pdf", sha256_before="a" * 64, sha256_after="b" * 64,
                   cert_serial="1A2B", unit="石家庄示例科技有限公司", holder="张三", page=1, placement="anchor",
                   level="B-B", origin=origin)


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "log.jsonl")
    for n in range(5):
        log.append(_use(n, "https://si.example.gov.cn" if n == 2 else ""))
    return log


def _lines(log: AuditLog) -> list[str]:
    return log.path.read_text("utf-8").splitlines(keepends=True)


def test_intact_log_verifies_and_keeps_origin(log):
    assert log.verify() == 5
    entries = log.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[2]["origin"] == "https://si.example.gov.cn" and entries[1]["prev"] == entries[0]["hash"]


def _tamper_expect(log: AuditLog, lines: list[str], line: int) -> None:
    log.path.write_text("".join(lines), "utf-8")
    with pytest.raises(HelperError) as err:
        log.verify()
    assert err.value.code == "AUDIT_TAMPERED" and err.value.params["line"] == line


def test_edit_is_detected(log):
    lines = _lines(log)
    entry = json.loads(lines[2])
    entry["file"] = "别的文件.pdf"
    lines[2] = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    _tamper_expect(log, lines, 3)


def test_delete_in_the_middle_is_detected(log):
    lines = _lines(log)
    del lines[1]
    _tamper_expect(log, lines, 2)


def test_reorder_is_detected(log):
    lines = _lines(log)
    lines[1], lines[3] = lines[3], lines[1]
    _tamper_expect(log, lines, 2)


def test_delete_at_the_end_is_detected(log):
    lines = _lines(log)
    _tamper_expect(log, lines[:-1], 5)


def test_rehashed_edit_is_still_detected_by_the_next_entry(log):
    from helper.audit import _digest

    lines = _lines(log)
    entry = json.loads(lines[1])
    entry["unit"] = "另一家公司"
    entry["hash"] = _digest(entry)
    lines[1] = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    _tamper_expect(log, lines, 3)


def test_garbage_line_is_reported(log):
    lines = _lines(log)
    lines.insert(2, "not json\n")
    _tamper_expect(log, lines, 3)


def test_csv_export_opens_with_chinese(log, tmp_path):
    out = tmp_path / "用印记录.csv"
    assert log.export_csv(out) == 5
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["unit"] == "石家庄示例科技有限公司" and rows[2]["origin"] == "https://si.example.gov.cn"
    with pytest.raises(HelperError) as err:
        log.export_csv(out)
    assert err.value.code == "OUTPUT_EXISTS"


def test_appending_continues_the_chain_after_reopen(log):
    again = AuditLog(log.path)
    entry = again.append(_use(9))
    assert entry["seq"] == 6 and again.verify() == 6


def _append_many(path: str, n: int, start) -> None:
    start.wait()
    log = AuditLog(Path(path))
    for i in range(n):
        log.append(_use(i))


def test_appends_from_several_processes_keep_one_chain(tmp_path):
    import multiprocessing

    mp = multiprocessing.get_context("spawn")
    path = tmp_path / "shared.jsonl"
    start = mp.Event()
    workers = [mp.Process(target=_append_many, args=(str(path), 150, start)) for _ in range(4)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    log = AuditLog(path)
    assert log.verify() == 600
    assert [e["seq"] for e in log.entries()] == list(range(1, 601))


def _forked(log: AuditLog) -> list[str]:
    """What an older version left after two simultaneous signatures: two entries after the same one."""
    from helper.audit import _digest

    lines = _lines(log)
    twin = json.loads(lines[-1])
    twin["file"] = "同时签的.pdf"
    twin["hash"] = _digest(twin)
    return [*lines, json.dumps(twin, ensure_ascii=False, sort_keys=True) + "\n"]


def test_a_log_forked_by_an_older_version_names_the_entries_and_can_be_kept(log):
    log.path.write_text("".join(_forked(log)), "utf-8")
    with pytest.raises(HelperError) as err:
        log.verify()
    assert err.value.code == "AUDIT_FORKED" and err.value.params["lines"] == "5、6"
    text = err.value.message("zh").as_text()
    assert "cahelper audit archive" in text and "第 5、6 条" in text
    before = log.path.read_bytes()
    kept = log.archive()
    assert kept.read_bytes() == before and not log.path.exists()
    assert AuditLog(kept).entries()[-1]["file"] == "同时签的.pdf"
    entry = log.append(_use(7))
    assert entry["seq"] == 1 and log.verify() == 1


def test_an_edited_twin_is_still_tampering(log):
    lines = _forked(log)
    entry = json.loads(lines[-1])
    entry["unit"] = "另一家公司"
    lines[-1] = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    _tamper_expect(log, lines, 6)


def test_a_repeated_entry_is_tampering(log):
    lines = _lines(log)
    _tamper_expect(log, [*lines, lines[2]], 6)
