#ifndef MUS_SCHEDULE_H
#define MUS_SCHEDULE_H

/* The scheduler: places conversations in a round's window. Pure logic, no
   directory and no network: the caller feeds people, their busy time and
   the conversations, runs it and reads the results.

   Policy (deterministic for the same input):
   - Slots lie on working days (Monday-Friday, no Danish public holiday, no
     closed date) between the working day's start and end in the round's
     time zone, inside the window and not before `not_before` (now: a
     round whose window has begun, a declined conversation or a
     follow-up meeting is never placed in the past), and start on a
     quarter-hour step from the start of the working day.
   - A slot never overlaps busy time of the leader or of any member, nor
     another conversation of any of them; between two conversations of the
     same person lie at least `buffer` minutes. A leader leads at most
     `max_per_day` conversations a day (conversations already fixed count).
   - Leaders are handled in the order of their ids, each leader's
     conversations in the order of their ids. A leader's k-th of n pending
     conversations prefers working day floor(k * days / n), so a round is
     spread over the window instead of filling its first days; from the
     preferred day the search goes forward to the end of the window, then
     from the first day. Within a day the earliest free slot is taken.
   - A conversation for which no slot exists is marked unschedulable with
     the reason; nothing is dropped. */

#define MUS_SCHEDULE_STEP_MINUTES 15
/* every reason given for a conversation without a slot starts with this */
#define MUS_SCHEDULE_NO_SLOT "no free slot"
/* the other reasons, as they begin (mus-reason puts them in the reader's
   words) */
#define MUS_SCHEDULE_NO_DAY "the window has no working day"
#define MUS_SCHEDULE_NO_DAY_LEFT "no working day of the window is left"
#define MUS_SCHEDULE_PASSED "the proposed time has passed"
#define MUS_SCHEDULE_LENGTH "the proposed time lasts "
#define MUS_SCHEDULE_HOURS "the proposed time is not inside working hours "
#define MUS_SCHEDULE_LEADER_FULL "on that day the leader has "
#define MUS_SCHEDULE_LEADER_BUSY "the leader is busy then, or too close to another conversation"
#define MUS_SCHEDULE_TEAM_BUSY "a member of the team is busy then"
#define MUS_SCHEDULE_EMPLOYEE_BUSY "the employee is busy then, or too close to another conversation"

struct mus_schedule;
struct mus_sched_person;

struct mus_sched_round {
	time_t window_start, window_end;	/* [start, end) */
	/* no slot starts before it, and a proposed time before it is
	   refused (0: no limit) */
	time_t not_before;
	unsigned int duration;			/* minutes */
	unsigned int buffer;			/* minutes */
	unsigned int workday_start, workday_end; /* minutes after midnight */
	unsigned int max_per_day;
	const char *timezone;
	const int *closed_days;		/* local dates, days since 1970 */
	unsigned int closed_count;
};

enum mus_sched_state {
	MUS_SCHED_PENDING = 0,
	MUS_SCHED_FIXED,	/* placed earlier; kept where it is */
	MUS_SCHED_PLACED,
	MUS_SCHED_UNSCHEDULABLE,
};

struct mus_sched_conv {
	const char *id;
	enum mus_sched_state state;
	time_t start, end;
	const char *reason;	/* when unschedulable */
	void *context;		/* the caller's */
	/* mus_schedule_propose(): the proposed time, and why it was
	   refused (NULL: it was taken) */
	time_t proposed_start, proposed_end;
	const char *refused;
};

/* Returns 0 if the round can hold at least one conversation, else -1
   with an error that starts with the name of the field at fault. */
int mus_sched_round_check(const struct mus_sched_round *round,
			  const char **error_r);

/* Returns a schedule for the round, or NULL with the reason if the round
   cannot hold a single conversation (error names the field). */
struct mus_schedule *mus_schedule_create(const struct mus_sched_round *round,
					 const char **error_r);
void mus_schedule_destroy(struct mus_schedule **sched);

/* The working days of the window (after holidays and closed dates). */
unsigned int mus_schedule_day_count(const struct mus_schedule *sched);

/* The person with this id, created on first use. The id is copied. */
struct mus_sched_person *
mus_schedule_person(struct mus_schedule *sched, const char *id);
/* Add busy time [start, end) of a person; may overlap and come unsorted. */
void mus_schedule_busy(struct mus_sched_person *person, time_t start,
		       time_t end);

/* Add a conversation of leader with members (1 for MUS and LUS, the team
   for GRUS/TUS). The id is copied; the struct stays owned by sched. */
struct mus_sched_conv *
mus_schedule_add(struct mus_schedule *sched, const char *id,
		 struct mus_sched_person *leader,
		 struct mus_sched_person *const *members,
		 unsigned int member_count);
/* Keep an already scheduled conversation at [start, end); it occupies its
   people and counts toward the leader's day. */
void mus_schedule_fix(struct mus_schedule *sched, struct mus_sched_conv *conv,
		      time_t start, time_t end);

/* An attendee of a conversation that holds [start, end) proposes
   [new_start, new_end) instead. mus_schedule_run() first moves it there
   (state PLACED) if the proposal keeps every rule above but the
   quarter-hour grid: the round's duration, a working day in the window,
   working hours, the leader's conversations a day, everybody's busy time,
   other conversations and the buffer. Otherwise it stays FIXED at
   [start, end) and conv->refused says which rule the proposal breaks.
   Proposals are decided in the order they were made, before any pending
   conversation is placed. */
void mus_schedule_propose(struct mus_schedule *sched,
			  struct mus_sched_conv *conv, time_t start,
			  time_t end, time_t new_start, time_t new_end);

/* Place every pending conversation. */
void mus_schedule_run(struct mus_schedule *sched);

#endif
