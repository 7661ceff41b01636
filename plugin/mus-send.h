#ifndef MUS_SEND_H
#define MUS_SEND_H

/* Sending the invitations of a round: for every conversation whose
   attendees do not have its current content, an iTIP REQUEST (new time,
   attendees or cards: SEQUENCE+1), and for every withdrawn one that was
   sent, a CANCEL. One message per attendee, in the attendee's language,
   with the selected conversation cards attached, and, once the employee
   of a MUS or LUS conversation has answered the competence form, the
   competence spider (mus-competence-card; its levels are part of the
   content, so new answers mean a new SEQUENCE). For a plan waiting for
   approval (plan-pending), the follow-up meeting
   (mus-followup) with SEQUENCE = the plan version and the plan attached,
   recorded per recipient as musFollowUpSentTo "<version> <address>"; its
   time avoids the busy time of leader and attendees from their calFBURL
   (a URL that cannot be read is logged, and its person counts as free).

   Never twice: before a send, the target SEQUENCE is written to the
   conversation; each recipient is recorded as musSentTo "<sequence>
   <address>" while the MTA waits for the end of the message, and is not
   sent that SEQUENCE again. If the directory is gone before that write,
   the end of data is never sent and the MTA keeps nothing; if the MTA
   does not take the message after all, the value is taken back. What is
   left: a write cut off inside the directory (the message goes out; it
   may not be recorded) and an MTA whose "250 OK" is lost after it queued
   the message; in both the next sync may send an identical copy (same
   UID, SEQUENCE and content, which calendar clients treat as the same
   invitation). And a crash of the sync in the instant between the write
   and the end of data leaves it recorded and not sent. */

#include "mus-conversation.h"
#include "mus-smtp.h"

struct mus_ldap;
struct mus_settings;
struct mus_cards;
struct mus_round;
struct mus_org;

struct mus_send_options {
	bool dry_run;
	/* dry run: build every message and write it here as
	   <cn>.<seq>.<address>.eml (NULL: only count them) */
	const char *eml_dir;
	unsigned int smtp_timeout_msecs;
};

struct mus_send_result {
	unsigned int requests, cancels;	/* conversations sent in full */
	/* plan versions whose follow-up meeting everybody has now */
	unsigned int followups;
	unsigned int messages;		/* messages the MTA accepted */
	unsigned int deferred;		/* left for the next sync (4xx) */
	unsigned int failed;		/* conversations marked failed (5xx) */
	unsigned int conflicts;		/* changed by another writer */
};

typedef void mus_send_log_t(const char *message, void *context);
/* called after each message, for progress on a terminal */
typedef void mus_send_progress_t(unsigned int done, unsigned int total,
				 void *context);

struct mus_send {
	struct mus_ldap *conn;
	const struct mus_settings *set;
	const struct mus_cards *cards;
	const struct mus_round *round;
	const struct mus_org *org;	/* people by DN: names, mails, language */
	const struct mus_send_options *opts;
	/* reading calFBURL for the time of a follow-up meeting */
	unsigned int fb_timeout_msecs;
	size_t fb_max_size;
	mus_send_log_t *log;
	mus_send_progress_t *progress;
	void *context;
};

/* Send what the conversations need. Returns 0, or -1 if the directory
   failed or the MTA could not be reached at all (what was sent is
   recorded; the rest waits for the next sync). */
int mus_send_round(const struct mus_send *send,
		   const ARRAY_TYPE(mus_conversation) *convs,
		   struct mus_send_result *result, const char **error_r);

#endif
