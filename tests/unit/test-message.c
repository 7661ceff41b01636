/* Unit tests of message composition. Every message built here is read
   back with Dovecot's own lib-mail parsers (message-parser, rfc2231,
   RFC 2047 and date decoders, base64 and QP decoders), so the tests check
   what a receiving client sees, not the bytes we meant to write. Golden
   files in tests/data/messages pin the exact bytes; MUS_UPDATE_GOLDEN=1
   rewrites them. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "base64.h"
#include "istream.h"
#include "qp-decoder.h"
#include "rfc822-parser.h"
#include "rfc2231-parser.h"
#include "message-parser.h"
#include "message-address.h"
#include "message-date.h"
#include "message-header-decode.h"
#include "str-sanitize.h"
#include "mus-message.h"
#include "mus-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* the tests run from the top of the source tree */
#define GOLDEN_DIR "tests/data/messages"

#define CAL_VTIMEZONE \
	"BEGIN:VTIMEZONE\r\n" \
	"TZID:Europe/Copenhagen\r\n" \
	"BEGIN:DAYLIGHT\r\n" \
	"TZOFFSETFROM:+0100\r\n" \
	"TZOFFSETTO:+0200\r\n" \
	"TZNAME:CEST\r\n" \
	"DTSTART:19700329T020000\r\n" \
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" \
	"END:DAYLIGHT\r\n" \
	"BEGIN:STANDARD\r\n" \
	"TZOFFSETFROM:+0200\r\n" \
	"TZOFFSETTO:+0100\r\n" \
	"TZNAME:CET\r\n" \
	"DTSTART:19701025T030000\r\n" \
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n" \
	"END:STANDARD\r\n" \
	"END:VTIMEZONE\r\n"

#define CAL(method, status, sequence) \
	"BEGIN:VCALENDAR\r\n" \
	"PRODID:-//MUS for Dovecot//unit test//DA\r\n" \
	"VERSION:2.0\r\n" \
	"CALSCALE:GREGORIAN\r\n" \
	"METHOD:" method "\r\n" \
	CAL_VTIMEZONE \
	"BEGIN:VEVENT\r\n" \
	"UID:mus-2024-0042@eksempel.test\r\n" \
	"DTSTAMP:20240301T090000Z\r\n" \
	"DTSTART;TZID=Europe/Copenhagen:20240312T100000\r\n" \
	"DTEND;TZID=Europe/Copenhagen:20240312T110000\r\n" \
	"SEQUENCE:" sequence "\r\n" \
	"STATUS:" status "\r\n" \
	"SUMMARY:MUS-samtale: Søren Ærø og Birgitte Åberg\r\n" \
	"LOCATION:Mødelokale Æblehaven\r\n" \
	"ORGANIZER;CN=MUS-kalender:mailto:mus@eksempel.test\r\n" \
	"ATTENDEE;CN=Søren Ærø;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;\r\n" \
	" RSVP=TRUE:mailto:soeren@eksempel.test\r\n" \
	"ATTENDEE;CN=Birgitte Åberg;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:birgitte@\r\n" \
	" eksempel.test\r\n" \
	"END:VEVENT\r\n" \
	"END:VCALENDAR\r\n"

static const char test_calendar_request[] =
	CAL("REQUEST", "CONFIRMED", "0");
static const char test_calendar_cancel[] =
	CAL("CANCEL", "CANCELLED", "1");

static const char test_text[] =
	"Kære Søren\r\n\r\n"
	"Du er inviteret til din MUS-samtale med Birgitte Åberg tirsdag den "
	"12. marts 2024 kl. 10.00-11.00 i mødelokale Æblehaven.\r\n\r\n"
	"Samtalekortene er vedhæftet. Svar på invitationen i din kalender.\r\n"
	"\r\nVenlig hilsen\r\nMUS-kalenderen\r\n";
static const char test_html[] =
	"<!DOCTYPE html>\r\n<html lang=\"da\"><head><meta charset=\"UTF-8\">"
	"<title>MUS-samtale</title></head>\r\n<body>\r\n"
	"<p>Kære Søren</p>\r\n"
	"<p>Du er inviteret til din MUS-samtale med Birgitte Åberg "
	"<b>tirsdag den 12. marts 2024 kl. 10.00-11.00</b> i mødelokale "
	"Æblehaven.</p>\r\n<p>Samtalekortene er vedhæftet.</p>\r\n"
	"</body></html>\r\n";
static const char test_card_html[] =
	"<!DOCTYPE html>\r\n<html lang=\"da\"><body><h1>Trivsel og "
	"arbejdsglæde</h1>\r\n<p>Hvad giver dig energi i dit arbejde?</p>\r\n"
	"</body></html>\r\n";
static const char test_card_text[] =
	"Forberedelse til MUS\r\n\r\n1. Hvad er gået godt siden sidst?\r\n"
	"2. Hvad vil du gerne lære?\r\n";

static const struct mus_message_address test_to[] = {
	{ "Søren Ærø", "soeren@eksempel.test" },
	{ "Birgitte Åberg", "birgitte@eksempel.test" },
};
static const struct mus_message_address test_reply_to = {
	"MUS-kalender", "mus@eksempel.test"
};
static const struct mus_message_header test_headers[] = {
	{ "Auto-Submitted", "auto-generated" },
	{ "X-MUS-Conversation", "mus-2024-0042" },
};
static const struct mus_message_attachment test_card_files[] = {
	{ "text/html; charset=UTF-8",
	  "Samtalekort – Trivsel og arbejdsglæde.html",
	  test_card_html, sizeof(test_card_html) - 1 },
	{ "text/plain; charset=UTF-8", "Forberedelse til MUS.txt",
	  test_card_text, sizeof(test_card_text) - 1 },
};

/* 2024-03-12 09:00:00 UTC */
#define TEST_DATE 1710234000

/* A complete invitation; tests change what they look at. */
static struct mus_message test_message_base(void)
{
	struct mus_message msg = {
		.from = { "MUS-kalender", "mus@eksempel.test" },
		.to = test_to,
		.to_count = N_ELEMENTS(test_to),
		.subject = "Invitation: MUS-samtale tirsdag 12. marts 2024 kl. 10.00 (Søren Ærø)",
		.unique_token = "mus-2024-0042.1",
		.date = TEST_DATE,
		.headers = test_headers,
		.header_count = N_ELEMENTS(test_headers),
		.text_plain = test_text,
		.text_plain_size = sizeof(test_text) - 1,
		.text_html = test_html,
		.text_html_size = sizeof(test_html) - 1,
		.calendar = test_calendar_request,
		.calendar_size = sizeof(test_calendar_request) - 1,
		.method = MUS_MESSAGE_METHOD_REQUEST,
		.attachments = test_card_files,
		.attachment_count = N_ELEMENTS(test_card_files),
		.boundary_prefix = "test",
	};
	return msg;
}

/* Reading a message back */

struct test_header {
	const char *name, *value;
};

struct test_part {
	const struct message_part *part;
	ARRAY(struct test_header) headers;
	buffer_t *body;
};

struct test_parsed {
	pool_t pool;
	struct message_part *root;
	ARRAY(struct test_part) parts;
};

