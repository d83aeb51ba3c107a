/*
 * libFuzzer target for the policy text form, refund_policy_parse() and
 * refund_policy_format().
 *
 * The input is the text itself, so the seeds are plain policy files.  What
 * parses must format (sized with a first call of size 0) to text that
 * parses again to the same rules and formats byte for byte the same.  What
 * fails must fail with a documented code and a message naming the line and
 * column.  On a second engine, failing one of the parse's allocations gives
 * REFUND_ENOMEM, no policy and, once the engine is freed, no leak.
 */
#include "fuzz_support.h"

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every rule of a and b equal (not the version or publication). */
static int same_rules(const refund_policy *a, const refund_policy *b)
{
	size_t i, j;

	if (strcmp(a->id, b->id) != 0 || strcmp(a->currency, b->currency) != 0 ||
	    a->window_anchor != b->window_anchor || a->window_days != b->window_days ||
	    a->ntiers != b->ntiers || a->common_evidence != b->common_evidence ||
	    a->return_required != b->return_required ||
	    a->missing_part_amount != b->missing_part_amount ||
	    a->fee_fixed != b->fee_fixed || a->fee_bp != b->fee_bp ||
	    a->fee_min != b->fee_min || a->fee_cap != b->fee_cap ||
	    a->offsets_allowed != b->offsets_allowed || a->max_parts != b->max_parts ||
	    a->interval_months != b->interval_months || a->four_eyes != b->four_eyes ||
	    a->parties != b->parties)
		return 0;
	for (i = 0; i < a->ntiers; i++)
		if (a->tiers[i].min_days != b->tiers[i].min_days ||
		    a->tiers[i].min_volume != b->tiers[i].min_volume ||
		    a->tiers[i].bp != b->tiers[i].bp)
			return 0;
	for (i = 0; i < REFUND_REASON_COUNT; i++)
		if (a->reason_evidence[i] != b->reason_evidence[i])
			return 0;
	for (i = 0; i < REFUND_GRADE_COUNT; i++)
		if (a->grade_bp[i] != b->grade_bp[i])
			return 0;
	for (i = 0; i < REFUND_STATE_COUNT; i++) {
		const policy_deadline *x = &a->deadlines[i], *y = &b->deadlines[i];

		if (x->set != y->set || x->amount != y->amount || x->unit != y->unit ||
		    strcmp(x->calendar, y->calendar) != 0 || x->consequence != y->consequence ||
		    x->nreminders != y->nreminders)
			return 0;
		for (j = 0; j < x->nreminders; j++)
			if (x->reminders[j] != y->reminders[j])
				return 0;
	}
	return 1;
}

/* The whole text, sized first; a buffer one byte short must be refused. */
static char *format_all(const refund_policy *p, size_t *len)
{
	size_t needed = 0, again = 0;
	char *buf;

	if (refund_policy_format(p, NULL, 0, &needed) != REFUND_ERANGE || needed < 2)
		abort();
	buf = malloc(needed);
	if (!buf)
		abort();
	if (refund_policy_format(p, buf, needed - 1, &again) != REFUND_ERANGE ||
	    again != needed || buf[0] != '\0')
		abort();
	if (refund_policy_format(p, buf, needed, NULL) != 0 || strlen(buf) + 1 != needed)
		abort();
	*len = needed - 1;
	return buf;
}

static void check_round_trip(refund_engine *e, const refund_policy *p)
{
	refund_policy *q = NULL;
	size_t len, len2;
	char *text = format_all(p, &len), *text2;

	if (refund_policy_parse(e, &q, text, len) != 0 || !q || !same_rules(p, q))
		abort();
	text2 = format_all(q, &len2);
	if (len2 != len || memcmp(text, text2, len) != 0)
		abort();
	free(text2);
	free(text);
	refund_policy_free(q);
}

/* A failure: a code the header documents, and where it happened. */
static void check_failure(refund_engine *e, int rc, size_t size)
{
	const char *msg = refund_engine_errmsg(e);

	fuzz_check_failure(e, rc);
	if (rc == REFUND_EINVAL && size > ((size_t)1 << 20))
		return;
	if (rc != REFUND_EPARSE && rc != REFUND_ENOTFOUND && rc != REFUND_ECURRENCY)
		abort();
	if (strncmp(msg, "line ", 5) != 0 && strncmp(msg, "第 ", 4) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t hash = fuzz_hash(data, size);
	refund_lang lang = hash & 1 ? REFUND_LANG_ZH_CN : REFUND_LANG_EN;
	refund_policy *p = NULL;
	fuzz_engine fe;
	long allocations;
	int rc;

	fuzz_engine_open(&fe, lang);
	fuzz_alloc_arm(&fe.fa, 0);  /* count the parse's allocations only */
	rc = refund_policy_parse(fe.engine, &p, (const char *)data, size);
	allocations = fe.fa.count;
	if (rc == 0) {
		if (!p)
			abort();
		check_round_trip(fe.engine, p);
		refund_policy_free(p);
	} else {
		if (p)
			abort();
		check_failure(fe.engine, rc, size);
	}
	fuzz_engine_close(&fe);
	if (allocations == 0)
		return 0;
	/* The same allocations on a fresh engine, one of them failing. */
	fuzz_engine_open(&fe, lang);
	fuzz_alloc_arm(&fe.fa, 1 + (long)(hash % (uint32_t)allocations));
	p = NULL;
	if (refund_policy_parse(fe.engine, &p, (const char *)data, size) != REFUND_ENOMEM || p)
		abort();
	fuzz_engine_close(&fe);
	return 0;
}
