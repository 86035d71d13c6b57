"""How a listener answers inside Slack's 3 seconds whatever the Web API's latency, and what every
listener shares: the clock, the asker's text, and a guard so bad input never crashes (a listener that
raises is logged and its user told; nothing is half-written, every service call being one transaction).

The HTTP answer is the ack (``process_before_response=True``): a slash command's reply and a form's
field errors are its body. Every Web API call after it runs as a Bolt lazy listener, in the app's
``listener_executor`` (``LazyWork``), after the answer has gone:

- ``answer_first`` (commands, form submissions): the listener computes its ack from a service call; what it
  hands to ``after_ack`` (opening a modal, a DM, the reply to a form) runs afterwards, then the actor's
  Home tab is refreshed. That lazy listener is started only when it has something to do: Bolt copies the
  whole request for each one, which a `/claim` answered from its ack alone need not pay.
- ``ack_first`` (buttons, events): the ack is empty, so the whole listener runs after it.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, BoltContext, BoltRequest
from slack_sdk import WebClient

from bot.i18n import t
from bot.rules import text
from bot.services.context import ServiceContext
from bot.services.health import DatabaseFault, fault_of
from bot.slack import home
from bot.slack.language import remembered_language, user_language
from bot.views.claims import text_message

log = logging.getLogger(__name__)
Listener = Callable[..., Any]
Later = Callable[[WebClient], object]  # Web API work that waits for the HTTP answer (its value is ignored)
Register = Callable[..., Any]  # app.command(...), app.action(...), app.view(...), app.event(...)
LAZY_WORKERS = 16


def now() -> datetime:
    return datetime.now(UTC)


class LazyWork(ThreadPoolExecutor):
    """Bolt's ``listener_executor``: runs the lazy listeners, and can be waited on until it is idle (the
    console shows a request's follow-up calls with its answer; tests and a stopping server wait for them)."""

    def __init__(self, max_workers: int = LAZY_WORKERS) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="claimbot-lazy")
        self._idle = threading.Condition()
        self._running = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._running += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done()
            raise
        future.add_done_callback(lambda _: self._done())
        return future

    def _done(self) -> None:
        with self._idle:
            self._running -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every lazy listener started so far (and any it started) has finished."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what has started (within ``timeout``), then refuse new work (with the server)."""
        if not self.wait_idle(timeout):
            log.warning("lazy listeners still running after %ss", timeout)
        self.shutdown(wait=False)


class _AfterAck(list[Later]):
    """The Web API work a listener leaves for after its answer. Bolt deep-copies the request's context
    for its lazy listeners; this list crosses over as it is."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _AfterAck:
        return self


def after_ack(context: BoltContext, later: Later) -> None:
    """Call ``later(client)`` after the HTTP answer (in a lazy listener, with that request's client)."""
    pending = context.get("after_ack")
    if not isinstance(pending, _AfterAck):
        pending = _AfterAck()
        context["after_ack"] = pending
    pending.append(later)


def acknowledge(ack: Ack) -> None:
    """The HTTP answer of a button or an event: empty, at once."""
    ack()


def answer_first(ctx: ServiceContext, register: Register) -> Callable[[Listener], Listener]:
    """Register a command or form listener: it acks with its answer; its ``after_ack`` work and then the
    actor's Home refresh run as a lazy listener."""

    def decorate(listener: Listener) -> Listener:
        register(_with_arguments(ctx, listener, _then_after_answer(_after_answer(ctx))))
        return listener

    return decorate


def ack_first(ctx: ServiceContext, register: Register, *, refresh_home: bool = True) -> Callable[[Listener], Listener]:
    """Register a button or event listener: an empty ack at once; the listener (then the actor's Home
    refresh) runs as a lazy listener."""

    def decorate(listener: Listener) -> Listener:
        register(ack=acknowledge, lazy=[_with_arguments(ctx, listener, _then_home if refresh_home else None)])
        return listener

    return decorate


After = Callable[[ServiceContext, WebClient, BoltContext, dict[str, Any], BoltRequest], None]


_ALWAYS = ("ack", "body", "client", "context", "request", "respond")  # what the guard and ``after`` use


def _with_arguments(ctx: ServiceContext, listener: Listener, after: After | None) -> Listener:
    """``listener``, given the arguments it names and guarded, then ``after``. Bolt builds the arguments
    the function it is given names (its signature), each at a cost per request: this one names only what
    the listener names plus what the guard and ``after`` need."""
    names = inspect.getfullargspec(inspect.unwrap(listener)).args

    def run(**given: Any) -> None:
        try:
            listener(**{name: given[name] for name in names})
        except Exception as error:
            log.exception("listener %s failed", listener.__name__)
            _tell_error(ctx, given["ack"], given["respond"], given["body"], error)
            return
        if after is not None:
            after(ctx, given["client"], given["context"], given["body"], given["request"])

    wanted = list(dict.fromkeys([*_ALWAYS, *names]))
    run.__dict__["__signature__"] = inspect.Signature(  # what inspect (and so Bolt) reads as its parameters
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in wanted])
    run.__name__ = run.__qualname__ = listener.__name__
    return run


