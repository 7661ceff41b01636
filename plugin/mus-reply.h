#ifndef MUS_REPLY_H
#define MUS_REPLY_H

/* What leaders and employees mail to the organizer address: iTIP replies
   (REPLY, COUNTER, REFRESH) as real mail clients send them, and card
   choices ("kort: a, b"). The MIME is read with Dovecot's message parser
   and decoder, the iCalendar with libical; nothing here is checked against
   LDAP or the card catalogue: the caller does that. */

#include "mus-settings.h"

struct istream;

/* Every limit must be above 0. A message, an iCalendar part or an object
   over a limit is refused with an error that names the limit's setting,
   never read in part. */
struct mus_reply_limits {
	/* the whole message, as read (mus_max_message_size) */
	uoff_t max_message_size;
	/* the iCalendar part, decoded (mus_max_ical_size) */
	size_t max_calendar_size;
	/* the plain and the HTML body kept for card choices; longer bodies
	   are cut (not refused) */
	size_t max_body_size;
	/* MIME parts, counting the message itself (mus_max_mime_parts) */
	unsigned int max_parts;
	/* levels of multiparts and attached messages below the message
	   itself (mus_max_mime_depth) */
	unsigned int max_depth;
	/* parts with a file name or Content-Disposition: attachment
	   (mus_max_attachments) */
	unsigned int max_attachments;
	/* ATTENDEEs of the VEVENT that is read (mus_max_ical_attendees) */
	unsigned int max_attendees;
	/* VEVENTs of the object (mus_max_ical_events) */
	unsigned int max_vevents;
	/* Olson name of the zone that floating times are in; NULL or an
	   unknown name: UTC */
	const char *default_timezone;
};

#define MUS_REPLY_LIMITS_DEFAULT { \
	.max_message_size = MUS_DEFAULT_MAX_MESSAGE_SIZE, \
	.max_calendar_size = MUS_DEFAULT_MAX_ICAL_SIZE, \
	.max_body_size = 256 * 1024, \
	.max_parts = MUS_DEFAULT_MAX_MIME_PARTS, \
	.max_depth = MUS_DEFAULT_MAX_MIME_DEPTH, \
	.max_attachments = MUS_DEFAULT_MAX_ATTACHMENTS, \
	.max_attendees = MUS_DEFAULT_MAX_ICAL_ATTENDEES, \
	.max_vevents = MUS_DEFAULT_MAX_ICAL_EVENTS, \
	.default_timezone = "Europe/Copenhagen", \
}

/* The limits of the mus_max_* settings and the zone of mus_timezone;
   limits_r keeps pointers into set. */
void mus_reply_limits_init(struct mus_reply_limits *limits_r,
			   const struct mus_settings *set);

enum mus_reply_method {
	/* the message holds no iTIP object */
	MUS_REPLY_METHOD_NONE = 0,
	MUS_REPLY_METHOD_REPLY,
	MUS_REPLY_METHOD_COUNTER,
	MUS_REPLY_METHOD_REFRESH,
	/* REQUEST, CANCEL, PUBLISH, DECLINECOUNTER, ...: not for us */
	MUS_REPLY_METHOD_OTHER,
};

enum mus_reply_partstat {
	/* also when PARTSTAT is missing (RFC 5545's default) */
	MUS_REPLY_PARTSTAT_NEEDS_ACTION = 0,
	MUS_REPLY_PARTSTAT_ACCEPTED,
	MUS_REPLY_PARTSTAT_DECLINED,
	MUS_REPLY_PARTSTAT_TENTATIVE,
	MUS_REPLY_PARTSTAT_DELEGATED,
	/* any other value (COMPLETED, an x-name, a typo) */
	MUS_REPLY_PARTSTAT_OTHER,
};

struct mus_reply_attendee {
	/* lower-case local@domain, "mailto:" (in any case) stripped */
	const char *address;
	/* CN, or NULL */
	const char *name;
	enum mus_reply_partstat partstat;
	/* Google's X-RESPONSE-COMMENT parameter, else the VEVENT's COMMENT
	   when this is the only ATTENDEE; NULL if none */
	const char *comment;
};

struct mus_reply {
	/* From the message header (NULL when missing or unparsable). from is
	   lower-case local@domain, from_name the decoded display name. */
	const char *from, *from_name;
	/* decoded to UTF-8 */
	const char *subject;
	/* without the angle brackets */
	const char *message_id;

	/* The first text/plain and text/html body of the message itself (not
	   attachments, not inside a forwarded message or a bounce), decoded
	   to UTF-8 and cut at max_body_size; NULL if there is none. They are
	   what mus_reply_parse_cards() reads. */
	const char *body_text, *body_html;
	/* The message has a TNEF part (winmail.dat) and no iCalendar part:
	   Outlook sent its own format, which is not read. */
	bool tnef_only;

