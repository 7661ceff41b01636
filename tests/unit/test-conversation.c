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
	mus_test_end();
}

void test_conversation(void)
{
	test_conversation_span();
}
