"""Stores (include/refund/store.h, include/refund/sys/store.h).

:class:`MemoryStore` is the library's built-in in-memory store.
:class:`Store` is the storage contract written in Python: subclass it and
implement ``load``, ``commit``, ``events``, ``due`` (and optionally
``scan``) to keep the library's records wherever the host keeps its data;
:class:`DictStore` is a complete one over dicts.

A store is borrowed by engines: closing a store closes its engines first.

Exceptions in a Python store: raising NotFoundError (load), ConflictError
(commit) or BusyError is the contract's way to answer, and the library
gets that code.  Any other exception is kept, the library gets its code
(REFUND_ESTORE for exceptions that are not RefundErrors) and, once the C
call returns, the exception is raised again to whoever made the call.
"""
import bisect
import ctypes
import enum
from dataclasses import dataclass, field

from . import _lib, _registry, errors
from ._handle import Cell, Closable, Owner

__all__ = ["MemoryStore", "Store", "DictStore", "RecordKind", "StoreIndex", "StorePut",
           "StoreEvent", "StoreRecord", "StoreFilter", "NO_DEADLINE"]

NO_DEADLINE = _lib.NO_DEADLINE


class RecordKind(enum.IntEnum):
    """refund_record_kind."""
    DEPOSIT = 1
    CASE = 2
    POLICY = 3
    META = 4


@dataclass(frozen=True)
class StoreIndex:
    """refund_store_index: the fields passed beside a record's bytes."""
    deposit_id: object = None
    holder: object = None
    agent: object = None
    state: object = None
    next_deadline: int = NO_DEADLINE


@dataclass(frozen=True)
class StorePut:
    """refund_store_put: one record to write, expecting ``expected_version``."""
    kind: int
    id: str
    expected_version: int
    data: bytes
    index: StoreIndex = field(default_factory=StoreIndex)


@dataclass(frozen=True)
class StoreEvent:
    """refund_store_event: one audit event of a record."""
    kind: int
    id: str
    seq: int
    at: int
    data: bytes


@dataclass(frozen=True)
class StoreRecord:
    """refund_store_record: a stored record."""
    kind: int
    id: str
    version: int
    data: bytes


@dataclass(frozen=True)
class StoreFilter:
    """refund_store_filter: None fields match anything; limit 0: no limit."""
    deposit_id: object = None
    holder: object = None
    agent: object = None
    state: object = None
    after_id: object = None
    limit: int = 0


def _text(value):
    # Ids and index fields from the library are ASCII or UTF-8; surrogateescape
    # gives back the exact bytes whatever they were.
    return None if value is None else value.decode("utf-8", "surrogateescape")


def _bytes_of(text):
    return text.encode("utf-8", "surrogateescape")


def _read(ptr, size):
    return ctypes.string_at(ptr, size) if size else b""


def _free_store(engines, ptr):
    engines.close_all("closed (its store was closed)")
    _lib.lib.refund_store_free(ptr)


def _record_collector():
    """A record callback and the list of StoreRecords it appends to."""
    found = []

    @_lib.STORE_RECORD_CB
    def cb(_ctx, rec):
        r = rec.contents
        found.append(StoreRecord(r.kind, _text(r.id), r.version, _read(r.data, r.size)))
        return 0

    return found, cb


