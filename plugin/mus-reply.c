/* Replies by mail: iTIP objects found with Dovecot's message parser and
   read with libical, and card choices read from the mail's text. */

#include "lib.h"
#include "array.h"
#include "buffer.h"
#include "str.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "istream.h"
#include "rfc822-parser.h"
#include "rfc2231-parser.h"
#include "message-parser.h"
#include "message-decoder.h"
#include "message-address.h"
#include "message-header-decode.h"
#include "message-id.h"
#include "mus-invitation.h"
#include "mus-conversation.h"
#include "mus-mailtext.h"
#include "mus-reply.h"

#include <ctype.h>
#include <libical/ical.h>

/* Header values kept for the parts and the message; longer ones are cut. */
#define MUS_REPLY_HEADER_MAX_LEN 4096
#define MUS_REPLY_MESSAGE_ID_MAX_LEN 998
#define MUS_REPLY_UID_MAX_LEN 255
#define MUS_REPLY_NAME_MAX_LEN 256
#define MUS_REPLY_COMMENT_MAX_LEN 4096
#define MUS_REPLY_ADDRESS_MAX_LEN 254
#define MUS_REPLY_METHOD_MAX_LEN 64
/* An object's VTIMEZONE with more STANDARD and DAYLIGHT rules, or more
   RRULEs, or an RRULE from before this year, is not used (see
   mus_reply_zone_rule_problem()). */
#define MUS_REPLY_MAX_ZONE_RULES 64
#define MUS_REPLY_MAX_ZONE_RRULES 4
#define MUS_REPLY_ZONE_MIN_YEAR 1601
/* A COUNTER proposing a time outside these years is refused: no
   conversation is held then, and libical would expand time zone rules up
   to the year asked for. */
#define MUS_REPLY_MIN_YEAR 1970
#define MUS_REPLY_MAX_YEAR 2199

static const char *const mus_reply_method_names[] = {
	[MUS_REPLY_METHOD_NONE] = "NONE",
	[MUS_REPLY_METHOD_REPLY] = "REPLY",
	[MUS_REPLY_METHOD_COUNTER] = "COUNTER",
	[MUS_REPLY_METHOD_REFRESH] = "REFRESH",
	[MUS_REPLY_METHOD_OTHER] = "OTHER",
};

static const char *const mus_reply_partstat_names[] = {
	[MUS_REPLY_PARTSTAT_NEEDS_ACTION] = "NEEDS-ACTION",
	[MUS_REPLY_PARTSTAT_ACCEPTED] = "ACCEPTED",
	[MUS_REPLY_PARTSTAT_DECLINED] = "DECLINED",
	[MUS_REPLY_PARTSTAT_TENTATIVE] = "TENTATIVE",
	[MUS_REPLY_PARTSTAT_DELEGATED] = "DELEGATED",
	[MUS_REPLY_PARTSTAT_OTHER] = "OTHER",
};

const char *mus_reply_method_name(enum mus_reply_method method)
{
	if ((unsigned int)method >= N_ELEMENTS(mus_reply_method_names))
		return "?";
	return mus_reply_method_names[method];
}

const char *mus_reply_partstat_name(enum mus_reply_partstat partstat)
{
	if ((unsigned int)partstat >= N_ELEMENTS(mus_reply_partstat_names))
		return "?";
	return mus_reply_partstat_names[partstat];
}

/* ---- text helpers ---- */

/* data as valid UTF-8 (invalid sequences become U+FFFD), control
   characters as spaces except, when multiline, LF and TAB (CR is
   dropped), surrounding whitespace trimmed, cut at max_len bytes on a
   character boundary. NULL if nothing is left. From the data stack. */
static const char *
mus_reply_clean_text(const void *data, size_t size, size_t max_len,
		     bool multiline)
{
	string_t *str = t_str_new(size + 16);
	char *p, *end;
	size_t len, j = 0;

	if (uni_utf8_get_valid_data(data, size, str))
		str_append_data(str, data, size);
	p = str_c_modifiable(str);
	len = strlen(p);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (multiline && c == '\r')
			continue;
		if (c == 0x7f || (c < ' ' && !(multiline &&
						(c == '\n' || c == '\t'))))
			c = ' ';
		p[j++] = c;
	}
	p[j] = '\0';
	len = j;
	if (len > max_len) {
		len = max_len;
		/* step back to the start of a UTF-8 character */
		while (len > 0 && ((unsigned char)p[len] & 0xc0) == 0x80)
			len--;
		p[len] = '\0';
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n'))
		end--;
	*end = '\0';
	return *p == '\0' ? NULL : p;
}

static const char *
mus_reply_pool_text(pool_t pool, const char *value, size_t max_len,
		    bool multiline)
{
	if (value == NULL)
		return NULL;
	return p_strdup(pool, mus_reply_clean_text(value, strlen(value),
						   max_len, multiline));
}

/* A calendar address or header address as lower-case local@domain, with
   "mailto:" stripped in any case; NULL if it is no plain mail address.
   From the data stack. */
static const char *mus_reply_address(const char *value)
{
	const char *at;
	size_t len;

	if (value == NULL)
		return NULL;
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, "mailto:", 7) == 0)
		value += 7;
	len = strlen(value);
	while (len > 0 && (value[len-1] == ' ' || value[len-1] == '\t'))
		len--;
	if (len < 3 || len > MUS_REPLY_ADDRESS_MAX_LEN)
		return NULL;
	value = t_strndup(value, len);
	for (const char *p = value; *p != '\0'; p++) {
		unsigned char c = *p;

		if (c <= ' ' || c == 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
			return NULL;
	}
	at = strchr(value, '@');
	if (at == NULL || at == value || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || !uni_utf8_str_is_valid(value))
		return NULL;
	return t_str_lcase(value);
}

/* ---- reading the MIME structure ---- */

enum mus_reply_part_kind {
	MUS_REPLY_PART_SKIP = 0,
	MUS_REPLY_PART_CALENDAR,	/* text/calendar */
	MUS_REPLY_PART_ICS,		/* application/ics, the fallback */
	MUS_REPLY_PART_TEXT,
	MUS_REPLY_PART_HTML,
};

ARRAY_DEFINE_TYPE(mus_reply_part, const struct message_part *);

static const char *const mus_reply_no_params[] = { NULL };

struct mus_reply_mime {
	const struct mus_reply_limits *limits;

	/* the part whose header is being read, and its values */
	const struct message_part *hdr_part;
	string_t *content_type, *disposition;
	/* the part last classified, and what its body is for */
	const struct message_part *body_part;
	enum mus_reply_part_kind body_kind;
	unsigned int part_count, attachment_count;
	ARRAY_TYPE(mus_reply_part) reports;

	/* the message's own header */
	char *from, *subject, *message_id;

	/* the calendar part read: kind is SKIP while there is none */
	enum mus_reply_part_kind calendar_kind;
	string_t *calendar;
	char *calendar_method;
	string_t *text, *html;
	bool have_text, have_html, tnef;
};

static void mus_reply_mime_header(struct mus_reply_mime *ctx,
				  struct message_header_line *hdr)
{
	const char *name = hdr->name;
	size_t len;
	string_t *dest = NULL;

	if (hdr->continues) {
		hdr->use_full_value = TRUE;
		return;
	}
	if (hdr->eoh)
		return;
	len = I_MIN(hdr->full_value_len, MUS_REPLY_HEADER_MAX_LEN);
	if (strcasecmp(name, "Content-Type") == 0)
		dest = ctx->content_type;
	else if (strcasecmp(name, "Content-Disposition") == 0)
		dest = ctx->disposition;
	if (dest != NULL) {
		/* the first one counts */
		if (str_len(dest) == 0)
			str_append_data(dest, hdr->full_value, len);
	}
}

