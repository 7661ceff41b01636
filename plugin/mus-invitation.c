/* The texts of invitations and cancels: admin-editable templates with
   {placeholders}, filled in the person's language. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "mus-text.h"
#include "mus-time.h"
#include "mus-file.h"
#include "mus-holidays.h"
#include "mus-round.h"
#include "mus-invitation.h"

#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MUS_PLACEHOLDER_MAX_LEN 64
#define MUS_LOCATION_MAX_LEN 1024

struct mus_placeholder {
	const char *name;
	const char *text;
	const char *html;
	/* a list of lines: not allowed in Subject: and Summary: */
	bool multiline;
	bool cancel_only;
};
ARRAY_DEFINE_TYPE(mus_placeholder, struct mus_placeholder);

struct mus_words {
	const char *code;
	const char *weekdays[7];
	const char *months[12];
	const char *kinds[4][2];
	const char *origins[4];
	const char *and_word;
	const char *no_location;
	const char *no_choosable;
	const char *no_reason;
	const char *code_example;
	const char *cards_subject, *cards_keyword;
	/* who may choose cards, and what a new choice replaces: [0] for a
	   conversation of one employee, [1] for a group or team, whose
	   members share one choice */
	const char *who_chooses[2], *new_choice[2];
};

/* MUS_CARDS_MAX_CHOSEN in the words below */
#define MUS_INVITATION_STR(x) #x
#define MUS_INVITATION_XSTR(x) MUS_INVITATION_STR(x)
#define MUS_INVITATION_MAX_CHOSEN MUS_INVITATION_XSTR(MUS_CARDS_MAX_CHOSEN)

static const struct mus_words mus_words[MUS_CARD_LANGUAGES] = {
	[MUS_LANGUAGE_DA] = {
		.code = "da",
		.weekdays = { "mandag", "tirsdag", "onsdag", "torsdag",
			      "fredag", "lørdag", "søndag" },
		.months = { "januar", "februar", "marts", "april", "maj",
			    "juni", "juli", "august", "september", "oktober",
			    "november", "december" },
		.kinds = {
			{ "MUS", "medarbejderudviklingssamtale" },
			{ "GRUS", "gruppeudviklingssamtale" },
			{ "TUS", "teamudviklingssamtale" },
			{ "LUS", "lederudviklingssamtale" },
		},
		.origins = {
			[MUS_CARD_ORIGIN_MANDATORY] = "fast kort i alle samtaler",
			[MUS_CARD_ORIGIN_LMU] = "valgt af MED-udvalget",
			[MUS_CARD_ORIGIN_LEADER] = "valgt af lederen",
			[MUS_CARD_ORIGIN_EMPLOYEE] = "valgt af medarbejderen",
		},
		.and_word = "og",
		.no_location = "lederen oplyser stedet",
		.no_choosable = "Alle kort er valgt.",
		.no_reason = "Der er ikke angivet nogen begrundelse.",
		.code_example = "kode1, kode2",
		.cards_subject = MUS_INVITATION_CARDS_SUBJECT_DA,
		.cards_keyword = MUS_INVITATION_CARDS_KEYWORD_DA,
		.who_chooses = {
			"Både lederen og medarbejderen kan hver vælge op til " MUS_INVITATION_MAX_CHOSEN " kort mere.",
			"Lederen kan vælge op til " MUS_INVITATION_MAX_CHOSEN " kort mere, og medarbejderne kan i "
			"fællesskab vælge op til " MUS_INVITATION_MAX_CHOSEN ".",
		},
		.new_choice = {
			"Sender du en ny linje senere, erstatter den dit tidligere valg.",
			"En ny linje fra en af medarbejderne erstatter medarbejdernes valg, også når en anden sendte det.",
		},
	},
	[MUS_LANGUAGE_EN] = {
		.code = "en",
		.weekdays = { "Monday", "Tuesday", "Wednesday", "Thursday",
			      "Friday", "Saturday", "Sunday" },
		.months = { "January", "February", "March", "April", "May",
			    "June", "July", "August", "September", "October",
			    "November", "December" },
		.kinds = {
			{ "MUS", "employee development conversation" },
			{ "GRUS", "group development conversation" },
			{ "TUS", "team development conversation" },
			{ "LUS", "leader development conversation" },
		},
		.origins = {
			[MUS_CARD_ORIGIN_MANDATORY] = "in every conversation",
			[MUS_CARD_ORIGIN_LMU] = "chosen by the MED committee",
			[MUS_CARD_ORIGIN_LEADER] = "chosen by the leader",
			[MUS_CARD_ORIGIN_EMPLOYEE] = "chosen by the employee",
		},
		.and_word = "and",
		.no_location = "your leader will tell you where",
		.no_choosable = "Every card is taken.",
		.no_reason = "No reason was given.",
		.code_example = "code1, code2",
		.cards_subject = MUS_INVITATION_CARDS_SUBJECT_EN,
		.cards_keyword = MUS_INVITATION_CARDS_KEYWORD_EN,
		.who_chooses = {
			"The leader and the employee may each choose up to " MUS_INVITATION_MAX_CHOSEN " more cards.",
			"The leader may choose up to " MUS_INVITATION_MAX_CHOSEN " more cards, and the employees "
			"up to " MUS_INVITATION_MAX_CHOSEN " together.",
		},
		.new_choice = {
			"A new line sent later replaces your earlier choice.",
			"A new line from any of the employees replaces the employees' choice, whoever sent it.",
		},
	},
};

