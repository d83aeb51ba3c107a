/*
 * deposit import FILE.csv: deposits from a spreadsheet.
 *
 * Never half applied: every row is first checked (parsed, then created on a
 * scratch in-memory engine, which applies exactly the library's rules, and
 * looked up in the database); only then are the deposits created.  By
 * default one bad row refuses the whole import; --skip-bad imports the
 * good rows and reports the bad ones.  A row whose deposit exists already
 * with the same data counts as imported, so an import interrupted by a
 * crash is finished by running it again.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refundctl.h"

/* Largest CSV file taken: 256 MiB. */
#define CSV_MAX (256L * 1024 * 1024)
/* Rows from which a progress bar is shown on a terminal. */
#define PROGRESS_MIN_ROWS 200

enum column {
	COL_ID, COL_HOLDER, COL_AGENT, COL_TERMINAL, COL_AMOUNT, COL_CURRENCY,
	COL_PAID_AT, COL_CONTRACT, COL_RECEIPT, COL_CONTRACT_END, COL_COUNT
};

static const char *const column_names[COL_COUNT] = { "id", "holder", "agent",
	"terminal", "amount", "currency", "paid_at", "contract", "receipt", "contract_end" };

static const int column_required[COL_COUNT] = { 1, 1, 1, 1, 1, 0, 1, 0, 0, 0 };

typedef struct row {
	long line;             /* where the record starts */
	int nfields;
	char **fields;
	refund_deposit_info info;
	int code;              /* 0, or the library code that makes the row bad */
	int present;           /* the deposit exists already with this data */
	char message[320];
} row;

typedef struct import {
	ctl *c;
	const char *path;
	row *rows;
	size_t nrows, cap;
	int col[COL_COUNT];    /* field index of each column, -1 if absent */
	int ncols;
	refund_store *scratch_store;
	refund_engine *scratch;
	int progress;          /* show a progress bar */
} import;

/* ---- CSV (RFC 4180: quotes, doubled quotes, CRLF or LF) ---------------- */

typedef struct csv {
	const char *p, *end;
	long line;
} csv;

static int add_field(row *r, const char *text, size_t n)
{
	char **fields = realloc(r->fields, (size_t)(r->nfields + 1) * sizeof(*fields));
	char *copy = malloc(n + 1);

	if (fields)
		r->fields = fields;
	if (!fields || !copy) {
		free(copy);
		return -1;
	}
	memcpy(copy, text, n);
	copy[n] = '\0';
	r->fields[r->nfields++] = copy;
	return 0;
}

