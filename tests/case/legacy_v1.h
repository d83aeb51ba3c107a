/*
 * A case as librefund wrote it before the binary record and event formats
 * (record schema 1 and events in JSON, commit 8dfb9db): the story
 * legacy_story() in test_case_legacy.c tells, on the world of
 * case_fixture.h, captured with REFUND_CAPTURE_LEGACY=1 at that commit.
 * Never regenerate it: it stands for the stores hosts already have.
 */
#ifndef REFUND_TEST_LEGACY_V1_H
#define REFUND_TEST_LEGACY_V1_H

#include <stddef.h>
#include <stdint.h>

typedef struct legacy_record {
	int kind;
	const char *id;
	size_t size;
	const char *data;
} legacy_record;

typedef struct legacy_event {
	uint64_t seq;
	int64_t at;
	size_t size;
	const char *data;
} legacy_event;

static const legacy_record legacy_records[] = {
	{ 1, "D-1", 366,
		"{\"schema\":1,\"id\":\"D-1\",\"holder\":\"M-1001\",\"agent\":\"AG-7\",\"terminal\":\"SN-00042\",\"contract\":\"C-18\",\"receipt\":null,\"currency\":\"CNY\",\"paid_at\":1709258400,\"contract_end\":1740758400,\"days_in_service\":200,\"transaction_volume\":0,\"open_case\":\"L-1\",\"ledger\":[{\"seq\":1,\"kind\":\"hold\",\"amount\":50000,\"at\":1748826000,\"actor\":\"agent-7\",\"role\":\"agent\",\"reference\":null,\"case\":null}]}",
	},
	{ 2, "L-1", 1219,
		"{\"schema\":1,\"id\":\"L-1\",\"deposit\":\"D-1\",\"holder\":\"M-1001\",\"agent\":\"AG-7\",\"currency\":\"CNY\",\"policy\":\"POS-STD\",\"policy_version\":1,\"state\":\"under_review\",\"reason\":1,\"opened_at\":1748826000,\"requested\":0,\"method\":1,\"account_name\":\"\xe6""\xb7""\xb1""\xe5""\x9c""\xb3""\xe5""\xb8""\x82""\xe6""\x9f""\x90""\xe6""\x9f""\x90""\xe5""\x95""\x86""\xe8""\xb4""\xb8""\xe6""\x9c""\x89""\xe9""\x99""\x90""\xe5""\x85""\xac""\xe5""\x8f""\xb8""\",\"account_number\":\"6222020200112233445\",\"bank\":\"\xe4""\xb8""\xad""\xe5""\x9b""\xbd""\xe5""\xb7""\xa5""\xe5""\x95""\x86""\xe9""\x93""\xb6""\xe8""\xa1""\x8c""\xe6""\xb7""\xb1""\xe5""\x9c""\xb3""\xe5""\x88""\x86""\xe8""\xa1""\x8c""\",\"approved\":-1,\"approved_by\":\"\",\"reject_reason\":0,\"reject_text\":\"\",\"tracking\":\"\",\"grade\":0,\"missing_parts\":0,\"offset_owed\":0,\"offered\":0,\"accepted\":0,\"fixed\":{\"remaining\":0,\"tier_bp\":0,\"gross\":0,\"forfeited\":0,\"damage\":0,\"missing_parts\":0,\"fee\":0,\"offset\":0,\"net\":0,\"approved\":-1},\"escalated\":0,\"clock\":{\"state\":3,\"started\":1748916000,\"due\":1749088800,\"consequence\":2,\"sent\":0,\"overdue\":0,\"paused_state\":0,\"paused_left\":0,\"paused_unit\":0},\"events\":9,\"last_hash\":\"7f092bb8dc9a46ea8a25bc76ea83d1b415337252ad306568553976765ea4a63e\",\"next_key\":1,\"evidence\":[{\"kind\":1,\"at\":1748826000,\"ref\":\"file:receipt.jpg\"},{\"kind\":2,\"at\":1748826000,\"ref\":\"file:contract.pdf\"},{\"kind\":3,\"at\":1748826000,\"ref\":\"file:pay.png\"},{\"kind\":4,\"at\":1748826000,\"ref\":\"file:reason.pdf\"}],\"parts\":[],\"keys\":[{\"key\":\"ask-fault-report\",\"digest\":\"c6158824d401cabbe241103467609a38e30fc89fd44a933412ff399a625dfdf5\"}]}",
	},
};

