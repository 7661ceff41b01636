/* Unit tests of the card catalogue: the real one from ical-templates,
   broken ones written to a temporary directory, and the choice of cards
   for a conversation. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "unichar.h"
#include "unlink-directory.h"
#include "mus-cards.h"
#include "mus-test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* the tests run from the top of the source tree */
#define TEMPLATES_DIR "ical-templates"

#define MANDATORY_CODES "siden-sidst faglighed arbejdsopgaver"

static const struct {
	const char *code, *theme;
} real_cards[] = {
	{ "siden-sidst", "faelles" },
	{ "faglighed", "faelles" },
	{ "arbejdsopgaver", "faelles" },
	{ "engagement", "trivsel" },
	{ "anerkendelse", "trivsel" },
	{ "indflydelse", "trivsel" },
	{ "helhed-kerneopgave", "samarbejde" },
	{ "samarbejde", "samarbejde" },
	{ "sparring", "samarbejde" },
	{ "ny-paa-arbejdsmarkedet", "livsfaser" },
	{ "specialisering", "livsfaser" },
	{ "lyst-til-ledelse", "livsfaser" },
	{ "senior", "livsfaser" },
	{ "balance", "livsfaser" },
	{ "aabenhed-dialog", "vaerdier" },
	{ "medbestemmelse", "vaerdier" },
	{ "udvikling-forandring", "vaerdier" },
	{ "mangfoldighed", "vaerdier" },
	{ "trivsel-tryghed", "vaerdier" },
	{ "digitalisering", "digitalisering" },
	{ "lokalt-emne", "lokalt" },
};

static const char *read_file(const char *path)
{
	string_t *str = t_str_new(4096);
	char buf[4096];
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		str_append_data(str, buf, n);
	fclose(f);
	return str_c(str);
}

static void write_file(const char *path, const char *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		i_fatal("fopen(%s) failed: %m", path);
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		i_fatal("write(%s) failed: %m", path);
}

static bool ends_with(const char *str, const char *suffix)
{
	size_t len = strlen(str), suffix_len = strlen(suffix);

	return len >= suffix_len && strcmp(str + len - suffix_len, suffix) == 0;
}

/* The longest line of text in characters, or UINT_MAX if the text is not
   UTF-8. */
static unsigned int longest_line(const char *text)
{
	const char *const *lines;
	unsigned int max = 0;

	if (!uni_utf8_str_is_valid(text))
		return UINT_MAX;
	for (lines = t_strsplit(text, "\n"); *lines != NULL; lines++) {
		unsigned int len = uni_utf8_strlen(*lines);

		if (len > max)
			max = len;
	}
	return max;
}

