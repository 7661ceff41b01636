/* Unit tests of competence mapping: the levels, job profiles and reading
   the answers to the competence form as mail clients send them. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-level.h"
#include "mus-profile.h"
#include "mus-org.h"
#include "mus-competence-form.h"
#include "mus-competence-request.h"
#include "mus-file.h"
#include "mus-test.h"

#include <dirent.h>

static const struct {
	const char *text;
	int level;	/* -1: no level */
} level_cases[] = {
	{ "0", 0 }, { "5", 5 }, { " 3 ", 3 },
	{ "kompetent", 3 }, { "KOMPETENT", 3 }, { "Competent", 3 },
	{ "ikke relevant", 0 }, { "Ikke-relevant", 0 }, { "not  relevant", 0 },
	{ "avanceret begynder", 2 }, { "Avanceret\xc2\xa0" "begynder", 2 },
	{ "advanced beginner", 2 }, { "advanced-beginner", 2 },
	{ "nybegynder", 1 }, { "beginner", 1 }, { "kyndig", 4 },
	{ "proficient", 4 }, { "ekspert.", 5 }, { "*expert*", 5 },
	{ "3 kompetent", 3 }, { "3 - competent", 3 }, { "kompetent (3)", 3 },
	{ "3. kompetent", 3 },
	/* a digit and a name that disagree, or no level at all */
	{ "2 kompetent", -1 }, { "6", -1 }, { "33", -1 }, { "3 4", -1 },
	{ "", -1 }, { "-", -1 }, { "begynder", -1 }, { "kompetente", -1 },
	{ "avanceret", -1 }, { "meget kompetent", -1 }, { "expert!", -1 },
	{ "3/5", -1 },
};

static void test_level_parse(void)
{
	mus_test_begin("level: forgiving parse of what people type");
	for (unsigned int i = 0; i < N_ELEMENTS(level_cases); i++) {
		unsigned int level = 99;
		bool ok = mus_level_parse(level_cases[i].text, &level);

		mus_test_check(ok == (level_cases[i].level >= 0) &&
			       (int)(ok ? level : 99) ==
			       (ok ? level_cases[i].level : 99) &&
			       (ok || level == 99),
			       t_strdup_printf("level_cases[%u] '%s'", i,
					       level_cases[i].text),
			       __FILE__, __LINE__);
	}
	mus_test_end();

	mus_test_begin("level: every name reads back as its level");
	for (unsigned int level = 0; level <= MUS_LEVEL_MAX; level++) {
		unsigned int got = 99;

		test_assert(mus_level_parse(mus_level_name(level, MUS_LANGUAGE_DA), &got) &&
			    got == level);
		test_assert(mus_level_parse(mus_level_name(level, MUS_LANGUAGE_EN), &got) &&
			    got == level);
	}
	test_assert_strcmp(mus_level_name(2, MUS_LANGUAGE_DA), "avanceret begynder");
	test_assert_strcmp(mus_level_name(4, MUS_LANGUAGE_EN), "proficient");
	mus_test_end();
}

static const char *const good_values[] = {
	"borgerkontakt | Borgerkontakt | Contact with citizens | Møder borgeren med respekt",
	"Jura | Lovgivning | Legislation | Kender serviceloven | også § 50",
	"dokumentation | Dokumentation | Record keeping",
	"samarbejde | Tværfagligt samarbejde | Working across professions | ",
	"it-systemer | Fagsystemer | Case systems | Bruger fagsystemet sikkert",
	"udredning | Udredning | Assessment | Beskriver borgerens situation",
	NULL
};