static const legacy_event legacy_events[] = {
	{ 1, 1748826000, 524,
		"{\"seq\":1,\"at\":1748826000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"open\",\"from\":null,\"to\":\"draft\",\"amount\":0,\"reason\":null,\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":null,\"prev\":\"\",\"args\":{\"action\":\"open\",\"kind\":1,\"text\":\"D-1\",\"text2\":\"POS-STD\",\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":{\"holder\":\"M-1001\",\"agent\":\"AG-7\",\"currency\":\"CNY\"},\"hash\":\"5da8ea0eccdbb4cb8d5265adf465cb15dfd12fa5d7f3768ba47fc516ffc197d2\"}",
	},
	{ 2, 1748826000, 561,
		"{\"seq\":2,\"at\":1748826000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"attach\",\"from\":\"draft\",\"to\":\"draft\",\"amount\":0,\"reason\":\"receipt\",\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":null,\"prev\":\"5da8ea0eccdbb4cb8d5265adf465cb15dfd12fa5d7f3768ba47fc516ffc197d2\",\"args\":{\"action\":\"attach\",\"kind\":1,\"text\":\"file:receipt.jpg\",\"text2\":null,\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"e276ce8a2a01ffb826c5d7dc18721b7cd89145b3dce003999b4cfb002c548122\"}",
	},
	{ 3, 1748826000, 563,
		"{\"seq\":3,\"at\":1748826000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"attach\",\"from\":\"draft\",\"to\":\"draft\",\"amount\":0,\"reason\":\"contract\",\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":null,\"prev\":\"e276ce8a2a01ffb826c5d7dc18721b7cd89145b3dce003999b4cfb002c548122\",\"args\":{\"action\":\"attach\",\"kind\":2,\"text\":\"file:contract.pdf\",\"text2\":null,\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"4c7a3813b1ff88337df5d3447538dc593e42b950759332fd626c574d5dd5b257\"}",
	},
	{ 4, 1748826000, 564,
		"{\"seq\":4,\"at\":1748826000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"attach\",\"from\":\"draft\",\"to\":\"draft\",\"amount\":0,\"reason\":\"payment record\",\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":null,\"prev\":\"4c7a3813b1ff88337df5d3447538dc593e42b950759332fd626c574d5dd5b257\",\"args\":{\"action\":\"attach\",\"kind\":3,\"text\":\"file:pay.png\",\"text2\":null,\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"184017dbd6dc2b2b71517ede47354cdd50b69af3f696b0fb97d2035d19bf7ae2\"}",
	},
	{ 5, 1748826000, 565,
		"{\"seq\":5,\"at\":1748826000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"attach\",\"from\":\"draft\",\"to\":\"draft\",\"amount\":0,\"reason\":\"fault report\",\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":null,\"prev\":\"184017dbd6dc2b2b71517ede47354cdd50b69af3f696b0fb97d2035d19bf7ae2\",\"args\":{\"action\":\"attach\",\"kind\":4,\"text\":\"file:reason.pdf\",\"text2\":null,\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"1a188a72b0ed5b43e6751f0de122da2931ca5eb8463d91292cf44b7278411dc0\"}",
	},
	{ 6, 1748826000, 668,
		"{\"seq\":6,\"at\":1748826000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"submit\",\"from\":\"draft\",\"to\":\"submitted\",\"amount\":0,\"reason\":null,\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":null,\"prev\":\"1a188a72b0ed5b43e6751f0de122da2931ca5eb8463d91292cf44b7278411dc0\",\"args\":{\"action\":\"submit\",\"kind\":0,\"text\":null,\"text2\":null,\"account\":{\"method\":1,\"name\":\"\xe6""\xb7""\xb1""\xe5""\x9c""\xb3""\xe5""\xb8""\x82""\xe6""\x9f""\x90""\xe6""\x9f""\x90""\xe5""\x95""\x86""\xe8""\xb4""\xb8""\xe6""\x9c""\x89""\xe9""\x99""\x90""\xe5""\x85""\xac""\xe5""\x8f""\xb8""\",\"number\":\"6222020200112233445\",\"bank\":\"\xe4""\xb8""\xad""\xe5""\x9b""\xbd""\xe5""\xb7""\xa5""\xe5""\x95""\x86""\xe9""\x93""\xb6""\xe8""\xa1""\x8c""\xe6""\xb7""\xb1""\xe5""\x9c""\xb3""\xe5""\x88""\x86""\xe8""\xa1""\x8c""\"},\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"daea0847dd9b502b922fa6eb9da5f48a8a1e866e7036a400a59de788fcb4714d\"}",
	},
	{ 7, 1748826000, 569,
		"{\"seq\":7,\"at\":1748826000,\"actor\":\"rev-1\",\"role\":\"reviewer\",\"action\":\"start_review\",\"from\":\"submitted\",\"to\":\"under_review\",\"amount\":0,\"reason\":null,\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":1748998800,\"prev\":\"daea0847dd9b502b922fa6eb9da5f48a8a1e866e7036a400a59de788fcb4714d\",\"args\":{\"action\":\"start_review\",\"kind\":0,\"text\":null,\"text2\":null,\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"b3b51813896691aec490ea6dafbe606394662d09ce77728c66a8347839859192\"}",
	},
	{ 8, 1748829600, 651,
		"{\"seq\":8,\"at\":1748829600,\"actor\":\"rev-1\",\"role\":\"reviewer\",\"action\":\"request_documents\",\"from\":\"under_review\",\"to\":\"awaiting_documents\",\"amount\":0,\"reason\":\"fault report\",\"note\":\"\xe8""\xaf""\xb7""\xe8""\xa1""\xa5""\xe5""\x85""\x85""\xe6""\x95""\x85""\xe9""\x9a""\x9c""\xe6""\x8a""\xa5""\xe5""\x91""\x8a""\",\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":1749261600,\"prev\":\"b3b51813896691aec490ea6dafbe606394662d09ce77728c66a8347839859192\",\"args\":{\"action\":\"request_documents\",\"kind\":0,\"text\":null,\"text2\":null,\"account\":null,\"amount\":0,\"mask\":16,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":\"\xe8""\xaf""\xb7""\xe8""\xa1""\xa5""\xe5""\x85""\x85""\xe6""\x95""\x85""\xe9""\x9a""\x9c""\xe6""\x8a""\xa5""\xe5""\x91""\x8a""\",\"key\":\"ask-fault-report\"},\"context\":null,\"hash\":\"3e34bc65faff1e45e9afe3f37bf3a27e546eec841d00990c67c96165e7536466\"}",
	},
	{ 9, 1748916000, 590,
		"{\"seq\":9,\"at\":1748916000,\"actor\":\"M-1001\",\"role\":\"applicant\",\"action\":\"provide_documents\",\"from\":\"awaiting_documents\",\"to\":\"under_review\",\"amount\":0,\"reason\":null,\"note\":null,\"policy\":\"POS-STD\",\"policy_version\":1,\"policy_version_before\":1,\"deadline\":1749088800,\"prev\":\"3e34bc65faff1e45e9afe3f37bf3a27e546eec841d00990c67c96165e7536466\",\"args\":{\"action\":\"provide_documents\",\"kind\":0,\"text\":null,\"text2\":null,\"account\":null,\"amount\":0,\"mask\":0,\"number\":0,\"number2\":0,\"deadline\":0,\"note\":null,\"key\":null},\"context\":null,\"hash\":\"7f092bb8dc9a46ea8a25bc76ea83d1b415337252ad306568553976765ea4a63e\"}",
	},
};

#define LEGACY_NOW INT64_C(1748916000)

#endif
