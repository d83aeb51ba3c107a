"""Actors (include/refund/actor.h): who acts, in which role."""
import ctypes
import enum
from dataclasses import dataclass

from . import _lib, errors
from ._convert import as_enum, cstr, enum_value

__all__ = ["Role", "Act", "role_name", "role_label", "role_from_name"]


class Role(enum.IntEnum):
    """refund_role."""
    APPLICANT = 1
    AGENT = 2
    REVIEWER = 3
    FINANCE = 4
    ADMIN = 5
    SYSTEM = 6


def role_name(role):
    """``refund_role_name``: "applicant"...; None for an unknown role."""
    name = _lib.lib.refund_role_name(enum_value(Role, role, "role"))
    return None if name is None else name.decode()


def role_label(role, lang=0):
    """``refund_role_label``: "审核员" for REVIEWER in zh-CN (lang a Lang or
    "zh-CN"); None for an unknown role."""
    from .engine import Lang  # engine imports this module
    label = _lib.lib.refund_role_label(enum_value(Role, role, "role"), int(Lang.of(lang)))
    return None if label is None else label.decode()


def role_from_name(name):
    """``refund_role_from_name``: the Role of a name; NotFoundError if none."""
    out = ctypes.c_int()
    errors.call(_lib.lib.refund_role_from_name, cstr(name, "role name"), ctypes.byref(out))
    return Role(out.value)


@dataclass(frozen=True)
class Act:
    """Who takes an action (refund_act): the actor's id and role, an optional
    idempotency key and an optional note for the audit trail.

    Wherever an act is expected, the text "actor:role" may stand for
    ``Act(actor, role)``.
    """
    actor: str
    role: object
    key: object = None
    note: object = None

    def __post_init__(self):
        cstr(self.actor, "actor")
        object.__setattr__(self, "role", as_enum(Role, enum_value(Role, self.role, "role")))
        cstr(self.key, "idempotency key", optional=True)
        cstr(self.note, "note", optional=True)

    @classmethod
    def of(cls, value):
        """An Act from an Act or "actor:role" text."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            actor, sep, role = value.rpartition(":")
            if not sep or not actor:
                raise ValueError(f"an act is written 'actor:role', not {value!r}")
            return cls(actor, role)
        raise TypeError(f"act must be an Act or 'actor:role', not {type(value).__name__}")

    def _struct(self):
        act = _lib.refund_act()
        act.version = _lib.ACT_VERSION
        act.actor = cstr(self.actor, "actor")
        act.role = int(self.role)
        act.idempotency_key = cstr(self.key, "idempotency key", optional=True)
        act.note = cstr(self.note, "note", optional=True)
        return act

    def _actor_role(self):
        """For calls that take only an actor and a role."""
        if self.key is not None or self.note is not None:
            raise ValueError("this call takes no idempotency key and no note")
        return cstr(self.actor, "actor"), int(self.role)