static void test_competence_parse(void)
{
	static const struct {
		const char *value, *error;
	} cases[] = {
		{ "a | b | c", NULL },
		{ "a | b", "fewer than three parts" },
		{ " | b | c", "code ''" },
		{ "bad code | b | c", "code 'bad code'" },
		{ "a_b | b | c", "code 'a_b'" },
		{ "æble | b | c", "code 'æble'" },
		{ "abcdefghijabcdefghijabcdefghijabc | b | c", "is not 1-32" },
		{ "a |  | c", "the Danish title" },
		{ "a | b | ", "the English title" },
		{ "a | b | c | line\nbreak", "control character" },
		{ "a | \xff | c", "not valid UTF-8" },
	};
	pool_t pool = pool_alloconly_create("test competence", 1024);
	struct mus_competence c;
	const char *error;

	mus_test_begin("profile: a musCompetence value and its rules");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		error = NULL;
		int ret = mus_competence_parse(pool, cases[i].value, &c, &error);

		if (cases[i].error == NULL)
			test_assert(ret == 0);
		else {
			test_assert(ret == -1);
			test_assert_contains(error, cases[i].error);
		}
	}
	test_assert(mus_competence_parse(pool, good_values[1], &c, &error) == 0);
	test_assert_strcmp(c.code, "jura");
	test_assert_strcmp(c.title_en, "Legislation");
	/* the description is the rest, '|' included */
	test_assert_strcmp(c.description, "Kender serviceloven | også § 50");
	test_assert(mus_competence_parse(pool, good_values[2], &c, &error) == 0);
	test_assert_strcmp(c.description, "");
	test_assert(mus_competence_parse(pool, t_strdup_printf("a | %s | c",
		t_strcut(t_strdup_printf("%0101d", 0), '\0')), &c, &error) < 0);
	mus_test_end();
	pool_unref(&pool);
}

static struct mus_profile *test_profile(pool_t pool)
{
	return mus_profile_build(pool, "cn=Sagsbehandler,ou=profiles,dc=x",
				 "Sagsbehandler", NULL, good_values);
}

static void test_profile_build(void)
{
	pool_t pool = pool_alloconly_create("test profile", 4096);
	struct mus_profile *profile = test_profile(pool);
	const char *values[10];

	mus_test_begin("profile: 6-8 valid competences, sorted by code");
	test_assert(profile->problem == NULL);
	test_assert(array_count(&profile->competences) == 6);
	const struct mus_competence *sorted = array_front(&profile->competences);

	test_assert_strcmp(sorted[0].code, "borgerkontakt");
	test_assert_strcmp(sorted[5].code, "udredning");
	test_assert(mus_profile_competence(profile, "JURA") != NULL);
	test_assert(mus_profile_competence(profile, "ukendt") == NULL);

	/* five are too few, nine too many */
	for (unsigned int i = 0; i < 5; i++)
		values[i] = good_values[i];
	values[5] = NULL;
	test_assert_contains(mus_profile_build(pool, "cn=a,dc=x", "a", NULL,
					       values)->problem,
			     "has 5 competences");
	for (unsigned int i = 0; i < 9; i++)
		values[i] = t_strdup_printf("k%u | T | T", i);
	values[9] = NULL;
	test_assert_contains(mus_profile_build(pool, "cn=a,dc=x", "a", NULL,
					       values)->problem,
			     "has 9 competences");
	/* a code twice, in another case */
	for (unsigned int i = 0; i < 6; i++)
		values[i] = good_values[i];
	values[5] = "JURA | Jura igen | Law again";
	values[6] = NULL;
	test_assert_contains(mus_profile_build(pool, "cn=a,dc=x", "a", NULL,
					       values)->problem,
			     "the code 'jura' is given twice");
	values[5] = "ok | only two parts";
	test_assert_contains(mus_profile_build(pool, "cn=a,dc=x", "a", NULL,
					       values)->problem,
			     "musCompetence 'ok | only two parts' has fewer");
	test_assert_contains(mus_profile_build(pool, "cn=a,dc=x", NULL, NULL,
					       good_values)->problem, "no name");
	mus_test_end();
	pool_unref(&pool);
}

