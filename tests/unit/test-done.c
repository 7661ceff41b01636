/* Unit tests of reading a done-mail's subject. */

#include "lib.h"
#include "mus-done.h"
#include "mus-test.h"

#define REF "4423bd84-808f-1041-9932-655727141609"

static void test_done_subject(void)
{
	static const struct {
		const char *subject, *reference;
	} cases[] = {
		{ "Udført [" REF "]", REF },
		{ "udført [" REF "]", REF },
		{ "UDFØRT [" REF "]", REF },
		{ "Done [" REF "]", REF },
		{ "SV: Udført [" REF "]", REF },
		{ "Re: Done: [" REF "] thanks", REF },
		{ "Udført [4423BD84-808F-1041-9932-655727141609]", REF },
		/* the first usable reference counts */
		{ "Done [x] [" REF "]", REF },
		/* a reply to the reminder without the word: no done-mail */
		{ "SV: Påmindelse: Kursus senest 2027-03-06 [" REF "]", NULL },
		{ "Udført", NULL },
		{ "Udført " REF, NULL },
		{ "Udført [" REF, NULL },
		{ "Udført [4423bd84-808f-1041-9932-65572714160]", NULL },
		{ "Udført [4423bd84-808f-1041-9932-65572714160g]", NULL },
		{ "Udført [4423bd84x808f-1041-9932-655727141609]", NULL },
		/* the word must stand alone */
		{ "Undone [" REF "]", NULL },
		{ "Doneness [" REF "]", NULL },
		{ "Ikke-udførte [" REF "]", NULL },
		{ "", NULL },
		{ NULL, NULL },
	};

	mus_test_begin("done: subjects of done-mails");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *reference = "untouched";
		int ret = mus_done_parse_subject(cases[i].subject, &reference);

		test_assert(ret == (cases[i].reference != NULL ? 1 : 0));
		test_assert_strcmp(reference, cases[i].reference != NULL ?
				   cases[i].reference : "untouched");
	}
	mus_test_end();
}

void test_done(void)
{
	test_done_subject();
}
