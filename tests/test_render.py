"""bot.line.render: channel-neutral replies become LINE messages that always respect LINE's limits."""

from __future__ import annotations

import json
import unicodedata
from itertools import count

import pytest
from sqlalchemy import select

from bot.answers import Kit
from bot.answers.scores import score_card
from bot.engine import respond
from bot.line.render import (
    MAX_ALT_TEXT,
    MAX_LABEL,
    MAX_MESSAGES,
    MAX_QUICK_REPLIES,
    MAX_TEXT,
    clip,
    render,
    score_bubble,
    split_text,
    utf16_len,
)
from bot.replies import Bar, QuickReply, Reply, ScoreCard, Text
from models import Agency, Conversation, db
from tests.line_standin import MAX_BUBBLE_BYTES, check_messages

_ids = count(1)


def as_dicts(reply: Reply) -> list[dict]:
    return [m.to_dict() for m in render(reply)]


def bubble_bytes(bubble: dict) -> int:
    return len(json.dumps(bubble, ensure_ascii=False).encode())


# --- text ---------------------------------------------------------------------------------------


def _long_text(lines: int = 200) -> str:
    return "\n".join(f"{n}. ตัวชี้วัดที่ {n % 10 + 1} การใช้ทรัพย์สินของราชการ ได้ 68.69 คะแนน 😀" for n in range(lines))


def test_utf16_len_counts_surrogate_pairs():
    assert utf16_len("ก") == 1
    assert utf16_len("😀") == 2
    assert utf16_len("ที่") == 3


def test_long_text_is_split_on_line_breaks():
    text = _long_text()
    assert utf16_len(text) > MAX_TEXT
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(utf16_len(c) <= MAX_TEXT for c in chunks)
    assert "\n".join(chunks) == text  # nothing lost, no line cut in two


def test_long_text_becomes_several_messages_within_limits():
    text = _long_text()
    messages = as_dicts(Reply(messages=[Text(text)]))
    assert 1 < len(messages) <= MAX_MESSAGES
    assert all(m["type"] == "text" and utf16_len(m["text"]) <= MAX_TEXT for m in messages)
    assert "\n".join(m["text"] for m in messages) == text
    assert check_messages(messages) == []


def test_short_text_is_one_message():
    messages = as_dicts(Reply(messages=[Text("สวัสดีค่ะ")]))
    assert messages == [{"type": "text", "text": "สวัสดีค่ะ"}]


def test_one_line_longer_than_a_message_is_clipped_not_rejected():
    chunks = split_text("ก" * (MAX_TEXT + 500))
    assert len(chunks) == 1
    assert utf16_len(chunks[0]) <= MAX_TEXT
    assert chunks[0].endswith("…")


def test_emoji_count_double_when_splitting():
    text = "\n".join(["😀" * 1000] * 6)  # 2,000 UTF-16 units a line, 1,000 characters
    chunks = split_text(text)
    assert all(utf16_len(c) <= MAX_TEXT for c in chunks)
    assert "\n".join(chunks) == text


def test_a_blank_line_at_a_split_point_does_not_become_a_blank_message():
    """Bug: a line of spaces between two full chunks is sent as its own message, which LINE rejects
    ("text empty"): split_text("x" * 5000 + "\\n \\n" + "y" * 5000) == ["x" * 5000, " ", "y" * 5000]."""
    text = "x" * MAX_TEXT + "\n \n" + "y" * MAX_TEXT
    assert all(chunk.strip() for chunk in split_text(text))
    assert check_messages(as_dicts(Reply(messages=[Text(text)]))) == []


def test_empty_reply_still_sends_something():
    messages = as_dicts(Reply(messages=[]))
    assert len(messages) == 1
    assert check_messages(messages) == []
    assert check_messages(as_dicts(Reply(messages=[Text("")]))) == []


# --- message count ------------------------------------------------------------------------------


def test_never_more_than_five_messages():
    reply = Reply(messages=[Text(f"ข้อความที่ {n}") for n in range(9)], quick_replies=[QuickReply("ต่อ", "ต่อ")])
    messages = as_dicts(reply)
    assert len(messages) == MAX_MESSAGES
    assert messages[0]["text"] == "ข้อความที่ 0"
    assert "ข้อความที่ 8" in messages[-1]["text"]  # the rest is folded into the last message
    assert "quickReply" in messages[-1]
    assert all("quickReply" not in m for m in messages[:-1])
    assert check_messages(messages) == []


