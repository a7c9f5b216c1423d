"""`cahelper serve` on a real pseudo-terminal: stale input never answers a question, a question that ends
says so and gives the terminal back, a wrong PIN is explained with the tries left before anything else."""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import signal
import time
from pathlib import Path

import pytest
from login_kit import call, new_nonce
from serve_terminal import ServeTerminal, approved_origins, portal_home

from helper.demo.token import provision
from tests.support import OCK_USER_PIN, OPENCRYPTOKI, SOFTHSM
from tokenio.session import TokenSession

SITE_A, SITE_B = "https://a.example", "https://b.example"
NAMES = {SITE_A: "甲网站", SITE_B: "乙网站"}


def _cert_id(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()[:16]


@pytest.fixture()
def pool():
    with concurrent.futures.ThreadPoolExecutor(2) as executor:
        yield executor


@pytest.fixture()
def terminal(cli_env, tmp_path: Path):
    started: list[ServeTerminal] = []

    def start(*args: str, approved: tuple[str, ...] = (), module: str = SOFTHSM) -> ServeTerminal:
        home = portal_home(tmp_path / "home", NAMES, approved)
        term = ServeTerminal({**cli_env, "CAHELPER_HOME": str(home), "CAHELPER_PKCS11_MODULE": module}, *args)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


def _stale_yes_does_not_approve(term: ServeTerminal, pool, origin: str, home: Path, *, refuse: str) -> None:
    """With a 'y' typed while nothing was asked, ``origin`` asks to read the certificates: the question waits
    for a new answer, and ``refuse`` refuses it."""
    term.type("y\n")
    time.sleep(0.5)
    mark = term.mark()
    reply = pool.submit(call, term.port, "POST", "/v1/certificates", {}, origin=origin)
    term.wait_for(rf"网站 {NAMES[origin]} \({re.escape(origin)}\) 请求读取U盾中的证书", after=mark)
    time.sleep(1.0)
    assert not reply.done(), "the stale 'y' answered the question"
    term.type(refuse)
    assert reply.result(30).code == "ORIGIN_NOT_APPROVED"
    term.wait_for("已取消", after=mark)
    assert origin not in approved_origins(home)


def test_type_ahead_never_answers_a_question(terminal, pool, tmp_path: Path):
    _stale_yes_does_not_approve(terminal(), pool, SITE_A, tmp_path / "home", refuse="n\n")


def test_timeout_says_so_restores_echo_and_late_input_answers_nothing(terminal, pool, demo_token, tmp_path: Path):
    term = terminal("--consent-timeout", "2", approved=(SITE_A,))
    mark = term.mark()
    body = {"nonce": new_nonce(), "certificateId": _cert_id(demo_token.cert(0))}
    reply = pool.submit(call, term.port, "POST", "/v1/auth", body, origin=SITE_A)
    term.wait_for(r"为网站 甲网站 \(https://a\.example\) 输入数字证书口令", after=mark)
    assert not term.echo_on()  # the PIN is not shown while it is typed
    assert reply.result(30).code == "CONSENT_TIMEOUT"
    term.wait_for("已超时：网站 甲网站", after=mark)
    assert term.echo_on()  # the terminal is given back as it was

    # the clerk comes back late and answers the closed question: that answer must not approve another site
    _stale_yes_does_not_approve(term, pool, SITE_B, tmp_path / "home", refuse="\n")


def test_ctrl_c_during_a_question_says_cancelled_not_timed_out(terminal, pool, demo_token):
    term = terminal(approved=(SITE_A,))
    mark = term.mark()
    body = {"nonce": new_nonce(), "certificateId": _cert_id(demo_token.cert(0))}
    pool.submit(call, term.port, "POST", "/v1/auth", body, origin=SITE_A)
    term.wait_for(r"为网站 甲网站 \(https://a\.example\) 输入数字证书口令", after=mark)
    os.killpg(term.proc.pid, signal.SIGINT)  # Ctrl+C on the terminal
    term.wait_for("服务已停止", after=mark)
    shown = term.screen[mark:]
    assert "已取消：服务正在停止，网站 甲网站" in shown and "已超时" not in shown, shown
    assert term.proc.wait(15) == 0 and term.echo_on()


def test_a_key_pulled_out_leaves_the_listing_websites_get(terminal, make_token, softhsm_conf, tmp_path: Path):
    """`serve` follows hot-plug as the window does: a pulled-out key's certificates leave the list a website
    gets, and the list still answers (the keys still inserted), not an error."""
    from helper.demo import softhsm

    key = make_token("会被拔出的U盾", keys=(("rsa2048", "sign"),))
    term = terminal(approved=(SITE_A,))
    gone = _cert_id(key.cert(0))

    def listing():
        return call(term.port, "POST", "/v1/certificates", {}, origin=SITE_A)

    assert gone in {c["id"] for c in listing().json()["certificates"]}
    stashed = softhsm.unplug(softhsm_conf, key.serial, tmp_path)
    try:
        for _ in range(12):  # a request a second: well within the service's 20 a minute for one site
            time.sleep(1)
            reply = listing()
            if reply.status == 200 and gone not in {c["id"] for c in reply.json()["certificates"]}:
                break
        assert reply.status == 200, reply.body
        assert gone not in {c["id"] for c in reply.json()["certificates"]}
    finally:
        softhsm.plug_back(softhsm_conf, stashed)


@pytest.fixture()
def ock_signing_cert(ock_service, opencryptoki_token, demo_pki):
    """A signing key and certificate on the opencryptoki token (removed afterwards)."""
    serial = opencryptoki_token.serial
    issued = provision(ock_service, serial, demo_pki, pin=OCK_USER_PIN, keys=(("rsa2048", "sign"),))[0]
    yield issued.cert_der
    with ock_service.session(serial, bytearray(OCK_USER_PIN.encode()), rw=True) as session:
        session.run(TokenSession.delete_certificate, issued.cert_der)
        session.run(TokenSession.delete_keypair, issued.cka_id)


def test_wrong_pin_is_explained_with_the_tries_left(terminal, pool, ock_service, opencryptoki_token,
                                                    ock_signing_cert):
    term = terminal(approved=(SITE_A,), module=OPENCRYPTOKI)
    body = {"nonce": new_nonce(), "certificateId": _cert_id(ock_signing_cert)}
    try:
        mark = term.mark()
        reply = pool.submit(call, term.port, "POST", "/v1/auth", body, origin=SITE_A)
        term.wait_for("为网站 甲网站 .* 输入数字证书口令", after=mark)
        term.type("000000\n")
        assert reply.result(30).code == "PIN_INCORRECT_COUNT_LOW"
        term.wait_for("提示：数字证书口令不正确（之前已输错过）\r?\n说明：", after=mark)

        time.sleep(5.5)  # the service's pause after a wrong PIN
        mark = term.mark()
        reply = pool.submit(call, term.port, "POST", "/v1/auth", {**body, "nonce": new_nonce()}, origin=SITE_A)
        term.wait_for("为网站 甲网站 .* 输入数字证书口令", after=mark)
        term.type("000001\n")
        assert reply.result(30).code == "PIN_INCORRECT_FINAL_TRY"
        shown = term.wait_for("提示：数字证书口令不正确，只剩最后一次机会\r?\n说明：再输错一次", after=mark)
        assert "输入数字证书口令" not in term.screen[mark + shown.end():]  # nothing asked before the warning
    finally:
        with ock_service.session(opencryptoki_token.serial, bytearray(OCK_USER_PIN.encode())):
            pass  # the right PIN resets the key's counter
