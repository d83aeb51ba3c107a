/*
 * The command line: global options (accepted anywhere), each command's own
 * options and positional arguments, --help on every command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refundctl.h"

/* "--name=value" or "--name value": the value, advancing *i; NULL if missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (arg[n] == '=')
		return arg + n + 1;
	if (*i + 1 >= argc)
		return NULL;
	(*i)++;
	return argv[*i];
}

/* Whether argv[i] is option @p name, alone or as "name=value". */
static int is_option(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int set_lang(ctl *c, const char *value)
{
	if (strcmp(value, "en") == 0 || strcmp(value, "en-US") == 0 ||
			strcmp(value, "en_US") == 0) {
		c->lang = REFUND_LANG_EN;
		return 0;
	}
	if (strcmp(value, "zh-CN") == 0 || strcmp(value, "zh_CN") == 0 ||
			strcmp(value, "zh") == 0) {
		c->lang = REFUND_LANG_ZH_CN;
		return 0;
	}
	return ctl_usage_error(c, "--lang: unknown language \"%s\" (use en or zh-CN)", value);
}

static int set_global(ctl *c, const char *name, const char *value)
{
	if (strcmp(name, "--db") == 0) {
		if (!*value)
			return ctl_usage_error(c, "--db: give a file name");
		c->db_path = value;
		c->db_given = 1;
	} else if (strcmp(name, "--as") == 0) {
		c->as = value;
	} else if (strcmp(name, "--lang") == 0) {
		return set_lang(c, value);
	} else if (strcmp(name, "--now") == 0) {
		if (ctl_parse_time(c, "--now", value, &c->now) != 0)
			return CTL_EXIT_INVALID;
		c->now_set = 1;
	} else if (strcmp(name, "--tz") == 0) {
		if (ctl_parse_offset(value, &c->tz) != 0)
			return ctl_usage_error(c, "--tz: \"%s\" is not an offset like +08:00 or Z",
					value);
	} else if (strcmp(name, "--key") == 0) {
		c->key = value;
	} else if (strcmp(name, "--note") == 0) {
		c->note = value;
	}
	return 0;
}

/*
 * If argv[*i] is a global option, take it (and its value) and return 1;
 * *rc is then 0 or the exit code of a bad value.  Otherwise return 0.
 */
int ctl_global_option(ctl *c, int argc, char **argv, int *i, int *rc)
{
	static const char *const with_value[] = {
		"--db", "--as", "--lang", "--now", "--tz", "--key", "--note"
	};
	const char *arg = argv[*i];
	size_t k;

	*rc = 0;
	if (strcmp(arg, "--json") == 0) {
		c->json = 1;
		return 1;
	}
	for (k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++) {
		const char *value;

		if (!is_option(arg, with_value[k]))
			continue;
		value = option_value(argc, argv, i, with_value[k]);
		if (!value) {
			*rc = ctl_usage_error(c, "%s needs a value", with_value[k]);
			return 1;
		}
		*rc = set_global(c, with_value[k], value);
		return 1;
	}
	return 0;
}

/*
 * Take the global options before a command's name: returns 0 with *i at the
 * first other argument (argc if none), or the exit code of a bad value.
 */
int ctl_take_globals(ctl *c, int argc, char **argv, int *i)
{
	int rc;

	for (; *i < argc; (*i)++) {
		if (argv[*i][0] != '-' || !ctl_global_option(c, argc, argv, i, &rc))
			return 0;
		if (rc)
			return rc;
	}
	return 0;
}

int ctl_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

const ctl_sub *ctl_find_sub(const ctl_sub *subs, const char *name)
{
	for (; subs->name; subs++)
		if (strcmp(subs->name, name) == 0)
			return subs;
	return NULL;
}

void ctl_print_globals(FILE *out)
{
	fputs("global options (anywhere on the line):\n"
		"  --db FILE           the database (default $REFUNDCTL_DB or ./refund.db)\n"
		"  --as ACTOR:ROLE     who acts (default $REFUNDCTL_AS); roles: applicant,\n"
		"                      agent, reviewer, finance, admin\n"
		"  --json              machine-readable output (stable keys, see refundctl(1))\n"
		"  --lang en|zh-CN     language of messages (default $REFUNDCTL_LANG or en)\n"
		"  --now TIME          fix the clock (ISO 8601), for scripts and tests\n"
		"  --tz OFFSET         show times in this UTC offset (+08:00; default Z)\n"
		"  --key KEY           idempotency key: a retried action is not repeated\n"
		"  --note TEXT         a note kept in the case's audit trail\n"
		"  --help              this help\n", out);
}

static void print_help(const ctl *c, const ctl_spec *spec)
{
	const ctl_opt *o;

	printf("usage: refundctl %s %s\n\n%s\n", c->command, spec->usage, spec->summary);
	if (spec->opts && spec->opts[0].name) {
		printf("\noptions:\n");
		for (o = spec->opts; o->name; o++) {
			char left[64];

			snprintf(left, sizeof(left), "%s%s%s", o->name, o->arg ? " " : "",
					o->arg ? o->arg : "");
			printf("  %-19s %s\n", left, o->help);
		}
	}
	printf("\n");
	ctl_print_globals(stdout);
}

static const ctl_opt *find_opt(const ctl_spec *spec, const char *arg)
{
	const ctl_opt *o;

	if (!spec->opts)
		return NULL;
	for (o = spec->opts; o->name; o++)
		if (is_option(arg, o->name))
			return o;
	return NULL;
}

static int take_opt(ctl *c, const ctl_opt *o, int argc, char **argv, int *i)
{
	const char *value;

	if (!o->arg) {
		if (argv[*i][strlen(o->name)] == '=')
			return ctl_usage_error(c, "%s takes no value", o->name);
		*o->value = "1";
		return 0;
	}
	value = option_value(argc, argv, i, o->name);
	if (!value)
		return ctl_usage_error(c, "%s needs a value (%s)", o->name, o->arg);
	*o->value = value;
	return 0;
}

/*
 * Parse a command's arguments (after its name).  Returns 0, CTL_HELP_SHOWN
 * after printing --help, or an exit code after printing what is wrong.
 */
int ctl_parse(ctl *c, int argc, char **argv, const ctl_spec *spec,
		const char **args, int *nargs)
{
	int i, rc, only_args = 0;

	*nargs = 0;
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const ctl_opt *o;

		if (!only_args && strcmp(arg, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (!only_args && ctl_is_help(arg)) {
			print_help(c, spec);
			return CTL_HELP_SHOWN;
		}
		if (!only_args && arg[0] == '-' && arg[1] != '\0') {
			if (ctl_global_option(c, argc, argv, &i, &rc)) {
				if (rc)
					return rc;
				continue;
			}
			if ((o = find_opt(spec, arg)) == NULL)
				return ctl_usage_error(c, "unknown option %s", arg);
			if ((rc = take_opt(c, o, argc, argv, &i)) != 0)
				return rc;
			continue;
		}
		if (*nargs >= spec->max_args)
			return ctl_usage_error(c, "unexpected argument \"%s\"", arg);
		args[(*nargs)++] = arg;
	}
	if (*nargs < spec->min_args)
		return ctl_usage_error(c, "missing argument: %s %s", c->command, spec->usage);
	return 0;
}

static void print_group_help(const char *group, const ctl_sub *subs, FILE *out)
{
	const ctl_sub *s;

	fprintf(out, "usage: refundctl %s COMMAND [ARGS] [OPTIONS]\n\ncommands:\n", group);
	for (s = subs; s->name; s++)
		fprintf(out, "  %-14s %s\n", s->name, s->summary);
	fprintf(out, "\n\"refundctl %s COMMAND --help\" describes each.\n", group);
}

/* Run the subcommand named by the first argument that is not a global option. */
int ctl_dispatch(ctl *c, const char *group, const ctl_sub *subs, int argc, char **argv)
{
	const ctl_sub *s;
	int i = 0, rc;

	if ((rc = ctl_take_globals(c, argc, argv, &i)) != 0)
		return rc;
	if (i < argc && ctl_is_help(argv[i])) {
		print_group_help(group, subs, stdout);
		return CTL_HELP_SHOWN;
	}
	if (i >= argc) {
		print_group_help(group, subs, stderr);
		return CTL_EXIT_USAGE;
	}
	if ((s = ctl_find_sub(subs, argv[i])) != NULL) {
		snprintf(c->command_buf, sizeof(c->command_buf), "%s %s", group, s->name);
		c->command = c->command_buf;
		return s->run(c, argc - i - 1, argv + i + 1);
	}
	c->command = group;
	return ctl_usage_error(c, "unknown command \"%s %s\" (see refundctl %s --help)",
			group, argv[i], group);
}
