/*
 * The C runner of the shared scenarios (tests/scenarios/README.md): every
 * *.scn file is one cmocka test that tells its story to the library one
 * call at a time, on a fresh engine, in-memory store and settable clock.
 *
 *   run_scenarios DIR            every .scn file in DIR must run to its end
 *   run_scenarios --refuse DIR   every .scn file in DIR must be refused at the line
 *                                and with the text its first line names:
 *                                "# refused at line N: TEXT"
 *
 * A file is read and checked whole (commands, token counts, options, names,
 * times, counts) before its first line runs, so a malformed line is
 * reported even if an earlier line would fail.  Every failure names
 * file:line.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <refund.h>

#include "fixture.h"

#define MAX_TOKENS 40
#define ERR_MAX 2048
#define FILE_MAX (1024 * 1024)

/* ---- names the scenarios use, indexed by the library's enum values ---- */

static const char *const reason_names[] = { NULL, "device_fault", "transaction_dispute",
	"service", "policy_change", "needs_changed", "fraud" };
static const char *const evidence_names[] = { NULL, "receipt", "contract", "payment_record",
	"fault_report", "transaction_records", "service_evaluation", "government_document",
	"police_report", "other" };
static const char *const grade_names[] = { NULL, "fine", "normal_wear", "damaged",
	"not_returned" };
static const char *const method_names[] = { NULL, "bank", "alipay", "wechat" };
static const char *const reject_names[] = { NULL, "incomplete_evidence", "outside_window",
	"not_eligible", "fraud_suspected", "other" };
static const char *const part_status_names[] = { NULL, "pending", "failed", "paid" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int index_of(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return 0;
}

static int party_of(const char *name)
{
	if (strcmp(name, "regulator") == 0)
		return REFUND_PARTY_REGULATOR;
	if (strcmp(name, "consumer_association") == 0)
		return REFUND_PARTY_CONSUMER_ASSOCIATION;
	if (strcmp(name, "legal") == 0)
		return REFUND_PARTY_LEGAL;
	return 0;
}

static int state_of(const char *name)
{
	int s;

	for (s = 1; s < REFUND_STATE_COUNT; s++)
		if (refund_case_state_name(s) && strcmp(refund_case_state_name(s), name) == 0)
			return s;
	return 0;
}

/* The code whose refund_error_name() is `name`; 1 if there is none. */
static int error_of(const char *name)
{
	int code;

	for (code = 0; code > -100; code--)
		if (strcmp(refund_error_name(code), "REFUND_E?") != 0 &&
		    strcmp(refund_error_name(code), name) == 0)
			return code;
	return 1;
}

static const char *code_name(int code)
{
	return code == 0 ? "0" : refund_error_name(code);
}

/* ---- one run of one file ---- */

typedef struct run {
	const char *dir;       /* the scenario's directory, for policy files */
	const char *file;      /* its name, for messages */
	int lineno;            /* the line being checked or run */
	int failed_line;       /* the line of the first failure */
	fixture *f;
	char err[ERR_MAX];
} run;

static int fail_at(run *r, const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(2, 3);

static int fail_at(run *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s:%d: ", r->file, r->lineno);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(r->err))
		(void)vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->failed_line = r->lineno;
	return -1;
}

/* The library's own message for a failed call, or "" when it has none. */
static const char *errmsg(run *r)
{
	return r->f ? refund_engine_errmsg(r->f->engine) : "";
}

/* ---- values ---- */

static int parse_count(const char *s, long long max, long long *out)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* "80%", "12.5%", "0.01%" as basis points. */
static int parse_percent(const char *s, long long *bp)
{
	long long whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if ((whole = whole * 10 + (*s - '0')) > 100)
			return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fdigits++)
			frac = frac * 10 + (*s - '0');
		if (fdigits == 0 || fdigits > 2)
			return -1;
		if (fdigits == 1)
			frac *= 10;
	}
	if (digits == 0 || strcmp(s, "%") != 0 || whole * 100 + frac > 10000)
		return -1;
	*bp = whole * 100 + frac;
	return 0;
}

/* Digits, optionally '.' and digits: the currency's decimals are checked when run. */
static int is_amount(const char *s)
{
	size_t whole = strspn(s, "0123456789"), frac;

	if (whole == 0)
		return 0;
	if (s[whole] == '\0')
		return 1;
	frac = strspn(s + whole + 1, "0123456789");
	return s[whole] == '.' && frac > 0 && s[whole + 1 + frac] == '\0';
}

