/* Reading the development plan from the leader's reply to the plan form. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "mus-holidays.h"
#include "mus-mailtext.h"
#include "mus-plan-text.h"

#include <ctype.h>

/* a label is at most this many bytes before its colon */
#define MUS_PLAN_LABEL_MAX_LEN 40
/* a date has at most this many words */
#define MUS_PLAN_DATE_MAX_TOKENS 8
/* a line is quoted in a problem up to this many bytes */
#define MUS_PLAN_LINE_EXCERPT_LEN 60

enum mus_plan_label {
	MUS_PLAN_LABEL_NONE = 0,
	MUS_PLAN_LABEL_GOAL_SHARED,
	MUS_PLAN_LABEL_GOAL_INDIVIDUAL,
	MUS_PLAN_LABEL_ACTIVITY,
	MUS_PLAN_LABEL_DESCRIPTION,
	MUS_PLAN_LABEL_KIND,
	MUS_PLAN_LABEL_RESPONSIBLE,
	MUS_PLAN_LABEL_DUE,
	MUS_PLAN_LABEL_FOLLOW_UP,
};

/* Labels and words as mus_plan_fold() writes them. */
static const struct {
	const char *word;
	enum mus_plan_label label;
} mus_plan_labels[] = {
	{ "fællesmål", MUS_PLAN_LABEL_GOAL_SHARED },
	{ "sharedgoal", MUS_PLAN_LABEL_GOAL_SHARED },
	{ "commongoal", MUS_PLAN_LABEL_GOAL_SHARED },
	{ "fællesmålene", MUS_PLAN_LABEL_GOAL_SHARED },
	{ "sharedgoals", MUS_PLAN_LABEL_GOAL_SHARED },
	{ "commongoals", MUS_PLAN_LABEL_GOAL_SHARED },
	{ "individueltmål", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "individuellemål", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "personligtmål", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "personligemål", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "individualgoals", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "personalgoals", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "goals", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "mål", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "individualgoal", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "personalgoal", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "goal", MUS_PLAN_LABEL_GOAL_INDIVIDUAL },
	{ "aktivitet", MUS_PLAN_LABEL_ACTIVITY },
	{ "activity", MUS_PLAN_LABEL_ACTIVITY },
	{ "beskrivelse", MUS_PLAN_LABEL_DESCRIPTION },
	{ "description", MUS_PLAN_LABEL_DESCRIPTION },
	{ "type", MUS_PLAN_LABEL_KIND },
	{ "aktivitetstype", MUS_PLAN_LABEL_KIND },
	{ "kind", MUS_PLAN_LABEL_KIND },
	{ "activitykind", MUS_PLAN_LABEL_KIND },
	{ "activitytype", MUS_PLAN_LABEL_KIND },
	{ "ansvarlig", MUS_PLAN_LABEL_RESPONSIBLE },
	{ "responsible", MUS_PLAN_LABEL_RESPONSIBLE },
	{ "frist", MUS_PLAN_LABEL_DUE },
	{ "tidsfrist", MUS_PLAN_LABEL_DUE },
	{ "due", MUS_PLAN_LABEL_DUE },
	{ "duedate", MUS_PLAN_LABEL_DUE },
	{ "deadline", MUS_PLAN_LABEL_DUE },
	{ "opfølgning", MUS_PLAN_LABEL_FOLLOW_UP },
	{ "opfølgningsdato", MUS_PLAN_LABEL_FOLLOW_UP },
	{ "followup", MUS_PLAN_LABEL_FOLLOW_UP },
	{ "followupdate", MUS_PLAN_LABEL_FOLLOW_UP },
};

