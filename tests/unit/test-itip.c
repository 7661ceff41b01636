/* Unit tests of the iTIP builder: REQUEST and CANCEL from the shipped
   skeletons, parsed back with libical and checked property by property;
   refused input; broken skeletons in a temporary directory. */

#include "lib.h"
#include "str.h"
#include "unichar.h"
#include "unlink-directory.h"
#include "mus-itip.h"
#include "mus-test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <libical/ical.h>

/* the tests run from the top of the source tree */
#define TEMPLATES_DIR "ical-templates"
#define TZ "Europe/Copenhagen"

/* 2027-01-04 (a Monday) 07:30 UTC = 08:30 CET */
#define WINTER_START 1799047800
/* 2027-07-05 (a Monday) 06:30 UTC = 08:30 CEST */
#define SUMMER_START 1814769000
/* 2026-12-01 10:00:00 UTC */
#define DTSTAMP 1796119200

static const struct mus_itip_person members[] = {
	{ "Anna Holm", "anna.holm@eksempel.test", MUS_ITIP_NEEDS_ACTION },
	{ "Bo Ægidius-Ørsted", "bo@eksempel.test", MUS_ITIP_NEEDS_ACTION },
	{ "Jens \"JJ\" Jensen; Kolding, Syd", "jens@eksempel.test", MUS_ITIP_NEEDS_ACTION },
};

static void event_init(struct mus_itip_event *event)
{
	i_zero(event);
	event->method = MUS_ITIP_REQUEST;
	event->uid = "mus-2027-anna.holm@eksempel.test";
	event->sequence = 0;
	event->dtstamp = DTSTAMP;
	event->start = WINTER_START;
	event->end = WINTER_START + 3600;
	event->timezone = TZ;
	event->summary = "MUS: Anna Holm og Karen Birk";
	event->description = "Til Anna Holm og Karen Birk\n\nTid: mandag; kl. 08.30, Mødelokale 2\\3";
	event->location = "Mødelokale 2, Rådhuset";
	event->organizer_mail = "mus@eksempel.test";
	event->organizer_name = "MUS på vegne af Karen Birk";
	event->leader.name = "Karen Birk";
	event->leader.mail = "karen.birk@eksempel.test";
	event->members = members;
	event->member_count = 1;
	event->language = "da";
}

/* --- reading the result --- */

static bool lines_end_in_crlf(const char *ics)
{
	for (const char *p = ics; *p != '\0'; p++) {
		if (*p == '\n' && (p == ics || p[-1] != '\r'))
			return FALSE;
		if (*p == '\r' && p[1] != '\n')
			return FALSE;
	}
	return strlen(ics) > 2 && strcmp(ics + strlen(ics) - 2, "\r\n") == 0;
}

/* Every physical line is at most 75 octets and valid UTF-8 on its own:
   folding never splits a character. */
static bool lines_folded(const char *ics, unsigned int *longest_r)
{
	const char *const *lines = t_strsplit(ics, "\n");
	bool ok = TRUE;

	*longest_r = 0;
	for (; *lines != NULL; lines++) {
		size_t len = strlen(*lines);

		if (len > 0 && (*lines)[len - 1] == '\r')
			len--;
		if (len > *longest_r)
			*longest_r = len;
		if (len > 75 || !uni_utf8_data_is_valid(
				(const unsigned char *)*lines, len))
			ok = FALSE;
	}
	return ok;
}

static unsigned int count_substr(const char *text, const char *sub)
{
	unsigned int count = 0;

	for (const char *p = strstr(text, sub); p != NULL;
	     p = strstr(p + 1, sub))
		count++;
	return count;
}

static const char *unfold(const char *ics)
{
	string_t *str = t_str_new(strlen(ics));

	for (const char *p = ics; *p != '\0'; p++) {
		if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
			p += 2;
			continue;
		}
		str_append_c(str, *p);
	}
	return str_c(str);
}

static bool has_parse_error(icalcomponent *comp)
{
	icalcomponent *sub;

	if (icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY) != NULL)
		return TRUE;
	for (sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT)) {
		if (has_parse_error(sub))
			return TRUE;
	}
	return FALSE;
}

static unsigned int count_components(icalcomponent *comp,
				     icalcomponent_kind kind)
{
	unsigned int count = 0;
	icalcomponent *sub;

	for (sub = icalcomponent_get_first_component(comp, kind); sub != NULL;
	     sub = icalcomponent_get_next_component(comp, kind))
		count++;
	return count;
}

static const char *param_string(icalproperty *prop, icalparameter_kind kind)
{
	icalparameter *param;

	if (prop == NULL)
		return NULL;
	param = icalproperty_get_first_parameter(prop, kind);
	return param == NULL ? NULL : icalparameter_as_ical_string(param);
}