/* A comma-separated list of names; each name's bit once. */
static int parse_list(const char *s, int (*bit_of)(const char *), uint32_t *mask)
{
	char item[64];
	size_t len;
	int bit;

	*mask = 0;
	for (;;) {
		len = strcspn(s, ",");
		if (len == 0 || len >= sizeof(item))
			return -1;
		memcpy(item, s, len);
		item[len] = '\0';
		if ((bit = bit_of(item)) == 0 || (*mask & (uint32_t)bit))
			return -1;
		*mask |= (uint32_t)bit;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

static int evidence_bit(const char *name)
{
	int kind = index_of(evidence_names, COUNT(evidence_names), name);

	return kind ? (int)REFUND_EVIDENCE_BIT(kind) : 0;
}

static int parse_parties(const char *s, uint32_t *mask)
{
	if (strcmp(s, "none") == 0) {
		*mask = 0;
		return 0;
	}
	return parse_list(s, party_of, mask);
}

/*
 * Argument types, one letter per positional token or option value:
 *   x text   t time   n count   a amount (checked when run: it needs the
 *   currency)   % percentage   R reason   K evidence kind   L kinds,
 *   comma-separated   G grade   P party   Q parties or none   M payout
 *   method   J reject reason   S state   U part status
 */
static int check_value(run *r, char type, const char *what, const char *v)
{
	long long n;
	refund_time t;
	uint32_t mask;

	switch (type) {
	case 'a':
		if (!is_amount(v) && !(strcmp(what, "expect case CASE approved AMOUNT|none") == 0 &&
		    strcmp(v, "none") == 0))
			return fail_at(r, "bad amount '%s' for %s", v, what);
		return 0;
	case 't':
		if (refund_time_parse(v, &t) != 0)
			return fail_at(r, "bad time '%s' for %s", v, what);
		return 0;
	case 'n':
		if (parse_count(v, INT_MAX, &n) != 0)
			return fail_at(r, "bad count '%s' for %s", v, what);
		return 0;
	case '%':
		if (parse_percent(v, &n) != 0)
			return fail_at(r, "bad percentage '%s' for %s", v, what);
		return 0;
	case 'R':
		if (!index_of(reason_names, COUNT(reason_names), v))
			return fail_at(r, "unknown reason '%s'", v);
		return 0;
	case 'K':
		if (!index_of(evidence_names, COUNT(evidence_names), v))
			return fail_at(r, "unknown evidence kind '%s'", v);
		return 0;
	case 'L':
		if (parse_list(v, evidence_bit, &mask) != 0)
			return fail_at(r, "unknown or repeated evidence kind in '%s'", v);
		return 0;
	case 'G':
		if (!index_of(grade_names, COUNT(grade_names), v))
			return fail_at(r, "unknown grade '%s'", v);
		return 0;
	case 'P':
		if (!party_of(v))
			return fail_at(r, "unknown party '%s'", v);
		return 0;
	case 'Q':
		if (parse_parties(v, &mask) != 0)
			return fail_at(r, "unknown or repeated party in '%s'", v);
		return 0;
	case 'M':
		if (!index_of(method_names, COUNT(method_names), v))
			return fail_at(r, "unknown payout method '%s'", v);
		return 0;
	case 'J':
		if (!index_of(reject_names, COUNT(reject_names), v))
			return fail_at(r, "unknown reject reason '%s'", v);
		return 0;
	case 'S':
		if (!state_of(v))
			return fail_at(r, "unknown state '%s'", v);
		return 0;
	case 'U':
		if (!index_of(part_status_names, COUNT(part_status_names), v))
			return fail_at(r, "unknown part status '%s'", v);
		return 0;
	default:
		return 0;
	}
}

/* ---- lines ---- */

typedef struct line line;
typedef int (*handler_fn)(run *r, const line *ln);

typedef struct option_spec {
	const char *name;
	char type;
	int required;
} option_spec;

enum {
	ACTS = 1,      /* takes "as ACTOR:ROLE" */
	KEYED = 2,     /* takes key=KEY (case actions) */
	OUTCOME = 4    /* may end with "=> NAME" */
};

typedef struct command {
	const char *name;
	const char *args;           /* one type letter per positional */
	const char *usage;
	unsigned flags;
	const option_spec *options; /* NULL-terminated, or NULL */
	handler_fn run;
} command;

typedef struct option {
	const char *key;
	const char *value;
} option;

struct line {
	int no;
	const command *cmd;
	const char *pos[MAX_TOKENS];   /* positionals after the command word */
	size_t npos;
	option opt[MAX_TOKENS];
	size_t nopt;
	const char *actor;             /* NULL: no "as" */
	int role;
	int outcome;                   /* the expected return code */
};

static const char *option_value(const line *ln, const char *key)
{
	size_t i;

	for (i = 0; i < ln->nopt; i++)
		if (strcmp(ln->opt[i].key, key) == 0)
			return ln->opt[i].value;
	return NULL;
}

typedef struct token {
	char *text;
	int quoted;   /* written in quotes: a value, never a keyword or option */
	int option;   /* key=value */
} token;

/* UTF-8, strictly: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int valid_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, need, cp, min;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
		else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
		else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
		else return 0;
		for (s++; need; need--, s++) {
			if ((*s & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (*s & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
	}
	return 1;
}

/* Splits one line in place into tokens; comments and quotes per the README. */
static int lex(run *r, char *s, token *tok, size_t *ntok)
{
	size_t n = 0;

	*ntok = 0;
	if (!valid_utf8((const unsigned char *)s))
		return fail_at(r, "the line is not valid UTF-8");
	for (;;) {
		char *start;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return fail_at(r, "control character 0x%02X", (unsigned)(unsigned char)*s);
		if (n == MAX_TOKENS)
			return fail_at(r, "more than %d tokens", MAX_TOKENS);
		memset(&tok[n], 0, sizeof(tok[n]));
		if (*s == '"') {
			char *end = strchr(s + 1, '"');

			if (!end)
				return fail_at(r, "unterminated quote");
			tok[n].text = s + 1;
			tok[n].quoted = 1;
			*end = '\0';
			s = end + 1;
		} else {
			start = s;
			while (*s && *s != ' ' && *s != '\t' && *s != '#' && *s != '"')
				s++;
			if (*s == '"') {
				/* key="quoted value": the quotes go, the value stays */
				char *end;

				if (s == start || s[-1] != '=')
					return fail_at(r, "stray quote in '%.*s'", (int)(s - start + 1), start);
				if (!(end = strchr(s + 1, '"')))
					return fail_at(r, "unterminated quote");
				memmove(s, s + 1, (size_t)(end - s - 1));
				end[-1] = '\0';
				tok[n].text = start;
				s = end + 1;
			} else {
				tok[n].text = start;
				if (*s == '#') {
					*s = '\0';
					n++;
					break;
				}
			}
		}
		if (*s && *s != ' ' && *s != '\t')
			return fail_at(r, "a quoted token must be followed by a space");
		if (*s)
			*s++ = '\0';
		n++;
	}
	*ntok = n;
	return 0;
}

static int is_option(const token *t)
{
	const char *eq;
	const char *c;

	if (t->quoted || strcmp(t->text, "=>") == 0 || !(eq = strchr(t->text, '=')) ||
	    eq == t->text)
		return 0;
	for (c = t->text; c < eq; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
			return 0;
	return 1;
}

static int is_word(const token *t, const char *word)
{
	return !t->quoted && strcmp(t->text, word) == 0;
}

/* "as ACTOR:ROLE" */
static int take_actor(run *r, line *ln, const token *t)
{
	char *colon = strrchr(t->text, ':');
	int role = 0;

	if (ln->actor)
		return fail_at(r, "'as ACTOR:ROLE' given twice");
	if (!colon || colon == t->text)
		return fail_at(r, "expected ACTOR:ROLE after 'as', not '%s'", t->text);
	*colon = '\0';
	if (refund_role_from_name(colon + 1, &role) != 0)
		return fail_at(r, "unknown role '%s'", colon + 1);
	ln->actor = t->text;
	ln->role = role;
	return 0;
}

/* Separates the outcome, the positionals, the options and the actor. */
static int split(run *r, token *tok, size_t n, line *ln)
{
	size_t i;

	ln->outcome = 0;
	for (i = 0; i < n; i++)
		if (is_word(&tok[i], "=>")) {
			if (i + 2 != n)
				return fail_at(r, "'=>' must be followed by exactly one error name, at the end");
			if ((ln->outcome = error_of(tok[i + 1].text)) == 1)
				return fail_at(r, "unknown error name '%s'", tok[i + 1].text);
			n = i;
		}
	for (i = 1; i < n && !tok[i].option && !is_word(&tok[i], "as"); i++)
		ln->pos[ln->npos++] = tok[i].text;
	for (; i < n; i++) {
		if (tok[i].option) {
			char *eq = strchr(tok[i].text, '=');
			size_t k;

			*eq = '\0';
			for (k = 0; k < ln->nopt; k++)
				if (strcmp(ln->opt[k].key, tok[i].text) == 0)
					return fail_at(r, "option '%s=' given twice", tok[i].text);
			ln->opt[ln->nopt].key = tok[i].text;
			ln->opt[ln->nopt++].value = eq + 1;
		} else if (is_word(&tok[i], "as")) {
			if (i + 1 == n)
				return fail_at(r, "missing ACTOR:ROLE after 'as'");
			if (take_actor(r, ln, &tok[++i]) != 0)
				return -1;
		} else {
			return fail_at(r, "surplus token '%s' after the options", tok[i].text);
		}
	}
	return 0;
}

/* ---- command table (handlers below) ---- */

static int do_clock(run *r, const line *ln);
static int do_policy(run *r, const line *ln);
static int do_deposit(run *r, const line *ln);
static int do_usage(run *r, const line *ln);
static int do_open(run *r, const line *ln);
static int do_case_action(run *r, const line *ln);
static int do_tick(run *r, const line *ln);
static int do_expect(run *r, const line *ln);

static const option_spec deposit_options[] = {
	{ "holder", 'x', 1 }, { "agent", 'x', 1 }, { "terminal", 'x', 1 },
	{ "paid", 't', 1 }, { "contract", 'x', 0 }, { "end", 't', 0 },
	{ "receipt", 'x', 0 }, { NULL, 0, 0 }
};
static const option_spec open_options[] = { { "version", 'n', 0 }, { NULL, 0, 0 } };
static const option_spec submit_options[] = { { "bank", 'x', 0 }, { NULL, 0, 0 } };
static const option_spec tick_options[] = {
	{ "reminders", 'n', 0 }, { "consequences", 'n', 0 }, { NULL, 0, 0 }
};
static const option_spec balance_options[] = {
	{ "held", 'a', 0 }, { "refunded", 'a', 0 }, { "deducted", 'a', 0 },
	{ "remaining", 'a', 0 }, { NULL, 0, 0 }
};

#define CASE_ACT (ACTS | KEYED | OUTCOME)

static const command commands[] = {
	{ "clock", "t", "clock TIME", 0, NULL, do_clock },
	{ "policy", "x", "policy FILE as A:R", ACTS | OUTCOME, NULL, do_policy },
	{ "deposit", "xax", "deposit ID AMOUNT CUR holder=H agent=G terminal=T paid=TIME "
		"[contract=C] [end=TIME] [receipt=R] as A:R", ACTS | OUTCOME, deposit_options,
		do_deposit },
	{ "usage", "xna", "usage DEPOSIT DAYS VOLUME as A:R", ACTS | OUTCOME, NULL, do_usage },
	{ "open", "xxxR", "open CASE DEPOSIT POLICY REASON [version=N] as A:R", CASE_ACT,
		open_options, do_open },
	{ "attach", "xKx", "attach CASE KIND REFERENCE as A:R", CASE_ACT, NULL, do_case_action },
	{ "submit", "xMxx", "submit CASE METHOD NAME NUMBER [bank=BANK] as A:R", CASE_ACT,
		submit_options, do_case_action },
	{ "start_review", "x", "start_review CASE as A:R", CASE_ACT, NULL, do_case_action },
	{ "request_documents", "xL", "request_documents CASE KIND[,KIND...] as A:R", CASE_ACT,
		NULL, do_case_action },
	{ "provide_documents", "x", "provide_documents CASE as A:R", CASE_ACT, NULL,
		do_case_action },
	{ "approve", "xa", "approve CASE AMOUNT as A:R", CASE_ACT, NULL, do_case_action },
	{ "reject", "xJx", "reject CASE REASON TEXT as A:R", CASE_ACT, NULL, do_case_action },
	{ "appeal", "x", "appeal CASE as A:R", CASE_ACT, NULL, do_case_action },
	{ "receive_device", "xx", "receive_device CASE TRACKING as A:R", CASE_ACT, NULL,
		do_case_action },
	{ "inspect", "xGn", "inspect CASE GRADE MISSING_PARTS as A:R", CASE_ACT, NULL,
		do_case_action },
	{ "set_offset", "xa", "set_offset CASE AMOUNT as A:R", CASE_ACT, NULL, do_case_action },
	{ "offer", "xn", "offer CASE PARTS as A:R", CASE_ACT, NULL, do_case_action },
	{ "accept", "x", "accept CASE as A:R", CASE_ACT, NULL, do_case_action },
	{ "pay", "xnx", "pay CASE PART REFERENCE as A:R", CASE_ACT, NULL, do_case_action },
	{ "pay_failed", "xnx", "pay_failed CASE PART REASON as A:R", CASE_ACT, NULL,
		do_case_action },
	{ "confirm", "x", "confirm CASE as A:R", CASE_ACT, NULL, do_case_action },
	{ "withdraw", "x", "withdraw CASE as A:R", CASE_ACT, NULL, do_case_action },
	{ "escalate", "xP", "escalate CASE PARTY as A:R", CASE_ACT, NULL, do_case_action },
	{ "reevaluate", "xn", "reevaluate CASE VERSION as A:R", CASE_ACT, NULL, do_case_action },
	{ "tick", "t", "tick TIME [reminders=N] [consequences=N]", 0, tick_options, do_tick },
	{ "expect", NULL, "expect case CASE ... | expect deposit DEPOSIT ...", 0, NULL, do_expect },
};

/* The forms of "expect": positionals after "expect" are SUBJECT ID WHAT ARGS. */
typedef struct expect_form {
	const char *subject;
	const char *what;     /* NULL: the deposit balance, given as options */
	const char *args;
	const char *usage;
} expect_form;

static const expect_form expect_forms[] = {
	{ "case", "state", "S", "expect case CASE state NAME" },
	{ "case", "remaining", "a", "expect case CASE remaining AMOUNT" },
	{ "case", "gross", "a", "expect case CASE gross AMOUNT" },
	{ "case", "forfeited", "a", "expect case CASE forfeited AMOUNT" },
	{ "case", "damage", "a", "expect case CASE damage AMOUNT" },
	{ "case", "missing_parts", "a", "expect case CASE missing_parts AMOUNT" },
	{ "case", "fee", "a", "expect case CASE fee AMOUNT" },
	{ "case", "offset", "a", "expect case CASE offset AMOUNT" },
	{ "case", "net", "a", "expect case CASE net AMOUNT" },
	{ "case", "approved", "a", "expect case CASE approved AMOUNT|none" },
	{ "case", "tier", "%", "expect case CASE tier PERCENT" },
	{ "case", "parts", "n", "expect case CASE parts N" },
	{ "case", "part", "nU", "expect case CASE part N STATUS" },
	{ "case", "escalated", "Q", "expect case CASE escalated PARTY[,PARTY...]|none" },
	{ "case", "events", "n", "expect case CASE events N" },
	{ "case", "verified", "", "expect case CASE verified" },
	{ "deposit", "entries", "n", "expect deposit DEPOSIT entries N" },
	{ "deposit", NULL, "", "expect deposit DEPOSIT held=A refunded=A deducted=A remaining=A" },
};

static const expect_form *find_expect_form(const line *ln)
{
	size_t i;

	for (i = 0; i < COUNT(expect_forms); i++) {
		const expect_form *f = &expect_forms[i];

		if (ln->npos < 2 || strcmp(f->subject, ln->pos[0]) != 0)
			continue;
		if (f->what ? ln->npos >= 3 && strcmp(f->what, ln->pos[2]) == 0 : ln->npos == 2)
			return f;
	}
	return NULL;
}

static int check_positionals(run *r, const line *ln, const char *args, size_t skip,
		const char *usage)
{
	size_t want = skip + strlen(args), i;

	if (ln->npos < want)
		return fail_at(r, "missing token: %s", usage);
	if (ln->npos > want)
		return fail_at(r, "surplus token '%s': %s", ln->pos[want], usage);
	for (i = 0; i < strlen(args); i++)
		if (check_value(r, args[i], usage, ln->pos[skip + i]) != 0)
			return -1;
	return 0;
}

static int check_options(run *r, const line *ln, const option_spec *specs, unsigned flags,
		const char *name)
{
	const option_spec *s;
	size_t i;

	for (i = 0; i < ln->nopt; i++) {
		const char *key = ln->opt[i].key;
		int known = (flags & KEYED) && strcmp(key, "key") == 0;

		for (s = specs; s && s->name && !known; s++)
			if (strcmp(s->name, key) == 0) {
				known = 1;
				if (check_value(r, s->type, key, ln->opt[i].value) != 0)
					return -1;
			}
		if (!known)
			return fail_at(r, "unknown option '%s=' for '%s'", key, name);
	}
	for (s = specs; s && s->name; s++)
		if (s->required && !option_value(ln, s->name))
			return fail_at(r, "missing option '%s=' for '%s'", s->name, name);
	return 0;
}

static int check_expect(run *r, const line *ln)
{
	const expect_form *f = find_expect_form(ln);

	if (!f) {
		if (ln->npos >= 3 && strcmp(ln->pos[0], "case") == 0)
			return fail_at(r, "unknown expectation '%s' for a case", ln->pos[2]);
		if (ln->npos >= 3 && strcmp(ln->pos[0], "deposit") == 0)
			return fail_at(r, "unknown expectation '%s' for a deposit", ln->pos[2]);
		if (ln->npos >= 1 && strcmp(ln->pos[0], "case") != 0 &&
		    strcmp(ln->pos[0], "deposit") != 0)
			return fail_at(r, "unknown subject '%s': expect case ... or expect deposit ...",
					ln->pos[0]);
		return fail_at(r, "missing token: expect case CASE WHAT ... | expect deposit DEPOSIT ...");
	}
	if (check_positionals(r, ln, f->args, f->what ? 3 : 2, f->usage) != 0)
		return -1;
	if (f->what)
		return check_options(r, ln, NULL, 0, "expect");
	if (check_options(r, ln, balance_options, 0, "expect deposit") != 0)
		return -1;
	if (ln->nopt == 0)
		return fail_at(r, "missing option: %s (at least one)", f->usage);
	return 0;
}

/* Checks one line's shape and names; nothing runs. */
static int check_line(run *r, char *text, line *ln)
{
	token tok[MAX_TOKENS];
	size_t n = 0, i;
	const command *cmd = NULL;

	memset(ln, 0, sizeof(*ln));
	ln->no = r->lineno;
	if (lex(r, text, tok, &n) != 0)
		return -1;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		tok[i].option = is_option(&tok[i]);
	for (i = 0; i < COUNT(commands) && !tok[0].quoted && !tok[0].option; i++)
		if (strcmp(commands[i].name, tok[0].text) == 0)
			cmd = &commands[i];
	if (!cmd)
		return fail_at(r, "unknown command '%s'", tok[0].text);
	ln->cmd = cmd;
	if (split(r, tok, n, ln) != 0)
		return -1;
	if (ln->outcome != 0 && !(cmd->flags & OUTCOME))
		return fail_at(r, "'%s' lines take no '=> NAME'", cmd->name);
	if ((cmd->flags & ACTS) && !ln->actor)
		return fail_at(r, "missing 'as ACTOR:ROLE': %s", cmd->usage);
	if (!(cmd->flags & ACTS) && ln->actor)
		return fail_at(r, "'%s' lines take no 'as ACTOR:ROLE'", cmd->name);
	if (!cmd->args)
		return check_expect(r, ln);
	if (check_positionals(r, ln, cmd->args, 0, cmd->usage) != 0)
		return -1;
	return check_options(r, ln, cmd->options, cmd->flags, cmd->name);
}

/* ---- helpers for running ---- */

static refund_time time_of(const char *text)
{
	refund_time t = 0;

	(void)refund_time_parse(text, &t);  /* checked before the run */
	return t;
}

static long long count_of(const char *text)
{
	long long n = 0;

	(void)parse_count(text, INT_MAX, &n);  /* checked before the run */
	return n;
}

static int amount_of(run *r, const char *currency, const char *text, int64_t *out)
{
	int rc = refund_money_parse(r->f->engine, currency, text, 0, out);

	if (rc)
		return fail_at(r, "bad amount '%s' in %s: %s (%s)", text, currency, code_name(rc),
				errmsg(r));
	return 0;
}

static const char *money_text(run *r, const char *currency, int64_t amount, char *buf)
{
	if (refund_money_format(r->f->engine, currency, amount, buf, REFUND_MONEY_FORMAT_MAX) != 0)
		(void)snprintf(buf, REFUND_MONEY_FORMAT_MAX, "%lld minor units", (long long)amount);
	return buf;
}

static refund_act act_of(const line *ln)
{
	refund_act act = REFUND_ACT_INIT;

	act.actor = ln->actor;
	act.role = ln->role;
	act.idempotency_key = option_value(ln, "key");
	return act;
}

/* What a failed call must leave as it was. */
typedef struct snapshot {
	int case_state;            /* 0: no such case */
	uint64_t case_version;
	uint64_t deposit_version;  /* 0: no such deposit */
	size_t deposit_entries;
} snapshot;

static void take_snapshot(run *r, const char *case_id, const char *deposit_id, snapshot *s)
{
	refund_case *c = NULL;
	refund_deposit *d = NULL;

	memset(s, 0, sizeof(*s));
	if (case_id && refund_case_load(r->f->engine, &c, case_id) == 0) {
		s->case_state = refund_case_state(c);
		s->case_version = refund_case_version(c);
		if (!deposit_id)
			deposit_id = refund_case_deposit_id(c);
	}
	if (deposit_id && refund_deposit_load(r->f->engine, &d, deposit_id) == 0) {
		s->deposit_version = refund_deposit_version(d);
		s->deposit_entries = refund_deposit_entry_count(d);
	}
	refund_deposit_free(d);
	refund_case_free(c);
}

static int check_balance_cb(void *ctx, const refund_deposit *d)
{
	run *r = ctx;
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };

	if (refund_deposit_balance(d, &b) != 0 || b.remaining < 0 ||
	    b.held != b.refunded + b.deducted + b.remaining) {
		(void)fail_at(r, "deposit %s breaks held = refunded + deducted + remaining "
				"(%lld != %lld + %lld + %lld)", refund_deposit_id(d), (long long)b.held,
				(long long)b.refunded, (long long)b.deducted, (long long)b.remaining);
		return 1;  /* positive: no library code is */
	}
	return 0;
}

/*
 * Compares a call's result with the line's "=> NAME"; a call expected to
 * fail must leave the case and its deposit as they were.  After every
 * action, every deposit's ledger must still balance.
 */
static int check_outcome(run *r, const line *ln, int rc, const char *case_id,
		const char *deposit_id, const snapshot *before)
{
	snapshot after;
	int lrc;

	if (rc != ln->outcome) {
		if (rc == 0)
			return fail_at(r, "%s returned 0, expected %s", ln->cmd->name,
					code_name(ln->outcome));
		return fail_at(r, "%s returned %s (%s), expected %s", ln->cmd->name, code_name(rc),
				errmsg(r), code_name(ln->outcome));
	}
	if (rc != 0) {
		take_snapshot(r, case_id, deposit_id, &after);
		if (after.case_state != before->case_state ||
		    after.case_version != before->case_version)
			return fail_at(r, "%s failed as expected but changed case %s (state %s -> %s, "
					"version %llu -> %llu)", ln->cmd->name, case_id ? case_id : "-",
					before->case_state ? refund_case_state_name(before->case_state) : "none",
					after.case_state ? refund_case_state_name(after.case_state) : "none",
					(unsigned long long)before->case_version,
					(unsigned long long)after.case_version);
		if (after.deposit_version != before->deposit_version ||
		    after.deposit_entries != before->deposit_entries)
			return fail_at(r, "%s failed as expected but changed deposit %s", ln->cmd->name,
					deposit_id ? deposit_id : "of the case");
	}
	lrc = refund_deposit_list(r->f->engine, NULL, check_balance_cb, r);
	if (lrc == 1)
		return -1;
	if (lrc != 0)
		return fail_at(r, "listing deposits failed: %s (%s)", code_name(lrc), errmsg(r));
	return 0;
}

/* ---- setup commands ---- */

static int do_clock(run *r, const line *ln)
{
	r->f->now = time_of(ln->pos[0]);
	return 0;
}

static int read_text(const char *path, char **out, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	if (!fp)
		return -1;
	buf = malloc(FILE_MAX + 1);
	n = buf ? fread(buf, 1, FILE_MAX + 1, fp) : 0;
	if (!buf || ferror(fp) || n > FILE_MAX) {
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*size = n;
	return 0;
}

static int do_policy(run *r, const line *ln)
{
	char path[4096];
	char *text = NULL;
	size_t size = 0;
	refund_policy *p = NULL;
	snapshot none;
	int rc;

	memset(&none, 0, sizeof(none));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->dir, ln->pos[0]) >= sizeof(path) ||
	    read_text(path, &text, &size) != 0)
		return fail_at(r, "cannot read policy file '%s'", path);
	rc = refund_policy_parse(r->f->engine, &p, text, size);
	free(text);
	if (rc == 0)
		rc = refund_policy_publish(p, ln->actor, ln->role);
	refund_policy_free(p);
	return check_outcome(r, ln, rc, NULL, NULL, &none);
}

static int do_deposit(run *r, const line *ln)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	const char *end = option_value(ln, "end");
	snapshot before;
	int rc;

	info.id = ln->pos[0];
	info.currency = ln->pos[2];
	if (amount_of(r, info.currency, ln->pos[1], &info.amount) != 0)
		return -1;
	info.holder = option_value(ln, "holder");
	info.agent = option_value(ln, "agent");
	info.terminal_serial = option_value(ln, "terminal");
	info.contract_id = option_value(ln, "contract");
	info.receipt = option_value(ln, "receipt");
	info.paid_at = time_of(option_value(ln, "paid"));
	if (end)
		info.contract_end = time_of(end);
	take_snapshot(r, NULL, info.id, &before);
	rc = refund_deposit_create(r->f->engine, NULL, &info, ln->actor, ln->role);
	return check_outcome(r, ln, rc, NULL, info.id, &before);
}

