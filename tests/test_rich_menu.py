"""`flask --app app rich-menu`: the drawn Thai image, the menu LINE gets, and a rerun that replaces it cleanly."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageDraw

from bot.i18n import LANGUAGES, t
from bot.line.client import LineCallFailed, LineClient, LineSettings
from bot.line.richmenu import (
    BUTTONS,
    HEIGHT,
    MAX_CHAT_BAR,
    MAX_IMAGE_BYTES,
    MENU_NAME,
    WIDTH,
    RichMenuFailed,
    cells,
    definition,
    draw_image,
    encode,
    font,
    fonts,
    install_rich_menu,
    texts,
)
from tests.line_standin import check_rich_menu, utf16_len

EXPECTED = [
    ("ask=ผลการประเมิน ITA", "ผลการประเมิน ITA"),
    ("ask=มาตรการส่งเสริมคุณธรรมและความโปร่งใส", "มาตรการ"),
    ("flow=survey", "ประเมินความพึงพอใจ"),
    ("flow=complaint", "ร้องเรียน / แจ้งเรื่อง"),
    ("flow=track", "ติดตามเรื่อง"),
    ("flow=handoff", "คุยกับเจ้าหน้าที่"),
]


@pytest.fixture(scope="module")
def thai_image() -> Image.Image:
    return draw_image("th")


def install(runner, line) -> str:
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 0, result.output
    return line.default_rich_menu


def assert_installed_image(line, menu_id: str) -> None:
    data, content_type = line.rich_menu_images[menu_id]
    image = Image.open(io.BytesIO(data))
    assert content_type in {"image/png", "image/jpeg"} and image.format in {"PNG", "JPEG"}
    assert image.size == (WIDTH, HEIGHT) and len(data) <= MAX_IMAGE_BYTES


# --- installing through the command and the LINE stand-in ------------------------------------------


def test_the_command_installs_one_default_menu_with_the_six_buttons(runner, line):
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 0, result.output
    assert list(line.rich_menus) == [line.default_rich_menu]
    menu_id = line.default_rich_menu
    assert menu_id in result.output and "0 older menu(s) removed" in result.output
    menu = line.rich_menus[menu_id]
    assert menu["name"] == MENU_NAME and menu["chatBarText"] == "เมนู" and menu["selected"] is True
    assert menu["size"] == {"width": 2500, "height": 1686}
    actions = [area["action"] for area in menu["areas"]]
    assert [(a["type"], a["data"], a["displayText"]) for a in actions] == [("postback", *e) for e in EXPECTED]
    assert_installed_image(line, menu_id)


def test_the_areas_tile_the_image_in_three_columns_and_two_rows(runner, line):
    menu = line.rich_menus[install(runner, line)]
    bounds = [area["bounds"] for area in menu["areas"]]
    assert sum(b["width"] * b["height"] for b in bounds) == WIDTH * HEIGHT  # no gap, and (with below) no overlap
    assert sorted({b["x"] for b in bounds}) == [0, 833, 1667] and sorted({b["y"] for b in bounds}) == [0, 843]
    assert all(b["x"] + b["width"] <= WIDTH and b["y"] + b["height"] <= HEIGHT for b in bounds)


def test_a_second_run_replaces_the_first_and_leaves_other_menus_alone(runner, line, app):
    client = LineClient(LineSettings.from_config(app.config))
    other = definition("th").copy(update={"name": "campaign menu"})
    other_id = client.create_rich_menu(other)
    first = install(runner, line)
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 0, result.output
    second = line.default_rich_menu
    assert second != first and second in result.output and "1 older menu(s) removed" in result.output
    assert set(line.rich_menus) == {second, other_id}
    assert first not in line.rich_menu_images
    assert ("DELETE", f"/v2/bot/richmenu/{first}") in line.requests
    # The old menu goes only after the new one is the default: never a moment without a menu.
    order = [path for _, path in line.requests]
    assert order.index(f"/v2/bot/user/all/richmenu/{second}") < order.index(f"/v2/bot/richmenu/{first}")
    assert_installed_image(line, second)


def test_an_upload_LINE_refuses_leaves_no_half_made_menu_and_the_old_default(runner, line):
    first = install(runner, line)
    line.fail("/v2/bot/richmenu/", status=400)  # the next request there is the new menu's image upload
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 1
    assert "LINE refused to take the rich menu image: 400" in result.output
    assert "unfinished menu was deleted" in result.output and "Traceback" not in result.output
    assert list(line.rich_menus) == [first] and line.default_rich_menu == first


def test_a_refused_default_deletes_the_new_menu_and_keeps_the_old_default(runner, line):
    first = install(runner, line)
    line.fail("/v2/bot/user/all/richmenu/", status=403)
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 1 and "make the new rich menu the default: 403" in result.output
    assert list(line.rich_menus) == [first] and line.default_rich_menu == first


def test_when_the_cleanup_fails_too_the_error_names_the_menu_left_behind(runner, line):
    line.fail("/v2/bot/richmenu/", status=400, times=2)  # the upload, then the delete of the new menu
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 1
    [left] = line.rich_menus
    assert f"unfinished menu {left} could not be deleted either" in result.output
    assert line.default_rich_menu is None


def test_old_menus_LINE_will_not_delete_are_named_and_the_new_default_stands(runner, line):
    first = install(runner, line)
    line.fail(f"/v2/bot/richmenu/{first}", status=500, times=4)  # every retry of the delete
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 1
    second = line.default_rich_menu
    assert second != first and set(line.rich_menus) == {first, second}
    assert f"the new menu {second} is the default, but LINE refused to delete {first} (500)" in result.output
    assert runner.invoke(args=["rich-menu"]).exit_code == 0  # the rerun it advises clears both
    assert list(line.rich_menus) == [line.default_rich_menu]


def test_a_refused_create_is_a_clear_error(runner, line):
    line.fail("/v2/bot/richmenu", status=401)
    result = runner.invoke(args=["rich-menu"])
    assert result.exit_code == 1 and "Error: LINE refused to create the rich menu: 401" in result.output
    assert line.rich_menus == {}


def test_install_takes_a_client_and_another_language(line):
    client = LineClient(LineSettings(access_token=line.access_token, base_url=line.url))
    installed = install_rich_menu(client, lang="en")
    assert installed.removed == 0 and line.default_rich_menu == installed.menu_id
    menu = line.rich_menus[installed.menu_id]
    assert menu["chatBarText"] == "Menu"
    assert [a["action"]["label"] for a in menu["areas"]] == [t(b.label, "en") for b in BUTTONS]
    assert [a["action"]["data"] for a in menu["areas"]] == [data for data, _ in EXPECTED]


def test_save_image_only_writes_the_picture(runner, line, tmp_path):
    path = tmp_path / "menu.png"
    result = runner.invoke(args=["rich-menu", "--save-image", str(path)])
    assert result.exit_code == 0, result.output
    with Image.open(path) as image:
        assert image.size == (WIDTH, HEIGHT) and image.format == "PNG" and path.stat().st_size <= MAX_IMAGE_BYTES
    assert line.requests == [] and line.rich_menus == {}


# --- the stand-in enforces LINE's rich menu limits --------------------------------------------------


def test_the_stand_in_refuses_what_LINE_refuses(line):
    client = LineClient(LineSettings(access_token=line.access_token, base_url=line.url))
    good = definition("th")
    too_long = good.copy(update={"chat_bar_text": "เมนูหลักของหน่วยงานเรา"})
    with pytest.raises(LineCallFailed) as refused:
        client.create_rich_menu(too_long)
    assert refused.value.status == 400 and any("chatBarText" in v for v in line.violations)
    menu_id = client.create_rich_menu(good)
    small = io.BytesIO()
    Image.new("RGB", (1200, 405), "white").save(small, format="PNG")
    with pytest.raises(LineCallFailed):
        client.set_rich_menu_image(menu_id, small.getvalue(), "image/png")
    assert any("(1200, 405)" in v for v in line.violations)
    with pytest.raises(LineCallFailed):
        client.set_default_rich_menu(menu_id)  # no image yet
    with pytest.raises(LineCallFailed) as unknown:
        client.set_default_rich_menu("richmenu-unknown")
    assert unknown.value.status == 404
    line.violations.clear()  # seen; the fixture checks that nothing else broke a limit


def test_the_stand_in_checks_areas_and_bounds():
    menu = definition("th").to_dict()
    assert check_rich_menu(menu) == []
    menu["areas"] = menu["areas"] * 4  # 24 areas
    menu["areas"][0] = {**menu["areas"][0], "bounds": {"x": 2000, "y": 0, "width": 833, "height": 843}}
    problems = check_rich_menu(menu)
    assert any("24 areas" in p for p in problems) and any("not inside" in p for p in problems)


# --- the definition fits LINE -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_fits_LINE_limits(lang):
    menu = definition(lang)
    assert 1 <= utf16_len(menu.chat_bar_text) <= MAX_CHAT_BAR
    assert len(menu.areas) == len(BUTTONS) == 6
    for area in menu.areas:
        action = area.action
        assert 1 <= utf16_len(action.label) <= 20, action.label
        assert 1 <= utf16_len(action.display_text) <= 300 and 1 <= len(action.data) <= 300
    assert check_rich_menu(menu.to_dict()) == []


# --- the picture --------------------------------------------------------------------------------------


def test_the_font_draws_thai_letters_not_missing_glyph_boxes():
    face = font(80, bold=True)
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, _, right, _ = draw.textbbox((0, 0), "ผลการประเมิน ITA 0123", font=face)
    assert right - left > 300

    def glyph(text: str) -> Image.Image:
        image = Image.new("L", (200, 200))
        ImageDraw.Draw(image).text((20, 150), text, font=face, fill=255, anchor="ls")
        return image

    # A font without Thai draws the same empty box for every Thai letter.
    assert ImageChops.difference(glyph("ก"), glyph("ข")).getbbox() is not None
    # Shaped by raqm, a tone mark over an upper vowel is lifted above it; unshaped, the two collide.
    assert draw.textbbox((0, 0), "ที่", font=face)[1] < draw.textbbox((0, 0), "ที", font=face)[1] - 10


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labels_stay_readable_and_inside_their_cards(lang):
    label_font, sub_font = fonts(lang)
    assert label_font.size >= 64 and sub_font.size >= 40  # about 10 and 6 points on a phone
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    labels, subs = texts(lang)
    for text, face in [*((s, label_font) for s in labels), *((s, sub_font) for s in subs)]:
        left, _, right, _ = draw.textbbox((0, 0), text, font=face, anchor="ms")
        assert right - left <= WIDTH // 3 - 100, text


def test_the_image_has_each_buttons_colour_icon_and_dark_label_text(thai_image):
    assert thai_image.size == (WIDTH, HEIGHT)
    colours = thai_image.getcolors(maxcolors=WIDTH * HEIGHT)
    assert len(colours) > 50  # not blank: antialiased text and shapes
    present = {rgb for _, rgb in colours}
    for button, (x, y, w, h) in zip(BUTTONS, cells(), strict=True):
        assert tuple(int(button.colour[i : i + 2], 16) for i in (1, 3, 5)) in present
        label_band = thai_image.crop((x, round(y + h * 0.6), x + w, round(y + h * 0.75))).convert("L")
        assert label_band.getextrema()[0] < 60, f"no dark label text in {button.text}"
        icon = thai_image.crop(
            (x + w // 2 - 150, round(y + h * 0.34) - 150, x + w // 2 + 150, round(y + h * 0.34) + 150)
        )
        assert len(icon.getcolors(maxcolors=300 * 300)) > 10, f"no icon drawn in {button.text}"


def test_an_image_too_big_for_png_goes_as_jpeg_within_1_mb():
    busy = Image.blend(
        Image.effect_mandelbrot((WIDTH, HEIGHT), (-2, -1.2, 1, 1.2), 100).convert("RGB"),
        Image.effect_noise((WIDTH, HEIGHT), 8).convert("RGB"),
        0.3,
    )
    data, content_type = encode(busy)
    assert content_type == "image/jpeg" and len(data) <= MAX_IMAGE_BYTES
    assert Image.open(io.BytesIO(data)).size == (WIDTH, HEIGHT)
    with pytest.raises(RichMenuFailed, match="1048576 bytes"):
        encode(Image.effect_noise((WIDTH, HEIGHT), 60).convert("RGB"))