/* Headers of the message itself (not of a part, not of a forwarded
   message). */
static void mus_reply_message_header(struct mus_reply_mime *ctx,
				     const struct message_header_line *hdr)
{
	size_t len;

	if (hdr->continues || hdr->eoh)
		return;
	len = I_MIN(hdr->full_value_len, MUS_REPLY_HEADER_MAX_LEN);
	if (strcasecmp(hdr->name, "From") == 0 && ctx->from == NULL)
		ctx->from = i_strndup(hdr->full_value, len);
	else if (strcasecmp(hdr->name, "Subject") == 0 && ctx->subject == NULL)
		ctx->subject = i_strndup(hdr->full_value, len);
	else if (strcasecmp(hdr->name, "Message-ID") == 0 &&
		 ctx->message_id == NULL)
		ctx->message_id = i_strndup(hdr->full_value, len);
}

static bool mus_reply_inside_report(const struct mus_reply_mime *ctx,
				    const struct message_part *part)
{
	const struct message_part *report;

	for (; part != NULL; part = part->parent) {
		array_foreach_elem(&ctx->reports, report) {
			if (report == part)
				return TRUE;
		}
	}
	return FALSE;
}

static bool mus_reply_inside_message(const struct message_part *part)
{
	for (part = part->parent; part != NULL; part = part->parent) {
		if ((part->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) != 0)
			return TRUE;
	}
	return FALSE;
}

/* type/subtype lower-cased ("" if unparsable) and the parameters of a
   Content-Type or Content-Disposition value. From the data stack. */
static const char *mus_reply_parse_mime_value(const string_t *value,
					      bool content_type,
					      const char *const **params_r)
{
	struct rfc822_parser_context parser;
	string_t *type = t_str_new(64);
	int ret;

	rfc822_parser_init(&parser, str_data(value), str_len(value), NULL);
	rfc822_skip_lwsp(&parser);
	if (content_type)
		ret = rfc822_parse_content_type(&parser, type);
	else
		ret = rfc822_parse_mime_token(&parser, type);
	if (ret < 0) {
		*params_r = mus_reply_no_params;
		str_truncate(type, 0);
	} else {
		rfc2231_parse(&parser, params_r);
	}
	rfc822_parser_deinit(&parser);
	return t_str_lcase(str_c(type));
}

static const char *mus_reply_param(const char *const *params,
				   const char *name)
{
	for (; params[0] != NULL && params[1] != NULL; params += 2) {
		if (strcasecmp(params[0], name) == 0)
			return params[1];
	}
	return NULL;
}

static enum mus_reply_part_kind
mus_reply_classify(struct mus_reply_mime *ctx,
		   const struct message_part *part)
{
	const char *const *type_params, *const *disp_params;
	const char *type, *disposition, *filename;
	bool attachment;

	if (ctx->hdr_part == part && str_len(ctx->content_type) > 0) {
		type = mus_reply_parse_mime_value(ctx->content_type, TRUE,
						  &type_params);
	} else {
		/* RFC 2045's default */
		type = "text/plain";
		type_params = mus_reply_no_params;
	}
	if (ctx->hdr_part == part && str_len(ctx->disposition) > 0) {
		disposition = mus_reply_parse_mime_value(ctx->disposition,
							 FALSE, &disp_params);
	} else {
		disposition = "";
		disp_params = mus_reply_no_params;
	}

	if (mus_reply_inside_report(ctx, part))
		return MUS_REPLY_PART_SKIP;
	if (strcmp(type, "multipart/report") == 0) {
		array_push_back(&ctx->reports, &part);
		return MUS_REPLY_PART_SKIP;
	}
	filename = mus_reply_param(disp_params, "filename");
	if (filename == NULL)
		filename = mus_reply_param(type_params, "name");
	attachment = strcmp(disposition, "attachment") == 0 || filename != NULL;
	if (attachment)
		ctx->attachment_count++;

	if (strcmp(type, "text/calendar") == 0) {
		if (ctx->calendar_kind == MUS_REPLY_PART_CALENDAR)
			return MUS_REPLY_PART_SKIP;
		ctx->calendar_kind = MUS_REPLY_PART_CALENDAR;
		str_truncate(ctx->calendar, 0);
		i_free(ctx->calendar_method);
		ctx->calendar_method =
			i_strdup(mus_reply_param(type_params, "method"));
		return MUS_REPLY_PART_CALENDAR;
	}
	if (strcmp(type, "application/ics") == 0) {
		if (ctx->calendar_kind != MUS_REPLY_PART_SKIP)
			return MUS_REPLY_PART_SKIP;
		ctx->calendar_kind = MUS_REPLY_PART_ICS;
		ctx->calendar_method =
			i_strdup(mus_reply_param(type_params, "method"));
		return MUS_REPLY_PART_ICS;
	}
	if (strcmp(type, "application/ms-tnef") == 0 ||
	    strcmp(type, "application/vnd.ms-tnef") == 0 ||
	    (filename != NULL && strcasecmp(filename, "winmail.dat") == 0)) {
		ctx->tnef = TRUE;
		return MUS_REPLY_PART_SKIP;
	}
	if (attachment || mus_reply_inside_message(part))
		return MUS_REPLY_PART_SKIP;
	if (strcmp(type, "text/plain") == 0 && !ctx->have_text) {
		ctx->have_text = TRUE;
		return MUS_REPLY_PART_TEXT;
	}
	if (strcmp(type, "text/html") == 0 && !ctx->have_html) {
		ctx->have_html = TRUE;
		return MUS_REPLY_PART_HTML;
	}
	return MUS_REPLY_PART_SKIP;
}

static int mus_reply_mime_body(struct mus_reply_mime *ctx,
			       const struct message_block *decoded,
			       const char **error_r)
{
	const struct mus_reply_limits *limits = ctx->limits;
	string_t *dest;
	size_t size;

	switch (ctx->body_kind) {
	case MUS_REPLY_PART_SKIP:
		return 0;
	case MUS_REPLY_PART_CALENDAR:
	case MUS_REPLY_PART_ICS:
		if (str_len(ctx->calendar) + decoded->size >
		    limits->max_calendar_size) {
			*error_r = t_strdup_printf(
				"the %s part is larger than %zu bytes "
				"(mus_max_ical_size)",
				ctx->body_kind == MUS_REPLY_PART_CALENDAR ?
				"text/calendar" : "application/ics",
				limits->max_calendar_size);
			return -1;
		}
		str_append_data(ctx->calendar, decoded->data, decoded->size);
		return 0;
	case MUS_REPLY_PART_TEXT:
	case MUS_REPLY_PART_HTML:
		dest = ctx->body_kind == MUS_REPLY_PART_TEXT ?
			ctx->text : ctx->html;
		if (str_len(dest) >= limits->max_body_size)
			return 0;
		size = I_MIN(decoded->size,
			     limits->max_body_size - str_len(dest));
		str_append_data(dest, decoded->data, size);
		return 0;
	}
	i_unreached();
}

/* 0 for the message itself */
static unsigned int mus_reply_part_depth(const struct message_part *part)
{
	unsigned int depth = 0;

	for (; part->parent != NULL; part = part->parent)
		depth++;
	return depth;
}

