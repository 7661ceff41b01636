/* iTIP REQUEST and CANCEL built with libical from admin-editable
   skeletons. */

#include "lib.h"
#include "str.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "mus-text.h"
#include "mus-itip.h"
#include "mus-file.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libical/ical.h>

#define MUS_ITIP_LANGUAGE_MAX_LEN 35

static const char *const mus_itip_template_names[] = {
	[MUS_ITIP_REQUEST] = "request.ics",
	[MUS_ITIP_CANCEL] = "cancel.ics",
	[MUS_ITIP_DECLINECOUNTER] = "request.ics",
};

/* Properties of the VEVENT that the code sets for every conversation:
   the skeleton's copies are dropped. */
static const icalproperty_kind mus_itip_event_props[] = {
	ICAL_UID_PROPERTY, ICAL_SEQUENCE_PROPERTY, ICAL_DTSTAMP_PROPERTY,
	ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY, ICAL_SUMMARY_PROPERTY,
	ICAL_DESCRIPTION_PROPERTY, ICAL_LOCATION_PROPERTY,
	ICAL_ORGANIZER_PROPERTY, ICAL_ATTENDEE_PROPERTY, ICAL_COMMENT_PROPERTY,
};

/* A conversation is one meeting with a DTEND: these would change what the
   invitation means, so a skeleton with one is refused. */
static const struct {
	icalproperty_kind kind;
	const char *name;
} mus_itip_refused_props[] = {
	{ ICAL_DURATION_PROPERTY, "DURATION" },
	{ ICAL_RRULE_PROPERTY, "RRULE" },
	{ ICAL_RDATE_PROPERTY, "RDATE" },
	{ ICAL_EXDATE_PROPERTY, "EXDATE" },
	{ ICAL_RECURRENCEID_PROPERTY, "RECURRENCE-ID" },
};

static int mus_itip_check_text(const char *field, const char *value,
			       size_t max_len, bool multiline,
			       const char **error_r)
{
	unsigned char c;

	if (value == NULL || value[0] == '\0') {
		*error_r = t_strdup_printf("%s: missing", field);
		return -1;
	}
	if (strlen(value) > max_len) {
		*error_r = t_strdup_printf("%s: longer than %zu bytes",
					   field, max_len);
		return -1;
	}
	if (!uni_utf8_str_is_valid(value)) {
		*error_r = t_strdup_printf("%s: not valid UTF-8", field);
		return -1;
	}
	c = mus_text_control_char(value, multiline ? "\t\n" : "\t");
	if (c == '\r' || c == '\n') {
		*error_r = t_strdup_printf(
			"%s: contains a line break (CR or LF): '%s'",
			field, str_sanitize(value, 64));
		return -1;
	}
	if (c != 0) {
		*error_r = t_strdup_printf(
			"%s: contains control character 0x%02x", field, c);
		return -1;
	}
	return 0;
}

/* A bare address local@domain. Characters that could end the mailto: URI
   or a header are refused. */
static int mus_itip_check_mail(const char *field, const char *mail,
			       const char **error_r)
{
	const char *at;

	if (mus_itip_check_text(field, mail, MUS_ITIP_MAIL_MAX_LEN, FALSE,
				error_r) < 0)
		return -1;
	for (const char *p = mail; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || strchr("<>()[]\\,;:\"", *p) != NULL) {
			*error_r = t_strdup_printf(
				"%s: '%s' is not a bare mail address (character '%c')",
				field, str_sanitize(mail, 64), *p);
			return -1;
		}
	}
	at = strchr(mail, '@');
	if (at == NULL || at == mail || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL) {
		*error_r = t_strdup_printf(
			"%s: '%s' is not a mail address (local@domain)",
			field, str_sanitize(mail, 64));
		return -1;
	}
	return 0;
}

static int mus_itip_check_person(const char *field,
				 const struct mus_itip_person *person,
				 const char **error_r)
{
	if (mus_itip_check_text(t_strconcat(field, ".name", NULL),
				person->name, MUS_ITIP_NAME_MAX_LEN, FALSE,
				error_r) < 0)
		return -1;
	return mus_itip_check_mail(t_strconcat(field, ".mail", NULL),
				   person->mail, error_r);
}