static struct test_part *
test_parsed_part(struct test_parsed *parsed, const struct message_part *part)
{
	struct test_part *tp;

	array_foreach_modifiable(&parsed->parts, tp) {
		if (tp->part == part)
			return tp;
	}
	tp = array_append_space(&parsed->parts);
	tp->part = part;
	p_array_init(&tp->headers, parsed->pool, 8);
	tp->body = buffer_create_dynamic(parsed->pool, 256);
	return tp;
}

/* Parse with message-parser; header values are unfolded (CRLF removed, as
   RFC 5322 unfolding does) without the space after the colon. */
static void test_parse(const string_t *message, struct test_parsed *parsed_r)
{
	const struct message_parser_settings set = {
		.hdr_flags = MESSAGE_HEADER_PARSER_FLAG_DROP_CR,
	};
	struct message_parser_ctx *parser;
	struct message_block block;
	struct istream *input;

	i_zero(parsed_r);
	parsed_r->pool = pool_alloconly_create("test message", 1024 * 1024);
	p_array_init(&parsed_r->parts, parsed_r->pool, 16);
	input = i_stream_create_from_data(str_data(message), str_len(message));
	parser = message_parser_init(parsed_r->pool, input, &set);
	while (message_parser_parse_next_block(parser, &block) > 0) {
		struct test_part *tp = test_parsed_part(parsed_r, block.part);

		if (block.hdr != NULL) {
			struct test_header *hdr;
			string_t *value;

			if (block.hdr->eoh)
				continue;
			if (block.hdr->continues) {
				block.hdr->use_full_value = TRUE;
				continue;
			}
			value = t_str_new(block.hdr->full_value_len);
			for (size_t i = 0; i < block.hdr->full_value_len; i++) {
				if (block.hdr->full_value[i] != '\n')
					str_append_c(value, block.hdr->full_value[i]);
			}
			hdr = array_append_space(&tp->headers);
			hdr->name = p_strdup(parsed_r->pool, block.hdr->name);
			hdr->value = p_strdup(parsed_r->pool, str_c(value) +
					      (str_c(value)[0] == ' ' ? 1 : 0));
		} else if (block.size > 0) {
			buffer_append(tp->body, block.data, block.size);
		}
	}
	test_assert(input->stream_errno == 0);
	message_parser_deinit(&parser, &parsed_r->root);
	i_stream_unref(&input);
}

static const struct test_part *
test_find(const struct test_parsed *parsed, const struct message_part *part)
{
	const struct test_part *tp;

	array_foreach(&parsed->parts, tp) {
		if (tp->part == part)
			return tp;
	}
	return NULL;
}

static const char *test_header(const struct test_part *tp, const char *name)
{
	const struct test_header *hdr;

	if (tp == NULL)
		return NULL;
	array_foreach(&tp->headers, hdr) {
		if (strcasecmp(hdr->name, name) == 0)
			return hdr->value;
	}
	return NULL;
}

static unsigned int test_header_count(const struct test_part *tp,
				      const char *name)
{
	const struct test_header *hdr;
	unsigned int count = 0;

	array_foreach(&tp->headers, hdr) {
		if (strcasecmp(hdr->name, name) == 0)
			count++;
	}
	return count;
}

/* "type/subtype" in lower case and the parameters, RFC 2231
   continuations merged by Dovecot's rfc2231_parse(). */
static const char *test_content_type(const char *value,
				     const char *const **params_r)
{
	struct rfc822_parser_context parser;
	string_t *type = t_str_new(64);
	static const char *const no_params[] = { NULL };

	*params_r = no_params;
	if (value == NULL)
		return "";
	rfc822_parser_init(&parser, (const unsigned char *)value,
			   strlen(value), NULL);
	if (rfc822_parse_content_type(&parser, type) < 0)
		str_truncate(type, 0);
	else if (rfc2231_parse(&parser, params_r) < 0)
		str_append(type, " (broken parameters)");
	rfc822_parser_deinit(&parser);
	return t_str_lcase(str_c(type));
}

/* Content-Disposition: the disposition, parameters as above */
static const char *test_disposition(const char *value,
				    const char *const **params_r)
{
	struct rfc822_parser_context parser;
	string_t *token = t_str_new(32);
	static const char *const no_params[] = { NULL };

	*params_r = no_params;
	if (value == NULL)
		return "";
	rfc822_parser_init(&parser, (const unsigned char *)value,
			   strlen(value), NULL);
	if (rfc822_parse_mime_token(&parser, token) < 0 ||
	    rfc2231_parse(&parser, params_r) < 0)
		str_append(token, " (broken)");
	rfc822_parser_deinit(&parser);
	return t_str_lcase(str_c(token));
}

static const char *test_param(const char *const *params, const char *key)
{
	for (; *params != NULL; params += 2) {
		if (strcasecmp(params[0], key) == 0)
			return params[1];
	}
	return NULL;
}

static int test_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A parameter as the user should see it: key* (RFC 2231, charset
   UTF-8, %XX in upper case as the grammar says) before key. */
static const char *test_param_decoded(const char *const *params,
				      const char *key)
{
	const char *value = test_param(params, t_strconcat(key, "*", NULL));
	string_t *str;

	if (value == NULL)
		return test_param(params, key);
	if (strncasecmp(value, "UTF-8'", 6) != 0 ||
	    strchr(value + 6, '\'') == NULL)
		return "(bad RFC 2231 charset or language)";
	value = strchr(value + 6, '\'') + 1;
	str = t_str_new(strlen(value));
	for (; *value != '\0'; value++) {
		if (*value != '%') {
			str_append_c(str, *value);
			continue;
		}
		if (test_hex(value[1]) < 0 || test_hex(value[2]) < 0)
			return "(bad %XX)";
		str_append_c(str, test_hex(value[1]) * 16 + test_hex(value[2]));
		value += 2;
	}
	return str_c(str);
}

static const buffer_t *test_body_decoded(const struct test_part *tp)
{
	const char *cte = test_header(tp, "Content-Transfer-Encoding");
	buffer_t *dest = t_buffer_create(tp->body->used + 16);

	if (cte != NULL && strcasecmp(cte, "base64") == 0) {
		test_assert(base64_decode(tp->body->data, tp->body->used,
					  NULL, dest) >= 0);
	} else if (cte != NULL && strcasecmp(cte, "quoted-printable") == 0) {
		struct qp_decoder *qp = qp_decoder_init(dest);
		const char *error;
		size_t error_pos;

		test_assert(qp_decoder_more(qp, tp->body->data, tp->body->used,
					    &error_pos, &error) == 0);
		test_assert(qp_decoder_finish(qp, &error) == 0);
		qp_decoder_deinit(&qp);
	} else {
		buffer_append_buf(dest, tp->body, 0, SIZE_MAX);
	}
	return dest;
}

static bool test_body_equals(const struct test_part *tp, const void *data,
			     size_t size)
{
	const buffer_t *body = test_body_decoded(tp);

	return body->used == size &&
		(size == 0 || memcmp(body->data, data, size) == 0);
}

/* Every line ends in CRLF, no bare CR; returns the longest line without
   its CRLF. */
