/*
 * Prints the size and field offsets of every public struct the Python
 * binding mirrors, one line per struct:
 *     refund_act 40 version:0 actor:8 role:16 idempotency_key:24 note:32
 * test_layout.py compares them with the ctypes mirrors, so that the
 * binding never guesses a layout.
 */
#include <stddef.h>
#include <stdio.h>

#include <refund.h>
#include <refund/sys/alloc.h>
#include <refund/sys/store.h>

#define BEGIN(type) printf("%s %zu", #type, sizeof(type))
#define FIELD(type, field) printf(" %s:%zu", #field, offsetof(type, field))
#define END() printf("\n")

static void allocator_and_store(void)
{
	BEGIN(refund_allocator); FIELD(refund_allocator, version); FIELD(refund_allocator, alloc);
	FIELD(refund_allocator, realloc); FIELD(refund_allocator, free);
	FIELD(refund_allocator, opaque); END();

	BEGIN(refund_store_index); FIELD(refund_store_index, deposit_id);
	FIELD(refund_store_index, holder); FIELD(refund_store_index, agent);
	FIELD(refund_store_index, state); FIELD(refund_store_index, next_deadline); END();

	BEGIN(refund_store_put); FIELD(refund_store_put, kind); FIELD(refund_store_put, id);
	FIELD(refund_store_put, expected_version); FIELD(refund_store_put, data);
	FIELD(refund_store_put, size); FIELD(refund_store_put, index); END();

	BEGIN(refund_store_event); FIELD(refund_store_event, kind); FIELD(refund_store_event, id);
	FIELD(refund_store_event, seq); FIELD(refund_store_event, at);
	FIELD(refund_store_event, data); FIELD(refund_store_event, size); END();

	BEGIN(refund_store_batch); FIELD(refund_store_batch, puts);
	FIELD(refund_store_batch, nputs); FIELD(refund_store_batch, events);
	FIELD(refund_store_batch, nevents); END();

	BEGIN(refund_store_record); FIELD(refund_store_record, kind);
	FIELD(refund_store_record, id); FIELD(refund_store_record, version);
	FIELD(refund_store_record, data); FIELD(refund_store_record, size); END();

	BEGIN(refund_store_filter); FIELD(refund_store_filter, deposit_id);
	FIELD(refund_store_filter, holder); FIELD(refund_store_filter, agent);
	FIELD(refund_store_filter, state); FIELD(refund_store_filter, after_id);
	FIELD(refund_store_filter, limit); END();

	BEGIN(refund_store); FIELD(refund_store, version); FIELD(refund_store, user);
	FIELD(refund_store, load); FIELD(refund_store, commit); FIELD(refund_store, events);
	FIELD(refund_store, due); FIELD(refund_store, scan); FIELD(refund_store, free); END();
}

static void engine_and_deposit(void)
{
	BEGIN(refund_notice); FIELD(refund_notice, version); FIELD(refund_notice, kind);
	FIELD(refund_notice, record_kind); FIELD(refund_notice, id); FIELD(refund_notice, actor);
	FIELD(refund_notice, at); FIELD(refund_notice, amount); FIELD(refund_notice, currency);
	FIELD(refund_notice, entry_kind); FIELD(refund_notice, action);
	FIELD(refund_notice, from_state); FIELD(refund_notice, to_state);
	FIELD(refund_notice, deadline); FIELD(refund_notice, overdue); END();

	BEGIN(refund_engine_options); FIELD(refund_engine_options, version);
	FIELD(refund_engine_options, allocator); FIELD(refund_engine_options, clock);
	FIELD(refund_engine_options, clock_user); FIELD(refund_engine_options, store);
	FIELD(refund_engine_options, notify); FIELD(refund_engine_options, notify_user);
	FIELD(refund_engine_options, lang); END();

	BEGIN(refund_deposit_info); FIELD(refund_deposit_info, version);
	FIELD(refund_deposit_info, id); FIELD(refund_deposit_info, holder);
	FIELD(refund_deposit_info, agent); FIELD(refund_deposit_info, terminal_serial);
	FIELD(refund_deposit_info, contract_id); FIELD(refund_deposit_info, receipt);
	FIELD(refund_deposit_info, amount); FIELD(refund_deposit_info, currency);
	FIELD(refund_deposit_info, paid_at); FIELD(refund_deposit_info, contract_end); END();

	BEGIN(refund_deposit_filter); FIELD(refund_deposit_filter, version);
	FIELD(refund_deposit_filter, holder); FIELD(refund_deposit_filter, agent);
	FIELD(refund_deposit_filter, after_id); FIELD(refund_deposit_filter, limit); END();

	BEGIN(refund_balance); FIELD(refund_balance, version); FIELD(refund_balance, held);
	FIELD(refund_balance, refunded); FIELD(refund_balance, deducted);
	FIELD(refund_balance, remaining); END();

	BEGIN(refund_entry); FIELD(refund_entry, version); FIELD(refund_entry, seq);
	FIELD(refund_entry, kind); FIELD(refund_entry, amount); FIELD(refund_entry, at);
	FIELD(refund_entry, actor); FIELD(refund_entry, role); FIELD(refund_entry, reference);
	FIELD(refund_entry, case_id); END();
}