static int mus_itip_check_leader(const struct mus_itip_event *event,
				 const char **error_r)
{
	if (event->leader.mail == NULL && event->method == MUS_ITIP_CANCEL &&
	    event->member_count > 0) {
		return mus_itip_check_text("leader.name", event->leader.name,
					   MUS_ITIP_NAME_MAX_LEN, FALSE, error_r);
	}
	return mus_itip_check_person("leader", &event->leader, error_r);
}

static int mus_itip_check_language(const char *language, const char **error_r)
{
	size_t len;

	if (language == NULL)
		return 0;
	len = strlen(language);
	if (len == 0 || len > MUS_ITIP_LANGUAGE_MAX_LEN) {
		*error_r = t_strdup_printf(
			"language: '%s' is no language tag (1-%u characters)",
			str_sanitize(language, 64), MUS_ITIP_LANGUAGE_MAX_LEN);
		return -1;
	}
	for (const char *p = language; *p != '\0'; p++) {
		if (!i_isalnum(*p) && *p != '-') {
			*error_r = t_strdup_printf(
				"language: '%s' is no language tag (use letters, digits and -)",
				str_sanitize(language, 64));
			return -1;
		}
	}
	return 0;
}

static int mus_itip_check_members(const struct mus_itip_event *event,
				  const char **error_r)
{
	/* a CANCEL whose employees left the directory still reaches the
	   leader */
	if ((event->member_count == 0 || event->members == NULL) &&
	    (event->method != MUS_ITIP_CANCEL || event->leader.mail == NULL)) {
		*error_r = "members: at least one employee is needed";
		return -1;
	}
	if (event->member_count > MUS_ITIP_MAX_MEMBERS) {
		*error_r = t_strdup_printf("members: %u, at most %u",
					   event->member_count,
					   MUS_ITIP_MAX_MEMBERS);
		return -1;
	}
	for (unsigned int i = 0; i < event->member_count; i++) {
		const char *mail = event->members[i].mail;

		if (mus_itip_check_person(t_strdup_printf("members[%u]", i),
					  &event->members[i], error_r) < 0)
			return -1;
		/* an attendee twice makes clients show two rows for one
		   person and take the first answer for both */
		if (event->leader.mail != NULL &&
		    strcasecmp(mail, event->leader.mail) == 0) {
			*error_r = t_strdup_printf(
				"members[%u].mail: %s is the leader's address",
				i, mail);
			return -1;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (strcasecmp(mail, event->members[j].mail) == 0) {
				*error_r = t_strdup_printf(
					"members[%u].mail: %s is also members[%u]",
					i, mail, j);
				return -1;
			}
		}
	}
	return 0;
}

static int mus_itip_check(const struct mus_itip_event *event,
			  icaltimezone **zone_r, const char **error_r)
{
	if (event->method != MUS_ITIP_REQUEST &&
	    event->method != MUS_ITIP_CANCEL &&
	    event->method != MUS_ITIP_DECLINECOUNTER) {
		*error_r = t_strdup_printf("method: unknown method %d",
					   (int)event->method);
		return -1;
	}
	if (mus_itip_check_text("uid", event->uid, MUS_ITIP_UID_MAX_LEN,
				FALSE, error_r) < 0)
		return -1;
	if (event->sequence > INT_MAX) {
		*error_r = t_strdup_printf("sequence: %u is too large",
					   event->sequence);
		return -1;
	}
	if (event->method == MUS_ITIP_CANCEL && event->sequence == 0) {
		/* clients ignore a CANCEL that is not newer than the
		   invitation, whose first SEQUENCE is 0 */
		*error_r = "sequence: a CANCEL needs a sequence above the invitation's (got 0)";
		return -1;
	}
	if (event->dtstamp <= 0) {
		*error_r = "dtstamp: missing";
		return -1;
	}
	if (event->start <= 0) {
		*error_r = "start: missing";
		return -1;
	}
	if (event->end <= event->start) {
		*error_r = t_strdup_printf(
			"end: %ld is not after start %ld",
			(long)event->end, (long)event->start);
		return -1;
	}
	if (mus_itip_check_text("timezone", event->timezone, 64, FALSE,
				error_r) < 0)
		return -1;
	*zone_r = icaltimezone_get_builtin_timezone(event->timezone);
	if (*zone_r == NULL) {
		*error_r = t_strdup_printf("timezone: unknown time zone '%s'",
					   str_sanitize(event->timezone, 64));
		return -1;
	}
	if (mus_itip_check_text("summary", event->summary,
				MUS_ITIP_SUMMARY_MAX_LEN, FALSE, error_r) < 0 ||
	    mus_itip_check_text("description", event->description,
				MUS_ITIP_DESCRIPTION_MAX_LEN, TRUE,
				error_r) < 0)
		return -1;
	if (event->location != NULL && event->location[0] != '\0' &&
	    mus_itip_check_text("location", event->location,
				MUS_ITIP_SUMMARY_MAX_LEN, FALSE, error_r) < 0)
		return -1;
	if (event->comment != NULL &&
	    mus_itip_check_text("comment", event->comment,
				MUS_ITIP_SUMMARY_MAX_LEN, FALSE, error_r) < 0)
		return -1;
	if (mus_itip_check_mail("organizer_mail", event->organizer_mail,
				error_r) < 0 ||
	    mus_itip_check_text("organizer_name", event->organizer_name,
				MUS_ITIP_NAME_MAX_LEN, FALSE, error_r) < 0 ||
	    mus_itip_check_leader(event, error_r) < 0 ||
	    mus_itip_check_members(event, error_r) < 0 ||
	    mus_itip_check_language(event->language, error_r) < 0)
		return -1;
	return 0;
}

