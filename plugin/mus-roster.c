/* The roster of a round. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-org.h"
#include "mus-roster.h"

struct mus_roster {
	pool_t pool;
	const struct mus_org *org;
	const struct mus_round *round;
	ARRAY_TYPE(mus_wanted) *wanted;
	/* the round's kind in lower case: the start of every cn */
	const char *kind;
};

/* Why person cannot attend as `role`, or NULL. */
static const char *mus_roster_attend_problem(const struct mus_roster *roster,
					     const struct mus_person *person,
					     const char *role)
{
	/* HR's marks first: they are the reason a CANCEL gives */
	if (person->exempt)
		return t_strdup_printf("the %s " MUS_ROSTER_EXEMPT, role);
	if (person->absent_until >= roster->round->window_end) {
		return t_strdup_printf("the %s " MUS_ROSTER_ABSENT " %s, after the window ends",
				       role, mus_time_local_date(roster->round->timezone,
								 person->absent_until));
	}
	if (person->mails[0] == NULL)
		return t_strdup_printf("the %s %s has no mail address", role,
				       person->dn);
	return NULL;
}

/* TRUE if HR took person out of the round: exempt, or absent past the
   window */
static bool mus_roster_taken_out(const struct mus_roster *roster,
				 const struct mus_person *person)
{
	return person != NULL && (person->exempt ||
		person->absent_until >= roster->round->window_end);
}

/* Why person cannot be invited together with leader, or NULL: one
   address for both would be one attendee for two, which the invitation
   refuses (and with it a whole team's). */
static const char *mus_roster_shared_address(const struct mus_person *person,
					     const struct mus_person *leader)
{
	if (leader == NULL || person->mails[0] == NULL ||
	    leader->mails[0] == NULL ||
	    strcasecmp(person->mails[0], leader->mails[0]) != 0)
		return NULL;
	return t_strdup_printf("the employee has the leader's address %s",
			       person->mails[0]);
}

/* TRUE if a member already in the list has person's address: one
   attendee for two (a shared mailbox); the second gets a conversation
   of their own */
