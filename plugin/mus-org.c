/* The organisation hierarchy and its data problems. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-time.h"
#include "mus-ldap.h"
#include "mus-org.h"

#include <ctype.h>
#include <time.h>

static const char *const mus_problem_kind_names[MUS_PROBLEM_KIND_COUNT] = {
	[MUS_PROBLEM_NO_MAIL] = "no-mail",
	[MUS_PROBLEM_INVALID_VALUE] = "invalid-value",
	[MUS_PROBLEM_SEVERAL_MANAGERS] = "several-managers",
	[MUS_PROBLEM_MANAGER_MISSING] = "manager-missing",
	[MUS_PROBLEM_MANAGER_OUT_OF_SCOPE] = "manager-out-of-scope",
	[MUS_PROBLEM_MANAGER_CYCLE] = "manager-cycle",
	[MUS_PROBLEM_NO_MANAGER] = "no-manager",
	[MUS_PROBLEM_LEADER_WITHOUT_REPORTS] = "leader-without-reports",
	[MUS_PROBLEM_LEADER_WITHOUT_MAIL] = "leader-without-mail",
	[MUS_PROBLEM_WIDE_SPAN] = "wide-span",
	[MUS_PROBLEM_DUPLICATE_MAIL] = "duplicate-mail",
	[MUS_PROBLEM_LONG_TERM_LEAVE] = "long-term-leave",
};

const char *mus_problem_kind_name(enum mus_problem_kind kind)
{
	i_assert(kind < MUS_PROBLEM_KIND_COUNT);
	return mus_problem_kind_names[kind];
}

struct mus_org *mus_org_create(const char *timezone)
{
	pool_t pool = pool_alloconly_create("mus org", 64 * 1024);
	struct mus_org *org = p_new(pool, struct mus_org, 1);

	org->pool = pool;
	org->timezone = timezone;
	p_array_init(&org->people, pool, 256);
	p_array_init(&org->tops, pool, 4);
	p_array_init(&org->problems, pool, 16);
	return org;
}

void mus_org_destroy(struct mus_org **_org)
{
	struct mus_org *org = *_org;

	if (org == NULL)
		return;
	*_org = NULL;
	if (hash_table_is_created(org->by_dn))
		hash_table_destroy(&org->by_dn);
	pool_unref(&org->pool);
}

void mus_org_add(struct mus_org *org, struct mus_person *person)
{
	array_push_back(&org->people, &person);
}

static void mus_org_problem(struct mus_org *org, enum mus_problem_kind kind,
			    const struct mus_person *person, const char *detail)
{
	struct mus_org_problem *problem = array_append_space(&org->problems);

	problem->kind = kind;
	problem->person = person;
	problem->detail = p_strdup(org->pool, detail);
}

static int mus_person_cmp(struct mus_person *const *a,
			  struct mus_person *const *b)
{
	return strcmp((*a)->ndn, (*b)->ndn);
}

static int mus_problem_cmp(const struct mus_org_problem *a,
			   const struct mus_org_problem *b)
{
	int ret = strcmp(a->person->ndn, b->person->ndn);

	return ret != 0 ? ret : (int)a->kind - (int)b->kind;
}

static int
mus_org_link_managers(struct mus_org *org, mus_org_dn_exists_t *dn_exists,
		      void *context, const char **error_r)
{
	struct mus_person *person;

	array_foreach_elem(&org->people, person) {
		if (person->manager_ndn == NULL)
			continue;
		person->manager = mus_org_find(org, person->manager_ndn);
		if (person->manager == person) {
			person->manager = NULL;
			person->in_cycle = TRUE;
			mus_org_problem(org, MUS_PROBLEM_MANAGER_CYCLE, person,
					"is their own manager");
		} else if (person->manager == NULL) {
			int ret = dn_exists(person->manager_dn, context, error_r);

			if (ret < 0)
				return -1;
			person->manager_outside = ret > 0;
			mus_org_problem(org, ret > 0 ?
				MUS_PROBLEM_MANAGER_OUT_OF_SCOPE :
				MUS_PROBLEM_MANAGER_MISSING, person,
				t_strdup_printf(ret > 0 ?
					"manager %s is outside the scope" :
					"manager %s does not exist",
					person->manager_dn));
		} else {
			person->manager->report_count++;
		}
	}
	return 0;
}

/* Give every person a level with one walk up per unvisited chain. A walk
   that meets a person of its own path has found a cycle; a chain that ends
   at a missing or out-of-scope manager gets level 0 all the way down. */
static void mus_org_levels(struct mus_org *org)
{
	ARRAY_TYPE(mus_person) path;
	struct mus_person *start, *p;

	i_array_init(&path, 16);
	array_foreach_elem(&org->people, start) {
		unsigned int level, n;

		array_clear(&path);
		for (p = start; p != NULL && p->walk_state == 0; p = p->manager) {
			p->walk_state = 1;
			array_push_back(&path, &p);
		}
		n = array_count(&path);
		if (p != NULL && p->walk_state == 1) {
			/* p is on a cycle made of the tail of the path */
			struct mus_person *q = p;

			do {
				q->in_cycle = TRUE;
				mus_org_problem(org, MUS_PROBLEM_MANAGER_CYCLE, q,
					t_strdup_printf("manager chain returns to them through %s",
							q->manager->dn));
				q = q->manager;
			} while (q != p);
			level = 0;
		} else if (p != NULL) {
			level = p->level;	/* settled by an earlier walk */
		} else {
			/* the last of the path has no manager in scope */
			struct mus_person *last = array_idx_elem(&path, n - 1);

			level = last->manager_ndn == NULL ? 1 : 0;
			last->level = level;
			last->walk_state = 2;
			n--;
		}
		while (n > 0) {
			p = array_idx_elem(&path, --n);
			if (p->walk_state == 2)
				continue;
			p->level = level == 0 || p->manager == NULL ? 0 : level + 1;
			p->walk_state = 2;
			level = p->level;
		}
		if (org->depth < start->level)
			org->depth = start->level;
	}
	array_free(&path);
}

