#ifndef MUS_SETTINGS_H
#define MUS_SETTINGS_H

/* Every mus_* setting of the plugin { } block, parsed and validated in one
   place. Both the mail plugin and the doveadm commands build this struct
   from the same key/value list, so they accept and refuse the same things. */

enum mus_language {
	MUS_LANGUAGE_DA = 0,
	MUS_LANGUAGE_EN,
};
/* the Danish or the English text (a macro, so formats stay checked) */
#define MUS_L(lang, da, en) ((lang) == MUS_LANGUAGE_EN ? (en) : (da))

struct mus_settings {
	const char *ldap_uri;
	const char *ldap_bind_dn;	/* NULL: anonymous bind */
	const char *ldap_password_file;
	bool ldap_starttls;		/* ldap://: require StartTLS */
	const char *ldap_ca_file;	/* NULL: the system's CAs */
	const char *people_base;
	const char *round_base;
	const char *plan_base;		/* NULL: plans go under the person */
	const char *team_base;		/* NULL: a leader's reports are a team */
	/* where the job profiles are; NULL: competence mapping is off */
	const char *profile_base;
	const char *smtp_url;
	bool smtp_starttls;		/* smtp://: require STARTTLS */
	const char *smtp_user;		/* NULL: no SMTP AUTH */
	const char *smtp_password_file;
	const char *smtp_ca_file;	/* NULL: the system's CAs */
	const char *organizer;
	const char *templates_dir;
	const char *timezone;
	enum mus_language language;
	/* NULL-terminated: what works but should be fixed (a password file
	   that others may read), one sentence each, for the caller to log */
	const char *const *warnings;

	/* What is read of a message in the organizer mailbox; a message over
	   any of these is refused unread (mus_max_*). */
	size_t max_message_size;
	unsigned int max_mime_parts;
	unsigned int max_mime_depth;
	unsigned int max_attachments;
	size_t max_ical_size;
	unsigned int max_ical_events;
	unsigned int max_ical_attendees;

	/* how many days before an activity's due date, or the follow-up
	   meeting, the reminder goes out */
	unsigned int reminder_days;
};

/* The defaults of the mus_max_* settings: far above what any mail client
   sends in reply to an invitation, far below what would slow a delivery. */
#define MUS_DEFAULT_MAX_MESSAGE_SIZE (20 * 1024 * 1024)
#define MUS_DEFAULT_MAX_MIME_PARTS 100
#define MUS_DEFAULT_MAX_MIME_DEPTH 16
#define MUS_DEFAULT_MAX_ATTACHMENTS 32
#define MUS_DEFAULT_MAX_ICAL_SIZE (256 * 1024)
#define MUS_DEFAULT_MAX_ICAL_EVENTS 32
#define MUS_DEFAULT_MAX_ICAL_ATTENDEES 100
#define MUS_DEFAULT_REMINDER_DAYS 14

/* The default of mus_templates_dir: where `make install` puts them. */
#define MUS_DEFAULT_TEMPLATES_DIR "/usr/share/dovecot-mus/ical-templates"

/* Parse the plugin settings given as a NULL-terminated key, value, key,
   value, ... list (the layout of Dovecot's plugin_envs). Keys that do not
   start with "mus_" belong to other plugins and are ignored. Returns 0 and
   a struct allocated from pool, or -1 with an error that names the setting
   and its value; set_r is left untouched on failure. */
int mus_settings_parse(pool_t pool, const char *const *envs,
		       const struct mus_settings **set_r,
		       const char **error_r);

/* Read a password file named by setting `name`: the first line without its
   newline. Returns 0 or -1 with an error naming the setting and the file. */
int mus_settings_read_password(pool_t pool, const char *name,
			       const char *path, const char **password_r,
			       const char **error_r);

#endif