	/* The rest is set only when 1 is returned. method_name is the
	   METHOD as written (upper-case), e.g. "REQUEST" for OTHER. */
	enum mus_reply_method method;
	const char *method_name;
	const char *uid;
	/* -1 when the VEVENT has no SEQUENCE */
	int sequence;
	/* lower-case address; NULL when missing (Outlook leaves it out) */
	const char *organizer;
	/* the VEVENT's COMMENT, or NULL */
	const char *comment;
	/* REPLY and REFRESH: exactly one; COUNTER: zero or more; OTHER:
	   none (they are not read) */
	const struct mus_reply_attendee *attendees;
	unsigned int attendee_count;
	/* COUNTER only: the proposed time in UTC, else 0 */
	time_t counter_start, counter_end;
	/* REPLY only: the DTSTART of the event answered, in UTC; 0 when it
	   has none or it cannot be read (an answer needs no time) */
	time_t start;
};

/* Read a mail message from a blocking stream and find the iTIP object in
   it: the first text/calendar part at any depth (base64 and
   quoted-printable are decoded, the charset converted to UTF-8), or else
   the first application/ics part. Parts inside multipart/report (bounces
   quoting the invitation) are ignored; a forwarded message/rfc822 is
   read. The METHOD inside the object wins over the part's method=
   parameter, which is used only when the object has none. Of several
   VEVENTs, all must share one UID (RECURRENCE-ID is ignored); the first
   one without a RECURRENCE-ID is read. libical's X-LIC-ERRORs refuse the
   object, except for what it drops harmlessly: an empty value, an
   unknown parameter or property name. A TZID is resolved with the
   object's VTIMEZONE (unless its rules change more than once a year,
   which libical would expand for ages), an Olson name, or a Windows name.

   Returns 1 with an iTIP object in *reply_r; 0 if the message holds none
   (plain mail, TNEF only, a bounce, a calendar without METHOD), with
   *reply_r set all the same (method NONE; the headers, bodies and
   tnef_only are filled); -1 with an error naming the problem when the
   message or the object is over a limit or malformed (X-LIC-ERROR, no or
   several VCALENDARs, a VEVENT without UID, VEVENTs with different UIDs,
   a REPLY or REFRESH without exactly one ATTENDEE, an ATTENDEE that is no
   mail address, a COUNTER whose time is missing or in an unknown zone),
   or the stream failed. *reply_r is untouched on -1. Everything in
   *reply_r is allocated from pool, which must not be the data stack pool;
   *error_r is on the data stack. */
int mus_reply_parse(struct istream *input,
		    const struct mus_reply_limits *limits, pool_t pool,
		    struct mus_reply **reply_r, const char **error_r);

/* Card choices beyond this many codes are refused. */
#define MUS_REPLY_MAX_CARD_CODES 16

struct mus_card_choice {
	/* the conversation's short UID, as written in the subject */
	const char *uid_short;
	/* the codes of the last card line, lower-case, in order, each once,
	   NULL-terminated */
	const char *const *codes;
	unsigned int code_count;
	/* the language of the card line's keyword (kort: da, cards: en) */
	enum mus_language language;
};

/* Read a card choice from a mail's subject and body. The subject names
   the conversation as "Samtalekort <uid-short>" or "Cards <uid-short>"
   (after Re:/SV:/AW:/Fwd:/VS:... prefixes), or as "[<uid-short>]" in a
   reply to the invitation; case does not matter. The body has a line
   "kort: a, b, c" or "cards: a, b" (codes separated by commas, semicolons
   or spaces); the last such line counts. Quoted lines ('>') and
   everything after a quote header ("-----Original Message-----",
   "On ... wrote:", "Den ... skrev:", Outlook's "From:"/"Sent:" block) are
   skipped. body_text is read if it has any text, else body_html as
   Dovecot's HTML-to-text gives it; either may be NULL.

   Returns 1 with *choice_r filled from pool; 0 if the mail is no card
   choice (no card line, and no "Samtalekort"/"Cards" subject); -1 with an
   error for a card mail that cannot be used: "no card codes found", "no
   conversation reference in the subject", too many or too long codes, in
   the mail's language (Danish or English, by its card line or subject),
   which choice_r->language then says; the rest of *choice_r is untouched
   unless 1 is returned. It is allocated from pool,
   which must not be the data stack pool. The codes are not checked
   against the catalogue. */
int mus_reply_parse_cards(const char *subject, const char *body_text,
			  const char *body_html, pool_t pool,
			  struct mus_card_choice *choice_r,
			  const char **error_r);

/* The conversation reference "[<uid-short>]" in a subject (the last one,
   as in a reply to the invitation or to the plan form), from the data
   stack; NULL if there is none, or the subject chooses cards. */
const char *mus_reply_subject_reference(const char *subject);
/* subject without its reply and forward prefixes ("SV: Re: x" is "x"),
   for the subject of an answer that puts its own before it; NULL for
   NULL */
const char *mus_reply_subject_base(const char *subject);
/* What subject says after its reply and forward prefixes and leading
   "[tag]"s ("SV: [EKSTERN] Udført [x]" is "Udført [x]"); NULL for NULL */
const char *mus_reply_subject_words(const char *subject);

/* Names for logs and tests: "REPLY", "ACCEPTED", ... */
const char *mus_reply_method_name(enum mus_reply_method method);
const char *mus_reply_partstat_name(enum mus_reply_partstat partstat);

#endif
