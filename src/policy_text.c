/*
 * Policies as text: a line-oriented format people write and review
 * (docs/policies/README.md).  The parser builds its draft through the public
 * setters, so every rule is validated once, in policy.c; the writer puts
 * every rule in one fixed order, so parse(format(p)) formats byte for byte
 * the same.
 *
 * The input is hostile: every read is bounded by its size, each line is
 * checked (UTF-8, no control bytes) before it is split into tokens, tokens
 * are copied only into bounded buffers, and numbers are range-checked digit
 * by digit.
 */
#include "policy.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <refund/money.h>

#include "text.h"
#include "utf8.h"

#define QUOTE_MAX 40        /* bytes of a token quoted in a message */
#define DETAIL_MAX 400      /* a message before its line and column */
#define MONEY_TEXT_MAX 40   /* longest amount token read */
#define RULES_MAX 16        /* room for the keywords of rules[] */

/* ---- names ---- */

typedef struct name_value {
	const char *name;
	int value;
} name_value;

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

static const name_value evidence_names[] = {
	{ "receipt", REFUND_EVIDENCE_RECEIPT },
	{ "contract", REFUND_EVIDENCE_CONTRACT },
	{ "payment_record", REFUND_EVIDENCE_PAYMENT_RECORD },
	{ "fault_report", REFUND_EVIDENCE_FAULT_REPORT },
	{ "transaction_records", REFUND_EVIDENCE_TRANSACTION_RECORDS },
	{ "service_evaluation", REFUND_EVIDENCE_SERVICE_EVALUATION },
	{ "government_document", REFUND_EVIDENCE_GOVERNMENT_DOCUMENT },
	{ "police_report", REFUND_EVIDENCE_POLICE_REPORT },
	{ "other", REFUND_EVIDENCE_OTHER },
};

static const name_value reason_names[] = {
	{ "device_fault", REFUND_REASON_DEVICE_FAULT },
	{ "transaction_dispute", REFUND_REASON_TRANSACTION_DISPUTE },
	{ "service", REFUND_REASON_SERVICE },
	{ "policy_change", REFUND_REASON_POLICY_CHANGE },
	{ "needs_changed", REFUND_REASON_NEEDS_CHANGED },
	{ "fraud", REFUND_REASON_FRAUD },
};

static const name_value anchor_names[] = {
	{ "contract_end", REFUND_WINDOW_CONTRACT_END },
	{ "payment", REFUND_WINDOW_PAYMENT },
};

static const name_value grade_names[] = {
	{ "damaged", REFUND_GRADE_DAMAGED },
	{ "not_returned", REFUND_GRADE_NOT_RETURNED },
};

static const name_value consequence_names[] = {
	{ "remind", REFUND_ON_DUE_REMIND },
	{ "escalate", REFUND_ON_DUE_ESCALATE },
	{ "expire", REFUND_ON_DUE_EXPIRE },
	{ "approve", REFUND_ON_DUE_APPROVE },
	{ "close", REFUND_ON_DUE_CLOSE },
};

static const name_value party_names[] = {
	{ "regulator", REFUND_PARTY_REGULATOR },
	{ "consumer_association", REFUND_PARTY_CONSUMER_ASSOCIATION },
	{ "legal", REFUND_PARTY_LEGAL },
};

/* Reminder units, largest first: the writer uses the largest that divides. */
static const name_value duration_units[] = {
	{ "week", 7 * 86400 },
	{ "day", 86400 },
	{ "hour", 3600 },
	{ "minute", 60 },
	{ "second", 1 },
};

static const char *name_of(const name_value *table, size_t n, int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i].value == value)
			return table[i].name;
	return NULL;
}

/* ---- the parser's state, positions and messages ---- */

typedef struct token {
	size_t start;   /* offset of its first byte in the text */
	size_t len;     /* bytes, quotes included */
	int quoted;
} token;

typedef struct parser {
	refund_engine *e;
	const char *text;
	size_t size;
	unsigned long line;     /* 1-based number of the current line */
	size_t line_start;      /* offset of the current line */
	size_t line_end;        /* offset of its end, before any CR LF */
	size_t pos;             /* the tokenizer's cursor in the line */
	refund_policy *p;       /* the draft, made at the currency line */
	char id[REFUND_POLICY_ID_MAX + 1];
	unsigned long id_line, id_column;
	/* The line each rule was first given on; 0: not yet. */
	unsigned long seen[RULES_MAX];
	unsigned long seen_common;
	unsigned long seen_reason[REFUND_REASON_COUNT];
	unsigned long seen_grade[REFUND_GRADE_COUNT];
	unsigned long seen_missing_part;
	unsigned long seen_deadline[REFUND_STATE_COUNT];
} parser;

/* What a position should have held, for "expected ..." messages. */
typedef struct what {
	const char *en;
	const char *zh;
} what;

static const what W_POLICY_ID = {
	"a policy id after 'policy' (1 to 48 characters)",
	"“policy”后的政策编号（1 至 48 个字符）" };
static const what W_POLICY_FIRST = {
	"'policy <id>' as the first rule", "第一条规则为“policy <编号>”" };
static const what W_CURRENCY = {
	"a currency code of three capital letters such as CNY",
	"由三个大写字母组成的币种代码，例如 CNY" };
static const what W_CURRENCY_SECOND = {
	"'currency <code>' right after the policy line", "政策行之后紧接“currency <代码>”" };
static const what W_WINDOW = {
	"'none' or a number of days after 'window'", "“window”后应为“none”或天数" };
static const what W_DAYS = { "'days'", "“days”" };
static const what W_AFTER = { "'after'", "“after”" };
static const what W_ANCHOR = {
	"'contract_end' or 'payment'", "“contract_end”或“payment”" };
static const what W_TIER_DAYS = {
	"the tier's minimum days in service", "档位的最少使用天数" };
static const what W_TIER_VOLUME = {
	"'->' or the tier's minimum volume followed by 'volume'",
	"“->”或档位的最低交易额（后跟“volume”）" };
static const what W_VOLUME = { "'volume'", "“volume”" };
static const what W_ARROW = { "'->'", "“->”" };
static const what W_PERCENT = {
	"a percentage such as 50% or 12.5%, or basis points such as 1250bp",
	"百分比（例如 50% 或 12.5%）或基点（例如 1250bp）" };
static const what W_EVIDENCE_KEY = {
	"'all:' or a reason followed by ':' (device_fault:, transaction_dispute:, service:, "
	"policy_change:, needs_changed:, fraud:)",
	"“all:”或退款原因加“:”（device_fault:、transaction_dispute:、service:、"
	"policy_change:、needs_changed:、fraud:）" };
static const what W_EVIDENCE_KIND = {
	"'none' or kinds of evidence (receipt, contract, payment_record, fault_report, "
	"transaction_records, service_evaluation, government_document, police_report, other)",
	"“none”或证明材料种类（receipt、contract、payment_record、fault_report、"
	"transaction_records、service_evaluation、government_document、police_report、other）" };