static int do_usage(run *r, const line *ln)
{
	refund_deposit *d = NULL;
	snapshot before;
	int64_t volume = 0;
	int rc = refund_deposit_load(r->f->engine, &d, ln->pos[0]);

	if (rc)
		return fail_at(r, "no deposit '%s': %s", ln->pos[0], code_name(rc));
	if (amount_of(r, refund_deposit_currency(d), ln->pos[2], &volume) != 0) {
		refund_deposit_free(d);
		return -1;
	}
	take_snapshot(r, NULL, ln->pos[0], &before);
	rc = refund_deposit_set_usage(d, count_of(ln->pos[1]), volume, ln->actor, ln->role);
	refund_deposit_free(d);
	return check_outcome(r, ln, rc, NULL, ln->pos[0], &before);
}

/* ---- case actions ---- */

static int do_open(run *r, const line *ln)
{
	refund_act act = act_of(ln);
	const char *version = option_value(ln, "version");
	snapshot before;
	int rc;

	take_snapshot(r, ln->pos[0], ln->pos[1], &before);
	rc = refund_case_open(r->f->engine, NULL, ln->pos[0], ln->pos[1], ln->pos[2],
			version ? (uint32_t)count_of(version) : 0,
			index_of(reason_names, COUNT(reason_names), ln->pos[3]), &act);
	return check_outcome(r, ln, rc, ln->pos[0], ln->pos[1], &before);
}