def test_huge_text_is_capped_at_five_messages_each_within_limits():
    text = _long_text(600)
    assert utf16_len(text) > MAX_MESSAGES * MAX_TEXT
    messages = as_dicts(Reply(messages=[Text(text)]))
    assert len(messages) == MAX_MESSAGES
    assert all(utf16_len(m["text"]) <= MAX_TEXT for m in messages)
    assert check_messages(messages) == []


def test_score_cards_past_the_fifth_message_fold_into_text():
    card = _card(bars=3)
    messages = as_dicts(Reply(messages=[Text("a"), Text("b"), Text("c"), Text("d"), card, card]))
    assert len(messages) == MAX_MESSAGES
    assert messages[-1]["type"] == "text"
    assert card.alt_text in messages[-1]["text"]
    assert check_messages(messages) == []


# --- quick replies ------------------------------------------------------------------------------


def test_more_than_thirteen_quick_replies_are_cut_to_thirteen():
    quick = [QuickReply(f"ปี {2550 + n}", f"ปี {2550 + n}") for n in range(20)]
    messages = as_dicts(Reply(messages=[Text("เลือกปี")], quick_replies=quick))
    items = messages[-1]["quickReply"]["items"]
    assert len(items) == MAX_QUICK_REPLIES
    assert [i["action"]["label"] for i in items] == [q.label for q in quick[:MAX_QUICK_REPLIES]]
    assert check_messages(messages) == []


def test_quick_reply_is_a_message_action_that_sends_its_text():
    messages = as_dicts(Reply(messages=[Text("x")], quick_replies=[QuickReply("คะแนน ITA", "คะแนน ITA เท่าไหร่")]))
    item = messages[0]["quickReply"]["items"][0]
    assert item["type"] == "action"
    assert item["action"] == {"type": "message", "label": "คะแนน ITA", "text": "คะแนน ITA เท่าไหร่"}


def test_long_label_and_text_are_clipped():
    label = "องค์การบริหารส่วนตำบลน้ำโมง อำเภอท่าบ่อ"
    messages = as_dicts(Reply(messages=[Text("x")], quick_replies=[QuickReply(label, "ก" * 400)]))
    action = messages[0]["quickReply"]["items"][0]["action"]
    assert utf16_len(action["label"]) <= MAX_LABEL
    assert action["label"].endswith("…")
    assert label.startswith(action["label"][:-1])
    assert 1 <= utf16_len(action["text"]) <= 300
    assert check_messages(messages) == []


def _assert_clean_cut(original: str, limit: int) -> None:
    clipped = clip(original, limit)
    assert utf16_len(clipped) <= limit
    if clipped == original:
        return
    assert clipped.endswith("…")
    kept = clipped[:-1]
    assert original.startswith(kept)
    following = original[len(kept) : len(kept) + 1]
    assert not unicodedata.combining(following) and unicodedata.category(following) != "Mn", (
        f"clip({original!r}, {limit}) = {clipped!r} cuts before the combining mark {following!r}"
    )


def test_label_is_clipped_at_a_cluster_boundary():
    label = "ที่" * 10  # 30 units; a cut at 19 would leave "ท" without its marks
    assert clip(label, MAX_LABEL) == "ที่" * 6 + "…"
    _assert_clean_cut("มาตรการตัวชี้วัดที่ 10 ของหน่วยงาน", MAX_LABEL)


@pytest.mark.parametrize(
    "text",
    [
        "มาตรการตัวชี้วัดที่ 10 ของหน่วยงาน",
        "องค์การบริหารส่วนตำบลน้ำโมง",
        "การใช้ทรัพย์สินของราชการ",
        "ความคืบหน้าของมาตรการเป็นอย่างไร",
        "กำกำกำกำกำกำกำกำกำกำกำ",
        "น้ำโมง ผ่านดี ✅ 😀😀😀 ดีมาก",
        "การเผยแพร่ข้อมูลเพื่อเพิ่มความเชื่อมั่น",
    ],
)
def test_clip_never_leaves_a_dangling_combining_mark(text):
    """Bug (last case): pythainlp's TCC splits "เพื่อ" as ["เพื", "่", "อ"], so clip("การเผยแพร่ข้อมูลเพื่อเพิ่ม", 20)
    gives "การเผยแพร่ข้อมูลเพื…": the vowel keeps going but its tone mark is cut off."""
    for limit in range(2, utf16_len(text) + 2):
        _assert_clean_cut(text, limit)


def test_clip_counts_emoji_as_two_units():
    clipped = clip("😀" * 15, MAX_LABEL)
    assert utf16_len(clipped) <= MAX_LABEL
    assert clipped.endswith("…")
    assert "\ufffd" not in clipped


# --- score card ---------------------------------------------------------------------------------