/* --- dates --- */

static const char *
mus_when_date(const struct mus_words *words, int days)
{
	unsigned int month, day;
	int year;

	mus_civil_from_days(days, &year, &month, &day);
	if (words == &mus_words[MUS_LANGUAGE_DA]) {
		return t_strdup_printf("%s den %u. %s %d",
				       words->weekdays[mus_weekday(days)], day,
				       words->months[month - 1], year);
	}
	return t_strdup_printf("%s %u %s %d", words->weekdays[mus_weekday(days)],
			       day, words->months[month - 1], year);
}

static const char *mus_when_clock(const struct mus_words *words,
				  unsigned int minute)
{
	/* Danish writes 08.30, English 08:30 */
	return t_strdup_printf("%02u%c%02u", minute / 60,
			       words == &mus_words[MUS_LANGUAGE_DA] ? '.' : ':',
			       minute % 60);
}

static void mus_when_parts(const struct mus_words *words, const char *tz,
			   time_t start, time_t end, const char **date_r,
			   const char **time_r, const char **when_r)
{
	bool da = words == &mus_words[MUS_LANGUAGE_DA];
	unsigned int start_minute, end_minute;
	int start_days, end_days;
	const char *date, *start_clock, *end_clock;

	mus_time_to_local(tz, start, &start_days, &start_minute);
	mus_time_to_local(tz, end, &end_days, &end_minute);
	date = mus_when_date(words, start_days);
	start_clock = mus_when_clock(words, start_minute);
	end_clock = mus_when_clock(words, end_minute);
	*date_r = date;
	*time_r = t_strdup_printf("%s-%s", start_clock, end_clock);
	if (end_days == start_days) {
		*when_r = t_strdup_printf(da ? "%s kl. %s" : "%s, %s",
					  date, *time_r);
	} else {
		const char *end_date = mus_when_date(words, end_days);

		*when_r = da ?
			t_strdup_printf("%s kl. %s til %s kl. %s", date,
					start_clock, end_date, end_clock) :
			t_strdup_printf("%s, %s to %s, %s", date, start_clock,
					end_date, end_clock);
	}
}

const char *mus_invitation_when(enum mus_language language, const char *tz,
				time_t start, time_t end)
{
	const char *date, *time, *when;

	i_assert(language < MUS_CARD_LANGUAGES);
	mus_when_parts(&mus_words[language], tz, start, end, &date, &time,
		       &when);
	return when;
}

/* --- values --- */

