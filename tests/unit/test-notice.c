/* Unit test of what an answer says of the mail it answers. */

#include "lib.h"
#include "mus-notice.h"
#include "mus-test.h"

void test_notice(void)
{
	static const struct {
		const char *id, *header;
	} cases[] = {
		{ "abc.123@mail.example", "<abc.123@mail.example>" },
		{ NULL, NULL },
		{ "", NULL },
		{ "no-at-sign", NULL },
		{ "@example", NULL },
		{ "left@", NULL },
		{ "a@b@c", NULL },
		{ "a b@c", NULL },
		{ "a<b@c", NULL },
		{ "a@c>\r\nBcc: x@y", NULL },
		{ "\xc3\xa6@\xc3\xb8", NULL },
	};
	char long_id[1000];

	mus_test_begin("notice: only a plain Message-ID is named in In-Reply-To");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *header = mus_notice_msgid(cases[i].id);

		mus_test_check(null_strcmp(header, cases[i].header) == 0,
			       t_strdup_printf("case %u", i), __FILE__, __LINE__);
	}
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	long_id[10] = '@';
	test_assert(mus_notice_msgid(long_id) == NULL);
	mus_test_end();
}
