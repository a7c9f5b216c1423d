"""`cahelper sign|verify|seal|audit` as a clerk or a script runs them: real process, real SoftHSM key."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "helper" / "signing"))
from corpus import ROSTER_ANCHOR, blank_pdf, encrypted, nss_db, roster_pdf  # noqa: E402


@pytest.fixture(scope="module")
def nssdir(session_dir: Path, demo_pki) -> str:
    return nss_db(session_dir / "nssdb", session_dir / "pki" / "root.pem")


@pytest.fixture(scope="module")
def cli_token(make_token):
    return make_token("命令行签章U盾")


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "名册.pdf").write_bytes(roster_pdf(pages=2))
    (folder / "扫描件.pdf").write_bytes(blank_pdf(2))
    return folder


@pytest.fixture
def seal(run_cli, tmp_path: Path) -> Path:
    out = tmp_path / "seal.png"
    result = run_cli("seal", "make", "--unit", "石家庄示例科技有限公司", "--name", "公章", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _pdfsig_ok(path: Path, nss: str) -> bool:
    out = subprocess.run(["pdfsig", "-nssdir", nss, str(path)], capture_output=True, text=True).stdout
    return "Signature is Valid." in out and "Certificate is Trusted." in out


def test_sign_one_file_by_anchor_then_verify(run_cli, cli_token, docs, seal, tmp_path, nssdir):
    src = docs / "名册.pdf"
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "签好的.pdf"
    result = run_cli("sign", str(src), "--out", str(out), "--seal", str(seal), "--anchor", ROSTER_ANCHOR,
                     "--token", cli_token.serial, "--pin-stdin", "--json", stdin=cli_token.pin + "\n")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] and data["signed"] == 1 and data["results"][0]["page"] == 2
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before == data["results"][0]["sha256_before"]
    assert _pdfsig_ok(out, nssdir)
    verified = run_cli("verify", str(out))
    assert verified.returncode == 0, verified.stderr
    assert "石家庄示例科技有限公司" in verified.stdout and "签章有效" in verified.stdout
    report = json.loads(run_cli("verify", str(out), "--json").stdout)
    assert report["ok"] and report["files"][0]["signatures"][0]["holder"] == "张三"


def test_a_rebuilt_damaged_file_is_reported(run_cli, cli_token, docs, seal, tmp_path):
    data = (docs / "名册.pdf").read_bytes()
    damaged = tmp_path / "损坏.pdf"
    damaged.write_bytes(data[:data.rindex(b"startxref")] + b"startxref\n99\n%%EOF\n")
    result = run_cli("sign", str(damaged), "--out", str(tmp_path / "out.pdf"), "--seal", str(seal),
                     "--token", cli_token.serial, "--pin-stdin", stdin=cli_token.pin + "\n")
    assert result.returncode == 0 and "已修复后签章" in result.stdout, result.stdout + result.stderr


def test_signing_without_a_seal_image_says_so(run_cli, cli_token, docs, seal, tmp_path):
    plain = run_cli("sign", str(docs / "名册.pdf"), "--out", str(tmp_path / "plain.pdf"), "--token", cli_token.serial,
                    "--pin-stdin", stdin=cli_token.pin + "\n")
    assert plain.returncode == 0 and "没有印章图案" in plain.stderr, plain.stderr
    sealed = run_cli("sign", str(docs / "名册.pdf"), "--out", str(tmp_path / "sealed.pdf"), "--seal", str(seal),
                     "--token", cli_token.serial, "--pin-stdin", stdin=cli_token.pin + "\n")
    assert sealed.returncode == 0 and "没有印章图案" not in sealed.stderr, sealed.stderr


def test_folder_batch_with_cross_page_and_position_in_mm(run_cli, cli_token, docs, seal, tmp_path, nssdir):
    out = tmp_path / "out"
    result = run_cli("sign", str(docs), "--out", str(out), "--seal", str(seal), "--page", "1", "--pos", "60,50",
                     "--cross-page", "--token", cli_token.serial, "--pin-stdin", stdin=cli_token.pin + "\n")
    assert result.returncode == 0, result.stderr
    assert "完成：已签章 2 个" in result.stdout
    for name in ("名册-signed.pdf", "扫描件-signed.pdf"):
        assert _pdfsig_ok(out / name, nssdir)
    entries = json.loads(run_cli("audit", "list", "--json").stdout)["entries"]
    assert {Path(e["output"]).name for e in entries[-2:]} == {"名册-signed.pdf", "扫描件-signed.pdf"}
    assert entries[-1]["placement"] == "cross-page+coords"
    assert run_cli("audit", "verify").returncode == 0


def test_refusals_and_exit_codes(run_cli, cli_token, docs, seal, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    result = run_cli("sign", str(bad), "--out", str(tmp_path / "x.pdf"), "--token", cli_token.serial,
                     "--pin-stdin", stdin=cli_token.pin + "\n")
    assert result.returncode == 5 and "不是 PDF" in result.stderr and "解决方案" in result.stderr
    missing = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(tmp_path / "y.pdf"), "--anchor", "（公章）",
                      "--token", cli_token.serial, "--pin-stdin", "--json", stdin="")
    assert missing.returncode == 5  # found out before the PIN is asked for (stdin holds none)
    assert json.loads(missing.stdout)["error"]["code"] in ("ANCHOR_NOT_FOUND", "ANCHOR_NO_TEXT")
    no_field = run_cli("sign", str(docs / "名册.pdf"), "--out", str(tmp_path / "z.pdf"), "--field", "甲方签章",
                       "--token", cli_token.serial, "--pin-stdin", "--json", stdin="")
    assert no_field.returncode == 5 and json.loads(no_field.stdout)["error"]["code"] == "SIGN_FIELD_NOT_FOUND"
    both = run_cli("sign", str(docs / "扫描件.pdf"), "--pos", "1,1", "--anchor", "x", "--pin-stdin", stdin="1\n")
    assert both.returncode == 2
    wrong_pin = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(tmp_path / "z.pdf"), "--token",
                        cli_token.serial, "--pin-stdin", stdin="000000\n")
    assert wrong_pin.returncode == 4 and not (tmp_path / "z.pdf").exists()
    unsigned = run_cli("verify", str(docs / "扫描件.pdf"))
    assert unsigned.returncode == 7 and "没有电子签章" in unsigned.stderr


def test_password_then_pin_on_stdin(run_cli, cli_token, seal, tmp_path, nssdir):
    src = tmp_path / "locked.pdf"
    src.write_bytes(encrypted(roster_pdf(), tmp_path, user="pdfpw"))
    out = tmp_path / "locked-signed.pdf"
    no_pw = run_cli("sign", str(src), "--out", str(out), "--token", cli_token.serial, "--pin-stdin",
                    stdin=cli_token.pin + "\n")
    assert no_pw.returncode == 5 and "--password-stdin" in no_pw.stderr
    result = run_cli("sign", str(src), "--out", str(out), "--seal", str(seal), "--token", cli_token.serial,
                     "--password-stdin", "--pin-stdin", stdin="pdfpw\n" + cli_token.pin + "\n")
    assert result.returncode == 0, result.stderr
    pdfsig = subprocess.run(["pdfsig", "-nssdir", nssdir, "-upw", "pdfpw", str(out)], capture_output=True,
                            text=True).stdout
    assert "Signature is Valid." in pdfsig
    locked = run_cli("verify", str(out))
    assert locked.returncode == 5 and "--password-stdin" in locked.stderr
    verified = run_cli("verify", str(out), "--password-stdin", "--json", stdin="pdfpw\n")
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["files"][0]["signatures"][0]["intact"] is True


def test_seal_stored_on_the_key_is_used(run_cli, make_token, seal, docs, tmp_path):
    token = make_token("带印章的U盾", keys=(("rsa2048", "sign"),))
    stored = run_cli("seal", "store", str(seal), "--name", "公章", "--token", token.serial, "--pin-stdin",
                     stdin=token.pin + "\n")
    assert stored.returncode == 0, stored.stderr
    listed = json.loads(run_cli("seal", "list", "--token", token.serial, "--json").stdout)["seals"]
    assert [s["name"] for s in listed] == ["公章"]
    out = tmp_path / "out.pdf"
    result = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(out), "--seal-from-token", "公章", "--token",
                     token.serial, "--pin-stdin", stdin=token.pin + "\n")
    assert result.returncode == 0, result.stderr
    assert b"/SMask" in out.read_bytes()  # the seal image (with its transparency) is in the appearance
    absent = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(tmp_path / "o2.pdf"), "--seal-from-token",
                     "合同章", "--token", token.serial, "--pin-stdin", stdin=token.pin + "\n")
    assert absent.returncode == 2 and "公章" in absent.stderr


def test_several_seals_on_the_key_the_first_by_name_is_used_and_said(run_cli, make_token, seal, docs, tmp_path):
    token = make_token("两枚印章的U盾", keys=(("rsa2048", "sign"),))
    for name in ("合同章", "公章"):
        stored = run_cli("seal", "store", str(seal), "--name", name, "--token", token.serial, "--pin-stdin",
                         stdin=token.pin + "\n")
        assert stored.returncode == 0, stored.stderr
    out = tmp_path / "out.pdf"
    result = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(out), "--token", token.serial, "--pin-stdin",
                     stdin=token.pin + "\n")
    first = sorted(["合同章", "公章"])[0]
    assert result.returncode == 0, result.stderr
    assert f"本次签章使用U盾里的印章“{first}”" in result.stderr and "没有印章图案" not in result.stderr
    assert b"/SMask" in out.read_bytes()


def test_four_sign_processes_at_once_keep_the_seal_use_log_whole(cli_env, cli_token, seal, tmp_path):
    env = {**cli_env, "CAHELPER_HOME": str(tmp_path / "home")}
    runs = []
    for n in range(4):
        folder = tmp_path / f"in{n}"
        folder.mkdir()
        for k in range(3):
            (folder / f"doc{k}.pdf").write_bytes(blank_pdf(1))
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "helper.cli.main", "sign", str(folder), "--out", str(tmp_path / f"out{n}"),
             "--seal", str(seal), "--token", cli_token.serial, "--pin-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    for proc in runs:
        proc.stdin.write(cli_token.pin + "\n")
        proc.stdin.flush()
    results = [proc.communicate(timeout=300) for proc in runs]
    assert [proc.returncode for proc in runs] == [0] * 4, results
    check = subprocess.run([sys.executable, "-m", "helper.cli.main", "audit", "verify", "--json"], text=True,
                           capture_output=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = subprocess.run([sys.executable, "-m", "helper.cli.main", "audit", "list", "--json"], text=True,
                            capture_output=True, env=env)
    outputs = [e["output"] for e in json.loads(listed.stdout)["entries"]]
    expected = {str(tmp_path / f"out{n}" / f"doc{k}-signed.pdf") for n in range(4) for k in range(3)}
    assert sorted(outputs) == sorted(expected)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP])
def test_interrupting_a_batch_stops_after_the_current_file(cli_env, cli_token, seal, tmp_path, signum):
    folder, out = tmp_path / "many", tmp_path / "signed"
    folder.mkdir()
    for k in range(30):
        (folder / f"doc{k:02}.pdf").write_bytes(blank_pdf(1))
    proc = subprocess.Popen([sys.executable, "-m", "helper.cli.main", "sign", str(folder), "--out", str(out),
                             "--seal", str(seal), "--token", cli_token.serial, "--pin-stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**cli_env, "PYTHONUNBUFFERED": "1"})
    proc.stdin.write(cli_token.pin + "\n")
    proc.stdin.close()
    first = proc.stdout.readline()
    assert first.startswith("✓"), first + proc.stderr.read()
    proc.send_signal(signum)
    rest, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(120)
    signed = sorted(out.iterdir())
    assert proc.returncode == 1, err
    assert "Traceback" not in err and f"已取消：{len(signed)} 个文件已签章，{30 - len(signed)} 个未签章" in err, err
    assert 1 <= len(signed) < 30 and all(p.name.endswith("-signed.pdf") for p in signed)  # no .part left
    assert (first + rest).count("✓") == len(signed)
    last = subprocess.run(["qpdf", "--check", str(signed[-1])], capture_output=True, text=True)
    assert last.returncode == 0, last.stdout


def test_rerunning_a_batch_skips_its_own_outputs(run_cli, cli_token, docs, seal):
    first = run_cli("sign", str(docs), "--seal", str(seal), "--token", cli_token.serial, "--pin-stdin",
                    stdin=cli_token.pin + "\n")
    assert first.returncode == 0 and len(list(docs.iterdir())) == 4, first.stderr
    again = run_cli("sign", str(docs), "--seal", str(seal), "--token", cli_token.serial, "--pin-stdin", stdin="")
    assert again.returncode == 0 and "跳过 4 个文件" in again.stdout, again.stdout + again.stderr
    assert len(list(docs.iterdir())) == 4  # nothing to sign: not even the PIN was asked for
    both = run_cli("sign", str(docs), "--include-signed", "--seal", str(seal), "--token", cli_token.serial,
                   "--pin-stdin", "--json", stdin=cli_token.pin + "\n")
    data = json.loads(both.stdout)
    assert both.returncode == 0 and data["signed"] == 2 and len(data["skipped"]) == 2, both.stdout
    assert sorted(p.name for p in docs.iterdir() if "signed-signed" in p.name) == [
        "名册-signed-signed.pdf", "扫描件-signed-signed.pdf"]


def test_checks_that_need_no_key_come_before_the_pin(run_cli, cli_token, docs, tmp_path):
    src = docs / "扫描件.pdf"
    same = run_cli("sign", str(src), "--out", str(src), "--token", cli_token.serial, "--pin-stdin", stdin="")
    assert same.returncode == 5 and "不能把签章后的文件保存为原文件" in same.stderr, same.stderr
    nowhere = run_cli("sign", str(src), "--out", str(tmp_path / "none" / "x.pdf"), "--token", cli_token.serial,
                      "--pin-stdin", stdin="")
    assert nowhere.returncode == 5 and "文件夹不存在" in nowhere.stderr and not (tmp_path / "none").exists()
    assert "没有印章图案" not in same.stderr + nowhere.stderr
    existing = run_cli("sign", str(src), "--out", str(docs / "名册.pdf"), "--token", cli_token.serial,
                       "--pin-stdin", stdin="")
    assert existing.returncode == 5 and "--overwrite" in existing.stderr
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = run_cli("sign", str(empty), "--token", cli_token.serial, "--pin-stdin", stdin="")
    assert result.returncode == 5 and "这个文件是空的" in result.stderr and "Word" not in result.stderr


@pytest.fixture
def signed_pdf(run_cli, cli_token, docs, seal, tmp_path) -> Path:
    out = tmp_path / "signed.pdf"
    result = run_cli("sign", str(docs / "名册.pdf"), "--out", str(out), "--seal", str(seal), "--token",
                     cli_token.serial, "--pin-stdin", stdin=cli_token.pin + "\n")
    assert result.returncode == 0, result.stderr
    return out


def test_a_changed_signature_does_not_verify_and_says_so(run_cli, signed_pdf, nssdir):
    import re

    data = bytearray(signed_pdf.read_bytes())
    _, gap, resume, _ = (int(v) for v in re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", data).groups())
    used = len(bytes(data[gap + 1:resume - 1]).rstrip(b"0"))  # /Contents hex without its zero padding
    digit = gap + 1 + used - 40  # a hex digit of the RSA signature value at the end of the CMS
    garbled = bytearray(data)
    for copy, at in ((data, digit), (garbled, gap + 1 + 120)):  # the signature value; the CMS structure
        copy[at] = ord("0") if copy[at] != ord("0") else ord("1")
    signed_pdf.write_bytes(bytes(data))
    result = run_cli("verify", str(signed_pdf))
    assert result.returncode == 7, result.stdout + result.stderr
    assert "签章验证未通过" in result.stderr and "没有签章" not in result.stderr and "修复" not in result.stderr
    assert "原因: 签名值与证书不符" in result.stdout and "签章 1：签名值与证书不符" in result.stderr
    assert "Signature is Valid." not in subprocess.run(["pdfsig", "-nssdir", nssdir, str(signed_pdf)],
                                                       capture_output=True, text=True).stdout
    signed_pdf.write_bytes(bytes(garbled))
    undecodable = run_cli("verify", str(signed_pdf))
    assert undecodable.returncode == 7 and "签章验证未通过" in undecodable.stderr, undecodable.stderr
    assert "意外错误" not in undecodable.stderr and "修复" not in undecodable.stderr
    assert "原因: 签名数据无法读取" in undecodable.stdout or "原因: 签章无法检查" in undecodable.stdout, undecodable.stdout


def test_an_untrusted_issuer_is_explained_in_words(run_cli, signed_pdf, tmp_path):
    elsewhere = {"CAHELPER_HOME": str(tmp_path / "another-computer")}  # a computer that knows no demo CA
    result = run_cli("verify", str(signed_pdf), env=elsewhere)
    assert result.returncode == 7, result.stdout + result.stderr
    assert "签章 1（" in result.stdout and "无时间戳" in result.stdout and "B-B" not in result.stdout
    assert "原因: 证书的根CA不在受信任列表中" in result.stdout
    assert "签章 1：证书的根CA不在受信任列表中" in result.stderr and "cahelper-seal-1: trust" not in result.stderr
    english = run_cli("--lang", "en", "verify", str(signed_pdf), env=elsewhere)
    assert "Why: its root CA is not in the trusted list" in english.stdout
    report = json.loads(run_cli("verify", str(signed_pdf), "--json", env=elsewhere).stdout)
    signature = report["files"][0]["signatures"][0]
    assert signature["problem"] == "chain_untrusted" and signature["level"] == "B-B"


def test_an_unreadable_file_is_not_called_a_bad_signature(run_cli, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n%garbage without objects\n")
    result = run_cli("verify", str(broken))
    assert result.returncode == 5 and "文件无法读取，无法验证签章" in result.stderr, result.stderr
    assert "无法签章" not in result.stderr


def test_bytes_after_the_signed_range_are_a_change_after_signing(run_cli, signed_pdf, nssdir):
    with signed_pdf.open("ab") as f:
        f.write(b"\nappended after signing\n")
    sig = subprocess.run(["pdfsig", "-nssdir", nssdir, str(signed_pdf)], capture_output=True, text=True).stdout
    assert "Not total document signed" in sig  # poppler's verdict on the same file
    result = run_cli("verify", str(signed_pdf))
    assert result.returncode == 7, result.stdout
    assert "之后的改动：无" not in result.stdout and "签章有效" not in result.stdout
    report = json.loads(run_cli("verify", str(signed_pdf), "--json").stdout)
    assert not report["ok"] and report["files"][0]["signatures"][0]["covers_whole_file"] is False


def test_only_a_transparent_png_can_be_a_seal(run_cli, cli_token, docs, tmp_path):
    from PIL import Image, ImageDraw

    photo, opaque = tmp_path / "photo.jpg", tmp_path / "opaque.png"
    paper = Image.new("RGB", (400, 400), (250, 248, 240))
    ImageDraw.Draw(paper).ellipse((40, 40, 360, 360), outline=(200, 30, 30), width=18)  # a photographed seal
    paper.save(photo)
    Image.new("RGBA", (300, 300), (200, 30, 30, 255)).save(opaque)
    for image in (photo, opaque):
        result = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(tmp_path / "o.pdf"), "--seal", str(image),
                         "--token", cli_token.serial, "--pin-stdin", stdin="")
        assert result.returncode == 5 and f"cahelper seal import {image}" in result.stderr, result.stderr
        assert not (tmp_path / "o.pdf").exists()
    imported = run_cli("seal", "import", str(photo), "--out", str(tmp_path / "seal.png"))
    assert imported.returncode == 0 and "请检查" in imported.stderr, imported.stderr


def test_seal_store_asks_before_replacing_and_seal_remove(run_cli, make_token, seal, tmp_path):
    token = make_token("换印章的U盾", keys=(("rsa2048", "sign"),))
    pin = token.pin + "\n"
    first = run_cli("seal", "store", str(seal), "--name", "公章", "--token", token.serial, "--pin-stdin", stdin=pin)
    assert first.returncode == 0, first.stderr
    again = run_cli("seal", "store", str(seal), "--name", "公章", "--token", token.serial, "--pin-stdin", stdin="")
    assert again.returncode == 5 and "--overwrite" in again.stderr and "已经有名为“公章”的印章" in again.stderr
    replaced = run_cli("seal", "store", str(seal), "--name", "公章", "--overwrite", "--token", token.serial,
                       "--pin-stdin", "--json", stdin=pin)
    assert replaced.returncode == 0 and json.loads(replaced.stdout)["replaced"] is True
    unknown = run_cli("seal", "remove", "合同章", "--token", token.serial, "--pin-stdin", stdin="")
    assert unknown.returncode == 2 and "公章" in unknown.stderr  # said before the PIN, with the names there are
    removed = run_cli("seal", "remove", "公章", "--token", token.serial, "--pin-stdin", stdin=pin)
    assert removed.returncode == 0, removed.stderr
    listed = json.loads(run_cli("seal", "list", "--token", token.serial, "--json").stdout)["seals"]
    assert listed == []


def test_audit_export_csv(run_cli, tmp_path):
    out = tmp_path / "log.csv"
    result = run_cli("audit", "export", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text("utf-8-sig").splitlines()[0].startswith("seq,time,file")


def test_seal_given_through_a_pipe(run_cli, cli_token, docs, seal, tmp_path):
    import os
    import threading

    fifo = tmp_path / "seal-pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(seal.read_bytes()))
    writer.start()
    out = tmp_path / "piped.pdf"
    result = run_cli("sign", str(docs / "扫描件.pdf"), "--out", str(out), "--seal", str(fifo),
                     "--token", cli_token.serial, "--pin-stdin", stdin=cli_token.pin + "\n")
    writer.join(10)
    assert result.returncode == 0, result.stderr
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
    assert "smask" in images  # the seal image was drawn, not silently dropped
