#ifndef MUS_PEOPLE_H
#define MUS_PEOPLE_H

/* Reading people from the directory into a struct mus_org: which
   attributes we use and how their values are interpreted. */

#include "mus-roster.h"

struct mus_ldap;
struct mus_org;
struct mus_person;

/* The attributes read for every person. */
extern const char *const mus_people_attrs[];

/* The name a person is shown by in every message: cn, else uid, else
   the DN, with control characters (a CR or TAB typed into cn) as spaces,
   so that one odd entry cannot hold back an invitation; from pool. */
const char *mus_people_name(pool_t pool, const char *cn, const char *uid,
			    const char *dn);
/* The name of someone the directory no longer shows: the value of their
   DN's first RDN (uid=anna.holm: "anna.holm"), else the DN, as
   mus_people_name() gives it. */
const char *mus_people_name_of_dn(pool_t pool, const char *dn);

/* Read every entry under base matching filter (paged), add each as a
   person to org and analyse the organisation. Managers outside the scope
   are looked up one by one to tell "out of scope" from "missing".
   Returns 0, or -1 with the error if the directory failed. */
int mus_people_load(struct mus_ldap *conn, const char *base,
		    const char *filter, time_t now, struct mus_org *org,
		    const char **error_r);

/* Called for every person as soon as it is read, before the analysis. */
typedef void mus_people_read_callback_t(struct mus_person *person,
					void *context);
/* mus_people_load(), calling read (if not NULL) for every person. */
int mus_people_load_notify(struct mus_ldap *conn, const char *base,
			   const char *filter, time_t now, struct mus_org *org,
			   mus_people_read_callback_t *read, void *context,
			   const char **error_r);

/* Read the one person dn wherever it is in the directory (someone who
   left a round's scope), from pool, unanalysed (no manager link or level):
   1 with *person_r, 0 if there is no such entry, -1 on a directory
   error. */
int mus_people_read(struct mus_ldap *conn, pool_t pool, const char *dn,
		    struct mus_person **person_r, const char **error_r);
/* Read the teams (groupOfNames with an owner) under base into teams,
   allocated from pool. Returns 0, or -1 if the directory failed. */
int mus_teams_load(struct mus_ldap *conn, pool_t pool, const char *base,
		   ARRAY_TYPE(mus_team) *teams, const char **error_r);

#endif
