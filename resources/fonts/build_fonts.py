"""Build the shipped CJK base font ``cahelper-cjk.ttf`` from Debian's WenQuanYi Micro Hei.

Run from the repository root: ``.venv/bin/python -m resources.fonts.build_fonts [source.ttc]``.
One face is taken from the collection (pyHanko does not read .ttc) and cut down to ASCII, all of GB2312
(6763 hanzi and 682 symbols, full-width forms included) and a few punctuation marks GB2312 maps differently.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from helper.signing.fonts import ASCII_CHARS, BASE_FONT_NAME, subset_font

SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# Forms that documents use but Python's GB2312 codec maps elsewhere, plus 〇 for dates written in hanzi.
EXTRA_PUNCTUATION = "·—–…￥〇“”‘’"


def gb2312_chars() -> list[str]:
    """Every character of GB2312, found by decoding all two-byte code points."""
    chars = []
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def main(argv: list[str]) -> None:
    source = Path(argv[0]) if argv else SOURCE
    target = Path(__file__).with_name(BASE_FONT_NAME)
    chars = set(gb2312_chars()) | ASCII_CHARS | set(EXTRA_PUNCTUATION)
    target.write_bytes(subset_font(TTFont(source, fontNumber=0), chars))
    cmap = TTFont(target, lazy=True).getBestCmap()
    hanzi = sum(0x4E00 <= cp <= 0x9FFF for cp in cmap)
    print(f"{target}: {target.stat().st_size} bytes, {len(cmap)} characters ({hanzi} hanzi)")


if __name__ == "__main__":
    main(sys.argv[1:])
