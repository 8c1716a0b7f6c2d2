"""How citizens say things: cue patterns per intent and paraphrases per indicator.

Thai patterns run on the compact text (normalised, no spaces or punctuation); English ones on the
spaced lower-case text, with word boundaries. Keep each list to phrases seen or expected in chat.
"""

from __future__ import annotations

import re

# --- indicators ------------------------------------------------------------------------------
INDICATOR_TH: dict[int, list[str]] = {
    1: [r"ปฏิบัติหน้าที่", r"(?<!เจ้า)หน้าที่", r"การทำงานของเจ้าหน้าที่", r"ขั้นตอนและระยะเวลา"],
    2: [r"การใช้งบ", r"ใช้งบ", r"(?<!ปี)(?<!ปี)งบประมาณ(?!\d)", r"เรื่องงบ", r"ใช้เงิน", r"การเงิน", r"ด้านงบ", r"งบฯ"],
    3: [r"อำนาจ", r"เส้นสาย", r"เลือกปฏิบัติ"],
    4: [r"ทรัพย์สิน", r"ทรัพย์ราชการ", r"ของหลวง", r"ของราชการ", r"ของทางราชการ", r"รถหลวง", r"รถราชการ", r"พัสดุ"],
    5: [r"แก้ไขปัญหาการทุจริต", r"แก้ปัญหาการทุจริต", r"แก้ไขปัญหาทุจริต", r"แก้ปัญหาทุจริต", r"แก้ไขการทุจริต",
        r"แก้ทุจริต", r"ปราบปรามการทุจริต", r"ปราบทุจริต", r"จัดการทุจริต", r"ปัญหาทุจริต", r"ปัญหาคอร์?รัปชั่?น"],
    6: [r"คุณภาพการดำเนินงาน", r"คุณภาพ", r"การให้บริการ", r"ให้บริการ", r"งานบริการ", r"บริการประชาชน"],
    7: [r"ประสิทธิภาพการสื่อสาร", r"สื่อสาร", r"ประชาสัมพันธ์", r"การแจ้งข่าว", r"ข่าวสาร"],
    8: [r"ปรับปรุงการทำงาน", r"ปรับปรุงระบบ", r"การปรับปรุงการ", r"ปรับปรุงวิธีการ", r"พัฒนาการทำงาน", r"ปรับปรุงงาน",
        r"ปรับปรุงการให้บริการ", r"การปรับปรุงการทำงาน"],
    9: [r"เปิดเผยข้อมูล", r"การเปิดเผย", r"เปิดเผย", r"ข้อมูลสาธารณะ", r"เว็บไซต์", r"เว็บ", r"หน้าเว็บ"],
    10: [r"ป้องกันการทุจริต", r"ป้องกันทุจริต", r"กันทุจริต", r"ป้องกันคอร์?รัปชั่?น", r"ป้องกันการคอร์?รัปชั่?น"],
}
INDICATOR_EN: dict[int, list[str]] = {
    1: [r"performance of dut(y|ies)", r"dut(y|ies)", r"duty performance"],
    2: [r"budget", r"spending", r"use of funds"],
    3: [r"(use|abuse) of (power|authority)", r"authority", r"power"],
    4: [r"(government|official|public|state) (property|assets?)", r"property", r"assets?"],
    5: [r"(tackling|handling|solving|fixing|addressing|resolving|dealing with) (the )?corruption", r"corruption (problems?|issues?)"],
    6: [r"(service|operational|work) quality", r"quality"],
    7: [r"communication", r"communicat\w*"],
    8: [r"improvement", r"improving (the )?(work|system|service)", r"work improvement"],
    9: [r"disclos\w*", r"open data", r"website", r"publish\w* information"],
    10: [r"(corruption )?prevention", r"prevent\w* corruption", r"anti[- ]corruption"],
}

