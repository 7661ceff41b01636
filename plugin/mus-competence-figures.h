#ifndef MUS_COMPETENCE_FIGURES_H
#define MUS_COMPETENCE_FIGURES_H

/* HR's competence figures read from the directory (doveadm mus
   competences, the heatmap of doveadm mus report --html): every
   conversation with answers to the competence form, found in one paged
   search under mus_round_base, counted by mus-competences. Each
   assessed employee is placed as doveadm mus status places people:
   their unit is their ou (else departmentNumber), "(unknown)" when they
   are gone from the directory; their team is the first (by name) team
   under mus_team_base that has them as member, or, without
   mus_team_base, their leader's direct reports (named by the leader);
   their leader is the conversation's leader. A competence's title is
   its title in the configured language in the profile the form was
   sent for, its code when that profile is gone. */

#include "mus-settings.h"
#include "mus-competences.h"

struct mus_ldap;
struct mus_org;

typedef void mus_competence_figures_log_t(const char *message,
					  void *context);

struct mus_competence_figures_source {
	struct mus_ldap *conn;
	const struct mus_settings *set;
	/* people by DN (mus_people_load()) */
	const struct mus_org *org;
	/* only employees of this unit (case-insensitive); NULL: everybody */
	const char *unit;
	/* each answer that cannot be counted, with why */
	mus_competence_figures_log_t *log;
	void *context;
};

/* The unit that doveadm mus competences --unit names: the value of the
   first RDN of a DN ("ou=Borgerservice,dc=..." is "Borgerservice"), or
   the text itself when it is no DN. From the data stack. */
const char *mus_competence_figures_unit(const char *arg);

/* Read and count the answers. Returns 0 with finished figures (free with
   mus_competences_destroy()), or -1 if the directory failed. */
int mus_competence_figures_load(const struct mus_competence_figures_source *src,
				struct mus_competences **comp_r,
				const char **error_r);

#endif
