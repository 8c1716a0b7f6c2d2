"""The statistics dashboard: the numbers a coordinator reads, the published version, agencies and rights."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from bot.i18n import t
from models import Agency, Complaint, ComplaintUpdate, Conversation, Handoff, SurveyAnswer, SurveyResponse, db
from models.periods import BANGKOK, fiscal_year
from models.survey import questions_for
from models.types import utcnow
from tests.citizen import Citizen
from tests.web import logged_in, parse, redirects_to_login

NUMBERS = itertools.count(200000)
CHATS = itertools.count(1)


class Dashboard(HTMLParser):
    """The page's tables (id → rows of cell texts), headline figures (data-key → text) and attributes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self.canvases: list[dict] = []
        self.styled: list[str] = []
        self._table = self._row = self._cell = self._key = None
        self.html = html
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "style" in found:
            self.styled.append(tag)
        if tag == "canvas":
            self.canvases.append(found)
        if tag == "table":
            self._table = found.get("id")
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self.tables[self._table].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""
        if tag in ("dd", "td") and found.get("data-key"):
            self._key = found["data-key"]
            self.figures[self._key] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._table = None
        if tag in ("dd", "td") and self._key:
            self.figures[self._key] = " ".join(self.figures[self._key].split())
            self._key = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._key:
            self.figures[self._key] += data

    def row(self, table: str, first: str) -> list[str]:
        """The row of a table whose first cell is `first`."""
        rows = [r for r in self.tables[table] if r and r[0] == first]
        assert rows, f"no row {first!r} in {table}: {[r[:1] for r in self.tables[table]]}"
        return rows[0]


def bkk(*parts) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK).astimezone(UTC)


def agency_id(slug: str) -> int:
    return db.session.scalar(select(Agency.id).where(Agency.slug == slug))


def conversation() -> Conversation:
    chat = Conversation(channel="line", chat_id=f"U{next(CHATS):032d}", context={"agency": "nammong"})
    db.session.add(chat)
    db.session.flush()
    return chat


@pytest.fixture
def seeded(demo):
    """Nam Mong in fiscal 2568 (its latest year with data, so the page's default):

    survey  Nov 2024: 3 complete responses, every answer 4, 5 and 3 → 3 respondents, mean 4.00 (estimate 75.00
            beside the published 94.25 / 90.42 / 90.50); Jan 2025: 1 complete, every answer 5.
            Months: พ.ย. 2567 3 · ม.ค. 2568 1. Year: 4 respondents, mean (4+5+3+5)/4 = 4.25.
    cases   general service_delay resolved after 26 h; general information received; corruption bribery received.
    handoff one, asked, answered after 300 s, closed by staff, rated 4.
    Nakhon Phanom has one complete response in the same year (never on Nam Mong's page).
    """
    with demo.app_context():
        nm = agency_id("nammong")

        def respond(agency, when, score):
            chat = conversation()
            db.session.add(
                SurveyResponse(
                    agency_id=agency,
                    conversation_id=chat.id,
                    period="2568",
                    status="complete",
                    started_at=when,
                    completed_at=when,
                    answers=[SurveyAnswer(question_id=q.id, score=score) for q in questions_for(agency)],
                )
            )

        for score in (4, 5, 3):
            respond(nm, bkk(2024, 11, 10, 9), score)
        respond(nm, bkk(2025, 1, 10, 9), 5)
        respond(agency_id("nakhonphanom"), bkk(2024, 11, 10, 9), 1)

        def case(lane, category, filed, status="received", closed_after=None):
            complaint = Complaint(
                tracking_no=f"2568-{next(NUMBERS)}",
                agency_id=nm,
                lane=lane,
                category=category,
                conversation_id=conversation().id if lane == "general" else None,
                description="x",
                status=status,
                filed_at=filed,
            )
            complaint.updates.append(ComplaintUpdate(status="received", created_at=filed))
            if closed_after is not None:
                complaint.updates.append(ComplaintUpdate(status=status, created_at=filed + closed_after))
            db.session.add(complaint)

        case("general", "service_delay", bkk(2024, 12, 2, 9), "resolved", timedelta(hours=26))
        case("general", "information", bkk(2024, 12, 3, 9))
        case("corruption", "bribery", bkk(2025, 2, 1))
        opened = bkk(2025, 3, 3, 10)
        db.session.add(
            Handoff(
                conversation_id=conversation().id,
                agency_id=nm,
                reason="asked",
                status="closed",
                opened_at=opened,
                last_activity_at=opened,
                first_response_at=opened + timedelta(seconds=300),
                closed_at=opened + timedelta(hours=1),
                closed_by="staff",
                rating=4,
            )
        )
        db.session.commit()
        yield nm


def page(client, **query) -> Dashboard:
    response = client.get("/admin/stats", query_string=query)
    assert response.status_code == 200, response.status_code
    return Dashboard(response.get_data(as_text=True))


