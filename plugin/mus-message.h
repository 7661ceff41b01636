#ifndef MUS_MESSAGE_H
#define MUS_MESSAGE_H

/* Composing the mail messages we send: iMIP invitations (RFC 6047) and
   plain replies, as RFC 5322 / MIME text with CRLF line ends, no line over
   78 octets where a fold is possible and none over 998 anywhere. Dovecot's
   lib-mail does the encoding (base64, quoted-printable, RFC 2047); this file
   chooses the layout and refuses input that would break it. */

enum mus_message_method {
	MUS_MESSAGE_METHOD_REQUEST = 0,
	MUS_MESSAGE_METHOD_CANCEL,
	MUS_MESSAGE_METHOD_REPLY,
	MUS_MESSAGE_METHOD_COUNTER,
	MUS_MESSAGE_METHOD_DECLINECOUNTER,
};

struct mus_message_address {
	/* display name in UTF-8; NULL or "": the bare address */
	const char *name;
	/* addr-spec, ASCII: local@domain */
	const char *address;
};

struct mus_message_header {
	/* field name: letters, digits and '-' */
	const char *name;
	/* unstructured UTF-8 text; encoded per RFC 2047 where needed */
	const char *value;
};

struct mus_message_attachment {
	/* "type/subtype" with optional parameters but no name parameter, e.g.
	   "text/html; charset=UTF-8"; multipart/ and message/ are refused */
	const char *content_type;
	/* UTF-8, at most 255 octets; sent per RFC 2231 with an ASCII
	   fallback */
	const char *filename;
	const void *data;
	size_t size;
};
ARRAY_DEFINE_TYPE(mus_message_attachment, struct mus_message_attachment);

/* A message to build. Text fields are UTF-8 with explicit sizes; NUL
   bytes and invalid UTF-8 are refused. Header values (names, addresses,
   Subject, filenames, ...) must not contain CR, LF or other control
   characters (TAB is allowed in Subject and extra header values) and
   have at most 8192 octets. */
struct mus_message {
	/* the organizer: iMIP clients reply to From, so this is the
	   ORGANIZER address for invitations */
	struct mus_message_address from;
	const struct mus_message_address *to;
	unsigned int to_count;		/* at least 1 */
	const struct mus_message_address *reply_to;	/* NULL: none */
	const char *subject;		/* NULL: no Subject header */

	/* "<left@right>" as given, or NULL to make "<unique_token@domain>"
	   with the domain of from.address (unique_token: dot-atom text) */
	const char *message_id;
	const char *unique_token;
	/* formatted with the process's local time zone, numeric offset */
	time_t date;

	/* added after the standard headers; names we write ourselves
	   (From, To, Date, Content-Type, ...) are refused */
	const struct mus_message_header *headers;
	unsigned int header_count;

	/* text/plain is required, text/html optional (NULL: no part). Line
	   ends may be LF, CR or CRLF: they are sent as CRLF. */
	const char *text_plain;
	size_t text_plain_size;
	const char *text_html;
	size_t text_html_size;

	/* iCalendar (CRLF line ends) sent as text/calendar and invite.ics;
	   NULL: neither part. It must have a METHOD line equal to method. */
	const char *calendar;
	size_t calendar_size;
	enum mus_message_method method;

	const struct mus_message_attachment *attachments;
	unsigned int attachment_count;

	/* For tests: a fixed prefix ([A-Za-z0-9-], 1-40 characters) makes
	   the boundaries and so the whole message deterministic. NULL: random
	   boundaries. */
	const char *boundary_prefix;
};

/* No more than this many octets of body and attachment input in total. */
#define MUS_MESSAGE_MAX_INPUT_SIZE (20 * 1024 * 1024)
#define MUS_MESSAGE_MAX_ATTACHMENTS 100

/* "REQUEST", "CANCEL", ...; NULL for a value outside the enum. */
const char *mus_message_method_name(enum mus_message_method method);

/* Append the complete message to out:

   multipart/mixed
     multipart/alternative
       text/plain; charset=UTF-8
       text/html; charset=UTF-8            (if text_html)
       text/calendar; method=M; charset=UTF-8   (if calendar)
     application/ics; name="invite.ics"    (if calendar)
     one part per attachment

   Returns 0, or -1 with an error naming the header or part and the
   problem; out is then unchanged. Temporary memory and error_r come from
   the data stack. */
int mus_message_build(const struct mus_message *msg, string_t *out,
		      const char **error_r);

#endif
