"""Messages for follow-ups, stage changes and releases. Pure."""

from __future__ import annotations

from bot.i18n import t
from bot.results.claims import ActionResult
from bot.views.claims import Message, clock_name, day, input_error, mention, suggestions, text_message
from bot.views.text import escape


def action_result(result: ActionResult, query: str, lang: str, usage_key: str, *, cooldown_days: int = 0,
                  min_chars: int = 10) -> Message:
    c = result.customer
    if result.outcome == "invalid" and result.error:
        return input_error(result.error, lang, usage_key, min_chars=min_chars)
    if result.outcome == "not_found":
        assert result.lookup is not None
        return suggestions(result.lookup, query, lang, usage_key, min_chars=min_chars)
    assert c is not None
    name = escape(c.name)
    if result.outcome == "not_owner":
        return text_message(t("not_owner", lang, name=name, sid=c.short_id, owner=mention(c.owner, lang)))
    if result.outcome in ("logged", "not_qualifying"):
        kind = t(f"followup.kind.{result.kind}", lang)
        if result.outcome == "logged":
            return text_message(t("followup.logged", lang, name=name, kind=kind, until=day(result.until, lang),
                                  clock=clock_name(c.clock, lang)))
        return text_message(t(f"followup.not_qualifying.{result.detail}", lang, name=name, min_chars=min_chars,
                              until=day(result.until, lang)))
    if result.outcome == "same":
        return text_message(t("stage.same", lang, name=name, stage=t(f"stage.{result.to_stage}", lang)))
    if result.outcome == "closed":
        return text_message(t("stage.already_closed", lang, name=name, stage=t(f"stage.{result.to_stage}", lang)))
    if result.outcome == "changed":
        effect = t(f"stage.effect.{result.detail}", lang, until=day(result.until, lang),
                   clock=clock_name(c.clock, lang), amount=f"{result.amount:,.2f}" if result.amount else "",
                   cooldown=cooldown_days)
        return text_message(t("stage.changed", lang, name=name, from_=t(f"stage.{result.from_stage}", lang),
                              to=t(f"stage.{result.to_stage}", lang), effect=effect))
    if result.outcome == "released":
        return text_message(t("release.done", lang, name=name, sid=c.short_id, reason=escape(result.reason),
                              cooldown=cooldown_days, until=day(result.until, lang)))
    raise ValueError(result.outcome)
