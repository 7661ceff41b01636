/* Composing iMIP and plain messages with Dovecot's lib-mail encoders.
   Everything the caller gives is checked before the first byte is written,
   so a refused message leaves the output string as it was. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "base64.h"
#include "hex-binary.h"
#include "randgen.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "qp-encoder.h"
#include "rfc822-parser.h"
#include "rfc2231-parser.h"
#include "message-date.h"
#include "message-header-encode.h"
#include "mus-text.h"
#include "mus-message.h"

#include <ctype.h>

/* RFC 5322 2.1.1: lines SHOULD stay within 78 octets, MUST within 998 */
#define MUS_LINE_SOFT_MAX 78
#define MUS_LINE_HARD_MAX 998
/* RFC 2045: encoded lines of at most 76 characters */
#define MUS_BASE64_LINE 76
/* Dovecot's QP encoder lets a line grow to max_len + 2 when it soft-breaks
   after an encoded space ("=20="), so ask it for 74 to get 76. */
#define MUS_QP_MAX_LEN 74
#define MUS_FILENAME_MAX 255
/* the ASCII fallback filename="..." keeps a parameter line short */
#define MUS_FALLBACK_MAX 60
/* percent-encoded octets per RFC 2231 continuation line */
#define MUS_RFC2231_SEGMENT 60
#define MUS_ADDRESS_MAX 254
#define MUS_MESSAGE_ID_MAX 250
#define MUS_CONTENT_TYPE_MAX 200
#define MUS_BOUNDARY_PREFIX_MAX 40
#define MUS_HEADER_NAME_MAX 76
#define MUS_HEADER_VALUE_MAX 8192

static const char *const mus_message_method_names[] = {
	[MUS_MESSAGE_METHOD_REQUEST] = "REQUEST",
	[MUS_MESSAGE_METHOD_CANCEL] = "CANCEL",
	[MUS_MESSAGE_METHOD_REPLY] = "REPLY",
	[MUS_MESSAGE_METHOD_COUNTER] = "COUNTER",
	[MUS_MESSAGE_METHOD_DECLINECOUNTER] = "DECLINECOUNTER",
};

/* Headers we write ourselves; a second copy from the caller would make
   the message ambiguous. Content-* is refused by prefix. */
static const char *const mus_message_own_headers[] = {
	"From", "To", "Reply-To", "Subject", "Date", "Message-ID",
	"MIME-Version", "Bcc",
};

const char *mus_message_method_name(enum mus_message_method method)
{
	if ((unsigned int)method >= N_ELEMENTS(mus_message_method_names))
		return NULL;
	return mus_message_method_names[method];
}

/* Validation */

static const char *mus_quote(const char *value)
{
	return t_strdup_printf("'%s'", str_sanitize(value, 64));
}

/* Header text: UTF-8 without control characters. TAB is allowed where the
   header is free text. */
static int mus_check_header_text(const char *header, const char *what,
				 const char *value, bool allow_tab,
				 const char **error_r)
{
	unsigned char c;

	if (strlen(value) > MUS_HEADER_VALUE_MAX) {
		*error_r = t_strdup_printf("%s: %s is longer than %d octets",
					   header, what, MUS_HEADER_VALUE_MAX);
		return -1;
	}
	c = mus_text_control_char(value, allow_tab ? "\t" : "");
	if (c == '\r' || c == '\n') {
		*error_r = t_strdup_printf("%s: %s contains CR or LF",
					   header, what);
		return -1;
	}
	if (c != 0) {
		*error_r = t_strdup_printf("%s: %s contains a control character",
					   header, what);
		return -1;
	}
	if (!uni_utf8_str_is_valid(value)) {
		*error_r = t_strdup_printf("%s: %s is not valid UTF-8",
					   header, what);
		return -1;
	}
	return 0;
}

/* A deliberately small check: one '@' with something on both sides and
   nothing that could end the angle brackets or the header. */
static int mus_check_address(const char *header,
			     const struct mus_message_address *addr,
			     const char **error_r)
{
	const char *value = addr->address, *at;
	const char *what = addr->name == NULL || addr->name[0] == '\0' ?
		"address" : t_strdup_printf("address of %s",
					    mus_quote(addr->name));

	if (value == NULL || value[0] == '\0') {
		*error_r = t_strdup_printf("%s: %s is missing", header, what);
		return -1;
	}
	if (mus_check_header_text(header, what, value, FALSE, error_r) < 0)
		return -1;
	at = strchr(value, '@');
	if (strlen(value) > MUS_ADDRESS_MAX || at == NULL || at == value ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL) {
		*error_r = t_strdup_printf("%s: %s %s is not local@domain",
					   header, what, mus_quote(value));
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)value;
	     *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f ||
		    strchr("<>()[],;:\\\"", *p) != NULL) {
			*error_r = t_strdup_printf(
				"%s: %s %s contains '%c' or a space or non-ASCII",
				header, what, mus_quote(value),
				*p > ' ' && *p < 0x7f ? *p : '?');
			return -1;
		}
	}
	if (addr->name != NULL &&
	    mus_check_header_text(header, t_strdup_printf(
			"display name of <%s>", value),
			addr->name, FALSE, error_r) < 0)
		return -1;
	return 0;
}