static void test_profile_resolve(void)
{
	pool_t pool = pool_alloconly_create("test profiles", 4096);
	struct mus_profiles profiles = { .pool = pool };
	struct mus_profile *good = test_profile(pool), *broken;
	const struct mus_profile *found = NULL;
	struct mus_person person;
	const char *problem = NULL;
	const char *few[] = { good_values[0], NULL };

	broken = mus_profile_build(pool, "cn=Pædagog,ou=profiles,dc=x",
				   "Pædagog", NULL, few);
	p_array_init(&profiles.all, pool, 2);
	array_push_back(&profiles.all, &good);
	array_push_back(&profiles.all, &broken);

	mus_test_begin("profile: a person's profile by reference, else by title");
	i_zero(&person);
	person.title = "SAGSBEHANDLER";
	test_assert(mus_profiles_resolve(&profiles, &person, &found, &problem) == 1);
	test_assert(found == good);
	person.title = "Sagsbehandler (barsel)";
	test_assert(mus_profiles_resolve(&profiles, &person, &found, &problem) == 0);
	person.title = NULL;
	test_assert(mus_profiles_resolve(&profiles, &person, &found, &problem) == 0);
	/* the reference wins over the title */
	person.title = "Pædagog";
	person.job_profile_ndn = good->ndn;
	found = NULL;
	test_assert(mus_profiles_resolve(&profiles, &person, &found, &problem) == 1);
	test_assert(found == good);
	/* a broken profile is used by nobody, Danish letters in any case */
	person.job_profile_ndn = NULL;
	person.title = "PÆDAGOG";
	found = NULL;
	test_assert(mus_profiles_resolve(&profiles, &person, &found, &problem) == -1);
	test_assert(found == NULL);
	test_assert_contains(problem, "has 1 competences");
	person.job_profile_ndn = "cn=gone,dc=x";
	test_assert(mus_profiles_resolve(&profiles, &person, &found, &problem) == -1);
	test_assert_contains(problem, "names no job profile");
	mus_test_end();
	pool_unref(&pool);
}

/* ---- the form's answers ---- */

struct form_case {
	const char *name;
	const char *text, *html;
	enum mus_language language;
	/* "code level ..." sorted by code, or NULL when refused */
	const char *levels;
	/* each must be in the problems */
	const char *problems[4];
};