static void row_error(row *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (r->code)
		return;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

/* One field into @p buf; advances past its separator.  -1: out of memory. */
static int read_field(csv *s, row *r, char **buf, size_t *cap, int *end_of_record)
{
	size_t n = 0;
	int quoted = 0;

	if (s->p < s->end && *s->p == '"') {
		quoted = 1;
		s->p++;
	}
	for (;;) {
		char ch;

		if (s->p >= s->end) {
			if (quoted)
				row_error(r, REFUND_EPARSE, "a quoted field is never closed");
			*end_of_record = 1;
			break;
		}
		ch = *s->p++;
		if (quoted && ch == '"') {
			if (s->p < s->end && *s->p == '"') {
				s->p++;
			} else {
				quoted = 0;
				if (s->p < s->end && *s->p != ',' && *s->p != '\n' && *s->p != '\r')
					row_error(r, REFUND_EPARSE, "text after a closing quote");
				continue;
			}
		} else if (!quoted && ch == ',') {
			break;
		} else if (!quoted && (ch == '\n' || ch == '\r')) {
			if (ch == '\r' && s->p < s->end && *s->p == '\n')
				s->p++;
			s->line++;
			*end_of_record = 1;
			break;
		} else if (ch == '\n') {
			s->line++;
		} else if (ch == '\0') {
			row_error(r, REFUND_EPARSE, "a NUL byte in a field");
		}
		if (n + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 256;
			char *nbuf = realloc(*buf, ncap);

			if (!nbuf)
				return -1;
			*buf = nbuf;
			*cap = ncap;
		}
		(*buf)[n++] = ch;
	}
	return add_field(r, *buf ? *buf : "", n);
}

/* The next record; 0 at the end of the text, -1 when out of memory. */
static int read_record(csv *s, row *r)
{
	char *buf = NULL;
	size_t cap = 0;
	int end = 0;

	memset(r, 0, sizeof(*r));
	if (s->p >= s->end)
		return 0;
	r->line = s->line;
	while (!end) {
		if (read_field(s, r, &buf, &cap, &end) != 0) {
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 1;
}

static void free_row(row *r)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	free(r->fields);
}

static int blank(const row *r)
{
	return r->nfields == 1 && r->fields[0][0] == '\0' && !r->code;
}

/* ---- the header -------------------------------------------------------- */

/* A column by name: case, '-' or '_' and surrounding spaces do not matter. */
static int column_of(const char *name)
{
	char norm[32];
	size_t n = 0;
	int k;

	while (*name == ' ')
		name++;
	for (; *name && n + 1 < sizeof(norm); name++)
		norm[n++] = *name == '-' ? '_' : (char)tolower((unsigned char)*name);
	while (n > 0 && norm[n - 1] == ' ')
		n--;
	norm[n] = '\0';
	if (strcmp(norm, "terminal_serial") == 0)
		return COL_TERMINAL;
	if (strcmp(norm, "contract_id") == 0)
		return COL_CONTRACT;
	for (k = 0; k < COL_COUNT; k++)
		if (strcmp(norm, column_names[k]) == 0)
			return k;
	return -1;
}

static int read_header(import *im, const row *h)
{
	ctl *c = im->c;
	int i, k;

	for (k = 0; k < COL_COUNT; k++)
		im->col[k] = -1;
	if (h->code)
		return ctl_invalid(c, "%s, line %ld (the header): %s", im->path, h->line,
				h->message);
	for (i = 0; i < h->nfields; i++) {
		const char *name = h->fields[i];

		/* A spreadsheet's UTF-8 byte-order mark. */
		if (i == 0 && strncmp(name, "\xEF\xBB\xBF", 3) == 0)
			name += 3;
		if ((k = column_of(name)) < 0) {
			ctl_invalid(c, "%s, line %ld: unknown column \"%s\"", im->path, h->line, name);
			fputs("the columns are: id, holder, agent, terminal, amount, currency, "
				"paid_at, contract, receipt, contract_end\n", stderr);
			return CTL_EXIT_INVALID;
		}
		if (im->col[k] >= 0)
			return ctl_invalid(c, "%s, line %ld: column \"%s\" appears twice", im->path,
					h->line, column_names[k]);
		im->col[k] = i;
	}
	for (k = 0; k < COL_COUNT; k++)
		if (column_required[k] && im->col[k] < 0)
			return ctl_invalid(c, "%s: the header has no \"%s\" column (required: "
					"id, holder, agent, terminal, amount, paid_at)", im->path,
					column_names[k]);
	im->ncols = h->nfields;
	return 0;
}

/* ---- reading and checking the rows ------------------------------------- */

static int read_rows(import *im, const char *text, size_t size)
{
	csv s = { text, text + size, 1 };
	row header, r;
	int rc, got;

	if ((got = read_record(&s, &header)) <= 0) {
		if (got < 0)
			return ctl_fail(im->c, REFUND_ENOMEM, "reading %s", im->path);
		return ctl_invalid(im->c, "%s is empty: the first line must name the columns",
				im->path);
	}
	rc = read_header(im, &header);
	free_row(&header);
	if (rc)
		return rc;
	while ((got = read_record(&s, &r)) > 0) {
		if (blank(&r)) {
			free_row(&r);
			continue;
		}
		if (im->nrows == im->cap) {
			size_t ncap = im->cap ? im->cap * 2 : 64;
			row *nrows = realloc(im->rows, ncap * sizeof(*nrows));

			if (!nrows) {
				free_row(&r);
				return ctl_fail(im->c, REFUND_ENOMEM, "reading %s", im->path);
			}
			im->rows = nrows;
			im->cap = ncap;
		}
		im->rows[im->nrows++] = r;
	}
	if (got < 0)
		return ctl_fail(im->c, REFUND_ENOMEM, "reading %s", im->path);
	return 0;
}

static const char *field(const import *im, const row *r, int col)
{
	int i = im->col[col];

	if (i < 0 || i >= r->nfields || r->fields[i][0] == '\0')
		return NULL;
	return r->fields[i];
}

static void parse_row(import *im, row *r)
{
	refund_deposit_info *info = &r->info;
	const char *amount, *paid, *end;
	int k;

	if (r->code)
		return;
	if (r->nfields != im->ncols) {
		row_error(r, REFUND_EPARSE, "%d fields, but the header has %d", r->nfields,
				im->ncols);
		return;
	}
	for (k = 0; k < COL_COUNT; k++) {
		if (column_required[k] && !field(im, r, k)) {
			row_error(r, REFUND_EINVAL, "the %s column is empty", column_names[k]);
			return;
		}
	}
	info->version = REFUND_DEPOSIT_INFO_VERSION;
	info->id = field(im, r, COL_ID);
	info->holder = field(im, r, COL_HOLDER);
	info->agent = field(im, r, COL_AGENT);
	info->terminal_serial = field(im, r, COL_TERMINAL);
	info->contract_id = field(im, r, COL_CONTRACT);
	info->receipt = field(im, r, COL_RECEIPT);
	info->currency = field(im, r, COL_CURRENCY) ? field(im, r, COL_CURRENCY) : "CNY";
	info->paid_at = info->contract_end = REFUND_TIME_NONE;
	amount = field(im, r, COL_AMOUNT);
	paid = field(im, r, COL_PAID_AT);
	end = field(im, r, COL_CONTRACT_END);
	if (refund_money_parse(im->scratch, info->currency, amount, 0, &info->amount) != 0)
		row_error(r, REFUND_EPARSE, "amount \"%s\": %s (write a decimal such as 500.00)",
				amount, refund_engine_errmsg(im->scratch));
	else if (refund_time_parse(paid, &info->paid_at) != 0)
		row_error(r, REFUND_EPARSE, "paid_at \"%s\" is not an ISO 8601 time "
				"(2025-10-01 or 2025-10-01T09:30+08:00)", paid);
	else if (end && refund_time_parse(end, &info->contract_end) != 0)
		row_error(r, REFUND_EPARSE, "contract_end \"%s\" is not an ISO 8601 time", end);
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether a stored deposit is exactly what the row says. */
static int same_deposit(const refund_deposit *d, const refund_deposit_info *info)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };

	refund_deposit_balance(d, &b);
	return same_text(refund_deposit_holder(d), info->holder) &&
		same_text(refund_deposit_agent(d), info->agent) &&
		same_text(refund_deposit_terminal_serial(d), info->terminal_serial) &&
		same_text(refund_deposit_contract_id(d), info->contract_id) &&
		same_text(refund_deposit_receipt(d), info->receipt) &&
		same_text(refund_deposit_currency(d), info->currency) &&
		b.held == info->amount && refund_deposit_paid_at(d) == info->paid_at &&
		refund_deposit_contract_end(d) == info->contract_end;
}

static long first_line_of(const import *im, size_t upto, const char *id)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (!im->rows[i].code && strcmp(im->rows[i].info.id, id) == 0)
			return im->rows[i].line;
	return 0;
}

