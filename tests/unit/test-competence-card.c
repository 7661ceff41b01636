/* Unit tests of the competence card (mus-competence-card): stored
   answers read against the profile, problems named; the digest changes
   exactly when what the attendees get changes; the HTML card escapes
   every text and carries the spider with one vertex per competence. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-profile.h"
#include "mus-competence-card.h"
#include "mus-test-xml.h"
#include "mus-test.h"

static const char *const card_values[] = {
	"borger | Borgerkontakt | Citizen contact | Møder borgerne",
	"jura | Jura & regler | Law <and> rules | Forvaltningsloven",
	"it | IT-systemer | IT systems | ",
	"samarbejde | Samarbejde | Cooperation | ",
	"doku | Dokumentation | Records | ",
	"oekonomi | \"Økonomi\" <script>alert(1)</script> | 'Budget' | ",
	NULL
};
static const char *const employee[] = {
	"borger 3", "jura 4", "it 2", "samarbejde 5", "doku 0", "oekonomi 1", NULL
};
static const char *const leader[] = {
	"BORGER 2", "jura 4", "it 3", "samarbejde 5", "doku 1", "oekonomi 1", NULL
};
static const char *const none[] = { NULL };

static struct mus_profile *test_card_profile(pool_t pool)
{
	return mus_profile_build(pool, "cn=Sagsbehandler,ou=profiles,dc=x",
				 "Sagsbehandler", NULL, card_values);
}

static const char *test_card_key(const struct mus_profile *profile,
				    const char *const *emp,
				    const char *const *lead)
{
	struct mus_competence_card card;
	const char *error;
	string_t *str = t_str_new(256);

	if (mus_competence_card_read(profile, emp, lead, &card, &error) != 1)
		return NULL;
	mus_competence_card_digest(&card, str);
	return str_c(str);
}

static void test_card_read(void)
{
	pool_t pool = pool_alloconly_create("test card", 4096);
	struct mus_profile *profile = test_card_profile(pool);
	struct mus_competence_card card;
	const char *error = NULL;
	const char *const bad_value[] = { "borger 3", "jura fire", NULL };
	const char *const bad_level[] = { "borger 6", NULL };
	const char *const unknown[] = {
		"borger 3", "jura 4", "it 2", "samarbejde 5", "doku 0",
		"oekonomi 1", "ledelse 2", NULL
	};
	const char *const missing[] = {
		"borger 3", "jura 4", "it 2", "samarbejde 5", "doku 0", NULL
	};
	const char *const twice[] = {
		"borger 3", "BORGER 5", "jura 4", "it 2", "samarbejde 5",
		"doku 0", "oekonomi 1", NULL
	};

	mus_test_begin("competence card: stored answers against the profile");
	test_assert(profile->problem == NULL);
	test_assert(mus_competence_card_read(profile, employee, none, &card,
					     &error) == 1);
	test_assert(card.count == 6 && !card.has_leader);
	/* competences sorted by code: borger doku it jura oekonomi samarbejde */
	test_assert(card.employee[0] == 3 && card.employee[1] == 0 &&
		    card.employee[2] == 2 && card.employee[3] == 4 &&
		    card.employee[4] == 1 && card.employee[5] == 5);
	test_assert(mus_competence_card_read(profile, employee, leader, &card,
					     &error) == 1);
	test_assert(card.has_leader && card.leader[0] == 2 && card.leader[1] == 1);
	/* only the leader has answered: no spider yet */
	test_assert(mus_competence_card_read(profile, none, leader, &card,
					     &error) == 0);
	test_assert(mus_competence_card_read(profile, NULL, leader, &card,
					     &error) == 0);
	test_assert(mus_competence_card_read(profile, bad_value, none, &card,
					     &error) == -1);
	test_assert_contains(error, "'jura fire' is no '<code> <level>'");
	test_assert(mus_competence_card_read(profile, bad_level, none, &card,
					     &error) == -1);
	test_assert_contains(error, "'borger 6'");
	test_assert(mus_competence_card_read(profile, unknown, none, &card,
					     &error) == -1);
	test_assert_contains(error, "'ledelse 2' names no competence");
	test_assert(mus_competence_card_read(profile, missing, none, &card,
					     &error) == -1);
	test_assert_contains(error, "no level for 'oekonomi'");
	test_assert(mus_competence_card_read(profile, twice, none, &card,
					     &error) == -1);
	test_assert_contains(error, "the employee's answer gives 'borger' twice");
	test_assert(mus_competence_card_read(profile, employee, missing, &card,
					     &error) == -1);
	test_assert_contains(error, "the leader's answer has no level");
	profile->problem = "has 5 competences";
	test_assert(mus_competence_card_read(profile, employee, none, &card,
					     &error) == -1);
	test_assert_contains(error, "is not usable: has 5 competences");
	mus_test_end();
	pool_unref(&pool);
}

