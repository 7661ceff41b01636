#ifndef MUS_ROUND_H
#define MUS_ROUND_H

/* A round (musRound): its kind, window, working hours and scope, read and
   validated from attribute values. */

struct mus_ldap;
struct mus_cards;
struct mus_sched_round;

enum mus_round_kind {
	MUS_ROUND_MUS = 0,
	MUS_ROUND_GRUS,
	MUS_ROUND_TUS,
	MUS_ROUND_LUS,
};

enum mus_round_state {
	MUS_ROUND_DRAFT = 0,
	MUS_ROUND_ACTIVE,
	MUS_ROUND_CLOSED,
};

#define MUS_ROUND_DEFAULT_WORKDAY_START (8 * 60)
#define MUS_ROUND_DEFAULT_WORKDAY_END (16 * 60)
#define MUS_ROUND_DEFAULT_MAX_PER_DAY 4
#define MUS_ROUND_DEFAULT_BUFFER 15
#define MUS_ROUND_DEFAULT_FILTER "(objectClass=inetOrgPerson)"

struct mus_round {
	const char *dn, *name, *csn;
	enum mus_round_kind kind;
	enum mus_round_state state;
	time_t window_start, window_end;
	unsigned int duration, buffer, max_per_day;
	unsigned int workday_start, workday_end;	/* minutes */
	const char *scope_base, *scope_filter;
	const char *location;			/* NULL: none */
	const char *const *cards;		/* LMU cards */
	const int *closed_days;			/* days since 1970 */
	unsigned int closed_count;
	const char *lease;			/* raw musLease, or NULL */
	const char *timezone;
};

/* The attributes of a musRound entry that mus_round_parse() reads. */
extern const char *const mus_round_attrs[];

/* Returns the values of attr (NULL-terminated, maybe empty). */
typedef const char *const *mus_round_values_t(const char *attr, void *context);

/* What rounds are checked against: the defaults of the scope and the zone
   of working hours, and the card catalogue the LMU cards must be in. */
struct mus_round_context {
	const char *people_base;
	const char *timezone;
	const struct mus_cards *cards;
};

/* A round's name (cn) is a line of UTF-8 text of at most this many
   bytes: it is in every invitation's text and in doveadm's tables. */
#define MUS_ROUND_NAME_MAX_LEN 256
/* Returns 0 if name is a usable round name, else -1 with the problem. */
int mus_round_name_check(const char *name, const char **error_r);

/* Build a round from its attribute values. Returns 0, or -1 with an error
   naming the attribute and the value. */
int mus_round_parse(pool_t pool, const char *dn, mus_round_values_t *values,
		    void *context, const struct mus_round_context *rctx,
		    struct mus_round **round_r, const char **error_r);

/* The scheduler's view of the round. */
void mus_round_sched(const struct mus_round *round,
		     struct mus_sched_round *sched_r);

const char *mus_round_kind_name(enum mus_round_kind kind);
const char *mus_round_state_name(enum mus_round_state state);
/* GRUS and TUS hold one conversation per team */
bool mus_round_is_group(enum mus_round_kind kind);
/* The same for a musKind value as written (any case); FALSE for none */
bool mus_round_kind_name_is_group(const char *name);

ARRAY_DEFINE_TYPE(mus_round, struct mus_round *);

/* Read the rounds under base (all, or only the one named). A round that
   does not validate is left out and its error added to invalid. Returns
   0, or -1 if the directory failed. */
int mus_rounds_load(struct mus_ldap *conn, pool_t pool, const char *base,
		    const char *name, const struct mus_round_context *rctx,
		    ARRAY_TYPE(mus_round) *rounds,
		    ARRAY_TYPE(const_string) *invalid, const char **error_r);

#endif