class _StoreBase(Closable):
    """What engines need of a store: its C pointer and the set of its engines."""

    _store_ptr = Closable._open_ptr

    def close(self):
        """Close every engine on this store, then the store; twice is harmless."""
        self._cell.close()

    # Calling the vtable from Python: reading any store, the memory store
    # included (for dumps and comparisons).

    def read(self, kind, record_id):
        """The record (kind, id) as a StoreRecord, or None."""
        found, cb = _record_collector()
        sp = self._store_ptr()
        rc = errors.call(sp.contents.load, sp, int(kind), _bytes_of(record_id), cb, None,
                         check=False)
        if rc == errors.NotFoundError.code:
            return None
        if rc:
            raise errors.make_error(rc)
        return found[0]

    def read_events(self, kind, record_id, from_seq=1):
        """The events of record (kind, id) from ``from_seq``, as StoreEvents."""
        found = []

        @_lib.STORE_EVENT_CB
        def cb(_ctx, ev):
            e = ev.contents
            found.append(StoreEvent(e.kind, _text(e.id), e.seq, e.at, _read(e.data, e.size)))
            return 0

        sp = self._store_ptr()
        rc = errors.call(sp.contents.events, sp, int(kind), _bytes_of(record_id), from_seq,
                         cb, None, check=False)
        if rc:
            raise errors.make_error(rc)
        return found

    def write(self, puts=(), events=()):
        """Commit StorePuts and StoreEvents through the vtable: what the
        library does, for tests and migrations.  Raises the store's error."""
        puts, events = list(puts), list(events)
        keep = []

        def data_ptr(data):
            if not data:
                return None
            buf = ctypes.create_string_buffer(bytes(data), len(data))
            keep.append(buf)
            return ctypes.cast(buf, ctypes.c_void_p)

        def opt(text):
            return None if text is None else _bytes_of(text)
        cputs = (_lib.refund_store_put * max(len(puts), 1))()
        for i, p in enumerate(puts):
            ix = p.index
            cputs[i] = _lib.refund_store_put(
                int(p.kind), _bytes_of(p.id), p.expected_version, data_ptr(p.data), len(p.data),
                _lib.refund_store_index(opt(ix.deposit_id), opt(ix.holder), opt(ix.agent),
                                        opt(ix.state), ix.next_deadline))
        cevents = (_lib.refund_store_event * max(len(events), 1))()
        for i, e in enumerate(events):
            cevents[i] = _lib.refund_store_event(int(e.kind), _bytes_of(e.id), e.seq, e.at,
                                                 data_ptr(e.data), len(e.data))
        batch = _lib.refund_store_batch(cputs, len(puts), cevents, len(events))
        sp = self._store_ptr()
        rc = errors.call(sp.contents.commit, sp, ctypes.byref(batch), check=False)
        if rc:
            raise errors.make_error(rc)

    def read_all(self, kind):
        """Every record of a kind through ``scan``, in id order."""
        found, cb = _record_collector()
        sp = self._store_ptr()
        if not sp.contents.scan:
            raise errors.NotSupportedError("this store has no scan")
        rc = errors.call(sp.contents.scan, sp, int(kind), None, cb, None, check=False)
        if rc:
            raise errors.make_error(rc)
        return found

    def read_due(self, before, limit=0):
        """(kind, id, next_deadline) of what is due at ``before``."""
        found = []

        @_lib.STORE_DUE_CB
        def cb(_ctx, kind, rid, deadline):
            found.append((kind, _text(rid), deadline))
            return 0

        sp = self._store_ptr()
        rc = errors.call(sp.contents.due, sp, before, limit, cb, None, check=False)
        if rc:
            raise errors.make_error(rc)
        return found


class MemoryStore(_StoreBase):
    """``refund_store_memory_new``: the library's in-memory store."""

    def __init__(self):
        out = _lib.store_p()
        errors.call(_lib.lib.refund_store_memory_new, ctypes.byref(out), None)
        self._engines = Owner()
        self._cell = Cell(out, lambda ptr, engines=self._engines: _free_store(engines, ptr))


# ---- a store written in Python ---------------------------------------------

_PASSED_CODES = (errors.NotFoundError, errors.ConflictError, errors.BusyError)


def _dispatch(sp, body):
    """Run a store method for C: its return code, exceptions kept."""
    try:
        store = _registry.lookup(sp.contents.user)
        return body(store)
    except _PASSED_CODES as exc:
        return exc.code
    except BaseException as exc:  # noqa: BLE001 - kept and re-raised after the call
        errors.keep(exc)
        if isinstance(exc, errors.RefundError) and exc.code:
            return exc.code
        return errors.StoreError.code


def _give_record(cb, ctx, kind, record_id, version, data):
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise TypeError(f"a stored record's version must be an int >= 1, not {version!r}")
    data = bytes(data)
    buf = ctypes.create_string_buffer(data, len(data)) if data else None
    rec = _lib.refund_store_record(int(kind), _bytes_of(record_id), version,
                                   ctypes.cast(buf, ctypes.c_void_p) if buf else None,
                                   len(data))
    return cb(ctx, ctypes.byref(rec))


