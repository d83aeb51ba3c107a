#include "engine.h"
#include "utf8.h"

#include <refund/calendar.h>
#include <refund/policy.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef __clang_analyzer__
/* The functions themselves are defined here, and seen by the analyzer. */
#undef refund__fail
#undef refund__fail_code
#endif

static refund_time system_clock(void *user)
{
	(void)user;
	return (refund_time)time(NULL);
}

int refund_engine_options_init(refund_engine_options *options, unsigned int version)
{
	static const refund_engine_options defaults = REFUND_ENGINE_OPTIONS_INIT;

	if (!options)
		return REFUND_EINVAL;
	if (version != REFUND_ENGINE_OPTIONS_VERSION)
		return REFUND_EVERSION;
	*options = defaults;
	return 0;
}

static int check_store(const refund_store *store)
{
	if (!store)
		return REFUND_EINVAL;
	if (store->version != REFUND_STORE_VERSION)
		return REFUND_EVERSION;
	if (!store->load || !store->commit || !store->events || !store->due)
		return REFUND_EINVAL;
	return 0;
}

int refund__lang_valid(int lang)
{
	return lang == REFUND_LANG_EN || lang == REFUND_LANG_ZH_CN;
}

int refund_engine_new(refund_engine **out, const refund_engine_options *options)
{
	refund_allocator alloc;
	refund_engine *e;
	int rc;

	if (!out || !options)
		return REFUND_EINVAL;
	if (options->version != REFUND_ENGINE_OPTIONS_VERSION)
		return REFUND_EVERSION;
	if (!refund__lang_valid(options->lang))
		return REFUND_EINVAL;
	if ((rc = check_store(options->store)) != 0)
		return rc;
	if ((rc = refund__allocator_copy(&alloc, options->allocator)) != 0)
		return rc;
	e = refund__calloc(&alloc, 1, sizeof(*e));
	if (!e)
		return REFUND_ENOMEM;
	e->alloc = alloc;
	e->clock = options->clock ? options->clock : system_clock;
	e->clock_user = options->clock ? options->clock_user : NULL;
	e->store = options->store;
	e->notify = options->notify;
	e->notify_user = options->notify_user;
	e->lang = options->lang;
	*out = e;
	return 0;
}

void refund_engine_free(refund_engine *engine)
{
	refund_allocator alloc;
	size_t i;

	if (!engine)
		return;
	alloc = engine->alloc;
	for (i = 0; i < engine->ncalendars; i++)
		refund_calendar_free(engine->calendars[i]);
	refund__free(&alloc, engine->calendars);
	for (i = 0; i < engine->npolicies; i++)
		refund_policy_free(engine->policies[i]);
	refund__free(&alloc, engine->policies);
	refund__free(&alloc, engine->currencies);
	refund__free(&alloc, engine);
}

const char *refund_engine_errmsg(const refund_engine *engine)
{
	return engine ? engine->errmsg : "no engine";
}

refund_lang refund_engine_lang(const refund_engine *engine)
{
	return engine ? engine->lang : REFUND_LANG_EN;
}

int refund_engine_set_lang(refund_engine *engine, refund_lang lang)
{
	if (!engine)
		return REFUND_EINVAL;
	if (!refund__lang_valid(lang))
		return refund__fail(engine, REFUND_EINVAL, "unknown language %d",
				"未知语言 %d", (int)lang);
	engine->lang = lang;
	return 0;
}

int refund__now(refund_engine *e, refund_time *out)
{
	refund_time t = e->clock(e->clock_user);

	if (t < REFUND_TIME_MIN || t > REFUND_TIME_MAX)
		return refund__fail(e, REFUND_EINVAL,
				"the clock returned %lld, outside years 1970 to 9999",
				"时钟返回 %lld，超出 1970 至 9999 年", (long long)t);
	*out = t;
	return 0;
}

