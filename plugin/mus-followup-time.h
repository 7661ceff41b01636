#ifndef MUS_FOLLOWUP_TIME_H
#define MUS_FOLLOWUP_TIME_H

/* The follow-up meeting of a plan: the meeting to which leader and
   employee are invited with the plan attached, whose Accept approves the
   plan and whose Decline asks for changes (mus-inbox). This file decides
   its time; mus-send sends it.

   The time is a slot of the round's duration under the round's rules
   (working days and hours, Danish holidays, closed dates, buffer, the
   leader's conversations a day; mus-schedule) on the plan's follow-up
   date or as soon after it as possible, searched up to
   MUS_FOLLOWUP_SEARCH_DAYS days after it. The other conversations the
   caller gives (of this round and of others) keep their times there: the
   conversations still to come and the follow-up meetings of plans that
   wait occupy their people, keep the buffer and count toward the
   leader's conversations a day. The busy time the caller read from the
   leader's and the attendees' calFBURL for the search window counts as
   busy. A time chosen once is kept
   for later versions of the plan while it lies ahead and still fits the
   follow-up date. */

#include "mus-conversation.h"

struct mus_round;

#define MUS_FOLLOWUP_SEARCH_DAYS 92
/* the purpose of mus_conversation_uid() for the follow-up meeting */
#define MUS_FOLLOWUP_UID_PURPOSE "follow-up"

/* A busy period [start, end) of the person whose normalised DN is ndn. */
struct mus_followup_busy {
	const char *ndn;
	time_t start, end;
};
ARRAY_DEFINE_TYPE(mus_followup_busy, struct mus_followup_busy);

/* TRUE if conv's stored follow-up time is kept for a plan whose follow-up
   date is follow_up (local date, days since 1970): it lies ahead, within
   the search window, and has the round's duration. Then no busy time is
   needed. */
bool mus_followup_time_kept(const struct mus_round *round,
			    const struct mus_conversation *conv,
			    int follow_up, time_t now);

/* The search window [*from_r, *to_r) for that follow-up date: from its
   local midnight (or now, if later) for MUS_FOLLOWUP_SEARCH_DAYS days;
   empty once the date is too far past. */
void mus_followup_window(const struct mus_round *round, int follow_up,
			 time_t now, time_t *from_r, time_t *to_r);

/* The time of conv's follow-up meeting for a plan whose follow-up date is
   follow_up: returns TRUE with the time in start_r and end_r (conv's
   stored time if it is kept), or FALSE with the reason (data stack) if the
   search window has no free slot. others are the other conversations
   (conv may be among them), of any round; busy (may be NULL) the busy
   time of conv's people read from calFBURL. */
bool mus_followup_time(const struct mus_round *round,
		       const struct mus_conversation *conv, int follow_up,
		       time_t now, const ARRAY_TYPE(mus_conversation) *others,
		       const ARRAY_TYPE(mus_followup_busy) *busy,
		       time_t *start_r, time_t *end_r, const char **reason_r);

#endif