static const what W_RETURN = {
	"'required' or 'not_required' after 'return'",
	"“return”后应为“required”或“not_required”" };
static const what W_DEDUCT = {
	"'damaged', 'not_returned' or 'missing_part' after 'deduct'",
	"“deduct”后应为“damaged”、“not_returned”或“missing_part”" };
static const what W_FEE_TERM = {
	"'none', a fixed fee or a percentage", "“none”、固定手续费或百分比" };
static const what W_FEE_MIN = { "the lowest fee after 'min'", "“min”后的最低手续费" };
static const what W_MISSING_PART = {
	"the deduction for each missing part", "每个缺失配件的扣款" };
static const what W_THRESHOLD = {
	"the four-eyes threshold after 'above'", "“above”后的双人复核门槛" };
static const what W_FEE_MORE = {
	"'+', 'min', 'max' or the end of the line", "“+”、“min”、“max”或行尾" };
static const what W_FEE_CAP = {
	"'none' or the highest fee", "“none”或手续费上限" };
static const what W_OFFSETS = {
	"'allowed' or 'not_allowed' after 'offsets'",
	"“offsets”后应为“allowed”或“not_allowed”" };
static const what W_PARTS = {
	"'none' or the most installments after 'installments'",
	"“installments”后应为“none”或最多分期数" };
static const what W_EVERY = { "'every' or the end of the line", "“every”或行尾" };
static const what W_MONTHS_COUNT = { "a number of months", "月数" };
static const what W_MONTHS = { "'months'", "“months”" };
static const what W_STATE = {
	"a case state such as under_review", "案件状态，例如 under_review" };
static const what W_DEADLINE_AMOUNT = { "a number of days", "天数" };
static const what W_DAY_UNIT = {
	"'days', 'calendar days' or 'business days'",
	"“days”、“calendar days”或“business days”" };
static const what W_IN = { "'in' and a calendar name", "“in”和日历名称" };
static const what W_CALENDAR = {
	"a calendar name such as CN (1 to 32 characters)", "日历名称，例如 CN（1 至 32 个字符）" };
static const what W_THEN = { "'then' and a consequence", "“then”和到期后果" };
static const what W_CONSEQUENCE = {
	"a consequence (remind, escalate, expire, approve or close)",
	"到期后果（remind、escalate、expire、approve 或 close）" };
static const what W_REMIND = { "'remind' or the end of the line", "“remind”或行尾" };
static const what W_REMINDER = {
	"a reminder: a number and a unit such as '1 day'", "提醒时间：数字加单位，例如“1 day”" };
static const what W_REMINDER_UNIT = {
	"a unit (seconds, minutes, hours, days or weeks)",
	"时间单位（seconds、minutes、hours、days 或 weeks）" };
static const what W_BEFORE = {
	"',' and another reminder, or 'before'", "“,”和下一个提醒，或“before”" };
static const what W_FOUR_EYES = {
	"'off' or 'above' and an amount after 'four_eyes'",
	"“four_eyes”后应为“off”或“above”加金额" };
static const what W_ESCALATE = {
	"'none' or 'to' and parties after 'escalate'", "“escalate”后应为“none”或“to”加升级对象" };
static const what W_PARTY = {
	"a party (regulator, consumer_association or legal)",
	"升级对象（regulator、consumer_association 或 legal）" };
static const what W_END = { "the end of the line", "行尾" };

/* Column (1-based, in characters) of byte `at` of the current line. */
static unsigned long column_of(const parser *ps, size_t at)
{
	unsigned long column = 1;
	size_t i;

	for (i = ps->line_start; i < at; i++)
		if (((unsigned char)ps->text[i] & 0xC0) != 0x80)
			column++;
	return column;
}

static int fail_pos(parser *ps, unsigned long line, unsigned long column, int code,
		const char *en, const char *zh, ...) REFUND_PRINTF(5, 7) REFUND_PRINTF(6, 7);

/* Describe a failure at a line and column, then return code. */
static int fail_pos(parser *ps, unsigned long line, unsigned long column, int code,
		const char *en, const char *zh, ...)
{
	char detail[DETAIL_MAX];
	va_list ap;

	va_start(ap, zh);
	(void)vsnprintf(detail, sizeof(detail), ps->e->lang == REFUND_LANG_ZH_CN ? zh : en, ap);
	va_end(ap);
	return refund__fail(ps->e, code, "line %lu, column %lu: %s", "第 %lu 行第 %lu 列：%s",
			line, column, detail);
}

#define fail_at(ps, at, code, ...) \
	fail_pos((ps), (ps)->line, column_of((ps), (at)), (code), __VA_ARGS__)

static const char *lang_text(const parser *ps, const what *w)
{
	return ps->e->lang == REFUND_LANG_ZH_CN ? w->zh : w->en;
}

/*
 * How many bytes of s[0..n) to quote in a message: whole UTF-8 sequences
 * (lines are checked before they are tokenized), at most QUOTE_MAX bytes.
 */
static int quote_len(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		len = refund__utf8_sequence((const unsigned char *)s + i, n - i);
		if (len == 0 || i + len > QUOTE_MAX)
			break;
		i += len;
	}
	return (int)i;
}

static const char *quote_more(const char *s, size_t n)
{
	return (size_t)quote_len(s, n) < n ? "..." : "";
}

#define TOKEN_ARGS(ps, t) quote_len((ps)->text + (t)->start, (t)->len), \
	(ps)->text + (t)->start, quote_more((ps)->text + (t)->start, (t)->len)

/* "expected <w>" at token t, or where the line ends if t is NULL. */
static int expected(parser *ps, const token *t, const what *w)
{
	if (!t)
		return fail_at(ps, ps->pos, REFUND_EPARSE, "expected %s", "应为%s",
				lang_text(ps, w));
	return fail_at(ps, t->start, REFUND_EPARSE, "expected %s, not '%.*s%s'",
			"应为%s，而非“%.*s%s”", lang_text(ps, w), TOKEN_ARGS(ps, t));
}

/* A setter's refusal, placed at the line and column it came from. */
static int refused_pos(parser *ps, unsigned long line, unsigned long column, int rc)
{
	char message[REFUND_ERRMSG_SIZE];

	if (rc == REFUND_ENOMEM)
		return refund__fail_code(ps->e, rc);
	memcpy(message, ps->e->errmsg, sizeof(message));
	message[sizeof(message) - 1] = '\0';
	return fail_pos(ps, line, column, rc == REFUND_EINVAL ? REFUND_EPARSE : rc, "%s", "%s",
			message);
}

static int refused(parser *ps, const token *t, int rc)
{
	return refused_pos(ps, ps->line, column_of(ps, t->start), rc);
}

/* ---- lines and tokens ---- */

