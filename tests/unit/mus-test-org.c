/* Organisations built by hand for unit tests. */

#include "lib.h"
#include "mus-org.h"
#include "mus-test-org.h"

struct mus_person *
mus_test_person(struct mus_org *org, const char *uid, const char *manager,
		const char *mail)
{
	struct mus_person *p = p_new(org->pool, struct mus_person, 1);
	const char **mails = p_new(org->pool, const char *, 2);

	p->uid = p_strdup(org->pool, uid);
	/* as mus-people.c names a person without cn */
	p->cn = p->uid;
	p->dn = p_strdup_printf(org->pool, "uid=%s,ou=people,dc=x", uid);
	p->ndn = p->dn;
	if (manager != NULL) {
		p->manager_dn = p_strdup_printf(org->pool,
						"uid=%s,ou=people,dc=x", manager);
		p->manager_ndn = p->manager_dn;
		p->manager_count = 1;
	}
	if (mail != NULL)
		mails[0] = mail[0] == '\0' ?
			p_strdup_printf(org->pool, "%s@x.test", uid) :
			p_strdup(org->pool, mail);
	p->mails = mails;
	mus_org_add(org, p);
	return p;
}