static void test_card_digest(void)
{
	pool_t pool = pool_alloconly_create("test card", 4096);
	struct mus_profile *profile = test_card_profile(pool);
	const char *const employee2[] = {
		"borger 3", "jura 4", "it 3", "samarbejde 5", "doku 0",
		"oekonomi 1", NULL
	};
	const char *const reordered[] = {
		"oekonomi 1", "doku 0", "samarbejde 5", "it 2", "jura 4",
		"Borger 3", NULL
	};
	const char *alone, *both;

	mus_test_begin("competence card: the digest follows the answers");
	alone = test_card_key(profile, employee, none);
	both = test_card_key(profile, employee, leader);
	test_assert(alone != NULL && both != NULL);
	/* the same answers in another order and case: the same content */
	test_assert_strcmp(test_card_key(profile, reordered, none), alone);
	/* one level changed, the leader's answer added: new content */
	test_assert(null_strcmp(test_card_key(profile, employee2, none),
				alone) != 0);
	test_assert(null_strcmp(both, alone) != 0);
	/* a retitled competence changes what the card shows */
	profile = mus_profile_build(pool, "cn=Sagsbehandler,ou=profiles,dc=x",
				    "Sagsbehandler", NULL, (const char *const[]){
		"borger | Borgerkontakt og service | Citizen contact | ",
		card_values[1], card_values[2], card_values[3],
		card_values[4], card_values[5], NULL });
	test_assert(null_strcmp(test_card_key(profile, employee, none),
				alone) != 0);
	mus_test_end();
	pool_unref(&pool);
}

static unsigned int test_count(const char *text, const char *sub)
{
	unsigned int n = 0;

	for (const char *p = strstr(text, sub); p != NULL; p = strstr(p + 1, sub))
		n++;
	return n;
}

static void test_card_html(void)
{
	pool_t pool = pool_alloconly_create("test card", 4096);
	struct mus_profile *profile = test_card_profile(pool);
	struct mus_competence_card card;
	ARRAY_TYPE(mus_message_attachment) atts;
	const struct mus_message_attachment *att;
	const char *html, *body, *error = NULL;

	mus_test_begin("competence card: the HTML card, escaped, in each language");
	test_assert(mus_competence_card_read(profile, employee, leader, &card,
					     &error) == 1);
	html = mus_competence_card_html(&card, "Søren <b>Højgaard</b> & co",
					MUS_LANGUAGE_DA, &error);
	test_assert(html != NULL);
	test_assert(strstr(html, "<script") == NULL);
	test_assert(strstr(html, "<b>") == NULL);
	test_assert_contains(html, "Søren &lt;b&gt;Højgaard&lt;/b&gt; &amp; co");
	test_assert_contains(html, "<td>Jura &amp; regler</td><td>kyndig</td><td>kyndig</td>");
	test_assert_contains(html, "&quot;Økonomi&quot; &lt;script&gt;");
	test_assert_contains(html, "<td>Dokumentation</td><td>ikke relevant</td><td>nybegynder</td>");
	test_assert(test_count(html, "class=\"vertex employee") == 6);
	test_assert(test_count(html, "class=\"vertex leader") == 6);
	/* the body is well-formed (the head has HTML's open <meta>) */
	body = strstr(html, "<body>");
	test_assert(body != NULL && strstr(body, "</body>") != NULL);
	if (body != NULL && strstr(body, "</body>") != NULL) {
		body = t_strdup_until(body, strstr(body, "</body>") + 7);
		test_assert_strcmp(mus_test_xml_problem(body), NULL);
	}

	test_assert(mus_competence_card_read(profile, employee, none, &card,
					     &error) == 1);
	html = mus_competence_card_html(&card, "Tomasz", MUS_LANGUAGE_EN, &error);
	test_assert(html != NULL);
	test_assert_contains(html, "<td>Law &lt;and&gt; rules</td><td>proficient</td><td>not answered</td>");
	test_assert_contains(html, "lang=\"en\"");
	test_assert(test_count(html, "class=\"vertex leader") == 0);

	/* the attachments: a PNG and the card, named in the language */
	t_array_init(&atts, 4);
	test_assert(mus_competence_card_attach(&card, "Tomasz", MUS_LANGUAGE_DA,
					       &atts, &error) == 0);
	test_assert(array_count(&atts) == 2);
	att = array_idx(&atts, 0);
	test_assert_strcmp(att->content_type, "image/png");
	test_assert_strcmp(att->filename, "kompetencespind.png");
	test_assert(att->size > 8 && memcmp(att->data, "\x89PNG\r\n\x1a\n", 8) == 0);
	att = array_idx(&atts, 1);
	test_assert_strcmp(att->filename, "kompetencespind.html");
	test_assert_strcmp(mus_competence_card_png_name(MUS_LANGUAGE_EN),
			   "competence-spider.png");
	mus_test_end();
	pool_unref(&pool);
}

void test_competence_card(void)
{
	test_card_read();
	test_card_digest();
	test_card_html();
}