/* Refuse NUL and other control bytes, stray CRs and invalid UTF-8. */
static int check_line(parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->text;
	size_t i = ps->line_start, n;

	while (i < ps->line_end) {
		if (s[i] == '\0')
			return fail_at(ps, i, REFUND_EPARSE, "a NUL byte is not allowed",
					"不允许 NUL 字节");
		if (s[i] == '\r')
			return fail_at(ps, i, REFUND_EPARSE,
					"a carriage return is allowed only right before a line feed",
					"回车符只能紧接在换行符之前");
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)
			return fail_at(ps, i, REFUND_EPARSE,
					"control character 0x%02X is not allowed",
					"不允许控制字符 0x%02X", (unsigned int)s[i]);
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = refund__utf8_sequence(s + i, ps->line_end - i);
		if (n == 0)
			return fail_at(ps, i, REFUND_EPARSE, "invalid UTF-8", "UTF-8 编码无效");
		i += n;
	}
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The end of the quoted token that starts at i (its opening quote). */
static int scan_quoted(parser *ps, size_t i, size_t *end)
{
	const char *s = ps->text;
	size_t start = i;

	for (i++; i < ps->line_end && s[i] != '"'; i++) {
		if (s[i] != '\\')
			continue;
		if (i + 1 >= ps->line_end || (s[i + 1] != '"' && s[i + 1] != '\\'))
			return fail_at(ps, i, REFUND_EPARSE,
					"in quotes only \\\" and \\\\ are escapes",
					"引号内只有 \\\" 和 \\\\ 两种转义");
		i++;
	}
	if (i >= ps->line_end)
		return fail_at(ps, start, REFUND_EPARSE, "this quoted text has no closing '\"'",
				"引号内的文字缺少结尾的“\"”");
	i++;
	if (i < ps->line_end && !is_blank(s[i]))
		return fail_at(ps, i, REFUND_EPARSE, "expected a space after the closing '\"'",
				"结尾的“\"”之后应为空格");
	*end = i;
	return 0;
}

/*
 * The next token of the line: 1 and *t, or 0 at the end of the line or of
 * its content before a comment (a '#' that starts a token), or a negative
 * error.  The cursor stays where a missing token was expected.
 */
static int next_token(parser *ps, token *t)
{
	const char *s = ps->text;
	size_t i = ps->pos, end = ps->pos;
	int rc;

	while (i < ps->line_end && is_blank(s[i]))
		i++;
	ps->pos = i;
	if (i == ps->line_end || s[i] == '#')
		return 0;
	t->start = i;
	t->quoted = s[i] == '"';
	if (t->quoted) {
		if ((rc = scan_quoted(ps, i, &end)) != 0)
			return rc;
	} else {
		for (end = i; end < ps->line_end && !is_blank(s[end]); end++)
			;
	}
	t->len = end - i;
	ps->pos = end;
	return 1;
}

/* The next token, which must be there: 0, or "expected <w>". */
static int need(parser *ps, token *t, const what *w)
{
	int rc = next_token(ps, t);

	if (rc < 0)
		return rc;
	return rc == 0 ? expected(ps, NULL, w) : 0;
}

static int expect_end(parser *ps)
{
	token t;
	int rc = next_token(ps, &t);

	if (rc < 0)
		return rc;
	return rc ? expected(ps, &t, &W_END) : 0;
}

static int token_is(const parser *ps, const token *t, const char *word)
{
	size_t n = strlen(word);

	return !t->quoted && t->len == n && memcmp(ps->text + t->start, word, n) == 0;
}

/* The token is `word` or `word` plus "s". */
static int token_is_plural(const parser *ps, const token *t, const char *word)
{
	size_t n = strlen(word);

	return !t->quoted && (t->len == n || (t->len == n + 1 &&
			ps->text[t->start + n] == 's')) && memcmp(ps->text + t->start, word, n) == 0;
}

static int need_word(parser *ps, const char *word, const what *w)
{
	token t;
	int rc = need(ps, &t, w);

	if (rc)
		return rc;
	return token_is(ps, &t, word) ? 0 : expected(ps, &t, w);
}

static int need_plural(parser *ps, const char *word, const what *w)
{
	token t;
	int rc = need(ps, &t, w);

	if (rc)
		return rc;
	return token_is_plural(ps, &t, word) ? 0 : expected(ps, &t, w);
}

/* The entry of table named by the first n bytes of t, or NULL. */
static const name_value *lookup_n(const parser *ps, const token *t, size_t n,
		const name_value *table, size_t count)
{
	size_t i;

	if (t->quoted)
		return NULL;
	for (i = 0; i < count; i++)
		if (strlen(table[i].name) == n && memcmp(ps->text + t->start, table[i].name, n) == 0)
			return &table[i];
	return NULL;
}

static const name_value *lookup(const parser *ps, const token *t, const name_value *table,
		size_t count)
{
	return lookup_n(ps, t, t->len, table, count);
}

/*
 * The token's value into buf (quotes removed, escapes undone), NUL
 * terminated: "expected <w>" if it needs size bytes or more.
 */
static int token_value(parser *ps, const token *t, char *buf, size_t size, const what *w)
{
	const char *s = ps->text + t->start;
	size_t i, n = 0, len = t->len;

	if (t->quoted) {
		s++;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		if (t->quoted && s[i] == '\\')
			i++;  /* the tokenizer checked that an escaped byte follows */
		if (n + 1 >= size)
			return expected(ps, t, w);
		buf[n++] = s[i];
	}
	buf[n] = '\0';
	return 0;
}

/* ---- numbers ---- */

