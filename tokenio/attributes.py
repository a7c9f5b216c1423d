"""How sessions read attributes: python-pkcs11's mapper, tolerant of what real vendor modules return.

python-pkcs11 reads object classes, key types and mechanisms into its enums and text attributes as strict
UTF-8. Chinese USB keys store vendor-defined objects (CKO_VENDOR_DEFINED + n) beside the certificates and
often write labels in GBK: read strictly, one such object would stop the whole listing.
"""

from __future__ import annotations

from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.attributes import AttributeMapper, handle_ulong

TEXT_ATTRIBUTES = (Attribute.LABEL, Attribute.APPLICATION, Attribute.URL, Attribute.UNIQUE_ID)


def vendor_text(raw: bytes) -> str:
    """Text from a module: UTF-8 as PKCS#11 says, else GB18030 (GBK) as many Chinese keys write it."""
    raw = raw.rstrip(b"\0")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def _ulong_or_int(enum: type) -> tuple:
    pack, unpack = handle_ulong

    def read(value: bytes) -> int:
        raw = unpack(value)
        try:
            return enum(raw)
        except ValueError:
            return raw  # a vendor-defined value

    return (lambda v: pack(int(v)), read)


def _vendor_tolerant_mapper() -> AttributeMapper:
    mapper = AttributeMapper()
    mapper.register_handler(Attribute.CLASS, *_ulong_or_int(ObjectClass))
    mapper.register_handler(Attribute.KEY_TYPE, *_ulong_or_int(KeyType))
    mapper.register_handler(Attribute.KEY_GEN_MECHANISM, *_ulong_or_int(Mechanism))
    for attribute in TEXT_ATTRIBUTES:
        mapper.register_handler(attribute, lambda s: s.encode("utf-8"), vendor_text)
    return mapper


VENDOR_MAPPER = _vendor_tolerant_mapper()
"""python-pkcs11's attribute mapper, reading vendor classes, key types and mechanisms as plain ints and text in
UTF-8 or GBK (sessions use it)."""
