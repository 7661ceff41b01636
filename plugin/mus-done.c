/* Marking an activity done by mail. */

#include "lib.h"
#include "str.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-reply.h"
#include "mus-mailtext.h"
#include "mus-done.h"

#include <ctype.h>

/* 8-4-4-4-12 hexadecimal digits */
#define MUS_DONE_REFERENCE_LEN 36

static bool mus_done_is_reference(const char *p)
{
	for (unsigned int i = 0; i < MUS_DONE_REFERENCE_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? p[i] != '-' : !i_isxdigit(p[i]))
			return FALSE;
	}
	return p[MUS_DONE_REFERENCE_LEN] == ']';
}

/* What follows the done word in text if text starts with it as a whole
   word, in any case (strncasecmp() leaves the 'ø' of "Udført" as it is,
   so "UDFØRT" is listed too); NULL if it does not. A question ("Done?") is no answer. */
static const char *mus_done_after_word(const char *text)
{
	static const char *const words[] = {
		MUS_FOLLOWUP_DONE_WORD_EN, MUS_FOLLOWUP_DONE_WORD_DA, "UDFØRT",
	};

	for (unsigned int i = 0; i < N_ELEMENTS(words); i++) {
		size_t len = strlen(words[i]);
		const char *rest = text + len;

		if (strncasecmp(text, words[i], len) == 0 &&
		    !i_isalnum(*rest) && (unsigned char)*rest < 0x80 &&
		    *rest != '?')
			return rest;
	}
	return NULL;
}

static bool mus_done_starts_with_word(const char *text)
{
	return mus_done_after_word(text) != NULL;
}

/* A reply's first line says done: the word alone, or ended by "." or
   "!", or followed by a dash or a colon and more; not "Udført i næste
   uge", "Done, but ...". */
static bool mus_done_line_says_done(const char *line)
{
	const char *rest = mus_done_after_word(line);

	if (rest == NULL)
		return FALSE;
	while (*rest == '.' || *rest == '!')
		rest++;
	while (*rest == ' ')
		rest++;
	return *rest == '\0' || *rest == '-' || *rest == ':' ||
		str_begins(rest, "\xe2\x80\x93") ||	/* en dash */
		str_begins(rest, "\xe2\x80\x94");	/* em dash */
}

/* The first line the sender wrote starts with the done word. */
static bool mus_done_body_says_done(const char *body_text,
				    const char *body_html)
{
	const char *const *lines =
		mus_mailtext_reply_lines(mus_mailtext_body(body_text, body_html));
	unsigned int i = 0;

	while (lines[i] != NULL && lines[i][0] == '\0')
		i++;
	return lines[i] != NULL && mus_done_line_says_done(lines[i]);
}

int mus_done_parse(const char *subject, const char *body_text,
		   const char *body_html, const char **reference_r)
{
	const char *p, *reference = NULL;

	if (subject == NULL)
		return 0;
	for (p = strchr(subject, '['); p != NULL; p = strchr(p + 1, '[')) {
		if (mus_done_is_reference(p + 1)) {
			reference = t_str_lcase(t_strndup(p + 1, MUS_DONE_REFERENCE_LEN));
			break;
		}
	}
	/* the word leads the subject, or the reply to the reminder: a
	   subject that merely holds it ("Reminder: get X done by ...",
	   "ikke udført endnu?") is no done-mail */
	if (reference == NULL ||
	    !(mus_done_starts_with_word(mus_reply_subject_words(subject)) ||
	      mus_done_body_says_done(body_text, body_html)))
		return 0;
	*reference_r = reference;
	return 1;
}

/* ---- the directory ---- */

struct mus_done_entry {
	/* what is read is kept here: callbacks run in a data stack frame
	   of their own */
	pool_t pool;
	bool found;
	const char *dn, *csn, *status;
	const char *employee, *manager, *responsible, *responsible_name;
	const char *const *mails;
};

static const char *const mus_done_attrs[] = {
	"musActivityStatus", "musResponsible", "musResponsibleName",
	"musEmployee", "manager", "mail", "entryCSN", NULL
};

static const char *const *mus_done_strarray(pool_t pool,
					     const char *const *values)
{
	unsigned int n = str_array_length(values);
	const char **copy = p_new(pool, const char *, n + 1);

	for (unsigned int i = 0; i < n; i++)
		copy[i] = p_strdup(pool, values[i]);
	return copy;
}

static int mus_done_entry_read(const struct mus_ldap_entry *entry,
			       void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_done_entry *e = context;

#define MUS_DONE_VALUE(attr) p_strdup(e->pool, mus_ldap_entry_value(entry, attr))
	e->found = TRUE;
	e->dn = p_strdup(e->pool, mus_ldap_entry_dn(entry));
	e->csn = MUS_DONE_VALUE("entryCSN");
	e->status = MUS_DONE_VALUE("musActivityStatus");
	e->employee = MUS_DONE_VALUE("musEmployee");
	e->manager = MUS_DONE_VALUE("manager");
	e->responsible = MUS_DONE_VALUE("musResponsible");
	e->responsible_name = MUS_DONE_VALUE("musResponsibleName");
#undef MUS_DONE_VALUE
	e->mails = mus_done_strarray(e->pool, mus_ldap_entry_values(entry, "mail"));
	return 0;
}

