/* Unit tests of telling a done-mail by its subject and first line. */

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
		/* tags before the word, the reference among them */
		{ "[EKSTERN] SV: Udført [" REF "]", REF },
		{ "[" REF "] Done", REF },
		/* the first usable reference counts */
		{ "Done [x] [" REF "]", REF },
		/* a reply to the reminder without the word: no done-mail */
		{ "SV: Påmindelse: Kursus senest 2027-03-06 [" REF "]", NULL },
		/* the word inside the reminder's subject is not the sender's */
		{ "Re: Reminder: Get the ISO certification done by 1 March 2027 [" REF "]", NULL },
		{ "SV: Påmindelse: Kursus - ikke udført endnu? [" REF "]", NULL },
		{ "Udført", NULL },
		{ "Udført " REF, NULL },
		{ "Udført [" REF, NULL },
		{ "Udført [4423bd84-808f-1041-9932-65572714160]", NULL },
		{ "Udført [4423bd84-808f-1041-9932-65572714160g]", NULL },
		{ "Udført [4423bd84x808f-1041-9932-655727141609]", NULL },
		{ "Done? [" REF "]", NULL },
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
		int ret = mus_done_parse(cases[i].subject, NULL, NULL, &reference);

		mus_test_check(ret == (cases[i].reference != NULL ? 1 : 0),
			       t_strdup_printf("case %u: %s", i, cases[i].subject == NULL ? "(null)" : cases[i].subject),
			       __FILE__, __LINE__);
		test_assert_strcmp(reference, cases[i].reference != NULL ?
				   cases[i].reference : "untouched");
	}
	mus_test_end();
}

/* A reply to the reminder says it in its first line. */
static void test_done_body(void)
{
	static const char *reminder =
		"SV: Påmindelse: Kursus senest 2027-03-06 [" REF "]";
	static const struct {
		const char *text, *html;
		bool done;
	} cases[] = {
		{ "Udført – kurset er gennemført.\n\nHilsen Anna\n", NULL, TRUE },
		{ "\n\n  done!\n", NULL, TRUE },
		{ NULL, "<p>Udført</p><p>Anna</p>", TRUE },
		{ "Udført.\n", NULL, TRUE },
		{ "Done: the course was on 3 March.\n", NULL, TRUE },
		{ "Ikke udført endnu, auditøren har flyttet datoen.\n", NULL, FALSE },
		/* a question, or the word that goes on, is no answer */
		{ "Done? Not yet, I need another week\n", NULL, FALSE },
		{ "Udført? Nej, ikke endnu\n", NULL, FALSE },
		{ "Udført i næste uge\n", NULL, FALSE },
		{ "Done, but only the first module\n", NULL, FALSE },
		{ "Not yet - the auditor postponed.\n\nOn Mon, 1 Mar 2027, MUS wrote:\n> done\n", NULL, FALSE },
		/* the quoted reminder does not speak for the sender */
		{ "\n-----Original Message-----\nUdført [" REF "]\n", NULL, FALSE },
		{ NULL, NULL, FALSE },
	};

	mus_test_begin("done: the first line of a reply to the reminder");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *reference = "untouched";
		int ret = mus_done_parse(reminder, cases[i].text, cases[i].html,
					 &reference);

		mus_test_check(ret == (cases[i].done ? 1 : 0),
			       t_strdup_printf("case %u", i), __FILE__, __LINE__);
		test_assert_strcmp(reference, cases[i].done ? REF : "untouched");
	}
	/* the word in the body without a reference in the subject: nothing */
	test_assert(mus_done_parse("Kursus", "Udført\n", NULL, &reminder) == 0);
	mus_test_end();
}

void test_done(void)
{
	test_done_subject();
	test_done_body();
}