static void case_and_event(void)
{
	BEGIN(refund_act); FIELD(refund_act, version); FIELD(refund_act, actor);
	FIELD(refund_act, role); FIELD(refund_act, idempotency_key); FIELD(refund_act, note); END();

	BEGIN(refund_account); FIELD(refund_account, version); FIELD(refund_account, method);
	FIELD(refund_account, name); FIELD(refund_account, number); FIELD(refund_account, bank); END();

	BEGIN(refund_quote); FIELD(refund_quote, version); FIELD(refund_quote, currency);
	FIELD(refund_quote, remaining); FIELD(refund_quote, tier_bp); FIELD(refund_quote, gross);
	FIELD(refund_quote, forfeited); FIELD(refund_quote, damage);
	FIELD(refund_quote, missing_parts); FIELD(refund_quote, fee); FIELD(refund_quote, offset);
	FIELD(refund_quote, net); FIELD(refund_quote, approved); END();

	BEGIN(refund_part); FIELD(refund_part, version); FIELD(refund_part, amount);
	FIELD(refund_part, due); FIELD(refund_part, status); FIELD(refund_part, attempts);
	FIELD(refund_part, reference); FIELD(refund_part, failure); END();

	BEGIN(refund_case_filter); FIELD(refund_case_filter, version);
	FIELD(refund_case_filter, deposit_id); FIELD(refund_case_filter, holder);
	FIELD(refund_case_filter, agent); FIELD(refund_case_filter, state);
	FIELD(refund_case_filter, after_id); FIELD(refund_case_filter, limit); END();

	BEGIN(refund_event); FIELD(refund_event, version); FIELD(refund_event, seq);
	FIELD(refund_event, at); FIELD(refund_event, actor); FIELD(refund_event, role);
	FIELD(refund_event, action); FIELD(refund_event, from); FIELD(refund_event, to);
	FIELD(refund_event, amount); FIELD(refund_event, reason); FIELD(refund_event, note);
	FIELD(refund_event, policy_id); FIELD(refund_event, policy_version);
	FIELD(refund_event, policy_version_before); FIELD(refund_event, deadline);
	FIELD(refund_event, prev_hash); FIELD(refund_event, hash); END();

	BEGIN(refund_deadline); FIELD(refund_deadline, version); FIELD(refund_deadline, state);
	FIELD(refund_deadline, started); FIELD(refund_deadline, due); FIELD(refund_deadline, next);
	FIELD(refund_deadline, consequence); FIELD(refund_deadline, overdue); END();

	BEGIN(refund_tick_result); FIELD(refund_tick_result, version);
	FIELD(refund_tick_result, due); FIELD(refund_tick_result, reminders);
	FIELD(refund_tick_result, consequences); FIELD(refund_tick_result, conflicts); END();
}

