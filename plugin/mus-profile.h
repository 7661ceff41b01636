#ifndef MUS_PROFILE_H
#define MUS_PROFILE_H

/* Job profiles (musJobProfile under mus_profile_base) and their
   competences, as admins write them with LDAP tools:
     cn: the profile's name; description (optional);
     musCompetence: 6-8 values "<code> | <Danish title> | <English title>
       | <short description>": code 1-32 characters of a-z, 0-9 and '-'
       (case-insensitive, unique in the profile), titles non-empty and at
       most 100 characters, description optional (the rest of the value,
       '|' included), at most 500 characters.
   A profile that breaks any of this, or shares its cn with another
   profile (case-insensitively), is kept with the reason and used by
   nobody. A person's profile is the one their musJobProfileRef names,
   else the one whose cn equals their title (case-insensitively). */

struct mus_ldap;
struct mus_person;
struct mus_org;

#define MUS_PROFILE_MIN_COMPETENCES 6
#define MUS_PROFILE_MAX_COMPETENCES 8
#define MUS_COMPETENCE_CODE_MAX 32
#define MUS_COMPETENCE_TITLE_MAX 100
#define MUS_COMPETENCE_DESCRIPTION_MAX 500

struct mus_competence {
	const char *code;		/* lower case */
	const char *title_da, *title_en;
	const char *description;	/* "" if none */
};
ARRAY_DEFINE_TYPE(mus_competence, struct mus_competence);

struct mus_profile {
	const char *dn, *ndn;
	const char *name;		/* cn */
	const char *description;	/* NULL if none */
	/* sorted by code */
	ARRAY_TYPE(mus_competence) competences;
	/* why nobody uses it, or NULL when it is valid */
	const char *problem;
	/* people whose profile it is (mus_profiles_count()) */
	unsigned int people;
};
ARRAY_DEFINE_TYPE(mus_profile, struct mus_profile *);

struct mus_profiles {
	pool_t pool;
	ARRAY_TYPE(mus_profile) all;	/* sorted by name */
};

/* Read one musCompetence value (pure). Returns 0 with the competence
   (strings from pool), or -1 with the reason (data stack). */
int mus_competence_parse(pool_t pool, const char *value,
			 struct mus_competence *competence_r,
			 const char **error_r);

/* A profile from its cn and musCompetence values (pure), with problem set
   if it breaks a rule; from pool. */
struct mus_profile *
mus_profile_build(pool_t pool, const char *dn, const char *name,
		  const char *description, const char *const *values);

/* The competence code names in profile, or NULL. */
const struct mus_competence *
mus_profile_competence(const struct mus_profile *profile, const char *code);

/* Read every musJobProfile under base in one search and check each.
   Returns 0 with profiles (free with mus_profiles_free()), or -1 if the
   directory failed. */
int mus_profiles_load(struct mus_ldap *conn, const char *base,
		      struct mus_profiles **profiles_r, const char **error_r);
void mus_profiles_free(struct mus_profiles **profiles);

/* Read the one profile dn and check it (problem set if broken): returns 1
   with it from pool, 0 if there is no such entry, -1 on error. */
int mus_profile_read(struct mus_ldap *conn, pool_t pool, const char *dn,
		     struct mus_profile **profile_r, const char **error_r);

/* The profile whose (normalised) DN is ndn, or NULL. */
struct mus_profile *mus_profiles_find_dn(const struct mus_profiles *profiles,
					 const char *ndn);

/* The person's profile: their musJobProfileRef, else the profile named
   by their title. Returns 1 with a valid profile, 0 if the person has
   none, or -1 with the reason when the one they have is not usable (a
   broken profile, a reference to no profile); the reason is from the
   data stack. */
int mus_profiles_resolve(const struct mus_profiles *profiles,
			 const struct mus_person *person,
			 const struct mus_profile **profile_r,
			 const char **problem_r);

/* Count in each profile's people how many of org's people it is the
   profile of (pure). */
void mus_profiles_count(const struct mus_profiles *profiles,
			const struct mus_org *org);

#endif
