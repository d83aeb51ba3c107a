"""Ownership of C handles.

Each C pointer lives in a small cell that both its Python object and its
owner (the engine for handles, the store for engines) hold strongly.  The
owner closes every cell it holds before freeing itself, so whatever order
the garbage collector finalizes objects in (cycles included), a handle is
never freed after its engine, nor an engine after its store.
"""
from . import errors


class Cell:
    """One C pointer and the function that frees it."""
    __slots__ = ("ptr", "free", "reason", "__weakref__")

    def __init__(self, ptr, free):
        self.ptr = ptr
        self.free = free
        self.reason = None

    def close(self, reason=None):
        ptr, self.ptr = self.ptr, None
        if ptr:
            self.reason = reason
            self.free(ptr)


class Owner:
    """The cells of the handles made from one engine (or engines on one store)."""
    __slots__ = ("cells",)

    def __init__(self):
        self.cells = set()

    def close_all(self, reason):
        while self.cells:
            self.cells.pop().close(reason)


class Closable:
    """What handles, engines and stores share: a C pointer in ``_cell``
    that raises ClosedError once closed, ``with`` (which checks it is open
    and closes it on exit) and, as a last resort, closing by the garbage
    collector.  A subclass defines ``close()``."""

    def _open_ptr(self):
        ptr = self._cell.ptr
        if not ptr:
            raise errors.ClosedError(f"this {type(self).__name__} is "
                                     f"{self._cell.reason or 'closed'}")
        return ptr

    @property
    def closed(self):
        """True once it (or what owns it) was closed."""
        return not self._cell.ptr

    def __enter__(self):
        self._open_ptr()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - e.g. at interpreter shutdown
            pass


class Handle(Closable):
    """Owns one C pointer, freed by ``close()``, ``with`` or, as a last resort,
    the garbage collector.  After close every method raises ClosedError.
    A handle keeps its engine alive; closing the engine closes it first."""

    _free = None  # staticmethod wrapping the C free function

    def __init__(self, engine, ptr):
        self._engine = engine
        self._cell = Cell(ptr, type(self)._free)
        engine._owner().cells.add(self._cell)

    _ptr = Closable._open_ptr

    def _call(self, fn, *args):
        """Call ``fn(handle, *args)``, raising with the engine's message."""
        ptr = self._ptr()
        return errors.call(fn, ptr, *args, engine=self._engine._ptr())

    def _get(self, fn, *args):
        """Call a getter: its value is returned as is, never raised."""
        return errors.call(fn, self._ptr(), *args, check=False)

    @property
    def engine(self):
        """The engine the handle was made from."""
        return self._engine

    def close(self):
        """Free the handle; closing twice is harmless."""
        cell = self._cell
        cell.close()
        owner = self._engine._owner_or_none()
        if owner is not None:
            owner.cells.discard(cell)