static icalproperty *find_attendee(icalcomponent *vevent, const char *mail)
{
	const char *value = t_strconcat("mailto:", mail, NULL);
	icalproperty *prop;

	for (prop = icalcomponent_get_first_property(vevent, ICAL_ATTENDEE_PROPERTY);
	     prop != NULL;
	     prop = icalcomponent_get_next_property(vevent, ICAL_ATTENDEE_PROPERTY)) {
		if (strcmp(icalproperty_get_attendee(prop), value) == 0)
			return prop;
	}
	return NULL;
}

/* The UTC time of a DTSTART/DTEND, converted with the VTIMEZONE that
   came in the message itself, the way a client without the zone in its
   own database does it. */
static time_t time_by_message_zone(icalcomponent *root, icalproperty *prop)
{
	icalcomponent *vtz =
		icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
	icaltimezone *zone;
	time_t t;

	if (vtz == NULL || prop == NULL)
		return 0;
	zone = icaltimezone_new();
	if (icaltimezone_set_component(zone,
			icalcomponent_new_clone(vtz)) == 0) {
		icaltimezone_free(zone, 1);
		return 0;
	}
	t = icaltime_as_timet_with_zone(icalproperty_get_dtstart(prop), zone);
	icaltimezone_free(zone, 1);
	return t;
}

static void check_attendee(icalcomponent *vevent,
			   const struct mus_itip_person *person,
			   const char *role, bool rsvp)
{
	icalproperty *prop = find_attendee(vevent, person->mail);

	test_assert(prop != NULL);
	if (prop == NULL)
		return;
	test_assert_strcmp(param_string(prop, ICAL_ROLE_PARAMETER), role);
	test_assert_strcmp(param_string(prop, ICAL_PARTSTAT_PARAMETER),
			   "PARTSTAT=NEEDS-ACTION");
	test_assert_strcmp(param_string(prop, ICAL_CUTYPE_PARAMETER),
			   "CUTYPE=INDIVIDUAL");
	test_assert_strcmp(param_string(prop, ICAL_RSVP_PARAMETER),
			   rsvp ? "RSVP=TRUE" : NULL);
	test_assert_strcmp(icalparameter_get_cn(
		icalproperty_get_first_parameter(prop, ICAL_CN_PARAMETER)),
		person->name);
}

/* Parse ics and check what every message has; returns the root (free it)
   and its VEVENT. */