def _card(bars: int = 10, label: str = "ตัวชี้วัด", alt: str = "ผล ITA") -> ScoreCard:
    return ScoreCard(
        title="องค์การบริหารส่วนตำบลน้ำโมง",
        subtitle="ผลการประเมิน ITA ปีงบประมาณ พ.ศ. 2568",
        headline="85.86",
        headline_label="คะแนนรวม",
        badge="ระดับ: ผ่าน",
        bars=[
            Bar(label=f"{n}. {label}", value=60.0 + 4 * n, value_text=f"{60 + 4 * n:.2f}", low=n < 6)
            for n in range(1, bars + 1)
        ],
        footnote="แถบสีแดง = ต่ำกว่า 85 คะแนน ที่มา: ผลการประเมินที่หน่วยงานเผยแพร่",
        alt_text=alt,
    )


def test_alt_text_is_at_most_1500():
    card = _card(alt="ผล ITA องค์การบริหารส่วนตำบลน้ำโมง " * 100)
    assert utf16_len(card.alt_text) > MAX_ALT_TEXT
    messages = as_dicts(Reply(messages=[card]))
    assert messages[0]["type"] == "flex"
    assert 1 <= utf16_len(messages[0]["altText"]) <= MAX_ALT_TEXT
    assert check_messages(messages) == []


def test_score_card_bubble_is_well_under_30kb_even_with_long_labels():
    card = _card(bars=10, label="การใช้ทรัพย์สินของราชการและการแก้ไขปัญหาการทุจริต " * 3)
    bubble = score_bubble(card)
    assert bubble["type"] == "bubble"
    assert bubble_bytes(bubble) < MAX_BUBBLE_BYTES
    assert check_messages(as_dicts(Reply(messages=[card]))) == []


def test_score_card_bars_are_coloured_by_threshold_and_sized_by_score():
    bubble = json.dumps(score_bubble(_card(bars=10)))
    assert bubble.count('"#D64545"') >= 5  # low bars: text and bar in red
    assert '"width": "100%"' in bubble  # 100 for the top bar


@pytest.mark.parametrize("lang", ["th", "en"])
def test_real_score_cards_serialise_under_30kb(demo, lang):
    with demo.app_context():
        kit = Kit(lang=lang, threshold=85.0, staff_contact="")
        for agency in db.session.scalars(select(Agency)).all():
            for assessment in agency.assessments:
                card = score_card(kit, agency, assessment)
                assert bubble_bytes(score_bubble(card)) < MAX_BUBBLE_BYTES
                messages = as_dicts(Reply(messages=[card]))
                assert utf16_len(messages[0]["altText"]) <= MAX_ALT_TEXT
                assert check_messages(messages) == []


# --- every intent's typical reply ---------------------------------------------------------------

QUESTIONS = [
    "สวัสดีครับ",
    "ช่วยอะไรได้บ้าง",
    "ขอบคุณค่ะ",
    "ขอคุยกับเจ้าหน้าที่",
    "ITA คืออะไร",
    "ตัวชี้วัด ITA มีอะไรบ้าง",
    "คะแนน ITA เท่าไหร่",  # asks which agency
    "อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่",
    "น้ำโมง ปี 2560",  # no such year
    "เชียงใหม่ได้กี่คะแนน",  # no such agency
    "อบจ.นครพนม ขอดูคะแนนทุกตัวชี้วัด",
    "นราธิวาส ตัวชี้วัดที่ 1 ได้กี่คะแนน",
    "นครปฐม ตัวชี้วัดไหนต่ำสุด",
    "นราธิวาส ตัวชี้วัดไหนได้คะแนนสูงสุด",
    "นครปฐม ตัวชี้วัดไหนต่ำกว่า 95",
    "น้ำโมง คะแนนย้อนหลังแต่ละปี",
    "นราธิวาส คะแนน IIT EIT OIT",
    "นราธิวาส ข้อ e11 ได้เท่าไหร่",
    "นราธิวาส ข้อ i99",
    "น้ำโมง มาตรการมีอะไรบ้าง",
    "น้ำโมง มาตรการตัวชี้วัดที่ 4 ใครรับผิดชอบ",
    "นราธิวาส มาตรการมีอะไรบ้าง",
    "อบจ.นครพนม มาตรการมีอะไรบ้าง",
    "นครปฐม ความคืบหน้าของมาตรการ",
    "อบจ.นครพนม ความคืบหน้าของมาตรการ",
    "What are the measures of Nam Mong?",
    "Show all indicator scores of Narathiwat",
    "อากาศวันนี้เป็นยังไง",
    "",
]