/* s[0..n) as a decimal number up to max (>= 9): 0, -1 not digits, -2 too large. */
static int digits_value(const char *s, size_t n, int64_t max, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	for (i = 0; i < n; i++) {
		int digit = s[i] - '0';

		if (v > (max - digit) / 10)
			return -2;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

static int too_large(parser *ps, const token *t, int64_t max)
{
	return fail_at(ps, t->start, REFUND_EPARSE, "the number '%.*s%s' is too large (at most %"
			PRId64 ")", "数字“%.*s%s”过大（最大 %" PRId64 "）", TOKEN_ARGS(ps, t), max);
}

static int read_number(parser *ps, const token *t, int64_t max, const what *w, int64_t *out)
{
	int rc = digits_value(ps->text + t->start, t->len, max, out);

	if (rc == -2)
		return too_large(ps, t, max);
	return rc ? expected(ps, t, w) : 0;
}

static int need_number(parser *ps, token *t, int64_t max, const what *w, int64_t *out)
{
	int rc = need(ps, t, w);

	return rc ? rc : read_number(ps, t, max, w, out);
}

static int is_percent(const parser *ps, const token *t)
{
	const char *s = ps->text + t->start;

	return !t->quoted && t->len >= 2 && (s[t->len - 1] == '%' ||
			(t->len >= 3 && s[t->len - 2] == 'b' && s[t->len - 1] == 'p'));
}

/* "50%", "12.5%", "12.34%" or "1234bp" as basis points up to INT32_MAX. */
static int read_bp(parser *ps, const token *t, int32_t *bp)
{
	const char *s = ps->text + t->start, *dot;
	int64_t whole = 0, fraction = 0;
	size_t n = t->len, whole_len, fraction_len;
	int rc;

	if (!is_percent(ps, t))
		return expected(ps, t, &W_PERCENT);
	if (s[n - 1] == 'p') {
		rc = digits_value(s, n - 2, INT32_MAX, &whole);
	} else {
		dot = memchr(s, '.', n - 1);
		whole_len = dot ? (size_t)(dot - s) : n - 1;
		fraction_len = dot ? n - 2 - whole_len : 0;
		rc = digits_value(s, whole_len, INT32_MAX / 100, &whole);
		if (rc == 0 && dot)
			rc = fraction_len < 1 || fraction_len > 2 ? -1 :
					digits_value(dot + 1, fraction_len, 99, &fraction);
		if (fraction_len == 1)
			fraction *= 10;
		whole = whole * 100 + fraction;
		if (rc == 0 && whole > INT32_MAX)
			rc = -2;
	}
	if (rc == -2)
		return fail_at(ps, t->start, REFUND_EPARSE,
				"the percentage '%.*s%s' is too large", "百分比“%.*s%s”过大",
				TOKEN_ARGS(ps, t));
	if (rc)
		return expected(ps, t, &W_PERCENT);
	*bp = (int32_t)whole;
	return 0;
}

static int need_bp(parser *ps, token *t, int32_t *bp)
{
	int rc = need(ps, t, &W_PERCENT);

	return rc ? rc : read_bp(ps, t, bp);
}

/* An amount in the policy's currency, as refund_money_parse() reads it. */
static int read_money(parser *ps, const token *t, const what *w, int64_t *out)
{
	char buf[MONEY_TEXT_MAX + 1];
	int rc = REFUND_EPARSE;

	if (!t->quoted && t->len <= MONEY_TEXT_MAX) {
		memcpy(buf, ps->text + t->start, t->len);
		buf[t->len] = '\0';
		rc = refund_money_parse(ps->e, ps->p->currency, buf, 0, out);
	}
	if (rc == REFUND_EOVERFLOW)
		return fail_at(ps, t->start, REFUND_EPARSE, "the amount '%.*s%s' is too large",
				"金额“%.*s%s”过大", TOKEN_ARGS(ps, t));
	if (rc)
		return fail_at(ps, t->start, REFUND_EPARSE,
				"expected %s: an amount in %s such as 12 or 12.50 (no more decimals "
				"than the currency has), not '%.*s%s'",
				"应为%s：以 %s 计的金额，例如 12 或 12.50（小数位数不超过该币种），"
				"而非“%.*s%s”", lang_text(ps, w), ps->p->currency, TOKEN_ARGS(ps, t));
	return 0;
}

static int need_money(parser *ps, token *t, const what *w, int64_t *out)
{
	int rc = need(ps, t, w);

	return rc ? rc : read_money(ps, t, w, out);
}

/* ---- rules ---- */

static int given_twice(parser *ps, const token *at, const char *rule, const char *key,
		unsigned long first)
{
	return fail_at(ps, at->start, REFUND_EPARSE,
			"'%s%s%s' is given twice (first on line %lu)",
			"“%s%s%s”重复出现（首次在第 %lu 行）", rule, key ? " " : "", key ? key : "",
			first);
}

static int parse_policy(parser *ps, const token *kw)
{
	token t;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_POLICY_ID)) != 0 ||
	    (rc = token_value(ps, &t, ps->id, sizeof(ps->id), &W_POLICY_ID)) != 0 ||
	    (rc = expect_end(ps)) != 0)
		return rc;
	ps->id_line = ps->line;
	ps->id_column = column_of(ps, t.start);
	return 0;
}

static int parse_currency(parser *ps, const token *kw)
{
	const char *s;
	char code[4];
	token t;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_CURRENCY)) != 0)
		return rc;
	s = ps->text + t.start;
	if (t.quoted || t.len != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' ||
	    s[2] < 'A' || s[2] > 'Z')
		return expected(ps, &t, &W_CURRENCY);
	if ((rc = expect_end(ps)) != 0)
		return rc;
	memcpy(code, s, 3);
	code[3] = '\0';
	/* The code's shape is checked, so a refused argument is the id. */
	rc = refund_policy_new(ps->e, &ps->p, ps->id, code);
	if (rc == REFUND_EINVAL)
		return refused_pos(ps, ps->id_line, ps->id_column, rc);
	return rc ? refused(ps, &t, rc) : 0;
}

static int parse_window(parser *ps, const token *kw)
{
	const name_value *anchor;
	int64_t days = 0;
	token t, a;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_WINDOW)) != 0)
		return rc;
	if (token_is(ps, &t, "none")) {
		if ((rc = expect_end(ps)) != 0)
			return rc;
		rc = refund_policy_set_window(ps->p, REFUND_WINDOW_NONE, 0);
		return rc ? refused(ps, &t, rc) : 0;
	}
	if ((rc = read_number(ps, &t, INT32_MAX, &W_WINDOW, &days)) != 0 ||
	    (rc = need_plural(ps, "day", &W_DAYS)) != 0 ||
	    (rc = need_word(ps, "after", &W_AFTER)) != 0 ||
	    (rc = need(ps, &a, &W_ANCHOR)) != 0)
		return rc;
	if (!(anchor = lookup(ps, &a, anchor_names, COUNT(anchor_names))))
		return expected(ps, &a, &W_ANCHOR);
	if ((rc = expect_end(ps)) != 0)
		return rc;
	rc = refund_policy_set_window(ps->p, anchor->value, (int32_t)days);
	return rc ? refused(ps, &t, rc) : 0;
}

static int parse_tier(parser *ps, const token *kw)
{
	int64_t days = 0, volume = 0;
	int32_t bp = 0;
	token t, v;
	int rc;

	(void)kw;
	if ((rc = need_number(ps, &t, INT64_MAX, &W_TIER_DAYS, &days)) != 0 ||
	    (rc = need_plural(ps, "day", &W_DAYS)) != 0 ||
	    (rc = need(ps, &v, &W_TIER_VOLUME)) != 0)
		return rc;
	if (!token_is(ps, &v, "->")) {
		if ((rc = read_money(ps, &v, &W_TIER_VOLUME, &volume)) != 0 ||
		    (rc = need_word(ps, "volume", &W_VOLUME)) != 0 ||
		    (rc = need_word(ps, "->", &W_ARROW)) != 0)
			return rc;
	}
	if ((rc = need_bp(ps, &v, &bp)) != 0 || (rc = expect_end(ps)) != 0)
		return rc;
	rc = refund_policy_add_tier(ps->p, days, volume, bp);
	return rc ? refused(ps, &t, rc) : 0;
}

