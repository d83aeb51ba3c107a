/*
 * quickstart: the smallest complete librefund host.
 *
 * An engine on the in-memory store records a 500.00 CNY deposit for a POS
 * terminal, deducts a handling fee, refunds the rest and prints the ledger.
 * Build: cc quickstart.c $(pkg-config --cflags --libs refund)
 */
#include <stdio.h>

#include <refund.h>

static int check(refund_engine *engine, int rc, const char *what)
{
	if (rc != 0)
		fprintf(stderr, "quickstart: %s: %s (%s)\n", what,
				refund_engine_errmsg(engine), refund_error_name(rc));
	return rc;
}

static void print_ledger(refund_engine *engine, const refund_deposit *deposit)
{
	const char *currency = refund_deposit_currency(deposit);
	refund_balance balance = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	char when[REFUND_TIME_FORMAT_MAX], amount[REFUND_MONEY_FORMAT_MAX];
	size_t i;

	printf("deposit %s  holder %s  agent %s  terminal %s\n",
			refund_deposit_id(deposit), refund_deposit_holder(deposit),
			refund_deposit_agent(deposit), refund_deposit_terminal_serial(deposit));
	for (i = 0; i < refund_deposit_entry_count(deposit); i++) {
		refund_entry entry = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };

		refund_deposit_entry(deposit, i, &entry);
		refund_time_format(entry.at, 8 * 3600, when, sizeof(when));
		refund_money_format(engine, currency, entry.amount, amount, sizeof(amount));
		printf("  %u  %s  %-13s %10s %s  by %s (%s)%s%s\n", (unsigned)entry.seq, when,
				refund_entry_kind_name(entry.kind), amount, currency, entry.actor,
				refund_role_name(entry.role), entry.reference ? "  ref " : "",
				entry.reference ? entry.reference : "");
	}
	refund_deposit_balance(deposit, &balance);
	refund_money_format(engine, currency, balance.held, amount, sizeof(amount));
	printf("  held %s", amount);
	refund_money_format(engine, currency, balance.refunded, amount, sizeof(amount));
	printf(" = refunded %s", amount);
	refund_money_format(engine, currency, balance.deducted, amount, sizeof(amount));
	printf(" + deducted %s", amount);
	refund_money_format(engine, currency, balance.remaining, amount, sizeof(amount));
	printf(" + remaining %s %s\n", amount, currency);
}

int main(void)
{
	refund_engine_options options = REFUND_ENGINE_OPTIONS_INIT;
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	refund_store *store = NULL;
	refund_engine *engine = NULL;
	refund_deposit *deposit = NULL;
	int64_t fee = 0;
	int rc;

	printf("librefund %s\n", refund_version());
	if ((rc = refund_store_memory_new(&store, NULL)) != 0) {
		fprintf(stderr, "quickstart: no store: %s\n", refund_strerror(rc, REFUND_LANG_EN));
		return 1;
	}
	options.store = store;
	if ((rc = refund_engine_new(&engine, &options)) != 0) {
		fprintf(stderr, "quickstart: no engine: %s\n", refund_strerror(rc, REFUND_LANG_EN));
		refund_store_free(store);
		return 1;
	}
	info.id = "DEP-2025-0001";
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-88A-00042";
	info.contract_id = "CT-2024-18";
	info.receipt = "R-5521";
	info.currency = "CNY";
	refund_time_parse("2024-03-01T10:00:00+08:00", &info.paid_at);
	refund_money_parse(engine, "CNY", "500.00", 0, &info.amount);
	rc = check(engine, refund_deposit_create(engine, &deposit, &info, "agent-7",
			REFUND_ROLE_AGENT), "record the deposit");
	/* A 2% handling fee (200 basis points), then the rest back to the holder. */
	if (rc == 0)
		rc = check(engine, refund_money_percent(info.amount, 200, &fee), "fee");
	if (rc == 0)
		rc = check(engine, refund_deposit_post(deposit, REFUND_ENTRY_HANDLING_FEE, fee,
				"finance-1", REFUND_ROLE_FINANCE, "fee 2%"), "charge the fee");
	if (rc == 0)
		rc = check(engine, refund_deposit_post(deposit, REFUND_ENTRY_REFUND,
				info.amount - fee, "finance-1", REFUND_ROLE_FINANCE, "BANK-TX-7781"),
				"refund");
	/* The ledger refuses to pay out twice. */
	if (rc == 0 && refund_deposit_post(deposit, REFUND_ENTRY_REFUND, 1, "finance-1",
			REFUND_ROLE_FINANCE, NULL) == REFUND_EBALANCE)
		printf("a second refund is refused: %s\n", refund_engine_errmsg(engine));
	if (rc == 0)
		print_ledger(engine, deposit);
	refund_deposit_free(deposit);
	refund_engine_free(engine);
	refund_store_free(store);
	return rc == 0 ? 0 : 1;
}