/* The version constants the mirrors carry. */
static void versions(void)
{
	printf("versions ALLOCATOR_VERSION:%d STORE_VERSION:%d NOTICE_VERSION:%d"
		" ENGINE_OPTIONS_VERSION:%d DEPOSIT_INFO_VERSION:%d DEPOSIT_FILTER_VERSION:%d"
		" BALANCE_VERSION:%d ENTRY_VERSION:%d ACT_VERSION:%d ACCOUNT_VERSION:%d"
		" QUOTE_VERSION:%d PART_VERSION:%d CASE_FILTER_VERSION:%d EVENT_VERSION:%d"
		" DEADLINE_VERSION:%d TICK_RESULT_VERSION:%d STATE_COUNT:%d ACTION_COUNT:%d"
		" ID_MAX:%d TEXT_MAX:%d\n",
		REFUND_ALLOCATOR_VERSION, REFUND_STORE_VERSION, REFUND_NOTICE_VERSION,
		REFUND_ENGINE_OPTIONS_VERSION, REFUND_DEPOSIT_INFO_VERSION,
		REFUND_DEPOSIT_FILTER_VERSION, REFUND_BALANCE_VERSION, REFUND_ENTRY_VERSION,
		REFUND_ACT_VERSION, REFUND_ACCOUNT_VERSION, REFUND_QUOTE_VERSION,
		REFUND_PART_VERSION, REFUND_CASE_FILTER_VERSION, REFUND_EVENT_VERSION,
		REFUND_DEADLINE_VERSION, REFUND_TICK_RESULT_VERSION, REFUND_STATE_COUNT,
		REFUND_ACTION_COUNT, REFUND_ID_MAX, REFUND_TEXT_MAX);
}

