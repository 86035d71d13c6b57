"""Decision buttons: Keep / Transfer / Co-own, Approve / Reject, Decline, and the Dispute and Appeal
buttons with their reason forms. Each button works once: the service's conditional update decides."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.i18n import t
from bot.results.disputes import CaseOutcome, CaseResult
from bot.results.handovers import HandoverOutcome, HandoverResult
from bot.services import disputes, handovers
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, after_ack, answer_first, now
from bot.views import decisions as v
from bot.views.claims import OPEN_DISPUTE, text_message

DISPUTE_FORM, APPEAL_FORM = "dispute_reason", "appeal_reason"
Decided = CaseResult | HandoverResult


MAX_ID = 2**31 - 1


def _value(action: dict[str, Any], key: str) -> int | None:
    """The id a button carries; None for anything a button of ours could not have sent."""
    try:
        value = json.loads(action.get("value") or "{}")[key]
    except (ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def _split(body: dict[str, Any], case_id: int) -> int | None:
    values = (body.get("state") or {}).get("values") or {}
    selected: dict[str, Any] = (values.get(f"split_{case_id}") or {}).get(v.SPLIT, {}).get("selected_option") or {}
    try:
        share = int(selected.get("value", ""))  # no value: a ValueError, so None
    except (TypeError, ValueError):
        return None
    return share if 1 <= share <= 99 else None


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone

    def refuse(respond: Respond, code: str, lang: str, **params: Any) -> None:
        respond(response_type="ephemeral", replace_original=False, **v.refusal(code, lang, **params))

    def say_stale(respond: Respond, lang: str) -> None:
        respond(response_type="ephemeral", replace_original=False, **text_message(t("button.stale", lang)))

    def decided_message(result: Decided, body: dict[str, Any], lang: str) -> dict[str, Any] | None:
        """The managers' message as it stands once decided (None while it is still pending)."""
        if isinstance(result, CaseResult) and result.case and result.case.status != "pending":
            case = result.case
        elif isinstance(result, HandoverResult) and result.handover and result.handover.status != "pending":
            case = None
        else:
            return None
        in_dm = str((body.get("channel") or {}).get("id") or "")[:1] in ("D", "U", "W")  # a DM (the console: its user id)
        shown = lang if in_dm else ctx.settings.team.language  # a channel's message is in the team's language
        if case is not None:
            return v.case_for_managers(case, shown, tz)
        assert isinstance(result, HandoverResult) and result.handover is not None
        return v.handover_for_managers(result.handover, shown, tz)

    def on_decision(key: str, decide: Callable[[str, int, dict[str, Any]], Decided]) -> Callable[..., None]:
        """A manager's decision button: ``key`` names the id the button carries, ``decide(manager, id, body)``
        calls the service (which tells everyone concerned through the outbox); a refused click is answered
        to the clicker, and a stale message it came from is replaced by the decision."""

        def listener(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
            manager = body["user"]["id"]
            lang = user_language(ctx, client, manager)
            record_id = _value(action, key)
            if record_id is None:
                say_stale(respond, lang)
                return
            result = decide(manager, record_id, body)
            if result.outcome == "refused":
                refuse(respond, result.refusal or "already_decided", lang, **result.detail)
                stale = decided_message(result, body, lang)
                if stale is not None:  # the message clicked on still had buttons: it shows the decision now
                    respond(replace_original=True, **stale)

        return listener

    def on_case_decision(decision: str) -> Callable[..., None]:
        return on_decision("case", lambda manager, case_id, body: disputes.decide(
            ctx, manager, case_id, decision, now(), claimant_share=_split(body, case_id)))

    def on_handover_decision(approve: bool) -> Callable[..., None]:
        decide = handovers.approve if approve else handovers.reject
        return on_decision("handover", lambda manager, handover_id, _body: decide(ctx, manager, handover_id, now()))

    ack_first(ctx, app.action(v.KEEP))(on_case_decision("keep"))
    ack_first(ctx, app.action(v.TRANSFER))(on_case_decision("transfer"))
    ack_first(ctx, app.action(v.COOWN))(on_case_decision("coown"))

    @app.action(v.SPLIT)
    def split_chosen(ack: Ack) -> None:  # the choice is read from the message state when Co-own is pressed
        ack()

    ack_first(ctx, app.action(v.APPROVE))(on_handover_decision(True))
    ack_first(ctx, app.action(v.REJECT))(on_handover_decision(False))

    @ack_first(ctx, app.action(v.DECLINE))
    def decline(body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        rep = body["user"]["id"]
        lang = user_language(ctx, client, rep)
        handover_id = _value(action, "handover")
        result = handovers.decline(ctx, rep, handover_id, now()) if handover_id else HandoverResult(HandoverOutcome.NOT_FOUND)
        if result.outcome == "declined" and result.handover:
            h = result.handover
            respond(replace_original=True, **v.handover_for_rep(h, rep, lang, tz))  # the others hear through the outbox
        else:
            refuse(respond, result.refusal or "already_decided", lang)

    @ack_first(ctx, app.action(OPEN_DISPUTE))
    def open_dispute_form(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        lang = user_language(ctx, client, body["user"]["id"])
        customer_id = _value(action, "c")
        client.views_open(trigger_id=body["trigger_id"], view=v.reason_modal(
            DISPUTE_FORM, "modal.dispute_title", lang, json.dumps({"c": customer_id})))

    @ack_first(ctx, app.action(v.OPEN_APPEAL))
    def open_appeal_form(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        lang = user_language(ctx, client, body["user"]["id"])
        client.views_open(trigger_id=body["trigger_id"], view=v.reason_modal(
            APPEAL_FORM, "modal.appeal_title", lang, json.dumps({"case": _value(action, "case")})))

    @answer_first(ctx, app.view(DISPUTE_FORM))
    def dispute_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                          context: BoltContext) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        reason = _reason(view)
        customer_id = _metadata(view, "c")
        if not reason.strip():
            ack(response_action="errors", errors={"reason": t("dispute.needs_reason", lang)})
            return
        result = disputes.open_dispute(ctx, user_id, reason, now(), customer_id=customer_id) \
            if customer_id else CaseResult(CaseOutcome.NOT_FOUND)
        ack()  # after the service: had it failed, the form would say so (bot/slack/listening)
        after_ack(context, lambda client: reply_to(client, user_id, result, lang))

    @answer_first(ctx, app.view(APPEAL_FORM))
    def appeal_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                         context: BoltContext) -> None:
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        reason = _reason(view)
        if not reason.strip():
            ack(response_action="errors", errors={"reason": t("dispute.needs_reason", lang)})
            return
        case_id = _metadata(view, "case")
        result = disputes.open_appeal(ctx, user_id, case_id, reason, now()) if case_id else CaseResult(CaseOutcome.NOT_FOUND)
        ack()  # after the service, as above
        after_ack(context, lambda client: reply_to(client, user_id, result, lang))

    def reply_to(client: WebClient, user_id: str, result: CaseResult, lang: str) -> None:
        client.chat_postMessage(channel=user_id, **v.case_reply(result, "", lang, tz))


def _reason(view: dict[str, Any]) -> str:
    return str(((view.get("state") or {}).get("values") or {}).get("reason", {}).get("value", {}).get("value") or "")


def _metadata(view: dict[str, Any], key: str) -> int | None:
    return _value({"value": view.get("private_metadata")}, key)
