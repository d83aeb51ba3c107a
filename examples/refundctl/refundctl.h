/*
 * refundctl: a back office in one command, over librefund and its SQLite
 * store.  This header is shared by the command groups (cmd_*.c), the output
 * helpers (output.c), the command line (options.c) and the demo (demo.c).
 */
#ifndef REFUNDCTL_H
#define REFUNDCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <refund.h>

/* Exit codes, documented in refundctl(1). */
enum {
	CTL_OK = 0,
	CTL_EXIT_OTHER = 1,
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_NOTFOUND = 3,
	CTL_EXIT_DENIED = 4,
	CTL_EXIT_CONFLICT = 5,
	CTL_EXIT_STATE = 6,
	CTL_EXIT_STORAGE = 7,
	CTL_EXIT_INVALID = 8,
	/* Not an exit code: --help was printed, stop with 0. */
	CTL_HELP_SHOWN = -1
};

/* How many times an action is retried after a conflict or a busy database. */
#define CTL_RETRIES 20

/* A buffer for any id the library takes (64 bytes and the NUL). */
#define CTL_ID_BUF 65

/* Longest actor id taken from --as. */
#define CTL_ACTOR_MAX 64

/* Everything a command needs: the global options and the open database. */
typedef struct ctl {
	const char *db_path;       /* --db, $REFUNDCTL_DB, "./refund.db" */
	const char *as;            /* --as, $REFUNDCTL_AS: "ACTOR:ROLE" */
	const char *key;           /* --key: idempotency key */
	const char *note;          /* --note */
	int json;                  /* --json */
	int debug;                 /* $REFUNDCTL_DEBUG: report each retry */
	refund_lang lang;          /* --lang */
	int db_given;              /* --db given on the command line */
	int now_set;               /* --now given */
	refund_time now;           /* its value */
	int32_t tz;                /* --tz: the offset times are shown in */
	const char *command;       /* "case open": for messages and help */
	char command_buf[48];
	char actor[CTL_ACTOR_MAX + 1];
	int role;
	refund_notify_fn notify;   /* given to the engine when it is made */
	void *notify_user;
	refund_store *store;
	refund_engine *engine;
} ctl;

/* One option of a command: "--amount" taking "AMOUNT", or a flag (arg NULL). */
typedef struct ctl_opt {
	const char *name;
	const char *arg;
	const char **value;        /* receives the argument, or "1" for a flag */
	const char *help;
} ctl_opt;

/* A command's command line, for parsing and for --help. */
typedef struct ctl_spec {
	const char *usage;         /* after "refundctl case open ": "CASE --deposit ID ..." */
	const char *summary;       /* one line */
	int min_args;              /* positional arguments */
	int max_args;
	const ctl_opt *opts;       /* ends with a NULL name; may be NULL */
} ctl_spec;

/* A subcommand of a group: "show" of "deposit". */
typedef struct ctl_sub {
	const char *name;
	int (*run)(ctl *c, int argc, char **argv);
	const char *summary;
} ctl_sub;

/* options.c: the command line. */
int ctl_global_option(ctl *c, int argc, char **argv, int *i, int *rc);
int ctl_parse(ctl *c, int argc, char **argv, const ctl_spec *spec,
		const char **args, int *nargs);
int ctl_dispatch(ctl *c, const char *group, const ctl_sub *subs, int argc, char **argv);
int ctl_take_globals(ctl *c, int argc, char **argv, int *i);
int ctl_is_help(const char *arg);
const ctl_sub *ctl_find_sub(const ctl_sub *subs, const char *name);
void ctl_print_globals(FILE *out);

