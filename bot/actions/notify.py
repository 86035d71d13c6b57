"""Delivering decisions: managers' messages, DMs, the digest channel, and replacing decided buttons.

Used by the button listeners and the deadline job alike. Every recipient reads their own language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import t
from bot.results import CaseResult, HandoverResult, MessageRef
from bot.services.context import ServiceContext
from bot.slack import home as home_tab
from bot.slack.language import user_language
from bot.views import decisions as v
from bot.views.claims import text_message

log = logging.getLogger(__name__)
Build = Callable[[str], dict[str, Any]]  # language → message


def to_managers(client: WebClient, ctx: ServiceContext, managers: Iterable[str], build: Build) -> list[MessageRef]:
    """The approvals channel when there is one, else a DM to each manager."""
    managers = list(managers)
    home_tab.refresh_home(ctx, client, managers)  # what waits for them has changed
    channel = ctx.settings.team.approvals_channel
    if channel:
        ref = _post(client, channel, build(ctx.settings.team.language))
        return [ref] if ref else []
    refs = []
    for manager in managers:
        ref = _post(client, manager, build(user_language(ctx, client, manager)), user_id=manager)
        if ref:
            refs.append(ref)
    return refs


def dm(client: WebClient, ctx: ServiceContext, user_id: str, build: Build) -> MessageRef | None:
    home_tab.refresh_home(ctx, client, [user_id])  # a rep told of a decision: their Home changed too
    return _post(client, user_id, build(user_language(ctx, client, user_id)), user_id=user_id)


def to_digest(client: WebClient, ctx: ServiceContext, build: Build) -> MessageRef | None:
    channel = ctx.settings.team.digest_channel
    return _post(client, channel, build(ctx.settings.team.language)) if channel else None


def replace(client: WebClient, ctx: ServiceContext, refs: Iterable[MessageRef], build: Build,
            *, thread_note: Build | None = None) -> None:
    """Replace each posted message (its buttons go, the decision shows); note the decision in its thread."""
    for ref in refs:
        lang = user_language(ctx, client, ref.user_id) if ref.user_id else ctx.settings.team.language
        try:
            client.chat_update(channel=ref.channel, ts=ref.ts, **build(lang))
            if thread_note is not None and not ref.user_id:
                client.chat_postMessage(channel=ref.channel, thread_ts=ref.ts, **thread_note(lang))
        except SlackApiError:
            log.warning("could not update %s/%s", ref.channel, ref.ts, exc_info=True)


def _post(client: WebClient, channel: str, message: dict[str, Any], *, user_id: str | None = None) -> MessageRef | None:
    try:
        response = client.chat_postMessage(channel=channel, **message)
    except SlackApiError:
        log.warning("could not post to %s", channel, exc_info=True)
        return None
    return MessageRef(response["channel"], response["ts"], user_id)


def deliver_case(client: WebClient, ctx: ServiceContext, result: CaseResult) -> None:
    """A decided (or expired) case: replace the managers' buttons, tell both reps and the team.
    A refused click on an already-decided case refreshes the stale message it came from."""
    case = result.case
    if case is None:
        return
    tz = ctx.settings.team.timezone
    if result.outcome == "refused":
        if case.status != "pending":
            replace(client, ctx, result.messages, lambda lg: v.case_for_managers(case, lg, tz))
        return
    if result.outcome not in ("decided", "expired"):
        return
    replace(client, ctx, result.messages, lambda lg: v.case_for_managers(case, lg, tz),
                   thread_note=lambda lg: v.case_for_channel(case, lg, tz))
    for rep in dict.fromkeys((case.claimant, case.owner)):
        dm(client, ctx, rep, lambda lg, rep=rep: v.case_decided_for_rep(case, rep, lg, tz))
    to_digest(client, ctx, lambda lg: v.case_for_channel(case, lg, tz))


def deliver_handover(client: WebClient, ctx: ServiceContext, result: HandoverResult, *, skip: str | None = None) -> None:
    h = result.handover
    if h is None:
        return
    tz = ctx.settings.team.timezone
    if result.outcome == "refused":
        if h.status != "pending":
            replace(client, ctx, result.messages, lambda lg: v.handover_for_managers(h, lg, tz))
        return
    replace(client, ctx, result.messages, lambda lg: v.handover_for_managers(h, lg, tz))
    for rep in dict.fromkeys((h.from_rep, h.to_rep)):
        if rep != skip:
            dm(client, ctx, rep, lambda lg, rep=rep: v.handover_for_rep(h, rep, lg, tz))
    if result.outcome in ("transferred", "declined"):
        to_digest(client, ctx, lambda lg: text_message(
            t("handover.told", lg, id=h.id, name=v.escape(h.customer.name), sid=h.customer.short_id,
              outcome=v.handover_outcome(h, lg, tz))))
