#ifndef MUS_INVITATION_H
#define MUS_INVITATION_H

/* The human texts of an invitation or a cancel, in the person's language:
   mail subject, plain and HTML body, and the SUMMARY and DESCRIPTION of
   the calendar event. They come from files that admins edit, in
   <templates_dir>/text/ (the format and every {placeholder} are described
   in ical-templates/text/README.md):

     invitation.<lang>.txt   "Subject:" and "Summary:" lines, an empty
                             line, then the plain body
     invitation.<lang>.html  the HTML body
     cancel.<lang>.txt, cancel.<lang>.html   the same for a cancel

   One text goes to every attendee, so it speaks to leader and employee
   alike. */

#include "mus-cards.h"

/* A larger text template is refused unread. */
#define MUS_INVITATION_TEMPLATE_MAX_SIZE (64 * 1024)
#define MUS_INVITATION_NAME_MAX_LEN 256
#define MUS_INVITATION_REASON_MAX_LEN 4096
#define MUS_INVITATION_MAX_CARDS 64
#define MUS_INVITATION_MAX_MEMBERS 100
#define MUS_INVITATION_UID_SHORT_MAX_LEN 32

/* How leader and employee choose cards, as the invitation explains it: a
   mail to the organizer address whose subject is the word and the short
   UID ("Samtalekort 7f3a9c"), or a reply to the invitation, with one body
   line of the keyword, a colon and the codes separated by commas
   ("kort: sparring, senior"). Both languages mean the same. */
#define MUS_INVITATION_CARDS_SUBJECT_DA "Samtalekort"
#define MUS_INVITATION_CARDS_SUBJECT_EN "Cards"
#define MUS_INVITATION_CARDS_KEYWORD_DA "kort"
#define MUS_INVITATION_CARDS_KEYWORD_EN "cards"

/* Why a card is in the conversation. */
enum mus_card_origin {
	MUS_CARD_ORIGIN_MANDATORY = 0,
	/* chosen by the local MED committee for the round */
	MUS_CARD_ORIGIN_LMU,
	MUS_CARD_ORIGIN_LEADER,
	MUS_CARD_ORIGIN_EMPLOYEE,
};

struct mus_invitation_vars {
	enum mus_language language;
	/* MUS, GRUS, TUS or LUS */
	const char *kind;
	const char *round_name;
	const char *leader_name;
	/* NULL-terminated; may be NULL or empty when team_name is set */
	const char *const *member_names;
	/* GRUS/TUS: the team's name, or NULL */
	const char *team_name;
	time_t start, end;
	/* Olson name the times are shown in */
	const char *timezone;
	/* NULL: the text says the leader tells where */
	const char *location;
	/* the organizer's (service) mail address */
	const char *organizer;
	/* what identifies the conversation in a subject line: letters,
	   digits, '-', '.' and '_' */
	const char *uid_short;
	/* the selected cards in order, and why each is there */
	const struct mus_card *const *cards;
	const enum mus_card_origin *card_origins;
	unsigned int card_count;
	/* the cards that leader and employee can still choose */
	const struct mus_card *const *choosable;
	unsigned int choosable_count;
	/* cancel only: why, in the person's language; may hold newlines.
	   NULL or "": the text says that no reason was given. */
	const char *cancel_reason;
};

struct mus_invitation_text {
	/* single lines */
	const char *subject, *summary;
	/* lines end in LF; the description is the plain body, which is what
	   calendar clients show with the event */
	const char *body_text, *body_html, *description;
};

/* Fill the templates of the invitation (or the cancel) in vars->language.
   Returns 0 with every string of text_r on the data stack, or -1 with an
   error naming the field at fault, or "<file>:<line>: <reason>" for a
   template (an unknown {placeholder}, a list in a single line, invalid
   UTF-8); text_r is untouched on failure. Every value put into the HTML
   body is escaped. */
int mus_invitation_render(const char *templates_dir, bool cancel,
			  const struct mus_invitation_vars *vars,
			  struct mus_invitation_text *text_r,
			  const char **error_r);

/* The local date and time from start to end in zone tz (which must
   exist), from the data stack. Danish "mandag den 4. januar 2027 kl.
   08.30-09.30", English "Monday 4 January 2027, 08:30-09:30"; an end on
   another day is written out in full. */
const char *mus_invitation_when(enum mus_language language, const char *tz,
				time_t start, time_t end);

/* names as a text: "Anna, Bo og Carl" / "Anna, Bo and Carl", from the
   data stack. */
const char *mus_invitation_names(enum mus_language language,
				 const char *const *names);

/* A {name} of a notice and its plain text value (may hold newlines; such
   a value cannot be in the Subject: line). */
struct mus_notice_var {
	const char *name, *value;
};

/* Fill <templates_dir>/text/<name>.<lang>.txt, a short mail that answers
   something a person sent: a "Subject:" line, an empty line, the plain
   body. Returns 0 with subject and body (LF line ends) on the data stack,
   or -1 with an error naming the file and line, as for invitations. */
int mus_invitation_render_notice(const char *templates_dir, const char *name,
				 enum mus_language language,
				 const struct mus_notice_var *vars,
				 unsigned int count, const char **subject_r,
				 const char **body_r, const char **error_r);

/* value with &, <, >, " and ' escaped for HTML (newlines become <br>),
   from the data stack. */
const char *mus_invitation_html_escape(const char *value);

#endif
