/*
 * Writes docs/workflow.md from the workflow table in src/workflow.c, so the
 * documentation cannot drift from the code: the test `workflow_doc` fails
 * when the committed file differs from what this program prints.
 * Regenerate with: ninja -C build workflow-doc
 */
#include <stdio.h>
#include <string.h>

#include <refund.h>

#include "validate.h"
#include "workflow.h"

static void roles(unsigned int mask, char *buf, size_t size)
{
	int role;
	size_t used = 0;

	buf[0] = '\0';
	for (role = REFUND_ROLE_APPLICANT; role <= REFUND_ROLE_SYSTEM; role++)
		if (mask & REFUND_ROLE_BIT(role))
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
					refund_role_name(role));
}

static void guards(unsigned int mask, char *buf, size_t size)
{
	static const struct { unsigned int bit; const char *name; } names[] = {
		{ GUARD_EVIDENCE, "evidence complete" },
		{ GUARD_WINDOW, "window open" },
		{ GUARD_REQUESTED, "requested documents attached" },
		{ GUARD_QUOTE, "amount within quote" },
		{ GUARD_OFFERED, "terms offered" },
		{ GUARD_FOUR_EYES, "four eyes" },
		{ GUARD_OFFSETS, "offsets allowed" },
		{ GUARD_NOT_ACCEPTED, "not yet accepted" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (mask & names[i].bit)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
					names[i].name);
}

static const char *when(int w)
{
	switch (w) {
	case WHEN_RETURN_REQUIRED: return "terminal must come back";
	case WHEN_NO_RETURN: return "no return required";
	case WHEN_LAST_PART: return "last unpaid part";
	case WHEN_PARTS_LEFT: return "parts left";
	default: return "";
	}
}

static const char *clock_name(int c)
{
	static const char *const names[] = { "runs on", "starts", "pauses; next starts",
		"resumes", "restarts" };

	return c >= 0 && c <= CLOCK_RESTART ? names[c] : "?";
}

static const char *state(int s)
{
	return s ? refund_case_state_name(s) : "[*]";
}

static void diagram(const workflow_row *rows, size_t n)
{
	size_t i, j;

	puts("```mermaid");
	puts("stateDiagram-v2");
	for (i = 0; i < n; i++) {
		int dup = 0;

		if (!rows[i].to || rows[i].action == REFUND_ACTION_REMIND)
			continue;
		for (j = 0; j < i; j++)
			dup |= rows[j].action == rows[i].action && rows[j].from == rows[i].from &&
			       rows[j].to == rows[i].to;
		if (!dup)
			printf("    %s --> %s : %s\n", state(rows[i].from), state(rows[i].to),
					refund_case_action_name(rows[i].action));
	}
	for (i = 1; i < REFUND_STATE_COUNT; i++)
		if (refund__workflow_state_final((int)i))
			printf("    %s --> [*]\n", refund_case_state_name((int)i));
	puts("```");
}

static void table(const workflow_row *rows, size_t n)
{
	char r[128], g[256];
	size_t i;

	puts("| action | from | to | roles | when | guards | clock |");
	puts("|---|---|---|---|---|---|---|");
	for (i = 0; i < n; i++) {
		roles(rows[i].roles, r, sizeof(r));
		guards(rows[i].guards, g, sizeof(g));
		printf("| %s | %s | %s | %s | %s | %s | %s |\n",
				refund_case_action_name(rows[i].action),
				rows[i].from ? refund_case_state_name(rows[i].from) : "(new)",
				rows[i].to ? refund_case_state_name(rows[i].to) : "(stays)", r,
				when(rows[i].when), g, clock_name(rows[i].clock));
	}
}

static void consequences(void)
{
	static const char *const names[] = { "", "remind", "escalate", "expire",
		"deemed approval", "close" };
	int s, c;

	puts("| state | a deadline here may | final |");
	puts("|---|---|---|");
	for (s = 1; s < REFUND_STATE_COUNT; s++) {
		int first = 1;

		printf("| %s | ", refund_case_state_name(s));
		for (c = REFUND_ON_DUE_REMIND; c <= REFUND_ON_DUE_CLOSE; c++) {
			if (refund__workflow_consequence_allowed(s, c)) {
				printf("%s%s", first ? "" : ", ", names[c]);
				first = 0;
			}
		}
		printf(" | %s |\n", refund__workflow_state_final(s) ? "yes" : "");
	}
}

int main(void)
{
	size_t n;
	const workflow_row *rows = refund__workflow_rows(&n);

	puts("# The refund case workflow {#workflow}");
	puts("");
	puts("Generated from the table in `src/workflow.c` by `docs/gen_workflow.c`;");
	puts("do not edit by hand (`ninja -C build workflow-doc` rewrites it).");
	puts("");
	puts("## States and transitions");
	puts("");
	diagram(rows, n);
	puts("");
	puts("Reminders (`remind`) and escalations (`escalate`) keep the state and are left");
	puts("out of the diagram; the table lists them.");
	puts("");
	puts("## Every transition");
	puts("");
	table(rows, n);
	puts("");
	puts("## Deadlines");
	puts("");
	puts("A policy may give each state a deadline (`refund_policy_set_deadline`);");
	puts("what may happen when it passes depends on the state:");
	puts("");
	consequences();
	return 0;
}
