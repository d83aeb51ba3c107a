/*
 * init, policy show|load|default: the database and the rules cases are
 * judged by.  Policies are read in the library's text form
 * (refund_policy_parse) and published as the next version of their id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "refundctl.h"

/* Largest policy file refund_policy_parse() takes. */
#define POLICY_FILE_MAX (1024 * 1024)

/* Read a whole file into a new buffer (freed by the caller). */
static int read_file(ctl *c, const char *path, size_t max, char **out, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "refundctl %s: cannot read %s: %s\n", c->command, path,
				strerror(errno));
		return errno == ENOENT ? CTL_EXIT_NOTFOUND : CTL_EXIT_OTHER;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return ctl_fail(c, REFUND_ENOMEM, "reading %s", path);
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "refundctl %s: cannot read %s: %s\n", c->command, path,
				strerror(errno));
		free(buf);
		fclose(f);
		return CTL_EXIT_OTHER;
	}
	fclose(f);
	if (n > max) {
		free(buf);
		return ctl_invalid(c, "%s is larger than %zu bytes", path, max);
	}
	*out = buf;
	*size = n;
	return 0;
}

/* Parse and publish a policy file; on success *out is the published policy. */
static int publish_file(ctl *c, const char *path, refund_policy **out)
{
	refund_policy *p = NULL;
	char *text = NULL;
	size_t size = 0;
	int rc, attempt;

	if ((rc = read_file(c, path, POLICY_FILE_MAX, &text, &size)) != 0)
		return rc;
	rc = refund_policy_parse(c->engine, &p, text, size);
	free(text);
	if (rc != 0)
		return ctl_fail(c, rc, "policy %s", path);
	for (attempt = 0;; attempt++) {
		rc = refund_policy_publish(p, c->actor, c->role);
		if (!ctl_retryable(rc) || attempt >= CTL_RETRIES)
			break;
		ctl_backoff(c, attempt, rc);
	}
	if (rc != 0) {
		rc = ctl_fail(c, rc, "publish policy %s from %s", refund_policy_id(p), path);
		refund_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

static void print_published(ctl *c, ctl_json *j, const refund_policy *p)
{
	if (c->json) {
		json_key(j, "policy");
		if (!p) {
			json_null(j);
			return;
		}
		json_open(j, '{');
		json_kstr(j, "id", refund_policy_id(p));
		json_kint(j, "version", refund_policy_version(p));
		json_kstr(j, "currency", refund_policy_currency(p));
		json_close(j, '}');
	} else if (p) {
		printf(CTL_TEXT(c, "published policy %s version %u (%s); it is the default for new "
				"cases\n", "已发布退款政策 %s 第 %u 版（%s），新案件默认使用该政策\n"),
				refund_policy_id(p), (unsigned)refund_policy_version(p),
				refund_policy_currency(p));
	}
}

static int load_and_default(ctl *c, const char *path, int make_default, refund_policy **out)
{
	int rc;

	if ((rc = ctl_need_actor(c)) != 0 || (rc = publish_file(c, path, out)) != 0)
		return rc;
	if (make_default)
		return ctl_set_default_policy(c, refund_policy_id(*out));
	return 0;
}

int cmd_init(ctl *c, int argc, char **argv)
{
	const char *policy = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--policy", "FILE", &policy, "publish this policy file and make it the default" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "[--policy FILE]",
		"Create the database (or check an existing one) and optionally load a policy.",
		0, 0, opts };
	refund_policy *p = NULL;
	struct stat st;
	int nargs, rc, existed;
	ctl_json j;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (policy && (rc = ctl_need_actor(c)) != 0)
		return rc;
	existed = stat(c->db_path, &st) == 0;
	if ((rc = ctl_open(c, 1)) != 0)
		return rc;
	if (policy && (rc = load_and_default(c, policy, 1, &p)) != 0)
		return rc;
	if (c->json) {
		json_begin(&j);
		json_kstr(&j, "database", c->db_path);
		json_kbool(&j, "created", !existed);
		print_published(c, &j, p);
		json_finish(&j);
	} else {
		printf(CTL_TEXT(c, "database %s %s\n", "数据库 %s %s\n"), c->db_path, existed
				? CTL_TEXT(c, "is ready", "已就绪") : CTL_TEXT(c, "created", "已创建"));
		print_published(c, NULL, p);
	}
	refund_policy_free(p);
	return 0;
}

static int policy_load(ctl *c, int argc, char **argv)
{
	const char *no_default = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--no-default", NULL, &no_default, "do not make it the default for new cases" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "FILE [--no-default]",
		"Publish the policy in FILE as the next version of its id (role: admin).\n"
		"Cases keep the version they were opened under until re-evaluated.",
		1, 1, opts };
	refund_policy *p = NULL;
	int nargs, rc;
	ctl_json j;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	if ((rc = load_and_default(c, args[0], !no_default, &p)) != 0)
		return rc;
	if (c->json) {
		json_begin(&j);
		print_published(c, &j, p);
		json_finish(&j);
	} else {
		printf(CTL_TEXT(c, "published policy %s version %u (%s)%s\n",
				"已发布退款政策 %s 第 %u 版（%s）%s\n"), refund_policy_id(p),
				(unsigned)refund_policy_version(p), refund_policy_currency(p),
				no_default ? "" : CTL_TEXT(c, "; it is the default for new cases",
				"，新案件默认使用该政策"));
	}
	refund_policy_free(p);
	return 0;
}

