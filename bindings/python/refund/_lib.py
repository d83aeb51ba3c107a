"""Loading librefund and declaring its ABI for ctypes.

Every public struct the binding touches is mirrored here field for field,
in the order of the headers in include/refund/, together with its version
constant; every function is declared with its argtypes and restype, so
ctypes converts and checks each argument instead of guessing.  Nothing in
this module is public API: the classes in the other modules are.
"""
import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int,
                    c_int32, c_int64, c_size_t, c_uint, c_uint32, c_uint64,
                    c_void_p)

__all__ = ["lib", "library_path"]

# ---- loading ---------------------------------------------------------------

ABI_MAJOR = 1
_SONAMES = ("librefund.so.1", "librefund.so")


def _load():
    override = os.environ.get("REFUND_LIBRARY")
    if override:
        try:
            return ctypes.CDLL(override), override
        except OSError as exc:
            raise ImportError(f"REFUND_LIBRARY={override!r} cannot be loaded: {exc}") from exc
    candidates = []
    found = ctypes.util.find_library("refund")
    if found:
        candidates.append(found)
    candidates.extend(_SONAMES)
    errors = []
    for name in candidates:
        try:
            return ctypes.CDLL(name), name
        except OSError as exc:
            errors.append(f"{name}: {exc}")
    raise ImportError("librefund.so.1 not found (set REFUND_LIBRARY to its path): "
                      + "; ".join(errors))


lib, library_path = _load()

# ---- common.h ----------------------------------------------------------------

refund_time = c_int64
TIME_NONE = -(2 ** 63)
TIME_MIN = 0
TIME_MAX = 253402300799
INT64_MIN = -(2 ** 63)
INT64_MAX = 2 ** 63 - 1

# ---- opaque handles ------------------------------------------------------------


class EngineHandle(Structure):
    """struct refund_engine (opaque)."""


class DepositHandle(Structure):
    """struct refund_deposit (opaque)."""


class CaseHandle(Structure):
    """struct refund_case (opaque)."""


class PolicyHandle(Structure):
    """struct refund_policy (opaque)."""


class CalendarHandle(Structure):
    """struct refund_calendar (opaque)."""


engine_p = POINTER(EngineHandle)
deposit_p = POINTER(DepositHandle)
case_p = POINTER(CaseHandle)
policy_p = POINTER(PolicyHandle)
calendar_p = POINTER(CalendarHandle)

# ---- sys/alloc.h -----------------------------------------------------------------

ALLOCATOR_VERSION = 1
ALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t)
REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t)
FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p)


class refund_allocator(Structure):
    _fields_ = [
        ("version", c_uint),
        ("alloc", ALLOC_FN),
        ("realloc", REALLOC_FN),
        ("free", FREE_FN),
        ("opaque", c_void_p),
    ]

# ---- sys/store.h -------------------------------------------------------------------

STORE_VERSION = 1
NO_DEADLINE = INT64_MAX
ID_MAX = 64


class refund_store_index(Structure):
    _fields_ = [
        ("deposit_id", c_char_p),
        ("holder", c_char_p),
        ("agent", c_char_p),
        ("state", c_char_p),
        ("next_deadline", refund_time),
    ]


class refund_store_put(Structure):
    _fields_ = [
        ("kind", c_int),
        ("id", c_char_p),
        ("expected_version", c_uint64),
        ("data", c_void_p),
        ("size", c_size_t),
        ("index", refund_store_index),
    ]


class refund_store_event(Structure):
    _fields_ = [
        ("kind", c_int),
        ("id", c_char_p),
        ("seq", c_uint64),
        ("at", refund_time),
        ("data", c_void_p),
        ("size", c_size_t),
    ]


class refund_store_batch(Structure):
    _fields_ = [
        ("puts", POINTER(refund_store_put)),
        ("nputs", c_size_t),
        ("events", POINTER(refund_store_event)),
        ("nevents", c_size_t),
    ]


class refund_store_record(Structure):
    _fields_ = [
        ("kind", c_int),
        ("id", c_char_p),
        ("version", c_uint64),
        ("data", c_void_p),
        ("size", c_size_t),
    ]


