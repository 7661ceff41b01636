/* Unit tests of reading replies. The corpus in tests/data/replies holds
   messages in the shapes that real mail clients send, and hostile ones;
   tests/data/cards-mail holds card choices. Each NAME.eml has its
   expected outcome in NAME.expect, "key: value" lines:

     result: 1 | 0 | -1          what mus_reply_parse() returns
     error-contains: TEXT        part of the error (result -1)
     method: REPLY               mus_reply_method_name()
     method-name: REQUEST        the METHOD as written
     uid:, sequence:, from:, from-name:, subject:, message-id:,
     organizer:, comment:        the fields ("(none)" for NULL)
     attendee: ADDRESS PARTSTAT  one per attendee, in order; the count
                                 must match
     attendee-name:, attendee-comment:   of the attendee line above
     attendees: N                the number of attendees
     counter-start:, counter-end:  GeneralizedTime in UTC
     start:                      the REPLY's DTSTART in UTC, or (none)
     tnef-only: yes | no
     body-text-contains: TEXT
     limit-message:, limit-calendar:, limit-parts:, limit-vevents:,
     limit-timezone:             limits other than the defaults

   and for card mails: result (of mus_reply_parse_cards()),
   error-contains, uid-short, codes (space-separated), language (da|en). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "istream.h"
#include "mus-time.h"
#include "mus-reply.h"
#include "mus-test.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>

/* the tests run from the top of the source tree */
#define REPLIES_DIR "tests/data/replies"
#define CARDS_DIR "tests/data/cards-mail"

struct test_expect_line {
	const char *key, *value;
};
ARRAY_DEFINE_TYPE(test_expect_line, struct test_expect_line);

static int test_read_expect(const char *path,
			    ARRAY_TYPE(test_expect_line) *lines)
{
	struct istream *input = i_stream_create_file(path, 4096);
	const char *line;
	int ret = 0;

	while ((line = i_stream_read_next_line(input)) != NULL) {
		struct test_expect_line l;
		const char *colon;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		colon = strstr(line, ": ");
		if (colon == NULL) {
			printf("  %s: not a 'key: value' line: %s\n", path, line);
			ret = -1;
			continue;
		}
		l.key = t_strdup_until(line, colon);
		l.value = t_strdup(colon + 2);
		array_push_back(lines, &l);
	}
	if (input->stream_errno != 0) {
		printf("  %s: %s\n", path, i_stream_get_error(input));
		ret = -1;
	}
	i_stream_unref(&input);
	return ret;
}

static const char *const *test_list_dir(const char *dir)
{
	ARRAY_TYPE(const_string) names;
	struct dirent *d;
	DIR *dirp = opendir(dir);

	t_array_init(&names, 64);
	if (dirp == NULL) {
		printf("  opendir(%s) failed: %m\n", dir);
	} else {
		while ((d = readdir(dirp)) != NULL) {
			size_t len = strlen(d->d_name);

			if (len > 4 && strcmp(d->d_name + len - 4, ".eml") == 0) {
				const char *name = t_strndup(d->d_name, len - 4);

				array_push_back(&names, &name);
			}
		}
		(void)closedir(dirp);
	}
	array_sort(&names, i_strcmp_p);
	array_append_zero(&names);
	return array_front(&names);
}

static const char *test_none(const char *value)
{
	return value == NULL ? "(none)" : value;
}

static bool test_limit(struct mus_reply_limits *limits, const char *key,
		       const char *value)
{
	unsigned int n;

	if (strcmp(key, "limit-timezone") == 0) {
		limits->default_timezone = value;
		return TRUE;
	}
	if (!str_begins(key, "limit-"))
		return FALSE;
	if (str_to_uint(value, &n) < 0)
		return FALSE;
	if (strcmp(key, "limit-message") == 0)
		limits->max_message_size = n;
	else if (strcmp(key, "limit-calendar") == 0)
		limits->max_calendar_size = n;
	else if (strcmp(key, "limit-parts") == 0)
		limits->max_parts = n;
	else if (strcmp(key, "limit-vevents") == 0)
		limits->max_vevents = n;
	else
		return FALSE;
	return TRUE;
}

