#ifndef MUS_LDAP_H
#define MUS_LDAP_H

/* The directory connection. This file owns LDAP and LDAPMessage; the rest
   of the code sees struct mus_ldap_entry and strings. */

struct mus_settings;
struct mus_ldap;
struct mus_ldap_entry;

/* Returns 0 if value is a space separated list of ldap://, ldaps:// or
   ldapi:// URLs, else -1 with the reason. */
int mus_ldap_uri_check(const char *value, const char **error_r);
/* Returns 0 if every URL of the list value is ldap://, where StartTLS
   can be asked for, else -1 naming the first that is not. */
int mus_ldap_uri_starttls_check(const char *value, const char **error_r);
/* Returns 0 if value is a non-empty RFC 4514 DN, else -1 with the reason. */
int mus_ldap_dn_check(const char *value, const char **error_r);
/* The form in which two DNs of the same entry compare equal with strcmp():
   RFC 4514 normalised, ASCII lower-cased. Allocated from pool. Returns 0,
   or -1 if dn does not parse. */
int mus_ldap_dn_normalize(pool_t pool, const char *dn, const char **ndn_r,
			  const char **error_r);

/* Connect (with StartTLS if set->ldap_starttls; the server's certificate
   always verified, with set->ldap_ca_file if given) and bind as
   set->ldap_bind_dn (with the password from set->ldap_password_file) or
   anonymously. Every network operation of the
   connection gives up after timeout_msecs. Returns 0 or -1; on failure
   *retry_r tells whether a later attempt may succeed (server down or busy)
   rather than never (bad credentials, bad settings). */
int mus_ldap_connect(const struct mus_settings *set,
		     unsigned int timeout_msecs, struct mus_ldap **conn_r,
		     bool *retry_r, const char **error_r);
void mus_ldap_disconnect(struct mus_ldap **conn);

/* The entry's DN as the server sent it. Valid during the callback. */
const char *mus_ldap_entry_dn(const struct mus_ldap_entry *entry);
/* The values of attr as a NULL-terminated array (empty if the entry has
   none), allocated from the data stack. Values with a NUL byte inside are
   skipped: no attribute we read may carry binary data. */
const char *const *
mus_ldap_entry_values(const struct mus_ldap_entry *entry, const char *attr);
/* The first value of attr, or NULL. */
const char *mus_ldap_entry_value(const struct mus_ldap_entry *entry,
				 const char *attr);

/* The first value of attr as a GeneralizedTime (UTC), or 0 when there is
   none or it is no valid time. */
time_t mus_ldap_entry_time(const struct mus_ldap_entry *entry,
			   const char *attr);

/* Called for every entry a search returns. A negative return stops the
   search, which then fails with *error_r as given by the callback. */
typedef int mus_ldap_entry_callback_t(const struct mus_ldap_entry *entry,
				      void *context, const char **error_r);

/* Subtree search in pages (RFC 2696) of page_size entries, so that no
   single request hits a server size limit or holds the whole result in
   memory. Returns 0, or -1 with the operation, base and filter in the
   error. */
int mus_ldap_search_paged(struct mus_ldap *conn, const char *base,
			  const char *filter, const char *const *attrs,
			  unsigned int page_size,
			  mus_ldap_entry_callback_t *callback, void *context,
			  const char **error_r);

/* One subtree search of mus_ldap_search_together(). */
struct mus_ldap_search {
	const char *base, *filter;
	const char *const *attrs;
	mus_ldap_entry_callback_t *callback;
	void *context;
};
/* Send every search at once, then take their answers in order: the
   searches share one wait for the server instead of one each. No paging:
   for searches that find a few entries. Returns 0, or -1 with the first
   failure (the searches after it are abandoned). */
int mus_ldap_search_together(struct mus_ldap *conn,
			     const struct mus_ldap_search *searches,
			     unsigned int count, const char **error_r);

/* Read the one entry dn: returns 1 after calling callback for it, 0 if
   there is no such entry, -1 on error. */
int mus_ldap_read(struct mus_ldap *conn, const char *dn,
		  const char *const *attrs,
		  mus_ldap_entry_callback_t *callback, void *context,
		  const char **error_r);

/* Returns 1 if the entry dn exists, 0 if not, -1 on error. */
int mus_ldap_entry_exists(struct mus_ldap *conn, const char *dn,
			  const char **error_r);

enum mus_ldap_mod_op {
	MUS_LDAP_MOD_REPLACE = 0,
	MUS_LDAP_MOD_ADD,
	MUS_LDAP_MOD_DELETE,
};

/* One change of an add or modify; a list of them ends with attr NULL. For
   REPLACE, values NULL or empty removes the attribute. */
struct mus_ldap_mod {
	enum mus_ldap_mod_op op;
	const char *attr;
	const char *const *values;	/* NULL-terminated */
};

/* A one-value list for struct mus_ldap_mod, from the data stack. */
const char *const *mus_ldap_values1(const char *value);

/* Add an entry. Returns 1 if added, 0 if an entry with this DN exists
   already (another host created it first), -1 on error. */
int mus_ldap_add(struct mus_ldap *conn, const char *dn,
		 const struct mus_ldap_mod *mods, const char **error_r);

/* Modify an entry, only if it still matches the assertion filter (RFC
   4528; NULL: unconditionally). Returns 1 if modified, 0 if the entry no
   longer matches, is gone or no longer has a value being deleted, -1 on
   error. */
int mus_ldap_modify(struct mus_ldap *conn, const char *dn,
		    const struct mus_ldap_mod *mods, const char *assertion,
		    const char **error_r);
/* TRUE if the server has closed the connection (or announced that it
   will) while we were not waiting for it: a request sent now is certain
   not to be carried out. FALSE if it seems open (a request may still
   fail on the way). */
bool mus_ldap_connection_closed(struct mus_ldap *conn);

/* Delete the entry dn, which must have no children. Returns 1 if
   deleted, 0 if there is no such entry (deleted already), -1 on error. */
int mus_ldap_delete(struct mus_ldap *conn, const char *dn,
		    const char **error_r);
/* The assertion that an entry is unchanged since its entryCSN was read:
   optimistic concurrency between hosts and processes. NULL (no assertion)
   if csn is NULL: a server that gives no entryCSN (or an ACL that hides
   it) is written to unconditionally. From the data stack. */
const char *mus_ldap_csn_assertion(const char *csn);

/* Search one level below base (not paged: for small result sets only),
   like mus_ldap_search_paged() otherwise. */
int mus_ldap_search_children(struct mus_ldap *conn, const char *base,
			     const char *filter, const char *const *attrs,
			     mus_ldap_entry_callback_t *callback,
			     void *context, const char **error_r);

/* The DN of the child `attr=value` of parent with value escaped as RFC
   4514 requires, from the data stack. */
const char *mus_ldap_dn_child(const char *attr, const char *value,
			      const char *parent);
/* The DN of dn's parent, from the data stack, or NULL if dn does not
   parse or has a single RDN. */
const char *mus_ldap_dn_parent(const char *dn);
/* The value of the first RDN of dn (unescaped), from the data stack, or
   NULL if dn does not parse. */
const char *mus_ldap_dn_rdn_value(const char *dn);

/* An RFC 4515 escaped copy of value for use inside a filter, from the data
   stack. */
const char *mus_ldap_filter_escape(const char *value);

#endif