# --- intents ---------------------------------------------------------------------------------
TH: dict[str, list[str]] = {
    "score": [r"คะแน", r"กี่แต้ม", r"แต้ม", r"ผลการประเมิน", r"ผลita", r"ผลประเมิน", r"ผลคะแนน", r"กี่เปอร์", r"เกรด",
              r"ระดับ", r"สอบผ่าน", r"สอบตก", r"ผ่านเกณฑ์", r"ผลสรุป", r"ผลไอทีเอ", r"ผ่านไหม", r"ผ่านมั้ย",
              r"ผ่านหรือเปล่า", r"ผ่านป่าว", r"ผ่านรึเปล่า", r"ได้a{1,2}(?![a-z])", r"ได้b(?![a-z])"],
    "score_weak": [r"ได้กี่", r"ผลเป็น", r"ผลออก", r"ได้เท่า", r"เท่าไหร่", r"เท่าไร", r"เท่าใด", r"ผ่าน", r"ตกไหม", r"ตกมั้ย",
                   r"ตกหรือ", r"ได้ผล", r"ผลงาน", r"ดีไหม", r"ดีมั้ย", r"เป็นยังไง", r"เป็นอย่างไร", r"เป็นไง", r"ผล$", r"จริงไหม", r"จริงมั้ย"],
    "all_indicators": [r"ทุกตัวชี้วัด", r"ตัวชี้วัดทั้งหมด", r"ทั้ง10ตัว", r"ทั้งสิบ", r"ครบ10", r"ครบทุกตัว", r"รายตัวชี้วัด",
                       r"แต่ละตัวชี้วัด", r"ทุกตัว", r"ตัวชี้วัดทั้ง", r"ทุกด้าน", r"รายด้าน", r"แต่ละด้าน", r"10ตัวชี้วัด",
                       r"สิบตัวชี้วัด", r"ตัวชี้วัดแต่ละ", r"คะแนนแยก", r"แยกราย", r"แยกตาม", r"ทั้งหมด", r"ครบทุก"],
    "strongest": [r"สูงสุด", r"สูงที่สุด", r"มากที่สุด", r"มากสุด", r"ดีที่สุด", r"ดีสุด", r"เด่น", r"จุดแข็ง", r"เยอะสุด",
                  r"เยอะที่สุด", r"อันดับหนึ่ง", r"อันดับ1", r"เต็ม100", r"เก่ง\S{0,14}สุด", r"ทำได้ดี",
                  r"ดีด้านไหน", r"ดีเรื่องไหน", r"เด่นเรื่อง", r"เด่นด้าน", r"ดีเลิศ", r"ยอดเยี่ยม", r"เยี่ยมที่สุด",
                  r"ได้ดีที่สุด", r"ได้ดีเลิศ", r"ได้เต็ม", r"โดดเด่น", r"แข็งที่สุด", r"เก่งสุด",
                  r"เก่งที่สุด", r"สูงๆ", r"คะแนนสูง"],
    "weakest": [r"ต่ำสุด", r"ต่ำที่สุด", r"น้อยที่สุด", r"น้อยสุด", r"แย่ที่สุด", r"แย่สุด", r"จุดอ่อน", r"อ่อนสุด", r"อ่อนที่สุด",
                r"ห่วยสุด", r"ต้องปรับปรุง", r"ควรปรับปรุง", r"ต้องแก้ไข", r"ที่โหล่", r"บ๊วย", r"รั้งท้าย", r"ท้ายสุด", r"ต่ำๆ",
                r"คะแนนต่ำ", r"อ่อนที่สุด", r"ด้อยที่สุด", r"จุดด้อย"],
    "below": [r"ต่ำกว่า", r"น้อยกว่า", r"ไม่ถึง", r"ไม่ผ่านเกณฑ์", r"ต่ำว่า", r"ไม่ผ่าน", r"ตกเกณฑ์", r"ต่ำกว่าเกณฑ์", r"ไม่เกิน",
              r"ไหนตก", r"ตกบ้าง", r"ตัวที่ตก", r"เร่งด่วน", r"จุดอ่อน(?!ที่สุด)(?!สุด)", r"สอบตก", r"หลุด", r"ไม่ได้ตามเกณฑ์"],
    "trend": [r"เทียบ", r"เปรียบเทียบ", r"เพิ่มขึ้น", r"ลดลง", r"ดีขึ้น", r"แย่ลง", r"เปลี่ยนแปลง", r"ย้อนหลัง", r"แนวโน้ม",
              r"พัฒนาขึ้น", r"ขึ้นหรือลง", r"ขึ้นหรือ", r"ขึ้นไหม", r"ลดไหม", r"ต่างกัน", r"ความต่าง", r"ทุกปี",
              r"แต่ละปี", r"หลายปี", r"ปีต่อปี", r"เพิ่มหรือลด", r"ขยับ"],
    "tool": [r"เครื่องมือ", r"แบบวัด", r"แบบตรวจ", r"รายเครื่องมือ"],
    "measures": [r"มาตรการ", r"มาตราการ", r"มาตการ", r"มาตรกาน", r"แผน", r"แนวทางแก้", r"แนวทางการแก้", r"แนวทางพัฒนา", r"แนวทางการพัฒนา", r"แนวทางปรับปรุง",
                 r"จะแก้", r"แก้ยังไง", r"แก้อย่างไร", r"แก้ไขอย่างไร", r"แก้ไขยังไง", r"ปรับปรุงยังไง", r"ปรับปรุงอย่างไร",
                 r"ทำอะไรบ้าง", r"จะทำอะไร", r"โครงการ", r"กิจกรรม", r"ใครรับผิดชอบ", r"ผู้รับผิดชอบ", r"หน่วยรับผิดชอบ",
                 r"ใครดูแล", r"ติดตามผล", r"ใครทำ", r"พัฒนายังไง", r"พัฒนาอย่างไร", r"จะพัฒนา", r"จะปรับปรุง", r"วิธีแก้"],
    "progress": [r"ความคืบหน้า", r"คืบหน้า", r"ก้าวหน้า", r"รอบ6เดือน", r"รอบหกเดือน", r"6เดือน", r"หกเดือน", r"ถึงไหน", r"ไปถึงไหน", r"ทำไปแล้ว", r"ดำเนินการแล้ว", r"ผลการดำเนินการ",
                 r"ผลการดำเนินงานตามมาตรการ", r"เสร็จหรือยัง", r"เสร็จยัง", r"เสร็จแล้ว", r"ทำแล้วหรือยัง", r"ทำหรือยัง",
                 r"ทำไปกี่", r"สถานะ", r"รายงานผลการดำเนิน", r"สำเร็จ", r"อัพเดท", r"อัปเดต", r"อัพเดต", r"ระหว่างดำเนินการ",
                 r"ดำเนินการไปถึง", r"คืบ", r"ทำไปยัง", r"ดำเนินการไปแล้ว", r"ทำไปเท่าไหร่", r"ทำครบ", r"ผลการดำเนินงาน"],
    "concept": [r"คืออะไร", r"คือไร", r"หมายถึง", r"ย่อมาจาก", r"แปลว่า", r"อะไรคือ", r"คืออัลไล", r"คือ\?", r"อธิบาย",
                r"มีไว้ทำไม", r"ประเมินอะไร", r"วัดอะไร", r"ไว้ทำอะไร", r"เกี่ยวกับอะไร", r"ความหมาย", r"คือ$", r"คืออะไ",
                r"มีกี่ตัวชี้วัด", r"มีกี่ระดับ", r"มีกี่ตัว", r"กี่ตัวชี้วัด", r"ถึงจะผ่าน", r"เกณฑ์ผ่าน", r"กี่คะแนนถึง", r"แบ่งเป็นกี่", r"ประกอบด้วย", r"มีตัวชี้วัดอะไร", r"ตัวชี้วัดมีอะไร",
                r"ระดับมีอะไร", r"มีระดับอะไร", r"มีกี่ด้าน", r"ต่างกันยังไง", r"ต่างกันอย่างไร", r"คือใคร", r"ต่างกันไหม",
                r"ต่างกันมั้ย", r"ต่างกันตรงไหน"],
    "greeting": [r"^สวัสดี", r"^หวัดดี", r"^ดีครับ", r"^ดีค่ะ", r"^ดีจ้า", r"^ทักทาย", r"^สวัสดีค่ะ", r"^ฮัลโหล", r"^hello", r"^hi$",
                 r"^สวัสดีครับ", r"^ดีจ้ะ", r"^เฮลโล", r"^โหล", r"^สวัสดีตอน"],
    "thanks": [r"ขอบคุณ", r"ขอบใจ", r"ขอบคุน", r"ขอบพระคุณ", r"แต๊งกิ้ว", r"แต้งกิ้ว", r"แตงกิ้ว", r"ขอบคุนมาก", r"ขอบคุณค่ะ"],
    "help": [r"ช่วยอะไรได้", r"ทำอะไรได้", r"ถามอะไรได้", r"เมนู", r"วิธีใช้", r"ใช้ยังไง", r"ช่วยเหลือ", r"ถามได้บ้าง",
             r"ทำอะไรได้บ้าง", r"ตอบอะไรได้", r"คู่มือ", r"มีอะไรให้ถาม", r"ใช้งานยังไง", r"เริ่มต้น", r"ใช้งานอย่างไร"],
    "contact_staff": [r"เจ้าหน้าที่", r"คุยกับคน", r"ขอคุยกับ", r"แอดมิน", r"พนักงาน", r"คนจริง", r"ติดต่อ", r"โทรหา",
                      r"เบอร์โทร", r"ขอสาย", r"คุยกับเจ้า", r"ขอคน", r"มนุษย์", r"ตัวจริง", r"ร้องเรียน", r"ขอคุยกับคน"],
    "followup": [r"^แล้ว", r"ล่ะ$", r"ละ$", r"หล่ะ$", r"ล่ะครับ$", r"ล่ะคะ$", r"ล่ะค่ะ$", r"ละครับ$", r"ละคะ$", r"^ส่วน",
                 r"^แล้วก็", r"^ของ", r"^และ", r"ด้วย$", r"ด้วยครับ$", r"ด้วยค่ะ$", r"ล่ะจ๊ะ$", r"ละจ้า$", r"ล่ะจ้ะ$"],
}
EN: dict[str, list[str]] = {
    "score": [r"score", r"result", r"grade", r"level", r"rating", r"how many points", r"points"],
    "score_weak": [r"pass(ed)?", r"fail(ed)?", r"how (did|well)", r"perform\w*", r"rank\w*", r"mark", r"how (is|was)"],
    "all_indicators": [r"all (the )?(ten |10 )?indicators", r"each indicator", r"every indicator", r"indicator scores",
                       r"breakdown", r"per indicator", r"by indicator", r"(ten|10) indicators", r"indicators? one by one",
                       r"list (of )?(the )?indicators", r"all scores"],
    "strongest": [r"highest", r"best", r"strongest", r"strength", r"top", r"max\w*", r"strong(est)? point"],
    "weakest": [r"lowest", r"worst", r"weakest", r"weakness", r"weak point", r"min\w*", r"needs? improvement", r"bottom", r"poorest"],
    "below": [r"below", r"under(?!stand)", r"less than", r"lower than", r"not pass\w*", r"\bfail(ed|ing)?\b", r"fail\w* (the )?(threshold|mark|bar)",
              r"beneath", r"short of"],
    "trend": [r"compar\w*", r"trend", r"change[ds]?", r"improv(e|ed) (from|since|over)", r"over (the )?years", r"year[- ]on[- ]year",
              r"previous years?", r"history", r"better or worse", r"went (up|down)", r"increase\w*", r"decrease\w*", r"differ\w*",
              r"progress over"],
    "tool": [r"tool", r"survey scores?", r"instrument"],
    "measures": [r"measures?", r"plans?", r"what steps", r"(will|to|they) (improve|fix|address|tackle)", r"action plan", r"actions?", r"what (will|are) they (do|doing)", r"who is responsible",
                 r"responsible", r"in charge", r"initiatives?", r"activit(y|ies)", r"steps? (to|they)", r"how (will|do) they (fix|improve)",
                 r"fix", r"remed\w*", r"projects?"],
    "progress": [r"progress", r"status", r"how far", r"done yet", r"completed?", r"implemented", r"implementation", r"carried out",
                 r"so far", r"update", r"achieved", r"finished", r"accomplished"],
    "concept": [r"what (is|are|does) (an? |the )?(ita|iit|eit|oit|indicators?|levels?)\b", r"what does .* (mean|stand for)",
                r"stand for", r"\bmeaning\b", r"explain", r"what('s| is) (the )?(ita|iit|eit|oit)", r"define", r"how many (indicators|levels)",
                r"what are the (ten |10 )?indicators", r"what levels", r"tell me about (ita|iit|eit|oit)"],
    "greeting": [r"^(hello|hi|hey|good (morning|afternoon|evening)|greetings|yo)\b"],
    "thanks": [r"thank", r"thx", r"cheers", r"appreciate"],
    "help": [r"\bhelp\b", r"\bmenu\b", r"what can (you|i)", r"how (do i|to) use", r"what do you do", r"options", r"commands?"],
    "contact_staff": [r"(talk|speak|chat) (to|with) (a |an )?(person|human|staff|officer|someone|agent|real)", r"human", r"\bstaff\b",
                      r"officer", r"\bagent\b", r"contact", r"phone", r"call (someone|you)", r"real person", r"complain\w*"],
    "followup": [r"^(and|what about|how about|and what about|then)\b", r"\?$"],
}

