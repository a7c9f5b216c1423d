"""The settings file: what the user set is kept, unknown keys are refused, retired keys of older versions are
read and dropped."""

from __future__ import annotations

import pytest

from helper import settings
from helper.messages import HelperError


def test_a_file_from_an_older_version_still_loads_and_loses_its_retired_key(tmp_path, monkeypatch):
    monkeypatch.setenv("CAHELPER_HOME", str(tmp_path))
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('language = "en"\nexpiry_warning_days = 30\nmax_pdf_mb = 50\n', "utf-8")
    loaded = settings.load()
    assert loaded.language == "en" and loaded.max_pdf_mb == 50
    settings.update(tsa_url="http://tsa.example")
    text = path.read_text("utf-8")
    assert "expiry_warning_days" not in text and 'tsa_url = "http://tsa.example"' in text
    assert settings.load().language == "en"


def test_an_unknown_key_is_refused_with_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("CAHELPER_HOME", str(tmp_path))
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text("languag = \"en\"\n", "utf-8")
    with pytest.raises(HelperError) as err:
        settings.load()
    assert err.value.code == "SETTINGS_INVALID" and "languag" in err.value.params["detail"]