/* The currency of a case's amounts: its deposit's. */
static int case_amount(run *r, refund_case *c, const char *text, int64_t *out)
{
	refund_deposit *d = NULL;
	int rc = refund_deposit_load(r->f->engine, &d, refund_case_deposit_id(c));

	if (rc)
		return fail_at(r, "cannot load deposit %s: %s", refund_case_deposit_id(c),
				code_name(rc));
	rc = amount_of(r, refund_deposit_currency(d), text, out);
	refund_deposit_free(d);
	return rc;
}

/* Takes the line's action on a loaded case; -1 for a runner error, else 0 with *rc set. */
static int act_on(run *r, const line *ln, refund_case *c, int *rc)
{
	refund_act act = act_of(ln);
	refund_account account = REFUND_ACCOUNT_INIT;
	const char *name = ln->cmd->name;
	const char *const *p = ln->pos;
	int64_t amount = 0;
	uint32_t mask = 0;

	if (strcmp(name, "attach") == 0) {
		*rc = refund_case_attach(c, &act, index_of(evidence_names, COUNT(evidence_names),
				p[1]), p[2]);
	} else if (strcmp(name, "submit") == 0) {
		account.method = index_of(method_names, COUNT(method_names), p[1]);
		account.name = p[2];
		account.number = p[3];
		account.bank = option_value(ln, "bank");
		*rc = refund_case_submit(c, &act, &account);
	} else if (strcmp(name, "start_review") == 0) {
		*rc = refund_case_start_review(c, &act);
	} else if (strcmp(name, "request_documents") == 0) {
		(void)parse_list(p[1], evidence_bit, &mask);
		*rc = refund_case_request_documents(c, &act, mask);
	} else if (strcmp(name, "provide_documents") == 0) {
		*rc = refund_case_provide_documents(c, &act);
	} else if (strcmp(name, "approve") == 0 || strcmp(name, "set_offset") == 0) {
		if (case_amount(r, c, p[1], &amount) != 0)
			return -1;
		*rc = name[0] == 'a' ? refund_case_approve(c, &act, amount)
				: refund_case_set_offset(c, &act, amount);
	} else if (strcmp(name, "reject") == 0) {
		*rc = refund_case_reject(c, &act, index_of(reject_names, COUNT(reject_names), p[1]),
				p[2]);
	} else if (strcmp(name, "appeal") == 0) {
		*rc = refund_case_appeal(c, &act);
	} else if (strcmp(name, "receive_device") == 0) {
		*rc = refund_case_receive_device(c, &act, p[1]);
	} else if (strcmp(name, "inspect") == 0) {
		*rc = refund_case_inspect(c, &act, index_of(grade_names, COUNT(grade_names), p[1]),
				(int)count_of(p[2]));
	} else if (strcmp(name, "offer") == 0) {
		*rc = refund_case_offer(c, &act, (int)count_of(p[1]));
	} else if (strcmp(name, "accept") == 0) {
		*rc = refund_case_accept(c, &act);
	} else if (strcmp(name, "pay") == 0) {
		*rc = refund_case_pay(c, &act, (int)count_of(p[1]), p[2]);
	} else if (strcmp(name, "pay_failed") == 0) {
		*rc = refund_case_pay_failed(c, &act, (int)count_of(p[1]), p[2]);
	} else if (strcmp(name, "confirm") == 0) {
		*rc = refund_case_confirm(c, &act);
	} else if (strcmp(name, "withdraw") == 0) {
		*rc = refund_case_withdraw(c, &act);
	} else if (strcmp(name, "escalate") == 0) {
		*rc = refund_case_escalate(c, &act, party_of(p[1]));
	} else {  /* reevaluate: the table has no other case action */
		*rc = refund_case_reevaluate(c, &act, (uint32_t)count_of(p[1]));
	}
	return 0;
}

