/* Unit tests of the VFREEBUSY reader. */

#include "lib.h"
#include "str.h"
#include "mus-freebusy.h"
#include "mus-test.h"

static void collect(time_t start, time_t end, void *context)
{
	string_t *str = context;

	str_printfa(str, "%ld-%ld;", (long)start, (long)end);
}

void test_freebusy(void)
{
	static const struct {
		const char *name, *text;
		int ret;
		const char *periods;
	} cases[] = {
		{ "periods of every kind",
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:PUBLISH\r\n"
		  "BEGIN:VFREEBUSY\r\nDTSTART:20270104T000000Z\r\nDTEND:20270105T000000Z\r\n"
		  "FREEBUSY:20270104T080000Z/20270104T090000Z,20270104T100000Z/PT30M\r\n"
		  "FREEBUSY;FBTYPE=FREE:20270104T120000Z/20270104T130000Z\r\n"
		  "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270104T140000Z/20270104T143000Z\r\n"
		  "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20270104T150000Z/PT1H\r\n"
		  "END:VFREEBUSY\r\nEND:VCALENDAR\r\n",
		  4, "1799049600-1799053200;1799056800-1799058600;"
		     "1799071200-1799073000;1799074800-1799078400;" },
		{ "folded lines and LF only",
		  "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VFREEBUSY\nFREEBUSY:20270104T0800\n 00Z/20270104T090000Z\n"
		  "END:VFREEBUSY\nEND:VCALENDAR\n", 1, "1799049600-1799053200;" },
		{ "no VFREEBUSY at all",
		  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", 0, "" },
		{ "HTML error page", "<html><body>404</body></html>", -1, "" },
		{ "empty body", "", -1, "" },
		{ "a VEVENT instead of a VCALENDAR",
		  "BEGIN:VEVENT\r\nDTSTART:20270104T080000Z\r\nEND:VEVENT\r\n", -1, "" },
		{ "a broken period",
		  "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nFREEBUSY:tomorrow/never\r\n"
		  "END:VFREEBUSY\r\nEND:VCALENDAR\r\n", -1, "" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		string_t *periods = t_str_new(128);
		const char *error = NULL;
		int ret;

		mus_test_begin(t_strdup_printf("freebusy: %s", cases[i].name));
		ret = mus_freebusy_parse(cases[i].text, strlen(cases[i].text),
					 collect, periods, &error);
		test_assert(ret == cases[i].ret);
		test_assert_strcmp(str_c(periods), cases[i].periods);
		test_assert(ret >= 0 || error != NULL);
		mus_test_end();
	}
}
