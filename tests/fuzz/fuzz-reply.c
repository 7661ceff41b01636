/* libFuzzer target for reading replies: every input is a mail message
   given to mus_reply_parse(), whose subject and bodies then go to
   mus_reply_parse_cards(); the raw bytes also go to
   mus_reply_parse_cards() directly (first line as the subject, the rest
   as plain and as HTML body), since the decoder would otherwise hand it
   only valid UTF-8. Built and run by `make fuzz`. */

#include "lib.h"
#include "istream.h"
#include "mus-reply.h"
#include "mus-fuzz.h"


static void fuzz_cards(const uint8_t *data, size_t size, pool_t pool)
{
	struct mus_card_choice choice;
	const char *text = t_strndup(data, size), *subject, *body, *error;
	const char *nl = strchr(text, '\n');

	if (nl == NULL) {
		subject = text;
		body = NULL;
	} else {
		subject = t_strdup_until(text, nl);
		body = nl + 1;
	}
	(void)mus_reply_parse_cards(subject, body, NULL, pool, &choice, &error);
	(void)mus_reply_parse_cards(subject, NULL, body, pool, &choice, &error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;

	mus_fuzz_init();
	/* small enough that the limits are reached too */
	limits.max_parts = 20;
	limits.max_depth = 4;
	limits.max_attachments = 4;
	limits.max_attendees = 20;
	limits.max_vevents = 8;
	T_BEGIN {
		pool_t pool = pool_alloconly_create("fuzz reply", 1024);
		struct istream *input = i_stream_create_from_data(data, size);
		struct mus_card_choice choice;
		struct mus_reply *reply;
		const char *error;

		if (mus_reply_parse(input, &limits, pool, &reply, &error) >= 0) {
			(void)mus_reply_parse_cards(reply->subject,
						    reply->body_text,
						    reply->body_html, pool,
						    &choice, &error);
		}
		i_stream_unref(&input);
		fuzz_cards(data, size, pool);
		pool_unref(&pool);
	} T_END;
	return 0;
}