class refund_store_filter(Structure):
    _fields_ = [
        ("deposit_id", c_char_p),
        ("holder", c_char_p),
        ("agent", c_char_p),
        ("state", c_char_p),
        ("after_id", c_char_p),
        ("limit", c_size_t),
    ]


STORE_RECORD_CB = CFUNCTYPE(c_int, c_void_p, POINTER(refund_store_record))
STORE_EVENT_CB = CFUNCTYPE(c_int, c_void_p, POINTER(refund_store_event))
STORE_DUE_CB = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p, refund_time)


class refund_store(Structure):
    pass


store_p = POINTER(refund_store)
STORE_LOAD_FN = CFUNCTYPE(c_int, store_p, c_int, c_char_p, STORE_RECORD_CB, c_void_p)
STORE_COMMIT_FN = CFUNCTYPE(c_int, store_p, POINTER(refund_store_batch))
STORE_EVENTS_FN = CFUNCTYPE(c_int, store_p, c_int, c_char_p, c_uint64, STORE_EVENT_CB,
                            c_void_p)
STORE_DUE_FN = CFUNCTYPE(c_int, store_p, refund_time, c_size_t, STORE_DUE_CB, c_void_p)
STORE_SCAN_FN = CFUNCTYPE(c_int, store_p, c_int, POINTER(refund_store_filter),
                          STORE_RECORD_CB, c_void_p)
STORE_FREE_FN = CFUNCTYPE(None, store_p)

refund_store._fields_ = [
    ("version", c_uint),
    ("user", c_void_p),
    ("load", STORE_LOAD_FN),
    ("commit", STORE_COMMIT_FN),
    ("events", STORE_EVENTS_FN),
    ("due", STORE_DUE_FN),
    ("scan", STORE_SCAN_FN),
    ("free", STORE_FREE_FN),
]

# ---- engine.h ------------------------------------------------------------------------

NOTICE_VERSION = 1
ENGINE_OPTIONS_VERSION = 1


class refund_notice(Structure):
    _fields_ = [
        ("version", c_uint),
        ("kind", c_int),
        ("record_kind", c_int),
        ("id", c_char_p),
        ("actor", c_char_p),
        ("at", refund_time),
        ("amount", c_int64),
        ("currency", c_char_p),
        ("entry_kind", c_int),
        ("action", c_int),
        ("from_state", c_int),
        ("to_state", c_int),
        ("deadline", refund_time),
        ("overdue", c_int),
    ]


CLOCK_FN = CFUNCTYPE(refund_time, c_void_p)
NOTIFY_FN = CFUNCTYPE(None, c_void_p, POINTER(refund_notice))


class refund_engine_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("allocator", POINTER(refund_allocator)),
        ("clock", CLOCK_FN),
        ("clock_user", c_void_p),
        ("store", store_p),
        ("notify", NOTIFY_FN),
        ("notify_user", c_void_p),
        ("lang", c_int),  # refund_lang: an int-sized enum
    ]

# ---- deposit.h -------------------------------------------------------------------------

DEPOSIT_INFO_VERSION = 1
DEPOSIT_FILTER_VERSION = 1
BALANCE_VERSION = 1
ENTRY_VERSION = 1
TEXT_MAX = 1024


class refund_deposit_info(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("holder", c_char_p),
        ("agent", c_char_p),
        ("terminal_serial", c_char_p),
        ("contract_id", c_char_p),
        ("receipt", c_char_p),
        ("amount", c_int64),
        ("currency", c_char_p),
        ("paid_at", refund_time),
        ("contract_end", refund_time),
    ]


class refund_deposit_filter(Structure):
    _fields_ = [
        ("version", c_uint),
        ("holder", c_char_p),
        ("agent", c_char_p),
        ("after_id", c_char_p),
        ("limit", c_size_t),
    ]


class refund_balance(Structure):
    _fields_ = [
        ("version", c_uint),
        ("held", c_int64),
        ("refunded", c_int64),
        ("deducted", c_int64),
        ("remaining", c_int64),
    ]


class refund_entry(Structure):
    _fields_ = [
        ("version", c_uint),
        ("seq", c_uint32),
        ("kind", c_int),
        ("amount", c_int64),
        ("at", refund_time),
        ("actor", c_char_p),
        ("role", c_int),
        ("reference", c_char_p),
        ("case_id", c_char_p),
    ]


