#ifndef MUS_PLAN_MAIL_H
#define MUS_PLAN_MAIL_H

/* The plan as people read it in the follow-up invitation: the texts of
   the invitation (text/followup.<lang>.txt: "Subject:" line, empty line,
   body) and the plan itself as a plain text and an HTML document, which
   the invitation carries as attachments. */

#include "mus-plan.h"
#include "mus-invitation.h"

struct mus_plan_mail_vars {
	enum mus_language language;
	/* a team's plan: employee_name names every member, and the text is
	   text/followup-team.<lang>.txt */
	bool team;
	const char *leader_name, *employee_name;
	const char *timezone;
	time_t start, end;
	unsigned int version;
	const char *organizer;
	/* the conversation's reference in subjects ("7f3a9c2e") */
	const char *reference;
};

/* Fill the follow-up invitation's texts: returns 0 with text_r on the data
   stack (summary = subject, description = the plain body, the HTML body
   that body escaped),
   or -1 with an error naming the template file and line. */
int mus_plan_mail_render(const char *templates_dir,
			 const struct mus_plan_mail_vars *vars,
			 const struct mus_plan *plan,
			 struct mus_invitation_text *text_r,
			 const char **error_r);

/* plan in vars->language as plain text (LF line ends) and as a complete
   HTML document with every value escaped, both from the data stack. */
void mus_plan_mail_document(const struct mus_plan_mail_vars *vars,
			    const struct mus_plan *plan,
			    const char **text_r, const char **html_r);

#endif
