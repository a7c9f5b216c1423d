"""Where the seal goes is checked against the document before any PIN is asked for."""

from __future__ import annotations

import json

import pytest
from corpus import blank_pdf
from sigtools import options

from helper.messages import HelperError
from helper.signing.appearance import check_placement
from helper.signing.options import Placement
from helper.signing.pdfinput import read_pdf


@pytest.fixture
def one_page(tmp_path):
    path = tmp_path / "一页.pdf"
    path.write_bytes(blank_pdf(1))
    return read_pdf(path, max_mb=200)


@pytest.mark.parametrize("x_mm, y_mm", [(5000, 100), (100, 5000), (-10, 100), (200, 100), (100, 5)])
def test_seal_outside_the_page_is_refused(one_page, x_mm, y_mm):
    with pytest.raises(HelperError) as raised:
        check_placement(one_page, Placement(page=1, x_mm=x_mm, y_mm=y_mm))
    err = raised.value
    assert err.code == "SEAL_OFF_PAGE"
    assert err.params["width"] == "210" and err.params["height"] == "297" and err.params["page"] == 1
    zh = err.message("zh")
    assert "210" in zh.explanation and "页面" in zh.title
    assert "：" not in err.message("en").explanation


def test_seal_fully_on_the_page_is_accepted(one_page):
    check_placement(one_page, Placement(page=1, x_mm=21, y_mm=21))  # touching the lower left corner
    check_placement(one_page, Placement(page=1, x_mm=188.9, y_mm=276))  # touching the upper right corner (595 pt = 209.9 mm)
    check_placement(one_page, Placement())  # the default: lower right of the last page


def test_cross_page_seal_on_one_page_is_refused_before_signing(one_page):
    with pytest.raises(HelperError) as raised:
        check_placement(one_page, Placement(mode="invisible", cross_page=True))
    assert raised.value.code == "CROSS_PAGE_ONE_PAGE"


def test_signing_refuses_a_seal_off_the_page(signing, seal_png, tmp_path):
    src = tmp_path / "in.pdf"
    src.write_bytes(blank_pdf(1))
    with pytest.raises(HelperError) as raised:
        signing.one(src, tmp_path / "out.pdf", options(page=1, x_mm=5000, y_mm=100), seal_png)
    assert raised.value.code == "SEAL_OFF_PAGE"
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("extra", [["--pos", "5000,100"], ["--cross-page"]])
def test_cli_refuses_before_the_pin(run_cli, tmp_path, extra):
    src = tmp_path / "一页.pdf"
    src.write_bytes(blank_pdf(1))
    result = run_cli("sign", str(src), "--out", str(tmp_path / "out.pdf"), *extra, "--pin-stdin", "--json",
                     stdin="")  # no PIN given: the refusal comes first
    assert result.returncode == 5, result.stderr
    code = json.loads(result.stdout)["error"]["code"]
    assert code == ("SEAL_OFF_PAGE" if "--pos" in extra else "CROSS_PAGE_ONE_PAGE")