static bool mus_is_dot_atom_text(const char *value)
{
	if (value[0] == '\0' || value[0] == '.' ||
	    value[strlen(value) - 1] == '.' || strstr(value, "..") != NULL)
		return FALSE;
	for (const unsigned char *p = (const unsigned char *)value;
	     *p != '\0'; p++) {
		if (*p >= 0x80 || (*p != '.' && !IS_ATEXT(*p)))
			return FALSE;
	}
	return TRUE;
}

static int mus_check_message_id(const char *value, const char **error_r)
{
	size_t len = strlen(value);
	const char *at;

	if (mus_check_header_text("Message-ID", "value", value, FALSE,
				  error_r) < 0)
		return -1;
	at = strchr(value, '@');
	if (len < 5 || len > MUS_MESSAGE_ID_MAX || value[0] != '<' ||
	    value[len - 1] != '>' || at == NULL || at == value + 1 ||
	    at == value + len - 2 || strchr(at + 1, '@') != NULL) {
		*error_r = t_strdup_printf(
			"Message-ID: %s is not <left@right>", mus_quote(value));
		return -1;
	}
	for (size_t i = 1; i < len - 1; i++) {
		unsigned char c = value[i];

		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>') {
			*error_r = t_strdup_printf(
				"Message-ID: %s contains a space, '<', '>' or non-ASCII",
				mus_quote(value));
			return -1;
		}
	}
	return 0;
}

static int mus_check_header_name(const char *name, const char **error_r)
{
	size_t len = name == NULL ? 0 : strlen(name);

	if (len == 0 || len > MUS_HEADER_NAME_MAX) {
		*error_r = t_strdup_printf("header name %s must have 1-%u characters",
					   mus_quote(name == NULL ? "" : name),
					   MUS_HEADER_NAME_MAX);
		return -1;
	}
	/* RFC 5322 allows more, but real field names use these, and a
	   name that cannot look like an encoded-word may be encoded
	   together with its value */
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)name[i] >= 0x80 ||
		    (!i_isalnum(name[i]) && name[i] != '-')) {
			*error_r = t_strdup_printf(
				"header name %s may only have letters, digits "
				"and '-'", mus_quote(name));
			return -1;
		}
	}
	for (unsigned int i = 0; i < N_ELEMENTS(mus_message_own_headers); i++) {
		if (strcasecmp(name, mus_message_own_headers[i]) == 0) {
			*error_r = t_strdup_printf(
				"%s: this header is written by the message builder",
				name);
			return -1;
		}
	}
	if (strncasecmp(name, "Content-", 8) == 0) {
		*error_r = t_strdup_printf(
			"%s: MIME headers are written by the message builder",
			name);
		return -1;
	}
	return 0;
}