static icalcomponent *
check_common(const char *ics, const struct mus_itip_event *event,
	     icalcomponent **vevent_r)
{
	icalcomponent *root, *vevent, *vtz;
	icalproperty *prop;
	unsigned int longest;

	*vevent_r = NULL;
	test_assert(lines_end_in_crlf(ics));
	test_assert(lines_folded(ics, &longest));
	test_assert(strstr(ics, "freeassociation") == NULL);
	root = icalparser_parse_string(ics);
	test_assert(root != NULL);
	if (root == NULL)
		return NULL;
	test_assert(icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT);
	test_assert(!has_parse_error(root));
	/* libical's own table of what REQUEST and CANCEL must and may
	   hold (RFC 2446) */
	test_assert(icalrestriction_check(root) == 1);
	test_assert(icalcomponent_get_method(root) ==
		    (event->method == MUS_ITIP_CANCEL ? ICAL_METHOD_CANCEL :
		     ICAL_METHOD_REQUEST));
	test_assert(count_substr(ics, "\r\nMETHOD:") == 1);
	prop = icalcomponent_get_first_property(root, ICAL_PRODID_PROPERTY);
	test_assert(prop != NULL && strcmp(icalproperty_get_prodid(prop),
					   "-//MUS for Dovecot//EN") == 0);
	prop = icalcomponent_get_first_property(root, ICAL_VERSION_PROPERTY);
	test_assert(prop != NULL &&
		    strcmp(icalproperty_get_version(prop), "2.0") == 0);

	/* the zone: one VTIMEZONE with the plain Olson TZID, current rules
	   for winter and summer, placed before the VEVENT */
	test_assert(count_components(root, ICAL_VTIMEZONE_COMPONENT) == 1);
	vtz = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
	if (vtz != NULL) {
		prop = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		test_assert(prop != NULL &&
			    strcmp(icalproperty_get_tzid(prop), TZ) == 0);
		test_assert(count_components(vtz, ICAL_XSTANDARD_COMPONENT) >= 1);
		test_assert(count_components(vtz, ICAL_XDAYLIGHT_COMPONENT) >= 1);
	}
	test_assert(strstr(ics, "BEGIN:VTIMEZONE\r\nTZID:" TZ "\r\n") != NULL);
	test_assert(strstr(ics, "BEGIN:VTIMEZONE") != NULL &&
		    strstr(ics, "BEGIN:VTIMEZONE") < strstr(ics, "BEGIN:VEVENT"));

	test_assert(count_components(root, ICAL_VEVENT_COMPONENT) == 1);
	vevent = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	test_assert(vevent != NULL);
	if (vevent == NULL)
		return root;
	*vevent_r = vevent;

	test_assert_strcmp(icalcomponent_get_uid(vevent), event->uid);
	test_assert(count_substr(ics, "\r\nUID:") == 1);
	prop = icalcomponent_get_first_property(vevent, ICAL_SEQUENCE_PROPERTY);
	test_assert(prop != NULL &&
		    icalproperty_get_sequence(prop) == (int)event->sequence);
	/* DTSTAMP in UTC, "YYYYMMDDTHHMMSSZ" */
	test_assert(strstr(ics, "\r\nDTSTAMP:20261201T100000Z\r\n") != NULL);
	test_assert(icaltime_as_timet_with_zone(icalcomponent_get_dtstamp(vevent),
		icaltimezone_get_utc_timezone()) == event->dtstamp);

	prop = icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY);
	test_assert_strcmp(param_string(prop, ICAL_TZID_PARAMETER), "TZID=" TZ);
	test_assert(time_by_message_zone(root, prop) == event->start);
	prop = icalcomponent_get_first_property(vevent, ICAL_DTEND_PROPERTY);
	test_assert_strcmp(param_string(prop, ICAL_TZID_PARAMETER), "TZID=" TZ);
	test_assert(time_by_message_zone(root, prop) == event->end);

	test_assert_strcmp(icalcomponent_get_summary(vevent), event->summary);
	test_assert_strcmp(icalcomponent_get_description(vevent),
			   event->description);
	prop = icalcomponent_get_first_property(vevent, ICAL_SUMMARY_PROPERTY);
	test_assert_strcmp(param_string(prop, ICAL_LANGUAGE_PARAMETER),
			   t_strconcat("LANGUAGE=", event->language, NULL));
	prop = icalcomponent_get_first_property(vevent, ICAL_DESCRIPTION_PROPERTY);
	test_assert_strcmp(param_string(prop, ICAL_LANGUAGE_PARAMETER),
			   t_strconcat("LANGUAGE=", event->language, NULL));
	test_assert_strcmp(icalcomponent_get_location(vevent), event->location);

	prop = icalcomponent_get_first_property(vevent, ICAL_ORGANIZER_PROPERTY);
	test_assert(prop != NULL);
	if (prop != NULL) {
		test_assert_strcmp(icalproperty_get_organizer(prop),
			t_strconcat("mailto:", event->organizer_mail, NULL));
		test_assert_strcmp(icalparameter_get_cn(
			icalproperty_get_first_parameter(prop, ICAL_CN_PARAMETER)),
			event->organizer_name);
	}
	test_assert(icalcomponent_count_properties(vevent, ICAL_ATTENDEE_PROPERTY) ==
		    (int)event->member_count + 1);
	check_attendee(vevent, &event->leader, "ROLE=CHAIR",
		       event->method == MUS_ITIP_REQUEST);
	for (unsigned int i = 0; i < event->member_count; i++) {
		check_attendee(vevent, &event->members[i],
			       "ROLE=REQ-PARTICIPANT",
			       event->method == MUS_ITIP_REQUEST);
	}

	/* the skeleton's fixed properties are kept */
	prop = icalcomponent_get_first_property(vevent, ICAL_CLASS_PROPERTY);
	test_assert(prop != NULL &&
		    icalproperty_get_class(prop) == ICAL_CLASS_PRIVATE);
	test_assert(strstr(ics, "\r\nX-MICROSOFT-CDO-BUSYSTATUS:") != NULL);
	test_assert(strstr(ics, "\r\nX-MICROSOFT-CDO-INTENDEDSTATUS:") != NULL);
	return root;
}

static const char *build_ok(const struct mus_itip_event *event)
{
	const char *ics = NULL, *error = NULL;

	test_assert(mus_itip_build(TEMPLATES_DIR, event, &ics, &error) == 0);
	if (error != NULL)
		printf("  error: %s\n", error);
	return ics;
}

