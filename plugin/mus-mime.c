/* Finding iCalendar content in MIME messages, with Dovecot's lib-mail
   parsers. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "rfc822-parser.h"
#include "message-parser.h"
#include "mus-mime.h"

ARRAY_DEFINE_TYPE(mus_message_part, const struct message_part *);

/* The type/subtype of a Content-Type value, lower-cased, or "" if it does
   not parse. From the data stack. */
static const char *mus_mime_type(const char *value)
{
	struct rfc822_parser_context parser;
	string_t *type = t_str_new(64);
	int ret;

	rfc822_parser_init(&parser, (const unsigned char *)value,
			   strlen(value), NULL);
	rfc822_skip_lwsp(&parser);
	ret = rfc822_parse_content_type(&parser, type);
	rfc822_parser_deinit(&parser);
	if (ret < 0)
		return "";
	return t_str_lcase(str_c(type));
}

bool mus_mime_is_calendar_type(const char *value)
{
	const char *type = mus_mime_type(value);

	return strcmp(type, "text/calendar") == 0 ||
		strcmp(type, "application/ics") == 0;
}

enum mus_mime_class mus_mime_classify_content_type(const char *value)
{
	if (value == NULL)
		return MUS_MIME_NOT_CALENDAR;
	if (mus_mime_is_calendar_type(value))
		return MUS_MIME_CALENDAR;
	if (str_begins(mus_mime_type(value), "multipart/"))
		return MUS_MIME_MULTIPART;
	return MUS_MIME_NOT_CALENDAR;
}

static bool mus_mime_inside(const struct message_part *part,
			    const ARRAY_TYPE(mus_message_part) *reports)
{
	const struct message_part *report;

	for (; part != NULL; part = part->parent) {
		array_foreach_elem(reports, report) {
			if (report == part)
				return TRUE;
		}
	}
	return FALSE;
}

int mus_mime_find_calendar(struct istream *input, const char **error_r)
{
	const struct message_parser_settings parser_set = {
		.hdr_flags = MESSAGE_HEADER_PARSER_FLAG_CLEAN_ONELINE,
	};
	struct message_parser_ctx *parser;
	struct message_part *parts;
	struct message_block block;
	ARRAY_TYPE(mus_message_part) reports;
	pool_t pool = pool_alloconly_create("mus mime parts", 4096);
	int found = 0, ret;

	t_array_init(&reports, 4);
	parser = message_parser_init(pool, input, &parser_set);
	while (found == 0 &&
	       (ret = message_parser_parse_next_block(parser, &block)) > 0) {
		const char *value;

		if (block.hdr == NULL ||
		    strcasecmp(block.hdr->name, "Content-Type") != 0)
			continue;
		if (block.hdr->continues) {
			block.hdr->use_full_value = TRUE;
			continue;
		}
		if (mus_mime_inside(block.part, &reports))
			continue;
		value = t_strndup(block.hdr->full_value,
				  block.hdr->full_value_len);
		if (strcmp(mus_mime_type(value), "multipart/report") == 0) {
			const struct message_part *report = block.part;

			array_push_back(&reports, &report);
		} else if (mus_mime_is_calendar_type(value)) {
			found = 1;
		}
	}
	message_parser_deinit(&parser, &parts);
	pool_unref(&pool);
	if (found == 0 && input->stream_errno != 0) {
		*error_r = t_strdup_printf("read(%s) failed: %s",
					   i_stream_get_name(input),
					   i_stream_get_error(input));
		return -1;
	}
	return found;
}