def test_every_typical_reply_renders_within_line_limits(demo):
    problems = {}
    with demo.app_context():
        for question in QUESTIONS:
            conversation = Conversation(channel="web", chat_id=f"render:{next(_ids)}", context={})
            reply = respond(conversation, question)
            messages = as_dicts(reply)
            found = check_messages(messages)
            if found:
                problems[question] = found
            assert json.dumps(messages, ensure_ascii=False)  # serialisable as sent
    assert not problems, problems


def test_long_conversation_replies_render_within_line_limits(demo):
    """Follow-ups and English answers too, in one conversation."""
    turns = [
        "น้ำโมงได้คะแนน ITA เท่าไหร่",
        "แล้วตัวชี้วัดที่ 9 ล่ะ",
        "มาตรการของตัวชี้วัดที่ 9 มีอะไรบ้าง",
        "มาตรการนี้ทำเมื่อไหร่",
        "แล้วของ อบจ.นครพนม ล่ะ",
        "แล้วปีก่อนล่ะ",
        "ปี 2566",
        "Which indicator scored lowest?",
        "What are the measures?",
        "Who is responsible for these measures?",
        "What is the progress of the measures?",
    ]
    with demo.app_context():
        conversation = Conversation(channel="web", chat_id=f"render:{next(_ids)}", context={})
        for turn in turns:
            assert check_messages(as_dicts(respond(conversation, turn))) == [], turn


def test_prebuilt_score_card_is_exactly_what_the_sdk_flex_models_accept_and_produce():
    """The shortcut past the SDK's slow serialisation must send what the SDK itself would."""
    from linebot.v3.messaging import ApiClient, Configuration, FlexContainer, ReplyMessageRequest

    from bot.line.render import render, score_bubble
    from bot.replies import Bar, Reply, ScoreCard

    card = ScoreCard(
        title="องค์การบริหารส่วนตำบลน้ำโมง",
        subtitle="ผลการประเมิน ITA ปีงบประมาณ พ.ศ. 2568",
        headline="85.86",
        headline_label="คะแนนรวม",
        badge="ระดับ: ผ่าน",
        footnote="ที่มา",
        alt_text="ผล ITA",
        bars=[
            Bar(label=f"{n}. ตัวชี้วัด", value=60 + 4 * n, value_text=f"{60 + 4 * n:.2f}", low=n < 7) for n in range(1, 11)
        ],
    )
    bubble = score_bubble(card)
    assert FlexContainer.from_dict(bubble).to_dict() == bubble
    body = ApiClient(Configuration(host="http://unused", access_token="t")).sanitize_for_serialization(
        ReplyMessageRequest(reply_token="t", messages=render(Reply(messages=[card])))
    )
    assert body["messages"] == [{"type": "flex", "altText": "ผล ITA", "contents": bubble}]


def test_prebuilt_messages_are_exactly_what_the_sdk_message_models_accept_and_produce():
    """Text, quick replies of every kind, and the fifth message that gathers the rest: the JSON handed
    to the SDK is what its own models would have built, and it survives the request's validation."""
    from linebot.v3.messaging import ApiClient, Configuration, Message, ReplyMessageRequest

    reply = Reply(
        messages=[Text(text=f"ข้อความที่ {n} " + "ทดสอบ" * 3) for n in range(1, 8)],
        quick_replies=[
            QuickReply(label="คะแนนรวม", text="คะแนนรวม"),
            QuickReply(label="ตัวชี้วัดที่ต่ำที่สุดของหน่วยงาน", text="ตัวชี้วัดที่ต่ำที่สุด"),
            QuickReply(label="ให้คะแนน", text="ให้คะแนนบริการ", data="flow=survey", action="postback"),
            QuickReply(label="ถ่ายรูป", text="", action="camera"),
            QuickReply(label="เลือกรูป", text="", action="camera_roll"),
            QuickReply(label="ส่งตำแหน่ง", text="", action="location"),
            QuickReply(label="เลือกวันที่", text="", data="field=date", action="date"),
        ],
    )
    sent = as_dicts(reply)
    assert len(sent) == 5 and sent[-1]["text"].count("ข้อความที่") == 3  # the last holds messages 5 to 7
    assert [a["action"]["type"] for a in sent[-1]["quickReply"]["items"]] == [
        "message",
        "message",
        "postback",
        "camera",
        "cameraRoll",
        "location",
        "datetimepicker",
    ]
    assert [Message.from_dict(m).to_dict() for m in sent] == sent
    body = ApiClient(Configuration(host="http://unused", access_token="t")).sanitize_for_serialization(
        ReplyMessageRequest(reply_token="t", messages=render(reply))
    )
    assert body["replyToken"] == "t" and body["messages"] == sent