static void test_itip_request(void)
{
	struct mus_itip_event event;
	icalcomponent *root, *vevent;
	const char *ics;

	mus_test_begin("itip: REQUEST in winter, parsed back property by property");
	event_init(&event);
	ics = build_ok(&event);
	if (ics != NULL) {
		root = check_common(ics, &event, &vevent);
		test_assert(strstr(ics, "\r\nDTSTART;TZID=" TZ ":20270104T083000\r\n") != NULL);
		test_assert(strstr(ics, "\r\nDTEND;TZID=" TZ ":20270104T093000\r\n") != NULL);
		test_assert(strstr(ics, "\r\nSTATUS:CONFIRMED\r\n") != NULL);
		test_assert(strstr(ics, "\r\nTRANSP:OPAQUE\r\n") != NULL);
		test_assert(strstr(ics, "\r\nCLASS:PRIVATE\r\n") != NULL);
		test_assert(strstr(ics, "\r\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n") != NULL);
		test_assert(strstr(ics, "\r\nORGANIZER;CN=MUS på vegne af Karen Birk:mailto:mus@eksempel.test\r\n") != NULL);
		test_assert(strstr(ics, "\r\nSEQUENCE:0\r\n") != NULL);
		/* TEXT escapes */
		test_assert(strstr(unfold(ics), "mandag\\; kl. 08.30\\, Mødelokale 2\\\\3") != NULL);
		test_assert(strstr(unfold(ics), "DESCRIPTION;LANGUAGE=da:Til Anna Holm og Karen Birk\\n\\nTid:") != NULL);
		if (vevent != NULL) {
			test_assert(icalcomponent_get_status(vevent) ==
				    ICAL_STATUS_CONFIRMED);
		}
		icalcomponent_free(root);
	}
	mus_test_end();

	mus_test_begin("itip: an update keeps the answers given, and asks only the others");
	{
		struct mus_itip_person answered[] = {
			{ "Anna Holm", "anna.holm@eksempel.test", MUS_ITIP_ACCEPTED },
			{ "Bo Ek", "bo@eksempel.test", MUS_ITIP_TENTATIVE },
		};

		event_init(&event);
		event.members = answered;
		event.member_count = N_ELEMENTS(answered);
		ics = build_ok(&event);
		if (ics != NULL) {
			const char *text = unfold(ics);

			test_assert(strstr(text, "PARTSTAT=ACCEPTED;RSVP=FALSE;CN=Anna Holm:mailto:anna.holm") != NULL);
			test_assert(strstr(text, "PARTSTAT=TENTATIVE;RSVP=FALSE;CN=Bo Ek:mailto:bo@") != NULL);
			test_assert(strstr(text, "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Karen Birk") != NULL);
		}
		/* a CANCEL asks nobody and states no answer */
		event.method = MUS_ITIP_CANCEL;
		event.sequence = 1;
		ics = build_ok(&event);
		test_assert(ics != NULL && strstr(ics, "ACCEPTED") == NULL &&
			    strstr(ics, "RSVP") == NULL);
	}
	mus_test_end();

	mus_test_begin("itip: a meeting without proposals tells Outlook so, once");
	event_init(&event);
	event.no_counter = TRUE;
	ics = build_ok(&event);
	if (ics != NULL) {
		const char *first = strstr(ics, "\r\nX-MICROSOFT-DISALLOW-COUNTER:");

		test_assert(first != NULL &&
			    str_begins(first, "\r\nX-MICROSOFT-DISALLOW-COUNTER:TRUE\r\n") &&
			    strstr(first + 3, "X-MICROSOFT-DISALLOW-COUNTER") == NULL);
	}
	mus_test_end();

	mus_test_begin("itip: REQUEST in summer keeps 08:30 local (CEST)");
	event_init(&event);
	event.start = SUMMER_START;
	event.end = SUMMER_START + 5400;
	event.sequence = 2;
	ics = build_ok(&event);
	if (ics != NULL) {
		root = check_common(ics, &event, &vevent);
		test_assert(strstr(ics, "\r\nDTSTART;TZID=" TZ ":20270705T083000\r\n") != NULL);
		test_assert(strstr(ics, "\r\nDTEND;TZID=" TZ ":20270705T100000\r\n") != NULL);
		test_assert(strstr(ics, "\r\nSEQUENCE:2\r\n") != NULL);
		icalcomponent_free(root);
	}
	mus_test_end();

	mus_test_begin("itip: group REQUEST in English, no location, quoted CN");
	event_init(&event);
	event.member_count = N_ELEMENTS(members);
	event.language = "en";
	event.location = NULL;
	event.summary = "GRUS: Team Syd and Karen Birk";
	event.description = "To Team Syd";
	ics = build_ok(&event);
	if (ics != NULL) {
		root = check_common(ics, &event, &vevent);
		test_assert(strstr(ics, "\r\nLOCATION") == NULL);
		/* a DQUOTE in a parameter value is written as ^' (RFC 6868)
		   inside a quoted value */
		test_assert(strstr(unfold(ics), "CN=\"Jens ^'JJ^' Jensen; Kolding, Syd\"") != NULL);
		icalcomponent_free(root);
	}
	mus_test_end();

	mus_test_begin("itip: long Danish texts folded at 75 octets, UTF-8 intact");
	event_init(&event);
	{
		string_t *desc = t_str_new(4096);
		unsigned int longest;

		for (unsigned int i = 0; i < 40; i++)
			str_append(desc, "Kompetenceudviklingsplanen følges op i løbet af året: æ ø å Æ Ø Å – “citat” €. ");
		str_append(desc, "\nNy linje");
		event.description = str_c(desc);
		event.summary = "MUS: Søren Ærø-Østergaard og Åse Ålbæk-Møller, medarbejderudviklingssamtale i Økonomi og Løn";
		ics = build_ok(&event);
		if (ics != NULL) {
			test_assert(lines_folded(ics, &longest));
			test_assert(longest >= 70 && longest <= 75);
			test_assert(count_substr(ics, "\r\n ") > 40);
			root = check_common(ics, &event, &vevent);
			icalcomponent_free(root);
		}
	}
	mus_test_end();

	mus_test_begin("itip: UTC zone writes UTC times and no VTIMEZONE");
	event_init(&event);
	event.timezone = "UTC";
	ics = build_ok(&event);
	if (ics != NULL) {
		test_assert(strstr(ics, "\r\nDTSTART:20270104T073000Z\r\n") != NULL);
		test_assert(strstr(ics, "\r\nDTEND:20270104T083000Z\r\n") != NULL);
		test_assert(strstr(ics, "VTIMEZONE") == NULL);
		test_assert(strstr(ics, "TZID") == NULL);
	}
	mus_test_end();
}

