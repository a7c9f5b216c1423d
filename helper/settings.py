"""User settings (TOML under the platform's config dir), data/log folders, and keyring access.

Folders can be moved with CAHELPER_HOME (one folder holding config/, data/ and logs/), which the demo
and the tests use to stay out of the user's real profile. No secret is ever stored here.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helper.messages import HelperError

APP = "cahelper"
ENV_HOME = "CAHELPER_HOME"


def _base(kind: str) -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home) / kind
    import platformdirs  # not needed when CAHELPER_HOME is set; it costs a few ms at start-up

    return Path({
        "config": platformdirs.user_config_dir(APP, False),
        "data": platformdirs.user_data_dir(APP, False),
        "logs": platformdirs.user_log_dir(APP, False),
    }[kind])


def config_dir() -> Path:
    return _base("config")


def data_dir() -> Path:
    return _base("data")


def log_dir() -> Path:
    return _base("logs")


def user_ca_dir() -> Path:
    """Extra CA certificates the user trusts (added from Settings or by diagnostics)."""
    return data_dir() / "ca"


RETIRED_KEYS = frozenset({"expiry_warning_days"})  # written by earlier versions; read and dropped


@dataclass(frozen=True)
class Settings:
    """Everything the user can set. Unknown keys in the file are rejected (retired ones are dropped)."""

    language: str = "zh"
    module_paths: tuple[str, ...] = ()
    expiry_reminder_days: tuple[int, ...] = (90, 30, 7)
    autostart: bool = False
    service_port: int = 28960
    tsa_url: str = ""
    approved_origins: tuple[str, ...] = ()
    max_pdf_mb: int = 200
    pin_min_length: int = 6
    pin_max_length: int = 16
    support_contacts: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> Settings:
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        unknown = set(raw) - known - {"extra"} - RETIRED_KEYS
        if unknown:
            raise HelperError("SETTINGS_INVALID", detail=", ".join(sorted(unknown)))
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known}
        return cls(**values, extra=dict(raw.get("extra", {})))


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def load() -> Settings:
    path = settings_path()
    if not path.exists():
        return Settings()
    import tomllib

    try:
        return Settings.from_config(tomllib.loads(path.read_text("utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise HelperError("SETTINGS_INVALID", detail=str(exc)) from exc


def save(settings: Settings) -> None:
    """Write settings atomically."""
    from helper.fileio import atomic_write_bytes

    lines = []
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if f.name == "extra":
            continue
        lines.append(f"{f.name} = {_toml_value(value)}")
    if settings.extra:
        lines.append("\n[extra]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in settings.extra.items()]
    atomic_write_bytes(settings_path(), ("\n".join(lines) + "\n").encode("utf-8"), overwrite=True, parents=True)


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def update(**changes: Any) -> Settings:
    new = dataclasses.replace(load(), **changes)
    save(new)
    return new
