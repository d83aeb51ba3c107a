/*
 * The world the case tests share: who acts, the provider's standard policy,
 * a deposit, cases taken to review, ticks and reloads.  Every library call
 * here goes through fault_steps.h, so a scenario in a fault mode has its
 * setup steps faulted too; with the fixture in FAULT_NONE they are plain
 * asserts.  Times are China time (UTC+08:00) unless they say Z.
 */
#ifndef REFUND_TEST_CASE_FIXTURE_H
#define REFUND_TEST_CASE_FIXTURE_H

#include <stdint.h>

#include <refund.h>

#include "fixture.h"

#define EV(kind) REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_##kind)
#define DAY INT64_C(86400)

/* An ISO 8601 time, asserted to parse. */
refund_time at(const char *iso);
refund_act as(const char *actor, int role);

#define APPLICANT as("M-1001", REFUND_ROLE_APPLICANT)
#define AGENT as("agent-7", REFUND_ROLE_AGENT)
#define REVIEWER as("rev-1", REFUND_ROLE_REVIEWER)
#define FINANCE as("fin-1", REFUND_ROLE_FINANCE)
#define ADMIN as("admin-1", REFUND_ROLE_ADMIN)

/* The applicant's bank account (a company in Shenzhen). */
refund_account bank_account(void);

/* ---- policies ---- */

/* The provider's standard rules (docs/policies has their text form). */
void standard_rules(fixture *f, refund_policy *p, int return_required);
/* A draft with the standard rules and offsets allowed or not. */
refund_policy *draft_policy(fixture *f, const char *id, const char *currency,
		int return_required, int offsets);
/* Publish the draft as admin-1, free it, warm the engine for it; its version. */
uint32_t publish_draft(fixture *f, refund_policy *p);
void publish_policy(fixture *f, const char *id, const char *currency, int return_required,
		int offsets);
/*
 * Fill the engine's caches (the latest version of a policy, the CN
 * calendar) so that a refused call that happens to fill them does not count
 * as a leak.
 */
void warm(refund_engine *e, const char *policy);

/* Another engine with the fixture's allocator and clock, on store, warm for policy. */
refund_engine *other_engine(fixture *f, refund_store *store, const char *policy);

/* ---- deposits ---- */

/* D-x of M-1001 through agent AG-7: 500.00 CNY paid 2024-03-01, contract to 2025-03-01. */
refund_deposit_info deposit_info(const char *id);
void add_deposit_info(fixture *f, const refund_deposit_info *info, int64_t days_in_service);
void add_deposit(fixture *f, const char *id, int64_t days_in_service);

/*
 * Monday 2025-06-02 09:00; POS-STD (the terminal comes back) and
 * POS-NORETURN, offsets allowed or not; D-1, 200 days in service.
 */
void build_world(fixture *f, int offsets);
/* cmocka setup: a fixture with build_world(f, 0). */
int world_setup(void **state);

/* ---- cases ---- */

refund_case *open_case(fixture *f, const char *id, const char *deposit, const char *policy,
		int reason);
/* Receipt, contract and payment record, as the applicant. */
void attach_basics(fixture *f, refund_case *c);
/*
 * Open on D-1, attach the basics, submit (refused first if the reason needs
 * evidence of its own, which is then attached) and start review.
 */
refund_case *case_under_review(fixture *f, const char *id, const char *policy, int reason);
/* The handle freed and the case loaded again by the fixture's engine. */
refund_case *reload(fixture *f, refund_case *c);

/* ---- time ---- */

/*
 * A tick into *res (reset first).  A due case whose commit conflicted is
 * REFUND_ECONFLICT here: the tick skipped it and wrote nothing.
 */
int tick_into(refund_engine *e, refund_time now, refund_tick_result *res);
refund_tick_result tick_at(fixture *f, refund_time now);
refund_tick_result tick(fixture *f, const char *iso);

/* A notify callback counting notices in *(int *)user. */
void count_notice(void *user, const refund_notice *n);

#endif
