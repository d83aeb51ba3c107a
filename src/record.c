#include "record.h"

static const char *kind_name(int kind, int zh)
{
	switch (kind) {
	case REFUND_RECORD_DEPOSIT: return zh ? "押金" : "deposit";
	case REFUND_RECORD_CASE: return zh ? "案件" : "case";
	case REFUND_RECORD_POLICY: return zh ? "政策记录" : "policy record";
	default: return zh ? "记录" : "record";
	}
}

static const char *fault_words(record_fault why, int zh)
{
	switch (why) {
	case RECORD_VERSION_ZERO: return zh ? "版本为 0" : "version 0";
	case RECORD_NOT_JSON: return zh ? "不是有效的 JSON" : "not valid JSON";
	case RECORD_NOT_HEAD:
		return zh ? "不是政策头记录，或其版本不符" : "not a policy head, or its version disagrees";
	case RECORD_BAD_FIELDS:
	default:
		return zh ? "字段缺失、无效或不属于该记录" : "a field is missing, invalid or not this record's";
	}
}

int refund__record_corrupt(refund_engine *e, const refund_store_record *rec,
		record_fault why)
{
	return refund__fail(e, REFUND_ECORRUPT, "%s %s: the stored record is corrupt (%s)",
			"%s %s：存储的记录已损坏（%s）",
			kind_name(rec->kind, e && e->lang == REFUND_LANG_ZH_CN), rec->id,
			fault_words(why, e && e->lang == REFUND_LANG_ZH_CN));
}

int refund__record_parse(refund_engine *e, const refund_store_record *rec,
		json_value **root)
{
	int rc;

	if (rec->version == 0)
		return refund__record_corrupt(e, rec, RECORD_VERSION_ZERO);
	rc = json_parse(&e->alloc, (const char *)rec->data, rec->size, root);
	if (rc == REFUND_ENOMEM)
		return refund__fail_code(e, rc);
	return rc ? refund__record_corrupt(e, rec, RECORD_NOT_JSON) : 0;
}