/* 1 when the entry dn has from among its mail values, 0 if not (or it
   does not exist), -1 on error */
static int mus_done_person_has(struct mus_ldap *conn, pool_t pool,
			       const char *dn, const char *from,
			       const char **manager_r, const char **error_r)
{
	struct mus_done_entry e;

	i_zero(&e);
	e.pool = pool;
	if (dn == NULL)
		return 0;
	if (mus_ldap_read(conn, dn, mus_done_attrs, mus_done_entry_read, &e,
			  error_r) < 0)
		return -1;
	if (!e.found)
		return 0;
	if (manager_r != NULL)
		*manager_r = e.manager;
	return from != NULL && str_array_icase_find(e.mails, from) ? 1 : 0;
}

/* Whether from may mark the activity a of plan done. */
static int mus_done_allowed(struct mus_ldap *conn, pool_t pool,
			    const struct mus_done_entry *a,
			    const struct mus_done_entry *plan,
			    const char *from, const char **error_r)
{
	const char *manager = NULL, *name, *address;
	int ret;

	if (from == NULL)
		return 0;
	if (a->responsible_name != NULL &&
	    mus_followup_responsible_address(a->responsible_name, &name, &address) &&
	    strcasecmp(address, from) == 0)
		return 1;
	if ((ret = mus_done_person_has(conn, pool, a->responsible, from, NULL, error_r)) != 0 ||
	    (ret = mus_done_person_has(conn, pool, plan->employee, from, &manager, error_r)) != 0)
		return ret;
	return mus_done_person_has(conn, pool, manager, from, NULL, error_r);
}

static int mus_done_apply_pool(struct mus_ldap *conn, pool_t pool,
			       const char *const *bases, const char *reference,
			       const char *from, time_t now,
			       enum mus_done_outcome *outcome_r,
			       const char **detail_r, const char **error_r)
{
	struct mus_done_entry a, plan;
	const char *filter, *parent;
	int ret;

	i_zero(&a);
	a.pool = pool;
	filter = t_strdup_printf("(&(objectClass=musActivity)(entryUUID=%s))",
				 mus_ldap_filter_escape(reference));
	for (; *bases != NULL && !a.found; bases++) {
		if (mus_ldap_search_paged(conn, *bases, filter, mus_done_attrs, 10,
					  mus_done_entry_read, &a, error_r) < 0)
			return -1;
	}
	if (!a.found) {
		*outcome_r = MUS_DONE_UNKNOWN;
		*detail_r = t_strdup_printf("no activity has the reference %s",
					    reference);
		return 0;
	}
	i_zero(&plan);
	plan.pool = pool;
	parent = mus_ldap_dn_parent(a.dn);
	if (parent != NULL &&
	    mus_ldap_read(conn, parent, mus_done_attrs, mus_done_entry_read,
			  &plan, error_r) < 0)
		return -1;
	ret = mus_done_allowed(conn, pool, &a, &plan, from, error_r);
	if (ret < 0)
		return -1;
	if (ret == 0) {
		*outcome_r = MUS_DONE_NOT_ALLOWED;
		*detail_r = t_strdup_printf(
			"%s may not mark activity %s done: only the employee, "
			"the employee's leader and the responsible person may",
			from == NULL ? "(no From)" : from, a.dn);
		return 0;
	}
	if (a.status != NULL &&
	    strcasecmp(a.status, MUS_ACTIVITY_STATUS_DONE) == 0) {
		*outcome_r = MUS_DONE_UNCHANGED;
		*detail_r = t_strdup_printf("activity %s was done already", a.dn);
		return 0;
	}
	const struct mus_ldap_mod mods[] = {
		{ MUS_LDAP_MOD_REPLACE, "musActivityStatus",
		  mus_ldap_values1(MUS_ACTIVITY_STATUS_DONE) },
		{ MUS_LDAP_MOD_REPLACE, "musDoneAt",
		  mus_ldap_values1(mus_time_generalized(now)) },
		{ 0, NULL, NULL }
	};
	/* an admin's change meanwhile wins; the next sync reads the
	   message again only if this fails */
	ret = mus_ldap_modify(conn, a.dn, mods,
			      mus_ldap_csn_assertion(a.csn),
			      error_r);
	if (ret < 0)
		return -1;
	if (ret == 0) {
		*error_r = t_strdup_printf("activity %s changed while it was "
					   "marked done", a.dn);
		return -1;
	}
	*outcome_r = MUS_DONE_APPLIED;
	*detail_r = t_strdup_printf("%s marked activity %s done", from, a.dn);
	return 0;
}

int mus_done_apply(struct mus_ldap *conn, const char *const *bases,
		   const char *reference, const char *from, time_t now,
		   enum mus_done_outcome *outcome_r, const char **detail_r,
		   const char **error_r)
{
	pool_t pool = pool_alloconly_create("mus done", 2048);
	int ret;

	ret = mus_done_apply_pool(conn, pool, bases, reference, from, now,
				  outcome_r, detail_r, error_r);
	pool_unref(&pool);
	return ret;
}