/* Read the whole skeleton as a NUL-terminated string from the data
   stack. */
static int mus_itip_read_template(const char *path, const char **text_r,
				  const char **error_r)
{
	const char *text;
	size_t size;

	if (mus_file_read(path, MUS_ITIP_TEMPLATE_MAX_SIZE, &text, &size,
			  error_r) < 0)
		return -1;
	if (strlen(text) != size) {
		*error_r = t_strdup_printf("%s: contains a NUL byte", path);
		return -1;
	}
	*text_r = text;
	return 0;
}

/* libical reports what it could not parse as X-LIC-ERROR properties in
   the component where it happened, and parses on. */
static const char *mus_itip_parse_error(icalcomponent *comp)
{
	icalcomponent *sub;
	icalproperty *prop;

	prop = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	if (prop != NULL)
		return icalproperty_get_xlicerror(prop);
	for (sub = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT)) {
		const char *error = mus_itip_parse_error(sub);

		if (error != NULL)
			return error;
	}
	return NULL;
}

/* Checks the parsed skeleton; returns its VEVENT. */
static icalcomponent *
mus_itip_template_check(icalcomponent *root, enum mus_itip_method method,
			const char **error_r)
{
	icalcomponent *sub, *vevent = NULL;
	icalproperty *prop;
	const char *error;

	if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		*error_r = "not one VCALENDAR";
		return NULL;
	}
	error = mus_itip_parse_error(root);
	if (error != NULL) {
		*error_r = t_strdup_printf("libical: %s", error);
		return NULL;
	}
	if (icalcomponent_get_first_property(root, ICAL_PRODID_PROPERTY) == NULL) {
		*error_r = "no PRODID";
		return NULL;
	}
	prop = icalcomponent_get_first_property(root, ICAL_VERSION_PROPERTY);
	if (prop == NULL || null_strcmp(icalproperty_get_version(prop), "2.0") != 0) {
		*error_r = "no VERSION:2.0";
		return NULL;
	}
	for (sub = icalcomponent_get_first_component(root, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(root, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(sub) != ICAL_VEVENT_COMPONENT) {
			*error_r = t_strdup_printf(
				"%s is not allowed: the skeleton has one VEVENT "
				"and MUS adds the VTIMEZONE",
				icalcomponent_kind_to_string(icalcomponent_isa(sub)));
			return NULL;
		}
		if (vevent != NULL) {
			*error_r = "more than one VEVENT";
			return NULL;
		}
		vevent = sub;
	}
	if (vevent == NULL) {
		*error_r = "no VEVENT";
		return NULL;
	}
	for (sub = icalcomponent_get_first_component(vevent, ICAL_ANY_COMPONENT);
	     sub != NULL;
	     sub = icalcomponent_get_next_component(vevent, ICAL_ANY_COMPONENT)) {
		if (icalcomponent_isa(sub) != ICAL_VALARM_COMPONENT) {
			*error_r = t_strdup_printf(
				"%s inside the VEVENT is not allowed (only VALARM)",
				icalcomponent_kind_to_string(icalcomponent_isa(sub)));
			return NULL;
		}
	}
	for (unsigned int i = 0; i < N_ELEMENTS(mus_itip_refused_props); i++) {
		if (icalcomponent_get_first_property(vevent,
				mus_itip_refused_props[i].kind) != NULL) {
			*error_r = t_strdup_printf(
				"%s is not allowed: a conversation is one meeting "
				"from DTSTART to DTEND",
				mus_itip_refused_props[i].name);
			return NULL;
		}
	}
	prop = icalcomponent_get_first_property(vevent, ICAL_STATUS_PROPERTY);
	if (method == MUS_ITIP_CANCEL &&
	    (prop == NULL || icalproperty_get_status(prop) != ICAL_STATUS_CANCELLED)) {
		*error_r = "a CANCEL needs STATUS:CANCELLED in the VEVENT";
		return NULL;
	}
	if (method != MUS_ITIP_CANCEL && prop != NULL &&
	    icalproperty_get_status(prop) == ICAL_STATUS_CANCELLED) {
		*error_r = "a REQUEST must not have STATUS:CANCELLED";
		return NULL;
	}
	return vevent;
}

