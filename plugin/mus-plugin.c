/* Dovecot glue of the mail plugin: settings per mail user, and the notify
   hooks that see every delivery. The decisions live in the core. */

#include "lib.h"
#include "array.h"
#include "str-sanitize.h"
#include "istream.h"
#include "time-util.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "notify-plugin.h"
#include "mus-settings.h"
#include "mus-time.h"
#include "mus-ldap.h"
#include "mus-reply.h"
#include "mus-inbox.h"
#include "mus-plugin.h"

#include <time.h>

/* Directory calls from a delivery give up after this long: a reply that
   could not be applied is delivered all the same and left for sync. */
#define MUS_PLUGIN_LDAP_TIMEOUT_MSECS 2000

#define MUS_USER_CONTEXT(obj) \
	MODULE_CONTEXT(obj, mus_user_module)

struct mus_user {
	union mail_user_module_context module_ctx;
	const struct mus_settings *set;
	struct event *event;
};

/* A message delivered to the organizer mailbox, read at save time while
   the mail is at hand. */
struct mus_delivery {
	const char *message_id;
	struct mus_reply *reply;
	int parse_ret;
	const char *parse_error;
};

/* The deliveries of one transaction: applied to the directory only when
   it commits. */
struct mus_txn {
	pool_t pool;
	struct mus_user *muser;
	const char *username;
	ARRAY(struct mus_delivery) deliveries;
};

const char *mus_plugin_version = DOVECOT_ABI_VERSION;
const char *mus_plugin_dependencies[] = { "notify", NULL };

static struct event_category event_category_mus = {
	.name = "mus",
};

static MODULE_CONTEXT_DEFINE_INIT(mus_user_module,
				  &mail_user_module_register);
static struct notify_context *mus_notify_ctx;

static void mus_user_deinit(struct mail_user *user)
{
	struct mus_user *muser = MUS_USER_CONTEXT(user);

	event_unref(&muser->event);
	muser->module_ctx.super.deinit(user);
}

static const char *const *mus_plugin_envs(const struct mail_user *user)
{
	ARRAY_TYPE(const_string) envs;

	t_array_init(&envs, 32);
	if (array_is_created(&user->set->plugin_envs))
		array_append_array(&envs, &user->set->plugin_envs);
	array_append_zero(&envs);
	return array_front(&envs);
}

/* Replies go to the organizer address only. LMTP names the user by
   address, LDA may use the local part alone. */
static bool mus_user_is_organizer(const char *organizer, const char *username)
{
	size_t local_len = strcspn(organizer, "@");

	return strcasecmp(username, organizer) == 0 ||
		(strlen(username) == local_len &&
		 strncasecmp(username, organizer, local_len) == 0);
}

/* the organizer's settings warnings were logged by this process */
static bool mus_settings_warned = FALSE;

static void mus_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	const char *organizer = mail_user_plugin_getenv(user, "mus_organizer");
	struct mus_user *muser;
	const char *error;

	/* every other user pays this comparison and nothing else; a broken
	   MUS setting never stands in the way of their mail */
	if (organizer == NULL || !mus_user_is_organizer(organizer, user->username))
		return;

	muser = p_new(user->pool, struct mus_user, 1);
	muser->module_ctx.super = *v;
	user->vlast = &muser->module_ctx.super;
	v->deinit = mus_user_deinit;

	muser->event = event_create(user->event);
	event_add_category(muser->event, &event_category_mus);
	event_set_append_log_prefix(muser->event, "mus: ");
	MODULE_CONTEXT_SET(user, mus_user_module, muser);

	/* A broken configuration fails the organizer (and so the delivery,
	   which the MTA retries) instead of silently skipping MUS replies. */
	if (mus_settings_parse(user->pool, mus_plugin_envs(user),
			       &muser->set, &error) < 0) {
		user->error = p_strconcat(user->pool, "mus: ", error, NULL);
		return;
	}
	/* the organizer's user is made for every delivery to it: say what
	   should be fixed once per process, not once per reply */
	if (!mus_settings_warned) {
		for (const char *const *w = muser->set->warnings; *w != NULL; w++)
			e_warning(muser->event, "%s", *w);
		mus_settings_warned = TRUE;
	}
}