static const struct {
	const char *word;
	enum mus_plan_activity_kind kind;
} mus_plan_kind_words[] = {
	{ "kursus", MUS_PLAN_ACTIVITY_COURSE },
	{ "kurser", MUS_PLAN_ACTIVITY_COURSE },
	{ "course", MUS_PLAN_ACTIVITY_COURSE },
	{ "uddannelse", MUS_PLAN_ACTIVITY_EDUCATION },
	{ "efteruddannelse", MUS_PLAN_ACTIVITY_EDUCATION },
	{ "videreuddannelse", MUS_PLAN_ACTIVITY_EDUCATION },
	{ "education", MUS_PLAN_ACTIVITY_EDUCATION },
	{ "læringipraksis", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "sidemandsoplæring", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "jobrotation", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "learninginpractice", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "sidebysidetraining", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "onthejobtraining", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "practice", MUS_PLAN_ACTIVITY_PRACTICE },
	{ "supervision", MUS_PLAN_ACTIVITY_SUPERVISION },
	{ "mentor", MUS_PLAN_ACTIVITY_MENTORING },
	{ "mentorordning", MUS_PLAN_ACTIVITY_MENTORING },
	{ "mentoring", MUS_PLAN_ACTIVITY_MENTORING },
	{ "nyeopgaver", MUS_PLAN_ACTIVITY_NEW_TASKS },
	{ "nyopgave", MUS_PLAN_ACTIVITY_NEW_TASKS },
	{ "newtasks", MUS_PLAN_ACTIVITY_NEW_TASKS },
	{ "newtask", MUS_PLAN_ACTIVITY_NEW_TASKS },
};

/* the leader writes the plan: "mig" is the leader */
static const char *const mus_plan_leader_words[] = {
	"leder", "lederen", "nærmesteleder", "leader", "theleader", "manager",
	"mig", "me", NULL
};
static const char *const mus_plan_employee_words[] = {
	"medarbejder", "medarbejderen", "employee", "theemployee", NULL
};

static const char *const mus_plan_months[][12] = {
	{ "januar", "februar", "marts", "april", "maj", "juni", "juli",
	  "august", "september", "oktober", "november", "december" },
	{ "january", "february", "march", "april", "may", "june", "july",
	  "august", "september", "october", "november", "december" },
};

/* words a date may carry that say nothing about the day */
static const char *const mus_plan_date_noise[] = {
	"mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday", "den", "d", "the", "of", NULL
};

/* value lower-cased (ASCII and Æ, Ø, Å) without the bytes in drop. From
   the data stack. */
static const char *mus_plan_fold(const char *value, const char *drop)
{
	string_t *str = t_str_new(strlen(value) + 1);

	for (const unsigned char *p = (const unsigned char *)value;
	     *p != '\0'; p++) {
		if (strchr(drop, *p) != NULL)
			continue;
		if (p[0] == 0xc3 && (p[1] == 0x86 || p[1] == 0x98 ||
				     p[1] == 0x85)) {
			/* Æ Ø Å are 0x20 below æ ø å */
			str_append_c(str, 0xc3);
			str_append_c(str, p[1] + 0x20);
			p++;
			continue;
		}
		str_append_c(str, i_tolower(*p));
	}
	return str_c(str);
}

static bool mus_plan_word_in(const char *word, const char *const *words)
{
	return str_array_find(words, word);
}

/* The label that starts line, and where its value starts. */
static enum mus_plan_label mus_plan_line_label(const char *line,
					       const char **value_r)
{
	const char *colon, *label;
	size_t len;

	/* bullets: "- ", "* ", "• " */
	while (*line == '-' || *line == '*' || *line == ' ')
		line++;
	if (str_begins(line, "\xe2\x80\xa2"))
		line += 3;
	colon = strchr(line, ':');
	if (colon == NULL || colon - line > MUS_PLAN_LABEL_MAX_LEN)
		return MUS_PLAN_LABEL_NONE;
	label = mus_plan_fold(t_strdup_until(line, colon), " -_*.");
	len = strlen(label);
	while (len > 0 && i_isdigit(label[len - 1]))
		len--;
	label = t_strndup(label, len);
	for (unsigned int i = 0; i < N_ELEMENTS(mus_plan_labels); i++) {
		if (strcmp(label, mus_plan_labels[i].word) == 0) {
			*value_r = mus_mailtext_trim_line(colon + 1);
			/* "**Frist:** 1.3.2027" */
			while (**value_r == '*')
				(*value_r)++;
			*value_r = mus_mailtext_trim_line(*value_r);
			return mus_plan_labels[i].label;
		}
	}
	return MUS_PLAN_LABEL_NONE;
}

/* --- dates --- */

static int mus_plan_month(const char *word)
{
	for (unsigned int lang = 0; lang < N_ELEMENTS(mus_plan_months); lang++) {
		for (unsigned int m = 0; m < 12; m++) {
			const char *name = mus_plan_months[lang][m];

			if (strcmp(word, name) == 0 ||
			    (strlen(word) == 3 && strncmp(word, name, 3) == 0))
				return (int)m + 1;
		}
	}
	return strcmp(word, "sept") == 0 ? 9 : 0;
}