/* Kinds of evidence to the end of the line, or 'none'. */
static int read_evidence_list(parser *ps, uint32_t *mask)
{
	const name_value *kind;
	token t;
	int rc;

	if ((rc = need(ps, &t, &W_EVIDENCE_KIND)) != 0)
		return rc;
	if (token_is(ps, &t, "none"))
		return expect_end(ps);
	do {
		if (!(kind = lookup(ps, &t, evidence_names, COUNT(evidence_names))))
			return expected(ps, &t, &W_EVIDENCE_KIND);
		if (*mask & REFUND_EVIDENCE_BIT(kind->value))
			return fail_at(ps, t.start, REFUND_EPARSE, "'%s' is listed twice",
					"“%s”重复列出", kind->name);
		*mask |= REFUND_EVIDENCE_BIT(kind->value);
	} while ((rc = next_token(ps, &t)) > 0);
	return rc;
}

static int parse_evidence(parser *ps, const token *kw)
{
	const name_value *reason = NULL;
	unsigned long *seen;
	uint32_t mask = 0;
	token key;
	int rc;

	if ((rc = need(ps, &key, &W_EVIDENCE_KEY)) != 0)
		return rc;
	if (key.quoted || key.len < 2 || ps->text[key.start + key.len - 1] != ':')
		return expected(ps, &key, &W_EVIDENCE_KEY);
	if (key.len == 4 && memcmp(ps->text + key.start, "all", 3) == 0) {
		seen = &ps->seen_common;
	} else {
		reason = lookup_n(ps, &key, key.len - 1, reason_names, COUNT(reason_names));
		if (!reason)
			return expected(ps, &key, &W_EVIDENCE_KEY);
		seen = &ps->seen_reason[reason->value];
	}
	if (*seen)
		return given_twice(ps, kw, "evidence", reason ? reason->name : "all", *seen);
	*seen = ps->line;
	if ((rc = read_evidence_list(ps, &mask)) != 0)
		return rc;
	rc = reason ? refund_policy_set_reason_evidence(ps->p, reason->value, mask) :
			refund_policy_set_common_evidence(ps->p, mask);
	return rc ? refused(ps, &key, rc) : 0;
}

static int parse_return(parser *ps, const token *kw)
{
	int required;
	token t;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_RETURN)) != 0)
		return rc;
	if (token_is(ps, &t, "required"))
		required = 1;
	else if (token_is(ps, &t, "not_required"))
		required = 0;
	else
		return expected(ps, &t, &W_RETURN);
	if ((rc = expect_end(ps)) != 0)
		return rc;
	rc = refund_policy_set_return_required(ps->p, required);
	return rc ? refused(ps, &t, rc) : 0;
}

static int parse_deduct(parser *ps, const token *kw)
{
	const name_value *grade;
	int64_t amount = 0;
	int32_t bp = 0;
	token key, t;
	int rc;

	if ((rc = need(ps, &key, &W_DEDUCT)) != 0)
		return rc;
	if (token_is(ps, &key, "missing_part")) {
		if (ps->seen_missing_part)
			return given_twice(ps, kw, "deduct", "missing_part", ps->seen_missing_part);
		ps->seen_missing_part = ps->line;
		if ((rc = need_money(ps, &t, &W_MISSING_PART, &amount)) != 0 ||
		    (rc = expect_end(ps)) != 0)
			return rc;
		rc = refund_policy_set_missing_part_deduction(ps->p, amount);
		return rc ? refused(ps, &t, rc) : 0;
	}
	if (!(grade = lookup(ps, &key, grade_names, COUNT(grade_names))))
		return expected(ps, &key, &W_DEDUCT);
	if (ps->seen_grade[grade->value])
		return given_twice(ps, kw, "deduct", grade->name, ps->seen_grade[grade->value]);
	ps->seen_grade[grade->value] = ps->line;
	if ((rc = need_bp(ps, &t, &bp)) != 0 || (rc = expect_end(ps)) != 0)
		return rc;
	rc = refund_policy_set_grade_deduction(ps->p, grade->value, bp);
	return rc ? refused(ps, &t, rc) : 0;
}

typedef struct fee {
	int64_t fixed, min, cap;
	int32_t bp;
	int have_fixed, have_bp;
} fee;

/* One term of the fee: a fixed amount or a percentage, each at most once. */
static int read_fee_term(parser *ps, const token *t, fee *f)
{
	if (is_percent(ps, t)) {
		if (f->have_bp)
			return fail_at(ps, t->start, REFUND_EPARSE,
					"the fee has a percentage already", "手续费已有百分比部分");
		f->have_bp = 1;
		return read_bp(ps, t, &f->bp);
	}
	if (f->have_fixed)
		return fail_at(ps, t->start, REFUND_EPARSE, "the fee has a fixed part already",
				"手续费已有固定金额部分");
	f->have_fixed = 1;
	return read_money(ps, t, &W_FEE_TERM, &f->fixed);
}

/* After the terms: [min <amount>] [max <amount>|none], then the line's end. */
static int read_fee_bounds(parser *ps, token *t, int more, fee *f)
{
	int rc;

	if (more && token_is(ps, t, "min")) {
		if ((rc = need_money(ps, t, &W_FEE_MIN, &f->min)) != 0)
			return rc;
		if ((more = next_token(ps, t)) < 0)
			return more;
	}
	if (more && token_is(ps, t, "max")) {
		if ((rc = need(ps, t, &W_FEE_CAP)) != 0)
			return rc;
		if (!token_is(ps, t, "none") && (rc = read_money(ps, t, &W_FEE_CAP, &f->cap)) != 0)
			return rc;
		if ((more = next_token(ps, t)) < 0)
			return more;
	}
	return more ? expected(ps, t, &W_FEE_MORE) : 0;
}

static int parse_fee(parser *ps, const token *kw)
{
	fee f = { 0, 0, -1, 0, 0, 0 };
	token first, t;
	int rc, more;

	(void)kw;
	if ((rc = need(ps, &first, &W_FEE_TERM)) != 0)
		return rc;
	if (token_is(ps, &first, "none")) {
		if ((rc = expect_end(ps)) != 0)
			return rc;
	} else {
		t = first;
		for (;;) {
			if ((rc = read_fee_term(ps, &t, &f)) != 0)
				return rc;
			if ((more = next_token(ps, &t)) <= 0 || !token_is(ps, &t, "+"))
				break;
			if ((rc = need(ps, &t, &W_FEE_TERM)) != 0)
				return rc;
		}
		if (more < 0)
			return more;
		if ((rc = read_fee_bounds(ps, &t, more, &f)) != 0)
			return rc;
	}
	rc = refund_policy_set_fee(ps->p, f.fixed, f.bp, f.min, f.cap);
	return rc ? refused(ps, &first, rc) : 0;
}

static int parse_offsets(parser *ps, const token *kw)
{
	int allowed;
	token t;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_OFFSETS)) != 0)
		return rc;
	if (token_is(ps, &t, "allowed"))
		allowed = 1;
	else if (token_is(ps, &t, "not_allowed"))
		allowed = 0;
	else
		return expected(ps, &t, &W_OFFSETS);
	if ((rc = expect_end(ps)) != 0)
		return rc;
	rc = refund_policy_set_offsets(ps->p, allowed);
	return rc ? refused(ps, &t, rc) : 0;
}

