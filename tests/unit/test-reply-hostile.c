/* Unit tests of hostile messages to the organizer: generated inputs far
   over the mus_max_* limits are refused with an error naming the limit's
   setting. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "mus-settings.h"
#include "mus-reply.h"
#include "mus-test.h"

/* The limits of a configuration with one mus_max_* setting given (key
   NULL: the defaults). */
static void test_limits(const char *key, const char *value,
			struct mus_reply_limits *limits_r)
{
	const struct mus_settings *set;
	const char *error;

	if (mus_settings_parse(pool_datastack_create(),
			       test_settings_envs(key, value), &set, &error) < 0)
		i_fatal("%s", error);
	mus_reply_limits_init(limits_r, set);
}

static int test_parse(const string_t *msg, const struct mus_reply_limits *limits,
		      pool_t pool, struct mus_reply **reply_r,
		      const char **error_r)
{
	struct istream *input = i_stream_create_from_data(str_data(msg),
							  str_len(msg));
	int ret;

	ret = mus_reply_parse(input, limits, pool, reply_r, error_r);
	i_stream_unref(&input);
	return ret;
}

/* A message with a calendar part of METHOD method whose VEVENT carries
   extra (CRLF-terminated lines). */
static string_t *test_calendar(const char *method, const string_t *extra)
{
	string_t *msg = t_str_new(str_len(extra) + 512);

	str_printfa(msg, "From: a@eksempel.test\r\nSubject: x\r\n"
		    "Content-Type: text/calendar; method=%s\r\n\r\n"
		    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:%s\r\n"
		    "BEGIN:VEVENT\r\nUID:hostile-1\r\nSEQUENCE:0\r\n"
		    "DTSTART:20270104T090000Z\r\nDTEND:20270104T100000Z\r\n",
		    method, method);
	str_append_str(msg, extra);
	str_append(msg, "END:VEVENT\r\nEND:VCALENDAR\r\n");
	return msg;
}

static void test_expect_refused(const char *name, const string_t *msg,
				const struct mus_reply_limits *limits,
				const char *reason)
{
	struct mus_reply *reply = NULL;
	const char *error = NULL;
	pool_t pool = pool_alloconly_create("test", 1024);

	mus_test_begin(t_strconcat("reply hostile: ", name, NULL));
	test_assert(test_parse(msg, limits, pool, &reply, &error) == -1);
	test_assert(reply == NULL);
	test_assert_contains(error, reason);
	mus_test_end();
	pool_unref(&pool);
}

static void test_hostile_attendees(void)
{
	struct mus_reply_limits limits;
	string_t *extra = t_str_new(10000 * 32), *msg;

	for (unsigned int i = 0; i < 10000; i++)
		str_printfa(extra, "ATTENDEE:mailto:p%u@eksempel.test\r\n", i);
	msg = test_calendar("COUNTER", extra);
	test_limits(NULL, NULL, &limits);
	test_expect_refused("10,000 ATTENDEEs, default limits", msg, &limits,
			    "larger than 262144 bytes (mus_max_ical_size)");
	test_limits("mus_max_ical_size", "1M", &limits);
	test_expect_refused("10,000 ATTENDEEs in a large calendar", msg, &limits,
			    "has 10000 ATTENDEEs, more than 100 (mus_max_ical_attendees)");
	test_limits("mus_max_ical_attendees", "20", &limits);
	str_truncate(extra, strstr(str_c(extra), "ATTENDEE:mailto:p21@") - str_c(extra));
	msg = test_calendar("COUNTER", extra);
	test_expect_refused("21 ATTENDEEs, at most 20", msg, &limits,
			    "has 21 ATTENDEEs, more than 20 (mus_max_ical_attendees)");
}

static void test_hostile_rrule(void)
{
	struct mus_reply_limits limits;
	struct mus_reply *reply = NULL;
	const char *error = NULL;
	string_t *rrule = t_str_new(128);
	pool_t pool = pool_alloconly_create("test", 1024);

	str_append(rrule, "RRULE:FREQ=SECONDLY;COUNT=2000000000\r\n"
		   "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@eksempel.test\r\n");
	test_limits(NULL, NULL, &limits);
	test_expect_refused("COUNTER with an RRULE of a huge COUNT",
			    test_calendar("COUNTER", rrule),
			    &limits, "proposes a recurring time (RRULE or RDATE)");

	/* a REPLY is read for its PARTSTAT only: the rule is never expanded */
	mus_test_begin("reply hostile: REPLY with an RRULE of a huge COUNT");
	test_assert(test_parse(test_calendar("REPLY", rrule),
			       &limits, pool, &reply, &error) == 1);
	test_assert(reply != NULL && reply->attendee_count == 1 &&
		    reply->attendees[0].partstat == MUS_REPLY_PARTSTAT_ACCEPTED);
	mus_test_end();
	pool_unref(&pool);

	test_limits("mus_max_ical_events", "3", &limits);
	string_t *events = t_str_new(1024);
	str_append(events, "ATTENDEE:mailto:a@eksempel.test\r\n");
	for (unsigned int i = 0; i < 4; i++) {
		str_printfa(events, "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:hostile-1\r\n"
			    "RECURRENCE-ID:2027010%uT090000Z\r\n"
			    "ATTENDEE:mailto:a@eksempel.test\r\n", i + 5);
	}
	test_expect_refused("5 VEVENTs, at most 3", test_calendar("REPLY", events),
			    &limits, "more than 3 VEVENTs (mus_max_ical_events)");
}

