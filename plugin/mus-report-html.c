/* The HR page: HTML with inline SVG charts, written by hand so that the
   file needs nothing but a browser. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "hostpid.h"
#include "write-full.h"
#include "mus-text.h"
#include "mus-time.h"
#include "mus-cards.h"
#include "mus-hr-figures.h"
#include "mus-competence-heatmap.h"
#include "mus-invitation.h"
#include "mus-report-html.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

/* chart geometry in SVG user units */
#define MUS_BAR_LABEL_WIDTH 260
#define MUS_BAR_WIDTH 360
#define MUS_BAR_VALUE_WIDTH 120
#define MUS_BAR_HEIGHT 18
#define MUS_BAR_GAP 6

struct mus_report_words {
	const char *lang, *title, *made, *all;
	const char *completion_units, *completion_leaders, *unit, *leader;
	const char *held, *conversations, *plans, *pending, *approved;
	const char *overdue, *overdue_count, *employee, *activity, *due;
	const char *by_kind, *by_topic, *kind, *topic, *count, *no_card;
	const char *none;
	const char *kinds[MUS_HR_KINDS];
};

static const struct mus_report_words mus_report_words[] = {
	[MUS_LANGUAGE_DA] = {
		.lang = "da", .title = "MUS: overblik for HR",
		.made = "Opgjort", .all = "I alt",
		.completion_units = "Gennemførte samtaler pr. enhed",
		.completion_leaders = "Gennemførte samtaler pr. leder",
		.unit = "Enhed", .leader = "Leder",
		.held = "Holdt", .conversations = "Samtaler",
		.plans = "Udviklingsplaner", .pending = "Afventer",
		.approved = "Godkendt",
		.overdue = "Aktiviteter over tid",
		.overdue_count = "Over tid", .employee = "Medarbejder",
		.activity = "Aktivitet", .due = "Frist",
		.by_kind = "Aftalte aktiviteter efter type",
		.by_topic = "Aftalte aktiviteter efter samtalekort",
		.kind = "Type", .topic = "Samtalekort", .count = "Antal",
		.no_card = "(intet kort)", .none = "Ingen.",
		.kinds = { "kursus", "uddannelse", "læring i praksis",
			   "supervision", "mentorordning", "nye opgaver",
			   "andet" },
	},
	[MUS_LANGUAGE_EN] = {
		.lang = "en", .title = "MUS: overview for HR",
		.made = "As of", .all = "Total",
		.completion_units = "Conversations held per unit",
		.completion_leaders = "Conversations held per leader",
		.unit = "Unit", .leader = "Leader",
		.held = "Held", .conversations = "Conversations",
		.plans = "Development plans", .pending = "Pending",
		.approved = "Approved",
		.overdue = "Overdue activities",
		.overdue_count = "Overdue", .employee = "Employee",
		.activity = "Activity", .due = "Due",
		.by_kind = "Agreed activities by kind",
		.by_topic = "Agreed activities by card topic",
		.kind = "Kind", .topic = "Card topic", .count = "Count",
		.no_card = "(no card)", .none = "None.",
		.kinds = { "course", "education", "learning in practice",
			   "supervision", "mentoring", "new tasks", "other" },
	},
};

const char *mus_report_html_escape(const char *value)
{
	/* one line: control characters, newlines too (which the
	   invitations' escaping turns into <br>), become spaces */
	char *line = t_strdup_noconst(value);

	mus_text_blank_controls(line);
	return mus_invitation_html_escape(line);
}

#define ESC(value) mus_report_html_escape(value)

/* value / of of width, rounded down, in 64 bits so no product overflows */
static unsigned int mus_bar_length(unsigned int value, unsigned int of)
{
	if (of == 0)
		return 0;
	if (value > of)
		value = of;
	return (unsigned int)((uint64_t)value * MUS_BAR_WIDTH / of);
}

