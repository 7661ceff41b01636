/* The idle mark: whether a full sync may skip the rounds. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "hex-binary.h"
#include "sha2.h"
#include "mus-settings.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-sync.h"
#include "mus-idle.h"

#include <dirent.h>
#include <time.h>
#include <sys/stat.h>

/* deeper than the template tree ever is; a loop of links ends here */
#define MUS_IDLE_MAX_DEPTH 4

const char *mus_idle_mark_format(const struct mus_idle_mark *mark)
{
	return t_strdup_printf("%s %s %s", mus_time_generalized(mark->since),
			       mus_time_generalized(mark->expires),
			       mark->digest);
}

bool mus_idle_mark_parse(const char *value, struct mus_idle_mark *mark_r)
{
	const char *const *parts = t_strsplit(value, " ");

	i_zero(mark_r);
	return str_array_length(parts) == 3 && parts[2][0] != '\0' &&
		mus_time_parse_generalized(parts[0], &mark_r->since) == 0 &&
		mus_time_parse_generalized(parts[1], &mark_r->expires) == 0 &&
		(mark_r->digest = parts[2]) != NULL;
}

/* NULL if every write to the bases shows in one contextCSN, else why
   not. */
static const char *mus_idle_unwatchable(const struct mus_idle_state *state)
{
	if (state->other_database != NULL)
		return state->other_database;
	if (state->context_csns[0] == NULL)
		return "the directory keeps no contextCSN (no syncprov overlay)";
	if (state->context_csns[1] != NULL)
		return "the directory has several contextCSNs (several providers)";
	return NULL;
}

const char *mus_idle_why_not(const struct mus_idle_state *state,
			     const char *digest, time_t now)
{
	struct mus_idle_mark mark;
	const char *why;

	if ((why = mus_idle_unwatchable(state)) != NULL)
		return why;
	if (state->mark_value == NULL)
		return "no sync has recorded that it had nothing to do";
	if (!mus_idle_mark_parse(state->mark_value, &mark))
		return "the mark does not parse";
	if (state->mark_csn == NULL ||
	    strcmp(state->mark_csn, state->context_csns[0]) != 0)
		return "the directory changed";
	if (now >= mark.expires || now < mark.since)
		return "the mark has expired";
	if (strcmp(mark.digest, digest) != 0)
		return "the settings or the template files changed";
	return NULL;
}

