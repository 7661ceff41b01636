#ifndef MUS_INBOX_H
#define MUS_INBOX_H

/* What arrives in the organizer mailbox, applied to the directory: iTIP
   replies (REPLY, COUNTER, REFRESH) and card choices. The mail plugin
   calls this for each delivery to the organizer, with no way to send
   mail; `doveadm mus sync` calls it again for every message of the
   organizer's INBOX it has not marked as processed, with sending. Every
   change is computed from the conversation as it is in LDAP and written
   with an assertion on its entryCSN, and nothing is written when the
   conversation already says what the message says: applying a message a
   second time changes nothing.

   What a message may change:
   - REPLY: only the PARTSTAT (and comment) of the one attendee who
     replies, never time, organizer or cards. The ATTENDEE must be one of
     the conversation's people (any of their mail values) and From one of
     that same person's addresses. ACCEPTED by the leader and every
     employee makes the conversation `accepted`; DECLINED makes it
     `rescheduling` and records the declined time as that person's busy
     time (musDeclined), so that the next sync finds another slot and
     sends an update.
   - COUNTER: the proposal is stored (musCounter) for the next sync, which
     moves the conversation there if the time keeps every scheduling rule,
     or answers with a DECLINECOUNTER naming the rule.
   - REFRESH: the attendee's record of having received the current
     invitation is removed, so the next sync sends it again.
   - a REPLY to a conversation's follow-up meeting (musFollowUpUID),
     whose SEQUENCE must be the current plan version: ACCEPTED adds the
     attendee's approval of that version (musPlanApproval); DECLINED,
     only where answers can be sent (else DEFERRED), mails the comment
     to the leader and sets the conversation back to plan-requested
     (musPlanDeclined keeps the comment).
   - a done-mail (mus-done.h): the activity it names is marked done, if
     the sender may; else the sender is told why.
   - a card choice: the codes are checked against the catalogue and the
     round's kind and stored as musCardLeader or musCardEmployee (by who
     sends it); the next sync sends the updated invitation. A choice with
     mistakes is answered with a mail that names each one.
   - a plan: a mail whose subject carries the reference "[<uid-short>]"
     of a conversation in plan-requested or plan-pending (a reply to the
     plan form), from one of the leader's addresses, is read as the plan
     (mus-plan-text, today in the inbox's time zone). A valid plan is
     stored as the draft (mus-plan-draft); one with mistakes is answered
     with a mail naming each one and its line (text/plan-problems.
     <lang>.txt), and nothing is stored. A plan from anybody else, or for
     a conversation that has moved on, changes nothing.
   - an answer to the competence form: a mail whose subject carries the
     reference of a conversation whose form was sent and the form's word
     (mus_competence_form_subject()), from one of the addresses of its
     employee or leader, is read against the conversation's profile
     (musJobProfileRef); valid, it replaces that side's assessment
     (mus-assessment); with mistakes, the sender gets a mail naming each
     one (text/competence-problems.<lang>.txt) and nothing is stored.
     From anybody else it changes nothing. Always left to the sync
     (DEFERRED where no answers can be sent).
   A reply to an older SEQUENCE than the one last sent changes nothing, and
   neither does one to an older SEQUENCE than a newer one a sync has
   written and not yet sent to everybody (a new time being sent out). */

#include "mus-reply.h"

struct mus_ldap;
struct mus_cards;

enum mus_inbox_outcome {
	/* the conversation was changed */
	MUS_INBOX_APPLIED = 0,
	/* it already said so: a repeat */
	MUS_INBOX_UNCHANGED,
	/* answers an older invitation, or a conversation that is over */
	MUS_INBOX_STALE,
	/* neither an iTIP object nor a card choice: ordinary mail */
	MUS_INBOX_NOT_OURS,
	/* an iTIP object whose UID is none of ours */
	MUS_INBOX_UNKNOWN_UID,
	/* the ATTENDEE (or the sender of a COUNTER or card choice) is not
	   one of the conversation's people */
	MUS_INBOX_PARTY_CRASHER,
	/* From is not one of the replying attendee's addresses */
	MUS_INBOX_SENDER_MISMATCH,
	/* malformed, over a limit, or an iTIP method not meant for us */
	MUS_INBOX_INVALID,
	/* a card choice with mistakes; the sender was told */
	MUS_INBOX_CARDS_REFUSED,
	/* needs a mail in answer and this caller cannot send: left for
	   the next sync */
	MUS_INBOX_DEFERRED,
	/* the leader's plan, stored as the conversation's draft */
	MUS_INBOX_PLAN_RECEIVED,
	/* a plan with mistakes; the leader was told, nothing stored */
	MUS_INBOX_PLAN_REFUSED,
	/* an answer to the competence form, stored as that side's */
	MUS_INBOX_ASSESSMENT_RECEIVED,
	/* an answer to the competence form with mistakes; the sender was
	   told, nothing stored */
	MUS_INBOX_ASSESSMENT_REFUSED,

	MUS_INBOX_OUTCOME_COUNT
};

/* Sends one plain text mail: an answer to the sender (reply; in_reply_to
   the Message-ID it answers, or NULL) or news for someone else. Returns
   0, or -1 with the reason if it should be tried again later. */
typedef int mus_inbox_send_t(bool reply, const char *to,
			     const char *in_reply_to, const char *subject,
			     const char *body, void *context,
			     const char **error_r);

struct mus_inbox {
	struct mus_ldap *conn;
	const char *round_base;
	/* where the sender is looked for along with the conversation;
	   NULL: people are read by the conversation's DNs only */
	const char *people_base;
	const char *timezone;
	/* the organizer's address: mail from it is never a reply */
	const char *organizer;
	/* where the texts of answers are (text/cards-refused.<lang>.txt,
	   text/plan-problems.<lang>.txt) */
	const char *templates_dir;
	/* the catalogue card choices are checked against; NULL: card
	   choices are DEFERRED */
	const struct mus_cards *cards;
	/* NULL: anything that needs an answer is DEFERRED */
	mus_inbox_send_t *send;
	void *context;
	/* the language of answers to people without one */
	enum mus_language language;
	/* where plans are filed, NULL-terminated; NULL: mails that mark an
	   activity done (mus-done.h) are DEFERRED */
	const char *const *plan_bases;
};

/* Apply one message. parse_ret and parse_error are what mus_reply_parse()
   returned for it (reply may be NULL when parse_ret is -1). Returns 0 with
   the outcome and a one-line detail for the log (data stack), or -1 with
   an error if the directory (or sending an answer) failed: the message
   was not applied in full and must be tried again. */
int mus_inbox_apply(const struct mus_inbox *inbox, const struct mus_reply *reply,
		    int parse_ret, const char *parse_error,
		    enum mus_inbox_outcome *outcome_r, const char **detail_r,
		    const char **error_r);

/* "applied", "party-crasher", ...: for logs, keywords and status. */
const char *mus_inbox_outcome_name(enum mus_inbox_outcome outcome);

#endif
