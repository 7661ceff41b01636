/* The directory connection: connect, bind, paged search, DN handling. */

#include "lib.h"
#include "array.h"
#include "mus-settings.h"
#include "mus-time.h"
#include "mus-ldap.h"

#include <ctype.h>
#include <ldap.h>
#include <poll.h>

/* bytes one read() of the connection may take (see mus_ldap_read_ahead()) */
#define MUS_LDAP_READ_AHEAD (64 * 1024)

struct mus_ldap {
	LDAP *ld;
	struct timeval timeout;
	/* the result code of the last search */
	int last_rc;
};

struct mus_ldap_attr {
	const char *name;	/* not NUL-terminated */
	size_t name_len;
	const char *const *values;
};

/* An entry is decoded once, as it arrives: a lookup by attribute name
   then costs a scan of a few names instead of a walk through the BER
   encoding for every attribute asked for. */
struct mus_ldap_entry {
	const char *dn;
	ARRAY(struct mus_ldap_attr) attrs;
};

/* The one place that decides which libldap result codes are worth trying
   again later (the server is away or busy) and which will fail the same
   way every time (bad input, bad credentials, no such object). */
static bool mus_ldap_error_is_temporary(int rc)
{
	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_TIMELIMIT_EXCEEDED:
	case LDAP_BUSY:
	case LDAP_UNAVAILABLE:
	case LDAP_UNWILLING_TO_PERFORM:
	case LDAP_ADMINLIMIT_EXCEEDED:
	case LDAP_NO_MEMORY:
	case LDAP_LOCAL_ERROR:
		return TRUE;
	default:
		return FALSE;
	}
}

int mus_ldap_uri_check(const char *value, const char **error_r)
{
	const char *const *uris = t_strsplit_spaces(value, " ");
	LDAPURLDesc *desc;

	if (uris[0] == NULL) {
		*error_r = "no URL given";
		return -1;
	}
	for (unsigned int i = 0; uris[i] != NULL; i++) {
		int rc = ldap_url_parse(uris[i], &desc);

		if (rc != LDAP_URL_SUCCESS) {
			*error_r = t_strdup_printf(
				"'%s' is not an ldap://, ldaps:// or ldapi:// URL "
				"(ldap_url_parse error %d)", uris[i], rc);
			return -1;
		}
		ldap_free_urldesc(desc);
	}
	return 0;
}

int mus_ldap_uri_starttls_check(const char *value, const char **error_r)
{
	const char *const *uris = t_strsplit_spaces(value, " ");

	for (unsigned int i = 0; uris[i] != NULL; i++) {
		if (strncasecmp(uris[i], "ldap://", 7) != 0) {
			*error_r = t_strdup_printf(
				"mus_ldap_starttls=yes needs ldap:// URLs, but "
				"mus_ldap_uri has '%s' (ldaps:// is TLS from the "
				"start, ldapi:// a local socket)", uris[i]);
			return -1;
		}
	}
	return 0;
}

int mus_ldap_dn_check(const char *value, const char **error_r)
{
	LDAPDN dn = NULL;
	int rc;

	rc = ldap_str2dn(value, &dn, LDAP_DN_FORMAT_LDAPV3);
	if (rc != LDAP_SUCCESS) {
		*error_r = t_strdup_printf("not an RFC 4514 DN: %s",
					   ldap_err2string(rc));
		return -1;
	}
	if (dn == NULL) {
		*error_r = "the DN is empty";
		return -1;
	}
	ldap_dnfree(dn);
	return 0;
}

/* The lower-cased copy of dn if it is a DN whose normal form is just
   that: RDNs of one attr=value each, in letters, digits and ".-_@", without
   spaces, escapes or multi-valued RDNs. Most DNs in a directory look like
   this, and libldap's full normaliser costs a parse and two allocations. */