/* The policy named by @p ref ("ID[@VERSION]"), or the default if NULL. */
static int load_policy_ref(ctl *c, const char *ref, refund_policy **out)
{
	char id[CTL_ID_BUF];
	uint32_t version = 0;
	int rc;

	if (ref) {
		if ((rc = ctl_parse_policy_ref(c, ref, id, sizeof(id), &version)) != 0)
			return rc;
	} else if (ctl_default_policy(c, id, sizeof(id)) != 0) {
		fprintf(stderr, CTL_TEXT(c, "refundctl %s: no default policy yet\nhint: load one "
				"with \"refundctl policy load FILE\" or name it: refundctl %s ID\n",
				"refundctl %s：尚无默认退款政策\n提示: 用 \"refundctl policy load 文件\" "
				"加载，或指明政策：refundctl %s 编号\n"), c->command, c->command);
		return CTL_EXIT_NOTFOUND;
	}
	if ((rc = refund_policy_load(c->engine, out, id, version)) != 0)
		return ctl_fail(c, rc, CTL_TEXT(c, "policy %s", "退款政策 %s"), ref ? ref : id);
	return 0;
}

static int policy_show(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "[ID[@VERSION]]",
		"Show a published policy in its text form (default: the default policy, latest version).",
		0, 1, NULL };
	refund_policy *p = NULL;
	size_t needed = 0;
	char *text = NULL;
	int nargs, rc;
	ctl_json j;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_open(c, 0)) != 0 ||
			(rc = load_policy_ref(c, nargs ? args[0] : NULL, &p)) != 0)
		return rc;
	rc = refund_policy_format(p, NULL, 0, &needed);
	if ((rc == 0 || rc == REFUND_ERANGE) && needed > 0 && (text = malloc(needed)) != NULL)
		rc = refund_policy_format(p, text, needed, NULL);
	else if (rc == 0 || rc == REFUND_ERANGE)
		rc = REFUND_ENOMEM;
	if (rc != 0) {
		free(text);
		rc = ctl_fail(c, rc, "policy %s: cannot write its text form", refund_policy_id(p));
		refund_policy_free(p);
		return rc;
	}
	if (c->json) {
		json_begin(&j);
		json_kstr(&j, "id", refund_policy_id(p));
		json_kint(&j, "version", refund_policy_version(p));
		json_kstr(&j, "currency", refund_policy_currency(p));
		json_kstr(&j, "text", text);
		json_finish(&j);
	} else {
		printf(CTL_TEXT(c, "# policy %s version %u (%s)\n%s", "# 退款政策 %s 第 %u 版（%s）\n%s"),
				refund_policy_id(p),
				(unsigned)refund_policy_version(p), refund_policy_currency(p), text);
		if (needed > 1 && text[needed - 2] != '\n')
			putchar('\n');
	}
	free(text);
	refund_policy_free(p);
	return 0;
}

static int policy_default(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "ID",
		"Make a published policy the default for \"case open\".", 1, 1, NULL };
	refund_policy *p = NULL;
	int nargs, rc;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_open(c, 0)) != 0 || (rc = load_policy_ref(c, args[0], &p)) != 0)
		return rc;
	rc = ctl_set_default_policy(c, refund_policy_id(p));
	if (rc == 0 && !c->json)
		printf(CTL_TEXT(c, "policy %s is the default for new cases\n",
				"新案件默认使用退款政策 %s\n"), refund_policy_id(p));
	refund_policy_free(p);
	return rc;
}

int cmd_policy(ctl *c, int argc, char **argv)
{
	static const ctl_sub subs[] = {
		{ "show", policy_show, "show a policy in its text form" },
		{ "load", policy_load, "publish a policy file (admin)" },
		{ "default", policy_default, "choose the policy new cases use" },
		{ NULL, NULL, NULL }
	};

	return ctl_dispatch(c, "policy", subs, argc, argv);
}
