/*
 * Deadlines: the clock each state starts, and the tick that fires what is
 * due.  A clock's due time is computed once, when it starts, in the
 * policy's calendar; the store's deadline index holds the next moment
 * anything fires, so a tick costs what is due, not what exists.
 */
#include <string.h>

#include <refund/calendar.h>

#include "case.h"
#include "validate.h"

/* `from` moved by `amount` days of the deadline's unit. */
static int move(refund_engine *e, const policy_deadline *dl, refund_time from, int32_t amount,
		refund_time *out)
{
	const refund_calendar *cal = NULL;
	int rc = refund__engine_calendar(e, dl->calendar, &cal);

	if (rc)
		return rc;
	if (dl->unit == REFUND_BUSINESS_DAYS)
		rc = refund_calendar_add_business_days(cal, from, amount, out);
	else
		rc = refund_calendar_add_days(cal, from, amount, out);
	if (rc == REFUND_ECALENDAR)
		return refund__fail(e, rc,
				"calendar %s has no data for the deadline; load the holidays of that year",
				"日历 %s 缺少计算期限所需年份的数据，请先加载该年的节假日", dl->calendar);
	return rc;
}

int refund__clock_start(refund_engine *e, const refund_policy *p, case_record *r, int state,
		refund_time start)
{
	const policy_deadline *dl = &p->deadlines[state];
	case_clock k = r->clock;
	int rc;

	k.state = 0;
	k.started = start;
	k.due = 0;
	k.consequence = 0;
	k.reminders_sent = 0;
	k.overdue = 0;
	if (state > 0 && state < REFUND_STATE_COUNT && dl->set) {
		if ((rc = move(e, dl, start, dl->amount, &k.due)) != 0)
			return rc;
		k.state = state;
		k.consequence = dl->consequence;
	}
	r->clock = k;  /* the paused fields ride along untouched */
	return 0;
}

int refund__clock_pause(refund_engine *e, const refund_policy *p, case_record *r,
		refund_time now)
{
	case_clock *k = &r->clock;
	const refund_calendar *cal = NULL;
	int32_t left = 0;
	int rc;

	k->paused_state = 0;
	if (!k->state)
		return 0;
	k->paused_unit = p->deadlines[k->state].unit;
	if (k->paused_unit == REFUND_BUSINESS_DAYS) {
		if ((rc = refund__engine_calendar(e, p->deadlines[k->state].calendar, &cal)) != 0 ||
		    (rc = refund_calendar_business_days_between(cal, now, k->due, &left)) != 0)
			return rc;
		k->paused_left = left > 0 ? left : 0;
	} else {
		k->paused_left = k->due > now ? k->due - now : 0;
	}
	k->paused_state = k->state;
	return 0;
}

int refund__clock_resume(refund_engine *e, const refund_policy *p, case_record *r, int state,
		refund_time now)
{
	case_clock *k = &r->clock;
	const policy_deadline *dl = &p->deadlines[state];
	refund_time due = now;
	int rc;

	if (k->paused_state != state || !dl->set)
		return refund__clock_start(e, p, r, state, now);
	if (k->paused_unit == REFUND_BUSINESS_DAYS)
		rc = move(e, dl, now, (int32_t)k->paused_left, &due);
	else
		rc = (due = now + k->paused_left) > REFUND_TIME_MAX ? REFUND_EINVAL : 0;
	if (rc)
		return rc;
	k->state = state;
	k->started = now;
	k->due = due;
	k->consequence = dl->consequence;
	k->reminders_sent = 0;
	k->overdue = 0;
	k->paused_state = 0;
	k->paused_left = 0;
	k->paused_unit = 0;
	return 0;
}

int refund__clock_advance(refund_engine *e, const refund_policy *p, case_record *r)
{
	case_clock *k = &r->clock;
	const policy_deadline *dl = &p->deadlines[k->state];
	refund_time due = k->due;
	int rc;

	if (!k->state || !dl->set)
		return 0;
	if ((rc = move(e, dl, k->due, dl->amount, &due)) != 0)
		return rc;
	/* Past due, the case is noticed: from now on it is reminded each period. */
	k->due = due;
	k->consequence = REFUND_ON_DUE_REMIND;
	k->reminders_sent = (1u << REFUND_POLICY_MAX_REMINDERS) - 1;
	k->overdue = 1;
	return 0;
}

refund_time refund__case_next_fire(const case_record *r, const refund_policy *p)
{
	const case_clock *k = &r->clock;
	const policy_deadline *dl;
	refund_time next;
	size_t i;

	if (!k->state)
		return REFUND_NO_DEADLINE;
	dl = &p->deadlines[k->state];
	next = k->due;
	for (i = 0; dl->set && i < dl->nreminders; i++) {
		refund_time at = k->due - dl->reminders[i];

		if (!(k->reminders_sent & (1u << i)) && at < next)
			next = at;
	}
	return next;
}

