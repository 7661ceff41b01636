/* The plan as people read it in the follow-up invitation. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-plan-mail.h"

struct mus_plan_mail_words {
	const char *code, *title, *goals, *shared, *individual, *activities;
	const char *kind, *responsible, *due, *follow_up, *version, *none;
};

static const struct mus_plan_mail_words mus_plan_mail_words[] = {
	[MUS_LANGUAGE_DA] = {
		.code = "da", .title = "Kompetenceudviklingsplan",
		.goals = "Mål", .shared = "Fælles mål",
		.individual = "Individuelt mål", .activities = "Aktiviteter",
		.kind = "Type", .responsible = "Ansvarlig", .due = "Frist",
		.follow_up = "Opfølgning", .version = "version",
		.none = "(ingen)",
	},
	[MUS_LANGUAGE_EN] = {
		.code = "en", .title = "Competence development plan",
		.goals = "Goals", .shared = "Shared goal",
		.individual = "Individual goal", .activities = "Activities",
		.kind = "Kind", .responsible = "Responsible", .due = "Due",
		.follow_up = "Follow-up", .version = "version",
		.none = "(none)",
	},
};

static const char *
mus_plan_mail_responsible(const struct mus_plan_mail_vars *vars,
			  const struct mus_plan_responsible *resp)
{
	switch (resp->kind) {
	case MUS_PLAN_RESPONSIBLE_LEADER:
		return vars->leader_name;
	case MUS_PLAN_RESPONSIBLE_EMPLOYEE:
		return vars->employee_name;
	case MUS_PLAN_RESPONSIBLE_PERSON:
		break;
	}
	if (resp->name != NULL && resp->mail != NULL)
		return t_strdup_printf("%s <%s>", resp->name, resp->mail);
	return resp->name != NULL ? resp->name : resp->mail;
}

void mus_plan_mail_document(const struct mus_plan_mail_vars *vars,
			    const struct mus_plan *plan,
			    const char **text_r, const char **html_r)
{
	const struct mus_plan_mail_words *w = &mus_plan_mail_words[vars->language];
	string_t *text = t_str_new(2048), *html = t_str_new(4096);
	const struct mus_plan_goal *goal;
	const struct mus_plan_activity *act;
	const char *heading;
	unsigned int n = 0;

	heading = t_strdup_printf("%s: %s (%s %u)", w->title,
				  vars->employee_name, w->version,
				  vars->version);
	str_printfa(text, "%s\n\n%s\n", heading, w->goals);
	str_printfa(html, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>"
		    "<meta charset=\"UTF-8\"><title>%s</title></head>\n<body>\n"
		    "<h1>%s</h1>\n<h2>%s</h2>\n<ul>\n", w->code, w->title,
		    mus_invitation_html_escape(heading), w->goals);
	array_foreach(&plan->goals, goal) {
		const char *label = goal->kind == MUS_PLAN_GOAL_SHARED ?
			w->shared : w->individual;

		str_printfa(text, "  - %s: %s\n", label, goal->text);
		str_printfa(html, "<li>%s: %s</li>\n", label,
			    mus_invitation_html_escape(goal->text));
	}
	if (array_count(&plan->goals) == 0) {
		str_printfa(text, "  %s\n", w->none);
		str_printfa(html, "<li>%s</li>\n", w->none);
	}
	str_printfa(text, "\n%s\n", w->activities);
	str_printfa(html, "</ul>\n<h2>%s</h2>\n<table border=\"1\">\n<tr><th>#</th>"
		    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
		    w->activities, w->activities, w->kind, w->responsible,
		    w->due);
	array_foreach(&plan->activities, act) {
		const char *kind = mus_plan_activity_kind_title(act->kind,
								vars->language);
		const char *resp = mus_plan_mail_responsible(vars,
							     &act->responsible);
		const char *due = mus_plan_date(act->due);

		n++;
		str_printfa(text, "  %u. %s\n     %s: %s\n     %s: %s\n"
			    "     %s: %s\n", n, act->description, w->kind, kind,
			    w->responsible, resp, w->due, due);
		str_printfa(html, "<tr><td>%u</td><td>%s</td><td>%s</td>"
			    "<td>%s</td><td>%s</td></tr>\n", n,
			    mus_invitation_html_escape(act->description),
			    mus_invitation_html_escape(kind),
			    mus_invitation_html_escape(resp), due);
	}
	if (n == 0)
		str_printfa(text, "  %s\n", w->none);
	str_printfa(text, "\n%s: %s\n", w->follow_up,
		    mus_plan_date(plan->follow_up));
	str_printfa(html, "</table>\n<p>%s: %s</p>\n</body>\n</html>\n",
		    w->follow_up, mus_plan_date(plan->follow_up));
	*text_r = str_c(text);
	*html_r = str_c(html);
}

int mus_plan_mail_render(const char *templates_dir,
			 const struct mus_plan_mail_vars *vars,
			 const struct mus_plan *plan,
			 struct mus_invitation_text *text_r,
			 const char **error_r)
{
	const struct mus_notice_var notice[] = {
		{ "leader", vars->leader_name },
		{ "employee", vars->employee_name },
		{ "when", mus_invitation_when(vars->language, vars->timezone,
					      vars->start, vars->end) },
		{ "version", dec2str(vars->version) },
		{ "follow_up", mus_plan_date(plan->follow_up) },
		{ "organizer", vars->organizer },
		{ "reference", vars->reference },
	};
	const char *subject, *body;

	if (mus_invitation_render_notice(templates_dir, vars->team ?
					 "followup-team" : "followup",
					 vars->language, notice,
					 N_ELEMENTS(notice), &subject, &body,
					 error_r) < 0)
		return -1;
	i_zero(text_r);
	text_r->subject = subject;
	text_r->summary = subject;
	text_r->body_text = body;
	text_r->body_html = t_strdup_printf(
		"<!DOCTYPE html>\n<html lang=\"%s\">\n<head><meta charset=\"UTF-8\">"
		"<title>%s</title></head>\n<body>\n<p>%s</p>\n</body>\n</html>\n",
		mus_plan_mail_words[vars->language].code,
		mus_invitation_html_escape(subject),
		mus_invitation_html_escape(body));
	text_r->description = body;
	return 0;
}