static int mus_check_text(const char *what, const char *data, size_t size,
			  const char **error_r)
{
	if (data == NULL && size > 0) {
		*error_r = t_strdup_printf("%s: no data but size %zu", what, size);
		return -1;
	}
	if (size > MUS_MESSAGE_MAX_INPUT_SIZE) {
		*error_r = t_strdup_printf("%s: %zu bytes, more than %d",
					   what, size, MUS_MESSAGE_MAX_INPUT_SIZE);
		return -1;
	}
	if (size > 0 && memchr(data, '\0', size) != NULL) {
		*error_r = t_strdup_printf("%s contains a NUL byte", what);
		return -1;
	}
	if (!uni_utf8_data_is_valid((const unsigned char *)data, size)) {
		*error_r = t_strdup_printf("%s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* The value of the first METHOD line of the calendar, or NULL. A property
   line this short is never folded, so a line scan is enough here; parsing
   iCalendar is mus-itip's business. */
static const char *mus_calendar_method(const char *data, size_t size)
{
	const char *p = data, *end = data + size;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *line_end = eol == NULL ? end : eol;

		if (line_end > p && line_end[-1] == '\r')
			line_end--;
		if (line_end - p >= 7 && strncasecmp(p, "METHOD:", 7) == 0)
			return t_strdup_until(p + 7, line_end);
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return NULL;
}

static int mus_check_content_type(const char *what, const char *value,
				  const char **error_r)
{
	struct rfc822_parser_context parser;
	const char *const *params;
	string_t *type = t_str_new(64);
	int ret;

	if (value == NULL || value[0] == '\0') {
		*error_r = t_strdup_printf("%s: Content-Type is missing", what);
		return -1;
	}
	if (mus_check_header_text("Content-Type", what, value, FALSE,
				  error_r) < 0)
		return -1;
	if (strlen(value) > MUS_CONTENT_TYPE_MAX) {
		*error_r = t_strdup_printf("Content-Type: %s is longer than %d",
					   what, MUS_CONTENT_TYPE_MAX);
		return -1;
	}
	rfc822_parser_init(&parser, (const unsigned char *)value,
			   strlen(value), NULL);
	ret = rfc822_parse_content_type(&parser, type);
	if (ret >= 0)
		ret = rfc2231_parse(&parser, &params);
	rfc822_parser_deinit(&parser);
	if (ret < 0) {
		*error_r = t_strdup_printf("Content-Type: %s %s does not parse",
					   what, mus_quote(value));
		return -1;
	}
	if (strncasecmp(str_c(type), "multipart/", 10) == 0 ||
	    strncasecmp(str_c(type), "message/", 8) == 0) {
		*error_r = t_strdup_printf(
			"Content-Type: %s %s cannot be sent as base64",
			what, mus_quote(value));
		return -1;
	}
	for (; *params != NULL; params += 2) {
		if (strcasecmp(params[0], "name") == 0 ||
		    strcasecmp(params[0], "name*") == 0) {
			*error_r = t_strdup_printf(
				"Content-Type: %s has a name parameter; "
				"the filename sets it", what);
			return -1;
		}
	}
	return 0;
}

static int mus_check_filename(const char *what, const char *filename,
			      const char **error_r)
{
	if (filename == NULL || filename[0] == '\0') {
		*error_r = t_strdup_printf("Content-Disposition: %s has no filename",
					   what);
		return -1;
	}
	if (mus_check_header_text("Content-Disposition",
				  t_strdup_printf("%s filename", what),
				  filename, FALSE, error_r) < 0)
		return -1;
	if (strlen(filename) > MUS_FILENAME_MAX) {
		*error_r = t_strdup_printf(
			"Content-Disposition: %s filename is longer than %d octets",
			what, MUS_FILENAME_MAX);
		return -1;
	}
	return 0;
}

static int mus_check_boundary_prefix(const char *prefix, const char **error_r)
{
	size_t len = strlen(prefix);

	if (len == 0 || len > MUS_BOUNDARY_PREFIX_MAX) {
		*error_r = t_strdup_printf("boundary prefix must have 1-%d characters",
					   MUS_BOUNDARY_PREFIX_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)prefix[i] >= 0x80 ||
		    (!i_isalnum(prefix[i]) && prefix[i] != '-')) {
			*error_r = "boundary prefix may only have letters, digits and '-'";
			return -1;
		}
	}
	return 0;
}

static int mus_message_check(const struct mus_message *msg,
			     const char **error_r)
{
	size_t total;

	if (mus_check_address("From", &msg->from, error_r) < 0)
		return -1;
	if (msg->to_count == 0) {
		*error_r = "To: no recipients";
		return -1;
	}
	for (unsigned int i = 0; i < msg->to_count; i++) {
		if (mus_check_address("To", &msg->to[i], error_r) < 0)
			return -1;
	}
	if (msg->reply_to != NULL &&
	    mus_check_address("Reply-To", msg->reply_to, error_r) < 0)
		return -1;
	if (msg->subject != NULL &&
	    mus_check_header_text("Subject", "value", msg->subject, TRUE,
				  error_r) < 0)
		return -1;
	if (msg->message_id != NULL) {
		if (mus_check_message_id(msg->message_id, error_r) < 0)
			return -1;
	} else if (msg->unique_token == NULL) {
		*error_r = "Message-ID: neither an ID nor a unique token given";
		return -1;
	} else if (!mus_is_dot_atom_text(msg->unique_token) ||
		   strlen(msg->unique_token) > MUS_MESSAGE_ID_MAX / 2) {
		if (mus_check_header_text("Message-ID", "unique token",
					  msg->unique_token, FALSE,
					  error_r) < 0)
			return -1;
		*error_r = t_strdup_printf(
			"Message-ID: unique token %s is not dot-atom text "
			"of at most %d characters",
			mus_quote(msg->unique_token), MUS_MESSAGE_ID_MAX / 2);
		return -1;
	}
	for (unsigned int i = 0; i < msg->header_count; i++) {
		const struct mus_message_header *hdr = &msg->headers[i];

		if (mus_check_header_name(hdr->name, error_r) < 0)
			return -1;
		if (hdr->value == NULL) {
			*error_r = t_strdup_printf("%s: no value", hdr->name);
			return -1;
		}
		if (mus_check_header_text(hdr->name, "value", hdr->value, TRUE,
					  error_r) < 0)
			return -1;
	}

	if (msg->text_plain == NULL) {
		*error_r = "text/plain: no body";
		return -1;
	}
	if (mus_check_text("text/plain body", msg->text_plain,
			   msg->text_plain_size, error_r) < 0)
		return -1;
	total = msg->text_plain_size;
	if (msg->text_html != NULL) {
		if (mus_check_text("text/html body", msg->text_html,
				   msg->text_html_size, error_r) < 0)
			return -1;
		total += msg->text_html_size;
	}
	if (msg->calendar != NULL) {
		const char *name = mus_message_method_name(msg->method);
		const char *found;

		if (name == NULL) {
			*error_r = t_strdup_printf("text/calendar: unknown method %d",
						   (int)msg->method);
			return -1;
		}
		if (mus_check_text("text/calendar body", msg->calendar,
				   msg->calendar_size, error_r) < 0)
			return -1;
		found = mus_calendar_method(msg->calendar, msg->calendar_size);
		if (found == NULL || strcasecmp(found, name) != 0) {
			*error_r = t_strdup_printf(
				"text/calendar: METHOD %s does not match method=%s",
				found == NULL ? "missing" : mus_quote(found), name);
			return -1;
		}
		/* sent twice */
		total += 2 * msg->calendar_size;
	}

	if (msg->attachment_count > MUS_MESSAGE_MAX_ATTACHMENTS) {
		*error_r = t_strdup_printf("%u attachments, more than %d",
					   msg->attachment_count,
					   MUS_MESSAGE_MAX_ATTACHMENTS);
		return -1;
	}
	for (unsigned int i = 0; i < msg->attachment_count; i++) {
		const struct mus_message_attachment *att = &msg->attachments[i];
		const char *what = t_strdup_printf("attachment %u", i + 1);

		if (mus_check_filename(what, att->filename, error_r) < 0)
			return -1;
		what = t_strdup_printf("attachment %u (%s)", i + 1,
				       str_sanitize(att->filename, 64));
		if (mus_check_content_type(what, att->content_type, error_r) < 0)
			return -1;
		if (att->data == NULL && att->size > 0) {
			*error_r = t_strdup_printf("%s: no data but size %zu",
						   what, att->size);
			return -1;
		}
		if (att->size > MUS_MESSAGE_MAX_INPUT_SIZE - total) {
			*error_r = t_strdup_printf(
				"%s: message input over %d bytes",
				what, MUS_MESSAGE_MAX_INPUT_SIZE);
			return -1;
		}
		total += att->size;
	}
	if (total > MUS_MESSAGE_MAX_INPUT_SIZE) {
		*error_r = t_strdup_printf("message input over %d bytes",
					   MUS_MESSAGE_MAX_INPUT_SIZE);
		return -1;
	}
	if (msg->boundary_prefix != NULL &&
	    mus_check_boundary_prefix(msg->boundary_prefix, error_r) < 0)
		return -1;
	return 0;
}

/* Headers */

static size_t mus_max_line(const char *text, size_t first_col)
{
	size_t max = 0, col = first_col;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			max = I_MAX(max, col);
			col = 0;
		} else {
			col++;
		}
	}
	return I_MAX(max, col);
}

