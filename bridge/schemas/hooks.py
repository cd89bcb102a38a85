"""Hook envelopes in: the schemas of /v1/hooks/whmcs, /validate and /panel.

`load_envelope` is the one entry point. It guarantees that the returned envelope's `vars` hold no
secret at any depth, that declared keys are normalised (ids are ints, flags are bools, strings
are trimmed) while unknown keys are kept, and that a ValidationFailed names fields with generic
messages only: no submitted value is ever echoed. An unknown event name is not an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from marshmallow import (
    EXCLUDE,
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validates_schema,
)
from marshmallow.validate import Length, OneOf, Regexp

from bridge.errors import ValidationFailed
from bridge.ingest import coerce
from bridge.ingest.envelope import HookEnvelope, WhmcsInfo
from bridge.ingest.secrets import TooDeep, drop_secrets
from bridge.ingest.values import DEFAULT_GATEWAY_WORD
from bridge.ledger.entries import Actor
from bridge.schemas.fastload import FastLoad
from bridge.vocabulary import (
    CLIENT_VALIDATION_EVENT,
    CONTACT_SWITCHES,
    CONTACT_VALIDATION_EVENT,
    EMAIL_EVENT,
    EMAIL_PREFERENCES,
    ERASED_EVENT,
    EXPORT_EVENT,
    HANDLED_EVENTS,
    MARKETING_OPT_IN,
    MARKETING_OPT_IN_FORM,
    PANEL_EVENTS,
    PRIVACY_PAGE_EVENT,
    PROFILE_FIELDS,
    USER_FIELDS,
    VALIDATE_EVENTS,
    WORK_EVENT,
)

__all__ = ["HANDLED_EVENTS", "PANEL_EVENTS", "VALIDATE_EVENTS", "load_envelope"]

Kind = Literal["event", "validate", "panel", "work", "export"]
ACTOR_TYPES = ("client", "admin", "api", "cron", "system")
MISSING = "Missing data for required field."
_PREFERENCE_KIND = re.compile(r"[A-Za-z_]{1,32}")
# Unreadable.reason -> the message a sender sees. Fixed texts: never the value.
_MESSAGES = {
    "boolean": "Not a valid boolean.",
    "integer": "Not a valid integer.",
    "range": "Number out of range.",
    "string": "Not a valid string.",
    "ip": "Not a valid IP address.",
    "mapping": "Must be an object.",
    "timestamp": "Not a valid RFC 3339 timestamp.",
    "naive": "Timestamp must include a time zone.",
    "url": "Not a valid URL.",
}


# -- loose fields: WHMCS's PHP-typed values, normalised by bridge.ingest.coerce -------------------


class _Loose(fields.Field):
    """A field whose value is normalised by one coerce function; null stays null."""

    convert: Callable[[Any], Any] = staticmethod(lambda value: value)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return self.convert(value)
        except coerce.Unreadable as exc:
            raise ValidationError(_MESSAGES.get(exc.reason, "Not a valid value.")) from None

    @property
    def fast_convert(self) -> Callable[[Any], Any]:
        """For FastLoad: `_deserialize` minus the error wording. coerce.Unreadable is a ValueError,
        on which FastLoad lets marshmallow load the value again and word the error."""
        return self.convert


class Text(_Loose):
    convert = staticmethod(coerce.to_text)


class Id(_Loose):
    """A non-negative id below 2**63, from an int or a digit string."""

    convert = staticmethod(coerce.to_int)


class PositiveId(_Loose):
    convert = staticmethod(lambda value: coerce.to_int(value, minimum=1))


class Flag(_Loose):
    """A WHMCS boolean: true/false, 1/0, "1"/"0", "on"/"", "yes"/"no"; null means false."""

    convert = staticmethod(coerce.to_bool)
    only_null_differs = True  # FastLoad may skip deserialize for present, non-null values

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kw: Any) -> Any:
        return super().deserialize(False if value is None else value, attr, data, **kw)


class LastFour(_Loose):
    convert = staticmethod(coerce.to_last_four)


class IpAddress(_Loose):
    convert = staticmethod(coerce.to_ip)


class Timestamp(_Loose):
    convert = staticmethod(coerce.to_utc)


class HttpUrl(_Loose):
    """An absolute http(s) URL, as WHMCS's System URL setting holds it."""

    @staticmethod
    def convert(value: Any) -> str:
        text = coerce.to_text(value)
        if len(text) > 2048 or any(ch.isspace() for ch in text):
            raise coerce.Unreadable("url")
        try:
            parts = urlsplit(text)
        except ValueError:
            raise coerce.Unreadable("url") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise coerce.Unreadable("url")
        return text


