/* The scheduler. See mus-schedule.h for the policy. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-time.h"
#include "mus-holidays.h"
#include "mus-schedule.h"

struct mus_interval {
	time_t start, end;
};
ARRAY_DEFINE_TYPE(mus_interval, struct mus_interval);

struct mus_sched_person {
	const char *id;
	/* busy time from calendars: sorted and merged before the run */
	ARRAY_TYPE(mus_interval) busy;
	/* conversations of this person, leader or member */
	ARRAY_TYPE(mus_interval) booked;
	/* conversations led per working day; allocated on first use */
	unsigned int *led_per_day;
};

struct mus_sched_day {
	time_t open, close;
	int date;	/* local, days since 1970 */
};

struct mus_sched_entry {
	struct mus_sched_conv conv;
	struct mus_sched_person *leader;
	struct mus_sched_person **members;
	unsigned int member_count;
};

struct mus_schedule {
	pool_t pool;
	struct mus_sched_round round;
	ARRAY(struct mus_sched_day) days;
	/* working days of the whole window, also those that have passed:
	   the reason of a conversation without a slot names them, and they
	   do not change from one day of the round to the next */
	unsigned int window_days;
	HASH_TABLE(const char *, struct mus_sched_person *) people;
	ARRAY(struct mus_sched_entry *) entries;
	ARRAY(struct mus_sched_entry *) proposals;
};

static bool mus_day_closed(const struct mus_sched_round *round, int day)
{
	unsigned int weekday = mus_weekday(day);
	unsigned int month, mday;
	int year;

	if (weekday >= 5)
		return TRUE;
	mus_civil_from_days(day, &year, &month, &mday);
	if (mus_holiday_name(year, month, mday) != NULL)
		return TRUE;
	for (unsigned int i = 0; i < round->closed_count; i++) {
		if (round->closed_days[i] == day)
			return TRUE;
	}
	return FALSE;
}

int mus_sched_round_check(const struct mus_sched_round *round,
			  const char **error_r)
{
	if (round->window_end <= round->window_start)
		*error_r = "musWindowEnd: the window ends before it starts";
	else if (round->duration == 0)
		*error_r = "musDuration: a conversation must last at least a minute";
	else if (round->workday_end > 24 * 60 ||
		 round->workday_start >= round->workday_end)
		*error_r = "musWorkdayEnd: the working day ends before it starts";
	else if (round->workday_end - round->workday_start < round->duration)
		*error_r = "musWorkdayStart/musWorkdayEnd: the working day is shorter than one conversation";
	else if (round->max_per_day == 0)
		*error_r = "musMaxPerDay: must allow at least one conversation a day";
	else if (!mus_time_zone_exists(round->timezone))
		*error_r = t_strdup_printf("unknown time zone '%s'", round->timezone);
	else
		return 0;
	return -1;
}

/* Working day `day` of round from `from` on: TRUE with its hours in d_r
   if a conversation fits. A day that opens late keeps the quarter-hour
   grid of the working day. */
static bool mus_schedule_day(const struct mus_sched_round *round, int day,
			     time_t from, struct mus_sched_day *d_r)
{
	time_t step = MUS_SCHEDULE_STEP_MINUTES * 60;

	if (mus_day_closed(round, day))
		return FALSE;
	d_r->date = day;
	d_r->open = mus_time_from_local(round->timezone, day, round->workday_start);
	d_r->close = mus_time_from_local(round->timezone, day, round->workday_end);
	if (d_r->open < from)
		d_r->open += (from - d_r->open + step - 1) / step * step;
	if (d_r->close > round->window_end)
		d_r->close = round->window_end;
	return d_r->close - d_r->open >= (time_t)round->duration * 60;
}

struct mus_schedule *mus_schedule_create(const struct mus_sched_round *round,
					 const char **error_r)
{
	struct mus_schedule *sched;
	time_t earliest;
	unsigned int minute;
	int first, last;
	pool_t pool;

	if (mus_sched_round_check(round, error_r) < 0)
		return NULL;

	pool = pool_alloconly_create("mus schedule", 64 * 1024);
	sched = p_new(pool, struct mus_schedule, 1);
	sched->pool = pool;
	sched->round = *round;
	sched->round.timezone = p_strdup(pool, round->timezone);
	if (round->closed_count > 0) {
		sched->round.closed_days = p_memdup(pool, round->closed_days,
			sizeof(int) * round->closed_count);
	}
	p_array_init(&sched->days, pool, 64);
	hash_table_create(&sched->people, pool, 0, str_hash, strcmp);
	p_array_init(&sched->entries, pool, 256);
	p_array_init(&sched->proposals, pool, 4);

	earliest = round->window_start > round->not_before ?
		round->window_start : round->not_before;
	mus_time_to_local(round->timezone, round->window_start, &first, &minute);
	mus_time_to_local(round->timezone, round->window_end - 1, &last, &minute);
	for (int day = first; day <= last; day++) {
		struct mus_sched_day d;

		if (!mus_schedule_day(round, day, round->window_start, &d))
			continue;
		/* the window's own working days, whatever is left of them */
		sched->window_days++;
		if (earliest == round->window_start ||
		    mus_schedule_day(round, day, earliest, &d))
			array_push_back(&sched->days, &d);
	}
	return sched;
}