DEPOSIT_CB = CFUNCTYPE(c_int, c_void_p, deposit_p)

# ---- case.h ------------------------------------------------------------------------------

ACT_VERSION = 1
ACCOUNT_VERSION = 1
QUOTE_VERSION = 1
PART_VERSION = 1
CASE_FILTER_VERSION = 1
STATE_COUNT = 14
ACTION_COUNT = 25


class refund_act(Structure):
    _fields_ = [
        ("version", c_uint),
        ("actor", c_char_p),
        ("role", c_int),
        ("idempotency_key", c_char_p),
        ("note", c_char_p),
    ]


class refund_account(Structure):
    _fields_ = [
        ("version", c_uint),
        ("method", c_int),
        ("name", c_char_p),
        ("number", c_char_p),
        ("bank", c_char_p),
    ]


class refund_quote(Structure):
    _fields_ = [
        ("version", c_uint),
        ("currency", c_char * 4),
        ("remaining", c_int64),
        ("tier_bp", c_int32),
        ("gross", c_int64),
        ("forfeited", c_int64),
        ("damage", c_int64),
        ("missing_parts", c_int64),
        ("fee", c_int64),
        ("offset", c_int64),
        ("net", c_int64),
        ("approved", c_int64),
    ]


class refund_part(Structure):
    _fields_ = [
        ("version", c_uint),
        ("amount", c_int64),
        ("due", refund_time),
        ("status", c_int),
        ("attempts", c_int),
        ("reference", c_char_p),
        ("failure", c_char_p),
    ]


class refund_case_filter(Structure):
    _fields_ = [
        ("version", c_uint),
        ("deposit_id", c_char_p),
        ("holder", c_char_p),
        ("agent", c_char_p),
        ("state", c_int),
        ("after_id", c_char_p),
        ("limit", c_size_t),
    ]


CASE_CB = CFUNCTYPE(c_int, c_void_p, case_p)

# ---- event.h -------------------------------------------------------------------------------

EVENT_VERSION = 1


class refund_event(Structure):
    _fields_ = [
        ("version", c_uint),
        ("seq", c_uint64),
        ("at", refund_time),
        ("actor", c_char_p),
        ("role", c_int),
        ("action", c_int),
        ("from", c_int),
        ("to", c_int),
        ("amount", c_int64),
        ("reason", c_char_p),
        ("note", c_char_p),
        ("policy_id", c_char_p),
        ("policy_version", c_uint32),
        ("policy_version_before", c_uint32),
        ("deadline", refund_time),
        ("prev_hash", c_char_p),
        ("hash", c_char_p),
    ]


EVENT_CB = CFUNCTYPE(c_int, c_void_p, POINTER(refund_event))

# ---- deadline.h ------------------------------------------------------------------------------

DEADLINE_VERSION = 1
TICK_RESULT_VERSION = 1


class refund_deadline(Structure):
    _fields_ = [
        ("version", c_uint),
        ("state", c_int),
        ("started", refund_time),
        ("due", refund_time),
        ("next", refund_time),
        ("consequence", c_int),
        ("overdue", c_int),
    ]


class refund_tick_result(Structure):
    _fields_ = [
        ("version", c_uint),
        ("due", c_size_t),
        ("reminders", c_size_t),
        ("consequences", c_size_t),
        ("conflicts", c_size_t),
    ]

# Every struct above, by its C name, for the layout test.
STRUCTS = {cls.__name__: cls for cls in (
    refund_allocator, refund_store_index, refund_store_put, refund_store_event,
    refund_store_batch, refund_store_record, refund_store_filter, refund_store,
    refund_notice, refund_engine_options, refund_deposit_info, refund_deposit_filter,
    refund_balance, refund_entry, refund_act, refund_account, refund_quote,
    refund_part, refund_case_filter, refund_event, refund_deadline, refund_tick_result)}

# ---- functions ---------------------------------------------------------------------------------

_i64p = POINTER(c_int64)
_intp = POINTER(c_int)

