#ifndef MUS_SYNC_H
#define MUS_SYNC_H

/* doveadm mus sync: reconcile the directory with the rounds. For every
   active round: read the people in scope, build the roster, create the
   missing conversations, mark those that no longer apply as cancelled,
   mark those whose time has passed as held, and schedule the ones
   waiting for a slot; then send invitations, cancels, the follow-up
   meetings of pending plans and the plan forms of held conversations, and file the plans both parties have approved
   (mus-plan-file). Every step is idempotent and
   all state is in LDAP, so any host may run it, any number of times.

   Concurrency: a sync takes a lease on the round (musLease, written with
   an assertion on the round's entryCSN) before it schedules, so two syncs
   of one round never place conversations on the same slot; every write to
   a conversation asserts its entryCSN, so an update made meanwhile by
   another process (a reply being processed) is never overwritten. */

#include "mus-send.h"
#include "mus-plan-request.h"
#include "mus-competence-request.h"
#include "mus-plan-file.h"

/* why a conversation whose employee moved to another leader or left the
   round's scope was withdrawn (musReason) */
#define MUS_SYNC_LEFT_THE_ROUND \
	"no longer part of the round: the employee has another manager or left the scope"

struct mus_ldap;
struct mus_settings;
struct mus_round_context;

struct mus_sync_options {
	bool dry_run;
	const char *round_name;		/* NULL: every active round */
	const char *holder;		/* who holds the lease, e.g. host:pid */
	unsigned int lease_wait_secs;	/* how long to wait for another sync */
	unsigned int fb_timeout_msecs;
	size_t fb_max_size;
	unsigned int fb_workers;	/* processes reading free/busy at once */
	/* send invitations and cancels after scheduling (with dry_run: build
	   them, and write them to send.eml_dir if set) */
	bool send_invitations;
	struct mus_send_options send;
	mus_send_progress_t *progress;
	/* told once a round is planned: its conversations, and how many of
	   them got a slot in this sync (for progress on a terminal) */
	void (*planned)(const char *round_name, unsigned int conversations,
			unsigned int placed, void *context);
};

struct mus_sync_result {
	const char *round_dn, *round_name;
	unsigned int total;		/* conversations in the round after */
	unsigned int created, scheduled, unschedulable, cancelled, reopened;
	unsigned int unchanged;
	unsigned int conflicts;		/* changed by another writer meanwhile */
	unsigned int fb_failed;		/* calFBURLs that could not be read */
	unsigned int held;		/* conversations over in this sync */
	struct mus_send_result sent;
	struct mus_plan_request_result plan_forms;
	/* competence forms to employees and leaders (mus_profile_base set) */
	struct mus_competence_request_result competence_forms;
	/* approved plans filed (a dry run: that would be filed) */
	struct mus_plan_file_result plans;
	/* nothing was written or sent (a dry run: would be), and nothing is
	   left for the next sync */
	bool idle;
	/* the first moment after the sync at which the round has something
	   to do by time alone (a conversation ends, an absence ends); 0 if
	   none */
	time_t next_due;
};
ARRAY_DEFINE_TYPE(mus_sync_result, struct mus_sync_result);

/* Called for problems the operator should see (unreadable free/busy,
   invalid rounds; the sync goes on), and with debug TRUE for the progress
   and timing of each step. */
typedef void mus_sync_log_t(bool debug, const char *message, void *context);

/* Returns 0, or -1 with the error if the directory failed; the results of
   the rounds done so far are in results. */
int mus_sync_run(struct mus_ldap *conn, const struct mus_settings *set,
		 const struct mus_round_context *rctx,
		 const struct mus_sync_options *opts, mus_sync_log_t *log,
		 void *log_context, pool_t pool,
		 ARRAY_TYPE(mus_sync_result) *results, const char **error_r);

#endif
