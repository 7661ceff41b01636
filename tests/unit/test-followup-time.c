/* Unit tests of the follow-up meeting's time and of the plan as mailed. */

#include "lib.h"
#include "array.h"
#include "mus-holidays.h"
#include "mus-time.h"
#include "mus-round.h"
#include "mus-plan-json.h"
#include "mus-plan-mail.h"
#include "mus-followup-time.h"
#include "mus-test.h"

#define TZ "Europe/Copenhagen"

static time_t local(int y, unsigned int m, unsigned int d,
		    unsigned int hh, unsigned int mm)
{
	return mus_time_from_local(TZ, mus_days_from_civil(y, m, d), hh * 60 + mm);
}

static const char *const own_emp[] = { "uid=e1", NULL };
static const char *const other_emp[] = { "uid=e2", NULL };

/* 09:00-15:00, 45 minutes, 15 minutes buffer, at most 2 a day */
static const struct mus_round followup_round = {
	.dn = "cn=r", .name = "r", .duration = 45, .buffer = 15,
	.max_per_day = 2, .workday_start = 9 * 60, .workday_end = 15 * 60,
	.timezone = TZ,
};

static void conv_init(struct mus_conversation *conv, const char *cn,
		      const char *const *employees, time_t start)
{
	i_zero(conv);
	conv->cn = cn;
	conv->leader_ndn = "uid=l";
	conv->employee_ndns = employees;
	conv->status = MUS_CONV_PLAN_PENDING;
	conv->followup_start = start;
	conv->followup_end = start == 0 ? 0 : start + 45 * 60;
}

static void test_followup_time(void)
{
	/* automatic: local times are no constant initialisers */
	const time_t before = local(2026, 12, 1, 12, 0);
	const struct {
		const char *name;
		int y;
		unsigned int m, d;
		/* the stored follow-up time of the conversation and of
		   another one of the same leader (0: none) */
		time_t stored, other, now;
		time_t want;	/* 0: no time */
		/* busy time from calFBURL of a person (NULL: none) */
		const char *busy_ndn;
		time_t busy_start, busy_end;
		/* the other one is a conversation still to come (accepted)
		   at that time, of this round or another, instead of a
		   follow-up meeting */
		bool other_is_conversation;
	} cases[] = {
		{ "a working day: its first slot", 2027, 6, 2, 0, 0, before,
		  local(2027, 6, 2, 9, 0), NULL, 0, 0, FALSE },
		{ "a Saturday: Monday", 2027, 6, 5, 0, 0, before,
		  local(2027, 6, 7, 9, 0), NULL, 0, 0, FALSE },
		{ "Easter Monday: Tuesday", 2027, 3, 29, 0, 0, before,
		  local(2027, 3, 30, 9, 0), NULL, 0, 0, FALSE },
		{ "the stored time fits: kept", 2027, 6, 2,
		  local(2027, 6, 3, 13, 15), 0, before,
		  local(2027, 6, 3, 13, 15), NULL, 0, 0, FALSE },
		{ "a stored time before the date: chosen again", 2027, 6, 2,
		  local(2027, 6, 1, 10, 0), 0, before,
		  local(2027, 6, 2, 9, 0), NULL, 0, 0, FALSE },
		{ "another follow-up of the leader: after it and the buffer",
		  2027, 6, 2, 0, local(2027, 6, 2, 9, 0), before,
		  local(2027, 6, 2, 10, 0), NULL, 0, 0, FALSE },
		{ "the search window has passed", 2027, 6, 2, 0, 0,
		  local(2027, 12, 1, 12, 0), 0, NULL, 0, 0, FALSE },
		{ "the leader's busy morning: right after it",
		  2027, 6, 2, 0, 0, before, local(2027, 6, 2, 11, 0),
		  "uid=l", local(2027, 6, 2, 8, 0), local(2027, 6, 2, 11, 0), FALSE },
		{ "the employee busy all day: the next day",
		  2027, 6, 2, 0, 0, before, local(2027, 6, 3, 9, 0),
		  "uid=e1", local(2027, 6, 2, 0, 0), local(2027, 6, 3, 0, 0), FALSE },
		{ "another person's busy time: no matter",
		  2027, 6, 2, 0, 0, before, local(2027, 6, 2, 9, 0),
		  "uid=e2", local(2027, 6, 2, 0, 0), local(2027, 6, 3, 0, 0), FALSE },
		{ "a kept time is not moved by busy time",
		  2027, 6, 2, local(2027, 6, 3, 13, 15), 0, before,
		  local(2027, 6, 3, 13, 15),
		  "uid=l", local(2027, 6, 3, 0, 0), local(2027, 6, 4, 0, 0), FALSE },
		{ "a conversation of the leader still to come: after it and the buffer",
		  2027, 6, 2, 0, local(2027, 6, 2, 9, 0), before,
		  local(2027, 6, 2, 10, 15), NULL, 0, 0, TRUE },
		{ "a conversation of the leader in the afternoon: the morning",
		  2027, 6, 2, 0, local(2027, 6, 2, 13, 0), before,
		  local(2027, 6, 2, 9, 0), NULL, 0, 0, TRUE },
		{ "a conversation before the follow-up date: no matter",
		  2027, 6, 2, 0, local(2027, 6, 1, 9, 0), before,
		  local(2027, 6, 2, 9, 0), NULL, 0, 0, TRUE },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) T_BEGIN {
		ARRAY_TYPE(mus_conversation) convs;
		ARRAY_TYPE(mus_followup_busy) busy;
		struct mus_conversation conv, neighbour, *p;
		int day = mus_days_from_civil(cases[i].y, cases[i].m,
					      cases[i].d);
		time_t start = 1, end = 1;
		const char *reason = NULL;
		bool found;

		mus_test_begin(t_strconcat("followup time: ", cases[i].name, NULL));
		conv_init(&conv, "c1", own_emp, cases[i].stored);
		conv_init(&neighbour, "c2", other_emp,
			  cases[i].other_is_conversation ? 0 : cases[i].other);
		if (cases[i].other_is_conversation) {
			neighbour.status = MUS_CONV_ACCEPTED;
			neighbour.start = cases[i].other;
			neighbour.end = cases[i].other + 60 * 60;
		}
		t_array_init(&convs, 2);
		p = &conv;
		array_push_back(&convs, &p);
		p = &neighbour;
		array_push_back(&convs, &p);
		t_array_init(&busy, 1);
		if (cases[i].busy_ndn != NULL) {
			struct mus_followup_busy *period = array_append_space(&busy);

			period->ndn = cases[i].busy_ndn;
			period->start = cases[i].busy_start;
			period->end = cases[i].busy_end;
		}
		test_assert(mus_followup_time_kept(&followup_round, &conv, day,
						   cases[i].now) ==
			    (cases[i].stored != 0 && cases[i].stored == cases[i].want));
		found = mus_followup_time(&followup_round, &conv, day, cases[i].now,
					  &convs, &busy, &start, &end, &reason);
		test_assert(found == (cases[i].want != 0));
		if (cases[i].want != 0) {
			test_assert(start == cases[i].want);
			test_assert(end == cases[i].want + 45 * 60);
		} else {
			/* untouched on failure */
			test_assert(start == 1 && end == 1);
			test_assert_contains(reason, "has passed");
		}
		mus_test_end();
	} T_END;
}

