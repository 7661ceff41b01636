/* Unit tests of the mus_* settings parser. */

#include "lib.h"
#include "array.h"
#include "mus-settings.h"
#include "mus-test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *password_file;

/* A valid configuration with the changes made: changes is a key, value,
   key, value, ... list ending with a NULL key; each value is added, or
   replaces the valid value, and a NULL value removes the key. */
static const char *const *envs_changed(const char *const *changes)
{
	static const char *const base[] = {
		"mus_ldap_uri", "ldap://127.0.0.1:3890/",
		"mus_people_base", "ou=people,dc=eksempel,dc=test",
		"mus_round_base", "ou=rounds,dc=eksempel,dc=test",
		"mus_smtp_url", "smtp://127.0.0.1:2525",
		"mus_organizer", "mus@eksempel.test",
		"mus_templates_dir", ".",
		"quota_rule", "*:storage=1G",
		NULL
	};
	ARRAY_TYPE(const_string) envs;

	t_array_init(&envs, 32);
	for (unsigned int i = 0; base[i] != NULL; i += 2) {
		const char *v = base[i + 1];

		for (unsigned int c = 0; changes[c] != NULL; c += 2) {
			if (strcmp(base[i], changes[c]) == 0)
				v = changes[c + 1];
		}
		if (v == NULL)
			continue;
		array_push_back(&envs, &base[i]);
		array_push_back(&envs, &v);
	}
	for (unsigned int c = 0; changes[c] != NULL; c += 2) {
		if (changes[c + 1] != NULL && !str_array_find(base, changes[c])) {
			array_push_back(&envs, &changes[c]);
			array_push_back(&envs, &changes[c + 1]);
		}
	}
	array_append_zero(&envs);
	return array_front(&envs);
}

/* A valid configuration with `key` set to `value` (key NULL: unchanged),
   as envs_changed() makes it; for the tests of other modules too. */
const char *const *test_settings_envs(const char *key, const char *value)
{
	const char **changes = t_new(const char *, 3);

	changes[0] = key;
	changes[1] = value;
	return envs_changed(changes);
}

struct settings_case {
	const char *key, *value;
	/* NULL: must parse; else a part of the expected error */
	const char *error;
};