static size_t test_lines(const string_t *message, bool *crlf_r)
{
	const unsigned char *data = str_data(message);
	size_t size = str_len(message), start = 0, max = 0;

	*crlf_r = size >= 2 && data[size - 2] == '\r' && data[size - 1] == '\n';
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'))
			*crlf_r = FALSE;
		if (data[i] != '\n')
			continue;
		if (i == 0 || data[i - 1] != '\r')
			*crlf_r = FALSE;
		max = I_MAX(max, i - 1 - start);
		start = i + 1;
	}
	return max;
}

static const char *test_decode_2047(const char *value)
{
	buffer_t *dest = t_buffer_create(strlen(value));

	message_header_decode_utf8((const unsigned char *)value, strlen(value),
				   dest, NULL);
	return t_strndup(dest->data, dest->used);
}

/* text as the message carries it: every line end CRLF */
static const char *test_canonical(const char *text, size_t size)
{
	string_t *str = t_str_new(size + 16);

	for (size_t i = 0; i < size; i++) {
		if (text[i] == '\r' && i + 1 < size && text[i + 1] == '\n')
			continue;
		if (text[i] == '\r' || text[i] == '\n')
			str_append(str, "\r\n");
		else
			str_append_c(str, text[i]);
	}
	return str_c(str);
}

/* Check everything about a built message that does not depend on the
   particular input: the MIME tree, parameters, decoded bodies equal to
   the inputs, filenames, line ends and lengths. Returns the parse. */
static void test_check_message(const struct mus_message *msg,
			       const string_t *out, size_t max_line,
			       struct test_parsed *parsed)
{
	const struct test_part *root, *tp;
	const struct message_part *alt, *part;
	const char *const *params, *value, *type;
	const char *mixed_boundary, *alt_boundary;
	bool crlf;

	test_assert(test_lines(out, &crlf) <= max_line);
	test_assert(crlf);
	test_parse(out, parsed);
	root = test_find(parsed, parsed->root);
	test_assert_strcmp(test_header(root, "MIME-Version"), "1.0");
	test_assert(test_header_count(root, "From") == 1);
	test_assert(test_header_count(root, "To") == 1);
	test_assert(test_header_count(root, "Date") == 1);
	test_assert(test_header_count(root, "Message-ID") == 1);

	type = test_content_type(test_header(root, "Content-Type"), &params);
	test_assert_strcmp(type, "multipart/mixed");
	mixed_boundary = test_param(params, "boundary");
	test_assert(mixed_boundary != NULL && strlen(mixed_boundary) <= 70);
	test_assert((parsed->root->flags & MESSAGE_PART_FLAG_MULTIPART) != 0);

	alt = parsed->root->children;
	test_assert(alt != NULL);
	if (alt == NULL)
		return;
	tp = test_find(parsed, alt);
	type = test_content_type(test_header(tp, "Content-Type"), &params);
	test_assert_strcmp(type, "multipart/alternative");
	alt_boundary = test_param(params, "boundary");
	test_assert(alt_boundary != NULL && mixed_boundary != NULL &&
		    strncmp(alt_boundary, mixed_boundary,
			    strlen(mixed_boundary)) != 0 &&
		    strncmp(mixed_boundary, alt_boundary,
			    strlen(alt_boundary)) != 0);

	part = alt->children;
	tp = test_find(parsed, part);
	type = test_content_type(test_header(tp, "Content-Type"), &params);
	test_assert_strcmp(type, "text/plain");
	test_assert_strcmp(test_param(params, "charset"), "UTF-8");
	test_assert(tp != NULL && test_body_equals(tp,
		test_canonical(msg->text_plain, msg->text_plain_size),
		strlen(test_canonical(msg->text_plain, msg->text_plain_size))));

	if (msg->text_html != NULL && part != NULL) {
		part = part->next;
		tp = test_find(parsed, part);
		type = test_content_type(test_header(tp, "Content-Type"), &params);
		test_assert_strcmp(type, "text/html");
		test_assert_strcmp(test_param(params, "charset"), "UTF-8");
		value = test_canonical(msg->text_html, msg->text_html_size);
		test_assert(tp != NULL &&
			    test_body_equals(tp, value, strlen(value)));
	}
	if (msg->calendar != NULL && part != NULL) {
		part = part->next;
		tp = test_find(parsed, part);
		type = test_content_type(test_header(tp, "Content-Type"), &params);
		test_assert_strcmp(type, "text/calendar");
		test_assert_strcmp(test_param(params, "method"),
				   mus_message_method_name(msg->method));
		test_assert_strcmp(test_param(params, "charset"), "UTF-8");
		test_assert_strcmp(test_header(tp, "Content-Transfer-Encoding"),
				   "base64");
		test_assert(tp != NULL && test_body_equals(tp, msg->calendar,
							   msg->calendar_size));
	}
	test_assert(part != NULL && part->next == NULL);

	part = alt->next;
	if (msg->calendar != NULL) {
		tp = test_find(parsed, part);
		type = test_content_type(test_header(tp, "Content-Type"), &params);
		test_assert_strcmp(type, "application/ics");
		test_assert_strcmp(test_param(params, "name"), "invite.ics");
		type = test_disposition(test_header(tp, "Content-Disposition"),
					&params);
		test_assert_strcmp(type, "attachment");
		test_assert_strcmp(test_param(params, "filename"), "invite.ics");
		test_assert(test_param(params, "filename*") == NULL);
		test_assert(tp != NULL && test_body_equals(tp, msg->calendar,
							   msg->calendar_size));
		part = part == NULL ? NULL : part->next;
	}
	for (unsigned int i = 0; i < msg->attachment_count; i++) {
		const struct mus_message_attachment *att = &msg->attachments[i];
		const char *const *ct_params;

		tp = test_find(parsed, part);
		test_assert(tp != NULL);
		if (tp == NULL)
			return;
		type = test_content_type(test_header(tp, "Content-Type"),
					 &ct_params);
		test_assert(strncasecmp(att->content_type, type,
					strlen(type)) == 0);
		test_assert_strcmp(test_disposition(test_header(tp,
			"Content-Disposition"), &params), "attachment");
		test_assert_strcmp(test_param_decoded(params, "filename"),
				   att->filename);
		test_assert_strcmp(test_param_decoded(ct_params, "name"),
				   att->filename);
		/* the plain fallback is there for clients without RFC 2231 */
		value = test_param(params, "filename");
		test_assert(value != NULL && value[0] != '\0' &&
			    strlen(value) <= 60);
		for (; value != NULL && *value != '\0'; value++)
			test_assert((unsigned char)*value >= ' ' &&
				    (unsigned char)*value < 0x7f);
		test_assert_strcmp(test_header(tp, "Content-Transfer-Encoding"),
				   "base64");
		test_assert(test_body_equals(tp, att->data, att->size));
		part = part->next;
	}
	test_assert(part == NULL);
}

static int test_build(const struct mus_message *msg, string_t *out,
		      const char **error_r)
{
	*error_r = NULL;
	return mus_message_build(msg, out, error_r);
}

/* Structure */

