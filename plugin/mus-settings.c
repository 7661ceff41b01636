/* Parsing and validation of the mus_* plugin settings. */

#include "lib.h"
#include "array.h"
#include "mus-ldap.h"
#include "mus-smtp.h"
#include "mus-time.h"
#include "mus-settings.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

enum mus_setting_kind {
	MUS_SETTING_TEXT,
	MUS_SETTING_LDAP_URI,
	MUS_SETTING_DN,
	MUS_SETTING_SMTP_URL,
	MUS_SETTING_ADDRESS,
	MUS_SETTING_DIR,
	MUS_SETTING_FILE,
	MUS_SETTING_SECRET_FILE,
	MUS_SETTING_TIMEZONE,
	MUS_SETTING_LANGUAGE,
	MUS_SETTING_BOOL,
	/* a number of bytes, optionally with a unit: 512k, 20M, 1G */
	MUS_SETTING_SIZE,
	/* a whole number above 0 */
	MUS_SETTING_COUNT,
};

/* No size setting may be larger: a bigger limit is no limit. */
#define MUS_SETTING_SIZE_MAX (1024 * 1024 * 1024)

struct mus_setting_def {
	const char *name;
	enum mus_setting_kind kind;
	size_t offset;
	bool required;
	const char *default_value;
	/* SIZE and COUNT: the default and the largest value allowed */
	uintmax_t default_number, max_number;
};

#define DEF(name, kind, field, required, def) \
	{ name, kind, offsetof(struct mus_settings, field), required, def, 0, 0 }
#define DEF_SIZE(name, field, def) \
	{ name, MUS_SETTING_SIZE, offsetof(struct mus_settings, field), \
	  FALSE, NULL, def, MUS_SETTING_SIZE_MAX }
#define DEF_COUNT(name, field, def, max) \
	{ name, MUS_SETTING_COUNT, offsetof(struct mus_settings, field), \
	  FALSE, NULL, def, max }

static const struct mus_setting_def mus_setting_defs[] = {
	DEF("mus_ldap_uri", MUS_SETTING_LDAP_URI, ldap_uri, TRUE, NULL),
	DEF("mus_ldap_bind_dn", MUS_SETTING_DN, ldap_bind_dn, FALSE, NULL),
	DEF("mus_ldap_password_file", MUS_SETTING_SECRET_FILE,
	    ldap_password_file, FALSE, NULL),
	{ "mus_ldap_starttls", MUS_SETTING_BOOL,
	  offsetof(struct mus_settings, ldap_starttls), FALSE, "no", 0, 0 },
	DEF("mus_ldap_ca_file", MUS_SETTING_FILE, ldap_ca_file, FALSE, NULL),
	DEF("mus_people_base", MUS_SETTING_DN, people_base, TRUE, NULL),
	DEF("mus_round_base", MUS_SETTING_DN, round_base, TRUE, NULL),
	DEF("mus_plan_base", MUS_SETTING_DN, plan_base, FALSE, NULL),
	DEF("mus_team_base", MUS_SETTING_DN, team_base, FALSE, NULL),
	DEF("mus_profile_base", MUS_SETTING_DN, profile_base, FALSE, NULL),
	DEF("mus_smtp_url", MUS_SETTING_SMTP_URL, smtp_url, TRUE, NULL),
	{ "mus_smtp_starttls", MUS_SETTING_BOOL,
	  offsetof(struct mus_settings, smtp_starttls), FALSE, "no", 0, 0 },
	DEF("mus_smtp_user", MUS_SETTING_TEXT, smtp_user, FALSE, NULL),
	DEF("mus_smtp_password_file", MUS_SETTING_SECRET_FILE,
	    smtp_password_file, FALSE, NULL),
	DEF("mus_smtp_ca_file", MUS_SETTING_FILE, smtp_ca_file, FALSE, NULL),
	DEF("mus_organizer", MUS_SETTING_ADDRESS, organizer, TRUE, NULL),
	DEF("mus_templates_dir", MUS_SETTING_DIR, templates_dir, FALSE,
	    MUS_DEFAULT_TEMPLATES_DIR),
	DEF("mus_timezone", MUS_SETTING_TIMEZONE, timezone, FALSE,
	    "Europe/Copenhagen"),
	/* stored in set->language, not as a string */
	{ "mus_language", MUS_SETTING_LANGUAGE, 0, FALSE, "da", 0, 0 },
	DEF_SIZE("mus_max_message_size", max_message_size,
		 MUS_DEFAULT_MAX_MESSAGE_SIZE),
	DEF_COUNT("mus_max_mime_parts", max_mime_parts,
		  MUS_DEFAULT_MAX_MIME_PARTS, 10000),
	/* Dovecot's parser keeps every open level in memory */
	DEF_COUNT("mus_max_mime_depth", max_mime_depth,
		  MUS_DEFAULT_MAX_MIME_DEPTH, 100),
	DEF_COUNT("mus_max_attachments", max_attachments,
		  MUS_DEFAULT_MAX_ATTACHMENTS, 10000),
	DEF_SIZE("mus_max_ical_size", max_ical_size, MUS_DEFAULT_MAX_ICAL_SIZE),
	DEF_COUNT("mus_max_ical_events", max_ical_events,
		  MUS_DEFAULT_MAX_ICAL_EVENTS, 10000),
	DEF_COUNT("mus_max_ical_attendees", max_ical_attendees,
		  MUS_DEFAULT_MAX_ICAL_ATTENDEES, 100000),
	/* a reminder more than a year ahead reminds of nothing */
	DEF_COUNT("mus_reminder_days", reminder_days,
		  MUS_DEFAULT_REMINDER_DAYS, 366),
};