static void test_followup_plan_mail(void)
{
	const char *json =
		"{\"goals\":[{\"kind\":\"shared\",\"text\":\"<b>fewer</b> & faster\"},"
		"{\"kind\":\"individual\",\"text\":\"Lead meetings\"}],"
		"\"activities\":[{\"description\":\"Course \\\"x\\\"\",\"kind\":\"course\","
		"\"responsible\":\"employee\",\"due\":\"2027-03-01\"},"
		"{\"description\":\"Mentor\",\"kind\":\"mentoring\","
		"\"responsible\":{\"name\":\"Ole <O>\",\"mail\":\"ole@x.test\"},"
		"\"due\":\"2027-04-01\"}],\"follow_up\":\"2027-06-01\"}";
	struct mus_plan_problems problems;
	struct mus_plan *plan = NULL;
	struct mus_plan_mail_vars vars;
	const char *text, *html;
	pool_t pool = pool_alloconly_create("test plan mail", 4096);

	mus_test_begin("followup: the plan as text and HTML, values escaped");
	mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
	test_assert(mus_plan_json_parse(json, strlen(json),
					mus_days_from_civil(2026, 12, 1), NULL,
					&problems, &plan) == 0);
	i_zero(&vars);
	vars.language = MUS_LANGUAGE_EN;
	vars.leader_name = "Karen Birk";
	vars.employee_name = "Anna & Bo";
	vars.version = 3;
	if (plan != NULL) {
		mus_plan_mail_document(&vars, plan, &text, &html);
		test_assert_contains(text, "Shared goal: <b>fewer</b> & faster");
		test_assert_contains(text, "Individual goal: Lead meetings");
		test_assert_contains(text, "Responsible: Anna & Bo");
		test_assert_contains(text, "Responsible: Ole <O> <ole@x.test>");
		test_assert_contains(text, "Due: 2027-04-01");
		test_assert_contains(text, "Follow-up: 2027-06-01");
		test_assert_contains(text, "(version 3)");
		test_assert_contains(html, "&lt;b&gt;fewer&lt;/b&gt; &amp; faster");
		test_assert_contains(html, "Course &quot;x&quot;");
		test_assert_contains(html, "Ole &lt;O&gt; &lt;ole@x.test&gt;");
		test_assert_contains(html, "Anna &amp; Bo");
		test_assert(strstr(html, "<b>") == NULL);
		test_assert(strstr(html, "<O>") == NULL);
		vars.language = MUS_LANGUAGE_DA;
		mus_plan_mail_document(&vars, plan, &text, &html);
		test_assert_contains(text, "Fælles mål: <b>fewer</b> & faster");
		test_assert_contains(html, "<html lang=\"da\">");
	}
	mus_test_end();
	pool_unref(&pool);
}

void test_followup_invite(void)
{
	test_followup_time();
	test_followup_plan_mail();
}