static void test_cards_real_catalogue(void)
{
	struct mus_cards *cards = NULL;
	const struct mus_card *card;
	const char *error = NULL;

	mus_test_begin("cards: the shipped catalogue loads");
	test_assert(mus_cards_load(TEMPLATES_DIR, &cards, &error) == 0);
	if (cards == NULL) {
		printf("  error: %s\n", error);
		mus_test_end();
		return;
	}
	test_assert(mus_cards_count(cards) == N_ELEMENTS(real_cards));
	mus_test_end();

	mus_test_begin("cards: the shipped catalogue has every code, in order");
	for (unsigned int i = 0; i < N_ELEMENTS(real_cards) &&
	     i < mus_cards_count(cards); i++) {
		card = mus_cards_idx(cards, i);
		test_assert_strcmp(card->code, real_cards[i].code);
		test_assert_strcmp(card->theme, real_cards[i].theme);
		test_assert(card->mandatory == (i < 3));
		test_assert(card->group_excluded ==
			    (strcmp(real_cards[i].theme, "livsfaser") == 0));
		test_assert(mus_cards_find(cards, real_cards[i].code) == card);
	}
	card = mus_cards_find(cards, "senior");
	test_assert(card != NULL && strcmp(card->theme_title[MUS_LANGUAGE_DA],
					   "Livsfaser") == 0);
	card = mus_cards_find(cards, "mangfoldighed");
	test_assert(card != NULL &&
		    strcmp(card->title[MUS_LANGUAGE_DA],
			   "Mangfoldighed og rummelighed") == 0);
	test_assert(mus_cards_find(cards, "Digitalisering") ==
		    mus_cards_find(cards, "digitalisering"));
	test_assert(mus_cards_find(cards, "SIDEN-SIDST") ==
		    mus_cards_idx(cards, 0));
	test_assert(mus_cards_find(cards, "trivsel") == NULL);
	test_assert(mus_cards_find(cards, "") == NULL);
	test_assert(mus_cards_find(cards, NULL) == NULL);
	mus_test_end();

	/* what the card files promise: complete documents, UTF-8 text with
	   lines of at most 76 characters, nothing fetched from elsewhere */
	for (unsigned int i = 0; i < mus_cards_count(cards); i++) {
		card = mus_cards_idx(cards, i);
		mus_test_begin(t_strdup_printf("cards: texts of %s",
					       card->code));
		for (unsigned int lang = 0; lang < MUS_CARD_LANGUAGES; lang++) {
			const char *text = read_file(card->text_path[lang]);
			const char *html = read_file(card->html_path[lang]);
			const char *suffix = t_strdup_printf(
				"/cards/%s.%s.txt", card->code,
				lang == MUS_LANGUAGE_DA ? "da" : "en");

			test_assert(card->text_path[lang][0] == '/');
			test_assert(card->html_path[lang][0] == '/');
			test_assert(ends_with(card->text_path[lang], suffix));
			test_assert(text != NULL && html != NULL);
			if (text == NULL || html == NULL)
				continue;
			test_assert(longest_line(text) <= 76);
			test_assert(strstr(text, card->title[lang]) != NULL);
			test_assert(strstr(text, card->theme_title[lang]) !=
				    NULL);
			test_assert(strstr(text, lang == MUS_LANGUAGE_DA ?
					   "Mine noter" : "My notes") != NULL);
			test_assert(str_begins(html, "<!DOCTYPE html>\n"));
			test_assert(uni_utf8_str_is_valid(html));
			test_assert(strstr(html, "<meta charset=\"utf-8\">") !=
				    NULL);
			test_assert(strstr(html, card->title[lang]) != NULL);
			test_assert(strstr(html, "</html>") != NULL);
			test_assert(strstr(html, "<script") == NULL);
			test_assert(strstr(html, "src=") == NULL);
			test_assert(strstr(html, "href=") == NULL);
			test_assert(strstr(html, "url(") == NULL);
		}
		mus_test_end();
	}

	mus_test_begin("cards: free NULLs the pointer and takes NULL");
	mus_cards_free(&cards);
	test_assert(cards == NULL);
	mus_cards_free(&cards);
	mus_test_end();
}

/* Catalogues for the broken cases: every card is one line, so line N+1
   holds card N. The files exist for m1, m2, m3 and opt. */
#define TITLE(c) "{\"da\": \"Kort " c "\", \"en\": \"Card " c "\"}"
#define THEME_TITLE "{\"da\": \"Tema\", \"en\": \"Theme\"}"
#define FLAGS(mandatory) \
	"\"mandatory\": " mandatory ", \"group_excluded\": false"
#define FILES(c) \
	"{\"da\": {\"html\": \"" c ".da.html\", \"text\": \"" c ".da.txt\"}, " \
	"\"en\": {\"html\": \"" c ".en.html\", \"text\": \"" c ".en.txt\"}}"
#define CARD_ALL(code, title, theme_title, flags, files) \
	"{\"code\": " code ", \"theme\": \"t\", \"title\": " title \
	", \"theme_title\": " theme_title ", " flags ", \"files\": " files "}"