/* The number in a word of digits, also with an English ordinal ending
   ("1st"); -1 if it is none. *digits_r is the number of digits. */
static int mus_plan_number(const char *word, unsigned int *digits_r)
{
	unsigned int digits = 0;
	int value = 0;

	for (; i_isdigit(word[digits]) && digits < 5; digits++)
		value = value * 10 + (word[digits] - '0');
	if (digits == 0 || digits > 4)
		return -1;
	if (word[digits] != '\0' &&
	    strcmp(word + digits, "st") != 0 && strcmp(word + digits, "nd") != 0 &&
	    strcmp(word + digits, "rd") != 0 && strcmp(word + digits, "th") != 0)
		return -1;
	*digits_r = digits;
	return value;
}

enum mus_plan_date_result mus_plan_text_parse_date(const char *value,
						   int *days_r)
{
	const char *const *words;
	int nums[3], month = 0, year, day, y;
	unsigned int digits[3], count = 0, m, d, i;
	int month_pos = -1;

	words = t_strsplit_spaces(mus_plan_fold(value, ""), " .,-/");
	if (str_array_length(words) > MUS_PLAN_DATE_MAX_TOKENS)
		return MUS_PLAN_DATE_UNREADABLE;
	for (i = 0; words[i] != NULL; i++) {
		int month_value = mus_plan_month(words[i]);

		if (mus_plan_word_in(words[i], mus_plan_date_noise))
			continue;
		if (month_value > 0 && month_pos < 0) {
			month = month_value;
			month_pos = (int)count;
			continue;
		}
		if (count == 3)
			return MUS_PLAN_DATE_UNREADABLE;
		nums[count] = mus_plan_number(words[i], &digits[count]);
		if (nums[count] < 0)
			return MUS_PLAN_DATE_UNREADABLE;
		count++;
	}
	if (month_pos >= 0) {
		/* "1 March 2027" (month_pos 1) or "March 1, 2027" (0) */
		if (count != 2 || digits[1] != 4 || digits[0] > 2)
			return MUS_PLAN_DATE_UNREADABLE;
		day = nums[0];
		year = nums[1];
	} else if (count == 3 && digits[0] == 4 && digits[1] <= 2 &&
		   digits[2] <= 2) {
		year = nums[0];
		month = nums[1];
		day = nums[2];
	} else if (count == 3 && digits[2] == 4 && digits[0] <= 2 &&
		   digits[1] <= 2) {
		day = nums[0];
		month = nums[1];
		year = nums[2];
	} else {
		return MUS_PLAN_DATE_UNREADABLE;
	}
	if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900)
		return MUS_PLAN_DATE_IMPOSSIBLE;
	/* 31 April and 29 February of common years come back as another
	   day */
	mus_civil_from_days(mus_days_from_civil(year, month, day), &y, &m, &d);
	if (m != (unsigned int)month || d != (unsigned int)day)
		return MUS_PLAN_DATE_IMPOSSIBLE;
	*days_r = mus_days_from_civil(year, month, day);
	return MUS_PLAN_DATE_OK;
}

/* --- the reply --- */

struct mus_plan_reader {
	struct mus_plan_problems *problems;
	pool_t pool;
	struct mus_plan *plan;
	/* the goal or description that following lines continue, or NULL */
	string_t *continued;
	/* a goal label without a text heads a list: each line under it is
	   a goal of this kind (MUS_PLAN_LABEL_NONE: no list) */
	enum mus_plan_label goal_list;
	/* the length of the line before, which tells a wrapped line */
	size_t last_len;
	/* the text of each goal and each activity's description */
	ARRAY(string_t *) goal_texts, descriptions;
	struct mus_plan_activity *activity;
	/* the line being read: its number, and its text when it has a
	   label */
	struct mus_plan_where where;
};

