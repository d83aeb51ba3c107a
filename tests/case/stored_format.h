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
	{ "device_fault_with_damage_and_fee", "078c461d5f9dd2fa03c1794cd805ae92f52e7e3d3eb1722e1decfd24206ce5a2" },
	{ "normal_wear_not_deducted", "8c305fbb1b7fdd7313c2c7732f42db33ca80d5544dea343934d40bb9b3219eb9" },
	{ "missing_documents_expire", "8da6c53589f817ca41eca74219c9e71bf31f5c7690f2672ca68c41306059b4eb" },
	{ "review_overdue_escalates_once", "e00bc98749754241816b40436f3376f2ae96c742c8cce0e85e875d5be376d9d1" },
	{ "review_deadline_skips_weekend", "18020ae53dd483497b085ca17cd7ebbc218b8a0493c1892c369783c99874842e" },
	{ "installments_with_failed_payout", "ee92c3540fac811bc1c3e05c288bfd339b1ae54f07067a73b74659e80703846e" },
	{ "duplicate_application", "49c69974064e6ce4447e2b608a6dde2df6306aacc9247318ba856eb699598697" },
	{ "four_eyes", "4132735feacd628c1cdd65f7b175afba4bf67a98b829c2a6254c719f5d0092a3" },
	{ "applicant_cannot_approve", "949aa84f03899ad2e015fa3a7447d0193481b637fbe23cef47ad510914ed9911" },
	{ "usage_tiers", "f6dc9ef042b0e1d69548ea7edf1492cf3b0db714c1e3795c18cb92dc09dad772" },
	{ "usage_changed_mid_case", "36d70d5ccc6fd3eb14e7fdefa4f9004e82f7a0632c7a6817d575a34c401b8bec" },
	{ "window_closed", "e90473e2b88aa131b8a4c4da25c6efe91cf886b6514cdc0f8a1371f847cac4a6" },
	{ "policy_changed_mid_case", "86a4a8006a33f40694c05cc959c43749f107febb0d408fbb07edb588b7b99fb5" },
	{ "withdraw_then_reapply", "65b352c13d37f68fc94fa9250ca834b9af8ebafd5033685049fac1fdb80ce769" },
	{ "appeal_after_rejection", "61981515b0b3f65bc1fbdc68bae5c78ec930ec7b80c3f147bed69674653f9727" },
	{ "auto_close_after_payout", "90de72c6c9024bd4fa50439aab03a706d9139bda1bd541e16914bdcacd7a2494" },
	{ "two_engines_one_store", "694fc1fee4af3d36c3cce49805a01b5726162b1c9068fa533454ec969c18ea9e" },
	{ "stale_handle_cannot_pay_twice", "8e283b564c3c3b78c3696f9612e055fe4c20db6774b4e2dc7bf2660109d9916c" },
	{ "store_fails_at_commit", "05e2647a34325b215e01f79ef651a3f15f47fc42ffe9e050d5f3a7f50c06f6b3" },
	{ "edited_event_found_by_verify", "d20c1a56860ac2b9cd6edf65450f2ef30010f61cdcdd4b520f78380d39d043af" },
	{ "explain", "e3ced40b8a5717b2b451ccdb72378ad95c90e4b1b231fad02b464ad4fb8165f3" },
	{ "idempotency", "b0453f5d51262d0aef32e4923f7928926a299382b37f35dd436646df5303720b" },
};

#endif