void mus_schedule_destroy(struct mus_schedule **_sched)
{
	struct mus_schedule *sched = *_sched;
	if (sched == NULL)
		return;
	*_sched = NULL;
	hash_table_destroy(&sched->people);
	pool_unref(&sched->pool);
}

unsigned int mus_schedule_day_count(const struct mus_schedule *sched)
{
	return array_count(&sched->days);
}

struct mus_sched_person *
mus_schedule_person(struct mus_schedule *sched, const char *id)
{
	struct mus_sched_person *person = hash_table_lookup(sched->people, id);

	if (person == NULL) {
		person = p_new(sched->pool, struct mus_sched_person, 1);
		person->id = p_strdup(sched->pool, id);
		/* everything of a schedule lives in its pool: a round of
		   50,000 people would otherwise cost 100,000 mallocs */
		p_array_init(&person->busy, sched->pool, 4);
		p_array_init(&person->booked, sched->pool, 4);
		hash_table_insert(sched->people, person->id, person);
	}
	return person;
}

void mus_schedule_busy(struct mus_sched_person *person, time_t start,
		       time_t end)
{
	struct mus_interval iv = { .start = start, .end = end };

	if (end > start)
		array_push_back(&person->busy, &iv);
}

struct mus_sched_conv *
mus_schedule_add(struct mus_schedule *sched, const char *id,
		 struct mus_sched_person *leader,
		 struct mus_sched_person *const *members,
		 unsigned int member_count)
{
	struct mus_sched_entry *entry = p_new(sched->pool, struct mus_sched_entry, 1);

	entry->conv.id = p_strdup(sched->pool, id);
	entry->leader = leader;
	entry->members = p_new(sched->pool, struct mus_sched_person *, member_count + 1);
	memcpy(entry->members, members, sizeof(*members) * member_count);
	entry->member_count = member_count;
	array_push_back(&sched->entries, &entry);
	return &entry->conv;
}

/* The index of the working day holding t, or -1. */
static int mus_schedule_day_of(const struct mus_schedule *sched, time_t t)
{
	unsigned int lo = 0, hi = array_count(&sched->days);
	const struct mus_sched_day *days = array_front(&sched->days);

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (t < days[mid].open)
			hi = mid;
		else if (t >= days[mid].close)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

/* The index of the working day whose local date holds t, inside its hours
   or not, or -1. */
static int mus_schedule_date_of(const struct mus_schedule *sched, time_t t)
{
	const struct mus_sched_day *days = array_front(&sched->days);
	unsigned int lo = 0, hi = array_count(&sched->days), minute;
	int date, day = mus_schedule_day_of(sched, t);

	if (day >= 0)
		return day;
	mus_time_to_local(sched->round.timezone, t, &date, &minute);
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (date < days[mid].date)
			hi = mid;
		else if (date > days[mid].date)
			lo = mid + 1;
		else
			return (int)mid;
	}
	return -1;
}

static void mus_interval_insert(ARRAY_TYPE(mus_interval) *arr, time_t start,
				time_t end)
{
	const struct mus_interval *ivs;
	struct mus_interval iv = { .start = start, .end = end };
	unsigned int i, count;

	ivs = array_get(arr, &count);
	for (i = count; i > 0 && ivs[i - 1].start > start; i--) ;
	array_insert(arr, i, &iv, 1);
}

/* Book entry's time for its people. It counts toward the leader's
   conversations on its local date also outside this round's working hours
   (another round's, one earlier today). */
static void mus_schedule_book(struct mus_schedule *sched,
			      struct mus_sched_entry *entry)
{
	int day = mus_schedule_date_of(sched, entry->conv.start);