#define CARD(c, mandatory) \
	CARD_ALL("\"" c "\"", TITLE(c), THEME_TITLE, FLAGS(mandatory), FILES(c))
#define OPT_WITH(code, title, theme_title, flags, files) \
	HEAD MANDATORY CARD_ALL(code, title, theme_title, flags, files) TAIL

#define HEAD "{\"cards\": [\n"
/* lines 2-4; the next card is on line 5 */
#define MANDATORY \
	CARD("m1", "true") ",\n" CARD("m2", "true") ",\n" \
	CARD("m3", "true") ",\n"
#define TAIL "\n]}\n"
#define VALID HEAD MANDATORY CARD("opt", "false") TAIL
#define NUL_CATALOGUE HEAD MANDATORY "\0" CARD("opt", "false") TAIL

struct cards_case {
	const char *name;
	const char *catalogue;	/* NULL: no catalogue file at all */
	/* NULL: loads; else the start of the error after "<dir>/cards/" */
	const char *error;
};

static const struct cards_case cards_cases[] = {
	{ "a valid catalogue", VALID, NULL },
	{ "the cards key on a later line, a comment, a card over lines",
	  "{\n\"comment\": \"local cards\",\n\"cards\": [\n"
	  MANDATORY "{\n\"comment\": \"ours\",\n\"code\": \"opt\", \"theme\": \"t\",\n"
	  "\"title\": " TITLE("opt") ", \"theme_title\": " THEME_TITLE ",\n"
	  FLAGS("false") ", \"files\": " FILES("opt") "}\n]}\n", NULL },
	{ "no catalogue file", NULL, "catalogue.json: open() failed" },
	{ "an empty file", "", "catalogue.json:1: not valid JSON" },
	{ "JSON syntax: missing comma between cards",
	  HEAD CARD("m1", "true") ",\n" CARD("m2", "true") "\n"
	  CARD("m3", "true") TAIL, "catalogue.json:4: not valid JSON" },
	{ "JSON syntax: a bare word",
	  HEAD MANDATORY "{\"code\": \"opt\",\n\"mandatory\": yes}" TAIL,
	  "catalogue.json:6: not valid JSON" },
	{ "JSON syntax: the array is not closed",
	  HEAD MANDATORY CARD("opt", "false") "\n}\n",
	  "catalogue.json:6: not valid JSON" },
	{ "JSON syntax: text after the catalogue", VALID "\n\nmore\n",
	  "catalogue.json:9: not valid JSON" },
	{ "not an object", "[\n]\n",
	  "catalogue.json:1: the catalogue must be a JSON object" },
	{ "no cards key", "{\"cartes\": []}",
	  "catalogue.json:1: unknown key \"cartes\" in \"(top level)\"" },
	{ "cards is not an array", "{\n\"cards\": {}}",
	  "catalogue.json:2: \"cards\" must be an array" },
	{ "a duplicate code", HEAD MANDATORY CARD("m2", "false") TAIL,
	  "catalogue.json:5: card 'm2': the code is already used by card #2" },
	{ "a duplicate code, the line of its code key",
	  HEAD MANDATORY "{\"theme\": \"t\",\n\"title\": " TITLE("x") ",\n"
	  "\"code\": \"m1\", \"theme_title\": " THEME_TITLE ", " FLAGS("false")
	  ", \"files\": " FILES("opt") "}" TAIL,
	  "catalogue.json:7: card 'm1': the code is already used by card #1" },
	{ "a missing title",
	  OPT_WITH("\"opt\"", "{\"da\": \"Kort\"}", THEME_TITLE,
		   FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card 'opt': missing \"title.en\"" },
	{ "an empty title",
	  OPT_WITH("\"opt\"", "{\"da\": \"Kort\", \"en\": \"\"}", THEME_TITLE,
		   FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card 'opt': \"title.en\" must be a non-empty string" },
	{ "a title in a third language",
	  OPT_WITH("\"opt\"", "{\"da\": \"K\", \"en\": \"C\", \"de\": \"K\"}",
		   THEME_TITLE, FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card 'opt': unknown key \"de\" in \"title\"" },
	{ "a control character in a theme title",
	  OPT_WITH("\"opt\"", TITLE("opt"), "{\"da\": \"T\\u0007\", \"en\": \"T\"}",
		   FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card 'opt': \"theme_title.da\" contains a control character" },
	{ "theme titles that disagree",
	  OPT_WITH("\"opt\"", TITLE("opt"), "{\"da\": \"Tema\", \"en\": \"Topic\"}",
		   FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card 'opt': \"theme_title.en\" is \"Topic\", but card 'm1'" },
	{ "a missing file",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   FILES("ghost")),
	  "catalogue.json:5: card 'opt': \"files.da.html\": stat(" },
	{ "a missing files language",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   "{\"da\": {\"html\": \"opt.da.html\", \"text\": \"opt.da.txt\"}}"),
	  "catalogue.json:5: card 'opt': missing \"files.en\"" },
	{ "an absolute file name",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   "{\"da\": {\"html\": \"/etc/passwd\"}}"),
	  "catalogue.json:5: card 'opt': \"files.da.html\": '/etc/passwd' must be relative" },
	{ "a file name out of the cards directory",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   "{\"da\": {\"html\": \"../cards/opt.da.html\"}}"),
	  "catalogue.json:5: card 'opt': \"files.da.html\": '../cards/opt.da.html' must not lead out" },
	{ "a directory as a file",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   "{\"da\": {\"html\": \".\"}}"),
	  "catalogue.json:5: card 'opt': \"files.da.html\": " },
	{ "a code with capitals",
	  OPT_WITH("\"Opt\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   FILES("opt")),
	  "catalogue.json:5: card #4: invalid code 'Opt': use 1-40 characters a-z, 0-9 and -" },
	{ "a code with a space",
	  OPT_WITH("\"o p\"", TITLE("opt"), THEME_TITLE, FLAGS("false"),
		   FILES("opt")),
	  "catalogue.json:5: card #4: invalid code 'o p'" },
	{ "a code of 41 characters",
	  OPT_WITH("\"abcdefghij-abcdefghij-abcdefghij-abcdefgh\"", TITLE("opt"),
		   THEME_TITLE, FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card #4: invalid code" },
	{ "a code of 40 characters",
	  OPT_WITH("\"abcdefghij-abcdefghij-abcdefghij-abcdefg\"", TITLE("opt"),
		   THEME_TITLE, FLAGS("false"), FILES("opt")), NULL },
	{ "a code that is a number",
	  OPT_WITH("4", TITLE("opt"), THEME_TITLE, FLAGS("false"), FILES("opt")),
	  "catalogue.json:5: card #4: \"code\" must be a non-empty string" },
	{ "no code",
	  HEAD MANDATORY "{\"theme\": \"t\"}" TAIL,
	  "catalogue.json:5: card #4: missing \"code\"" },
	{ "a card that is not an object",
	  HEAD MANDATORY "\"opt\"" TAIL, "catalogue.json:5: card #4: not an object" },
	{ "a misspelt key",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE,
		   "\"mandatroy\": false, \"group_excluded\": false", FILES("opt")),
	  "catalogue.json:5: card 'opt': unknown key \"mandatroy\"" },
	{ "a key twice",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE,
		   FLAGS("false") ", \"mandatory\": true", FILES("opt")),
	  "catalogue.json:5: card 'opt': key \"mandatory\" appears twice" },
	{ "mandatory as a string",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE,
		   "\"mandatory\": \"no\", \"group_excluded\": false", FILES("opt")),
	  "catalogue.json:5: card 'opt': \"mandatory\" must be true or false" },
	{ "group_excluded missing",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE, "\"mandatory\": false",
		   FILES("opt")),
	  "catalogue.json:5: card 'opt': missing \"group_excluded\"" },
	{ "a mandatory card left out of groups",
	  OPT_WITH("\"opt\"", TITLE("opt"), THEME_TITLE,
		   "\"mandatory\": true, \"group_excluded\": true", FILES("opt")),
	  "catalogue.json:5: card 'opt': a mandatory card is in every conversation" },
	{ "only two mandatory cards",
	  "{\n\n\"cards\": [\n" CARD("m1", "true") ",\n" CARD("m2", "true") ",\n"
	  CARD("opt", "false") TAIL,
	  "catalogue.json:3: 2 mandatory cards; every conversation needs at least 3" },
	{ "no cards", "{\"cards\": []}",
	  "catalogue.json:1: 0 mandatory cards" },
};