/* The enum constants the binding's enums mirror, one line per enum. */
static void enums(void)
{
	printf("enum Role");
	printf(" REFUND_ROLE_APPLICANT:%d", (int)REFUND_ROLE_APPLICANT);
	printf(" REFUND_ROLE_AGENT:%d", (int)REFUND_ROLE_AGENT);
	printf(" REFUND_ROLE_REVIEWER:%d", (int)REFUND_ROLE_REVIEWER);
	printf(" REFUND_ROLE_FINANCE:%d", (int)REFUND_ROLE_FINANCE);
	printf(" REFUND_ROLE_ADMIN:%d", (int)REFUND_ROLE_ADMIN);
	printf(" REFUND_ROLE_SYSTEM:%d", (int)REFUND_ROLE_SYSTEM);
	printf("\n");
	printf("enum Lang");
	printf(" REFUND_LANG_EN:%d", (int)REFUND_LANG_EN);
	printf(" REFUND_LANG_ZH_CN:%d", (int)REFUND_LANG_ZH_CN);
	printf("\n");
	printf("enum NoticeKind");
	printf(" REFUND_NOTICE_DEPOSIT_CREATED:%d", (int)REFUND_NOTICE_DEPOSIT_CREATED);
	printf(" REFUND_NOTICE_LEDGER_ENTRY:%d", (int)REFUND_NOTICE_LEDGER_ENTRY);
	printf(" REFUND_NOTICE_USAGE_UPDATED:%d", (int)REFUND_NOTICE_USAGE_UPDATED);
	printf(" REFUND_NOTICE_TRANSITION:%d", (int)REFUND_NOTICE_TRANSITION);
	printf(" REFUND_NOTICE_REMINDER:%d", (int)REFUND_NOTICE_REMINDER);
	printf(" REFUND_NOTICE_DEADLINE:%d", (int)REFUND_NOTICE_DEADLINE);
	printf("\n");
	printf("enum RecordKind");
	printf(" REFUND_RECORD_DEPOSIT:%d", (int)REFUND_RECORD_DEPOSIT);
	printf(" REFUND_RECORD_CASE:%d", (int)REFUND_RECORD_CASE);
	printf(" REFUND_RECORD_POLICY:%d", (int)REFUND_RECORD_POLICY);
	printf(" REFUND_RECORD_META:%d", (int)REFUND_RECORD_META);
	printf("\n");
	printf("enum EntryKind");
	printf(" REFUND_ENTRY_HOLD:%d", (int)REFUND_ENTRY_HOLD);
	printf(" REFUND_ENTRY_REFUND:%d", (int)REFUND_ENTRY_REFUND);
	printf(" REFUND_ENTRY_DAMAGE:%d", (int)REFUND_ENTRY_DAMAGE);
	printf(" REFUND_ENTRY_MISSING_PARTS:%d", (int)REFUND_ENTRY_MISSING_PARTS);
	printf(" REFUND_ENTRY_HANDLING_FEE:%d", (int)REFUND_ENTRY_HANDLING_FEE);
	printf(" REFUND_ENTRY_FEE_OFFSET:%d", (int)REFUND_ENTRY_FEE_OFFSET);
	printf(" REFUND_ENTRY_FORFEIT:%d", (int)REFUND_ENTRY_FORFEIT);
	printf("\n");
	printf("enum Reason");
	printf(" REFUND_REASON_DEVICE_FAULT:%d", (int)REFUND_REASON_DEVICE_FAULT);
	printf(" REFUND_REASON_TRANSACTION_DISPUTE:%d", (int)REFUND_REASON_TRANSACTION_DISPUTE);
	printf(" REFUND_REASON_SERVICE:%d", (int)REFUND_REASON_SERVICE);
	printf(" REFUND_REASON_POLICY_CHANGE:%d", (int)REFUND_REASON_POLICY_CHANGE);
	printf(" REFUND_REASON_NEEDS_CHANGED:%d", (int)REFUND_REASON_NEEDS_CHANGED);
	printf(" REFUND_REASON_FRAUD:%d", (int)REFUND_REASON_FRAUD);
	printf("\n");
	printf("enum Evidence");
	printf(" REFUND_EVIDENCE_RECEIPT:%d", (int)REFUND_EVIDENCE_RECEIPT);
	printf(" REFUND_EVIDENCE_CONTRACT:%d", (int)REFUND_EVIDENCE_CONTRACT);
	printf(" REFUND_EVIDENCE_PAYMENT_RECORD:%d", (int)REFUND_EVIDENCE_PAYMENT_RECORD);
	printf(" REFUND_EVIDENCE_FAULT_REPORT:%d", (int)REFUND_EVIDENCE_FAULT_REPORT);
	printf(" REFUND_EVIDENCE_TRANSACTION_RECORDS:%d", (int)REFUND_EVIDENCE_TRANSACTION_RECORDS);
	printf(" REFUND_EVIDENCE_SERVICE_EVALUATION:%d", (int)REFUND_EVIDENCE_SERVICE_EVALUATION);
	printf(" REFUND_EVIDENCE_GOVERNMENT_DOCUMENT:%d", (int)REFUND_EVIDENCE_GOVERNMENT_DOCUMENT);
	printf(" REFUND_EVIDENCE_POLICE_REPORT:%d", (int)REFUND_EVIDENCE_POLICE_REPORT);
	printf(" REFUND_EVIDENCE_OTHER:%d", (int)REFUND_EVIDENCE_OTHER);
	printf("\n");
	printf("enum WindowAnchor");
	printf(" REFUND_WINDOW_NONE:%d", (int)REFUND_WINDOW_NONE);
	printf(" REFUND_WINDOW_CONTRACT_END:%d", (int)REFUND_WINDOW_CONTRACT_END);
	printf(" REFUND_WINDOW_PAYMENT:%d", (int)REFUND_WINDOW_PAYMENT);
	printf("\n");
	printf("enum Grade");
	printf(" REFUND_GRADE_FINE:%d", (int)REFUND_GRADE_FINE);
	printf(" REFUND_GRADE_NORMAL_WEAR:%d", (int)REFUND_GRADE_NORMAL_WEAR);
	printf(" REFUND_GRADE_DAMAGED:%d", (int)REFUND_GRADE_DAMAGED);
	printf(" REFUND_GRADE_NOT_RETURNED:%d", (int)REFUND_GRADE_NOT_RETURNED);
	printf("\n");
	printf("enum DayUnit");
	printf(" REFUND_CALENDAR_DAYS:%d", (int)REFUND_CALENDAR_DAYS);
	printf(" REFUND_BUSINESS_DAYS:%d", (int)REFUND_BUSINESS_DAYS);
	printf("\n");
	printf("enum Consequence");
	printf(" REFUND_ON_DUE_REMIND:%d", (int)REFUND_ON_DUE_REMIND);
	printf(" REFUND_ON_DUE_ESCALATE:%d", (int)REFUND_ON_DUE_ESCALATE);
	printf(" REFUND_ON_DUE_EXPIRE:%d", (int)REFUND_ON_DUE_EXPIRE);
	printf(" REFUND_ON_DUE_APPROVE:%d", (int)REFUND_ON_DUE_APPROVE);
	printf(" REFUND_ON_DUE_CLOSE:%d", (int)REFUND_ON_DUE_CLOSE);
	printf("\n");
	printf("enum Party");
	printf(" REFUND_PARTY_REGULATOR:%d", (int)REFUND_PARTY_REGULATOR);
	printf(" REFUND_PARTY_CONSUMER_ASSOCIATION:%d", (int)REFUND_PARTY_CONSUMER_ASSOCIATION);
	printf(" REFUND_PARTY_LEGAL:%d", (int)REFUND_PARTY_LEGAL);
	printf("\n");
	printf("enum State");
	printf(" REFUND_STATE_DRAFT:%d", (int)REFUND_STATE_DRAFT);
	printf(" REFUND_STATE_SUBMITTED:%d", (int)REFUND_STATE_SUBMITTED);
	printf(" REFUND_STATE_UNDER_REVIEW:%d", (int)REFUND_STATE_UNDER_REVIEW);
	printf(" REFUND_STATE_AWAITING_DOCUMENTS:%d", (int)REFUND_STATE_AWAITING_DOCUMENTS);
	printf(" REFUND_STATE_DEVICE_RETURN:%d", (int)REFUND_STATE_DEVICE_RETURN);
	printf(" REFUND_STATE_INSPECTION:%d", (int)REFUND_STATE_INSPECTION);
	printf(" REFUND_STATE_AGREEMENT:%d", (int)REFUND_STATE_AGREEMENT);
	printf(" REFUND_STATE_PAYOUT:%d", (int)REFUND_STATE_PAYOUT);
	printf(" REFUND_STATE_PAID:%d", (int)REFUND_STATE_PAID);
	printf(" REFUND_STATE_CLOSED:%d", (int)REFUND_STATE_CLOSED);
	printf(" REFUND_STATE_REJECTED:%d", (int)REFUND_STATE_REJECTED);
	printf(" REFUND_STATE_WITHDRAWN:%d", (int)REFUND_STATE_WITHDRAWN);
	printf(" REFUND_STATE_EXPIRED:%d", (int)REFUND_STATE_EXPIRED);
	printf("\n");
	printf("enum Action");
	printf(" REFUND_ACTION_OPEN:%d", (int)REFUND_ACTION_OPEN);
	printf(" REFUND_ACTION_ATTACH:%d", (int)REFUND_ACTION_ATTACH);
	printf(" REFUND_ACTION_SUBMIT:%d", (int)REFUND_ACTION_SUBMIT);
	printf(" REFUND_ACTION_START_REVIEW:%d", (int)REFUND_ACTION_START_REVIEW);
	printf(" REFUND_ACTION_REQUEST_DOCUMENTS:%d", (int)REFUND_ACTION_REQUEST_DOCUMENTS);
	printf(" REFUND_ACTION_PROVIDE_DOCUMENTS:%d", (int)REFUND_ACTION_PROVIDE_DOCUMENTS);
	printf(" REFUND_ACTION_APPROVE:%d", (int)REFUND_ACTION_APPROVE);
	printf(" REFUND_ACTION_REJECT:%d", (int)REFUND_ACTION_REJECT);
	printf(" REFUND_ACTION_APPEAL:%d", (int)REFUND_ACTION_APPEAL);
	printf(" REFUND_ACTION_RECEIVE_DEVICE:%d", (int)REFUND_ACTION_RECEIVE_DEVICE);
	printf(" REFUND_ACTION_INSPECT:%d", (int)REFUND_ACTION_INSPECT);
	printf(" REFUND_ACTION_OFFER:%d", (int)REFUND_ACTION_OFFER);
	printf(" REFUND_ACTION_ACCEPT:%d", (int)REFUND_ACTION_ACCEPT);
	printf(" REFUND_ACTION_PAY:%d", (int)REFUND_ACTION_PAY);
	printf(" REFUND_ACTION_PAY_FAILED:%d", (int)REFUND_ACTION_PAY_FAILED);
	printf(" REFUND_ACTION_CONFIRM:%d", (int)REFUND_ACTION_CONFIRM);
	printf(" REFUND_ACTION_WITHDRAW:%d", (int)REFUND_ACTION_WITHDRAW);
	printf(" REFUND_ACTION_ESCALATE:%d", (int)REFUND_ACTION_ESCALATE);
	printf(" REFUND_ACTION_REEVALUATE:%d", (int)REFUND_ACTION_REEVALUATE);
	printf(" REFUND_ACTION_REMIND:%d", (int)REFUND_ACTION_REMIND);
	printf(" REFUND_ACTION_EXPIRE:%d", (int)REFUND_ACTION_EXPIRE);
	printf(" REFUND_ACTION_AUTO_CLOSE:%d", (int)REFUND_ACTION_AUTO_CLOSE);
	printf(" REFUND_ACTION_DEEMED_APPROVAL:%d", (int)REFUND_ACTION_DEEMED_APPROVAL);
	printf(" REFUND_ACTION_SET_OFFSET:%d", (int)REFUND_ACTION_SET_OFFSET);
	printf("\n");
	printf("enum PayoutMethod");
	printf(" REFUND_PAYOUT_BANK:%d", (int)REFUND_PAYOUT_BANK);
	printf(" REFUND_PAYOUT_ALIPAY:%d", (int)REFUND_PAYOUT_ALIPAY);
	printf(" REFUND_PAYOUT_WECHAT:%d", (int)REFUND_PAYOUT_WECHAT);
	printf("\n");
	printf("enum RejectReason");
	printf(" REFUND_REJECT_INCOMPLETE_EVIDENCE:%d", (int)REFUND_REJECT_INCOMPLETE_EVIDENCE);
	printf(" REFUND_REJECT_OUTSIDE_WINDOW:%d", (int)REFUND_REJECT_OUTSIDE_WINDOW);
	printf(" REFUND_REJECT_NOT_ELIGIBLE:%d", (int)REFUND_REJECT_NOT_ELIGIBLE);
	printf(" REFUND_REJECT_FRAUD_SUSPECTED:%d", (int)REFUND_REJECT_FRAUD_SUSPECTED);
	printf(" REFUND_REJECT_OTHER:%d", (int)REFUND_REJECT_OTHER);
	printf("\n");
	printf("enum PartStatus");
	printf(" REFUND_PART_PENDING:%d", (int)REFUND_PART_PENDING);
	printf(" REFUND_PART_FAILED:%d", (int)REFUND_PART_FAILED);
	printf(" REFUND_PART_PAID:%d", (int)REFUND_PART_PAID);
	printf("\n");
	printf("enum errors");
	printf(" REFUND_OK:%d", (int)REFUND_OK);
	printf(" REFUND_EINVAL:%d", (int)REFUND_EINVAL);
	printf(" REFUND_ENOMEM:%d", (int)REFUND_ENOMEM);
	printf(" REFUND_ENOTFOUND:%d", (int)REFUND_ENOTFOUND);
	printf(" REFUND_EEXISTS:%d", (int)REFUND_EEXISTS);
	printf(" REFUND_ESTATE:%d", (int)REFUND_ESTATE);
	printf(" REFUND_EDENIED:%d", (int)REFUND_EDENIED);
	printf(" REFUND_ECONFLICT:%d", (int)REFUND_ECONFLICT);
	printf(" REFUND_EDEADLINE:%d", (int)REFUND_EDEADLINE);
	printf(" REFUND_EDUPLICATE:%d", (int)REFUND_EDUPLICATE);
	printf(" REFUND_ESTORE:%d", (int)REFUND_ESTORE);
	printf(" REFUND_EUSER:%d", (int)REFUND_EUSER);
	printf(" REFUND_ECORRUPT:%d", (int)REFUND_ECORRUPT);
	printf(" REFUND_EOVERFLOW:%d", (int)REFUND_EOVERFLOW);
	printf(" REFUND_ECURRENCY:%d", (int)REFUND_ECURRENCY);
	printf(" REFUND_ECALENDAR:%d", (int)REFUND_ECALENDAR);
	printf(" REFUND_ENOTSUP:%d", (int)REFUND_ENOTSUP);
	printf(" REFUND_EVERSION:%d", (int)REFUND_EVERSION);
	printf(" REFUND_EBUSY:%d", (int)REFUND_EBUSY);
	printf(" REFUND_EBALANCE:%d", (int)REFUND_EBALANCE);
	printf(" REFUND_EPARSE:%d", (int)REFUND_EPARSE);
	printf(" REFUND_ERANGE:%d", (int)REFUND_ERANGE);
	printf(" REFUND_EEVIDENCE:%d", (int)REFUND_EEVIDENCE);
	printf("\n");
}

int main(void)
{
	allocator_and_store();
	engine_and_deposit();
	case_and_event();
	versions();
	enums();
	return 0;
}