static void test_message_structure(void)
{
	static const struct {
		const char *name;
		bool html, calendar;
		unsigned int attachments;
	} cases[] = {
		{ "invitation with two cards", TRUE, TRUE, 2 },
		{ "invitation, empty attachment list", TRUE, TRUE, 0 },
		{ "plain reply without calendar", TRUE, FALSE, 0 },
		{ "plain text only", FALSE, FALSE, 0 },
		{ "no html, calendar and a card", FALSE, TRUE, 1 },
		{ "reply with cards, no calendar", TRUE, FALSE, 2 },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(8192);
		const char *error;

		mus_test_begin(t_strdup_printf("message: structure, %s",
					       cases[i].name));
		if (!cases[i].html)
			msg.text_html = NULL;
		if (!cases[i].calendar)
			msg.calendar = NULL;
		msg.attachment_count = cases[i].attachments;
		test_assert(test_build(&msg, out, &error) == 0);
		test_check_message(&msg, out, 78, &parsed);
		if (!cases[i].calendar) {
			test_assert(strstr(str_c(out), "text/calendar") == NULL);
			test_assert(strstr(str_c(out), "invite.ics") == NULL);
		}
		pool_unref(&parsed.pool);
		mus_test_end();
	}
}

static void test_message_methods(void)
{
	static const struct {
		enum mus_message_method method;
		const char *name;
	} cases[] = {
		{ MUS_MESSAGE_METHOD_REQUEST, "REQUEST" },
		{ MUS_MESSAGE_METHOD_CANCEL, "CANCEL" },
		{ MUS_MESSAGE_METHOD_REPLY, "REPLY" },
		{ MUS_MESSAGE_METHOD_COUNTER, "COUNTER" },
		{ MUS_MESSAGE_METHOD_DECLINECOUNTER, "DECLINECOUNTER" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(8192);
		const char *error, *cal;

		mus_test_begin(t_strdup_printf("message: method=%s",
					       cases[i].name));
		test_assert_strcmp(mus_message_method_name(cases[i].method),
				   cases[i].name);
		cal = t_strconcat("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nmethod:",
				  cases[i].name, "\r\nEND:VCALENDAR\r\n", NULL);
		msg.calendar = cal;
		msg.calendar_size = strlen(cal);
		msg.method = cases[i].method;
		test_assert(test_build(&msg, out, &error) == 0);
		test_check_message(&msg, out, 78, &parsed);
		test_assert_contains(str_c(out), t_strdup_printf(
			"Content-Type: text/calendar; method=%s; charset=UTF-8\r\n",
			cases[i].name));
		pool_unref(&parsed.pool);
		mus_test_end();
	}
	mus_test_begin("message: unknown method has no name");
	test_assert(mus_message_method_name(MUS_MESSAGE_METHOD_DECLINECOUNTER + 1) == NULL);
	mus_test_end();
}

/* Bodies */

static void test_message_text_bodies(void)
{
	string_t *long_line = t_str_new(100000), *many = t_str_new(20000);
	static const char *const fixed[] = {
		"",
		"no final newline",
		"LF only\nline two\n",
		"CR only\rline two\r",
		"mixed\r\nends\nhere\r",
		"trailing space \r\ntrailing tab\t\r\nlast space ",
		"  \r\n\t\r\n \t \r\n",
		"equals = and =3D and =\r\n",
		"--=_test.alt\r\n--=_test.mixed--\r\nboundaries in the text\r\n",
		"From the start\r\n.\r\n..\r\n",
		"Ωμέγα και άλφα: ελληνικό κείμενο γράφεται καλύτερα σε base64 "
		"από ό,τι σε quoted-printable, γιατί κάθε γράμμα είναι δύο οκτάδες.\r\n",
		"漢字かな交じり文の例です。これは base64 になるはずです。\r\n",
		"Kære Søren, æøå ÆØÅ\r\n",
	};
	ARRAY_TYPE(const_string) texts;

	/* one line longer than any limit, and every length around the QP
	   line limit with a space or an encoded character at the end */
	for (unsigned int i = 0; i < 5000; i++)
		str_append(long_line, i % 7 == 0 ? "æ" : "abcdefghijklmnopqrs");
	for (unsigned int n = 60; n < 82; n++) {
		for (unsigned int k = 0; k < 4; k++) {
			for (unsigned int j = 0; j < n; j++)
				str_append_c(many, 'a');
			str_append(many, k == 0 ? " " : k == 1 ? "=" :
				   k == 2 ? "ø" : "\t");
			str_append(many, k % 2 == 0 ? "\r\n" : "b\r\n");
		}
	}
	t_array_init(&texts, N_ELEMENTS(fixed) + 2);
	for (unsigned int i = 0; i < N_ELEMENTS(fixed); i++)
		array_push_back(&texts, &fixed[i]);
	const char *s = str_c(long_line);
	array_push_back(&texts, &s);
	s = str_c(many);
	array_push_back(&texts, &s);

	for (unsigned int i = 0; i < array_count(&texts); i++) {
		const char *text = array_idx_elem(&texts, i);
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(8192);
		const char *error;

		mus_test_begin(t_strdup_printf("message: text body %u '%.30s'",
					       i, text));
		msg.text_plain = text;
		msg.text_plain_size = strlen(text);
		msg.text_html = text;
		msg.text_html_size = strlen(text);
		test_assert(test_build(&msg, out, &error) == 0);
		test_check_message(&msg, out, 78, &parsed);
		/* RFC 2045: no encoded line over 76, no whitespace before a
		   hard line break */
		test_assert(strstr(str_c(out), " \r\n") == NULL);
		test_assert(strstr(str_c(out), "\t\r\n") == NULL);
		pool_unref(&parsed.pool);
		mus_test_end();
	}

	mus_test_begin("message: mostly Greek text goes as base64");
	{
		struct mus_message msg = test_message_base();
		string_t *out = t_str_new(8192);
		const char *error;

		msg.text_plain = fixed[10];
		msg.text_plain_size = strlen(fixed[10]);
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert_contains(str_c(out), "Content-Type: text/plain; "
			"charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n");
		test_assert_contains(str_c(out), "Content-Type: text/html; "
			"charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n");
	}
	mus_test_end();
}

static void test_message_attachments(void)
{
	static const unsigned int counts[] = { 0, 1, 10, MUS_MESSAGE_MAX_ATTACHMENTS };

	for (unsigned int c = 0; c < N_ELEMENTS(counts); c++) {
		struct mus_message_attachment *atts =
			t_new(struct mus_message_attachment, counts[c] + 1);
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(65536);
		const char *error;

		mus_test_begin(t_strdup_printf("message: %u attachments",
					       counts[c]));
		for (unsigned int i = 0; i < counts[c]; i++) {
			unsigned int size = i * 37;
			unsigned char *data = t_malloc_no0(size + 1);

			for (unsigned int j = 0; j < size; j++)
				data[j] = (unsigned char)(j * 7 + i);
			atts[i].content_type = i % 2 == 0 ?
				"application/octet-stream" :
				"text/plain; charset=UTF-8";
			atts[i].filename = t_strdup_printf(
				"Kort %u – æøå ÆØÅ \"citat\" 100%% \\ ;=.bin", i);
			atts[i].data = data;
			atts[i].size = size;
		}
		msg.attachments = atts;
		msg.attachment_count = counts[c];
		test_assert(test_build(&msg, out, &error) == 0);
		test_check_message(&msg, out, 78, &parsed);
		pool_unref(&parsed.pool);
		mus_test_end();
	}

	mus_test_begin("message: 2 MB attachment");
	{
		size_t size = 2 * 1024 * 1024 + 1;
		unsigned char *data = i_malloc(size);
		struct mus_message_attachment att = {
			"application/pdf", "Stor fil.pdf", data, size
		};
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = str_new(default_pool, size * 4 / 3 + 65536);
		const char *error;

		for (size_t i = 0; i < size; i++)
			data[i] = (unsigned char)(i * 2654435761u >> 13);
		msg.attachments = &att;
		msg.attachment_count = 1;
		test_assert(test_build(&msg, out, &error) == 0);
		test_check_message(&msg, out, 78, &parsed);
		pool_unref(&parsed.pool);
		str_free(&out);
		i_free(data);
	}
	mus_test_end();

	mus_test_begin("message: empty attachment");
	{
		struct mus_message_attachment att = {
			"application/octet-stream", "tom.bin", NULL, 0
		};
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(8192);
		const char *error;

		msg.attachments = &att;
		msg.attachment_count = 1;
		test_assert(test_build(&msg, out, &error) == 0);
		test_check_message(&msg, out, 78, &parsed);
		pool_unref(&parsed.pool);
	}
	mus_test_end();
}

static void test_message_filenames(void)
{
	string_t *ae255 = t_str_new(300), *ascii255 = t_str_new(300);
	const char *cases[] = {
		"invite.txt",
		"Åbenhed og dialog.pdf",
		"Samtalekort – Trivsel og arbejdsglæde.html",
		"plan \"2024\".txt",
		"semi;colon=equals.txt",
		"100% færdig.txt",
		"tab	in name.txt",
		"漢字.txt",
		"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.0123456789.tar.gz",
		NULL, NULL,
	};

	for (unsigned int i = 0; i < 127; i++)
		str_append(ae255, "æ");
	str_append_c(ae255, 'x');
	for (unsigned int i = 0; i < 251; i++)
		str_append_c(ascii255, 'a' + i % 26);
	str_append(ascii255, ".txt");
	cases[N_ELEMENTS(cases) - 2] = str_c(ae255);
	cases[N_ELEMENTS(cases) - 1] = str_c(ascii255);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_message_attachment att = {
			"text/plain", cases[i], "x", 1
		};
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(8192);
		const char *error;
		int ret;

		mus_test_begin(t_strdup_printf("message: filename '%.40s'",
					       cases[i]));
		msg.attachments = &att;
		msg.attachment_count = 1;
		ret = test_build(&msg, out, &error);
		if (strchr(cases[i], '\t') != NULL) {
			test_assert(ret < 0);
			test_assert_contains(error, "Content-Disposition");
		} else {
			test_assert(ret == 0);
			test_check_message(&msg, out, 78, &parsed);
			pool_unref(&parsed.pool);
		}
		mus_test_end();
	}

	mus_test_begin("message: filename fallback keeps the extension");
	{
		struct mus_message_attachment att = {
			"text/plain", NULL, "x", 1
		};
		struct mus_message msg = test_message_base();
		string_t *out = t_str_new(8192), *name = t_str_new(300);
		const char *error;

		for (unsigned int i = 0; i < 120; i++)
			str_append(name, "æ");
		str_append(name, ".pdf");
		att.filename = str_c(name);
		msg.attachments = &att;
		msg.attachment_count = 1;
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert_contains(str_c(out), "aeaeae.pdf\"\r\n");
		test_assert_contains(str_c(out), " filename*0*=UTF-8''%C3%A6");
	}
	mus_test_end();
}