/* The VTIMEZONE block of ics, from the data stack ("" if none). */
static const char *vtimezone_text(const char *ics)
{
	const char *begin = strstr(ics, "BEGIN:VTIMEZONE");
	const char *end = begin == NULL ? NULL : strstr(begin, "END:VTIMEZONE");

	return end == NULL ? "" : t_strdup_until(begin, end);
}

static void test_itip_zones(void)
{
	/* zone, start: 08:30 local on a Monday in winter */
	static const struct {
		const char *tz;
		time_t start;
	} cases[] = {
		{ TZ, WINTER_START },				/* 2027-01-04 */
		{ "America/New_York", 1799069400 },	/* 2027-01-04 */
		{ TZ, 1894001400 },			/* 2030-01-07 */
		{ TZ, WINTER_START },
		/* Moscow kept summer time until 2011: the VTIMEZONE of
		   2030 does not hold the rules of 2010 */
		{ "Europe/Moscow", 1909114200 },	/* 2030-07-01 */
		{ "Europe/Moscow", 1278304200 },	/* 2010-07-05, +04 */
	};
	const char *first = NULL;

	mus_test_begin("itip: each message has the VTIMEZONE of its own zone and year, "
		       "whatever was built before it");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_itip_event event;
		icalcomponent *root, *vevent, *vtz;
		icalproperty *prop;
		const char *ics;

		event_init(&event);
		event.timezone = cases[i].tz;
		event.start = cases[i].start;
		event.end = cases[i].start + 3600;
		ics = build_ok(&event);
		if (ics == NULL)
			continue;
		test_assert(strstr(ics, "T083000\r\n") != NULL);
		root = icalparser_parse_string(ics);
		test_assert(root != NULL);
		if (root == NULL)
			continue;
		vtz = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT);
		prop = vtz == NULL ? NULL :
			icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		test_assert(prop != NULL &&
			    strcmp(icalproperty_get_tzid(prop), cases[i].tz) == 0);
		vevent = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
		prop = vevent == NULL ? NULL :
			icalcomponent_get_first_property(vevent, ICAL_DTSTART_PROPERTY);
		test_assert(time_by_message_zone(root, prop) == event.start);
		icalcomponent_free(root);
		if (i == 0)
			first = vtimezone_text(ics);
		else if (i == 3)
			test_assert_strcmp(vtimezone_text(ics), first);
	}
	mus_test_end();
}

/* ics passes libical's restrictions and has one ATTENDEE: person, with
   role, without RSVP */
static void check_one_attendee(const char *ics,
			       const struct mus_itip_person *person,
			       const char *role)
{
	icalcomponent *root = icalparser_parse_string(ics), *vevent;

	test_assert(root != NULL && icalrestriction_check(root) == 1);
	vevent = root == NULL ? NULL :
		icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
	test_assert(vevent != NULL &&
		    icalcomponent_count_properties(vevent, ICAL_ATTENDEE_PROPERTY) == 1);
	if (vevent != NULL)
		check_attendee(vevent, person, role, FALSE);
	if (root != NULL)
		icalcomponent_free(root);
}