static void make_card_files(const char *cards_dir, const char *code)
{
	static const char *const suffixes[] = {
		"da.html", "da.txt", "en.html", "en.txt"
	};

	for (unsigned int i = 0; i < N_ELEMENTS(suffixes); i++) {
		const char *path = t_strdup_printf("%s/%s.%s", cards_dir, code,
						   suffixes[i]);

		write_file(path, code, strlen(code));
	}
}

static void test_cards_load_case(const char *dir, const char *catalogue_path,
				 const char *name, const char *catalogue,
				 size_t catalogue_size, const char *expected)
{
	struct mus_cards *cards = (void *)&cards, *sentinel = cards;
	const char *error = NULL;
	int ret;

	mus_test_begin(t_strdup_printf("cards: load %s", name));
	if (catalogue != NULL)
		write_file(catalogue_path, catalogue, catalogue_size);
	else if (unlink(catalogue_path) < 0 && errno != ENOENT)
		i_fatal("unlink(%s) failed: %m", catalogue_path);
	ret = mus_cards_load(dir, &cards, &error);
	if (expected == NULL) {
		test_assert(ret == 0);
		if (ret < 0)
			printf("  got: %s\n", error);
		else
			mus_cards_free(&cards);
	} else {
		const char *want = t_strdup_printf("%s/cards/%s", dir,
						   expected);

		test_assert(ret == -1);
		test_assert(cards == sentinel);
		test_assert(error != NULL && str_begins(error, want));
		if (error != NULL && !str_begins(error, want))
			printf("  got:  %s\n  want: %s...\n", error, want);
	}
	mus_test_end();
}