static int mus_reply_read_mime(struct mus_reply_mime *ctx,
			       struct istream *input, const char **error_r)
{
	const struct mus_reply_limits *limits = ctx->limits;
	const struct message_parser_settings parser_set = {
		.hdr_flags = MESSAGE_HEADER_PARSER_FLAG_CLEAN_ONELINE,
		/* The parser's count includes the message itself, and it
		   reads the levels below its limit as the body of the last
		   one: with two more, a part one level too deep is seen. */
		.max_nested_mime_parts = limits->max_depth + 2,
		/* one more than allowed, so that going over is seen */
		.max_total_mime_parts = limits->max_parts + 1,
	};
	struct message_parser_ctx *parser;
	struct message_decoder_context *decoder;
	struct message_block block, decoded;
	struct message_part *parts;
	const char *error = NULL;
	pool_t parts_pool;
	int ret = -1;

	parts_pool = pool_alloconly_create("mus reply parts", 4096);
	parser = message_parser_init(parts_pool, input, &parser_set);
	decoder = message_decoder_init(NULL, 0);
	while (error == NULL &&
	       (ret = message_parser_parse_next_block(parser, &block)) > 0) {
		if (input->v_offset > limits->max_message_size) {
			error = t_strdup_printf(
				"the message is larger than %"PRIuUOFF_T" bytes "
				"(mus_max_message_size)", limits->max_message_size);
			break;
		}
		if (block.hdr != NULL) {
			if (block.part != ctx->hdr_part) {
				ctx->hdr_part = block.part;
				str_truncate(ctx->content_type, 0);
				str_truncate(ctx->disposition, 0);
			}
			mus_reply_mime_header(ctx, block.hdr);
			if (block.part->parent == NULL)
				mus_reply_message_header(ctx, block.hdr);
		} else if (block.part != ctx->body_part) {
			if (++ctx->part_count > limits->max_parts) {
				error = t_strdup_printf(
					"the message has more than %u MIME parts "
					"(mus_max_mime_parts)", limits->max_parts);
				break;
			}
			if (mus_reply_part_depth(block.part) > limits->max_depth) {
				error = t_strdup_printf(
					"the message nests MIME parts more than "
					"%u deep (mus_max_mime_depth)",
					limits->max_depth);
				break;
			}
			ctx->body_part = block.part;
			T_BEGIN {
				ctx->body_kind = mus_reply_classify(ctx, block.part);
			} T_END;
			if (ctx->attachment_count > limits->max_attachments) {
				error = t_strdup_printf(
					"the message has more than %u attachments "
					"(mus_max_attachments)",
					limits->max_attachments);
				break;
			}
		}
		if (!message_decoder_decode_next_block(decoder, &block,
						       &decoded))
			continue;
		if (decoded.hdr == NULL && decoded.size > 0 &&
		    block.part == ctx->body_part) {
			if (mus_reply_mime_body(ctx, &decoded, &error) < 0)
				break;
		}
	}
	message_decoder_deinit(&decoder);
	message_parser_deinit(&parser, &parts);
	pool_unref(&parts_pool);
	if (error == NULL && input->stream_errno != 0) {
		error = t_strdup_printf("read(%s) failed: %s",
					i_stream_get_name(input),
					i_stream_get_error(input));
	} else if (error == NULL && ret == 0) {
		error = t_strdup_printf("read(%s): the stream is not blocking",
					i_stream_get_name(input));
	}
	if (error != NULL) {
		*error_r = error;
		return -1;
	}
	return 0;
}

static void mus_reply_mime_free(struct mus_reply_mime *ctx)
{
	str_free(&ctx->content_type);
	str_free(&ctx->disposition);
	str_free(&ctx->calendar);
	str_free(&ctx->text);
	str_free(&ctx->html);
	array_free(&ctx->reports);
	i_free(ctx->calendar_method);
	i_free(ctx->from);
	i_free(ctx->subject);
	i_free(ctx->message_id);
}

static void mus_reply_fill_headers(const struct mus_reply_mime *ctx,
				   pool_t pool, struct mus_reply *reply)
{
	if (ctx->from != NULL) {
		const struct message_address *addr;

		addr = message_address_parse(pool_datastack_create(),
					     (const unsigned char *)ctx->from,
					     strlen(ctx->from), 1, 0);
		if (addr != NULL && !addr->invalid_syntax &&
		    addr->mailbox != NULL && addr->domain != NULL &&
		    addr->mailbox[0] != '\0' && addr->domain[0] != '\0') {
			reply->from = p_strdup(pool, mus_reply_address(
				t_strconcat(addr->mailbox, "@", addr->domain,
					    NULL)));
		}
		if (addr != NULL && addr->name != NULL && addr->name[0] != '\0') {
			string_t *name = t_str_new(64);

			message_header_decode_utf8(
				(const unsigned char *)addr->name,
				strlen(addr->name), name, NULL);
			reply->from_name = p_strdup(pool, mus_reply_clean_text(
				str_data(name), str_len(name),
				MUS_REPLY_NAME_MAX_LEN, FALSE));
		}
	}
	if (ctx->subject != NULL) {
		string_t *subject = t_str_new(128);

		message_header_decode_utf8((const unsigned char *)ctx->subject,
					   strlen(ctx->subject), subject, NULL);
		reply->subject = p_strdup(pool, mus_reply_clean_text(
			str_data(subject), str_len(subject),
			MUS_REPLY_HEADER_MAX_LEN, FALSE));
	}
	if (ctx->message_id != NULL) {
		const char *p = ctx->message_id;
		const char *id = message_id_get_next(&p);

		if (id != NULL && strlen(id) <= MUS_REPLY_MESSAGE_ID_MAX_LEN)
			reply->message_id = p_strdup(pool, mus_reply_clean_text(
				id, strlen(id), MUS_REPLY_MESSAGE_ID_MAX_LEN,
				FALSE));
	}
	if (ctx->have_text) {
		reply->body_text = p_strdup(pool, mus_reply_clean_text(
			str_data(ctx->text), str_len(ctx->text),
			ctx->limits->max_body_size, TRUE));
	}
	if (ctx->have_html) {
		reply->body_html = p_strdup(pool, mus_reply_clean_text(
			str_data(ctx->html), str_len(ctx->html),
			ctx->limits->max_body_size, TRUE));
	}
	reply->tnef_only = ctx->tnef &&
		ctx->calendar_kind == MUS_REPLY_PART_SKIP;
}

/* ---- reading the iCalendar object ---- */

/* libical reports what it could not parse as X-LIC-ERROR properties and
   drops the thing at fault. Some of them are harmless and common in real
   replies (Google sends empty LOCATION: lines; clients add parameters and
   properties of later RFCs): an empty value, an unknown parameter name,
   an unknown property name. Anything else (a value that does not parse,
   a broken component) makes the object unusable. */
static bool mus_reply_ical_error_harmless(icalproperty *prop)
{
	icalparameter *param =
		icalproperty_get_first_parameter(prop,
						 ICAL_XLICERRORTYPE_PARAMETER);
	const char *text = icalproperty_get_xlicerror(prop);

	if (param == NULL || text == NULL)
		return FALSE;
	switch (icalparameter_get_xlicerrortype(param)) {
	case ICAL_XLICERRORTYPE_PARAMETERNAMEPARSEERROR:
		return TRUE;
	case ICAL_XLICERRORTYPE_PROPERTYPARSEERROR:
		return str_begins(text, "Parse error in property name");
	case ICAL_XLICERRORTYPE_VALUEPARSEERROR:
		return str_begins(text, "No value for ");
	default:
		return FALSE;
	}
}

static const char *mus_reply_ical_error(icalcomponent *comp)
{
	icalcomponent *sub;
	icalproperty *prop;

	for (prop = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	     prop != NULL;
	     prop = icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
		if (!mus_reply_ical_error_harmless(prop)) {
			const char *text = icalproperty_get_xlicerror(prop);

			return text == NULL ? "(no text)" : text;
		}
	}
	for (sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT)) {
		const char *error = mus_reply_ical_error(sub);

		if (error != NULL)
			return error;
	}
	return NULL;
}

