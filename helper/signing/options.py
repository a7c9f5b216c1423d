"""What a signature should look like and where it goes: frozen values built by ``from_config``.

Coordinates: pages are numbered from 1; ``x_mm``/``y_mm`` give the centre of the seal in millimetres from
the bottom-left corner of the page (as a ruler on the printed page would), ``size_mm`` its diameter.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from helper.messages import HelperError

Level = Literal["B-B", "B-T", "B-LT"]
Mode = Literal["coords", "anchor", "field", "invisible"]
LEVELS: tuple[Level, ...] = ("B-B", "B-T", "B-LT")
DEFAULT_SIZE_MM = 42.0  # a round company seal (国标 4.2 cm)
MM = 72 / 25.4  # points per millimetre


def _from_config(cls, raw: dict[str, Any]):
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise HelperError("SIGN_OPTION_INVALID", option=", ".join(sorted(unknown)), value="")
    return cls(**raw)


@dataclass(frozen=True)
class Placement:
    """Where the visible seal goes (``mode``), and whether a 骑缝章 runs along the right edge of every page.

    * ``coords``: on ``page`` with its centre at (``x_mm``, ``y_mm``); the default is the lower right area.
    * ``anchor``: centred on the first occurrence of ``anchor`` text (e.g. "（盖章）") on ``page``, or
      anywhere when ``page`` is 0.
    * ``field``: in the existing empty signature field ``field``.
    * ``invisible``: no seal on the page (the 骑缝章 may still be drawn).
    """

    mode: Mode = "coords"
    page: int = 0  # 1-based; 0 = last page for coords, any page for an anchor
    x_mm: float | None = None
    y_mm: float | None = None
    size_mm: float = DEFAULT_SIZE_MM
    anchor: str = ""
    field: str = ""
    cross_page: bool = False

    def __post_init__(self) -> None:
        if self.mode not in ("coords", "anchor", "field", "invisible"):
            raise HelperError("SIGN_OPTION_INVALID", option="mode", value=self.mode)
        if self.page < 0:
            raise HelperError("SIGN_OPTION_INVALID", option="page", value=str(self.page))
        if not 5 <= self.size_mm <= 200:
            raise HelperError("SIGN_OPTION_INVALID", option="size_mm", value=str(self.size_mm))
        if self.mode == "anchor" and not self.anchor.strip():
            raise HelperError("SIGN_OPTION_INVALID", option="anchor", value="")
        if self.mode == "field" and not self.field:
            raise HelperError("SIGN_OPTION_INVALID", option="field", value="")
        if (self.x_mm is None) != (self.y_mm is None):
            raise HelperError("SIGN_OPTION_INVALID", option="pos", value=f"{self.x_mm},{self.y_mm}")

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> Placement:
        return _from_config(cls, raw)

    @property
    def visible(self) -> bool:
        return self.mode != "invisible"

    @property
    def size_pt(self) -> float:
        return self.size_mm * MM


@dataclass(frozen=True)
class SignOptions:
    """How to sign: PAdES level, timestamp server, reason/location, certification, appearance text."""

    level: Level = "B-B"
    tsa_url: str = ""
    reason: str = ""
    location: str = ""
    certify: bool = False
    show_text: bool = True  # signer and time under the seal
    overwrite: bool = False
    placement: Placement = Placement()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise HelperError("SIGN_OPTION_INVALID", option="level", value=self.level)
        if self.level != "B-B" and not self.tsa_url:
            raise HelperError("TSA_URL_MISSING", level=self.level)

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> SignOptions:
        raw = dict(raw)
        if isinstance(raw.get("placement"), dict):
            raw["placement"] = Placement.from_config(raw["placement"])
        return _from_config(cls, raw)