static void test_itip_cancel(void)
{
	struct mus_itip_event event;
	icalcomponent *root, *vevent;
	const char *ics;

	mus_test_begin("itip: CANCEL with the same UID and a higher SEQUENCE");
	event_init(&event);
	event.method = MUS_ITIP_CANCEL;
	event.sequence = 3;
	event.member_count = 2;
	ics = build_ok(&event);
	if (ics != NULL) {
		root = check_common(ics, &event, &vevent);
		test_assert(strstr(ics, "\r\nMETHOD:CANCEL\r\n") != NULL);
		test_assert(strstr(ics, "\r\nSTATUS:CANCELLED\r\n") != NULL);
		test_assert(strstr(ics, "\r\nSEQUENCE:3\r\n") != NULL);
		test_assert(strstr(ics, "\r\nUID:mus-2027-anna.holm@eksempel.test\r\n") != NULL);
		test_assert(strstr(ics, "RSVP") == NULL);
		test_assert(strstr(ics, "METHOD:REQUEST") == NULL);
		if (vevent != NULL) {
			test_assert(icalcomponent_get_status(vevent) ==
				    ICAL_STATUS_CANCELLED);
		}
		icalcomponent_free(root);
	}
	mus_test_end();

	mus_test_begin("itip: CANCEL for a leader who has left: no ATTENDEE for them");
	event_init(&event);
	event.method = MUS_ITIP_CANCEL;
	event.sequence = 1;
	event.member_count = 1;
	event.leader.mail = NULL;
	ics = build_ok(&event);
	if (ics != NULL) {
		check_one_attendee(ics, &event.members[0], "ROLE=REQ-PARTICIPANT");
		test_assert(strstr(ics, "ROLE=CHAIR") == NULL);
	}
	mus_test_end();

	mus_test_begin("itip: CANCEL whose employees left the directory: the leader alone");
	event_init(&event);
	event.method = MUS_ITIP_CANCEL;
	event.sequence = 2;
	event.member_count = 0;
	ics = build_ok(&event);
	if (ics != NULL)
		check_one_attendee(ics, &event.leader, "ROLE=CHAIR");
	mus_test_end();

	mus_test_begin("itip: a CANCEL needs the leader's address or an employee");
	event_init(&event);
	event.method = MUS_ITIP_CANCEL;
	event.sequence = 2;
	event.member_count = 0;
	event.leader.mail = NULL;
	{
		const char *error = NULL;

		test_assert(mus_itip_build(TEMPLATES_DIR, &event, &ics, &error) < 0);
		test_assert_contains(error, "leader.mail: missing");
	}
	mus_test_end();

	mus_test_begin("itip: only a CANCEL goes without the leader's address");
	event_init(&event);
	event.leader.mail = NULL;
	{
		const char *error = NULL;

		test_assert(mus_itip_build(TEMPLATES_DIR, &event, &ics, &error) < 0);
		test_assert_contains(error, "leader.mail");
	}
	mus_test_end();
}

