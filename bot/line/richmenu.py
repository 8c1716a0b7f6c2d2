"""The OA's rich menu: an image drawn here in Thai within LINE's limits, installed so a rerun replaces it cleanly."""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from linebot.v3.messaging import PostbackAction, RichMenuArea, RichMenuBounds, RichMenuRequest, RichMenuSize
from PIL import Image, ImageDraw, ImageFont

from bot.i18n import LANGUAGES, t
from bot.line.client import LineCallFailed, LineClient, LineSettings

log = logging.getLogger(__name__)

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
MENU_NAME = "ita-bot main menu"
WIDTH, HEIGHT = 2500, 1686  # LINE's large size: 3 x 2 buttons
COLUMNS, ROWS = 3, 2
MAX_IMAGE_BYTES = 1024 * 1024
MAX_CHAT_BAR = 14
SUPERSAMPLE = 2  # shapes drawn at twice the size and scaled down: smooth edges without an antialiasing API
CARD_GAP = 18
TEXT_WIDTH = WIDTH // COLUMNS - 2 * CARD_GAP - 110  # text stays 55 px clear of each card's edges


class Button(NamedTuple):
    text: str  # catalog key: drawn on the image, and the displayText the citizen sees in the chat
    label: str  # catalog key: LINE's action label (accessibility), at most 20 UTF-16 units
    data: str  # postback data; the bot's engine and flows understand exactly these
    icon: str
    colour: str


# Keys are spelled out in full so tests/test_i18n.py finds them in the catalogs.
BUTTONS = (
    Button("richmenu.results.text", "richmenu.results.label", "ask=ผลการประเมิน ITA", "chart", "#1F4E8C"),
    Button(
        "richmenu.measures.text", "richmenu.measures.label", "ask=มาตรการส่งเสริมคุณธรรมและความโปร่งใส", "shield", "#0E7C7B"
    ),
    Button("richmenu.survey.text", "richmenu.survey.label", "flow=survey", "star", "#C98A00"),
    Button("richmenu.complaint.text", "richmenu.complaint.label", "flow=complaint", "alert", "#B03A2E"),
    Button("richmenu.track.text", "richmenu.track.label", "flow=track", "search", "#6C3483"),
    Button("richmenu.handoff.text", "richmenu.handoff.label", "flow=handoff", "person", "#1E8449"),
)


class RichMenuFailed(Exception):
    """The menu could not be installed; the message says what LINE answered and what was left behind."""


class Installed(NamedTuple):
    menu_id: str
    removed: int  # older menus of the same name deleted


# --- the definition ------------------------------------------------------------------------------


def cells() -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) of each button, row by row; the last column and row take the rounding."""
    xs = [round(WIDTH * i / COLUMNS) for i in range(COLUMNS + 1)]
    ys = [round(HEIGHT * j / ROWS) for j in range(ROWS + 1)]
    return [(xs[i], ys[j], xs[i + 1] - xs[i], ys[j + 1] - ys[j]) for j in range(ROWS) for i in range(COLUMNS)]


def definition(lang: str = "th") -> RichMenuRequest:
    """The menu as LINE wants it: one tappable area per drawn cell, each a postback."""
    areas = [
        RichMenuArea(
            bounds=RichMenuBounds(x=x, y=y, width=w, height=h),
            action=PostbackAction(label=t(b.label, lang), data=b.data, display_text=t(b.text, lang)),
        )
        for b, (x, y, w, h) in zip(BUTTONS, cells(), strict=True)
    ]
    return RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=HEIGHT),
        selected=True,
        name=MENU_NAME,
        chat_bar_text=t("richmenu.chat_bar", lang),
        areas=areas,
    )


# --- the image -----------------------------------------------------------------------------------


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Sarabun shaped by raqm: without it Thai vowels and tone marks land in the wrong place."""
    path = FONTS / ("Sarabun-Bold.ttf" if bold else "Sarabun-Regular.ttf")
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def _fitting(texts: list[str], width: int, largest: int, bold: bool) -> ImageFont.FreeTypeFont:
    """One size for every cell (uniform labels look deliberate), the largest at which the widest fits."""
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    size = largest
    while size > 24:
        face = font(size, bold)
        if all(probe.textbbox((0, 0), s, font=face, anchor="ls")[2] <= width for s in texts):
            return face
        size -= 2
    return font(size, bold)