static void mus_org_person_problems(struct mus_org *org,
				    struct mus_person *person, time_t now)
{
	if (person->invalid != NULL)
		mus_org_problem(org, MUS_PROBLEM_INVALID_VALUE, person,
				person->invalid);
	if (person->mails[0] == NULL) {
		mus_org_problem(org, person->report_count > 0 ?
				MUS_PROBLEM_LEADER_WITHOUT_MAIL :
				MUS_PROBLEM_NO_MAIL, person,
				person->report_count > 0 ?
				t_strdup_printf("has %u reports but no mail address",
						person->report_count) :
				"has no mail address");
	}
	if (person->manager_count > 1) {
		mus_org_problem(org, MUS_PROBLEM_SEVERAL_MANAGERS, person,
			t_strdup_printf("has %u manager values; the first, %s, is used",
					person->manager_count, person->manager_dn));
	}
	if (person->manager_ndn == NULL) {
		array_push_back(&org->tops, &person);
		if (person->report_count == 0)
			mus_org_problem(org, MUS_PROBLEM_NO_MANAGER, person,
					"has neither a manager nor reports");
	}
	if (person->report_count > 0)
		org->leader_count++;
	else if (person->leader_role)
		mus_org_problem(org, MUS_PROBLEM_LEADER_WITHOUT_REPORTS, person,
				"is marked as a leader but nobody in scope names them as manager");
	if (person->report_count > MUS_ORG_WIDE_SPAN) {
		mus_org_problem(org, MUS_PROBLEM_WIDE_SPAN, person,
			t_strdup_printf("has %u direct reports (more than %u)",
					person->report_count, MUS_ORG_WIDE_SPAN));
	}
	if (person->absent_until > now) {
		mus_org_problem(org, MUS_PROBLEM_LONG_TERM_LEAVE, person,
				t_strdup_printf("absent until %s",
						mus_time_local_date(org->timezone,
								    person->absent_until)));
	}
}

/* Case-insensitive like strcase_hash(), which feeds xxHash one character
   at a time: for a mail address per person that was the largest cost of
   the analysis. */
static unsigned int mus_org_mail_hash(const char *mail)
{
	unsigned int h = 2166136261U;

	for (; *mail != '\0'; mail++)
		h = (h ^ (unsigned char)i_tolower(*mail)) * 16777619U;
	return h;
}

static void mus_org_duplicate_mails(struct mus_org *org)
{
	HASH_TABLE(const char *, struct mus_person *) by_mail;
	struct mus_person *person, *other;
	pool_t pool = pool_alloconly_create("mus org mails", 4096);

	hash_table_create(&by_mail, pool, array_count(&org->people),
			  mus_org_mail_hash, strcasecmp);
	array_foreach_elem(&org->people, person) {
		for (unsigned int i = 0; person->mails[i] != NULL; i++) {
			other = hash_table_lookup(by_mail, person->mails[i]);
			if (other == NULL) {
				hash_table_insert(by_mail, person->mails[i], person);
			} else if (other != person) {
				mus_org_problem(org, MUS_PROBLEM_DUPLICATE_MAIL, person,
					t_strdup_printf("mail %s is also on %s",
							person->mails[i], other->dn));
			}
		}
	}
	hash_table_destroy(&by_mail);
	pool_unref(&pool);
}

struct mus_person *mus_org_find(const struct mus_org *org, const char *ndn)
{
	i_assert(hash_table_is_created(org->by_dn));
	return hash_table_lookup(org->by_dn, ndn);
}

struct mus_person *mus_org_find_dn(const struct mus_org *org, const char *dn)
{
	const char *ndn, *error;

	if (dn == NULL ||
	    mus_ldap_dn_normalize(pool_datastack_create(), dn, &ndn, &error) < 0)
		return NULL;
	return mus_org_find(org, ndn);
}

int mus_org_analyze(struct mus_org *org, time_t now,
		    mus_org_dn_exists_t *dn_exists, void *context,
		    const char **error_r)
{
	struct mus_person *person;

	/* sorted input makes every list and problem report deterministic,
	   whatever order the server returned the entries in */
	array_sort(&org->people, mus_person_cmp);
	hash_table_create(&org->by_dn, org->pool, array_count(&org->people),
			  str_hash, strcmp);
	array_foreach_elem(&org->people, person) {
		if (hash_table_lookup(org->by_dn, person->ndn) == NULL)
			hash_table_insert(org->by_dn, person->ndn, person);
	}
	if (mus_org_link_managers(org, dn_exists, context, error_r) < 0)
		return -1;

	mus_org_levels(org);
	array_foreach_elem(&org->people, person)
		mus_org_person_problems(org, person, now);
	mus_org_duplicate_mails(org);
	array_sort(&org->problems, mus_problem_cmp);
	return 0;
}
