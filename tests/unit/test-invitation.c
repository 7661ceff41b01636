/* Unit tests of the invitation texts: dates in Danish and English, the
   shipped templates filled in both languages, HTML escaping, refused
   input and broken templates in a temporary directory. */

#include "lib.h"
#include "str.h"
#include "unlink-directory.h"
#include "mus-cards.h"
#include "mus-invitation.h"
#include "mus-test.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>

/* the tests run from the top of the source tree */
#define TEMPLATES_DIR "ical-templates"
#define TZ "Europe/Copenhagen"

/* 2027-01-04 (a Monday) 07:30 UTC = 08:30 CET */
#define WINTER_START 1799047800
/* 2027-07-05 (a Monday) 06:30 UTC = 08:30 CEST */
#define SUMMER_START 1814769000

static const char *const one_member[] = { "Anna Holm", NULL };
static const char *const three_members[] = {
	"Anna Holm", "Bo Ek", "Carl Ny", NULL
};

/* the selected cards in order, and their origins */
static const char *const selected_codes[] = {
	"siden-sidst", "faglighed", "arbejdsopgaver", "digitalisering",
	"sparring", "senior",
};
static const enum mus_card_origin selected_origins[] = {
	MUS_CARD_ORIGIN_MANDATORY, MUS_CARD_ORIGIN_MANDATORY,
	MUS_CARD_ORIGIN_MANDATORY, MUS_CARD_ORIGIN_LMU,
	MUS_CARD_ORIGIN_LEADER, MUS_CARD_ORIGIN_EMPLOYEE,
};
static const char *const choosable_codes[] = {
	"engagement", "anerkendelse", "balance",
};

struct fixture {
	struct mus_cards *catalogue;
	const struct mus_card *cards[N_ELEMENTS(selected_codes)];
	const struct mus_card *choosable[N_ELEMENTS(choosable_codes)];
};

static void vars_init(struct mus_invitation_vars *vars,
		      const struct fixture *fx, enum mus_language language)
{
	i_zero(vars);
	vars->language = language;
	vars->kind = "MUS";
	vars->round_name = "MUS 2027 Teknik og Miljø";
	vars->leader_name = "Karen Birk";
	vars->member_names = one_member;
	vars->start = WINTER_START;
	vars->end = WINTER_START + 3600;
	vars->timezone = TZ;
	vars->location = "Mødelokale 2, Rådhuset";
	vars->organizer = "mus@eksempel.test";
	vars->uid_short = "7f3a9c";
	vars->cards = fx->cards;
	vars->card_origins = selected_origins;
	vars->card_count = N_ELEMENTS(selected_codes);
	vars->choosable = fx->choosable;
	vars->choosable_count = N_ELEMENTS(choosable_codes);
}

/* Returns TRUE if text still holds something that looks like a
   placeholder: "{" letters "}". */
static bool has_placeholder(const char *text)
{
	for (const char *p = strchr(text, '{'); p != NULL;
	     p = strchr(p + 1, '{')) {
		const char *q = p + 1;

		while (i_isalnum(*q) || *q == '_' || *q == '-')
			q++;
		if (q > p + 1 && *q == '}')
			return TRUE;
	}
	return FALSE;
}

/* Returns TRUE if the needles occur in text in this order. */
static bool in_order(const char *text, const char *const *needles,
		     unsigned int count)
{
	const char *p = text;

	for (unsigned int i = 0; i < count; i++) {
		p = strstr(p, needles[i]);
		if (p == NULL)
			return FALSE;
		p += strlen(needles[i]);
	}
	return TRUE;
}

static bool render_ok(const struct mus_invitation_vars *vars, bool cancel,
		      struct mus_invitation_text *text)
{
	const char *error = NULL;

	i_zero(text);
	if (mus_invitation_render(TEMPLATES_DIR, cancel, vars, text,
				  &error) < 0) {
		printf("  error: %s\n", error);
		test_assert(error == NULL);
		return FALSE;
	}
	test_assert(text->subject != NULL && text->summary != NULL &&
		    text->body_text != NULL && text->body_html != NULL &&
		    text->description != NULL);
	test_assert(strchr(text->subject, '\n') == NULL);
	test_assert(strchr(text->summary, '\n') == NULL);
	test_assert(!has_placeholder(text->subject));
	test_assert(!has_placeholder(text->summary));
	test_assert(!has_placeholder(text->body_text));
	test_assert(!has_placeholder(text->body_html));
	test_assert(strchr(text->body_text, '\r') == NULL);
	test_assert(t_strconcat(text->description, "\n", NULL) != NULL &&
		    strcmp(t_strconcat(text->description, "\n", NULL),
			   text->body_text) == 0);
	test_assert(str_begins(text->body_html, "<!DOCTYPE html>\n"));
	return TRUE;
}

