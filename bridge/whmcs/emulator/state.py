"""EmulatorState: an in-memory WHMCS behind api.php, without any web framework.

`handle(params, remote_ip=...)` takes the POSTed form and returns a `Reply` the Flask app turns
into HTTP. Every call is recorded (action, parameters without secrets, outcome, change id).
Hooks WHMCS would fire for an API write go to `hook_sink(event, vars, actor)` after the write,
outside every lock (a sink may call the emulator again) and before the API call answers, as in a
real install where the hook runs inside the API request; with
`actor = {"type": "api", "id": <identifier>, "change_id": <bridge_change_id or None>}`.

As in WHMCS: the API IP allow-list is on (`allowed_ips`, empty by default: only a valid access
key gets in), an action sees only the parameters its documentation lists (others are ignored),
and SendEmail of a `general` template first asks `validate_sink("EmailPreSend", vars)` (what the
hook asks the bridge); an answer with `abort: true` fails the call with WHMCS's "Sending Failed".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridge.clock import Clock, SystemClock
from bridge.vocabulary import CHANGE_ID, EMAIL_EVENT
from bridge.whmcs.documented import PARAMETERS, TRANSPORT
from bridge.whmcs.emulator.access import AccessControl, AccessDenied, Credential
from bridge.whmcs.emulator.actions import HANDLERS, canonical, misc
from bridge.whmcs.emulator.faults import Fault, FaultPlan
from bridge.whmcs.emulator.records import Template
from bridge.whmcs.emulator.store import ApiError, Call, Hook, Store

log = logging.getLogger("bridge.whmcs.emulator")
HookSink = Callable[[str, dict[str, Any], dict[str, Any]], object]
ValidateSink = Callable[[str, dict[str, Any]], "Mapping[str, Any] | None"]
LOOPBACK = ("127.0.0.1", "::1")
SENDING_FAILED = "Sending Failed. Please see documentation."
_SECRET_PARAMS = frozenset({"secret", "password", "password2", "accesskey"})
DEFAULT_TEMPLATES = ("Client Signup Email", "Privacy Policy Update", "Newsletter")
DEFAULT_TYPED_TEMPLATES = (("Invoice Created", "invoice"), ("Hosting Account Welcome Email", "product"))


@dataclass(frozen=True)
class CallRecord:
    action: str
    params: dict[str, str]
    outcome: str  # "success", "error" or "fault:<kind>"
    message: str = ""
    identifier: str | None = None
    change_id: str | None = None
    at: datetime | None = None


@dataclass
class Reply:
    status: int
    payload: dict[str, Any] | None
    fault: Fault | None = None
    delay: float = 0.0
    hooks: list[Hook] = field(default_factory=list)


class EmulatorState:
    """See the module docstring. Data lives in `store`; read or change it in tests and seeds
    inside `with state.locked() as store:`."""

    def __init__(
        self, *, clock: Clock | None = None, hook_sink: HookSink | None = None,
        validate_sink: ValidateSink | None = None, allowed_ips: Iterable[str] = (),
        access_key: str | None = None,
    ) -> None:
        self.clock = clock or SystemClock()
        self.hook_sink = hook_sink
        self.validate_sink = validate_sink
        self.access = AccessControl(allowed_ips=allowed_ips, access_key=access_key)
        self.faults = FaultPlan()
        self.store = Store()
        self.hook_errors: list[str] = []
        self._lock = threading.RLock()
        self._calls: list[CallRecord] = []
        for name in DEFAULT_TEMPLATES:
            self.store.templates[name] = Template(name, marketing=name == "Newsletter")
        for name, kind in DEFAULT_TYPED_TEMPLATES:
            self.store.templates[name] = Template(name, type=kind)

    # -- set-up and inspection -------------------------------------------------------------

    def add_credential(
        self, identifier: str, secret: str, *, actions: Iterable[str] | None = None,
    ) -> None:
        """An API credential; `actions` lists what its API role allows (None: everything)."""
        self.access.add(identifier, secret, actions)

    def fail(self, action: str, kind: str, **options: Any) -> None:
        """Inject a fault; see `faults.FaultPlan.inject` for kinds and options."""
        self.faults.inject(action, kind, **options)

    @contextmanager
    def locked(self) -> Iterator[Store]:
        with self._lock:
            yield self.store

    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, action: str) -> list[CallRecord]:
        return [c for c in self.calls if c.action.lower() == action.lower()]

    # -- the API ---------------------------------------------------------------------------

    def handle(self, params: Mapping[str, str], *, remote_ip: str = "127.0.0.1") -> Reply:
        """ActionResult one api.php call. Transport faults are returned for the app to act out."""
        action = canonical(params.get("action", "")) or params.get("action", "")
        delay, fault = self.faults.take(action)
        if fault is not None and not (fault.kind == "timeout" and fault.apply):
            reply = self._faulted(action, params, fault)
        else:
            reply = self._execute(action, params, remote_ip)
            reply.fault = fault
        reply.delay = delay
        self._fire(reply.hooks, params)
        return reply

    def _faulted(self, action: str, params: Mapping[str, str], fault: Fault) -> Reply:
        if fault.kind == "error":
            self._record(action, params, "error", fault.message)
            return Reply(200, {"result": "error", "message": fault.message})
        self._record(action, params, f"fault:{fault.kind}")
        return Reply(200, None, fault)

    def _execute(self, action: str, params: Mapping[str, str], remote_ip: str) -> Reply:
        try:
            credential = self.access.authenticate(params, remote_ip)
            name = self._resolve(credential, action)
            known = PARAMETERS[name] | TRANSPORT
            call = Call(params={k: v for k, v in params.items() if k in known}, now=self.clock.now())
            if name == "SendEmail":
                self._pre_send(call)
            with self._lock:
                answer = HANDLERS[name](self.store, call)
                self._record(name, params, "success", credential=credential)
            return Reply(200, {"result": "success", **answer}, hooks=call.hooks)
        except AccessDenied as denied:
            self._record(action, params, "error", denied.message)
            return Reply(403, {"result": "error", "message": denied.message})
        except ApiError as error:
            self._record(action, params, "error", error.message)
            return Reply(error.status, {"result": "error", "message": error.message})

    def _pre_send(self, call: Call) -> None:
        """EmailPreSend, as the hook asks the bridge: only for general templates, outside the
        lock; no answer (the sink failed) sends the mail, as the hook does."""
        with self._lock:
            template, vars_ = misc.presend(self.store, call)
        if self.validate_sink is None or template.type != "general":
            return
        try:
            answer = self.validate_sink(EMAIL_EVENT, vars_)
        except Exception as exc:
            log.warning("validate sink failed for EmailPreSend: %s", type(exc).__name__)
            self.hook_errors.append(f"EmailPreSend: {type(exc).__name__}")
            return
        if answer and answer.get("abort") is True:
            raise ApiError(SENDING_FAILED)

    def _resolve(self, credential: Credential, action: str) -> str:
        name = canonical(action)
        if name is None:
            raise ApiError(f'Invalid API Action: "{action.lower()}" is not a valid API action')
        self.access.permit(credential, name)
        return name

    def _record(
        self, action: str, params: Mapping[str, str], outcome: str, message: str = "", *,
        credential: Credential | None = None,
    ) -> None:
        clean = {k: v for k, v in params.items() if k not in _SECRET_PARAMS}
        identifier = params.get("identifier") or params.get("username")
        record = CallRecord(
            action=action, params=clean, outcome=outcome, message=message,
            identifier=credential.identifier if credential else identifier,
            change_id=params.get(CHANGE_ID), at=self.clock.now(),
        )
        with self._lock:
            self._calls.append(record)

    def _fire(self, hooks: list[Hook], params: Mapping[str, str]) -> None:
        if not hooks or self.hook_sink is None:
            return
        actor = {
            "type": "api", "id": params.get("identifier") or params.get("username"),
            "change_id": params.get(CHANGE_ID) or None,
        }
        for hook in hooks:
            try:
                self.hook_sink(hook.event, dict(hook.vars), dict(actor))
            except Exception as exc:  # a broken sink must not turn a done write into an error
                log.warning("hook sink failed for %s: %s", hook.event, type(exc).__name__)
                self.hook_errors.append(f"{hook.event}: {type(exc).__name__}")
