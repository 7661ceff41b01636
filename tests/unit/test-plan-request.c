/* Unit tests of the plan's way from a held conversation to a draft: who
   gets the plan form, which conversations take a draft, and how a reply
   names its conversation. */

#include "lib.h"
#include "mus-reply.h"
#include "mus-plan-request.h"
#include "mus-plan-draft.h"
#include "mus-test.h"

static const struct {
	enum mus_conv_status status;
	time_t requested;
	bool unreadable, team;
	bool wanted;
} need_cases[] = {
	{ MUS_CONV_HELD, 0, FALSE, FALSE, TRUE },
	/* a team's conversation gets the team's form */
	{ MUS_CONV_HELD, 0, FALSE, TRUE, TRUE },
	/* sent once: never again */
	{ MUS_CONV_HELD, 1799056800, FALSE, FALSE, FALSE },
	{ MUS_CONV_HELD, 1799056800, FALSE, TRUE, FALSE },
	{ MUS_CONV_PLAN_REQUESTED, 1799056800, FALSE, FALSE, FALSE },
	{ MUS_CONV_PLAN_REQUESTED, 0, FALSE, FALSE, FALSE },
	{ MUS_CONV_PLAN_PENDING, 0, FALSE, FALSE, FALSE },
	{ MUS_CONV_ACCEPTED, 0, FALSE, FALSE, FALSE },
	{ MUS_CONV_INVITED, 0, FALSE, FALSE, FALSE },
	{ MUS_CONV_APPROVED, 0, FALSE, FALSE, FALSE },
	{ MUS_CONV_HELD, 0, TRUE, FALSE, FALSE },
};

static void test_plan_request_need(void)
{
	static const char *const one[] = { "uid=a,dc=x", NULL };
	static const char *const three[] = {
		"uid=a,dc=x", "uid=b,dc=x", "uid=c,dc=x", NULL
	};

	mus_test_begin("plan request: the form goes once to held conversations");
	for (unsigned int i = 0; i < N_ELEMENTS(need_cases); i++) {
		struct mus_conversation conv;

		i_zero(&conv);
		conv.status = need_cases[i].status;
		conv.plan_requested = need_cases[i].requested;
		conv.unreadable = need_cases[i].unreadable;
		conv.employee_dns = need_cases[i].team ? three : one;
		conv.ical_uid = "7f3a9c2e@x";
		test_assert(mus_conversation_is_team(&conv) == need_cases[i].team);
		mus_test_check(mus_plan_request_wanted(&conv) ==
			       need_cases[i].wanted,
			       t_strdup_printf("need_cases[%u]", i),
			       __FILE__, __LINE__);
		/* without a UID its answer could not find it */
		conv.ical_uid = NULL;
		test_assert(!mus_plan_request_wanted(&conv));
		test_assert_strcmp(mus_conversation_reference(&conv), "");
	}
	mus_test_end();
}

static void test_plan_draft_open(void)
{
	mus_test_begin("plan draft: taken while the plan is requested or pending");
	for (enum mus_conv_status s = 0; s < MUS_CONV_STATUS_COUNT; s++) {
		struct mus_conversation conv;
		bool open = s == MUS_CONV_PLAN_REQUESTED ||
			s == MUS_CONV_PLAN_PENDING;

		i_zero(&conv);
		conv.status = s;
		test_assert(mus_plan_draft_open(&conv) == open);
		conv.unreadable = TRUE;
		test_assert(!mus_plan_draft_open(&conv));
	}
	mus_test_end();
}

static const struct {
	const char *subject, *reference;
} reference_cases[] = {
	{ "Re: Development plan for Ida Holm [7f3a9c2e]", "7f3a9c2e" },
	{ "SV: SV: Udviklingsplan for Ida Holm [7f3a9c2e]", "7f3a9c2e" },
	{ "RE: [EKSTERN] Development plan for Ida [Holm] [7f3a9c2e]", "7f3a9c2e" },
	{ "Re: Development plan for Ida Holm", NULL },
	{ "Re: Development plan [7f3a 9c2e]", NULL },
	/* a card choice names its conversation otherwise */
	{ "Samtalekort 7f3a9c2e", NULL },
	{ "", NULL },
	{ NULL, NULL },
};

static void test_plan_reply_reference(void)
{
	mus_test_begin("plan reply: the conversation's reference in the subject");
	for (unsigned int i = 0; i < N_ELEMENTS(reference_cases); i++) {
		T_BEGIN {
			test_assert_strcmp(mus_reply_subject_reference(
				reference_cases[i].subject),
				reference_cases[i].reference);
		} T_END;
	}
	mus_test_end();
}

void test_plan_request(void)
{
	test_plan_request_need();
	test_plan_draft_open();
	test_plan_reply_reference();
}