static int do_case_action(run *r, const line *ln)
{
	refund_case *c = NULL;
	snapshot before;
	int rc = refund_case_load(r->f->engine, &c, ln->pos[0]);

	take_snapshot(r, ln->pos[0], NULL, &before);
	if (rc == 0 && act_on(r, ln, c, &rc) != 0) {
		refund_case_free(c);
		return -1;
	}
	refund_case_free(c);
	return check_outcome(r, ln, rc, ln->pos[0], NULL, &before);
}

/* ---- time ---- */

static int check_tick_count(run *r, const line *ln, const char *key, size_t got)
{
	const char *want = option_value(ln, key);

	if (want && (long long)got != count_of(want))
		return fail_at(r, "tick sent %zu %s, expected %s", got, key, want);
	return 0;
}

static int do_tick(run *r, const line *ln)
{
	refund_tick_result res;
	int rc;

	memset(&res, 0, sizeof(res));
	res.version = REFUND_TICK_RESULT_VERSION;
	rc = refund_engine_tick(r->f->engine, time_of(ln->pos[0]), 0, &res);
	if (rc)
		return fail_at(r, "tick returned %s (%s)", code_name(rc), errmsg(r));
	if (check_tick_count(r, ln, "reminders", res.reminders) != 0 ||
	    check_tick_count(r, ln, "consequences", res.consequences) != 0)
		return -1;
	return 0;
}