/* Headers */

static void test_message_subjects(void)
{
	string_t *long_ascii = t_str_new(4000), *long_word = t_str_new(4000);
	string_t *long_danish = t_str_new(8000), *mid_word = t_str_new(1000);
	const char *cases[] = {
		"Invitation: MUS-samtale",
		"Invitation: MUS-samtale tirsdag 12. marts 2024 kl. 10.00 (Søren Ærø)",
		"Din plan har fejl: æøå ÆØÅ",
		"",
		"=?utf-8?q?not_an_encoded_word?=",
		"tab\tinside and  two spaces",
		"ends with space ",
		"Ωμέγα 漢字 emoji 😀",
		NULL, NULL, NULL, NULL,
	};

	for (unsigned int i = 0; i < 300; i++)
		str_append(long_ascii, "ord ");
	str_append(long_ascii, "slut");
	for (unsigned int i = 0; i < 3000; i++)
		str_append_c(long_word, 'a' + i % 26);
	for (unsigned int i = 0; i < 1000; i++)
		str_append(long_danish, i % 10 == 9 ? "æ " : "ø");
	str_append(mid_word, "kort ");
	for (unsigned int i = 0; i < 900; i++)
		str_append_c(mid_word, 'x');
	cases[N_ELEMENTS(cases) - 4] = str_c(long_ascii);
	cases[N_ELEMENTS(cases) - 3] = str_c(long_word);
	cases[N_ELEMENTS(cases) - 2] = str_c(long_danish);
	cases[N_ELEMENTS(cases) - 1] = str_c(mid_word);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		string_t *out = t_str_new(8192);
		const char *error, *subject;
		bool crlf;

		mus_test_begin(t_strdup_printf("message: Subject '%.40s'",
					       cases[i]));
		msg.subject = cases[i];
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert(test_lines(out, &crlf) <= 998);
		test_assert(crlf);
		test_parse(out, &parsed);
		subject = test_header(test_find(&parsed, parsed.root), "Subject");
		test_assert(subject != NULL);
		if (strstr(cases[i], "=?") == NULL)
			test_assert_strcmp(test_decode_2047(subject), cases[i]);
		else {
			/* a literal "=?" word is itself encoded */
			test_assert(strstr(subject, "=?utf-8?q?not") == NULL);
			test_assert_strcmp(test_decode_2047(subject), cases[i]);
		}
		/* nothing but the unbreakable 900-octet word goes over 78 */
		if (i != N_ELEMENTS(cases) - 1)
			test_assert(test_lines(out, &crlf) <= 78);
		pool_unref(&parsed.pool);
		mus_test_end();
	}

	mus_test_begin("message: no Subject");
	{
		struct mus_message msg = test_message_base();
		string_t *out = t_str_new(8192);
		const char *error;

		msg.subject = NULL;
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert(strstr(str_c(out), "\r\nSubject:") == NULL);
	}
	mus_test_end();
}

