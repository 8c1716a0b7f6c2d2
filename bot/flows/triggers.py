"""Words that open a flow: "ประเมินความพึงพอใจ", "ขอร้องเรียน", "แจ้งทุจริต", "ติดตามเรื่อง 2569-123456"."""

from __future__ import annotations

import re

from bot.nlu.text import normalize

_POLITE = r"(?:ครับ|คับ|ค่ะ|คะ|จ้า|นะ|หน่อย|ด้วย)*"
_WANT = r"^(?:ขอ|อยาก|ต้องการ|จะ|i want to |i'd like to |i would like to )?\s?"
TRIGGERS: list[tuple[str, dict[str, str], re.Pattern]] = [
    (
        "complaint",
        {"lane": "corruption"},
        re.compile(
            _WANT + r"(?:แจ้ง|ร้องเรียน|รายงาน|ส่ง)\s?(?:เรื่อง)?\s?(?:การ)?\s?"
            r"(?:ทุจริต|คอร์?รัป?ชั่?น|ประพฤติมิชอบ|เบาะแส|สินบน|เรียกรับเงิน)"
            r"|report (?:corruption|bribery|misconduct|a bribe)|whistle ?blow"
        ),
    ),
    (
        "complaint",
        {},
        re.compile(
            _WANT + r"(?:แจ้ง|ยื่น|ส่ง)?\s?(?:เรื่อง)?\s?(?:ร้องเรียน|ร้องทุกข์)\s?" + _POLITE + r"$"
            r"|^(?:แจ้งปัญหา|แจ้งเรื่อง)\s?" + _POLITE + r"$"
            r"|^(?:i want to |i'd like to )?(?:file |make |lodge )?(?:a )?complaint$|^complain"
        ),
    ),
    (
        "survey",
        {},
        re.compile(
            r"(?:ประเมิน|แบบสอบถาม|แบบประเมิน)\s?ความพึงพอใจ|^(?:ทำ)?แบบ(?:สอบถาม|ประเมิน)\s?" + _POLITE + "$"
            r"|ให้คะแนน(?:การ)?บริการ|satisfaction survey|^(?:take the |do the )?survey$|rate (?:your|the) service"
        ),
    ),
    (
        "track",
        {},
        re.compile(
            r"^(?:ขอ)?(?:ติดตาม|ตาม|เช็ค|เช็ก|ตรวจสอบ)\s?(?:สถานะ)?\s?เรื่อง|^เรื่องของ(?:ฉัน|ผม|หนู|เรา|ดิฉัน)"
            r"|^สถานะ\s?เรื่อง|^track|^(?:my )?(?:case|complaint)s? status|^my (?:cases|complaints|reports)"
        ),
    ),
]
# A tracking number (2569-483920) or a receipt code (K7Q2-9XMA-4RTB-8WEZ) sent on its own.
TRACKING_NO = re.compile(r"\b(25\d\d)\s?-?\s?(\d{6})\b")
RECEIPT_CODE = re.compile(r"\b((?:[0-9a-hjkmnp-tv-z]{4}-?){3}[0-9a-hjkmnp-tv-z]{4})\b", re.IGNORECASE)
RETURN_TO_BOT = re.compile(r"^(?:กลับ(?:ไป)?(?:คุย|หา)?(?:กับ)?บอท|คุยกับบอท|back to (?:the )?bot|talk to (?:the )?bot)")
CANCEL = re.compile(r"^(?:ยกเลิก|เลิก|ไม่(?:ทำ|เอา|แจ้ง)แล้ว|cancel|stop|quit)\s?" + _POLITE + "$")


def match(text: str) -> tuple[str, dict[str, str]] | None:
    """The flow the words ask for, with its arguments."""
    said = normalize(text)
    for name, args, pattern in TRIGGERS:
        if pattern.search(said):
            return name, args
    if code_in(text) and len(said) <= 40:
        return "track", {}
    return None


def code_in(text: str) -> str | None:
    """The tracking number or receipt code the text carries, normalised."""
    found = TRACKING_NO.search(normalize(text))
    if found:
        return f"{found.group(1)}-{found.group(2)}"
    receipt = RECEIPT_CODE.search(text or "")
    if receipt and re.search(r"\d", receipt.group(1)) and re.search(r"[a-z]", receipt.group(1), re.IGNORECASE):
        return receipt.group(1).upper()
    return None


def is_cancel(text: str) -> bool:
    return bool(CANCEL.search(normalize(text)))


def is_return_to_bot(text: str) -> bool:
    return bool(RETURN_TO_BOT.search(normalize(text)))