static int parse_installments(parser *ps, const token *kw)
{
	int64_t parts = 1, months = 1;
	token t, u;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_PARTS)) != 0)
		return rc;
	if (token_is(ps, &t, "none")) {
		if ((rc = expect_end(ps)) != 0)
			return rc;
	} else {
		if ((rc = read_number(ps, &t, INT32_MAX, &W_PARTS, &parts)) != 0 ||
		    (rc = next_token(ps, &u)) < 0)
			return rc;
		if (rc > 0) {
			if (!token_is(ps, &u, "every"))
				return expected(ps, &u, &W_EVERY);
			if ((rc = need_number(ps, &u, INT32_MAX, &W_MONTHS_COUNT, &months)) != 0 ||
			    (rc = need_plural(ps, "month", &W_MONTHS)) != 0 ||
			    (rc = expect_end(ps)) != 0)
				return rc;
		}
	}
	rc = refund_policy_set_installments(ps->p, (int)parts, (int)months);
	return rc ? refused(ps, &t, rc) : 0;
}

/* A case state by its name (refund_case_state_name()); 0 if none. */
static int state_named(const parser *ps, const token *t)
{
	const char *name;
	int state;

	for (state = 1; state < REFUND_STATE_COUNT; state++) {
		name = refund_case_state_name(state);
		if (name && token_is(ps, t, name))
			return state;
	}
	return 0;
}

/* One reminder: "<n> <unit>" in seconds; *comma if the unit ends with ','. */
static int read_reminder(parser *ps, int64_t *seconds, int *comma)
{
	const name_value *unit = NULL;
	int64_t n = 0;
	size_t len;
	token t, u;
	int rc;

	if ((rc = need_number(ps, &t, INT64_MAX, &W_REMINDER, &n)) != 0 ||
	    (rc = need(ps, &u, &W_REMINDER_UNIT)) != 0)
		return rc;
	len = u.len;
	*comma = len > 1 && ps->text[u.start + len - 1] == ',';
	len -= (size_t)*comma;
	if (len > 1 && ps->text[u.start + len - 1] == 's')
		len--;
	unit = lookup_n(ps, &u, len, duration_units, COUNT(duration_units));
	if (!unit)
		return expected(ps, &u, &W_REMINDER_UNIT);
	if (n > INT64_MAX / unit->value)
		return too_large(ps, &t, INT64_MAX / unit->value);
	*seconds = n * unit->value;
	return 0;
}

/* "remind <n> <unit>[, <n> <unit>]... before" up to the line's end. */
static int read_reminders(parser *ps, int64_t *reminders, size_t *n)
{
	int comma = 0;
	token t;
	int rc;

	for (;;) {
		while (ps->pos < ps->line_end && is_blank(ps->text[ps->pos]))
			ps->pos++;
		if (*n == REFUND_POLICY_MAX_REMINDERS)
			return fail_at(ps, ps->pos, REFUND_EPARSE,
					"at most %d reminders per deadline",
					"每个期限最多 %d 次提醒", REFUND_POLICY_MAX_REMINDERS);
		if ((rc = read_reminder(ps, &reminders[(*n)++], &comma)) != 0)
			return rc;
		if (comma)
			continue;
		if ((rc = need(ps, &t, &W_BEFORE)) != 0)
			return rc;
		if (token_is(ps, &t, "before"))
			return expect_end(ps);
		if (!token_is(ps, &t, ","))
			return expected(ps, &t, &W_BEFORE);
	}
}

/* "[business|calendar] day(s)": the unit of a deadline. */
static int read_day_unit(parser *ps, int *unit)
{
	token t;
	int rc;

	if ((rc = need(ps, &t, &W_DAY_UNIT)) != 0)
		return rc;
	if (token_is_plural(ps, &t, "day")) {
		*unit = REFUND_CALENDAR_DAYS;
		return 0;
	}
	if (token_is(ps, &t, "business"))
		*unit = REFUND_BUSINESS_DAYS;
	else if (token_is(ps, &t, "calendar"))
		*unit = REFUND_CALENDAR_DAYS;
	else
		return expected(ps, &t, &W_DAY_UNIT);
	return need_plural(ps, "day", &W_DAYS);
}

static int parse_deadline(parser *ps, const token *kw)
{
	char calendar[REFUND_CALENDAR_NAME_MAX + 1];
	int64_t reminders[REFUND_POLICY_MAX_REMINDERS];
	const name_value *consequence;
	int64_t amount = 0;
	size_t nreminders = 0;
	token st, t, cal;
	int state, unit = 0, rc;

	if ((rc = need(ps, &st, &W_STATE)) != 0)
		return rc;
	if (!(state = state_named(ps, &st)))
		return expected(ps, &st, &W_STATE);
	if (ps->seen_deadline[state])
		return given_twice(ps, kw, "deadline", refund_case_state_name(state),
				ps->seen_deadline[state]);
	ps->seen_deadline[state] = ps->line;
	if ((rc = need_number(ps, &t, INT32_MAX, &W_DEADLINE_AMOUNT, &amount)) != 0 ||
	    (rc = read_day_unit(ps, &unit)) != 0 ||
	    (rc = need_word(ps, "in", &W_IN)) != 0 ||
	    (rc = need(ps, &cal, &W_CALENDAR)) != 0 ||
	    (rc = token_value(ps, &cal, calendar, sizeof(calendar), &W_CALENDAR)) != 0 ||
	    (rc = need_word(ps, "then", &W_THEN)) != 0 ||
	    (rc = need(ps, &t, &W_CONSEQUENCE)) != 0)
		return rc;
	if (!(consequence = lookup(ps, &t, consequence_names, COUNT(consequence_names))))
		return expected(ps, &t, &W_CONSEQUENCE);
	if ((rc = next_token(ps, &t)) < 0)
		return rc;
	if (rc > 0) {
		if (!token_is(ps, &t, "remind"))
			return expected(ps, &t, &W_REMIND);
		if ((rc = read_reminders(ps, reminders, &nreminders)) != 0)
			return rc;
	}
	rc = refund_policy_set_deadline(ps->p, state, (int32_t)amount, unit, calendar,
			consequence->value, reminders, nreminders);
	return rc ? refused(ps, rc == REFUND_ENOTFOUND ? &cal : &st, rc) : 0;
}

static int parse_four_eyes(parser *ps, const token *kw)
{
	int64_t threshold = -1;
	token t;
	int rc;

	(void)kw;
	if ((rc = need(ps, &t, &W_FOUR_EYES)) != 0)
		return rc;
	if (token_is(ps, &t, "above")) {
		if ((rc = need_money(ps, &t, &W_THRESHOLD, &threshold)) != 0)
			return rc;
	} else if (!token_is(ps, &t, "off")) {
		return expected(ps, &t, &W_FOUR_EYES);
	}
	if ((rc = expect_end(ps)) != 0)
		return rc;
	rc = refund_policy_set_four_eyes(ps->p, threshold);
	return rc ? refused(ps, &t, rc) : 0;
}