static char *mus_ldap_dn_normalize_simple(pool_t pool, const char *dn)
{
	bool in_value = FALSE, empty = TRUE;
	const char *p;
	char *lower;

	for (p = dn; *p != '\0'; p++) {
		if (i_isalnum(*p) || (in_value && strchr(".-_@", *p) != NULL)) {
			empty = FALSE;
		} else if (*p == '=' && !in_value && !empty) {
			in_value = TRUE;
			empty = TRUE;
		} else if (*p == ',' && in_value && !empty) {
			in_value = FALSE;
			empty = TRUE;
		} else {
			return NULL;
		}
	}
	if (!in_value || empty)
		return NULL;
	lower = p_strdup(pool, dn);
	for (char *q = lower; *q != '\0'; q++)
		*q = i_tolower(*q);
	return lower;
}

int mus_ldap_dn_normalize(pool_t pool, const char *dn, const char **ndn_r,
			  const char **error_r)
{
	char *out = NULL, *lower;
	int rc;

	lower = mus_ldap_dn_normalize_simple(pool, dn);
	if (lower != NULL) {
		*ndn_r = lower;
		return 0;
	}

	rc = ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAPV3, &out,
			       LDAP_DN_FORMAT_LDAPV3);
	if (rc != LDAP_SUCCESS) {
		*error_r = t_strdup_printf("ldap_dn_normalize(%s) failed: %s",
					   dn, ldap_err2string(rc));
		return -1;
	}
	if (out == NULL) {
		*error_r = "the DN is empty";
		return -1;
	}
	/* Attribute types and the values we compare (uid, cn, ou, dc) match
	   case-insensitively. Only ASCII is folded: "Æ" and "æ" stay apart,
	   as they do in libldap's own normaliser. */
	lower = p_strdup(pool, out);
	for (char *p = lower; *p != '\0'; p++)
		*p = i_tolower(*p);
	ldap_memfree(out);
	*ndn_r = lower;
	return 0;
}

static const char *mus_ldap_error_text(LDAP *ld, int rc)
{
	char *diag = NULL;
	const char *text;

	if (ld != NULL &&
	    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == LDAP_OPT_SUCCESS &&
	    diag != NULL && diag[0] != '\0')
		text = t_strdup_printf("%s (%s)", ldap_err2string(rc), diag);
	else
		text = ldap_err2string(rc);
	if (diag != NULL)
		ldap_memfree(diag);
	return text;
}

/* Whether the connection of set speaks TLS: StartTLS, or an ldaps:// URL
   in the list (libldap takes the first of them that answers). */
static bool mus_ldap_uses_tls(const struct mus_settings *set)
{
	return set->ldap_starttls ||
		strstr(t_str_lcase(set->ldap_uri), "ldaps://") != NULL;
}

/* What a TLS failure needs said next to libldap's reason, which for a
   certificate that does not verify is often no more than "(unknown error
   code)": what the certificate was checked against. */
static const char *mus_ldap_tls_context(const struct mus_settings *set)
{
	return t_strdup_printf(
		"; over TLS the server's certificate must be signed by %s%s "
		"and name the host of the URL",
		set->ldap_ca_file == NULL ? "a CA the system trusts" :
		"a CA in mus_ldap_ca_file ",
		set->ldap_ca_file == NULL ? "" : set->ldap_ca_file);
}

/* TLS options of this connection alone, whatever /etc/ldap/ldap.conf says:
   the server's certificate must verify and name the host of the URL. With
   mus_ldap_ca_file those CAs verify it instead of the system's (which
   libldap knows from ldap.conf's TLS_CACERT on Debian). A new TLS context,
   made last, takes the options up. */
static int mus_ldap_tls_setup(LDAP *ld, const struct mus_settings *set,
			      const char **error_r)
{
	int require_cert = LDAP_OPT_X_TLS_DEMAND, is_server = 0, rc;

	rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require_cert);
	if (rc == LDAP_OPT_SUCCESS && set->ldap_ca_file != NULL) {
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE,
				     set->ldap_ca_file);
		if (rc == LDAP_OPT_SUCCESS)
			rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTDIR, NULL);
	}
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server);
	if (rc != LDAP_OPT_SUCCESS) {
		*error_r = t_strdup_printf(
			"setting up TLS for %s failed: %s%s", set->ldap_uri,
			mus_ldap_error_text(ld, rc), mus_ldap_tls_context(set));
		return -1;
	}
	return 0;
}