/* Append text that may hold bare LF folds (Dovecot's encoders fold with
   "\n\t") with CRLF instead. */
static void mus_append_crlf(string_t *out, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n')
			str_append_c(out, '\r');
		str_append_c(out, *p);
	}
}

/* Fold text starting at column col: a line break goes before whitespace
   that follows a word, and only if a word comes after it, so no line is
   whitespace alone. Existing LF folds are kept. */
static void mus_fold(string_t *out, size_t col, const char *text)
{
	const char *p = text;
	bool first = TRUE;

	while (*p != '\0') {
		const char *ws = p, *word;

		if (*p == '\n') {
			str_append(out, "\r\n");
			col = 0;
			first = TRUE;
			p++;
			continue;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		word = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		if (!first && ws != word && word != p &&
		    col + (p - ws) > MUS_LINE_SOFT_MAX) {
			str_append(out, "\r\n");
			col = 0;
		}
		str_append_data(out, ws, p - ws);
		col += p - ws;
		first = FALSE;
	}
}

/* When the first encoded-word would start late in the line, Dovecot's
   encoder puts a fold "\n\t" after the space that precedes it, and the
   TAB becomes part of the value. Fold before that space instead. */
static const char *mus_fold_before_space(const char *text)
{
	string_t *str = t_str_new(strlen(text) + 8);

	for (const char *p = text; *p != '\0'; p++) {
		if ((p[0] == ' ' || p[0] == '\t') && p[1] == '\n' &&
		    p[2] == '\t') {
			str_append_c(str, '\n');
			str_append_c(str, p[0]);
			p += 2;
		} else {
			str_append_c(str, *p);
		}
	}
	return str_c(str);
}

/* An unstructured header: RFC 2047 words where needed, folded at spaces.
   A word that still will not fit in 998 octets is encoded whole, as
   encoded-words can be split anywhere. */
static void mus_write_unstructured(string_t *out, const char *name,
				   const char *value)
{
	string_t *encoded = t_str_new(strlen(value) + 64);
	string_t *folded = t_str_new(strlen(value) + 64);
	size_t col = strlen(name) + 2;

	/* Dovecot's encoder counts columns from the start of its input, so
	   give it the whole line; the name has nothing to encode. */
	message_header_encode(t_strdup_printf("%s: %s", name, value), encoded);
	mus_fold(folded, 0, mus_fold_before_space(str_c(encoded)));
	if (mus_max_line(str_c(folded), 0) <= MUS_LINE_HARD_MAX) {
		str_append_str(out, folded);
	} else {
		str_truncate(encoded, 0);
		message_header_encode_q((const unsigned char *)value,
					strlen(value), encoded, col);
		str_printfa(out, "%s: ", name);
		mus_append_crlf(out, str_c(encoded));
	}
	str_append(out, "\r\n");
}

/* Characters RFC 2047 5(3) allows in a "Q" encoded-word inside a phrase,
   and which Dovecot's encoder leaves as they are. */
static bool mus_phrase_q_safe(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name;
	     *p != '\0'; p++) {
		if (*p < 0x80 && !i_isalnum(*p) && *p != ' ' &&
		    strchr("!*+-/", *p) == NULL)
			return FALSE;
	}
	return TRUE;
}