static int parse_escalate(parser *ps, const token *kw)
{
	const name_value *party;
	uint32_t parties = 0;
	token t, first;
	int rc;

	(void)kw;
	if ((rc = need(ps, &first, &W_ESCALATE)) != 0)
		return rc;
	if (token_is(ps, &first, "none")) {
		rc = expect_end(ps);
	} else {
		if (!token_is(ps, &first, "to"))
			return expected(ps, &first, &W_ESCALATE);
		if ((rc = need(ps, &t, &W_PARTY)) != 0)
			return rc;
		do {
			if (!(party = lookup(ps, &t, party_names, COUNT(party_names))))
				return expected(ps, &t, &W_PARTY);
			if (parties & (uint32_t)party->value)
				return fail_at(ps, t.start, REFUND_EPARSE, "'%s' is listed twice",
						"“%s”重复列出", party->name);
			parties |= (uint32_t)party->value;
		} while ((rc = next_token(ps, &t)) > 0);
	}
	if (rc)
		return rc;
	rc = refund_policy_set_escalation(ps->p, parties);
	return rc ? refused(ps, &first, rc) : 0;
}

typedef int (*rule_parser)(parser *ps, const token *kw);

typedef struct rule {
	const char *keyword;
	rule_parser parse;
	int once;   /* given at most once (others check per key, or repeat) */
} rule;

static const rule rules[] = {
	{ "policy", parse_policy, 1 },
	{ "currency", parse_currency, 1 },
	{ "window", parse_window, 1 },
	{ "tier", parse_tier, 0 },
	{ "evidence", parse_evidence, 0 },
	{ "return", parse_return, 1 },
	{ "deduct", parse_deduct, 0 },
	{ "fee", parse_fee, 1 },
	{ "offsets", parse_offsets, 1 },
	{ "installments", parse_installments, 1 },
	{ "deadline", parse_deadline, 0 },
	{ "four_eyes", parse_four_eyes, 1 },
	{ "escalate", parse_escalate, 1 },
};

_Static_assert(COUNT(rules) <= RULES_MAX, "parser.seen has a slot for each rule");

static int parse_line(parser *ps)
{
	const rule *r = NULL;
	token kw;
	size_t i;
	int rc = next_token(ps, &kw);

	if (rc <= 0)
		return rc;  /* blank, a comment, or a bad quote */
	for (i = 0; i < COUNT(rules) && !r; i++)
		if (token_is(ps, &kw, rules[i].keyword))
			r = &rules[i];
	if (!r)
		return fail_at(ps, kw.start, REFUND_EPARSE,
				"unknown rule '%.*s%s' (expected policy, currency, window, tier, "
				"evidence, return, deduct, fee, offsets, installments, deadline, "
				"four_eyes or escalate)",
				"未知规则“%.*s%s”（应为 policy、currency、window、tier、evidence、"
				"return、deduct、fee、offsets、installments、deadline、four_eyes "
				"或 escalate）", TOKEN_ARGS(ps, &kw));
	i = (size_t)(r - rules);
	if (r->once && ps->seen[i])
		return given_twice(ps, &kw, r->keyword, NULL, ps->seen[i]);
	if (r->parse != parse_policy && !ps->id_line)
		return expected(ps, &kw, &W_POLICY_FIRST);
	if (r->parse != parse_policy && r->parse != parse_currency && !ps->p)
		return expected(ps, &kw, &W_CURRENCY_SECOND);
	ps->seen[i] = ps->line;
	return r->parse(ps, &kw);
}

/* Where the text ends: the start of the line after a final newline. */
static int missing_at_end(parser *ps)
{
	if (ps->line == 0 || ps->text[ps->size - 1] == '\n') {
		ps->line++;
		ps->line_start = ps->size;
	}
	ps->line_end = ps->pos = ps->size;
	return expected(ps, NULL, ps->id_line ? &W_CURRENCY_SECOND : &W_POLICY_FIRST);
}

static int parse_lines(parser *ps)
{
	text_lines lines;
	int rc;

	refund__text_lines(&lines, ps->text, ps->size);
	while (refund__text_next_line(&lines, &ps->line_start, &ps->line_end)) {
		ps->line = lines.number;
		ps->pos = ps->line_start;
		if ((rc = check_line(ps)) != 0 || (rc = parse_line(ps)) != 0)
			return rc;
	}
	return ps->p ? 0 : missing_at_end(ps);
}

int refund_policy_parse(refund_engine *engine, refund_policy **out, const char *text,
		size_t size)
{
	parser ps;
	int rc;

	if ((rc = refund__text_check(engine, out, text, size, "policy", "政策")) != 0)
		return rc;
	memset(&ps, 0, sizeof(ps));
	ps.e = engine;
	ps.text = text;
	ps.size = size;
	rc = parse_lines(&ps);
	if (rc) {
		refund_policy_free(ps.p);
		return rc;
	}
	*out = ps.p;
	return 0;
}

/* ---- writing ---- */

typedef struct writer {
	char *buf;
	size_t size;
	size_t len;     /* bytes the whole text needs so far, without its NUL */
	int rc;         /* the first failure of a money format, if any */
} writer;

static void put(writer *w, const char *s, size_t n)
{
	size_t room = w->len + 1 < w->size ? w->size - 1 - w->len : 0;

	if (room > 0)
		memcpy(w->buf + w->len, s, n < room ? n : room);
	w->len += n;
}