class FlagMap(_Loose):
    """email_preferences: {kind: flag}. Errors name the field only, never a submitted key."""


    @staticmethod
    def convert(value: Any) -> dict[str, bool]:
        # keys that are no preference kind are ignored (section 10: unknown keys are data too)
        mapping = coerce.to_mapping(value)
        return {key: coerce.to_bool(item) for key, item in mapping.items()
                if isinstance(key, str) and _PREFERENCE_KIND.fullmatch(key)}


class RequiredId(PositiveId):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, allow_none=False, **kwargs)


# -- vars: one schema per event; unknown keys kept, secrets dropped -------------------------------


class VarsInSchema(Schema):
    """Base of every `vars` schema: the fallback for events the bridge does not handle."""

    class Meta:
        unknown = INCLUDE  # WHMCS adds keys between versions; keep them rather than fail

    @pre_load
    def _prepare(self, data: Any, **kwargs: Any) -> Any:
        try:
            return drop_secrets(coerce.to_mapping(data))
        except coerce.Unreadable:
            raise ValidationError("Must be an object.") from None
        except TooDeep:
            raise ValidationError("Nested too deeply.") from None


def _vars_schema(name: str, **groups: tuple[tuple[str, ...], Callable[[], fields.Field]]) -> type[Schema]:
    """A VarsInSchema declaring every name of each vocabulary list with a fresh field of its kind."""
    declared = {key: make() for names, make in groups.values() for key in names}
    return VarsInSchema.from_dict(declared, name=name)


# The profile keys a client and a contact share, by the vocabulary (PROFILE_FIELDS).
_ProfileInSchema = _vars_schema("_ProfileInSchema", profile=(PROFILE_FIELDS, Text))


