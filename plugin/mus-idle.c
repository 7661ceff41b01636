/* The idle mark: whether a full sync may skip the rounds. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "hex-binary.h"
#include "sha2.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-idle.h"

#include <dirent.h>
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

const char *mus_idle_why_not(const struct mus_idle_state *state,
			     const char *digest, time_t now)
{
	struct mus_idle_mark mark;

	if (state->context_csns[0] == NULL)
		return "the directory keeps no contextCSN (no syncprov overlay)";
	if (state->context_csns[1] != NULL)
		return "the directory has several contextCSNs (several providers)";
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
	const char *round_ndn;
	/* the naming context holding the round base */
	const char *suffix;
	size_t suffix_len;
	struct mus_idle_state *state;
};

static int mus_idle_root_dse(const struct mus_ldap_entry *entry, void *context,
			     const char **error_r ATTR_UNUSED)
{
	struct mus_idle_read_ctx *ctx = context;
	const char *const *contexts = mus_ldap_entry_values(entry, "namingContexts");
	size_t base_len = strlen(ctx->round_ndn);

	for (unsigned int i = 0; contexts[i] != NULL; i++) {
		const char *ndn, *error;
		size_t len;

		if (mus_ldap_dn_normalize(ctx->pool, contexts[i], &ndn, &error) < 0)
			continue;
		len = strlen(ndn);
		if (len > ctx->suffix_len && len <= base_len &&
		    strcmp(ctx->round_ndn + base_len - len, ndn) == 0 &&
		    (len == base_len || ctx->round_ndn[base_len - len - 1] == ',')) {
			ctx->suffix = p_strdup(ctx->pool, contexts[i]);
			ctx->suffix_len = len;
		}
	}
	return 0;
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

int mus_idle_read(struct mus_ldap *conn, pool_t pool, const char *round_base,
		  struct mus_idle_state *state_r, const char **error_r)
{
	static const char *const root_attrs[] = { "namingContexts", NULL };
	static const char *const suffix_attrs[] = { "contextCSN", NULL };
	static const char *const mark_attrs[] = { "musIdleMark", "entryCSN", NULL };
	static const char *const none[] = { NULL };
	struct mus_idle_read_ctx ctx = { .pool = pool, .state = state_r };

	i_zero(state_r);
	state_r->context_csns = none;
	if (mus_ldap_dn_normalize(pool, round_base, &ctx.round_ndn, error_r) < 0)
		return -1;
	if (mus_ldap_read(conn, "", root_attrs, mus_idle_root_dse, &ctx,
			  error_r) < 0)
		return -1;
	if (ctx.suffix != NULL &&
	    mus_ldap_read(conn, ctx.suffix, suffix_attrs, mus_idle_suffix_entry,
			  &ctx, error_r) < 0)
		return -1;
	return mus_ldap_read(conn, mus_ldap_dn_child("cn", MUS_IDLE_ENTRY_CN,
						     round_base),
			     mark_attrs, mus_idle_mark_entry, &ctx,
			     error_r) < 0 ? -1 : 0;
}

int mus_idle_write(struct mus_ldap *conn, const char *round_base,
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
