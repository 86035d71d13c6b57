"""/dispute, /handover, /assign: collisions and handovers, decided by managers (PRODUCT 3.4)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.commands import allocate
from bot.i18n import t
from bot.results.disputes import CaseResult
from bot.results.handovers import HandoverResult
from bot.rules import text
from bot.services import disputes, handovers
from bot.services.context import ServiceContext
from bot.slack.listening import answer_first, now, typed_or_usage
from bot.views import decisions as v
from bot.views.claims import input_error, suggestions, text_message


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone

    @answer_first(ctx, app.command("/dispute"))
    def dispute_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.dispute")
        if asked is None:
            return
        user_id, lang, typed = asked
        result = disputes.open_dispute(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **case_reply(result, text.split_fields(typed)[0], lang, tz))

    @answer_first(ctx, app.command("/handover"))
    def handover_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.handover")
        if asked is None:
            return
        user_id, lang, typed = asked
        result = handovers.request(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **handover_reply(result, typed, lang, tz))

    @answer_first(ctx, app.command("/assign"))
    def assign_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        asked = typed_or_usage(ctx, client, command, ack, "usage.assign")
        if asked is None:
            return
        user_id, lang, typed = asked
        if allocate.is_auto(typed):  # `/assign name auto`: the allocation rules pick the rep
            allocate.assign_auto(ack, ctx, user_id, typed, lang)
            return
        result = handovers.assign(ctx, user_id, typed, now())
        ack(response_type="ephemeral", **handover_reply(result, typed, lang, tz))


def case_reply(result: CaseResult, query: str, lang: str, tz: str) -> dict[str, Any]:
    if result.outcome == "opened" and result.case:
        return v.case_opened(result.case, lang, tz)
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, "usage.dispute")
    if result.outcome == "not_found":
        return suggestions(result.lookup, query, lang, "usage.dispute") if result.lookup else \
            text_message(t("not_found", lang, name=query))
    return v.refusal(result.refusal or "already_decided", lang)


def handover_reply(result: HandoverResult, typed: str, lang: str, tz: str) -> dict[str, Any]:
    h = result.handover
    if result.outcome == "requested" and h:
        return v.handover_requested(h, lang, tz)
    if result.outcome == "transferred" and h:
        return v.handover_for_rep(h, h.requested_by, lang, tz)
    if result.outcome == "assigned":
        return v.assigned(result.detail, lang)
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, "usage.handover")
    if result.outcome == "not_found" and result.lookup:
        return suggestions(result.lookup, text.split_fields(text.first_mention(typed).rest if text.first_mention(typed)
                                                            else typed)[0], lang, "usage.handover")
    return v.refusal(result.refusal or "already_decided", lang, **result.detail)