/* Windows time zone names as Outlook and Exchange write them in TZID,
   and the city lists of their display names ("(UTC+01:00) Brussels,
   Copenhagen, Madrid, Paris", older Outlook's TZID). The four zones that
   contain Denmark's neighbours have had Copenhagen's rules since 1980, so
   they map to Europe/Copenhagen itself. */
static const struct {
	const char *windows, *cities, *olson;
} mus_reply_windows_zones[] = {
	{ "Romance Standard Time", "Brussels, Copenhagen, Madrid, Paris",
	  "Europe/Copenhagen" },
	{ "W. Europe Standard Time",
	  "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
	  "Europe/Copenhagen" },
	{ "Central Europe Standard Time",
	  "Belgrade, Bratislava, Budapest, Ljubljana, Prague",
	  "Europe/Copenhagen" },
	{ "Central European Standard Time", "Sarajevo, Skopje, Warsaw, Zagreb",
	  "Europe/Copenhagen" },
	{ "GMT Standard Time", "Dublin, Edinburgh, Lisbon, London",
	  "Europe/London" },
	{ "Greenwich Standard Time", "Monrovia, Reykjavik",
	  "Atlantic/Reykjavik" },
	{ "Greenland Standard Time", "Greenland", "America/Godthab" },
	{ "UTC", "Coordinated Universal Time", "UTC" },
	{ "GMT", NULL, "UTC" },
};

static icaltimezone *mus_reply_builtin_zone(const char *name)
{
	if (strcasecmp(name, "UTC") == 0)
		return icaltimezone_get_utc_timezone();
	return icaltimezone_get_builtin_timezone(name);
}

static icaltimezone *mus_reply_windows_zone(const char *tzid)
{
	const char *cities = NULL, *p;

	if (tzid[0] == '(' && (p = strchr(tzid, ')')) != NULL) {
		for (cities = p + 1; *cities == ' '; cities++) ;
	}
	for (unsigned int i = 0; i < N_ELEMENTS(mus_reply_windows_zones); i++) {
		if (strcasecmp(tzid, mus_reply_windows_zones[i].windows) == 0 ||
		    (cities != NULL && mus_reply_windows_zones[i].cities != NULL &&
		     strcasecmp(cities, mus_reply_windows_zones[i].cities) == 0))
			return mus_reply_builtin_zone(mus_reply_windows_zones[i].olson);
	}
	return NULL;
}

static unsigned int mus_reply_by_count(const short *by, unsigned int size)
{
	unsigned int count = 0;

	while (count < size && by[count] != ICAL_RECURRENCE_ARRAY_MAX)
		count++;
	return count;
}

/* libical expands every RRULE of a VTIMEZONE from its DTSTART up to five
   years past the time asked for, keeping each change: a rule that
   repeats every minute would take hours and gigabytes, and even yearly
   rules from the year 1 take seconds when there are many. Real zones have
   one or two rules (FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU, or in old ones
   BYMONTHDAY=8,9,10,11,12,13,14;BYDAY=SU for the second Sunday) starting
   in 1601 (Outlook) or 1970; historic changes have no RRULE. */
static const char *mus_reply_zone_rule_problem(icalcomponent *rule,
					       unsigned int *rrules)
{
	/* before the loop: a component has one property iterator */
	icalproperty *dtstart =
		icalcomponent_get_first_property(rule, ICAL_DTSTART_PROPERTY);
	int start_year = dtstart == NULL ? 0 :
		icalproperty_get_dtstart(dtstart).year;
	icalproperty *prop;

	for (prop = icalcomponent_get_first_property(rule, ICAL_RRULE_PROPERTY);
	     prop != NULL;
	     prop = icalcomponent_get_next_property(rule, ICAL_RRULE_PROPERTY)) {
		struct icalrecurrencetype r = icalproperty_get_rrule(prop);

		if (++*rrules > MUS_REPLY_MAX_ZONE_RRULES)
			return "too many RRULEs";
		if (r.freq != ICAL_YEARLY_RECURRENCE || r.interval < 1)
			return "an RRULE that does not repeat yearly";
		if (mus_reply_by_count(r.by_second, ICAL_BY_SECOND_SIZE) > 0 ||
		    mus_reply_by_count(r.by_minute, ICAL_BY_MINUTE_SIZE) > 0 ||
		    mus_reply_by_count(r.by_hour, ICAL_BY_HOUR_SIZE) > 0 ||
		    mus_reply_by_count(r.by_year_day, ICAL_BY_YEARDAY_SIZE) > 0 ||
		    mus_reply_by_count(r.by_week_no, ICAL_BY_WEEKNO_SIZE) > 0 ||
		    mus_reply_by_count(r.by_set_pos, ICAL_BY_SETPOS_SIZE) > 0 ||
		    mus_reply_by_count(r.by_month, ICAL_BY_MONTH_SIZE) > 1 ||
		    mus_reply_by_count(r.by_day, ICAL_BY_DAY_SIZE) > 1 ||
		    mus_reply_by_count(r.by_month_day, ICAL_BY_MONTHDAY_SIZE) > 7 ||
		    (mus_reply_by_count(r.by_month_day, ICAL_BY_MONTHDAY_SIZE) > 1 &&
		     mus_reply_by_count(r.by_day, ICAL_BY_DAY_SIZE) != 1))
			return "an RRULE that changes more than once a year";
		if (start_year < MUS_REPLY_ZONE_MIN_YEAR)
			return "an RRULE that starts before 1601";
	}
	return NULL;
}

/* Why the object's VTIMEZONE cannot be used, or NULL if it can. One
   without STANDARD or DAYLIGHT says nothing: libical would take its times
   as UTC. */
