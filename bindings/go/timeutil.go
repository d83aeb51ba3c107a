package refund

/*
#include "glue.h"
*/
import "C"

import "time"

// Times in the API are int64 seconds since 1970-01-01T00:00:00Z.
const (
	TimeMin = int64(C.REFUND_TIME_MIN) // 1970-01-01T00:00:00Z
	TimeMax = int64(C.REFUND_TIME_MAX) // 9999-12-31T23:59:59Z
)

// TimeNone is "no time", for an optional time that is absent.
var TimeNone = int64(C.glue_time_none())

// NoDeadline is the next deadline of a record that has none.
const NoDeadline = int64(C.REFUND_NO_DEADLINE)

// Time converts seconds UTC to a time.Time in UTC.
func Time(t int64) time.Time { return time.Unix(t, 0).UTC() }

// Unix converts a time.Time to seconds UTC (the fraction is dropped).
func Unix(t time.Time) int64 { return t.Unix() }

// ParseTime parses ISO 8601 text with a Z or an offset, such as
// "2025-06-03T09:00:00+08:00", or a date "2025-06-03" (midnight UTC).
func ParseTime(text string) (int64, error) {
	var m cmem
	defer m.free()
	out := (*C.refund_time)(m.alloc(C.sizeof_refund_time))
	if rc := C.refund_time_parse(m.str(text), out); rc != 0 {
		return 0, codeError(rc)
	}
	return int64(*out), nil
}

// FormatTime writes t as ISO 8601 in a UTC offset (seconds east of UTC):
// "2025-10-01T08:00:00Z" for 0, "2025-10-01T16:00:00+08:00" for 28800.
func FormatTime(t int64, utcOffset int32) (string, error) {
	var m cmem
	defer m.free()
	buf := (*C.char)(m.alloc(C.REFUND_TIME_FORMAT_MAX))
	if rc := C.refund_time_format(C.refund_time(t), C.int32_t(utcOffset), buf,
		C.REFUND_TIME_FORMAT_MAX); rc != 0 {
		return "", codeError(rc)
	}
	return C.GoString(buf), nil
}

// DateOf is midnight UTC starting a civil date.
func DateOf(year, month, day int) (int64, error) {
	var m cmem
	defer m.free()
	out := (*C.refund_time)(m.alloc(C.sizeof_refund_time))
	if rc := C.refund_time_from_date(C.int(year), C.int(month), C.int(day), out); rc != 0 {
		return 0, codeError(rc)
	}
	return int64(*out), nil
}