static void test_check_reply(const char *name,
			     const ARRAY_TYPE(test_expect_line) *lines,
			     int ret, const struct mus_reply *reply,
			     const char *error)
{
	const struct test_expect_line *l;
	const struct mus_reply_attendee *att = NULL;
	unsigned int att_idx = 0;
	bool have_result = FALSE;

	array_foreach(lines, l) {
		const char *key = l->key, *value = l->value, *got = NULL;
		bool known = TRUE;

		if (strcmp(key, "result") == 0) {
			have_result = TRUE;
			got = t_strdup_printf("%d", ret);
			if (ret < 0 && strcmp(value, "-1") != 0)
				printf("  %s: error: %s\n", name, error);
		} else if (str_begins(key, "limit-")) {
			continue;
		} else if (strcmp(key, "error-contains") == 0) {
			const char *got_error = ret < 0 ? error : "(no error)";

			test_assert_contains(got_error, value);
			continue;
		} else if (ret < 0) {
			/* fields only for a parsed message */
			test_assert(ret >= 0);
			continue;
		} else if (strcmp(key, "method") == 0) {
			got = mus_reply_method_name(reply->method);
		} else if (strcmp(key, "method-name") == 0) {
			got = test_none(reply->method_name);
		} else if (strcmp(key, "uid") == 0) {
			got = test_none(reply->uid);
		} else if (strcmp(key, "sequence") == 0) {
			got = t_strdup_printf("%d", reply->sequence);
		} else if (strcmp(key, "from") == 0) {
			got = test_none(reply->from);
		} else if (strcmp(key, "from-name") == 0) {
			got = test_none(reply->from_name);
		} else if (strcmp(key, "subject") == 0) {
			got = test_none(reply->subject);
		} else if (strcmp(key, "message-id") == 0) {
			got = test_none(reply->message_id);
		} else if (strcmp(key, "organizer") == 0) {
			got = test_none(reply->organizer);
		} else if (strcmp(key, "comment") == 0) {
			got = test_none(reply->comment);
		} else if (strcmp(key, "tnef-only") == 0) {
			got = reply->tnef_only ? "yes" : "no";
		} else if (strcmp(key, "attendees") == 0) {
			got = t_strdup_printf("%u", reply->attendee_count);
		} else if (strcmp(key, "attendee") == 0) {
			att = att_idx < reply->attendee_count ?
				&reply->attendees[att_idx] : NULL;
			att_idx++;
			got = att == NULL ? "(missing)" :
				t_strdup_printf("%s %s", att->address,
					mus_reply_partstat_name(att->partstat));
		} else if (strcmp(key, "attendee-name") == 0) {
			got = att == NULL ? "(missing)" : test_none(att->name);
		} else if (strcmp(key, "attendee-comment") == 0) {
			got = att == NULL ? "(missing)" : test_none(att->comment);
		} else if (strcmp(key, "start") == 0) {
			got = reply->start == 0 ? "(none)" :
				mus_time_generalized(reply->start);
		} else if (strcmp(key, "counter-start") == 0) {
			got = mus_time_generalized(reply->counter_start);
		} else if (strcmp(key, "counter-end") == 0) {
			got = mus_time_generalized(reply->counter_end);
		} else if (strcmp(key, "body-text-contains") == 0) {
			test_assert_contains(reply->body_text, value);
			continue;
		} else {
			known = FALSE;
		}
		if (!known) {
			printf("  %s: unknown key '%s'\n", name, key);
			test_assert(known);
			continue;
		}
		mus_test_check(strcmp(got, value) == 0,
			       t_strdup_printf("%s: %s: expected '%s', got '%s'",
					       name, key, value, got),
			       __FILE__, __LINE__);
	}
	test_assert(have_result);
	if (ret > 0 && att_idx > 0)
		test_assert(att_idx == reply->attendee_count);
}

static int test_parse_file(const char *path,
			   const struct mus_reply_limits *limits, pool_t pool,
			   struct mus_reply **reply_r, const char **error_r)
{
	struct istream *input = i_stream_create_file(path, 8192);
	int ret;

	ret = mus_reply_parse(input, limits, pool, reply_r, error_r);
	i_stream_unref(&input);
	return ret;
}