static void test_invitation_dates(void)
{
	static const struct {
		enum mus_language language;
		time_t start, end;
		const char *expected;
	} cases[] = {
		{ MUS_LANGUAGE_DA, WINTER_START, WINTER_START + 3600,
		  "mandag den 4. januar 2027 kl. 08.30-09.30" },
		{ MUS_LANGUAGE_DA, SUMMER_START, SUMMER_START + 3600,
		  "mandag den 5. juli 2027 kl. 08.30-09.30" },
		{ MUS_LANGUAGE_EN, WINTER_START, WINTER_START + 3600,
		  "Monday 4 January 2027, 08:30-09:30" },
		{ MUS_LANGUAGE_EN, SUMMER_START, SUMMER_START + 3600,
		  "Monday 5 July 2027, 08:30-09:30" },
		/* Saturday 2027-07-03 23:15 CEST to Sunday 00:45 */
		{ MUS_LANGUAGE_DA, SUMMER_START - 2 * 86400 + 15 * 3600 - 900,
		  SUMMER_START - 2 * 86400 + 16 * 3600 + 900,
		  "lørdag den 3. juli 2027 kl. 23.15 til søndag den 4. juli 2027 kl. 00.45" },
		{ MUS_LANGUAGE_EN, SUMMER_START - 2 * 86400 + 15 * 3600 - 900,
		  SUMMER_START - 2 * 86400 + 16 * 3600 + 900,
		  "Saturday 3 July 2027, 23:15 to Sunday 4 July 2027, 00:45" },
		/* Friday 2027-12-31 14:00 CET */
		{ MUS_LANGUAGE_DA, 1830258000, 1830258000 + 2700,
		  "fredag den 31. december 2027 kl. 14.00-14.45" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		mus_test_begin(t_strdup_printf("invitation: date '%s'",
					       cases[i].expected));
		test_assert_strcmp(mus_invitation_when(cases[i].language, TZ,
						       cases[i].start,
						       cases[i].end),
				   cases[i].expected);
		mus_test_end();
	}
}

static void test_invitation_danish(const struct fixture *fx)
{
	struct mus_invitation_vars vars;
	struct mus_invitation_text text;
	const char *const text_cards[] = {
		"   1. Siden sidst (fast kort i alle samtaler)\n",
		"   2. Faglighed (fast kort i alle samtaler)\n",
		"   3. Arbejdsopgaver og udvikling (fast kort i alle samtaler)\n",
		"   4. Digitalisering og digitale kompetencer (valgt af MED-udvalget)\n",
		"   5. Sparring (valgt af lederen)\n",
		"   6. Senior (valgt af medarbejderen)\n",
	};
	const char *const html_cards[] = {
		"<ol>\n<li>Siden sidst <em>(fast kort i alle samtaler)</em></li>\n",
		"<li>Faglighed <em>(fast kort i alle samtaler)</em></li>\n",
		"<li>Arbejdsopgaver og udvikling <em>(fast kort i alle samtaler)</em></li>\n",
		"<li>Digitalisering og digitale kompetencer <em>(valgt af MED-udvalget)</em></li>\n",
		"<li>Sparring <em>(valgt af lederen)</em></li>\n",
		"<li>Senior <em>(valgt af medarbejderen)</em></li>\n</ol>",
	};

	mus_test_begin("invitation: Danish, every placeholder filled");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	if (render_ok(&vars, FALSE, &text)) {
		test_assert_strcmp(text.subject,
			"MUS med Karen Birk: Anna Holm, mandag den 4. januar 2027 [7f3a9c]");
		test_assert_strcmp(text.summary, "MUS: Anna Holm og Karen Birk");
		test_assert(str_begins(text.body_text, "Til Anna Holm og Karen Birk\n\n"));
		test_assert_contains(text.body_text,
			"årets medarbejderudviklingssamtale (MUS) i runden \"MUS 2027 Teknik og Miljø\"");
		test_assert_contains(text.body_text,
			"Tid:        mandag den 4. januar 2027 kl. 08.30-09.30\n");
		test_assert_contains(text.body_text,
			"Sted:       Mødelokale 2, Rådhuset\n");
		test_assert_contains(text.body_text, "mail til mus@eksempel.test");
		test_assert_contains(text.body_text, "\n    Samtalekort 7f3a9c\n");
		test_assert_contains(text.body_text, "\n    kort: engagement, anerkendelse\n");
		test_assert_contains(text.body_text, "op til 3 kort");
		test_assert_contains(text.body_text,
			"  - engagement: Engagement, arbejdsglæde og motivation (Trivsel)\n"
			"  - anerkendelse: Anerkendelse (Trivsel)\n"
			"  - balance: Balance mellem arbejds- og privatliv (Livsfaser)\n");
		test_assert(in_order(text.body_text, text_cards,
				     N_ELEMENTS(text_cards)));
		test_assert_contains(text.body_text, "Til dig, der er medarbejder:");
		test_assert_contains(text.body_text, "Til dig, der er leder:");
		test_assert_contains(text.body_text, "sidste års udviklingsmål");
		test_assert_contains(text.body_text, "kollega om sparring");
		test_assert_contains(text.body_text, "skriftlig kompetenceudviklingsplan");
		test_assert_contains(text.body_text, "MUS på vegne af Karen Birk\n");

		test_assert_contains(text.body_html, "<td>mandag den 4. januar 2027 kl. 08.30-09.30</td>");
		test_assert_contains(text.body_html, "<a href=\"mailto:mus@eksempel.test\">mus@eksempel.test</a>");
		test_assert_contains(text.body_html, "<pre>Samtalekort 7f3a9c</pre>");
		test_assert_contains(text.body_html, "<pre>kort: engagement, anerkendelse</pre>");
		test_assert_contains(text.body_html,
			"<li><code>balance</code>: Balance mellem arbejds- og privatliv (Livsfaser)</li>");
		test_assert(in_order(text.body_html, html_cards,
				     N_ELEMENTS(html_cards)));
		/* CSS braces in the template are text, not placeholders */
		test_assert_contains(text.body_html, "body { font-family:");
	}
	mus_test_end();

	mus_test_begin("invitation: Danish in July, no location, nothing left to choose");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	vars.start = SUMMER_START;
	vars.end = SUMMER_START + 5400;
	vars.location = NULL;
	vars.choosable_count = 0;
	vars.choosable = NULL;
	if (render_ok(&vars, FALSE, &text)) {
		test_assert_contains(text.subject, "mandag den 5. juli 2027");
		test_assert_contains(text.body_text,
			"Tid:        mandag den 5. juli 2027 kl. 08.30-10.00\n");
		test_assert_contains(text.body_text, "Sted:       lederen oplyser stedet\n");
		test_assert_contains(text.body_text, "\n  Alle kort er valgt.\n");
		test_assert_contains(text.body_text, "\n    kort: kode1, kode2\n");
		test_assert_contains(text.body_text, "\nBåde lederen og medarbejderen kan "
			"hver vælge op til 3 kort mere.\n");
		test_assert_contains(text.body_text, "\nSender du en ny linje senere, "
			"erstatter den dit tidligere valg.\n");
		test_assert_contains(text.body_html, "<p><em>Alle kort er valgt.</em></p>");
	}
	mus_test_end();

	mus_test_begin("invitation: GRUS names the team and its members");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	vars.kind = "GRUS";
	vars.team_name = "Team Syd";
	vars.member_names = three_members;
	if (render_ok(&vars, FALSE, &text)) {
		test_assert_strcmp(text.subject,
			"GRUS med Karen Birk: Team Syd, mandag den 4. januar 2027 [7f3a9c]");
		test_assert_strcmp(text.summary, "GRUS: Team Syd og Karen Birk");
		test_assert(str_begins(text.body_text,
			"Til Anna Holm, Bo Ek, Carl Ny og Karen Birk\n"));
		test_assert_contains(text.body_text, "gruppeudviklingssamtale (GRUS)");
		test_assert_contains(text.body_text,
			"Deltagere:  Karen Birk (leder), Anna Holm, Bo Ek og Carl Ny\n");
		/* the members share one choice of cards, and are told so */
		test_assert_contains(text.body_text, "\nLederen kan vælge op til 3 kort "
			"mere, og medarbejderne kan i fællesskab vælge op til 3.\n");
		test_assert_contains(text.body_text, "\nEn ny linje fra en af "
			"medarbejderne erstatter medarbejdernes valg");
		test_assert_contains(text.body_html, "<p>Lederen kan vælge op til 3 kort");
		test_assert(strstr(text.body_text, "dit tidligere valg") == NULL);
	}
	vars.member_names = NULL;
	if (render_ok(&vars, FALSE, &text))
		test_assert(str_begins(text.body_text, "Til Team Syd og Karen Birk\n"));
	mus_test_end();
}

static void test_invitation_english(const struct fixture *fx)
{
	struct mus_invitation_vars vars;
	struct mus_invitation_text text;
	const char *const text_cards[] = {
		"   1. Since last time (in every conversation)\n",
		"   4. Digitalisation and digital skills (chosen by the MED committee)\n",
		"   5. Sounding boards and feedback (chosen by the leader)\n",
		"   6. Senior (chosen by the employee)\n",
	};

	mus_test_begin("invitation: English, every placeholder filled");
	vars_init(&vars, fx, MUS_LANGUAGE_EN);
	vars.kind = "LUS";
	vars.start = SUMMER_START;
	vars.end = SUMMER_START + 3600;
	if (render_ok(&vars, FALSE, &text)) {
		test_assert_strcmp(text.subject,
			"LUS with Karen Birk: Anna Holm, Monday 5 July 2027 [7f3a9c]");
		test_assert_strcmp(text.summary, "LUS: Anna Holm and Karen Birk");
		test_assert_contains(text.body_text,
			"this year's leader development conversation (LUS)");
		test_assert_contains(text.body_text,
			"When:          Monday 5 July 2027, 08:30-09:30\n");
		test_assert_contains(text.body_text, "\n    Cards 7f3a9c\n");
		test_assert_contains(text.body_text, "\n    cards: engagement, anerkendelse\n");
		test_assert(in_order(text.body_text, text_cards,
				     N_ELEMENTS(text_cards)));
		test_assert_contains(text.body_text, "For you as the employee:");
		test_assert_contains(text.body_text, "For you as the leader:");
		test_assert_contains(text.body_text, "written competence development plan");
		test_assert_contains(text.body_html, "<td>Monday 5 July 2027, 08:30-09:30</td>");
		test_assert_contains(text.body_html, "<pre>Cards 7f3a9c</pre>");
	}
	mus_test_end();
}

static void test_invitation_escaping(const struct fixture *fx)
{
	struct mus_invitation_vars vars;
	struct mus_invitation_text text;
	const char *const members[] = { "Jens <b>&\"", NULL };

	mus_test_begin("invitation: values cannot inject HTML");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	vars.leader_name = "Jens <b>&\"";
	vars.member_names = members;
	vars.round_name = "<script>alert('x')</script>";
	vars.location = "Lokale <3 & 'Kælderen'";
	if (render_ok(&vars, FALSE, &text)) {
		test_assert_contains(text.body_html, "Til Jens &lt;b&gt;&amp;&quot; og Jens &lt;b&gt;&amp;&quot;</p>");
		test_assert_contains(text.body_html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
		test_assert_contains(text.body_html, "<td>Lokale &lt;3 &amp; &#39;Kælderen&#39;</td>");
		test_assert(strstr(text.body_html, "<b>") == NULL);
		test_assert(strstr(text.body_html, "<script>") == NULL);
		test_assert(strstr(text.body_html, "&\"") == NULL);
		/* the plain texts keep the values as they are */
		test_assert(str_begins(text.body_text, "Til Jens <b>&\" og Jens <b>&\"\n"));
		test_assert_contains(text.subject, "MUS med Jens <b>&\": Jens <b>&\",");
		test_assert_contains(text.body_text, "<script>alert('x')</script>");
	}
	mus_test_end();
}

static void test_invitation_cancel(const struct fixture *fx)
{
	struct mus_invitation_vars vars;
	struct mus_invitation_text text;

	mus_test_begin("invitation: Danish cancel says why");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	vars.cancel_reason = "Anna Holm er flyttet til en anden afdeling.\nSamtalen holdes med den nye leder.";
	if (render_ok(&vars, TRUE, &text)) {
		test_assert_strcmp(text.subject,
			"Aflyst: MUS med Karen Birk: Anna Holm, mandag den 4. januar 2027 [7f3a9c]");
		test_assert_strcmp(text.summary, "MUS: Anna Holm og Karen Birk");
		test_assert_contains(text.body_text,
			"Jeres medarbejderudviklingssamtale (MUS) i runden \"MUS 2027 Teknik og Miljø\" er trukket tilbage");
		test_assert_contains(text.body_text,
			"Begrundelse:\nAnna Holm er flyttet til en anden afdeling.\nSamtalen holdes med den nye leder.\n");
		test_assert_contains(text.body_html,
			"Anna Holm er flyttet til en anden afdeling.<br>\nSamtalen holdes med den nye leder.");
	}
	mus_test_end();

	mus_test_begin("invitation: a cancel without a reason says so");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	vars.cancel_reason = NULL;
	if (render_ok(&vars, TRUE, &text)) {
		test_assert_contains(text.body_text,
			"Begrundelse:\nDer er ikke angivet nogen begrundelse.\n");
	}
	vars.language = MUS_LANGUAGE_EN;
	vars.cancel_reason = "";
	if (render_ok(&vars, TRUE, &text))
		test_assert_contains(text.body_text, "Reason:\nNo reason was given.\n");
	mus_test_end();

	mus_test_begin("invitation: English cancel escapes the reason");
	vars_init(&vars, fx, MUS_LANGUAGE_EN);
	vars.cancel_reason = "Anna <left> the unit & moved on.";
	if (render_ok(&vars, TRUE, &text)) {
		test_assert(str_begins(text.subject, "Cancelled: MUS with Karen Birk: Anna Holm, Monday 4 January 2027"));
		test_assert_contains(text.body_text, "has been withdrawn");
		test_assert_contains(text.body_text, "Reason:\nAnna <left> the unit & moved on.\n");
		test_assert_contains(text.body_html, "Anna &lt;left&gt; the unit &amp; moved on.");
	}
	mus_test_end();
}

static void test_invitation_invalid(const struct fixture *fx)
{
	static const char *const bad_members[] = { "Anna", "Bo\r\nBcc: x", NULL };
	static const enum mus_card_origin bad_origins[] = {
		MUS_CARD_ORIGIN_MANDATORY, MUS_CARD_ORIGIN_MANDATORY,
		MUS_CARD_ORIGIN_MANDATORY, MUS_CARD_ORIGIN_LMU,
		MUS_CARD_ORIGIN_LEADER, 7,
	};
	static const struct {
		const char *name, *error;
	} cases[] = {
		{ "an unknown kind", "kind: 'XUS' is none of MUS, GRUS, TUS, LUS" },
		{ "a leader name with LF", "leader_name: contains control character 0x0a" },
		{ "a member name with CRLF", "member_names[1]: contains control character 0x0d" },
		{ "no employee and no team", "member_names: no employee and no team_name" },
		{ "a short UID with a space", "uid_short: '7f 3a' is not" },
		{ "a short UID with an @", "uid_short: 'mus@x' is not" },
		{ "end before start", "end: " },
		{ "an unknown zone", "timezone: unknown time zone 'Europe/Aarhus'" },
		{ "a cancel reason with a control character", "cancel_reason: contains control character 0x1b" },
		{ "an unknown card origin", "card_origins[5]: unknown origin 7" },
		{ "an organizer that is no address", "organizer: 'MUS <mus@x>' is not a bare mail address" },
		{ "no round name", "round_name: missing" },
		{ "invalid UTF-8", "location: not valid UTF-8" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_invitation_vars vars;
		struct mus_invitation_text text;
		const char *error = NULL;
		bool cancel = FALSE;

		mus_test_begin(t_strdup_printf("invitation: refuses %s",
					       cases[i].name));
		vars_init(&vars, fx, MUS_LANGUAGE_DA);
		switch (i) {
		case 0: vars.kind = "XUS"; break;
		case 1: vars.leader_name = "Karen\nBirk"; break;
		case 2: vars.member_names = bad_members; break;
		case 3: vars.member_names = NULL; break;
		case 4: vars.uid_short = "7f 3a"; break;
		case 5: vars.uid_short = "mus@x"; break;
		case 6: vars.end = vars.start - 1; break;
		case 7: vars.timezone = "Europe/Aarhus"; break;
		case 8: cancel = TRUE; vars.cancel_reason = "x\x1b[2J"; break;
		case 9: vars.card_origins = bad_origins; break;
		case 10: vars.organizer = "MUS <mus@x>"; break;
		case 11: vars.round_name = ""; break;
		case 12: vars.location = "Lokale \xc3"; break;
		default: i_unreached();
		}
		text.subject = "untouched";
		test_assert(mus_invitation_render(TEMPLATES_DIR, cancel, &vars,
						  &text, &error) < 0);
		test_assert_contains(error, cases[i].error);
		test_assert_strcmp(text.subject, "untouched");
		mus_test_end();
	}
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		i_fatal("fopen(%s) failed: %m", path);
	if (fputs(data, f) < 0 || fclose(f) != 0)
		i_fatal("write(%s) failed: %m", path);
}

#define GOOD_HTML "<!DOCTYPE html>\n<p>{leader}</p>\n"

static void test_invitation_templates(const struct fixture *fx)
{
	static const struct {
		const char *name, *txt, *html, *error;
	} cases[] = {
		{ "an unknown placeholder",
		  "Subject: {kind}\nSummary: {kind}\n\nHej\n\nTid: {when}\nMed {leeder}\n",
		  GOOD_HTML, "invitation.da.txt:7: unknown placeholder {leeder}" },
		{ "an unknown placeholder in the HTML", "Subject: x\nSummary: y\n\nz\n",
		  "<!DOCTYPE html>\n<p>\n{Leader}</p>\n",
		  "invitation.da.html:3: unknown placeholder {Leader}" },
		{ "an unknown placeholder in Subject:",
		  "Subject: {kind} {datum}\nSummary: y\n\nz\n", GOOD_HTML,
		  "invitation.da.txt:1: unknown placeholder {datum}" },
		{ "{cancel_reason} in an invitation",
		  "Subject: x\nSummary: y\n\nHvorfor: {cancel_reason}\n", GOOD_HTML,
		  "invitation.da.txt:4: {cancel_reason} is only known in cancel templates" },
		{ "a list in Subject:",
		  "Summary: y\nSubject: {cards}\n\nz\n", GOOD_HTML,
		  "invitation.da.txt:2: {cards} has several lines and cannot be in Subject:" },
		{ "no Summary: line", "Subject: x\n\nz\n", GOOD_HTML,
		  "invitation.da.txt: missing the Summary: line" },
		{ "no empty line after the header lines", "Subject: x\nSummary: y\nHej\n",
		  GOOD_HTML, "invitation.da.txt:3: expected a Subject: or Summary: line" },
		{ "two Subject: lines", "Subject: x\nSubject: x\nSummary: y\n\nz\n",
		  GOOD_HTML, "invitation.da.txt:2: a second Subject: line" },
		{ "invalid UTF-8", "Subject: x\nSummary: y\n\nHej\nbl\xe5\n", GOOD_HTML,
		  "invitation.da.txt:5: not valid UTF-8" },
		{ "a control character", "Subject: x\nSummary: y\n\nHej\x01\n", GOOD_HTML,
		  "invitation.da.txt:4: control character 0x01" },
	};
	char dir[] = "/tmp/mus-test-invitation.XXXXXX";
	struct mus_invitation_vars vars;
	struct mus_invitation_text text;
	const char *txt_path, *html_path, *error;

	if (mkdtemp(dir) == NULL)
		i_fatal("mkdtemp(%s) failed: %m", dir);
	if (mkdir(t_strconcat(dir, "/text", NULL), 0700) < 0)
		i_fatal("mkdir(%s/text) failed: %m", dir);
	txt_path = t_strconcat(dir, "/text/invitation.da.txt", NULL);
	html_path = t_strconcat(dir, "/text/invitation.da.html", NULL);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		mus_test_begin(t_strdup_printf("invitation: refuses a template with %s",
					       cases[i].name));
		write_file(txt_path, cases[i].txt);
		write_file(html_path, cases[i].html);
		vars_init(&vars, fx, MUS_LANGUAGE_DA);
		error = NULL;
		text.subject = "untouched";
		test_assert(mus_invitation_render(dir, FALSE, &vars, &text,
						  &error) < 0);
		test_assert_contains(error, dir);
		test_assert_contains(error, cases[i].error);
		test_assert_strcmp(text.subject, "untouched");
		mus_test_end();
	}

	mus_test_begin("invitation: a missing template is named");
	vars_init(&vars, fx, MUS_LANGUAGE_EN);
	error = NULL;
	test_assert(mus_invitation_render(dir, FALSE, &vars, &text, &error) < 0);
	test_assert_contains(error, t_strconcat(dir, "/text/invitation.en.txt: open() failed", NULL));
	mus_test_end();

	mus_test_begin("invitation: CRLF templates, {{ and stray braces");
	write_file(txt_path, "subject:  {kind} {{kind} {}  \r\nSUMMARY: {team}\r\n\r\n"
		   "Hej {employees} {not a placeholder} {x\r\n{cards}\r\n\r\n\r\n");
	write_file(html_path, "<!DOCTYPE html>\n<style>p{color:red}</style>\n<p>{employees}</p>{cards}\n");
	vars_init(&vars, fx, MUS_LANGUAGE_DA);
	vars.card_count = 2;
	i_zero(&text);
	error = NULL;
	test_assert(mus_invitation_render(dir, FALSE, &vars, &text, &error) == 0);
	test_assert_strcmp(text.subject, "MUS {kind} {}");
	test_assert_strcmp(text.summary, "Anna Holm");
	test_assert_strcmp(text.body_text,
		"Hej Anna Holm {not a placeholder} {x\n"
		"   1. Siden sidst (fast kort i alle samtaler)\n"
		"   2. Faglighed (fast kort i alle samtaler)\n");
	test_assert_strcmp(text.description,
		"Hej Anna Holm {not a placeholder} {x\n"
		"   1. Siden sidst (fast kort i alle samtaler)\n"
		"   2. Faglighed (fast kort i alle samtaler)");
	test_assert_strcmp(text.body_html,
		"<!DOCTYPE html>\n<style>p{color:red}</style>\n<p>Anna Holm</p><ol>\n"
		"<li>Siden sidst <em>(fast kort i alle samtaler)</em></li>\n"
		"<li>Faglighed <em>(fast kort i alle samtaler)</em></li>\n</ol>\n");
	mus_test_end();

	mus_test_begin("invitation: a notice has a Subject: line only, and its lists stay out of it");
	{
		const struct mus_notice_var nvars[] = {
			{ "subject", "Samtalekort 7f3a9c2e" },
			{ "problems", "- en\n- to" },
		};
		const char *subject = "untouched", *body = "untouched";
		static const struct {
			const char *txt, *error;
		} bad[] = {
			{ "Subject: x\nSummary: y\n\nz\n", "notice.da.txt:2: expected a Subject: line" },
			{ "Subject: {problems}\n\nz\n", "notice.da.txt:1: {problems} has several lines" },
			{ "Subject: x\n\n{problem}\n", "notice.da.txt:3: unknown placeholder {problem}" },
			{ "\nz\n", "missing the Subject: line" },
		};
		const char *path = t_strconcat(dir, "/text/notice.da.txt", NULL);

		for (unsigned int i = 0; i < N_ELEMENTS(bad); i++) {
			write_file(path, bad[i].txt);
			error = NULL;
			test_assert(mus_invitation_render_notice(dir, "notice", MUS_LANGUAGE_DA,
				nvars, N_ELEMENTS(nvars), &subject, &body, &error) < 0);
			test_assert_contains(error, bad[i].error);
			test_assert_strcmp(subject, "untouched");
		}
		write_file(path, "Subject: SV: {subject}\n\nFejl:\n{problems}\n");
		test_assert(mus_invitation_render_notice(dir, "notice", MUS_LANGUAGE_DA,
			nvars, N_ELEMENTS(nvars), &subject, &body, &error) == 0);
		test_assert_strcmp(subject, "SV: Samtalekort 7f3a9c2e");
		test_assert_strcmp(body, "Fejl:\n- en\n- to\n");
	}
	mus_test_end();

	if (unlink_directory(dir, UNLINK_DIRECTORY_FLAG_RMDIR, &error) < 0)
		i_error("unlink_directory(%s) failed: %s", dir, error);
}

/* The answers we ship fill with the values the code gives them. */
static void test_invitation_notices(void)
{
	const struct mus_notice_var cards[] = {
		{ "subject", "Samtalekort 7f3a9c2e" }, { "problems", "- \"xyz\" er ikke en kode" },
		{ "organizer", "mus@eksempel.test" }, { "cards_subject", "Samtalekort 7f3a9c2e" },
		{ "cards_example", "kort: kode1, kode2" }, { "max_chosen", "3" },
	};
	const struct mus_notice_var competence[] = {
		{ "employee", "Karen Birk" }, { "leader", "Ole Dam" },
		{ "when", "mandag den 3. maj 2027" }, { "profile", "Leder" },
		{ "competences", "ledelse" }, { "levels", "1-6" },
		{ "answer_lines", "ledelse: " }, { "uid_short", "7f3a9c2e" },
		{ "kind", "LUS" },
	};
	const struct mus_notice_var counter[] = {
		{ "subject", "MUS med Karen Birk" }, { "proposed", "søndag den 12. september 2027" },
		{ "reason", "the proposed time is not inside working hours" },
	};

	for (enum mus_language lang = MUS_LANGUAGE_DA; lang <= MUS_LANGUAGE_EN; lang++) {
		const char *subject, *body, *error = NULL;

		mus_test_begin(t_strdup_printf("invitation: the shipped answers fill (%s)",
					       lang == MUS_LANGUAGE_DA ? "da" : "en"));
		test_assert(mus_invitation_render_notice(TEMPLATES_DIR, "cards-refused", lang,
			cards, N_ELEMENTS(cards), &subject, &body, &error) == 0);
		test_assert_contains(subject, "Samtalekort 7f3a9c2e");
		test_assert_contains(body, "- \"xyz\" er ikke en kode");
		test_assert_contains(body, "\"Samtalekort 7f3a9c2e\"");
		test_assert(mus_invitation_render_notice(TEMPLATES_DIR, "declinecounter", lang,
			counter, N_ELEMENTS(counter), &subject, &body, &error) == 0);
		test_assert_contains(subject, "MUS med Karen Birk");
		test_assert_contains(body, "not inside working hours.");
		/* the forms before an LUS name it, not MUS */
		for (unsigned int i = 0; i < 2; i++) {
			test_assert(mus_invitation_render_notice(TEMPLATES_DIR,
				i == 0 ? "competence-form" : "competence-form-leader",
				lang, competence, N_ELEMENTS(competence),
				&subject, &body, &error) == 0);
			test_assert_contains(subject, "[7f3a9c2e]");
			test_assert(lang != MUS_LANGUAGE_DA ||
				    (strstr(subject, "LUS") != NULL &&
				     strstr(subject, "MUS") == NULL));
		}
		if (error != NULL)
			printf("  error: %s\n", error);
		mus_test_end();
	}
}

void test_invitation(void)
{
	struct fixture fx;
	const char *error = NULL;

	i_zero(&fx);
	test_invitation_dates();
	test_invitation_notices();

	mus_test_begin("invitation: the card catalogue loads");
	test_assert(mus_cards_load(TEMPLATES_DIR, &fx.catalogue, &error) == 0);
	mus_test_end();
	if (fx.catalogue == NULL) {
		printf("  error: %s\n", error);
		return;
	}
	for (unsigned int i = 0; i < N_ELEMENTS(selected_codes); i++) {
		fx.cards[i] = mus_cards_find(fx.catalogue, selected_codes[i]);
		i_assert(fx.cards[i] != NULL);
	}
	for (unsigned int i = 0; i < N_ELEMENTS(choosable_codes); i++) {
		fx.choosable[i] = mus_cards_find(fx.catalogue, choosable_codes[i]);
		i_assert(fx.choosable[i] != NULL);
	}

	test_invitation_danish(&fx);
	test_invitation_english(&fx);
	test_invitation_escaping(&fx);
	test_invitation_cancel(&fx);
	test_invitation_invalid(&fx);
	test_invitation_templates(&fx);
	mus_cards_free(&fx.catalogue);
}
