/*
 * The built-in "CN" calendar: mainland China's public holidays and make-up
 * working days (调休) for 2024, 2025 and 2026, kept in the calendar text
 * format so that refund_calendar_builtin("CN") goes through the same loader
 * as a host's own file.
 *
 * Sources: the State Council General Office's notices
 *   国务院办公厅关于2024年部分节假日安排的通知,
 *   国务院办公厅关于2025年部分节假日安排的通知,
 *   国务院办公厅关于2026年部分节假日安排的通知.
 * QuantLib's ql/time/calendars/china.cpp lists the same days (its SSE
 * holidays on weekdays, its IB working weekends), except that its SSE
 * calendar also closes Friday 2024-02-09 (除夕), which the 2024 notice does
 * not make a holiday: it is an ordinary working day here.
 *
 * Each year's holidays are whole ranges as the notices give them, weekends
 * included; a holiday on a weekend changes nothing but keeps the text
 * checkable against the notice line by line.
 */
#include "calendar_cn.h"

static const char cn_text[] =
	"# Mainland China, from the State Council General Office's annual notices\n"
	"# 国务院办公厅关于部分节假日安排的通知 (2024, 2025, 2026)\n"
	"name CN\n"
	"offset +08:00\n"
	"weekend sat sun\n"
	"years 2024 2026\n"
	"\n"
	"# 2024\n"
	"holiday 2024-01-01             # 元旦\n"
	"holiday 2024-02-10 2024-02-17  # 春节\n"
	"workday 2024-02-04\n"
	"workday 2024-02-18\n"
	"holiday 2024-04-04 2024-04-06  # 清明节\n"
	"workday 2024-04-07\n"
	"holiday 2024-05-01 2024-05-05  # 劳动节\n"
	"workday 2024-04-28\n"
	"workday 2024-05-11\n"
	"holiday 2024-06-10             # 端午节\n"
	"holiday 2024-09-15 2024-09-17  # 中秋节\n"
	"workday 2024-09-14\n"
	"holiday 2024-10-01 2024-10-07  # 国庆节\n"
	"workday 2024-09-29\n"
	"workday 2024-10-12\n"
	"\n"
	"# 2025\n"
	"holiday 2025-01-01             # 元旦\n"
	"holiday 2025-01-28 2025-02-04  # 春节\n"
	"workday 2025-01-26\n"
	"workday 2025-02-08\n"
	"holiday 2025-04-04 2025-04-06  # 清明节\n"
	"holiday 2025-05-01 2025-05-05  # 劳动节\n"
	"workday 2025-04-27\n"
	"holiday 2025-05-31 2025-06-02  # 端午节\n"
	"holiday 2025-10-01 2025-10-08  # 国庆节、中秋节\n"
	"workday 2025-09-28\n"
	"workday 2025-10-11\n"
	"\n"
	"# 2026\n"
	"holiday 2026-01-01 2026-01-03  # 元旦\n"
	"workday 2026-01-04\n"
	"holiday 2026-02-15 2026-02-23  # 春节\n"
	"workday 2026-02-14\n"
	"workday 2026-02-28\n"
	"holiday 2026-04-04 2026-04-06  # 清明节\n"
	"holiday 2026-05-01 2026-05-05  # 劳动节\n"
	"workday 2026-05-09\n"
	"holiday 2026-06-19 2026-06-21  # 端午节\n"
	"holiday 2026-09-25 2026-09-27  # 中秋节\n"
	"workday 2026-09-20\n"
	"holiday 2026-10-01 2026-10-07  # 国庆节\n"
	"workday 2026-10-10\n";

const char *refund__calendar_cn_text(size_t *size)
{
	*size = sizeof(cn_text) - 1;
	return cn_text;
}