def _icon(draw: ImageDraw.ImageDraw, kind: str, cx: float, cy: float, r: float, colour: str) -> None:
    """A white pictogram inside a circle of radius r (drawn at the supersampled scale)."""
    white = "#FFFFFF"
    u = r / 10  # a tenth of the radius: the grid the shapes below are drawn on
    if kind == "chart":
        base = cy + 4.5 * u
        for i, height in enumerate((4, 6.5, 9)):
            left = cx - 5.2 * u + i * 3.7 * u
            draw.rounded_rectangle((left, base - height * u, left + 2.8 * u, base), radius=0.5 * u, fill=white)
    elif kind == "shield":
        top, bottom = cy - 5.6 * u, cy + 6 * u
        outline = [(cx, top), (cx + 5 * u, top + 1.6 * u), (cx + 4.6 * u, cy + 1.5 * u), (cx, bottom)]
        outline += [(cx - 4.6 * u, cy + 1.5 * u), (cx - 5 * u, top + 1.6 * u)]
        draw.polygon(outline, fill=white)
        tick = [(cx - 2.4 * u, cy + 0.2 * u), (cx - 0.6 * u, cy + 2 * u), (cx + 2.6 * u, cy - 1.8 * u)]
        draw.line(tick, fill=colour, width=round(1.1 * u), joint="curve")
    elif kind == "star":
        points = []
        for i in range(10):
            radius = (6 if i % 2 == 0 else 2.6) * u
            angle = math.pi / 2 + i * math.pi / 5
            points.append((cx + radius * math.cos(angle), cy + 0.4 * u - radius * math.sin(angle)))
        draw.polygon(points, fill=white)
    elif kind == "alert":
        draw.rounded_rectangle((cx - 5.5 * u, cy - 4.8 * u, cx + 5.5 * u, cy + 2.8 * u), radius=1.6 * u, fill=white)
        draw.polygon(
            [(cx - 2.6 * u, cy + 2.5 * u), (cx - 3.4 * u, cy + 5.6 * u), (cx + 0.6 * u, cy + 2.5 * u)], fill=white
        )
        draw.rounded_rectangle((cx - 0.6 * u, cy - 3.4 * u, cx + 0.6 * u, cy + 0.2 * u), radius=0.6 * u, fill=colour)
        draw.ellipse((cx - 0.7 * u, cy + 0.8 * u, cx + 0.7 * u, cy + 2.2 * u), fill=colour)
    elif kind == "search":
        lens = 3.6 * u
        draw.ellipse((cx - 1.2 * u - lens, cy - 1.2 * u - lens, cx - 1.2 * u + lens, cy - 1.2 * u + lens), fill=white)
        inner = lens - 1.2 * u
        draw.ellipse(
            (cx - 1.2 * u - inner, cy - 1.2 * u - inner, cx - 1.2 * u + inner, cy - 1.2 * u + inner), fill=colour
        )
        draw.line([(cx + 1.6 * u, cy + 1.6 * u), (cx + 5 * u, cy + 5 * u)], fill=white, width=round(1.6 * u))
        draw.ellipse((cx + 4.2 * u, cy + 4.2 * u, cx + 5.8 * u, cy + 5.8 * u), fill=white)
    elif kind == "person":
        draw.ellipse((cx - 2.4 * u, cy - 5.6 * u, cx + 2.4 * u, cy - 0.8 * u), fill=white)
        draw.chord((cx - 5 * u, cy + 0.2 * u, cx + 5 * u, cy + 10.2 * u), 180, 360, fill=white)
        draw.rectangle((cx - 5 * u, cy + 5 * u, cx + 5 * u, cy + 5.4 * u), fill=white)
    else:
        raise ValueError(f"no icon called {kind!r}")


def texts(lang: str) -> tuple[list[str], list[str]]:
    """Each button's label, and the same in the other language to print small under it."""
    other = "en" if lang != "en" else next(code for code in LANGUAGES if code != "en")
    return [t(b.text, lang) for b in BUTTONS], [t(b.text, other) for b in BUTTONS]