int refund_case_next_deadline(const refund_case *c, refund_deadline *out)
{
	if (!c)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(c->engine, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if (out->version != REFUND_DEADLINE_VERSION)
		return refund__fail(c->engine, REFUND_EVERSION, "unknown refund_deadline version %u",
				"refund_deadline 版本 %u 未知", out->version);
	if (!c->r->clock.state)
		return REFUND_ENOTFOUND;
	out->state = c->r->clock.state;
	out->started = c->r->clock.started;
	out->due = c->r->clock.due;
	out->next = refund__case_next_fire(c->r, c->policy);
	out->consequence = c->r->clock.consequence;
	out->overdue = c->r->clock.overdue;
	return 0;
}

/* ---- tick ---- */

typedef struct due_list {
	refund_engine *engine;
	char (*ids)[REFUND_ID_MAX + 1];
	size_t count, cap;
} due_list;

static int collect_due(void *ctx, int kind, const char *id, refund_time next)
{
	due_list *l = ctx;

	(void)next;
	if (kind != REFUND_RECORD_CASE || strlen(id) > REFUND_ID_MAX)
		return 0;
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		void *grown = refund__realloc_array(&l->engine->alloc, l->ids, cap, sizeof(*l->ids));

		if (!grown)
			return REFUND_ENOMEM;
		l->ids = grown;
		l->cap = cap;
	}
	memcpy(l->ids[l->count++], id, strlen(id) + 1);
	return 0;
}

/* The action a case's clock calls for at `now`, or 0 if nothing is due. */
static int due_action(const refund_case *c, refund_time now)
{
	const case_clock *k = &c->r->clock;

	if (!k->state || refund__case_next_fire(c->r, c->policy) > now)
		return 0;
	if (now < k->due)
		return REFUND_ACTION_REMIND;
	switch (k->consequence) {
	case REFUND_ON_DUE_ESCALATE: return REFUND_ACTION_ESCALATE;
	case REFUND_ON_DUE_EXPIRE: return REFUND_ACTION_EXPIRE;
	case REFUND_ON_DUE_APPROVE: return REFUND_ACTION_DEEMED_APPROVAL;
	case REFUND_ON_DUE_CLOSE: return REFUND_ACTION_AUTO_CLOSE;
	default: return REFUND_ACTION_REMIND;
	}
}

/* Fire what is due on one case, one transition at a time. */
static int fire(refund_engine *e, const char *id, refund_time now, refund_tick_result *res)
{
	refund_act system = REFUND_ACT_INIT;
	case_args args;
	refund_case *c = NULL;
	int rc, action, rounds;

	system.actor = "system";
	system.role = REFUND_ROLE_SYSTEM;
	memset(&args, 0, sizeof(args));
	args.deadline = 1;
	args.at = now;
	if ((rc = refund_case_load(e, &c, id)) != 0)
		return rc == REFUND_ENOTFOUND ? 0 : rc;
	/* A case left alone long may owe a reminder and its consequence; the
	 * bound only guards against a policy that would loop. */
	for (rounds = 0; rounds < 16 && (action = due_action(c, now)) != 0; rounds++) {
		rc = refund__case_act(c, action, &system, &args);
		if (rc == REFUND_ECONFLICT) {
			res->conflicts++;  /* another engine acted first: it is its to finish */
			rc = 0;
			break;
		}
		if (rc)
			break;
		if (action == REFUND_ACTION_REMIND && c->r->clock.overdue == 0)
			res->reminders++;
		else
			res->consequences++;
	}
	refund_case_free(c);
	return rc;
}

int refund_engine_tick(refund_engine *e, refund_time now, size_t limit,
		refund_tick_result *result)
{
	refund_tick_result res;
	due_list l;
	size_t i;
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if ((rc = refund__check_time(e, "now", now)) != 0)
		return rc;
	if (result && result->version != REFUND_TICK_RESULT_VERSION)
		return refund__fail(e, REFUND_EVERSION, "unknown refund_tick_result version %u",
				"refund_tick_result 版本 %u 未知", result->version);
	memset(&res, 0, sizeof(res));
	res.version = REFUND_TICK_RESULT_VERSION;
	memset(&l, 0, sizeof(l));
	l.engine = e;
	rc = refund__store_due(e, now, limit, collect_due, &l);
	if (rc == REFUND_ENOMEM)
		refund__fail_code(e, rc);
	res.due = l.count;
	for (i = 0; rc == 0 && i < l.count; i++)
		rc = fire(e, l.ids[i], now, &res);
	refund__free(&e->alloc, l.ids);
	if (result)
		*result = res;
	return rc;
}
