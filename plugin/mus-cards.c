/* The card catalogue (cJSON) and the choice of cards for a conversation. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "path-util.h"
#include "mus-text.h"
#include "mus-cards.h"
#include "mus-file.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>

/* Titles and file names; a longer string is a mistake in the file. */
#define MUS_CARD_STRING_MAX_LEN 255
/* At least this many mandatory cards: Siden sidst, Faglighed and
   Arbejdsopgaver og udvikling are in every conversation. */
#define MUS_CARDS_MIN_MANDATORY 3

struct mus_cards {
	pool_t pool;
	ARRAY(struct mus_card) cards;
};

static const char *const mus_language_codes[MUS_CARD_LANGUAGES] = {
	[MUS_LANGUAGE_DA] = "da",
	[MUS_LANGUAGE_EN] = "en",
};

static const char *const mus_catalogue_keys[] = { "cards", "comment", NULL };
static const char *const mus_card_keys[] = {
	"code", "theme", "title", "theme_title", "mandatory", "group_excluded",
	"files", "comment", NULL
};
static const char *const mus_language_keys[] = { "da", "en", NULL };
static const char *const mus_file_keys[] = { "html", "text", NULL };

static bool mus_card_code_valid(const char *code)
{
	size_t len = strlen(code);

	if (len == 0 || len > MUS_CARD_CODE_MAX_LEN)
		return FALSE;
	for (const char *p = code; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return FALSE;
	}
	return TRUE;
}

static bool mus_json_is_key(const char *after_string)
{
	const char *p = after_string;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == ':';
}

/* The line of the "code" key of card number idx (from 0) of the "cards"
   array, or the line where that card starts if it has no "code"; the line
   of the "cards" key itself for idx < 0 or a card that is not there.
   cJSON keeps no positions, so this walks the text again; it is only
   called for text that cJSON has parsed, so the JSON is valid. */
static unsigned int
mus_catalogue_card_line(const char *text, int idx)
{
	unsigned int line = 1, depth = 0, cards_line = 1, card_line = 0;
	bool cards_key = FALSE, in_cards = FALSE, expect_card = FALSE;
	bool code_found = FALSE;
	const char *p, *str;
	int card = -1;
	size_t len;

	for (p = text; *p != '\0' && card <= idx; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r')
			continue;
		if (in_cards && depth == 2 && expect_card && *p != ']') {
			expect_card = FALSE;
			if (++card == idx)
				card_line = line;
		}
		switch (*p) {
		case '[':
			if (depth == 1 && cards_key) {
				in_cards = TRUE;
				expect_card = TRUE;
			}
			/* fall through */
		case '{':
			depth++;
			break;
		case ']':
		case '}':
			if (--depth == 1 && in_cards)
				return card_line != 0 ? card_line : cards_line;
			break;
		case ',':
			if (in_cards && depth == 2)
				expect_card = TRUE;
			break;
		case '"':
			str = ++p;
			for (; *p != '"' && *p != '\0'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				else if (*p == '\n')
					line++;
			}
			if (*p == '\0')
				p--;
			len = p - str;
			if (!mus_json_is_key(p + 1))
				break;
			if (depth == 1) {
				cards_key = len == 5 &&
					memcmp(str, "cards", 5) == 0;
				if (cards_key)
					cards_line = line;
			} else if (in_cards && depth == 3 && card == idx &&
				   !code_found && len == 4 &&
				   memcmp(str, "code", 4) == 0) {
				card_line = line;
				code_found = TRUE;
			}
			break;
		}
	}
	return card_line != 0 ? card_line : cards_line;
}

/* Read the whole file as a NUL-terminated string from the data stack. */
static int mus_catalogue_read(const char *path, const char **text_r,
			      const char **error_r)
{
	const char *text;
	size_t size;

	if (mus_file_read(path, MUS_CARDS_CATALOGUE_MAX_SIZE, &text, &size,
			  error_r) < 0)
		return -1;
	if (strlen(text) != size) {
		*error_r = t_strdup_printf("%s:%u: a NUL byte in the text", path,
			mus_file_line_of(text, text + strlen(text)));
		return -1;
	}
	*text_r = text;
	return 0;
}

/* Checks that json is an object with no key outside `keys` and no key
   twice; "comment" keys, where allowed, must hold strings. `name` is the
   object's name in messages, NULL for a card. */
