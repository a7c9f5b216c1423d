"""The demo portal's 参保登记名册: a one-page A4 PDF with a table of employees and "单位（盖章）" at the bottom."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from helper.signing.fonts import CJKFontFactory

A4 = (595.0, 842.0)
ANCHOR = "单位（盖章）"


@dataclass(frozen=True)
class Employee:
    name: str
    id_number: str
    gender: str
    start: str
    wage: str


DEMO_EMPLOYEES = (
    Employee("李明", "130102199001011234", "男", "2024-03-01", "5200"),
    Employee("王芳", "130104199205122345", "女", "2024-03-01", "4800"),
    Employee("赵强", "130105198811303456", "男", "2024-03-15", "6100"),
)
HEADERS = ("序号", "姓名", "公民身份号码", "性别", "参保日期", "缴费工资（元）")
COLUMNS = (40, 70, 150, 40, 90, 100)


def roster_pdf(unit: str, unit_code: str, employees: Sequence[Employee] = DEMO_EMPLOYEES,
               day: date | None = None) -> bytes:
    """The 企业养老保险人员参保登记名册 for ``unit`` as PDF bytes."""
    day = day or date.today()
    title = "企业养老保险人员参保登记名册"
    lines: list[tuple[float, float, float, str]] = [  # (x, y, size, text)
        (A4[0] / 2 - len(title) * 9, 770, 18, title),
        (60, 730, 11, f"单位名称：{unit}"),
        (60, 712, 11, f"统一社会信用代码：{unit_code}"),
        (380, 712, 11, f"填报日期：{day.isoformat()}"),
    ]
    top, row_h = 690.0, 26.0
    rows = [HEADERS] + [(str(n), e.name, e.id_number, e.gender, e.start, e.wage) for n, e in enumerate(employees, 1)]
    x0 = 60.0
    for r, row in enumerate(rows):
        x = x0
        for c, cell in enumerate(row):
            lines.append((x + 5, top - r * row_h - 17, 10, cell))
            x += COLUMNS[c]
    bottom = top - len(rows) * row_h
    lines += [
        (60, bottom - 30, 10, f"本单位共申报参保人员 {len(employees)} 人，以上信息真实有效。"),
        (330, bottom - 110, 12, ANCHOR),
        (330, bottom - 135, 11, f"{day.year} 年 {day.month} 月 {day.day} 日"),
        (60, 60, 9, "社会保险网上服务平台（演示） 生成 — 仅供演示"),
    ]
    text = "".join(t for *_, t in lines)
    writer = PdfFileWriter(stream_xrefs=False)
    font = CJKFontFactory(text).create_font_engine(writer)
    ops = [b"0.5 w"]
    width = sum(COLUMNS)
    for r in range(len(rows) + 1):
        y = top - r * row_h
        ops.append(f"{x0} {y} m {x0 + width} {y} l S".encode())
    x = x0
    for w in (0, *COLUMNS):
        x += w
        ops.append(f"{x} {top} m {x} {bottom} l S".encode())
    for x, y, size, t in lines:
        shaped = font.shape(t)
        ops.append(f"BT /F1 {size} Tf {x} {y} Td ".encode() + shaped.graphics_ops + b" ET")
    content = generic.StreamObject(stream_data=b"\n".join(ops))
    font.prepare_write()
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject(
        {pdf_name("/F1"): font.as_resource()})})
    page = PageObject(contents=writer.add_object(content), media_box=(0, 0, *A4), resources=resources)
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