static const struct form_case form_cases[] = {
	{ "plain, Danish names", "Hej\n\nborgerkontakt: kompetent\njura: 2\n"
	  "dokumentation: Kyndig\nsamarbejde: ekspert\nit-systemer: nybegynder\n"
	  "udredning: ikke relevant\n\nVenlig hilsen\nPia\n", NULL,
	  MUS_LANGUAGE_DA,
	  "borgerkontakt 3 dokumentation 4 it-systemer 1 jura 2 samarbejde 5 udredning 0",
	  { NULL } },
	{ "top-posted above Outlook's quote, English names",
	  "Borgerkontakt = competent\r\nJURA: advanced beginner\r\n"
	  "- dokumentation: proficient\r\n* samarbejde : 5\r\n"
	  "it-systemer: Beginner\r\nudredning: not relevant\r\n\r\n"
	  "-----Original Message-----\r\nFrom: MUS\r\nSent: 1 December 2026\r\n"
	  "borgerkontakt: \r\njura: \r\n", NULL, MUS_LANGUAGE_EN,
	  "borgerkontakt 3 dokumentation 4 it-systemer 1 jura 2 samarbejde 5 udredning 0",
	  { NULL } },
	{ "Gmail: the answer, then the quote on '>' lines",
	  "borgerkontakt: 3\njura: 3\ndokumentation: 3\nsamarbejde: 3\n"
	  "it-systemer: 3\nudredning: 3\n\nOn Tue, 1 Dec 2026 at 09:00, MUS "
	  "<mus@eksempel.test> wrote:\n> borgerkontakt: 1\n> jura: 5\n", NULL,
	  MUS_LANGUAGE_DA,
	  "borgerkontakt 3 dokumentation 3 it-systemer 3 jura 3 samarbejde 3 udredning 3",
	  { NULL } },
	{ "inline in a quote-less reply with the form's text around it",
	  "Kompetencer:\nborgerkontakt: Borgerkontakt\n\n"
	  "borgerkontakt: kompetent\njura: kompetent\ndokumentation: kompetent\n"
	  "samarbejde: kyndig\nit-systemer: kyndig\nudredning: ekspert\n"
	  "-- \nPia Brøndum\nSagsbehandler\njura: 5\n", NULL, MUS_LANGUAGE_DA,
	  NULL, { "linje 2 (borgerkontakt: Borgerkontakt): 'Borgerkontakt' er ikke et niveau", NULL } },
	{ "HTML only (Outlook), one table row per competence", NULL,
	  "<html><body><p>Hej</p><table><tr><td>borgerkontakt</td><td>kompetent</td></tr>"
	  "<tr><td>jura</td><td>kyndig</td></tr><tr><td>dokumentation:</td><td>2</td></tr>"
	  "</table><div>samarbejde: avanceret&nbsp;begynder</div><div>it-systemer: 0</div>"
	  "<p>udredning: <b>ekspert</b></p><blockquote><p>jura: 1</p></blockquote>"
	  "</body></html>", MUS_LANGUAGE_DA,
	  "borgerkontakt 3 dokumentation 2 it-systemer 0 jura 4 samarbejde 2 udredning 5",
	  { NULL } },
	{ "a code alone, its level on the next line",
	  "borgerkontakt:\n3\njura\nkyndig\ndokumentation: 2\nsamarbejde: 3\n"
	  "it-systemer:\nnybegynder\nudredning: 5\n", NULL, MUS_LANGUAGE_DA,
	  "borgerkontakt 3 dokumentation 2 it-systemer 1 jura 4 samarbejde 3 udredning 5",
	  { NULL } },
	{ "a code alone whose next line is a quote has no level",
	  "borgerkontakt: 3\njura: 4\ndokumentation: 2\nsamarbejde: 3\n"
	  "it-systemer:\n> 4\n4\nudredning: 5\n", NULL, MUS_LANGUAGE_DA, NULL,
	  { "- it-systemer (Fagsystemer) har intet niveau", NULL } },
	{ "a code alone whose next line is no level",
	  "borgerkontakt: 3\njura:\nmeget god\ndokumentation: 2\nsamarbejde: 3\n"
	  "it-systemer: 1\nudredning: 5\n", NULL, MUS_LANGUAGE_DA, NULL,
	  { "- jura (", NULL } },
	{ "the same level twice is fine, a repeat with another level is not",
	  "borgerkontakt: 3\nborgerkontakt: kompetent\njura: 2\njura: 4\n"
	  "dokumentation: 3\nsamarbejde: 3\nit-systemer: 3\nudredning: 3\n", NULL,
	  MUS_LANGUAGE_EN, NULL,
	  { "line 4 (jura: 4): jura is also given in line 3 with another level (advanced beginner)", NULL } },
	{ "missing competences, an unknown code and an unknown level",
	  "borgerkontakt: 3\njura: meget god\nledelse: 4\nSidst: vi ses\n", NULL,
	  MUS_LANGUAGE_DA, NULL,
	  { "linje 2 (jura: meget god): 'meget god' er ikke et niveau",
	    "linje 3 (ledelse: 4): 'ledelse' er ikke en af skemaets koder",
	    "- dokumentation (Dokumentation) har intet niveau",
	    "- udredning (Udredning) har intet niveau" } },
	{ "the empty form sent back", "borgerkontakt: \njura:\ndokumentation: \n"
	  "samarbejde:\nit-systemer:\nudredning:\n", NULL, MUS_LANGUAGE_EN, NULL,
	  { "- borgerkontakt (Contact with citizens) has no level",
	    "- udredning (Assessment) has no level", NULL } },
	{ "no answer at all", "Tak, jeg svarer i morgen.\n", NULL,
	  MUS_LANGUAGE_DA, NULL,
	  { "svaret har ingen linjer af formen <kode>: <niveau>", NULL } },
	{ "empty mail", NULL, NULL, MUS_LANGUAGE_EN, NULL,
	  { "the reply has no lines", NULL } },
};

static void test_form_case(const struct form_case *c)
{
	pool_t pool = pool_alloconly_create("test form", 4096);
	pool_t profile_pool = pool_alloconly_create("test form profile", 4096);
	struct mus_profile *profile = test_profile(profile_pool);
	ARRAY_TYPE(mus_assessment_item) items;
	struct mus_plan_problems problems;
	const struct mus_assessment_item *item;
	int ret;

	mus_test_begin(t_strdup_printf("competence form: %s", c->name));
	i_zero(&items);
	mus_plan_problems_init(&problems, pool, c->language);
	ret = mus_competence_form_parse(c->text, c->html, profile, &problems,
					&items);
	if (c->levels != NULL) {
		string_t *got = t_str_new(128);

		test_assert(ret == 0);
		test_assert_strcmp(mus_plan_problems_format(&problems), "");
		if (ret == 0) {
			array_foreach(&items, item) {
				if (str_len(got) > 0)
					str_append_c(got, ' ');
				str_append(got, mus_assessment_item_value(item));
			}
		}
		test_assert_strcmp(str_c(got), c->levels);
	} else {
		const char *text = mus_plan_problems_format(&problems);

		test_assert(ret == -1);
		test_assert(!array_is_created(&items));
		for (unsigned int i = 0; i < N_ELEMENTS(c->problems) &&
			     c->problems[i] != NULL; i++)
			test_assert_contains(text, c->problems[i]);
	}
	mus_test_end();
	pool_unref(&pool);
	pool_unref(&profile_pool);
}

