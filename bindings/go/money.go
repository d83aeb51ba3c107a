package refund

/*
#include "glue.h"
*/
import "C"

import (
	"strconv"
	"unsafe"
)

// BPWhole is 100% in basis points.
const BPWhole = C.REFUND_BP_WHOLE

// Money is an exact amount: int64 minor units (fen for CNY, yen for JPY)
// of an ISO 4217 currency.
type Money struct {
	Amount   int64
	Currency string
}

// String formats the amount with the currency's fraction digits and the
// code: "500.00 CNY".  An unknown currency shows the raw minor units.
func (m Money) String() string {
	s, err := FormatMoney(m.Currency, m.Amount)
	if err != nil {
		return formatRaw(m)
	}
	return s + " " + m.Currency
}

func formatRaw(m Money) string {
	return strconv.FormatInt(m.Amount, 10) + " minor units of " + m.Currency
}

// ParseMoney parses a decimal such as "500.00" in the currency's minor
// units, exactly, with the built-in currency table.  Negative amounts are
// refused (see ParseSignedMoney).
func ParseMoney(currency, text string) (Money, error) {
	return parseMoney(nil, currency, text, 0)
}

// ParseSignedMoney is ParseMoney accepting a leading '-'.
func ParseSignedMoney(currency, text string) (Money, error) {
	return parseMoney(nil, currency, text, C.REFUND_MONEY_ALLOW_NEGATIVE)
}

// FormatMoney writes minor units as a decimal with exactly the currency's
// fraction digits: 50000 CNY is "500.00".
func FormatMoney(currency string, amount int64) (string, error) {
	return formatMoney(nil, currency, amount)
}

func parseMoney(e *C.refund_engine, currency, text string, flags C.uint) (Money, error) {
	var m cmem
	defer m.free()
	out := (*C.int64_t)(m.alloc(C.sizeof_int64_t))
	rc := C.refund_money_parse(e, m.str(currency), m.str(text), flags, out)
	if rc != 0 {
		return Money{}, engineMessageError(e, rc)
	}
	return Money{Amount: int64(*out), Currency: currency}, nil
}

func formatMoney(e *C.refund_engine, currency string, amount int64) (string, error) {
	var m cmem
	defer m.free()
	buf := (*C.char)(m.alloc(C.REFUND_MONEY_FORMAT_MAX))
	rc := C.refund_money_format(e, m.str(currency), C.int64_t(amount), buf,
		C.REFUND_MONEY_FORMAT_MAX)
	if rc != 0 {
		return "", engineMessageError(e, rc)
	}
	return C.GoString(buf), nil
}

// engineMessageError is the error of rc with the engine's message, or the
// static text without an engine.
func engineMessageError(e *C.refund_engine, rc C.int) error {
	if e == nil {
		return codeError(rc)
	}
	return &Error{Code: int(rc), Name: ErrorName(int(rc)),
		Message: C.GoString(C.refund_engine_errmsg(e))}
}

// AddMoney is a + b, or ErrOverflow.
func AddMoney(a, b int64) (int64, error) {
	return arith(func(out *C.int64_t) C.int { return C.refund_money_add(C.int64_t(a), C.int64_t(b), out) })
}

// SubMoney is a - b, or ErrOverflow.
func SubMoney(a, b int64) (int64, error) {
	return arith(func(out *C.int64_t) C.int { return C.refund_money_sub(C.int64_t(a), C.int64_t(b), out) })
}

// MulMoney is a * n, or ErrOverflow.
func MulMoney(a, n int64) (int64, error) {
	return arith(func(out *C.int64_t) C.int { return C.refund_money_mul(C.int64_t(a), C.int64_t(n), out) })
}

// Percent is amount * bp / 10000, rounded half to even.
func Percent(amount, bp int64) (int64, error) {
	return arith(func(out *C.int64_t) C.int { return C.refund_money_percent(C.int64_t(amount), C.int64_t(bp), out) })
}

func arith(f func(*C.int64_t) C.int) (int64, error) {
	var m cmem
	defer m.free()
	out := (*C.int64_t)(m.alloc(C.sizeof_int64_t))
	if rc := f(out); rc != 0 {
		return 0, codeError(rc)
	}
	return int64(*out), nil
}

// Allocate splits total into len(weights) parts in proportion to the
// weights (largest remainder), or into n equal parts if weights is nil;
// the parts sum to total exactly.
func Allocate(total int64, weights []int64, n int) ([]int64, error) {
	if weights != nil {
		n = len(weights)
	}
	if n <= 0 {
		return nil, codeError(C.REFUND_EINVAL)
	}
	var m cmem
	defer m.free()
	var w *C.int64_t
	if weights != nil {
		w = (*C.int64_t)(m.alloc(uintptr(n) * C.sizeof_int64_t))
		copy(unsafe.Slice((*int64)(unsafe.Pointer(w)), n), weights)
	}
	parts := (*C.int64_t)(m.alloc(uintptr(n) * C.sizeof_int64_t))
	if rc := C.refund_money_allocate(C.int64_t(total), w, C.size_t(n), parts); rc != 0 {
		return nil, codeError(rc)
	}
	out := make([]int64, n)
	copy(out, unsafe.Slice((*int64)(unsafe.Pointer(parts)), n))
	return out, nil
}
