"""A module's own PKCS#11 function list, for the calls python-pkcs11's API refuses.

python-pkcs11 0.9.5 accepts only mechanisms and key types it names in its enums, so vendor-defined
values (SM2 key generation and signing on Chinese USB keys) cannot go through it. This module calls
the same loaded library through ``C_GetFunctionList`` with ctypes, on session and object handles that
python-pkcs11 opened: the library is already initialised in this process, so both see one state.
Used only on the TokenService thread, like every other PKCS#11 call.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Mapping
from functools import cache

import pkcs11.exceptions as p11e

from tokenio.errors import TokenError, translate

CK_ULONG = ctypes.c_ulong
_PACK = 1 if sys.platform.startswith("win") else 0  # cryptoki.h packs structures to 1 byte on Windows
_FUNCTIONS = (
    "C_Initialize C_Finalize C_GetInfo C_GetFunctionList C_GetSlotList C_GetSlotInfo C_GetTokenInfo "
    "C_GetMechanismList C_GetMechanismInfo C_InitToken C_InitPIN C_SetPIN C_OpenSession C_CloseSession "
    "C_CloseAllSessions C_GetSessionInfo C_GetOperationState C_SetOperationState C_Login C_Logout "
    "C_CreateObject C_CopyObject C_DestroyObject C_GetObjectSize C_GetAttributeValue C_SetAttributeValue "
    "C_FindObjectsInit C_FindObjects C_FindObjectsFinal C_EncryptInit C_Encrypt C_EncryptUpdate "
    "C_EncryptFinal C_DecryptInit C_Decrypt C_DecryptUpdate C_DecryptFinal C_DigestInit C_Digest "
    "C_DigestUpdate C_DigestKey C_DigestFinal C_SignInit C_Sign C_SignUpdate C_SignFinal "
    "C_SignRecoverInit C_SignRecover C_VerifyInit C_Verify C_VerifyUpdate C_VerifyFinal "
    "C_VerifyRecoverInit C_VerifyRecover C_DigestEncryptUpdate C_DecryptDigestUpdate "
    "C_SignEncryptUpdate C_DecryptVerifyUpdate C_GenerateKey C_GenerateKeyPair C_WrapKey C_UnwrapKey "
    "C_DeriveKey C_SeedRandom C_GenerateRandom C_GetFunctionStatus C_CancelFunction C_WaitForSlotEvent"
).split()


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class _FunctionList(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = [("version", _Version), *((name, ctypes.c_void_p) for name in _FUNCTIONS)]


class _Attribute(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = [("type", CK_ULONG), ("value", ctypes.c_void_p), ("value_len", CK_ULONG)]


class _Mechanism(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = [("mechanism", CK_ULONG), ("parameter", ctypes.c_void_p), ("parameter_len", CK_ULONG)]


class _TokenInfo(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = [
        ("label", ctypes.c_char * 32), ("manufacturerID", ctypes.c_char * 32),
        ("model", ctypes.c_char * 16), ("serialNumber", ctypes.c_char * 16),
        ("flags", CK_ULONG), ("ulMaxSessionCount", CK_ULONG), ("ulSessionCount", CK_ULONG),
        ("ulMaxRwSessionCount", CK_ULONG), ("ulRwSessionCount", CK_ULONG), ("ulMaxPinLen", CK_ULONG),
        ("ulMinPinLen", CK_ULONG), ("ulTotalPublicMemory", CK_ULONG), ("ulFreePublicMemory", CK_ULONG),
        ("ulTotalPrivateMemory", CK_ULONG), ("ulFreePrivateMemory", CK_ULONG),
        ("hardwareVersion", _Version), ("firmwareVersion", _Version), ("utcTime", ctypes.c_char * 16),
    ]


_UNAVAILABLE = CK_ULONG(-1).value  # CK_UNAVAILABLE_INFORMATION; CK_EFFECTIVELY_INFINITE is one less


_P = ctypes.POINTER
_SIGNATURES = {
    "C_GenerateKeyPair": (CK_ULONG, _P(_Mechanism), _P(_Attribute), CK_ULONG, _P(_Attribute), CK_ULONG,
                          _P(CK_ULONG), _P(CK_ULONG)),
    "C_SignInit": (CK_ULONG, _P(_Mechanism), CK_ULONG),
    "C_Sign": (CK_ULONG, ctypes.c_char_p, CK_ULONG, ctypes.c_char_p, _P(CK_ULONG)),
    "C_GetAttributeValue": (CK_ULONG, CK_ULONG, _P(_Attribute), CK_ULONG),
    "C_GetTokenInfo": (CK_ULONG, _P(_TokenInfo)),
    "C_CloseAllSessions": (CK_ULONG,),
}

# Return codes a face can act on, as python-pkcs11's exceptions (tokenio.errors translates those).
_ERRORS: dict[int, type[p11e.PKCS11Error]] = {
    0x05: p11e.GeneralError, 0x06: p11e.FunctionFailed, 0x07: p11e.ArgumentsBad,
    0x10: p11e.AttributeReadOnly, 0x11: p11e.AttributeSensitive, 0x12: p11e.AttributeTypeInvalid,
    0x13: p11e.AttributeValueInvalid, 0x21: p11e.DataLenRange, 0x30: p11e.DeviceError,
    0x31: p11e.DeviceMemory, 0x32: p11e.DeviceRemoved, 0x54: p11e.FunctionNotSupported,
    0x60: p11e.KeyHandleInvalid, 0x63: p11e.KeyTypeInconsistent, 0x70: p11e.MechanismInvalid,
    0x71: p11e.MechanismParamInvalid, 0x82: p11e.ObjectHandleInvalid, 0x90: p11e.OperationActive,
    0xA0: p11e.PinIncorrect, 0xA4: p11e.PinLocked, 0xB0: p11e.SessionClosed,
    0xB3: p11e.SessionHandleInvalid, 0xB5: p11e.SessionReadOnly, 0xD0: p11e.TemplateIncomplete,
    0xD1: p11e.TemplateInconsistent, 0xE0: p11e.TokenNotPresent, 0x101: p11e.UserNotLoggedIn,
}
CKR_BUFFER_TOO_SMALL = 0x150


def raise_for(rv: int) -> None:
    """Raise the TokenError for a PKCS#11 return code (nothing for CKR_OK)."""
    if rv:
        exc = _ERRORS.get(rv, p11e.PKCS11Error)(f"CKR {rv:#x}")
        raise translate(exc) from exc


