/* doveadm mus sync: reconcile the directory with the rounds. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "hostpid.h"
#include "time-util.h"
#include "mus-settings.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-org.h"
#include "mus-people.h"
#include "mus-round.h"
#include "mus-roster.h"
#include "mus-conversation.h"
#include "mus-schedule.h"
#include "mus-freebusy.h"
#include "mus-send.h"
#include "mus-profile.h"
#include "mus-lease.h"
#include "mus-sync.h"

#include <time.h>
#include <unistd.h>
#include <signal.h>


enum mus_sync_action {
	MUS_SYNC_CREATE,	/* add the entry */
	MUS_SYNC_UPDATE,	/* modify the entry */
};

struct mus_sync_item {
	enum mus_sync_action action;
	struct mus_wanted *wanted;		/* NULL: not in the roster */
	struct mus_conversation *conv;		/* NULL: to be created */
	struct mus_sched_conv *slot;		/* NULL: no slot wanted now */
	enum mus_conv_status status;		/* the status to write */
	const char *reason;
	bool reopened;
	/* an attendee's proposal (musCounter) is decided in this sync */
	bool counter;
};

struct mus_sync_round {
	pool_t pool;
	struct mus_ldap *conn;
	const struct mus_settings *set;
	const struct mus_round_context *rctx;
	const struct mus_sync_options *opts;
	mus_sync_log_t *log;
	void *log_context;
	const struct mus_round *round;
	struct mus_sync_result *result;
	time_t now;

	struct mus_org *org;
	ARRAY_TYPE(mus_wanted) wanted;
	ARRAY_TYPE(mus_conversation) convs;
	HASH_TABLE(const char *, struct mus_conversation *) by_cn;
	/* employees (normalised DNs) whose conversation of this round took
	   place, with whichever leader: they get no new one */
	HASH_TABLE(const char *, const char *) took_place;
	struct mus_schedule *sched;
	ARRAY(struct mus_sync_item) items;
	/* items that change the directory (or would, in a dry run), and
	   conversations given a UID */
	unsigned int changes;
	const char *lease;
	struct timeval step_start;
	/* free/busy being read ahead by workers, and whose it is (by the
	   index of the URL); their schedule is looked up on first use */
	struct mus_freebusy_run *prefetch;
	ARRAY_TYPE(mus_person) prefetch_people;
	ARRAY(struct mus_sched_person *) prefetch_sched;
};

