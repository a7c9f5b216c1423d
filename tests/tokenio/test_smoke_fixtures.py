from tokenio.session import TokenSession


def test_demo_token_holds_three_certificates_paired_with_keys(token_service, demo_token):
    objs = token_service.certificates(demo_token.serial)
    assert len(objs) == 3
    assert all(o.key is not None and o.der for o in objs)
    with token_service.session(demo_token.serial, bytearray(b"123456")) as s:
        assert s.logged_in
        assert {k.key_type for k in s.run(TokenSession.private_keys)} == {"rsa", "ec"}