static void test_settings_table(void)
{
	const struct settings_case cases[] = {
		{ NULL, NULL, NULL },
		{ "mus_timezone", "Europe/London", NULL },
		{ "mus_language", "en", NULL },
		{ "mus_ldap_uri", "ldapi://%2Frun%2Fslapd%2Fldapi ldap://10.0.0.2/", NULL },
		{ "mus_smtp_url", "smtps://mail.eksempel.test:465", NULL },
		{ "mus_plan_base", "ou=plans,dc=eksempel,dc=test", NULL },
		{ "mus_ldap_uri", "", "mus_ldap_uri: missing required setting" },
		{ "mus_frobnicate", "yes", "mus_frobnicate: unknown setting (value 'yes')" },
		{ "mus_ldap_uri", NULL, "mus_ldap_uri: missing required setting" },
		{ "mus_ldap_uri", "http://ldap.eksempel.test/", "mus_ldap_uri: invalid value 'http://ldap.eksempel.test/'" },
		{ "mus_people_base", "people", "mus_people_base: invalid value 'people': not an RFC 4514 DN" },
		{ "mus_round_base", "ou=rounds,,dc=x", "mus_round_base: invalid value" },
		{ "mus_team_base", "cn=teams,ou=groups,dc", "mus_team_base: invalid value" },
		{ "mus_smtp_url", "http://127.0.0.1/", "mus_smtp_url: invalid value 'http://127.0.0.1/': the scheme must be" },
		{ "mus_smtp_url", "smtp://127.0.0.1/mail", "the URL must not have a path" },
		{ "mus_smtp_url", "smtp://mus:hemmelig@127.0.0.1:587",
		  "mus_smtp_url: invalid value: the URL must not hold a user or password" },
		{ "mus_smtp_url", "smtps://mus@127.0.0.1", "must not hold a user" },
		{ "mus_smtp_url", "not a url at all", "mus_smtp_url: invalid value" },
		{ "mus_organizer", "mus", "mus_organizer: invalid value 'mus'" },
		{ "mus_organizer", "MUS <mus@eksempel.test>", "mus_organizer: invalid value" },
		{ "mus_organizer", "mus@localhost", "mus_organizer: invalid value" },
		{ "mus_templates_dir", "/nonexistent/templates", "mus_templates_dir: invalid value '/nonexistent/templates': stat(/nonexistent/templates) failed" },
		{ "mus_templates_dir", "/etc/hostname", "is not a directory" },
		{ "mus_timezone", "Mars/Olympus_Mons", "mus_timezone: invalid value 'Mars/Olympus_Mons': unknown time zone" },
		{ "mus_language", "fr", "mus_language: invalid value 'fr': expected da or en" },
		{ "mus_smtp_starttls", "yes", NULL },
		{ "mus_smtp_starttls", "maybe", "mus_smtp_starttls: invalid value 'maybe': expected yes or no" },
		{ "mus_ldap_bind_dn", "cn=mus-service,ou=services,dc=eksempel,dc=test", "mus_ldap_bind_dn and mus_ldap_password_file must be set together" },
		{ "mus_ldap_password_file", "/nonexistent/ldap.pw", "mus_ldap_password_file: invalid value '/nonexistent/ldap.pw': stat(/nonexistent/ldap.pw) failed" },
		{ "mus_smtp_password_file", "/etc", "mus_smtp_password_file: invalid value '/etc': /etc is not a regular file" },
		{ "mus_smtp_user", "mus", "mus_smtp_user and mus_smtp_password_file must be set together" },
		{ "mus_smtp_ca_file", password_file, NULL },
		{ "mus_smtp_ca_file", "", NULL },
		{ "mus_smtp_ca_file", "/nonexistent/ca.pem", "mus_smtp_ca_file: invalid value '/nonexistent/ca.pem': stat(/nonexistent/ca.pem) failed" },
		{ "mus_smtp_ca_file", "/etc/ssl", "mus_smtp_ca_file: invalid value '/etc/ssl': /etc/ssl is not a regular file" },
		{ "mus_ldap_starttls", "yes", NULL },
		{ "mus_ldap_starttls", "on", "mus_ldap_starttls: invalid value 'on': expected yes or no" },
		{ "mus_ldap_ca_file", password_file, NULL },
		{ "mus_ldap_ca_file", "/nonexistent/ca.pem", "mus_ldap_ca_file: invalid value '/nonexistent/ca.pem': stat(/nonexistent/ca.pem) failed" },
		{ "mus_ldap_ca_file", "/etc/ssl", "mus_ldap_ca_file: invalid value '/etc/ssl': /etc/ssl is not a regular file" },
		{ "mus_max_message_size", "10M", NULL },
		{ "mus_max_message_size", "1G", NULL },
		{ "mus_max_message_size", "1025M", "mus_max_message_size: invalid value '1025M': expected a size from 1 byte to 1G" },
		{ "mus_max_message_size", "0", "mus_max_message_size: invalid value '0'" },
		{ "mus_max_message_size", "-1", "mus_max_message_size: invalid value '-1'" },
		{ "mus_max_message_size", "20MB", "mus_max_message_size: invalid value '20MB'" },
		{ "mus_max_message_size", "20 M", "mus_max_message_size: invalid value '20 M'" },
		{ "mus_max_message_size", "99999999999999999999999", "mus_max_message_size: invalid value" },
		{ "mus_max_ical_size", "k", "mus_max_ical_size: invalid value 'k'" },
		{ "mus_max_mime_parts", "1", NULL },
		{ "mus_max_mime_parts", "10001", "mus_max_mime_parts: invalid value '10001': expected a whole number from 1 to 10000" },
		{ "mus_max_mime_parts", "5k", "mus_max_mime_parts: invalid value '5k'" },
		{ "mus_max_mime_depth", "101", "mus_max_mime_depth: invalid value '101': expected a whole number from 1 to 100" },
		{ "mus_max_attachments", "0", "mus_max_attachments: invalid value '0'" },
		{ "mus_max_ical_events", "+3", "mus_max_ical_events: invalid value '+3'" },
		{ "mus_max_ical_attendees", "100000", NULL },
		{ "mus_max_ical_attendees", "1e3", "mus_max_ical_attendees: invalid value '1e3'" },
		{ "mus_reminder_days", "1", NULL },
		{ "mus_reminder_days", "366", NULL },
		{ "mus_reminder_days", "367", "mus_reminder_days: invalid value '367': expected a whole number from 1 to 366" },
		{ "mus_reminder_days", "0", "mus_reminder_days: invalid value '0'" },
		{ "mus_reminder_days", "2w", "mus_reminder_days: invalid value '2w'" },
		{ "mus_profile_base", "ou=profiles,dc=eksempel,dc=test", NULL },
		{ "mus_profile_base", "", NULL },
		{ "mus_profile_base", "profiles", "mus_profile_base: invalid value 'profiles': not an RFC 4514 DN" },
		{ "mus_profile_base", "ou=profiles,,dc=x", "mus_profile_base: invalid value" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const struct settings_case *c = &cases[i];
		const struct mus_settings *set = (const void *)&cases, *sentinel = set;
		const char *error = NULL;
		pool_t pool = pool_alloconly_create("test", 1024);
		int ret;

		mus_test_begin(t_strdup_printf("settings: %s=%s",
			c->key == NULL ? "(valid)" : c->key,
			c->value == NULL ? "(unset)" : c->value));
		ret = mus_settings_parse(pool, test_settings_envs(c->key, c->value),
					 &set, &error);
		if (c->error == NULL) {
			test_assert(ret == 0);
			test_assert(set != sentinel);
		} else {
			test_assert(ret == -1);
			test_assert_contains(error, c->error);
			test_assert(set == sentinel);
		}
		mus_test_end();
		pool_unref(&pool);
	}
}

static void test_settings_values(void)
{
	const struct mus_settings *set;
	const char *error;
	pool_t pool = pool_alloconly_create("test", 1024);

	mus_test_begin("settings: defaults and parsed values");
	test_assert(mus_settings_parse(pool, test_settings_envs(NULL, NULL), &set, &error) == 0);
	test_assert_strcmp(set->timezone, "Europe/Copenhagen");
	test_assert_strcmp(set->templates_dir, ".");
	test_assert(set->language == MUS_LANGUAGE_DA);
	test_assert(set->plan_base == NULL);
	/* competence mapping is off unless asked for */
	test_assert(set->profile_base == NULL);
	test_assert(set->ldap_bind_dn == NULL);
	test_assert(set->smtp_ca_file == NULL);
	test_assert(!set->ldap_starttls);
	test_assert(set->ldap_ca_file == NULL);
	test_assert(set->warnings[0] == NULL);
	test_assert_strcmp(set->organizer, "mus@eksempel.test");
	/* a setting of earlier versions is said to go, not refused */
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_hr_group",
				"cn=hr,ou=groups,dc=eksempel,dc=test"), &set, &error) == 0);
	test_assert(set->warnings[0] != NULL && set->warnings[1] == NULL);
	test_assert_contains(set->warnings[0], "mus_hr_group is no longer used");
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_smtp_ca_file", password_file),
				       &set, &error) == 0);
	test_assert_strcmp(set->smtp_ca_file, password_file);
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_language", "en"),
				       &set, &error) == 0);
	test_assert(set->language == MUS_LANGUAGE_EN);
	mus_test_end();

	mus_test_begin("settings: limits, their defaults and units");
	test_assert(mus_settings_parse(pool, test_settings_envs(NULL, NULL), &set, &error) == 0);
	test_assert(set->max_message_size == 20 * 1024 * 1024);
	test_assert(set->max_mime_parts == 100 && set->max_mime_depth == 16);
	test_assert(set->max_attachments == 32);
	test_assert(set->max_ical_size == 256 * 1024);
	test_assert(set->max_ical_events == 32 && set->max_ical_attendees == 100);
	test_assert(set->reminder_days == 14);
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_max_message_size", "512k"),
				       &set, &error) == 0);
	test_assert(set->max_message_size == 512 * 1024);
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_max_message_size", "3000"),
				       &set, &error) == 0);
	test_assert(set->max_message_size == 3000);
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_max_ical_size", "2M"),
				       &set, &error) == 0);
	test_assert(set->max_ical_size == 2 * 1024 * 1024);
	test_assert(mus_settings_parse(pool, test_settings_envs("mus_max_mime_depth", "7"),
				       &set, &error) == 0);
	test_assert(set->max_mime_depth == 7 && set->max_mime_parts == 100);
	mus_test_end();

	mus_test_begin("settings: bind DN with a readable password file");
	{
		const char *changes[] = {
			"mus_ldap_bind_dn", "cn=mus,dc=x",
			"mus_ldap_password_file", password_file,
			NULL
		};
		test_assert(mus_settings_parse(pool, envs_changed(changes),
					       &set, &error) == 0);
		test_assert_strcmp(set->ldap_password_file, password_file);
	}
	mus_test_end();
	pool_unref(&pool);
}