static const struct mus_setting_def *mus_setting_find(const char *name)
{
	for (unsigned int i = 0; i < N_ELEMENTS(mus_setting_defs); i++) {
		if (strcmp(mus_setting_defs[i].name, name) == 0)
			return &mus_setting_defs[i];
	}
	return NULL;
}

static bool mus_address_valid(const char *value)
{
	const char *at = strchr(value, '@');

	if (at == NULL || at == value || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || strchr(at + 1, '.') == NULL)
		return FALSE;
	for (const char *p = value; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || strchr("<>()[],;:\\\"", *p) != NULL)
			return FALSE;
	}
	return TRUE;
}

/* A SIZE or COUNT value; FALSE if it is no number of that kind or out of
   1..max_number. */
static bool mus_number_parse(const struct mus_setting_def *def,
			     const char *value, uintmax_t *number_r)
{
	uintmax_t number, unit = 1;
	const char *end;

	if (!i_isdigit(value[0]) ||
	    str_parse_uintmax(value, &number, &end) < 0)
		return FALSE;
	if (def->kind == MUS_SETTING_SIZE && end[0] != '\0' && end[1] == '\0') {
		switch (end[0]) {
		case 'k': case 'K': unit = 1024; end++; break;
		case 'M': unit = 1024 * 1024; end++; break;
		case 'G': unit = 1024 * 1024 * 1024; end++; break;
		}
	}
	if (end[0] != '\0' || number == 0 || number > def->max_number / unit)
		return FALSE;
	*number_r = number * unit;
	return TRUE;
}

static int mus_file_check(const char *path, bool want_dir, mode_t *mode_r,
			  const char **error_r)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*error_r = t_strdup_printf("stat(%s) failed: %m", path);
		return -1;
	}
	if (want_dir && !S_ISDIR(st.st_mode)) {
		*error_r = t_strdup_printf("%s is not a directory", path);
		return -1;
	}
	if (!want_dir && !S_ISREG(st.st_mode)) {
		*error_r = t_strdup_printf("%s is not a regular file", path);
		return -1;
	}
	if (access(path, want_dir ? (R_OK | X_OK) : R_OK) < 0) {
		*error_r = t_strdup_printf("%s is not readable by uid %ld: %m",
					   path, (long)geteuid());
		return -1;
	}
	*mode_r = st.st_mode;
	return 0;
}

/* A password file is only warned about, not refused, when its group or
   others may read or change it: refusing would stop a working site at the
   next upgrade over a problem it has had all along. */
