/* Dovecot glue of the operator interface: the doveadm mus commands. The
   work is done by the core; this file reads options and prints. */

#include "lib.h"
#include "array.h"
#include "hostpid.h"
#include "module-dir.h"
#include "doveadm.h"
#include "doveadm-cmd.h"
#include "doveadm-print.h"
#include "mus-settings.h"
#include "mus-time.h"
#include "mus-ldap.h"
#include "mus-org.h"
#include "mus-people.h"
#include "mus-round.h"
#include "mus-conversation.h"
#include "mus-report.h"
#include "mus-filed-plans.h"
#include "mus-hr-figures.h"
#include "mus-report-html.h"
#include "mus-sync.h"
#include "mus-idle.h"
#include "mus-cards.h"
#include "mus-invitation.h"
#include "mus-reply.h"
#include "mus-inbox.h"
#include "mus-smtp.h"
#include "mus-send.h"
#include "mus-competences.h"
#include "mus-competence-figures.h"
#include "mus-notice.h"
#include "mus-file.h"
#include "mus-plan-json.h"
#include "mus-plan-draft.h"
#include "mus-followup.h"
#include "mus-retention.h"
#include "mus-profile.h"
#include "doveadm-mus.h"
#include "str.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "mail-namespace.h"
#include "mail-storage.h"
#include "mail-search-build.h"

#include <stdio.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* doveadm is interactive or run from cron: it may wait longer than a
   delivery would */
#define MUS_DOVEADM_LDAP_TIMEOUT_MSECS 30000
#define MUS_PEOPLE_FILTER "(objectClass=inetOrgPerson)"
/* a second sync of the same round waits this long for the first */
#define MUS_DOVEADM_LEASE_WAIT_SECS 300
#define MUS_DOVEADM_FB_TIMEOUT_MSECS 5000
#define MUS_DOVEADM_FB_MAX_SIZE (1024 * 1024)
#define MUS_DOVEADM_SMTP_TIMEOUT_MSECS 30000



/* The plugin settings as key, value, ..., NULL; from the data stack. */
static const char *const *mus_doveadm_envs(void)
{
	ARRAY_TYPE(const_string) envs;

	t_array_init(&envs, 32);
	if (array_is_created(&doveadm_settings->plugin_envs))
		array_append_array(&envs, &doveadm_settings->plugin_envs);
	array_append_zero(&envs);
	return array_front(&envs);
}

