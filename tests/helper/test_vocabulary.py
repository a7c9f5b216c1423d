"""One vocabulary in every Chinese message: 口令 / 数字证书口令 / 管理员口令 for the PIN, 网站, no 端口 or 驱动位数."""

from __future__ import annotations

import re

from helper.messages import catalogue

WRONG = re.compile(r"PIN|(?<!数字)证书口令|请求方(?!式)|端口|驱动位数")
FILE_PASSWORDS = {"PDF_PASSWORD_REQUIRED", "PDF_PASSWORD_WRONG"}  # a PDF's own password, not the key's PIN


def _zh_texts(entry: dict) -> list[str]:
    zh = entry.get("zh", {})
    return [zh.get("title", ""), zh.get("explanation", ""), *zh.get("remedy", [])]


def test_chinese_messages_use_one_word_for_the_pin():
    found = {}
    for code, entry in catalogue().items():
        for text in _zh_texts(entry):
            if "开发人员" in text:  # steps for website developers keep their technical words
                continue
            bad = WRONG.findall(text) + (re.findall("密码", text) if code not in FILE_PASSWORDS else [])
            if bad:
                found.setdefault(code, []).append(text)
    assert found == {}