static const char *mus_reply_zone_problem(icaltimezone *zone)
{
	icalcomponent *vtz = icaltimezone_get_component(zone), *rule;
	unsigned int count = 0, rrules = 0;

	if (vtz == NULL)
		return "no VTIMEZONE";
	for (rule = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     rule != NULL;
	     rule = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		const char *problem;

		if (icalcomponent_isa(rule) != ICAL_XSTANDARD_COMPONENT &&
		    icalcomponent_isa(rule) != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		if (++count > MUS_REPLY_MAX_ZONE_RULES)
			return "too many STANDARD and DAYLIGHT rules";
		problem = mus_reply_zone_rule_problem(rule, &rrules);
		if (problem != NULL)
			return problem;
	}
	return count == 0 ? "no STANDARD or DAYLIGHT rule" : NULL;
}

/* The zone a TZID names: the object's own VTIMEZONE, an Olson name
   (also behind a prefix such as libical's "/freeassociation.sourceforge.net/"
   or old Lightning's "/mozilla.org/20070129_1/"), or a Windows name.
   When the object has a VTIMEZONE that is not used, *problem_r says why. */
static icaltimezone *mus_reply_zone(icalcomponent *root, const char *tzid,
				    const char **problem_r)
{
	icaltimezone *zone;

	*problem_r = NULL;
	zone = icalcomponent_get_timezone(root, tzid);
	if (zone != NULL) {
		*problem_r = mus_reply_zone_problem(zone);
		if (*problem_r == NULL)
			return zone;
	}
	zone = mus_reply_builtin_zone(tzid);
	for (const char *p = tzid; zone == NULL && *p != '\0'; p++) {
		if (*p == '/' && p[1] != '\0')
			zone = mus_reply_builtin_zone(p + 1);
	}
	if (zone == NULL)
		zone = mus_reply_windows_zone(tzid);
	return zone;
}

/* The UTC time of a DTSTART or DTEND property. */
static int mus_reply_prop_time(icalcomponent *root, icalproperty *prop,
			       const char *name, const char *default_tz,
			       time_t *time_r, const char **error_r)
{
	icalvalue *value = icalproperty_get_value(prop);
	icalparameter *param;
	struct icaltimetype tt;
	icaltimezone *zone;

	if (value == NULL || (icalvalue_isa(value) != ICAL_DATETIME_VALUE &&
			      icalvalue_isa(value) != ICAL_DATE_VALUE)) {
		*error_r = t_strdup_printf("%s is not a date or a time", name);
		return -1;
	}
	tt = icalvalue_get_datetime(value);
	if (icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt)) {
		*error_r = t_strdup_printf("%s is not a valid time", name);
		return -1;
	}
	if (tt.year < MUS_REPLY_MIN_YEAR || tt.year > MUS_REPLY_MAX_YEAR) {
		*error_r = t_strdup_printf("%s is in the year %d, not in %d-%d",
					   name, tt.year, MUS_REPLY_MIN_YEAR,
					   MUS_REPLY_MAX_YEAR);
		return -1;
	}
	param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
	if (icaltime_is_utc(tt)) {
		zone = icaltimezone_get_utc_timezone();
	} else if (param != NULL && icalparameter_get_tzid(param) != NULL) {
		const char *tzid = icalparameter_get_tzid(param), *problem;

		zone = mus_reply_zone(root, tzid, &problem);
		if (zone == NULL && problem != NULL) {
			*error_r = t_strdup_printf(
				"%s is in an unknown time zone '%s' whose VTIMEZONE "
				"is refused: %s", name,
				str_sanitize_utf8(tzid, 64), problem);
			return -1;
		}
		if (zone == NULL) {
			*error_r = t_strdup_printf(
				"%s is in an unknown time zone '%s' (no VTIMEZONE "
				"in the object, no Olson or Windows name)",
				name, str_sanitize_utf8(tzid, 64));
			return -1;
		}
	} else {
		/* floating, or a date */
		zone = default_tz == NULL ? NULL :
			mus_reply_builtin_zone(default_tz);
		if (zone == NULL)
			zone = icaltimezone_get_utc_timezone();
	}
	*time_r = icaltime_as_timet_with_zone(tt, zone);
	return 0;
}

static int mus_reply_counter_times(icalcomponent *root, icalcomponent *event,
				   const struct mus_reply_limits *limits,
				   struct mus_reply *reply,
				   const char **error_r)
{
	icalproperty *start, *end, *duration;
	time_t start_time, end_time;

	start = icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
	end = icalcomponent_get_first_property(event, ICAL_DTEND_PROPERTY);
	duration = icalcomponent_get_first_property(event, ICAL_DURATION_PROPERTY);
	if (start == NULL) {
		*error_r = "the COUNTER proposes no DTSTART";
		return -1;
	}
	/* a conversation is held once; a recurrence is never expanded */
	if (icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY) != NULL ||
	    icalcomponent_get_first_property(event, ICAL_RDATE_PROPERTY) != NULL) {
		*error_r = "the COUNTER proposes a recurring time (RRULE or "
			"RDATE); a conversation is held once";
		return -1;
	}
	if (mus_reply_prop_time(root, start, "DTSTART",
				limits->default_timezone, &start_time,
				error_r) < 0)
		return -1;
	if (end != NULL) {
		if (mus_reply_prop_time(root, end, "DTEND",
					limits->default_timezone, &end_time,
					error_r) < 0)
			return -1;
	} else if (duration != NULL) {
		struct icaldurationtype dur = icalproperty_get_duration(duration);

		end_time = start_time + icaldurationtype_as_int(dur);
	} else {
		*error_r = "the COUNTER proposes no DTEND or DURATION";
		return -1;
	}
	if (end_time <= start_time) {
		*error_r = "the COUNTER's proposed end is not after its start";
		return -1;
	}
	reply->counter_start = start_time;
	reply->counter_end = end_time;
	return 0;
}

/* A REPLY's DTSTART says which time it answers; a time that cannot be
   read is left out, as the answer is valid without it. */
static void mus_reply_answered_start(icalcomponent *root, icalcomponent *event,
				     const struct mus_reply_limits *limits,
				     struct mus_reply *reply)
{
	icalproperty *start =
		icalcomponent_get_first_property(event, ICAL_DTSTART_PROPERTY);
	const char *error;

	if (start != NULL &&
	    mus_reply_prop_time(root, start, "DTSTART", limits->default_timezone,
				&reply->start, &error) < 0)
		reply->start = 0;
}

static enum mus_reply_partstat mus_reply_partstat(icalproperty *prop)
{
	icalparameter *param =
		icalproperty_get_first_parameter(prop, ICAL_PARTSTAT_PARAMETER);

	if (param == NULL)
		return MUS_REPLY_PARTSTAT_NEEDS_ACTION;
	switch (icalparameter_get_partstat(param)) {
	case ICAL_PARTSTAT_NEEDSACTION:
		return MUS_REPLY_PARTSTAT_NEEDS_ACTION;
	case ICAL_PARTSTAT_ACCEPTED:
		return MUS_REPLY_PARTSTAT_ACCEPTED;
	case ICAL_PARTSTAT_DECLINED:
		return MUS_REPLY_PARTSTAT_DECLINED;
	case ICAL_PARTSTAT_TENTATIVE:
		return MUS_REPLY_PARTSTAT_TENTATIVE;
	case ICAL_PARTSTAT_DELEGATED:
		return MUS_REPLY_PARTSTAT_DELEGATED;
	default:
		return MUS_REPLY_PARTSTAT_OTHER;
	}
}

/* Google puts the attendee's note in an X-RESPONSE-COMMENT parameter. */
static const char *mus_reply_x_comment(icalproperty *prop)
{
	icalparameter *param;

	for (param = icalproperty_get_first_parameter(prop, ICAL_X_PARAMETER);
	     param != NULL;
	     param = icalproperty_get_next_parameter(prop, ICAL_X_PARAMETER)) {
		const char *name = icalparameter_get_xname(param);

		if (name != NULL && strcasecmp(name, "X-RESPONSE-COMMENT") == 0)
			return icalparameter_get_xvalue(param);
	}
	return NULL;
}

/* The COMMENT properties of the event, joined by newlines. */
static const char *mus_reply_event_comment(icalcomponent *event)
{
	string_t *str = t_str_new(128);
	icalproperty *prop;

	for (prop = icalcomponent_get_first_property(event, ICAL_COMMENT_PROPERTY);
	     prop != NULL;
	     prop = icalcomponent_get_next_property(event, ICAL_COMMENT_PROPERTY)) {
		const char *text = icalproperty_get_comment(prop);

		if (text == NULL || text[0] == '\0')
			continue;
		if (str_len(str) > 0)
			str_append_c(str, '\n');
		str_append(str, text);
	}
	return str_len(str) == 0 ? NULL : str_c(str);
}