static void test_message_addresses(void)
{
	string_t *long_name = t_str_new(2000), *long_ascii = t_str_new(2000);
	struct mus_message_address many[200];
	const char *names[] = {
		NULL,
		"",
		"Jens Hansen",
		"Søren Ærø",
		"Hansen, Jens",
		"Jens \"Bulder\" Hansen",
		"Jens A. Sørensen",
		"Ærø, Søren (HR)",
		"back\\slash",
		"=?utf-8?q?fake?= Jensen",
		NULL, NULL,
	};

	for (unsigned int i = 0; i < 200; i++)
		str_append(long_name, i % 3 == 0 ? "Æbelø " : "Anders ");
	for (unsigned int i = 0; i < 1500; i++)
		str_append_c(long_ascii, 'a' + i % 26);
	names[N_ELEMENTS(names) - 2] = str_c(long_name);
	names[N_ELEMENTS(names) - 1] = str_c(long_ascii);

	for (unsigned int i = 0; i < N_ELEMENTS(names); i++) {
		struct mus_message_address to[2] = {
			{ names[i], "first@eksempel.test" },
			{ "Anden Person", "second@eksempel.test" },
		};
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		struct message_address *addr;
		string_t *out = t_str_new(8192);
		const char *error, *value;
		bool crlf;

		mus_test_begin(t_strdup_printf("message: display name '%.40s'",
			names[i] == NULL ? "(null)" : names[i]));
		msg.to = to;
		msg.to_count = 2;
		msg.from.name = names[i];
		msg.reply_to = &to[0];
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert(test_lines(out, &crlf) <= 78);
		test_assert(crlf);
		test_parse(out, &parsed);
		for (unsigned int h = 0; h < 3; h++) {
			static const char *const hdrs[] = { "From", "To", "Reply-To" };
			const char *expected = names[i] == NULL ? "" : names[i];

			value = test_header(test_find(&parsed, parsed.root), hdrs[h]);
			test_assert(value != NULL);
			if (value == NULL)
				continue;
			addr = message_address_parse(pool_datastack_create(),
				(const unsigned char *)value, strlen(value),
				UINT_MAX, 0);
			test_assert(addr != NULL && !addr->invalid_syntax);
			if (addr == NULL)
				continue;
			test_assert_strcmp(t_strconcat(addr->mailbox, "@",
						       addr->domain, NULL),
					   h == 0 ? "mus@eksempel.test" :
					   "first@eksempel.test");
			/* a quoted "=?...?=" is not decoded by RFC 2047, but
			   Dovecot's decoder has no way to know it was quoted */
			if (strstr(expected, "=?") == NULL) {
				test_assert_strcmp(test_decode_2047(
					addr->name == NULL ? "" : addr->name),
					expected);
			}
			if (h == 1) {
				test_assert(addr->next != NULL &&
					    strcmp(addr->next->mailbox, "second") == 0 &&
					    strcmp(addr->next->name, "Anden Person") == 0);
			}
		}
		pool_unref(&parsed.pool);
		mus_test_end();
	}

	mus_test_begin("message: 200 recipients");
	{
		struct mus_message msg = test_message_base();
		struct test_parsed parsed;
		struct message_address *addr;
		string_t *out = t_str_new(65536);
		const char *error, *value;
		unsigned int count = 0;
		bool crlf;

		for (unsigned int i = 0; i < N_ELEMENTS(many); i++) {
			many[i].name = t_strdup_printf("Medarbejder %u Ærø", i);
			many[i].address = t_strdup_printf("m%u@eksempel.test", i);
		}
		msg.to = many;
		msg.to_count = N_ELEMENTS(many);
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert(test_lines(out, &crlf) <= 78);
		test_parse(out, &parsed);
		value = test_header(test_find(&parsed, parsed.root), "To");
		addr = message_address_parse(pool_datastack_create(),
			(const unsigned char *)value, strlen(value), UINT_MAX, 0);
		for (; addr != NULL; addr = addr->next, count++) {
			test_assert_strcmp(test_decode_2047(addr->name),
					   many[count].name);
		}
		test_assert(count == N_ELEMENTS(many));
		pool_unref(&parsed.pool);
	}
	mus_test_end();
}

static void test_message_ids_and_dates(void)
{
	struct mus_message msg = test_message_base();
	struct test_parsed parsed;
	string_t *out = t_str_new(8192);
	const char *error, *value;
	time_t t;
	int tz;

	mus_test_begin("message: Message-ID from token and organizer domain");
	test_assert(test_build(&msg, out, &error) == 0);
	test_parse(out, &parsed);
	test_assert_strcmp(test_header(test_find(&parsed, parsed.root),
				       "Message-ID"),
			   "<mus-2024-0042.1@eksempel.test>");
	value = test_header(test_find(&parsed, parsed.root), "Date");
	test_assert(value != NULL &&
		    message_date_parse((const unsigned char *)value,
				       strlen(value), &t, &tz) &&
		    t == TEST_DATE);
	/* RFC 5322 numeric zone */
	test_assert(value != NULL && strlen(value) > 6 &&
		    (value[strlen(value) - 5] == '+' ||
		     value[strlen(value) - 5] == '-'));
	pool_unref(&parsed.pool);
	mus_test_end();

	mus_test_begin("message: Message-ID given by the caller");
	msg.message_id = "<given.42@mus.eksempel.test>";
	str_truncate(out, 0);
	test_assert(test_build(&msg, out, &error) == 0);
	test_assert_contains(str_c(out),
			     "\r\nMessage-ID: <given.42@mus.eksempel.test>\r\n");
	mus_test_end();

	mus_test_begin("message: random boundaries differ between messages");
	{
		string_t *out2 = t_str_new(8192);
		struct test_parsed parsed2;

		msg.boundary_prefix = NULL;
		str_truncate(out, 0);
		test_assert(test_build(&msg, out, &error) == 0);
		test_assert(test_build(&msg, out2, &error) == 0);
		test_assert(strcmp(str_c(out), str_c(out2)) != 0);
		test_assert(strstr(str_c(out), "=_test") == NULL);
		test_check_message(&msg, out, 78, &parsed);
		test_check_message(&msg, out2, 78, &parsed2);
		pool_unref(&parsed.pool);
		pool_unref(&parsed2.pool);
	}
	mus_test_end();

	mus_test_begin("message: extra headers in order after ours");
	msg = test_message_base();
	str_truncate(out, 0);
	test_assert(test_build(&msg, out, &error) == 0);
	test_assert_contains(str_c(out), "\r\nAuto-Submitted: auto-generated\r\n"
			     "X-MUS-Conversation: mus-2024-0042\r\nMIME-Version: 1.0\r\n");
	mus_test_end();
}

/* Refusals */

enum test_field {
	FIELD_FROM_NAME,
	FIELD_FROM_ADDRESS,
	FIELD_TO_NAME,
	FIELD_TO_ADDRESS,
	FIELD_REPLY_TO_NAME,
	FIELD_SUBJECT,
	FIELD_MESSAGE_ID,
	FIELD_TOKEN,
	FIELD_HEADER_NAME,
	FIELD_HEADER_VALUE,
	FIELD_FILENAME,
	FIELD_CONTENT_TYPE,
	FIELD_TEXT_PLAIN,
	FIELD_TEXT_HTML,
	FIELD_CALENDAR,
	FIELD_BOUNDARY,
};

