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
	{ "device_fault_with_damage_and_fee", "c4602c3891ae120b0f91de1e51d0cd09080179789007e4a24b8bc2660258ddee" },
	{ "normal_wear_not_deducted", "97fc77c55d086dfc0cce103f33e251f842388f5f6b619a08be165eec2d03d3da" },
	{ "missing_documents_expire", "c7f038b6f029e189abf968df880a74b2505d802920407025f52f9f5baea36d0b" },
	{ "review_overdue_escalates_once", "b1ab6d2dbd077519dc7d3d9d93c2160acdca6e79c7ea833b96d33ab95f3c2e78" },
	{ "review_deadline_skips_weekend", "dd4cfea29b123237aa610b02605e5466e464433cd2ebb33f074f5882c00ba1cb" },
	{ "installments_with_failed_payout", "64e04d989726b775ce2017bc97865fa6c64ad99a73748e8dd537db926d9d723a" },
	{ "duplicate_application", "c6ae4f6831edd95afc10c50f06acbc9284e8a690a9ab2726fa743397ebaacda5" },
	{ "four_eyes", "b0e93954ad4f26c8d53950de23516cc80ca82ecebb38477558cf706c8adbb1a8" },
	{ "applicant_cannot_approve", "ae837519d856c2c6a012ce7eb3b64ebcc75401aa222520c934426fdff45f49fd" },
	{ "usage_tiers", "dda7578ab5cf0aafd899cc5bf9c4b54e2b16555d25089b1aa82189572e9711be" },
	{ "usage_changed_mid_case", "23b1ed452b9318111ab57d8c4ca3642782fefc5f4cd93a8243d95a4ce26c9edb" },
	{ "window_closed", "d3061b55864b0fb7ec4c97f146d6f6952b00d0b02203c92fd847f90f90ff4d81" },
	{ "policy_changed_mid_case", "69877b74104201aba015e539b9d92d05debca502b7dc74bef859696ef4d99717" },
	{ "withdraw_then_reapply", "0ad02f33d2249c1bc19f4b447e1db991730e284f2f261867de77f1abdd749a64" },
	{ "appeal_after_rejection", "2f985d673f260c6bc93b181a9bb1778e50be094138ab830bee435aec406021f1" },
	{ "auto_close_after_payout", "5137fe2a5947f3ec25e14cba174528c20c2e97c28fb1d1266420c5889d2c91bf" },
	{ "two_engines_one_store", "8ed67542a88a8ea11b443b6052539a02e42edbb0e6d10c733f25ec7b63c8bdb5" },
	{ "stale_handle_cannot_pay_twice", "f1669ff756ad5fcc34840125a7ecbb6898e52a66bb11c88121248389521cba2b" },
	{ "store_fails_at_commit", "53b711f0dcc7ada9bc201b5288bcba40ed1cada3f27d176073b79c98d68078e0" },
	{ "edited_event_found_by_verify", "a06193ec4df8d73616ad7df7afa3d1bfb94b6324251723249e6cedac03be7390" },
	{ "explain", "3024ebb4a328bd94800924aad94953c06a7eb473ef6d28843a42958a8167f34c" },
	{ "idempotency", "0dabe08d28fccd60d18ce728bedde490b6fc5117a0874fde63f3c2d86814ca18" },
};

#endif