void mus_report_html_bars(string_t *out, const char *id,
			  const struct mus_report_bar *bars,
			  unsigned int count)
{
	unsigned int max = 0, height, width, y;

	for (unsigned int i = 0; i < count; i++) {
		if (bars[i].value > max)
			max = bars[i].value;
	}
	width = MUS_BAR_LABEL_WIDTH + MUS_BAR_WIDTH + MUS_BAR_VALUE_WIDTH;
	height = count * (MUS_BAR_HEIGHT + MUS_BAR_GAP) + MUS_BAR_GAP;
	str_printfa(out, "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\">\n",
		    ESC(id), width, height, width, height);
	for (unsigned int i = 0; i < count; i++) {
		const struct mus_report_bar *bar = &bars[i];
		unsigned int of = bar->of > 0 ? bar->of : max;
		const char *label = ESC(bar->label);

		y = MUS_BAR_GAP + i * (MUS_BAR_HEIGHT + MUS_BAR_GAP);
		str_printfa(out, "<g><title>%s</title>"
			    "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">%s</text>",
			    label, MUS_BAR_LABEL_WIDTH - 8,
			    y + MUS_BAR_HEIGHT - 4, label);
		if (bar->of > 0) {
			str_printfa(out, "<rect class=\"of\" x=\"%u\" y=\"%u\" "
				    "width=\"%u\" height=\"%u\"/>",
				    MUS_BAR_LABEL_WIDTH, y, MUS_BAR_WIDTH,
				    MUS_BAR_HEIGHT);
		}
		str_printfa(out, "<rect class=\"bar\" data-value=\"%u\" x=\"%u\" "
			    "y=\"%u\" width=\"%u\" height=\"%u\"/>",
			    bar->value, MUS_BAR_LABEL_WIDTH, y,
			    mus_bar_length(bar->value, of), MUS_BAR_HEIGHT);
		str_printfa(out, "<text x=\"%u\" y=\"%u\">%u",
			    MUS_BAR_LABEL_WIDTH + MUS_BAR_WIDTH + 6,
			    y + MUS_BAR_HEIGHT - 4, bar->value);
		if (bar->of > 0)
			str_printfa(out, " / %u", bar->of);
		str_append(out, "</text></g>\n");
	}
	str_append(out, "</svg>\n");
}

/* an empty array has no front element to point at */
static void mus_html_bars(string_t *out, const char *id,
			  const ARRAY_TYPE(mus_report_bar) *bars)
{
	unsigned int count;
	const struct mus_report_bar *first = array_get(bars, &count);

	mus_report_html_bars(out, id, first, count);
}

static void mus_html_cells(string_t *out, const char *const *cells)
{
	for (; *cells != NULL; cells++)
		str_printfa(out, "<td>%s</td>", ESC(*cells));
	str_append(out, "</tr>\n");
}

static void mus_html_head(string_t *out, const char *const *cells)
{
	str_append(out, "<table>\n<tr>");
	for (; *cells != NULL; cells++)
		str_printfa(out, "<th>%s</th>", ESC(*cells));
	str_append(out, "</tr>\n");
}

static void mus_html_section(string_t *out, const char *id, const char *title)
{
	str_printfa(out, "<section id=\"%s\">\n<h2>%s</h2>\n", id, ESC(title));
}

static void mus_html_completion(string_t *out, const char *id,
				const char *title, const char *key_name,
				const char *key_attr,
				const ARRAY_TYPE(mus_hr_group) *groups,
				const struct mus_report_words *w)
{
	struct mus_hr_group *group;
	ARRAY_TYPE(mus_report_bar) bars;

	t_array_init(&bars, 16);
	mus_html_section(out, id, title);
	array_foreach_elem(groups, group) {
		struct mus_report_bar *bar;

		if (group->conversations == 0)
			continue;
		bar = array_append_space(&bars);
		bar->label = group->name;
		bar->value = group->held;
		bar->of = group->conversations;
	}
	mus_html_bars(out, t_strconcat(id, "-chart", NULL), &bars);
	mus_html_head(out, (const char *[]){ key_name, w->held,
			   w->conversations, NULL });
	array_foreach_elem(groups, group) {
		if (group->conversations == 0)
			continue;
		str_printfa(out, "<tr data-%s=\"%s\" data-held=\"%u\" "
			    "data-conversations=\"%u\">", key_attr,
			    ESC(group->key), group->held, group->conversations);
		mus_html_cells(out, (const char *[]){ group->name,
			       dec2str(group->held),
			       dec2str(group->conversations), NULL });
	}
	str_append(out, "</table>\n</section>\n");
}

