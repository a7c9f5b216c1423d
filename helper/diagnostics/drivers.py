"""Driver checks: a PKCS#11 driver is there and loads, its bitness matches, no two drivers collide."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict

from helper.diagnostics.facts import Facts
from helper.diagnostics.model import CheckResult, Status, result
from tokenio.drivers import helper_arch, read_arch
from tokenio.errors import TokenError


def _arch_text(path: str) -> str:
    try:
        arch = read_arch(path)
    except TokenError as exc:
        return exc.code
    return f"{arch.bits}-bit {arch.machine}"


def check_driver(f: Facts) -> CheckResult:
    """At least one driver loads; names the driver serving each inserted key."""
    statuses = f.modules()
    if not statuses:
        return result("driver", Status.ERROR, "NO_MODULE")
    loaded = [s for s in statuses if s.loaded]
    details = [f"{s.candidate.name}: {s.candidate.path} ({'OK' if s.loaded else s.error.code if s.error else '?'})"
               for s in statuses]
    if not loaded:
        return result("driver", Status.ERROR, "DIAG_DRIVER_NONE_LOADED", details, count=len(statuses))
    serving = sorted({t.module_name for t in f.tokens_or_none()})
    if serving:
        return result("driver", Status.OK, "DIAG_DRIVER_OK", details, names="、".join(serving))
    return result("driver", Status.OK, "DIAG_DRIVER_LOADED", details,
                  names="、".join(sorted({s.candidate.name for s in loaded})))


def check_arch(f: Facts) -> CheckResult:
    """Every driver file is a module built for this helper's architecture (32/64-bit explained)."""
    statuses = f.modules()
    if not statuses:
        return result("driver-arch", Status.SKIPPED, "DIAG_SKIPPED_NO_DRIVER")
    mine = helper_arch()
    details = [f"{s.candidate.path}: {_arch_text(s.candidate.path)}" for s in statuses]
    broken = [s for s in statuses if not s.loaded and s.error is not None]
    if not broken:
        return result("driver-arch", Status.OK, "DIAG_ARCH_OK", details, bits=mine.bits, machine=mine.machine)
    first = next((s for s in broken if s.candidate.source != "registry"), broken[0])
    anything_loaded = any(s.loaded for s in statuses)
    serious = first.candidate.source != "registry" or not anything_loaded
    return result("driver-arch", Status.ERROR if serious else Status.WARNING, first.error.code, details,
                  **first.error.params)


def _digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_conflicts(f: Facts) -> CheckResult:
    """One vendor file present twice in different versions (checked first: it is usually the cause),
    or two drivers claiming the same key."""
    by_name: dict[str, dict[str, str]] = defaultdict(dict)
    for status in f.modules():
        path = status.candidate.path
        if os.path.isfile(path):
            by_name[os.path.basename(path).lower()][path] = _digest(path)
    for name, versions in sorted(by_name.items()):
        if len(set(versions.values())) > 1:
            return result("driver-conflict", Status.WARNING, "DIAG_DRIVER_TWO_VERSIONS",
                          [f"{p}: sha256 {d[:16]}" for p, d in sorted(versions.items())],
                          file=name, paths="、".join(sorted(versions)))
    tokens = f.tokens_or_none()
    for status in f.env.tokens.modules():  # after the listing: the same key through two drivers is listed
        if status.shared_with:             # once, through the first, and the other is reported here
            paths = sorted({status.candidate.path, *status.shared_with.split(", ")})
            return result("driver-conflict", Status.WARNING, "DIAG_DRIVER_SAME_KEY", paths,
                          serial="、".join(status.shared_serials) or "-", paths="、".join(paths))
    by_serial: dict[str, set[str]] = defaultdict(set)
    for token in tokens:
        by_serial[token.serial].add(token.module_path)
    for serial, paths in sorted(by_serial.items()):
        if len(paths) > 1:
            return result("driver-conflict", Status.WARNING, "DIAG_DRIVER_SAME_KEY", sorted(paths),
                          serial=serial, paths="、".join(sorted(paths)))
    return result("driver-conflict", Status.OK, "DIAG_DRIVER_NO_CONFLICT")