static void *mus_transaction_begin(struct mailbox_transaction_context *t)
{
	struct mail_user *user = mailbox_get_storage(t->box)->user;
	struct mus_user *muser = MUS_USER_CONTEXT(user);
	struct mus_txn *txn;
	pool_t pool;

	/* only deliveries (LMTP, LDA) open mailboxes as a post session */
	if (muser == NULL || muser->set == NULL ||
	    (t->box->flags & MAILBOX_FLAG_POST_SESSION) == 0)
		return NULL;
	pool = pool_alloconly_create("mus txn", 512);
	txn = p_new(pool, struct mus_txn, 1);
	txn->pool = pool;
	txn->muser = muser;
	txn->username = p_strdup(pool, user->username);
	p_array_init(&txn->deliveries, pool, 2);
	return txn;
}

static void mus_delivered(struct mus_txn *txn, struct mail *mail)
{
	struct mus_reply_limits limits;
	struct mus_delivery *delivery;
	const char *message_id, *error;
	struct istream *input;

	if (txn == NULL)
		return;
	delivery = array_append_space(&txn->deliveries);
	mus_reply_limits_init(&limits, txn->muser->set);
	if (mail_get_stream(mail, NULL, NULL, &input) < 0) {
		delivery->parse_ret = -1;
		delivery->parse_error = p_strdup_printf(txn->pool,
			"reading the message failed: %s",
			mailbox_get_last_internal_error(mail->box, NULL));
	} else {
		delivery->parse_ret = mus_reply_parse(input, &limits, txn->pool,
						      &delivery->reply, &error);
		if (delivery->parse_ret < 0)
			delivery->parse_error = p_strdup(txn->pool, error);
	}
	/* the parser has the Message-ID; asking Dovecot for a header would
	   have it parse and cache the header too */
	if (delivery->parse_ret >= 0 && delivery->reply->message_id != NULL)
		message_id = delivery->reply->message_id;
	else if (mail_get_first_header(mail, "Message-ID", &message_id) <= 0)
		message_id = "";
	delivery->message_id = p_strdup(txn->pool, str_sanitize(message_id, 200));
}

static void mus_mail_save(void *txn, struct mail *mail)
{
	mus_delivered(txn, mail);
}

static void mus_mail_copy(void *txn, struct mail *src,
			  struct mail *dst ATTR_UNUSED)
{
	/* LMTP saves the first recipient's copy and copies it for the
	   others; the source is the readable one */
	mus_delivered(txn, src);
}

static void mus_txn_free(struct mus_txn *txn)
{
	pool_unref(&txn->pool);
}

/* One directory connection per mail process, kept from one delivery to
   the organizer to the next (an LMTP process serves many): binding anew
   for every reply would cost more than applying it. key is the URI, TLS
   settings and bind DN it was made for. */
static struct mus_ldap *mus_plugin_conn;
static char *mus_plugin_conn_key;

static void mus_plugin_conn_drop(void)
{
	mus_ldap_disconnect(&mus_plugin_conn);
	i_free(mus_plugin_conn_key);
}

static struct mus_ldap *mus_plugin_conn_get(const struct mus_settings *set,
					    const char **error_r)
{
	const char *key = t_strdup_printf("%s\n%d\n%s\n%s", set->ldap_uri,
		set->ldap_starttls ? 1 : 0,
		set->ldap_ca_file == NULL ? "" : set->ldap_ca_file,
		set->ldap_bind_dn == NULL ? "" : set->ldap_bind_dn);
	bool retry;

	if (mus_plugin_conn != NULL && strcmp(mus_plugin_conn_key, key) == 0)
		return mus_plugin_conn;
	mus_plugin_conn_drop();
	if (mus_ldap_connect(set, MUS_PLUGIN_LDAP_TIMEOUT_MSECS,
			     &mus_plugin_conn, &retry, error_r) < 0)
		return NULL;
	mus_plugin_conn_key = i_strdup(key);
	return mus_plugin_conn;
}