@_lib.STORE_LOAD_FN
def _load_trampoline(sp, kind, record_id, cb, ctx):
    def body(store):
        found = store.load(kind, _text(record_id))
        if found is None:
            return errors.NotFoundError.code
        version, data = found
        return _give_record(cb, ctx, kind, _text(record_id), version, data)
    return _dispatch(sp, body)


def _batch(batch):
    b = batch.contents
    puts = []
    for i in range(b.nputs):
        p = b.puts[i]
        ix = p.index
        index = StoreIndex(_text(ix.deposit_id), _text(ix.holder), _text(ix.agent),
                           _text(ix.state), ix.next_deadline)
        puts.append(StorePut(p.kind, _text(p.id), p.expected_version, _read(p.data, p.size),
                             index))
    events = []
    for i in range(b.nevents):
        e = b.events[i]
        events.append(StoreEvent(e.kind, _text(e.id), e.seq, e.at, _read(e.data, e.size)))
    return puts, events


@_lib.STORE_COMMIT_FN
def _commit_trampoline(sp, batch):
    def body(store):
        if not batch:
            raise errors.InvalidError("commit of a NULL batch")
        puts, events = _batch(batch)
        store.commit(puts, events)
        return 0
    return _dispatch(sp, body)


@_lib.STORE_EVENTS_FN
def _events_trampoline(sp, kind, record_id, from_seq, cb, ctx):
    def body(store):
        for ev in store.events(kind, _text(record_id), from_seq):
            data = bytes(ev.data)
            buf = ctypes.create_string_buffer(data, len(data)) if data else None
            cev = _lib.refund_store_event(int(ev.kind), _bytes_of(ev.id), ev.seq, ev.at,
                                          ctypes.cast(buf, ctypes.c_void_p) if buf else None,
                                          len(data))
            rc = cb(ctx, ctypes.byref(cev))
            if rc:
                return rc
        return 0
    return _dispatch(sp, body)


@_lib.STORE_DUE_FN
def _due_trampoline(sp, before, limit, cb, ctx):
    def body(store):
        given = 0
        for kind, record_id, deadline in store.due(before, limit):
            if limit and given == limit:
                break
            rc = cb(ctx, int(kind), _bytes_of(record_id), deadline)
            if rc:
                return rc
            given += 1
        return 0
    return _dispatch(sp, body)


@_lib.STORE_SCAN_FN
def _scan_trampoline(sp, kind, filt, cb, ctx):
    def body(store):
        flt = None
        if filt:
            f = filt.contents
            flt = StoreFilter(_text(f.deposit_id), _text(f.holder), _text(f.agent),
                              _text(f.state), _text(f.after_id), f.limit)
        for rec in store.scan(kind, flt):
            rc = _give_record(cb, ctx, rec.kind, rec.id, rec.version, rec.data)
            if rc:
                return rc
        return 0
    return _dispatch(sp, body)


def _forget_store(engines, key, ptr):
    del ptr  # the struct is the Python store's own memory
    engines.close_all("closed (its store was closed)")
    _registry.unregister(key)