def fonts(lang: str) -> tuple[ImageFont.FreeTypeFont, ImageFont.FreeTypeFont]:
    """Label and sub-label faces, as large as lets every text fit inside its card with a margin."""
    labels, subs = texts(lang)
    return _fitting(labels, TEXT_WIDTH, 92, bold=True), _fitting(subs, TEXT_WIDTH, 56, bold=False)


def draw_image(lang: str = "th") -> Image.Image:
    """The menu picture: per cell a card with a coloured pictogram, the label, and the other language under it."""
    s = SUPERSAMPLE
    shapes = Image.new("RGB", (WIDTH * s, HEIGHT * s), "#E9EEF4")
    pen = ImageDraw.Draw(shapes)
    gap, radius = CARD_GAP, 44
    for b, (x, y, w, h) in zip(BUTTONS, cells(), strict=True):
        card = (x + gap, y + gap, x + w - gap, y + h - gap)
        pen.rounded_rectangle([v * s for v in card], radius=radius * s, fill="#FFFFFF")
        cx, cy, r = (x + w / 2) * s, (y + h * 0.34) * s, 150 * s
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=b.colour)
        _icon(pen, b.icon, cx, cy, r, b.colour)
    image = shapes.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    text = ImageDraw.Draw(image)
    labels, subs = texts(lang)
    label_font, sub_font = fonts(lang)
    for label, sub, (x, y, w, h) in zip(labels, subs, cells(), strict=True):
        text.text((x + w / 2, y + h * 0.72), label, font=label_font, fill="#17202A", anchor="ms")
        text.text((x + w / 2, y + h * 0.86), sub, font=sub_font, fill="#566573", anchor="ms")
    return image


def encode(image: Image.Image) -> tuple[bytes, str]:
    """PNG when it fits LINE's 1 MB, else the best JPEG quality that does; (bytes, content type)."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    if out.tell() <= MAX_IMAGE_BYTES:
        return out.getvalue(), "image/png"
    for quality in (92, 85, 75, 60):
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
        if out.tell() <= MAX_IMAGE_BYTES:
            return out.getvalue(), "image/jpeg"
    raise RichMenuFailed(f"the rich menu image does not fit in {MAX_IMAGE_BYTES} bytes even as JPEG")


# --- installing ----------------------------------------------------------------------------------


def _client(client_or_config: LineClient | Mapping) -> LineClient:
    if isinstance(client_or_config, LineClient):
        return client_or_config
    return LineClient(LineSettings.from_config(client_or_config))


def _step(what: str, call: Callable):
    try:
        return call()
    except LineCallFailed as exc:
        raise RichMenuFailed(f"LINE refused to {what}: {exc.status} {exc.reason}") from None


def install_rich_menu(client_or_config: LineClient | Mapping, lang: str = "th") -> Installed:
    """Create, upload, make default, then delete older menus of the same name: never a moment without one."""
    client = _client(client_or_config)
    request = definition(lang)
    data, content_type = encode(draw_image(lang))
    menu_id = _step("create the rich menu", lambda: client.create_rich_menu(request))
    try:
        _step("take the rich menu image", lambda: client.set_rich_menu_image(menu_id, data, content_type))
        _step("make the new rich menu the default", lambda: client.set_default_rich_menu(menu_id))
    except RichMenuFailed as exc:
        try:
            client.delete_rich_menu(menu_id)
        except LineCallFailed as cleanup:
            raise RichMenuFailed(
                f"{exc}; the unfinished menu {menu_id} could not be deleted either ({cleanup})"
            ) from None
        raise RichMenuFailed(f"{exc}; the unfinished menu was deleted, the previous default is unchanged") from None
    done = f"the new menu {menu_id} is the default, but"
    try:
        older = [m.rich_menu_id for m in client.rich_menus() if m.name == MENU_NAME and m.rich_menu_id != menu_id]
    except LineCallFailed as exc:
        raise RichMenuFailed(f"{done} LINE refused to list the older ones ({exc}); run again to remove them") from None
    kept = []
    for old in older:
        try:
            client.delete_rich_menu(old)
        except LineCallFailed as exc:
            kept.append(f"{old} ({exc.status})")
    if kept:
        raise RichMenuFailed(f"{done} LINE refused to delete {', '.join(kept)}; run again to remove them")
    log.info("rich menu %s installed as default; %d older removed", menu_id, len(older))
    return Installed(menu_id, len(older))