/* Returns 0, or -1 with the error if the directory failed. */
static int mus_apply(struct mus_txn *txn, struct mus_ldap *conn,
		     const struct mus_delivery *delivery, const char **error_r)
{
	const struct mus_settings *set = txn->muser->set;
	struct mus_inbox inbox = {
		.conn = conn,
		.round_base = set->round_base,
		.people_base = set->people_base,
		.timezone = set->timezone,
		.organizer = set->organizer,
		.language = set->language,
	};
	enum mus_inbox_outcome outcome;
	struct timeval start, end;
	const char *detail;

	i_gettimeofday(&start);
	if (mus_inbox_apply(&inbox, delivery->reply, delivery->parse_ret,
			    delivery->parse_error, &outcome, &detail,
			    error_r) < 0)
		return -1;
	i_gettimeofday(&end);
	e_info(txn->muser->event, "delivery to %s: %s: %s (message-id=%s)",
	       str_sanitize(txn->username, 200), mus_inbox_outcome_name(outcome),
	       str_sanitize(detail, 500), delivery->message_id);
	e_debug(txn->muser->event, "applying message-id=%s took %lld us",
		delivery->message_id, timeval_diff_usecs(&end, &start));
	return 0;
}

/* Apply one delivery. A kept connection may have been closed by the
   server meanwhile: when it fails at once, the delivery is tried once
   more on a new one; a server that did not answer in time is not asked
   again. */
static void mus_deliver(struct mus_txn *txn, const struct mus_delivery *delivery)
{
	struct mus_ldap *conn;
	const char *error;

	for (unsigned int attempt = 0; attempt < 2; attempt++) {
		bool kept = mus_plugin_conn != NULL;
		time_t started = time(NULL);

		conn = mus_plugin_conn_get(txn->muser->set, &error);
		if (conn != NULL && mus_apply(txn, conn, delivery, &error) == 0)
			return;
		mus_plugin_conn_drop();
		if (!kept || time(NULL) - started >=
		    MUS_PLUGIN_LDAP_TIMEOUT_MSECS / 1000)
			break;
	}
	/* the message is delivered all the same; the next sync reads it
	   from the mailbox */
	e_warning(txn->muser->event,
		  "delivery to %s (message-id=%s) left for doveadm mus sync: %s",
		  str_sanitize(txn->username, 200), delivery->message_id,
		  str_sanitize(error, 500));
}

static void
mus_transaction_commit(void *_txn,
		       struct mail_transaction_commit_changes *changes ATTR_UNUSED)
{
	struct mus_txn *txn = _txn;
	const struct mus_delivery *delivery;

	if (txn == NULL)
		return;
	array_foreach(&txn->deliveries, delivery) T_BEGIN {
		mus_deliver(txn, delivery);
	} T_END;
	mus_txn_free(txn);
}

static void mus_transaction_rollback(void *txn)
{
	if (txn != NULL)
		mus_txn_free(txn);
}

static const struct notify_vfuncs mus_notify_vfuncs = {
	.mail_transaction_begin = mus_transaction_begin,
	.mail_save = mus_mail_save,
	.mail_copy = mus_mail_copy,
	.mail_transaction_commit = mus_transaction_commit,
	.mail_transaction_rollback = mus_transaction_rollback,
};

static struct mail_storage_hooks mus_mail_storage_hooks = {
	.mail_user_created = mus_mail_user_created,
};

void mus_plugin_init(struct module *module)
{
	mus_time_init();
	mus_notify_ctx = notify_register(&mus_notify_vfuncs);
	mail_storage_hooks_add(module, &mus_mail_storage_hooks);
}

void mus_plugin_deinit(void)
{
	mus_plugin_conn_drop();
	mail_storage_hooks_remove(&mus_mail_storage_hooks);
	notify_unregister(mus_notify_ctx);
}
