/* doveadm mus purge: plans and conversations past retention. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-filed-plans.h"
#include "mus-retention.h"

#include <time.h>

#define MUS_RETENTION_PAGE_SIZE 500

static const struct {
	char letter;
	const char *name;
	/* the least count that reaches MUS_RETENTION_MIN_DAYS back (a month
	   may have 28 days), and the most that makes sense */
	unsigned int min, max;
} mus_retention_units[] = {
	[MUS_RETENTION_DAYS] = { 'd', "days", MUS_RETENTION_MIN_DAYS, 36500 },
	[MUS_RETENTION_MONTHS] = { 'm', "months", 2, 1200 },
	[MUS_RETENTION_YEARS] = { 'y', "years", 1, 100 },
};

int mus_retention_parse(const char *value, struct mus_retention_period *period_r,
			const char **error_r)
{
	unsigned int count = 0, unit, digits = 0;
	const char *p = value;

	for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		count = count * 10 + (unsigned int)(*p - '0');
	for (unit = 0; unit < N_ELEMENTS(mus_retention_units); unit++) {
		if (digits > 0 && p[0] == mus_retention_units[unit].letter &&
		    p[1] == '\0')
			break;
	}
	if (unit == N_ELEMENTS(mus_retention_units)) {
		*error_r = t_strdup_printf(
			"invalid period '%s': expected a whole number and d "
			"(days), m (months) or y (years), e.g. 400d, 18m, 5y",
			value);
		return -1;
	}
	if (count < mus_retention_units[unit].min) {
		*error_r = t_strdup_printf(
			"the period '%s' is under the minimum of %u days: "
			"write at least %ud, %um or %uy", value,
			MUS_RETENTION_MIN_DAYS,
			mus_retention_units[MUS_RETENTION_DAYS].min,
			mus_retention_units[MUS_RETENTION_MONTHS].min,
			mus_retention_units[MUS_RETENTION_YEARS].min);
		return -1;
	}
	if (count > mus_retention_units[unit].max) {
		*error_r = t_strdup_printf("the period '%s' is over the maximum "
					   "of %u %s", value,
					   mus_retention_units[unit].max,
					   mus_retention_units[unit].name);
		return -1;
	}
	period_r->count = count;
	period_r->unit = unit;
	return 0;
}

static bool mus_retention_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

time_t mus_retention_cutoff(const struct mus_retention_period *period,
			    time_t now)
{
	static const int month_days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct tm tm;
	int months, year, days;

	if (period->unit == MUS_RETENTION_DAYS)
		return now - (time_t)period->count * 24 * 60 * 60;
	months = (int)period->count *
		(period->unit == MUS_RETENTION_YEARS ? 12 : 1);
	if (gmtime_r(&now, &tm) == NULL)
		i_unreached();
	months = tm.tm_year * 12 + tm.tm_mon - months;
	tm.tm_year = months / 12;
	tm.tm_mon = months % 12;
	year = tm.tm_year + 1900;
	days = month_days[tm.tm_mon] +
		(tm.tm_mon == 1 && mus_retention_leap(year) ? 1 : 0);
	if (tm.tm_mday > days)
		tm.tm_mday = days;
	return timegm(&tm);
}

/* ---- the directory ---- */

struct mus_retention_victim {
	const char *dn, *reason;
};
ARRAY_DEFINE_TYPE(mus_retention_victim, struct mus_retention_victim);

struct mus_retention_ctx {
	struct mus_ldap *conn;
	const struct mus_retention_options *opts;
	mus_retention_log_t *log;
	void *context;
	pool_t pool;
	ARRAY_TYPE(mus_retention_victim) victims;
	HASH_TABLE(const char *, const char *) seen;
	/* for the conversations of one round */
	time_t window_end;
};