static void test_itip_invalid(void)
{
	static const struct mus_itip_person bad_members[] = {
		{ "Anna Holm", "anna.holm@eksempel.test", MUS_ITIP_NEEDS_ACTION },
		{ "Bo\r\nBcc: x@y", "bo@eksempel.test", MUS_ITIP_NEEDS_ACTION },
	};
	static const struct mus_itip_person dup_members[] = {
		{ "Anna Holm", "anna.holm@eksempel.test", MUS_ITIP_NEEDS_ACTION },
		{ "Anna Again", "Anna.Holm@eksempel.test", MUS_ITIP_NEEDS_ACTION },
	};
	static const struct mus_itip_person leader_member[] = {
		{ "Karen Birk", "karen.birk@eksempel.test", MUS_ITIP_NEEDS_ACTION },
	};
	static const struct mus_itip_person no_mail[] = {
		{ "Anna Holm", "", MUS_ITIP_NEEDS_ACTION },
	};
	static const struct {
		const char *name, *error;
	} cases[] = {
		{ "uid with CRLF", "uid: contains a line break" },
		{ "empty uid", "uid: missing" },
		{ "leader name with LF", "leader.name: contains a line break" },
		{ "member name with CRLF", "members[1].name: contains a line break" },
		{ "end equal to start", "end: " },
		{ "end before start", "end: " },
		{ "empty organizer mail", "organizer_mail: missing" },
		{ "empty leader mail", "leader.mail: missing" },
		{ "empty member mail", "members[0].mail: missing" },
		{ "mail with a space", "leader.mail: 'karen birk@eksempel.test' is not a bare mail address" },
		{ "mail without @", "organizer_mail: 'mus' is not a mail address" },
		{ "unknown zone", "timezone: unknown time zone 'Mars/Olympus'" },
		{ "CANCEL with sequence 0", "sequence: a CANCEL needs" },
		{ "no members", "members: at least one" },
		{ "member twice", "members[1].mail: Anna.Holm@eksempel.test is also members[0]" },
		{ "leader as member", "members[0].mail: karen.birk@eksempel.test is the leader's address" },
		{ "no summary", "summary: missing" },
		{ "summary not UTF-8", "summary: not valid UTF-8" },
		{ "summary with LF", "summary: contains a line break" },
		{ "bad language", "language: 'd a' is no language tag" },
		{ "no dtstamp", "dtstamp: missing" },
		{ "control character", "organizer_name: contains control character 0x07" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_itip_event event;
		const char *ics = "untouched", *error = NULL;

		mus_test_begin(t_strdup_printf("itip: refuses %s", cases[i].name));
		event_init(&event);
		switch (i) {
		case 0: event.uid = "abc\r\nX-EVIL:1"; break;
		case 1: event.uid = ""; break;
		case 2: event.leader.name = "Karen\nBirk"; break;
		case 3: event.members = bad_members; event.member_count = 2; break;
		case 4: event.end = event.start; break;
		case 5: event.end = event.start - 60; break;
		case 6: event.organizer_mail = ""; break;
		case 7: event.leader.mail = ""; break;
		case 8: event.members = no_mail; break;
		case 9: event.leader.mail = "karen birk@eksempel.test"; break;
		case 10: event.organizer_mail = "mus"; break;
		case 11: event.timezone = "Mars/Olympus"; break;
		case 12: event.method = MUS_ITIP_CANCEL; event.sequence = 0; break;
		case 13: event.member_count = 0; break;
		case 14: event.members = dup_members; event.member_count = 2; break;
		case 15: event.members = leader_member; break;
		case 16: event.summary = NULL; break;
		case 17: event.summary = "MUS \xff\xfe"; break;
		case 18: event.summary = "MUS\nBcc: x"; break;
		case 19: event.language = "d a"; break;
		case 20: event.dtstamp = 0; break;
		case 21: event.organizer_name = "MUS\a"; break;
		default: i_unreached();
		}
		test_assert(mus_itip_build(TEMPLATES_DIR, &event, &ics, &error) < 0);
		test_assert_contains(error, cases[i].error);
		test_assert_strcmp(ics, "untouched");
		mus_test_end();
	}
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		i_fatal("fopen(%s) failed: %m", path);
	if (fputs(data, f) < 0 || fclose(f) != 0)
		i_fatal("write(%s) failed: %m", path);
}

#define CAL_BEGIN "BEGIN:VCALENDAR\nPRODID:-//MUS for Dovecot//EN\nVERSION:2.0\n"
#define CAL_END "END:VCALENDAR\n"

static void test_itip_templates(void)
{
	static const struct {
		const char *name, *request, *error;
	} cases[] = {
		{ "a line libical cannot parse",
		  CAL_BEGIN "BEGIN:VEVENT\nCLASS:PRIVATE\nTHIS IS NOT A PROPERTY\nEND:VEVENT\n" CAL_END,
		  "request.ics: libical: Got a data line" },
		{ "a value libical cannot parse",
		  CAL_BEGIN "BEGIN:VEVENT\nDTSTART:2027x\nEND:VEVENT\n" CAL_END,
		  "request.ics: libical: Can't parse as DATE-TIME value in DTSTART" },
		{ "no iCalendar at all", "Hello, world\n",
		  "request.ics: " },
		{ "an empty file", "", "request.ics: libical found no complete iCalendar object" },
		{ "a VEVENT without END",
		  CAL_BEGIN "BEGIN:VEVENT\nCLASS:PRIVATE\n" CAL_END,
		  "request.ics: libical found no complete iCalendar object" },
		{ "two VCALENDARs",
		  CAL_BEGIN "BEGIN:VEVENT\nEND:VEVENT\n" CAL_END CAL_BEGIN CAL_END,
		  "request.ics: not one VCALENDAR" },
		{ "no VEVENT", CAL_BEGIN CAL_END, "request.ics: no VEVENT" },
		{ "two VEVENTs",
		  CAL_BEGIN "BEGIN:VEVENT\nEND:VEVENT\nBEGIN:VEVENT\nEND:VEVENT\n" CAL_END,
		  "request.ics: more than one VEVENT" },
		{ "a VTIMEZONE",
		  CAL_BEGIN "BEGIN:VTIMEZONE\nTZID:X\nEND:VTIMEZONE\nBEGIN:VEVENT\nEND:VEVENT\n" CAL_END,
		  "request.ics: VTIMEZONE is not allowed" },
		{ "an RRULE",
		  CAL_BEGIN "BEGIN:VEVENT\nRRULE:FREQ=YEARLY\nEND:VEVENT\n" CAL_END,
		  "request.ics: RRULE is not allowed" },
		{ "no PRODID",
		  "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nEND:VEVENT\n" CAL_END,
		  "request.ics: no PRODID" },
		{ "STATUS:CANCELLED in a REQUEST",
		  CAL_BEGIN "BEGIN:VEVENT\nSTATUS:CANCELLED\nEND:VEVENT\n" CAL_END,
		  "request.ics: a REQUEST must not have STATUS:CANCELLED" },
	};
	char dir[] = "/tmp/mus-test-itip.XXXXXX";
	struct mus_itip_event event;
	const char *ics, *error, *path;
	icalcomponent *root, *vevent;

	if (mkdtemp(dir) == NULL)
		i_fatal("mkdtemp(%s) failed: %m", dir);
	path = t_strconcat(dir, "/request.ics", NULL);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		mus_test_begin(t_strdup_printf("itip: refuses a skeleton with %s",
					       cases[i].name));
		write_file(path, cases[i].request);
		event_init(&event);
		ics = "untouched";
		error = NULL;
		test_assert(mus_itip_build(dir, &event, &ics, &error) < 0);
		test_assert_contains(error, path);
		test_assert_contains(error, cases[i].error);
		test_assert_strcmp(ics, "untouched");
		mus_test_end();
	}

	mus_test_begin("itip: a missing skeleton is named");
	event_init(&event);
	event.method = MUS_ITIP_CANCEL;
	event.sequence = 1;
	error = NULL;
	test_assert(mus_itip_build(dir, &event, &ics, &error) < 0);
	test_assert_contains(error, t_strconcat(dir, "/cancel.ics: open() failed", NULL));
	mus_test_end();

	mus_test_begin("itip: a CANCEL skeleton needs STATUS:CANCELLED");
	write_file(t_strconcat(dir, "/cancel.ics", NULL),
		   CAL_BEGIN "BEGIN:VEVENT\nSTATUS:CONFIRMED\nEND:VEVENT\n" CAL_END);
	error = NULL;
	test_assert(mus_itip_build(dir, &event, &ics, &error) < 0);
	test_assert_contains(error, "cancel.ics: a CANCEL needs STATUS:CANCELLED");
	mus_test_end();

	mus_test_begin("itip: admins' additions are kept, per-event values replaced");
	write_file(path, CAL_BEGIN "METHOD:PUBLISH\nX-WR-CALNAME:MUS\n"
		   "BEGIN:VEVENT\nUID:from-the-template\nSUMMARY:placeholder\n"
		   "DTSTART:20000101T000000Z\nATTENDEE:mailto:x@y.test\n"
		   "CLASS:PRIVATE\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\n"
		   "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY\nX-MUS-LOCAL:Kommune\n"
		   "BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:Forbered dig\n"
		   "TRIGGER:-P1D\nEND:VALARM\nEND:VEVENT\n" CAL_END);
	event_init(&event);
	ics = NULL;
	test_assert(mus_itip_build(dir, &event, &ics, &error) == 0);
	if (ics != NULL) {
		root = check_common(ics, &event, &vevent);
		test_assert(strstr(ics, "\r\nX-WR-CALNAME:MUS\r\n") != NULL);
		test_assert(strstr(ics, "\r\nX-MUS-LOCAL:Kommune\r\n") != NULL);
		test_assert(strstr(ics, "\r\nTRIGGER:-P1D\r\n") != NULL);
		test_assert(strstr(ics, "from-the-template") == NULL);
		test_assert(strstr(ics, "placeholder") == NULL);
		test_assert(strstr(ics, "x@y.test") == NULL);
		test_assert(strstr(ics, "PUBLISH") == NULL);
		icalcomponent_free(root);
	}
	mus_test_end();

	if (unlink_directory(dir, UNLINK_DIRECTORY_FLAG_RMDIR, &error) < 0)
		i_error("unlink_directory(%s) failed: %s", dir, error);
}

void test_itip(void)
{
	test_itip_request();
	test_itip_zones();
	test_itip_cancel();
	test_itip_invalid();
	test_itip_templates();
}