static void test_reply_corpus(void)
{
	const char *const *names = test_list_dir(REPLIES_DIR);
	unsigned int count = 0;

	for (; *names != NULL; names++) {
		const char *base = t_strconcat(REPLIES_DIR"/", *names, NULL);
		struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
		ARRAY_TYPE(test_expect_line) lines;
		const struct test_expect_line *l;
		struct mus_reply *reply = NULL;
		const char *error = NULL;
		pool_t pool;
		int ret;

		mus_test_begin(t_strdup_printf("reply: corpus %s", *names));
		t_array_init(&lines, 16);
		test_assert(test_read_expect(t_strconcat(base, ".expect", NULL),
					     &lines) == 0);
		array_foreach(&lines, l)
			(void)test_limit(&limits, l->key, l->value);
		pool = pool_alloconly_create("test reply", 4096);
		ret = test_parse_file(t_strconcat(base, ".eml", NULL), &limits,
				      pool, &reply, &error);
		test_assert((ret < 0) == (reply == NULL));
		test_check_reply(*names, &lines, ret, reply, error);
		pool_unref(&pool);
		mus_test_end();
		count++;
	}
	mus_test_begin("reply: corpus has at least 20 messages");
	test_assert(count >= 20);
	mus_test_end();
}

static void test_check_cards(const char *name,
			     const ARRAY_TYPE(test_expect_line) *lines,
			     int ret, const struct mus_card_choice *choice,
			     const char *error)
{
	const struct test_expect_line *l;

	array_foreach(lines, l) {
		const char *got;

		if (strcmp(l->key, "result") == 0) {
			got = t_strdup_printf("%d", ret);
			if (ret < 0 && strcmp(l->value, "-1") != 0)
				printf("  %s: error: %s\n", name, error);
		} else if (strcmp(l->key, "error-contains") == 0) {
			const char *got_error = ret < 0 ? error : "(no error)";

			test_assert_contains(got_error, l->value);
			continue;
		} else if (ret <= 0) {
			test_assert(ret > 0);
			continue;
		} else if (strcmp(l->key, "uid-short") == 0) {
			got = choice->uid_short;
		} else if (strcmp(l->key, "codes") == 0) {
			got = t_strarray_join(choice->codes, " ");
			test_assert(str_array_length(choice->codes) ==
				    choice->code_count);
		} else if (strcmp(l->key, "language") == 0) {
			got = choice->language == MUS_LANGUAGE_EN ? "en" : "da";
		} else {
			printf("  %s: unknown key '%s'\n", name, l->key);
			test_assert(FALSE);
			continue;
		}
		mus_test_check(strcmp(got, l->value) == 0,
			       t_strdup_printf("%s: %s: expected '%s', got '%s'",
					       name, l->key, l->value, got),
			       __FILE__, __LINE__);
	}
}

static void test_cards_corpus(void)
{
	const char *const *names = test_list_dir(CARDS_DIR);
	unsigned int count = 0;

	for (; *names != NULL; names++) {
		const char *base = t_strconcat(CARDS_DIR"/", *names, NULL);
		const struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
		ARRAY_TYPE(test_expect_line) lines;
		struct mus_card_choice choice;
		struct mus_reply *reply = NULL;
		const char *error = NULL;
		pool_t pool;
		int ret;

		mus_test_begin(t_strdup_printf("reply: cards mail %s", *names));
		t_array_init(&lines, 8);
		test_assert(test_read_expect(t_strconcat(base, ".expect", NULL),
					     &lines) == 0);
		pool = pool_alloconly_create("test cards", 4096);
		ret = test_parse_file(t_strconcat(base, ".eml", NULL), &limits,
				      pool, &reply, &error);
		/* a card mail holds no iTIP object */
		test_assert(ret == 0);
		if (ret == 0) {
			i_zero(&choice);
			ret = mus_reply_parse_cards(reply->subject,
						    reply->body_text,
						    reply->body_html, pool,
						    &choice, &error);
			test_check_cards(*names, &lines, ret, &choice, error);
		}
		pool_unref(&pool);
		mus_test_end();
		count++;
	}
	mus_test_begin("reply: cards corpus has at least 5 messages");
	test_assert(count >= 5);
	mus_test_end();
}

/* ---- table tests ---- */

#define TEST_UID "7f3a9c2e41d05b8a6c1e9f0b2d4a7c31@eksempel.test"

static int test_parse_string(const char *message,
			     const struct mus_reply_limits *limits,
			     pool_t pool, struct mus_reply **reply_r,
			     const char **error_r)
{
	struct istream *input =
		i_stream_create_from_data(message, strlen(message));
	int ret;

	ret = mus_reply_parse(input, limits, pool, reply_r, error_r);
	i_stream_unref(&input);
	return ret;
}