_PROTOTYPES = {
    # common.h
    "refund_version": (c_char_p, []),
    "refund_version_number": (c_int, []),
    "refund_strerror": (c_char_p, [c_int, c_int]),
    "refund_error_name": (c_char_p, [c_int]),
    # actor.h
    "refund_role_name": (c_char_p, [c_int]),
    "refund_role_label": (c_char_p, [c_int, c_int]),
    "refund_role_from_name": (c_int, [c_char_p, _intp]),
    # sys/alloc.h, sys/store.h, store.h
    "refund_allocator_init": (c_int, [POINTER(refund_allocator), c_uint]),
    "refund_store_init": (c_int, [store_p, c_uint]),
    "refund_store_memory_new": (c_int, [POINTER(store_p), POINTER(refund_allocator)]),
    "refund_store_free": (None, [store_p]),
    "refund_store_batch_check": (c_int, [POINTER(refund_store_batch)]),
    # engine.h
    "refund_engine_options_init": (c_int, [POINTER(refund_engine_options), c_uint]),
    "refund_engine_new": (c_int, [POINTER(engine_p), POINTER(refund_engine_options)]),
    "refund_engine_free": (None, [engine_p]),
    "refund_engine_errmsg": (c_char_p, [engine_p]),
    "refund_engine_now": (c_int, [engine_p, _i64p]),
    "refund_engine_lang": (c_int, [engine_p]),
    "refund_engine_set_lang": (c_int, [engine_p, c_int]),
    "refund_engine_set_currency": (c_int, [engine_p, c_char_p, c_int]),
    "refund_currency_exponent": (c_int, [engine_p, c_char_p, _intp]),
    # money.h
    "refund_money_add": (c_int, [c_int64, c_int64, _i64p]),
    "refund_money_sub": (c_int, [c_int64, c_int64, _i64p]),
    "refund_money_mul": (c_int, [c_int64, c_int64, _i64p]),
    "refund_money_percent": (c_int, [c_int64, c_int64, _i64p]),
    "refund_money_allocate": (c_int, [c_int64, _i64p, c_size_t, _i64p]),
    "refund_money_parse": (c_int, [engine_p, c_char_p, c_char_p, c_uint, _i64p]),
    "refund_money_format": (c_int, [engine_p, c_char_p, c_int64, c_char_p, c_size_t]),
    # time.h
    "refund_time_parse": (c_int, [c_char_p, _i64p]),
    "refund_time_format": (c_int, [refund_time, c_int32, c_char_p, c_size_t]),
    "refund_time_from_date": (c_int, [c_int, c_int, c_int, _i64p]),
    "refund_time_to_date": (c_int, [refund_time, c_int32, _intp, _intp, _intp, _intp]),
    # calendar.h
    "refund_calendar_new": (c_int, [engine_p, POINTER(calendar_p), c_char_p, c_int32, c_uint]),
    "refund_calendar_builtin": (c_int, [engine_p, POINTER(calendar_p), c_char_p]),
    "refund_calendar_parse": (c_int, [engine_p, POINTER(calendar_p), c_char_p, c_size_t]),
    "refund_calendar_free": (None, [calendar_p]),
    "refund_calendar_name": (c_char_p, [calendar_p]),
    "refund_calendar_utc_offset": (c_int32, [calendar_p]),
    "refund_calendar_set_years": (c_int, [calendar_p, c_int, c_int]),
    "refund_calendar_add_holiday": (c_int, [calendar_p, c_int, c_int, c_int]),
    "refund_calendar_add_workday": (c_int, [calendar_p, c_int, c_int, c_int]),
    "refund_calendar_is_business_day": (c_int, [calendar_p, refund_time, _intp]),
    "refund_calendar_add_days": (c_int, [calendar_p, refund_time, c_int32, _i64p]),
    "refund_calendar_add_business_days": (c_int, [calendar_p, refund_time, c_int32, _i64p]),
    "refund_calendar_business_days_between": (c_int, [calendar_p, refund_time, refund_time,
                                                      POINTER(c_int32)]),
    "refund_engine_add_calendar": (c_int, [engine_p, calendar_p]),
    # deposit.h
    "refund_entry_kind_name": (c_char_p, [c_int]),
    "refund_deposit_info_init": (c_int, [POINTER(refund_deposit_info), c_uint]),
    "refund_deposit_create": (c_int, [engine_p, POINTER(deposit_p),
                                      POINTER(refund_deposit_info), c_char_p, c_int]),
    "refund_deposit_load": (c_int, [engine_p, POINTER(deposit_p), c_char_p]),
    "refund_deposit_free": (None, [deposit_p]),
    "refund_deposit_list": (c_int, [engine_p, POINTER(refund_deposit_filter), DEPOSIT_CB,
                                    c_void_p]),
    "refund_deposit_id": (c_char_p, [deposit_p]),
    "refund_deposit_holder": (c_char_p, [deposit_p]),
    "refund_deposit_agent": (c_char_p, [deposit_p]),
    "refund_deposit_terminal_serial": (c_char_p, [deposit_p]),
    "refund_deposit_contract_id": (c_char_p, [deposit_p]),
    "refund_deposit_receipt": (c_char_p, [deposit_p]),
    "refund_deposit_currency": (c_char_p, [deposit_p]),
    "refund_deposit_paid_at": (refund_time, [deposit_p]),
    "refund_deposit_contract_end": (refund_time, [deposit_p]),
    "refund_deposit_days_in_service": (c_int64, [deposit_p]),
    "refund_deposit_transaction_volume": (c_int64, [deposit_p]),
    "refund_deposit_version": (c_uint64, [deposit_p]),
    "refund_deposit_open_case": (c_char_p, [deposit_p]),
    "refund_deposit_balance": (c_int, [deposit_p, POINTER(refund_balance)]),
    "refund_deposit_entry_count": (c_size_t, [deposit_p]),
    "refund_deposit_entry": (c_int, [deposit_p, c_size_t, POINTER(refund_entry)]),
    "refund_deposit_post": (c_int, [deposit_p, c_int, c_int64, c_char_p, c_int, c_char_p]),
    "refund_deposit_set_usage": (c_int, [deposit_p, c_int64, c_int64, c_char_p, c_int]),
    # policy.h
    "refund_policy_new": (c_int, [engine_p, POINTER(policy_p), c_char_p, c_char_p]),
    "refund_policy_free": (None, [policy_p]),
    "refund_policy_id": (c_char_p, [policy_p]),
    "refund_policy_version": (c_uint32, [policy_p]),
    "refund_policy_currency": (c_char_p, [policy_p]),
    "refund_policy_set_window": (c_int, [policy_p, c_int, c_int32]),
    "refund_policy_add_tier": (c_int, [policy_p, c_int64, c_int64, c_int32]),
    "refund_policy_set_common_evidence": (c_int, [policy_p, c_uint32]),
    "refund_policy_set_reason_evidence": (c_int, [policy_p, c_int, c_uint32]),
    "refund_policy_set_return_required": (c_int, [policy_p, c_int]),
    "refund_policy_set_grade_deduction": (c_int, [policy_p, c_int, c_int32]),
    "refund_policy_set_missing_part_deduction": (c_int, [policy_p, c_int64]),
    "refund_policy_set_fee": (c_int, [policy_p, c_int64, c_int32, c_int64, c_int64]),
    "refund_policy_set_offsets": (c_int, [policy_p, c_int]),
    "refund_policy_set_installments": (c_int, [policy_p, c_int, c_int]),
    "refund_policy_set_deadline": (c_int, [policy_p, c_int, c_int32, c_int, c_char_p, c_int,
                                           _i64p, c_size_t]),
    "refund_policy_set_four_eyes": (c_int, [policy_p, c_int64]),
    "refund_policy_set_escalation": (c_int, [policy_p, c_uint32]),
    "refund_policy_publish": (c_int, [policy_p, c_char_p, c_int]),
    "refund_policy_load": (c_int, [engine_p, POINTER(policy_p), c_char_p, c_uint32]),
    "refund_policy_parse": (c_int, [engine_p, POINTER(policy_p), c_char_p, c_size_t]),
    "refund_policy_format": (c_int, [policy_p, c_char_p, c_size_t, POINTER(c_size_t)]),
    # case.h
    "refund_case_state_name": (c_char_p, [c_int]),
    "refund_case_action_name": (c_char_p, [c_int]),
    "refund_case_state_label": (c_char_p, [c_int, c_int]),
    "refund_case_action_label": (c_char_p, [c_int, c_int]),
    "refund_case_open": (c_int, [engine_p, POINTER(case_p), c_char_p, c_char_p, c_char_p,
                                 c_uint32, c_int, POINTER(refund_act)]),
    "refund_case_load": (c_int, [engine_p, POINTER(case_p), c_char_p]),
    "refund_case_free": (None, [case_p]),
    "refund_case_attach": (c_int, [case_p, POINTER(refund_act), c_int, c_char_p]),
    "refund_case_submit": (c_int, [case_p, POINTER(refund_act), POINTER(refund_account)]),
    "refund_case_start_review": (c_int, [case_p, POINTER(refund_act)]),
    "refund_case_request_documents": (c_int, [case_p, POINTER(refund_act), c_uint32]),
    "refund_case_provide_documents": (c_int, [case_p, POINTER(refund_act)]),
    "refund_case_approve": (c_int, [case_p, POINTER(refund_act), c_int64]),
    "refund_case_reject": (c_int, [case_p, POINTER(refund_act), c_int, c_char_p]),
    "refund_case_appeal": (c_int, [case_p, POINTER(refund_act)]),
    "refund_case_receive_device": (c_int, [case_p, POINTER(refund_act), c_char_p]),
    "refund_case_inspect": (c_int, [case_p, POINTER(refund_act), c_int, c_int]),
    "refund_case_set_offset": (c_int, [case_p, POINTER(refund_act), c_int64]),
    "refund_case_offer": (c_int, [case_p, POINTER(refund_act), c_int]),
    "refund_case_accept": (c_int, [case_p, POINTER(refund_act)]),
    "refund_case_pay": (c_int, [case_p, POINTER(refund_act), c_int, c_char_p]),
    "refund_case_pay_failed": (c_int, [case_p, POINTER(refund_act), c_int, c_char_p]),
    "refund_case_confirm": (c_int, [case_p, POINTER(refund_act)]),
    "refund_case_withdraw": (c_int, [case_p, POINTER(refund_act)]),
    "refund_case_escalate": (c_int, [case_p, POINTER(refund_act), c_int]),
    "refund_case_reevaluate": (c_int, [case_p, POINTER(refund_act), c_uint32]),
    "refund_case_id": (c_char_p, [case_p]),
    "refund_case_deposit_id": (c_char_p, [case_p]),
    "refund_case_state": (c_int, [case_p]),
    "refund_case_reason": (c_int, [case_p]),
    "refund_case_policy": (c_char_p, [case_p, POINTER(c_uint32)]),
    "refund_case_version": (c_uint64, [case_p]),
    "refund_case_escalations": (c_uint32, [case_p]),
    "refund_case_evidence": (c_uint32, [case_p]),
    "refund_case_missing_evidence": (c_uint32, [case_p]),
    "refund_case_quote": (c_int, [case_p, POINTER(refund_quote)]),
    "refund_case_explain": (c_int, [case_p, c_int, c_char_p, c_size_t]),
    "refund_case_part_count": (c_int, [case_p]),
    "refund_case_part": (c_int, [case_p, c_int, POINTER(refund_part)]),
    "refund_case_list": (c_int, [engine_p, POINTER(refund_case_filter), CASE_CB, c_void_p]),
    # event.h
    "refund_case_events": (c_int, [case_p, EVENT_CB, c_void_p]),
    "refund_case_verify": (c_int, [case_p, POINTER(c_uint64)]),
    "refund_case_rebuild": (c_int, [engine_p, c_char_p, POINTER(case_p)]),
    # deadline.h
    "refund_case_next_deadline": (c_int, [case_p, POINTER(refund_deadline)]),
    "refund_engine_tick": (c_int, [engine_p, refund_time, c_size_t,
                                   POINTER(refund_tick_result)]),
}


def _declare():
    for name, (restype, argtypes) in _PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as exc:
            raise ImportError(f"{library_path} lacks {name}: not librefund 1.x") from exc
        fn.restype = restype
        fn.argtypes = argtypes


_declare()

if lib.refund_version_number() // 10000 != ABI_MAJOR:
    raise ImportError(f"{library_path} is librefund {lib.refund_version().decode()}, "
                      f"this binding needs {ABI_MAJOR}.x")
