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
	{ "device_fault_with_damage_and_fee", "cff251f92054d73969c062a2b499ff49579cee10cbc2870e1f23271775386046" },
	{ "normal_wear_not_deducted", "b743f81c2237cc99c43bcc21324d959aa8238995b5862e7e7f1d0ea8de67201e" },
	{ "missing_documents_expire", "fd8379720cfd125829c261e551a37dc3b795e076309334eeeab7d16f9e1e5a5c" },
	{ "review_overdue_escalates_once", "4f7f76e1fee4decf1c24942c99efad80bf2925cf447d792ced6a7446ce0e949d" },
	{ "review_deadline_skips_weekend", "3e6859f215165be7a3856fc76e440e7643a54a3f764f24086e42575a92734adf" },
	{ "installments_with_failed_payout", "7afa95189ab0168881fee801215681a86913522732fa359c1b240dacd172834b" },
	{ "duplicate_application", "e19800f689a01e4e87e4346213775ad3369c2d325112ffddf77ccc433ec549f5" },
	{ "four_eyes", "5fe1bebc0a86dbace1259674c33d7f5f16192ea67fee340c139f82ac60cd655d" },
	{ "applicant_cannot_approve", "cd20286bb006d794ebad72925051de6322b2f69e7bed8dc0b74b7a7f1386b94b" },
	{ "usage_tiers", "19cdce0cd0bb6c08442b152669fc17a878113920f059f8407f729e69fa68e103" },
	{ "usage_changed_mid_case", "f845e8be69333644d2d9b0fa4dbc5ce9bd114386dcf1a697837b0149c6fc9715" },
	{ "window_closed", "4d8734cb6ac29efa85f22657aae5f9e6d6523f96a27815fc50a7ff36f0f8e0eb" },
	{ "policy_changed_mid_case", "1bb4f85e213aad3b6392c266e818da29fb22c448b10d5af43781a91d993e0967" },
	{ "withdraw_then_reapply", "305d8cc697e9ac7c601dc10ed62488be61967fdc01673d6b817829a9a4f42c4e" },
	{ "appeal_after_rejection", "8243bcdf510d175e45a6b8910fc528d232fe0f2f22bff722f86459623f5bbf0b" },
	{ "auto_close_after_payout", "9b2dff05438388c240f94891db2d9fd9eb22a732fc1b667018851e5b56dbf07f" },
	{ "two_engines_one_store", "fd252e2cab58527cc83d2f0f4a7e682ae08a4c61e01b7427a71e1683fb7990d5" },
	{ "stale_handle_cannot_pay_twice", "8f367ed5a0fcd33123b62d9a2ec92756f93dad36dad46f8b02e488eb17fc2476" },
	{ "store_fails_at_commit", "389ed02fe9dd32cd15be4b1559713f7ec4a102b8802baa3a8da00dde2a0e48b2" },
	{ "edited_event_found_by_verify", "260c87737514ce5c48dd8d1475009facb927b065a6e1847e9de80dc868f67535" },
	{ "explain", "9d201df7fc415be39342d9962cc0dd2349c0016f89549b0efd0bdd31aba6ee66" },
	{ "idempotency", "a7ca2dcce94b0ad9b1a6130ba9499f174b4458b83ef74e1dbbb2f2fe25f178e6" },
};

#endif
