"""Seals stored on the key as PKCS#11 data objects: they travel with the key and can be chosen by name."""

from __future__ import annotations

import pytest

from helper import seal_store
from helper.messages import HelperError
from helper.seals import make_demo_seal
from tests.support import pin
from tokenio.session import TokenSession


@pytest.fixture(scope="module")
def seal_token(make_token):
    return make_token("印章存储U盾", keys=(("rsa2048", "sign"),))


def test_store_list_load_and_replace(token_service, seal_token):
    official = make_demo_seal("石家庄示例科技有限公司", "公章")
    contract = make_demo_seal("石家庄示例科技有限公司", "合同专用章", size_px=300)
    with token_service.session(seal_token.serial, pin(seal_token.pin), rw=True) as s:
        seal_store.store(s, official, "公章")
        seal_store.store(s, contract, "合同专用章")
        seal_store.store(s, contract, "公章")  # replaced, not duplicated
    with token_service.session(seal_token.serial) as s:  # readable without the PIN, like certificates
        names = [o.label for o in seal_store.list_seals(s)]
        loaded = seal_store.load(s, "公章")
        objects = s.run(TokenSession.data_objects, seal_store.APPLICATION)
    assert names == sorted(["公章", "合同专用章"]) and len(objects) == 2
    assert loaded.png == contract.png and loaded.width == 300 and loaded.name == "公章"


def test_missing_seal_names_the_ones_there(token_service, seal_token):
    with token_service.session(seal_token.serial, pin(seal_token.pin), rw=True) as s:
        seal_store.store(s, make_demo_seal("示例单位", "财务专用章", size_px=200), "财务专用章")
        with pytest.raises(HelperError) as err:
            seal_store.load(s, "发票专用章")
    assert err.value.code == "SEAL_NOT_ON_TOKEN" and "财务专用章" in err.value.params["names"]


@pytest.mark.parametrize("name", ["", "a\nb", "章" * 33])
def test_bad_names_are_refused_before_the_key_is_touched(name):
    with pytest.raises(HelperError) as err:
        seal_store.check_name(name)
    assert err.value.code == "SEAL_NAME_INVALID"
