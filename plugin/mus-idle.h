#ifndef MUS_IDLE_H
#define MUS_IDLE_H

/* The idle mark: a full sync that ends with nothing left to do records so
   in the directory, on the entry cn=mus-sync-state under the round base.
   A later full sync skips the rounds while nothing has been written to
   the directory since: the suffix's contextCSN (kept by the syncprov
   overlay) is still the mark's own entryCSN. The mark also ends at the
   first moment something falls due by time alone (a conversation ends,
   an absence ends), after MUS_IDLE_MAX_SECS at the latest (reminders of
   the follow-up), and when the settings or the template files change
   (their digest is in the mark). */

#include "mus-sync.h"

struct mus_ldap;
struct mus_settings;

/* The RDN value of the mark's entry under mus_round_base. */
#define MUS_IDLE_ENTRY_CN "mus-sync-state"
/* A mark is trusted for an hour at most. */
#define MUS_IDLE_MAX_SECS 3600

struct mus_idle_mark {
	time_t since, expires;
	const char *digest;	/* mus_idle_digest() */
};

/* What the directory says: the suffix's contextCSN values (NULL-terminated,
   empty without syncprov) and the mark's value and entryCSN (NULL if there
   is no mark). */
struct mus_idle_state {
	const char *const *context_csns;
	const char *mark_value, *mark_csn;
	/* why the bases cannot be watched through one contextCSN (one of
	   them is in another database), or NULL */
	const char *other_database;
};

/* The musIdleMark value "<since> <expires> <digest>" (GeneralizedTimes in
   UTC), from the data stack; parse: FALSE if value is not one. */
const char *mus_idle_mark_format(const struct mus_idle_mark *mark);
bool mus_idle_mark_parse(const char *value, struct mus_idle_mark *mark_r);

/* NULL if a full sync at now may skip the rounds, else why not (one
   phrase, for the log). */
const char *mus_idle_why_not(const struct mus_idle_state *state,
			     const char *digest, time_t now);

/* The digest of what the sync reads besides the directory: the mus_
   settings (envs: key, value, ... as Dovecot's plugin_envs) and the name,
   size and modification time of every file under templates_dir. From the
   data stack. */
const char *mus_idle_digest(const char *const *envs, const char *templates_dir);

/* The naming context among contexts (NULL-terminated) that holds base
   (the nearest), or NULL. */
const char *mus_idle_suffix(const char *const *contexts, const char *base);

/* Whether a full sync at now may skip the rounds: 1 with the mark, 0 with
   why not (one phrase, for the log), -1 on a directory error. */
int mus_idle_check(struct mus_ldap *conn, pool_t pool,
		   const struct mus_settings *set, const char *digest,
		   time_t now, struct mus_idle_mark *mark_r,
		   const char **why_r, const char **error_r);

/* After a full sync without errors: plan every round of opts once more
   as a dry run (its problems go to log); if nothing would be done and
   nobody wrote to the directory meanwhile, record the mark, so that the
   next syncs skip the rounds until something changes. Returns 1 if
   recorded, 0 with why not, -1 on a directory error. */
int mus_idle_record(struct mus_ldap *conn, pool_t pool,
		    const struct mus_settings *set,
		    const struct mus_round_context *rctx,
		    const struct mus_sync_options *opts, const char *digest,
		    mus_sync_log_t *log, void *log_context,
		    const char **why_r, const char **error_r);

#endif