static void mus_plan_read_date(struct mus_plan_reader *reader,
			       const char *value, const char *what,
			       int *date_r, enum mus_plan_field *field_r)
{
	struct mus_plan_problems *problems = reader->problems;
	const struct mus_plan_where *where = &reader->where;

	switch (mus_plan_text_parse_date(value, date_r)) {
	case MUS_PLAN_DATE_OK:
		*field_r = MUS_PLAN_FIELD_GIVEN;
		return;
	case MUS_PLAN_DATE_UNREADABLE:
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s er ikke en dato; skriv fx 1.3.2027, "
			"1. marts 2027 eller 2027-03-01",
			"the %s is not a date; write e.g. 1 March 2027, "
			"1.3.2027 or 2027-03-01"), what);
		break;
	case MUS_PLAN_DATE_IMPOSSIBLE:
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s er en dag, der ikke findes",
			"the %s is a day that does not exist"), what);
		break;
	}
	*field_r = MUS_PLAN_FIELD_BROKEN;
}

static void mus_plan_read_kind(struct mus_plan_reader *reader,
			       const char *value)
{
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_activity *activity = reader->activity;
	const struct mus_plan_where *where = &reader->where;
	const char *word = mus_plan_fold(value, " -_.");

	for (unsigned int i = 0; i < N_ELEMENTS(mus_plan_kind_words); i++) {
		if (strcmp(word, mus_plan_kind_words[i].word) == 0) {
			activity->kind = mus_plan_kind_words[i].kind;
			activity->kind_field = MUS_PLAN_FIELD_GIVEN;
			return;
		}
	}
	mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
		"typen er ukendt; skriv kursus, uddannelse, læring i praksis, "
		"supervision, mentorordning eller nye opgaver",
		"the kind is unknown; write course, education, learning in "
		"practice, supervision, mentoring or new tasks"));
	activity->kind_field = MUS_PLAN_FIELD_BROKEN;
}

/* value without the links mail programs add to an address: Outlook's
   plain text writes "a@b.dk<mailto:a@b.dk>" (also inside "Name <...>"),
   where the link repeats the address it follows it goes; another
   "<mailto:a@b.dk>" keeps the address alone. */
static const char *mus_plan_responsible_unlinked(const char *value)
{
	string_t *out = t_str_new(strlen(value) + 1);
	/* the same offsets, lower-case: where the links are */
	const char *lower = t_str_lcase(value), *p = value, *link, *end, *at;

	while ((at = strstr(lower + (p - value), "<mailto:")) != NULL &&
	       (end = strchr(link = value + (at - lower), '>')) != NULL) {
		const char *addr = link + strlen("<mailto:");
		size_t len = end - addr;

		str_append_data(out, p, link - p);
		if (len == 0 || str_len(out) < len ||
		    strncasecmp(str_c(out) + str_len(out) - len, addr, len) != 0) {
			str_append_c(out, '<');
			str_append_data(out, addr, len);
			str_append_c(out, '>');
		}
		p = end + 1;
	}
	str_append(out, p);
	return str_c(out);
}

static void mus_plan_read_responsible(struct mus_plan_reader *reader,
				      const char *value)
{
	struct mus_plan_responsible *resp = &reader->activity->responsible;
	const char *word, *lt;

	value = mus_plan_responsible_unlinked(value);
	word = mus_plan_fold(value, " -_.");
	lt = strchr(value, '<');

	reader->activity->responsible_field = MUS_PLAN_FIELD_GIVEN;
	if (mus_plan_word_in(word, mus_plan_leader_words)) {
		resp->kind = MUS_PLAN_RESPONSIBLE_LEADER;
		return;
	}
	if (mus_plan_word_in(word, mus_plan_employee_words)) {
		resp->kind = MUS_PLAN_RESPONSIBLE_EMPLOYEE;
		return;
	}
	resp->kind = MUS_PLAN_RESPONSIBLE_PERSON;
	if (lt != NULL) {
		/* "Name <mail>"; validation judges the address */
		const char *gt = strchr(lt, '>');
		const char *name = t_str_trim(t_strdup_until(value, lt), " \"'");

		/* HTML mail's "&lt;<a>mail</a>&gt;" comes as "< mail >" */
		resp->mail = gt != NULL && gt[1] == '\0' ?
			p_strdup(reader->pool, t_str_trim(
				t_strdup_until(lt + 1, gt), " ")) :
			p_strdup(reader->pool, lt);
		if (strchr(name, '@') != NULL &&
		    strcasecmp(name, resp->mail) != 0) {
			/* "a@x<b@x>": which one? refused as it stands */
			resp->mail = p_strdup(reader->pool, value);
		} else if (name[0] != '\0' && strchr(name, '@') == NULL) {
			resp->name = p_strdup(reader->pool, name);
		}
	} else if (strchr(value, '@') != NULL) {
		resp->mail = p_strdup(reader->pool, value);
	} else {
		resp->name = p_strdup(reader->pool, value);
	}
}