/* A message whose whole body is the calendar. */
static const char *test_calendar_message(const char *method,
					 const char *event)
{
	return t_strdup_printf(
		"From: a@b.test\r\nSubject: svar\r\n"
		"Content-Type: text/calendar; charset=UTF-8\r\n\r\n"
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
		"METHOD:%s\r\nBEGIN:VEVENT\r\nUID:"TEST_UID"\r\n%s"
		"END:VEVENT\r\nEND:VCALENDAR\r\n", method, event);
}

static void test_reply_attendees(void)
{
	static const struct {
		const char *name, *attendee, *address, *partstat;
	} cases[] = {
		{ "lower mailto:", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:anna@eksempel.test",
		  "anna@eksempel.test", "ACCEPTED" },
		{ "MAILTO: and capitals", "ATTENDEE;PARTSTAT=DECLINED:MAILTO:Anna@Eksempel.TEST",
		  "anna@eksempel.test", "DECLINED" },
		{ "mIlTo", "ATTENDEE;PARTSTAT=TENTATIVE:mAiLtO:anna@eksempel.test",
		  "anna@eksempel.test", "TENTATIVE" },
		{ "no scheme", "ATTENDEE;PARTSTAT=ACCEPTED:anna@eksempel.test",
		  "anna@eksempel.test", "ACCEPTED" },
		{ "no PARTSTAT", "ATTENDEE:mailto:anna@eksempel.test",
		  "anna@eksempel.test", "NEEDS-ACTION" },
		{ "DELEGATED", "ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:bo@eksempel.test\":mailto:anna@eksempel.test",
		  "anna@eksempel.test", "DELEGATED" },
		{ "x-name PARTSTAT", "ATTENDEE;PARTSTAT=X-MAYBE:mailto:anna@eksempel.test",
		  "anna@eksempel.test", "OTHER" },
		{ "COMPLETED", "ATTENDEE;PARTSTAT=COMPLETED:mailto:anna@eksempel.test",
		  "anna@eksempel.test", "OTHER" },
		{ "no local part", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:@eksempel.test",
		  NULL, NULL },
		{ "two @", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b@eksempel.test",
		  NULL, NULL },
		{ "angle brackets", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:<anna@eksempel.test>",
		  NULL, NULL },
		{ "only mailto:", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:",
		  NULL, NULL },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
		struct mus_reply *reply = NULL;
		const char *error = NULL;
		pool_t pool = pool_alloconly_create("test", 1024);
		int ret;

		mus_test_begin(t_strdup_printf("reply: attendee %s", cases[i].name));
		ret = test_parse_string(test_calendar_message("REPLY",
			t_strconcat(cases[i].attendee, "\r\n", NULL)),
			&limits, pool, &reply, &error);
		if (cases[i].address == NULL) {
			test_assert(ret == -1);
			test_assert(reply == NULL);
		} else {
			test_assert(ret == 1);
			if (ret == 1) {
				test_assert(reply->attendee_count == 1);
				test_assert_strcmp(reply->attendees[0].address,
						   cases[i].address);
				test_assert_strcmp(mus_reply_partstat_name(
					reply->attendees[0].partstat),
					cases[i].partstat);
			} else {
				printf("  error: %s\n", error);
			}
		}
		pool_unref(&pool);
		mus_test_end();
	}
}