	mus_interval_insert(&entry->leader->booked, entry->conv.start,
			    entry->conv.end);
	for (unsigned int i = 0; i < entry->member_count; i++) {
		mus_interval_insert(&entry->members[i]->booked,
				    entry->conv.start, entry->conv.end);
	}
	if (day < 0)
		return;
	if (entry->leader->led_per_day == NULL) {
		entry->leader->led_per_day =
			p_new(sched->pool, unsigned int, array_count(&sched->days));
	}
	entry->leader->led_per_day[day]++;
}

void mus_schedule_fix(struct mus_schedule *sched, struct mus_sched_conv *conv,
		      time_t start, time_t end)
{
	struct mus_sched_entry *entry = (struct mus_sched_entry *)conv;

	i_assert(conv->state == MUS_SCHED_PENDING);
	conv->state = MUS_SCHED_FIXED;
	conv->start = start;
	conv->end = end;
	mus_schedule_book(sched, entry);
}

static int mus_interval_cmp(const struct mus_interval *a,
			    const struct mus_interval *b)
{
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end < b->end ? -1 : (a->end > b->end ? 1 : 0);
}

/* Sort and merge busy time, so that both starts and ends are ascending. */
static void mus_busy_normalize(ARRAY_TYPE(mus_interval) *busy)
{
	struct mus_interval *ivs;
	unsigned int count, out = 0;

	array_sort(busy, mus_interval_cmp);
	ivs = array_get_modifiable(busy, &count);
	for (unsigned int i = 0; i < count; i++) {
		if (out > 0 && ivs[i].start <= ivs[out - 1].end) {
			if (ivs[i].end > ivs[out - 1].end)
				ivs[out - 1].end = ivs[i].end;
		} else {
			ivs[out++] = ivs[i];
		}
	}
	array_delete(busy, out, count - out);
}