static void mus_sync_log(struct mus_sync_round *ctx, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
static void mus_sync_log(struct mus_sync_round *ctx, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	ctx->log(FALSE, t_strdup_printf("round %s: %s", ctx->round->name,
					t_strdup_vprintf(fmt, args)),
		 ctx->log_context);
	va_end(args);
}

static void mus_sync_lease_renew(struct mus_sync_round *ctx);

/* how long the step since the last call took; the lease is renewed
   between steps (and after each message sent) when due */
static void mus_sync_step(struct mus_sync_round *ctx, const char *step)
{
	struct timeval now;

	i_gettimeofday(&now);
	ctx->log(TRUE, t_strdup_printf("round %s: %s took %d ms",
				       ctx->round->name, step,
				       timeval_diff_msecs(&now, &ctx->step_start)),
		 ctx->log_context);
	ctx->step_start = now;
	mus_sync_lease_renew(ctx);
}

/* ---- the lease ---- */

static int mus_sync_reread_round(struct mus_sync_round *ctx,
				 const struct mus_round **round_r,
				 const char **error_r)
{
	ARRAY_TYPE(mus_round) rounds;
	ARRAY_TYPE(const_string) invalid;
	struct mus_round *round;

	t_array_init(&rounds, 2);
	t_array_init(&invalid, 2);
	if (mus_rounds_load(ctx->conn, ctx->pool, ctx->set->round_base,
			    ctx->round->name, ctx->rctx, &rounds, &invalid,
			    error_r) < 0)
		return -1;
	array_foreach_elem(&rounds, round) {
		if (strcmp(round->dn, ctx->round->dn) == 0) {
			*round_r = round;
			return 0;
		}
	}
	*error_r = t_strdup_printf("round %s disappeared or became invalid during the sync",
				   ctx->round->dn);
	return -1;
}

static int mus_sync_lease_take(struct mus_sync_round *ctx, const char **error_r)
{
	const struct mus_round *round = ctx->round;
	time_t deadline = time(NULL) + ctx->opts->lease_wait_secs;

	for (;;) {
		struct mus_ldap_mod mods[2];
		const char *holder;
		time_t expiry, now = time(NULL);
		int ret;

		if (mus_lease_parse(round->lease, &expiry, &holder) &&
		    expiry > now && strcmp(holder, ctx->opts->holder) != 0 &&
		    !mus_lease_holder_dead(holder)) {
			if (now >= deadline) {
				*error_r = t_strdup_printf(
					"round %s is being synced by %s (lease until %s)",
					round->name, holder,
					mus_time_generalized(expiry));
				return -1;
			}
			sleep(1);
		} else {
			ctx->lease = p_strdup(ctx->pool, mus_lease_value(
				now + MUS_LEASE_SECS, ctx->opts->holder));
			i_zero(&mods);
			mods[0].attr = "musLease";
			mods[0].values = mus_ldap_values1(ctx->lease);
			ret = mus_ldap_modify(ctx->conn, round->dn, mods,
					      mus_ldap_csn_assertion(round->csn),
					      error_r);
			if (ret != 0)
				return ret < 0 ? -1 : 0;
			/* someone else wrote the round first: look again */
		}
		if (mus_sync_reread_round(ctx, &round, error_r) < 0)
			return -1;
	}
}

/* A sync that takes longer than half its lease renews it (a round of
   tens of thousands of people takes longer than the lease to send). A
   lease taken over meanwhile (this sync stalled past its expiry) is not
   ours to release any more. */
static void mus_sync_lease_renew(struct mus_sync_round *ctx)
{
	struct mus_ldap_mod mods[2];
	const char *lease, *error;
	int ret;

	if (ctx->lease == NULL || !mus_lease_renewal_due(ctx->lease, time(NULL)))
		return;
	lease = p_strdup(ctx->pool, mus_lease_value(time(NULL) + MUS_LEASE_SECS,
						    ctx->opts->holder));
	i_zero(&mods);
	mods[0].attr = "musLease";
	mods[0].values = mus_ldap_values1(lease);
	ret = mus_ldap_modify(ctx->conn, ctx->round->dn, mods,
			      t_strdup_printf("(musLease=%s)",
					      mus_ldap_filter_escape(ctx->lease)),
			      &error);
	if (ret < 0)
		mus_sync_log(ctx, "renewing the lease failed: %s", error);
	else if (ret == 0) {
		mus_sync_log(ctx, "the lease (%s) was taken over by another sync",
			     ctx->lease);
		ctx->lease = NULL;
	} else
		ctx->lease = lease;
}

static void mus_sync_lease_release(struct mus_sync_round *ctx)
{
	struct mus_ldap_mod mods[2];
	const char *error;

	if (ctx->lease == NULL)
		return;
	i_zero(&mods);
	mods[0].attr = "musLease";
	/* only our own lease: it may have expired and been taken over */
	if (mus_ldap_modify(ctx->conn, ctx->round->dn, mods,
			    t_strdup_printf("(musLease=%s)",
					    mus_ldap_filter_escape(ctx->lease)),
			    &error) < 0)
		mus_sync_log(ctx, "releasing the lease failed: %s", error);
	ctx->lease = NULL;
}

/* ---- reading ---- */

/* Without mus_team_base a leader's direct reports are the team. */
static void mus_sync_default_teams(struct mus_sync_round *ctx,
				   ARRAY_TYPE(mus_team) *teams)
{
	struct mus_person *person;

	array_foreach_elem(&ctx->org->people, person) {
		struct mus_team *team;
		const char **members;
		unsigned int n = 0;

		if (person->report_count == 0)
			continue;
		members = p_new(ctx->pool, const char *, person->report_count + 1);
		team = array_append_space(teams);
		team->name = "team";
		team->owner_ndn = person->ndn;
		team->member_ndns = members;
		for (unsigned int i = 0; i < array_count(&ctx->org->people) &&
			     n < person->report_count; i++) {
			struct mus_person *p = array_idx_elem(&ctx->org->people, i);

			if (p->manager == person)
				members[n++] = p->ndn;
		}
	}
}

/* ---- free/busy read ahead ---- */

static void mus_sync_prefetch_period(unsigned int idx, time_t start, time_t end,
				     void *context)
{
	struct mus_sync_round *ctx = context;
	struct mus_sched_person **sp = array_idx_get_space(&ctx->prefetch_sched, idx);

	if (*sp == NULL) {
		*sp = mus_schedule_person(ctx->sched,
			array_idx_elem(&ctx->prefetch_people, idx)->ndn);
	}
	mus_schedule_busy(*sp, start, end);
}

static void mus_sync_prefetch_failed(unsigned int idx, const char *error,
				     void *context)
{
	struct mus_sync_round *ctx = context;

	ctx->result->fb_failed++;
	mus_sync_log(ctx, "free/busy of %s unusable, scheduling without it: %s",
		     array_idx_elem(&ctx->prefetch_people, idx)->ndn, error);
}

/* the workers get each calFBURL as soon as its person is read */
static void mus_sync_prefetch_person(struct mus_person *person, void *context)
{
	struct mus_sync_round *ctx = context;

	if (person->fb_url == NULL || ctx->prefetch == NULL)
		return;
	array_push_back(&ctx->prefetch_people, &person);
	mus_freebusy_batch_add(ctx->prefetch, person->fb_url);
}

/* When most of the round is to be placed (always on its first sync), the
   busy time of everybody in scope with a calFBURL is read by worker
   processes while this one reads the directory: parsing calendars is the
   largest cost of planning a large round. A sync that places a few
   conversations (after a decline, say) reads only their people's, when
   it knows who they are (mus_sync_busy()): the calendar server is not
   asked for thousands of calendars on every sync of a running round. */
static void mus_sync_prefetch(struct mus_sync_round *ctx)
{
	struct mus_freebusy_batch *batch;
	struct mus_conversation *conv;
	unsigned int placing = 0;
	const char *error;

	array_foreach_elem(&ctx->convs, conv) {
		if (mus_conv_status_wants_slot(conv->status))
			placing++;
	}
	if (placing * 2 < array_count(&ctx->convs) || ctx->opts->fb_workers == 0)
		return;

	p_array_init(&ctx->prefetch_people, ctx->pool, 256);
	p_array_init(&ctx->prefetch_sched, ctx->pool, 256);
	batch = p_new(ctx->pool, struct mus_freebusy_batch, 1);
	batch->from = ctx->round->window_start;
	batch->to = ctx->round->window_end;
	batch->timeout_msecs = ctx->opts->fb_timeout_msecs;
	batch->max_size = ctx->opts->fb_max_size;
	/* the directory is read meanwhile by this process and slapd: leave
	   them the other cores */
	batch->workers = ctx->opts->fb_workers > 2 ? ctx->opts->fb_workers - 2 : 1;
	batch->background = TRUE;
	batch->period = mus_sync_prefetch_period;
	batch->failed = mus_sync_prefetch_failed;
	batch->context = ctx;
	if (mus_freebusy_batch_start(batch, &ctx->prefetch, &error) < 0) {
		mus_sync_log(ctx, "reading free/busy ahead failed: %s", error);
		/* the workers that did start are waited for at the end */
	}
}

/* A conversation written by hand may lack its musICalUID: it gets the one
   a sync would have given it (the same on every host), so that its mails
   can name it and answers find it. Returns how many were written (also
   by another writer meanwhile), or -1. A dry run gives them in memory. */
static int mus_sync_give_uids(struct mus_sync_round *ctx, const char **error_r)
{
	struct mus_conversation *conv;
	int ret, written = 0;

	array_foreach_elem(&ctx->convs, conv) {
		struct mus_ldap_mod mods[2];
		const char *uid;

		if (conv->unreadable || conv->ical_uid != NULL)
			continue;
		uid = mus_conversation_uid(ctx->round->dn, conv->cn, NULL,
					   ctx->set->organizer);
		ctx->changes++;
		if (ctx->opts->dry_run) {
			conv->ical_uid = p_strdup(ctx->pool, uid);
			continue;
		}
		i_zero(&mods);
		mods[0].attr = "musICalUID";
		mods[0].values = mus_ldap_values1(uid);
		ret = mus_ldap_modify(ctx->conn, conv->dn, mods,
				      "(!(musICalUID=*))", error_r);
		if (ret < 0)
			return -1;
		/* 0: another writer gave it one meanwhile (read again), or
		   the service may not read it (then it stays without) */
		if (ret > 0) {
			mus_sync_log(ctx, "%s: had no musICalUID, now %s",
				     conv->cn, uid);
		}
		written++;
	}
	return written;
}

static int mus_sync_read(struct mus_sync_round *ctx, const char **error_r)
{
	ARRAY_TYPE(mus_team) teams;
	const struct mus_team *team_list;
	unsigned int team_count;
	struct mus_conversation *conv;
	int ret;

	p_array_init(&ctx->convs, ctx->pool, 256);
	if (mus_conversations_load(ctx->conn, ctx->pool, ctx->round->dn,
				   &ctx->convs, error_r) < 0)
		return -1;
	if ((ret = mus_sync_give_uids(ctx, error_r)) < 0)
		return -1;
	if (ret > 0) {
		/* read again, with their new entryCSNs */
		array_clear(&ctx->convs);
		if (mus_conversations_load(ctx->conn, ctx->pool, ctx->round->dn,
					   &ctx->convs, error_r) < 0)
			return -1;
	}
	mus_sync_step(ctx, t_strdup_printf("reading %u conversations",
					   array_count(&ctx->convs)));
	hash_table_create(&ctx->by_cn, ctx->pool, array_count(&ctx->convs),
			  strcase_hash, strcasecmp);
	array_foreach_elem(&ctx->convs, conv)
		hash_table_insert(ctx->by_cn, conv->cn, conv);
	mus_sync_prefetch(ctx);

	ctx->org = mus_org_create(ctx->round->timezone);
	if (mus_people_load_notify(ctx->conn, ctx->round->scope_base,
				   ctx->round->scope_filter, ctx->now, ctx->org,
				   mus_sync_prefetch_person, ctx, error_r) < 0)
		return -1;
	mus_sync_step(ctx, t_strdup_printf("reading %u people",
					   array_count(&ctx->org->people)));

	p_array_init(&teams, ctx->pool, 16);
	if (mus_round_is_group(ctx->round->kind)) {
		if (ctx->set->team_base != NULL) {
			if (mus_teams_load(ctx->conn, ctx->pool, ctx->set->team_base,
					   &teams, error_r) < 0)
				return -1;
		} else {
			mus_sync_default_teams(ctx, &teams);
		}
	}
	p_array_init(&ctx->wanted, ctx->pool, array_count(&ctx->org->people));
	team_list = array_get(&teams, &team_count);
	mus_roster_build(ctx->pool, ctx->org, ctx->round, team_list, team_count,
			 &ctx->wanted);
	return 0;
}

/* ---- deciding ---- */

static struct mus_sync_item *
mus_sync_item(struct mus_sync_round *ctx, enum mus_sync_action action,
	      struct mus_wanted *wanted, struct mus_conversation *conv)
{
	struct mus_sync_item *item = array_append_space(&ctx->items);

	item->action = action;
	item->wanted = wanted;
	item->conv = conv;
	return item;
}

static struct mus_sched_person *
mus_sync_sched_person(struct mus_sync_round *ctx, const char *ndn)
{
	return mus_schedule_person(ctx->sched, ndn);
}

/* A conversation with id of the leader and members (normalised DNs) in the
   schedule, to be placed or fixed. */
static struct mus_sched_conv *
mus_sync_sched_conv(struct mus_sync_round *ctx, const char *id,
		    const char *leader_ndn, const char *const *member_ndns,
		    unsigned int count)
{
	struct mus_sched_person **members =
		t_new(struct mus_sched_person *, count + 1);

	for (unsigned int i = 0; i < count; i++)
		members[i] = mus_sync_sched_person(ctx, member_ndns[i]);
	return mus_schedule_add(ctx->sched, id,
				mus_sync_sched_person(ctx, leader_ndn),
				members, count);
}

static void mus_sync_want_slot(struct mus_sync_round *ctx,
			       struct mus_sync_item *item)
{
	struct mus_wanted *w = item->wanted;
	struct mus_sched_person **members =
		t_new(struct mus_sched_person *, w->member_count + 1);

	for (unsigned int i = 0; i < w->member_count; i++)
		members[i] = mus_sync_sched_person(ctx, w->members[i]->ndn);
	item->slot = mus_schedule_add(ctx->sched, w->cn,
				      mus_sync_sched_person(ctx, w->leader->ndn),
				      members, w->member_count);
}

/* Statuses in which an attendee's proposal of a new time is decided. */
static bool mus_sync_counter_open(enum mus_conv_status status)
{
	return status == MUS_CONV_SCHEDULED || status == MUS_CONV_INVITED ||
		status == MUS_CONV_ACCEPTED;
}

/* A conversation keeps its slot, or moves to the time an attendee
   proposed if that keeps every rule (decided by the scheduler). */
static void mus_sync_hold_slot(struct mus_sync_round *ctx,
			       struct mus_conversation *conv,
			       struct mus_wanted *wanted)
{
	struct mus_sched_conv *slot;
	struct mus_sync_item *item;
	time_t start, end;
	const char *dn, *text;

	slot = mus_sync_sched_conv(ctx, conv->cn, conv->leader_ndn,
				   conv->employee_ndns,
				   str_array_length(conv->employee_ndns));
	/* a proposal waits while the conversation cannot be placed (its
	   leader left the scope, say): there is nobody to place it with */
	if (conv->counter == NULL || !mus_sync_counter_open(conv->status) ||
	    wanted == NULL || wanted->reason != NULL) {
		mus_schedule_fix(ctx->sched, slot, conv->start, conv->end);
		return;
	}
	item = mus_sync_item(ctx, MUS_SYNC_UPDATE, wanted, conv);
	item->counter = TRUE;
	item->slot = slot;
	if (!mus_conversation_parse_span(conv->counter, &start, &end, &dn, &text)) {
		/* written by hand: answer nothing, keep the slot */
		mus_schedule_fix(ctx->sched, slot, conv->start, conv->end);
		slot->refused = "the proposal in musCounter does not parse";
		return;
	}
	mus_schedule_propose(ctx->sched, slot, conv->start, conv->end, start, end);
}

/* The days on which a person declined a time are busy for them when the
   conversation is placed again: "I am away that day" is the common
   reason, and another hour of the same day would be declined again. */
static void mus_sync_declined_busy(struct mus_sync_round *ctx,
				   const struct mus_conversation *conv)
{
	const char *tz = ctx->round->timezone;

	for (unsigned int i = 0; conv->declined[i] != NULL; i++) {
		const char *dn, *ndn, *text, *error;
		time_t start, end;

		if (!mus_conversation_parse_span(conv->declined[i], &start,
						 &end, &dn, &text) ||
		    mus_ldap_dn_normalize(pool_datastack_create(), dn, &ndn,
					  &error) < 0)
			continue;
		mus_schedule_busy(mus_sync_sched_person(ctx, ndn),
			mus_time_from_local(tz, mus_time_local_day(tz, start), 0),
			mus_time_from_local(tz, mus_time_local_day(tz, end - 1) + 1, 0));
	}
}

/* TRUE if every member of w had their conversation of this round
   already (with a leader they no longer have) */
static bool mus_sync_all_took_place(struct mus_sync_round *ctx,
				    const struct mus_wanted *w)
{
	for (unsigned int i = 0; i < w->member_count; i++) {
		if (hash_table_lookup(ctx->took_place, w->members[i]->ndn) == NULL)
			return FALSE;
	}
	return w->member_count > 0;
}

static void mus_sync_decide_wanted(struct mus_sync_round *ctx,
				   struct mus_wanted *w)
{
	struct mus_conversation *conv = hash_table_lookup(ctx->by_cn, w->cn);
	struct mus_sync_item *item;

	if (conv == NULL) {
		if (mus_sync_all_took_place(ctx, w))
			return;
		if (w->member_count == 0) {
			mus_sync_log(ctx, "%s: %s", w->cn, w->reason != NULL ?
				     w->reason : "nobody to hold it with");
			return;
		}
		item = mus_sync_item(ctx, MUS_SYNC_CREATE, w, NULL);
		if (w->reason != NULL) {
			item->status = MUS_CONV_UNSCHEDULABLE;
			item->reason = w->reason;
		} else {
			mus_sync_want_slot(ctx, item);
		}
		return;
	}
	if (conv->unreadable) {
		/* leave it to the admin; status shows it */
		return;
	}
	if (w->reason != NULL && w->withdraw &&
	    mus_conv_status_holds_slot(conv->status) &&
	    !mus_conv_status_took_place(conv->status) &&
	    conv->end > ctx->now) {
		/* HR took someone out (musExempt, a long absence): the
		   invitation is withdrawn; if they come back, a new time is
		   found */
		item = mus_sync_item(ctx, MUS_SYNC_UPDATE, w, conv);
		item->status = MUS_CONV_CANCELLED;
		item->reason = w->reason;
		return;
	}
	if (w->reason != NULL) {
		/* otherwise a conversation already on its way is not withdrawn
		   here (a data problem may be passing): it shows in status */
		if ((conv->status == MUS_CONV_NEW ||
		     conv->status == MUS_CONV_UNSCHEDULABLE ||
		     conv->status == MUS_CONV_RESCHEDULING) &&
		    (conv->status != MUS_CONV_UNSCHEDULABLE ||
		     null_strcmp(conv->reason, w->reason) != 0)) {
			item = mus_sync_item(ctx, MUS_SYNC_UPDATE, w, conv);
			item->status = MUS_CONV_UNSCHEDULABLE;
			item->reason = w->reason;
		}
		return;
	}
	/* not again for people whose conversation with another leader
	   took place meanwhile */
	if ((conv->status == MUS_CONV_UNSCHEDULABLE ||
	     conv->status == MUS_CONV_CANCELLED ||
	     mus_conv_status_wants_slot(conv->status)) &&
	    !mus_sync_all_took_place(ctx, w)) {
		item = mus_sync_item(ctx, MUS_SYNC_UPDATE, w, conv);
		item->reopened = !mus_conv_status_wants_slot(conv->status);
		mus_sync_declined_busy(ctx, conv);
		mus_sync_want_slot(ctx, item);
	}
}

static void mus_sync_decide(struct mus_sync_round *ctx)
{
	HASH_TABLE(const char *, struct mus_wanted *) wanted_by_cn;
	struct mus_conversation *conv;
	struct mus_wanted *w;

	hash_table_create(&wanted_by_cn, ctx->pool, array_count(&ctx->wanted),
			  strcase_hash, strcasecmp);
	array_foreach_elem(&ctx->wanted, w)
		hash_table_insert(wanted_by_cn, w->cn, w);
	hash_table_create(&ctx->took_place, ctx->pool, 0, str_hash, strcmp);

	/* conversations that keep their slot occupy their people first */
	array_foreach_elem(&ctx->convs, conv) {
		struct mus_sync_item *item;
		bool over;

		over = mus_conversation_is_over(conv, ctx->now);
		if (!conv->unreadable &&
		    (over || mus_conv_status_took_place(conv->status))) {
			for (unsigned int i = 0; conv->employee_ndns[i] != NULL; i++)
				hash_table_update(ctx->took_place,
						  conv->employee_ndns[i],
						  conv->employee_ndns[i]);
		}
		if (hash_table_lookup(wanted_by_cn, conv->cn) == NULL) {
			/* one that took place stays as it is, its plan
			   included, whoever the employee's leader is now */
			if (conv->status == MUS_CONV_CANCELLED || conv->unreadable ||
			    mus_conv_status_took_place(conv->status))
				continue;
			if (over) {
				item = mus_sync_item(ctx, MUS_SYNC_UPDATE, NULL, conv);
				item->status = MUS_CONV_HELD;
				continue;
			}
			/* the employee moved to another leader or left the
			   scope: the invitation (if sent) must be withdrawn */
			item = mus_sync_item(ctx, MUS_SYNC_UPDATE, NULL, conv);
			item->status = MUS_CONV_CANCELLED;
			item->reason = MUS_SYNC_LEFT_THE_ROUND;
			continue;
		}
		/* a proposal of a new time for a conversation that took
		   place is moot; an unreadable one without a leader has
		   nobody to hold it for */
		if (mus_conv_status_holds_slot(conv->status) && conv->start != 0 &&
		    conv->end > conv->start && conv->leader_ndn != NULL)
			mus_sync_hold_slot(ctx, conv, over ? NULL :
					   hash_table_lookup(wanted_by_cn, conv->cn));
		if (over) {
			item = mus_sync_item(ctx, MUS_SYNC_UPDATE, NULL, conv);
			item->status = MUS_CONV_HELD;
		}
	}
	array_foreach_elem(&ctx->wanted, w)
		mus_sync_decide_wanted(ctx, w);
	hash_table_destroy(&ctx->took_place);
	hash_table_destroy(&wanted_by_cn);
}

/* ---- busy time ---- */

struct mus_sync_busy_ctx {
	struct mus_sync_round *ctx;
	ARRAY(struct mus_person *) people;
	ARRAY(struct mus_sched_person *) sched_people;
};

static void mus_sync_busy_period(unsigned int idx, time_t start, time_t end,
				 void *context)
{
	struct mus_sync_busy_ctx *bctx = context;

	mus_schedule_busy(array_idx_elem(&bctx->sched_people, idx), start, end);
}

static void mus_sync_busy_failed(unsigned int idx, const char *error,
				 void *context)
{
	struct mus_sync_busy_ctx *bctx = context;

	bctx->ctx->result->fb_failed++;
	mus_sync_log(bctx->ctx, "free/busy of %s unusable, scheduling without it: %s",
		     array_idx_elem(&bctx->people, idx)->dn, error);
}

/* absence is busy time too; calFBURLs are collected for one batch */
static void mus_sync_person_busy(struct mus_sync_busy_ctx *bctx,
				 struct mus_person *person,
				 HASH_TABLE_TYPE(mus_person_set) done)
{
	struct mus_sync_round *ctx = bctx->ctx;
	struct mus_sched_person *sp;

	if (hash_table_lookup(done, person) != NULL)
		return;
	hash_table_insert(done, person, person);
	sp = mus_sync_sched_person(ctx, person->ndn);
	if (person->absent_until > ctx->round->window_start)
		mus_schedule_busy(sp, ctx->round->window_start, person->absent_until);
	if (person->fb_url != NULL) {
		array_push_back(&bctx->people, &person);
		array_push_back(&bctx->sched_people, &sp);
	}
}

struct mus_sync_rounds_ctx {
	pool_t pool;
	const char *own_ndn;
	ARRAY_TYPE(const_string) dns;
};

static int mus_sync_round_entry(const struct mus_ldap_entry *entry,
				void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_sync_rounds_ctx *rctx = context;
	const char *dn = mus_ldap_entry_dn(entry), *ndn, *error;

	if (mus_ldap_dn_normalize(pool_datastack_create(), dn, &ndn, &error) < 0 ||
	    strcmp(ndn, rctx->own_ndn) != 0) {
		dn = p_strdup(rctx->pool, dn);
		array_push_back(&rctx->dns, &dn);
	}
	return 0;
}

/* Fix the meetings of conv (mus_conversation_meetings()) that lie in the
   window: they occupy its people, keep the buffer and count toward the
   leader's conversations that day. */
static void mus_sync_fix_meetings(struct mus_sync_round *ctx,
				  const struct mus_conversation *conv)
{
	struct mus_conv_meeting meetings[2];
	unsigned int count = mus_conversation_meetings(conv, meetings);

	for (unsigned int i = 0; i < count; i++) {
		if (meetings[i].start >= ctx->round->window_end ||
		    meetings[i].end <= ctx->round->window_start)
			continue;
		mus_schedule_fix(ctx->sched, mus_sync_sched_conv(ctx, conv->dn,
					conv->leader_ndn, conv->employee_ndns,
					str_array_length(conv->employee_ndns)),
				 meetings[i].start, meetings[i].end);
	}
}

/* Conversations of other rounds still to come (a TUS round in the weeks
   of the MUS round, say), and the follow-up meetings of plans that wait
   for approval in any round, are kept where they are, as this round's
   own: they occupy their people, count toward the leader's conversations
   a day and keep the buffer. Read, round by round, only when this sync
   places something. */
static int mus_sync_other_rounds(struct mus_sync_round *ctx,
				 const char **error_r)
{
	static const char *const attrs[] = { "cn", NULL };
	struct mus_sync_rounds_ctx rctx;
	ARRAY_TYPE(mus_conversation) others;
	const struct mus_sync_item *item;
	struct mus_conversation *conv;
	const char *dn, *error;
	bool placing = FALSE;
	int ret;

	array_foreach(&ctx->items, item)
		placing = placing || item->slot != NULL;
	if (!placing)
		return 0;
	/* this round's conversations hold their slots already
	   (mus_sync_hold_slot()); those whose plan waits add the follow-up
	   meeting (the conversation itself is past, before any new slot) */
	array_foreach_elem(&ctx->convs, conv) {
		if (conv->status == MUS_CONV_PLAN_PENDING)
			mus_sync_fix_meetings(ctx, conv);
	}
	i_zero(&rctx);
	rctx.pool = pool_alloconly_create("mus other rounds", 16 * 1024);
	p_array_init(&rctx.dns, rctx.pool, 8);
	p_array_init(&others, rctx.pool, 64);
	if (mus_ldap_dn_normalize(rctx.pool, ctx->round->dn, &rctx.own_ndn,
				  &error) < 0)
		rctx.own_ndn = ctx->round->dn;
	ret = mus_ldap_search_children(ctx->conn, ctx->set->round_base,
				       "(objectClass=musRound)", attrs,
				       mus_sync_round_entry, &rctx, error_r);
	array_foreach_elem(&rctx.dns, dn) {
		if (ret < 0)
			break;
		/* a round gone meanwhile, or hidden, costs its busy time
		   only: this round goes on */
		if (mus_conversations_search(ctx->conn, rctx.pool, dn,
			"(&(objectClass=musConversation)(|(musStatus=scheduled)"
			"(musStatus=invited)(musStatus=accepted)"
			"(musStatus=plan-pending)))", &others,
			&error) < 0) {
			if (mus_ldap_connection_closed(ctx->conn)) {
				*error_r = error;
				ret = -1;
			} else {
				mus_sync_log(ctx, "the conversations of %s could not "
					     "be read as busy time: %s", dn, error);
			}
		}
	}
	array_foreach_elem(&others, conv) {
		if (ret == 0)
			mus_sync_fix_meetings(ctx, conv);
	}
	pool_unref(&rctx.pool);
	return ret;
}

static void mus_sync_busy(struct mus_sync_round *ctx)
{
	HASH_TABLE_TYPE(mus_person_set) done;
	struct mus_sync_busy_ctx bctx = { .ctx = ctx };
	struct mus_freebusy_batch batch;
	ARRAY_TYPE(const_string) urls;
	struct mus_sync_item *item;
	struct mus_person *person;
	const char *error;

	hash_table_create_direct(&done, default_pool, 0);
	i_array_init(&bctx.people, 256);
	i_array_init(&bctx.sched_people, 256);
	array_foreach_modifiable(&ctx->items, item) {
		if (item->slot == NULL)
			continue;
		mus_sync_person_busy(&bctx, item->wanted->leader, done);
		for (unsigned int i = 0; i < item->wanted->member_count; i++)
			mus_sync_person_busy(&bctx, item->wanted->members[i], done);
	}
	hash_table_destroy(&done);

	if (ctx->prefetch != NULL) {
		/* read ahead for everybody in scope, this included */
		if (mus_freebusy_batch_finish(&ctx->prefetch, &error) < 0)
			mus_sync_log(ctx, "reading free/busy failed: %s", error);
	} else if (array_count(&bctx.people) > 0) {
		t_array_init(&urls, array_count(&bctx.people) + 1);
		array_foreach_elem(&bctx.people, person)
			array_push_back(&urls, &person->fb_url);
		array_append_zero(&urls);
		i_zero(&batch);
		batch.urls = array_front(&urls);
		batch.count = array_count(&bctx.people);
		batch.from = ctx->round->window_start;
		batch.to = ctx->round->window_end;
		batch.timeout_msecs = ctx->opts->fb_timeout_msecs;
		batch.max_size = ctx->opts->fb_max_size;
		batch.workers = ctx->opts->fb_workers;
		batch.period = mus_sync_busy_period;
		batch.failed = mus_sync_busy_failed;
		batch.context = &bctx;
		/* the busy time read so far is kept; scheduling goes on */
		if (mus_freebusy_fetch_batch(&batch, &error) < 0)
			mus_sync_log(ctx, "reading free/busy failed: %s", error);
	}
	array_free(&bctx.people);
	array_free(&bctx.sched_people);
}

/* ---- writing ---- */

/* The members' DNs as written (normalised: the ndn forms), from pool. */
static const char *const *mus_sync_dns(pool_t pool, const struct mus_wanted *w,
				       bool normalised)
{
	const char **dns = p_new(pool, const char *, w->member_count + 1);

	for (unsigned int i = 0; i < w->member_count; i++)
		dns[i] = normalised ? w->members[i]->ndn : w->members[i]->dn;
	return dns;
}

/* the status, times and reason an item ends with */
static void mus_sync_item_outcome(struct mus_sync_round *ctx,
				  struct mus_sync_item *item)
{
	if (item->slot == NULL)
		return;
	if (item->counter && item->slot->state != MUS_SCHED_PLACED) {
		/* the proposal is refused; the conversation stays */
		item->status = item->conv->status;
		item->reason = item->conv->reason;
		return;
	}
	if (item->slot->state == MUS_SCHED_PLACED) {
		item->status = MUS_CONV_SCHEDULED;
		item->reason = NULL;
	} else {
		item->status = MUS_CONV_UNSCHEDULABLE;
		item->reason = item->slot->reason;
	}
	(void)ctx;
}

/* A conversation that is unschedulable again for the same reason, and
   keeps what it had: writing it would change nothing but its entryCSN. */
static bool mus_sync_item_unchanged(const struct mus_sync_item *item)
{
	const struct mus_conversation *conv = item->conv;

	return item->action == MUS_SYNC_UPDATE && conv != NULL &&
		!item->counter &&
		item->status == MUS_CONV_UNSCHEDULABLE &&
		conv->status == MUS_CONV_UNSCHEDULABLE &&
		null_strcmp(item->reason, conv->reason) == 0 &&
		(conv->start == 0 || conv->sent_sequence >= 0);
}

static int mus_sync_write_create(struct mus_sync_round *ctx,
				 struct mus_sync_item *item, const char **error_r)
{
	struct mus_wanted *w = item->wanted;
	struct mus_ldap_mod mods[12];
	unsigned int n = 0;
	bool placed = item->status == MUS_CONV_SCHEDULED;

	i_zero(&mods);
	mods[n].attr = "objectClass";
	mods[n++].values = mus_ldap_values1("musConversation");
	mods[n].attr = "cn";
	mods[n++].values = mus_ldap_values1(w->cn);
	mods[n].attr = "musEmployee";
	mods[n++].values = mus_sync_dns(pool_datastack_create(), w, FALSE);
	mods[n].attr = "musLeader";
	mods[n++].values = mus_ldap_values1(w->leader_dn);
	mods[n].attr = "musStatus";
	mods[n++].values = mus_ldap_values1(mus_conv_status_name(item->status));
	mods[n].attr = "musICalUID";
	mods[n++].values = mus_ldap_values1(mus_conversation_uid(ctx->round->dn, w->cn, NULL,
								  ctx->set->organizer));
	mods[n].attr = "musSequence";
	mods[n++].values = mus_ldap_values1("0");
	if (w->team_dn != NULL) {
		mods[n].attr = "musTeam";
		mods[n++].values = mus_ldap_values1(w->team_dn);
	}
	if (placed) {
		mods[n].attr = "musStart";
		mods[n++].values = mus_ldap_values1(
			mus_time_generalized(item->slot->start));
		mods[n].attr = "musEnd";
		mods[n++].values = mus_ldap_values1(
			mus_time_generalized(item->slot->end));
	}
	if (item->reason != NULL) {
		mods[n].attr = "musReason";
		mods[n++].values = mus_ldap_values1(item->reason);
	}
	i_assert(n < N_ELEMENTS(mods));
	return mus_ldap_add(ctx->conn, mus_ldap_dn_child("cn", w->cn, ctx->round->dn),
			    mods, error_r);
}

static int mus_sync_write_update(struct mus_sync_round *ctx,
				 struct mus_sync_item *item, const char **error_r)
{
	struct mus_conversation *conv = item->conv;
	struct mus_ldap_mod mods[12];
	unsigned int n = 0;
	bool placed = item->status == MUS_CONV_SCHEDULED &&
		item->slot != NULL && item->slot->state == MUS_SCHED_PLACED;
	/* an invitation the attendees have for a conversation that found no
	   new time is cancelled at the time it has (see mus-send.c) */
	bool withdrawn = item->status == MUS_CONV_UNSCHEDULABLE &&
		!item->counter && conv->sent_sequence >= 0 && conv->start != 0;

	i_zero(&mods);
	if (item->counter || (placed && conv->counter != NULL)) {
		/* decided, or moot once the conversation has a new time; a
		   refusal waits for its DECLINECOUNTER */
		mods[n].attr = "musCounter";
		mods[n++].values = NULL;
		if (item->counter && !placed) {
			mods[n].attr = "musCounterRefused";
			mods[n++].values = mus_ldap_values1(
				mus_conversation_span_text(conv->counter,
							   item->slot->refused));
		}
	}
	if (placed && conv->sent_sequence >= 0) {
		/* a new time needs new answers */
		mods[n].attr = "musPartstat";
		mods[n++].values = NULL;
	}
	mods[n].attr = "musStatus";
	mods[n++].values = mus_ldap_values1(mus_conv_status_name(item->status));
	mods[n].attr = "musReason";
	mods[n++].values = item->reason == NULL ? NULL :
		mus_ldap_values1(item->reason);
	if (placed || (item->status == MUS_CONV_UNSCHEDULABLE && !item->counter &&
		       !withdrawn)) {
		mods[n].attr = "musStart";
		mods[n++].values = placed ? mus_ldap_values1(
			mus_time_generalized(item->slot->start)) : NULL;
		mods[n].attr = "musEnd";
		mods[n++].values = placed ? mus_ldap_values1(
			mus_time_generalized(item->slot->end)) : NULL;
	}
	if (item->wanted != NULL && placed) {
		mods[n].attr = "musEmployee";
		mods[n++].values = mus_sync_dns(pool_datastack_create(), item->wanted, FALSE);
	}
	/* what the attendees already have must be replaced or withdrawn:
	   a new SEQUENCE makes the next invitation an update */
	if (conv->sent_sequence >= 0 &&
	    (placed || item->status == MUS_CONV_CANCELLED ||
	     (withdrawn && conv->status != MUS_CONV_UNSCHEDULABLE))) {
		mods[n].attr = "musSequence";
		mods[n++].values = mus_ldap_values1(dec2str(conv->sequence + 1));
	}
	i_assert(n < N_ELEMENTS(mods));
	return mus_ldap_modify(ctx->conn, conv->dn, mods,
			       mus_ldap_csn_assertion(conv->csn), error_r);
}

static void mus_sync_count(struct mus_sync_round *ctx,
			   const struct mus_sync_item *item)
{
	struct mus_sync_result *result = ctx->result;

	if (item->action == MUS_SYNC_CREATE)
		result->created++;
	if (item->reopened)
		result->reopened++;
	switch (item->status) {
	case MUS_CONV_SCHEDULED:
		result->scheduled++;
		break;
	case MUS_CONV_UNSCHEDULABLE:
		result->unschedulable++;
		break;
	case MUS_CONV_CANCELLED:
		result->cancelled++;
		break;
	case MUS_CONV_HELD:
		result->held++;
		break;
	default:
		break;
	}
}

static int mus_sync_write(struct mus_sync_round *ctx, const char **error_r)
{
	struct mus_sync_item *item;
	int ret = 0;

	array_foreach_modifiable(&ctx->items, item) {
		mus_sync_item_outcome(ctx, item);
		mus_sync_count(ctx, item);
		if (mus_sync_item_unchanged(item))
			continue;
		ctx->changes++;
		if (ctx->opts->dry_run)
			continue;
		T_BEGIN {
			const char *error;

			ret = item->action == MUS_SYNC_CREATE ?
				mus_sync_write_create(ctx, item, &error) :
				mus_sync_write_update(ctx, item, &error);
			if (ret < 0)
				*error_r = t_strdup(error);
		} T_END_PASS_STR_IF(ret < 0, error_r);
		if (ret < 0)
			return -1;
		/* 0: created or changed meanwhile by another writer; the
		   next sync looks at it again */
		if (ret == 0)
			ctx->result->conflicts++;
	}
	return 0;
}

/* ---- sending ---- */


/* A dry run writes nothing, so what would be sent is built from the plan:
   the conversations as they would be after this sync. When no messages
   are to be written, new conversations are only counted. */
static void mus_sync_planned(struct mus_sync_round *ctx,
			     ARRAY_TYPE(mus_conversation) *planned)
{
	bool count_new = ctx->opts->send.eml_dir == NULL;
	HASH_TABLE(struct mus_conversation *, struct mus_sync_item *) changed;
	struct mus_conversation *conv, *c;
	struct mus_sync_item *item;

	hash_table_create_direct(&changed, default_pool, 0);
	array_foreach_modifiable(&ctx->items, item) {
		if (item->conv != NULL)
			hash_table_insert(changed, item->conv, item);
		else if (count_new) {
			if (item->status == MUS_CONV_SCHEDULED) {
				ctx->result->sent.requests++;
				ctx->result->sent.messages +=
					1 + item->wanted->member_count;
			}
			continue;
		}
		if (item->conv != NULL) {
			c = p_new(ctx->pool, struct mus_conversation, 1);
			*c = *item->conv;
		} else {
			c = mus_conversation_new(ctx->pool);
			c->cn = item->wanted->cn;
			c->dn = p_strdup(ctx->pool, mus_ldap_dn_child("cn", c->cn,
								     ctx->round->dn));
			c->leader_dn = item->wanted->leader_dn;
			c->leader_ndn = item->wanted->leader == NULL ? NULL :
				item->wanted->leader->ndn;
			c->team_dn = item->wanted->team_dn;
			c->ical_uid = p_strdup(ctx->pool,
				mus_conversation_uid(ctx->round->dn,
					item->wanted->cn, NULL, ctx->set->organizer));
		}
		if (item->wanted != NULL) {
			c->employee_dns = mus_sync_dns(ctx->pool, item->wanted, FALSE);
			c->employee_ndns = mus_sync_dns(ctx->pool, item->wanted, TRUE);
		}
		c->status = item->status;
		c->reason = item->reason;
		if (item->status == MUS_CONV_SCHEDULED) {
			c->start = item->slot->start;
			c->end = item->slot->end;
		}
		array_push_back(planned, &c);
	}
	array_foreach_elem(&ctx->convs, conv) {
		if (hash_table_lookup(changed, conv) == NULL)
			array_push_back(planned, &conv);
	}
	hash_table_destroy(&changed);
}

static void mus_sync_problem_log(const char *message, void *context)
{
	struct mus_sync_round *ctx = context;

	ctx->log(FALSE, message, ctx->log_context);
}

static void mus_sync_send_progress(unsigned int done, unsigned int total,
				   void *context)
{
	struct mus_sync_round *ctx = context;

	mus_sync_lease_renew(ctx);
	if (ctx->opts->progress != NULL)
		ctx->opts->progress(done, total, ctx->log_context);
}

/* The competence forms of the round's conversations, when competence
   mapping is on; every broken profile is named once per round. */
static int mus_sync_competence_forms(struct mus_sync_round *ctx,
				     const ARRAY_TYPE(mus_conversation) *convs,
				     const char **error_r)
{
	struct mus_profiles *profiles;
	struct mus_profile *profile;
	int ret;

	if (ctx->set->profile_base == NULL ||
	    mus_round_is_group(ctx->round->kind))
		return 0;
	if (mus_profiles_load(ctx->conn, ctx->set->profile_base, &profiles,
			      error_r) < 0)
		return -1;
	array_foreach_elem(&profiles->all, profile) {
		if (profile->problem != NULL) {
			mus_sync_log(ctx, "job profile %s is not used: %s",
				     profile->dn, profile->problem);
		}
	}
	struct mus_competence_request req = {
		.conn = ctx->conn, .set = ctx->set, .round = ctx->round,
		.org = ctx->org, .profiles = profiles,
		.dry_run = ctx->opts->dry_run,
		.smtp_timeout_msecs = ctx->opts->send.smtp_timeout_msecs,
		.log = mus_sync_problem_log, .context = ctx,
	};
	ret = mus_competence_request_round(&req, convs,
					   &ctx->result->competence_forms,
					   error_r);
	mus_profiles_free(&profiles);
	return ret;
}

static int mus_sync_send(struct mus_sync_round *ctx, const char **error_r)
{
	ARRAY_TYPE(mus_conversation) convs;
	struct mus_send send = {
		.conn = ctx->conn, .set = ctx->set, .cards = ctx->rctx->cards,
		.round = ctx->round, .org = ctx->org, .opts = &ctx->opts->send,
		.fb_timeout_msecs = ctx->opts->fb_timeout_msecs,
		.fb_max_size = ctx->opts->fb_max_size,
		.log = mus_sync_problem_log, .progress = mus_sync_send_progress,
		.context = ctx,
	};
	struct mus_plan_request req = {
		.conn = ctx->conn, .set = ctx->set, .round = ctx->round,
		.org = ctx->org, .dry_run = ctx->opts->dry_run,
		.smtp_timeout_msecs = ctx->opts->send.smtp_timeout_msecs,
		.log = mus_sync_problem_log, .context = ctx,
	};

	if (!ctx->opts->dry_run && array_count(&ctx->items) == 0) {
		/* nothing written: the conversations are as read (the
		   common case of a round that is up to date) */
		convs = ctx->convs;
	} else {
		p_array_init(&convs, ctx->pool, array_count(&ctx->convs) + 16);
		if (ctx->opts->dry_run)
			mus_sync_planned(ctx, &convs);
		else if (mus_conversations_load(ctx->conn, ctx->pool,
						ctx->round->dn, &convs, error_r) < 0)
			return -1;
	}
	if (mus_send_round(&send, &convs, &ctx->result->sent, error_r) < 0)
		return -1;
	if (mus_plan_request_round(&req, &convs, &ctx->result->plan_forms,
				   error_r) < 0)
		return -1;
	return mus_sync_competence_forms(ctx, &convs, error_r);
}

/* ---- one round ---- */

/* Nothing was written or sent (or would be, in a dry run), and nothing
   is left for the next sync. */
static bool mus_sync_idle(const struct mus_sync_round *ctx)
{
	const struct mus_sync_result *r = ctx->result;

	return ctx->changes == 0 && r->conflicts == 0 && r->fb_failed == 0 &&
		r->sent.messages == 0 && r->sent.deferred == 0 &&
		r->sent.failed == 0 && r->sent.conflicts == 0 &&
		r->plan_forms.sent == 0 && r->plan_forms.deferred == 0 &&
		r->competence_forms.sent == 0 &&
		r->competence_forms.deferred == 0 && r->plans.filed == 0 &&
		r->plans.failed == 0 && r->plans.conflicts == 0;
}

/* The first moment after now at which the round has something to do by
   time alone: a conversation still to come ends (and is held), or an
   absence ends (and the person is called). 0 if none. */
static time_t mus_sync_next_due(const struct mus_sync_round *ctx)
{
	struct mus_conversation *conv;
	struct mus_person *person;
	time_t next = 0;

	array_foreach_elem(&ctx->convs, conv) {
		if (mus_conv_status_holds_slot(conv->status) &&
		    conv->end > ctx->now && (next == 0 || conv->end < next))
			next = conv->end;
	}
	if (ctx->org == NULL)
		return next;
	array_foreach_elem(&ctx->org->people, person) {
		if (person->absent_until > ctx->now &&
		    (next == 0 || person->absent_until < next))
			next = person->absent_until;
	}
	return next;
}

static int mus_sync_round_run(struct mus_sync_round *ctx, const char **error_r)
{
	struct mus_sched_round sched_round;
	int ret;

	i_gettimeofday(&ctx->step_start);
	if (!ctx->opts->dry_run && mus_sync_lease_take(ctx, error_r) < 0)
		return -1;
	ret = mus_sync_read(ctx, error_r);
	if (ret == 0) {
		mus_round_sched(ctx->round, &sched_round);
		sched_round.not_before = ctx->now;
		ctx->sched = mus_schedule_create(&sched_round, error_r);
		if (ctx->sched == NULL)
			ret = -1;
	}
	if (ret == 0) {
		p_array_init(&ctx->items, ctx->pool, 64);
		mus_sync_decide(ctx);
		mus_sync_step(ctx, "deciding");
		ret = mus_sync_other_rounds(ctx, error_r);
	}
	if (ret == 0) {
		mus_sync_busy(ctx);
		mus_sync_step(ctx, "reading busy time");
		mus_schedule_run(ctx->sched);
		mus_sync_step(ctx, "scheduling");
		ret = mus_sync_write(ctx, error_r);
		mus_sync_step(ctx, "writing");
		if (ctx->opts->planned != NULL) {
			ctx->opts->planned(ctx->round->name,
				array_count(&ctx->convs) + ctx->result->created,
				ctx->result->scheduled, ctx->log_context);
		}
		if (ret == 0 && ctx->opts->send_invitations) {
			ret = mus_sync_send(ctx, error_r);
			mus_sync_step(ctx, "sending");
		}
		if (ret == 0) {
			/* a dry run counts what filing would file */
			ret = mus_plan_file_round(ctx->conn, ctx->set,
				ctx->round->dn, ctx->now, ctx->opts->dry_run,
				mus_sync_problem_log, ctx, &ctx->result->plans,
				error_r);
			mus_sync_step(ctx, "filing plans");
		}
		ctx->result->total = array_count(&ctx->convs) + ctx->result->created;
		ctx->result->unchanged = array_count(&ctx->convs) -
			(array_count(&ctx->items) - ctx->result->created);
		ctx->result->idle = ret == 0 && mus_sync_idle(ctx);
		ctx->result->next_due = mus_sync_next_due(ctx);
	}
	/* after an error before scheduling: stop the workers */
	if (ctx->prefetch != NULL)
		mus_freebusy_batch_abort(&ctx->prefetch);
	mus_sync_lease_release(ctx);
	mus_schedule_destroy(&ctx->sched);
	if (hash_table_is_created(ctx->by_cn))
		hash_table_destroy(&ctx->by_cn);
	mus_org_destroy(&ctx->org);
	return ret;
}

/* A closed round places, sends and reminds nothing more. Approvals of its
   plans are still recorded as they come in by mail (mus-inbox), so a plan
   approved after the close is filed all the same. Nothing is written
   unless a plan is due, so no lease is taken (a sync that has nothing to
   do stays one that writes nothing); filing twice at once is harmless, as
   the plan's names are fixed and an entry there already counts as filed.
   Returns 1 if the round has something to show, 0 if not, -1 on error. A
   dry run (the idle check's too) shows it only if a plan would be filed:
   one that cannot be (its employee has left) is logged by every sync
   that reads the rounds, but does not keep the closed round from idling
   for good. */
static int mus_sync_closed_round(struct mus_sync_round *ctx,
				 const char **error_r)
{
	struct mus_plan_file_result *plans = &ctx->result->plans;

	if (mus_plan_file_round(ctx->conn, ctx->set, ctx->round->dn, ctx->now,
				ctx->opts->dry_run, mus_sync_problem_log, ctx,
				plans, error_r) < 0)
		return -1;
	if (ctx->opts->dry_run)
		return plans->filed > 0 ? 1 : 0;
	return plans->filed + plans->failed + plans->conflicts > 0 ? 1 : 0;
}

int mus_sync_run(struct mus_ldap *conn, const struct mus_settings *set,
		 const struct mus_round_context *rctx,
		 const struct mus_sync_options *opts, mus_sync_log_t *log,
		 void *log_context, pool_t pool,
		 ARRAY_TYPE(mus_sync_result) *results, const char **error_r)
{
	ARRAY_TYPE(mus_round) rounds;
	ARRAY_TYPE(const_string) invalid;
	const char *problem;
	struct mus_round *round;

	p_array_init(&rounds, pool, 8);
	p_array_init(&invalid, pool, 4);
	if (mus_rounds_load(conn, pool, set->round_base, opts->round_name,
			    rctx, &rounds, &invalid, error_r) < 0)
		return -1;
	array_foreach_elem(&invalid, problem)
		log(FALSE, t_strdup_printf("skipped invalid %s", problem), log_context);
	if (opts->round_name != NULL && array_count(&rounds) == 0) {
		*error_r = t_strdup_printf("no valid round named '%s' under %s",
					   opts->round_name, set->round_base);
		return -1;
	}
	array_foreach_elem(&rounds, round) {
		struct mus_sync_round ctx;
		pool_t round_pool;
		int ret;

		/* a draft named in a dry run is previewed: nothing of it is
		   written or sent */
		bool preview = opts->dry_run && opts->round_name != NULL &&
			round->state == MUS_ROUND_DRAFT;

		if (round->state == MUS_ROUND_DRAFT && !preview) {
			/* asked for by name: say why nothing happens */
			if (opts->round_name != NULL) {
				log(FALSE, t_strdup_printf(
					"round %s is draft, not active: nothing to do",
					round->name), log_context);
			}
			continue;
		}
		round_pool = pool_alloconly_create("mus sync round", 64 * 1024);
		i_zero(&ctx);
		ctx.pool = round_pool;
		ctx.conn = conn;
		ctx.set = set;
		ctx.rctx = rctx;
		ctx.opts = opts;
		ctx.log = log;
		ctx.log_context = log_context;
		ctx.round = round;
		ctx.now = time(NULL);
		ctx.result = array_append_space(results);
		ctx.result->round_dn = round->dn;
		ctx.result->round_name = round->name;
		T_BEGIN {
			if (round->state != MUS_ROUND_CLOSED)
				ret = mus_sync_round_run(&ctx, error_r);
			else if ((ret = mus_sync_closed_round(&ctx, error_r)) == 0) {
				/* nothing to show: no row, and a word if it was
				   asked for by name */
				array_delete(results, array_count(results) - 1, 1);
				if (opts->round_name != NULL) {
					log(FALSE, t_strdup_printf(
						"round %s is closed: no plan "
						"waits to be filed", round->name),
					    log_context);
				}
			}
		} T_END_PASS_STR_IF(ret < 0, error_r);
		pool_unref(&round_pool);
		if (ret < 0)
			return -1;
	}
	return 0;
}
