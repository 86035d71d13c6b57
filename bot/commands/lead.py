"""`/lead name | region | industry | tier | source` (managers; no text opens a form), and the managers'
readings of allocation: `/claimbot why`, `/claimbot fairness [week|month]`, `/claimbot sources [week|month]`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.i18n import t
from bot.results.leads import IntakeOutcome
from bot.rules import leads as rules
from bot.rules import text
from bot.services import fairness, leads
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import after_ack, answer_first, now
from bot.views import leads as v
from bot.views.claims import text_message
from bot.views.decisions import refusal

WHY, FAIRNESS, SOURCES = ("why", "为什么"), ("fairness", "公平"), ("sources", "来源")


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone

    @answer_first(ctx, app.command("/lead"))
    def lead_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        typed = text.clean(command.get("text"))
        if not typed:
            ack()
            view = v.lead_form(lang)
            after_ack(context, lambda client: client.views_open(trigger_id=command["trigger_id"], view=view))
            return
        fields = rules.parse_command(typed)
        if fields is None:
            ack(response_type="ephemeral", **text_message(t("usage.lead", lang)))
            return
        ack(response_type="ephemeral", **lead_reply(ctx, user_id, fields, lang, tz))

    @answer_first(ctx, app.view(v.LEAD_FORM))
    def lead_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                       context: BoltContext) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        fields = v.form_fields(view)
        result = leads.enter(ctx, user_id, fields, now())
        if result.error is not None:
            block = result.error.field if result.error.field in (*v.FORM_FIELDS, "tier") else "name"
            ack(response_action="errors", errors={block: v.field_error(result.error, lang)["text"]})
            return
        ack()
        reply = lead_reply_of(result, fields.get("name", ""), lang, tz)
        after_ack(context, lambda client: client.chat_postMessage(channel=user_id, **reply))


def lead_reply(ctx: ServiceContext, user_id: str, fields: dict[str, str], lang: str, tz: str) -> dict[str, Any]:
    return lead_reply_of(leads.enter(ctx, user_id, fields, now()), fields.get("name", ""), lang, tz)


def lead_reply_of(result: Any, name: str, lang: str, tz: str) -> dict[str, Any]:
    if result.outcome == IntakeOutcome.REFUSED:
        return refusal("not_manager", lang)
    return v.lead_reply(result, name, lang, tz)


def claimbot_verb(ctx: ServiceContext, user_id: str, verb: str, rest: str, lang: str) -> dict[str, Any] | None:
    """`/claimbot why|fairness|sources …`: the answer, or None when ``verb`` is none of these."""
    tz = ctx.settings.team.timezone
    if verb in WHY:
        query = rest.strip()
        return v.why_message(fairness.why(ctx, query), query, lang, tz) if query else text_message(t("why.usage", lang))
    if verb in FAIRNESS + SOURCES:
        bounds = rules.period(rest, now())
        if bounds is None:
            return text_message(t("fairness.usage" if verb in FAIRNESS else "sources.usage", lang))
        if verb in FAIRNESS:
            report = fairness.for_manager(ctx, user_id, *bounds)
            return v.fairness_report(report, lang, tz) if report else refusal("not_manager", lang)
        sources = fairness.sources_for_manager(ctx, user_id, *bounds)
        return v.sources_report(sources, lang, tz) if sources else refusal("not_manager", lang)
    return None
