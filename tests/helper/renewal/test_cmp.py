"""The CMP client against `openssl cmp` mock servers: enrolment, renewal, errors, polling, interop."""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import x509 as ax509
from cmp_pki import DER, OPENSSL, CmpServer, Pki, SoftSigner, free_port

from helper.messages import HelperError
from helper.renewal.cmp import CmpClient, MacProtection, SignatureProtection
from helper.renewal.cmp_asn1 import FAILURE_BITS, PKIMessage, PKIStatusInfo
from helper.renewal.cmp_protection import mac_matches, protected_part
from helper.renewal.cmp_status import rejection_error

REF, SECRET = "4711", "一次性口令-8F3A"
MAC_SERVER = ("-srv_ref", REF, "-srv_secret", f"pass:{SECRET}")
MAC = MacProtection(REF.encode(), SECRET.encode())
CATALOGUE = Path(__file__).parents[3] / "resources" / "messages" / "renewal_cmp.toml"


def sig_server(pki: Pki) -> tuple[str, ...]:
    return ("-srv_cert", pki.path("ra"), "-srv_key", pki.path("ra_key"), "-srv_trusted", pki.path("root"))


def old_signer(pki: Pki) -> SoftSigner:
    return SoftSigner(pki.ee_key, pki.ee_old)


def subject(pki: Pki) -> ax509.Name:
    return ax509.Name.load(pki.subject.public_bytes())


def raises(code: str, call) -> HelperError:
    with pytest.raises(HelperError) as info:
        call()
    assert info.value.code == code, info.value.params
    return info.value


# --- successful transactions --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ir", "cr"])
def test_mac_protected_enrolment_returns_certificate_and_ca(pki: Pki, cmp_server, kind: str) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"), "-rsp_capubs", pki.path("root"))
    result = CmpClient(srv.url, protection=MAC).certify(SoftSigner(pki.new_key), subject(pki), kind=kind)
    assert result.certificate.dump() == pki.new_cert.public_bytes(DER)
    assert result.status == "accepted"
    # caPubs come only with an ip.
    assert [c.dump() for c in result.ca_certs] == ([pki.root.public_bytes(DER)] if kind == "ir" else [])
    # Two requests: the enrolment and our certConf, which the server answered with pkiConf.
    assert srv.log.read_text().count("Received request") == 2


def test_signature_protected_cr_for_new_key(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*sig_server(pki), "-rsp_cert", pki.path("new_cert"))
    client = CmpClient(srv.url, protection=SignatureProtection(old_signer(pki)), trusted=[pki.asn1(pki.root)])
    result = client.certify(SoftSigner(pki.new_key), subject(pki))
    assert result.certificate.dump() == pki.new_cert.public_bytes(DER)


def test_signature_protected_kur_renews_same_key(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*sig_server(pki), "-rsp_cert", pki.path("ee_renewed"))
    client = CmpClient(srv.url, protection=SignatureProtection(old_signer(pki)), trusted=[pki.asn1(pki.root)])
    result = client.key_update(pki.asn1(pki.ee_old), old_signer(pki))
    assert result.certificate.dump() == pki.ee_renewed.public_bytes(DER)
    assert result.certificate.subject.native["common_name"] == "张三"
    assert result.certificate.serial_number == pki.ee_old.serial_number


def test_mac_protected_kur(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("ee_renewed"))
    result = CmpClient(srv.url, protection=MAC).key_update(pki.asn1(pki.ee_old), old_signer(pki))
    assert result.certificate.dump() == pki.ee_renewed.public_bytes(DER)


