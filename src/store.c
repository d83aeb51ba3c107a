/* The parts of the storage contract that are not one store's. */
#include <refund/sys/store.h>

#include <stdint.h>
#include <string.h>

int refund_store_init(refund_store *store, unsigned int version)
{
	if (!store)
		return REFUND_EINVAL;
	if (version != REFUND_STORE_VERSION)
		return REFUND_EVERSION;
	memset(store, 0, sizeof(*store));
	store->version = version;
	return 0;
}

void refund_store_free(refund_store *store)
{
	if (store && store->free)
		store->free(store);
}

static int bytes_valid(const unsigned char *data, size_t size)
{
	return data || size == 0;
}

int refund_store_batch_check(const refund_store_batch *batch)
{
	size_t i;

	if (!batch || (!batch->puts && batch->nputs) || (!batch->events && batch->nevents))
		return REFUND_EINVAL;
	for (i = 0; i < batch->nputs; i++) {
		const refund_store_put *p = &batch->puts[i];

		if (!p->id || !bytes_valid(p->data, p->size) || p->expected_version == UINT64_MAX)
			return REFUND_EINVAL;
	}
	for (i = 0; i < batch->nevents; i++) {
		const refund_store_event *ev = &batch->events[i];

		if (!ev->id || !bytes_valid(ev->data, ev->size) || ev->seq == 0)
			return REFUND_EINVAL;
	}
	return 0;
}