const char *mus_invitation_html_escape(const char *value)
{
	string_t *str = t_str_new(strlen(value) + 16);

	for (const char *p = value; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			str_append(str, "&amp;");
			break;
		case '<':
			str_append(str, "&lt;");
			break;
		case '>':
			str_append(str, "&gt;");
			break;
		case '"':
			str_append(str, "&quot;");
			break;
		case '\'':
			str_append(str, "&#39;");
			break;
		case '\n':
			str_append(str, "<br>\n");
			break;
		default:
			str_append_c(str, *p);
		}
	}
	return str_c(str);
}

static int mus_check_value(const char *field, const char *value,
			   size_t max_len, bool multiline,
			   const char **error_r)
{
	unsigned char c;

	if (value == NULL || value[0] == '\0') {
		*error_r = t_strdup_printf("%s: missing", field);
		return -1;
	}
	if (strlen(value) > max_len) {
		*error_r = t_strdup_printf("%s: longer than %zu bytes", field,
					   max_len);
		return -1;
	}
	if (!uni_utf8_str_is_valid(value)) {
		*error_r = t_strdup_printf("%s: not valid UTF-8", field);
		return -1;
	}
	c = mus_text_control_char(value, multiline ? "\t\n" : "\t");
	if (c != 0) {
		*error_r = t_strdup_printf(
			"%s: contains control character 0x%02x: '%s'",
			field, c, str_sanitize(value, 64));
		return -1;
	}
	return 0;
}

static int mus_kind_idx(const char *kind)
{
	for (unsigned int i = 0; i < N_ELEMENTS(mus_words[0].kinds); i++) {
		if (null_strcmp(kind, mus_words[0].kinds[i][0]) == 0)
			return (int)i;
	}
	return -1;
}