static void mus_plan_new_activity(struct mus_plan_reader *reader)
{
	string_t *description = str_new(reader->pool, 64);

	reader->activity = array_append_space(&reader->plan->activities);
	reader->activity->where = reader->where;
	reader->activity->where_description = reader->where;
	array_push_back(&reader->descriptions, &description);
	reader->continued = description;
}

/* A field written twice in one activity, or the follow-up twice. */
static bool mus_plan_twice(struct mus_plan_reader *reader,
			   enum mus_plan_field field,
			   const struct mus_plan_where *first, const char *what)
{
	struct mus_plan_problems *problems = reader->problems;
	const struct mus_plan_where *where = &reader->where;

	if (field == MUS_PLAN_FIELD_MISSING)
		return FALSE;
	mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
		"%s står der to gange (første gang i linje %u)",
		"the %s is given twice (first in line %u)"), what, first->line);
	return TRUE;
}

static void mus_plan_read_activity_field(struct mus_plan_reader *reader,
					 enum mus_plan_label label,
					 const char *value)
{
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_activity *activity = reader->activity;
	const struct mus_plan_where *where = &reader->where;
	const char *due = MUS_PLAN_LANG(problems, "fristen", "due date");

	if (activity == NULL) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"linjen hører ikke til en aktivitet; start aktiviteten "
			"med \"Aktivitet:\"",
			"the line belongs to no activity; start the activity "
			"with \"Activity:\""));
		return;
	}
	switch (label) {
	case MUS_PLAN_LABEL_KIND:
		if (mus_plan_twice(reader, activity->kind_field,
				   &activity->where_kind,
				   MUS_PLAN_LANG(problems, "typen", "kind")))
			return;
		activity->where_kind = *where;
		mus_plan_read_kind(reader, value);
		break;
	case MUS_PLAN_LABEL_RESPONSIBLE:
		if (mus_plan_twice(reader, activity->responsible_field,
				   &activity->where_responsible,
				   MUS_PLAN_LANG(problems, "den ansvarlige",
						 "responsible")))
			return;
		activity->where_responsible = *where;
		mus_plan_read_responsible(reader, value);
		break;
	case MUS_PLAN_LABEL_DUE:
		if (mus_plan_twice(reader, activity->due_field,
				   &activity->where_due, due))
			return;
		activity->where_due = *where;
		mus_plan_read_date(reader, value, due, &activity->due,
				   &activity->due_field);
		break;
	default:
		i_unreached();
	}
}

static void mus_plan_read_label(struct mus_plan_reader *reader,
				enum mus_plan_label label, const char *value)
{
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan *plan = reader->plan;
	struct mus_plan_goal *goal;
	string_t *text;