static void mus_html_plans(string_t *out, const struct mus_hr_figures *figs,
			   const struct mus_report_words *w)
{
	struct mus_hr_group *group;
	ARRAY_TYPE(mus_report_bar) bars;

	t_array_init(&bars, 16);
	mus_html_section(out, "plans", w->plans);
	str_printfa(out, "<p class=\"total\" data-approved=\"%u\" data-pending=\"%u\">"
		    "%s: %u &#183; %s: %u</p>\n",
		    figs->total->plans_approved, figs->total->plans_pending,
		    ESC(w->approved), figs->total->plans_approved,
		    ESC(w->pending), figs->total->plans_pending);
	array_foreach_elem(&figs->units, group) {
		struct mus_report_bar *bar = array_append_space(&bars);

		bar->label = group->name;
		bar->value = group->plans_approved;
	}
	mus_html_bars(out, "plans-chart", &bars);
	mus_html_head(out, (const char *[]){ w->unit, w->approved, w->pending,
			   NULL });
	array_foreach_elem(&figs->units, group) {
		str_printfa(out, "<tr data-unit=\"%s\" data-approved=\"%u\" "
			    "data-pending=\"%u\">", ESC(group->key),
			    group->plans_approved, group->plans_pending);
		mus_html_cells(out, (const char *[]){ group->name,
			       dec2str(group->plans_approved),
			       dec2str(group->plans_pending), NULL });
	}
	str_append(out, "</table>\n</section>\n");
}

static void mus_html_overdue(string_t *out, const struct mus_hr_figures *figs,
			     const struct mus_report_words *w,
			     const char *timezone)
{
	const struct mus_hr_overdue *od;
	struct mus_hr_group *group;
	ARRAY_TYPE(mus_report_bar) bars;

	t_array_init(&bars, 16);
	mus_html_section(out, "overdue", w->overdue);
	str_printfa(out, "<p class=\"total\" data-overdue=\"%u\">%s: %u</p>\n",
		    figs->total->overdue, ESC(w->all), figs->total->overdue);
	array_foreach_elem(&figs->units, group) {
		struct mus_report_bar *bar;

		if (group->activities == 0)
			continue;
		bar = array_append_space(&bars);
		bar->label = group->name;
		bar->value = group->overdue;
		bar->of = group->activities;
	}
	mus_html_bars(out, "overdue-chart", &bars);
	if (array_count(&figs->overdue) == 0) {
		str_printfa(out, "<p>%s</p>\n</section>\n", ESC(w->none));
		return;
	}
	mus_html_head(out, (const char *[]){ w->due, w->unit, w->leader,
			   w->employee, w->activity, NULL });
	array_foreach(&figs->overdue, od) {
		str_printfa(out, "<tr class=\"overdue-activity\" data-dn=\"%s\">",
			    ESC(od->dn));
		mus_html_cells(out, (const char *[]){
			mus_time_local_date(timezone, od->due), od->unit, od->leader,
			od->employee, od->description, NULL });
	}
	str_append(out, "</table>\n</section>\n");
}

static const char *mus_html_topic_name(const struct mus_hr_topic *topic,
				       enum mus_language language,
				       const struct mus_report_words *w)
{
	if (topic->code[0] == '\0')
		return w->no_card;
	return topic->card != NULL ? topic->card->title[language] : topic->code;
}