static bool mus_is_ascii(const char *value)
{
	for (const unsigned char *p = (const unsigned char *)value;
	     *p != '\0'; p++) {
		if (*p >= 0x80)
			return FALSE;
	}
	return TRUE;
}

/* A display name as an RFC 5322 phrase starting at column col: atoms,
   a quoted-string, or encoded-words (which may not be quoted). */
static void mus_write_phrase(string_t *out, size_t col, const char *name)
{
	string_t *phrase = t_str_new(strlen(name) * 2 + 16);

	if (mus_is_ascii(name)) {
		bool atoms = strstr(name, "=?") == NULL;

		for (const char *p = name; *p != '\0' && atoms; p++)
			atoms = *p == ' ' || IS_ATEXT(*p);
		if (atoms) {
			str_append(phrase, name);
		} else {
			str_append_c(phrase, '"');
			for (const char *p = name; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					str_append_c(phrase, '\\');
				str_append_c(phrase, *p);
			}
			str_append_c(phrase, '"');
		}
	} else if (mus_phrase_q_safe(name)) {
		message_header_encode(name, phrase);
	} else {
		message_header_encode_b((const unsigned char *)name,
					strlen(name), phrase, col);
	}
	if (strchr(str_c(phrase), '\n') != NULL ||
	    col + str_len(phrase) > MUS_LINE_SOFT_MAX) {
		/* base64 words fold anywhere and hold any character */
		str_truncate(phrase, 0);
		message_header_encode_b((const unsigned char *)name,
					strlen(name), phrase, col);
	}
	mus_append_crlf(out, str_c(phrase));
}

static bool mus_has_name(const struct mus_message_address *addr)
{
	if (addr->name == NULL)
		return FALSE;
	for (const char *p = addr->name; *p != '\0'; p++) {
		if (*p != ' ')
			return TRUE;
	}
	return FALSE;
}

/* Write one address starting at column col. */
static void mus_write_address(string_t *out, size_t col,
			      const struct mus_message_address *addr)
{
	size_t start = str_len(out), last_line;
	const char *p;

	if (!mus_has_name(addr)) {
		str_append(out, addr->address);
		return;
	}
	mus_write_phrase(out, col, addr->name);
	p = strrchr(str_c(out) + start, '\n');
	last_line = p == NULL ? col + str_len(out) - start :
		(size_t)(str_c(out) + str_len(out) - p - 1);
	/* " <address>," */
	if (last_line + strlen(addr->address) + 4 > MUS_LINE_SOFT_MAX)
		str_append(out, "\r\n");
	str_printfa(out, " <%s>", addr->address);
}

