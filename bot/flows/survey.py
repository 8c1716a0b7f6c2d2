"""The satisfaction survey: EIT-style questions rated 1–5 by quick reply, resumable, one per period."""

from __future__ import annotations

from sqlalchemy import select

from bot import data
from bot.flows import Ctx, Flow, Input, Pass
from bot.flows.common import (
    agency_of,
    ask_agency,
    cancelled,
    fixed_agency,
    rating_buttons,
    rating_of,
    understood_as_question,
)
from bot.flows.triggers import match
from bot.replies import Reply
from models import Agency, SurveyAnswer, SurveyQuestion, SurveyResponse, db
from models.periods import period_key, split_period
from models.survey import questions_for
from models.types import utcnow

MAX_COMMENT = 1000


def period_label(key: str, lang: str) -> str:
    """'ปีงบประมาณ พ.ศ. 2569', 'ไตรมาส 1 ปีงบประมาณ พ.ศ. 2569', ..."""
    from bot.i18n import t

    year, span, number = split_period(key)
    if span == "fiscal_year":
        return t("survey.period.year", lang, year=year)
    return t(f"survey.period.{span}", lang, year=year, number=number)


class Survey(Flow):
    name = "survey"
    opens = frozenset({"agency"})

    def start(self, ctx: Ctx, args: dict[str, str]) -> Reply:
        agency = data.agency(args["agency"]) if args.get("agency") else fixed_agency()
        if agency is None:
            ctx.state = {"stage": "agency"}
            return ask_agency(ctx, self.name, "survey.which_agency")
        return self._begin(ctx, agency)

    def step(self, ctx: Ctx, inp: Input) -> Reply | Pass:
        stage = ctx.state.get("stage")
        if cancelled(inp) or inp.data.get("pause") == "1":
            return self._pause(ctx)
        if stage == "agency":
            agency = agency_of(ctx, inp)
            if agency is None:
                return self._not_an_answer(ctx, inp) or ask_agency(ctx, self.name, "survey.which_agency")
            return self._begin(ctx, agency)
        response = self._response(ctx)
        if response is None:  # erased meanwhile: start over
            ctx.state = {}
            return self.start(ctx, {})
        if stage == "comment":
            return self._comment(ctx, inp, response)
        return self._rate(ctx, inp, response)

    # --- stages --------------------------------------------------------------------------------
    def _begin(self, ctx: Ctx, agency: Agency) -> Reply:
        period = period_key(utcnow(), ctx.config["SURVEY_PERIOD"])
        ctx.state = {"stage": "rating", "agency": agency.slug, "period": period}
        response = self._response(ctx)
        name = agency.display_name(ctx.kit.lang)
        if response is not None and response.status == "complete":
            ctx.state = {}
            label = period_label(period, ctx.kit.lang)
            return ctx.reply(ctx.t("survey.already_done", agency=name, period=label), "survey:done", ctx.kit.menu())
        questions = questions_for(agency.id)
        if not questions:
            ctx.state = {}
            return ctx.reply(ctx.t("survey.no_questions", agency=name), "survey:none", ctx.kit.menu())
        if response is None:
            response = SurveyResponse(
                agency_id=agency.id,
                conversation_id=ctx.conversation.id,
                period=period,
                channel=ctx.conversation.channel,
            )
            db.session.add(response)
            intro = ctx.t("survey.intro", agency=name, count=len(questions))
        else:
            intro = ctx.t("survey.resume", number=len(response.answers) + 1, count=len(questions))
        return self._ask(ctx, response, questions, intro)

    def _rate(self, ctx: Ctx, inp: Input, response: SurveyResponse) -> Reply | Pass:
        questions = questions_for(response.agency_id)
        question = _next_question(response, questions)
        if question is None:  # every question answered (by another device meanwhile)
            return self._complete(ctx, response)
        score = rating_of(inp)
        tapped = inp.data.get("q") if inp.kind == "postback" else None
        if tapped is not None and tapped != str(question.id):
            return self._ask(ctx, response, questions, ctx.t("survey.answer_this_one"))
        if score is None:
            return self._not_an_answer(ctx, inp) or self._ask(ctx, response, questions, ctx.t("survey.invalid"))
        ctx.state.pop("paused", None)
        response.answers.append(SurveyAnswer(question_id=question.id, score=score))
        if _next_question(response, questions) is None:
            return self._complete(ctx, response)
        return self._ask(ctx, response, questions)

    def _complete(self, ctx: Ctx, response: SurveyResponse) -> Reply:
        response.status, response.completed_at = "complete", utcnow()
        ctx.state = {**ctx.state, "stage": "comment"}
        return ctx.reply(
            ctx.t("survey.comment"), "survey:comment", [ctx.button("survey.no_comment", "flow=survey&skip=1")]
        )

    def _comment(self, ctx: Ctx, inp: Input, response: SurveyResponse) -> Reply | Pass:
        if inp.kind == "postback" and inp.data.get("skip") == "1":
            return self._thanks(ctx, response)
        if inp.kind != "text" or not inp.text.strip():
            return ctx.reply(
                ctx.t("survey.comment_text"), "survey:comment", [ctx.button("survey.no_comment", "flow=survey&skip=1")]
            )
        if match(inp.text) or understood_as_question(inp.text):
            ctx.state = {}  # the answers are complete; the citizen moved on
            return Pass()
        if len(inp.text) > MAX_COMMENT:
            return ctx.reply(
                ctx.t("survey.comment_too_long", limit=MAX_COMMENT, length=len(inp.text)),
                "survey:comment",
                [ctx.button("survey.no_comment", "flow=survey&skip=1")],
            )
        response.comment = inp.text.strip()
        return self._thanks(ctx, response)

    def _thanks(self, ctx: Ctx, response: SurveyResponse) -> Reply:
        agency = db.session.get(Agency, response.agency_id)
        ctx.state = {}
        text = ctx.t(
            "survey.thanks",
            agency=agency.display_name(ctx.kit.lang),
            period=period_label(response.period, ctx.kit.lang),
        )
        return ctx.reply(text, "survey:thanks", ctx.kit.menu())

    def _pause(self, ctx: Ctx) -> Reply:
        response = self._response(ctx) if ctx.state.get("agency") else None
        ctx.state = {}
        if response is None or response.status == "complete":
            return ctx.reply(ctx.t("survey.stopped"), "survey:stopped", ctx.kit.menu())
        count = len(questions_for(response.agency_id))
        return ctx.reply(
            ctx.t("survey.paused", answered=len(response.answers), count=count),
            "survey:paused",
            [ctx.button("survey.continue", "flow=survey")] + ctx.kit.menu()[:4],
        )

    # --- helpers -------------------------------------------------------------------------------
    def _ask(self, ctx: Ctx, response: SurveyResponse, questions: list[SurveyQuestion], lead: str = "") -> Reply:
        question = _next_question(response, questions)
        number = questions.index(question) + 1
        body = ctx.t(
            "survey.question",
            number=number,
            count=len(questions),
            question=question.text(ctx.kit.lang),
            indicator=ctx.kit.indicator_name(question.indicator),
        )
        buttons = rating_buttons(ctx.kit.lang, f"flow=survey&q={question.id}")
        buttons.append(ctx.button("survey.pause", "flow=survey&pause=1"))
        return ctx.reply(f"{lead}\n\n{body}".strip(), "survey:question", buttons)

    def _not_an_answer(self, ctx: Ctx, inp: Input) -> Pass | None:
        """A question or another request mid-survey: answer it, remind once that the survey waits."""
        if inp.kind != "text" or not (match(inp.text) or understood_as_question(inp.text)):
            return None
        if ctx.state.get("paused"):
            return Pass()
        ctx.state = {**ctx.state, "paused": True}
        return Pass(
            reminder=ctx.reply(
                ctx.t("survey.waiting"), "survey:waiting", [ctx.button("survey.continue", "flow=survey")]
            )
        )

    def _response(self, ctx: Ctx) -> SurveyResponse | None:
        agency = data.agency(ctx.state.get("agency", ""))
        if agency is None or ctx.conversation.id is None:
            return None
        return db.session.scalar(
            select(SurveyResponse).where(
                SurveyResponse.agency_id == agency.id,
                SurveyResponse.conversation_id == ctx.conversation.id,
                SurveyResponse.period == ctx.state.get("period"),
            )
        )


def _next_question(response: SurveyResponse, questions: list[SurveyQuestion]) -> SurveyQuestion | None:
    answered = {a.question_id for a in response.answers}
    return next((q for q in questions if q.id not in answered), None)