static int mus_json_keys_check(const cJSON *json, const char *name,
			       const char *const *keys, const char **error_r)
{
	const char *in = name == NULL ? "" :
		t_strdup_printf(" in \"%s\"", name);
	const cJSON *child, *prev;

	if (!cJSON_IsObject(json)) {
		*error_r = t_strdup_printf("\"%s\" must be an object", name);
		return -1;
	}
	cJSON_ArrayForEach(child, json) {
		const char *key = str_sanitize(child->string, 64);

		if (!str_array_find(keys, child->string)) {
			*error_r = t_strdup_printf("unknown key \"%s\"%s",
						   key, in);
			return -1;
		}
		for (prev = json->child; prev != child; prev = prev->next) {
			if (strcmp(prev->string, child->string) == 0) {
				*error_r = t_strdup_printf(
					"key \"%s\" appears twice%s", key, in);
				return -1;
			}
		}
		if (strcmp(child->string, "comment") == 0 &&
		    !cJSON_IsString(child)) {
			*error_r = t_strdup_printf(
				"\"comment\"%s must be a string", in);
			return -1;
		}
	}
	return 0;
}

/* The member `key` of parent, an object; `name` is its full name in
   messages ("title.da"). */
static const cJSON *mus_json_get(const cJSON *parent, const char *key,
				 const char *name, const char **error_r)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (item == NULL)
		*error_r = t_strdup_printf("missing \"%s\"", name);
	return item;
}

static int mus_json_text(pool_t pool, const cJSON *parent, const char *key,
			 const char *name, const char **value_r,
			 const char **error_r)
{
	const cJSON *item = mus_json_get(parent, key, name, error_r);
	const char *value;

	if (item == NULL)
		return -1;
	if (!cJSON_IsString(item) || item->valuestring[0] == '\0') {
		*error_r = t_strdup_printf("\"%s\" must be a non-empty string",
					   name);
		return -1;
	}
	value = item->valuestring;
	if (strlen(value) > MUS_CARD_STRING_MAX_LEN) {
		*error_r = t_strdup_printf("\"%s\" is longer than %u bytes",
					   name, MUS_CARD_STRING_MAX_LEN);
		return -1;
	}
	if (!uni_utf8_str_is_valid(value)) {
		*error_r = t_strdup_printf("\"%s\" is not valid UTF-8", name);
		return -1;
	}
	if (mus_text_control_char(value, "") != 0) {
		*error_r = t_strdup_printf(
			"\"%s\" contains a control character", name);
		return -1;
	}
	*value_r = p_strdup(pool, value);
	return 0;
}

static int mus_json_bool(const cJSON *parent, const char *key,
			 bool *value_r, const char **error_r)
{
	const cJSON *item = mus_json_get(parent, key, key, error_r);

	if (item == NULL)
		return -1;
	if (!cJSON_IsBool(item)) {
		*error_r = t_strdup_printf("\"%s\" must be true or false", key);
		return -1;
	}
	*value_r = cJSON_IsTrue(item);
	return 0;
}

/* A text per language: "key": { "da": "...", "en": "..." } */
static int mus_json_texts(pool_t pool, const cJSON *parent, const char *key,
			  const char *values_r[MUS_CARD_LANGUAGES],
			  const char **error_r)
{
	const cJSON *item = mus_json_get(parent, key, key, error_r);

	if (item == NULL ||
	    mus_json_keys_check(item, key, mus_language_keys, error_r) < 0)
		return -1;
	for (unsigned int lang = 0; lang < MUS_CARD_LANGUAGES; lang++) {
		const char *code = mus_language_codes[lang];

		if (mus_json_text(pool, item, code,
				  t_strdup_printf("%s.%s", key, code),
				  &values_r[lang], error_r) < 0)
			return -1;
	}
	return 0;
}

/* A file named relative to cards_dir, which must be a readable regular
   file; returns its absolute path. */