static void mus_write_address_header(string_t *out, const char *name,
				     const struct mus_message_address *addrs,
				     unsigned int count)
{
	str_printfa(out, "%s: ", name);
	for (unsigned int i = 0; i < count; i++) {
		if (i > 0)
			str_append(out, ",\r\n ");
		mus_write_address(out, i == 0 ? strlen(name) + 2 : 1, &addrs[i]);
	}
	str_append(out, "\r\n");
}

/* Filenames */

/* Danish letters the way Danes write them without the letters, and the
   dashes typography puts into titles; any other non-ASCII character
   becomes '_'. */
static const struct {
	const char *utf8, *ascii;
} mus_fallback_letters[] = {
	{ "\xc3\xa6", "ae" }, { "\xc3\xb8", "oe" }, { "\xc3\xa5", "aa" },
	{ "\xc3\x86", "Ae" }, { "\xc3\x98", "Oe" }, { "\xc3\x85", "Aa" },
	{ "\xc3\xa4", "ae" }, { "\xc3\xb6", "oe" }, { "\xc3\xbc", "ue" },
	{ "\xc3\x84", "Ae" }, { "\xc3\x96", "Oe" }, { "\xc3\x9c", "Ue" },
	{ "\xc3\xa9", "e" }, { "\xc3\x89", "E" },
	{ "\xe2\x80\x93", "-" }, { "\xe2\x80\x94", "-" },
};

static const char *mus_filename_fallback(const char *filename)
{
	string_t *str = t_str_new(strlen(filename) + 8);
	const unsigned char *p = (const unsigned char *)filename;
	const char *ext;
	size_t len;

	while (*p != '\0') {
		unsigned int i, n;

		if (*p < 0x80) {
			str_append_c(str, *p == '"' || *p == '\\' ? '_' : *p);
			p++;
			continue;
		}
		for (i = 0; i < N_ELEMENTS(mus_fallback_letters); i++) {
			if (strncmp((const char *)p, mus_fallback_letters[i].utf8,
				    strlen(mus_fallback_letters[i].utf8)) == 0)
				break;
		}
		if (i < N_ELEMENTS(mus_fallback_letters)) {
			str_append(str, mus_fallback_letters[i].ascii);
			p += strlen(mus_fallback_letters[i].utf8);
			continue;
		}
		str_append_c(str, '_');
		n = uni_utf8_char_bytes(*p);
		for (i = 0; i < n && *p != '\0'; i++)
			p++;
	}
	len = str_len(str);
	if (len <= MUS_FALLBACK_MAX)
		return str_c(str);
	/* keep the extension: it is what opens the file */
	ext = strrchr(str_c(str), '.');
	if (ext != NULL && strlen(ext) <= 10) {
		size_t ext_len = strlen(ext);

		return t_strconcat(t_strndup(str_c(str),
					     MUS_FALLBACK_MAX - ext_len),
				   ext, NULL);
	}
	return t_strndup(str_c(str), MUS_FALLBACK_MAX);
}

/* RFC 2231 attribute-char: a token character that is not '*', '\'' or
   '%'. */
static bool mus_rfc2231_plain(unsigned char c)
{
	return c < 0x80 && (i_isalnum(c) || strchr("!#$&+-.^_`|~", c) != NULL);
}

/* ";\r\n param*=UTF-8''..." or, when long, numbered continuations of at
   most MUS_RFC2231_SEGMENT octets that split neither a %XX nor a UTF-8
   character. */
static void mus_write_rfc2231(string_t *out, const char *param,
			      const char *value)
{
	ARRAY_TYPE(const_string) segments;
	string_t *seg = t_str_new(MUS_RFC2231_SEGMENT + 16);
	const unsigned char *p = (const unsigned char *)value;
	const char *const *segs;
	unsigned int count;

	t_array_init(&segments, 8);
	str_append(seg, "UTF-8''");
	while (*p != '\0') {
		unsigned int n = *p < 0x80 ? 1 : uni_utf8_char_bytes(*p);
		size_t need = 0;

		for (unsigned int i = 0; i < n; i++)
			need += mus_rfc2231_plain(p[i]) ? 1 : 3;
		if (str_len(seg) + need > MUS_RFC2231_SEGMENT) {
			const char *s = t_strdup(str_c(seg));

			array_push_back(&segments, &s);
			str_truncate(seg, 0);
		}
		for (unsigned int i = 0; i < n; i++, p++) {
			if (mus_rfc2231_plain(*p))
				str_append_c(seg, *p);
			else
				str_printfa(seg, "%%%02X", *p);
		}
	}
	if (str_len(seg) > 0) {
		const char *s = t_strdup(str_c(seg));

		array_push_back(&segments, &s);
	}
	segs = array_get(&segments, &count);
	if (count == 1) {
		str_printfa(out, ";\r\n %s*=%s", param, segs[0]);
		return;
	}
	for (unsigned int i = 0; i < count; i++)
		str_printfa(out, ";\r\n %s*%u*=%s", param, i, segs[i]);
}