/* main.c: the database, the actor, errors. */
int ctl_open(ctl *c, int create);
void ctl_close(ctl *c);
refund_time ctl_fixed_clock(void *user);
int ctl_exit_code(int rc);
const char *ctl_hint(int rc, refund_lang lang);
int ctl_fail(ctl *c, int rc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
int ctl_usage_error(ctl *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
int ctl_invalid(ctl *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
int ctl_need_actor(ctl *c);
void ctl_act(const ctl *c, refund_act *act);
void ctl_backoff(const ctl *c, int attempt, int rc);
int ctl_retryable(int rc);
int ctl_default_policy(ctl *c, char *buf, size_t size);
int ctl_set_default_policy(ctl *c, const char *id);

/* parse.c: values on the command line. */
int ctl_parse_time(ctl *c, const char *what, const char *text, refund_time *out);
int ctl_parse_money(ctl *c, const char *what, const char *currency, const char *text,
		int64_t *out);
int ctl_parse_int(ctl *c, const char *what, const char *text, int64_t min, int64_t max,
		int64_t *out);
int ctl_parse_duration(ctl *c, const char *what, const char *text, int64_t *out);
int ctl_parse_offset(const char *text, int32_t *out);
int ctl_parse_policy_ref(ctl *c, const char *text, char *id, size_t size,
		uint32_t *version);
int ctl_name_lookup(const char *const *names, int count, const char *name);
const char *ctl_name_of(const char *const *names, int count, int value);

/* Names of the library's enums that have no name function. */
extern const char *const ctl_reason_names[];
extern const char *const ctl_evidence_names[];
extern const char *const ctl_grade_names[];
extern const char *const ctl_reject_names[];
extern const char *const ctl_method_names[];
extern const char *const ctl_consequence_names[];
#define CTL_REASON_COUNT 7
#define CTL_EVIDENCE_COUNT 10
#define CTL_GRADE_COUNT 5
#define CTL_REJECT_COUNT 6
#define CTL_METHOD_COUNT 4
#define CTL_CONSEQUENCE_COUNT 6
const char *ctl_party_name(uint32_t party);
int ctl_party_from_name(const char *name, int *out);
void ctl_list_names(FILE *out, const char *const *names, int count);

/*
 * Human output in the chosen language (--lang): @p en or @p zh.  A macro,
 * not a function, so that gcc and clang check both formats of a printf-like
 * call against its arguments.  --json keys and enum values never go through
 * it: they are the same in every language.
 */
#define CTL_TEXT(c, en, zh) ((c)->lang == REFUND_LANG_ZH_CN ? (zh) : (en))

/* labels.c: the library's names in human output (English: the names themselves). */
const char *ctl_state_label(const ctl *c, int state);
const char *ctl_action_label(const ctl *c, int action);
const char *ctl_role_label(const ctl *c, int role);
const char *ctl_reason_label(const ctl *c, int reason);
const char *ctl_evidence_label(const ctl *c, int kind);
const char *ctl_consequence_label(const ctl *c, int consequence);
const char *ctl_entry_label(const ctl *c, int kind);
const char *ctl_party_label(const ctl *c, uint32_t party);
const char *ctl_part_status_name(int status);
const char *ctl_part_status_label(const ctl *c, int status);

/* width.c: columns of UTF-8 text on a terminal (a CJK character takes two). */
size_t ctl_width(const char *s);
int ctl_pad(const char *s, int columns);

/* output.c: text and JSON. */
typedef struct ctl_json {
	FILE *out;
	int depth;
	int first[32];             /* per level: nothing written yet */
	int after_key;
} ctl_json;

void json_init(ctl_json *j, FILE *out);
void json_open(ctl_json *j, char bracket);
void json_close(ctl_json *j, char bracket);
void json_key(ctl_json *j, const char *key);
void json_str(ctl_json *j, const char *s);
void json_int(ctl_json *j, int64_t v);
void json_bool(ctl_json *j, int v);
void json_null(ctl_json *j);
void json_kstr(ctl_json *j, const char *key, const char *s);
void json_kint(ctl_json *j, const char *key, int64_t v);
void json_kbool(ctl_json *j, const char *key, int v);
void json_kmoney(ctl_json *j, ctl *c, const char *key, const char *currency, int64_t v);
void json_ktime(ctl_json *j, ctl *c, const char *key, refund_time t);
void json_end(ctl_json *j);
void json_begin(ctl_json *j);
void json_finish(ctl_json *j);

/* A list command's output; each record counts itself in count. */
typedef struct ctl_list {
	ctl *c;
	ctl_json *j;               /* NULL: text */
	size_t count;
} ctl_list;

void ctl_list_begin(ctl *c, ctl_list *l, ctl_json *j, const char *key);
int ctl_list_end(ctl_list *l, int rc, const char *key, const char *key_zh);

const char *ctl_time(ctl *c, refund_time t, char *buf, size_t size);
const char *ctl_money(ctl *c, const char *currency, int64_t amount, char *buf,
		size_t size);
const char *ctl_duration(const ctl *c, int64_t seconds, char *buf, size_t size);
void ctl_evidence_list(const ctl *c, FILE *out, uint32_t mask);
void json_evidence(ctl_json *j, const char *key, uint32_t mask);

void ctl_field(const ctl *c, const char *en, const char *zh);
void ctl_print_deposit(ctl *c, const refund_deposit *d, int ledger);
void ctl_json_deposit(ctl *c, ctl_json *j, const refund_deposit *d, int ledger);
void ctl_print_ledger(ctl *c, const refund_deposit *d, const char *indent);
void ctl_show_deposit(ctl *c, const refund_deposit *d);

/* Command groups. */
int cmd_init(ctl *c, int argc, char **argv);
int cmd_policy(ctl *c, int argc, char **argv);
int cmd_deposit(ctl *c, int argc, char **argv);
int cmd_case(ctl *c, int argc, char **argv);
int cmd_tick(ctl *c, int argc, char **argv);
int cmd_overdue(ctl *c, int argc, char **argv);
int cmd_verify(ctl *c, int argc, char **argv);
int cmd_demo(ctl *c, int argc, char **argv);

/* cmd_case.c, shared with the demo. */
/* What an action needs beyond the actor. */
typedef struct ctl_action {
	int action;                /* a refund_action */
	int number;                /* evidence kind, grade, reason, reject reason, parts, party;
	                              pay/pay-failed: the part, 0 for the first unpaid */
	int number2;               /* missing parts */
	uint32_t mask;             /* evidence asked for */
	const char *text;          /* reference, tracking, explanation, failure */
	const char *amount_text;   /* parsed in the case's currency; NULL: default */
	int64_t amount;
	refund_account account;
	uint32_t policy_version;
	const char *deposit;       /* open: the deposit */
	const char *policy;        /* open: "ID[@VERSION]"; NULL: the default policy */
} ctl_action;

int ctl_apply(refund_case *cs, const refund_act *act, const ctl_action *a);
int ctl_case_json(ctl *c, ctl_json *j, refund_case *cs, int level);
int ctl_case_json_out(ctl *c, refund_case *cs, int level);
int ctl_case_print(ctl *c, refund_case *cs, int level);
void ctl_next_steps(ctl *c, FILE *out, const refund_case *cs);

/* case_view.c */
int case_show(ctl *c, int argc, char **argv);
int case_list(ctl *c, int argc, char **argv);
int case_quote(ctl *c, int argc, char **argv);

/* cmd_import.c */
int cmd_deposit_import(ctl *c, int argc, char **argv);

#endif /* REFUNDCTL_H */
