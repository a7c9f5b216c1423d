"""Values of a diagnostics run: a check's outcome, the checks themselves and what they look at."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from helper import messages

if TYPE_CHECKING:
    from helper.diagnostics.facts import Facts


class Status(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def rank(self) -> int:
        return {"skipped": 0, "ok": 1, "warning": 2, "error": 3}[self.value]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: a status and a catalogue message (提示/说明/解决方案).

    ``details`` are plain facts (paths, key labels, dates) shown under the message and in the report;
    ``fixable`` is True when the check offers a 修复 action for this outcome.
    """

    check_id: str
    status: Status
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    details: tuple[str, ...] = ()
    fixable: bool = False
    seconds: float = 0.0

    def message(self, lang: str | None = None) -> messages.Message:
        return messages.get(self.code, lang, **self.params)

    def as_json(self, lang: str | None = None) -> dict[str, Any]:
        m = self.message(lang)
        return {"id": self.check_id, "status": self.status.value, **m.as_json(), "details": list(self.details),
                "fixable": self.fixable, "seconds": round(self.seconds, 3)}


def result(check_id: str, status: Status, code: str, details: tuple[str, ...] | list[str] = (),
           fixable: bool = False, **params: Any) -> CheckResult:
    """Shorthand used by the checks."""
    return CheckResult(check_id, status, code, dict(params), tuple(details), fixable)


@dataclass(frozen=True)
class Check:
    """One diagnostic: ``run`` looks, ``fix`` (optional) repairs what ``run`` reported as fixable."""

    id: str
    name_code: str  # catalogue entry naming the check (its title) and saying what it looks at
    run: Callable[[Facts], CheckResult]
    fix: Callable[[Facts], None] | None = None

    def name(self, lang: str | None = None) -> str:
        return messages.get(self.name_code, lang).title