static int mus_reply_attendees(icalcomponent *event,
			       const struct mus_reply_limits *limits,
			       pool_t pool, struct mus_reply *reply,
			       const char **error_r)
{
	struct mus_reply_attendee *attendees;
	icalproperty *prop;
	unsigned int count, i;

	count = icalcomponent_count_properties(event, ICAL_ATTENDEE_PROPERTY);
	if (count > limits->max_attendees) {
		*error_r = t_strdup_printf(
			"the VEVENT has %u ATTENDEEs, more than %u "
			"(mus_max_ical_attendees)", count,
			limits->max_attendees);
		return -1;
	}
	if ((reply->method == MUS_REPLY_METHOD_REPLY ||
	     reply->method == MUS_REPLY_METHOD_REFRESH) && count != 1) {
		*error_r = t_strdup_printf(
			"a %s must carry exactly one ATTENDEE, this one has %u",
			reply->method_name, count);
		return -1;
	}
	attendees = p_new(pool, struct mus_reply_attendee, I_MAX(count, 1));
	i = 0;
	for (prop = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY);
	     prop != NULL && i < count;
	     prop = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY)) {
		const char *value = icalproperty_get_attendee(prop);
		const char *address = mus_reply_address(value);
		icalparameter *cn =
			icalproperty_get_first_parameter(prop, ICAL_CN_PARAMETER);
		const char *comment = mus_reply_x_comment(prop);

		if (address == NULL) {
			*error_r = t_strdup_printf(
				"ATTENDEE '%s' is not a mail address",
				value == NULL ? "" : str_sanitize_utf8(value, 64));
			return -1;
		}
		attendees[i].address = p_strdup(pool, address);
		if (cn != NULL) {
			attendees[i].name = mus_reply_pool_text(pool,
				icalparameter_get_cn(cn), MUS_REPLY_NAME_MAX_LEN,
				FALSE);
		}
		attendees[i].partstat = mus_reply_partstat(prop);
		if (comment == NULL && count == 1)
			comment = reply->comment;
		attendees[i].comment = mus_reply_pool_text(pool, comment,
			MUS_REPLY_COMMENT_MAX_LEN, TRUE);
		i++;
	}
	reply->attendees = attendees;
	reply->attendee_count = i;
	return 0;
}

static enum mus_reply_method mus_reply_method(icalproperty_method method)
{
	switch (method) {
	case ICAL_METHOD_REPLY:
		return MUS_REPLY_METHOD_REPLY;
	case ICAL_METHOD_COUNTER:
		return MUS_REPLY_METHOD_COUNTER;
	case ICAL_METHOD_REFRESH:
		return MUS_REPLY_METHOD_REFRESH;
	default:
		return MUS_REPLY_METHOD_OTHER;
	}
}

/* METHOD inside the object, else the part's method= parameter. Returns
   FALSE if there is neither. */
static bool mus_reply_find_method(icalcomponent *root, const char *mime_method,
				  struct mus_reply *reply)
{
	icalproperty *prop =
		icalcomponent_get_first_property(root, ICAL_METHOD_PROPERTY);
	const char *name = NULL;

	if (prop != NULL) {
		/* the _r variant: libical's temporary buffers are kept in a
		   ring that is freed only at exit */
		char *value = icalproperty_get_value_as_string_r(prop);

		name = t_strdup(value);
		free(value);
	}
	if (name == NULL || name[0] == '\0')
		name = mime_method;
	if (name == NULL || name[0] == '\0')
		return FALSE;
	name = t_str_ucase(name);
	reply->method = mus_reply_method(icalproperty_string_to_method(name));
	reply->method_name = name;
	return TRUE;
}

/* The VEVENT to read: the first without RECURRENCE-ID, else the first.
   Every VEVENT must have the same UID. */
static icalcomponent *mus_reply_find_event(icalcomponent *root,
					   const struct mus_reply_limits *limits,
					   const char **error_r)
{
	icalcomponent *event, *chosen = NULL;
	const char *uid = NULL;
	unsigned int count = 0;

	for (event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	     event != NULL;
	     event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
		const char *event_uid = icalcomponent_get_uid(event);

		if (++count > limits->max_vevents) {
			*error_r = t_strdup_printf(
				"the object has more than %u VEVENTs "
				"(mus_max_ical_events)",
				limits->max_vevents);
			return NULL;
		}
		if (event_uid == NULL || event_uid[0] == '\0') {
			*error_r = "a VEVENT has no UID";
			return NULL;
		}
		if (uid == NULL) {
			uid = t_strdup(event_uid);
		} else if (strcmp(uid, event_uid) != 0) {
			*error_r = t_strdup_printf(
				"the object has VEVENTs with different UIDs "
				"('%s' and '%s')", str_sanitize_utf8(uid, 64),
				str_sanitize_utf8(event_uid, 64));
			return NULL;
		}
		if (chosen == NULL ||
		    (icalcomponent_get_first_property(chosen,
				ICAL_RECURRENCEID_PROPERTY) != NULL &&
		     icalcomponent_get_first_property(event,
				ICAL_RECURRENCEID_PROPERTY) == NULL))
			chosen = event;
	}
	if (chosen == NULL)
		*error_r = "the object has no VEVENT";
	return chosen;
}

static int mus_reply_read_object(icalcomponent *root, const char *mime_method,
				 const struct mus_reply_limits *limits,
				 pool_t pool, struct mus_reply *reply,
				 const char **error_r)
{
	icalcomponent *event;
	icalproperty *prop;
	const char *error, *uid;

	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		*error_r = icalcomponent_isa(root) == ICAL_XROOT_COMPONENT ?
			"the iCalendar part holds more than one VCALENDAR" :
			t_strdup_printf("the iCalendar part holds a %s, not a VCALENDAR",
				icalcomponent_kind_to_string(icalcomponent_isa(root)));
		return -1;
	}
	error = mus_reply_ical_error(root);
	if (error != NULL) {
		*error_r = t_strdup_printf("broken iCalendar: %s",
					   str_sanitize_utf8(error, 200));
		return -1;
	}
	if (!mus_reply_find_method(root, mime_method, reply)) {
		/* a calendar without METHOD is no iTIP object */
		return 0;
	}
	event = mus_reply_find_event(root, limits, error_r);
	if (event == NULL)
		return -1;

	uid = icalcomponent_get_uid(event);
	if (strlen(uid) > MUS_REPLY_UID_MAX_LEN) {
		*error_r = t_strdup_printf("the UID is longer than %u bytes",
					   MUS_REPLY_UID_MAX_LEN);
		return -1;
	}
	reply->uid = mus_reply_pool_text(pool, uid, MUS_REPLY_UID_MAX_LEN, FALSE);
	if (reply->uid == NULL) {
		*error_r = "a VEVENT has no UID";
		return -1;
	}
	reply->sequence = -1;
	prop = icalcomponent_get_first_property(event, ICAL_SEQUENCE_PROPERTY);
	if (prop != NULL) {
		reply->sequence = icalproperty_get_sequence(prop);
		if (reply->sequence < 0) {
			*error_r = t_strdup_printf("SEQUENCE %d is negative",
						   reply->sequence);
			return -1;
		}
	}
	prop = icalcomponent_get_first_property(event, ICAL_ORGANIZER_PROPERTY);
	if (prop != NULL) {
		reply->organizer = p_strdup(pool, mus_reply_address(
			icalproperty_get_organizer(prop)));
	}
	reply->comment = mus_reply_pool_text(pool,
		mus_reply_event_comment(event), MUS_REPLY_COMMENT_MAX_LEN, TRUE);
	reply->method_name = mus_reply_pool_text(pool, reply->method_name,
						 MUS_REPLY_METHOD_MAX_LEN, FALSE);
	if (reply->method_name == NULL)
		reply->method_name = "?";
	if (reply->method == MUS_REPLY_METHOD_OTHER)
		return 1;

	if (mus_reply_attendees(event, limits, pool, reply, error_r) < 0)
		return -1;
	if (reply->method == MUS_REPLY_METHOD_COUNTER &&
	    mus_reply_counter_times(root, event, limits, reply, error_r) < 0)
		return -1;
	if (reply->method == MUS_REPLY_METHOD_REPLY)
		mus_reply_answered_start(root, event, limits, reply);
	return 1;
}