/* multiparts nested depth levels deep, a text part at the bottom */
static string_t *test_nested(unsigned int depth)
{
	string_t *msg = t_str_new(depth * 64);

	str_append(msg, "Subject: deep\r\n");
	for (unsigned int i = 0; i < depth; i++) {
		str_printfa(msg, "Content-Type: multipart/mixed; boundary=d%u\r\n"
			    "\r\n--d%u\r\n", i, i);
	}
	str_append(msg, "Content-Type: text/plain\r\n\r\nbottom\r\n");
	for (unsigned int i = depth; i > 0; i--)
		str_printfa(msg, "--d%u--\r\n", i - 1);
	return msg;
}

static void test_hostile_mime(void)
{
	struct mus_reply_limits limits;
	string_t *msg = t_str_new(64 * 1024);

	test_limits(NULL, NULL, &limits);
	str_append(msg, "Subject: many\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n");
	for (unsigned int i = 0; i < 1000; i++)
		str_printfa(msg, "--p\r\nContent-Type: text/plain\r\n\r\npart %u\r\n", i);
	str_append(msg, "--p--\r\n");
	test_expect_refused("1,000 MIME parts", msg, &limits,
			    "more than 100 MIME parts (mus_max_mime_parts)");

	test_expect_refused("multiparts nested 100 deep", test_nested(100),
			    &limits, "more than 16 deep (mus_max_mime_depth)");
	test_limits("mus_max_mime_depth", "3", &limits);
	test_expect_refused("multiparts nested 4 deep, at most 3", test_nested(4),
			    &limits, "more than 3 deep (mus_max_mime_depth)");
	mus_test_begin("reply hostile: multiparts nested 3 deep, at most 3");
	{
		pool_t pool = pool_alloconly_create("test", 1024);
		struct mus_reply *reply = NULL;
		const char *error = NULL;

		test_assert(test_parse(test_nested(3), &limits, pool, &reply,
				       &error) == 0);
		test_assert(reply != NULL && null_strcmp(reply->body_text, "bottom") == 0);
		pool_unref(&pool);
	}
	mus_test_end();
	test_limits(NULL, NULL, &limits);

	str_truncate(msg, 0);
	str_append(msg, "Subject: forwarded\r\n");
	for (unsigned int i = 0; i < 100; i++)
		str_append(msg, "Content-Type: message/rfc822\r\n\r\nSubject: fw\r\n");
	str_append(msg, "\r\nbottom\r\n");
	test_expect_refused("messages attached 100 deep", msg, &limits,
			    "more than 16 deep (mus_max_mime_depth)");

	str_truncate(msg, 0);
	str_append(msg, "Subject: files\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n");
	for (unsigned int i = 0; i < 40; i++) {
		str_printfa(msg, "--a\r\nContent-Type: application/pdf; name=\"f%u.pdf\"\r\n"
			    "Content-Disposition: attachment\r\n\r\nx\r\n", i);
	}
	str_append(msg, "--a--\r\n");
	test_expect_refused("40 attachments", msg, &limits,
			    "more than 32 attachments (mus_max_attachments)");

	test_limits("mus_max_message_size", "64k", &limits);
	str_truncate(msg, 0);
	str_append(msg, "Subject: big\r\nContent-Type: text/plain\r\n\r\n");
	while (str_len(msg) <= 100 * 1024)
		str_append(msg, "0123456789abcdef0123456789abcdef0123456789abcdef\r\n");
	test_expect_refused("a message over mus_max_message_size", msg, &limits,
			    "more than 65536 (mus_max_message_size)");
}

void test_reply_hostile(void)
{
	struct mus_reply_limits limits;
	const struct mus_reply_limits defaults = MUS_REPLY_LIMITS_DEFAULT;

	mus_test_begin("reply hostile: the settings' defaults are the limits' defaults");
	test_limits(NULL, NULL, &limits);
	test_assert(limits.max_message_size == defaults.max_message_size);
	test_assert(limits.max_calendar_size == defaults.max_calendar_size);
	test_assert(limits.max_body_size == defaults.max_body_size);
	test_assert(limits.max_parts == defaults.max_parts);
	test_assert(limits.max_depth == defaults.max_depth);
	test_assert(limits.max_attachments == defaults.max_attachments);
	test_assert(limits.max_attendees == defaults.max_attendees);
	test_assert(limits.max_vevents == defaults.max_vevents);
	test_assert_strcmp(limits.default_timezone, "Europe/Copenhagen");
	mus_test_end();

	test_hostile_attendees();
	test_hostile_rrule();
	test_hostile_mime();
}
