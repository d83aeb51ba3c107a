"""Python objects that C may need to reach, by integer id.

C never receives a pointer to a Python object: a callback's ``user`` or
``ctx`` pointer is an id in this table, and the object stays alive (the
table holds it) until it is unregistered.
"""
import itertools
import threading

_objects = {}
_ids = itertools.count(1)
_lock = threading.Lock()


def register(obj):
    """Keep ``obj`` alive and return its id (never 0, so never NULL)."""
    with _lock:
        key = next(_ids)
        _objects[key] = obj
    return key


def lookup(key):
    """The object of an id; LookupError for an id not (or no longer) registered."""
    try:
        return _objects[key]
    except KeyError:
        raise LookupError(f"no Python object registered as {key!r}") from None


def unregister(key):
    with _lock:
        _objects.pop(key, None)


def count():
    """How many objects are registered (for tests: nothing leaks)."""
    return len(_objects)