static void test_cards_broken_catalogues(void)
{
	char dir[] = "/tmp/mus-test-cards.XXXXXX";
	const char *cards_dir, *catalogue_path, *error;
	size_t max = MUS_CARDS_CATALOGUE_MAX_SIZE;
	char *big;

	if (mkdtemp(dir) == NULL)
		i_fatal("mkdtemp(%s) failed: %m", dir);
	cards_dir = t_strdup_printf("%s/cards", dir);
	catalogue_path = t_strdup_printf("%s/catalogue.json", cards_dir);
	if (mkdir(cards_dir, 0700) < 0)
		i_fatal("mkdir(%s) failed: %m", cards_dir);
	make_card_files(cards_dir, "m1");
	make_card_files(cards_dir, "m2");
	make_card_files(cards_dir, "m3");
	make_card_files(cards_dir, "opt");

	for (unsigned int i = 0; i < N_ELEMENTS(cards_cases); i++) {
		const struct cards_case *c = &cards_cases[i];
		size_t size = c->catalogue == NULL ? 0 : strlen(c->catalogue);

		test_cards_load_case(dir, catalogue_path, c->name, c->catalogue,
				     size, c->error);
	}
	test_cards_load_case(dir, catalogue_path, "a NUL byte", NUL_CATALOGUE,
			     sizeof(NUL_CATALOGUE) - 1,
			     "catalogue.json:5: a NUL byte");

	/* exactly the maximum size loads, one byte more does not */
	big = i_malloc(max + 2);
	memset(big, ' ', max + 1);
	memcpy(big, VALID, strlen(VALID));
	test_cards_load_case(dir, catalogue_path, "a catalogue of 1 MiB", big,
			     max, NULL);
	test_cards_load_case(dir, catalogue_path, "a catalogue over 1 MiB", big,
			     max + 1, "catalogue.json: larger than 1048576 bytes");
	i_free(big);

	if (unlink_directory(dir, UNLINK_DIRECTORY_FLAG_RMDIR, &error) < 0)
		i_error("unlink_directory(%s) failed: %s", dir, error);
}