/* ---- checks ---- */

static int count_event(void *ctx, const refund_event *ev)
{
	(void)ev;
	++*(long long *)ctx;
	return 0;
}

static int expect_quote_field(run *r, refund_case *c, const char *field, const char *want)
{
	refund_quote q;
	char a[REFUND_MONEY_FORMAT_MAX], b[REFUND_MONEY_FORMAT_MAX];
	int64_t got, expected = -1;
	int rc;

	memset(&q, 0, sizeof(q));
	q.version = REFUND_QUOTE_VERSION;
	if ((rc = refund_case_quote(c, &q)) != 0)
		return fail_at(r, "quote of case %s: %s (%s)", refund_case_id(c), code_name(rc),
				errmsg(r));
	if (strcmp(field, "tier") == 0) {
		long long bp = 0;

		(void)parse_percent(want, &bp);
		if (q.tier_bp != bp)
			return fail_at(r, "case %s tier is %d.%02d%%, expected %s", refund_case_id(c),
					(int)(q.tier_bp / 100), (int)(q.tier_bp % 100), want);
		return 0;
	}
	got = strcmp(field, "remaining") == 0 ? q.remaining
		: strcmp(field, "gross") == 0 ? q.gross
		: strcmp(field, "forfeited") == 0 ? q.forfeited
		: strcmp(field, "damage") == 0 ? q.damage
		: strcmp(field, "missing_parts") == 0 ? q.missing_parts
		: strcmp(field, "fee") == 0 ? q.fee
		: strcmp(field, "offset") == 0 ? q.offset
		: strcmp(field, "net") == 0 ? q.net : q.approved;
	if (!(strcmp(field, "approved") == 0 && strcmp(want, "none") == 0) &&
	    amount_of(r, q.currency, want, &expected) != 0)
		return -1;
	if (got != expected)
		return fail_at(r, "case %s %s is %s, expected %s", refund_case_id(c), field,
				got == -1 && strcmp(field, "approved") == 0 ? "none"
				: money_text(r, q.currency, got, a),
				expected == -1 ? "none" : money_text(r, q.currency, expected, b));
	return 0;
}

