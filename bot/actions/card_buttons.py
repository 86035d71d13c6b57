"""The customer card's buttons and their forms (issue 5).

A button (on the ephemeral `/customer` card, a DM, or a Home tab row) opens its form; the form's
submission runs the same service as the slash command, answers bad input on the field it is about, and
otherwise shows the command's own answer above the card as it is now: in place of the card when the
click came with a response_url, else as a DM. The services tell managers and reps through the outbox, as
for /dispute and /handover. The Home tab refreshes itself after any listener.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.i18n import t
from bot.results.cards import ASSIGN, CLAIM, DISPUTE, FOLLOWUP, HANDOVER, RELEASE, STAGE, CustomerCard
from bot.results.customers import CustomerSnapshot, InputError
from bot.rules.text import decimal_id
from bot.services import cards
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import ack_first, after_ack, answer_first, now
from bot.views import card_forms as f
from bot.views import decisions as decision_views
from bot.views.activity import action_result
from bot.views.card import ACTION_IDS, card_reply, stale_card
from bot.views.claims import Message, claim_result, text_message

log = logging.getLogger(__name__)
RESPONSE_URL_TIMEOUT_S = 10


def origin(body: dict[str, Any], cid: int) -> dict[str, Any]:
    """What a form carries in private_metadata: the customer, and where to show the outcome."""
    return {"c": cid, "r": body.get("response_url"), "o": (body.get("container") or {}).get("type") or "message"}


def metadata(view: dict[str, Any]) -> tuple[int | None, str | None]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
        url = data.get("r")
        return decimal_id(data.get("c")), url if isinstance(url, str) and url.startswith("http") else None
    except (ValueError, AttributeError):
        return None, None


def answer(client: WebClient, user_id: str, response_url: str | None, message: Message) -> None:
    """Replace the card the click came from (its response_url), or DM the user (a Home tab has none)."""
    if response_url:
        sent = WebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT_S).send(
            replace_original=True, text=message["text"], blocks=message["blocks"])
        if sent.status_code == 200:
            return
        log.warning("response_url answered %s; sending the card as a DM instead", sent.status_code)
    client.chat_postMessage(channel=user_id, **message)


def register(app: App, ctx: ServiceContext) -> None:
    tz = ctx.settings.team.timezone
    min_chars = ctx.settings.claims.min_followup_note_chars  # not editable in Slack

    Form = Callable[[CustomerSnapshot, str, dict[str, Any], CustomerCard], dict[str, Any]]
    forms: dict[str, tuple[tuple[str, ...], Form]] = {
        FOLLOWUP: ((FOLLOWUP,), lambda c, lang, meta, card: f.followup_form(c, lang, meta, min_chars)),
        STAGE: ((STAGE,), lambda c, lang, meta, card: f.stage_form(c, lang, meta)),
        RELEASE: ((RELEASE,), lambda c, lang, meta, card: f.release_form(c, lang, meta)),
        HANDOVER: ((HANDOVER, ASSIGN),
                   lambda c, lang, meta, card: f.handover_form(c, lang, meta, assign=ASSIGN in card.actions)),
        DISPUTE: ((DISPUTE,), lambda c, lang, meta, card: f.dispute_form(c, lang, meta)),
    }

    def pressed(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> tuple[str, str, int | None]:
        """Who pressed a card button, their language, and the customer id it carries (None: answered stale)."""
        user_id = body["user"]["id"]
        lang = user_language(ctx, client, user_id)
        cid = decimal_id(action.get("value"))
        if cid is None:
            answer(client, user_id, body.get("response_url"), text_message(t("button.stale", lang)))
        return user_id, lang, cid

    def opener(allowed: tuple[str, ...], form: Form) -> Callable[..., None]:
        def listener(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
            user_id, lang, cid = pressed(body, action, client)
            if cid is None:
                return
            card = cards.card_for(ctx, user_id, cid, now())
            c = card.details.lookup.customer
            if c is None or not set(allowed) & set(card.actions):  # the customer changed since the card was shown
                answer(client, user_id, body.get("response_url"), stale_card(card, lang, tz))
                return
            view = form(c, lang, origin(body, cid), card)
            in_modal = (body.get("view") or {}).get("type") == "modal"  # a card shown inside a modal
            open_view = client.views_push if in_modal else client.views_open
            open_view(trigger_id=body["trigger_id"], view=view)

        return listener

    for name, (allowed, form) in forms.items():
        ack_first(ctx, app.action(ACTION_IDS[name]))(opener(allowed, form))

    @ack_first(ctx, app.action(ACTION_IDS[CLAIM]))
    def claim_clicked(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        user_id, lang, cid = pressed(body, action, client)
        if cid is None:
            return
        done = cards.claim(ctx, user_id, cid, now())
        answer(client, user_id, body.get("response_url"), card_reply(claim_result(done.result, lang), done.card,
                                                                     lang, tz))

    def field_error(ack: Ack, form: str, error: InputError, lang: str) -> None:
        block, key = f.error_field(form, error.code)
        ack(response_action="errors", errors={block: t(key, lang, **{k: str(v) for k, v in error.params.items()})})

    def submitted(form: str, act: Callable[..., Any], reply: Callable[..., Message]) -> Callable[..., None]:
        """``act(user_id, customer_id, values)`` runs the service; ``reply(result, lang)`` is the command's answer."""
        def listener(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
            user_id = body["user"]["id"]
            lang = user_language(ctx, client, user_id)
            cid, response_url = metadata(view)
            if cid is None:  # not a form of ours
                ack()
                return
            done = act(user_id, cid, f.values(view))
            result = done.result
            if result.outcome == "invalid" and result.error is not None:
                field_error(ack, form, result.error, lang)
                return
            ack()
            message = card_reply(reply(result, lang), done.card, lang, tz)
            after_ack(context, lambda client: answer(client, user_id, response_url, message))

        return listener

    def activity_reply(usage_key: str) -> Callable[..., Message]:
        # the cooldown as in force now: managers change it in Slack (read per reply, not at start-up)
        return lambda result, lang: action_result(result, "", lang, usage_key,
                                                  cooldown_days=ctx.settings.claims.reclaim_cooldown_days,
                                                  min_chars=min_chars)

    answer_first(ctx, app.view(f.FOLLOWUP_FORM))(submitted(
        f.FOLLOWUP_FORM,
        lambda user, cid, v: cards.log_followup(ctx, user, cid, v.get("kind") or "other", v.get("note") or "",
                                                f.parse_day(v.get("next_contact")), now()),
        activity_reply("usage.followup")))
    answer_first(ctx, app.view(f.STAGE_FORM))(submitted(
        f.STAGE_FORM, lambda user, cid, v: cards.change_stage(ctx, user, cid, v.get("stage") or "", v.get("amount"),
                                                              now()),
        activity_reply("usage.stage")))
    answer_first(ctx, app.view(f.RELEASE_FORM))(submitted(
        f.RELEASE_FORM, lambda user, cid, v: cards.release(ctx, user, cid, v.get("reason") or "", now()),
        activity_reply("usage.release")))
    answer_first(ctx, app.view(f.HANDOVER_FORM))(submitted(
        f.HANDOVER_FORM,
        lambda user, cid, v: cards.hand_over(ctx, user, cid, v.get("to"), v.get("reason") or "", now()),
        lambda result, lang: decision_views.handover_reply(result, "", lang, tz)))
    answer_first(ctx, app.view(f.DISPUTE_FORM))(submitted(
        f.DISPUTE_FORM, lambda user, cid, v: cards.open_dispute(ctx, user, cid, v.get("reason") or "", now()),
        lambda result, lang: decision_views.case_reply(result, "", lang, tz)))
