/*
 * The stored format, pinned: for each story of case_scenarios.c, the SHA-256
 * of store_dump() after it.  Regenerate only for a deliberate format change:
 *     REFUND_PRINT_FORMAT=1 build/tests/test_case
 */
#ifndef REFUND_TEST_STORED_FORMAT_H
#define REFUND_TEST_STORED_FORMAT_H

static const struct {
	const char *scenario;
	const char *sha256;
} stored_format[] = {
	{ "device_fault_with_damage_and_fee", "d2c2dca981c7a1262d7e63d8e858f51140b4483dcfcb7c2f72acecc54a92eb31" },
	{ "normal_wear_not_deducted", "f620311524a59351f09e3c7abd5a1d7dd3bd6ba30942bfafe06626578da06731" },
	{ "missing_documents_expire", "4459d7f15f036dac0c7c55514dc9982a7773477796b68706aa1a99f9629ef023" },
	{ "review_overdue_escalates_once", "04e88c569050964e9bf927b0f11236e8787d1c17075e0d1de81f1a99f67ba040" },
	{ "review_deadline_skips_weekend", "a660872b688adb7175928369e10e8d44846365c5abbf5dc0c584d5d1d18da2bf" },
	{ "installments_with_failed_payout", "7a34acf86845ab01d89f582129bc3c3489a35fb062faf03e59bec5c19f3400b7" },
	{ "duplicate_application", "f3c43465529b5b83ce97230ccd2b7ffbe749b538a0c0a24aa3b4d81adb1c34a0" },
	{ "four_eyes", "c89f8e890d9bfc3d1997f911c22a8b2d60ac672f0b3534b4f249305f46c48914" },
	{ "applicant_cannot_approve", "aab2cc9a0659eaefe6332b703c4dc70aa478ce2ce6ce4d351eb25f2494b95173" },
	{ "usage_tiers", "69568d80b59161c95aacd708a2c2b26129d4f0e944abba98e4ba0ea94658f39b" },
	{ "usage_changed_mid_case", "1a24f6fac3ef430f80712b7f917391208507d0ec51d11320adfd4aabfb4fad2f" },
	{ "window_closed", "6bf4b8443c1fc2786346191f0d57f1749d2c554f16eb59d4ea53a962aa9d506c" },
	{ "policy_changed_mid_case", "16d7d239a1f02d7c8c57af27320ce68899634a0964cb201d27e748ae9312420c" },
	{ "withdraw_then_reapply", "43f90139c86163dc6aa8e816e4e725212f15181caaf335c93b9c0c07f306e2eb" },
	{ "appeal_after_rejection", "56903b5598335f2b4614228d8adced3774f016845719e0f81fd27489621a373a" },
	{ "auto_close_after_payout", "18ed19c441faebb7707d3ea211202e99a2ec73eb5353bdd09bca9e17d54581ea" },
	{ "two_engines_one_store", "428ba3638464bf3a6e7c9a674a9f4a415109e32bf2c77bf3da434edc78e2b530" },
	{ "stale_handle_cannot_pay_twice", "0f2dc6454dc31b970bc33c37175eb8dcb4a370e72a121907a17666296301288b" },
	{ "store_fails_at_commit", "202cfb13c9730696125ca6879c6c4c69afe2c260013ca05939a11048249cbb61" },
	{ "edited_event_found_by_verify", "bc2f1cdb30537750a9c6b2055555f7fb948ccc0e7f3309cf4b068284ab47af80" },
	{ "explain", "91f9dfa5bdae5de16625ea35ef7259cd1557e1fcbbb14463c0636ce312bff842" },
	{ "idempotency", "a6371d2c4d41adfaa6bf52e766425eba67b954d56d03bc424ede9871264d4ae1" },
};

#endif