static int expect_case(run *r, const line *ln, refund_case *c)
{
	const char *id = ln->pos[1], *what = ln->pos[2];
	refund_part part;
	long long n = 0, want;
	uint32_t mask = 0;
	uint64_t bad = 0;
	int rc;

	if (strcmp(what, "state") == 0) {
		if (refund_case_state(c) != state_of(ln->pos[3]))
			return fail_at(r, "case %s is %s, expected %s", id,
					refund_case_state_name(refund_case_state(c)), ln->pos[3]);
	} else if (strcmp(what, "parts") == 0) {
		if (refund_case_part_count(c) != count_of(ln->pos[3]))
			return fail_at(r, "case %s has %d parts, expected %s", id,
					refund_case_part_count(c), ln->pos[3]);
	} else if (strcmp(what, "part") == 0) {
		memset(&part, 0, sizeof(part));
		part.version = REFUND_PART_VERSION;
		if ((rc = refund_case_part(c, (int)count_of(ln->pos[3]), &part)) != 0)
			return fail_at(r, "case %s part %s: %s", id, ln->pos[3], code_name(rc));
		if (part.status != index_of(part_status_names, COUNT(part_status_names), ln->pos[4]))
			return fail_at(r, "case %s part %s is %s, expected %s", id, ln->pos[3],
					part.status > 0 && part.status < (int)COUNT(part_status_names)
					? part_status_names[part.status] : "?", ln->pos[4]);
	} else if (strcmp(what, "escalated") == 0) {
		(void)parse_parties(ln->pos[3], &mask);
		if (refund_case_escalations(c) != mask)
			return fail_at(r, "case %s escalations are 0x%X, expected %s (0x%X)", id,
					(unsigned)refund_case_escalations(c), ln->pos[3], (unsigned)mask);
	} else if (strcmp(what, "events") == 0) {
		want = count_of(ln->pos[3]);
		if ((rc = refund_case_events(c, count_event, &n)) != 0)
			return fail_at(r, "events of case %s: %s (%s)", id, code_name(rc), errmsg(r));
		if (n != want)
			return fail_at(r, "case %s has %lld events, expected %lld", id, n, want);
	} else if (strcmp(what, "verified") == 0) {
		if ((rc = refund_case_verify(c, &bad)) != 0)
			return fail_at(r, "case %s does not verify: %s at event %llu (%s)", id,
					code_name(rc), (unsigned long long)bad, errmsg(r));
	} else {
		return expect_quote_field(r, c, what, ln->pos[3]);
	}
	return 0;
}

static int expect_balance(run *r, const line *ln, refund_deposit *d)
{
	static const char *const fields[] = { "held", "refunded", "deducted", "remaining" };
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	char a[REFUND_MONEY_FORMAT_MAX], c[REFUND_MONEY_FORMAT_MAX];
	int64_t got[4], want;
	size_t i;

	(void)refund_deposit_balance(d, &b);
	got[0] = b.held;
	got[1] = b.refunded;
	got[2] = b.deducted;
	got[3] = b.remaining;
	for (i = 0; i < COUNT(fields); i++) {
		const char *text = option_value(ln, fields[i]);

		if (!text)
			continue;
		if (amount_of(r, refund_deposit_currency(d), text, &want) != 0)
			return -1;
		if (got[i] != want)
			return fail_at(r, "deposit %s %s is %s, expected %s", ln->pos[1], fields[i],
					money_text(r, refund_deposit_currency(d), got[i], a),
					money_text(r, refund_deposit_currency(d), want, c));
	}
	return 0;
}

static int expect_deposit(run *r, const line *ln)
{
	refund_deposit *d = NULL;
	int rc = refund_deposit_load(r->f->engine, &d, ln->pos[1]);

	if (rc)
		return fail_at(r, "no deposit '%s': %s", ln->pos[1], code_name(rc));
	if (ln->npos == 2) {
		rc = expect_balance(r, ln, d);
	} else if ((long long)refund_deposit_entry_count(d) != count_of(ln->pos[3])) {
		rc = fail_at(r, "deposit %s has %zu entries, expected %s", ln->pos[1],
				refund_deposit_entry_count(d), ln->pos[3]);
	}
	refund_deposit_free(d);
	return rc;
}