static void test_message_refused(void)
{
	static const char nul_text[] = "before\0after";
	static const struct {
		enum test_field field;
		const char *value;
		const char *error;
	} cases[] = {
		/* header injection */
		{ FIELD_FROM_NAME, "Evil\r\nBcc: victim@example.com", "From: display name" },
		{ FIELD_FROM_ADDRESS, "mus@eksempel.test\r\nBcc: x@y.z", "From: address" },
		{ FIELD_TO_NAME, "Søren\nX-Injected: 1", "To: display name" },
		{ FIELD_TO_ADDRESS, "soeren@eksempel.test\r\n", "To: address" },
		{ FIELD_REPLY_TO_NAME, "x\ry", "Reply-To: display name" },
		{ FIELD_SUBJECT, "Hej\r\nBcc: victim@example.com", "Subject: value contains CR or LF" },
		{ FIELD_SUBJECT, "Hej\n\tfolded", "Subject: value contains CR or LF" },
		{ FIELD_SUBJECT, "\r\n\r\nbody", "Subject" },
		{ FIELD_MESSAGE_ID, "<a@b>\r\nBcc: x@y.z", "Message-ID" },
		{ FIELD_TOKEN, "tok\r\nBcc: x@y.z", "Message-ID: unique token contains CR or LF" },
		{ FIELD_HEADER_VALUE, "v\r\nBcc: x@y.z", "X-Test: value contains CR or LF" },
		{ FIELD_HEADER_NAME, "X-Test\r\nBcc", "header name" },
		{ FIELD_FILENAME, "kort.pdf\r\nContent-Type: text/html", "Content-Disposition: attachment 1 filename contains CR or LF" },
		{ FIELD_CONTENT_TYPE, "text/plain\r\nBcc: x@y.z", "Content-Type: attachment 1" },
		/* other bad header input */
		{ FIELD_SUBJECT, "bell\a", "Subject: value contains a control character" },
		{ FIELD_SUBJECT, "bad \xc3\x28 utf-8", "Subject: value is not valid UTF-8" },
		{ FIELD_FROM_NAME, "tab\tname", "From: display name" },
		{ FIELD_FROM_ADDRESS, "", "From: address" },
		{ FIELD_FROM_ADDRESS, "no-at-sign", "From: address" },
		{ FIELD_TO_ADDRESS, "two@at@signs", "To: address" },
		{ FIELD_TO_ADDRESS, "with space@eksempel.test", "To: address" },
		{ FIELD_TO_ADDRESS, "<soeren@eksempel.test>", "To: address" },
		{ FIELD_TO_ADDRESS, "s\xc3\xb8ren@eksempel.test", "To: address" },
		{ FIELD_TO_ADDRESS, "@eksempel.test", "To: address" },
		{ FIELD_MESSAGE_ID, "no-brackets@x", "Message-ID" },
		{ FIELD_MESSAGE_ID, "<no-at>", "Message-ID" },
		{ FIELD_MESSAGE_ID, "<sp ace@x>", "Message-ID" },
		{ FIELD_TOKEN, "has space", "Message-ID: unique token" },
		{ FIELD_TOKEN, "has@at", "Message-ID: unique token" },
		{ FIELD_TOKEN, ".dot", "Message-ID: unique token" },
		{ FIELD_TOKEN, NULL, "Message-ID: neither" },
		{ FIELD_HEADER_NAME, "Content-Type", "MIME headers" },
		{ FIELD_HEADER_NAME, "from", "written by the message builder" },
		{ FIELD_HEADER_NAME, "Bcc", "written by the message builder" },
		{ FIELD_HEADER_NAME, "X Space", "header name" },
		{ FIELD_HEADER_NAME, "", "header name" },
		{ FIELD_FILENAME, "", "no filename" },
		{ FIELD_FILENAME, NULL, "no filename" },
		{ FIELD_CONTENT_TYPE, "multipart/mixed; boundary=x", "cannot be sent as base64" },
		{ FIELD_CONTENT_TYPE, "message/rfc822", "cannot be sent as base64" },
		{ FIELD_CONTENT_TYPE, "text/plain; name=x.txt", "name parameter" },
		{ FIELD_CONTENT_TYPE, "text", "does not parse" },
		{ FIELD_CONTENT_TYPE, "text/plain garbage", "does not parse" },
		{ FIELD_CONTENT_TYPE, NULL, "Content-Type is missing" },
		/* bodies */
		{ FIELD_TEXT_PLAIN, nul_text, "text/plain body contains a NUL byte" },
		{ FIELD_TEXT_HTML, nul_text, "text/html body contains a NUL byte" },
		{ FIELD_CALENDAR, nul_text, "text/calendar body contains a NUL byte" },
		{ FIELD_TEXT_PLAIN, "\xff\xfe", "text/plain body is not valid UTF-8" },
		{ FIELD_TEXT_PLAIN, NULL, "text/plain: no body" },
		{ FIELD_CALENDAR, "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n",
		  "METHOD 'CANCEL' does not match method=REQUEST" },
		{ FIELD_CALENDAR, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
		  "METHOD missing" },
		{ FIELD_BOUNDARY, "", "boundary prefix" },
		{ FIELD_BOUNDARY, "a_b", "boundary prefix" },
		{ FIELD_BOUNDARY, "0123456789012345678901234567890123456789x", "boundary prefix" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_message msg = test_message_base();
		struct mus_message_address to = test_to[0], reply_to = test_to[1];
		struct mus_message_header hdr = { "X-Test", "ok" };
		struct mus_message_attachment att = test_card_files[0];
		const char *value = cases[i].value;
		size_t size = value == NULL ? 0 :
			value == nul_text ? sizeof(nul_text) - 1 : strlen(value);
		string_t *out = t_str_new(256);
		const char *error = NULL;

		mus_test_begin(t_strdup_printf("message: refuse %s",
					       cases[i].error));
		msg.to = &to;
		msg.to_count = 1;
		msg.reply_to = &reply_to;
		msg.headers = &hdr;
		msg.header_count = 1;
		msg.attachments = &att;
		msg.attachment_count = 1;
		switch (cases[i].field) {
		case FIELD_FROM_NAME: msg.from.name = value; break;
		case FIELD_FROM_ADDRESS: msg.from.address = value; break;
		case FIELD_TO_NAME: to.name = value; break;
		case FIELD_TO_ADDRESS: to.address = value; break;
		case FIELD_REPLY_TO_NAME: reply_to.name = value; break;
		case FIELD_SUBJECT: msg.subject = value; break;
		case FIELD_MESSAGE_ID: msg.message_id = value; break;
		case FIELD_TOKEN: msg.unique_token = value; break;
		case FIELD_HEADER_NAME: hdr.name = value; break;
		case FIELD_HEADER_VALUE: hdr.value = value; break;
		case FIELD_FILENAME: att.filename = value; break;
		case FIELD_CONTENT_TYPE: att.content_type = value; break;
		case FIELD_TEXT_PLAIN:
			msg.text_plain = value;
			msg.text_plain_size = size;
			break;
		case FIELD_TEXT_HTML:
			msg.text_html = value;
			msg.text_html_size = size;
			break;
		case FIELD_CALENDAR:
			msg.calendar = value;
			msg.calendar_size = size;
			break;
		case FIELD_BOUNDARY: msg.boundary_prefix = value; break;
		}
		str_append(out, "untouched");
		test_assert(test_build(&msg, out, &error) == -1);
		test_assert_contains(error, cases[i].error);
		/* the refused value is never echoed raw */
		test_assert(error == NULL || strpbrk(error, "\r\n") == NULL);
		test_assert_strcmp(str_c(out), "untouched");
		mus_test_end();
	}
}

static void test_message_limits(void)
{
	struct mus_message msg = test_message_base();
	struct mus_message_attachment atts[MUS_MESSAGE_MAX_ATTACHMENTS + 1];
	string_t *out = t_str_new(256);
	const char *error;
	char filename[300];

	mus_test_begin("message: refuse no recipients");
	msg.to_count = 0;
	test_assert(test_build(&msg, out, &error) == -1);
	test_assert_contains(error, "To: no recipients");
	mus_test_end();

	mus_test_begin("message: refuse too many attachments");
	msg = test_message_base();
	for (unsigned int i = 0; i < N_ELEMENTS(atts); i++)
		atts[i] = test_card_files[1];
	msg.attachments = atts;
	msg.attachment_count = N_ELEMENTS(atts);
	test_assert(test_build(&msg, out, &error) == -1);
	test_assert_contains(error, "attachments, more than");
	mus_test_end();

	mus_test_begin("message: refuse input over the size limit");
	msg = test_message_base();
	/* checked before anything is read, so the data can be short */
	atts[0] = test_card_files[1];
	atts[0].size = MUS_MESSAGE_MAX_INPUT_SIZE;
	msg.attachments = atts;
	msg.attachment_count = 1;
	test_assert(test_build(&msg, out, &error) == -1);
	test_assert_contains(error, "attachment 1 (Forberedelse til MUS.txt): message input over");
	mus_test_end();

	mus_test_begin("message: refuse a 256-octet filename");
	memset(filename, 'a', 256);
	filename[256] = '\0';
	atts[0] = test_card_files[1];
	atts[0].filename = filename;
	test_assert(test_build(&msg, out, &error) == -1);
	test_assert_contains(error, "filename is longer than 255");
	mus_test_end();

	mus_test_begin("message: refuse a Subject over 8192 octets");
	{
		char *subject = t_malloc0(8194);

		memset(subject, 's', 8193);
		msg = test_message_base();
		msg.subject = subject;
		test_assert(test_build(&msg, out, &error) == -1);
		test_assert_contains(error, "Subject: value is longer than 8192");
	}
	mus_test_end();

	mus_test_begin("message: refuse an unknown method");
	msg = test_message_base();
	msg.method = MUS_MESSAGE_METHOD_DECLINECOUNTER + 1;
	test_assert(test_build(&msg, out, &error) == -1);
	test_assert_contains(error, "unknown method");
	test_assert(str_len(out) == 0);
	mus_test_end();
}

/* Golden files */

static const char *test_read_file(const char *path)
{
	string_t *str = t_str_new(16384);
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		str_append_data(str, buf, n);
	fclose(f);
	return str_c(str);
}

static void test_write_file(const char *path, const string_t *data)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		i_fatal("fopen(%s) failed: %m", path);
	if (fwrite(str_data(data), 1, str_len(data), f) != str_len(data) ||
	    fclose(f) != 0)
		i_fatal("write(%s) failed: %m", path);
}

