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
	{ "device_fault_with_damage_and_fee", "109134fbb63ff6e9f181e56f1f804ab2e96187b99586903f3001fc192d0dc8f2" },
	{ "normal_wear_not_deducted", "b8982939861744a315fc47763673ea7c2dda90710d3cb846051d2291a1fd7e44" },
	{ "missing_documents_expire", "28ca7a87835c13f6fe0178ced988ce5f5166c734c40016cdd51909a97bbda3be" },
	{ "review_overdue_escalates_once", "e4f0fd3a22b624db6bdd6a2ca14c50a6e4e1acef5451dd8a0b423902995ab5df" },
	{ "review_deadline_skips_weekend", "ef2507f1c72fe384e45b089c1d48f63e44596076aa50646df4d547b70d658684" },
	{ "installments_with_failed_payout", "39ca8c473408dcbfaee0e4c6b7ce8ee4c2a79b0e653d13b6bc638c7c8a586484" },
	{ "duplicate_application", "d9f99a4bb764d7b884205639ea3b27ec169ae44c2842ef61ae5ed3edd884f3d9" },
	{ "four_eyes", "02fa1e2aba6d66a8346138371bf2e54fd5060b7cf0bfd5e9b8583643817405a7" },
	{ "applicant_cannot_approve", "5b9c102fa9484a3e682d27e09564da70acb0755ae20addf21d19dccc7a151282" },
	{ "usage_tiers", "d0527508f6063fbd10bdc4e267c6fcd0e7c53d5ff31a3989e299f30ce03f09a1" },
	{ "usage_changed_mid_case", "1cac44998804d5d41bff0a93a57059e43763b994bdaeb67eac8dec307162bb7e" },
	{ "window_closed", "d0f92dd436f5f5ee163268ccda6c2f60d327b5f44df527ce1f8fc01069beba5a" },
	{ "policy_changed_mid_case", "1ffb35cb8fcafe2364131a1d22c0bad7dae4e359a95f792a986b83e07d7b10f8" },
	{ "withdraw_then_reapply", "46e8d98c11cda7d98daf3b0f80c7bedf98bdcf8a9691d00f9e33d2c3572424a1" },
	{ "appeal_after_rejection", "6c18c1f836d1c3a580d58ae3ddc506a7c308e9da6c4001cb22b7f14fcef74c87" },
	{ "auto_close_after_payout", "e098dd33f2a097616aa9c48582e7f4b84db92695e40fcfcdda42bda823ef791b" },
	{ "two_engines_one_store", "cb75eda4139a36280845456eab4c5f0547803cc54475c29ea06860b813bd8c97" },
	{ "stale_handle_cannot_pay_twice", "b5766773cfdfa315a90b6fa9db05ff4a6f47f1bcec63f0db5c57e7535208966f" },
	{ "store_fails_at_commit", "e203cde2b760dd6eed941f4e3878d46e07b0a4f0fd8fe690f767f32b60e373b5" },
	{ "edited_event_found_by_verify", "40cbc08ee2473c03ac95017f452b9ebf3e2477b82918326f15a1fe0039f8406e" },
	{ "explain", "1961a1da6ea28f9275f612d3efeb10351ffc2a7d95b44498e2bf807ca94ecfb5" },
	{ "idempotency", "78dbdb6c369bf1cb78cbebffbb919e058ab81d1be4adbe7b22952ed4bb8f865c" },
};

#endif