def test_the_default_year_is_the_latest_with_data_and_shows_its_numbers(seeded, client, demo):
    logged_in(demo, client, role="admin", agencies=["nammong"])
    board = page(client)
    assert board.figures["responses"] == "4"
    assert board.figures["complaints"] == "3"
    assert board.figures["handoffs"] == "1"
    assert board.row("table-satisfaction", "พ.ย. 2567") == ["พ.ย. 2567", "3", "4.00"]
    assert board.row("table-satisfaction", "ม.ค. 2568") == ["ม.ค. 2568", "1", "5.00"]
    assert board.row("table-satisfaction", "ต.ค. 2567") == ["ต.ค. 2567", "0", "–"]
    assert len(board.tables["table-satisfaction"]) == 13  # the head and twelve months, October first
    # Indicator 6: four respondents, mean 4.25 → estimate (4.25 − 1) / 4 × 100 = 81.25, published 94.25.
    six = board.row("table-indicators", t("stats.indicator_label", number=6, name=t("indicator.6.name")))
    assert six[1:] == ["4", "4.25", "81.25", "94.25", "-13.00"]
    assert board.row("table-questions", "e1")[3:] == ["4", "4.25", "81.25"]
    # Complaints: the admin sees both lanes in full.
    assert board.row("table-lanes", t("complaint.lane.general"))[1] == "2"
    assert board.row("table-lanes", t("complaint.lane.corruption"))[1] == "1"
    assert board.row("table-categories", t("complaint.category.bribery"))[1] == "1"
    assert board.row("table-statuses", t("case.status.resolved"))[1] == "1"
    assert board.row("table-statuses", t("case.status.received"))[1] == "2"
    assert board.figures["resolution-median"] == t("admin.duration.days_hours", days=1, hours=2)
    assert board.row("table-complaint-months", "ธ.ค. 2567")[1] == "2"
    assert board.figures["handoffs-answered"] == "1"
    assert board.figures["first-median"] == t("admin.duration.minutes", minutes=5)
    assert board.figures["rating"] == "4.00"
    assert board.figures["participants"] == "7"  # four respondents, the two general cases' chats, the handoff's
    assert board.figures["corruption-reports"] == "1"


def test_the_published_version_shows_small_counts_as_under_five(seeded, client, demo):
    logged_in(demo, client, role="admin", agencies=["nammong"])
    board = page(client, publish=1)
    assert board.figures["responses"] == "<5"
    assert board.row("table-satisfaction", "พ.ย. 2567")[1:] == ["<5", t("stats.withheld")]
    assert board.row("table-satisfaction", "ต.ค. 2567")[1:] == ["0", "–"]  # nobody: nothing to hide
    six = board.row("table-indicators", t("stats.indicator_label", number=6, name=t("indicator.6.name")))
    assert six[1:4] == ["<5", t("stats.withheld"), t("stats.withheld")]
    assert six[4] == "94.25"  # the published score is public already
    assert board.row("table-lanes", t("complaint.lane.corruption"))[1] == "<5"
    assert board.figures["handoffs"] == "<5"
    assert board.figures["rating"] == t("stats.withheld")
    assert "<5" not in str(board.canvases)  # charts leave small counts out; the table says "<5"
    internal = page(client)
    assert internal.figures["responses"] == "4"


def test_staff_see_the_corruption_count_but_not_its_details(seeded, client, demo):
    logged_in(demo, client, role="staff", agencies=["nammong"])
    board = page(client)
    assert board.row("table-lanes", t("complaint.lane.corruption"))[1] == "1"
    assert board.figures["complaints"] == "3"
    assert board.figures["complaints-total"] == "2"  # the general lane's own figures
    names = [row[0] for row in board.tables["table-categories"]]
    assert t("complaint.category.bribery") not in names
    assert board.row("table-statuses", t("case.status.received"))[1] == "1"


def test_an_integrity_officer_sees_the_corruption_lane_in_full(seeded, client, demo):
    logged_in(demo, client, role="integrity_officer", agencies=["nammong"])
    board = page(client)
    assert board.row("table-categories", t("complaint.category.bribery"))[1] == "1"
    assert board.figures["complaints-total"] == "3"


