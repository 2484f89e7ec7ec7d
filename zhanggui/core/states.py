"""The one state-machine helper (house rule 3): every document with a state — order, package, purchase order,
stock-in slip, stocktake, supplier exchange, dropship order, listing — declares ONE `Machine` with its transition
table and gets the same scaffolding from it:

- ``lock(obj_or_pk, version=None)``: the row re-read with SELECT … FOR UPDATE (only its own row), inside the
  caller's transaction, so concurrent changes queue up; a change based on an older ``version`` is refused
  ("…已被他人修改（第 N 版），请刷新后再操作", code stale_version);
- ``check(obj, to)``: a move the table does not allow is refused in words with the Chinese state names
  ("包裹 P… 当前为“已发货”，不能改为“待打单”", IllegalTransition);
- ``label(state)``: the Chinese name of a state (stored text for the timeline, independent of the request
  language), falling back to the model's choice label;
- ``save(obj, fields)``: save the changed fields and raise the version by one;
- ``move_locked(obj, to, actor, note, fields)``: check, change, save and write the timeline entry (with the 工号 of
  whoever made the move) of a LOCKED object; ``transition`` does lock + move in its own transaction.

What a move does to other things (stock, packages, in transit …) stays in the app's service around these calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property

from django.db import models, transaction

from .errors import DomainError, IllegalTransition
from .events import record_event

STALE_TEXT = "{name} 已被他人修改（第 {version} 版），请刷新后再操作"
ILLEGAL_TEXT = "{name} 当前为“{before}”，不能改为“{to}”{why}"


class _Fields(Mapping):
    """The attributes of an object as a mapping, for str.format_map("包裹 {package_no}", …)."""

    def __init__(self, obj):
        self.obj = obj

    def __getitem__(self, key):
        return getattr(self.obj, key)

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


class Machine:
    """The transition table of one model and the scaffolding every move needs (see the module docstring).

    model:        the Django model; its instances carry the state in `field` (and `version` when versioned)
    transitions:  {state: {states it may move to}} — the only moves there are
    names:        {state: Chinese name} for messages and the timeline (missing states: the choice label)
    name:         how an instance is named in messages, a format string over its attributes ("包裹 {package_no}")
    event_kind:   the timeline kind of a move ("package_state")
    field:        the state field ("state"; listings: "status")
    related:      select_related() of the locked row
    no_key:       lock FOR NO KEY UPDATE (rows whose children are inserted while the lock is held)
    illegal_text: the refusal of a move, over name / before / to / why (default ILLEGAL_TEXT)
    """

    def __init__(
        self,
        model: type[models.Model],
        transitions: Mapping[str, Iterable[str]],
        *,
        name: str,
        event_kind: str,
        names: Mapping[str, str] | None = None,
        field: str = "state",
        related: Iterable[str] = (),
        no_key: bool = False,
        illegal_text: str = ILLEGAL_TEXT,
    ):
        self.model = model
        self.transitions = {state: set(targets) for state, targets in transitions.items()}
        self.name_text = name
        self.event_kind = event_kind
        self.names = dict(names or {})
        self.field = field
        self.related = tuple(related)
        self.no_key = no_key
        self.illegal_text = illegal_text

    @cached_property
    def versioned(self) -> bool:
        return any(f.name == "version" for f in self.model._meta.concrete_fields)

    @cached_property
    def stamped(self) -> bool:
        """An `updated_at` (auto_now) field: written only when named in update_fields."""
        return any(f.name == "updated_at" for f in self.model._meta.concrete_fields)

    # ---- words ------------------------------------------------------------------------------------------------

    def label(self, state) -> str:
        """The Chinese name of `state` (the choice label when the machine names none)."""
        if state in self.names:
            return self.names[state]
        choices = dict(self.model._meta.get_field(self.field).flatchoices)
        return str(choices[state]) if state in choices else str(state or "")

    def name(self, obj) -> str:
        """How `obj` is named in messages: 订单 T2026…, 包裹 P261123000001, 采购单 CG20261123-001."""
        return self.name_text.format_map(_Fields(obj))

    def state_of(self, obj) -> str:
        return getattr(obj, self.field)

    # ---- the table --------------------------------------------------------------------------------------------

    def allows(self, obj_or_state, to: str) -> bool:
        state = obj_or_state if isinstance(obj_or_state, str) else self.state_of(obj_or_state)
        return to in self.transitions.get(state, ())

    def illegal(self, obj, to: str, why: str = "") -> IllegalTransition:
        """The refusal of moving `obj` to `to` (returned, not raised: batch paths collect the messages)."""
        text = self.illegal_text.format(
            name=self.name(obj), before=self.label(self.state_of(obj)), to=self.label(to), why=why
        )
        return IllegalTransition("illegal_transition", text, self.field)

    def check(self, obj, to: str, why: str = "") -> None:
        """Refuse a move the table does not allow, in words."""
        if not self.allows(obj, to):
            raise self.illegal(obj, to, why)

    def refuse(self, obj, text: str, code: str = "illegal_transition") -> IllegalTransition:
        """A refusal because of the state `obj` is in: "{name} 当前为“{state}”，{text}" (returned, not raised)."""
        return IllegalTransition(code, f"{self.name(obj)} 当前为“{self.label(self.state_of(obj))}”，{text}", self.field)

    def require(self, obj, allowed: Iterable[str], doing: str, code: str = "illegal_transition") -> None:
        """Refuse an action outside the states `allowed`: "{name} 当前为“{state}”，不能{doing}"."""
        if self.state_of(obj) not in set(allowed):
            raise self.refuse(obj, f"不能{doing}", code)

    # ---- locking and versions ---------------------------------------------------------------------------------

    def _for_update(self):
        qs = self.model.objects.select_for_update(of=("self",), no_key=self.no_key)
        return qs.select_related(*self.related) if self.related else qs

    def check_version(self, obj, version) -> None:
        """Refuse a change based on an older version (someone else saved in between); no version: no check."""
        if version is None or str(version).strip() == "":
            return
        if str(version).strip() != str(obj.version):  # a malformed version ("-1", "abc") is as stale as an old one
            text = STALE_TEXT.format(name=self.name(obj), version=obj.version)
            raise DomainError("stale_version", text, "version")

    def lock(self, obj_or_pk, version=None):
        """The row re-read with a row lock inside the caller's transaction (concurrent changes queue up), its
        version checked against `version` (the one the person saw) when given."""
        found = self._for_update().get(pk=getattr(obj_or_pk, "pk", obj_or_pk))
        self.check_version(found, version)
        return found

    def lock_many(self, objs_or_pks) -> list:
        """Several rows locked in ONE query in primary-key order (concurrent batches queue, never deadlock)."""
        pks = {getattr(o, "pk", o) for o in objs_or_pks}
        return list(self._for_update().filter(pk__in=pks).order_by("pk"))

    # ---- saving and moving ------------------------------------------------------------------------------------

    def save(self, obj, fields: Iterable[str] = ()) -> None:
        """Save `fields` and raise the version by one (inside the transaction holding the lock)."""
        fields = list(fields)
        if self.versioned:
            obj.version += 1
            fields.append("version")
        if self.stamped:
            fields.append("updated_at")
        obj.save(update_fields=list(dict.fromkeys(fields)))

    def event_row(self, obj, before: str, to: str, note: str = "", kind: str | None = None) -> tuple:
        """The timeline row of a move for core.events.record_events (bulk paths)."""
        return (obj, kind or self.event_kind, self.label(before), self.label(to), note)

    def move_locked(self, obj, to: str, actor, note: str = "", fields: Iterable[str] = (), *, kind: str = ""):
        """Move a LOCKED `obj` to `to` if the table allows it: the state and the other changed `fields` are saved
        with the version raised, and the move goes on the timeline with the 工号 of `actor`."""
        self.check(obj, to)
        before = self.state_of(obj)
        setattr(obj, self.field, to)
        self.save(obj, [self.field, *fields])
        record_event(
            actor, obj, kind or self.event_kind, from_state=self.label(before), to_state=self.label(to), note=note
        )
        return obj

    def transition(self, obj_or_pk, to: str, actor, note: str = "", version=None):
        """Lock, check the version and move, in a transaction of its own; returns the saved object."""
        with transaction.atomic():
            current = self.lock(obj_or_pk, version)
            self.move_locked(current, to, actor, note)
        return current