/* The filename parameters: RFC 2231 first, because parsers that take the
   first of two (Python's email among them) should get the real name;
   then the ASCII fallback for clients that know only filename=. A short
   plain ASCII name needs only the latter. */
static void mus_write_filename(string_t *out, const char *param,
			       const char *filename)
{
	const char *fallback = mus_filename_fallback(filename);

	if (strcmp(fallback, filename) != 0)
		mus_write_rfc2231(out, param, filename);
	str_printfa(out, ";\r\n %s=\"%s\"", param, fallback);
}

/* Bodies */

/* Text in canonical form: every line end CRLF. Copied a line at a time:
   this runs over every text part of every message of a round. */
static const char *mus_text_canonical(const char *data, size_t size,
				      size_t *size_r)
{
	string_t *str = t_str_new(size + size / 16 + 2);
	size_t i = 0, end;

	while (i < size) {
		for (end = i; end < size && data[end] != '\r' &&
			      data[end] != '\n'; end++) ;
		str_append_data(str, data + i, end - i);
		if (end == size)
			break;
		str_append(str, "\r\n");
		i = end + 1;
		if (data[end] == '\r' && i < size && data[i] == '\n')
			i++;
	}
	*size_r = str_len(str);
	return str_c(str);
}

/* Dovecot's QP encoder leaves a space or TAB before a hard line break as
   it is, where RFC 2045 rule 3 wants it encoded (transports strip it),
   and at the very end it adds a soft break "=" after it, which Dovecot's
   own decoder then refuses because the CRLF after it belongs to the
   boundary. Encode the whitespace in both places; with MUS_QP_MAX_LEN the
   line still ends within 76. */
static void mus_qp_encode(const char *data, size_t size, string_t *out)
{
	string_t *qp = t_str_new(size + size / 8 + 16);
	struct qp_encoder *enc = qp_encoder_init(qp, MUS_QP_MAX_LEN, 0);
	const char *p;
	size_t len;

	qp_encoder_more(enc, data, size);
	qp_encoder_finish(enc);
	qp_encoder_deinit(&enc);

	p = str_c(qp);
	len = str_len(qp);
	for (size_t i = 0, end; i < len; i = end + 1) {
		/* the text up to the next whitespace as it is */
		for (end = i; end < len && p[end] != ' ' && p[end] != '\t'; end++) ;
		str_append_data(out, p + i, end - i);
		if (end == len)
			break;
		if (end + 1 < len && p[end + 1] == '\r') {
			str_printfa(out, "=%02X", (unsigned char)p[end]);
		} else if (end + 2 == len && p[end + 1] == '=') {
			str_printfa(out, "=%02X", (unsigned char)p[end]);
			end++;
		} else {
			str_append_c(out, p[end]);
		}
	}
}

