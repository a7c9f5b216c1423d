"""Choosing the signing certificate on the key, and refusing unusable ones before any PIN is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helper.certs import parse
from helper.keys import KeyService
from helper.messages import HelperError
from helper.signing.identity import choose_identity


def test_default_is_the_rsa_signing_certificate_with_its_chain(token_service, sign_token):
    identity = choose_identity(KeyService(token_service), sign_token.serial)
    assert identity.entry.info.der == sign_token.cert(0)
    assert len(identity.chain) == 3 and identity.chain[0] == sign_token.cert(0)


def test_expired_and_not_yet_valid_are_refused(token_service, sign_token):
    keys = KeyService(token_service)
    info = parse(sign_token.cert(0))
    for now, code in ((info.not_after + timedelta(days=1), "SIGN_CERT_EXPIRED"),
                      (info.not_before - timedelta(days=1), "SIGN_CERT_NOT_YET_VALID")):
        with pytest.raises(HelperError) as err:
            choose_identity(keys, sign_token.serial, parse(sign_token.cert(0)).id, now=now)
        assert err.value.code == code


def test_encryption_certificate_is_refused(token_service, sign_token):
    enc_id = parse(sign_token.cert(2)).id
    with pytest.raises(HelperError) as err:
        choose_identity(KeyService(token_service), sign_token.serial, enc_id)
    assert err.value.code == "SIGN_CERT_NOT_FOR_SIGNING"


def test_key_without_signing_certificate(token_service, make_token):
    token = make_token("只有加密证书", keys=(("rsa2048", "enc"),))
    with pytest.raises(HelperError) as err:
        choose_identity(KeyService(token_service), token.serial, now=datetime.now(UTC))
    assert err.value.code == "SIGN_CERT_NONE"