ASPECT_TH: dict[str, list[str]] = {
    "who": [r"ใคร", r"ผู้รับผิดชอบ", r"หน่วยงานไหน", r"กองไหน", r"ฝ่ายไหน", r"สำนักไหน", r"หน่วยไหน", r"รับผิดชอบ", r"ดูแล"],
    "when": [r"เมื่อไหร่", r"เมื่อไร", r"เมื่อใด", r"ตอนไหน", r"ช่วงไหน", r"ระยะเวลา", r"กรอบเวลา", r"ไตรมาส", r"ช่วงเวลา",
             r"กี่เดือน", r"เดือนไหน", r"ถึงเมื่อ", r"เริ่มเมื่อ", r"ทำช่วง", r"วันไหน", r"ปีไหน", r"นานแค่ไหน", r"เสร็จเมื่อ"],
    "monitoring": [r"ติดตาม", r"ตรวจสอบ", r"รายงานผล", r"ประเมินผล", r"วัดผล", r"กำกับ", r"ติดตามผล", r"ติดตามยังไง"],
    "what": [r"ทำอะไร", r"กิจกรรม", r"ขั้นตอน", r"ยังไงบ้าง", r"อย่างไรบ้าง", r"วิธีการ", r"รายละเอียด", r"ทำยังไง", r"ทำอย่างไร",
             r"ทำแบบไหน", r"แก้ยังไง", r"แก้ไขอย่างไร", r"แก้อย่างไร", r"ปรับปรุงยังไง", r"ปรับปรุงอย่างไร", r"มีอะไรบ้าง", r"อะไรบ้าง"],
}
ASPECT_EN: dict[str, list[str]] = {
    "who": [r"\bwho\b", r"responsib\w*", r"in charge", r"which (unit|office|division|department)"],
    "when": [r"\bwhen\b", r"timeline", r"time ?frame", r"deadline", r"schedule", r"which (quarter|month)", r"how long"],
    "monitoring": [r"monitor\w*", r"follow(ed)?[- ]up", r"tracked", r"track\w*", r"evaluat\w*", r"reported", r"oversee\w*"],
    "what": [r"what (do|does|will|are)", r"activit\w*", r"steps", r"details?", r"what.*(involve|include)", r"how (will|do|are)",
             r"what actions", r"planning", r"plans? (on|for|about)", r"what (is|are) (being )?done"],
}