int refund_engine_now(refund_engine *engine, refund_time *out)
{
	if (!engine || !out)
		return engine ? refund__fail(engine, REFUND_EINVAL, "output pointer is NULL",
				"输出指针为空") : REFUND_EINVAL;
	return refund__now(engine, out);
}

static int valid_currency_code(const char *code)
{
	int i;

	if (!code)
		return 0;
	for (i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return 0;
	return code[3] == '\0';
}

int refund_engine_set_currency(refund_engine *engine, const char *code, int exponent)
{
	refund_currency_override *grown;
	size_t i;

	if (!engine)
		return REFUND_EINVAL;
	if (!valid_currency_code(code))
		return refund__fail(engine, REFUND_EINVAL,
				"a currency code is three upper-case letters such as CNY",
				"币种代码须为三个大写字母，例如 CNY");
	if (exponent < 0 || exponent > 4)
		return refund__fail(engine, REFUND_EINVAL,
				"currency %s: exponent %d is outside 0 to 4",
				"币种 %s：小数位数 %d 超出 0 至 4", code, exponent);
	for (i = 0; i < engine->ncurrencies; i++) {
		if (strcmp(engine->currencies[i].code, code) == 0) {
			engine->currencies[i].exponent = exponent;
			return 0;
		}
	}
	grown = refund__realloc_array(&engine->alloc, engine->currencies,
			engine->ncurrencies + 1, sizeof(*grown));
	if (!grown)
		return refund__fail_code(engine, REFUND_ENOMEM);
	engine->currencies = grown;
	memcpy(grown[engine->ncurrencies].code, code, 4);
	grown[engine->ncurrencies].exponent = exponent;
	engine->ncurrencies++;
	return 0;
}

/*
 * Messages quote what the host passed in (ids, amounts, lines of text), and
 * hosts log and display them: refund__utf8_printable keeps them one line of
 * valid UTF-8, whatever the input held and wherever the buffer cut a
 * character.
 */
int refund__fail(refund_engine *e, int code, const char *en, const char *zh, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->failures++;
	va_start(ap, zh);
	/* A message longer than the buffer is cut; refund__utf8_printable mends the cut. */
	(void)vsnprintf(e->errmsg, sizeof(e->errmsg), e->lang == REFUND_LANG_ZH_CN ? zh : en, ap);
	va_end(ap);
	refund__utf8_printable(e->errmsg);
	return code;
}

int refund__fail_code(refund_engine *e, int code)
{
	if (e) {
		e->failures++;
		(void)snprintf(e->errmsg, sizeof(e->errmsg), "%s", refund_strerror(code, e->lang));
	}
	return code;
}

/*
 * Store codes the library knows pass through, described so the host's
 * message never goes stale; anything else is a store failure.  Callers
 * that know better (NOTFOUND of a named record, CONFLICT of a named case)
 * describe it again.
 */
static int store_result(refund_engine *e, unsigned long failures_before, int rc,
		const char *op)
{
	if (rc != 0 && e->failures != failures_before)
		return rc;  /* a library callback described it already */
	switch (rc) {
	case 0:
	case REFUND_ENOTFOUND:
	case REFUND_EUSER:
		return rc;
	case REFUND_ENOMEM:
		return refund__fail(e, rc, "out of memory in the store (%s)",
				"存储内存不足（%s）", op);
	case REFUND_ECONFLICT:
		return refund__fail(e, rc,
				"the record was changed by someone else (%s); load it again and retry",
				"记录已被他人修改（%s），请重新加载后重试", op);
	case REFUND_EBUSY:
		return refund__fail(e, rc, "the store is busy (%s); retry later",
				"存储繁忙（%s），请稍后重试", op);
	case REFUND_ECORRUPT:
		return refund__fail(e, rc, "the store holds corrupt data (%s)",
				"存储的数据已损坏（%s）", op);
	case REFUND_ESTORE:
		return refund__fail(e, REFUND_ESTORE, "the store failed to %s",
				"存储执行“%s”失败", op);
	default:
		return refund__fail(e, REFUND_ESTORE, "the store failed to %s (code %d)",
				"存储执行“%s”失败（代码 %d）", op, rc);
	}
}

int refund__store_load(refund_engine *e, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	unsigned long before = e->failures;

	return store_result(e, before, e->store->load(e->store, kind, id, cb, ctx), "load");
}

int refund__store_commit(refund_engine *e, const refund_store_batch *batch)
{
	unsigned long before = e->failures;

	return store_result(e, before, e->store->commit(e->store, batch), "commit");
}

int refund__store_scan(refund_engine *e, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	if (!e->store->scan)
		return refund__fail(e, REFUND_ENOTSUP, "the store cannot list records (no scan)",
				"存储不支持列出记录（无 scan）");
	unsigned long before = e->failures;

	return store_result(e, before, e->store->scan(e->store, kind, filter, cb, ctx), "scan");
}

int refund__store_events(refund_engine *e, int kind, const char *id,
		uint64_t from_seq, refund_store_event_cb cb, void *ctx)
{
	unsigned long before = e->failures;

	return store_result(e, before, e->store->events(e->store, kind, id, from_seq, cb, ctx),
			"read events");
}

int refund__store_due(refund_engine *e, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	unsigned long failures = e->failures;

	return store_result(e, failures, e->store->due(e->store, before, limit, cb, ctx),
			"query deadlines");
}

void refund__notify(refund_engine *e, const refund_notice *notice)
{
	if (e->notify)
		e->notify(e->notify_user, notice);
}

static size_t calendar_slot(const refund_engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->ncalendars; i++)
		if (strcmp(refund_calendar_name(e->calendars[i]), name) == 0)
			break;
	return i;
}