static const char *mus_secret_file_warning(const char *name, const char *path,
					   mode_t mode)
{
	if ((mode & 077) == 0)
		return NULL;
	return t_strdup_printf("%s: %s is open to its group or others "
			       "(mode %04o): make it 0600 or 0400",
			       name, path, (unsigned int)(mode & 07777));
}

static int mus_setting_check(const struct mus_setting_def *def,
			     const char *value, const char **warning_r,
			     const char **error_r)
{
	const char *error = NULL;
	uintmax_t number;
	mode_t mode;
	int ret = 0;

	*warning_r = NULL;
	switch (def->kind) {
	case MUS_SETTING_TEXT:
		break;
	case MUS_SETTING_LDAP_URI:
		ret = mus_ldap_uri_check(value, &error);
		break;
	case MUS_SETTING_DN:
		ret = mus_ldap_dn_check(value, &error);
		break;
	case MUS_SETTING_SMTP_URL:
		ret = mus_smtp_url_check(value, &error);
		break;
	case MUS_SETTING_ADDRESS:
		if (!mus_address_valid(value)) {
			error = "not a mail address of the form local@domain";
			ret = -1;
		}
		break;
	case MUS_SETTING_DIR:
	case MUS_SETTING_FILE:
		ret = mus_file_check(value, def->kind == MUS_SETTING_DIR,
				     &mode, &error);
		break;
	case MUS_SETTING_SECRET_FILE:
		ret = mus_file_check(value, FALSE, &mode, &error);
		if (ret == 0)
			*warning_r = mus_secret_file_warning(def->name, value, mode);
		break;
	case MUS_SETTING_TIMEZONE:
		if (!mus_time_zone_exists(value)) {
			error = "unknown time zone (expected a name such as Europe/Copenhagen)";
			ret = -1;
		}
		break;
	case MUS_SETTING_LANGUAGE:
		if (strcmp(value, "da") != 0 && strcmp(value, "en") != 0) {
			error = "expected da or en";
			ret = -1;
		}
		break;
	case MUS_SETTING_BOOL:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			error = "expected yes or no";
			ret = -1;
		}
		break;
	case MUS_SETTING_SIZE:
		if (!mus_number_parse(def, value, &number)) {
			error = "expected a size from 1 byte to 1G, e.g. 20M "
				"(a number of bytes, or with the unit k, M or G)";
			ret = -1;
		}
		break;
	case MUS_SETTING_COUNT:
		if (!mus_number_parse(def, value, &number)) {
			error = t_strdup_printf(
				"expected a whole number from 1 to %ju",
				def->max_number);
			ret = -1;
		}
		break;
	}
	if (ret < 0 && def->kind == MUS_SETTING_SMTP_URL &&
	    strchr(value, '@') != NULL) {
		/* a password in it is not repeated in the log */
		*error_r = t_strdup_printf("%s: invalid value: %s", def->name,
					   error);
	} else if (ret < 0) {
		*error_r = t_strdup_printf("%s: invalid value '%s': %s",
					   def->name, value, error);
	}
	return ret;
}

static void mus_number_store(struct mus_settings *set,
			     const struct mus_setting_def *def,
			     uintmax_t number)
{
	void *field = (char *)set + def->offset;

	if (def->kind == MUS_SETTING_SIZE)
		*(size_t *)field = number;
	else
		*(unsigned int *)field = number;
}

static int mus_settings_check_pairs(const struct mus_settings *set,
				    const char **error_r)
{
	if ((set->ldap_bind_dn == NULL) != (set->ldap_password_file == NULL)) {
		*error_r = "mus_ldap_bind_dn and mus_ldap_password_file must be set together";
		return -1;
	}
	if ((set->smtp_user == NULL) != (set->smtp_password_file == NULL)) {
		*error_r = "mus_smtp_user and mus_smtp_password_file must be set together";
		return -1;
	}
	if (set->ldap_starttls &&
	    mus_ldap_uri_starttls_check(set->ldap_uri, error_r) < 0)
		return -1;
	return 0;
}