class _ClientFieldsInSchema(_ProfileInSchema):
    """The client-profile keys shared by ClientAdd, ClientEdit, olddata and validate calls."""

    status, language, notes, paymentmethod, defaultgateway = (Text() for _ in range(5))
    groupid, currency, billingcid = Id(), Id(), Id()
    taxexempt, latefeeoveride, overideduenotices, separateinvoices = (Flag() for _ in range(4))
    disableautocc, overrideautoclose, allow_sso, email_verified = (Flag() for _ in range(4))
    emailoptout, marketing_emails_opt_in, isOptedInToMarketingEmails = Flag(), Flag(), Flag()
    marketingoptin = Flag()
    email_preferences = FlagMap()

    @pre_load
    def _fold_preferences(self, data: Any, **kwargs: Any) -> Any:
        # Form-style keys ("email_preferences[general]") join the email_preferences object.
        if not isinstance(data, dict):
            return data
        prefix = EMAIL_PREFERENCES + "["
        flat = {k: v for k, v in data.items() if k.startswith(prefix) and k.endswith("]")}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in flat}
        given = rest.get("email_preferences") or {}
        nested = dict(given) if isinstance(given, Mapping) else {}
        nested.update({k[len(prefix):-1]: v for k, v in flat.items()})
        return rest | {"email_preferences": nested}

    @post_load
    def _gateway(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # tblclients calls the gateway `defaultgateway`, the API and the ledger `paymentmethod`;
        # the client-area form posts "none" for the default gateway, which WHMCS stores as "".
        if data.get("paymentmethod") is None and data.get("defaultgateway") is not None:
            data["paymentmethod"] = data["defaultgateway"]
        if isinstance(data.get("paymentmethod"), str) and data["paymentmethod"].casefold() == DEFAULT_GATEWAY_WORD:
            data["paymentmethod"] = ""
        # the profile form's marketing checkbox is `marketingoptin` (the API's name too)
        if data.get(MARKETING_OPT_IN) is None and data.get(MARKETING_OPT_IN_FORM) is not None:
            data[MARKETING_OPT_IN] = data[MARKETING_OPT_IN_FORM]
        data.pop(MARKETING_OPT_IN_FORM, None)
        return data


class ClientAddVarsInSchema(_ClientFieldsInSchema):
    client_id, userid, user_id = PositiveId(), PositiveId(), PositiveId()

    @validates_schema
    def _has_client(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("client_id") is None and data.get("userid") is None:
            raise ValidationError(MISSING, "client_id")
        if None not in (data.get("client_id"), data.get("userid")) and (
            data["client_id"] != data["userid"]
        ):
            raise ValidationError("Does not match userid.", "client_id")

    @post_load
    def _client_id(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # `userid` is the deprecated alias; handlers read client_id only.
        data["client_id"] = data.get("client_id") or data["userid"]
        return data


class ClientEditVarsInSchema(_ClientFieldsInSchema):
    userid = RequiredId()
    uuid, authmodule = Text(), Text()
    olddata = fields.Nested(_ClientFieldsInSchema, load_default=dict)


class ClientIdVarsInSchema(VarsInSchema):
    """ClientClose, PreDeleteClient, ClientDelete, ClientChangePassword: just the client id."""

    userid = RequiredId()


class CardVarsInSchema(VarsInSchema):
    userid = RequiredId()
    cardtype, expdate = Text(), Text()
    cardlastfour = LastFour()


class MergeVarsInSchema(VarsInSchema):
    toUserID, fromUserID = RequiredId(), RequiredId()  # noqa: N815 - WHMCS's keys


_ContactFieldsInSchema = _vars_schema(
    "_ContactFieldsInSchema", profile=(PROFILE_FIELDS, Text), switches=(CONTACT_SWITCHES, Flag)
)


class ContactVarsInSchema(_ContactFieldsInSchema):
    userid, contactid = RequiredId(), RequiredId()


class ContactEditVarsInSchema(ContactVarsInSchema):
    olddata = fields.Nested(_ContactFieldsInSchema, load_default=dict)


_UserFieldsInSchema = _vars_schema("_UserFieldsInSchema", user=(USER_FIELDS, Text))


class UserVarsInSchema(_UserFieldsInSchema):
    user_id = RequiredId()


class UserEditVarsInSchema(UserVarsInSchema):
    olddata = fields.Nested(_UserFieldsInSchema, load_default=dict)


class UserPasswordVarsInSchema(VarsInSchema):
    userid = RequiredId()  # the User's id, despite the name


class _LoginUserInSchema(_UserFieldsInSchema):
    id = RequiredId()


class UserLoginVarsInSchema(VarsInSchema):
    user = fields.Nested(_LoginUserInSchema, required=True)


_TABLE_NAME = Regexp(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z", error="Not a valid table name.")


class _SkippedInSchema(Schema):
    """One table or column the module could not erase: names and a short reason, no values."""

    class Meta:
        unknown = EXCLUDE

    table = fields.String(required=True, validate=_TABLE_NAME)
    column = fields.String(load_default=None, allow_none=True, validate=_TABLE_NAME)
    reason = fields.String(required=True, validate=Length(min=1, max=200))


class ErasedVarsInSchema(VarsInSchema):
    """PrivacyBridgeErased: the module's report on one residual-erasure order."""

    order_id = fields.UUID(required=True)
    client_id = RequiredId()
    counts = fields.Dict(keys=fields.String(validate=_TABLE_NAME), values=fields.Integer(strict=True),
                         load_default=dict, validate=Length(max=64))
    skipped = fields.List(fields.Nested(_SkippedInSchema), load_default=list, validate=Length(max=64))

    @post_load
    def _plain(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {**data, "order_id": str(data["order_id"]),
                "counts": {table: max(0, rows) for table, rows in data["counts"].items()}}


EVENT_VARS: Mapping[str, type[Schema]] = {
    "ClientAdd": ClientAddVarsInSchema,
    "ClientEdit": ClientEditVarsInSchema,
    "ClientClose": ClientIdVarsInSchema,
    "PreDeleteClient": ClientIdVarsInSchema,
    "ClientDelete": ClientIdVarsInSchema,
    "ClientChangePassword": ClientIdVarsInSchema,
    "UserAdd": UserVarsInSchema,
    "UserEdit": UserEditVarsInSchema,
    "UserChangePassword": UserPasswordVarsInSchema,
    "UserLogin": UserLoginVarsInSchema,
    "ContactAdd": ContactVarsInSchema,
    "ContactEdit": ContactEditVarsInSchema,
    "ContactDelete": ContactVarsInSchema,
    "CCUpdate": CardVarsInSchema,
    "AfterClientMerge": MergeVarsInSchema,
    "DailyCronJob": VarsInSchema,
    ERASED_EVENT: ErasedVarsInSchema,
}


# -- validate and panel calls -------------------------------------------------------------------


class ClientValidationVarsInSchema(_ClientFieldsInSchema):
    """The posted form, plus what the hook adds: `userid` (absent for a new sign-up) and
    `current`, the stored values before the change."""

    userid = PositiveId()
    current = fields.Nested(_ClientFieldsInSchema, load_default=None, allow_none=True)


class ContactValidationVarsInSchema(_ContactFieldsInSchema):
    userid, contactid = PositiveId(), PositiveId()  # no contactid: a new contact
    current = fields.Nested(_ContactFieldsInSchema, load_default=None, allow_none=True)


class EmailPreSendVarsInSchema(VarsInSchema):
    messagename = Text(required=True, validate=Length(min=1, max=255))
    relid, userid = PositiveId(), PositiveId()


class _OutboxHealthInSchema(VarsInSchema):
    pending, dead = Id(), Id()
    oldest_pending_at = Timestamp()


class PanelVarsInSchema(VarsInSchema):
    userid = RequiredId()


class AdminSummaryVarsInSchema(PanelVarsInSchema):
    outbox = fields.Nested(_OutboxHealthInSchema, load_default=None, allow_none=True)


VALIDATE_VARS: Mapping[str, type[Schema]] = {
    CLIENT_VALIDATION_EVENT: ClientValidationVarsInSchema,
    CONTACT_VALIDATION_EVENT: ContactValidationVarsInSchema,
    EMAIL_EVENT: EmailPreSendVarsInSchema,
}
PANEL_VARS: Mapping[str, type[Schema]] = {
    "AdminAreaClientSummaryPage": AdminSummaryVarsInSchema,
    "ClientAreaHomepage": PanelVarsInSchema,
    "ClientAreaHeaderOutput": PanelVarsInSchema,
    PRIVACY_PAGE_EVENT: PanelVarsInSchema,
}
WORK_VARS: Mapping[str, type[Schema]] = {WORK_EVENT: VarsInSchema}
EXPORT_VARS: Mapping[str, type[Schema]] = {EXPORT_EVENT: PanelVarsInSchema}


# -- the envelope -------------------------------------------------------------------------------


class EventVars(fields.Field):
    """`vars`, loaded with the schema registered for the sibling `event`: a OneOf on the event
    name. Unregistered events get the bare VarsInSchema (secrets dropped, nothing more)."""

    def __init__(self, registry: Mapping[str, type[Schema]], **kwargs: Any) -> None:
        super().__init__(required=True, allow_none=False, **kwargs)
        # Schema instances are built once: loading keeps no state on them (marshmallow 4 has no
        # context), and building one per request deep-copies every field, which is costly.
        self.registry = {name: FastLoad(cls()) for name, cls in registry.items()}
        self.fallback = FastLoad(VarsInSchema())

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        """(loaded vars, dotted paths of the vars dropped as unreadable)."""
        event = data.get("event") if isinstance(data, Mapping) else None
        name = event.strip() if isinstance(event, str) else ""
        return load_readable(self.registry.get(name, self.fallback), value)


# Vars that say whom a call is about. Dropping one would change what the call means (no userid
# reads as a sign-up, no contactid as a new contact, no relid as mail to nobody), so an
# unreadable one is a malformed envelope, never a dropped value.
IDENTITY_VARS = frozenset({"userid", "order_id", "client_id", "contactid", "relid", "messagename", "user_id", "user",
                           "toUserID", "fromUserID"})
_MAX_DROPS = 3  # rounds of dropping: a value's error may only show once its parent loads


def load_readable(loader: FastLoad, value: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Section 10, form input is data: vars that cannot be read are dropped and named, and the rest
    loads. Raises the ValidationError when `vars` itself is unusable (not an object, too deep) or
    an identity var is unreadable."""
    dropped: list[str] = []
    for _ in range(_MAX_DROPS + 1):
        try:
            return loader.load(value), tuple(dropped)
        except ValidationError as err:
            paths = sorted(_flatten(err.messages))
            if set(paths) & set(dropped) or any(_fatal(path) for path in paths):
                raise
            value = _without(value, paths)
            dropped.extend(paths)
    raise ValidationError("Too many unreadable values.")


def _fatal(path: str) -> bool:
    return path == "_schema" or path.split(".", 1)[0] in IDENTITY_VARS


def _without(value: Any, paths: list[str]) -> Any:
    """A copy of `value` without the values at these dotted paths (a path's form-style spelling
    "email_preferences[general]" included)."""
    out = dict(value) if isinstance(value, Mapping) else value
    for path in paths:
        head, _, rest = path.partition(".")
        if not isinstance(out, dict):
            break
        if rest and isinstance(out.get(head), Mapping):
            out[head] = _without(out[head], [rest])
        else:
            out.pop(head, None)
            for key in [k for k in out if isinstance(k, str) and k.startswith(f"{head}[")]:
                out.pop(key)
    return out


class _MaxLength(Length):
    """Length for a field whose conversion may yield null (a blank actor id is no id)."""

    def __call__(self, value: Any) -> Any:
        return value if value is None else super().__call__(value)


class ActorId(_Loose):
    """A client or admin id (int) or an API identifier (string), as text."""

    @staticmethod
    def convert(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(coerce.to_int(value))
        return coerce.to_text(value) or None


class ActorInSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True, validate=OneOf(ACTOR_TYPES))
    id = ActorId(load_default=None, validate=_MaxLength(max=128))
    user_id = PositiveId(load_default=None)
    ip = IpAddress(load_default=None)
    masquerading = Flag(load_default=False)
    change_id = Text(load_default=None, validate=_MaxLength(max=128))

    @validates_schema
    def _named(self, data: dict[str, Any], **kwargs: Any) -> None:
        # An admin change without its admin, or an API change without its identifier, could not
        # be attributed nor told apart from the bridge's own writes.
        if data.get("type") in ("admin", "api") and not data.get("id"):
            raise ValidationError(MISSING, "id")

    @post_load
    def _actor(self, data: dict[str, Any], **kwargs: Any) -> Actor:
        return Actor(**(data | {"change_id": data.get("change_id") or None}))


class WhmcsInSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    version = Text(required=True, validate=Length(min=1, max=32))
    system_url = HttpUrl(load_default=None)


class _EnvelopeInSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # a newer hook may add keys; nothing outside the contract is kept

    event = Text(
        required=True,
        validate=Regexp(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z", error="Not a valid hook name."),
    )
    occurred_at = Timestamp(required=True)
    whmcs = fields.Nested(WhmcsInSchema, required=True)
    actor = fields.Nested(ActorInSchema, required=True)
    # dotted paths of the vars the hook cut to 64 KiB or dropped to stay under 1 MiB
    truncated = fields.List(fields.String(validate=Length(max=512)), load_default=list,
                            validate=Length(max=4096))

    @post_load
    def _envelope(self, data: dict[str, Any], **kwargs: Any) -> HookEnvelope:
        loaded, unreadable = data["vars"]
        return HookEnvelope(
            event=data["event"],
            occurred_at=data["occurred_at"],
            whmcs=WhmcsInfo(**data["whmcs"]),
            actor=data["actor"],
            outbox_id=data.get("outbox_id"),
            vars=loaded,
            unreadable=unreadable,
            truncated=tuple(dict.fromkeys(data["truncated"])),
        )


class EventEnvelopeInSchema(_EnvelopeInSchema):
    outbox_id = RequiredId()
    vars = EventVars(EVENT_VARS)


class ValidateEnvelopeInSchema(_EnvelopeInSchema):
    vars = EventVars(VALIDATE_VARS)


class PanelEnvelopeInSchema(_EnvelopeInSchema):
    vars = EventVars(PANEL_VARS)


class WorkEnvelopeInSchema(_EnvelopeInSchema):
    vars = EventVars(WORK_VARS)


class ExportEnvelopeInSchema(_EnvelopeInSchema):
    vars = EventVars(EXPORT_VARS)


_ENVELOPES: Mapping[str, type[Schema]] = {
    "event": EventEnvelopeInSchema,
    "validate": ValidateEnvelopeInSchema,
    "panel": PanelEnvelopeInSchema,
    "work": WorkEnvelopeInSchema,
    "export": ExportEnvelopeInSchema,
}


_ENVELOPE_LOADERS: Mapping[str, FastLoad] = {kind: FastLoad(cls()) for kind, cls in _ENVELOPES.items()}


def load_envelope(data: object, *, kind: Kind) -> HookEnvelope:
    """The parsed envelope of one hook call. `kind` picks the endpoint's event set.

    Raises ValidationFailed with `errors` = {"vars.userid": ["Not a valid integer."], ...}; the
    messages are fixed texts, never a submitted value. Raises ValueError for an unknown kind."""
    loader = _ENVELOPE_LOADERS.get(kind)
    if loader is None:
        raise ValueError(f"unknown envelope kind {kind!r}")
    try:
        return loader.load(data)
    except ValidationError as err:
        # `from None`: the marshmallow error keeps the submitted data, which must not travel.
        errors = _flatten(err.messages)
        raise ValidationFailed("The hook envelope is not valid.", errors=errors) from None


def _flatten(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"actor.ip": [...]}; schema-level ones keep their
    parent's path ("vars"), or "_schema" at the top."""
    if not isinstance(messages, Mapping):
        texts = messages if isinstance(messages, list) else [messages]
        return {path or "_schema": [str(text) for text in texts]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        child = path if key == "_schema" else f"{path}.{key}" if path else str(key)
        for name, texts in _flatten(value, child).items():
            flat.setdefault(name, []).extend(texts)
    return flat
