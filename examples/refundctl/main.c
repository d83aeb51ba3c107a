/*
 * refundctl: run POS deposit refunds from the command line, over librefund
 * and its SQLite store.  See refundctl(1) (docs/refundctl.1).
 *
 * This file: the command table, the database, who acts, and errors turned
 * into exit codes and a hint of what to do next.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "refund_sqlite.h"
#include "refundctl.h"

static const ctl_sub commands[] = {
	{ "init", cmd_init, "create the database, optionally loading a policy" },
	{ "policy", cmd_policy, "show or load refund policies" },
	{ "deposit", cmd_deposit, "record, show, list and import deposits" },
	{ "case", cmd_case, "open and move refund cases through their workflow" },
	{ "tick", cmd_tick, "fire the deadlines that are due (reminders, escalations...)" },
	{ "overdue", cmd_overdue, "list cases past or near a deadline" },
	{ "verify", cmd_verify, "check every audit chain and every deposit's ledger" },
	{ "demo", cmd_demo, "walk through the domain's stories on a scratch database" },
	{ NULL, NULL, NULL }
};

static void print_usage(FILE *out)
{
	const ctl_sub *s;

	fputs("usage: refundctl [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]\n\n"
		"Refunds of POS terminal deposits (POS机押金退还), over librefund and SQLite.\n\n"
		"commands:\n", out);
	for (s = commands; s->name; s++)
		fprintf(out, "  %-9s %s\n", s->name, s->summary);
	fputs("\n\"refundctl COMMAND --help\" describes each command.\n\n", out);
	ctl_print_globals(out);
	fputs("\nexit codes: 0 ok, 1 other, 2 usage, 3 not found, 4 denied, 5 conflict,\n"
		"6 state (wrong state, evidence missing, deadline passed), 7 storage,\n"
		"8 invalid data.\n", out);
}

int ctl_exit_code(int rc)
{
	switch (rc) {
	case REFUND_OK:
		return CTL_OK;
	case REFUND_ENOTFOUND:
		return CTL_EXIT_NOTFOUND;
	case REFUND_EDENIED:
		return CTL_EXIT_DENIED;
	case REFUND_ECONFLICT:
	case REFUND_EEXISTS:
	case REFUND_EDUPLICATE:
	case REFUND_EBUSY:
		return CTL_EXIT_CONFLICT;
	case REFUND_ESTATE:
	case REFUND_EEVIDENCE:
	case REFUND_EDEADLINE:
		return CTL_EXIT_STATE;
	case REFUND_ESTORE:
	case REFUND_ECORRUPT:
	case REFUND_EVERSION:
		return CTL_EXIT_STORAGE;
	case REFUND_EINVAL:
	case REFUND_EPARSE:
	case REFUND_ECURRENCY:
	case REFUND_EOVERFLOW:
	case REFUND_EBALANCE:
	case REFUND_ECALENDAR:
		return CTL_EXIT_INVALID;
	default:
		return CTL_EXIT_OTHER;
	}
}

/* What the clerk should do next, per error code. */
const char *ctl_hint(int rc, refund_lang lang)
{
	static const struct {
		int rc;
		const char *en, *zh;
	} hints[] = {
		{ REFUND_EINVAL, "check the values given; \"--help\" after the command shows what each takes",
			"请检查输入的值；在命令后加 \"--help\" 查看各参数的格式" },
		{ REFUND_ENOTFOUND, "check the id: \"refundctl deposit list\" and \"refundctl case list\" show what exists",
			"请核对编号：\"refundctl deposit list\" 和 \"refundctl case list\" 列出现有记录" },
		{ REFUND_EEXISTS, "that id is taken: choose another id, or look at the existing record with \"show\"",
			"该编号已被使用：请换一个编号，或用 \"show\" 查看已有记录" },
		{ REFUND_ESTATE, "the case is not at a step that allows this: \"refundctl case show ID\" shows its state and next steps",
			"案件当前状态不允许此操作：用 \"refundctl case show 编号\" 查看状态和下一步" },
		{ REFUND_EDENIED, "this role may not do that: ask someone with the right role (--as NAME:ROLE)",
			"该角色无权执行此操作：请由具有相应角色的人员操作（--as 姓名:角色）" },
		{ REFUND_ECONFLICT, "someone else changed the record at the same moment: look at it again, then retry",
			"记录刚被他人修改：请重新查看后再试" },
		{ REFUND_EDEADLINE, "the deadline or the application window has passed: this step is no longer possible",
			"期限或申请时限已过：此步骤已无法进行" },
		{ REFUND_EDUPLICATE, "a case is already open for this deposit (or --key was used for something else): continue that case",
			"该押金已有进行中的案件（或 --key 已用于其他操作）：请继续处理该案件" },
		{ REFUND_ESTORE, "the database could not be read or written: check the file, its permissions and the free disk space, then retry",
			"数据库读写失败：请检查文件、权限和磁盘空间后重试" },
		{ REFUND_EBUSY, "the database stayed busy with other changes: retry in a moment",
			"数据库正忙：请稍后重试" },
		{ REFUND_ECORRUPT, "stored data failed its check: change nothing and call an administrator (\"refundctl verify\" lists what is wrong)",
			"存储的数据校验失败：请勿再做修改并联系管理员（\"refundctl verify\" 列出问题）" },
		{ REFUND_EOVERFLOW, "the amount is too large", "金额过大" },
		{ REFUND_ECURRENCY, "use the deposit's currency, a known ISO 4217 code such as CNY",
			"请使用押金的币种，例如 CNY" },
		{ REFUND_ECALENDAR, "the calendar has no holiday data for that date: load a newer calendar, or count calendar days",
			"日历没有该日期的节假日数据：请加载新日历或按自然日计算" },
		{ REFUND_EBALANCE, "the amount is more than remains or than the quote allows: \"refundctl case quote ID\" shows the figures",
			"金额超过剩余押金或报价：用 \"refundctl case quote 编号\" 查看明细" },
		{ REFUND_EPARSE, "write money as a decimal (500.00) and times in ISO 8601 (2025-10-01T09:30+08:00)",
			"金额请写成小数（500.00），时间请用 ISO 8601（2025-10-01T09:30+08:00）" },
		{ REFUND_EEVIDENCE, "attach the missing documents first (refundctl case attach ID KIND REF); \"refundctl case show ID\" lists them",
			"请先补充缺少的材料（refundctl case attach 编号 类型 引用）；\"refundctl case show 编号\" 会列出" },
		{ REFUND_ENOMEM, "out of memory: retry", "内存不足：请重试" },
		{ REFUND_EVERSION, "the database was written by a newer refundctl: use that version",
			"数据库由更新版本写入：请使用新版本" },
	};
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].rc == rc)
			return lang == REFUND_LANG_ZH_CN ? hints[i].zh : hints[i].en;
	return lang == REFUND_LANG_ZH_CN ? "请重试；如仍失败请联系管理员"
		: "retry; if it fails again, call an administrator";
}

