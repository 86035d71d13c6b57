"""/claimbot help | role @user manager|rep | offboard @rep [@new owner] | alias customer = other name | review |
ooo | scorecard | settings | why | fairness | sources."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.commands import lead, ooo, scorecard
from bot.commands import settings as settings_verb
from bot.i18n import t
from bot.rules import text
from bot.services import aliases, handovers, review, roles
from bot.services.context import ServiceContext
from bot.slack.language import user_language
from bot.slack.listening import answer_first, now
from bot.views import decisions as v
from bot.views.aliases import alias_reply
from bot.views.claims import text_message
from bot.views.review import review_page


def register(app: App, ctx: ServiceContext) -> None:
    @answer_first(ctx, app.command("/claimbot"))
    def claimbot_command(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        user_id = command["user_id"]
        lang = user_language(ctx, client, user_id)
        typed = text.clean(command.get("text"))
        verb, _, rest = typed.partition(" ")
        verb = verb.casefold()
        if verb in ("", "help", "帮助"):
            ack(response_type="ephemeral", **help_message(ctx, lang))
        elif verb in ("role", "角色"):
            mention = text.first_mention(rest)
            role = mention.rest.strip().casefold() if mention else None
            changed = roles.set_role(ctx, user_id, mention.user_id if mention else None, role, now())
            ack(response_type="ephemeral", **v.role_changed(changed.outcome, changed.user_id, changed.old_role,
                                                            changed.new_role, lang))
        elif verb in ("offboard", "离岗"):
            ids = re.findall(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", rest)
            offboarded = handovers.offboard(ctx, user_id, ids[0] if ids else None, ids[1] if len(ids) > 1 else None,
                                            now())
            if offboarded.outcome == "done":
                ack(response_type="ephemeral", **v.offboarded(offboarded, lang))  # the team hears through the outbox
            elif offboarded.outcome == "refused":
                ack(response_type="ephemeral", **v.refusal(offboarded.refusal or "not_manager", lang))
            else:
                ack(response_type="ephemeral", **text_message(t("usage.claimbot", lang)))
        elif verb in ("alias", "别名"):
            ack(response_type="ephemeral", **alias_reply(aliases.add_alias(ctx, user_id, rest, now()), lang))
        elif verb in ("review", "核对"):
            ack(response_type="ephemeral", **review_page(review.queue(ctx, user_id), lang))
        elif verb in ("ooo", "休假"):
            ack(response_type="ephemeral", **ooo.ooo_reply(ctx, user_id, rest, lang))
        elif verb in scorecard.VERBS:
            ack(response_type="ephemeral", **scorecard.scorecard_reply(ctx, user_id, rest, lang))
        elif verb in settings_verb.VERBS:
            settings_verb.open_settings(ctx, context, ack, command, lang)
        elif (answer := lead.claimbot_verb(ctx, user_id, verb, rest, lang)) is not None:
            ack(response_type="ephemeral", **answer)
        else:
            ack(response_type="ephemeral", **text_message(t("usage.claimbot", lang)))


def help_message(ctx: ServiceContext, lang: str) -> dict[str, Any]:
    c = ctx.settings.claims
    return text_message(t(
        "help", lang, first_followup_days=c.first_followup_days,
        fA=c.followup_timeout_days["A"], fB=c.followup_timeout_days["B"], fC=c.followup_timeout_days["C"],
        pA=c.progress_timeout_days["A"], pB=c.progress_timeout_days["B"], pC=c.progress_timeout_days["C"],
        max_days=c.max_protection_days, holding_cap=c.holding_cap, daily_cap=c.daily_claim_cap,
        cooldown=c.reclaim_cooldown_days))