static void mus_retention_add(struct mus_retention_ctx *ctx, const char *dn,
			      const char *reason)
{
	struct mus_retention_victim *victim;
	const char *key = t_str_lcase(dn);

	if (hash_table_lookup(ctx->seen, key) != NULL)
		return;
	key = p_strdup(ctx->pool, key);
	hash_table_insert(ctx->seen, key, key);
	victim = array_append_space(&ctx->victims);
	victim->dn = p_strdup(ctx->pool, dn);
	victim->reason = p_strdup(ctx->pool, reason);
}

bool mus_retention_plan_past(const struct mus_filed_plan *plan,
			     time_t cutoff, const char **reason_r)
{
	time_t by_employee = plan->approved_by_employee;
	time_t by_leader = plan->approved_by_leader;
	time_t when = plan->follow_up != 0 ? plan->follow_up :
		(by_employee > by_leader ? by_employee : by_leader);

	if (when == 0 || when >= cutoff)
		return FALSE;
	*reason_r = t_strdup_printf("plan, %s %s", plan->follow_up != 0 ?
				    "follow-up" : "approved",
				    mus_time_date(when));
	return TRUE;
}

static int mus_retention_conversation(const struct mus_ldap_entry *entry,
				      void *context,
				      const char **error_r ATTR_UNUSED)
{
	struct mus_retention_ctx *ctx = context;
	time_t end = mus_ldap_entry_time(entry, "musEnd");

	if (end == 0)
		end = ctx->window_end;
	if (end != 0 && end < ctx->opts->cutoff) {
		mus_retention_add(ctx, mus_ldap_entry_dn(entry), t_strdup_printf(
			"conversation of a closed round, ended %s",
			mus_time_date(end)));
	}
	return 0;
}

struct mus_retention_entry {
	const char *dn;
	time_t window_end;
};
ARRAY_DEFINE_TYPE(mus_retention_entry, struct mus_retention_entry);

struct mus_retention_found {
	pool_t pool;
	ARRAY_TYPE(mus_retention_entry) *entries;
};

static int mus_retention_round_entry(const struct mus_ldap_entry *entry,
				    void *context,
				    const char **error_r ATTR_UNUSED)
{
	struct mus_retention_found *dns = context;
	struct mus_retention_entry *round = array_append_space(dns->entries);

	round->dn = p_strdup(dns->pool, mus_ldap_entry_dn(entry));
	round->window_end = mus_ldap_entry_time(entry, "musWindowEnd");
	return 0;
}

static const char *const mus_retention_dn_attrs[] = { "1.1", NULL };

/* collects the DNs of what a search finds */
static int mus_retention_dn_read(const struct mus_ldap_entry *entry,
				 void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_retention_found *dns = context;
	struct mus_retention_entry *found = array_append_space(dns->entries);

	found->dn = p_strdup(dns->pool, mus_ldap_entry_dn(entry));
	return 0;
}

/* Remove dn after everything below it (depth first), logging each. */
static int mus_retention_remove(struct mus_retention_ctx *ctx, const char *dn,
				const char *reason, const char **error_r)
{
	ARRAY_TYPE(mus_retention_entry) children;
	struct mus_retention_found dns = { .pool = ctx->pool, .entries = &children };
	const struct mus_retention_entry *child;

	p_array_init(&children, ctx->pool, 8);
	if (mus_ldap_search_children(ctx->conn, dn, "(objectClass=*)",
				     mus_retention_dn_attrs,
				     mus_retention_dn_read, &dns, error_r) < 0)
		return -1;
	array_foreach(&children, child) {
		if (mus_retention_remove(ctx, child->dn,
					 t_strconcat("below ", dn, NULL),
					 error_r) < 0)
			return -1;
	}
	if (!ctx->opts->dry_run && mus_ldap_delete(ctx->conn, dn, error_r) < 0)
		return -1;
	ctx->log(dn, reason, ctx->context);
	return 0;
}

