"""Greeting, thanks, help, asking for a person, and not understanding."""

from __future__ import annotations

from bot.answers import Kit, answers
from bot.dialogue import Frame
from bot.replies import Reply


@answers("greeting")
def greeting(frame: Frame, kit: Kit) -> Reply:
    return kit.text_reply(kit.t("social.greeting"), frame.intent, kit.menu())


@answers("thanks")
def thanks(frame: Frame, kit: Kit) -> Reply:
    return kit.text_reply(kit.t("social.thanks"), frame.intent, kit.menu())


@answers("help")
def help_(frame: Frame, kit: Kit) -> Reply:
    return kit.text_reply(kit.t("social.help"), frame.intent, kit.menu())


@answers("contact_staff")
def contact_staff(frame: Frame, kit: Kit) -> Reply:
    contact = kit.staff_contact or kit.t("social.staff_contact_default")
    return kit.text_reply(kit.t("social.staff", contact=contact), frame.intent, kit.menu())


@answers("out_of_scope")
def out_of_scope(frame: Frame, kit: Kit) -> Reply:
    contact = kit.staff_contact or kit.t("social.staff_contact_default")
    return kit.text_reply(kit.t("social.not_understood", contact=contact), frame.intent, kit.menu())