static int mus_reply_read_ical(const struct mus_reply_mime *ctx, pool_t pool,
			       struct mus_reply *reply, const char **error_r)
{
	const char *part = ctx->calendar_kind == MUS_REPLY_PART_CALENDAR ?
		"text/calendar" : "application/ics";
	icalcomponent *root;
	int ret;

	root = icalparser_parse_string(str_c(ctx->calendar));
	if (root == NULL) {
		*error_r = t_strdup_printf(
			"the %s part holds no complete iCalendar object", part);
		return -1;
	}
	ret = mus_reply_read_object(root, ctx->calendar_method, ctx->limits,
				    pool, reply, error_r);
	icalcomponent_free(root);
	return ret;
}

static int mus_reply_parse_real(struct istream *input,
				const struct mus_reply_limits *limits,
				pool_t pool, struct mus_reply **reply_r,
				const char **error_r)
{
	struct mus_reply_mime ctx;
	struct mus_reply *reply;
	uoff_t size;
	int ret;

	i_assert(limits->max_message_size > 0 && limits->max_calendar_size > 0 &&
		 limits->max_body_size > 0 && limits->max_parts > 0 &&
		 limits->max_depth > 0 && limits->max_attachments > 0 &&
		 limits->max_attendees > 0 && limits->max_vevents > 0);
	if (i_stream_get_size(input, TRUE, &size) > 0 &&
	    size > limits->max_message_size) {
		*error_r = t_strdup_printf(
			"the message is %"PRIuUOFF_T" bytes, more than %"PRIuUOFF_T
			" (mus_max_message_size)", size, limits->max_message_size);
		return -1;
	}

	i_zero(&ctx);
	ctx.limits = limits;
	ctx.content_type = str_new(default_pool, 128);
	ctx.disposition = str_new(default_pool, 128);
	ctx.calendar = str_new(default_pool, 4096);
	ctx.text = str_new(default_pool, 1024);
	ctx.html = str_new(default_pool, 1024);
	i_array_init(&ctx.reports, 4);
	if (mus_reply_read_mime(&ctx, input, error_r) < 0) {
		mus_reply_mime_free(&ctx);
		return -1;
	}

	reply = p_new(pool, struct mus_reply, 1);
	reply->sequence = -1;
	mus_reply_fill_headers(&ctx, pool, reply);
	ret = 0;
	if (ctx.calendar_kind != MUS_REPLY_PART_SKIP)
		ret = mus_reply_read_ical(&ctx, pool, reply, error_r);
	mus_reply_mime_free(&ctx);
	if (ret < 0)
		return -1;
	*reply_r = reply;
	return ret;
}

void mus_reply_limits_init(struct mus_reply_limits *limits_r,
			   const struct mus_settings *set)
{
	const struct mus_reply_limits defaults = MUS_REPLY_LIMITS_DEFAULT;

	*limits_r = defaults;
	limits_r->max_message_size = set->max_message_size;
	limits_r->max_calendar_size = set->max_ical_size;
	limits_r->max_parts = set->max_mime_parts;
	limits_r->max_depth = set->max_mime_depth;
	limits_r->max_attachments = set->max_attachments;
	limits_r->max_attendees = set->max_ical_attendees;
	limits_r->max_vevents = set->max_ical_events;
	limits_r->default_timezone = set->timezone;
}

int mus_reply_parse(struct istream *input,
		    const struct mus_reply_limits *limits, pool_t pool,
		    struct mus_reply **reply_r, const char **error_r)
{
	struct mus_reply *reply = NULL;
	const char *error = NULL;
	int ret;

	/* the results must outlive the data stack frame */
	i_assert(!pool->datastack_pool);
	T_BEGIN {
		ret = mus_reply_parse_real(input, limits, pool, &reply, &error);
	} T_END_PASS_STR_IF(ret < 0, &error);
	if (ret < 0)
		*error_r = error;
	else
		*reply_r = reply;
	return ret;
}

/* ---- card choices ---- */

enum mus_reply_subject_kind {
	MUS_REPLY_SUBJECT_NONE = 0,
	/* "[uid-short]" somewhere: a reply to the invitation */
	MUS_REPLY_SUBJECT_REFERENCE,
	/* "Samtalekort uid-short": written to choose cards */
	MUS_REPLY_SUBJECT_CARDS,
};

