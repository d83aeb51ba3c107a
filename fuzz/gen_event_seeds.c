/*
 * Writes seeds for fuzz_event into the directory given: events of the
 * fuzz target's own world (fuzz_event.c's build_world), so that a seed for
 * event 4 chains to the world's event 3 and a mutation starts from a well
 * formed binary event.  Run after a format change:
 *
 *     build-fuzz/fuzz/gen_event_seeds fuzz/corpus/event
 */
#define FUZZ_EVENT_NO_TARGET
#include "fuzz_event.c"

#include <stdio.h>

typedef struct dump {
	const char *dir, *name;
	uint64_t seq;   /* the event to write */
} dump;

static int write_event(void *ctx, const refund_store_event *ev)
{
	const dump *d = ctx;
	char path[512];
	FILE *f;

	if (ev->seq != d->seq)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", d->dir, d->name);
	if (!(f = fopen(path, "wb")) || fwrite(ev->data, 1, ev->size, f) != ev->size ||
	    fclose(f) != 0)
		abort();
	return 0;
}

/* The world, one more action on case K (chosen by `which`), and event seq written. */
static void seed(const char *dir, const char *name, int which, uint64_t seq)
{
	refund_act ap = as("M-1001", REFUND_ROLE_APPLICANT), sys = as("system", REFUND_ROLE_SYSTEM);
	refund_case *c = NULL;
	fuzz_engine fe;
	dump d = { dir, name, seq };
	int rc = 0;

	fuzz_engine_open(&fe, REFUND_LANG_EN);
	build_world(fe.engine, &c);
	ap.note = "补充说明";
	ap.idempotency_key = "k-1";
	if (which == 1)
		rc = refund_case_attach(c, &ap, REFUND_EVIDENCE_PAYMENT_RECORD, "file:p.png");
	else if (which == 2)
		rc = refund_case_escalate(c, &sys, REFUND_PARTY_REGULATOR);
	else if (which == 3)
		rc = refund_case_withdraw(c, &ap);
	if (rc != 0 || fe.store->events(fe.store, REFUND_RECORD_CASE, CASE_ID, 1, write_event, &d))
		abort();
	refund_case_free(c);
	fuzz_engine_close(&fe);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_event_seeds DIR\n");
		return 2;
	}
	seed(argv[1], "binary-known-1", 0, 1);
	seed(argv[1], "binary-known-3", 0, 3);
	seed(argv[1], "binary-attach-4", 1, 4);
	seed(argv[1], "binary-escalate-4", 2, 4);
	seed(argv[1], "binary-withdraw-note-4", 3, 4);
	return 0;
}
