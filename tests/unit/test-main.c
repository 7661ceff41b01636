/* The unit test runner. */

#include "lib.h"
#include "mus-time.h"
#include "mus-test.h"

#include <stdio.h>

static const char *current;
static bool current_failed;
static unsigned int passed, failed;

void mus_test_begin(const char *name)
{
	i_assert(current == NULL);
	current = t_strdup_noconst(name);
	for (char *p = (char *)current; *p != '\0'; p++) {
		if ((unsigned char)*p < ' ')
			*p = ' ';
	}
	current_failed = FALSE;
}

void mus_test_check(bool ok, const char *expr, const char *file,
		    unsigned int line)
{
	i_assert(current != NULL);
	if (ok)
		return;
	current_failed = TRUE;
	printf("  %s:%u: check failed: %s\n", file, line, expr);
}

void mus_test_end(void)
{
	i_assert(current != NULL);
	printf("%-66s %s\n", current, current_failed ? "FAIL" : "ok");
	if (current_failed)
		failed++;
	else
		passed++;
	current = NULL;
}

int main(void)
{
	static void (*const suites[])(void) = {
		test_settings, test_time, test_text_checks, test_idle, test_ldap,
		test_ldap_timeout, test_org,
		test_holidays, test_schedule, test_conversation, test_freebusy, test_cards,
		test_round, test_roster, test_reason, test_itip, test_invitation,
		test_message, test_notice, test_reply, test_reply_hostile, test_plan,
		test_plan_request,
		test_plan_entry,
		test_report_html,
		test_followup, test_done, test_retention, test_lease,
		test_followup_invite,
		/* before the spider's, which ends by letting go of fontconfig */
		test_competence_card,
		test_spider, test_competences, test_competence_heatmap,
		test_competence,
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	lib_init();
	mus_time_init();
	for (unsigned int i = 0; i < N_ELEMENTS(suites); i++) {
		T_BEGIN {
			suites[i]();
		} T_END;
	}
	lib_deinit();
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
