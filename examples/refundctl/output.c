/*
 * Output: a small JSON writer (stable keys, documented in refundctl(1)),
 * times and money as text, and deposits shown both ways.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "refundctl.h"

void json_init(ctl_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = 1;
}

/* A comma before every value but the first of its object or array. */
static void separate(ctl_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = 0;
}

void json_open(ctl_json *j, char bracket)
{
	separate(j);
	fputc(bracket, j->out);
	if (j->depth + 1 < (int)(sizeof(j->first) / sizeof(j->first[0])))
		j->depth++;
	j->first[j->depth] = 1;
}

void json_close(ctl_json *j, char bracket)
{
	fputc(bracket, j->out);
	if (j->depth > 0)
		j->depth--;
}

static void json_text(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void json_key(ctl_json *j, const char *key)
{
	separate(j);
	json_text(j->out, key);
	fputc(':', j->out);
	j->after_key = 1;
}

void json_str(ctl_json *j, const char *s)
{
	separate(j);
	if (s)
		json_text(j->out, s);
	else
		fputs("null", j->out);
}

void json_int(ctl_json *j, int64_t v)
{
	separate(j);
	fprintf(j->out, "%" PRId64, v);
}

void json_bool(ctl_json *j, int v)
{
	separate(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(ctl_json *j)
{
	separate(j);
	fputs("null", j->out);
}

void json_kstr(ctl_json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kint(ctl_json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kbool(ctl_json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kmoney(ctl_json *j, ctl *c, const char *key, const char *currency, int64_t v)
{
	char buf[REFUND_MONEY_FORMAT_MAX];

	json_kstr(j, key, ctl_money(c, currency, v, buf, sizeof(buf)));
}

void json_ktime(ctl_json *j, ctl *c, const char *key, refund_time t)
{
	char buf[REFUND_TIME_FORMAT_MAX];

	json_key(j, key);
	if (t == REFUND_TIME_NONE)
		json_null(j);
	else
		json_str(j, ctl_time(c, t, buf, sizeof(buf)));
}

void json_end(ctl_json *j)
{
	fputc('\n', j->out);
}

/* The object that is a command's whole JSON output, on stdout. */
void json_begin(ctl_json *j)
{
	json_init(j, stdout);
	json_open(j, '{');
}

void json_finish(ctl_json *j)
{
	json_close(j, '}');
	json_end(j);
}

/* A list command's output: {"KEY":[...]} in JSON, one line a record in text. */
void ctl_list_begin(ctl *c, ctl_list *l, ctl_json *j, const char *key)
{
	l->c = c;
	l->j = NULL;
	l->count = 0;
	if (!c->json)
		return;
	json_begin(j);
	json_key(j, key);
	json_open(j, '[');
	l->j = j;
}

/* Close the list; then report @p rc, the listing's outcome, or an empty list. */
int ctl_list_end(ctl_list *l, int rc, const char *key, const char *key_zh)
{
	if (l->j) {
		json_close(l->j, ']');
		json_finish(l->j);
	}
	if (rc != 0)
		return ctl_fail(l->c, rc, CTL_TEXT(l->c, "listing %s", "列出%s"),
				CTL_TEXT(l->c, key, key_zh));
	if (!l->j && l->count == 0)
		printf(CTL_TEXT(l->c, "no %s\n", "没有%s\n"), CTL_TEXT(l->c, key, key_zh));
	return 0;
}

const char *ctl_time(ctl *c, refund_time t, char *buf, size_t size)
{
	if (t == REFUND_TIME_NONE || refund_time_format(t, c->tz, buf, size) != 0)
		snprintf(buf, size, "-");
	return buf;
}

const char *ctl_money(ctl *c, const char *currency, int64_t amount, char *buf,
		size_t size)
{
	if (!currency || refund_money_format(c->engine, currency, amount, buf, size) != 0)
		snprintf(buf, size, "%" PRId64, amount);
	return buf;
}

/* "2d 3h", "45m", "30s" (2天3小时): the largest two units of |seconds|. */
const char *ctl_duration(const ctl *c, int64_t seconds, char *buf, size_t size)
{
	int64_t s = seconds < 0 ? -seconds : seconds;
	int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;

	if (d)
		snprintf(buf, size, CTL_TEXT(c, "%" PRId64 "d %" PRId64 "h",
				"%" PRId64 "天%" PRId64 "小时"), d, h);
	else if (h)
		snprintf(buf, size, CTL_TEXT(c, "%" PRId64 "h %" PRId64 "m",
				"%" PRId64 "小时%" PRId64 "分钟"), h, m);
	else if (m)
		snprintf(buf, size, CTL_TEXT(c, "%" PRId64 "m", "%" PRId64 "分钟"), m);
	else
		snprintf(buf, size, CTL_TEXT(c, "%" PRId64 "s", "%" PRId64 "秒"), s % 60);
	return buf;
}

void ctl_evidence_list(const ctl *c, FILE *out, uint32_t mask)
{
	int i, n = 0;

	for (i = 1; i < CTL_EVIDENCE_COUNT; i++)
		if (mask & REFUND_EVIDENCE_BIT(i))
			fprintf(out, "%s%s", n++ ? CTL_TEXT(c, ", ", "、") : "",
					ctl_evidence_label(c, i));
	if (!n)
		fputs(CTL_TEXT(c, "none", "无"), out);
}

void json_evidence(ctl_json *j, const char *key, uint32_t mask)
{
	int i;

	json_key(j, key);
	json_open(j, '[');
	for (i = 1; i < CTL_EVIDENCE_COUNT; i++)
		if (mask & REFUND_EVIDENCE_BIT(i))
			json_str(j, ctl_evidence_names[i]);
	json_close(j, ']');
}

static refund_balance balance_of(const refund_deposit *d)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };

	refund_deposit_balance(d, &b);
	return b;
}

void ctl_print_ledger(ctl *c, const refund_deposit *d, const char *indent)
{
	const char *cur = refund_deposit_currency(d);
	char when[REFUND_TIME_FORMAT_MAX], amount[REFUND_MONEY_FORMAT_MAX];
	size_t i;

	for (i = 0; i < refund_deposit_entry_count(d); i++) {
		refund_entry e = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };
		const char *kind;

		if (refund_deposit_entry(d, i, &e) != 0)
			continue;
		kind = ctl_entry_label(c, e.kind);
		printf("%s%2u  %s  %-*s %10s  ", indent, (unsigned)e.seq,
				ctl_time(c, e.at, when, sizeof(when)), ctl_pad(kind, 13), kind,
				ctl_money(c, cur, e.amount, amount, sizeof(amount)));
		printf(CTL_TEXT(c, "by %s (%s)", "经办 %s（%s）"), e.actor,
				ctl_role_label(c, e.role));
		if (e.case_id)
			printf(CTL_TEXT(c, "  case %s", "  案件 %s"), e.case_id);
		if (e.reference)
			printf(CTL_TEXT(c, "  ref %s", "  凭证 %s"), e.reference);
		putchar('\n');
	}
}

static void print_balance(ctl *c, const refund_deposit *d)
{
	const char *cur = refund_deposit_currency(d);
	refund_balance b = balance_of(d);
	char h[REFUND_MONEY_FORMAT_MAX], r[REFUND_MONEY_FORMAT_MAX];
	char x[REFUND_MONEY_FORMAT_MAX], m[REFUND_MONEY_FORMAT_MAX];

	printf(CTL_TEXT(c, "held %s = refunded %s + deducted %s + remaining %s %s",
			"押金 %s = 已退还 %s + 已扣款 %s + 余额 %s %s"),
			ctl_money(c, cur, b.held, h, sizeof(h)),
			ctl_money(c, cur, b.refunded, r, sizeof(r)),
			ctl_money(c, cur, b.deducted, x, sizeof(x)),
			ctl_money(c, cur, b.remaining, m, sizeof(m)), cur);
}

/* "  state         ": a field's label, its value starting on column 16. */
void ctl_field(const ctl *c, const char *en, const char *zh)
{
	const char *label = CTL_TEXT(c, en, zh);

	printf("  %-*s", ctl_pad(label, 14), label);
}

void ctl_print_deposit(ctl *c, const refund_deposit *d, int ledger)
{
	const char *cur = refund_deposit_currency(d);
	const char *id = refund_deposit_id(d), *holder = refund_deposit_holder(d);
	const char *agent = refund_deposit_agent(d), *serial = refund_deposit_terminal_serial(d);
	char t[REFUND_TIME_FORMAT_MAX], v[REFUND_MONEY_FORMAT_MAX];

	if (!ledger) {
		printf("%-*s %-*s %-*s %-*s ", ctl_pad(id, 16), id, ctl_pad(holder, 12), holder,
				ctl_pad(agent, 10), agent, ctl_pad(serial, 16), serial);
		printf(CTL_TEXT(c, "%10s %s  remaining %s  case %s\n", "%10s %s  余额 %s  案件 %s\n"),
				ctl_money(c, cur, balance_of(d).held, v, sizeof(v)), cur,
				ctl_money(c, cur, balance_of(d).remaining, t, sizeof(t)),
				refund_deposit_open_case(d) ? refund_deposit_open_case(d) : "-");
		return;
	}
	printf(CTL_TEXT(c, "deposit %s\n", "押金 %s\n"), id);
	ctl_field(c, "holder", "商户");
	printf("%s\n", holder);
	ctl_field(c, "agent", "代理商");
	printf("%s\n", agent);
	ctl_field(c, "terminal", "终端");
	printf("%s\n", serial);
	ctl_field(c, "contract", "合同");
	printf("%s\n", refund_deposit_contract_id(d) ? refund_deposit_contract_id(d) : "-");
	ctl_field(c, "receipt", "押金收据");
	printf("%s\n", refund_deposit_receipt(d) ? refund_deposit_receipt(d) : "-");
	ctl_field(c, "paid at", "缴纳时间");
	printf("%s\n", ctl_time(c, refund_deposit_paid_at(d), t, sizeof(t)));
	ctl_field(c, "contract end", "合同到期");
	printf("%s\n", ctl_time(c, refund_deposit_contract_end(d), t, sizeof(t)));
	ctl_field(c, "usage", "使用情况");
	printf(CTL_TEXT(c, "%" PRId64 " days in service, volume %s %s\n",
			"已使用 %" PRId64 " 天，交易量 %s %s\n"), refund_deposit_days_in_service(d),
			ctl_money(c, cur, refund_deposit_transaction_volume(d), v, sizeof(v)), cur);
	ctl_field(c, "open case", "进行中的案件");
	printf("%s\n", refund_deposit_open_case(d) ? refund_deposit_open_case(d)
			: CTL_TEXT(c, "none", "无"));
	ctl_field(c, "balance", "金额明细");
	print_balance(c, d);
	fputs(CTL_TEXT(c, "\n  ledger:\n", "\n  台账:\n"), stdout);
	ctl_print_ledger(c, d, "    ");
}

static void json_balance(ctl *c, ctl_json *j, const refund_deposit *d)
{
	const char *cur = refund_deposit_currency(d);
	refund_balance b = balance_of(d);

	json_key(j, "balance");
	json_open(j, '{');
	json_kmoney(j, c, "held", cur, b.held);
	json_kmoney(j, c, "refunded", cur, b.refunded);
	json_kmoney(j, c, "deducted", cur, b.deducted);
	json_kmoney(j, c, "remaining", cur, b.remaining);
	json_close(j, '}');
}

static void json_ledger(ctl *c, ctl_json *j, const refund_deposit *d)
{
	const char *cur = refund_deposit_currency(d);
	size_t i;

	json_key(j, "ledger");
	json_open(j, '[');
	for (i = 0; i < refund_deposit_entry_count(d); i++) {
		refund_entry e = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };

		if (refund_deposit_entry(d, i, &e) != 0)
			continue;
		json_open(j, '{');
		json_kint(j, "seq", e.seq);
		json_kstr(j, "kind", refund_entry_kind_name(e.kind));
		json_kmoney(j, c, "amount", cur, e.amount);
		json_ktime(j, c, "at", e.at);
		json_kstr(j, "actor", e.actor);
		json_kstr(j, "role", refund_role_name(e.role));
		json_kstr(j, "reference", e.reference);
		json_kstr(j, "case", e.case_id);
		json_close(j, '}');
	}
	json_close(j, ']');
}

void ctl_json_deposit(ctl *c, ctl_json *j, const refund_deposit *d, int ledger)
{
	const char *cur = refund_deposit_currency(d);

	json_open(j, '{');
	json_kstr(j, "id", refund_deposit_id(d));
	json_kstr(j, "holder", refund_deposit_holder(d));
	json_kstr(j, "agent", refund_deposit_agent(d));
	json_kstr(j, "terminal", refund_deposit_terminal_serial(d));
	json_kstr(j, "contract", refund_deposit_contract_id(d));
	json_kstr(j, "receipt", refund_deposit_receipt(d));
	json_kstr(j, "currency", cur);
	json_ktime(j, c, "paid_at", refund_deposit_paid_at(d));
	json_ktime(j, c, "contract_end", refund_deposit_contract_end(d));
	json_kint(j, "days_in_service", refund_deposit_days_in_service(d));
	json_kmoney(j, c, "transaction_volume", cur, refund_deposit_transaction_volume(d));
	json_kint(j, "version", (int64_t)refund_deposit_version(d));
	json_kstr(j, "open_case", refund_deposit_open_case(d));
	json_balance(c, j, d);
	if (ledger)
		json_ledger(c, j, d);
	json_close(j, '}');
}

/* A deposit with its ledger as the whole output: text or JSON. */
void ctl_show_deposit(ctl *c, const refund_deposit *d)
{
	ctl_json j;

	if (!c->json) {
		ctl_print_deposit(c, d, 1);
		return;
	}
	json_init(&j, stdout);
	ctl_json_deposit(c, &j, d, 1);
	json_end(&j);
}