static void test_form_texts(void)
{
	pool_t pool = pool_alloconly_create("test form texts", 4096);
	struct mus_profile *profile = test_profile(pool);
	struct mus_assessment_item item;

	mus_test_begin("competence form: the texts the mail shows");
	test_assert_contains(mus_competence_form_competences(profile, MUS_LANGUAGE_EN),
			     "jura \xe2\x80\x93 Legislation\n    Kender serviceloven | også § 50\n");
	test_assert_contains(mus_competence_form_competences(profile, MUS_LANGUAGE_DA),
			     "borgerkontakt \xe2\x80\x93 Borgerkontakt\n");
	test_assert_contains(mus_competence_form_levels(MUS_LANGUAGE_DA),
			     "  2  avanceret begynder\n");
	test_assert_strcmp(mus_competence_form_answer_lines(profile),
			   "borgerkontakt: \ndokumentation: \nit-systemer: \n"
			   "jura: \nsamarbejde: \nudredning: \n");
	/* the whole form sent back, its lines filled in */
	struct mus_plan_problems problems;
	ARRAY_TYPE(mus_assessment_item) items;
	const char *body = t_strconcat(
		mus_competence_form_competences(profile, MUS_LANGUAGE_DA), "\n",
		mus_competence_form_levels(MUS_LANGUAGE_DA), "\n",
		t_str_replace(mus_competence_form_answer_lines(profile), '\n', '@'), NULL);

	body = t_strarray_join((const char *const *)t_strsplit(body, "@"), "3\n");
	mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_DA);
	test_assert(mus_competence_form_parse(body, NULL, profile, &problems,
					      &items) == 0);
	test_assert_strcmp(mus_plan_problems_format(&problems), "");
	test_assert(mus_competence_form_subject("SV: Kompetenceskema for Pia [7f3a9c2e]"));
	test_assert(mus_competence_form_subject("Re: Competence form for Emma [7f3a9c2e]"));
	test_assert(!mus_competence_form_subject("Re: Udviklingsplan for Pia [7f3a9c2e]"));
	test_assert(!mus_competence_form_subject(NULL));
	test_assert(mus_assessment_item_parse("jura 4", &item) &&
		    item.level == 4 && strcmp(item.code, "jura") == 0);
	test_assert(!mus_assessment_item_parse("jura 6", &item));
	test_assert(!mus_assessment_item_parse("jura", &item));
	test_assert(!mus_assessment_item_parse(" 3", &item));
	mus_test_end();
	pool_unref(&pool);
}

static void test_request_wanted(void)
{
	static const char *const one[] = { "uid=a,dc=x", NULL };
	static const char *const two[] = { "uid=a,dc=x", "uid=b,dc=x", NULL };
	static const char *const none[] = { NULL };
	struct mus_conversation conv;

	mus_test_begin("competence request: MUS and LUS conversations sent or being sent, once");
	for (enum mus_conv_status s = 0; s < MUS_CONV_STATUS_COUNT; s++) {
		bool open = s == MUS_CONV_SCHEDULED || s == MUS_CONV_INVITED ||
			s == MUS_CONV_ACCEPTED || s == MUS_CONV_DECLINED ||
			s == MUS_CONV_RESCHEDULING;

		i_zero(&conv);
		conv.status = s;
		conv.employee_ndns = one;
		test_assert(mus_competence_request_wanted(&conv, FALSE) == open);
		/* GRUS/TUS: no form */
		test_assert(!mus_competence_request_wanted(&conv, TRUE));
	}
	conv.status = MUS_CONV_INVITED;
	test_assert(mus_competence_request_wanted(&conv, FALSE));
	conv.competence_form_sent = 1799056800;
	test_assert(!mus_competence_request_wanted(&conv, FALSE));
	conv.competence_form_sent = 0;
	conv.employee_ndns = two;
	test_assert(!mus_competence_request_wanted(&conv, FALSE));
	conv.employee_ndns = none;
	test_assert(!mus_competence_request_wanted(&conv, FALSE));
	conv.employee_ndns = one;
	conv.unreadable = TRUE;
	test_assert(!mus_competence_request_wanted(&conv, FALSE));
	mus_test_end();
}