def test_p10cr(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"))
    result = CmpClient(srv.url, protection=MAC).certify_p10(pki.csr_der())
    assert result.certificate.dump() == pki.new_cert.public_bytes(DER)


def test_polling_honours_check_after(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"), "-poll_count", "2", "-check_after", "1")
    start = time.monotonic()
    result = CmpClient(srv.url, protection=MAC).certify(SoftSigner(pki.new_key), subject(pki))
    assert result.certificate.dump() == pki.new_cert.public_bytes(DER)
    assert time.monotonic() - start >= 2.0  # two pollRep with checkAfter = 1 s


# --- refusals and broken servers -----------------------------------------------------------------


def test_wrong_one_time_secret(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"))
    client = CmpClient(srv.url, protection=MacProtection(REF.encode(), b"wrong secret"))
    raises("CMP_BAD_MAC", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        ((), "CMP_REJECTED"),
        (("-failure", "4"), "CMP_WRONG_CERT_ID"),
        (("-failure", "10"), "CMP_CERT_REVOKED"),
        (("-failure", "23"), "CMP_NOT_AUTHORIZED"),
        (("-failurebits", str(1 << 24 | 1 << 3)), "CMP_CLOCK_WRONG"),
    ],
)
def test_server_rejection_is_explained(pki: Pki, cmp_server, failure: tuple[str, ...], code: str) -> None:
    srv = cmp_server(
        *MAC_SERVER,
        "-rsp_cert",
        pki.path("ee_renewed"),
        "-pkistatus",
        "2",
        *failure,
        "-statusstring",
        "拒绝：测试",
    )
    client = CmpClient(srv.url, protection=MAC)
    error = raises(code, lambda: client.key_update(pki.asn1(pki.ee_old), old_signer(pki)))
    assert error.params["detail"] == "拒绝：测试"
    assert "拒绝：测试" in error.message("zh").explanation


def test_unprotected_rejection_still_explains(pki: Pki, cmp_server) -> None:
    srv = cmp_server(
        *MAC_SERVER,
        "-rsp_cert",
        pki.path("ee_renewed"),
        "-pkistatus",
        "2",
        "-failure",
        "10",
        "-send_unprot_err",
    )
    client = CmpClient(srv.url, protection=MAC)
    raises("CMP_CERT_REVOKED", lambda: client.key_update(pki.asn1(pki.ee_old), old_signer(pki)))


def test_granted_with_mods_is_reported(pki: Pki, cmp_server) -> None:
    srv = cmp_server(
        *MAC_SERVER, "-rsp_cert", pki.path("new_cert"), "-pkistatus", "1", "-statusstring", "有效期已调整"
    )
    result = CmpClient(srv.url, protection=MAC).certify(SoftSigner(pki.new_key), subject(pki))
    assert result.status == "granted_with_mods"
    assert result.status_text == "有效期已调整"


def test_server_error_message(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"), "-send_error")
    client = CmpClient(srv.url, protection=MAC)
    error = raises("CMP_REQUEST_NOT_ACCEPTED", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))
    assert error.params["failures"] == "badRequest"


def test_kur_for_certificate_the_server_does_not_know(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("ee_renewed"))
    client = CmpClient(srv.url, protection=MAC)
    # openssl 3.0 answers badRequest with the text 'wrong certid' (a CA would set badCertId, see above).
    error = raises(
        "CMP_REQUEST_NOT_ACCEPTED", lambda: client.key_update(pki.asn1(pki.new_cert), SoftSigner(pki.new_key))
    )
    assert error.params["detail"] == "wrong certid"


def test_certificate_for_another_key_is_refused(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"))
    client = CmpClient(srv.url, protection=MAC)
    raises("CMP_UNEXPECTED_CERT", lambda: client.certify(old_signer(pki), subject(pki)))


def test_unprotected_certificate_response_is_refused(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"), "-send_unprotected")
    client = CmpClient(srv.url, protection=MAC)
    raises("CMP_PROTECTION_INVALID", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))


def test_server_signature_must_chain_to_trusted(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*sig_server(pki), "-rsp_cert", pki.path("new_cert"))
    # Only the client's own certificate is trusted, not the root above the server's RA certificate.
    client = CmpClient(
        srv.url, protection=SignatureProtection(old_signer(pki)), trusted=[pki.asn1(pki.ee_old)]
    )
    error = raises("CMP_PROTECTION_INVALID", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))
    assert error.params["detail"] == "signer not trusted"


def test_poll_limit(pki: Pki, cmp_server) -> None:
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("new_cert"), "-poll_count", "5", "-check_after", "30")
    client = CmpClient(srv.url, protection=MAC, poll_limit_s=5)
    start = time.monotonic()
    raises("CMP_WAITING_TOO_LONG", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))
    assert time.monotonic() - start < 5


def test_closed_port_is_unreachable(pki: Pki) -> None:
    client = CmpClient(f"http://127.0.0.1:{free_port()}/pkix/", protection=MAC, timeout=2)
    raises("CMP_SERVER_UNREACHABLE", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))


class _Responder(http.server.BaseHTTPRequestHandler):
    content_type = "text/html"
    payload = "<html>门户维护中</html>".encode()

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args) -> None:
        pass


class _GarbageCmp(_Responder):
    content_type = "application/pkixcmp"
    payload = b"\x30\x03\x02\x01\x02"


@pytest.fixture(params=[_Responder, _GarbageCmp], ids=["html", "garbage-der"])
def bogus_server(request) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pkix/"
    server.shutdown()
    server.server_close()


def test_non_cmp_responder(pki: Pki, bogus_server: str) -> None:
    client = CmpClient(bogus_server, protection=MAC)
    raises("CMP_MALFORMED_RESPONSE", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))


def test_silent_server_times_out(pki: Pki) -> None:
    with socket.socket() as listener:  # the kernel accepts the connection; nobody ever answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = CmpClient(f"http://127.0.0.1:{listener.getsockname()[1]}/", protection=MAC, timeout=0.5)
        start = time.monotonic()
        error = raises("CMP_TIMEOUT", lambda: client.certify(SoftSigner(pki.new_key), subject(pki)))
        assert time.monotonic() - start < 3
    assert error.params["seconds"] == "0.5"