static bool mus_roster_address_taken(const ARRAY_TYPE(mus_person) *members,
				     const struct mus_person *person)
{
	struct mus_person *member;

	array_foreach_elem(members, member) {
		if (strcasecmp(member->mails[0], person->mails[0]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Why person cannot have a conversation with their manager, or NULL. */
static const char *mus_roster_manager_problem(const struct mus_person *person)
{
	if (person->in_cycle)
		return t_strdup_printf("the manager chain of %s is a cycle (manager %s)",
				       person->dn, person->manager_dn);
	if (person->manager == NULL && person->manager_outside)
		return t_strdup_printf("manager %s is outside the round's scope",
				       person->manager_dn);
	if (person->manager == NULL)
		return t_strdup_printf("manager %s does not exist",
				       person->manager_dn);
	return NULL;
}

/* cn is allocated from the roster's pool */
static struct mus_wanted *
mus_roster_add(struct mus_roster *roster, const char *cn,
	       struct mus_person *leader, const char *leader_dn,
	       struct mus_person *const *members, unsigned int member_count)
{
	struct mus_wanted *w = p_new(roster->pool, struct mus_wanted, 1);

	w->cn = cn;
	w->leader = leader;
	w->leader_dn = p_strdup(roster->pool, leader_dn);
	w->members = p_new(roster->pool, struct mus_person *, member_count + 1);
	memcpy(w->members, members, sizeof(*members) * member_count);
	w->member_count = member_count;
	array_push_back(roster->wanted, &w);
	return w;
}

/* person (as employee) with their manager */
static void mus_roster_add_pair(struct mus_roster *roster,
				struct mus_person *person)
{
	const char *leader_rdn, *reason;
	struct mus_wanted *w;

	leader_rdn = person->manager != NULL ? person->manager->uid :
		mus_ldap_dn_rdn_value(person->manager_dn);
	if (leader_rdn == NULL)
		leader_rdn = person->manager_dn;
	w = mus_roster_add(roster, p_strconcat(roster->pool, roster->kind, "-",
					       person->uid, "-", leader_rdn, NULL),
			   person->manager, person->manager_dn, &person, 1);
	/* HR's marks first: the conversation is withdrawn for them */
	reason = NULL;
	if (mus_roster_taken_out(roster, person))
		reason = mus_roster_attend_problem(roster, person, "employee");
	else if (mus_roster_taken_out(roster, person->manager))
		reason = mus_roster_attend_problem(roster, person->manager, "leader");
	w->withdraw = reason != NULL;
	if (reason == NULL)
		reason = mus_roster_manager_problem(person);
	if (reason == NULL)
		reason = mus_roster_attend_problem(roster, person, "employee");
	if (reason == NULL)
		reason = mus_roster_attend_problem(roster, person->manager, "leader");
	if (reason == NULL)
		reason = mus_roster_shared_address(person, person->manager);
	w->reason = p_strdup(roster->pool, reason);
}

static void mus_roster_add_team(struct mus_roster *roster,
				const struct mus_team *team,
				struct mus_person *owner,
				HASH_TABLE_TYPE(mus_person_set) covered)
{
	ARRAY_TYPE(mus_person) members;
	struct mus_person *member, *const *list;
	struct mus_wanted *w;
	unsigned int count;

	t_array_init(&members, 16);
	for (unsigned int i = 0; team->member_ndns[i] != NULL; i++) {
		member = mus_org_find(roster->org, team->member_ndns[i]);
		if (member == NULL || member == owner ||
		    hash_table_lookup(covered, member) != NULL)
			continue;
		/* a member who cannot attend gets an individual entry with
		   the reason instead */
		if (mus_roster_attend_problem(roster, member, "employee") != NULL ||
		    mus_roster_shared_address(member, owner) != NULL ||
		    mus_roster_address_taken(&members, member))
			continue;
		hash_table_insert(covered, member, member);
		array_push_back(&members, &member);
	}
	list = array_get(&members, &count);
	w = mus_roster_add(roster, p_strdup_printf(roster->pool, "%s-%s-%s",
						   roster->kind, team->name,
						   owner->uid),
			   owner, owner->dn, list, count);
	w->team_dn = p_strdup(roster->pool, team->dn);
	if (count == 0)
		w->reason = "the team has no member in scope who can attend";
	else
		w->reason = p_strdup(roster->pool,
			mus_roster_attend_problem(roster, owner, "leader"));
	w->withdraw = w->reason != NULL && mus_roster_taken_out(roster, owner);
}

static int mus_wanted_cmp(struct mus_wanted *const *a,
			  struct mus_wanted *const *b)
{
	return strcmp((*a)->cn, (*b)->cn);
}

void mus_roster_build(pool_t pool, const struct mus_org *org,
		      const struct mus_round *round,
		      const struct mus_team *teams, unsigned int team_count,
		      ARRAY_TYPE(mus_wanted) *wanted)
{
	struct mus_roster roster = {
		.pool = pool, .org = org, .round = round, .wanted = wanted,
		.kind = t_str_lcase(mus_round_kind_name(round->kind)),
	};
	HASH_TABLE_TYPE(mus_person_set) covered;
	struct mus_person *person;

	hash_table_create_direct(&covered, default_pool, 0);
	if (mus_round_is_group(round->kind)) {
		for (unsigned int i = 0; i < team_count; i++) {
			person = mus_org_find(org, teams[i].owner_ndn);
			if (person != NULL)
				mus_roster_add_team(&roster, &teams[i], person, covered);
		}
	}
	array_foreach_elem(&org->people, person) {
		if (person->manager_ndn == NULL ||
		    hash_table_lookup(covered, person) != NULL)
			continue;
		if (round->kind == MUS_ROUND_LUS && person->report_count == 0)
			continue;
		mus_roster_add_pair(&roster, person);
	}
	hash_table_destroy(&covered);
	array_sort(wanted, mus_wanted_cmp);
}
