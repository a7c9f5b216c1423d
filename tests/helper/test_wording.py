"""English counts and punctuation in CLI output."""

from __future__ import annotations

from helper.wording import count


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
