/* Unit tests of the values kept on a conversation. */

#include "lib.h"
#include "mus-time.h"
#include "mus-holidays.h"
#include "mus-conversation.h"
#include "mus-test.h"

static const struct {
	const char *value;
	bool ok;
	const char *dn, *text;
} span_cases[] = {
	{ "20270104090000Z 20270104100000Z uid=a,ou=people,dc=x", TRUE,
	  "uid=a,ou=people,dc=x", "" },
	/* a DN may hold spaces; the text follows " -- " */
	{ "20270104090000Z 20270104100000Z cn=Anne Berg,ou=p -- the leader is busy then",
	  TRUE, "cn=Anne Berg,ou=p", "the leader is busy then" },
	{ "20270104090000Z 20270104100000Z", FALSE, NULL, NULL },
	{ "20270104100000Z 20270104090000Z uid=a", FALSE, NULL, NULL },
	{ "yesterday 20270104100000Z uid=a", FALSE, NULL, NULL },
	{ "", FALSE, NULL, NULL },
};

static void test_conversation_span(void)
{
	mus_test_begin("conversation: start, end, DN and text values");
	for (unsigned int i = 0; i < N_ELEMENTS(span_cases); i++) {
		time_t start = 1, end = 1;
		const char *dn = NULL, *text = NULL;
		bool ok = mus_conversation_parse_span(span_cases[i].value, &start,
						      &end, &dn, &text);

		test_assert(ok == span_cases[i].ok);
		if (!ok || !span_cases[i].ok)
			continue;
		test_assert(start == mus_time_from_local("UTC", mus_days_from_civil(2027, 1, 4), 9 * 60));
		test_assert(end == start + 3600);
		test_assert_strcmp(dn, span_cases[i].dn);
		test_assert_strcmp(text, span_cases[i].text);
	}
	test_assert_strcmp(mus_conversation_span(1799053200, 1799056800, "uid=a"),
			   "20270104090000Z 20270104100000Z uid=a");
	/* a text goes after the span and reads back, " -- " in it too */
	{
		const char *value = mus_conversation_span_text(
			mus_conversation_span(1799053200, 1799056800, "cn=A B,ou=p"),
			"på kursus -- hele dagen");
		time_t start, end;
		const char *dn, *text;

		test_assert(mus_conversation_parse_span(value, &start, &end,
							&dn, &text));
		test_assert_strcmp(dn, "cn=A B,ou=p");
		test_assert_strcmp(text, "på kursus -- hele dagen");
		test_assert_strcmp(mus_conversation_span_text("x", NULL), "x");
	}
	mus_test_end();
}

static const struct {
	unsigned int sequence;
	int sent_sequence, answerable;
} answerable_cases[] = {
	{ 0, -1, -1 },		/* never sent */
	{ 3, -1, -1 },
	{ 0, 0, 0 },
	{ 2, 2, 2 },
	/* a new time written, not sent yet: answers to 2 are stale */
	{ 3, 2, 3 },
	/* a value no sync writes: never below what was sent */
	{ 1, 2, 2 },
	{ (unsigned int)INT_MAX + 1, 2, 2 },
};

static void test_conversation_answerable_sequence(void)
{
	mus_test_begin("conversation: the SEQUENCE an answer must carry");
	for (unsigned int i = 0; i < N_ELEMENTS(answerable_cases); i++) {
		struct mus_conversation conv;

		i_zero(&conv);
		conv.sequence = answerable_cases[i].sequence;
		conv.sent_sequence = answerable_cases[i].sent_sequence;
		mus_test_check(mus_conversation_answerable_sequence(&conv) ==
			       answerable_cases[i].answerable,
			       t_strdup_printf("answerable_cases[%u]", i),
			       __FILE__, __LINE__);
	}
	mus_test_end();
}

#define NOW 1799056800
static const struct {
	enum mus_conv_status status;
	time_t end;
	bool unreadable, over;
} over_cases[] = {
	{ MUS_CONV_INVITED, NOW - 1, FALSE, TRUE },
	{ MUS_CONV_ACCEPTED, NOW, FALSE, TRUE },
	{ MUS_CONV_ACCEPTED, NOW + 1, FALSE, FALSE },
	{ MUS_CONV_ACCEPTED, 0, FALSE, FALSE },
	{ MUS_CONV_ACCEPTED, NOW - 1, TRUE, FALSE },
	{ MUS_CONV_SCHEDULED, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_DECLINED, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_RESCHEDULING, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_CANCELLED, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_UNSCHEDULABLE, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_FAILED, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_HELD, NOW - 1, FALSE, FALSE },
	{ MUS_CONV_PLAN_REQUESTED, NOW - 1, FALSE, FALSE },
};

static void test_conversation_is_over(void)
{
	mus_test_begin("conversation: over when its end has passed");
	for (unsigned int i = 0; i < N_ELEMENTS(over_cases); i++) {
		struct mus_conversation conv;

		i_zero(&conv);
		conv.status = over_cases[i].status;
		conv.start = over_cases[i].end == 0 ? 0 : over_cases[i].end - 3600;
		conv.end = over_cases[i].end;
		conv.unreadable = over_cases[i].unreadable;
		mus_test_check(mus_conversation_is_over(&conv, NOW) ==
			       over_cases[i].over,
			       t_strdup_printf("over_cases[%u]", i),
			       __FILE__, __LINE__);
	}
	mus_test_end();
}

static void test_conversation_meetings(void)
{
	static const struct {
		enum mus_conv_status status;
		time_t start, end, followup_start, followup_end;
		bool unreadable;
		unsigned int count;
	} cases[] = {
		{ MUS_CONV_INVITED, 100, 200, 0, 0, FALSE, 1 },
		{ MUS_CONV_PLAN_PENDING, 100, 200, 300, 400, FALSE, 2 },
		/* a plan approved: its follow-up meeting holds nobody now */
		{ MUS_CONV_APPROVED, 100, 200, 300, 400, FALSE, 1 },
		{ MUS_CONV_CANCELLED, 100, 200, 0, 0, FALSE, 0 },
		{ MUS_CONV_UNSCHEDULABLE, 0, 0, 0, 0, FALSE, 0 },
		/* times written by hand that make no span */
		{ MUS_CONV_INVITED, 200, 100, 0, 0, FALSE, 0 },
		{ MUS_CONV_PLAN_PENDING, 0, 0, 400, 300, FALSE, 0 },
		{ MUS_CONV_INVITED, 100, 200, 0, 0, TRUE, 0 },
	};

	mus_test_begin("conversation: the meetings it holds its people for");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_conversation conv;
		struct mus_conv_meeting meetings[2];

		i_zero(&conv);
		conv.status = cases[i].status;
		conv.start = cases[i].start;
		conv.end = cases[i].end;
		conv.followup_start = cases[i].followup_start;
		conv.followup_end = cases[i].followup_end;
		conv.unreadable = cases[i].unreadable;
		mus_test_check(mus_conversation_meetings(&conv, meetings) ==
			       cases[i].count, t_strdup_printf("case %u", i),
			       __FILE__, __LINE__);
		if (cases[i].count == 2)
			test_assert(meetings[1].start == 300 && meetings[1].end == 400);
	}
	mus_test_end();
}

void test_conversation(void)
{
	test_conversation_meetings();
	test_conversation_is_over();
	test_conversation_span();
	test_conversation_answerable_sequence();
}