static void vreport(ctl *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "refundctl%s%s: ", c->command ? " " : "", c->command ? c->command : "");
	vfprintf(stderr, fmt, ap);
}

/* Report a library failure: what failed, the engine's message, the hint. */
int ctl_fail(ctl *c, int rc, const char *fmt, ...)
{
	const char *msg = c->engine ? refund_engine_errmsg(c->engine) : "";
	va_list ap;

	va_start(ap, fmt);
	vreport(c, fmt, ap);
	va_end(ap);
	if (!msg || !*msg)
		msg = refund_strerror(rc, c->lang);
	fprintf(stderr, CTL_TEXT(c, ": %s [%s]\nhint: %s\n", "：%s [%s]\n提示: %s\n"), msg,
			refund_error_name(rc), ctl_hint(rc, c->lang));
	return ctl_exit_code(rc);
}

int ctl_usage_error(ctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, fmt, ap);
	va_end(ap);
	fprintf(stderr, CTL_TEXT(c, "\nsee \"refundctl %s%s--help\"\n",
			"\n用法见 \"refundctl %s%s--help\"\n"),
			c->command ? c->command : "", c->command ? " " : "");
	return CTL_EXIT_USAGE;
}

int ctl_invalid(ctl *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_EXIT_INVALID;
}

refund_time ctl_fixed_clock(void *user)
{
	return ((const ctl *)user)->now;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Open the database (creating it only if @p create) and an engine on it. */
int ctl_open(ctl *c, int create)
{
	refund_engine_options options = REFUND_ENGINE_OPTIONS_INIT;
	refund_sqlite_options sopts = REFUND_SQLITE_OPTIONS_INIT;
	int rc;

	if (c->engine)
		return 0;
	if (!create && strcmp(c->db_path, ":memory:") != 0 && !file_exists(c->db_path)) {
		fprintf(stderr, CTL_TEXT(c, "refundctl: no database at %s\nhint: run \"refundctl "
				"init\" first, or name the database with --db FILE\n",
				"refundctl：%s 处没有数据库\n提示: 先运行 \"refundctl init\"，"
				"或用 --db 指定数据库文件\n"), c->db_path);
		return CTL_EXIT_NOTFOUND;
	}
	sopts.busy_timeout_ms = 10000;
	if ((rc = refund_sqlite_open(&c->store, c->db_path, &sopts)) != 0)
		return ctl_fail(c, rc, "cannot open the database %s", c->db_path);
	options.store = c->store;
	options.lang = c->lang;
	options.notify = c->notify;
	options.notify_user = c->notify_user;
	if (c->now_set) {
		options.clock = ctl_fixed_clock;
		options.clock_user = c;
	}
	if ((rc = refund_engine_new(&c->engine, &options)) != 0) {
		refund_store_free(c->store);
		c->store = NULL;
		return ctl_fail(c, rc, "cannot start the engine");
	}
	return 0;
}

void ctl_close(ctl *c)
{
	refund_engine_free(c->engine);
	refund_store_free(c->store);
	c->engine = NULL;
	c->store = NULL;
}

/* Parse --as ACTOR:ROLE into c->actor and c->role. */
int ctl_need_actor(ctl *c)
{
	const char *colon;
	size_t n;

	if (!c->as || !*c->as)
		return ctl_usage_error(c, "say who acts: --as NAME:ROLE (or set REFUNDCTL_AS), "
				"for example --as M-1001:applicant");
	colon = strrchr(c->as, ':');
	if (!colon)
		return ctl_invalid(c, "--as \"%s\": write NAME:ROLE, for example "
				"--as finance-1:finance", c->as);
	n = (size_t)(colon - c->as);
	if (n == 0 || n > CTL_ACTOR_MAX)
		return ctl_invalid(c, "--as \"%s\": the name must be 1 to %d bytes", c->as,
				CTL_ACTOR_MAX);
	if (refund_role_from_name(colon + 1, &c->role) != 0)
		return ctl_invalid(c, "--as \"%s\": unknown role \"%s\" (applicant, agent, "
				"reviewer, finance, admin)", c->as, colon + 1);
	memcpy(c->actor, c->as, n);
	c->actor[n] = '\0';
	return 0;
}

void ctl_act(const ctl *c, refund_act *act)
{
	act->version = REFUND_ACT_VERSION;
	act->actor = c->actor;
	act->role = c->role;
	act->idempotency_key = c->key;
	act->note = c->note;
}

int ctl_retryable(int rc)
{
	return rc == REFUND_ECONFLICT || rc == REFUND_EBUSY;
}

/* Wait a little before a retry, longer each time, spread by the process id. */
void ctl_backoff(const ctl *c, int attempt, int rc)
{
	long ms = 2L * (attempt + 1) + (long)(getpid() % 7);
	struct timespec ts;

	if (c->debug)
		fprintf(stderr, "refundctl: retry %d after %s\n", attempt + 1,
				refund_error_name(rc));
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * The default policy (the last one loaded), kept in refundctl's own table
 * beside the store's: 0 and its id; CTL_EXIT_NOTFOUND if none was set.
 */
int ctl_default_policy(ctl *c, char *buf, size_t size)
{
	sqlite3 *db = refund_sqlite_db(c->store);
	sqlite3_stmt *st = NULL;
	int rc = CTL_EXIT_NOTFOUND;

	if (!db || sqlite3_prepare_v2(db, "SELECT value FROM refundctl_settings "
			"WHERE key = 'default_policy'", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return CTL_EXIT_NOTFOUND;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int ctl_set_default_policy(ctl *c, const char *id)
{
	sqlite3 *db = refund_sqlite_db(c->store);
	sqlite3_stmt *st = NULL;
	int rc;

	if (!db)
		return CTL_EXIT_STORAGE;
	rc = sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS refundctl_settings "
			"(key TEXT PRIMARY KEY, value TEXT NOT NULL)", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO refundctl_settings "
				"(key, value) VALUES ('default_policy', ?1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "refundctl: could not remember %s as the default policy: %s\n",
				id, sqlite3_errmsg(db));
		return CTL_EXIT_STORAGE;
	}
	return 0;
}

static int defaults_from_environment(ctl *c)
{
	const char *v;

	c->db_path = "refund.db";
	if ((v = getenv("REFUNDCTL_DB")) != NULL && *v)
		c->db_path = v;
	if ((v = getenv("REFUNDCTL_AS")) != NULL && *v)
		c->as = v;
	if ((v = getenv("REFUNDCTL_DEBUG")) != NULL && *v)
		c->debug = 1;
	if ((v = getenv("REFUNDCTL_LANG")) != NULL && *v) {
		if (strcmp(v, "zh-CN") == 0 || strcmp(v, "zh_CN") == 0 || strcmp(v, "zh") == 0)
			c->lang = REFUND_LANG_ZH_CN;
		else if (strcmp(v, "en") != 0)
			return ctl_usage_error(c, "REFUNDCTL_LANG=%s: use en or zh-CN", v);
	}
	if ((v = getenv("REFUNDCTL_TZ")) != NULL && *v && ctl_parse_offset(v, &c->tz) != 0)
		return ctl_usage_error(c, "REFUNDCTL_TZ=%s: write an offset like +08:00 or Z", v);
	return 0;
}

static int run(ctl *c, int argc, char **argv)
{
	const ctl_sub *s;
	int i = 1, rc;

	if ((rc = defaults_from_environment(c)) != 0 ||
			(rc = ctl_take_globals(c, argc, argv, &i)) != 0)
		return rc;
	if (i < argc && ctl_is_help(argv[i])) {
		print_usage(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "--version") == 0) {
		printf("refundctl (librefund %s)\n", refund_version());
		return 0;
	}
	if (i >= argc) {
		print_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if ((s = ctl_find_sub(commands, argv[i])) != NULL) {
		c->command = s->name;
		rc = s->run(c, argc - i - 1, argv + i + 1);
		return rc == CTL_HELP_SHOWN ? 0 : rc;
	}
	return ctl_usage_error(c, "unknown command \"%s\" (see refundctl --help)", argv[i]);
}

int main(int argc, char **argv)
{
	ctl c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = run(&c, argc, argv);
	ctl_close(&c);
	if (fflush(stdout) != 0 && rc == 0)
		rc = CTL_EXIT_OTHER;
	return rc;
}