static const char *const sagsbehandler_values[] = {
	"borgerkontakt | Borgerkontakt | Contact with citizens | Møder borgeren",
	"lovgivning | Lovgivning | Legislation | Serviceloven",
	"udredning | Udredning | Assessment | Borgerens situation",
	"dokumentation | Dokumentation og journal | Records | Journal",
	"fagsystem | Fagsystemer | Case systems | Fagsystemerne",
	"samarbejde | Tværfagligt samarbejde | Working across professions | Sammen",
	"prioritering | Prioritering af sager | Managing the caseload | Frister",
	NULL
};

/* Every reply in tests/data/competence/: NAME.LANG.txt (plain body) or
   NAME.LANG.html (HTML-only body), read against the profile
   sagsbehandler_values; NAME.LANG.expect is "levels: <code> <level>, ..."
   or the problems as the answer to the sender lists them. */
static void test_form_files(void)
{
	const char *dir_path = "tests/data/competence";
	unsigned int inputs = 0;
	struct dirent *d;
	DIR *dir = opendir(dir_path);

	if (dir == NULL)
		i_fatal("opendir(%s) failed: %m", dir_path);
	while ((d = readdir(dir)) != NULL) T_BEGIN {
		const char *name = t_strdup(d->d_name), *dot = strrchr(name, '.');
		const char *input, *expect, *error, *got;
		pool_t pool = pool_alloconly_create("test form file", 4096);
		struct mus_profile *profile;
		struct mus_plan_problems problems;
		ARRAY_TYPE(mus_assessment_item) items;
		const struct mus_assessment_item *item;
		bool html;
		size_t size;

		if (dot != NULL && (strcmp(dot, ".txt") == 0 ||
				    strcmp(dot, ".html") == 0)) {
			html = strcmp(dot, ".html") == 0;
			mus_test_begin(t_strdup_printf("competence form: file %s", name));
			if (mus_file_read(t_strdup_printf("%s/%s", dir_path, name),
					  1024 * 1024, &input, &size, &error) < 0 ||
			    mus_file_read(t_strdup_printf("%s/%s.expect", dir_path,
							  t_strdup_until(name, dot)),
					  1024 * 1024, &expect, &size, &error) < 0) {
				test_assert_strcmp(error, NULL);
			} else {
				profile = mus_profile_build(pool, "cn=s,dc=x", "s", NULL,
							    sagsbehandler_values);
				mus_plan_problems_init(&problems, pool,
					strstr(name, ".da.") != NULL ?
					MUS_LANGUAGE_DA : MUS_LANGUAGE_EN);
				if (mus_competence_form_parse(html ? NULL : input,
							      html ? input : NULL,
							      profile, &problems,
							      &items) < 0)
					got = mus_plan_problems_format(&problems);
				else {
					string_t *str = t_str_new(128);

					str_append(str, "levels: ");
					array_foreach(&items, item) {
						if (item != array_front(&items))
							str_append(str, ", ");
						str_append(str, mus_assessment_item_value(item));
					}
					str_append_c(str, '\n');
					got = str_c(str);
				}
				test_assert_strcmp(got, expect);
			}
			mus_test_end();
			inputs++;
		}
		pool_unref(&pool);
	} T_END;
	closedir(dir);
	mus_test_begin("competence form: data files found");
	test_assert(inputs >= 6);
	mus_test_end();
}

void test_competence(void)
{
	test_form_files();
	test_request_wanted();
	test_level_parse();
	test_competence_parse();
	test_profile_build();
	test_profile_resolve();
	for (unsigned int i = 0; i < N_ELEMENTS(form_cases); i++)
		test_form_case(&form_cases[i]);
	test_form_texts();
}
