/* Unit tests of finding iCalendar content in messages. */

#include "lib.h"
#include "istream.h"
#include "mus-mime.h"
#include "mus-test.h"

static void test_mime_classify(void)
{
	static const struct {
		const char *value;
		enum mus_mime_class class;
	} cases[] = {
		{ NULL, MUS_MIME_NOT_CALENDAR },
		{ "text/plain; charset=utf-8", MUS_MIME_NOT_CALENDAR },
		{ "text/calendar; method=REPLY; charset=UTF-8", MUS_MIME_CALENDAR },
		{ "TEXT/Calendar", MUS_MIME_CALENDAR },
		{ " text/calendar;\r\n\tmethod=\"REQUEST\"", MUS_MIME_CALENDAR },
		{ "application/ics; name=invite.ics", MUS_MIME_CALENDAR },
		{ "multipart/alternative; boundary=\"b1\"", MUS_MIME_MULTIPART },
		{ "Multipart/Mixed; boundary=x", MUS_MIME_MULTIPART },
		{ "text/calendarx", MUS_MIME_NOT_CALENDAR },
		{ "calendar", MUS_MIME_NOT_CALENDAR },
		{ "", MUS_MIME_NOT_CALENDAR },
		{ ";;;", MUS_MIME_NOT_CALENDAR },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		mus_test_begin(t_strdup_printf("mime: classify '%s'",
			cases[i].value == NULL ? "(none)" : cases[i].value));
		test_assert(mus_mime_classify_content_type(cases[i].value) ==
			    cases[i].class);
		mus_test_end();
	}
}

#define ICS "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"

static void test_mime_find(void)
{
	static const struct {
		const char *name, *message;
		int found;
	} cases[] = {
		{ "plain text", "Subject: hej\r\n\r\nbody\r\n", 0 },
		{ "Outlook reply: alternative with base64 calendar",
		  "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
		  "--b1\r\nContent-Type: text/plain\r\n\r\nAccepted\r\n"
		  "--b1\r\nContent-Type: text/calendar; charset=\"utf-8\"; method=REPLY\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\nQkVHSU46VkNBTEVOREFSDQo=\r\n"
		  "--b1--\r\n", 1 },
		{ "nested mixed/alternative with folded header",
		  "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
		  "--outer\r\nContent-Type: multipart/alternative;\r\n boundary=inner\r\n\r\n"
		  "--inner\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n"
		  "--inner\r\nContent-Type: text/calendar;\r\n\tmethod=REQUEST\r\n\r\n" ICS
		  "--inner--\r\n--outer--\r\n", 1 },
		{ "application/ics attachment only",
		  "Content-Type: multipart/mixed; boundary=m\r\n\r\n"
		  "--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
		  "--m\r\nContent-Type: application/ics; name=invite.ics\r\n\r\n" ICS
		  "--m--\r\n", 1 },
		{ "bounce quoting an invitation",
		  "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
		  "--r\r\nContent-Type: text/plain\r\n\r\nundeliverable\r\n"
		  "--r\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n"
		  "--r\r\nContent-Type: message/rfc822\r\n\r\n"
		  "Content-Type: text/calendar; method=REQUEST\r\n\r\n" ICS
		  "--r--\r\n", 0 },
		{ "multipart without calendar",
		  "Content-Type: multipart/alternative; boundary=a\r\n\r\n"
		  "--a\r\nContent-Type: text/plain\r\n\r\nhej\r\n"
		  "--a\r\nContent-Type: text/html\r\n\r\n<b>hej</b>\r\n--a--\r\n", 0 },
		{ "TNEF only (winmail.dat)",
		  "Content-Type: multipart/mixed; boundary=t\r\n\r\n"
		  "--t\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n\r\nAAAA\r\n--t--\r\n", 0 },
		{ "truncated multipart", "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/pl", 0 },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct istream *input;
		const char *error;

		mus_test_begin(t_strdup_printf("mime: find calendar in %s",
					       cases[i].name));
		input = i_stream_create_from_data(cases[i].message,
						  strlen(cases[i].message));
		test_assert(mus_mime_find_calendar(input, &error) == cases[i].found);
		i_stream_unref(&input);
		mus_test_end();
	}
}

void test_mime(void)
{
	test_mime_classify();
	test_mime_find();
}
