"""English counts, punctuation and column alignment in CLI output."""

from __future__ import annotations

import json

from helper.wording import columns, count, pad


def test_counts():
    assert count(1, "file") == "1 file"
    assert count(2, "file") == "2 files"
    assert count(0, "page") == "0 pages"
    assert count(1, "day") == "1 day" and count(364, "day") == "364 days"
    assert count(2, "entry") == "2 entries"


def test_english_cli_output_uses_ascii_punctuation(run_cli, demo_token):
    for args in (("certs",), ("renew", "check")):
        result = run_cli("--lang", "en", *args)
        assert result.returncode == 0, result.stderr
        assert "364 days left" in result.stdout or "365 days left" in result.stdout
        assert not set("，：；。") & set(result.stdout), result.stdout  # names from the key may keep their （）


def test_columns_count_chinese_as_two():
    assert columns("SHA-1") == 5 and columns("持有人") == 6 and columns("（演示）") == 8
    assert pad("部门", 8) == "部门    " and columns(pad("统一社会信用代码", 4)) == 16


def test_cert_show_values_line_up_in_chinese(run_cli, demo_token):
    cert_id = json.loads(run_cli("certs", "--token", demo_token.serial, "--json").stdout)["certificates"][0]["id"]
    shown = run_cli("cert", "show", cert_id)
    assert shown.returncode == 0, shown.stderr
    rows = shown.stdout.split("证书链")[0].splitlines()
    starts = {columns(line[: len(line) - len(line.split("  ", 1)[1].lstrip())]) for line in rows}
    assert len(rows) > 10 and len(starts) == 1, shown.stdout