static void test_reply_zones(void)
{
	static const struct {
		const char *tzid, *start, *expected;
	} cases[] = {
		{ "Romance Standard Time", "20270104T083000", "20270104073000Z" },
		{ "W. Europe Standard Time", "20270104T083000", "20270104073000Z" },
		{ "Central Europe Standard Time", "20270701T083000", "20270701063000Z" },
		{ "Central European Standard Time", "20270104T083000", "20270104073000Z" },
		{ "central european standard time", "20270104T083000", "20270104073000Z" },
		{ "UTC", "20270104T083000", "20270104083000Z" },
		{ "GMT", "20270104T083000", "20270104083000Z" },
		{ "GMT Standard Time", "20270701T083000", "20270701073000Z" },
		{ "Greenland Standard Time", "20270104T083000", "20270104103000Z" },
		{ "Europe/Copenhagen", "20270329T083000", "20270329063000Z" },
		{ "America/New_York", "20270104T083000", "20270104133000Z" },
		{ "/freeassociation.sourceforge.net/Europe/Copenhagen", "20270104T083000", "20270104073000Z" },
		{ "/mozilla.org/20070129_1/Europe/Copenhagen", "20270104T083000", "20270104073000Z" },
		{ "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "20270104T083000", "20270104073000Z" },
		{ "(GMT+01.00) Brussels, Copenhagen, Madrid, Paris", "20270104T083000", "20270104073000Z" },
		{ "Mars/Olympus_Mons", "20270104T083000", NULL },
		{ "(UTC+01:00)", "20270104T083000", NULL },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
		struct mus_reply *reply = NULL;
		const char *error = NULL, *event;
		pool_t pool = pool_alloconly_create("test", 1024);
		int ret;

		mus_test_begin(t_strdup_printf("reply: COUNTER in TZID '%s'",
					       cases[i].tzid));
		event = t_strdup_printf(
			"DTSTART;TZID=\"%s\":%s\r\nDURATION:PT1H\r\n"
			"ATTENDEE;PARTSTAT=ACCEPTED:mailto:anna@eksempel.test\r\n",
			cases[i].tzid, cases[i].start);
		ret = test_parse_string(test_calendar_message("COUNTER", event),
					&limits, pool, &reply, &error);
		if (cases[i].expected == NULL) {
			test_assert(ret == -1);
			test_assert_contains(error, "unknown time zone");
		} else {
			test_assert(ret == 1);
			if (ret == 1) {
				test_assert_strcmp(mus_time_generalized(reply->counter_start),
						   cases[i].expected);
				test_assert(reply->counter_end ==
					    reply->counter_start + 3600);
			} else {
				printf("  error: %s\n", error);
			}
		}
		pool_unref(&pool);
		mus_test_end();
	}
}

static void test_reply_messages(void)
{
	static const struct {
		const char *name, *message;
		int ret;
		const char *check;
	} cases[] = {
		{ "empty input", "", 0, NULL },
		{ "headers only", "Subject: x\r\n", 0, NULL },
		{ "text/calendar with no body",
		  "Content-Type: text/calendar; method=REPLY\r\n\r\n", -1,
		  "no complete iCalendar object" },
		{ "application/ics is a fallback only",
		  "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		  "--b\r\nContent-Type: application/ics\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:ics\r\n"
		  "ATTENDEE;PARTSTAT=DECLINED:mailto:a@b.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		  "--b\r\nContent-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:cal\r\n"
		  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		  "--b--\r\n", 1, "cal" },
		{ "the first text/calendar counts",
		  "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		  "--b\r\nContent-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:first\r\n"
		  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		  "--b\r\nContent-Type: text/calendar\r\n\r\n"
		  "garbage\r\n--b--\r\n", 1, "first" },
		{ "METHOD inside wins over method=",
		  "Content-Type: text/calendar; method=REQUEST\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:m\r\n"
		  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		  1, "m" },
		{ "master VEVENT before an instance",
		  "Content-Type: text/calendar; method=REPLY\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n"
		  "BEGIN:VEVENT\r\nUID:r\r\nRECURRENCE-ID:20270104T073000Z\r\n"
		  "ATTENDEE;PARTSTAT=DECLINED:mailto:a@b.test\r\nEND:VEVENT\r\n"
		  "BEGIN:VEVENT\r\nUID:r\r\nSEQUENCE:4\r\n"
		  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.test\r\nEND:VEVENT\r\n"
		  "END:VCALENDAR\r\n", 1, "r" },
		{ "no VEVENT",
		  "Content-Type: text/calendar; method=REPLY\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VTODO\r\nUID:t\r\n"
		  "END:VTODO\r\nEND:VCALENDAR\r\n", -1, "no VEVENT" },
		{ "a VEVENT only, no VCALENDAR",
		  "Content-Type: text/calendar; method=REPLY\r\n\r\n"
		  "BEGIN:VEVENT\r\nUID:t\r\nEND:VEVENT\r\n", -1, "not a VCALENDAR" },
		{ "REFRESH with two ATTENDEEs",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REFRESH\r\nBEGIN:VEVENT\r\nUID:x\r\n"
		  "ATTENDEE:mailto:a@b.test\r\nATTENDEE:mailto:c@b.test\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "a REFRESH must carry exactly one" },
		{ "COUNTER ending before it starts",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:x\r\n"
		  "DTSTART:20270104T090000Z\r\nDTEND:20270104T080000Z\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "not after its start" },
		{ "COUNTER without DTSTART",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:x\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "proposes no DTSTART" },
		{ "unknown parameter and property are harmless",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:h\r\n"
		  "FOO:bar\r\nLOCATION:\r\n"
		  "ATTENDEE;WHATEVER=1;PARTSTAT=ACCEPTED:mailto:a@b.test\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", 1, "h" },
		{ "a bad parameter value is not",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:h\r\n"
		  "DTSTAMP:yesterday\r\n"
		  "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.test\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "broken iCalendar" },
		{ "COUNTER in the year 2300",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\nUID:x\r\n"
		  "DTSTART:23000104T090000Z\r\nDTEND:23000104T100000Z\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "DTSTART is in the year 2300, not in 1970-2199" },
		{ "VTIMEZONE rule repeating from the year 1",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\n"
		  "BEGIN:VTIMEZONE\r\nTZID:Old\r\nBEGIN:STANDARD\r\n"
		  "DTSTART:00010101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
		  "RRULE:FREQ=YEARLY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
		  "BEGIN:VEVENT\r\nUID:x\r\n"
		  "DTSTART;TZID=Old:20270104T090000\r\nDURATION:PT1H\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "refused: an RRULE that starts before 1601" },
		{ "VTIMEZONE with five RRULEs",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\n"
		  "BEGIN:VTIMEZONE\r\nTZID:Many\r\nBEGIN:STANDARD\r\n"
		  "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
		  "RRULE:FREQ=YEARLY;BYMONTH=1\r\nRRULE:FREQ=YEARLY;BYMONTH=2\r\n"
		  "RRULE:FREQ=YEARLY;BYMONTH=3\r\nRRULE:FREQ=YEARLY;BYMONTH=4\r\n"
		  "RRULE:FREQ=YEARLY;BYMONTH=5\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
		  "BEGIN:VEVENT\r\nUID:x\r\n"
		  "DTSTART;TZID=Many:20270104T090000\r\nDURATION:PT1H\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", -1, "refused: too many RRULEs" },
		{ "a refused VTIMEZONE falls back to the Windows name",
		  "Content-Type: text/calendar\r\n\r\n"
		  "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\n"
		  "BEGIN:VTIMEZONE\r\nTZID:Romance Standard Time\r\nBEGIN:STANDARD\r\n"
		  "DTSTART:16010101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
		  "RRULE:FREQ=DAILY\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
		  "BEGIN:VEVENT\r\nUID:w\r\n"
		  "DTSTART;TZID=Romance Standard Time:20270104T090000\r\nDURATION:PT1H\r\n"
		  "END:VEVENT\r\nEND:VCALENDAR\r\n", 1, "w" },
		{ "base64 calendar inside message/rfc822 inside a report",
		  "Content-Type: multipart/report; boundary=r\r\n\r\n"
		  "--r\r\nContent-Type: message/rfc822\r\n\r\n"
		  "Content-Type: text/calendar; method=REPLY\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\n"
		  "QkVHSU46VkNBTEVOREFSDQo=\r\n--r--\r\n", 0, NULL },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
		struct mus_reply *reply = NULL;
		const char *error = NULL;
		pool_t pool = pool_alloconly_create("test", 1024);
		int ret;

		mus_test_begin(t_strdup_printf("reply: message %s", cases[i].name));
		ret = test_parse_string(cases[i].message, &limits, pool,
					&reply, &error);
		test_assert(ret == cases[i].ret);
		if (ret < 0 && cases[i].ret >= 0)
			printf("  error: %s\n", error);
		if (ret < 0 && cases[i].check != NULL)
			test_assert_contains(error, cases[i].check);
		if (ret == 1 && cases[i].ret == 1)
			test_assert_strcmp(reply->uid, cases[i].check);
		if (ret == 0) {
			test_assert(reply != NULL);
			test_assert(reply != NULL &&
				    reply->method == MUS_REPLY_METHOD_NONE);
		}
		pool_unref(&pool);
		mus_test_end();
	}
}

static void test_reply_untouched(void)
{
	const struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
	struct mus_reply sentinel, *reply = &sentinel;
	struct mus_card_choice choice;
	const char *error = "untouched";
	struct istream *input;
	pool_t pool = pool_alloconly_create("test", 1024);

	mus_test_begin("reply: outputs untouched on failure");
	test_assert(test_parse_string(test_calendar_message("REPLY", ""),
				      &limits, pool, &reply, &error) == -1);
	test_assert(reply == &sentinel);
	test_assert_contains(error, "exactly one ATTENDEE");

	input = i_stream_create_error_str(EIO, "disk on fire");
	error = NULL;
	test_assert(mus_reply_parse(input, &limits, pool, &reply, &error) == -1);
	test_assert(reply == &sentinel);
	test_assert_contains(error, "disk on fire");
	i_stream_unref(&input);

	memset(&choice, 0x5a, sizeof(choice));
	test_assert(mus_reply_parse_cards("Samtalekort x1", "hej", NULL, pool,
					  &choice, &error) == -1);
	test_assert(choice.code_count == 0x5a5a5a5a);
	test_assert(mus_reply_parse_cards("Hej", "hej", NULL, pool,
					  &choice, &error) == 0);
	test_assert(choice.code_count == 0x5a5a5a5a);
	mus_test_end();
	pool_unref(&pool);
}

static void test_reply_body_limit(void)
{
	struct mus_reply_limits limits = MUS_REPLY_LIMITS_DEFAULT;
	struct mus_reply *reply = NULL;
	const char *error;
	string_t *msg = t_str_new(4096);
	pool_t pool = pool_alloconly_create("test", 1024);

	mus_test_begin("reply: a long body is cut, not refused");
	limits.max_body_size = 100;
	str_append(msg, "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (unsigned int i = 0; i < 100; i++)
		str_append(msg, "æøå ");
	test_assert(test_parse_string(str_c(msg), &limits, pool, &reply,
				      &error) == 0);
	test_assert(reply != NULL && strlen(reply->body_text) <= 100 &&
		    strlen(reply->body_text) >= 96);
	mus_test_end();
	pool_unref(&pool);
}

static void test_reply_cards(void)
{
	static const struct {
		const char *subject, *text, *html;
		int ret;
		const char *uid_short, *codes, *error;
	} cases[] = {
		{ "Samtalekort 7f3a9c2e", "kort: a, b, c", NULL, 1, "7f3a9c2e", "a b c", NULL },
		{ "SAMTALEKORT: 7f3a9c2e", "KORT:a,b", NULL, 1, "7f3a9c2e", "a b", NULL },
		{ "Samtalekort [7f3a9c2e]", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Samtalekort 7f3a9c2e.", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Samtalekort ...", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort 7F3A9C2E", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: MUS [7F3a9C2e]", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Samtalekort 7f3a9c2", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort db", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort 7f3a9c2e0123456789abcdef01234567@eksempel.test", "kort: a", NULL, 1,
		  "7f3a9c2e0123456789abcdef01234567", "a", NULL },
		{ "Cards 7F3A9C2E@eksempel.test.", "cards: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Samtalekort 7f3a@eksempel.test", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort 7f3a9c2e@", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Re: SV: AW: Fwd: Samtalekort 7f3a9c2e", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Re[2]: Cards 7f3a9c2e", "cards: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "VS: WG: Cards 7f3a9c2e", "cards: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Samtalekortene 7f3a9c2e", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort ???", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "Samtalekort 0123456789012345678901234567890123", "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ NULL, "kort: a", NULL, -1, NULL, NULL, "ingen samtalereference" },
		{ "SV: MUS [x] og [7f3a9c2e]", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: MUS [7f3a9c2e] [ikke et id!]", "kort: a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "Samtalekort 7f3a9c2e", NULL, NULL, -1, NULL, NULL, "ingen kortkoder" },
		{ "Cards 7f3a9c2e", "hello", NULL, -1, NULL, NULL, "no line like 'cards: a, b'" },
		/* the problem in the mail's language */
		{ "Cards", "cards: a", NULL, -1, NULL, NULL, "no conversation reference in the subject: write 'Cards <code>'" },
		{ "Cards 7f3a9c2e", "cards: ,", NULL, -1, NULL, NULL, "no card codes found: the card line names none" },
		{ "SV: [7f3a9c2e]", "cards: a b c d e f g h i j k l m n o p q", NULL, -1, NULL, NULL, "more than 16 card codes" },
		{ "Samtalekort 7f3a9c2e", "kort:", NULL, -1, NULL, NULL, "ingen kortkoder" },
		{ "Samtalekort 7f3a9c2e", "kort: ,;.", NULL, -1, NULL, NULL, "ingen kortkoder" },
		{ "Hej", "hej", NULL, 0, NULL, NULL, NULL },
		{ "SV: [7f3a9c2e]", "ses", "<p>kort: a</p>", 0, NULL, NULL, NULL },
		{ "SV: [7f3a9c2e]", "", "<p>kort: a</p>", 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", " \r\n", "<p>kort:<br>a</p><p>kort: b,<b>c</b></p>", 1, "7f3a9c2e", "b c", NULL },
		{ "SV: [7f3a9c2e]", NULL, "<div>kort: a</div><blockquote>kort: b</blockquote>", 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", NULL, "<p>&gt; kort: b</p><p>kort&#58; c</p>", 1, "7f3a9c2e", "c", NULL },
		{ "SV: [7f3a9c2e]", "  kort  :  A-1 , B_2 ", NULL, 1, "7f3a9c2e", "a-1 b_2", NULL },
		{ "SV: [7f3a9c2e]", "kortet: a\nkorte: b", NULL, 0, NULL, NULL, NULL },
		{ "SV: [7f3a9c2e]", "kort: a\n> kort: b", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", "kort: a\nOn Monday, Bo wrote:\nkort: b", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", "kort: a\n________________\nkort: b", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", "kort: a\nFrom: MUS\nTo: Anna\nkort: b", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", "kort: a\nFra: Bo (ikke et citat)\nkort: b", NULL, 1, "7f3a9c2e", "b", NULL },
		{ "SV: [7f3a9c2e]", "kort: a\n----- Original Message -----\nkort: b", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", "kort: a b c d e f g h i j k l m n o p q", NULL, -1, NULL, NULL, "mere end 16 kortkoder" },
		{ "SV: [7f3a9c2e]", "kort: a a a a a a a a a a a a a a a a a a a", NULL, 1, "7f3a9c2e", "a", NULL },
		{ "SV: [7f3a9c2e]", "kort:\xc2\xa0" "a,\xc2\xa0" "b\xc2\xa0", NULL, 1, "7f3a9c2e", "a b", NULL },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_card_choice choice;
		const char *error = NULL;
		pool_t pool = pool_alloconly_create("test", 1024);
		int ret;

		mus_test_begin(t_strdup_printf("reply: cards subject '%s' body '%s'",
			cases[i].subject == NULL ? "(null)" : cases[i].subject,
			cases[i].text != NULL ? cases[i].text :
			cases[i].html != NULL ? cases[i].html : "(null)"));
		i_zero(&choice);
		ret = mus_reply_parse_cards(cases[i].subject, cases[i].text,
					    cases[i].html, pool, &choice, &error);
		test_assert(ret == cases[i].ret);
		if (ret < 0 && cases[i].ret >= 0)
			printf("  error: %s\n", error);
		if (ret == 1 && cases[i].ret == 1) {
			test_assert_strcmp(choice.uid_short, cases[i].uid_short);
			test_assert_strcmp(t_strarray_join(choice.codes, " "),
					   cases[i].codes);
		}
		if (ret < 0 && cases[i].error != NULL)
			test_assert_contains(error, cases[i].error);
		pool_unref(&pool);
		mus_test_end();
	}
}

static void test_reply_subject_base(void)
{
	static const struct {
		const char *subject, *base;
	} cases[] = {
		{ "SV: Re: Udviklingsplan for Anna [7f3a9c2e]", "Udviklingsplan for Anna [7f3a9c2e]" },
		{ "AW:Re[2]: Samtalekort 7f3a9c2e", "Samtalekort 7f3a9c2e" },
		{ "Udført [abc]", "Udført [abc]" },
		/* a tag at the start is kept: it may be the reference */
		{ "[EKSTERN] SV: x", "[EKSTERN] x" },
		{ "SV: [EKSTERN] Re: [7f3a9c2e] x", "[EKSTERN] [7f3a9c2e] x" },
		{ "Reply needed", "Reply needed" },
		{ "", "" },
	};

	mus_test_begin("reply: the subject without reply prefixes");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++)
		test_assert_strcmp(mus_reply_subject_base(cases[i].subject), cases[i].base);
	test_assert(mus_reply_subject_base(NULL) == NULL);
	mus_test_end();
}

void test_reply(void)
{
	test_reply_subject_base();
	test_reply_corpus();
	test_cards_corpus();
	test_reply_attendees();
	test_reply_zones();
	test_reply_messages();
	test_reply_untouched();
	test_reply_body_limit();
	test_reply_cards();
}
