/*
 * deposit add|show|list|usage (import is in cmd_import.c): the money held
 * for each terminal and its ledger.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "refundctl.h"

static int deposit_add(ctl *c, int argc, char **argv)
{
	const char *holder = NULL, *agent = NULL, *terminal = NULL, *amount = NULL;
	const char *currency = "CNY", *paid_at = NULL, *contract = NULL, *receipt = NULL;
	const char *contract_end = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--holder", "ID", &holder, "the merchant who paid it (required)" },
		{ "--agent", "ID", &agent, "the agent who collected it (required)" },
		{ "--terminal", "SERIAL", &terminal, "the terminal's serial number (required)" },
		{ "--amount", "AMOUNT", &amount, "the amount, a decimal such as 500.00 (required)" },
		{ "--currency", "CODE", &currency, "ISO 4217 code (default CNY)" },
		{ "--paid-at", "TIME", &paid_at, "when it was paid, ISO 8601 (required)" },
		{ "--contract", "ID", &contract, "the contract" },
		{ "--receipt", "NUMBER", &receipt, "the deposit receipt (押金收据)" },
		{ "--contract-end", "TIME", &contract_end, "when the contract ends" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "ID --holder ID --agent ID --terminal SERIAL --amount AMOUNT "
		"--paid-at TIME [OPTIONS]",
		"Record a deposit received for a terminal (roles: agent, finance, admin).",
		1, 1, opts };
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	refund_deposit *d = NULL;
	int nargs, rc;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!holder || !agent || !terminal || !amount || !paid_at)
		return ctl_usage_error(c, "--holder, --agent, --terminal, --amount and "
				"--paid-at are required");
	if ((rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	info.id = args[0];
	info.holder = holder;
	info.agent = agent;
	info.terminal_serial = terminal;
	info.contract_id = contract;
	info.receipt = receipt;
	info.currency = currency;
	if ((rc = ctl_parse_money(c, "--amount", currency, amount, &info.amount)) != 0 ||
			(rc = ctl_parse_time(c, "--paid-at", paid_at, &info.paid_at)) != 0 ||
			(contract_end && (rc = ctl_parse_time(c, "--contract-end", contract_end,
				&info.contract_end)) != 0))
		return rc;
	if ((rc = refund_deposit_create(c->engine, &d, &info, c->actor, c->role)) != 0)
		return ctl_fail(c, rc, CTL_TEXT(c, "deposit %s", "押金 %s"), args[0]);
	if (c->json)
		ctl_show_deposit(c, d);
	else
		printf(CTL_TEXT(c, "recorded deposit %s: %s %s from %s (agent %s, terminal %s)\n",
				"已登记押金 %s：%s %s，商户 %s（代理商 %s，终端 %s）\n"), args[0],
				amount, currency, holder, agent, terminal);
	refund_deposit_free(d);
	return 0;
}

static int deposit_show(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "ID", "Show a deposit, its balance and its ledger.", 1, 1, NULL };
	refund_deposit *d = NULL;
	int nargs, rc;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_open(c, 0)) != 0)
		return rc;
	if ((rc = refund_deposit_load(c->engine, &d, args[0])) != 0)
		return ctl_fail(c, rc, CTL_TEXT(c, "deposit %s", "押金 %s"), args[0]);
	ctl_show_deposit(c, d);
	refund_deposit_free(d);
	return 0;
}

static int list_one(void *ctx, const refund_deposit *d)
{
	ctl_list *l = ctx;

	l->count++;
	if (l->j)
		ctl_json_deposit(l->c, l->j, d, 0);
	else
		ctl_print_deposit(l->c, d, 0);
	return 0;
}

static int deposit_list(ctl *c, int argc, char **argv)
{
	const char *holder = NULL, *agent = NULL, *after = NULL, *limit = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--holder", "ID", &holder, "only this merchant's deposits" },
		{ "--agent", "ID", &agent, "only this agent's deposits" },
		{ "--after", "ID", &after, "only ids after this one (paging)" },
		{ "--limit", "N", &limit, "at most N deposits" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "[--holder ID] [--agent ID] [--after ID] [--limit N]",
		"List deposits in id order.", 0, 0, opts };
	refund_deposit_filter filter = REFUND_DEPOSIT_FILTER_INIT;
	ctl_list l;
	int64_t n = 0;
	int nargs, rc;
	ctl_json j;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(limit && (rc = ctl_parse_int(c, "--limit", limit, 1, 1000000, &n)) != 0) ||
			(rc = ctl_open(c, 0)) != 0)
		return rc;
	filter.holder = holder;
	filter.agent = agent;
	filter.after_id = after;
	filter.limit = (size_t)n;
	ctl_list_begin(c, &l, &j, "deposits");
	rc = refund_deposit_list(c->engine, &filter, list_one, &l);
	return ctl_list_end(&l, rc, "deposits", "押金");
}

static int deposit_usage(ctl *c, int argc, char **argv)
{
	const char *days = NULL, *volume = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--days", "N", &days, "days the terminal has been in service (required)" },
		{ "--volume", "AMOUNT", &volume, "transaction volume so far (required)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "ID --days N --volume AMOUNT",
		"Record the usage that the policy's refund tiers are judged on "
		"(roles: agent, admin).", 1, 1, opts };
	refund_deposit *d = NULL;
	int64_t ndays = 0, vol = 0;
	int nargs, rc, attempt;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!days || !volume)
		return ctl_usage_error(c, "--days and --volume are required");
	if ((rc = ctl_parse_int(c, "--days", days, 0, 1000000, &ndays)) != 0 ||
			(rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	for (attempt = 0;; attempt++) {
		if ((rc = refund_deposit_load(c->engine, &d, args[0])) != 0)
			return ctl_fail(c, rc, CTL_TEXT(c, "deposit %s", "押金 %s"), args[0]);
		if (attempt == 0 && (rc = ctl_parse_money(c, "--volume",
				refund_deposit_currency(d), volume, &vol)) != 0)
			break;
		rc = refund_deposit_set_usage(d, ndays, vol, c->actor, c->role);
		if (!ctl_retryable(rc) || attempt >= CTL_RETRIES)
			break;
		refund_deposit_free(d);
		d = NULL;
		ctl_backoff(c, attempt, rc);
	}
	if (rc < 0)
		rc = ctl_fail(c, rc, CTL_TEXT(c, "deposit %s", "押金 %s"), args[0]);
	else if (rc == 0)
		printf(CTL_TEXT(c, "deposit %s: %" PRId64 " days in service, volume %s %s\n",
				"押金 %s：已使用 %" PRId64 " 天，交易量 %s %s\n"), args[0], ndays,
				volume, refund_deposit_currency(d));
	refund_deposit_free(d);
	return rc;
}

int cmd_deposit(ctl *c, int argc, char **argv)
{
	static const ctl_sub subs[] = {
		{ "add", deposit_add, "record a deposit" },
		{ "show", deposit_show, "show a deposit and its ledger" },
		{ "list", deposit_list, "list deposits" },
		{ "import", cmd_deposit_import, "record deposits from a CSV file" },
		{ "usage", deposit_usage, "record a terminal's usage (days, volume)" },
		{ NULL, NULL, NULL }
	};

	return ctl_dispatch(c, "deposit", subs, argc, argv);
}
