"""How sessions read attributes: python-pkcs11's mapper, tolerant of vendor-defined values."""

from __future__ import annotations

from pkcs11 import Attribute, KeyType, Mechanism
from pkcs11.attributes import AttributeMapper, handle_ulong


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
    mapper.register_handler(Attribute.KEY_TYPE, *_ulong_or_int(KeyType))
    mapper.register_handler(Attribute.KEY_GEN_MECHANISM, *_ulong_or_int(Mechanism))
    return mapper


VENDOR_MAPPER = _vendor_tolerant_mapper()
"""python-pkcs11's attribute mapper, reading vendor key types and mechanisms as plain ints (sessions use it)."""