AttrValue = bytes | bool | int | str


def _encode(value: AttrValue) -> bytes:
    if isinstance(value, bool):
        return b"\x01" if value else b"\x00"
    if isinstance(value, int):
        return value.to_bytes(ctypes.sizeof(CK_ULONG), sys.byteorder)
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


class _Template:
    """A CK_ATTRIBUTE array whose buffers live as long as the template."""

    def __init__(self, attrs: Mapping[int, AttrValue]) -> None:
        values = [_encode(v) for v in attrs.values()]
        self._buffers = [ctypes.create_string_buffer(v, len(v) or 1) for v in values]
        self.array = (_Attribute * max(1, len(attrs)))()
        for i, (kind, value, buf) in enumerate(zip(attrs, values, self._buffers, strict=True)):
            self.array[i].type = int(kind)
            self.array[i].value = ctypes.cast(buf, ctypes.c_void_p)
            self.array[i].value_len = len(value)
        self.count = len(attrs)


class RawModule:
    """The function list of one loaded library."""

    def __init__(self, path: str) -> None:
        self._dll = ctypes.CDLL(path)  # the same handle the loader already holds: no second copy
        pointer = _P(_FunctionList)()
        raise_for(self._dll.C_GetFunctionList(ctypes.byref(pointer)))
        self._list = pointer.contents
        self._calls: dict[str, ctypes._CFuncPtr] = {}

    def _call(self, name: str, *args: object) -> int:
        if name not in self._calls:
            address = getattr(self._list, name)
            if not address:
                raise_for(0x54)
            self._calls[name] = ctypes.CFUNCTYPE(CK_ULONG, *_SIGNATURES[name])(address)
        return int(self._calls[name](*args))

    def generate_keypair(self, session: int, mechanism: int, public: Mapping[int, AttrValue],
                         private: Mapping[int, AttrValue]) -> tuple[int, int]:
        """C_GenerateKeyPair; returns the (public, private) object handles."""
        mech = _Mechanism(mechanism, None, 0)
        pub_t, priv_t = _Template(public), _Template(private)
        pub, priv = CK_ULONG(), CK_ULONG()
        raise_for(self._call("C_GenerateKeyPair", session, ctypes.byref(mech), pub_t.array, pub_t.count,
                             priv_t.array, priv_t.count, ctypes.byref(pub), ctypes.byref(priv)))
        return pub.value, priv.value

    def sign(self, session: int, mechanism: int, key: int, data: bytes, parameter: bytes = b"") -> bytes:
        """C_SignInit + C_Sign (length query first, as the standard asks)."""
        param = ctypes.create_string_buffer(parameter, len(parameter)) if parameter else None
        mech = _Mechanism(mechanism, ctypes.cast(param, ctypes.c_void_p) if param else None, len(parameter))
        raise_for(self._call("C_SignInit", session, ctypes.byref(mech), key))
        size = CK_ULONG(0)
        raise_for(self._call("C_Sign", session, data, len(data), None, ctypes.byref(size)))
        out = ctypes.create_string_buffer(size.value or 1)
        raise_for(self._call("C_Sign", session, data, len(data), out, ctypes.byref(size)))
        return out.raw[: size.value]

    def token_info(self, slot_id: int) -> tuple[bytes, dict[str, int | None]]:
        """C_GetTokenInfo's label as the module wrote it, and its memory fields (None where not reported):
        what python-pkcs11 decodes as UTF-8 only, or leaves out."""
        info = _TokenInfo()
        raise_for(self._call("C_GetTokenInfo", slot_id, ctypes.byref(info)))

        def value(v: int) -> int | None:
            return None if v in (_UNAVAILABLE, _UNAVAILABLE - 1) else int(v)

        return bytes(info.label), {"free_public_memory": value(info.ulFreePublicMemory),
                                   "total_public_memory": value(info.ulTotalPublicMemory),
                                   "free_private_memory": value(info.ulFreePrivateMemory)}

    def close_all_sessions(self, slot_id: int) -> None:
        raise_for(self._call("C_CloseAllSessions", slot_id))

    def attribute(self, session: int, obj: int, kind: int) -> bytes | None:
        """One attribute's raw bytes; None when the object does not have it or keeps it secret."""
        attr = _Attribute(kind, None, 0)
        rv = self._call("C_GetAttributeValue", session, obj, ctypes.byref(attr), 1)
        if rv or attr.value_len == CK_ULONG(-1).value:
            return None
        buf = ctypes.create_string_buffer(attr.value_len or 1)
        attr.value = ctypes.cast(buf, ctypes.c_void_p)
        if self._call("C_GetAttributeValue", session, obj, ctypes.byref(attr), 1):
            return None
        return buf.raw[: attr.value_len]


@cache
def raw_module(path: str) -> RawModule:
    """The function list of the library at ``path`` (loaded once per process)."""
    try:
        return RawModule(path)
    except OSError as exc:
        raise TokenError(str(exc)) from exc
