"""Unit codes and unit names wherever Chinese CAs put them (GB 32100 / GB 11714 check characters), personal
numbers masked, and every string form of the GM/T 0015 and e-government extensions."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from helper import certdetails, certs, unitcode

USCC = "91350200556207664B"  # check character valid
BAD_USCC = "91350200556207665B"
ORG_CODE = "55620766-4"
_KEY = ec.generate_private_key(ec.SECP256R1())


def make(subject: list[tuple[x509.ObjectIdentifier, str]], extensions: dict[str, bytes] | None = None,
         issuer: str = "示例CA") -> certs.CertInfo:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(oid, value) for oid, value in subject]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer)]))
               .public_key(_KEY.public_key()).serial_number(7)
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30)))
    for oid, value in (extensions or {}).items():
        builder = builder.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value), critical=False)
    from cryptography.hazmat.primitives import serialization

    return certs.parse(builder.sign(_KEY, hashes.SHA256()).public_bytes(serialization.Encoding.DER))


ORG, OU, CN = NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME


def test_check_characters():
    assert unitcode.uscc_valid(USCC) and unitcode.uscc_valid("91350100M000100Y43")
    assert not unitcode.uscc_valid(BAD_USCC) and not unitcode.uscc_valid("91130100MA0DEMO12X")  # O is not allowed
    assert unitcode.org_code_valid(ORG_CODE) and unitcode.org_code_valid("556207664")
    assert not unitcode.org_code_valid("55620766-5")
    assert unitcode.mask("110101199003071234") == "**************1234"


def test_a_valid_uscc_in_ou_is_the_unit_code():
    info = make([(ORG, "厦门帝网信息科技有限公司"), (OU, USCC), (CN, "张三")])
    assert (info.unit, info.unit_code, info.unit_code_kind) == ("厦门帝网信息科技有限公司", USCC, "uscc")
    assert info.org_unit == ""  # the code is not a department


@pytest.mark.parametrize("oid", [x509.ObjectIdentifier("2.5.4.97"), NameOID.SERIAL_NUMBER, x509.ObjectIdentifier("2.5.4.41")])
def test_subject_attributes_carry_the_code(oid):
    info = make([(ORG, "某某有限公司"), (oid, USCC), (CN, "李四")])
    assert info.unit_code == USCC and info.unit_code_source == oid.dotted_string


def test_an_invalid_code_is_skipped_for_a_valid_one_elsewhere():
    info = make([(ORG, "某某有限公司"), (x509.ObjectIdentifier("2.5.4.97"), BAD_USCC), (NameOID.SERIAL_NUMBER, ORG_CODE)])
    assert (info.unit_code, info.unit_code_kind) == (ORG_CODE, "org_code")
    assert make([(ORG, "某某有限公司"), (NameOID.SERIAL_NUMBER, "110101199003071234")]).unit_code == ""  # an ID number


def test_cfca_style_cn_with_the_ca_name_in_o():
    info = make([(ORG, "CFCA OCA1"), (OU, "Organizational-1"), (OU, "Local RA"),
                 (CN, f"041@Z{USCC}@厦门帝网信息科技有限公司@1")], issuer="China Financial Certification Authority")
    assert (info.unit, info.unit_code) == ("厦门帝网信息科技有限公司", USCC)
    other = make([(ORG, "CFCA ACS OCA31"), (CN, f"CFCA@厦门帝网信息科技有限公司@N{USCC}@1")])
    assert (other.unit, other.unit_code) == ("厦门帝网信息科技有限公司", USCC)


@pytest.mark.parametrize("encoded", [
    core.UTF8String(USCC).dump(), core.PrintableString(USCC).dump(), core.IA5String(USCC).dump(),
    USCC.encode("ascii"),  # raw ASCII with no DER tag, as some CAs write it
    core.OctetString(core.UTF8String(USCC).dump()).dump(),
])
def test_gmt0015_organisation_code_extension_in_every_form(encoded):
    info = make([(ORG, "某某有限公司"), (CN, "王五")], {"1.2.156.10260.4.1.4": encoded})
    assert info.unit_code == USCC and info.unit_code_source == "1.2.156.10260.4.1.4"


def test_gmt0015_registration_and_personal_numbers():
    info = make([(ORG, "某某有限公司"), (CN, "王五")], {
        "1.2.156.10260.4.1.3": core.PrintableString("440301103024543").dump(),
        "1.2.156.10260.4.1.1": core.PrintableString("110101199003071234").dump(),
        "1.2.156.10260.4.1.2": b"123456789012",
    })
    assert (info.unit_code, info.unit_code_kind) == ("440301103024543", "registration")
    assert info.personal_id == "**************1234" and info.social_insurance == "********9012"
    shown = " ".join(r.value for r in certdetails.rows(info, "zh"))
    assert "110101199003071234" not in shown and "123456789012" not in shown
    names = [r.label for r in certdetails.rows(info, "zh")]
    assert "工商注册号" in names and "个人身份证号" in names and "个人社会保险号" in names


def test_egov_arc_values_count_only_when_they_pass_a_check():
    bad = make([(ORG, "某某有限公司")], {"1.2.86.11.7.3": core.UTF8String("ABCDEFGH12").dump()})
    assert bad.unit_code == ""
    good = make([(ORG, "某某有限公司")], {"1.2.86.11.7.1.8": core.UTF8String(ORG_CODE).dump()})
    assert (good.unit_code, good.unit_code_kind) == (ORG_CODE, "org_code")


def test_unknown_extensions_are_listed_by_oid_with_their_text():
    info = make([(ORG, "某某有限公司")], {"1.2.3.4.5": core.UTF8String("示例扩展值").dump()})
    rows = {r.label: r.value for r in certdetails.rows(info, "en")}
    assert rows["1.2.3.4.5"] == "示例扩展值"
