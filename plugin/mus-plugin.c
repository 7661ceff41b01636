/* Dovecot glue of the mail plugin: settings per mail user, and the notify
   hooks that see every delivery. The decisions live in the core. */

#include "lib.h"
#include "array.h"
#include "str-sanitize.h"
#include "istream.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "notify-plugin.h"
#include "mus-settings.h"
#include "mus-time.h"
#include "mus-mime.h"
#include "mus-plugin.h"

#define MUS_USER_CONTEXT(obj) \
	MODULE_CONTEXT(obj, mus_user_module)

struct mus_user {
	union mail_user_module_context module_ctx;
	const struct mus_settings *set;
	struct event *event;
};

struct mus_delivery {
	const char *message_id;
	const char *class;
};

/* The deliveries of one transaction; logged (and later acted on) only
   when it commits. */
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

static void mus_mail_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct mus_user *muser;
	const char *error;

	muser = p_new(user->pool, struct mus_user, 1);
	muser->module_ctx.super = *v;
	user->vlast = &muser->module_ctx.super;
	v->deinit = mus_user_deinit;

	muser->event = event_create(user->event);
	event_add_category(muser->event, &event_category_mus);
	event_set_append_log_prefix(muser->event, "mus: ");
	MODULE_CONTEXT_SET(user, mus_user_module, muser);

	/* A broken configuration fails the user (and so the delivery, which
	   the MTA retries) instead of silently skipping MUS replies. */
	if (mus_settings_parse(user->pool, mus_plugin_envs(user),
			       &muser->set, &error) < 0)
		user->error = p_strconcat(user->pool, "mus: ", error, NULL);
}

/* calendar, not calendar, or why we could not tell */
static const char *mus_classify_mail(struct mail *mail)
{
	const char *content_type, *error;
	struct istream *input;
	int ret;

	if (mail_get_first_header(mail, "Content-Type", &content_type) < 0)
		return t_strdup_printf("unreadable: %s",
				       mailbox_get_last_internal_error(mail->box, NULL));
	switch (mus_mime_classify_content_type(content_type)) {
	case MUS_MIME_NOT_CALENDAR:
		return "not calendar";
	case MUS_MIME_CALENDAR:
		return "calendar";
	case MUS_MIME_MULTIPART:
		break;
	}
	if (mail_get_stream(mail, NULL, NULL, &input) < 0)
		return t_strdup_printf("unreadable: %s",
				       mailbox_get_last_internal_error(mail->box, NULL));
	ret = mus_mime_find_calendar(input, &error);
	if (ret < 0)
		return t_strdup_printf("unreadable: %s", error);
	return ret > 0 ? "calendar" : "not calendar";
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
	struct mus_delivery *delivery;
	const char *message_id;

	if (txn == NULL)
		return;
	if (mail_get_first_header(mail, "Message-ID", &message_id) <= 0)
		message_id = "";
	delivery = array_append_space(&txn->deliveries);
	delivery->message_id = p_strdup(txn->pool, str_sanitize(message_id, 200));
	delivery->class = p_strdup(txn->pool, mus_classify_mail(mail));
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

static void
mus_transaction_commit(void *_txn,
		       struct mail_transaction_commit_changes *changes ATTR_UNUSED)
{
	struct mus_txn *txn = _txn;
	const struct mus_delivery *delivery;

	if (txn == NULL)
		return;
	array_foreach(&txn->deliveries, delivery) {
		e_debug(txn->muser->event, "delivery to %s: %s (message-id=%s)",
			str_sanitize(txn->username, 200), delivery->class,
			delivery->message_id);
	}
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
	mail_storage_hooks_remove(&mus_mail_storage_hooks);
	notify_unregister(mus_notify_ctx);
}