class Store(_StoreBase):
    """The storage contract in Python.  Subclass and implement:

    - ``load(kind, id)`` -> ``(version, data)`` or None if there is no such record;
    - ``commit(puts, events)``: apply a list of StorePut and a list of
      StoreEvent atomically; raise ConflictError (nothing written) if a
      put's expected_version is not the record's version (0: must not
      exist) or an event's seq is not the next of its record's history;
    - ``events(kind, id, from_seq)`` -> iterable of StoreEvent with seq >=
      from_seq, in seq order;
    - ``due(before, limit)`` -> iterable of ``(kind, id, next_deadline)`` for
      records whose next deadline is <= before (never NO_DEADLINE), earliest
      first, ties by kind then id, at most ``limit`` (0: all);
    - optionally ``scan(kind, filter)`` -> iterable of StoreRecord in id
      order (filter is a StoreFilter or None); leave it None for ENOTSUP.

    Every bytes object handed to a method is a copy the store may keep.
    """

    scan = None

    def __init__(self):
        self._engines = Owner()
        key = _registry.register(self)
        struct = _lib.refund_store()
        errors.call(_lib.lib.refund_store_init, ctypes.byref(struct), _lib.STORE_VERSION)
        struct.user = key
        struct.load = _load_trampoline
        struct.commit = _commit_trampoline
        struct.events = _events_trampoline
        struct.due = _due_trampoline
        if type(self).scan is not None:
            struct.scan = _scan_trampoline
        self._struct = struct  # C borrows this memory: it lives as long as self
        ptr = ctypes.cast(ctypes.pointer(struct), _lib.store_p)
        self._cell = Cell(ptr, lambda p, engines=self._engines, k=key:
                          _forget_store(engines, k, p))

    def load(self, kind, record_id):
        raise NotImplementedError

    def commit(self, puts, events):
        raise NotImplementedError

    def events(self, kind, record_id, from_seq):
        raise NotImplementedError

    def due(self, before, limit):
        raise NotImplementedError


def _id_key(record_id):
    return _bytes_of(record_id)


class DictStore(Store):
    """A complete store over Python dicts, with a sorted deadline index.

    ``records`` maps (kind, id) to [version, data, StoreIndex]; ``history``
    maps (kind, id) to its list of StoreEvents.  A host may pickle or copy
    them to persist.
    """

    def __init__(self):
        super().__init__()
        self.records = {}
        self.history = {}
        self._due = []  # sorted (next_deadline, kind, id bytes, id)

    def load(self, kind, record_id):
        found = self.records.get((kind, record_id))
        return None if found is None else (found[0], found[1])

    def _check(self, puts, events):
        seen = set()
        for put in puts:
            key = (put.kind, put.id)
            if key in seen:
                raise errors.InvalidError(f"record {put.id} is put twice in one batch")
            seen.add(key)
            current = self.records.get(key)
            if (current[0] if current else 0) != put.expected_version:
                raise errors.ConflictError(
                    f"record {put.id} is at version {current[0] if current else 0}, "
                    f"not {put.expected_version}")
        staged = {}
        for ev in events:
            key = (ev.kind, ev.id)
            staged[key] = staged.get(key, len(self.history.get(key, ()))) + 1
            if ev.seq != staged[key]:
                raise errors.ConflictError(f"event {ev.seq} of {ev.id} is not the next "
                                           f"({staged[key]})")

    def commit(self, puts, events):
        self._check(puts, events)
        for put in puts:
            key = (put.kind, put.id)
            old = self.records.get(key)
            if old and old[2].next_deadline != NO_DEADLINE:
                entry = (old[2].next_deadline, put.kind, _id_key(put.id), put.id)
                del self._due[bisect.bisect_left(self._due, entry)]
            self.records[key] = [put.expected_version + 1, put.data, put.index]
            if put.index.next_deadline != NO_DEADLINE:
                bisect.insort(self._due, (put.index.next_deadline, put.kind,
                                          _id_key(put.id), put.id))
        for ev in events:
            self.history.setdefault((ev.kind, ev.id), []).append(ev)

    def events(self, kind, record_id, from_seq):
        return list(self.history.get((kind, record_id), ())[max(from_seq, 1) - 1:])

    def due(self, before, limit):
        out = []
        for deadline, kind, _key, record_id in self._due:
            if deadline > before or (limit and len(out) == limit):
                break
            out.append((kind, record_id, deadline))
        return out

    def scan(self, kind, filt):
        filt = filt or StoreFilter()
        ids = sorted((rid for (k, rid) in self.records if k == kind), key=_id_key)
        out = []
        for rid in ids:
            if filt.after_id is not None and _id_key(rid) <= _id_key(filt.after_id):
                continue
            version, data, index = self.records[(kind, rid)]
            if any(want is not None and want != have for want, have in (
                    (filt.deposit_id, index.deposit_id), (filt.holder, index.holder),
                    (filt.agent, index.agent), (filt.state, index.state))):
                continue
            out.append(StoreRecord(kind, rid, version, data))
            if filt.limit and len(out) == filt.limit:
                break
        return out