struct select_case {
	const char *name;
	bool group;
	const char *round[8], *leader[8], *employee[8];
	/* the codes selected after the mandatory ones, space separated */
	const char *selected;
	/* the problems, each followed by a newline */
	const char *problems;
};

static const struct select_case select_cases[] = {
	{ "only the mandatory cards", FALSE, { NULL }, { NULL }, { NULL },
	  "", "" },
	{ "the round's cards follow the mandatory ones", FALSE,
	  { "engagement", "digitalisering" }, { NULL }, { NULL },
	  "engagement digitalisering", "" },
	{ "the round has no limit", FALSE,
	  { "engagement", "anerkendelse", "indflydelse", "samarbejde",
	    "sparring" }, { NULL }, { NULL },
	  "engagement anerkendelse indflydelse samarbejde sparring", "" },
	{ "leader and employee add three each, in their order", FALSE,
	  { "engagement" }, { "sparring", "senior", "balance" },
	  { "mangfoldighed", "anerkendelse", "indflydelse" },
	  "engagement sparring senior balance mangfoldighed anerkendelse indflydelse",
	  "" },
	{ "a fourth card of the leader is reported", FALSE,
	  { NULL }, { "sparring", "senior", "balance", "anerkendelse", "lokalt-emne" },
	  { "anerkendelse" },
	  "sparring senior balance anerkendelse",
	  "leader: card 'anerkendelse' is left out: the leader may choose at most 3 cards\n"
	  "leader: card 'lokalt-emne' is left out: the leader may choose at most 3 cards\n" },
	{ "a fourth card of the employee is reported", FALSE,
	  { NULL }, { NULL },
	  { "sparring", "senior", "balance", "digitalisering" },
	  "sparring senior balance",
	  "employee: card 'digitalisering' is left out: the employee may choose at most 3 cards\n" },
	{ "duplicates are skipped silently and do not count", FALSE,
	  { "engagement", "engagement", "faglighed" },
	  { "engagement", "faglighed", "sparring", "sparring", "anerkendelse",
	    "indflydelse" },
	  { "siden-sidst", "sparring", "balance", "arbejdsopgaver" },
	  "engagement sparring anerkendelse indflydelse balance", "" },
	{ "codes are compared without case", FALSE,
	  { "Engagement" }, { "SPARRING", "sparring", "Senior" }, { NULL },
	  "engagement sparring senior", "" },
	{ "unknown codes are reported and do not count", FALSE,
	  { "trivsel" }, { "nope", "sparring", "", "a b", "senior", "balance" },
	  { "x\ny" },
	  "sparring senior balance",
	  "round: unknown card code 'trivsel'\n"
	  "leader: unknown card code 'nope'\n"
	  "leader: unknown card code ''\n"
	  "leader: unknown card code 'a b'\n"
	  "employee: unknown card code 'x?y'\n" },
	{ "life stage cards are left out of a group conversation", TRUE,
	  { "senior", "engagement" }, { "balance", "sparring" },
	  { "ny-paa-arbejdsmarkedet", "specialisering", "lyst-til-ledelse",
	    "mangfoldighed" },
	  "engagement sparring mangfoldighed",
	  "round: card 'senior' (Life stages) is left out: it is not used in group conversations (GRUS/TUS)\n"
	  "leader: card 'balance' (Life stages) is left out: it is not used in group conversations (GRUS/TUS)\n"
	  "employee: card 'ny-paa-arbejdsmarkedet' (Life stages) is left out: it is not used in group conversations (GRUS/TUS)\n"
	  "employee: card 'specialisering' (Life stages) is left out: it is not used in group conversations (GRUS/TUS)\n"
	  "employee: card 'lyst-til-ledelse' (Life stages) is left out: it is not used in group conversations (GRUS/TUS)\n" },
	{ "life stage cards are fine in an individual conversation", FALSE,
	  { "senior", "engagement" }, { "balance", "sparring" },
	  { "ny-paa-arbejdsmarkedet", "specialisering", "lyst-til-ledelse",
	    "mangfoldighed" },
	  "senior engagement balance sparring ny-paa-arbejdsmarkedet specialisering lyst-til-ledelse",
	  "employee: card 'mangfoldighed' is left out: the employee may choose at most 3 cards\n" },
	{ "a group conversation keeps the mandatory cards", TRUE,
	  { NULL }, { "lokalt-emne" }, { "trivsel-tryghed" },
	  "lokalt-emne trivsel-tryghed", "" },
};