/* a setting of earlier versions, which nothing reads */
#define MUS_SETTINGS_GONE_HR_GROUP "mus_hr_group"

int mus_settings_parse(pool_t pool, const char *const *envs,
		       const struct mus_settings **set_r,
		       const char **error_r)
{
	struct mus_settings *set;
	const char *values[N_ELEMENTS(mus_setting_defs)];
	ARRAY_TYPE(const_string) warnings;
	bool gone_hr_group = FALSE;

	memset(values, 0, sizeof(values));
	for (unsigned int i = 0; envs[i] != NULL && envs[i + 1] != NULL; i += 2) {
		const char *key = envs[i], *value = envs[i + 1];
		const struct mus_setting_def *def;

		if (strncmp(key, "mus_", 4) != 0)
			continue;
		if (strcmp(key, MUS_SETTINGS_GONE_HR_GROUP) == 0) {
			/* a setting of earlier versions: said, not refused */
			gone_hr_group = TRUE;
			continue;
		}
		def = mus_setting_find(key);
		if (def == NULL) {
			*error_r = t_strdup_printf(
				"%s: unknown setting (value '%s')", key, value);
			return -1;
		}
		/* Dovecot treats an empty plugin setting as unset */
		if (value[0] != '\0')
			values[def - mus_setting_defs] = value;
	}

	set = p_new(pool, struct mus_settings, 1);
	p_array_init(&warnings, pool, 2);
	if (gone_hr_group) {
		const char *warning = MUS_SETTINGS_GONE_HR_GROUP
			" is no longer used and can go: HR's read access is "
			"given by the directory's ACL (see ldap-schema/mus-acl.ldif)";

		array_push_back(&warnings, &warning);
	}
	for (unsigned int i = 0; i < N_ELEMENTS(mus_setting_defs); i++) {
		const struct mus_setting_def *def = &mus_setting_defs[i];
		const char *value = values[i] != NULL ? values[i] :
			def->default_value;
		const char *warning;

		if (value == NULL && (def->kind == MUS_SETTING_SIZE ||
				      def->kind == MUS_SETTING_COUNT)) {
			mus_number_store(set, def, def->default_number);
			continue;
		}
		if (value == NULL) {
			if (def->required) {
				*error_r = t_strdup_printf(
					"%s: missing required setting", def->name);
				return -1;
			}
			continue;
		}
		if (mus_setting_check(def, value, &warning, error_r) < 0)
			return -1;
		if (warning != NULL) {
			warning = p_strdup(pool, warning);
			array_push_back(&warnings, &warning);
		}
		if (def->kind == MUS_SETTING_LANGUAGE) {
			set->language = strcmp(value, "en") == 0 ?
				MUS_LANGUAGE_EN : MUS_LANGUAGE_DA;
		} else if (def->kind == MUS_SETTING_SIZE ||
			   def->kind == MUS_SETTING_COUNT) {
			uintmax_t number = 0;

			(void)mus_number_parse(def, value, &number);
			mus_number_store(set, def, number);
		} else if (def->kind == MUS_SETTING_BOOL) {
			*(bool *)((char *)set + def->offset) =
				strcmp(value, "yes") == 0;
		} else {
			*(const char **)((char *)set + def->offset) =
				p_strdup(pool, value);
		}
	}
	if (mus_settings_check_pairs(set, error_r) < 0)
		return -1;
	array_append_zero(&warnings);
	set->warnings = array_front(&warnings);
	*set_r = set;
	return 0;
}

int mus_settings_read_password(pool_t pool, const char *name,
			       const char *path, const char **password_r,
			       const char **error_r)
{
	char buf[1024];
	FILE *f;
	size_t len;

	f = fopen(path, "r");
	if (f == NULL) {
		*error_r = t_strdup_printf("%s: fopen(%s) failed: %m", name, path);
		return -1;
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	len = strcspn(buf, "\r\n");
	if (len == 0) {
		*error_r = t_strdup_printf("%s: %s holds no password on its first line",
					   name, path);
		return -1;
	}
	*password_r = p_strndup(pool, buf, len);
	return 0;
}
