#ifndef MUS_MIME_H
#define MUS_MIME_H

/* Finding iCalendar content in MIME messages. */

struct istream;

enum mus_mime_class {
	MUS_MIME_NOT_CALENDAR = 0,
	/* multipart: only the parts can tell */
	MUS_MIME_MULTIPART,
	MUS_MIME_CALENDAR,
};

/* Classify a message by its top-level Content-Type header value (NULL if
   the message has none, which means text/plain). */
enum mus_mime_class mus_mime_classify_content_type(const char *value);

/* Returns TRUE if the Content-Type value names iCalendar data:
   text/calendar, or application/ics as some clients send it. */
bool mus_mime_is_calendar_type(const char *value);

/* Read a whole message and look for an iCalendar part at any depth,
   ignoring parts inside multipart/report (bounces quote the message they
   bounce). Returns 1 if one is found, 0 if none, -1 if the stream failed
   (error_r says why). */
int mus_mime_find_calendar(struct istream *input, const char **error_r);

#endif