static void mus_itip_remove_all(icalcomponent *comp, icalproperty_kind kind)
{
	icalproperty *prop;

	while ((prop = icalcomponent_get_first_property(comp, kind)) != NULL) {
		icalcomponent_remove_property(comp, prop);
		icalproperty_free(prop);
	}
}

/* A DATE-TIME property: local time with TZID=tzid, or UTC when tzid is
   NULL. */
static icalproperty *
mus_itip_time_prop(icalproperty_kind kind, time_t t, icaltimezone *zone,
		   const char *tzid)
{
	struct icaltimetype tt = icaltime_from_timet_with_zone(t, 0, zone);
	icalproperty *prop;

	/* libical 3.0 converts the wall-clock time but leaves the zone of
	   the result at UTC, which would print "...Z" after a local time */
	(void)icaltime_set_timezone(&tt, zone);
	prop = icalproperty_new(kind);
	switch (kind) {
	case ICAL_DTSTART_PROPERTY:
		icalproperty_set_dtstart(prop, tt);
		break;
	case ICAL_DTEND_PROPERTY:
		icalproperty_set_dtend(prop, tt);
		break;
	case ICAL_DTSTAMP_PROPERTY:
		icalproperty_set_dtstamp(prop, tt);
		break;
	default:
		i_unreached();
	}
	if (tzid != NULL)
		icalproperty_add_parameter(prop, icalparameter_new_tzid(tzid));
	return prop;
}

static icalproperty *mus_itip_text_prop(icalproperty *prop,
					const char *language)
{
	if (language != NULL)
		icalproperty_add_parameter(prop, icalparameter_new_language(language));
	return prop;
}

