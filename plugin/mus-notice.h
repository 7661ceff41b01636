#ifndef MUS_NOTICE_H
#define MUS_NOTICE_H

/* A plain text mail from the organizer address to one person: a form,
   a reminder, an answer naming problems. Kept apart from the invitations
   (mus-send), so that the mail plugin, which sends these from its
   delivery hook, does not link what invitations need. */

#include "mus-smtp.h"

struct mus_settings;

/* What a plain text mail from the organizer is, for its Auto-Submitted
   header (RFC 3834). */
enum mus_notice_kind {
	/* an answer to the mail of the person it goes to: auto-replied */
	MUS_NOTICE_REPLY = 0,
	/* written by us on our own: a reminder, a form, news of what
	   someone else did: auto-generated */
	MUS_NOTICE_GENERATED,
};

/* "<id>" for In-Reply-To if id (a Message-ID without its angle brackets,
   as the answered mail gave it) is a plain msg-id: printable ASCII, one
   '@' with text on both sides, no angle brackets or spaces, at most 900
   octets. Else NULL: naming the answered mail must never stop the
   answer. From the data stack. */
const char *mus_notice_msgid(const char *id);

/* Send a plain text mail of kind from the organizer address to one
   person. An answer names the Message-ID it answers (without the angle
   brackets; NULL: none) in In-Reply-To and References, so that it
   threads with it; an ID that is no plain msg-id is left out. Returns 1
   if the MTA took it, 0 if it refused the address for good (logged by
   the caller), -1 with the reason if it should be tried again later. */
int mus_send_notice(struct mus_smtp *smtp, const struct mus_settings *set,
		    enum mus_notice_kind kind, const char *to,
		    const char *in_reply_to, const char *subject,
		    const char *body, const char **error_r);
/* mus_send_notice() that calls commit(context) before the end of the
   message, as mus_smtp_send_commit() does (commit may be NULL);
   committed_r says whether commit let the message go. */
int mus_send_notice_commit(struct mus_smtp *smtp,
			   const struct mus_settings *set,
			   enum mus_notice_kind kind, const char *to,
			   const char *in_reply_to, const char *subject,
			   const char *body, mus_smtp_commit_t *commit,
			   void *context, bool *committed_r,
			   const char **error_r);

#endif