/* Put a calendar in the registry, replacing one of the same name. */
static int calendar_keep(refund_engine *e, refund_calendar *calendar)
{
	size_t slot = calendar_slot(e, refund_calendar_name(calendar));
	refund_calendar **grown;

	if (slot < e->ncalendars) {
		refund_calendar_free(e->calendars[slot]);
		e->calendars[slot] = calendar;
		return 0;
	}
	/* An array of pointers: sizeof(*grown) is the pointer's size, as meant. */
	grown = refund__realloc_array(&e->alloc, e->calendars, e->ncalendars + 1,
			sizeof(*grown)); /* NOLINT(bugprone-sizeof-expression) */
	if (!grown)
		return refund__fail_code(e, REFUND_ENOMEM);
	e->calendars = grown;
	e->calendars[e->ncalendars++] = calendar;
	return 0;
}

int refund_engine_add_calendar(refund_engine *engine, refund_calendar *calendar)
{
	if (!engine)
		return REFUND_EINVAL;
	if (!calendar || refund__calendar_engine(calendar) != engine)
		return refund__fail(engine, REFUND_EINVAL,
				"the calendar is NULL or was made with another engine",
				"日历为空或属于另一个引擎");
	return calendar_keep(engine, calendar);
}

int refund__engine_calendar(refund_engine *e, const char *name,
		const refund_calendar **out)
{
	size_t slot = calendar_slot(e, name);
	refund_calendar *calendar = NULL;
	int rc;

	if (slot < e->ncalendars) {
		*out = e->calendars[slot];
		return 0;
	}
	rc = refund_calendar_builtin(e, &calendar, name);
	if (rc == REFUND_ENOTFOUND)
		return refund__fail(e, rc,
				"no calendar named %s (built in: CN, WEEKEND; others must be added)",
				"没有名为 %s 的日历（内置：CN、WEEKEND；其他日历须先添加）", name);
	if (rc)
		return rc;
	if ((rc = calendar_keep(e, calendar)) != 0) {
		refund_calendar_free(calendar);
		return rc;
	}
	*out = calendar;
	return 0;
}