static bool mus_person_free(const struct mus_sched_person *person,
			    time_t start, time_t end, time_t buffer)
{
	const struct mus_interval *ivs;
	unsigned int lo = 0, hi, count;

	/* first busy interval ending after start */
	ivs = array_get(&person->busy, &count);
	hi = count;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (ivs[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < count && ivs[lo].start < end)
		return FALSE;

	array_foreach(&person->booked, ivs) {
		if (ivs->start < end + buffer && ivs->end + buffer > start)
			return FALSE;
	}
	return TRUE;
}

static bool mus_schedule_try_day(struct mus_schedule *sched,
				 struct mus_sched_entry *entry, unsigned int day)
{
	const struct mus_sched_day *d = array_idx(&sched->days, day);
	const struct mus_sched_round *round = &sched->round;
	time_t duration = (time_t)round->duration * 60;
	time_t buffer = (time_t)round->buffer * 60;
	time_t step = MUS_SCHEDULE_STEP_MINUTES * 60;

	if (entry->leader->led_per_day != NULL &&
	    entry->leader->led_per_day[day] >= round->max_per_day)
		return FALSE;
	for (time_t start = d->open; start + duration <= d->close; start += step) {
		time_t end = start + duration;
		bool free = mus_person_free(entry->leader, start, end, buffer);

		for (unsigned int i = 0; free && i < entry->member_count; i++)
			free = mus_person_free(entry->members[i], start, end, buffer);
		if (free) {
			entry->conv.state = MUS_SCHED_PLACED;
			entry->conv.start = start;
			entry->conv.end = end;
			mus_schedule_book(sched, entry);
			return TRUE;
		}
	}
	return FALSE;
}

static void mus_schedule_place(struct mus_schedule *sched,
			       struct mus_sched_entry *entry, unsigned int k,
			       unsigned int n)
{
	unsigned int days = array_count(&sched->days);
	unsigned int preferred;

	if (days == 0) {
		entry->conv.state = MUS_SCHED_UNSCHEDULABLE;
		entry->conv.reason = sched->round.not_before >
			sched->round.window_start ?
			MUS_SCHEDULE_NO_DAY_LEFT : MUS_SCHEDULE_NO_DAY;
		return;
	}
	preferred = (unsigned int)(((uint64_t)k * days) / n);
	for (unsigned int i = 0; i < days; i++) {
		if (mus_schedule_try_day(sched, entry, (preferred + i) % days))
			return;
	}
	entry->conv.state = MUS_SCHED_UNSCHEDULABLE;
	entry->conv.reason = p_strdup_printf(sched->pool,
		MUS_SCHEDULE_NO_SLOT " in the window for the leader and %s "
		"(%u working days, at most %u conversations a day)",
		entry->member_count > 1 ? "every team member" : "the employee",
		sched->window_days, sched->round.max_per_day);
}

void mus_schedule_propose(struct mus_schedule *sched,
			  struct mus_sched_conv *conv, time_t start,
			  time_t end, time_t new_start, time_t new_end)
{
	struct mus_sched_entry *entry = (struct mus_sched_entry *)conv;

	i_assert(conv->state == MUS_SCHED_PENDING);
	conv->start = start;
	conv->end = end;
	conv->proposed_start = new_start;
	conv->proposed_end = new_end;
	array_push_back(&sched->proposals, &entry);
}

/* NULL if the entry may take [start, end), else the rule it breaks */
static const char *mus_schedule_check(struct mus_schedule *sched,
				      const struct mus_sched_entry *entry,
				      time_t start, time_t end)
{
	const struct mus_sched_round *round = &sched->round;
	time_t buffer = (time_t)round->buffer * 60;
	int day = mus_schedule_day_of(sched, start);

	if (start < round->not_before)
		return MUS_SCHEDULE_PASSED;
	if (end - start != (time_t)round->duration * 60) {
		return p_strdup_printf(sched->pool,
			MUS_SCHEDULE_LENGTH "%ld minutes, the conversations of this round last %u",
			(long)(end - start) / 60, round->duration);
	}
	if (day < 0 ||
	    end > ((const struct mus_sched_day *)array_idx(&sched->days, day))->close) {
		return p_strdup_printf(sched->pool,
			MUS_SCHEDULE_HOURS "(%02u:%02u-%02u:%02u) "
			"of a working day in the round's window",
			round->workday_start / 60, round->workday_start % 60,
			round->workday_end / 60, round->workday_end % 60);
	}
	if (entry->leader->led_per_day != NULL &&
	    entry->leader->led_per_day[day] >= round->max_per_day) {
		return p_strdup_printf(sched->pool,
			MUS_SCHEDULE_LEADER_FULL "%u conversations already",
			entry->leader->led_per_day[day]);
	}
	if (!mus_person_free(entry->leader, start, end, buffer))
		return MUS_SCHEDULE_LEADER_BUSY;
	for (unsigned int i = 0; i < entry->member_count; i++) {
		if (!mus_person_free(entry->members[i], start, end, buffer)) {
			return entry->member_count > 1 ?
				MUS_SCHEDULE_TEAM_BUSY : MUS_SCHEDULE_EMPLOYEE_BUSY;
		}
	}
	return NULL;
}

static void mus_schedule_decide_proposal(struct mus_schedule *sched,
					 struct mus_sched_entry *entry)
{
	struct mus_sched_conv *conv = &entry->conv;

	conv->refused = mus_schedule_check(sched, entry, conv->proposed_start,
					   conv->proposed_end);
	if (conv->refused == NULL) {
		conv->state = MUS_SCHED_PLACED;
		conv->start = conv->proposed_start;
		conv->end = conv->proposed_end;
	} else {
		conv->state = MUS_SCHED_FIXED;
	}
	mus_schedule_book(sched, entry);
}

static int mus_entry_cmp(struct mus_sched_entry *const *a,
			 struct mus_sched_entry *const *b)
{
	int ret = strcmp((*a)->leader->id, (*b)->leader->id);

	return ret != 0 ? ret : strcmp((*a)->conv.id, (*b)->conv.id);
}

void mus_schedule_run(struct mus_schedule *sched)
{
	struct mus_sched_entry *const *entries, *entry;
	struct hash_iterate_context *iter;
	struct mus_sched_person *person;
	unsigned int i, j, count;
	const char *id;

	iter = hash_table_iterate_init(sched->people);
	while (hash_table_iterate(iter, sched->people, &id, &person))
		mus_busy_normalize(&person->busy);
	hash_table_iterate_deinit(&iter);

	array_foreach_elem(&sched->proposals, entry)
		mus_schedule_decide_proposal(sched, entry);
	array_sort(&sched->entries, mus_entry_cmp);
	entries = array_get(&sched->entries, &count);
	for (i = 0; i < count; i = j) {
		unsigned int pending = 0, k = 0;

		for (j = i; j < count && entries[j]->leader == entries[i]->leader; j++) {
			if (entries[j]->conv.state == MUS_SCHED_PENDING)
				pending++;
		}
		for (unsigned int e = i; e < j; e++) {
			if (entries[e]->conv.state == MUS_SCHED_PENDING)
				mus_schedule_place(sched, entries[e], k++, pending);
		}
	}
}