static int mus_card_file(pool_t pool, const char *cards_dir,
			 const cJSON *parent, const char *key,
			 const char *name, const char **path_r,
			 const char **error_r)
{
	const char *relative, *path, *const *parts;
	struct stat st;

	if (mus_json_text(pool, parent, key, name, &relative, error_r) < 0)
		return -1;
	if (relative[0] == '/') {
		*error_r = t_strdup_printf("\"%s\": '%s' must be relative to %s",
					   name, relative, cards_dir);
		return -1;
	}
	/* the files are mailed out; keep them inside the cards directory */
	for (parts = t_strsplit(relative, "/"); *parts != NULL; parts++) {
		if (strcmp(*parts, "..") == 0) {
			*error_r = t_strdup_printf(
				"\"%s\": '%s' must not lead out of %s",
				name, relative, cards_dir);
			return -1;
		}
	}
	path = p_strconcat(pool, cards_dir, "/", relative, NULL);
	if (stat(path, &st) < 0) {
		*error_r = t_strdup_printf("\"%s\": stat(%s) failed: %m",
					   name, path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*error_r = t_strdup_printf("\"%s\": %s is not a regular file",
					   name, path);
		return -1;
	}
	if (access(path, R_OK) < 0) {
		*error_r = t_strdup_printf("\"%s\": %s is not readable by uid %ld: %m",
					   name, path, (long)geteuid());
		return -1;
	}
	*path_r = path;
	return 0;
}

static int mus_card_files(pool_t pool, const char *cards_dir,
			  const cJSON *card_json, struct mus_card *card,
			  const char **error_r)
{
	const cJSON *files = mus_json_get(card_json, "files", "files", error_r);

	if (files == NULL ||
	    mus_json_keys_check(files, "files", mus_language_keys, error_r) < 0)
		return -1;
	for (unsigned int lang = 0; lang < MUS_CARD_LANGUAGES; lang++) {
		const char *code = mus_language_codes[lang];
		const char *name = t_strdup_printf("files.%s", code);
		const cJSON *item = mus_json_get(files, code, name, error_r);

		if (item == NULL ||
		    mus_json_keys_check(item, name, mus_file_keys,
					error_r) < 0 ||
		    mus_card_file(pool, cards_dir, item, "html",
				  t_strdup_printf("%s.html", name),
				  &card->html_path[lang], error_r) < 0 ||
		    mus_card_file(pool, cards_dir, item, "text",
				  t_strdup_printf("%s.text", name),
				  &card->text_path[lang], error_r) < 0)
			return -1;
	}
	return 0;
}

static int mus_card_parse_fields(pool_t pool, const char *cards_dir,
				 const cJSON *json, struct mus_card *card,
				 const char **error_r)
{
	if (mus_json_keys_check(json, NULL, mus_card_keys, error_r) < 0 ||
	    mus_json_text(pool, json, "theme", "theme", &card->theme,
			  error_r) < 0)
		return -1;
	if (!mus_card_code_valid(card->theme)) {
		*error_r = t_strdup_printf(
			"invalid theme '%s': use 1-%u characters a-z, 0-9 and -",
			str_sanitize(card->theme, 64), MUS_CARD_CODE_MAX_LEN);
		return -1;
	}
	if (mus_json_texts(pool, json, "title", card->title, error_r) < 0 ||
	    mus_json_texts(pool, json, "theme_title", card->theme_title,
			   error_r) < 0 ||
	    mus_json_bool(json, "mandatory", &card->mandatory, error_r) < 0 ||
	    mus_json_bool(json, "group_excluded", &card->group_excluded,
			  error_r) < 0)
		return -1;
	if (card->mandatory && card->group_excluded) {
		*error_r = "a mandatory card is in every conversation, so it cannot be group_excluded";
		return -1;
	}
	return mus_card_files(pool, cards_dir, json, card, error_r);
}

/* Parse card number idx; the error starts with the card's code or
   number. */
static int mus_card_parse(pool_t pool, const char *cards_dir,
			  const cJSON *json, unsigned int idx,
			  struct mus_card *card, const char **error_r)
{
	const char *error;

	if (!cJSON_IsObject(json)) {
		*error_r = t_strdup_printf("card #%u: not an object", idx + 1);
		return -1;
	}
	if (mus_json_text(pool, json, "code", "code", &card->code,
			  &error) < 0) {
		*error_r = t_strdup_printf("card #%u: %s", idx + 1, error);
		return -1;
	}
	if (!mus_card_code_valid(card->code)) {
		*error_r = t_strdup_printf(
			"card #%u: invalid code '%s': use 1-%u characters a-z, 0-9 and -",
			idx + 1, str_sanitize(card->code, 64),
			MUS_CARD_CODE_MAX_LEN);
		return -1;
	}
	if (mus_card_parse_fields(pool, cards_dir, json, card, &error) < 0) {
		*error_r = t_strdup_printf("card '%s': %s", card->code, error);
		return -1;
	}
	return 0;
}

/* Checks of a card against the cards before it. */
static int mus_card_check_others(const struct mus_cards *cards,
				 const struct mus_card *card,
				 const char **error_r)
{
	const struct mus_card *other;

	array_foreach(&cards->cards, other) {
		unsigned int other_idx = array_foreach_idx(&cards->cards, other);

		if (strcmp(other->code, card->code) == 0) {
			*error_r = t_strdup_printf(
				"card '%s': the code is already used by card #%u",
				card->code, other_idx + 1);
			return -1;
		}
		if (strcmp(other->theme, card->theme) != 0)
			continue;
		for (unsigned int lang = 0; lang < MUS_CARD_LANGUAGES; lang++) {
			if (strcmp(other->theme_title[lang],
				   card->theme_title[lang]) == 0)
				continue;
			*error_r = t_strdup_printf(
				"card '%s': \"theme_title.%s\" is \"%s\", "
				"but card '%s' of the same theme '%s' has \"%s\"",
				card->code, mus_language_codes[lang],
				card->theme_title[lang], other->code,
				card->theme, other->theme_title[lang]);
			return -1;
		}
	}
	return 0;
}

/* Fill cards from the parsed catalogue. On error *bad_card_r is the index
   of the card at fault, or -1 for the catalogue as a whole. */
static int mus_catalogue_parse(struct mus_cards *cards, const char *cards_dir,
			       const cJSON *root, int *bad_card_r,
			       const char **error_r)
{
	const cJSON *array, *item;
	unsigned int idx = 0, mandatory = 0;

	*bad_card_r = -1;
	if (!cJSON_IsObject(root)) {
		*error_r = "the catalogue must be a JSON object with a \"cards\" array";
		return -1;
	}
	if (mus_json_keys_check(root, "(top level)", mus_catalogue_keys,
				error_r) < 0 ||
	    (array = mus_json_get(root, "cards", "cards", error_r)) == NULL)
		return -1;
	if (!cJSON_IsArray(array)) {
		*error_r = "\"cards\" must be an array";
		return -1;
	}
	cJSON_ArrayForEach(item, array) {
		struct mus_card card;

		i_zero(&card);
		*bad_card_r = idx;
		if (mus_card_parse(cards->pool, cards_dir, item, idx, &card,
				   error_r) < 0 ||
		    mus_card_check_others(cards, &card, error_r) < 0)
			return -1;
		array_push_back(&cards->cards, &card);
		if (card.mandatory)
			mandatory++;
		idx++;
	}
	*bad_card_r = -1;
	if (mandatory < MUS_CARDS_MIN_MANDATORY) {
		*error_r = t_strdup_printf(
			"%u mandatory cards; every conversation needs at least %u "
			"(siden-sidst, faglighed, arbejdsopgaver)",
			mandatory, MUS_CARDS_MIN_MANDATORY);
		return -1;
	}
	return 0;
}

static int mus_cards_load_real(const char *templates_dir,
			       struct mus_cards **cards_r,
			       const char **error_r)
{
	const char *dir, *cards_dir, *path, *text, *error;
	struct mus_cards *cards;
	cJSON *root;
	pool_t pool;
	int bad_card, ret;

	if (t_abspath(templates_dir, &dir, &error) < 0) {
		*error_r = t_strdup_printf("t_abspath(%s) failed: %s",
					   templates_dir, error);
		return -1;
	}
	cards_dir = t_strconcat(dir, "/cards", NULL);
	path = t_strconcat(cards_dir, "/catalogue.json", NULL);
	if (mus_catalogue_read(path, &text, error_r) < 0)
		return -1;

	/* trailing garbage is an error too */
	root = cJSON_ParseWithOpts(text, NULL, TRUE);
	if (root == NULL) {
		*error_r = t_strdup_printf("%s:%u: not valid JSON", path,
			mus_file_line_of(text, cJSON_GetErrorPtr()));
		return -1;
	}

	pool = pool_alloconly_create("mus cards", 8192);
	cards = p_new(pool, struct mus_cards, 1);
	cards->pool = pool;
	p_array_init(&cards->cards, pool, 32);
	ret = mus_catalogue_parse(cards, cards_dir, root, &bad_card, &error);
	cJSON_Delete(root);
	if (ret < 0) {
		*error_r = t_strdup_printf("%s:%u: %s", path,
			mus_catalogue_card_line(text, bad_card), error);
		pool_unref(&pool);
		return -1;
	}
	*cards_r = cards;
	return 0;
}

int mus_cards_load(const char *templates_dir, struct mus_cards **cards_r,
		   const char **error_r)
{
	int ret;

	/* the catalogue text may be large: drop it before returning */
	T_BEGIN {
		ret = mus_cards_load_real(templates_dir, cards_r, error_r);
	} T_END_PASS_STR_IF(ret < 0, error_r);
	return ret;
}

void mus_cards_free(struct mus_cards **_cards)
{
	struct mus_cards *cards = *_cards;

	if (cards == NULL)
		return;
	*_cards = NULL;
	pool_unref(&cards->pool);
}

unsigned int mus_cards_count(const struct mus_cards *cards)
{
	return array_count(&cards->cards);
}

const struct mus_card *mus_cards_idx(const struct mus_cards *cards,
				     unsigned int idx)
{
	return array_idx(&cards->cards, idx);
}

const struct mus_card *mus_cards_find(const struct mus_cards *cards,
				      const char *code)
{
	const struct mus_card *card;

	if (code == NULL)
		return NULL;
	array_foreach(&cards->cards, card) {
		if (strcasecmp(card->code, code) == 0)
			return card;
	}
	return NULL;
}

static bool mus_card_is_selected(const ARRAY_TYPE(mus_card_p) *selected,
				 const struct mus_card *card)
{
	const struct mus_card *const *cardp;

	array_foreach(selected, cardp) {
		if (*cardp == card)
			return TRUE;
	}
	return FALSE;
}

/* Add the card with this code unless it is in already. Returns NULL if
   it is in (now or before), else why it is left out. */
static const char *
mus_cards_select_code(const struct mus_cards *cards, bool group_conversation,
		      const char *who, const char *code, unsigned int max,
		      unsigned int *taken, ARRAY_TYPE(mus_card_p) *selected)
{
	const struct mus_card *card = mus_cards_find(cards, code);

	if (card == NULL) {
		return t_strdup_printf("%s: unknown card code '%s'", who,
				       str_sanitize(code, 64));
	}
	if (mus_card_is_selected(selected, card))
		return NULL;
	if (group_conversation && card->group_excluded) {
		return t_strdup_printf(
			"%s: card '%s' (%s) is left out: it is not used in "
			"group conversations (GRUS/TUS)", who, card->code,
			card->theme_title[MUS_LANGUAGE_EN]);
	}
	if (*taken == max) {
		return t_strdup_printf(
			"%s: card '%s' is left out: the %s may choose at most "
			"%u cards", who, card->code, who, max);
	}
	array_push_back(selected, &card);
	(*taken)++;
	return NULL;
}

unsigned int mus_cards_select(const struct mus_cards *cards,
			      bool group_conversation,
			      const char *const *round_codes,
			      const char *const *leader_codes,
			      const char *const *employee_codes,
			      ARRAY_TYPE(mus_card_p) *selected,
			      ARRAY_TYPE(const_string) *problems)
{
	const struct {
		const char *who;
		const char *const *codes;
		unsigned int max;
	} sources[] = {
		{ "round", round_codes, UINT_MAX },
		{ "leader", leader_codes, MUS_CARDS_MAX_CHOSEN },
		{ "employee", employee_codes, MUS_CARDS_MAX_CHOSEN },
	};
	const struct mus_card *card;
	unsigned int problem_count = 0;

	array_foreach(&cards->cards, card) {
		if (card->mandatory && !mus_card_is_selected(selected, card))
			array_push_back(selected, &card);
	}
	for (unsigned int s = 0; s < N_ELEMENTS(sources); s++) {
		const char *const *codes = sources[s].codes;
		unsigned int taken = 0;

		for (; codes != NULL && *codes != NULL; codes++) {
			const char *problem = mus_cards_select_code(cards,
				group_conversation, sources[s].who, *codes,
				sources[s].max, &taken, selected);

			if (problem != NULL) {
				array_push_back(problems, &problem);
				problem_count++;
			}
		}
	}
	return problem_count;
}