	reader->continued = NULL;
	reader->goal_list = value[0] == '\0' &&
		(label == MUS_PLAN_LABEL_GOAL_SHARED ||
		 label == MUS_PLAN_LABEL_GOAL_INDIVIDUAL) ?
		label : MUS_PLAN_LABEL_NONE;
	/* an empty field is a field not filled in */
	if (value[0] == '\0' && label != MUS_PLAN_LABEL_GOAL_SHARED &&
	    label != MUS_PLAN_LABEL_GOAL_INDIVIDUAL &&
	    label != MUS_PLAN_LABEL_ACTIVITY &&
	    label != MUS_PLAN_LABEL_DESCRIPTION)
		return;
	switch (label) {
	case MUS_PLAN_LABEL_NONE:
		i_unreached();
	case MUS_PLAN_LABEL_GOAL_SHARED:
	case MUS_PLAN_LABEL_GOAL_INDIVIDUAL:
		goal = array_append_space(&plan->goals);
		goal->kind = label == MUS_PLAN_LABEL_GOAL_SHARED ?
			MUS_PLAN_GOAL_SHARED : MUS_PLAN_GOAL_INDIVIDUAL;
		goal->where = reader->where;
		text = str_new(reader->pool, 64);
		str_append(text, value);
		array_push_back(&reader->goal_texts, &text);
		reader->continued = text;
		break;
	case MUS_PLAN_LABEL_ACTIVITY:
		mus_plan_new_activity(reader);
		str_append(reader->continued, value);
		break;
	case MUS_PLAN_LABEL_DESCRIPTION:
		if (reader->activity == NULL)
			mus_plan_new_activity(reader);
		text = array_idx_elem(&reader->descriptions,
				      array_count(&reader->descriptions) - 1);
		if (str_len(text) > 0) {
			(void)mus_plan_twice(reader, MUS_PLAN_FIELD_GIVEN,
				&reader->activity->where_description,
				MUS_PLAN_LANG(problems, "beskrivelsen",
					      "description"));
			break;
		}
		reader->activity->where_description = reader->where;
		str_append(text, value);
		reader->continued = text;
		break;
	case MUS_PLAN_LABEL_KIND:
	case MUS_PLAN_LABEL_RESPONSIBLE:
	case MUS_PLAN_LABEL_DUE:
		mus_plan_read_activity_field(reader, label, value);
		break;
	case MUS_PLAN_LABEL_FOLLOW_UP: {
		const char *what = MUS_PLAN_LANG(problems, "opfølgningen",
						 "follow-up");

		if (mus_plan_twice(reader, plan->follow_up_field,
				   &plan->where_follow_up, what))
			break;
		plan->where_follow_up = reader->where;
		mus_plan_read_date(reader, value, what, &plan->follow_up,
				   &plan->follow_up_field);
		break;
	}
	}
}

/* Is line a list item: "- ", "* ", "• ", "2) " or "1. "? With the item's
   text after its bullet in item_r; a number with a full stop stays, as
   it may be a Danish ordinal ("1. halvår"). */
static bool mus_plan_list_item(const char *line, const char **item_r)
{
	const char *p = line;
	bool keep = FALSE;

	*item_r = line;
	if (str_begins(p, "\xe2\x80\xa2"))
		p += 3;
	else if (*p == '-' || *p == '*')
		p++;
	else {
		while (i_isdigit(*p))
			p++;
		if (p == line || (*p != '.' && *p != ')'))
			return FALSE;
		keep = *p == '.';
		p++;
	}
	if (*p != ' ')
		return FALSE;
	while (*p == ' ')
		p++;
	if (!keep)
		*item_r = p;
	return TRUE;
}

/* lines at least this long were likely wrapped by the mail program */
#define MUS_PLAN_WRAPPED_LINE_LEN 50

/* line with every run of spaces as one (HTML mail is full of them).
   From the data stack. */
static const char *mus_plan_collapse_spaces(const char *line)
{
	string_t *str = t_str_new(strlen(line) + 1);

	for (const char *p = line; *p != '\0'; p++) {
		if (*p != ' ' || p[1] != ' ')
			str_append_c(str, *p);
	}
	return str_c(str);
}

static void mus_plan_read_line(struct mus_plan_reader *reader,
			       const char *line)
{
	enum mus_plan_label label;
	const char *value, *item;

	if (line[0] == '\0' && reader->goal_list != MUS_PLAN_LABEL_NONE &&
	    reader->continued != NULL && str_len(reader->continued) == 0) {
		/* "Mål:", a blank line, and then the list */
		return;
	}
	if (line[0] == '\0' || line[0] == '>') {
		reader->continued = NULL;
		reader->goal_list = MUS_PLAN_LABEL_NONE;
		reader->last_len = 0;
		return;
	}
	line = mus_plan_collapse_spaces(line);
	label = mus_plan_line_label(line, &value);
	if (label != MUS_PLAN_LABEL_NONE) {
		reader->where.text = p_strdup(reader->pool,
			str_sanitize_utf8(line, MUS_PLAN_LINE_EXCERPT_LEN));
		mus_plan_read_label(reader, label, value);
	} else if (reader->goal_list != MUS_PLAN_LABEL_NONE &&
		   reader->continued != NULL &&
		   (mus_plan_list_item(line, &item) ||
		    reader->last_len < MUS_PLAN_WRAPPED_LINE_LEN) &&
		   str_len(reader->continued) > 0) {
		/* "Mål:" and then one goal a line, as the form asks; a line
		   after a long one without a bullet goes on with it (below) */
		enum mus_plan_label list = reader->goal_list;

		reader->where.text = p_strdup(reader->pool,
			str_sanitize_utf8(line, MUS_PLAN_LINE_EXCERPT_LEN));
		mus_plan_read_label(reader, list, item);
		reader->goal_list = list;
	} else if (reader->continued != NULL) {
		/* the list's first goal, without its bullet */
		if (reader->goal_list != MUS_PLAN_LABEL_NONE &&
		    str_len(reader->continued) == 0)
			(void)mus_plan_list_item(line, &line);
		if (str_len(reader->continued) > 0)
			str_append_c(reader->continued, ' ');
		str_append(reader->continued, line);
	}
	reader->last_len = strlen(line);
}