/* StartTLS is refused with a URL where it cannot be asked for. */
static void test_settings_starttls(void)
{
	static const struct {
		const char *uri;
		/* NULL: must parse; else the URL the error names */
		const char *refused;
	} cases[] = {
		{ "ldap://127.0.0.1:3890/", NULL },
		{ "ldap://ldap1.eksempel.test LDAP://ldap2.eksempel.test", NULL },
		{ "ldaps://ldap.eksempel.test", "ldaps://ldap.eksempel.test" },
		{ "ldap://ldap1.eksempel.test ldaps://ldap2.eksempel.test", "ldaps://ldap2.eksempel.test" },
		{ "ldapi://%2Frun%2Fslapd%2Fldapi", "ldapi://%2Frun%2Fslapd%2Fldapi" },
	};
	pool_t pool = pool_alloconly_create("test", 1024);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *changes[] = {
			"mus_ldap_uri", cases[i].uri,
			"mus_ldap_starttls", "yes",
			NULL
		};
		const struct mus_settings *set = NULL;
		const char *error = NULL;
		int ret;

		mus_test_begin(t_strdup_printf("settings: StartTLS with %s",
					       cases[i].uri));
		ret = mus_settings_parse(pool, envs_changed(changes), &set, &error);
		if (cases[i].refused == NULL) {
			test_assert(ret == 0);
			test_assert(set != NULL && set->ldap_starttls);
		} else {
			test_assert(ret == -1);
			test_assert(set == NULL);
			test_assert_contains(error, "mus_ldap_starttls=yes needs ldap:// URLs");
			test_assert_contains(error, t_strdup_printf("'%s'", cases[i].refused));
		}
		mus_test_end();
	}
	pool_unref(&pool);
}

