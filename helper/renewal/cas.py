"""The CAs the helper knows for renewal (resources/cas.toml): online (CMP) renewal or the CA's web page."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from typing import Literal

import resources
from helper import certs


@dataclass(frozen=True)
class CaEntry:
    id: str
    name: str
    issuer_match: str
    cmp_url: str = ""
    cmp_protection: Literal["signature", "mac"] = "signature"
    renewal_site: str = ""

    @property
    def supports_cmp(self) -> bool:
        return bool(self.cmp_url)

    @classmethod
    def from_config(cls, raw: dict) -> CaEntry:
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown keys in cas.toml: {', '.join(sorted(unknown))}")
        return cls(**raw)


@cache
def known_cas() -> tuple[CaEntry, ...]:
    text = resources.path("cas.toml").read_text("utf-8")
    return tuple(CaEntry.from_config(raw) for raw in tomllib.loads(text).get("ca", []))


def ca_for(info: certs.CertInfo) -> CaEntry | None:
    """The CA entry whose issuer_match appears in the certificate's issuer, if any."""
    return next((ca for ca in known_cas() if ca.issuer_match in info.issuer), None)