static bool mus_plan_activity_empty(const struct mus_plan_activity *activity,
				    const string_t *description)
{
	return str_len(description) == 0 &&
		activity->kind_field == MUS_PLAN_FIELD_MISSING &&
		activity->responsible_field == MUS_PLAN_FIELD_MISSING &&
		activity->due_field == MUS_PLAN_FIELD_MISSING;
}

/* Texts into the plan; empty goals and activities (the form's own
   blanks) left out. */
static void mus_plan_reader_finish(struct mus_plan_reader *reader)
{
	struct mus_plan *plan = reader->plan;
	struct mus_plan_activity *activity;
	struct mus_plan_goal *goal;
	unsigned int i;

	for (i = array_count(&plan->goals); i > 0; i--) {
		string_t *text = array_idx_elem(&reader->goal_texts, i - 1);

		goal = array_idx_modifiable(&plan->goals, i - 1);
		if (str_len(text) == 0)
			array_delete(&plan->goals, i - 1, 1);
		else
			goal->text = str_c(text);
	}
	for (i = array_count(&plan->activities); i > 0; i--) {
		string_t *text = array_idx_elem(&reader->descriptions, i - 1);

		activity = array_idx_modifiable(&plan->activities, i - 1);
		if (mus_plan_activity_empty(activity, text))
			array_delete(&plan->activities, i - 1, 1);
		else if (str_len(text) > 0)
			activity->description = str_c(text);
	}
}

int mus_plan_text_parse(const char *body_text, const char *body_html,
			int today, const struct mus_plan_team *team,
			struct mus_plan_problems *problems,
			struct mus_plan **plan_r)
{
	struct mus_plan_reader reader;
	unsigned int before = array_count(&problems->list);
	const char *body, *const *lines;
	unsigned int i;

	i_zero(&reader);
	reader.problems = problems;
	reader.pool = problems->pool;
	T_BEGIN {
		body = mus_mailtext_body(body_text, body_html);
		if (strlen(body) > MUS_PLAN_TEXT_MAX_SIZE) {
			mus_plan_problem_add(problems, NULL,
				MUS_PLAN_LANG(problems,
				"svaret er længere end %u byte",
				"the reply is longer than %u bytes"),
				MUS_PLAN_TEXT_MAX_SIZE);
		} else {
			reader.plan = mus_plan_new(reader.pool);
			t_array_init(&reader.goal_texts, 8);
			t_array_init(&reader.descriptions, 8);
			lines = mus_mailtext_reply_lines(body);
			for (i = 0; lines[i] != NULL; i++) {
				reader.where.line = i + 1;
				reader.where.text = NULL;
				mus_plan_read_line(&reader, lines[i]);
			}
			mus_plan_reader_finish(&reader);
			/* letters the mail's charset lost (none named, or
			   a wrong one) become U+FFFD, and labels such as
			   "Opfølgning:" no longer read: say why */
			if (mus_plan_validate(reader.plan, today, team,
					      problems) > 0 &&
			    strstr(body, "\xef\xbf\xbd") != NULL) {
				mus_plan_problem_add(problems, NULL,
					MUS_PLAN_LANG(problems,
					"mailen har tegn, der ikke kunne læses, fordi "
					"dens tegnsæt mangler eller er forkert; "
					"send svaret igen som UTF-8 (Unicode)",
					"the mail has characters that could not be "
					"read, as its character set is missing or "
					"wrong; send the reply again as UTF-8 "
					"(Unicode)"));
			}
		}
	} T_END;
	if (array_count(&problems->list) > before || problems->truncated)
		return -1;
	*plan_r = reader.plan;
	return 0;
}