/* A password file others may read is named with its mode, and only
   warned about; one of mode 0600 or 0400 gives no warning. */
static void test_settings_password_mode(void)
{
	static const struct {
		mode_t mode;
		const char *warning;	/* NULL: none */
	} cases[] = {
		{ 0600, NULL },
		{ 0400, NULL },
		{ 0640, "(mode 0640)" },
		{ 0604, "(mode 0604)" },
		{ 0620, "(mode 0620)" },
	};
	pool_t pool = pool_alloconly_create("test", 1024);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *names[] = { "mus_ldap_password_file", "mus_smtp_password_file" };

		for (unsigned int n = 0; n < N_ELEMENTS(names); n++) {
			const char *changes[] = {
				n == 0 ? "mus_ldap_bind_dn" : "mus_smtp_user",
				n == 0 ? "cn=mus,dc=x" : "mus",
				names[n], password_file,
				NULL
			};
			const struct mus_settings *set = NULL;
			const char *error = NULL;

			mus_test_begin(t_strdup_printf("settings: %s of mode %04o",
						       names[n], (unsigned int)cases[i].mode));
			if (chmod(password_file, cases[i].mode) < 0)
				i_fatal("chmod(%s) failed: %m", password_file);
			test_assert(mus_settings_parse(pool, envs_changed(changes),
						       &set, &error) == 0);
			if (set != NULL && cases[i].warning == NULL) {
				test_assert(set->warnings[0] == NULL);
			} else if (set != NULL) {
				test_assert(set->warnings[0] != NULL &&
					    set->warnings[1] == NULL);
				test_assert_contains(set->warnings[0], t_strdup_printf(
					"%s: %s is open to its group or others %s",
					names[n], password_file, cases[i].warning));
			}
			mus_test_end();
		}
	}
	if (chmod(password_file, 0600) < 0)
		i_fatal("chmod(%s) failed: %m", password_file);
	pool_unref(&pool);
}

static void test_settings_password(void)
{
	const char *password = "untouched", *error = NULL;
	pool_t pool = pool_alloconly_create("test", 1024);
	FILE *f;

	mus_test_begin("settings: password is the first line");
	test_assert(mus_settings_read_password(pool, "mus_ldap_password_file",
					       password_file, &password, &error) == 0);
	test_assert_strcmp(password, "s3cret æøå");
	mus_test_end();

	mus_test_begin("settings: empty password file is refused");
	f = fopen(password_file, "w");
	i_assert(f != NULL);
	fputs("\n", f);
	fclose(f);
	password = "untouched";
	test_assert(mus_settings_read_password(pool, "mus_smtp_password_file",
					       password_file, &password, &error) == -1);
	test_assert(error != NULL && strstr(error, "mus_smtp_password_file") != NULL);
	test_assert_strcmp(password, "untouched");
	mus_test_end();

	mus_test_begin("settings: missing password file names setting and file");
	test_assert(mus_settings_read_password(pool, "mus_ldap_password_file",
					       "/nonexistent/pw", &password, &error) == -1);
	test_assert(error != NULL &&
		    strstr(error, "mus_ldap_password_file: fopen(/nonexistent/pw)") != NULL);
	mus_test_end();
	pool_unref(&pool);
}

void test_settings(void)
{
	char path[] = "/tmp/mus-test-pw.XXXXXX";
	const char *content = "s3cret æøå\nsecond line\n";
	int fd = mkstemp(path);

	i_assert(fd >= 0);
	if (write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		i_fatal("write(%s) failed: %m", path);
	i_close_fd(&fd);
	password_file = path;
	test_settings_table();
	test_settings_values();
	test_settings_starttls();
	test_settings_password_mode();
	test_settings_password();
	i_unlink(path);
}