def test_the_statistics_move_when_a_citizen_answers_the_survey(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    staff = nammong_oa.test_client()
    logged_in(nammong_oa, staff, username="viewer", role="viewer", agencies=["nammong"])
    year = fiscal_year(utcnow())
    before = page(staff, year=year)
    assert before.figures["responses"] == "0"
    assert t("stats.satisfaction.empty") in before.html  # an empty year says why the charts are empty

    with nammong_oa.app_context():
        count = len(questions_for(agency_id("nammong")))
    citizen.taps("flow=survey")
    for _ in range(count):
        citizen.tap_button(t("flow.rating.4"))
    citizen.tap_button(t("survey.no_comment"))
    assert "ขอบคุณ" in citizen.text

    after = page(staff, year=year)
    assert after.figures["responses"] == "1"
    assert t("stats.satisfaction.empty") not in after.html
    assert after.figures["participants"] == "1"
    month = [row for row in after.tables["table-satisfaction"][1:] if row[1] == "1"]
    assert len(month) == 1 and month[0][2] == "4.00"
    assert after.row("table-questions", "e1")[3:] == ["1", "4.00", "75.00"]
    assert page(staff, year=year, publish=1).figures["responses"] == "<5"


def test_another_agencys_id_is_refused(seeded, client, demo):
    logged_in(demo, client, role="admin", agencies=["nammong"])
    with demo.app_context():
        other = agency_id("nakhonphanom")
    for value in (other, 999999, "abc"):
        assert client.get("/admin/stats", query_string={"agency": value}).status_code == 404
        assert client.get("/admin/stats/data", query_string={"agency": value}).status_code == 404
    assert page(client, agency=seeded).figures["responses"] == "4"


def test_a_user_of_two_agencies_picks_one(seeded, client, demo):
    logged_in(demo, client, role="viewer", agencies=["nammong", "nakhonphanom"])
    with demo.app_context():
        other = agency_id("nakhonphanom")
    board = page(client, agency=other, year=2568)
    assert board.figures["responses"] == "1"
    assert board.figures["complaints"] == "0"


def test_a_bad_year_is_named_and_refused(seeded, client, demo):
    logged_in(demo, client, role="viewer", agencies=["nammong"])
    for junk in ("abc", "68", "25699", "-1"):
        response = client.get("/admin/stats", query_string={"year": junk})
        assert response.status_code == 400
        assert t("stats.error.year") in response.get_data(as_text=True)
        data = client.get("/admin/stats/data", query_string={"year": junk})
        assert data.status_code == 400 and data.get_json()["error"] == t("stats.error.year")


def test_a_year_without_data_shows_zeros_not_errors(seeded, client, demo):
    logged_in(demo, client, role="viewer", agencies=["nammong"])
    board = page(client, year=2560)
    assert board.figures["responses"] == "0" and board.figures["complaints"] == "0"
    assert board.row("table-satisfaction", "ต.ค. 2559")[1:] == ["0", "–"]
    assert board.figures["resolution-median"] == "–"


def test_the_json_endpoint_has_the_same_numbers(seeded, client, demo):
    logged_in(demo, client, role="viewer", agencies=["nammong"])
    data = client.get("/admin/stats/data").get_json()
    assert data["fiscal_year"] == 2568
    assert data["survey"]["responses"] == 4
    assert data["complaints"]["all_lanes_total"] == 3
    assert [row["responses"] for row in data["satisfaction"]][:5] == [0, 3, 0, 1, 0]
    published = client.get("/admin/stats/data", query_string={"publish": 1}).get_json()
    assert published["survey"]["responses_shown"] == "<5"
    assert published["charts"]["satisfaction"]["datasets"][1]["data"][1] is None


def test_rights_and_login(seeded, client, demo):
    assert redirects_to_login(client.get("/admin/stats"))
    assert client.get("/admin/stats/data").status_code in (302, 401)
    logged_in(demo, client, role="viewer", agencies=["nammong"])
    assert client.get("/admin/stats").status_code == 200


def test_a_user_without_an_agency_is_told_so(seeded, client, demo):
    logged_in(demo, client, role="viewer", agencies=[])
    response = client.get("/admin/stats")
    assert response.status_code == 200
    assert t("stats.no_agency") in response.get_data(as_text=True)
    assert client.get("/admin/stats/data").status_code == 404


def test_charts_come_from_the_app_with_no_inline_script_or_style(seeded, client, demo):
    logged_in(demo, client, role="admin", agencies=["nammong"])
    html = client.get("/admin/stats").get_data(as_text=True)
    scripts = parse(html)
    assert [s.get("src") for s in scripts.scripts] == [
        "/admin/static/vendor/chart-4.6.1.umd.min.js",
        "/admin/static/stats.js",
    ]
    assert all(not body.strip() for body in scripts.script_bodies)
    assert scripts.inline_handlers == []
    board = Dashboard(html)
    assert board.styled == []
    assert len(board.canvases) >= 9 and all(c.get("data-chart") for c in board.canvases)
    for path in ("/admin/static/stats.js", "/admin/static/vendor/chart-4.6.1.umd.min.js", "/admin/static/stats.css"):
        with client.get(path) as served:
            assert served.status_code == 200
    # Thai month names and Buddhist-era years on the axes.
    assert json.loads(board.canvases[0]["data-chart"])["labels"][:2] == ["ต.ค. 67", "พ.ย. 67"]
