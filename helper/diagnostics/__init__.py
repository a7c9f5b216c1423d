"""一键检测修复: checks that answer a clerk's usual questions, safe repairs, and a report for support.

    env = Environment(tokens=service, settings=settings.load())
    results = run(Facts(env), progress=callback)      # every check, in parallel
    after = repair(Facts(env), "root-ca")              # 修复, then the check again
    report.write(Path("report"), report.build(Facts(env), results))

Each check has a stable id (CHECK_IDS), a status (ok / warning / error / skipped) and a catalogue
message (resources/messages/diagnostics.toml) with 提示/说明/解决方案.
"""

from helper.diagnostics.facts import Environment, Facts
from helper.diagnostics.model import Check, CheckResult, Status
from helper.diagnostics.runner import CHECK_IDS, CHECKS, check, repair, run, worst

__all__ = ["CHECKS", "CHECK_IDS", "Check", "CheckResult", "Environment", "Facts", "Status", "check", "repair",
           "run", "worst"]
