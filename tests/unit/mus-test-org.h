#ifndef MUS_TEST_ORG_H
#define MUS_TEST_ORG_H

/* Organisations built by hand for unit tests. */

struct mus_org;

#define NOW 1795000000	/* 2026-11-18 */

/* A person "uid=<uid>,ou=people,dc=x" whose manager is uid `manager` (NULL:
   none) and whose mail is given (NULL: none; "": <uid>@x.test). */
struct mus_person *
mus_test_person(struct mus_org *org, const char *uid, const char *manager,
		const char *mail);

#endif