/* libldap reads each answer with two read()s, its length and then its
   body, and polls before most of them: its own read-ahead layer serves
   UDP only. A search of 50,000 people cost 170,000 system calls. With
   liblber's read-ahead layer under TLS (or right on the socket) one
   read() takes whatever the socket holds, up to the buffer's size.
   That layer reads again when it holds part of an answer, and on a
   blocking socket that read would wait for a server that stalled in the
   middle of an answer past every timeout: the socket is made
   non-blocking first, so that libldap's own wait (poll with the
   timeout) decides, or the layer is not used. */
static void mus_ldap_read_ahead(LDAP *ld)
{
	Sockbuf *sb = NULL;
	ber_len_t size = MUS_LDAP_READ_AHEAD;

	if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS ||
	    sb == NULL ||
	    ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_NONBLOCK, (void *)1) != 1)
		return;
	if (ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead,
			       LBER_SBIOD_LEVEL_PROVIDER, NULL) == 0)
		(void)ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_READAHEAD, &size);
}

int mus_ldap_connect(const struct mus_settings *set,
		     unsigned int timeout_msecs, struct mus_ldap **conn_r,
		     bool *retry_r, const char **error_r)
{
	struct mus_ldap *conn;
	const char *password = NULL;
	struct berval cred;
	int version = LDAP_VERSION3, rc;

	*retry_r = FALSE;
	if (set->ldap_bind_dn != NULL &&
	    mus_settings_read_password(pool_datastack_create(),
				       "mus_ldap_password_file",
				       set->ldap_password_file, &password,
				       error_r) < 0)
		return -1;

	conn = i_new(struct mus_ldap, 1);
	conn->timeout.tv_sec = timeout_msecs / 1000;
	conn->timeout.tv_usec = (timeout_msecs % 1000) * 1000;
	rc = ldap_initialize(&conn->ld, set->ldap_uri);
	if (rc != LDAP_SUCCESS) {
		*error_r = t_strdup_printf("ldap_initialize(%s) failed: %s",
					   set->ldap_uri, ldap_err2string(rc));
		i_free(conn);
		return -1;
	}
	(void)ldap_set_option(conn->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	(void)ldap_set_option(conn->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	(void)ldap_set_option(conn->ld, LDAP_OPT_NETWORK_TIMEOUT, &conn->timeout);
	(void)ldap_set_option(conn->ld, LDAP_OPT_TIMEOUT, &conn->timeout);
	if (mus_ldap_tls_setup(conn->ld, set, error_r) < 0)
		goto fail;
	if (set->ldap_starttls) {
		rc = ldap_start_tls_s(conn->ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			*error_r = t_strdup_printf(
				"ldap_start_tls(uri=%s) failed: %s%s",
				set->ldap_uri, mus_ldap_error_text(conn->ld, rc),
				mus_ldap_tls_context(set));
			*retry_r = mus_ldap_error_is_temporary(rc);
			goto fail;
		}
	}

	cred.bv_val = (char *)(password != NULL ? password : "");
	cred.bv_len = strlen(cred.bv_val);
	rc = ldap_sasl_bind_s(conn->ld, set->ldap_bind_dn, LDAP_SASL_SIMPLE,
			      &cred, NULL, NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		*error_r = t_strdup_printf("ldap_bind(uri=%s, dn=%s) failed: %s%s",
			set->ldap_uri,
			set->ldap_bind_dn != NULL ? set->ldap_bind_dn : "(anonymous)",
			mus_ldap_error_text(conn->ld, rc),
			/* a handshake that failed looks like a server that
			   is down; wrong credentials need no TLS advice */
			mus_ldap_uses_tls(set) &&
			(rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) ?
			mus_ldap_tls_context(set) : "");
		*retry_r = mus_ldap_error_is_temporary(rc);
		goto fail;
	}
	mus_ldap_read_ahead(conn->ld);
	*conn_r = conn;
	return 0;
fail:
	ldap_unbind_ext_s(conn->ld, NULL, NULL);
	i_free(conn);
	return -1;
}

void mus_ldap_disconnect(struct mus_ldap **_conn)
{
	struct mus_ldap *conn = *_conn;

	if (conn == NULL)
		return;
	*_conn = NULL;
	ldap_unbind_ext_s(conn->ld, NULL, NULL);
	i_free(conn);
}

const char *mus_ldap_entry_dn(const struct mus_ldap_entry *entry)
{
	return entry->dn;
}

const char *const *
mus_ldap_entry_values(const struct mus_ldap_entry *entry, const char *attr)
{
	static const char *const empty[] = { NULL };
	const struct mus_ldap_attr *a;
	size_t len = strlen(attr);

	array_foreach(&entry->attrs, a) {
		if (a->name_len == len && strncasecmp(a->name, attr, len) == 0)
			return a->values;
	}
	return empty;
}

/* Decode msg into entry, on the data stack. Names point into msg, which
   outlives the entry; values are copied once, to end them with NUL.
   Returns FALSE if it is no usable entry. */
static bool mus_ldap_entry_decode(LDAP *ld, LDAPMessage *msg,
				  struct mus_ldap_entry *entry)
{
	BerElement *ber = NULL;
	struct berval dn, name, *vals;
	bool ok = FALSE;

	if (ldap_get_dn_ber(ld, msg, &ber, &dn) != LDAP_SUCCESS)
		goto out;
	entry->dn = t_strndup(dn.bv_val, dn.bv_len);
	t_array_init(&entry->attrs, 16);
	while (ldap_get_attribute_ber(ld, msg, ber, &name, &vals) == LDAP_SUCCESS &&
	       name.bv_val != NULL) {
		struct mus_ldap_attr *a = array_append_space(&entry->attrs);
		unsigned int count = 0, n = 0;
		const char **values;

		while (vals != NULL && vals[count].bv_val != NULL)
			count++;
		values = t_new(const char *, count + 1);
		for (unsigned int i = 0; i < count; i++) {
			/* no attribute we read may hold binary data */
			if (memchr(vals[i].bv_val, '\0', vals[i].bv_len) == NULL)
				values[n++] = t_strndup(vals[i].bv_val, vals[i].bv_len);
		}
		a->name = name.bv_val;
		a->name_len = name.bv_len;
		a->values = values;
		ber_memfree(vals);
	}
	ok = TRUE;
out:
	if (ber != NULL)
		ber_free(ber, 0);
	return ok;
}

const char *mus_ldap_entry_value(const struct mus_ldap_entry *entry,
				 const char *attr)
{
	return mus_ldap_entry_values(entry, attr)[0];
}

/* The answer res (or the failure rc when there is none) of one search:
   every entry to callback; with cookie, the paged results cookie for the
   next page (empty when done). */
static int
mus_ldap_search_answer(struct mus_ldap *conn, int rc, LDAPMessage *res,
		       const char *base, const char *filter,
		       struct berval *cookie,
		       mus_ldap_entry_callback_t *callback, void *context,
		       const char **error_r)
{
	LDAPControl **result_ctrls = NULL, *response;
	LDAPMessage *msg;
	struct berval new_cookie = { 0, NULL };
	ber_int_t total;
	int err = LDAP_SUCCESS, ret = 0;

	if (rc == LDAP_SUCCESS || res != NULL) {
		int prc = ldap_parse_result(conn->ld, res, &err, NULL, NULL,
					    NULL, &result_ctrls, 0);
		if (prc != LDAP_SUCCESS)
			err = prc;
	} else {
		err = rc;
	}
	conn->last_rc = err;
	if (err != LDAP_SUCCESS) {
		*error_r = t_strdup_printf(
			"ldap_search(base=%s, filter=%s) failed: %s%s", base,
			filter, mus_ldap_error_text(conn->ld, err),
			mus_ldap_error_is_temporary(err) ? " (temporary)" : "");
		ret = -1;
	}
	/* a search that timed out has no result at all, and libldap
	   asserts on walking a NULL chain */
	for (msg = ret < 0 || res == NULL ? NULL : ldap_first_entry(conn->ld, res);
	     ret == 0 && msg != NULL; msg = ldap_next_entry(conn->ld, msg)) {
		char *cb_error = NULL;

		/* one data stack frame per entry keeps a 50,000 entry search
		   flat in memory; the callback's error outlives the frame */
		T_BEGIN {
			struct mus_ldap_entry entry;
			const char *error;

			if (mus_ldap_entry_decode(conn->ld, msg, &entry) &&
			    callback(&entry, context, &error) < 0)
				cb_error = i_strdup(error);
		} T_END;
		if (cb_error != NULL) {
			*error_r = t_strdup(cb_error);
			i_free(cb_error);
			ret = -1;
		}
	}

	/* An empty or missing cookie ends the search. */
	if (cookie != NULL)
		cookie->bv_len = 0;
	if (ret == 0 && cookie != NULL && result_ctrls != NULL) {
		response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS,
					     result_ctrls, NULL);
		if (response != NULL &&
		    ldap_parse_pageresponse_control(conn->ld, response, &total,
						    &new_cookie) == LDAP_SUCCESS &&
		    new_cookie.bv_len > 0) {
			ber_memfree(cookie->bv_val);
			*cookie = new_cookie;
		} else {
			ber_memfree(new_cookie.bv_val);
		}
	}
	if (result_ctrls != NULL)
		ldap_controls_free(result_ctrls);
	ldap_msgfree(res);
	return ret;
}

static int
mus_ldap_search_page(struct mus_ldap *conn, const char *base, int scope,
		     const char *filter, const char *const *attrs,
		     unsigned int page_size, struct berval *cookie,
		     mus_ldap_entry_callback_t *callback, void *context,
		     const char **error_r)
{
	LDAPControl *page_ctrl = NULL, *server_ctrls[2] = { NULL, NULL };
	LDAPMessage *res = NULL;
	int rc;

	if (page_size > 0) {
		rc = ldap_create_page_control(conn->ld, page_size, cookie, 0,
					      &page_ctrl);
		if (rc != LDAP_SUCCESS) {
			*error_r = t_strdup_printf(
				"ldap_create_page_control() failed: %s",
				ldap_err2string(rc));
			return -1;
		}
		server_ctrls[0] = page_ctrl;
	}
	rc = ldap_search_ext_s(conn->ld, base, scope, filter,
			       (char **)attrs, 0, server_ctrls, NULL,
			       &conn->timeout, LDAP_NO_LIMIT, &res);
	if (page_ctrl != NULL)
		ldap_control_free(page_ctrl);
	return mus_ldap_search_answer(conn, rc, res, base, filter,
				      page_size > 0 ? cookie : NULL,
				      callback, context, error_r);
}

int mus_ldap_search_together(struct mus_ldap *conn,
			     const struct mus_ldap_search *searches,
			     unsigned int count, const char **error_r)
{
	int *msgids = t_new(int, count);
	unsigned int sent;
	int rc = LDAP_SUCCESS, ret = 0;

	/* all requests go out before the first answer is waited for */
	for (sent = 0; sent < count; sent++) {
		rc = ldap_search_ext(conn->ld, searches[sent].base,
				     LDAP_SCOPE_SUBTREE, searches[sent].filter,
				     (char **)searches[sent].attrs, 0, NULL,
				     NULL, &conn->timeout, LDAP_NO_LIMIT,
				     &msgids[sent]);
		if (rc != LDAP_SUCCESS)
			break;
	}
	for (unsigned int i = 0; i < sent; i++) {
		const struct mus_ldap_search *s = &searches[i];
		struct timeval timeout = conn->timeout;
		LDAPMessage *res = NULL;
		int src;

		if (ret < 0) {
			(void)ldap_abandon_ext(conn->ld, msgids[i], NULL, NULL);
			continue;
		}
		switch (ldap_result(conn->ld, msgids[i], LDAP_MSG_ALL,
				    &timeout, &res)) {
		case -1:
			/* the connection failed: there is no answer to parse */
			if (ldap_get_option(conn->ld, LDAP_OPT_RESULT_CODE,
					    &src) != LDAP_OPT_SUCCESS ||
			    src == LDAP_SUCCESS)
				src = LDAP_SERVER_DOWN;
			break;
		case 0:
			src = LDAP_TIMEOUT;
			(void)ldap_abandon_ext(conn->ld, msgids[i], NULL, NULL);
			break;
		default:
			src = LDAP_SUCCESS;
			break;
		}
		ret = mus_ldap_search_answer(conn, src, res, s->base, s->filter,
					     NULL, s->callback, s->context,
					     error_r);
	}
	if (ret == 0 && sent < count) {
		conn->last_rc = rc;
		*error_r = t_strdup_printf(
			"ldap_search(base=%s, filter=%s) failed: %s%s",
			searches[sent].base, searches[sent].filter,
			mus_ldap_error_text(conn->ld, rc),
			mus_ldap_error_is_temporary(rc) ? " (temporary)" : "");
		ret = -1;
	}
	return ret;
}

int mus_ldap_search_paged(struct mus_ldap *conn, const char *base,
			  const char *filter, const char *const *attrs,
			  unsigned int page_size,
			  mus_ldap_entry_callback_t *callback, void *context,
			  const char **error_r)
{
	struct berval cookie = { 0, NULL };
	int ret;

	do {
		ret = mus_ldap_search_page(conn, base, LDAP_SCOPE_SUBTREE,
					   filter, attrs, page_size, &cookie,
					   callback, context, error_r);
	} while (ret == 0 && cookie.bv_len > 0);
	ber_memfree(cookie.bv_val);
	return ret;
}

int mus_ldap_entry_exists(struct mus_ldap *conn, const char *dn,
			  const char **error_r)
{
	static const char *const no_attrs[] = { LDAP_NO_ATTRS, NULL };
	LDAPMessage *res = NULL;
	int rc;

	rc = ldap_search_ext_s(conn->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
			       (char **)no_attrs, 0, NULL, NULL,
			       &conn->timeout, 1, &res);
	ldap_msgfree(res);
	if (rc == LDAP_SUCCESS)
		return 1;
	if (rc == LDAP_NO_SUCH_OBJECT || rc == LDAP_INVALID_DN_SYNTAX)
		return 0;
	*error_r = t_strdup_printf("ldap_search(base=%s, scope=base) failed: %s",
				   dn, mus_ldap_error_text(conn->ld, rc));
	return -1;
}

int mus_ldap_read(struct mus_ldap *conn, const char *dn,
		  const char *const *attrs,
		  mus_ldap_entry_callback_t *callback, void *context,
		  const char **error_r)
{
	struct berval cookie = { 0, NULL };
	const char *error;
	int ret;

	ret = mus_ldap_search_page(conn, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
				   attrs, 0, &cookie, callback, context, &error);
	if (ret == 0)
		return 1;
	if (conn->last_rc == LDAP_NO_SUCH_OBJECT ||
	    conn->last_rc == LDAP_INVALID_DN_SYNTAX)
		return 0;
	*error_r = error;
	return -1;
}

const char *mus_ldap_filter_escape(const char *value)
{
	struct berval in, out = { 0, NULL };
	const char *escaped;

	in.bv_val = (char *)value;
	in.bv_len = strlen(value);
	if (in.bv_len == 0)
		return "";
	if (ldap_bv2escaped_filter_value(&in, &out) != 0)
		i_fatal_status(FATAL_OUTOFMEM, "ldap_bv2escaped_filter_value() failed");
	escaped = t_strndup(out.bv_val, out.bv_len);
	ber_memfree(out.bv_val);
	return escaped;
}

int mus_ldap_search_children(struct mus_ldap *conn, const char *base,
			     const char *filter, const char *const *attrs,
			     mus_ldap_entry_callback_t *callback,
			     void *context, const char **error_r)
{
	struct berval cookie = { 0, NULL };

	return mus_ldap_search_page(conn, base, LDAP_SCOPE_ONELEVEL, filter,
				    attrs, 0, &cookie, callback, context,
				    error_r);
}

const char *const *mus_ldap_values1(const char *value)
{
	const char **values = t_new(const char *, 2);

	values[0] = value;
	return values;
}

static LDAPMod **mus_ldap_mods(const struct mus_ldap_mod *mods, bool add)
{
	ARRAY(LDAPMod *) result;

	t_array_init(&result, 16);
	for (; mods->attr != NULL; mods++) {
		LDAPMod *mod = t_new(LDAPMod, 1);
		unsigned int count = mods->values == NULL ? 0 :
			str_array_length(mods->values);

		if (add && count == 0)
			continue;
		switch (mods->op) {
		case MUS_LDAP_MOD_REPLACE:
			mod->mod_op = LDAP_MOD_REPLACE;
			break;
		case MUS_LDAP_MOD_ADD:
			mod->mod_op = LDAP_MOD_ADD;
			break;
		case MUS_LDAP_MOD_DELETE:
			mod->mod_op = LDAP_MOD_DELETE;
			break;
		}
		mod->mod_type = (char *)mods->attr;
		if (count > 0) {
			mod->mod_values = t_new(char *, count + 1);
			memcpy(mod->mod_values, mods->values,
			       sizeof(char *) * count);
		}
		array_push_back(&result, &mod);
	}
	array_append_zero(&result);
	return array_front_modifiable(&result);
}

int mus_ldap_add(struct mus_ldap *conn, const char *dn,
		 const struct mus_ldap_mod *mods, const char **error_r)
{
	int rc;

	rc = ldap_add_ext_s(conn->ld, dn, mus_ldap_mods(mods, TRUE), NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return 1;
	if (rc == LDAP_ALREADY_EXISTS)
		return 0;
	*error_r = t_strdup_printf("ldap_add(%s) failed: %s%s", dn,
				   mus_ldap_error_text(conn->ld, rc),
				   mus_ldap_error_is_temporary(rc) ? " (temporary)" : "");
	return -1;
}

const char *mus_ldap_csn_assertion(const char *csn)
{
	if (csn == NULL)
		return NULL;
	return t_strdup_printf("(entryCSN=%s)", mus_ldap_filter_escape(csn));
}

int mus_ldap_modify(struct mus_ldap *conn, const char *dn,
		    const struct mus_ldap_mod *mods, const char *filter,
		    const char **error_r)
{
	LDAPControl *assertion = NULL, *ctrls[2] = { NULL, NULL };
	int rc;

	if (filter != NULL) {
		rc = ldap_create_assertion_control(conn->ld, (char *)filter, 1,
						   &assertion);
		if (rc != LDAP_SUCCESS) {
			*error_r = t_strdup_printf(
				"ldap_create_assertion_control(%s) failed: %s",
				filter, ldap_err2string(rc));
			return -1;
		}
		ctrls[0] = assertion;
	}
	rc = ldap_modify_ext_s(conn->ld, dn, mus_ldap_mods(mods, FALSE),
			       ctrls, NULL);
	if (assertion != NULL)
		ldap_control_free(assertion);
	if (rc == LDAP_SUCCESS)
		return 1;
	/* another writer came first: the entry changed, is gone, or lost
	   the value being deleted */
	if (rc == LDAP_ASSERTION_FAILED || rc == LDAP_NO_SUCH_OBJECT ||
	    rc == LDAP_NO_SUCH_ATTRIBUTE)
		return 0;
	*error_r = t_strdup_printf("ldap_modify(%s) failed: %s%s", dn,
				   mus_ldap_error_text(conn->ld, rc),
				   mus_ldap_error_is_temporary(rc) ? " (temporary)" : "");
	return -1;
}

bool mus_ldap_connection_closed(struct mus_ldap *conn)
{
	struct pollfd pfd;
	Sockbuf *sb = NULL;
	int fd = -1;

	if (ldap_get_option(conn->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    fd < 0)
		return TRUE;
	/* between requests nothing is due from the server: anything to
	   read is the end of the connection or a notice of disconnection,
	   also when the read-ahead buffer holds it already */
	if (ldap_get_option(conn->ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS &&
	    sb != NULL && ber_sockbuf_ctrl(sb, LBER_SB_OPT_DATA_READY, NULL) > 0)
		return TRUE;
	i_zero(&pfd);
	pfd.fd = fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) != 0;
}

time_t mus_ldap_entry_time(const struct mus_ldap_entry *entry,
			   const char *attr)
{
	const char *value = mus_ldap_entry_value(entry, attr);
	time_t t;

	return value != NULL && mus_time_parse_generalized(value, &t) == 0 ? t : 0;
}

int mus_ldap_delete(struct mus_ldap *conn, const char *dn,
		    const char **error_r)
{
	int rc = ldap_delete_ext_s(conn->ld, dn, NULL, NULL);

	if (rc == LDAP_SUCCESS)
		return 1;
	if (rc == LDAP_NO_SUCH_OBJECT)
		return 0;
	*error_r = t_strdup_printf("ldap_delete(%s) failed: %s%s", dn,
				   mus_ldap_error_text(conn->ld, rc),
				   mus_ldap_error_is_temporary(rc) ? " (temporary)" : "");
	return -1;
}

const char *mus_ldap_dn_child(const char *attr, const char *value,
			      const char *parent)
{
	LDAPAVA ava;
	LDAPAVA *avas[2] = { &ava, NULL };
	char *rdn = NULL;
	const char *dn;

	i_zero(&ava);
	ava.la_attr.bv_val = (char *)attr;
	ava.la_attr.bv_len = strlen(attr);
	ava.la_value.bv_val = (char *)value;
	ava.la_value.bv_len = strlen(value);
	ava.la_flags = LDAP_AVA_STRING;
	if (ldap_rdn2str(avas, &rdn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		i_fatal_status(FATAL_OUTOFMEM, "ldap_rdn2str(%s) failed", attr);
	dn = t_strconcat(rdn, ",", parent, NULL);
	ldap_memfree(rdn);
	return dn;
}

const char *mus_ldap_dn_parent(const char *dn)
{
	LDAPDN parsed = NULL;
	char *str = NULL;
	const char *parent = NULL;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS &&
	    parsed != NULL && parsed[0] != NULL && parsed[1] != NULL &&
	    ldap_dn2str(&parsed[1], &str, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS)
		parent = t_strdup(str);
	ldap_memfree(str);
	if (parsed != NULL)
		ldap_dnfree(parsed);
	return parent;
}

const char *mus_ldap_dn_rdn_value(const char *dn)
{
	LDAPDN parsed = NULL;
	const char *value;

	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS ||
	    parsed == NULL || parsed[0] == NULL || parsed[0][0] == NULL) {
		if (parsed != NULL)
			ldap_dnfree(parsed);
		return NULL;
	}
	/* libldap gives an empty value ("ou=") no buffer at all */
	value = parsed[0][0]->la_value.bv_val == NULL ? "" :
		t_strndup(parsed[0][0]->la_value.bv_val,
			  parsed[0][0]->la_value.bv_len);
	ldap_dnfree(parsed);
	return value;
}
