"""The message catalogue: every code complete in both languages, every token error rendered."""

import inspect
import re

import pytest

import tokenio.errors as token_errors
from helper import messages

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_entry_has_three_parts_in_both_languages():
    for code, entry in messages.catalogue().items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", code), code
        for lang in messages.LANGUAGES:
            texts = entry[lang]
            assert texts["title"].strip() and texts["explanation"].strip(), (code, lang)
            assert isinstance(texts["remedy"], list) and texts["remedy"], (code, lang)
        assert isinstance(entry.get("exit", 1), int)


def test_placeholders_match_across_languages():
    for code, entry in messages.catalogue().items():
        found = {}
        for lang in messages.LANGUAGES:
            t = entry[lang]
            found[lang] = set(PLACEHOLDER.findall(" ".join([t["title"], t["explanation"], *t["remedy"]])))
        assert found["zh"] == found["en"], code


def test_chinese_texts_are_chinese_and_english_texts_are_not():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for code, entry in messages.catalogue().items():
        assert cjk.search(entry["zh"]["title"]), code
        assert not cjk.search(entry["en"]["title"] + entry["en"]["explanation"]), code


def test_every_token_error_code_is_in_the_catalogue():
    codes = set()
    for _, cls in inspect.getmembers(token_errors, inspect.isclass):
        if issubclass(cls, token_errors.TokenError):
            codes.add(cls.code)
    codes |= {"PIN_INCORRECT_COUNT_LOW", "PIN_INCORRECT_FINAL_TRY", "SO_PIN_INCORRECT_FINAL_TRY"}
    missing = codes - set(messages.catalogue())
    assert not missing


@pytest.mark.parametrize(("state", "code"), [
    (token_errors.PinState(count_low=True), "PIN_INCORRECT_COUNT_LOW"),
    (token_errors.PinState(final_try=True), "PIN_INCORRECT_FINAL_TRY"),
    (token_errors.PinState(locked=True), "PIN_LOCKED"),
    (token_errors.PinState(), "PIN_INCORRECT"),
])
def test_wrong_pin_wording_follows_the_flags(state, code):
    message = messages.describe(token_errors.PinIncorrect("x", state), "zh")
    assert message.code == code
    if code == "PIN_INCORRECT_FINAL_TRY":
        assert "最后一次机会" in message.title


def test_rendering_fills_parameters_and_labels():
    text = messages.get("MODULE_NOT_FOUND", "zh", path="C:/x.dll").as_text("zh")
    assert text.startswith("提示：") and "说明：" in text and "解决方案：" in text and "C:/x.dll" in text
    data = messages.get("MODULE_NOT_FOUND", "en", path="x").as_json()
    assert set(data) == {"code", "message", "explanation", "remedy"}


def test_unknown_exceptions_become_internal_error_without_details_of_the_code():
    message = messages.describe(KeyError("secret"), "zh")
    assert message.code == "INTERNAL_ERROR" and "secret" not in message.explanation