static void mus_idle_digest_dir(struct sha256_ctx *ctx, const char *dir,
				unsigned int depth)
{
	ARRAY_TYPE(const_string) names;
	const char *name;
	struct dirent *d;
	struct stat st;
	DIR *dirp;

	if (depth > MUS_IDLE_MAX_DEPTH || (dirp = opendir(dir)) == NULL) {
		/* what cannot be read is read by the sync, which says so */
		sha256_loop(ctx, dir, strlen(dir) + 1);
		return;
	}
	t_array_init(&names, 64);
	while ((d = readdir(dirp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		name = t_strdup(d->d_name);
		array_push_back(&names, &name);
	}
	(void)closedir(dirp);
	array_sort(&names, i_strcmp_p);
	array_foreach_elem(&names, name) {
		const char *path = t_strconcat(dir, "/", name, NULL);
		const char *line;

		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			mus_idle_digest_dir(ctx, path, depth + 1);
			continue;
		}
		line = t_strdup_printf("%s %lld %lld.%09ld\n", path,
				       (long long)st.st_size,
				       (long long)st.st_mtim.tv_sec,
				       (long)st.st_mtim.tv_nsec);
		sha256_loop(ctx, line, strlen(line));
	}
}

const char *mus_idle_digest(const char *const *envs, const char *templates_dir)
{
	unsigned char digest[SHA256_RESULTLEN];
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	for (unsigned int i = 0; envs[i] != NULL && envs[i + 1] != NULL; i += 2) {
		if (!str_begins(envs[i], "mus_"))
			continue;
		sha256_loop(&ctx, envs[i], strlen(envs[i]) + 1);
		sha256_loop(&ctx, envs[i + 1], strlen(envs[i + 1]) + 1);
	}
	mus_idle_digest_dir(&ctx, templates_dir, 0);
	sha256_result(&ctx, digest);
	return binary_to_hex(digest, sizeof(digest));
}

struct mus_idle_read_ctx {
	pool_t pool;
	/* the server's naming contexts */
	ARRAY_TYPE(const_string) contexts;
	struct mus_idle_state *state;
};

static int mus_idle_root_dse(const struct mus_ldap_entry *entry, void *context,
			     const char **error_r ATTR_UNUSED)
{
	struct mus_idle_read_ctx *ctx = context;
	const char *const *contexts = mus_ldap_entry_values(entry, "namingContexts");

	for (unsigned int i = 0; contexts[i] != NULL; i++) {
		const char *value = p_strdup(ctx->pool, contexts[i]);

		array_push_back(&ctx->contexts, &value);
	}
	return 0;
}

const char *mus_idle_suffix(const char *const *contexts, const char *base)
{
	pool_t pool = pool_datastack_create();
	const char *ndn, *context_ndn, *error;

	/* from base up, parsed: an escaped comma is no RDN boundary */
	for (const char *dn = base; dn != NULL; dn = mus_ldap_dn_parent(dn)) {
		if (mus_ldap_dn_normalize(pool, dn, &ndn, &error) < 0)
			return NULL;
		for (unsigned int i = 0; contexts[i] != NULL; i++) {
			if (mus_ldap_dn_normalize(pool, contexts[i], &context_ndn,
						  &error) == 0 &&
			    strcmp(ndn, context_ndn) == 0)
				return contexts[i];
		}
	}
	return NULL;
}

static const char *const *
mus_idle_pool_values(pool_t pool, const char *const *values)
{
	unsigned int count = str_array_length(values);
	const char **copy = p_new(pool, const char *, count + 1);

	for (unsigned int i = 0; i < count; i++)
		copy[i] = p_strdup(pool, values[i]);
	return copy;
}

static int mus_idle_suffix_entry(const struct mus_ldap_entry *entry,
				 void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_idle_read_ctx *ctx = context;

	ctx->state->context_csns = mus_idle_pool_values(ctx->pool,
		mus_ldap_entry_values(entry, "contextCSN"));
	return 0;
}

static int mus_idle_mark_entry(const struct mus_ldap_entry *entry,
			       void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_idle_read_ctx *ctx = context;

	ctx->state->mark_value =
		p_strdup(ctx->pool, mus_ldap_entry_value(entry, "musIdleMark"));
	ctx->state->mark_csn =
		p_strdup(ctx->pool, mus_ldap_entry_value(entry, "entryCSN"));
	return 0;
}

/* What the directory says for set's bases, from pool. Returns 0, or -1 on
   a directory error. */
static int mus_idle_read(struct mus_ldap *conn, pool_t pool,
			 const struct mus_settings *set,
			 struct mus_idle_state *state_r, const char **error_r)
{
	static const char *const root_attrs[] = { "namingContexts", NULL };
	static const char *const suffix_attrs[] = { "contextCSN", NULL };
	static const char *const mark_attrs[] = { "musIdleMark", "entryCSN", NULL };
	static const char *const none[] = { NULL };
	const struct {
		const char *setting, *base;
	} bases[] = {
		{ "mus_people_base", set->people_base },
		{ "mus_plan_base", set->plan_base },
		{ "mus_team_base", set->team_base },
		{ "mus_profile_base", set->profile_base },
	};
	struct mus_idle_read_ctx ctx = { .pool = pool, .state = state_r };
	const char *const *contexts, *suffix, *other;

	i_zero(state_r);
	state_r->context_csns = none;
	p_array_init(&ctx.contexts, pool, 4);
	if (mus_ldap_read(conn, "", root_attrs, mus_idle_root_dse, &ctx,
			  error_r) < 0)
		return -1;
	array_append_zero(&ctx.contexts);
	contexts = array_front(&ctx.contexts);
	suffix = mus_idle_suffix(contexts, set->round_base);
	if (suffix == NULL) {
		state_r->other_database =
			"no naming context of the directory holds mus_round_base";
		return 0;
	}
	/* a write is seen in the contextCSN of its own database only */
	for (unsigned int i = 0; i < N_ELEMENTS(bases); i++) {
		if (bases[i].base == NULL)
			continue;
		other = mus_idle_suffix(contexts, bases[i].base);
		if (other == NULL || strcmp(other, suffix) != 0) {
			state_r->other_database = p_strdup_printf(pool,
				"%s is in another database than mus_round_base",
				bases[i].setting);
			return 0;
		}
	}
	if (mus_ldap_read(conn, suffix, suffix_attrs, mus_idle_suffix_entry,
			  &ctx, error_r) < 0)
		return -1;
	return mus_ldap_read(conn, mus_ldap_dn_child("cn", MUS_IDLE_ENTRY_CN,
						     set->round_base),
			     mark_attrs, mus_idle_mark_entry, &ctx,
			     error_r) < 0 ? -1 : 0;
}

int mus_idle_check(struct mus_ldap *conn, pool_t pool,
		   const struct mus_settings *set, const char *digest,
		   time_t now, struct mus_idle_mark *mark_r,
		   const char **why_r, const char **error_r)
{
	struct mus_idle_state state;

	if (mus_idle_read(conn, pool, set, &state, error_r) < 0)
		return -1;
	if ((*why_r = mus_idle_why_not(&state, digest, now)) != NULL)
		return 0;
	(void)mus_idle_mark_parse(state.mark_value, mark_r);
	return 1;
}

/* Write mark (creating the entry on first use). Returns 0, or -1 on a
   directory error. */
static int mus_idle_write(struct mus_ldap *conn, const char *round_base,
			  const struct mus_idle_mark *mark, const char **error_r)
{
	const char *dn = mus_ldap_dn_child("cn", MUS_IDLE_ENTRY_CN, round_base);
	const char *value = mus_idle_mark_format(mark);
	struct mus_ldap_mod mods[4];
	int ret;

	i_zero(&mods);
	mods[0].attr = "musIdleMark";
	mods[0].values = mus_ldap_values1(value);
	/* modify first: the entry is there from the second mark on; if
	   another sync adds it meanwhile, the modify is tried once more */
	for (unsigned int attempt = 0; attempt < 2; attempt++) {
		if ((ret = mus_ldap_modify(conn, dn, mods, NULL, error_r)) != 0)
			return ret < 0 ? -1 : 0;
		i_zero(&mods);
		mods[0].attr = "objectClass";
		mods[0].values = mus_ldap_values1("musSyncState");
		mods[1].attr = "cn";
		mods[1].values = mus_ldap_values1(MUS_IDLE_ENTRY_CN);
		mods[2].attr = "musIdleMark";
		mods[2].values = mus_ldap_values1(value);
		if ((ret = mus_ldap_add(conn, dn, mods, error_r)) != 0)
			return ret < 0 ? -1 : 0;
		i_zero(&mods);
		mods[0].attr = "musIdleMark";
		mods[0].values = mus_ldap_values1(value);
	}
	*error_r = t_strdup_printf("%s could neither be modified nor added", dn);
	return -1;
}

int mus_idle_record(struct mus_ldap *conn, pool_t pool,
		    const struct mus_settings *set,
		    const struct mus_round_context *rctx,
		    const struct mus_sync_options *opts, const char *digest,
		    mus_sync_log_t *log, void *log_context,
		    const char **why_r, const char **error_r)
{
	struct mus_sync_options check = *opts;
	struct mus_idle_state before, after;
	ARRAY_TYPE(mus_sync_result) results;
	const struct mus_sync_result *r;
	struct mus_idle_mark mark;

	if (mus_idle_read(conn, pool, set, &before, error_r) < 0)
		return -1;
	if ((*why_r = mus_idle_unwatchable(&before)) != NULL)
		return 0;
	check.dry_run = TRUE;
	check.send.dry_run = TRUE;
	check.send.eml_dir = NULL;
	check.progress = NULL;
	check.planned = NULL;
	p_array_init(&results, pool, 8);
	if (mus_sync_run(conn, set, rctx, &check, log, log_context, pool,
			 &results, error_r) < 0)
		return -1;
	i_zero(&mark);
	mark.since = time(NULL);
	mark.expires = mark.since + MUS_IDLE_MAX_SECS;
	mark.digest = digest;
	array_foreach(&results, r) {
		if (!r->idle) {
			*why_r = t_strdup_printf("round %s has something to do",
						 r->round_name);
			return 0;
		}
		if (r->next_due != 0 && r->next_due < mark.expires)
			mark.expires = r->next_due;
	}
	if (mark.expires <= mark.since) {
		*why_r = "something falls due now";
		return 0;
	}
	if (mus_idle_read(conn, pool, set, &after, error_r) < 0)
		return -1;
	/* a write meanwhile may have given the rounds something to do */
	if (mus_idle_unwatchable(&after) != NULL ||
	    strcmp(before.context_csns[0], after.context_csns[0]) != 0) {
		*why_r = "the directory changed during the check";
		return 0;
	}
	if (mus_idle_write(conn, set->round_base, &mark, error_r) < 0)
		return -1;
	return 1;
}
