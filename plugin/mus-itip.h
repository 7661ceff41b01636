#ifndef MUS_ITIP_H
#define MUS_ITIP_H

/* iTIP messages (RFC 5546) for one conversation: the iCalendar text of a
   REQUEST or a CANCEL, built with libical from an admin-editable skeleton.
   This file owns libical's components; callers see only text.

   The skeletons are <templates_dir>/request.ics and cancel.ics: a
   VCALENDAR with PRODID and VERSION:2.0 and exactly one VEVENT that holds
   the fixed properties (CLASS, TRANSP, STATUS, X- properties for Outlook,
   a VALARM if wanted). The code sets METHOD, UID, SEQUENCE, DTSTAMP,
   DTSTART, DTEND, SUMMARY, DESCRIPTION, LOCATION, ORGANIZER and ATTENDEE,
   replacing any of them the skeleton has, and adds the VTIMEZONE. A
   skeleton is refused if libical cannot parse it, if it has a VTIMEZONE
   or another component beside the VEVENT, a recurrence (RRULE, RDATE,
   EXDATE, RECURRENCE-ID) or DURATION, or a STATUS that contradicts the
   method (a CANCEL needs STATUS:CANCELLED, a REQUEST must not have it). */

/* Limits on the input; longer values are refused. */
#define MUS_ITIP_NAME_MAX_LEN 256
#define MUS_ITIP_MAIL_MAX_LEN 254
#define MUS_ITIP_UID_MAX_LEN 255
#define MUS_ITIP_SUMMARY_MAX_LEN 1024
#define MUS_ITIP_DESCRIPTION_MAX_LEN (64 * 1024)
#define MUS_ITIP_MAX_MEMBERS 100
/* A larger skeleton file is refused unread. */
#define MUS_ITIP_TEMPLATE_MAX_SIZE (64 * 1024)

enum mus_itip_method {
	MUS_ITIP_REQUEST = 0,
	MUS_ITIP_CANCEL,
	/* the answer to an attendee's COUNTER that is refused: the event as
	   it stays, built from the REQUEST skeleton, with a COMMENT why */
	MUS_ITIP_DECLINECOUNTER,
};

/* The answer an attendee has given already, kept in an update of a
   REQUEST whose time stands (calendars then do not ask again) */
enum mus_itip_partstat {
	MUS_ITIP_NEEDS_ACTION = 0,
	MUS_ITIP_ACCEPTED,
	MUS_ITIP_TENTATIVE,
};

struct mus_itip_person {
	const char *name;
	const char *mail;	/* the address without "mailto:" */
	/* REQUEST only; an attendee who answered gets RSVP=FALSE */
	enum mus_itip_partstat partstat;
};

struct mus_itip_event {
	enum mus_itip_method method;
	/* stable per conversation; a CANCEL repeats the invitation's UID
	   with a higher sequence */
	const char *uid;
	unsigned int sequence;
	/* the time of this send (fresh each time: Google ignores a message
	   whose DTSTAMP did not change) */
	time_t dtstamp;
	time_t start, end;
	/* Olson name, e.g. "Europe/Copenhagen"; "UTC" writes UTC times and
	   no VTIMEZONE */
	const char *timezone;
	/* plain text; description may hold newlines, location may be NULL */
	const char *summary, *description, *location;
	/* the service address; its CN names the leader, e.g.
	   "MUS på vegne af Karen Birk" */
	const char *organizer_mail, *organizer_name;
	/* ROLE=CHAIR; in a CANCEL mail may be NULL (a leader who has left
	   the directory): then there is no ATTENDEE for them */
	struct mus_itip_person leader;
	/* the employee, or the group or team: ROLE=REQ-PARTICIPANT */
	const struct mus_itip_person *members;
	unsigned int member_count;
	/* "da", "en": the LANGUAGE parameter of SUMMARY and DESCRIPTION;
	   NULL for none */
	const char *language;
	/* plain text for a COMMENT property, or NULL */
	const char *comment;
	/* a new time cannot be proposed (a plan's follow-up meeting): tells
	   Outlook not to offer it (X-MICROSOFT-DISALLOW-COUNTER:TRUE) */
	bool no_counter;
};

/* Build the iCalendar text of event from the skeleton of its method.
   Returns 0 and the text in ics_r (data stack; lines end in CRLF and are
   folded at 75 octets), or -1 with an error that names the field at fault
   or the skeleton file and libical's reason; ics_r is untouched on
   failure. Every attendee has a PARTSTAT (NEEDS-ACTION unless the person's
   partstat says otherwise in a REQUEST), CUTYPE=INDIVIDUAL and a CN; in a
   REQUEST also RSVP, TRUE while the answer is awaited (nobody answers a
   CANCEL). */
int mus_itip_build(const char *templates_dir,
		   const struct mus_itip_event *event,
		   const char **ics_r, const char **error_r);

#endif
