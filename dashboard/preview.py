"""Link preview images (issue 15, item 4): a PNG of a view's figures, drawn by the site itself with
Pillow, with no network and no browser at request time.

`economy_card()` draws an economy's figures on a day; `site_card()` the registry as a whole. The
text is in the active language. Fonts come from the machine: AEO_PREVIEW_FONT if set, else a CJK
font from Debian's `fonts-wqy-microhei` or `fonts-noto-cjk` (which also cover Latin), else DejaVu
Sans, else Pillow's own font. Without a CJK font a Chinese card cannot show its Chinese text, so
`make bench`-style machines and CI install `fonts-wqy-microhei` (README, "Link previews").
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630  # OpenGraph's and Twitter's large-image size
BACKGROUND = "#ffffff"
ACCENT = "#2a6f97"
TEXT = "#1a1a1a"
MUTED = "#555555"

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def font_path(chinese: bool) -> str | None:
    """The font file to draw with, or None for Pillow's own."""
    chosen = os.environ.get("AEO_PREVIEW_FONT", "")
    order = CJK_FONTS + LATIN_FONTS if chinese else LATIN_FONTS + CJK_FONTS
    candidates = ([chosen] if chosen else []) + list(order)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@functools.cache
def _font(size: int, chinese: bool) -> Font:
    path = font_path(chinese)
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def long_date(day: dt.date) -> str:
    """31 August 2021 / 2021年8月31日."""
    if (translation.get_language() or "en").startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return f"{day.day} {months[day.month - 1]} {day.year}"


class _Card:
    def __init__(self) -> None:
        self.chinese = (translation.get_language() or "en").startswith("zh")
        self.image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.rectangle((0, 0, WIDTH, 14), fill=ACCENT)

    def font(self, size: int) -> Font:
        return _font(size, self.chinese)

    def text(
        self, xy: tuple[int, int], text: str, size: int, fill: str = TEXT, width: int = WIDTH - 120
    ) -> int:
        """Draw `text` from `xy`, shrinking it to fit `width`; returns the y below it."""
        while size > 14 and self.draw.textlength(text, font=self.font(size)) > width:
            size -= 2
        font = self.font(size)
        self.draw.text(xy, text, font=font, fill=fill)
        return xy[1] + int(size * 1.3)

    def footer(self, version: str) -> None:
        self.draw.line((60, HEIGHT - 90, WIDTH - 60, HEIGHT - 90), fill="#dddddd", width=2)
        brand = gettext("AEO Registry")
        self.text((60, HEIGHT - 70), brand, 30, ACCENT)
        note = gettext("data version %(version)s") % {"version": version}
        length = self.draw.textlength(note, font=self.font(24))
        self.text((int(WIDTH - 60 - length), HEIGHT - 64), note, 24, MUTED)

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG", optimize=True)
        return out.getvalue()


def economy_card(
    *,
    economy_name: str,
    code: str,
    day: dt.date,
    basis_label: str,
    countries: int,
    economies: int,
    rank_by_countries: int | None,
    rank_by_economies: int | None,
    version: str,
) -> bytes:
    card = _Card()
    y = card.text(
        (60, 60), gettext("AEO mutual recognition: %(economy)s") % {"economy": f"{economy_name} ({code})"}, 52
    )
    y = card.text(
        (60, y + 10),
        gettext("As of %(day)s, %(basis)s basis") % {"day": long_date(day), "basis": basis_label},
        34,
        MUTED,
    )
    columns = [
        (countries, gettext("Partner countries and regions"), rank_by_countries),
        (economies, gettext("Partner economies"), rank_by_economies),
    ]
    for index, (value, label, rank) in enumerate(columns):
        x = 60 + index * 560
        card.text((x, y + 40), str(value), 150, ACCENT, width=500)
        card.text((x, y + 240), label, 34, TEXT, width=500)
        if rank:
            card.text((x, y + 290), gettext("World rank %(rank)s") % {"rank": rank}, 28, MUTED, width=500)
    card.footer(version)
    return card.png()


def site_card(*, arrangements: int, economies: int, day: dt.date, version: str) -> bytes:
    card = _Card()
    y = card.text((60, 70), gettext("AEO Registry"), 72, ACCENT)
    y = card.text(
        (60, y + 20),
        gettext("AEO mutual recognition arrangements between customs administrations"),
        38,
    )
    y = card.text((60, y + 10), gettext("counted as of any date, with their sources"), 34, MUTED)
    figures = gettext("%(arrangements)s arrangements · %(economies)s economies · %(day)s") % {
        "arrangements": arrangements,
        "economies": economies,
        "day": long_date(day),
    }
    card.text((60, y + 80), figures, 40, TEXT)
    card.footer(version)
    return card.png()
