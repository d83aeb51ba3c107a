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
	{ "device_fault_with_damage_and_fee", "2e11850c1dfa6c306e26551b0106d0b19d57ff1e6b09492e305772564c0a7983" },
	{ "normal_wear_not_deducted", "c3f71fe21575306368c3bb997cfa7a63978c67338e091c9a1671625f855435b2" },
	{ "missing_documents_expire", "1fbd2fc64c59296b4ab0059a98d28ed43dfb701ab1ccbcd2e5cf0454c7bdc91e" },
	{ "review_overdue_escalates_once", "6d6400fbc0051d07ce6e2c62025732f4c092907625b96a36e74b141347b7fa4d" },
	{ "review_deadline_skips_weekend", "a4d469c3a564b5867e8d1e70116340b2a0903156428ca10888ce414c312db751" },
	{ "installments_with_failed_payout", "20b66a0eb47a647a6fa72446b363993fc5f4172e7972898611e9e30ee22c4afd" },
	{ "duplicate_application", "36da33a47abdb3ee92b891922bad1857112992152b63ab24ad20bf343990a135" },
	{ "four_eyes", "f6c91c268b7ef262fa4daf1ad499ca2f453dda5d855e9fd20767a51532b10656" },
	{ "applicant_cannot_approve", "3397090efbcfe5222d3f78532995fcd1307bda56609f78aeb9508fbbff40d482" },
	{ "usage_tiers", "3b6b58e8874237a770b783eb63e11c615a20e3f560d759ad767806b666e7a871" },
	{ "usage_changed_mid_case", "8f14f82baaf4cf48be2dc293b93e405f5353520be933be5ddeefe4393449042f" },
	{ "window_closed", "62c80dbe62d7966cd21c0668275698666f9858cb998b5731c5447d2e75a9b89c" },
	{ "policy_changed_mid_case", "7ca3d6c799b77bf3b9de1bb5fcf39ac5c996bbdc25dbffa4e59f720fafb14b0e" },
	{ "withdraw_then_reapply", "d79f52fb6933aa2256c58a7b70fdb4f0eaebcfac1c2f37612ef4e6cab00e47e2" },
	{ "appeal_after_rejection", "43f079d540c507c324e9fac42c3a53bb357c29f1e28515c5e61cb0d6dd9a149f" },
	{ "auto_close_after_payout", "26ecddbb7400ff1b72d4ed61e17d278d49a4b21954972856f78d2eda1f382353" },
	{ "two_engines_one_store", "d9e8ac6329fbd32fb3181b4258867f8f4e6b6634d4d6303dfe7c10a1619eb82c" },
	{ "stale_handle_cannot_pay_twice", "952fce26c5342c8f65501e1be26ee1dadd02cf278e61ff95e07429b4ca1423c3" },
	{ "store_fails_at_commit", "3d5afbec93e01e0f5cef539c020a3e61f049e969349936de033711fec2aa6dea" },
	{ "edited_event_found_by_verify", "1ee1578a1615980f2e886433c2454104383430aa7c83db0c6ae1fe3bffa0e928" },
	{ "explain", "1a755cb8023cae9b6d297e2566043d8f8e9298803220d4b821d801e022251201" },
	{ "idempotency", "e2caedfcdb9ec08271519075b01b4889c34576e1a022502a527272595f8a939f" },
};

#endif
