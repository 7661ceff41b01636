/* The time of the follow-up meeting of a plan. */

#include "lib.h"
#include "array.h"
#include "mus-time.h"
#include "mus-round.h"
#include "mus-schedule.h"
#include "mus-plan.h"
#include "mus-followup-time.h"

bool mus_followup_time_kept(const struct mus_round *round,
			    const struct mus_conversation *conv,
			    int follow_up, time_t now)
{
	unsigned int minute;
	int day;

	if (conv->followup_start == 0 || conv->followup_start <= now ||
	    conv->followup_end - conv->followup_start !=
	    (time_t)round->duration * 60)
		return FALSE;
	mus_time_to_local(round->timezone, conv->followup_start, &day, &minute);
	return day >= follow_up && day < follow_up + MUS_FOLLOWUP_SEARCH_DAYS;
}

static bool mus_followup_shares_person(const struct mus_conversation *a,
				       const struct mus_conversation *b)
{
	if (strcmp(a->leader_ndn, b->leader_ndn) == 0)
		return TRUE;
	for (unsigned int i = 0; a->employee_ndns[i] != NULL; i++) {
		if (strcmp(a->employee_ndns[i], b->leader_ndn) == 0 ||
		    str_array_find(b->employee_ndns, a->employee_ndns[i]))
			return TRUE;
	}
	return FALSE;
}

static struct mus_sched_conv *
mus_followup_add(struct mus_schedule *sched, const struct mus_conversation *conv)
{
	ARRAY(struct mus_sched_person *) members;
	struct mus_sched_person *leader =
		mus_schedule_person(sched, conv->leader_ndn);

	t_array_init(&members, 4);
	for (unsigned int i = 0; conv->employee_ndns[i] != NULL; i++) {
		struct mus_sched_person *p =
			mus_schedule_person(sched, conv->employee_ndns[i]);

		array_push_back(&members, &p);
	}
	return mus_schedule_add(sched, conv->cn, leader, array_front(&members),
				array_count(&members));
}

/* A meeting [start, end) of other in the search window occupies its
   people there, keeps the buffer and counts toward the leader's
   conversations that day. */
static void mus_followup_fix(struct mus_schedule *sched,
			     const struct mus_sched_round *window,
			     const struct mus_conversation *other,
			     time_t start, time_t end)
{
	if (end <= window->window_start || start >= window->window_end)
		return;
	mus_schedule_fix(sched, mus_followup_add(sched, other), start, end);
}

void mus_followup_window(const struct mus_round *round, int follow_up,
			 time_t now, time_t *from_r, time_t *to_r)
{
	*from_r = mus_time_from_local(round->timezone, follow_up, 0);
	if (*from_r <= now)
		*from_r = now;
	*to_r = mus_time_from_local(round->timezone,
				    follow_up + MUS_FOLLOWUP_SEARCH_DAYS, 0);
}

bool mus_followup_time(const struct mus_round *round,
		       const struct mus_conversation *conv, int follow_up,
		       time_t now, const ARRAY_TYPE(mus_conversation) *others,
		       const ARRAY_TYPE(mus_followup_busy) *busy,
		       time_t *start_r, time_t *end_r, const char **reason_r)
{
	struct mus_sched_round sched_round;
	struct mus_schedule *sched;
	struct mus_sched_conv *slot;
	struct mus_conversation *other;
	const struct mus_followup_busy *period;
	const char *error;
	bool found;

	if (mus_followup_time_kept(round, conv, follow_up, now)) {
		*start_r = conv->followup_start;
		*end_r = conv->followup_end;
		return TRUE;
	}
	mus_round_sched(round, &sched_round);
	mus_followup_window(round, follow_up, now, &sched_round.window_start,
			    &sched_round.window_end);
	if (sched_round.window_end <= sched_round.window_start) {
		*reason_r = t_strdup_printf("the follow-up date %s has passed",
					    mus_plan_date(follow_up));
		return FALSE;
	}
	sched = mus_schedule_create(&sched_round, &error);
	if (sched == NULL) {
		*reason_r = t_strdup_printf("no working day in the %u days "
					    "after the follow-up date: %s",
					    MUS_FOLLOWUP_SEARCH_DAYS, error);
		return FALSE;
	}
	array_foreach_elem(others, other) {
		struct mus_conv_meeting meetings[2];
		unsigned int count;

		if (other == conv || other->unreadable ||
		    !mus_followup_shares_person(conv, other))
			continue;
		count = mus_conversation_meetings(other, meetings);
		for (unsigned int i = 0; i < count; i++) {
			mus_followup_fix(sched, &sched_round, other,
					 meetings[i].start, meetings[i].end);
		}
	}
	if (busy != NULL) {
		array_foreach(busy, period) {
			mus_schedule_busy(mus_schedule_person(sched, period->ndn),
					  period->start, period->end);
		}
	}
	slot = mus_followup_add(sched, conv);
	mus_schedule_run(sched);
	found = slot->state == MUS_SCHED_PLACED;
	if (found) {
		*start_r = slot->start;
		*end_r = slot->end;
	} else {
		*reason_r = t_strdup_printf("%s in the %u days after the "
					    "follow-up date", slot->reason,
					    MUS_FOLLOWUP_SEARCH_DAYS);
	}
	mus_schedule_destroy(&sched);
	return found;
}