static void mus_html_activities(string_t *out, const struct mus_hr_figures *figs,
				enum mus_language language,
				const struct mus_report_words *w)
{
	struct mus_hr_group *group;
	const struct mus_hr_topic *topic;
	struct mus_report_bar kind_bars[MUS_HR_KINDS];
	ARRAY_TYPE(mus_report_bar) bars;

	mus_html_section(out, "activities-kind", w->by_kind);
	for (unsigned int k = 0; k < MUS_HR_KINDS; k++) {
		kind_bars[k].label = w->kinds[k];
		kind_bars[k].value = figs->total->kinds[k];
		kind_bars[k].of = 0;
	}
	mus_report_html_bars(out, "activities-kind-chart", kind_bars,
			     MUS_HR_KINDS);
	mus_html_head(out, (const char *[]){ w->unit, w->kind, w->count, NULL });
	array_foreach_elem(&figs->units, group) {
		for (unsigned int k = 0; k < MUS_HR_KINDS; k++) {
			if (group->kinds[k] == 0)
				continue;
			str_printfa(out, "<tr data-unit=\"%s\" data-kind=\"%s\" "
				    "data-count=\"%u\">", ESC(group->key),
				    mus_hr_kind_name(k), group->kinds[k]);
			mus_html_cells(out, (const char *[]){ group->name,
				       w->kinds[k], dec2str(group->kinds[k]),
				       NULL });
		}
	}
	str_append(out, "</table>\n</section>\n");

	t_array_init(&bars, 16);
	mus_html_section(out, "activities-topic", w->by_topic);
	array_foreach(&figs->total->topics, topic) {
		struct mus_report_bar *bar = array_append_space(&bars);

		bar->label = mus_html_topic_name(topic, language, w);
		bar->value = topic->count;
	}
	mus_html_bars(out, "activities-topic-chart", &bars);
	mus_html_head(out, (const char *[]){ w->unit, w->topic, w->count, NULL });
	array_foreach_elem(&figs->units, group) {
		array_foreach(&group->topics, topic) {
			str_printfa(out, "<tr data-unit=\"%s\" data-card=\"%s\" "
				    "data-count=\"%u\">", ESC(group->key),
				    ESC(topic->code), topic->count);
			mus_html_cells(out, (const char *[]){ group->name,
				       mus_html_topic_name(topic, language, w),
				       dec2str(topic->count), NULL });
		}
	}
	str_append(out, "</table>\n</section>\n");
}

void mus_report_html(string_t *out, const struct mus_hr_figures *figs,
		     const struct mus_competences *comp,
		     enum mus_language language, const char *timezone)
{
	const struct mus_report_words *w = &mus_report_words[language];

	str_printfa(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n<title>%s</title>\n<style>\n"
		    "body{font-family:sans-serif;margin:2em;color:#222}\n"
		    "table{border-collapse:collapse;margin:1em 0}\n"
		    "td,th{border:1px solid #bbb;padding:.2em .6em;text-align:left}\n"
		    "svg text{font-size:12px;fill:#222}\n"
		    "rect.of{fill:#e4e4e4}\nrect.bar{fill:#2a6f97}\n"
		    "</style>\n</head>\n<body>\n<h1>%s</h1>\n"
		    "<p id=\"made\" data-date=\"%s\">%s %s</p>\n",
		    w->lang, ESC(w->title), ESC(w->title),
		    mus_time_local_date(timezone, figs->now), ESC(w->made),
		    mus_time_local_date(timezone, figs->now));
	mus_html_completion(out, "completion-units", w->completion_units,
			    w->unit, "unit", &figs->units, w);
	mus_html_completion(out, "completion-leaders", w->completion_leaders,
			    w->leader, "leader", &figs->leaders, w);
	mus_html_plans(out, figs, w);
	mus_html_overdue(out, figs, w, timezone);
	mus_html_activities(out, figs, language, w);
	if (comp != NULL)
		mus_competence_heatmap(out, comp, language);
	str_append(out, "</body>\n</html>\n");
}

int mus_report_html_write(const char *path, const struct mus_hr_figures *figs,
			  const struct mus_competences *comp,
			  enum mus_language language, const char *timezone,
			  const char **error_r)
{
	const char *tmp = t_strdup_printf("%s.%s.tmp", path, my_pid);
	string_t *page = t_str_new(64 * 1024);
	struct stat st;
	int fd;

	/* the page replaces path whole: a device, a link or a directory
	   there (doveadm runs as root) is not ours to replace */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*error_r = t_strdup_printf("%s exists and is not a regular file", path);
		return -1;
	}
	mus_report_html(page, figs, comp, language, timezone);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0640);
	if (fd < 0) {
		*error_r = t_strdup_printf("open(%s) failed: %m", tmp);
		return -1;
	}
	if (write_full(fd, str_data(page), str_len(page)) < 0 ||
	    fsync(fd) < 0) {
		*error_r = t_strdup_printf("write(%s) failed: %m", tmp);
		i_close_fd(&fd);
		i_unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		*error_r = t_strdup_printf("close(%s) failed: %m", tmp);
		i_unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		*error_r = t_strdup_printf("rename(%s, %s) failed: %m", tmp, path);
		i_unlink(tmp);
		return -1;
	}
	return 0;
}