/* Remove every musPlanRef value naming the plan dn. */
static int mus_retention_unref(struct mus_retention_ctx *ctx, const char *dn,
			       const char **error_r)
{
	ARRAY_TYPE(mus_retention_entry) people;
	struct mus_retention_found dns = { .pool = ctx->pool, .entries = &people };
	const struct mus_retention_entry *person;
	const char *filter;

	if (ctx->opts->dry_run || ctx->opts->people_base == NULL)
		return 0;
	p_array_init(&people, ctx->pool, 2);
	filter = t_strdup_printf("(musPlanRef=%s)", mus_ldap_filter_escape(dn));
	if (mus_ldap_search_paged(ctx->conn, ctx->opts->people_base, filter,
				  mus_retention_dn_attrs, MUS_RETENTION_PAGE_SIZE,
				  mus_retention_dn_read, &dns, error_r) < 0)
		return -1;
	array_foreach(&people, person) {
		const struct mus_ldap_mod mods[] = {
			{ MUS_LDAP_MOD_DELETE, "musPlanRef", mus_ldap_values1(dn) },
			{ 0, NULL, NULL }
		};

		if (mus_ldap_modify(ctx->conn, person->dn, mods, NULL, error_r) < 0)
			return -1;
	}
	return 0;
}

static const char *const mus_retention_round_attrs[] = {
	"musWindowEnd", NULL
};
static const char *const mus_retention_conv_attrs[] = { "musEnd", NULL };

static int mus_retention_find(struct mus_retention_ctx *ctx,
			      const char **error_r)
{
	const struct mus_retention_options *opts = ctx->opts;
	ARRAY_TYPE(mus_retention_entry) rounds;
	struct mus_retention_found dns = { .pool = ctx->pool, .entries = &rounds };
	const struct mus_retention_entry *round;
	struct mus_filed_plan *plan;
	const char *reason;

	array_foreach_elem(opts->plans, plan) {
		if (mus_retention_plan_past(plan, opts->cutoff, &reason))
			mus_retention_add(ctx, plan->dn, reason);
	}
	p_array_init(&rounds, ctx->pool, 8);
	if (mus_ldap_search_paged(ctx->conn, opts->round_base,
				  "(&(objectClass=musRound)(musState=closed))",
				  mus_retention_round_attrs,
				  MUS_RETENTION_PAGE_SIZE,
				  mus_retention_round_entry, &dns, error_r) < 0)
		return -1;
	array_foreach(&rounds, round) {
		ctx->window_end = round->window_end;
		if (mus_ldap_search_paged(ctx->conn, round->dn,
					  "(objectClass=musConversation)",
					  mus_retention_conv_attrs,
					  MUS_RETENTION_PAGE_SIZE,
					  mus_retention_conversation, ctx,
					  error_r) < 0)
			return -1;
	}
	return 0;
}

int mus_retention_purge(struct mus_ldap *conn,
			const struct mus_retention_options *opts,
			mus_retention_log_t *log, void *context,
			const char **error_r)
{
	struct mus_retention_ctx ctx = {
		.conn = conn, .opts = opts, .log = log, .context = context,
	};
	const struct mus_retention_victim *victim;
	int ret;

	ctx.pool = pool_alloconly_create("mus purge", 8192);
	p_array_init(&ctx.victims, ctx.pool, 64);
	hash_table_create(&ctx.seen, ctx.pool, 0, str_hash, strcmp);
	ret = mus_retention_find(&ctx, error_r);
	for (unsigned int i = 0; ret == 0 && i < array_count(&ctx.victims); i++) {
		victim = array_idx(&ctx.victims, i);
		T_BEGIN {
			ret = mus_retention_unref(&ctx, victim->dn, error_r);
			if (ret == 0)
				ret = mus_retention_remove(&ctx, victim->dn,
							   victim->reason, error_r);
		} T_END_PASS_STR_IF(ret < 0, error_r);
	}
	hash_table_destroy(&ctx.seen);
	pool_unref(&ctx.pool);
	return ret;
}