TOPIC_TH: dict[str, list[str]] = {
    "iit": [r"(?<![a-z])iit(?![a-z])", r"ไอไอที", r"ผู้มีส่วนได้ส่วนเสียภายใน", r"แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน", r"ภายใน"],
    "eit": [r"(?<![a-z])eit(?![a-z])", r"อีไอที", r"ผู้มีส่วนได้ส่วนเสียภายนอก", r"ภายนอก"],
    "oit": [r"(?<![a-z])oit(?![a-z])", r"โอไอที", r"แบบตรวจการเปิดเผยข้อมูล"],
    "levels": [r"ระดับ", r"เกรด", r"levels?", r"เกณฑ์", r"ถึงจะผ่าน", r"pass ?mark", r"ผ่านดี"],
    "indicators": [r"ตัวชี้วัด", r"indicators?"],
    "ita": [r"(?<![a-z])ita(?![a-z])", r"ไอทีเอ", r"ไอ\.?ที\.?เอ", r"คุณธรรมและความโปร่งใส", r"การประเมินคุณธรรม", r"integrity"],
}

# The seven issue areas the provinces group measures under (seed 000).
ISSUE_AREA_TH: dict[int, list[str]] = {
    1: [r"กระบวนการทำงาน", r"กระบวนการปฏิบัติงาน"],
    2: [r"e-?service", r"อีเซอร์วิส", r"บริการออนไลน์", r"การให้บริการและ"],
    3: [r"ช่องทางการเผยแพร่", r"ช่องทางเผยแพร่", r"ช่องทางประชาสัมพันธ์"],
    4: [r"กำกับดูแลการใช้ทรัพย์สิน", r"ดูแลทรัพย์สิน"],
    5: [r"จัดซื้อจัดจ้าง", r"จัดซื้อ", r"การจ้าง", r"procurement"],
    6: [r"บริหารงานบุคคล", r"บริหารบุคคล", r"บุคลากร", r"personnel"],
    7: [r"กลไกการป้องกัน", r"กลไกป้องกัน"],
}

