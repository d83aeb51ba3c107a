/* The parts of the storage contract that are not one store's. */
#include <refund/sys/store.h>

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