static void mus_write_text_part(string_t *out, const char *boundary,
				const char *type, const char *data,
				size_t size)
{
	string_t *qp;
	size_t canon_size, base64_size;
	const char *canon = mus_text_canonical(data, size, &canon_size);

	qp = t_str_new(canon_size + canon_size / 8 + 16);
	mus_qp_encode(canon, canon_size, qp);
	base64_size = MAX_BASE64_ENCODED_SIZE(canon_size);
	base64_size += base64_size / MUS_BASE64_LINE * 2;

	str_printfa(out, "--%s\r\nContent-Type: %s; charset=UTF-8\r\n",
		    boundary, type);
	if (str_len(qp) <= base64_size) {
		str_append(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		str_append_str(out, qp);
	} else {
		/* mostly non-Latin text: base64 is the shorter */
		str_append(out, "Content-Transfer-Encoding: base64\r\n\r\n");
		base64_scheme_encode(&base64_scheme, BASE64_ENCODE_FLAG_CRLF,
				     MUS_BASE64_LINE, canon, canon_size, out);
	}
	/* the CRLF before a delimiter belongs to the delimiter */
	str_append(out, "\r\n");
}

/* data in base64 lines, without the CRLF after the last */
static const string_t *mus_base64(const void *data, size_t size)
{
	string_t *str = t_str_new(MAX_BASE64_ENCODED_SIZE(size) +
				  size / MUS_BASE64_LINE * 2 + 4);

	if (size > 0) {
		base64_scheme_encode(&base64_scheme, BASE64_ENCODE_FLAG_CRLF,
				     MUS_BASE64_LINE, data, size, str);
	}
	return str;
}

static void mus_write_base64_body(string_t *out, const string_t *base64)
{
	str_append(out, "Content-Transfer-Encoding: base64\r\n\r\n");
	str_append_str(out, base64);
	str_append(out, "\r\n");
}

static void mus_write_attachment(string_t *out, const char *boundary,
				 const char *content_type, const char *filename,
				 const string_t *base64)
{
	str_printfa(out, "--%s\r\nContent-Type: %s", boundary, content_type);
	mus_write_filename(out, "name", filename);
	str_append(out, "\r\nContent-Disposition: attachment");
	mus_write_filename(out, "filename", filename);
	str_append(out, "\r\n");
	mus_write_base64_body(out, base64);
}

/* Boundaries contain "=_", which neither quoted-printable (it writes '='
   as =3D) nor base64 can produce, and every body is one of the two: no
   boundary can occur in the content. The random part keeps them unique
   anyway. The two differ before their ends, so neither is a prefix of the
   other. */
static void mus_boundaries(const struct mus_message *msg,
			   const char **mixed_r, const char **alt_r)
{
	const char *prefix = msg->boundary_prefix;

	if (prefix == NULL) {
		unsigned char rand[12];

		random_fill(rand, sizeof(rand));
		prefix = t_strconcat("mus-", binary_to_hex(rand, sizeof(rand)),
				     NULL);
	}
	*mixed_r = t_strconcat("=_", prefix, ".mixed", NULL);
	*alt_r = t_strconcat("=_", prefix, ".alt", NULL);
}

static const char *mus_message_id(const struct mus_message *msg)
{
	if (msg->message_id != NULL)
		return msg->message_id;
	return t_strdup_printf("<%s@%s>", msg->unique_token,
			       strchr(msg->from.address, '@') + 1);
}

int mus_message_build(const struct mus_message *msg, string_t *out,
		      const char **error_r)
{
	const string_t *calendar;
	const char *mixed, *alt;

	if (mus_message_check(msg, error_r) < 0)
		return -1;
	mus_boundaries(msg, &mixed, &alt);

	mus_write_address_header(out, "From", &msg->from, 1);
	mus_write_address_header(out, "To", msg->to, msg->to_count);
	if (msg->reply_to != NULL)
		mus_write_address_header(out, "Reply-To", msg->reply_to, 1);
	if (msg->subject != NULL)
		mus_write_unstructured(out, "Subject", msg->subject);
	str_printfa(out, "Date: %s\r\n", message_date_create(msg->date));
	str_printfa(out, "Message-ID: %s\r\n", mus_message_id(msg));
	for (unsigned int i = 0; i < msg->header_count; i++) {
		mus_write_unstructured(out, msg->headers[i].name,
				       msg->headers[i].value);
	}
	str_printfa(out, "MIME-Version: 1.0\r\n"
		    "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n",
		    mixed);

	str_printfa(out, "--%s\r\nContent-Type: multipart/alternative;\r\n"
		    " boundary=\"%s\"\r\n\r\n", mixed, alt);
	mus_write_text_part(out, alt, "text/plain", msg->text_plain,
			    msg->text_plain_size);
	if (msg->text_html != NULL) {
		mus_write_text_part(out, alt, "text/html", msg->text_html,
				    msg->text_html_size);
	}
	/* the same calendar goes inline and as invite.ics */
	calendar = msg->calendar == NULL ? NULL :
		mus_base64(msg->calendar, msg->calendar_size);
	if (calendar != NULL) {
		str_printfa(out, "--%s\r\nContent-Type: text/calendar; "
			    "method=%s; charset=UTF-8\r\n", alt,
			    mus_message_method_name(msg->method));
		mus_write_base64_body(out, calendar);
	}
	str_printfa(out, "--%s--\r\n", alt);

	if (calendar != NULL) {
		mus_write_attachment(out, mixed, "application/ics",
				     "invite.ics", calendar);
	}
	for (unsigned int i = 0; i < msg->attachment_count; i++) {
		const struct mus_message_attachment *att = &msg->attachments[i];

		mus_write_attachment(out, mixed, att->content_type,
				     att->filename,
				     mus_base64(att->data, att->size));
	}
	str_printfa(out, "--%s--\r\n", mixed);
	return 0;
}
