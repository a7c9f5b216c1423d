"""The support report: versions, OS, drivers, keys, certificates' public details, check results, log tail.

Only public facts go in: no PIN, no key material (certificates appear by subject, issuer, serial,
validity and fingerprint only), and log lines mentioning PEM blocks are dropped.
"""

from __future__ import annotations

import json
import platform
import sys
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helper import __version__, messages
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult
from helper.fileio import atomic_write_bytes
from helper.logsetup import own_lines
from helper.messages import HelperError
from tokenio.drivers import helper_arch

LOG_LINES = 200
_UNSAFE_LOG = ("-----BEGIN", "PRIVATE KEY")


def _safe(fn, default):
    try:
        return fn()
    except Exception:  # noqa: BLE001 - a report is written even when a part cannot be read
        return default


def _drivers(f: Facts) -> list[dict[str, Any]]:
    return [{"name": s.candidate.name, "vendor": s.candidate.vendor, "path": s.candidate.path,
             "source": s.candidate.source, "loaded": s.loaded, "error": s.error.code if s.error else None,
             "description": s.description} for s in _safe(f.modules, [])]


def _tokens(f: Facts) -> list[dict[str, Any]]:
    return [{"label": t.label, "serial": t.serial, "manufacturer": t.manufacturer, "model": t.model,
             "driver": t.module_name, "pin_state": t.pin.summary, "so_pin_locked": t.pin.so_locked,
             "free_public_memory": t.free_public_memory} for t in f.tokens_or_none()]


def _certificates(f: Facts) -> list[dict[str, Any]]:
    out = []
    for e in _safe(f.certificates, []):
        if e.info is None:
            out.append({"key": e.token.serial, "label": e.label, "readable": False, "problem": e.problem})
            continue
        i = e.info
        out.append({"key": e.token.serial, "label": e.label, "readable": True, "subject": i.subject,
                    "issuer": i.issuer, "serial": i.serial_hex, "not_before": f"{i.not_before:%Y-%m-%d %H:%M:%S}Z",
                    "not_after": f"{i.not_after:%Y-%m-%d %H:%M:%S}Z", "key_usage": list(i.key_usage),
                    "algorithm": f"{i.key_algorithm}-{i.key_size}", "sha256": i.sha256, "has_private_key": e.has_key})
    return out


def _log_tail(folder: Path) -> list[str]:
    path = folder / "cahelper.log"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", errors="replace") as fh:
        tail = deque(own_lines(fh), maxlen=LOG_LINES)
    return [line.rstrip("\n") for line in tail if not any(mark in line for mark in _UNSAFE_LOG)]


def build(f: Facts, results: list[CheckResult], lang: str | None = None) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    arch = helper_arch()
    return {
        "report": "cahelper diagnostics",
        "created": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z",
        "helper": {"version": __version__, "bits": arch.bits, "machine": arch.machine,
                   "frozen": bool(getattr(sys, "frozen", False))},
        "python": platform.python_version(),
        "os": {"system": platform.system(), "release": platform.release(), "version": platform.version(),
               "platform": platform.platform()},
        "drivers": _drivers(f),
        "keys": _tokens(f),
        "certificates": _certificates(f),
        "checks": [r.as_json(lang) for r in results],
        "log": _log_tail(f.env.log_dir),
    }


_STATUS = {"zh": {"ok": "正常", "warning": "注意", "error": "问题", "skipped": "未检测"},
           "en": {"ok": "OK", "warning": "warning", "error": "error", "skipped": "skipped"}}


def render_text(report: dict[str, Any], lang: str | None = None) -> str:
    """The same report as plain text for reading or e-mail."""
    lang = lang or messages.language()
    zh = lang == "zh"
    out = [f"数字证书助手 检测报告 / cahelper diagnostics report — {report['created']}", "",
           f"cahelper {report['helper']['version']} ({report['helper']['bits']}-bit {report['helper']['machine']}), "
           f"Python {report['python']}, {report['os']['platform']}", ""]
    out.append("检测结果 / Checks:" if zh else "Checks:")
    for c in report["checks"]:
        out.append(f"  [{_STATUS[lang][c['status']]}] {c['id']}: {c['message']}")
        if c["status"] in ("warning", "error"):
            out.append(f"      {c['explanation']}")
            out += [f"      {n}. {step}" for n, step in enumerate(c["remedy"], 1)]
        out += [f"      - {d}" for d in c["details"]]
    out += ["", "驱动 / Drivers:" if zh else "Drivers:"]
    out += [f"  {d['name']}: {d['path']} ({d['source']}, {'loaded' if d['loaded'] else d['error']})"
            for d in report["drivers"]] or ["  -"]
    out += ["", "U盾 / Keys:" if zh else "Keys:"]
    out += [f"  {k['label']} [{k['serial']}] {k['manufacturer']} {k['model']} — PIN: {k['pin_state']}"
            for k in report["keys"]] or ["  -"]
    out += ["", "证书 / Certificates:" if zh else "Certificates:"]
    for c in report["certificates"]:
        if not c["readable"]:
            out.append(f"  [{c['key']}] {c['label']}: {c['problem']}")
            continue
        out += [f"  [{c['key']}] {c['subject']}", f"      issuer: {c['issuer']}",
                f"      {c['not_before']} — {c['not_after']}, serial {c['serial']}, {c['algorithm']}",
                f"      SHA-256 {c['sha256']}"]
    if not report["certificates"]:
        out.append("  -")
    out += ["", f"日志（最近 {len(report['log'])} 行）/ Log:" if zh else f"Log (last {len(report['log'])} lines):"]
    out += [f"  {line}" for line in report["log"]]
    return "\n".join(out) + "\n"


def targets(path: Path) -> list[Path]:
    """FILE.json or FILE.txt as named; any other name gets both FILE.txt and FILE.json."""
    if path.suffix.lower() in (".json", ".txt"):
        return [path]
    return [path.with_name(path.name + ".txt"), path.with_name(path.name + ".json")]


def write(path: Path, report: dict[str, Any], *, overwrite: bool = False, lang: str | None = None) -> list[Path]:
    """Write the report atomically; refuses (OUTPUT_EXISTS) before writing anything if a target exists."""
    paths = targets(path)
    if not overwrite:
        for p in paths:
            if p.exists():
                raise HelperError("OUTPUT_EXISTS", path=str(p))
    for p in paths:
        data = (json.dumps(report, ensure_ascii=False, indent=2) if p.suffix.lower() == ".json"
                else render_text(report, lang))
        atomic_write_bytes(p, data.encode("utf-8"), overwrite=overwrite)
    return paths