/* Is the row's deposit in the database?  0, or a fatal library code. */
static int look_up(import *im, row *r)
{
	refund_deposit *d = NULL;
	int rc = refund_deposit_load(im->c->engine, &d, r->info.id);

	if (rc == REFUND_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (same_deposit(d, &r->info))
		r->present = 1;
	else
		row_error(r, REFUND_EEXISTS, "deposit %s exists already with other data",
				r->info.id);
	refund_deposit_free(d);
	return 0;
}

/* Create the row on the scratch engine: the library's own checks, dry. */
static void dry_run(import *im, size_t i)
{
	row *r = &im->rows[i];
	int rc;

	if (r->code)
		return;
	rc = refund_deposit_create(im->scratch, NULL, &r->info, im->c->actor, im->c->role);
	if (rc == REFUND_EEXISTS)
		row_error(r, rc, "deposit %s appears again (first on line %ld)", r->info.id,
				first_line_of(im, i, r->info.id));
	else if (rc != 0)
		row_error(r, rc, "%s", refund_engine_errmsg(im->scratch));
}

static void progress(import *im, const char *what, size_t done, size_t total)
{
	int pct, k;

	if (!im->progress || (done != total && done % 50 != 0))
		return;
	pct = (int)(done * 100 / (total ? total : 1));
	fprintf(stderr, "\r%-9s [", what);
	for (k = 0; k < 30; k++)
		fputc(k < pct * 30 / 100 ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %zu/%zu", pct, done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static int check_rows(import *im)
{
	size_t i;
	int rc;

	for (i = 0; i < im->nrows; i++) {
		row *r = &im->rows[i];

		parse_row(im, r);
		dry_run(im, i);
		if (!r->code && (rc = look_up(im, r)) != 0)
			return ctl_fail(im->c, rc, "%s, line %ld: deposit %s", im->path, r->line,
					r->info.id);
		progress(im, "checking", i + 1, im->nrows);
	}
	return 0;
}

static int create_row(import *im, row *r)
{
	int rc, attempt;

	for (attempt = 0;; attempt++) {
		rc = refund_deposit_create(im->c->engine, NULL, &r->info, im->c->actor,
				im->c->role);
		if (rc != REFUND_EBUSY || attempt >= CTL_RETRIES)
			break;
		ctl_backoff(im->c, attempt, rc);
	}
	if (rc == REFUND_EEXISTS) {
		/* Created meanwhile by another import of the same file? */
		if (look_up(im, r) == 0 && r->present)
			return 0;
	}
	return rc;
}

/* ---- the command ------------------------------------------------------- */

static size_t count_bad(const import *im)
{
	size_t i, n = 0;

	for (i = 0; i < im->nrows; i++)
		n += im->rows[i].code != 0;
	return n;
}

static int first_bad_code(const import *im)
{
	size_t i;

	for (i = 0; i < im->nrows; i++)
		if (im->rows[i].code)
			return im->rows[i].code;
	return 0;
}

static void report_bad(const import *im, int skip)
{
	size_t i;

	for (i = 0; i < im->nrows; i++) {
		const row *r = &im->rows[i];

		if (r->code)
			fprintf(stderr, "refundctl deposit import: %s, line %ld: %s%s\n", im->path,
					r->line, r->message, skip ? " (skipped)" : "");
	}
}

static void print_result(const import *im, int refused, size_t imported, size_t present,
		size_t bad)
{
	ctl *c = im->c;
	ctl_json j;
	size_t i;

	if (!c->json) {
		if (refused)
			return;
		printf(CTL_TEXT(c, "imported %zu deposits from %s", "已导入 %zu 笔押金（来自 %s）"),
				imported, im->path);
		if (present)
			printf(CTL_TEXT(c, ", %zu already present", "，%zu 笔已存在"), present);
		if (bad)
			printf(CTL_TEXT(c, ", %zu bad rows skipped", "，跳过 %zu 行错误数据"), bad);
		printf("\n");
		return;
	}
	json_begin(&j);
	json_kstr(&j, "file", im->path);
	json_kint(&j, "rows", (int64_t)im->nrows);
	json_kint(&j, "imported", (int64_t)imported);
	json_kint(&j, "already_present", (int64_t)present);
	json_kint(&j, "skipped", refused ? 0 : (int64_t)bad);
	json_kbool(&j, "refused", refused);
	json_key(&j, "bad");
	json_open(&j, '[');
	for (i = 0; i < im->nrows; i++) {
		const row *r = &im->rows[i];

		if (!r->code)
			continue;
		json_open(&j, '{');
		json_kint(&j, "line", r->line);
		json_kstr(&j, "error", refund_error_name(r->code));
		json_kint(&j, "exit_code", ctl_exit_code(r->code));
		json_kstr(&j, "message", r->message);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_finish(&j);
}

static int create_rows(import *im, size_t *imported, size_t *present)
{
	size_t i, todo = 0, done = 0;
	int rc;

	for (i = 0; i < im->nrows; i++)
		todo += !im->rows[i].code && !im->rows[i].present;
	for (i = 0; i < im->nrows; i++) {
		row *r = &im->rows[i];

		if (r->code)
			continue;
		if (r->present) {
			(*present)++;
			continue;
		}
		if ((rc = create_row(im, r)) != 0) {
			if (im->progress)
				fputs("\r\033[K", stderr);
			rc = ctl_fail(im->c, rc, "%s, line %ld: deposit %s", im->path, r->line,
					r->info.id);
			fprintf(stderr, "%zu of %zu deposits were imported before this failure; "
					"run the same import again to finish (rows already imported are "
					"recognised)\n", *imported, todo);
			return rc;
		}
		if (r->present)
			(*present)++;
		else
			(*imported)++;
		progress(im, "importing", ++done, todo);
	}
	return 0;
}

static int scratch_engine(import *im)
{
	refund_engine_options options = REFUND_ENGINE_OPTIONS_INIT;
	int rc;

	if ((rc = refund_store_memory_new(&im->scratch_store, NULL)) != 0)
		return ctl_fail(im->c, rc, "preparing the import");
	options.store = im->scratch_store;
	options.lang = im->c->lang;
	if (im->c->now_set) {
		options.clock = ctl_fixed_clock;
		options.clock_user = im->c;
	}
	if ((rc = refund_engine_new(&im->scratch, &options)) != 0)
		return ctl_fail(im->c, rc, "preparing the import");
	return 0;
}

static int run_import(import *im, int skip)
{
	size_t imported = 0, present = 0, bad;
	int rc;

	if ((rc = check_rows(im)) != 0)
		return rc;
	bad = count_bad(im);
	report_bad(im, skip);
	if (bad && !skip) {
		print_result(im, 1, 0, 0, bad);
		fprintf(stderr, "refundctl deposit import: nothing imported: %zu bad row%s in %s\n"
				"hint: fix %s and import again, or add --skip-bad to import the %zu "
				"good rows\n", bad, bad == 1 ? "" : "s", im->path,
				bad == 1 ? "it" : "them", im->nrows - bad);
		return ctl_exit_code(first_bad_code(im));
	}
	if ((rc = create_rows(im, &imported, &present)) != 0)
		return rc;
	print_result(im, 0, imported, present, bad);
	return 0;
}

static int read_csv(ctl *c, const char *path, char **out, size_t *size)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf = NULL;

	if (!f) {
		fprintf(stderr, "refundctl deposit import: cannot read %s: %s\n", path,
				strerror(errno));
		return errno == ENOENT ? CTL_EXIT_NOTFOUND : CTL_EXIT_OTHER;
	}
	for (;;) {
		char *nbuf = realloc(buf, cap);

		if (!nbuf) {
			free(buf);
			fclose(f);
			return ctl_fail(c, REFUND_ENOMEM, "reading %s", path);
		}
		buf = nbuf;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= (size_t)CSV_MAX)
			break;
		cap *= 2;
	}
	if (ferror(f) || n >= (size_t)CSV_MAX) {
		fprintf(stderr, "refundctl deposit import: cannot read %s: %s\n", path,
				ferror(f) ? strerror(errno) : "larger than 256 MiB");
		free(buf);
		fclose(f);
		return CTL_EXIT_OTHER;
	}
	fclose(f);
	*out = buf;
	*size = n;
	return 0;
}

int cmd_deposit_import(ctl *c, int argc, char **argv)
{
	const char *skip = NULL, *no_progress = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--skip-bad", NULL, &skip, "import the good rows, report and skip the bad ones" },
		{ "--no-progress", NULL, &no_progress, "no progress bar, even on a terminal" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "FILE.csv [--skip-bad]",
		"Record deposits from a CSV file whose first line names the columns:\n"
		"id, holder, agent, terminal, amount, paid_at (required), currency (default\n"
		"CNY), contract, receipt, contract_end.  Every row is checked before any is\n"
		"created; one bad row refuses the whole import unless --skip-bad is given.\n"
		"Rows already imported with the same data are recognised, so an interrupted\n"
		"import is finished by running it again.", 1, 1, opts };
	import im;
	char *text = NULL;
	size_t size = 0, i;
	int nargs, rc;

	memset(&im, 0, sizeof(im));
	im.c = c;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	im.path = args[0];
	if ((rc = read_csv(c, im.path, &text, &size)) != 0)
		return rc;
	rc = scratch_engine(&im);
	if (rc == 0)
		rc = read_rows(&im, text, size);
	free(text);
	im.progress = !no_progress && !c->json && im.nrows >= PROGRESS_MIN_ROWS &&
		isatty(STDERR_FILENO);
	if (rc == 0)
		rc = run_import(&im, skip != NULL);
	for (i = 0; i < im.nrows; i++)
		free_row(&im.rows[i]);
	free(im.rows);
	refund_engine_free(im.scratch);
	refund_store_free(im.scratch_store);
	return rc;
}
