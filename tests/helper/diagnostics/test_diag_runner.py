"""The whole run: every check once, in order, in parallel within 3 s, with progress; failures become results."""

from __future__ import annotations

import time

from helper.diagnostics import CHECK_IDS, Facts, Status, run, worst


def test_full_run_is_fast_ordered_and_reports_progress(env, demo_token):
    seen: list[tuple[str, int, int]] = []
    started = time.monotonic()
    results = run(Facts(env(serial=demo_token.serial)), progress=lambda r, done, total: seen.append((r.check_id, done, total)))
    elapsed = time.monotonic() - started
    assert elapsed < 3.0
    assert tuple(r.check_id for r in results) == CHECK_IDS
    assert sorted(done for _, done, _ in seen) == list(range(1, len(CHECK_IDS) + 1))
    assert {total for _, _, total in seen} == {len(CHECK_IDS)} and {c for c, _, _ in seen} == set(CHECK_IDS)
    by_id = {r.check_id: r for r in results}
    assert by_id["key"].status is Status.OK and by_id["certificates"].status is Status.OK
    for r in results:
        assert r.message("zh").title and r.message("en").title
        assert r.status is not Status.SKIPPED or r.code.startswith("DIAG_SKIPPED_")


def test_a_subset_and_the_worst_status(env, demo_token):
    results = run(Facts(env(serial="0000feedface0000")), ("key", "pin", "clock"))
    assert [r.check_id for r in results] == ["key", "pin", "clock"]
    assert worst(results) is Status.ERROR
    assert worst(run(Facts(env(serial=demo_token.serial)), ("key", "pin"))) is Status.OK