# --- interoperability with the openssl client ----------------------------------------------------


def test_openssl_client_messages_parse_and_verify(pki: Pki, cmp_server, tmp_path: Path) -> None:
    """openssl's own kur and certConf parse with our ASN.1 and carry a PBM our code verifies."""
    srv: CmpServer = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("ee_renewed"))
    reqs = [tmp_path / "kur.der", tmp_path / "certconf.der"]
    subprocess.run(
        [OPENSSL, "cmp", "-cmd", "kur", "-server", f"127.0.0.1:{srv.port}", "-path", "pkix/",
         "-ref", REF, "-secret", f"pass:{SECRET}", "-oldcert", pki.path("ee_old"), "-key", pki.path("ee_key"),
         "-certout", str(tmp_path / "out.pem"), "-reqout", ",".join(map(str, reqs))],
        check=True, capture_output=True,
    )  # fmt: skip
    kur, conf = (PKIMessage.load(p.read_bytes()) for p in reqs)
    assert kur["body"].name == "kur" and conf["body"].name == "cert_conf"
    control = kur["body"].chosen[0]["cert_req"]["controls"][0]
    assert control["value"]["serial_number"].native == pki.ee_old.serial_number
    assert conf["header"]["transaction_id"].native == kur["header"]["transaction_id"].native
    for message in (kur, conf):
        params = message["header"]["protection_alg"]["parameters"]
        data = protected_part(message["header"], message["body"])
        assert mac_matches(SECRET.encode(), params, data, message["protection"].native)
        assert not mac_matches(b"other", params, data, message["protection"].native)


class _Recorder(_Responder):
    """Keeps what the client posted (and answers with HTML, so the client stops there)."""

    posted: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.posted.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(404)
        self.end_headers()


def test_our_kur_request_is_accepted_by_openssl_client(pki: Pki, cmp_server, tmp_path: Path) -> None:
    """Our DER kur, as posted, parses in `openssl asn1parse` and `openssl cmp -reqin` gets it answered."""
    recorder = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=recorder.handle_request, daemon=True).start()
    client = CmpClient(f"http://127.0.0.1:{recorder.server_address[1]}/", protection=MAC, timeout=5)
    raises("CMP_MALFORMED_RESPONSE", lambda: client.key_update(pki.asn1(pki.ee_old), old_signer(pki)))
    recorder.server_close()
    request = tmp_path / "kur.der"
    request.write_bytes(_Recorder.posted.pop())
    parsed = subprocess.run(
        [OPENSSL, "asn1parse", "-inform", "DER", "-in", str(request)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "password based MAC" in parsed and "cont [ 7 ]" in parsed
    srv = cmp_server(*MAC_SERVER, "-rsp_cert", pki.path("ee_renewed"))
    subprocess.run(
        [OPENSSL, "cmp", "-cmd", "kur", "-server", f"127.0.0.1:{srv.port}", "-path", "pkix/",
         "-ref", REF, "-secret", f"pass:{SECRET}", "-oldcert", pki.path("ee_old"), "-key", pki.path("ee_key"),
         "-reqin", str(request), "-rspout", str(tmp_path / "kup.der"), "-certout", str(tmp_path / "out.pem")],
        capture_output=True,
    )  # fmt: skip
    kup = PKIMessage.load((tmp_path / "kup.der").read_bytes())
    assert kup["body"].name == "kup"
    assert kup["body"].chosen["response"][0]["status"]["status"].native == "accepted"


# --- the message catalogue -----------------------------------------------------------------------


def test_every_failure_bit_has_clerk_texts() -> None:
    entries = tomllib.loads(CATALOGUE.read_text("utf-8"))
    for bit in FAILURE_BITS:
        info = PKIStatusInfo({"status": "rejection", "fail_info": {bit}, "status_string": ["x"]})
        for mac in (True, False):
            error = rejection_error(info, mac_protected=mac)
            assert error.code in entries
            for lang in ("zh", "en"):
                text = error.message(lang).as_text()
                assert "{" not in text, (error.code, text)


def test_catalogue_entries_are_complete() -> None:
    entries = tomllib.loads(CATALOGUE.read_text("utf-8"))
    expected = {
        "CMP_REJECTED", "CMP_BAD_MAC", "CMP_SERVER_UNREACHABLE", "CMP_TIMEOUT", "CMP_MALFORMED_RESPONSE",
        "CMP_PROTECTION_INVALID", "CMP_WAITING_TOO_LONG", "CMP_WRONG_CERT_ID", "CMP_UNEXPECTED_CERT",
    }  # fmt: skip
    assert expected <= set(entries)
    for code, entry in entries.items():
        assert entry["exit"] == 6, code
        for lang in ("zh", "en"):
            assert entry[lang]["title"] and entry[lang]["explanation"], code
            assert isinstance(entry[lang]["remedy"], list) and entry[lang]["remedy"], code