def _then_after_answer(after_answer: Listener) -> After:
    def start_if_needed(ctx: ServiceContext, client: WebClient, context: BoltContext, body: dict[str, Any],
                        request: BoltRequest) -> None:
        if context.get("after_ack") or home.may_need_refresh(ctx, context.user_id):
            start_lazily(context, request, after_answer)

    return start_if_needed


def start_lazily(context: BoltContext, request: BoltRequest, function: Listener) -> None:
    """Run ``function`` as a lazy listener of this request, as Bolt starts the ``lazy=[…]`` ones: on a copy
    of the request, in the app's ``listener_executor``, after the HTTP answer."""
    runner = context.listener_runner
    copied: BoltRequest = copy.deepcopy(request.to_copyable())
    copied.lazy_only = True
    copied.lazy_function_name = function.__name__
    copied.context["listener_runner"] = runner
    runner.lazy_listener_runner.start(function=function, request=copied)


def _then_home(ctx: ServiceContext, client: WebClient, context: BoltContext, body: dict[str, Any],
               request: BoltRequest) -> None:
    refresh_actor_home(ctx, client, context.user_id)


def _after_answer(ctx: ServiceContext) -> Listener:
    def after_answer(context: BoltContext, client: WebClient, body: dict[str, Any], respond: Any) -> None:
        for later in context.get("after_ack") or ():
            try:
                later(client)
            except Exception as error:
                log.exception("work after the answer failed")
                if respond is not None and context.response_url:  # a command: tell the asker
                    with contextlib.suppress(Exception):
                        respond(response_type="ephemeral", replace_original=False,
                                **text_message(error_text(ctx, error, context.user_id)))
        refresh_actor_home(ctx, client, context.user_id)

    return after_answer


def refresh_actor_home(ctx: ServiceContext, client: WebClient, user_id: str | None) -> None:
    """Republish the acting user's Home tab (free for users who never opened it)."""
    try:
        home.refresh_home(ctx, client, [user_id])
    except Exception:  # the Home tab is never worth failing a request for
        log.warning("could not refresh the Home tab of %s", user_id, exc_info=True)


def typed_or_usage(ctx: ServiceContext, client: WebClient, command: dict[str, Any], ack: Callable[..., Any],
                   usage_key: str, **params: Any) -> tuple[str, str, str] | None:
    """The asker, their language and the command's cleaned text; with no text the asker gets the usage
    (ephemeral, ``params`` fill its placeholders) and the listener gets None."""
    user_id = command["user_id"]
    lang = user_language(ctx, client, user_id)
    typed = text.clean(command.get("text"))
    if not typed:
        ack(response_type="ephemeral", **text_message(t(usage_key, lang, **params)))
        return None
    return user_id, lang, typed


_FAULT_KEYS = {DatabaseFault.UNAVAILABLE: "error.database_unavailable", DatabaseFault.FULL: "error.database_full"}


def error_text(ctx: ServiceContext, error: BaseException, user_id: str | None) -> str:
    """What a user is told when their request failed: "try again in a moment" while the database is away,
    "tell an admin" when its disk is full, else that something went wrong — in the language this process
    remembers for them (the database may be the very thing that is away)."""
    fault = fault_of(error)
    return t(_FAULT_KEYS[fault] if fault else "error.internal", remembered_language(ctx, user_id))


def _tell_error(ctx: ServiceContext, ack: Any, respond: Any, body: dict[str, Any], error: BaseException) -> None:
    """The answer to a request whose listener failed: the ack's body if not yet sent (a form keeps open
    and says it under its first field), else to the response URL (a button already acknowledged)."""
    user_id = body.get("user_id") or (body.get("user") or {}).get("id")
    message = error_text(ctx, error, user_id)
    if ack is not None and not getattr(ack, "response", None):
        fields = list(((body.get("view") or {}).get("state") or {}).get("values") or {})
        if body.get("type") == "view_submission" and fields:
            ack(response_action="errors", errors={fields[0]: message})
        else:
            ack(**text_message(message))
    elif respond is not None:
        with contextlib.suppress(Exception):
            respond(response_type="ephemeral", replace_original=False, **text_message(message))