static icalproperty *
mus_itip_attendee(const struct mus_itip_person *person,
		  icalparameter_role role, enum mus_itip_method method)
{
	icalproperty *prop = icalproperty_new_attendee(
		t_strconcat("mailto:", person->mail, NULL));
	icalparameter_partstat partstat = ICAL_PARTSTAT_NEEDSACTION;

	if (method == MUS_ITIP_REQUEST && person->partstat == MUS_ITIP_ACCEPTED)
		partstat = ICAL_PARTSTAT_ACCEPTED;
	else if (method == MUS_ITIP_REQUEST && person->partstat == MUS_ITIP_TENTATIVE)
		partstat = ICAL_PARTSTAT_TENTATIVE;
	icalproperty_add_parameter(prop,
		icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
	icalproperty_add_parameter(prop, icalparameter_new_role(role));
	icalproperty_add_parameter(prop, icalparameter_new_partstat(partstat));
	if (method == MUS_ITIP_REQUEST) {
		icalproperty_add_parameter(prop, icalparameter_new_rsvp(
			partstat == ICAL_PARTSTAT_NEEDSACTION ?
			ICAL_RSVP_TRUE : ICAL_RSVP_FALSE));
	}
	/* libical quotes the value and writes a DQUOTE as ^' (RFC 6868) */
	icalproperty_add_parameter(prop, icalparameter_new_cn(person->name));
	return prop;
}

/* The last VTIMEZONE made: truncating walks the zone's rules (libical
   does it with ICU's calendar) and took a tenth of a round's CPU when it
   was done for every message. It depends only on the zone and the year,
   so a round needs one or two. */
static struct {
	char *location;
	int year;
	icalcomponent *vtz;
} mus_itip_vtz_cache;

/* The VTIMEZONE of zone with the observances from the start of the
   event's year (UTC) on (clients need no history back to 1890, and
   Outlook reads the first observances), named by its plain Olson name.
   Returns NULL if libical has none. */
static icalcomponent *mus_itip_vtimezone(icaltimezone *zone, time_t from,
					 const char **tzid_r)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	struct icaltimetype year_start;
	icalcomponent *vtz;
	icalproperty *prop;
	const char *location;

	/* Loading the component replaces the zone's strings: ask for the
	   location only after it. */
	vtz = icaltimezone_get_component(zone);
	if (vtz == NULL)
		return NULL;
	location = icaltimezone_get_location(zone);
	if (location == NULL)
		return NULL;
	year_start = icaltime_from_timet_with_zone(from, 1, utc);
	year_start.month = year_start.day = 1;
	if (mus_itip_vtz_cache.vtz == NULL ||
	    mus_itip_vtz_cache.year != year_start.year ||
	    strcmp(mus_itip_vtz_cache.location, location) != 0) {
		if (mus_itip_vtz_cache.vtz != NULL)
			icalcomponent_free(mus_itip_vtz_cache.vtz);
		i_free(mus_itip_vtz_cache.location);
		vtz = icalcomponent_new_clone(vtz);
		icaltimezone_truncate_vtimezone(vtz, year_start,
						icaltime_null_time(), 1);
		/* icaltimezone_set_tzid_prefix("") does not take in libical
		   3.0 (an empty prefix means the default
		   "/freeassociation.sourceforge.net/"), so the TZID is set
		   here, from the zone's own location */
		prop = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		if (prop == NULL) {
			prop = icalproperty_new_tzid(location);
			icalcomponent_add_property(vtz, prop);
		} else {
			icalproperty_set_tzid(prop, location);
		}
		mus_itip_vtz_cache.vtz = vtz;
		mus_itip_vtz_cache.location = i_strdup(location);
		mus_itip_vtz_cache.year = year_start.year;
	}
	*tzid_r = t_strdup(location);
	return icalcomponent_new_clone(mus_itip_vtz_cache.vtz);
}

/* The skeleton's X-MICROSOFT-DISALLOW-COUNTER, if any, replaced by TRUE */
static void mus_itip_disallow_counter(icalcomponent *vevent)
{
	static const char *const name = "X-MICROSOFT-DISALLOW-COUNTER";
	icalproperty *prop, *next;

	for (prop = icalcomponent_get_first_property(vevent, ICAL_X_PROPERTY);
	     prop != NULL; prop = next) {
		const char *x_name = icalproperty_get_x_name(prop);

		next = icalcomponent_get_next_property(vevent, ICAL_X_PROPERTY);
		if (x_name != NULL && strcasecmp(x_name, name) == 0) {
			icalcomponent_remove_property(vevent, prop);
			icalproperty_free(prop);
		}
	}
	prop = icalproperty_new_x("TRUE");
	icalproperty_set_x_name(prop, name);
	icalcomponent_add_property(vevent, prop);
}

