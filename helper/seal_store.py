"""Seal images kept on the USB key as PKCS#11 data objects, so the seal travels with the key.

Each seal is one data object: application ``cahelper-seal``, label = the seal's name, value = the PNG.
Objects are public (readable without the PIN, like the certificates) and writable only after login.
"""

from __future__ import annotations

import io
import unicodedata

from PIL import Image, UnidentifiedImageError

from helper.messages import HelperError
from helper.seals import DefaultSeal, SealImage, default_seal
from tokenio.errors import ObjectNotFound
from tokenio.session import DataObject, TokenSession
from tokenio.worker import SessionHandle, TokenService

APPLICATION = "cahelper-seal"
MAX_NAME_CHARS = 32
MAX_SEAL_BYTES = 256 * 1024  # USB keys have little memory; an imported seal PNG is far smaller


def check_name(name: str) -> str:
    name = name.strip()
    if not 0 < len(name) <= MAX_NAME_CHARS or any(unicodedata.category(c).startswith("C") for c in name):
        raise HelperError("SEAL_NAME_INVALID", name=name, max=MAX_NAME_CHARS)
    return name


def store(session: SessionHandle, seal: SealImage, name: str) -> None:
    """Write ``seal`` to the key under ``name`` (replacing a seal of that name). Needs a logged-in,
    read-write session."""
    name = check_name(name)
    if len(seal.png) > MAX_SEAL_BYTES:
        raise HelperError("SEAL_TOO_LARGE_FOR_KEY", size_kb=len(seal.png) // 1024, max_kb=MAX_SEAL_BYTES // 1024)
    session.run(TokenSession.write_data, APPLICATION, name, seal.png)


def remove(session: SessionHandle, name: str) -> None:
    """Delete the seal ``name`` from the key (logged-in, read-write session). Raises HelperError
    SEAL_NOT_ON_TOKEN when there is none of that name."""
    if not session.run(TokenSession.delete_data, APPLICATION, name):
        raise not_on_token(session, name)


def exists(session: SessionHandle, name: str) -> bool:
    """Whether the key holds a seal called ``name`` (read without the PIN)."""
    return any(o.label == name for o in list_seals(session))


def not_on_token(session: SessionHandle, name: str) -> HelperError:
    names = "、".join(o.label for o in list_seals(session)) or "（无）"
    return HelperError("SEAL_NOT_ON_TOKEN", name=name, serial=session.info.serial, names=names)


def list_seals(session: SessionHandle) -> list[DataObject]:
    """The seals stored on the key, by name."""
    return sorted(session.run(TokenSession.data_objects, APPLICATION), key=lambda o: o.label)


def default_on_key(session: SessionHandle) -> DefaultSeal:
    """The default seal rule (helper.seals.default_seal) applied to the seals on the key, read without the PIN."""
    return default_seal(o.label for o in list_seals(session))


def load(session: SessionHandle, name: str) -> SealImage:
    """The seal called ``name``. Raises HelperError SEAL_NOT_ON_TOKEN, SEAL_IMAGE_INVALID."""
    try:
        png = session.run(TokenSession.read_data, APPLICATION, name)
    except ObjectNotFound as exc:
        raise not_on_token(session, name) from exc
    try:
        with Image.open(io.BytesIO(png)) as img:
            width, height = img.size
    except (UnidentifiedImageError, OSError) as exc:
        raise HelperError("SEAL_IMAGE_INVALID", path=f"{session.info.serial}:{name}") from exc
    return SealImage(png, width, height, name)


def seals_on_key(tokens: TokenService, serial: str) -> list[SealImage]:
    """Every seal stored on the key, read without the PIN (the objects are public), for choosing one."""
    with tokens.session(serial) as session:
        return [load(session, o.label) for o in list_seals(session)]
