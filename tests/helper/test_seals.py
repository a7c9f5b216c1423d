"""Seal images: the demo seal's layout, importing a realistic scan, refusals, and safe output."""

from __future__ import annotations

import io
import math
import os
import random

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from helper import seals
from helper.messages import HelperError

UNIT = "石家庄示例科技有限公司"


def _ink(seal: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The fraction of pixels in ``box`` that carry ink (alpha > 128)."""
    alpha = seal.getchannel("A").crop(box)
    return sum(alpha.point(lambda v: v > 128 and 255).histogram()[255:]) / (alpha.width * alpha.height)


def _polar(centre: float, radius: float, degrees: float) -> tuple[int, int]:
    return round(centre + radius * math.cos(math.radians(degrees))), round(
        centre - radius * math.sin(math.radians(degrees))
    )


# --- demo seal ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> seals.SealImage:
    return seals.make_demo_seal(UNIT)


def test_demo_seal_is_a_transparent_square_png(demo):
    img = Image.open(io.BytesIO(demo.png))
    assert img.format == "PNG" and img.mode == "RGBA"
    assert img.size == (demo.width, demo.height) == (600, 600)
    assert UNIT in demo.name
    for x, y in [(0, 0), (599, 0), (0, 599), (599, 599), (40, 40), (560, 560)]:
        assert img.getpixel((x, y))[3] == 0


def test_demo_seal_has_a_solid_red_ring(demo):
    img = demo.image()
    ring_radius = 300 * 0.98 * (1 - 0.03)  # the middle of the ring
    samples = [img.getpixel(_polar(300, ring_radius, a)) for a in range(0, 360, 2)]
    assert sum(p[3] > 200 for p in samples) / len(samples) > 0.97
    assert all(p[:3] == seals.SEAL_RED for p in samples if p[3])
    # the star fills the centre
    assert img.getpixel((300, 300))[3] == 255


def test_demo_seal_text_follows_the_top_arc(demo):
    img = demo.image()
    r = 300 * 0.98
    arc_box = (300 - 0.3 * r, 300 - 0.9 * r, 300 + 0.3 * r, 300 - 0.6 * r)  # top centre of the text band
    assert _ink(img, tuple(map(round, arc_box))) > 0.15
    between = (300 - 0.1 * r, 300 - 0.55 * r, 300 + 0.1 * r, 300 - 0.38 * r)  # between text and star
    assert _ink(img, tuple(map(round, between))) < 0.01
    name_box = (300 - 0.4 * r, 300 + 0.45 * r, 300 + 0.4 * r, 300 + 0.62 * r)  # seal name under the star
    assert _ink(img, tuple(map(round, name_box))) > 0.1
    demo_box = (300 - 0.2 * r, 300 + 0.74 * r, 300 + 0.2 * r, 300 + 0.82 * r)  # the small DEMO mark
    assert 0.05 < _ink(img, tuple(map(round, demo_box))) < 0.6
    # the arc carries the unit name given, and only the arc changes with it
    other = seals.make_demo_seal("北京另一家单位有限公司").image()
    left, top, right, bottom = ImageChops.difference(img, other).getbbox()
    assert bottom < 300 + 0.45 * r


def test_demo_seal_is_roughly_symmetric(demo):
    img = demo.image()
    left = _ink(img, (0, 0, 300, 600))
    right = _ink(img, (300, 0, 600, 600))
    assert 0.85 < left / right < 1.18
    mirrored = ImageChops.multiply(
        img.getchannel("A"), img.getchannel("A").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    )
    overlap = sum(mirrored.point(lambda v: v > 128 and 255).histogram()[255:])
    assert overlap / (_ink(img, (0, 0, 600, 600)) * 600 * 600) > 0.6


@pytest.mark.parametrize(
    "unit, name", [("", "演示专用章"), ("   ", "演示专用章"), ("某" * 31, "演示专用章"), (UNIT, "")]
)
def test_demo_seal_refuses_empty_or_overlong_text(unit, name):
    with pytest.raises(HelperError) as raised:
        seals.make_demo_seal(unit, name)
    assert raised.value.code == "SEAL_TEXT_INVALID"
    assert "30" in raised.value.message("zh").explanation


def test_demo_seal_size_and_preview():
    seal = seals.make_demo_seal(UNIT, "合同专用章", size_px=240)
    assert (seal.width, seal.height) == (240, 240)
    thumb = Image.open(io.BytesIO(seal.preview(96)))
    assert thumb.mode == "RGB" and thumb.size == (96, 96)
    assert thumb.getpixel((0, 0)) == (255, 255, 255)


# --- importing a scan --------------------------------------------------------------------------------------

SCAN_SIZE = (1000, 800)
SCAN_CENTRE = (520, 390)
SCAN_RADIUS = 260  # outer edge of the ring
BLACK_LINE_Y = SCAN_CENTRE[1] + 60


def _scan_ink_mask() -> Image.Image:
    """Where the synthetic seal has ink: ring, star, strokes standing in for characters."""
    mask = Image.new("L", SCAN_SIZE, 0)
    draw = ImageDraw.Draw(mask)
    cx, cy = SCAN_CENTRE
    r = SCAN_RADIUS
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=16)
    star = [
        (
            cx + (80 if k % 2 == 0 else 31) * math.cos(math.pi / 2 + k * math.pi / 5),
            cy - (80 if k % 2 == 0 else 31) * math.sin(math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    draw.polygon(star, fill=255)
    for a in range(200, -30, -20):  # characters along the top arc: two strokes each
        x, y = cx + 200 * math.cos(math.radians(a)), cy - 200 * math.sin(math.radians(a))
        draw.line((x - 18, y - 18, x + 18, y + 18), fill=255, width=7)
        draw.line((x - 18, y, x + 18, y), fill=255, width=7)
    draw.rectangle((cx - 90, cy + 120, cx + 90, cy + 126), fill=255)  # seal name
    return mask


def _write_scan(path: os.PathLike, mask: Image.Image) -> None:
    """Paper with uneven lighting, a warm tint and noise; blotchy red ink; a black printed line; JPEG."""
    w, h = SCAN_SIZE
    vignette = Image.radial_gradient("L").resize(SCAN_SIZE)  # a photo: darker towards the corners
    side_light = Image.linear_gradient("L").rotate(90).resize(SCAN_SIZE)  # and towards the right
    light = ImageChops.add(vignette, side_light, 2)
    paper = Image.merge("RGB", [light.point(lambda v, d=d: 240 - v * 90 // 255 + d) for d in (4, 0, -12)])
    noise = Image.effect_noise(SCAN_SIZE, 12)
    paper = ImageChops.add(paper, Image.merge("RGB", [noise] * 3), 1, -128)
    draw = ImageDraw.Draw(paper)
    draw.line(
        (40, SCAN_CENTRE[1] + 60, w - 40, SCAN_CENTRE[1] + 60), fill=(35, 35, 40), width=4
    )  # printed text under the seal
    draw.rectangle((60, 700, 300, 712), fill=(30, 30, 30))
    rnd = random.Random(7)
    blotch = Image.new("L", (w // 20, h // 20))
    blotch.putdata([rnd.randint(150, 255) for _ in range(blotch.width * blotch.height)])
    strength = ImageChops.multiply(
        mask.filter(ImageFilter.GaussianBlur(0.8)), blotch.resize(SCAN_SIZE, Image.Resampling.BICUBIC)
    )
    ink = ImageChops.multiply(paper, Image.new("RGB", SCAN_SIZE, (200, 45, 60)))
    Image.composite(ink, paper, strength).filter(ImageFilter.GaussianBlur(0.5)).save(path, "JPEG", quality=70)


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> tuple[os.PathLike, Image.Image]:
    path = tmp_path_factory.mktemp("scan") / "印模.jpg"
    mask = _scan_ink_mask()
    _write_scan(path, mask)
    return path, mask


@pytest.fixture(scope="module")
def imported(scan) -> seals.SealImage:
    return seals.import_seal_image(scan[0])


def test_import_crops_to_a_square_around_the_seal(imported):
    img = imported.image()
    assert img.mode == "RGBA" and img.width == img.height == imported.width
    assert imported.width <= seals.MAX_SIZE_PX
    assert imported.name == "印模"
    left, top, right, bottom = img.getchannel("A").point(lambda v: v > 128 and 255).getbbox()
    assert (right - left) / img.width > 0.88  # only a small margin
    assert abs((left + right) / 2 - img.width / 2) < img.width * 0.02
    assert abs((top + bottom) / 2 - img.height / 2) < img.height * 0.02


def _to_output(img: Image.Image) -> tuple[float, float, float]:
    """Centre and scale mapping scan coordinates onto the imported seal (found from the ring)."""
    left, top, right, bottom = img.getchannel("A").point(lambda v: v > 128 and 255).getbbox()
    return (left + right) / 2, (top + bottom) / 2, (right - left) / 2 / SCAN_RADIUS


def test_import_makes_the_paper_transparent_and_keeps_the_red(scan, imported):
    img = imported.image()
    alpha = img.getchannel("A")
    ox, oy, k = _to_output(img)
    mask = scan[1]
    near_ink = mask.filter(ImageFilter.MaxFilter(9))  # leave out the ink's blurred edges
    ink_core = mask.filter(ImageFilter.MinFilter(5))
    paper, paper_clear, ink, ink_kept = 0, 0, 0, 0
    for y in range(0, SCAN_SIZE[1], 3):
        for x in range(0, SCAN_SIZE[0], 3):
            u, v = round(ox + (x - SCAN_CENTRE[0]) * k), round(oy + (y - SCAN_CENTRE[1]) * k)
            if not (0 <= u < img.width and 0 <= v < img.height):
                continue
            if near_ink.getpixel((x, y)) == 0:
                paper += 1
                paper_clear += alpha.getpixel((u, v)) == 0
            elif ink_core.getpixel((x, y)) == 255 and abs(y - BLACK_LINE_Y) > 6:
                ink += 1
                ink_kept += alpha.getpixel((u, v)) > 128
    assert paper > 10_000 and ink > 1_000
    assert paper_clear / paper > 0.98  # paper, lighting, noise and the black printed line are gone
    assert ink_kept / ink > 0.9  # the red ink is kept, faint blotches included
    assert {p[:3] for p in img.get_flattened_data() if p[3]} == {seals.SEAL_RED}


def test_import_edges_are_smooth(imported):
    alpha = imported.image().getchannel("A")
    partial = sum(alpha.histogram()[1:255])
    solid = alpha.histogram()[255]
    assert partial > 0.1 * solid  # anti-aliased edges, not a hard cut-out


def test_import_caps_the_size(tmp_path, scan):
    big = tmp_path / "big.png"
    Image.open(scan[0]).resize((2000, 1600), Image.Resampling.BICUBIC).save(big)
    seal = seals.import_seal_image(big)
    assert seal.width == seal.height == seals.MAX_SIZE_PX


def _error(path) -> HelperError:
    with pytest.raises(HelperError) as raised:
        seals.import_seal_image(path)
    return raised.value


def test_import_refuses_a_file_that_is_not_an_image(tmp_path):
    fake = tmp_path / "seal.jpg"
    fake.write_bytes(b"%PDF-1.7 not really a picture")
    error = _error(fake)
    assert error.code == "SEAL_IMAGE_INVALID" and error.params["path"] == str(fake)


def test_import_refuses_a_missing_file(tmp_path):
    assert _error(tmp_path / "nowhere.png").code == "FILE_NOT_FOUND"


def test_import_refuses_a_blank_page(tmp_path):
    blank = tmp_path / "blank.jpg"
    noise = Image.effect_noise((800, 600), 8)
    ImageChops.add(
        Image.new("RGB", (800, 600), (240, 240, 236)), Image.merge("RGB", [noise] * 3), 1, -128
    ).save(blank, quality=80)
    assert _error(blank).code == "SEAL_NO_RED_INK"


def test_import_refuses_a_greyscale_scan(tmp_path, scan):
    grey = tmp_path / "grey.png"
    Image.open(scan[0]).convert("L").save(grey)
    assert _error(grey).code == "SEAL_NO_RED_INK"


def test_import_refuses_a_tiny_image(tmp_path):
    tiny = tmp_path / "tiny.png"
    img = Image.new("RGB", (60, 60), "white")
    ImageDraw.Draw(img).ellipse((5, 5, 55, 55), outline=(200, 30, 40), width=4)
    img.save(tiny)
    error = _error(tiny)
    assert error.code == "SEAL_IMAGE_TOO_SMALL" and error.params["width"] == 60


# --- output ------------------------------------------------------------------------------------------------


def test_save_png_writes_once_and_refuses_to_overwrite(tmp_path, demo):
    target = tmp_path / "seal.png"
    demo.save_png(target)
    assert target.read_bytes() == demo.png
    other = seals.make_demo_seal("另一家单位")
    with pytest.raises(HelperError) as raised:
        other.save_png(target)
    assert raised.value.code == "OUTPUT_EXISTS" and str(target) in raised.value.message("zh").explanation
    assert target.read_bytes() == demo.png
    other.save_png(target, overwrite=True)
    assert target.read_bytes() == other.png
    assert os.listdir(tmp_path) == ["seal.png"]  # no temporary files left behind


def test_save_png_leaves_nothing_when_the_write_fails(tmp_path, demo, monkeypatch):
    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(HelperError) as raised:
        demo.save_png(tmp_path / "seal.png")
    assert raised.value.code == "DISK_FULL"
    assert os.listdir(tmp_path) == []


def test_save_png_into_an_impossible_folder(tmp_path, demo):
    (tmp_path / "file").write_text("x")
    with pytest.raises(HelperError) as raised:
        demo.save_png(tmp_path / "file" / "seal.png")
    assert raised.value.code == "OUTPUT_FOLDER_MISSING"


# --- the default seal rule -------------------------------------------------------------------------------


def test_default_seal_rule_one_several_none():
    only = seals.default_seal(["公章"])
    assert only.name == "公章" and only.notice() is None
    several = seals.default_seal(["财务专用章", "合同专用章", "公章"])
    assert several.name == sorted(["财务专用章", "合同专用章", "公章"])[0]
    notice = several.notice("zh")
    assert notice is not None and several.name in notice.title and "3" in notice.explanation
    assert several.name in several.notice("en").title
    none = seals.default_seal([])
    assert none.name is None and "只显示签章人和时间" in none.notice("zh").title