static int mus_doveadm_settings(const struct mus_settings **set_r)
{
	const char *error;

	if (mus_settings_parse(pool_datastack_create(), mus_doveadm_envs(),
			       set_r, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_CONFIG;
		return -1;
	}
	for (const char *const *w = (*set_r)->warnings; *w != NULL; w++)
		i_warning("mus: %s", *w);
	return 0;
}

/* The context rounds are checked in, with the card catalogue loaded; free
   it with mus_doveadm_round_context_free(). */
static int mus_doveadm_round_context(const struct mus_settings *set,
				     struct mus_round_context *rctx_r)
{
	struct mus_cards *cards;
	const char *error;

	if (mus_cards_load(set->templates_dir, &cards, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_CONFIG;
		return -1;
	}
	i_zero(rctx_r);
	rctx_r->people_base = set->people_base;
	rctx_r->timezone = set->timezone;
	rctx_r->cards = cards;
	return 0;
}

static void mus_doveadm_round_context_free(struct mus_round_context *rctx)
{
	struct mus_cards *cards = (struct mus_cards *)rctx->cards;

	mus_cards_free(&cards);
	rctx->cards = NULL;
}

static int mus_doveadm_connect(const struct mus_settings *set,
			       struct mus_ldap **conn_r)
{
	const char *error;
	bool retry;

	if (mus_ldap_connect(set, MUS_DOVEADM_LDAP_TIMEOUT_MSECS, conn_r,
			     &retry, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = retry ? EX_TEMPFAIL : EX_CONFIG;
		return -1;
	}
	return 0;
}


/* What the commands that read rounds share: the settings, the card
   catalogue, a directory connection and a pool. */
struct mus_doveadm_session {
	const struct mus_settings *set;
	/* of the settings and templates as the card catalogue was loaded
	   (mus_idle_digest()) */
	const char *digest;
	struct mus_round_context rctx;
	struct mus_ldap *conn;
	pool_t pool;
};

static int mus_doveadm_session_begin(struct mus_doveadm_session *session)
{
	i_zero(session);
	if (mus_doveadm_settings(&session->set) < 0)
		return -1;
	/* before the cards are read: a template changed in between is
	   seen by the next sync */
	session->digest = mus_idle_digest(mus_doveadm_envs(),
					  session->set->templates_dir);
	if (mus_doveadm_round_context(session->set, &session->rctx) < 0)
		return -1;
	if (mus_doveadm_connect(session->set, &session->conn) < 0) {
		mus_doveadm_round_context_free(&session->rctx);
		return -1;
	}
	session->pool = pool_alloconly_create("mus doveadm", 64 * 1024);
	return 0;
}

static void mus_doveadm_session_end(struct mus_doveadm_session *session)
{
	mus_ldap_disconnect(&session->conn);
	mus_doveadm_round_context_free(&session->rctx);
	pool_unref(&session->pool);
}

static void mus_print_rows(const ARRAY_TYPE(mus_report_row) *rows)
{
	const struct mus_report_row *row;

	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	doveadm_print_header_simple("type");
	doveadm_print_header_simple("subject");
	doveadm_print_header("count", "count",
			     DOVEADM_PRINT_HEADER_FLAG_RIGHT_JUSTIFY);
	doveadm_print_header_simple("detail");
	array_foreach(rows, row) {
		doveadm_print(row->type);
		doveadm_print(row->subject);
		doveadm_print(row->count);
		doveadm_print(row->detail);
	}
}

static void mus_doveadm_log(bool debug, const char *message,
			    void *context ATTR_UNUSED)
{
	if (debug)
		i_debug("mus: %s", message);
	else
		i_warning("mus: %s", message);
}

/* the bases plans are filed under, NULL-terminated */
static const char *const *mus_doveadm_plan_bases(const struct mus_settings *set)
{
	const char **bases = t_new(const char *, 3);

	bases[0] = set->people_base;
	bases[1] = set->plan_base;
	return bases;
}

/* ---- the organizer mailbox ---- */

/* Every message a sync has applied goes from the organizer's INBOX to
   this folder, where it carries the keyword MUS_INBOX_DONE_KEYWORD and
   one "$Mus-<outcome>"; what the INBOX holds is applied (again) by the
   next sync. Syncs of earlier versions marked the messages in the
   INBOX: those are moved as they are. */
#define MUS_INBOX_PROCESSED_MAILBOX "MUS-behandlet"
#define MUS_INBOX_DONE_KEYWORD "$MusDone"
#define MUS_INBOX_OUTCOME_KEYWORD_PREFIX "$Mus-"

struct mus_doveadm_mailbox {
	struct mail_storage_service_ctx *storage_service;
	struct mail_storage_service_user *service_user;
	struct mail_user *user;
	struct mailbox *box;
};

/* Open the organizer's INBOX as the organizer's mail user. Privileges
   are dropped to that user only while the mailbox is open (see
   mus_doveadm_mailbox_close()). */
static int mus_doveadm_mailbox_open(const struct mus_settings *set,
				    struct mus_doveadm_mailbox *mbox_r,
				    const char **error_r)
{
	struct mail_storage_service_input input = {
		.service = "doveadm",
		.username = set->organizer,
	};
	enum mail_error mail_error;
	const char *error;
	int ret;

	i_zero(mbox_r);
	mbox_r->storage_service = mail_storage_service_init(master_service, NULL,
		MAIL_STORAGE_SERVICE_FLAG_USERDB_LOOKUP |
		MAIL_STORAGE_SERVICE_FLAG_TEMP_PRIV_DROP |
		MAIL_STORAGE_SERVICE_FLAG_NO_LOG_INIT |
		MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
		/* our own mail plugin has no business in doveadm */
		MAIL_STORAGE_SERVICE_FLAG_NO_PLUGINS);
	ret = mail_storage_service_lookup_next(mbox_r->storage_service, &input,
					       &mbox_r->service_user,
					       &mbox_r->user, &error);
	if (ret <= 0) {
		*error_r = ret == 0 ?
			t_strdup_printf("the organizer %s is no mail user", set->organizer) :
			t_strdup_printf("looking up the organizer %s failed: %s",
					set->organizer, error);
		mail_storage_service_deinit(&mbox_r->storage_service);
		return -1;
	}
	mbox_r->box = mailbox_alloc_for_user(mbox_r->user, "INBOX", 0);
	if (mailbox_open(mbox_r->box) < 0 ||
	    mailbox_sync(mbox_r->box, 0) < 0) {
		*error_r = t_strdup_printf("opening the INBOX of %s failed: %s",
			set->organizer,
			mailbox_get_last_internal_error(mbox_r->box, &mail_error));
		return -1;
	}
	return 0;
}

static void mus_doveadm_mailbox_close(struct mus_doveadm_mailbox *mbox)
{
	if (mbox->box != NULL)
		mailbox_free(&mbox->box);
	if (mbox->user != NULL)
		mail_user_deinit(&mbox->user);
	if (mbox->service_user != NULL)
		mail_storage_service_user_unref(&mbox->service_user);
	if (mbox->storage_service != NULL)
		mail_storage_service_deinit(&mbox->storage_service);
	/* the rest of the command (password files, the next round) runs
	   with the privileges it started with */
	if (getuid() == 0 && geteuid() != 0 && seteuid(0) < 0)
		i_fatal("mus: seteuid(0) failed: %m");
}

struct mus_doveadm_inbox {
	pool_t pool;
	const struct mus_settings *set;
	struct mus_smtp *smtp;
	/* the mail server failed an answer in this sync: the next ones
	   wait for the next sync instead of each waiting for its timeout */
	char *smtp_failed;
	/* senders of messages left for the next sync: their later
	   messages wait too, so that they are applied in order */
	ARRAY_TYPE(const_string) held_senders;
};

static int mus_doveadm_inbox_send(bool reply, const char *to,
				  const char *in_reply_to, const char *subject,
				  const char *body, void *context,
				  const char **error_r)
{
	struct mus_doveadm_inbox *ib = context;
	int ret;

	if (ib->smtp_failed != NULL) {
		*error_r = t_strdup_printf("not sent, as the mail server failed "
					   "earlier in this sync: %s",
					   ib->smtp_failed);
		return -1;
	}
	ret = mus_send_notice(ib->smtp, ib->set, reply ? MUS_NOTICE_REPLY :
			      MUS_NOTICE_GENERATED, to, in_reply_to, subject,
			      body, error_r);
	if (ret < 0)
		ib->smtp_failed = i_strdup(*error_r);
	if (ret == 0) {
		/* the address is refused for good: nothing to wait for */
		i_warning("mus: inbox: the answer to %s was refused: %s", to, *error_r);
		return 0;
	}
	return ret < 0 ? -1 : 0;
}

/* Move mail into the transaction dest_t of the folder of applied
   messages, with keywords names (NULL: its own flags and keywords). */
static int mus_doveadm_inbox_move(struct mail *mail,
				  struct mailbox_transaction_context *dest_t,
				  const char *const *names, const char **error_r)
{
	struct mailbox *dest = mailbox_transaction_get_mailbox(dest_t);
	struct mail_save_context *save = mailbox_save_alloc(dest_t);
	struct mail_keywords *kw = NULL;
	int ret;

	if (names == NULL) {
		mailbox_save_copy_flags(save, mail);
	} else if (mailbox_keywords_create(dest, names, &kw) < 0) {
		mailbox_save_cancel(&save);
		*error_r = t_strdup_printf("keywords for message %u: %s", mail->uid,
			mailbox_get_last_internal_error(dest, NULL));
		return -1;
	} else {
		mailbox_save_set_flags(save, mail_get_flags(mail), kw);
	}
	ret = mailbox_move(&save, mail);
	if (kw != NULL)
		mailbox_keywords_unref(&kw);
	if (ret < 0) {
		*error_r = t_strdup_printf("moving message %u to %s: %s", mail->uid,
			MUS_INBOX_PROCESSED_MAILBOX,
			mailbox_get_last_internal_error(dest, NULL));
		return -1;
	}
	return 0;
}

/* Apply one message and move it to dest_t marked as done; returns 0, or
   -1 when it is left in the INBOX for the next sync. */
static int mus_doveadm_inbox_mail(const struct mus_inbox *inbox,
				  struct mus_doveadm_inbox *ib,
				  struct mailbox_transaction_context *dest_t,
				  struct mail *mail, const char **error_r)
{
	struct mus_reply_limits limits;
	struct mus_reply *reply = NULL;
	enum mus_inbox_outcome outcome;
	const char *parse_error = NULL, *detail, *names[3];
	struct istream *input;
	pool_t pool;
	int parse_ret, ret = 0;

	mus_reply_limits_init(&limits, ib->set);
	if (mail_get_stream(mail, NULL, NULL, &input) < 0) {
		*error_r = t_strdup_printf("reading message %u failed: %s", mail->uid,
			mailbox_get_last_internal_error(mail->box, NULL));
		return -1;
	}
	pool = pool_alloconly_create("mus inbox mail", 16 * 1024);
	parse_ret = mus_reply_parse(input, &limits, pool, &reply, &parse_error);
	if (parse_ret >= 0 && reply->from != NULL &&
	    str_array_icase_find(array_front(&ib->held_senders), reply->from)) {
		*error_r = t_strdup_printf("an earlier message from %s waits for "
					   "the next sync", reply->from);
		ret = -1;
	} else if (mus_inbox_apply(inbox, reply, parse_ret, parse_error,
				   &outcome, &detail, error_r) < 0) {
		ret = -1;
		if (parse_ret >= 0 && reply->from != NULL) {
			const char *from = p_strdup(ib->pool, reply->from);

			array_insert(&ib->held_senders,
				     array_count(&ib->held_senders) - 1, &from, 1);
		}
	} else {
		i_info("mus: inbox: message %u: %s: %s", mail->uid,
		       mus_inbox_outcome_name(outcome), detail);
		/* most replies were applied at delivery and are found in
		   effect here: they count as applied */
		if (outcome == MUS_INBOX_UNCHANGED)
			outcome = MUS_INBOX_APPLIED;
		names[0] = MUS_INBOX_DONE_KEYWORD;
		names[1] = t_strconcat(MUS_INBOX_OUTCOME_KEYWORD_PREFIX,
				       mus_inbox_outcome_name(outcome), NULL);
		names[2] = NULL;
		ret = mus_doveadm_inbox_move(mail, dest_t, names, error_r);
	}
	pool_unref(&pool);
	return ret;
}

/* Open the organizer's folder of applied messages into *box_r, made if
   create and it is missing. Returns 1, 0 if it is missing (and not to be
   made), -1 with the error. */
static int mus_doveadm_processed_open(struct mus_doveadm_mailbox *mbox,
				      bool create, struct mailbox **box_r,
				      const char **error_r)
{
	/* beside the INBOX, also where its namespace has a prefix
	   ("INBOX.MUS-behandlet") */
	struct mail_namespace *ns =
		mail_namespace_find_inbox(mbox->user->namespaces);
	struct mailbox *box = mailbox_alloc_for_user(mbox->user,
		t_strconcat(ns->prefix, MUS_INBOX_PROCESSED_MAILBOX, NULL), 0);
	enum mail_error error;

	if (mailbox_open(box) < 0) {
		(void)mailbox_get_last_internal_error(box, &error);
		if (error == MAIL_ERROR_NOTFOUND && !create) {
			mailbox_free(&box);
			return 0;
		}
		if (error != MAIL_ERROR_NOTFOUND ||
		    (mailbox_create(box, NULL, FALSE) < 0 &&
		     mailbox_get_last_mail_error(box) != MAIL_ERROR_EXISTS) ||
		    mailbox_open(box) < 0) {
			*error_r = t_strdup_printf("opening %s of %s failed: %s",
				MUS_INBOX_PROCESSED_MAILBOX, mbox->user->username,
				mailbox_get_last_internal_error(box, NULL));
			mailbox_free(&box);
			return -1;
		}
	}
	*box_r = box;
	return 1;
}

/* Apply every message of the organizer's INBOX (replies delivered while
   the directory was down, card choices, and what the delivery could not
   answer) and move it to MUS_INBOX_PROCESSED_MAILBOX. Returns 0 or -1
   with the error (what was applied so far is moved all the same). */
static int mus_doveadm_inbox(struct mus_doveadm_session *session,
			     struct mus_doveadm_inbox *ib, const char **error_r)
{
	const struct mus_settings *set = session->set;
	struct mus_inbox inbox = {
		.conn = session->conn,
		.round_base = set->round_base,
		.people_base = set->people_base,
		.timezone = set->timezone,
		.organizer = set->organizer,
		.templates_dir = set->templates_dir,
		.cards = session->rctx.cards,
		.send = mus_doveadm_inbox_send,
		.context = ib,
		.language = set->language,
		.plan_bases = mus_doveadm_plan_bases(set),
	};
	struct mus_doveadm_mailbox mbox;
	struct mail_search_args *args;
	struct mailbox_transaction_context *t, *dest_t;
	struct mail_search_context *search;
	struct mailbox *dest;
	struct mail *mail;
	unsigned int failed = 0, first_failed = 0;
	int ret = 0;

	ib->set = set;
	ib->pool = session->pool;
	/* NULL-terminated */
	p_array_init(&ib->held_senders, ib->pool, 4);
	array_append_zero(&ib->held_senders);
	/* before privileges are dropped: it reads the password file */
	if (mus_smtp_create(set, MUS_DOVEADM_SMTP_TIMEOUT_MSECS, &ib->smtp,
			    error_r) < 0)
		return -1;
	if (mus_doveadm_mailbox_open(set, &mbox, error_r) < 0 ||
	    mus_doveadm_processed_open(&mbox, TRUE, &dest, error_r) < 0) {
		mus_doveadm_mailbox_close(&mbox);
		mus_smtp_destroy(&ib->smtp);
		return -1;
	}
	/* the keywords are in the index: looking at every message costs
	   no message read */
	args = mail_search_build_init();
	mail_search_build_add_all(args);
	t = mailbox_transaction_begin(mbox.box, 0, "mus sync");
	dest_t = mailbox_transaction_begin(dest, MAILBOX_TRANSACTION_FLAG_EXTERNAL,
					   "mus sync");
	search = mailbox_search_init(t, args, NULL, MAIL_FETCH_FLAGS, NULL);
	/* A message that fails stays for the next sync, and the ones after
	   it are applied all the same: one message that cannot be answered
	   (its person lost the address, say) must not hold up the rest. A
	   directory that is gone ends the loop. */
	while (ret == 0 && mailbox_search_next(search, &mail)) T_BEGIN {
		const char *error;

		/* marked by a sync of an earlier version: only moved */
		if (str_array_icase_find(mail_get_keywords(mail),
					 MUS_INBOX_DONE_KEYWORD)) {
			if (mus_doveadm_inbox_move(mail, dest_t, NULL, &error) < 0) {
				/* not from this frame's data stack */
				*error_r = p_strdup_printf(session->pool,
					"the organizer's INBOX: %s", error);
				ret = -1;
			}
		} else if (mus_doveadm_inbox_mail(&inbox, ib, dest_t, mail,
						  &error) < 0) {
			i_error("mus: inbox: message %u left for the next sync: %s",
				mail->uid, error);
			if (failed++ == 0)
				first_failed = mail->uid;
			if (mus_ldap_connection_closed(session->conn))
				ret = -1;
		}
	} T_END;
	if (failed > 0) {
		*error_r = t_strdup_printf(
			"the organizer's INBOX: %u message%s left for the next "
			"sync (the first: message %u)%s", failed,
			failed == 1 ? "" : "s", first_failed, ret < 0 ?
			"; the directory closed the connection" : "");
		ret = -1;
	}
	if (mailbox_search_deinit(&search) < 0 && ret == 0) {
		*error_r = t_strdup_printf("searching the INBOX of %s failed: %s",
			set->organizer, mailbox_get_last_internal_error(mbox.box, NULL));
		ret = -1;
	}
	mail_search_args_unref(&args);
	/* What was applied goes to MUS_INBOX_PROCESSED_MAILBOX, marked
	   there, even if a later message failed; the INBOX holds only what
	   waits, which keeps it small (with maildir each delivery reads the
	   names of all its messages, and the INBOX's index log grows with
	   every change). The copies are committed before the INBOX lets the
	   messages go: a crash in between leaves a message in both, and the
	   next sync applies and moves it again; never in neither. */
	if (mailbox_transaction_commit(&dest_t) < 0) {
		const char *error = t_strdup_printf(
			"moving the applied messages of %s to %s failed: %s",
			set->organizer, MUS_INBOX_PROCESSED_MAILBOX,
			mailbox_get_last_internal_error(dest, NULL));

		if (ret == 0)
			*error_r = error;
		else
			i_error("mus: %s", error);
		mailbox_transaction_rollback(&t);
		ret = -1;
	} else if (mailbox_transaction_commit(&t) < 0) {
		const char *error = t_strdup_printf(
			"the applied messages of %s are in %s, but removing "
			"them from the INBOX failed: %s", set->organizer,
			MUS_INBOX_PROCESSED_MAILBOX,
			mailbox_get_last_internal_error(mbox.box, NULL));

		if (ret == 0)
			*error_r = error;
		else
			i_error("mus: %s", error);
		ret = -1;
	} else {
		/* The commit only asks for the expunges, and until they are
		   carried out each delivery pays for the moved messages: the
		   first sync unlinks their files; the second reads the folder
		   again, after which maildir rewrites its list of names
		   (dovecot-uidlist, read whole by every delivery) without
		   them, at least when the INBOX kept no more than three
		   quarters of its messages. If a sync fails, the next opener
		   of the INBOX unlinks the files. */
		if (mailbox_sync(mbox.box, 0) < 0 ||
		    mailbox_sync(mbox.box, MAILBOX_SYNC_FLAG_FULL_READ) < 0) {
			i_warning("mus: the applied messages of %s left the "
				  "INBOX, but syncing it after failed: %s",
				  set->organizer,
				  mailbox_get_last_internal_error(mbox.box, NULL));
		}
	}
	mailbox_free(&dest);
	mus_doveadm_mailbox_close(&mbox);
	mus_smtp_destroy(&ib->smtp);
	i_free(ib->smtp_failed);
	return ret;
}

/* Count the messages of box by the outcome sync gave them into counts,
   and those waiting for the next sync into *waiting. */
static int mus_doveadm_inbox_count(struct mailbox *box, unsigned int *counts,
				   unsigned int *waiting, const char **error_r)
{
	struct mail_search_args *args;
	struct mailbox_transaction_context *t;
	struct mail_search_context *search;
	struct mail *mail;
	size_t prefix_len = strlen(MUS_INBOX_OUTCOME_KEYWORD_PREFIX);
	int ret = 0;

	args = mail_search_build_init();
	mail_search_build_add_all(args);
	t = mailbox_transaction_begin(box, 0, "mus status");
	search = mailbox_search_init(t, args, NULL, MAIL_FETCH_FLAGS, NULL);
	while (mailbox_search_next(search, &mail)) {
		const char *const *keywords = mail_get_keywords(mail);
		bool done = FALSE;

		for (unsigned int i = 0; keywords[i] != NULL; i++) {
			if (strcasecmp(keywords[i], MUS_INBOX_DONE_KEYWORD) == 0)
				done = TRUE;
			if (strncasecmp(keywords[i], MUS_INBOX_OUTCOME_KEYWORD_PREFIX,
					prefix_len) != 0)
				continue;
			for (unsigned int o = 0; o < MUS_INBOX_OUTCOME_COUNT; o++) {
				if (strcasecmp(keywords[i] + prefix_len,
					       mus_inbox_outcome_name(o)) == 0)
					counts[o]++;
			}
		}
		if (!done)
			(*waiting)++;
	}
	if (mailbox_search_deinit(&search) < 0) {
		*error_r = t_strdup_printf("reading %s failed: %s",
			mailbox_get_vname(box),
			mailbox_get_last_internal_error(box, NULL));
		ret = -1;
	}
	(void)mailbox_transaction_commit(&t);
	mail_search_args_unref(&args);
	return ret;
}

/* Count the organizer's messages (the INBOX and the applied ones moved
   out of it) by the outcome sync gave them, and those waiting for the
   next sync, as rows of status. */
static int mus_doveadm_inbox_report(const struct mus_settings *set, pool_t pool,
				    ARRAY_TYPE(mus_report_row) *rows,
				    const char **error_r)
{
	unsigned int counts[MUS_INBOX_OUTCOME_COUNT], waiting = 0;
	struct mus_doveadm_mailbox mbox;
	struct mailbox *processed;
	int ret;

	i_zero(&counts);
	if (mus_doveadm_mailbox_open(set, &mbox, error_r) < 0) {
		mus_doveadm_mailbox_close(&mbox);
		return -1;
	}
	ret = mus_doveadm_inbox_count(mbox.box, counts, &waiting, error_r);
	if (ret == 0) {
		ret = mus_doveadm_processed_open(&mbox, FALSE, &processed, error_r);
		if (ret > 0) {
			ret = mus_doveadm_inbox_count(processed, counts,
						      &waiting, error_r);
			mailbox_free(&processed);
		}
	}
	mus_doveadm_mailbox_close(&mbox);
	if (ret < 0)
		return -1;
	for (unsigned int o = 0; o <= MUS_INBOX_OUTCOME_COUNT; o++) {
		struct mus_report_row *row;

		if (o < MUS_INBOX_OUTCOME_COUNT && counts[o] == 0)
			continue;
		row = array_append_space(rows);
		row->type = "mailbox";
		row->subject = p_strdup(pool, set->organizer);
		row->count = p_strdup(pool, dec2str(o < MUS_INBOX_OUTCOME_COUNT ?
						    counts[o] : waiting));
		row->detail = o < MUS_INBOX_OUTCOME_COUNT ?
			mus_inbox_outcome_name(o) : "waiting-for-sync";
	}
	return 0;
}

/* Read people, rounds, their conversations and the filed plans (into
   plans, for the caller too), and count them into *figs_r (freed by the
   caller, also on failure). With rows, the organisation's and each
   round's figures are appended to it too. Returns 0, or -1 after logging
   (doveadm_exit_code set). */
static int mus_doveadm_figures(struct mus_doveadm_session *session,
			       struct mus_org *org,
			       ARRAY_TYPE(mus_report_row) *rows,
			       ARRAY_TYPE(mus_filed_plan) *plans,
			       struct mus_hr_figures **figs_r)
{
	const struct mus_settings *set = session->set;
	ARRAY_TYPE(mus_round) rounds;
	ARRAY_TYPE(const_string) invalid;
	struct mus_round *round;
	const char *error, *problem;

	p_array_init(&rounds, session->pool, 8);
	p_array_init(&invalid, session->pool, 4);
	*figs_r = mus_hr_figures_create(org, session->rctx.cards,
					session->set->timezone, time(NULL));
	if (mus_people_load(session->conn, set->people_base, MUS_PEOPLE_FILTER,
			    time(NULL), org, &error) < 0 ||
	    mus_rounds_load(session->conn, session->pool, set->round_base, NULL,
			    &session->rctx, &rounds, &invalid, &error) < 0)
		goto failed;
	if (rows != NULL)
		mus_report_org(session->pool, org, set->people_base, rows);
	array_foreach_elem(&rounds, round) {
		ARRAY_TYPE(mus_conversation) convs;

		p_array_init(&convs, session->pool, 256);
		if (mus_conversations_load(session->conn, session->pool,
					   round->dn, &convs, &error) < 0)
			goto failed;
		if (rows != NULL)
			mus_report_round(session->pool, org, round, &convs, rows);
		mus_hr_figures_add_conversations(*figs_r, &convs);
	}
	if (mus_filed_plans_load(session->conn, session->pool,
				 mus_doveadm_plan_bases(set), plans, &error) < 0)
		goto failed;
	mus_hr_figures_add_plans(*figs_r, plans);
	mus_hr_figures_finish(*figs_r);
	array_foreach_elem(&invalid, problem) {
		struct mus_report_row *row;

		if (rows == NULL) {
			i_warning("mus: %s", problem);
			continue;
		}
		row = array_append_space(rows);
		row->type = "invalid-round";
		row->subject = set->round_base;
		row->count = "";
		row->detail = problem;
	}
	return 0;
failed:
	i_error("mus: %s", error);
	doveadm_exit_code = EX_TEMPFAIL;
	return -1;
}

/* ---- follow-up ---- */

static void mus_doveadm_followup_log(bool problem, const char *message,
				     void *context ATTR_UNUSED)
{
	if (problem)
		i_warning("mus: follow-up: %s", message);
	else
		i_info("mus: follow-up: %s", message);
}

/* Send the due reminders of every approved plan; *left_r tells whether
   one failed or raced (the next sync tries again). */
static int mus_doveadm_followup(struct mus_doveadm_session *session,
				bool *left_r, const char **error_r)
{
	ARRAY_TYPE(mus_filed_plan) plans;
	struct mus_followup_result result;
	struct mus_smtp *smtp;
	struct mus_org *org;
	int ret;

	*left_r = FALSE;
	p_array_init(&plans, session->pool, 64);
	if (mus_filed_plans_load(session->conn, session->pool,
				 mus_doveadm_plan_bases(session->set), &plans,
				 error_r) < 0)
		return -1;
	org = mus_org_create(session->set->timezone);
	/* the people are looked up for the plans' reminders: without an
	   approved plan (a round's first months) nobody is read */
	if (array_count(&plans) > 0 &&
	    mus_people_load(session->conn, session->set->people_base,
			    MUS_PEOPLE_FILTER, time(NULL), org, error_r) < 0) {
		mus_org_destroy(&org);
		return -1;
	}
	ret = mus_smtp_create(session->set, MUS_DOVEADM_SMTP_TIMEOUT_MSECS,
			      &smtp, error_r);
	if (ret == 0) {
		ret = mus_followup_remind(session->conn, smtp, session->set,
					  org, &plans, time(NULL),
					  mus_doveadm_followup_log, NULL,
					  &result, error_r);
		i_info("mus: follow-up: %u plans, %u activity reminders, "
		       "%u follow-up reminders, %u failed, %u sent by "
		       "another sync", array_count(&plans),
		       result.activity_reminders, result.meeting_reminders,
		       result.failed, result.raced);
		*left_r = result.failed > 0 || result.raced > 0;
		mus_smtp_destroy(&smtp);
	}
	mus_org_destroy(&org);
	return ret;
}

/* TRUE (and said) when competence mapping is off */
static bool mus_doveadm_profiles_off(const struct mus_settings *set)
{
	if (set->profile_base != NULL)
		return FALSE;
	i_info("mus: mus_profile_base is not set: competence mapping is off");
	return TRUE;
}

/* mus_doveadm_session_begin() for a command of competence mapping: -1
   (nothing left open) also when it is off, which is said */
static int
mus_doveadm_competence_session_begin(struct mus_doveadm_session *session)
{
	if (mus_doveadm_session_begin(session) < 0)
		return -1;
	if (mus_doveadm_profiles_off(session->set)) {
		mus_doveadm_session_end(session);
		return -1;
	}
	return 0;
}

static void mus_doveadm_competence_log(const char *message,
				       void *context ATTR_UNUSED)
{
	i_warning("mus: competences: %s", message);
}

/* HR's competence figures of org's people (of unit only, if not NULL);
   NULL after logging (doveadm_exit_code set) if the directory failed. */
static struct mus_competences *
mus_doveadm_competences(struct mus_doveadm_session *session,
			const struct mus_org *org, const char *unit)
{
	struct mus_competence_figures_source src = {
		.conn = session->conn, .set = session->set, .org = org,
		.unit = unit, .log = mus_doveadm_competence_log,
	};
	struct mus_competences *comp;
	const char *error;

	if (mus_competence_figures_load(&src, &comp, &error) < 0) {
		i_error("mus: competences: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
		return NULL;
	}
	return comp;
}

void cmd_mus_competences(struct doveadm_cmd_context *cctx)
{
	struct mus_doveadm_session session;
	struct mus_competences *comp;
	struct mus_org *org;
	const char *unit = NULL, *format = "text", *error;

	(void)doveadm_cmd_param_str(cctx, "unit", &unit);
	(void)doveadm_cmd_param_str(cctx, "format", &format);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		i_error("mus: competences: -f takes text or json, not '%s'", format);
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (unit != NULL) {
		unit = mus_competence_figures_unit(unit);
		if (unit[0] == '\0') {
			i_error("mus: competences: --unit names no unit");
			doveadm_exit_code = EX_USAGE;
			return;
		}
	}
	if (mus_doveadm_competence_session_begin(&session) < 0)
		return;
	org = mus_org_create(session.set->timezone);
	if (mus_people_load(session.conn, session.set->people_base,
			    MUS_PEOPLE_FILTER, time(NULL), org, &error) < 0) {
		i_error("mus: competences: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	} else if ((comp = mus_doveadm_competences(&session, org, unit)) != NULL) {
		if (strcmp(format, "json") == 0) {
			printf("%s\n", mus_competences_json(comp));
		} else {
			string_t *out = t_str_new(4096);

			mus_competences_text(comp, out);
			fputs(str_c(out), stdout);
		}
		fflush(stdout);
		mus_competences_destroy(&comp);
	}
	mus_org_destroy(&org);
	mus_doveadm_session_end(&session);
}

void cmd_mus_status(struct doveadm_cmd_context *cctx ATTR_UNUSED)
{
	struct mus_doveadm_session session;
	ARRAY_TYPE(mus_report_row) rows;
	ARRAY_TYPE(mus_filed_plan) plans;
	struct mus_hr_figures *figs;
	struct mus_org *org;
	const char *error;

	if (mus_doveadm_session_begin(&session) < 0)
		return;
	(void)mus_doveadm_profiles_off(session.set);
	p_array_init(&rows, session.pool, 256);
	p_array_init(&plans, session.pool, 64);
	org = mus_org_create(session.set->timezone);
	if (mus_doveadm_figures(&session, org, &rows, &plans, &figs) == 0) {
		mus_report_hr(session.pool, figs, session.set->language, &rows);
		mus_report_overdue(session.pool, org, &plans, session.set->timezone,
				   time(NULL), &rows);
		if (mus_doveadm_inbox_report(session.set, session.pool, &rows,
					     &error) < 0) {
			/* the directory's figures are still worth showing */
			i_error("mus: %s", error);
			doveadm_exit_code = EX_TEMPFAIL;
		}
		mus_print_rows(&rows);
	} else if (array_count(&rows) > 0) {
		/* the rounds read before the failure are still worth showing */
		mus_print_rows(&rows);
	}
	mus_hr_figures_destroy(&figs);
	mus_org_destroy(&org);
	mus_doveadm_session_end(&session);
}

void cmd_mus_report(struct doveadm_cmd_context *cctx)
{
	struct mus_doveadm_session session;
	ARRAY_TYPE(mus_filed_plan) plans;
	struct mus_hr_figures *figs;
	struct mus_competences *comp = NULL;
	struct mus_org *org;
	const char *path, *error;

	if (!doveadm_cmd_param_str(cctx, "html", &path) || path[0] == '\0') {
		i_error("mus: report: --html <file> is missing");
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (mus_doveadm_session_begin(&session) < 0)
		return;
	org = mus_org_create(session.set->timezone);
	p_array_init(&plans, session.pool, 64);
	/* without mus_profile_base the page has no competence section */
	if (mus_doveadm_figures(&session, org, NULL, &plans, &figs) == 0 &&
	    (session.set->profile_base == NULL ||
	     (comp = mus_doveadm_competences(&session, org, NULL)) != NULL) &&
	    mus_report_html_write(path, figs, comp, session.set->language,
				  session.set->timezone, &error) < 0) {
		i_error("mus: report: %s", error);
		doveadm_exit_code = EX_CANTCREAT;
	}
	if (comp != NULL)
		mus_competences_destroy(&comp);
	mus_hr_figures_destroy(&figs);
	mus_org_destroy(&org);
	mus_doveadm_session_end(&session);
}

static void mus_doveadm_progress(unsigned int done, unsigned int total,
				 void *context ATTR_UNUSED)
{
	fprintf(stderr, "\rmus: messages %u of %u", done, total);
	if (done == total)
		fputc('\n', stderr);
}

static void mus_doveadm_planned(const char *round_name,
				unsigned int conversations, unsigned int placed,
				void *context ATTR_UNUSED)
{
	fprintf(stderr, "mus: round %s: %u conversations planned, %u placed now\n",
		round_name, conversations, placed);
}

/* --eml-dir names a directory that exists: the files go into it */
static bool mus_doveadm_eml_dir_ok(const char *dir)
{
	struct stat st;

	if (dir[0] == '\0') {
		i_error("mus: --eml-dir is empty");
		doveadm_exit_code = EX_USAGE;
		return FALSE;
	}
	if (stat(dir, &st) < 0)
		i_error("mus: --eml-dir: stat(%s) failed: %m", dir);
	else if (!S_ISDIR(st.st_mode))
		i_error("mus: --eml-dir: %s is not a directory", dir);
	else
		return TRUE;
	doveadm_exit_code = EX_CANTCREAT;
	return FALSE;
}

/* Whether a full sync may skip the rounds (see mus-idle.h): said if so.
   A mark that cannot be read means a full sync. */
static bool mus_doveadm_idle_skip(struct mus_doveadm_session *session)
{
	struct mus_idle_mark mark;
	const char *why, *error;
	int ret;

	ret = mus_idle_check(session->conn, session->pool, session->set,
			     session->digest, time(NULL), &mark, &why, &error);
	if (ret < 0)
		i_warning("mus: the idle mark could not be read: %s", error);
	else if (ret == 0)
		i_debug("mus: the rounds are read: %s", why);
	else {
		i_info("mus: nothing has changed since the sync of %s left nothing to do: the rounds are not read again (until %s at the latest)",
		       mus_time_generalized(mark.since),
		       mus_time_generalized(mark.expires));
	}
	return ret > 0;
}

static void mus_doveadm_debug_log(bool debug ATTR_UNUSED, const char *message,
				  void *context ATTR_UNUSED)
{
	i_debug("mus: idle check: %s", message);
}

static void mus_doveadm_idle_record(struct mus_doveadm_session *session,
				    const struct mus_sync_options *opts)
{
	const char *why, *error;
	int ret;

	ret = mus_idle_record(session->conn, session->pool, session->set,
			      &session->rctx, opts, session->digest,
			      mus_doveadm_debug_log, NULL, &why, &error);
	if (ret < 0)
		i_warning("mus: the idle mark could not be written: %s", error);
	else if (ret == 0)
		i_debug("mus: no idle mark: %s", why);
}

void cmd_mus_sync(struct doveadm_cmd_context *cctx)
{
	struct mus_sync_options opts = {
		.lease_wait_secs = MUS_DOVEADM_LEASE_WAIT_SECS,
		.fb_timeout_msecs = MUS_DOVEADM_FB_TIMEOUT_MSECS,
		.fb_max_size = MUS_DOVEADM_FB_MAX_SIZE,
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct mus_doveadm_session session;
	struct mus_doveadm_inbox inbox;
	ARRAY_TYPE(mus_sync_result) results;
	const struct mus_sync_result *r;
	const struct mus_settings *set;
	struct mus_ldap *conn;
	const char *error;
	pool_t pool;
	bool full;
	int ret = 0;

	/* parsing calendars is the costly part of a large round */
	opts.fb_workers = cpus < 1 ? 1 : (cpus > 4 ? 4 : (unsigned int)cpus);
	(void)doveadm_cmd_param_bool(cctx, "dry-run", &opts.dry_run);
	(void)doveadm_cmd_param_str(cctx, "round", &opts.round_name);
	(void)doveadm_cmd_param_str(cctx, "eml-dir", &opts.send.eml_dir);
	opts.send_invitations = TRUE;
	opts.send.dry_run = opts.dry_run;
	opts.send.smtp_timeout_msecs = MUS_DOVEADM_SMTP_TIMEOUT_MSECS;
	if (isatty(STDERR_FILENO)) {
		opts.progress = mus_doveadm_progress;
		opts.planned = mus_doveadm_planned;
	}
	if (opts.send.eml_dir != NULL && !opts.dry_run) {
		i_error("mus: --eml-dir only goes with --dry-run");
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (opts.send.eml_dir != NULL && !mus_doveadm_eml_dir_ok(opts.send.eml_dir))
		return;
	opts.holder = t_strdup_printf("%s:%s", my_hostname, my_pid);
	if (mus_doveadm_session_begin(&session) < 0)
		return;
	set = session.set;
	conn = session.conn;
	pool = session.pool;

	p_array_init(&results, pool, 8);
	i_zero(&inbox);
	if (!opts.dry_run && mus_doveadm_inbox(&session, &inbox, &error) < 0) {
		/* the rounds go on; the messages wait for the next sync */
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	}
	/* a sync of every round may find that nothing changed since the last
	   one that had nothing to do */
	full = !opts.dry_run && opts.round_name == NULL;
	if (!full || !mus_doveadm_idle_skip(&session)) {
		const char *followup_error;
		bool followup_left = FALSE;

		ret = mus_sync_run(conn, set, &session.rctx, &opts,
				   mus_doveadm_log, NULL, pool, &results, &error);
		if (full && mus_doveadm_followup(&session, &followup_left,
						 &followup_error) < 0) {
			/* the reminders not sent wait for the next sync */
			i_error("mus: follow-up: %s", followup_error);
			doveadm_exit_code = EX_TEMPFAIL;
		}
		if (full && ret == 0 && doveadm_exit_code == 0 && !followup_left)
			mus_doveadm_idle_record(&session, &opts);
	}

	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	doveadm_print_header_simple("round");
	doveadm_print_header_simple("conversations");
	doveadm_print_header_simple("created");
	doveadm_print_header_simple("scheduled");
	doveadm_print_header_simple("unschedulable");
	doveadm_print_header_simple("cancelled");
	doveadm_print_header_simple("unchanged");
	doveadm_print_header_simple("conflicts");
	doveadm_print_header_simple("freebusy-failed");
	doveadm_print_header_simple("invited");
	doveadm_print_header_simple("cancels");
	doveadm_print_header_simple("messages");
	doveadm_print_header_simple("deferred");
	doveadm_print_header_simple("failed");
	doveadm_print_header_simple("held");
	doveadm_print_header_simple("plan-forms");
	doveadm_print_header_simple("follow-ups");
	doveadm_print_header_simple("plans-filed");
	doveadm_print_header_simple("competence-forms");
	array_foreach(&results, r) {
		doveadm_print(r->round_name);
		doveadm_print_num(r->total);
		doveadm_print_num(r->created);
		doveadm_print_num(r->scheduled);
		doveadm_print_num(r->unschedulable);
		doveadm_print_num(r->cancelled);
		doveadm_print_num(r->unchanged);
		doveadm_print_num(r->conflicts);
		doveadm_print_num(r->fb_failed);
		doveadm_print_num(r->sent.requests);
		doveadm_print_num(r->sent.cancels);
		doveadm_print_num(r->sent.messages);
		doveadm_print_num(r->sent.deferred);
		doveadm_print_num(r->sent.failed);
		doveadm_print_num(r->held);
		doveadm_print_num(r->plan_forms.sent);
		doveadm_print_num(r->sent.followups);
		doveadm_print_num(r->plans.filed);
		doveadm_print_num(r->competence_forms.sent);
	}
	if (ret < 0) {
		i_error("mus: sync failed: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	}
	mus_doveadm_session_end(&session);
}

/* ---- plan submit ---- */

void cmd_mus_plan_submit(struct doveadm_cmd_context *cctx)
{
	struct mus_doveadm_session session;
	struct mus_conversation *conv;
	struct mus_plan_problems problems;
	const struct mus_plan_team *team;
	struct mus_plan *plan;
	enum mus_plan_draft_result result;
	const char *name, *path, *json, *error;
	unsigned int version, minute;
	size_t size;
	int ret, today;

	if (!doveadm_cmd_param_str(cctx, "conversation", &name) ||
	    !doveadm_cmd_param_str(cctx, "file", &path)) {
		i_error("mus: usage: doveadm mus plan submit <conversation> <file.json>");
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (mus_file_read(path, MUS_PLAN_JSON_MAX_SIZE, &json, &size, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_NOINPUT;
		return;
	}
	if (mus_doveadm_session_begin(&session) < 0)
		return;
	ret = mus_plan_draft_find(session.conn, session.pool,
				  session.set->round_base, name, &conv, &error);
	if (ret <= 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = ret < 0 ? EX_TEMPFAIL : EX_DATAERR;
		mus_doveadm_session_end(&session);
		return;
	}
	if (mus_plan_draft_team(session.conn, session.pool, conv, &team,
				&error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
		mus_doveadm_session_end(&session);
		return;
	}
	mus_time_to_local(session.set->timezone, time(NULL), &today, &minute);
	mus_plan_problems_init(&problems, session.pool, MUS_LANGUAGE_EN);
	if (mus_plan_json_parse(json, size, today, team, &problems, &plan) < 0) {
		const char *const *lines = t_strsplit(
			mus_plan_problems_format(&problems), "\n");

		i_error("mus: the plan in %s was not stored:", path);
		for (; *lines != NULL; lines++) {
			if (**lines != '\0')
				i_error("mus: %s", *lines);
		}
		doveadm_exit_code = EX_DATAERR;
	} else if (mus_plan_draft_submit(session.conn, conv, plan, &result,
					 &version, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	} else if (result == MUS_PLAN_DRAFT_STALE) {
		i_error("mus: %s is %s and takes no plan draft", conv->dn,
			mus_conv_status_name(conv->status));
		doveadm_exit_code = EX_DATAERR;
	} else {
		doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
		doveadm_print_header_simple("conversation");
		doveadm_print_header_simple("version");
		doveadm_print_header_simple("stored");
		doveadm_print(conv->dn);
		doveadm_print_num(version);
		doveadm_print(result == MUS_PLAN_DRAFT_STORED ? "yes" :
			      "no (the same plan is stored already)");
	}
	mus_doveadm_session_end(&session);
}

/* ---- purge ---- */

static void mus_doveadm_purge_log(const char *dn, const char *reason,
				  void *context)
{
	const bool *dry_run = context;

	if (!*dry_run)
		i_info("mus: purge: removed %s (%s)", dn, reason);
	doveadm_print(*dry_run ? "would-remove" : "removed");
	doveadm_print(dn);
	doveadm_print(reason);
}

void cmd_mus_purge(struct doveadm_cmd_context *cctx)
{
	struct mus_retention_options opts;
	struct mus_retention_period period;
	struct mus_doveadm_session session;
	ARRAY_TYPE(mus_filed_plan) plans;
	const char *value, *error;

	i_zero(&opts);
	(void)doveadm_cmd_param_bool(cctx, "dry-run", &opts.dry_run);
	if (!doveadm_cmd_param_str(cctx, "older-than", &value)) {
		i_error("mus: purge needs --older-than <period>, e.g. 5y, 18m or 400d");
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (mus_retention_parse(value, &period, &error) < 0) {
		i_error("mus: purge --older-than: %s", error);
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (mus_doveadm_session_begin(&session) < 0)
		return;
	p_array_init(&plans, session.pool, 64);
	if (mus_filed_plans_load(session.conn, session.pool,
				 mus_doveadm_plan_bases(session.set), &plans,
				 &error) < 0) {
		i_error("mus: purge: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
		mus_doveadm_session_end(&session);
		return;
	}
	opts.cutoff = mus_retention_cutoff(&period, time(NULL));
	opts.plans = &plans;
	opts.people_base = session.set->people_base;
	opts.round_base = session.set->round_base;
	i_info("mus: purge%s: plans and conversations of closed rounds older than %s",
	       opts.dry_run ? " (dry run)" : "", mus_time_generalized(opts.cutoff));
	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	doveadm_print_header_simple("action");
	doveadm_print_header_simple("dn");
	doveadm_print_header_simple("reason");
	if (mus_retention_purge(session.conn, &opts, mus_doveadm_purge_log,
				&opts.dry_run, &error) < 0) {
		/* what was removed is logged; the next purge goes on from there */
		i_error("mus: purge failed: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	}
	mus_doveadm_session_end(&session);
}

/* ---- round create / list ---- */

/* attribute values gathered from the options, in the order given */
struct mus_round_values {
	const char *attrs[32];
	ARRAY_TYPE(const_string) values[32];
	unsigned int count;
};

static ARRAY_TYPE(const_string) *
mus_round_values_get(struct mus_round_values *rv, const char *attr)
{
	for (unsigned int i = 0; i < rv->count; i++) {
		if (strcmp(rv->attrs[i], attr) == 0)
			return &rv->values[i];
	}
	i_assert(rv->count < N_ELEMENTS(rv->attrs));
	rv->attrs[rv->count] = attr;
	t_array_init(&rv->values[rv->count], 4);
	return &rv->values[rv->count++];
}

static void mus_round_values_add(struct mus_round_values *rv, const char *attr,
				 const char *value)
{
	array_push_back(mus_round_values_get(rv, attr), &value);
}

static const char *const *mus_round_values_lookup(const char *attr, void *context)
{
	struct mus_round_values *rv = context;
	ARRAY_TYPE(const_string) *values = mus_round_values_get(rv, attr);
	ARRAY_TYPE(const_string) copy;

	t_array_init(&copy, array_count(values) + 1);
	array_append_array(&copy, values);
	array_append_zero(&copy);
	return array_front(&copy);
}

static void mus_round_create_error(const char *error)
{
	i_error("mus: round create: %s", error);
	doveadm_exit_code = EX_DATAERR;
}

/* "YYYY-MM-DD" + add_days as the UTC GeneralizedTime of local midnight */
static int mus_round_option_date(const char *option, const char *value,
				 const char *tz, int add_days,
				 const char **time_r)
{
	int days;

	if (mus_time_parse_date(value, TRUE, &days) < 0) {
		mus_round_create_error(t_strdup_printf(
			"--%s: invalid date '%s' (expected YYYY-MM-DD)",
			option, value));
		return -1;
	}
	*time_r = mus_time_generalized(mus_time_from_local(tz, days + add_days, 0));
	return 0;
}

/* The options of round create and the attributes they set; simple ones
   are copied as they are. */
static const struct {
	const char *option, *attr;
	bool simple;
} mus_round_options[] = {
	{ "name", "cn", TRUE }, { "kind", "musKind", TRUE },
	{ "state", "musState", TRUE }, { "duration", "musDuration", TRUE },
	{ "max-per-day", "musMaxPerDay", TRUE },
	{ "buffer", "musBufferMinutes", TRUE },
	{ "scope-base", "musScopeBase", TRUE },
	{ "scope-filter", "musScopeFilter", TRUE },
	{ "location", "musLocation", TRUE },
	{ "start", "musWindowStart", FALSE }, { "end", "musWindowEnd", FALSE },
	{ "workday", "musWorkdayStart", FALSE },
	{ "workday", "musWorkdayEnd", FALSE },
	{ "card", "musCard", FALSE }, { "closed", "musClosedDate", FALSE },
};

/* error of the round's validation, which names attributes, with the
   option that sets the first one it names: "--start (musWindowStart):
   missing" */
static const char *mus_round_create_option_error(const char *error)
{
	const char *first = NULL;
	unsigned int found = 0;

	for (unsigned int i = 0; i < N_ELEMENTS(mus_round_options); i++) {
		const char *p = strstr(error, t_strconcat(" ",
			mus_round_options[i].attr, ":", NULL));

		if (p != NULL && (first == NULL || p < first)) {
			first = p;
			found = i;
		}
	}
	if (first == NULL)
		return error;
	return t_strdup_printf("%.*s --%s (%s)%s", (int)(first - error), error,
			       mus_round_options[found].option,
			       mus_round_options[found].attr,
			       first + 1 + strlen(mus_round_options[found].attr));
}

static int mus_round_create_values(struct doveadm_cmd_context *cctx,
				   const struct mus_settings *set,
				   struct mus_round_values *rv)
{
	const char *value, *when, *dash, *const *list;

	mus_round_values_add(rv, "objectClass", "musRound");
	for (unsigned int i = 0; i < N_ELEMENTS(mus_round_options); i++) {
		if (mus_round_options[i].simple &&
		    doveadm_cmd_param_str(cctx, mus_round_options[i].option, &value))
			mus_round_values_add(rv, mus_round_options[i].attr, value);
	}
	if (!doveadm_cmd_param_str(cctx, "state", &value))
		mus_round_values_add(rv, "musState", "active");
	if (doveadm_cmd_param_str(cctx, "start", &value)) {
		if (mus_round_option_date("start", value, set->timezone, 0, &when) < 0)
			return -1;
		mus_round_values_add(rv, "musWindowStart", when);
	}
	if (doveadm_cmd_param_str(cctx, "end", &value)) {
		/* the window includes the whole last day */
		if (mus_round_option_date("end", value, set->timezone, 1, &when) < 0)
			return -1;
		mus_round_values_add(rv, "musWindowEnd", when);
	}
	if (doveadm_cmd_param_str(cctx, "workday", &value)) {
		dash = strchr(value, '-');
		if (dash == NULL) {
			mus_round_create_error(t_strdup_printf(
				"--workday: invalid value '%s' (expected HHMM-HHMM)", value));
			return -1;
		}
		mus_round_values_add(rv, "musWorkdayStart", t_strdup_until(value, dash));
		mus_round_values_add(rv, "musWorkdayEnd", dash + 1);
	}
	if (doveadm_cmd_param_array(cctx, "card", &list)) {
		for (; *list != NULL; list++)
			mus_round_values_add(rv, "musCard", *list);
	}
	if (doveadm_cmd_param_array(cctx, "closed", &list)) {
		for (; *list != NULL; list++) {
			if (mus_round_option_date("closed", *list, set->timezone, 0, &when) < 0)
				return -1;
			mus_round_values_add(rv, "musClosedDate", t_strdup_printf(
				"%.4s%.2s%.2s", *list, *list + 5, *list + 8));
		}
	}
	return 0;
}

void cmd_mus_round_create(struct doveadm_cmd_context *cctx)
{
	struct mus_round_context rctx;
	struct mus_round_values rv;
	struct mus_ldap_mod mods[N_ELEMENTS(rv.attrs) + 1];
	const struct mus_settings *set;
	const char *name, *error, *dn;
	struct mus_round *round;
	struct mus_ldap *conn;
	int ret;

	if (mus_doveadm_settings(&set) < 0)
		return;
	i_zero(&rv);
	if (mus_round_create_values(cctx, set, &rv) < 0)
		return;
	name = mus_round_values_lookup("cn", &rv)[0];
	if (name == NULL) {
		mus_round_create_error("--name: missing");
		return;
	}
	if (mus_round_name_check(name, &error) < 0) {
		mus_round_create_error(t_strconcat("--name: ", error, NULL));
		return;
	}
	/* the same validation as every round read from the directory */
	dn = mus_ldap_dn_child("cn", name, set->round_base);
	if (mus_doveadm_round_context(set, &rctx) < 0)
		return;
	ret = mus_round_parse(pool_datastack_create(), dn,
			      mus_round_values_lookup, &rv, &rctx, &round,
			      &error);
	mus_doveadm_round_context_free(&rctx);
	if (ret < 0) {
		mus_round_create_error(mus_round_create_option_error(error));
		return;
	}

	i_zero(&mods);
	for (unsigned int i = 0; i < rv.count; i++) {
		mods[i].attr = rv.attrs[i];
		mods[i].values = mus_round_values_lookup(rv.attrs[i], &rv);
	}
	if (mus_doveadm_connect(set, &conn) < 0)
		return;
	ret = mus_ldap_add(conn, dn, mods, &error);
	if (ret < 0) {
		i_error("mus: round create: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	} else if (ret == 0) {
		mus_round_create_error(t_strdup_printf("%s exists already", dn));
	} else {
		/* what was made, and whether the next sync acts on it */
		doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
		doveadm_print_header_simple("round");
		doveadm_print_header_simple("state");
		doveadm_print(dn);
		doveadm_print(mus_round_state_name(round->state));
	}
	mus_ldap_disconnect(&conn);
}

void cmd_mus_round_list(struct doveadm_cmd_context *cctx ATTR_UNUSED)
{
	struct mus_doveadm_session session;
	ARRAY_TYPE(mus_round) rounds;
	ARRAY_TYPE(const_string) invalid;
	const struct mus_settings *set;
	struct mus_round *round;
	struct mus_ldap *conn;
	const char *error, *problem;
	pool_t pool;

	if (mus_doveadm_session_begin(&session) < 0)
		return;
	set = session.set;
	conn = session.conn;
	pool = session.pool;
	p_array_init(&rounds, pool, 8);
	p_array_init(&invalid, pool, 4);
	if (mus_rounds_load(conn, pool, set->round_base, NULL, &session.rctx,
			    &rounds, &invalid, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	} else {
		doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
		doveadm_print_header_simple("name");
		doveadm_print_header_simple("kind");
		doveadm_print_header_simple("state");
		doveadm_print_header_simple("start");
		doveadm_print_header_simple("end");
		doveadm_print_header_simple("conversations");
		array_foreach_elem(&rounds, round) {
			ARRAY_TYPE(mus_conversation) convs;

			p_array_init(&convs, pool, 64);
			if (mus_conversations_load(conn, pool, round->dn, &convs,
						   &error) < 0) {
				i_error("mus: %s", error);
				doveadm_exit_code = EX_TEMPFAIL;
				break;
			}
			doveadm_print(round->name);
			doveadm_print(mus_round_kind_name(round->kind));
			doveadm_print(mus_round_state_name(round->state));
			doveadm_print(mus_time_generalized(round->window_start));
			doveadm_print(mus_time_generalized(round->window_end));
			doveadm_print_num(array_count(&convs));
		}
		array_foreach_elem(&invalid, problem)
			i_warning("mus: skipped invalid %s", problem);
	}
	mus_doveadm_session_end(&session);
}

static int mus_conv_leader_cmp(struct mus_conversation *const *a,
			       struct mus_conversation *const *b)
{
	/* an unreadable conversation may have no leader */
	int ret = null_strcmp((*a)->leader_ndn, (*b)->leader_ndn);

	if (ret != 0)
		return ret;
	return (*a)->start < (*b)->start ? -1 : ((*a)->start > (*b)->start ? 1 :
		strcmp((*a)->cn, (*b)->cn));
}

static const char *mus_show_name(const struct mus_org *org, const char *ndn,
				 const char *dn)
{
	const struct mus_person *person = ndn == NULL ? NULL :
		mus_org_find(org, ndn);

	if (person != NULL)
		return person->cn;
	/* an unreadable conversation may have no leader */
	return dn != NULL ? dn : "(unknown)";
}

/* every conversation of one round, leader by leader, in time order */
void cmd_mus_round_show(struct doveadm_cmd_context *cctx)
{
	struct mus_doveadm_session session;
	ARRAY_TYPE(mus_round) rounds;
	ARRAY_TYPE(const_string) invalid;
	ARRAY_TYPE(mus_conversation) convs;
	const struct mus_settings *set;
	struct mus_conversation *conv;
	struct mus_ldap *conn;
	struct mus_org *org;
	const char *name, *error;
	pool_t pool;

	if (!doveadm_cmd_param_str(cctx, "name", &name)) {
		i_error("mus: round show: --name is missing");
		doveadm_exit_code = EX_USAGE;
		return;
	}
	if (mus_doveadm_session_begin(&session) < 0)
		return;
	set = session.set;
	conn = session.conn;
	pool = session.pool;
	p_array_init(&rounds, pool, 2);
	p_array_init(&invalid, pool, 2);
	p_array_init(&convs, pool, 256);
	org = mus_org_create(set->timezone);
	if (mus_rounds_load(conn, pool, set->round_base, name, &session.rctx, &rounds,
			    &invalid, &error) < 0 ||
	    (array_count(&rounds) > 0 &&
	     (mus_conversations_load(conn, pool, array_idx_elem(&rounds, 0)->dn,
				     &convs, &error) < 0 ||
	      mus_people_load(conn, array_idx_elem(&rounds, 0)->scope_base,
			      array_idx_elem(&rounds, 0)->scope_filter,
			      time(NULL), org, &error) < 0))) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	} else if (array_count(&rounds) == 0) {
		i_error("mus: round show: no valid round named '%s'%s%s", name,
			array_count(&invalid) > 0 ? ": " : "",
			array_count(&invalid) > 0 ? array_idx_elem(&invalid, 0) : "");
		doveadm_exit_code = DOVEADM_EX_NOTFOUND;
	} else {
		array_sort(&convs, mus_conv_leader_cmp);
		doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
		doveadm_print_header_simple("leader");
		doveadm_print_header_simple("when");
		doveadm_print_header_simple("employee");
		doveadm_print_header_simple("status");
		doveadm_print_header_simple("reason");
		array_foreach_elem(&convs, conv) {
			string_t *employees = t_str_new(64);

			for (unsigned int i = 0; conv->employee_dns[i] != NULL; i++) {
				if (i > 0)
					str_append(employees, ", ");
				str_append(employees, mus_show_name(org,
					conv->employee_ndns[i], conv->employee_dns[i]));
			}
			doveadm_print(mus_show_name(org, conv->leader_ndn, conv->leader_dn));
			doveadm_print(conv->start == 0 || conv->end <= conv->start ? "" :
				      mus_invitation_when(set->language, set->timezone,
							  conv->start, conv->end));
			doveadm_print(str_c(employees));
			doveadm_print(mus_conv_status_name(conv->status));
			doveadm_print(conv->reason != NULL ? conv->reason : "");
		}
	}
	mus_org_destroy(&org);
	mus_doveadm_session_end(&session);
}

/* ---- job profiles ---- */

void cmd_mus_profile_list(struct doveadm_cmd_context *cctx ATTR_UNUSED)
{
	struct mus_doveadm_session session;
	struct mus_profiles *profiles;
	struct mus_profile *profile;
	const struct mus_competence *c;
	struct mus_org *org;
	const char *error;
	int ret;

	if (mus_doveadm_competence_session_begin(&session) < 0)
		return;
	org = mus_org_create(session.set->timezone);
	ret = mus_profiles_load(session.conn, session.set->profile_base,
				&profiles, &error);
	if (ret == 0 &&
	    (ret = mus_people_load(session.conn, session.set->people_base,
				   MUS_PEOPLE_FILTER, time(NULL), org,
				   &error)) < 0)
		mus_profiles_free(&profiles);
	if (ret < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
		mus_org_destroy(&org);
		mus_doveadm_session_end(&session);
		return;
	}
	mus_profiles_count(profiles, org);
	doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
	doveadm_print_header_simple("profile");
	doveadm_print_header_simple("people");
	doveadm_print_header_simple("code");
	doveadm_print_header_simple("title-da");
	doveadm_print_header_simple("title-en");
	doveadm_print_header_simple("description");
	doveadm_print_header_simple("problem");
	doveadm_print_header_simple("dn");
	array_foreach_elem(&profiles->all, profile) {
		if (profile->problem != NULL) {
			i_warning("mus: job profile %s is not used: %s",
				  profile->dn, profile->problem);
			doveadm_print(profile->name == NULL ? "" : profile->name);
			doveadm_print_num(0);
			doveadm_print("");
			doveadm_print("");
			doveadm_print("");
			doveadm_print("");
			doveadm_print(profile->problem);
			doveadm_print(profile->dn);
			continue;
		}
		array_foreach(&profile->competences, c) {
			doveadm_print(profile->name);
			doveadm_print_num(profile->people);
			doveadm_print(c->code);
			doveadm_print(c->title_da);
			doveadm_print(c->title_en);
			doveadm_print(c->description);
			doveadm_print("");
			doveadm_print(profile->dn);
		}
	}
	mus_profiles_free(&profiles);
	mus_org_destroy(&org);
	mus_doveadm_session_end(&session);
}

void mus_doveadm_module_init(void)
{
	mus_time_init();
}