static int do_expect(run *r, const line *ln)
{
	refund_case *c = NULL;
	int rc;

	if (strcmp(ln->pos[0], "deposit") == 0)
		return expect_deposit(r, ln);
	if ((rc = refund_case_load(r->f->engine, &c, ln->pos[1])) != 0)
		return fail_at(r, "no case '%s': %s", ln->pos[1], code_name(rc));
	rc = expect_case(r, ln, c);
	refund_case_free(c);
	return rc;
}

/* ---- files ---- */

/* Reads and checks every line of a file; *lines[i] is line i + 1. */
static int load_file(run *r, const char *path, char **text, line **lines, int *nlines)
{
	size_t size = 0;
	char *s, *nl;
	int cap = 0;

	*lines = NULL;
	*nlines = 0;
	if (read_text(path, text, &size) != 0)
		return fail_at(r, "cannot read the file");
	if (strlen(*text) != size)
		return fail_at(r, "the file holds a NUL byte");
	for (s = *text; *s || s == *text; s = nl + 1) {
		size_t len;

		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		len = strlen(s);
		if (len && s[len - 1] == '\r')
			s[len - 1] = '\0';
		if (*nlines == cap) {
			line *grown;

			cap = cap ? 2 * cap : 64;
			if (!(grown = realloc(*lines, (size_t)cap * sizeof(**lines))))
				return fail_at(r, "out of memory");
			*lines = grown;
		}
		r->lineno = *nlines + 1;
		if (check_line(r, s, &(*lines)[(*nlines)++]) != 0)
			return -1;
		if (!nl)
			break;
	}
	return 0;
}

/* Runs one file; 0, or -1 with r->err and r->failed_line set. */
static int run_file(run *r, const char *path)
{
	char *text = NULL;
	line *lines = NULL;
	int nlines = 0, i, rc, ran = 0;

	rc = load_file(r, path, &text, &lines, &nlines);
	if (rc == 0) {
		r->f = fixture_new();
		for (i = 0; rc == 0 && i < nlines; i++) {
			if (!lines[i].cmd)
				continue;
			r->lineno = lines[i].no;
			rc = lines[i].cmd->run(r, &lines[i]);
			ran++;
		}
		fixture_free(r->f);
		r->f = NULL;
		if (rc == 0 && ran == 0) {
			r->lineno = 1;
			rc = fail_at(r, "the file has no commands");
		}
	}
	free(lines);
	free(text);
	return rc;
}

typedef struct scenario {
	char dir[4096];
	char name[256];
	int refuse;
} scenario;

/* "# refused at line N: TEXT" on a refused file's first line. */
static int refusal_of(const char *path, int *line_no, char *text, size_t size)
{
	FILE *fp = fopen(path, "rb");
	char first[512];
	int consumed = 0;
	size_t len;

	if (!fp)
		return -1;
	if (!fgets(first, sizeof(first), fp)) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	first[strcspn(first, "\r\n")] = '\0';
	if (sscanf(first, "# refused at line %d: %n", line_no, &consumed) != 1 || consumed == 0)
		return -1;
	len = strlen(first + consumed);
	if (len == 0 || len >= size)
		return -1;
	memcpy(text, first + consumed, len + 1);
	return 0;
}

static void test_scenario(void **state)
{
	const scenario *s = *state;
	char path[4608], want[512];
	run r;
	int want_line = 0, rc;

	memset(&r, 0, sizeof(r));
	r.dir = s->dir;
	r.file = s->name;
	(void)snprintf(path, sizeof(path), "%s/%s", s->dir, s->name);
	if (s->refuse && refusal_of(path, &want_line, want, sizeof(want)) != 0)
		fail_msg("%s:1: a refused scenario starts with '# refused at line N: TEXT'",
				s->name);
	rc = run_file(&r, path);
	if (!s->refuse) {
		if (rc != 0)
			fail_msg("%s", r.err);
		return;
	}
	if (rc == 0)
		fail_msg("%s: the runner accepted it; expected a refusal at line %d: %s", s->name,
				want_line, want);
	if (r.failed_line != want_line || !strstr(r.err, want))
		fail_msg("%s: refused as \"%s\", expected line %d and \"%s\"", s->name, r.err,
				want_line, want);
	print_message("refused as expected: %s\n", r.err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const scenario *)a)->name, ((const scenario *)b)->name);
}

/* Every *.scn in dir, sorted by name. */
static scenario *find_scenarios(const char *dir, int refuse, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	scenario *list = NULL;
	size_t n = 0, cap = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((ent = readdir(d)) != NULL) {
		size_t len = strlen(ent->d_name);

		if (len <= 4 || strcmp(ent->d_name + len - 4, ".scn") != 0 ||
		    len >= sizeof(list->name) || strlen(dir) >= sizeof(list->dir))
			continue;
		if (n == cap) {
			scenario *grown = realloc(list, (cap = cap ? 2 * cap : 32) * sizeof(*list));

			if (!grown)
				break;
			list = grown;
		}
		memset(&list[n], 0, sizeof(list[n]));
		memcpy(list[n].dir, dir, strlen(dir) + 1);
		memcpy(list[n].name, ent->d_name, len + 1);
		list[n++].refuse = refuse;
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof(*list), by_name);
	*count = n;
	return list;
}

int main(int argc, char **argv)
{
	int refuse = argc == 3 && strcmp(argv[1], "--refuse") == 0;
	const char *dir = refuse ? argv[2] : argc == 2 ? argv[1] : NULL;
	struct CMUnitTest *tests;
	scenario *list;
	size_t n = 0, i;
	int failed;

	if (!dir) {
		fprintf(stderr, "usage: %s [--refuse] DIR\n", argv[0]);
		return 2;
	}
	list = find_scenarios(dir, refuse, &n);
	if (n == 0) {
		/* A runner that finds nothing must not pass. */
		fprintf(stderr, "%s: no *.scn files in %s\n", argv[0], dir);
		free(list);
		return 1;
	}
	tests = calloc(n, sizeof(*tests));
	if (!tests) {
		free(list);
		return 1;
	}
	for (i = 0; i < n; i++) {
		tests[i].name = list[i].name;
		tests[i].test_func = test_scenario;
		tests[i].initial_state = &list[i];
	}
	failed = _cmocka_run_group_tests(refuse ? "refused scenarios" : "scenarios", tests, n,
			NULL, NULL);
	free(tests);
	free(list);
	return failed;
}
