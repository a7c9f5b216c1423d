"""Helpers for the diagnostics tests."""

from __future__ import annotations

from helper.diagnostics import Environment, Facts, check
from helper.diagnostics.model import CheckResult
from helper.diagnostics.runner import run_one


def run_check(check_id: str, environment: Environment) -> CheckResult:
    """Run one check on fresh facts, as the runner does."""
    return run_one(check(check_id), Facts(environment))
