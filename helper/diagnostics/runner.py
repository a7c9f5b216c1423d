"""The list of checks, running them in parallel with progress, and running a repair."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from helper import messages
from helper.diagnostics import browsers, certificates, clock, drivers, portals, service, token, trust
from helper.diagnostics.facts import Facts
from helper.diagnostics.model import Check, CheckResult, Status, result

log = logging.getLogger(__name__)

CHECKS: tuple[Check, ...] = (
    Check("driver", "DIAG_CHECK_DRIVER", drivers.check_driver),
    Check("driver-arch", "DIAG_CHECK_DRIVER_ARCH", drivers.check_arch),
    Check("driver-conflict", "DIAG_CHECK_DRIVER_CONFLICT", drivers.check_conflicts),
    Check("key", "DIAG_CHECK_KEY", token.check_key),
    Check("pin", "DIAG_CHECK_PIN", token.check_pin),
    Check("key-space", "DIAG_CHECK_KEY_SPACE", token.check_space),
    Check("certificates", "DIAG_CHECK_CERTIFICATES", certificates.check_present),
    Check("cert-validity", "DIAG_CHECK_CERT_VALIDITY", certificates.check_validity),
    Check("cert-chain", "DIAG_CHECK_CERT_CHAIN", certificates.check_chain, certificates.fix_chain),
    Check("root-ca", "DIAG_CHECK_ROOT_CA", trust.check_roots, trust.fix_roots),
    Check("smartcard-service", "DIAG_CHECK_SCARD", service.check_smartcard_service),
    Check("local-service", "DIAG_CHECK_LOCAL_SERVICE", service.check_local_service),
    Check("clock", "DIAG_CHECK_CLOCK", clock.check_clock),
    Check("portals", "DIAG_CHECK_PORTALS", portals.check_portals),
    Check("browsers", "DIAG_CHECK_BROWSERS", browsers.check_browsers),
)
CHECK_IDS = tuple(c.id for c in CHECKS)

Progress = Callable[[CheckResult, int, int], None]  # (result, done so far, total)


def check(check_id: str) -> Check:
    for c in CHECKS:
        if c.id == check_id:
            return c
    raise messages.HelperError("DIAG_UNKNOWN_CHECK", check=check_id, known=", ".join(CHECK_IDS))


def run_one(c: Check, facts: Facts) -> CheckResult:
    """Run one check; a failure inside it becomes an error result with the failure's own message."""
    started = time.monotonic()
    try:
        outcome = c.run(facts)
    except Exception as exc:  # noqa: BLE001 - every failure is shown as this check's result
        message = messages.describe(exc)
        if message.code == "INTERNAL_ERROR":
            log.error("check %s failed", c.id, exc_info=exc)
        params = getattr(exc, "params", {}) if message.code != "INTERNAL_ERROR" else {"detail": type(exc).__name__}
        outcome = result(c.id, Status.ERROR, message.code, **params)
    outcome = CheckResult(outcome.check_id, outcome.status, outcome.code, outcome.params, outcome.details,
                          outcome.fixable and c.fix is not None, time.monotonic() - started)
    log.info("check %s: %s (%s) in %.2f s", c.id, outcome.status.value, outcome.code, outcome.seconds)
    return outcome


def run(facts: Facts, ids: tuple[str, ...] | None = None, progress: Progress | None = None) -> list[CheckResult]:
    """Run the checks (all, or ``ids``) in parallel; results come back in the order of CHECKS."""
    chosen = [check(i) for i in ids] if ids else list(CHECKS)
    results: dict[str, CheckResult] = {}
    with ThreadPoolExecutor(max_workers=len(chosen), thread_name_prefix="diagnostics") as pool:
        futures = {pool.submit(run_one, c, facts): c for c in chosen}
        for done in as_completed(futures):
            outcome = done.result()
            results[outcome.check_id] = outcome
            if progress is not None:
                progress(outcome, len(results), len(chosen))
    return [results[c.id] for c in chosen]


def repair(facts: Facts, check_id: str) -> CheckResult:
    """Apply the check's 修复 action, then run the check again on fresh facts and return that result."""
    c = check(check_id)
    if c.fix is None:
        raise messages.HelperError("DIAG_NOT_FIXABLE", check=check_id)
    log.info("repairing %s", check_id)
    c.fix(facts)
    return run_one(c, facts.fresh())


def worst(results: list[CheckResult]) -> Status:
    return max((r.status for r in results), key=lambda s: s.rank, default=Status.OK)