static bool mus_uid_short_valid(const char *uid_short)
{
	size_t len = strlen(uid_short);

	if (len == 0 || len > MUS_INVITATION_UID_SHORT_MAX_LEN)
		return FALSE;
	for (const char *p = uid_short; *p != '\0'; p++) {
		if (!i_isalnum(*p) && strchr("-._", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

static int mus_invitation_check_members(const struct mus_invitation_vars *vars,
					const char **error_r)
{
	unsigned int count = 0;

	if (vars->team_name != NULL &&
	    mus_check_value("team_name", vars->team_name,
			    MUS_INVITATION_NAME_MAX_LEN, FALSE, error_r) < 0)
		return -1;
	for (; vars->member_names != NULL &&
	       vars->member_names[count] != NULL; count++) {
		if (count == MUS_INVITATION_MAX_MEMBERS) {
			*error_r = t_strdup_printf(
				"member_names: more than %u names",
				MUS_INVITATION_MAX_MEMBERS);
			return -1;
		}
		if (mus_check_value(t_strdup_printf("member_names[%u]", count),
				    vars->member_names[count],
				    MUS_INVITATION_NAME_MAX_LEN, FALSE,
				    error_r) < 0)
			return -1;
	}
	if (count == 0 && vars->team_name == NULL) {
		*error_r = "member_names: no employee and no team_name";
		return -1;
	}
	return 0;
}

static int mus_invitation_check_cards(const struct mus_invitation_vars *vars,
				      const char **error_r)
{
	if (vars->card_count > MUS_INVITATION_MAX_CARDS ||
	    vars->choosable_count > MUS_INVITATION_MAX_CARDS) {
		*error_r = t_strdup_printf("cards: at most %u cards",
					   MUS_INVITATION_MAX_CARDS);
		return -1;
	}
	if (vars->card_count > 0 &&
	    (vars->cards == NULL || vars->card_origins == NULL)) {
		*error_r = "cards: card_count without cards and card_origins";
		return -1;
	}
	for (unsigned int i = 0; i < vars->card_count; i++) {
		if (vars->cards[i] == NULL) {
			*error_r = t_strdup_printf("cards[%u]: NULL", i);
			return -1;
		}
		if (vars->card_origins[i] > MUS_CARD_ORIGIN_EMPLOYEE) {
			*error_r = t_strdup_printf(
				"card_origins[%u]: unknown origin %d", i,
				(int)vars->card_origins[i]);
			return -1;
		}
	}
	if (vars->choosable_count > 0 && vars->choosable == NULL) {
		*error_r = "choosable: choosable_count without cards";
		return -1;
	}
	for (unsigned int i = 0; i < vars->choosable_count; i++) {
		if (vars->choosable[i] == NULL) {
			*error_r = t_strdup_printf("choosable[%u]: NULL", i);
			return -1;
		}
	}
	return 0;
}

static int mus_invitation_check(const struct mus_invitation_vars *vars,
				bool cancel, const char **error_r)
{
	if (vars->language >= MUS_CARD_LANGUAGES) {
		*error_r = t_strdup_printf("language: unknown language %d",
					   (int)vars->language);
		return -1;
	}
	if (mus_kind_idx(vars->kind) < 0) {
		*error_r = t_strdup_printf(
			"kind: '%s' is none of MUS, GRUS, TUS, LUS",
			vars->kind == NULL ? "(null)" :
			str_sanitize(vars->kind, 64));
		return -1;
	}
	if (mus_check_value("round_name", vars->round_name,
			    MUS_ROUND_NAME_MAX_LEN, FALSE, error_r) < 0 ||
	    mus_check_value("leader_name", vars->leader_name,
			    MUS_INVITATION_NAME_MAX_LEN, FALSE, error_r) < 0 ||
	    mus_invitation_check_members(vars, error_r) < 0)
		return -1;
	if (vars->timezone == NULL || !mus_time_zone_exists(vars->timezone)) {
		*error_r = t_strdup_printf("timezone: unknown time zone '%s'",
			vars->timezone == NULL ? "(null)" :
			str_sanitize(vars->timezone, 64));
		return -1;
	}
	if (vars->start <= 0 || vars->end <= vars->start) {
		*error_r = t_strdup_printf("end: %ld is not after start %ld",
					   (long)vars->end, (long)vars->start);
		return -1;
	}
	if (vars->location != NULL &&
	    mus_check_value("location", vars->location, MUS_LOCATION_MAX_LEN,
			    FALSE, error_r) < 0)
		return -1;
	if (mus_check_value("organizer", vars->organizer,
			    MUS_INVITATION_NAME_MAX_LEN, FALSE, error_r) < 0)
		return -1;
	if (strpbrk(vars->organizer, " <>\"") != NULL ||
	    strchr(vars->organizer, '@') == NULL) {
		*error_r = t_strdup_printf(
			"organizer: '%s' is not a bare mail address",
			str_sanitize(vars->organizer, 64));
		return -1;
	}
	if (vars->uid_short == NULL || !mus_uid_short_valid(vars->uid_short)) {
		*error_r = t_strdup_printf(
			"uid_short: '%s' is not 1-%u letters, digits, '-', '.' and '_'",
			vars->uid_short == NULL ? "(null)" :
			str_sanitize(vars->uid_short, 64),
			MUS_INVITATION_UID_SHORT_MAX_LEN);
		return -1;
	}
	if (mus_invitation_check_cards(vars, error_r) < 0)
		return -1;
	/* a cancel without a reason is still sent: a meeting left standing
	   in the calendars is worse than a missing explanation */
	if (cancel && vars->cancel_reason != NULL &&
	    vars->cancel_reason[0] != '\0' &&
	    mus_check_value("cancel_reason", vars->cancel_reason,
			    MUS_INVITATION_REASON_MAX_LEN, TRUE, error_r) < 0)
		return -1;
	return 0;
}

/* "A", "A og B", "A, B og C" */
static const char *mus_join_names(const struct mus_words *words,
				  const char *const *names)
{
	unsigned int count = str_array_length(names);
	string_t *str = t_str_new(128);

	for (unsigned int i = 0; i < count; i++) {
		if (i > 0 && i == count - 1)
			str_printfa(str, " %s ", words->and_word);
		else if (i > 0)
			str_append(str, ", ");
		str_append(str, names[i]);
	}
	return str_c(str);
}

const char *mus_invitation_names(enum mus_language language,
				 const char *const *names)
{
	return mus_join_names(&mus_words[language], names);
}

static void mus_add(ARRAY_TYPE(mus_placeholder) *vars, const char *name,
		    const char *text)
{
	struct mus_placeholder *var = array_append_space(vars);

	var->name = name;
	var->text = text;
	var->html = mus_invitation_html_escape(text);
}

static void mus_add_cards(ARRAY_TYPE(mus_placeholder) *placeholders,
			  const struct mus_words *words, enum mus_language lang,
			  const struct mus_invitation_vars *vars)
{
	struct mus_placeholder *var;
	string_t *text = t_str_new(512), *html = t_str_new(1024);

	str_append(html, "<ol>\n");
	for (unsigned int i = 0; i < vars->card_count; i++) {
		const struct mus_card *card = vars->cards[i];
		const char *origin = words->origins[vars->card_origins[i]];

		if (i > 0)
			str_append_c(text, '\n');
		str_printfa(text, "  %2u. %s (%s)", i + 1, card->title[lang],
			    origin);
		str_printfa(html, "<li>%s <em>(%s)</em></li>\n",
			    mus_invitation_html_escape(card->title[lang]),
			    mus_invitation_html_escape(origin));
	}
	str_append(html, "</ol>");
	var = array_append_space(placeholders);
	var->name = "cards";
	var->text = str_c(text);
	var->html = vars->card_count == 0 ? "" : str_c(html);
	var->multiline = TRUE;

	text = t_str_new(512);
	html = t_str_new(1024);
	if (vars->choosable_count == 0) {
		str_printfa(text, "  %s", words->no_choosable);
		str_printfa(html, "<p><em>%s</em></p>",
			    mus_invitation_html_escape(words->no_choosable));
	} else {
		str_append(html, "<ul>\n");
	}
	for (unsigned int i = 0; i < vars->choosable_count; i++) {
		const struct mus_card *card = vars->choosable[i];

		if (i > 0)
			str_append_c(text, '\n');
		str_printfa(text, "  - %s: %s (%s)", card->code,
			    card->title[lang], card->theme_title[lang]);
		str_printfa(html, "<li><code>%s</code>: %s (%s)</li>\n",
			    mus_invitation_html_escape(card->code),
			    mus_invitation_html_escape(card->title[lang]),
			    mus_invitation_html_escape(card->theme_title[lang]));
	}
	if (vars->choosable_count > 0)
		str_append(html, "</ul>");
	var = array_append_space(placeholders);
	var->name = "choosable";
	var->text = str_c(text);
	var->html = str_c(html);
	var->multiline = TRUE;
}

static void mus_placeholders_build(const struct mus_invitation_vars *vars,
				   ARRAY_TYPE(mus_placeholder) *placeholders)
{
	enum mus_language lang = vars->language;
	const struct mus_words *words = &mus_words[lang];
	int kind = mus_kind_idx(vars->kind);
	const char *employees, *attendees, *date, *time, *when, *example;
	ARRAY_TYPE(const_string) everyone;
	struct mus_placeholder *var;
	bool group;

	employees = vars->member_names == NULL || vars->member_names[0] == NULL ?
		vars->team_name : mus_join_names(words, vars->member_names);
	/* the employees and then the leader, in one list: "Anna, Bo og Carl" */
	t_array_init(&everyone, 8);
	if (vars->member_names == NULL || vars->member_names[0] == NULL) {
		array_push_back(&everyone, &vars->team_name);
	} else {
		for (unsigned int i = 0; vars->member_names[i] != NULL; i++)
			array_push_back(&everyone, &vars->member_names[i]);
	}
	array_push_back(&everyone, &vars->leader_name);
	array_append_zero(&everyone);
	attendees = mus_join_names(words, array_front(&everyone));
	mus_when_parts(words, vars->timezone, vars->start, vars->end,
		       &date, &time, &when);
	if (vars->choosable_count >= 2) {
		example = t_strdup_printf("%s, %s", vars->choosable[0]->code,
					  vars->choosable[1]->code);
	} else if (vars->choosable_count == 1) {
		example = vars->choosable[0]->code;
	} else {
		example = words->code_example;
	}

	mus_add(placeholders, "kind", vars->kind);
	mus_add(placeholders, "kind_name", words->kinds[kind][1]);
	mus_add(placeholders, "round", vars->round_name);
	mus_add(placeholders, "leader", vars->leader_name);
	mus_add(placeholders, "employees", employees);
	mus_add(placeholders, "attendees", attendees);
	mus_add(placeholders, "team",
		vars->team_name != NULL ? vars->team_name : employees);
	mus_add(placeholders, "when", when);
	mus_add(placeholders, "date", date);
	mus_add(placeholders, "time", time);
	mus_add(placeholders, "timezone", vars->timezone);
	mus_add(placeholders, "location",
		vars->location != NULL ? vars->location : words->no_location);
	mus_add(placeholders, "organizer", vars->organizer);
	mus_add(placeholders, "uid_short", vars->uid_short);
	mus_add(placeholders, "max_chosen",
		dec2str(MUS_CARDS_MAX_CHOSEN));
	/* GRUS and TUS: the members choose together */
	group = mus_round_kind_name_is_group(vars->kind);
	mus_add(placeholders, "who_chooses", words->who_chooses[group ? 1 : 0]);
	mus_add(placeholders, "new_choice", words->new_choice[group ? 1 : 0]);
	mus_add(placeholders, "cards_subject",
		t_strdup_printf("%s %s", words->cards_subject, vars->uid_short));
	mus_add(placeholders, "cards_example",
		t_strdup_printf("%s: %s", words->cards_keyword, example));
	mus_add_cards(placeholders, words, lang, vars);

	var = array_append_space(placeholders);
	var->name = "cancel_reason";
	var->text = vars->cancel_reason == NULL || vars->cancel_reason[0] == '\0' ?
		words->no_reason : vars->cancel_reason;
	var->html = mus_invitation_html_escape(var->text);
	var->multiline = TRUE;
	var->cancel_only = TRUE;
}

/* --- templates --- */

/* Read a template as UTF-8 text with LF line ends (CRLF from editors on
   Windows is accepted), from the data stack. */
static int mus_template_read(const char *path, const char **text_r,
			     const char **error_r)
{
	const char *raw_text;
	size_t raw_size;
	string_t *text;
	const char *p;

	if (mus_file_read(path, MUS_INVITATION_TEMPLATE_MAX_SIZE, &raw_text,
			  &raw_size, error_r) < 0)
		return -1;
	text = t_str_new(raw_size + 1);
	p = raw_text;
	for (size_t i = 0; i < raw_size; i++) {
		unsigned char c = p[i];

		if (c == '\r' && i + 1 < raw_size && p[i + 1] == '\n')
			continue;
		if ((c < ' ' && c != '\n' && c != '\t') || c == 0x7f) {
			*error_r = t_strdup_printf(
				"%s:%u: control character 0x%02x", path,
				mus_file_line_of(p, p + i), c);
			return -1;
		}
		str_append_c(text, c);
	}
	if (!uni_utf8_str_is_valid(str_c(text))) {
		const char *q = str_c(text), *line_start = q;

		/* find the line for the message */
		for (; *q != '\0'; q++) {
			if (*q != '\n')
				continue;
			if (!uni_utf8_data_is_valid((const void *)line_start,
						    q - line_start))
				break;
			line_start = q + 1;
		}
		*error_r = t_strdup_printf("%s:%u: not valid UTF-8", path,
			mus_file_line_of(str_c(text), line_start));
		return -1;
	}
	*text_r = str_c(text);
	return 0;
}

static const struct mus_placeholder *
mus_placeholder_find(const ARRAY_TYPE(mus_placeholder) *placeholders,
		     const char *name)
{
	const struct mus_placeholder *var;

	array_foreach(placeholders, var) {
		if (strcmp(var->name, name) == 0)
			return var;
	}
	return NULL;
}

struct mus_fill {
	const char *path;
	const ARRAY_TYPE(mus_placeholder) *placeholders;
	bool html;
	bool cancel;
	/* a notice: a Subject: line and no Summary: */
	bool notice;
	/* Subject: or Summary:, where lists are not allowed; NULL in a body */
	const char *header;
};

/* Fill text[0..len) (which starts on line `line` of the file) into dest.
   A placeholder is "{" name "}" with name of letters, digits, _ and -;
   "{{" is a literal "{"; any other "{" is text as it is (CSS, say). */
static int mus_fill(const struct mus_fill *fill, const char *text, size_t len,
		    unsigned int line, string_t *dest, const char **error_r)
{
	const char *p = text, *end = text + len, *name_end;
	const struct mus_placeholder *var;
	const char *name;

	while (p < end) {
		if (*p == '\n')
			line++;
		if (*p != '{') {
			str_append_c(dest, *p++);
			continue;
		}
		if (p + 1 < end && p[1] == '{') {
			str_append_c(dest, '{');
			p += 2;
			continue;
		}
		for (name_end = p + 1; name_end < end &&
		     (i_isalnum(*name_end) || *name_end == '_' ||
		      *name_end == '-'); name_end++) ;
		if (name_end == p + 1 || name_end == end || *name_end != '}' ||
		    name_end - (p + 1) > MUS_PLACEHOLDER_MAX_LEN) {
			str_append_c(dest, *p++);
			continue;
		}
		name = t_strdup_until(p + 1, name_end);
		var = mus_placeholder_find(fill->placeholders, name);
		if (var == NULL) {
			*error_r = t_strdup_printf(
				"%s:%u: unknown placeholder {%s} (write {{ for a literal {)",
				fill->path, line, name);
			return -1;
		}
		if (var->cancel_only && !fill->cancel) {
			*error_r = t_strdup_printf(
				"%s:%u: {%s} is only known in cancel templates",
				fill->path, line, name);
			return -1;
		}
		if (var->multiline && fill->header != NULL) {
			*error_r = t_strdup_printf(
				"%s:%u: {%s} has several lines and cannot be in %s",
				fill->path, line, name, fill->header);
			return -1;
		}
		str_append(dest, fill->html ? var->html : var->text);
		p = name_end + 1;
	}
	return 0;
}

static const char *mus_trim_end(const char *text)
{
	size_t len = strlen(text);

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
			   text[len - 1] == '\t'))
		len--;
	return t_strndup(text, len);
}

/* The plain template: "Subject:" and "Summary:" lines (in any order, names
   without case), an empty line, the body. */
static int mus_render_text(struct mus_fill *fill, const char *text,
			   struct mus_invitation_text *out,
			   const char **error_r)
{
	const char *p = text, *eol, *colon, *name, *body;
	const char **header_value;
	unsigned int line = 1;
	string_t *value;

	out->subject = out->summary = NULL;
	for (;; line++) {
		eol = strchr(p, '\n');
		if (eol == NULL) {
			*error_r = t_strdup_printf(
				"%s:%u: no empty line after the Subject: and Summary: lines",
				fill->path, line);
			return -1;
		}
		if (eol == p)
			break;
		colon = memchr(p, ':', eol - p);
		name = colon == NULL ? NULL : t_strdup_until(p, colon);
		if (name != NULL && strcasecmp(name, "Subject") == 0)
			header_value = &out->subject;
		else if (name != NULL && strcasecmp(name, "Summary") == 0 &&
			 !fill->notice)
			header_value = &out->summary;
		else {
			*error_r = t_strdup_printf(
				"%s:%u: expected a %s line "
				"(then an empty line and the body), got '%s'",
				fill->path, line, fill->notice ? "Subject:" :
				"Subject: or Summary:",
				str_sanitize(t_strdup_until(p, eol), 64));
			return -1;
		}
		if (*header_value != NULL) {
			*error_r = t_strdup_printf("%s:%u: a second %s: line",
						   fill->path, line, name);
			return -1;
		}
		for (colon++; *colon == ' ' || *colon == '\t'; colon++) ;
		value = t_str_new(256);
		fill->header = t_strconcat(name, ":", NULL);
		if (mus_fill(fill, colon, eol - colon, line, value,
			     error_r) < 0)
			return -1;
		*header_value = mus_trim_end(str_c(value));
		if ((*header_value)[0] == '\0') {
			*error_r = t_strdup_printf("%s:%u: %s: is empty",
						   fill->path, line, name);
			return -1;
		}
		p = eol + 1;
	}
	if (out->subject == NULL || (out->summary == NULL && !fill->notice)) {
		*error_r = t_strdup_printf("%s: missing the %s: line", fill->path,
					   out->subject == NULL ? "Subject" :
					   "Summary");
		return -1;
	}
	fill->header = NULL;
	body = p + 1;
	value = t_str_new(4096);
	if (mus_fill(fill, body, strlen(body), line + 1, value, error_r) < 0)
		return -1;
	out->description = mus_trim_end(str_c(value));
	out->body_text = t_strconcat(out->description, "\n", NULL);
	return 0;
}

int mus_invitation_render(const char *templates_dir, bool cancel,
			  const struct mus_invitation_vars *vars,
			  struct mus_invitation_text *text_r,
			  const char **error_r)
{
	ARRAY_TYPE(mus_placeholder) placeholders;
	struct mus_invitation_text out;
	struct mus_fill fill;
	const char *base, *text;
	string_t *html;

	if (mus_invitation_check(vars, cancel, error_r) < 0)
		return -1;
	t_array_init(&placeholders, 24);
	mus_placeholders_build(vars, &placeholders);

	i_zero(&fill);
	fill.placeholders = &placeholders;
	fill.cancel = cancel;
	base = t_strdup_printf("%s/text/%s.%s", templates_dir,
			       cancel ? "cancel" : "invitation",
			       mus_words[vars->language].code);

	i_zero(&out);
	fill.path = t_strconcat(base, ".txt", NULL);
	if (mus_template_read(fill.path, &text, error_r) < 0 ||
	    mus_render_text(&fill, text, &out, error_r) < 0)
		return -1;

	fill.path = t_strconcat(base, ".html", NULL);
	fill.html = TRUE;
	html = t_str_new(8192);
	if (mus_template_read(fill.path, &text, error_r) < 0 ||
	    mus_fill(&fill, text, strlen(text), 1, html, error_r) < 0)
		return -1;
	out.body_html = str_c(html);
	*text_r = out;
	return 0;
}

int mus_invitation_render_notice(const char *templates_dir, const char *name,
				 enum mus_language language,
				 const struct mus_notice_var *vars,
				 unsigned int count, const char **subject_r,
				 const char **body_r, const char **error_r)
{
	ARRAY_TYPE(mus_placeholder) placeholders;
	struct mus_invitation_text out;
	struct mus_fill fill;
	const char *text;

	t_array_init(&placeholders, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		struct mus_placeholder *var;

		mus_add(&placeholders, vars[i].name, vars[i].value);
		var = array_idx_modifiable(&placeholders, i);
		var->multiline = strchr(vars[i].value, '\n') != NULL;
	}
	i_zero(&fill);
	fill.placeholders = &placeholders;
	fill.notice = TRUE;
	fill.path = t_strdup_printf("%s/text/%s.%s.txt", templates_dir, name,
				    mus_words[language].code);
	i_zero(&out);
	if (mus_template_read(fill.path, &text, error_r) < 0 ||
	    mus_render_text(&fill, text, &out, error_r) < 0)
		return -1;
	*subject_r = out.subject;
	*body_r = out.body_text;
	return 0;
}