static void put_str(writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void putf(writer *w, const char *format, ...) REFUND_PRINTF(2, 3);

static void putf(writer *w, const char *format, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(tmp, sizeof(tmp), format, ap);
	va_end(ap);
	if (n > 0)
		put(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_money(writer *w, const refund_policy *p, int64_t amount)
{
	char tmp[REFUND_MONEY_FORMAT_MAX];
	int rc = refund_money_format(p->engine, p->currency, amount, tmp, sizeof(tmp));

	if (rc && !w->rc)
		w->rc = rc;
	put_str(w, rc ? "?" : tmp);
}

/* Basis points as the shortest percentage: 50%, 12.5%, 12.34%. */
static void put_bp(writer *w, int32_t bp)
{
	if (bp % 100 == 0)
		putf(w, "%ld%%", (long)(bp / 100));
	else if (bp % 10 == 0)
		putf(w, "%ld.%ld%%", (long)(bp / 100), (long)(bp % 100 / 10));
	else
		putf(w, "%ld.%02ld%%", (long)(bp / 100), (long)(bp % 100));
}

/* An id or calendar name: bare if the tokenizer reads it back, else quoted. */
static void put_value(writer *w, const char *s)
{
	size_t i, n = strlen(s);
	int bare = n > 0 && s[0] != '"' && s[0] != '#';

	for (i = 0; i < n && bare; i++)
		bare = !is_blank(s[i]);
	if (bare) {
		put(w, s, n);
		return;
	}
	put(w, "\"", 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			put(w, "\\", 1);
		put(w, &s[i], 1);
	}
	put(w, "\"", 1);
}

static void put_plural(writer *w, int64_t n, const char *unit)
{
	putf(w, "%" PRId64 " %s%s", n, unit, n == 1 ? "" : "s");
}

static void write_window(writer *w, const refund_policy *p)
{
	if (p->window_anchor == REFUND_WINDOW_NONE) {
		put_str(w, "window none\n");
		return;
	}
	put_str(w, "window ");
	put_plural(w, p->window_days, "day");
	putf(w, " after %s\n", name_of(anchor_names, COUNT(anchor_names), p->window_anchor));
}

static void write_tiers(writer *w, const refund_policy *p)
{
	size_t i;

	for (i = 0; i < p->ntiers; i++) {
		put_str(w, "tier ");
		put_plural(w, p->tiers[i].min_days, "day");
		if (p->tiers[i].min_volume != 0) {
			put_str(w, " ");
			put_money(w, p, p->tiers[i].min_volume);
			put_str(w, " volume");
		}
		put_str(w, " -> ");
		put_bp(w, p->tiers[i].bp);
		put_str(w, "\n");
	}
}

static void write_evidence_line(writer *w, const char *key, uint32_t mask)
{
	size_t i;

	putf(w, "evidence %s:", key);
	if (mask == 0)
		put_str(w, " none");
	for (i = 0; i < COUNT(evidence_names); i++)
		if (mask & REFUND_EVIDENCE_BIT(evidence_names[i].value))
			putf(w, " %s", evidence_names[i].name);
	put_str(w, "\n");
}

static void write_evidence(writer *w, const refund_policy *p)
{
	size_t i;

	write_evidence_line(w, "all", p->common_evidence);
	for (i = 0; i < COUNT(reason_names); i++)
		write_evidence_line(w, reason_names[i].name,
				p->reason_evidence[reason_names[i].value]);
}

static void write_deductions(writer *w, const refund_policy *p)
{
	size_t i;

	for (i = 0; i < COUNT(grade_names); i++) {
		putf(w, "deduct %s ", grade_names[i].name);
		put_bp(w, p->grade_bp[grade_names[i].value]);
		put_str(w, "\n");
	}
	put_str(w, "deduct missing_part ");
	put_money(w, p, p->missing_part_amount);
	put_str(w, "\n");
}

static void write_fee(writer *w, const refund_policy *p)
{
	if (p->fee_fixed == 0 && p->fee_bp == 0 && p->fee_min == 0 && p->fee_cap == -1) {
		put_str(w, "fee none\n");
		return;
	}
	put_str(w, "fee ");
	if (p->fee_fixed != 0 || p->fee_bp == 0)
		put_money(w, p, p->fee_fixed);
	if (p->fee_fixed != 0 && p->fee_bp != 0)
		put_str(w, " + ");
	if (p->fee_bp != 0)
		put_bp(w, p->fee_bp);
	if (p->fee_min != 0) {
		put_str(w, " min ");
		put_money(w, p, p->fee_min);
	}
	if (p->fee_cap != -1) {
		put_str(w, " max ");
		put_money(w, p, p->fee_cap);
	}
	put_str(w, "\n");
}

static void write_installments(writer *w, const refund_policy *p)
{
	if (p->max_parts == 1 && p->interval_months == 1) {
		put_str(w, "installments none\n");
		return;
	}
	putf(w, "installments %d every ", p->max_parts);
	put_plural(w, p->interval_months, "month");
	put_str(w, "\n");
}

static void put_duration(writer *w, int64_t seconds)
{
	size_t i;

	/* From days down, not weeks: deadlines themselves are counted in days. */
	for (i = 1; i + 1 < COUNT(duration_units); i++)
		if (seconds % duration_units[i].value == 0)
			break;
	put_plural(w, seconds / duration_units[i].value, duration_units[i].name);
}

static void write_deadline(writer *w, int state, const policy_deadline *d)
{
	size_t i;

	putf(w, "deadline %s ", refund_case_state_name(state));
	put_plural(w, d->amount, d->unit == REFUND_BUSINESS_DAYS ? "business day" : "day");
	put_str(w, " in ");
	put_value(w, d->calendar);
	putf(w, " then %s", name_of(consequence_names, COUNT(consequence_names),
			d->consequence));
	for (i = 0; i < d->nreminders; i++) {
		put_str(w, i == 0 ? " remind " : ", ");
		put_duration(w, d->reminders[i]);
	}
	put_str(w, d->nreminders ? " before\n" : "\n");
}

static void write_escalation(writer *w, const refund_policy *p)
{
	size_t i;

	if (p->parties == 0) {
		put_str(w, "escalate none\n");
		return;
	}
	put_str(w, "escalate to");
	for (i = 0; i < COUNT(party_names); i++)
		if (p->parties & (uint32_t)party_names[i].value)
			putf(w, " %s", party_names[i].name);
	put_str(w, "\n");
}

static void write_policy(writer *w, const refund_policy *p)
{
	int state;

	put_str(w, "policy ");
	put_value(w, p->id);
	putf(w, "\ncurrency %s\n", p->currency);
	write_window(w, p);
	write_tiers(w, p);
	write_evidence(w, p);
	put_str(w, p->return_required ? "return required\n" : "return not_required\n");
	write_deductions(w, p);
	write_fee(w, p);
	put_str(w, p->offsets_allowed ? "offsets allowed\n" : "offsets not_allowed\n");
	write_installments(w, p);
	for (state = 1; state < REFUND_STATE_COUNT; state++)
		if (p->deadlines[state].set)
			write_deadline(w, state, &p->deadlines[state]);
	if (p->four_eyes == -1) {
		put_str(w, "four_eyes off\n");
	} else {
		put_str(w, "four_eyes above ");
		put_money(w, p, p->four_eyes);
		put_str(w, "\n");
	}
	write_escalation(w, p);
}

int refund_policy_format(const refund_policy *policy, char *buf, size_t size, size_t *needed)
{
	writer w;

	if (!policy)
		return REFUND_EINVAL;
	if (!buf && size > 0)
		return refund__fail(policy->engine, REFUND_EINVAL, "buffer is NULL but its size is %zu",
				"缓冲区为空，但其大小为 %zu", size);
	memset(&w, 0, sizeof(w));
	w.buf = buf;
	w.size = size;
	write_policy(&w, policy);
	if (w.rc)
		return w.rc;
	if (needed)
		*needed = w.len + 1;
	if (w.len + 1 > size) {
		if (size > 0)
			buf[0] = '\0';
		return refund__fail(policy->engine, REFUND_ERANGE,
				"policy %s needs %zu bytes of text, the buffer has %zu",
				"政策 %s 的文本需要 %zu 字节，缓冲区只有 %zu", policy->id, w.len + 1, size);
	}
	buf[w.len] = '\0';
	return 0;
}