static int mus_itip_fill(icalcomponent *root, icalcomponent *vevent,
			 const struct mus_itip_event *event,
			 icaltimezone *zone, const char **error_r)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	icalcomponent *vtz = NULL;
	const char *tzid = NULL;
	icalproperty *prop;

	if (zone != utc) {
		vtz = mus_itip_vtimezone(zone, event->start, &tzid);
		if (vtz == NULL) {
			*error_r = t_strdup_printf(
				"timezone: libical has no VTIMEZONE for '%s'",
				event->timezone);
			return -1;
		}
	}

	mus_itip_remove_all(root, ICAL_METHOD_PROPERTY);
	icalcomponent_add_property(root, icalproperty_new_method(
		event->method == MUS_ITIP_CANCEL ? ICAL_METHOD_CANCEL :
		event->method == MUS_ITIP_DECLINECOUNTER ?
		ICAL_METHOD_DECLINECOUNTER : ICAL_METHOD_REQUEST));
	for (unsigned int i = 0; i < N_ELEMENTS(mus_itip_event_props); i++)
		mus_itip_remove_all(vevent, mus_itip_event_props[i]);

	icalcomponent_add_property(vevent, icalproperty_new_uid(event->uid));
	icalcomponent_add_property(vevent,
		icalproperty_new_sequence((int)event->sequence));
	icalcomponent_add_property(vevent,
		mus_itip_time_prop(ICAL_DTSTAMP_PROPERTY, event->dtstamp, utc, NULL));
	icalcomponent_add_property(vevent,
		mus_itip_time_prop(ICAL_DTSTART_PROPERTY, event->start, zone, tzid));
	icalcomponent_add_property(vevent,
		mus_itip_time_prop(ICAL_DTEND_PROPERTY, event->end, zone, tzid));
	icalcomponent_add_property(vevent, mus_itip_text_prop(
		icalproperty_new_summary(event->summary), event->language));
	icalcomponent_add_property(vevent, mus_itip_text_prop(
		icalproperty_new_description(event->description),
		event->language));
	if (event->location != NULL && event->location[0] != '\0') {
		icalcomponent_add_property(vevent,
			icalproperty_new_location(event->location));
	}
	if (event->comment != NULL) {
		icalcomponent_add_property(vevent,
			icalproperty_new_comment(event->comment));
	}
	if (event->no_counter)
		mus_itip_disallow_counter(vevent);
	prop = icalproperty_new_organizer(
		t_strconcat("mailto:", event->organizer_mail, NULL));
	icalproperty_add_parameter(prop,
		icalparameter_new_cn(event->organizer_name));
	icalcomponent_add_property(vevent, prop);
	if (event->leader.mail != NULL) {
		icalcomponent_add_property(vevent, mus_itip_attendee(
			&event->leader, ICAL_ROLE_CHAIR, event->method));
	}
	for (unsigned int i = 0; i < event->member_count; i++) {
		icalcomponent_add_property(vevent, mus_itip_attendee(
			&event->members[i], ICAL_ROLE_REQPARTICIPANT,
			event->method));
	}

	if (vtz != NULL) {
		/* the VTIMEZONE goes before the VEVENT that refers to it */
		icalcomponent_remove_component(root, vevent);
		icalcomponent_add_component(root, vtz);
		icalcomponent_add_component(root, vevent);
	}
	return 0;
}

static int mus_itip_build_real(const char *templates_dir,
			       const struct mus_itip_event *event,
			       const char **ics_r, const char **error_r)
{
	const char *path, *text, *error;
	icalcomponent *root, *vevent;
	icaltimezone *zone;
	char *ics;

	if (mus_itip_check(event, &zone, error_r) < 0)
		return -1;
	path = t_strconcat(templates_dir, "/",
			   mus_itip_template_names[event->method], NULL);
	if (mus_itip_read_template(path, &text, error_r) < 0)
		return -1;
	root = icalparser_parse_string(text);
	if (root == NULL) {
		*error_r = t_strdup_printf(
			"%s: libical found no complete iCalendar object "
			"(is every BEGIN: line matched by an END: line?)", path);
		return -1;
	}
	vevent = mus_itip_template_check(root, event->method, &error);
	if (vevent == NULL) {
		*error_r = t_strdup_printf("%s: %s", path, error);
		icalcomponent_free(root);
		return -1;
	}
	if (mus_itip_fill(root, vevent, event, zone, error_r) < 0) {
		icalcomponent_free(root);
		return -1;
	}
	ics = icalcomponent_as_ical_string_r(root);
	icalcomponent_free(root);
	if (ics == NULL) {
		*error_r = t_strdup_printf("icalcomponent_as_ical_string_r(uid=%s) failed: %s",
					   event->uid, icalerror_strerror(icalerrno));
		return -1;
	}
	*ics_r = t_strdup(ics);
	icalmemory_free_buffer(ics);
	return 0;
}

int mus_itip_build(const char *templates_dir,
		   const struct mus_itip_event *event,
		   const char **ics_r, const char **error_r)
{
	const char *ics = NULL, *error = NULL, *result;
	int ret;

	/* the skeleton's text is dropped before returning */
	T_BEGIN {
		ret = mus_itip_build_real(templates_dir, event, &ics, &error);
		result = ret < 0 ? error : ics;
	} T_END_PASS_STR(&result);
	if (ret < 0)
		*error_r = result;
	else
		*ics_r = result;
	return ret;
}
