"""Complaint buttons and forms: *Resolve* (owner or manager; opens the resolution form) and the customer
card's *Complaint* button (opens the complaint form). Resolving works once: the service's conditional
update decides, and the service has every message that carried the button show the resolution instead
(through the outbox)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.results.complaints import ComplaintOutcome, ComplaintResult
from bot.rules.text import decimal_id
from bot.services import complaints
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, after_ack, answer_first, now
from bot.views import complaints as v
from bot.views.claims import text_message


def _metadata_id(view: dict[str, Any], key: str) -> int | None:
    try:
        return decimal_id(json.loads(view.get("private_metadata") or "{}").get(key))
    except (ValueError, AttributeError):
        return None


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone
    due_days = ctx.settings.complaints.due_days

    def tell(respond: Respond, message: dict[str, Any]) -> None:
        respond(response_type="ephemeral", replace_original=False, **message)

    @ack_first(ctx, app.action(v.RESOLVE))
    def resolve_pressed(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        complaint_id = decimal_id(action.get("value"))
        if complaint_id is None:
            tell(respond, text_message(t("button.stale", lang)))
            return
        result = complaints.check_resolve(ctx, user_id, complaint_id, now())
        if result.outcome == "may_resolve" and result.complaint:
            client.views_open(trigger_id=body["trigger_id"], view=v.resolution_modal(result.complaint, lang, tz))
            return
        tell(respond, v.reply(result, "", lang, due_days))
        if result.refusal == "already_resolved" and result.complaint:  # a stale message: show how it ended
            in_dm = str((body.get("channel") or {}).get("id") or "")[:1] in ("D", "U", "W")  # a DM (the console: its user id)
            shown = lang if in_dm else ctx.settings.team.language  # a channel's message is in the team's language
            for_owner = in_dm and user_id == result.complaint.owner
            respond(replace_original=True, **v.complaint_message(result.complaint, shown, tz, for_owner=for_owner))

    @answer_first(ctx, app.view(v.RESOLUTION_FORM))
    def resolution_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        complaint_id = _metadata_id(view, "complaint")
        resolution = v.typed(view, v.RESOLUTION_BLOCK)
        if not resolution.strip():
            ack(response_action="errors", errors={v.RESOLUTION_BLOCK: t("complaint.needs_resolution", lang)})
            return
        if complaint_id is None:
            ack(response_action="errors", errors={v.RESOLUTION_BLOCK: t("button.stale", lang)})
            return
        result = complaints.resolve(ctx, user_id, complaint_id, resolution, now())
        if result.outcome != "resolved" or result.complaint is None:  # the form stays open and says why
            ack(response_action="errors", errors={v.RESOLUTION_BLOCK: v.form_error(result, lang)})
            return
        ack()

    @ack_first(ctx, app.action(v.CARD_COMPLAINT))
    def card_complaint_pressed(body: dict[str, Any], action: dict[str, Any], respond: Respond,
                               client: WebClient) -> None:
        lang = user_language(ctx, client, body["user"]["id"])
        customer_id = decimal_id(action.get("value"))
        if customer_id is None:
            tell(respond, text_message(t("button.stale", lang)))
            return
        # a card shown inside a modal (the Home tab's *Open card*) stacks the form on it, as the card's other forms do
        in_modal = (body.get("view") or {}).get("type") == "modal"
        open_view = client.views_push if in_modal else client.views_open
        open_view(trigger_id=body["trigger_id"], view=v.complaint_modal(customer_id, lang, due_days))

    @answer_first(ctx, app.view(v.COMPLAINT_FORM))
    def complaint_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                            context: BoltContext) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        said = v.typed(view, v.TEXT_BLOCK)
        customer_id = _metadata_id(view, "c")
        if not said.strip():
            ack(response_action="errors", errors={v.TEXT_BLOCK: t("complaint.needs_text", lang)})
            return
        result = complaints.log(ctx, user_id, said, now(), customer_id=customer_id) if customer_id else \
            ComplaintResult(ComplaintOutcome.NOT_FOUND)
        if result.outcome == "invalid":
            ack(response_action="errors", errors={v.TEXT_BLOCK: v.form_error(result, lang)})
            return
        ack()
        reply = v.reply(result, "", lang, due_days)
        after_ack(context, lambda client: client.chat_postMessage(channel=user_id, **reply))