static bool mus_reply_uid_char(char c)
{
	return i_isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* Skip reply and forward prefixes (Re:, SV:, AW:, Fwd:, VS:, WG:, also
   "Re[2]:") and, with tags, leading "[tag]"s (a gateway's [EKSTERN]). */
static const char *mus_reply_skip_prefixes(const char *s, bool tags)
{
	static const char *const prefixes[] = {
		"re", "sv", "aw", "fw", "fwd", "vs", "wg", "antw", "tr", "rv",
	};

	for (;;) {
		const char *p;
		size_t len;
		bool known = FALSE;

		while (*s == ' ' || *s == '\t')
			s++;
		if (tags && *s == '[' && (p = strchr(s, ']')) != NULL) {
			s = p + 1;
			continue;
		}
		for (p = s; i_isalpha(*p); p++) ;
		len = p - s;
		for (unsigned int i = 0; i < N_ELEMENTS(prefixes); i++) {
			if (strlen(prefixes[i]) == len &&
			    strncasecmp(s, prefixes[i], len) == 0)
				known = TRUE;
		}
		if (!known)
			return s;
		if (*p == '[' || *p == '(') {
			for (p++; i_isdigit(*p); p++) ;
			if (*p != ']' && *p != ')')
				return s;
			p++;
		}
		while (*p == ' ')
			p++;
		if (*p != ':')
			return s;
		s = p + 1;
	}
}

/* The uid-short at s, or NULL if there is none. */
static const char *mus_reply_uid_token(const char *s)
{
	const char *p, *end;

	for (p = s; mus_reply_uid_char(*p); p++) ;
	end = p;
	/* a whole UID copied from the invitation, "<hex>@<domain>": the part
	   before '@' is the reference */
	if (*p == '@') {
		for (p++; mus_reply_uid_char(*p); p++) ;
	}
	if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ']' && *p != ',' &&
	    *p != ':' && *p != ')')
		return NULL;
	/* "Samtalekort 7f3a9c2e." ends a sentence */
	if (end == p) {
		while (end > s && end[-1] == '.')
			end--;
	}
	/* shorter than the references the mails carry, it would match
	   whichever conversations happen to start so */
	if ((size_t)(end - s) < MUS_CONVERSATION_REFERENCE_LEN ||
	    (size_t)(end - s) > MUS_INVITATION_UID_SHORT_MAX_LEN)
		return NULL;
	/* our UIDs are lower case; people may type the reference in upper */
	return t_str_lcase(t_strdup_until(s, end));
}

static enum mus_reply_subject_kind
mus_reply_subject(const char *subject, const char **uid_short_r,
		  enum mus_language *language_r)
{
	static const struct {
		const char *word;
		enum mus_language language;
	} words[] = {
		{ MUS_INVITATION_CARDS_SUBJECT_DA, MUS_LANGUAGE_DA },
		{ MUS_INVITATION_CARDS_SUBJECT_EN, MUS_LANGUAGE_EN },
	};
	const char *s, *last = NULL;

	*uid_short_r = NULL;
	if (subject == NULL)
		return MUS_REPLY_SUBJECT_NONE;
	s = mus_reply_skip_prefixes(subject, TRUE);
	for (unsigned int i = 0; i < N_ELEMENTS(words); i++) {
		size_t len = strlen(words[i].word);

		if (strncasecmp(s, words[i].word, len) != 0 ||
		    (s[len] != ' ' && s[len] != ':' && s[len] != '\t' &&
		     s[len] != '\0'))
			continue;
		for (s += len; *s == ' ' || *s == ':' || *s == '\t' ||
			       *s == '['; s++) ;
		*uid_short_r = mus_reply_uid_token(s);
		*language_r = words[i].language;
		return MUS_REPLY_SUBJECT_CARDS;
	}
	for (s = subject; (s = strchr(s, '[')) != NULL; s++) {
		const char *uid = mus_reply_uid_token(s + 1);
		size_t len = uid == NULL ? 0 : strlen(uid);

		if (uid != NULL && s[1 + len] == ']')
			last = uid;
	}
	*uid_short_r = last;
	return last == NULL ? MUS_REPLY_SUBJECT_NONE :
		MUS_REPLY_SUBJECT_REFERENCE;
}

const char *mus_reply_subject_base(const char *subject)
{
	string_t *base;
	const char *s, *end;

	if (subject == NULL)
		return NULL;
	/* leading "[tag]"s stay (one may be the reference); the prefixes
	   before and after them go */
	base = t_str_new(strlen(subject) + 1);
	for (s = mus_reply_skip_prefixes(subject, FALSE);
	     *s == '[' && (end = strchr(s, ']')) != NULL;
	     s = mus_reply_skip_prefixes(end + 1, FALSE)) {
		str_append_data(base, s, end + 1 - s);
		str_append_c(base, ' ');
	}
	str_append(base, s);
	return str_c(base);
}

const char *mus_reply_subject_words(const char *subject)
{
	return subject == NULL ? NULL : mus_reply_skip_prefixes(subject, TRUE);
}

const char *mus_reply_subject_reference(const char *subject)
{
	enum mus_language language;
	const char *uid_short;

	return mus_reply_subject(subject, &uid_short, &language) ==
		MUS_REPLY_SUBJECT_REFERENCE ? uid_short : NULL;
}

/* The codes after the keyword of the last card line, or NULL if there is
   no card line. */
static const char *mus_reply_card_line(const char *body,
				       enum mus_language *language_r)
{
	static const struct {
		const char *word;
		enum mus_language language;
	} words[] = {
		{ MUS_INVITATION_CARDS_KEYWORD_DA, MUS_LANGUAGE_DA },
		{ MUS_INVITATION_CARDS_KEYWORD_EN, MUS_LANGUAGE_EN },
	};
	const char *const *lines = mus_mailtext_reply_lines(body);
	const char *found = NULL;

	for (unsigned int i = 0; lines[i] != NULL; i++) {
		const char *line = lines[i];

		if (line[0] == '>')
			continue;
		for (unsigned int w = 0; w < N_ELEMENTS(words); w++) {
			size_t len = strlen(words[w].word);
			const char *p = line + len;

			if (strncasecmp(line, words[w].word, len) != 0)
				continue;
			while (*p == ' ')
				p++;
			if (*p != ':')
				continue;
			found = p + 1;
			*language_r = words[w].language;
		}
	}
	return found;
}

static int mus_reply_split_codes(const char *line, pool_t pool,
				 struct mus_card_choice *choice,
				 const char **error_r)
{
	enum mus_language lang = choice->language;
	ARRAY_TYPE(const_string) codes;
	const char *const *tokens = t_strsplit_spaces(line, " ,;");

	t_array_init(&codes, 8);
	for (; *tokens != NULL; tokens++) {
		const char *start = *tokens, *end = start + strlen(start);
		const char *code, *old;
		bool dup = FALSE;

		/* "senior." and "'sparring'" mean senior and sparring */
		while (start < end && !i_isalnum(*start) && *start != '-')
			start++;
		while (end > start && !i_isalnum(end[-1]) && end[-1] != '-')
			end--;
		if (start == end)
			continue;
		if ((size_t)(end - start) > MUS_CARD_CODE_MAX_LEN) {
			*error_r = t_strdup_printf(MUS_L(lang,
				"kortkoden '%s' er længere end %u tegn",
				"card code '%s' is longer than %u characters"),
				str_sanitize_utf8(t_strdup_until(start, end), 48),
				MUS_CARD_CODE_MAX_LEN);
			return -1;
		}
		code = t_str_lcase(t_strdup_until(start, end));
		array_foreach_elem(&codes, old) {
			if (strcmp(old, code) == 0)
				dup = TRUE;
		}
		if (dup)
			continue;
		if (array_count(&codes) == MUS_REPLY_MAX_CARD_CODES) {
			*error_r = t_strdup_printf(MUS_L(lang,
				"mere end %u kortkoder på én linje",
				"more than %u card codes in one line"),
				MUS_REPLY_MAX_CARD_CODES);
			return -1;
		}
		array_push_back(&codes, &code);
	}
	if (array_count(&codes) == 0) {
		*error_r = MUS_L(lang,
			"ingen kortkoder: linjen med kort nævner ingen",
			"no card codes found: the card line names none");
		return -1;
	}
	choice->code_count = array_count(&codes);
	array_append_zero(&codes);
	choice->codes = p_strarray_dup(pool, array_front(&codes));
	return 0;
}

static int mus_reply_parse_cards_real(const char *subject,
				      const char *body_text,
				      const char *body_html, pool_t pool,
				      struct mus_card_choice *choice_r,
				      const char **error_r)
{
	struct mus_card_choice choice;
	enum mus_reply_subject_kind kind;
	enum mus_language subject_language = MUS_LANGUAGE_DA;
	const char *uid_short, *body, *line;

	i_zero(&choice);
	kind = mus_reply_subject(subject, &uid_short, &subject_language);
	body = mus_mailtext_body(body_text, body_html);
	choice.language = subject_language;
	line = mus_reply_card_line(body, &choice.language);
	/* an error is in the mail's language, and says which */
	choice_r->language = choice.language;

	if (line == NULL) {
		if (kind != MUS_REPLY_SUBJECT_CARDS)
			return 0;
		*error_r = t_strdup_printf(MUS_L(choice.language,
			"ingen kortkoder: ingen linje som '%s: a, b' i mailen",
			"no card codes found: no line like '%s: a, b' in the mail"),
			MUS_L(choice.language,
				    MUS_INVITATION_CARDS_KEYWORD_DA,
				    MUS_INVITATION_CARDS_KEYWORD_EN));
		return -1;
	}
	if (uid_short == NULL) {
		*error_r = t_strdup_printf(MUS_L(choice.language,
			"ingen samtalereference i emnet: skriv '%s <kode>' som "
			"emne, eller svar på invitationen",
			"no conversation reference in the subject: write '%s <code>' "
			"as the subject, or reply to the invitation"),
			MUS_L(choice.language,
				    MUS_INVITATION_CARDS_SUBJECT_DA,
				    MUS_INVITATION_CARDS_SUBJECT_EN));
		return -1;
	}
	if (mus_reply_split_codes(line, pool, &choice, error_r) < 0)
		return -1;
	choice.uid_short = p_strdup(pool, uid_short);
	*choice_r = choice;
	return 1;
}

int mus_reply_parse_cards(const char *subject, const char *body_text,
			  const char *body_html, pool_t pool,
			  struct mus_card_choice *choice_r,
			  const char **error_r)
{
	const char *error = NULL;
	int ret;

	i_assert(!pool->datastack_pool);
	T_BEGIN {
		ret = mus_reply_parse_cards_real(subject, body_text, body_html,
						 pool, choice_r, &error);
	} T_END_PASS_STR_IF(ret < 0, &error);
	if (ret < 0)
		*error_r = error;
	return ret;
}
