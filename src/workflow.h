/*
 * Internal: the workflow table's questions, for the modules that are not
 * the case itself (policies check their deadlines against it).
 */
#ifndef REFUND_SRC_WORKFLOW_H
#define REFUND_SRC_WORKFLOW_H

#include <refund/case.h>
#include <refund/policy.h>

/* What a row does to the state's clock. */
enum workflow_clock {
	CLOCK_KEEP = 0,    /* the clock runs on (same-state rows) */
	CLOCK_START,       /* the target state's clock starts now */
	CLOCK_PAUSE,       /* keep what is left of this clock, start the target's */
	CLOCK_RESUME,      /* the target's paused clock resumes */
	CLOCK_RESTART      /* the current state's clock starts again (re-evaluation) */
};

/* Conditions that choose between rows of one action and state. */
enum workflow_when {
	WHEN_ALWAYS = 0,
	WHEN_RETURN_REQUIRED,  /* the policy wants the terminal back */
	WHEN_NO_RETURN,
	WHEN_LAST_PART,        /* the part being paid is the last unpaid one */
	WHEN_PARTS_LEFT
};

/* Guards the case code checks before acting, named in the table. */
#define GUARD_EVIDENCE   0x01u  /* the reason's evidence is attached */
#define GUARD_WINDOW     0x02u  /* the application window is open */
#define GUARD_REQUESTED  0x04u  /* the requested documents are attached */
#define GUARD_QUOTE      0x08u  /* the amount is within the quote */
#define GUARD_OFFERED    0x10u  /* terms were offered */
#define GUARD_FOUR_EYES  0x20u  /* the payer is not the approver above the threshold */
#define GUARD_OFFSETS    0x40u  /* the policy allows offsets */
#define GUARD_NOT_ACCEPTED 0x80u /* the agreement is not accepted yet */

typedef struct workflow_row {
	int action;
	int from;              /* 0 for opening */
	int to;                /* 0: the state stays */
	unsigned int roles;    /* REFUND_ROLE_BIT of each allowed role */
	int when;              /* enum workflow_when */
	unsigned int guards;   /* GUARD_* */
	int clock;             /* enum workflow_clock */
} workflow_row;

/* The whole table, for docs and tests. */
const workflow_row *refund__workflow_rows(size_t *count);

/*
 * The row for `action` in `state` whose condition holds (when(cond, ctx)
 * answers WHEN_* other than WHEN_ALWAYS).  NULL if the action is not
 * allowed in that state.
 */
const workflow_row *refund__workflow_find(int action, int state,
		int (*when)(int cond, void *ctx), void *ctx);

/* Whether the role may take the action in some state (for messages). */
int refund__workflow_role_allowed(const workflow_row *row, int role);

/* 1 if a deadline in `state` may have `consequence`, else 0. */
int refund__workflow_consequence_allowed(int state, int consequence);

/* 1 if no action leaves `state` (closed, withdrawn, expired). */
int refund__workflow_state_final(int state);

#endif