/* The first line where the two differ, for the failure message. */
static const char *test_first_difference(const char *expected, const char *got)
{
	unsigned int line = 1;
	size_t i = 0;

	for (; expected[i] != '\0' && expected[i] == got[i]; i++) {
		if (expected[i] == '\n')
			line++;
	}
	return t_strdup_printf("line %u: expected '%s' got '%s'", line,
			       str_sanitize(t_strcut(expected + i, '\n'), 60),
			       str_sanitize(t_strcut(got + i, '\n'), 60));
}

static void test_message_golden(void)
{
	static const struct mus_message_address one_to[] = {
		{ "Søren Ærø", "soeren@eksempel.test" },
	};
	static const char plan_errors[] =
		"Kære Søren\r\n\r\nDin udviklingsplan kunne ikke gemmes:\r\n\r\n"
		"  - Linje 3: \"Mål\" mangler en dato.\r\n"
		"  - Linje 7: ukendt kort \"aabenhed-dialogen\".\r\n\r\n"
		"Ret planen og send den igen som svar på denne mail.\r\n";
	static const char plan_errors_html[] =
		"<p>Kære Søren</p>\r\n<p>Din udviklingsplan kunne ikke gemmes:</p>\r\n"
		"<ul><li>Linje 3: &quot;Mål&quot; mangler en dato.</li>\r\n"
		"<li>Linje 7: ukendt kort &quot;aabenhed-dialogen&quot;.</li></ul>\r\n"
		"<p>Ret planen og send den igen som svar på denne mail.</p>\r\n";
	const bool update = null_strcmp(getenv("MUS_UPDATE_GOLDEN"), "1") == 0;
	const char *old_tz = getenv("TZ");
	struct {
		const char *name;
		struct mus_message msg;
	} cases[3];

	cases[0].name = "request";
	cases[0].msg = test_message_base();

	cases[1].name = "cancel";
	cases[1].msg = test_message_base();
	cases[1].msg.subject = "Aflyst: MUS-samtale tirsdag 12. marts 2024 kl. 10.00 (Søren Ærø)";
	cases[1].msg.unique_token = "mus-2024-0042.2";
	cases[1].msg.calendar = test_calendar_cancel;
	cases[1].msg.calendar_size = sizeof(test_calendar_cancel) - 1;
	cases[1].msg.method = MUS_MESSAGE_METHOD_CANCEL;
	cases[1].msg.attachment_count = 0;

	cases[2].name = "plan-errors";
	cases[2].msg = test_message_base();
	cases[2].msg.to = one_to;
	cases[2].msg.to_count = 1;
	cases[2].msg.reply_to = &test_reply_to;
	cases[2].msg.subject = "Re: Min udviklingsplan – fejl i planen";
	cases[2].msg.unique_token = "mus-plan-7.reply";
	cases[2].msg.header_count = 1;
	cases[2].msg.text_plain = plan_errors;
	cases[2].msg.text_plain_size = sizeof(plan_errors) - 1;
	cases[2].msg.text_html = plan_errors_html;
	cases[2].msg.text_html_size = sizeof(plan_errors_html) - 1;
	cases[2].msg.calendar = NULL;
	cases[2].msg.attachment_count = 0;

	/* the Date header is in the process's zone: pin it */
	old_tz = old_tz == NULL ? NULL : t_strdup(old_tz);
	if (setenv("TZ", "Europe/Copenhagen", 1) < 0)
		i_fatal("setenv(TZ) failed: %m");
	tzset();
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *path = t_strdup_printf("%s/%s.eml", GOLDEN_DIR,
						   cases[i].name);
		string_t *out = t_str_new(8192);
		struct test_parsed parsed;
		const char *error, *expected;

		mus_test_begin(t_strdup_printf("message: golden %s", path));
		test_assert(test_build(&cases[i].msg, out, &error) == 0);
		test_check_message(&cases[i].msg, out, 78, &parsed);
		pool_unref(&parsed.pool);
		test_assert_contains(str_c(out), "\r\nDate: Tue, 12 Mar 2024 10:00:00 +0100\r\n");
		if (update)
			test_write_file(path, out);
		expected = test_read_file(path);
		test_assert(expected != NULL);
		if (expected != NULL && strcmp(expected, str_c(out)) != 0) {
			mus_test_check(FALSE, t_strdup_printf(
				"%s differs (MUS_UPDATE_GOLDEN=1 rewrites it), %s",
				path, test_first_difference(expected, str_c(out))),
				__FILE__, __LINE__);
		}
		mus_test_end();
	}
	if (old_tz == NULL)
		unsetenv("TZ");
	else
		setenv("TZ", old_tz, 1);
	tzset();
}

void test_message(void)
{
	test_message_structure();
	test_message_methods();
	test_message_text_bodies();
	test_message_attachments();
	test_message_filenames();
	test_message_subjects();
	test_message_addresses();
	test_message_ids_and_dates();
	test_message_refused();
	test_message_limits();
	test_message_golden();
}