static const char *selected_codes(const ARRAY_TYPE(mus_card_p) *selected)
{
	const struct mus_card *const *cardp;
	string_t *str = t_str_new(256);

	array_foreach(selected, cardp) {
		if (str_len(str) > 0)
			str_append_c(str, ' ');
		str_append(str, (*cardp)->code);
	}
	return str_c(str);
}

static const char *joined_problems(const ARRAY_TYPE(const_string) *problems)
{
	const char *const *problemp;
	string_t *str = t_str_new(256);

	array_foreach(problems, problemp)
		str_printfa(str, "%s\n", *problemp);
	return str_c(str);
}

static void test_cards_selection(void)
{
	struct mus_cards *cards;
	const char *error;

	if (mus_cards_load(TEMPLATES_DIR, &cards, &error) < 0)
		i_fatal("mus_cards_load(%s) failed: %s", TEMPLATES_DIR, error);

	for (unsigned int i = 0; i < N_ELEMENTS(select_cases); i++) {
		const struct select_case *c = &select_cases[i];
		ARRAY_TYPE(mus_card_p) selected;
		ARRAY_TYPE(const_string) problems;
		const char *want;
		unsigned int count, want_count = 0;

		mus_test_begin(t_strdup_printf("cards: select: %s", c->name));
		t_array_init(&selected, 16);
		t_array_init(&problems, 4);
		count = mus_cards_select(cards, c->group, c->round, c->leader,
					 c->employee, &selected, &problems);
		want = c->selected[0] == '\0' ? MANDATORY_CODES :
			t_strconcat(MANDATORY_CODES, " ", c->selected, NULL);
		test_assert_strcmp(selected_codes(&selected), want);
		test_assert_strcmp(joined_problems(&problems), c->problems);
		for (const char *p = c->problems; *p != '\0'; p++) {
			if (*p == '\n')
				want_count++;
		}
		test_assert(count == want_count);
		mus_test_end();
	}

	mus_test_begin("cards: select: NULL lists give the mandatory cards");
	{
		ARRAY_TYPE(mus_card_p) selected;
		ARRAY_TYPE(const_string) problems;

		t_array_init(&selected, 16);
		t_array_init(&problems, 4);
		test_assert(mus_cards_select(cards, TRUE, NULL, NULL, NULL,
					     &selected, &problems) == 0);
		test_assert_strcmp(selected_codes(&selected), MANDATORY_CODES);
		test_assert(array_count(&problems) == 0);
	}
	mus_test_end();
	mus_cards_free(&cards);
}

void test_cards(void)
{
	test_cards_real_catalogue();
	test_cards_broken_catalogues();
	test_cards_selection();
}
