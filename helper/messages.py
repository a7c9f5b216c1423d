"""The message catalogue: every failure a user can meet, as 提示 / 说明 / 解决方案 in zh_CN and en.

Entries live in ``resources/messages/*.toml`` (one file per domain), keyed by a stable code::

    [PIN_INCORRECT]
    exit = 4
    zh.title = "…"          # 提示: what happened, one line
    zh.explanation = "…"    # 说明: why
    zh.remedy = ["…", "…"]  # 解决方案: numbered steps
    en.title = "…"
    ...

Texts may hold ``{name}`` placeholders filled from the error's parameters.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from typing import Any

LANGUAGES = ("zh", "en")
_language = "zh"

# CLI exit codes by class; README documents them.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Message:
    """One rendered catalogue entry."""

    code: str
    title: str
    explanation: str
    remedy: tuple[str, ...]
    exit_code: int

    def as_text(self, lang: str | None = None) -> str:
        """The three parts as plain text, labelled in the given language."""
        lang = lang or _language
        labels, colon = _LABELS[lang], "：" if lang == "zh" else ": "
        lines = [f"{labels[0]}{colon}{self.title}", f"{labels[1]}{colon}{self.explanation}", f"{labels[2]}{colon}".rstrip()]
        lines += [f"  {i}. {step}" for i, step in enumerate(self.remedy, 1)]
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The stable JSON shape used by the CLI (--json) and the local service."""
        return {
            "code": self.code,
            "message": self.title,
            "explanation": self.explanation,
            "remedy": list(self.remedy),
        }


_LABELS = {"zh": ("提示", "说明", "解决方案"), "en": ("Problem", "Explanation", "Solution")}


class HelperError(Exception):
    """A failure the user can read: a catalogue code plus the parameters its texts need."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str | None = None) -> Message:
        return get(self.code, lang, **self.params)

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en').title}"


def set_language(lang: str) -> None:
    """Select the language for messages rendered without an explicit one."""
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    _language = lang


def language() -> str:
    return _language


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """All entries from every domain file, checked for duplicate codes."""
    import tomllib

    import resources

    entries: dict[str, dict[str, Any]] = {}
    folder = resources.path("messages")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        for code, entry in tomllib.loads(item.read_text("utf-8")).items():
            if code in entries:
                raise ValueError(f"message code {code} defined twice ({item.name})")
            entries[code] = entry
    return entries


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, params: dict[str, Any]) -> str:
    return string.Formatter().vformat(text, (), _Lenient(params))


def get(code: str, lang: str | None = None, **params: Any) -> Message:
    """Render the entry ``code`` in ``lang`` (default: the current language)."""
    lang = lang or _language
    entry = catalogue().get(code) or catalogue()["INTERNAL_ERROR"]
    texts = entry[lang]
    return Message(
        code=code if code in catalogue() else "INTERNAL_ERROR",
        title=_fill(texts["title"], params),
        explanation=_fill(texts["explanation"], params),
        remedy=tuple(_fill(step, params) for step in texts["remedy"]),
        exit_code=int(entry.get("exit", EXIT_FAILURE)),
    )


def describe(exc: BaseException, lang: str | None = None) -> Message:
    """The user-facing message for any exception: catalogue errors as they are, the rest as INTERNAL_ERROR."""
    from tokenio.errors import TokenError

    if isinstance(exc, HelperError):
        return exc.message(lang)
    if isinstance(exc, TokenError):
        return get(exc.code, lang, **exc.params)
    return get("INTERNAL_ERROR", lang, detail=type(exc).__name__)