TOOL_TH: dict[str, str] = {
    "iit": r"ไอไอที|ผู้มีส่วนได้ส่วนเสียภายใน|ส่วนได้เสียภายใน|บุคลากรภายใน|แบบวัดภายใน|(?<![a-z])iit(?![a-z])",
    "eit": r"อีไอที|ผู้มีส่วนได้ส่วนเสียภายนอก|ส่วนได้เสียภายนอก|แบบวัดภายนอก|(?<![a-z])eit(?![a-z])",
    "oit": r"โอไอที|แบบตรวจการเปิดเผย|แบบตรวจ|(?<![a-z])oit(?![a-z])",
}
TOOL_EN: dict[str, str] = {
    "iit": r"\biit\b|internal (stakeholder|survey|staff survey)|staff survey",
    "eit": r"\beit\b|external (stakeholder|survey)|citizen survey|public survey|service users'? survey",
    "oit": r"\boit\b|open data (checklist|assessment)|disclosure checklist|website checklist",
}
LATIN_CODE = r"(?<![a-z]){}(?![a-z])"
ITA_WORD = r"ไอทีเอ|ไอทีเอ้|(?<![a-z])ita(?![a-z])"


def compile_map(table: dict, flags: int = 0) -> dict:
    return {key: re.compile("|".join(f"(?:{p})" for p in patterns), flags) for key, patterns in table.items()}
