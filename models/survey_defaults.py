"""The default satisfaction questions: the EIT questions (seed 000's e1–e15 wording) a citizen can rate 1–5.

Adapted to plain Thai and to a 1–5 scale. e4 (was a payment asked of you?) is left out: a yes/no
about a bribe belongs in the corruption report lane, not in a satisfaction rating.
"""

from __future__ import annotations

DEFAULT_QUESTIONS: list[dict] = [
    {
        "code": "e1",
        "indicator": 6,
        "th": "หน่วยงานให้บริการท่านตามขั้นตอนและระยะเวลาที่กำหนด มากน้อยเพียงใด",
        "en": "Did the agency serve you by its stated steps and time frames?",
    },
    {
        "code": "e2",
        "indicator": 6,
        "th": "หน่วยงานให้บริการท่านอย่างเป็นธรรม ไม่เลือกปฏิบัติ มากน้อยเพียงใด",
        "en": "Did the agency serve you fairly, without favouring anyone?",
    },
    {
        "code": "e3",
        "indicator": 6,
        "th": "เจ้าหน้าที่มุ่งให้งานสำเร็จและรับผิดชอบต่อหน้าที่ มากน้อยเพียงใด",
        "en": "Did the staff aim for results and take responsibility for their work?",
    },
    {
        "code": "e5",
        "indicator": 6,
        "th": "หน่วยงานทำงานโดยคำนึงถึงประโยชน์ของประชาชนและส่วนรวมเป็นหลัก มากน้อยเพียงใด",
        "en": "Does the agency put the public interest first in its work?",
    },
    {
        "code": "e6",
        "indicator": 7,
        "th": "ช่องทางเผยแพร่ข้อมูลข่าวสารของหน่วยงานเข้าถึงได้ง่าย มากน้อยเพียงใด",
        "en": "Are the agency's information channels easy to reach?",
    },
    {
        "code": "e7",
        "indicator": 7,
        "th": "หน่วยงานเผยแพร่ข้อมูลที่ประชาชนควรรู้ได้ชัดเจน มากน้อยเพียงใด",
        "en": "Does the agency publish what citizens should know, clearly?",
    },
    {
        "code": "e8",
        "indicator": 7,
        "th": "ช่องทางรับฟังคำติชมและความคิดเห็นของหน่วยงานใช้งานได้สะดวก มากน้อยเพียงใด",
        "en": "Is it easy to give the agency feedback or comments?",
    },
    {
        "code": "e9",
        "indicator": 7,
        "th": "หน่วยงานตอบข้อสงสัยหรืออธิบายให้ท่านเข้าใจได้ชัดเจน มากน้อยเพียงใด",
        "en": "Did the agency answer your questions or explain things clearly?",
    },
    {
        "code": "e10",
        "indicator": 7,
        "th": "ท่านมั่นใจว่าแจ้งเรื่องทุจริตของเจ้าหน้าที่กับหน่วยงานได้อย่างปลอดภัย มากน้อยเพียงใด",
        "en": "Are you confident you can safely report staff corruption to the agency?",
    },
    {
        "code": "e11",
        "indicator": 8,
        "th": "การให้บริการของเจ้าหน้าที่ดีขึ้นกว่าที่ผ่านมา มากน้อยเพียงใด",
        "en": "Has the staff's service improved compared with before?",
    },
    {
        "code": "e12",
        "indicator": 8,
        "th": "ขั้นตอนการให้บริการสะดวกและรวดเร็วขึ้นกว่าที่ผ่านมา มากน้อยเพียงใด",
        "en": "Have the service steps become easier and faster than before?",
    },
    {
        "code": "e13",
        "indicator": 8,
        "th": "บริการออนไลน์ของหน่วยงานช่วยให้ท่านไม่ต้องเดินทางมาติดต่อ มากน้อยเพียงใด",
        "en": "Do the agency's online services save you a trip to the office?",
    },
    {
        "code": "e14",
        "indicator": 8,
        "th": "หน่วยงานเปิดโอกาสให้ประชาชนมีส่วนร่วมปรับปรุงการทำงาน มากน้อยเพียงใด",
        "en": "Does the agency let citizens take part in improving its work?",
    },
    {
        "code": "e15",
        "indicator": 8,
        "th": "หน่วยงานปรับปรุงการทำงานให้โปร่งใสมากขึ้น มากน้อยเพียงใด",
        "en": "Has the agency made its work more transparent?",
    },
]


def rows() -> list[dict]:
    """Rows for survey_questions: the default set (no agency), in order."""
    return [
        {
            "agency_id": None,
            "position": i,
            "code": q["code"],
            "text_th": q["th"],
            "text_en": q["en"],
            "indicator": q["indicator"],
            "active": True,
        }
        for i, q in enumerate(DEFAULT_QUESTIONS, start=1)
    ]


def ensure_default_questions() -> int:
    """Insert the default set if the database has none (load-demo and tests; the migration does it too)."""
    from sqlalchemy import func, insert, select

    from models import SurveyQuestion, db

    if db.session.scalar(select(func.count()).select_from(SurveyQuestion).where(SurveyQuestion.agency_id.is_(None))):
        return 0
    db.session.execute(insert(SurveyQuestion), rows())
    return len(DEFAULT_QUESTIONS)
