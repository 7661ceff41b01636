/* What arrives in the organizer mailbox, applied to the directory. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-cards.h"
#include "mus-conversation.h"
#include "mus-invitation.h"
#include "mus-plan-text.h"
#include "mus-plan-draft.h"
#include "mus-plan-approval.h"
#include "mus-done.h"
#include "mus-mailtext.h"
#include "mus-profile.h"
#include "mus-competence-form.h"
#include "mus-assessment.h"
#include "mus-people.h"
#include "mus-round.h"
#include "mus-inbox.h"

#include <time.h>

/* another writer changed the conversation meanwhile: read it again */
#define MUS_INBOX_MAX_ATTEMPTS 5
/* a comment longer than this is cut */
#define MUS_INBOX_COMMENT_MAX_LEN 1000

static const char *const mus_inbox_outcome_names[MUS_INBOX_OUTCOME_COUNT] = {
	[MUS_INBOX_APPLIED] = "applied",
	[MUS_INBOX_UNCHANGED] = "unchanged",
	[MUS_INBOX_STALE] = "stale",
	[MUS_INBOX_NOT_OURS] = "not-ours",
	[MUS_INBOX_UNKNOWN_UID] = "unknown-uid",
	[MUS_INBOX_PARTY_CRASHER] = "party-crasher",
	[MUS_INBOX_SENDER_MISMATCH] = "sender-mismatch",
	[MUS_INBOX_INVALID] = "invalid",
	[MUS_INBOX_CARDS_REFUSED] = "cards-refused",
	[MUS_INBOX_DEFERRED] = "deferred",
	[MUS_INBOX_PLAN_RECEIVED] = "plan-received",
	[MUS_INBOX_PLAN_REFUSED] = "plan-refused",
	[MUS_INBOX_ASSESSMENT_RECEIVED] = "assessment-received",
	[MUS_INBOX_ASSESSMENT_REFUSED] = "assessment-refused",
};

const char *mus_inbox_outcome_name(enum mus_inbox_outcome outcome)
{
	i_assert(outcome < MUS_INBOX_OUTCOME_COUNT);
	return mus_inbox_outcome_names[outcome];
}

/* One of the conversation's people, as the directory has them now. */
struct mus_inbox_person {
	const char *dn;		/* as the conversation names them */
	const char *ndn;	/* of a sender: normalised */
	const char *cn;		/* mus_people_name() */
	const char *const *mails;
	const char *language;
	bool leader;
	/* the entry was read: mails, cn and language are known */
	bool read;
};

/* What one message does to one conversation. */
struct mus_inbox_ctx {
	const struct mus_inbox *inbox;
	const struct mus_reply *reply;
	pool_t pool;
	struct mus_conversation *conv;
	ARRAY(struct mus_inbox_person) people;
	/* the entries with the sender's address, read along with the
	   conversation (ndn set): most answers come from one of its people */
	ARRAY(struct mus_inbox_person) senders;
	/* senders was searched: a conversation read again after another
	   writer's change comes without that search */
	bool senders_read;
	enum mus_inbox_outcome outcome;
	const char *detail;
};

static const char *const mus_inbox_person_attrs[] = {
	"cn", "uid", "mail", "musLanguage", "preferredLanguage", NULL
};

struct mus_inbox_person_read {
	pool_t pool;
	struct mus_inbox_person *person;
};

/* runs in a data stack frame of its own: keep what is needed in pool */
static void mus_inbox_person_fill(struct mus_inbox_person *person, pool_t pool,
				  const struct mus_ldap_entry *entry)
{
	const char *const *mails = mus_ldap_entry_values(entry, "mail");
	const char **copy = p_new(pool, const char *,
				  str_array_length(mails) + 1);
	const char *language;

	for (unsigned int i = 0; mails[i] != NULL; i++)
		copy[i] = p_strdup(pool, t_str_lcase(mails[i]));
	person->mails = copy;
	person->cn = mus_people_name(pool, mus_ldap_entry_value(entry, "cn"),
				     mus_ldap_entry_value(entry, "uid"),
				     mus_ldap_entry_dn(entry));
	language = mus_ldap_entry_value(entry, "musLanguage");
	if (language == NULL)
		language = mus_ldap_entry_value(entry, "preferredLanguage");
	person->language = p_strdup(pool, language);
	person->read = TRUE;
}

static int mus_inbox_person_entry(const struct mus_ldap_entry *entry,
				  void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_inbox_person_read *read = context;

	mus_inbox_person_fill(read->person, read->pool, entry);
	return 0;
}

static int mus_inbox_sender_entry(const struct mus_ldap_entry *entry,
				  void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_inbox_ctx *ctx = context;
	struct mus_inbox_person *person;
	const char *ndn, *error;

	/* a DN that does not parse cannot be one of the conversation's:
	   the person is read by the conversation's DN if needed */
	if (mus_ldap_dn_normalize(ctx->pool, mus_ldap_entry_dn(entry), &ndn,
				  &error) < 0)
		return 0;
	person = array_append_space(&ctx->senders);
	person->ndn = ndn;
	mus_inbox_person_fill(person, ctx->pool, entry);
	return 0;
}

/* a person who left the directory has no address and cannot answer */
static int mus_inbox_read_person(struct mus_inbox_ctx *ctx,
				 struct mus_inbox_person *person,
				 const char **error_r)
{
	struct mus_inbox_person_read read = {
		.pool = ctx->pool, .person = person,
	};

	person->read = TRUE;
	return mus_ldap_read(ctx->inbox->conn, person->dn, mus_inbox_person_attrs,
			     mus_inbox_person_entry, &read, error_r) < 0 ? -1 : 0;
}

/* One of the conversation's people: as read along with the conversation
   if the sender is that person, else to be read when an address is
   looked for. */
static void mus_inbox_person_add(struct mus_inbox_ctx *ctx, const char *dn,
				 const char *ndn, bool leader)
{
	static const char *const none[] = { NULL };
	const struct mus_inbox_person *sender;
	struct mus_inbox_person *person = array_append_space(&ctx->people);

	person->mails = none;
	array_foreach(&ctx->senders, sender) {
		if (ndn != NULL && strcmp(sender->ndn, ndn) == 0) {
			*person = *sender;
			break;
		}
	}
	person->dn = dn;
	person->ndn = NULL;
	person->leader = leader;
}

/* The conversation's people, leader first; their entries are read only
   when an address is looked for (most answers come from the first). */
static void mus_inbox_people(struct mus_inbox_ctx *ctx)
{
	const struct mus_conversation *conv = ctx->conv;

	t_array_init(&ctx->people, 4);
	mus_inbox_person_add(ctx, conv->leader_dn, conv->leader_ndn, TRUE);
	for (unsigned int i = 0; conv->employee_dns[i] != NULL; i++) {
		mus_inbox_person_add(ctx, conv->employee_dns[i],
				     conv->employee_ndns[i], FALSE);
	}
}

static bool mus_inbox_person_has(const struct mus_inbox_person *person,
				 const char *address)
{
	if (address == NULL)
		return FALSE;
	for (unsigned int i = 0; person->mails[i] != NULL; i++) {
		if (strcasecmp(person->mails[i], address) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Returns 1 with the person one of whose mail values is address, 0 if
   there is none, -1 if the directory failed. */
static int mus_inbox_find_person(struct mus_inbox_ctx *ctx, const char *address,
				 const struct mus_inbox_person **person_r,
				 const char **error_r)
{
	struct mus_inbox_person *person;

	if (address == NULL)
		return 0;
	array_foreach_modifiable(&ctx->people, person) {
		if (!person->read && mus_inbox_read_person(ctx, person, error_r) < 0)
			return -1;
		if (mus_inbox_person_has(person, address)) {
			*person_r = person;
			return 1;
		}
	}
	return 0;
}

static enum mus_language mus_inbox_language(const struct mus_inbox *inbox,
					    const struct mus_inbox_person *person)
{
	if (person != NULL && person->language != NULL)
		return strncasecmp(person->language, "en", 2) == 0 ?
			MUS_LANGUAGE_EN : MUS_LANGUAGE_DA;
	return inbox->language;
}

static void mus_inbox_set(struct mus_inbox_ctx *ctx,
			  enum mus_inbox_outcome outcome, const char *detail)
{
	ctx->outcome = outcome;
	ctx->detail = detail;
}

/* ---- the conversation ---- */

/* The search for the entries with the sender's address (into
   ctx->senders). */
static void mus_inbox_sender_search(struct mus_inbox_ctx *ctx,
				    struct mus_ldap_search *search_r)
{
	i_zero(search_r);
	search_r->base = ctx->inbox->people_base;
	search_r->filter = t_strdup_printf("(mail=%s)",
		mus_ldap_filter_escape(ctx->reply->from));
	search_r->attrs = mus_inbox_person_attrs;
	search_r->callback = mus_inbox_sender_entry;
	search_r->context = ctx;
}

/* Returns how many conversations match filter, with ctx->conv set when
   it is exactly one, or -1 on a directory error. */
static int mus_inbox_find_conv(struct mus_inbox_ctx *ctx, const char *filter,
			       const char **error_r)
{
	ARRAY_TYPE(mus_conversation) convs;
	struct mus_ldap_search sender;
	bool along = !ctx->senders_read && ctx->reply->from != NULL &&
		ctx->inbox->people_base != NULL;

	/* not on the data stack: the search's callbacks add to it from
	   frames of their own */
	p_array_init(&convs, ctx->pool, 2);
	if (along)
		mus_inbox_sender_search(ctx, &sender);
	if (mus_conversations_find(ctx->inbox->conn, ctx->pool,
				   ctx->inbox->round_base, filter,
				   along ? &sender : NULL, &convs, error_r) < 0)
		return -1;
	ctx->senders_read = TRUE;
	if (array_count(&convs) == 1)
		ctx->conv = array_idx_elem(&convs, 0);
	return (int)array_count(&convs);
}

/* values of a "<DN> ..." or "<PARTSTAT> <DN>" list without the ones of dn */
static void mus_inbox_values_without(const char *const *values, const char *dn,
				     bool dn_first, ARRAY_TYPE(const_string) *out)
{
	for (unsigned int i = 0; values[i] != NULL; i++) {
		const char *v = values[i], *sp = strchr(v, ' ');
		bool match;

		if (sp == NULL)
			match = FALSE;
		else if (dn_first)
			match = strncasecmp(v, dn, strlen(dn)) == 0 &&
				v[strlen(dn)] == ' ';
		else
			match = strcasecmp(sp + 1, dn) == 0;
		if (!match)
			array_push_back(out, &v);
	}
}

static bool mus_inbox_same_set(const char *const *a, const ARRAY_TYPE(const_string) *b)
{
	const char *v;

	if (str_array_length(a) != array_count(b))
		return FALSE;
	array_foreach_elem(b, v) {
		if (!str_array_icase_find(a, v))
			return FALSE;
	}
	return TRUE;
}

/* a NULL-terminated copy of values, for struct mus_ldap_mod */
static const char *const *mus_inbox_list(const ARRAY_TYPE(const_string) *values)
{
	unsigned int count = array_count(values);
	const char **list = t_new(const char *, count + 1);

	if (count > 0)
		memcpy(list, array_front(values), sizeof(*list) * count);
	return list;
}

static bool mus_inbox_has_partstat(const ARRAY_TYPE(const_string) *values,
				   const char *partstat, const char *dn)
{
	const char *wanted = t_strdup_printf("%s %s", partstat, dn), *v;

	array_foreach_elem(values, v) {
		if (strcasecmp(v, wanted) == 0)
			return TRUE;
	}
	return FALSE;
}

static const char *mus_inbox_comment(const char *comment)
{
	string_t *str;

	if (comment == NULL)
		return NULL;
	str = t_str_new(strlen(comment) + 1);
	for (const char *p = comment; *p != '\0'; p++)
		str_append_c(str, *p == '\r' || *p == '\n' ? ' ' : *p);
	str_truncate_utf8(str, MUS_INBOX_COMMENT_MAX_LEN);
	comment = t_str_trim(str_c(str), " \t");
	return comment[0] == '\0' ? NULL : comment;
}

/* Write mods with an assertion on the entryCSN the conversation was read
   with. Returns 1 if written, 0 if another writer came first. */
static int mus_inbox_write(struct mus_inbox_ctx *ctx,
			   const struct mus_ldap_mod *mods, const char **error_r)
{
	return mus_ldap_modify(ctx->inbox->conn, ctx->conv->dn, mods,
			       mus_ldap_csn_assertion(ctx->conv->csn), error_r);
}

/* ---- iTIP ---- */

/* Statuses in which an invitation is out and answers count. */
static bool mus_inbox_invitation_open(enum mus_conv_status status)
{
	switch (status) {
	case MUS_CONV_SCHEDULED:
	case MUS_CONV_INVITED:
	case MUS_CONV_ACCEPTED:
	case MUS_CONV_FAILED:
	case MUS_CONV_RESCHEDULING:
		return TRUE;
	default:
		return FALSE;
	}
}

static int mus_inbox_reply(struct mus_inbox_ctx *ctx,
			   const struct mus_inbox_person *person,
			   const struct mus_reply_attendee *att,
			   const char **error_r)
{
	struct mus_conversation *conv = ctx->conv;
	ARRAY_TYPE(const_string) partstat, comments;
	struct mus_ldap_mod mods[5];
	enum mus_conv_status status = conv->status;
	const char *ps, *comment = mus_inbox_comment(att->comment);
	const struct mus_inbox_person *p;
	unsigned int n = 0;
	bool all_accepted = TRUE;

	switch (att->partstat) {
	case MUS_REPLY_PARTSTAT_ACCEPTED:
	case MUS_REPLY_PARTSTAT_DECLINED:
	case MUS_REPLY_PARTSTAT_TENTATIVE:
	case MUS_REPLY_PARTSTAT_NEEDS_ACTION:
		ps = mus_reply_partstat_name(att->partstat);
		break;
	default:
		mus_inbox_set(ctx, MUS_INBOX_INVALID, t_strdup_printf(
			"PARTSTAT %s is not an answer we take",
			mus_reply_partstat_name(att->partstat)));
		return 1;
	}
	t_array_init(&partstat, 8);
	mus_inbox_values_without(conv->partstat, person->dn, FALSE, &partstat);
	array_push_back(&partstat, (const char *[]){
		t_strdup_printf("%s %s", ps, person->dn) });
	t_array_init(&comments, 4);
	if (comment != NULL) {
		mus_inbox_values_without(conv->partstat_comments, person->dn,
					 TRUE, &comments);
		array_push_back(&comments, (const char *[]){
			t_strdup_printf("%s %s", person->dn, comment) });
	}

	array_foreach(&ctx->people, p)
		all_accepted = all_accepted &&
			mus_inbox_has_partstat(&partstat, "ACCEPTED", p->dn);
	i_zero(&mods);
	if (att->partstat == MUS_REPLY_PARTSTAT_DECLINED) {
		if (status != MUS_CONV_RESCHEDULING && conv->start != 0) {
			status = MUS_CONV_RESCHEDULING;
			mods[n].op = MUS_LDAP_MOD_ADD;
			mods[n].attr = "musDeclined";
			/* with the comment of this decline: a later answer
			   replaces musPartstatComment */
			mods[n++].values = mus_ldap_values1(
				mus_conversation_span_text(mus_conversation_span(
					conv->start, conv->end, person->dn), comment));
		}
	} else if (status != MUS_CONV_RESCHEDULING && status != MUS_CONV_FAILED) {
		status = all_accepted ? MUS_CONV_ACCEPTED :
			(status == MUS_CONV_ACCEPTED ? MUS_CONV_INVITED : status);
	}
	if (!mus_inbox_same_set(conv->partstat, &partstat)) {
		mods[n].attr = "musPartstat";
		mods[n++].values = mus_inbox_list(&partstat);
	}
	if (comment != NULL && !mus_inbox_same_set(conv->partstat_comments, &comments)) {
		mods[n].attr = "musPartstatComment";
		mods[n++].values = mus_inbox_list(&comments);
	}
	if (status != conv->status) {
		mods[n].attr = "musStatus";
		mods[n++].values = mus_ldap_values1(mus_conv_status_name(status));
	}
	if (n == 0) {
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED,
			      t_strdup_printf("%s from %s is in effect already",
					      ps, person->dn));
		return 1;
	}
	mus_inbox_set(ctx, MUS_INBOX_APPLIED, t_strdup_printf(
		"%s from %s%s", ps, person->dn,
		status != conv->status ? t_strdup_printf(
			", now %s", mus_conv_status_name(status)) : ""));
	return mus_inbox_write(ctx, mods, error_r);
}

static int mus_inbox_counter(struct mus_inbox_ctx *ctx,
			     const struct mus_inbox_person *person,
			     const char **error_r)
{
	const struct mus_reply *reply = ctx->reply;
	struct mus_ldap_mod mods[2];
	const char *value;

	if (ctx->conv->status == MUS_CONV_RESCHEDULING) {
		mus_inbox_set(ctx, MUS_INBOX_STALE,
			      "the conversation is being moved already");
		return 1;
	}
	value = mus_conversation_span(reply->counter_start, reply->counter_end,
				      person->dn);
	if (ctx->conv->counter != NULL &&
	    strcasecmp(ctx->conv->counter, value) == 0) {
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED,
			      "the same proposal is waiting already");
		return 1;
	}
	i_zero(&mods);
	mods[0].attr = "musCounter";
	mods[0].values = mus_ldap_values1(value);
	mus_inbox_set(ctx, MUS_INBOX_APPLIED, t_strdup_printf(
		"%s proposes %s-%s, for the next sync to decide", person->dn,
		mus_time_generalized(reply->counter_start),
		mus_time_generalized(reply->counter_end)));
	return mus_inbox_write(ctx, mods, error_r);
}

static int mus_inbox_refresh(struct mus_inbox_ctx *ctx,
			     const struct mus_inbox_person *person,
			     const char **error_r)
{
	struct mus_ldap_mod mods[2];

	if (person->mails[0] == NULL ||
	    str_array_icase_find(ctx->conv->refresh, person->mails[0])) {
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED,
			      "the invitation is on its way again already");
		return 1;
	}
	i_zero(&mods);
	mods[0].op = MUS_LDAP_MOD_ADD;
	mods[0].attr = "musRefresh";
	mods[0].values = mus_ldap_values1(person->mails[0]);
	mus_inbox_set(ctx, MUS_INBOX_APPLIED, t_strdup_printf(
		"%s asks for the invitation again; the next sync sends it",
		person->dn));
	return mus_inbox_write(ctx, mods, error_r);
}

/* Somebody declined the plan, asking for changes: the leader gets the
   comment (text/plan-declined.<lang>.txt), then the conversation waits for
   a new plan (plan-requested; the draft stays for reference, and
   musPlanDeclined keeps "<version> <time> <DN> <comment>"). The mail goes
   first, so a directory failure after it sends it again rather than
   never; the write asserts only that the plan is still this version, so
   a change meanwhile by somebody else (an approval) does not make us
   mail twice. */
static int mus_inbox_plan_declined(struct mus_inbox_ctx *ctx,
				   const struct mus_inbox_person *person,
				   const char **error_r)
{
	const struct mus_conversation *conv = ctx->conv;
	struct mus_inbox_person *leader = array_idx_modifiable(&ctx->people, 0);
	const char *comment = mus_inbox_comment(
		ctx->reply->attendees[0].comment);
	const char *subject, *body, *assertion, *version;
	struct mus_ldap_mod mods[3];
	enum mus_language lang;
	int ret;

	if (!leader->read && mus_inbox_read_person(ctx, leader, error_r) < 0)
		return -1;
	if (leader->mails == NULL || leader->mails[0] == NULL) {
		*error_r = t_strdup_printf("the leader %s has no mail address "
					   "to tell that the plan was declined",
					   leader->dn);
		return -1;
	}
	lang = mus_inbox_language(ctx->inbox, leader);
	version = dec2str(conv->plan_version);
	const struct mus_notice_var vars[] = {
		{ "name", person->cn },
		{ "version", version },
		{ "comment", comment != NULL ? comment :
		  MUS_L(lang, "(ingen kommentar)", "(no comment)") },
		{ "organizer", ctx->inbox->organizer },
		/* the leader answers with the new version: the reference
		   finds the conversation */
		{ "uid_short", mus_conversation_reference(conv) },
	};
	if (mus_invitation_render_notice(ctx->inbox->templates_dir,
					 "plan-declined", lang, vars,
					 N_ELEMENTS(vars), &subject, &body,
					 error_r) < 0 ||
	    ctx->inbox->send(FALSE, leader->mails[0], NULL, subject, body,
			     ctx->inbox->context, error_r) < 0)
		return -1;

	i_zero(&mods);
	mods[0].attr = "musStatus";
	mods[0].values = mus_ldap_values1(
		mus_conv_status_name(MUS_CONV_PLAN_REQUESTED));
	mods[1].op = MUS_LDAP_MOD_ADD;
	mods[1].attr = "musPlanDeclined";
	mods[1].values = mus_ldap_values1(t_strdup_printf("%s %s %s %s",
		version, mus_time_generalized(time(NULL)), person->dn,
		comment != NULL ? comment : ""));
	assertion = t_strdup_printf("(&(musStatus=plan-pending)(musPlanVersion=%s))",
				    version);
	ret = mus_ldap_modify(ctx->inbox->conn, conv->dn, mods, assertion,
			      error_r);
	if (ret < 0)
		return -1;
	if (ret == 0) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"%s declined plan version %s, which changed meanwhile "
			"(the leader was told)", person->dn, version));
		return 1;
	}
	mus_inbox_set(ctx, MUS_INBOX_APPLIED, t_strdup_printf(
		"%s declined plan version %s; the leader %s was told",
		person->dn, version, leader->dn));
	return 1;
}

/* An answer to the follow-up meeting, whose SEQUENCE is the version of the
   plan it carries: Accept approves that version. A client that leaves
   SEQUENCE out answers no version we sent (the first is 1). */
static int mus_inbox_followup_answer(struct mus_inbox_ctx *ctx,
				     const struct mus_inbox_person *person,
				     const char **error_r)
{
	const struct mus_reply *reply = ctx->reply;
	const struct mus_conversation *conv = ctx->conv;
	struct mus_ldap_mod mods[2];
	const char *ndn, *error;
	time_t when;

	if (reply->method != MUS_REPLY_METHOD_REPLY) {
		mus_inbox_set(ctx, MUS_INBOX_INVALID, t_strdup_printf(
			"METHOD:%s does not answer a plan's follow-up meeting",
			reply->method_name));
		return 1;
	}
	if (conv->unreadable || conv->status != MUS_CONV_PLAN_PENDING ||
	    reply->sequence < 0 ||
	    (unsigned int)reply->sequence != conv->plan_version) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"answers plan version %d of %s, which is %s at version %u",
			reply->sequence, conv->dn,
			mus_conv_status_name(conv->status), conv->plan_version));
		return 1;
	}
	switch (reply->attendees[0].partstat) {
	case MUS_REPLY_PARTSTAT_ACCEPTED:
		break;
	case MUS_REPLY_PARTSTAT_DECLINED:
		if (ctx->inbox->send == NULL) {
			mus_inbox_set(ctx, MUS_INBOX_DEFERRED,
				      "a plan declined, for the next sync to tell the leader");
			return 1;
		}
		return mus_inbox_plan_declined(ctx, person, error_r);
	default:
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED, t_strdup_printf(
			"PARTSTAT %s from %s neither approves nor declines the plan",
			mus_reply_partstat_name(reply->attendees[0].partstat),
			person->dn));
		return 1;
	}
	if (mus_ldap_dn_normalize(ctx->pool, person->dn, &ndn, &error) == 0 &&
	    mus_plan_approval_find(conv->plan_approvals,
				   conv->plan_version, ndn,
				   &when)) {
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED, t_strdup_printf(
			"%s approved plan version %u already",
			person->dn, conv->plan_version));
		return 1;
	}
	i_zero(&mods);
	mods[0].op = MUS_LDAP_MOD_ADD;
	mods[0].attr = "musPlanApproval";
	mods[0].values = mus_ldap_values1(mus_plan_approval_value(
		conv->plan_version, time(NULL), person->dn));
	mus_inbox_set(ctx, MUS_INBOX_APPLIED, t_strdup_printf(
		"%s approved plan version %u", person->dn, conv->plan_version));
	return mus_inbox_write(ctx, mods, error_r);
}

/* Returns 1 when decided (ctx->outcome), 0 if another writer changed the
   conversation meanwhile, -1 on error. */
static int mus_inbox_itip_once(struct mus_inbox_ctx *ctx, const char **error_r)
{
	const struct mus_reply *reply = ctx->reply;
	const struct mus_inbox_person *person;
	const char *address, *uid;
	int ret, current;

	uid = mus_ldap_filter_escape(reply->uid);
	ret = mus_inbox_find_conv(ctx, t_strdup_printf(
		"(&(objectClass=musConversation)(|(musICalUID=%s)(musFollowUpUID=%s)))",
		uid, uid), error_r);
	if (ret < 0)
		return -1;
	if (ret != 1) {
		mus_inbox_set(ctx, MUS_INBOX_UNKNOWN_UID, t_strdup_printf(
			"UID %s is not a conversation of ours", reply->uid));
		return 1;
	}
	mus_inbox_people(ctx);

	/* who answers: the one ATTENDEE of a REPLY or REFRESH, the sender
	   of a COUNTER (which may list every attendee) */
	address = reply->method == MUS_REPLY_METHOD_COUNTER ? reply->from :
		reply->attendees[0].address;
	if ((ret = mus_inbox_find_person(ctx, address, &person, error_r)) < 0)
		return -1;
	if (ret == 0) {
		mus_inbox_set(ctx, MUS_INBOX_PARTY_CRASHER, t_strdup_printf(
			"%s is not an attendee of %s", address == NULL ? "(nobody)" :
			address, ctx->conv->dn));
		return 1;
	}
	if (!mus_inbox_person_has(person, reply->from)) {
		mus_inbox_set(ctx, MUS_INBOX_SENDER_MISMATCH, t_strdup_printf(
			"the answer of %s came from %s, not one of their addresses",
			person->dn, reply->from == NULL ? "(no From)" : reply->from));
		return 1;
	}
	if (ctx->conv->followup_uid != NULL &&
	    strcmp(ctx->conv->followup_uid, reply->uid) == 0)
		return mus_inbox_followup_answer(ctx, person, error_r);
	if (ctx->conv->unreadable ||
	    !mus_inbox_invitation_open(ctx->conv->status) ||
	    ctx->conv->sent_sequence < 0) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"%s is %s%s", ctx->conv->dn,
			mus_conv_status_name(ctx->conv->status),
			ctx->conv->sent_sequence < 0 ? " and was never sent" : ""));
		return 1;
	}
	current = mus_conversation_answerable_sequence(ctx->conv);
	if (reply->sequence >= 0 && reply->sequence < current) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"answers SEQUENCE %d, the conversation is at %d",
			reply->sequence, current));
		return 1;
	}
	/* without a SEQUENCE, the time it answers tells an answer to an
	   invitation that has since moved; one that never moved (SEQUENCE
	   0) is answered whatever a client made of its time */
	if (reply->method == MUS_REPLY_METHOD_REPLY && reply->sequence < 0 &&
	    current > 0 && reply->start != 0 && ctx->conv->start != 0 &&
	    reply->start != ctx->conv->start) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"answers the time %s without a SEQUENCE, the conversation "
			"is at %s", mus_time_generalized(reply->start),
			mus_time_generalized(ctx->conv->start)));
		return 1;
	}
	switch (reply->method) {
	case MUS_REPLY_METHOD_REPLY:
		return mus_inbox_reply(ctx, person, &reply->attendees[0], error_r);
	case MUS_REPLY_METHOD_COUNTER:
		return mus_inbox_counter(ctx, person, error_r);
	case MUS_REPLY_METHOD_REFRESH:
		return mus_inbox_refresh(ctx, person, error_r);
	default:
		i_unreached();
	}
}

/* ---- card choices ---- */


/* 1 if the sender's address is a person's in the directory (read along
   with the conversation, or now), 0 if not, -1 on error. */
static int mus_inbox_sender_known(struct mus_inbox_ctx *ctx,
				  const char **error_r)
{
	struct mus_ldap_search sender;

	if (!ctx->senders_read) {
		mus_inbox_sender_search(ctx, &sender);
		if (mus_ldap_search_together(ctx->inbox->conn, &sender, 1,
					     error_r) < 0)
			return -1;
		ctx->senders_read = TRUE;
	}
	return array_count(&ctx->senders) > 0 ? 1 : 0;
}

/* Answer the sender's mail with the notice template name in lang (an
   auto-replied mail), if the sender is one of the directory's people.
   Returns 1 (also when not answered), or -1 on failure. */
static int mus_inbox_answer_sender(struct mus_inbox_ctx *ctx, const char *name,
				   enum mus_language lang,
				   const struct mus_notice_var *vars,
				   unsigned int count, const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	const char *subject, *body;
	int ret;

	/* answers go to people of the directory only: a forged From must
	   not make the organizer a sender of backscatter */
	if (inbox->people_base != NULL &&
	    (ret = mus_inbox_sender_known(ctx, error_r)) <= 0)
		return ret < 0 ? -1 : 1;
	if (mus_invitation_render_notice(inbox->templates_dir, name, lang,
					 vars, count, &subject, &body,
					 error_r) < 0 ||
	    inbox->send(TRUE, ctx->reply->from, ctx->reply->message_id,
			subject, body, inbox->context,
			error_r) < 0)
		return -1;
	return 1;
}

/* Tell the sender what was wrong (text/cards-refused.<lang>.txt); 1 when
   sent or nobody can be told, -1 on failure. */
static int mus_inbox_answer(struct mus_inbox_ctx *ctx, enum mus_language lang,
			    const char *uid_short,
			    const ARRAY_TYPE(const_string) *problems,
			    const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	const char *problem, *keyword;
	string_t *list = t_str_new(256);

	mus_inbox_set(ctx, MUS_INBOX_CARDS_REFUSED, t_strdup_printf(
		"card choice from %s refused: %s",
		ctx->reply->from == NULL ? "(no From)" : ctx->reply->from,
		t_strarray_join(mus_inbox_list(problems), "; ")));
	if (ctx->reply->from == NULL) {
		/* nobody to tell */
		return 1;
	}
	array_foreach_elem(problems, problem) {
		if (str_len(list) > 0)
			str_append_c(list, '\n');
		str_printfa(list, "- %s", problem);
	}
	keyword = MUS_L(lang, MUS_INVITATION_CARDS_KEYWORD_DA,
			MUS_INVITATION_CARDS_KEYWORD_EN);
	const struct mus_notice_var vars[] = {
		{ "subject", ctx->reply->subject == NULL ||
		  ctx->reply->subject[0] == '\0' ? MUS_L(lang,
			MUS_INVITATION_CARDS_SUBJECT_DA,
			MUS_INVITATION_CARDS_SUBJECT_EN) :
		  mus_reply_subject_base(ctx->reply->subject) },
		{ "problems", str_c(list) },
		{ "organizer", inbox->organizer },
		{ "cards_subject", t_strdup_printf("%s %s", MUS_L(lang,
			MUS_INVITATION_CARDS_SUBJECT_DA,
			MUS_INVITATION_CARDS_SUBJECT_EN),
			uid_short == NULL ? "..." : uid_short) },
		{ "cards_example", t_strdup_printf("%s: %s", keyword, MUS_L(lang,
			"kode1, kode2", "code1, code2")) },
		{ "max_chosen", dec2str(MUS_CARDS_MAX_CHOSEN) },
	};
	return mus_inbox_answer_sender(ctx, "cards-refused", lang, vars,
				       N_ELEMENTS(vars), error_r);
}

static int mus_inbox_refuse(struct mus_inbox_ctx *ctx, enum mus_language lang,
			    const char *uid_short, const char *problem,
			    const char **error_r)
{
	ARRAY_TYPE(const_string) problems;

	t_array_init(&problems, 1);
	array_push_back(&problems, &problem);
	return mus_inbox_answer(ctx, lang, uid_short, &problems, error_r);
}

static const char *const mus_inbox_round_attrs[] = { "musKind", "musCard", NULL };

struct mus_inbox_round {
	pool_t pool;
	bool group;
	const char *const *cards;
};

static int mus_inbox_round_entry(const struct mus_ldap_entry *entry,
				 void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_inbox_round *round = context;
	const char *kind = mus_ldap_entry_value(entry, "musKind");
	const char *const *cards = mus_ldap_entry_values(entry, "musCard");
	const char **copy = p_new(round->pool, const char *,
				  str_array_length(cards) + 1);

	round->group = mus_round_kind_name_is_group(kind);
	for (unsigned int i = 0; cards[i] != NULL; i++)
		copy[i] = p_strdup(round->pool, cards[i]);
	round->cards = copy;
	return 0;
}

/* the problems of a choice of codes, in lang */
static void mus_inbox_check_codes(struct mus_inbox_ctx *ctx,
				  enum mus_language lang,
				  const struct mus_inbox_round *round,
				  const struct mus_card_choice *choice,
				  ARRAY_TYPE(const_string) *problems)
{
	unsigned int chosen = 0;

	for (unsigned int i = 0; i < choice->code_count; i++) {
		const char *code = choice->codes[i];
		const struct mus_card *card = mus_cards_find(ctx->inbox->cards, code);
		const char *problem = NULL;

		if (card == NULL) {
			problem = t_strdup_printf(MUS_L(lang,
				"\"%s\" er ikke koden på et samtalekort",
				"\"%s\" is not the code of a conversation card"), code);
		} else if (round->group && card->group_excluded) {
			problem = t_strdup_printf(MUS_L(lang,
				"kortet \"%s\" bruges ikke i gruppe- og teamsamtaler",
				"the card \"%s\" is not used in group and team conversations"),
				card->title[lang]);
		} else if (!card->mandatory &&
			   !str_array_icase_find(round->cards, code)) {
			chosen++;
		}
		if (problem != NULL)
			array_push_back(problems, &problem);
	}
	if (chosen > MUS_CARDS_MAX_CHOSEN) {
		const char *problem = t_strdup_printf(MUS_L(lang,
			"du kan vælge højst %u kort, ikke %u",
			"you can choose at most %u cards, not %u"),
			MUS_CARDS_MAX_CHOSEN, chosen);
		array_push_back(problems, &problem);
	}
}

static int mus_inbox_cards_once(struct mus_inbox_ctx *ctx,
				const struct mus_card_choice *choice,
				const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	struct mus_inbox_round round;
	const struct mus_inbox_person *person;
	ARRAY_TYPE(const_string) problems, codes;
	struct mus_ldap_mod mods[2];
	enum mus_language lang = choice->language;
	const char *round_dn;
	int ret;

	ret = mus_inbox_find_conv(ctx, t_strdup_printf(
		"(&(objectClass=musConversation)(musICalUID=%s*))",
		mus_ldap_filter_escape(choice->uid_short)), error_r);
	if (ret < 0)
		return -1;
	if (ret != 1) {
		return mus_inbox_refuse(ctx, lang, choice->uid_short,
			t_strdup_printf(ret == 0 ? MUS_L(lang,
				"ingen samtale har referencen \"%s\"",
				"no conversation has the reference \"%s\"") :
				MUS_L(lang,
				"referencen \"%s\" passer på flere samtaler",
				"the reference \"%s\" matches several conversations"),
				choice->uid_short), error_r);
	}
	mus_inbox_people(ctx);
	if ((ret = mus_inbox_find_person(ctx, ctx->reply->from, &person, error_r)) < 0)
		return -1;
	if (ret == 0) {
		/* strangers are told nothing about the conversation */
		mus_inbox_set(ctx, MUS_INBOX_PARTY_CRASHER, t_strdup_printf(
			"card choice from %s, who is not in %s",
			ctx->reply->from == NULL ? "(no From)" : ctx->reply->from,
			ctx->conv->dn));
		return 1;
	}
	lang = mus_inbox_language(inbox, person);
	if (ctx->conv->unreadable ||
	    (!mus_inbox_invitation_open(ctx->conv->status) &&
	     ctx->conv->status != MUS_CONV_NEW &&
	     ctx->conv->status != MUS_CONV_UNSCHEDULABLE)) {
		return mus_inbox_refuse(ctx, lang, choice->uid_short,
			t_strdup_printf(MUS_L(lang,
				"samtalen er %s, og kortene kan ikke længere ændres",
				"the conversation is %s, and its cards can no longer change"),
				mus_conv_status_name(ctx->conv->status)), error_r);
	}

	i_zero(&round);
	round.pool = ctx->pool;
	round_dn = mus_ldap_dn_parent(ctx->conv->dn);
	if (round_dn == NULL ||
	    (ret = mus_ldap_read(inbox->conn, round_dn, mus_inbox_round_attrs,
				 mus_inbox_round_entry, &round, error_r)) < 0)
		return -1;
	if (ret == 0) {
		*error_r = t_strdup_printf("the round %s of %s is gone",
					   round_dn, ctx->conv->dn);
		return -1;
	}
	t_array_init(&problems, 4);
	mus_inbox_check_codes(ctx, lang, &round, choice, &problems);
	if (array_count(&problems) > 0)
		return mus_inbox_answer(ctx, lang, choice->uid_short, &problems,
					error_r);

	t_array_init(&codes, choice->code_count + 1);
	for (unsigned int i = 0; i < choice->code_count; i++)
		array_push_back(&codes, &choice->codes[i]);
	if (mus_inbox_same_set(person->leader ? ctx->conv->cards_leader :
			       ctx->conv->cards_employee, &codes)) {
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED, t_strdup_printf(
			"the cards of %s are chosen already", person->dn));
		return 1;
	}
	i_zero(&mods);
	mods[0].attr = person->leader ? "musCardLeader" : "musCardEmployee";
	mods[0].values = mus_inbox_list(&codes);
	mus_inbox_set(ctx, MUS_INBOX_APPLIED, t_strdup_printf(
		"%s chose the cards %s", person->dn,
		t_strarray_join(choice->codes, ", ")));
	return mus_inbox_write(ctx, mods, error_r);
}

/* ---- plans ---- */

/* Tell the leader what is wrong with the plan
   (text/plan-problems.<lang>.txt). Returns 1, or -1 on failure. */
static int mus_inbox_plan_answer(struct mus_inbox_ctx *ctx,
				 const struct mus_plan_problems *problems,
				 const char **error_r)
{
	const char *uid_short = mus_conversation_reference(ctx->conv);
	const struct mus_notice_var vars[] = {
		{ "subject", mus_reply_subject_base(ctx->reply->subject) },
		{ "problems", mus_plan_problems_format(problems) },
		{ "uid_short", uid_short },
	};

	mus_inbox_set(ctx, MUS_INBOX_PLAN_REFUSED, t_strdup_printf(
		"the plan for %s from %s has %u problem(s); the leader was told",
		ctx->conv->dn, ctx->reply->from, array_count(&problems->list)));
	return mus_inbox_answer_sender(ctx, "plan-problems", problems->language,
				       vars, N_ELEMENTS(vars), error_r);
}

/* ---- done-mails ---- */

static int mus_inbox_done(struct mus_inbox_ctx *ctx, const char *reference,
			  const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	enum mus_language lang = inbox->language;
	enum mus_done_outcome outcome;
	const char *detail;

	if (inbox->plan_bases == NULL || inbox->send == NULL) {
		mus_inbox_set(ctx, MUS_INBOX_DEFERRED, "a done-mail, for the next sync");
		return 1;
	}
	if (mus_done_apply(inbox->conn, inbox->plan_bases, reference,
			   ctx->reply->from, time(NULL), &outcome, &detail,
			   error_r) < 0)
		return -1;
	switch (outcome) {
	case MUS_DONE_APPLIED:
		mus_inbox_set(ctx, MUS_INBOX_APPLIED, detail);
		return 1;
	case MUS_DONE_UNCHANGED:
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED, detail);
		return 1;
	case MUS_DONE_UNKNOWN:
		mus_inbox_set(ctx, MUS_INBOX_UNKNOWN_UID, detail);
		break;
	case MUS_DONE_NOT_ALLOWED:
		mus_inbox_set(ctx, MUS_INBOX_PARTY_CRASHER, detail);
		break;
	}
	if (ctx->reply->from == NULL)
		return 1;
	/* in the sender's language, when the directory knows them (only
	   they are answered) */
	if (inbox->people_base != NULL) {
		int known = mus_inbox_sender_known(ctx, error_r);

		if (known < 0)
			return -1;
		if (known > 0)
			lang = mus_inbox_language(inbox, array_idx(&ctx->senders, 0));
	}
	/* what went wrong, but not whose activity it is: the log's detail
	   names the plan, and so the employee and the leader */
	const struct mus_notice_var vars[] = {
		{ "subject", mus_reply_subject_base(ctx->reply->subject) },
		{ "problem", outcome == MUS_DONE_UNKNOWN ?
			t_strdup_printf(MUS_L(lang,
				"ingen aktivitet har referencen \"%s\"",
				"no activity has the reference \"%s\""), reference) :
			MUS_L(lang,
				"din adresse er ikke medarbejderens, lederens eller den ansvarliges",
				"your address is not the employee's, the leader's or the responsible person's") },
		{ "organizer", inbox->organizer },
	};
	return mus_inbox_answer_sender(ctx, "done-refused", lang,
				       vars, N_ELEMENTS(vars), error_r);
}

static int mus_inbox_plan_once(struct mus_inbox_ctx *ctx, const char *uid_short,
			       const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	const struct mus_inbox_person *person;
	struct mus_plan_problems problems;
	const struct mus_plan_team *team;
	struct mus_plan *plan;
	enum mus_plan_draft_result result;
	unsigned int version, minute;
	int ret, today;

	ret = mus_inbox_find_conv(ctx, t_strdup_printf(
		"(&(objectClass=musConversation)(musICalUID=%s*))",
		mus_ldap_filter_escape(uid_short)), error_r);
	if (ret < 0)
		return -1;
	if (ret != 1 || (!mus_plan_draft_open(ctx->conv) &&
			 ctx->conv->status != MUS_CONV_APPROVED)) {
		mus_inbox_set(ctx, MUS_INBOX_NOT_OURS, t_strdup_printf(
			"the reference [%s] names no conversation that waits for a plan",
			uid_short));
		return 1;
	}
	mus_inbox_people(ctx);
	if ((ret = mus_inbox_find_person(ctx, ctx->reply->from, &person,
					 error_r)) < 0)
		return -1;
	if (ret == 0 || !person->leader) {
		mus_inbox_set(ctx, MUS_INBOX_SENDER_MISMATCH, t_strdup_printf(
			"a plan for %s from %s, who is not its leader",
			ctx->conv->dn, ctx->reply->from == NULL ? "(no From)" :
			ctx->reply->from));
		return 1;
	}
	if (!mus_plan_draft_open(ctx->conv)) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"a plan for %s, which is %s", ctx->conv->dn,
			mus_conv_status_name(ctx->conv->status)));
		return 1;
	}
	if (mus_plan_draft_team(inbox->conn, ctx->pool, ctx->conv, &team,
				error_r) < 0)
		return -1;
	mus_time_to_local(inbox->timezone, time(NULL), &today, &minute);
	mus_plan_problems_init(&problems, ctx->pool,
			       mus_inbox_language(inbox, person));
	if (mus_plan_text_parse(ctx->reply->body_text, ctx->reply->body_html,
				today, team, &problems, &plan) < 0)
		return mus_inbox_plan_answer(ctx, &problems, error_r);
	ret = mus_plan_draft_store(inbox->conn, ctx->conv, plan, &result,
				   &version, error_r);
	if (ret <= 0)
		return ret;
	switch (result) {
	case MUS_PLAN_DRAFT_STORED:
		mus_inbox_set(ctx, MUS_INBOX_PLAN_RECEIVED, t_strdup_printf(
			"the plan for %s from %s, stored as version %u",
			ctx->conv->dn, person->dn, version));
		break;
	case MUS_PLAN_DRAFT_UNCHANGED:
		mus_inbox_set(ctx, MUS_INBOX_UNCHANGED, t_strdup_printf(
			"%s holds this plan already (version %u)",
			ctx->conv->dn, version));
		break;
	case MUS_PLAN_DRAFT_STALE:
		i_unreached();
	}
	return 1;
}

/* ---- competence forms ---- */

/* The sender's answer could not be read: tell them each problem
   (text/competence-problems.<lang>.txt). Returns 1, or -1 on failure. */
static int mus_inbox_competence_answer(struct mus_inbox_ctx *ctx,
				       const struct mus_plan_problems *problems,
				       const char **error_r)
{
	const struct mus_notice_var vars[] = {
		{ "subject", mus_reply_subject_base(ctx->reply->subject) },
		{ "problems", mus_plan_problems_format(problems) },
		{ "levels", mus_competence_form_levels(problems->language) },
		{ "uid_short", mus_conversation_reference(ctx->conv) },
	};

	mus_inbox_set(ctx, MUS_INBOX_ASSESSMENT_REFUSED, t_strdup_printf(
		"the competence form for %s from %s has %u problem(s); the sender was told",
		ctx->conv->dn, ctx->reply->from, array_count(&problems->list)));
	return mus_inbox_answer_sender(ctx, "competence-problems",
				       problems->language, vars,
				       N_ELEMENTS(vars), error_r);
}

static int mus_inbox_competence_once(struct mus_inbox_ctx *ctx,
				     const char *uid_short, const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	const struct mus_inbox_person *person;
	struct mus_plan_problems problems;
	ARRAY_TYPE(mus_assessment_item) items;
	struct mus_profile *profile;
	enum mus_assessment_result result;
	int ret;

	ret = mus_inbox_find_conv(ctx, t_strdup_printf(
		"(&(objectClass=musConversation)(musICalUID=%s*))",
		mus_ldap_filter_escape(uid_short)), error_r);
	if (ret < 0)
		return -1;
	if (ret != 1 || ctx->conv->job_profile_ref == NULL) {
		mus_inbox_set(ctx, MUS_INBOX_NOT_OURS, t_strdup_printf(
			"the reference [%s] names no conversation whose competence form was sent",
			uid_short));
		return 1;
	}
	mus_inbox_people(ctx);
	if ((ret = mus_inbox_find_person(ctx, ctx->reply->from, &person,
					 error_r)) < 0)
		return -1;
	if (ret == 0) {
		mus_inbox_set(ctx, MUS_INBOX_SENDER_MISMATCH, t_strdup_printf(
			"a competence form for %s from %s, who is neither its employee nor its leader",
			ctx->conv->dn, ctx->reply->from == NULL ? "(no From)" :
			ctx->reply->from));
		return 1;
	}
	if (ctx->conv->status == MUS_CONV_CANCELLED) {
		mus_inbox_set(ctx, MUS_INBOX_STALE, t_strdup_printf(
			"a competence form for %s, which is cancelled", ctx->conv->dn));
		return 1;
	}
	ret = mus_profile_read(inbox->conn, ctx->pool, ctx->conv->job_profile_ref,
			       &profile, error_r);
	if (ret < 0)
		return -1;
	if (ret == 0 || profile->problem != NULL) {
		mus_inbox_set(ctx, MUS_INBOX_INVALID, t_strdup_printf(
			"a competence form for %s, whose job profile %s %s",
			ctx->conv->dn, ctx->conv->job_profile_ref, ret == 0 ?
			"is gone" : profile->problem));
		return 1;
	}
	mus_plan_problems_init(&problems, ctx->pool,
			       mus_inbox_language(inbox, person));
	if (mus_competence_form_parse(ctx->reply->body_text,
				      ctx->reply->body_html, profile,
				      &problems, &items) < 0)
		return mus_inbox_competence_answer(ctx, &problems, error_r);
	ret = mus_assessment_store(inbox->conn, ctx->conv, person->leader,
				   &items, person->dn, time(NULL), &result,
				   error_r);
	if (ret <= 0)
		return ret;
	mus_inbox_set(ctx, result == MUS_ASSESSMENT_STORED ?
		      MUS_INBOX_ASSESSMENT_RECEIVED : MUS_INBOX_UNCHANGED,
		      t_strdup_printf("the %s assessment of %s from %s%s",
				      person->leader ? "leader's" : "employee's",
				      ctx->conv->dn, person->dn,
				      result == MUS_ASSESSMENT_STORED ?
				      ", stored" : ", which it holds already"));
	return 1;
}

/* ---- the message ---- */

static int mus_inbox_apply_once(struct mus_inbox_ctx *ctx, const char **error_r)
{
	const struct mus_inbox *inbox = ctx->inbox;
	const struct mus_reply *reply = ctx->reply;
	struct mus_card_choice choice;
	const char *error, *uid_short, *reference;
	int ret;

	switch (reply->method) {
	case MUS_REPLY_METHOD_REPLY:
	case MUS_REPLY_METHOD_COUNTER:
	case MUS_REPLY_METHOD_REFRESH:
		return mus_inbox_itip_once(ctx, error_r);
	case MUS_REPLY_METHOD_OTHER:
		mus_inbox_set(ctx, MUS_INBOX_INVALID, t_strdup_printf(
			"METHOD:%s is not sent to an organizer", reply->method_name));
		return 1;
	case MUS_REPLY_METHOD_NONE:
		break;
	}
	if (reply->tnef_only) {
		mus_inbox_set(ctx, MUS_INBOX_INVALID,
			      "Outlook's TNEF (winmail.dat) without iCalendar is not read");
		return 1;
	}
	if (mus_done_parse(reply->subject, reply->body_text, reply->body_html,
			   &reference) > 0)
		return mus_inbox_done(ctx, reference, error_r);
	ret = mus_reply_parse_cards(reply->subject, reply->body_text,
				    reply->body_html, ctx->pool, &choice, &error);
	if (ret == 0) {
		/* a reply to the plan form, or ordinary mail */
		uid_short = mus_reply_subject_reference(reply->subject);
		if (uid_short == NULL) {
			mus_inbox_set(ctx, MUS_INBOX_NOT_OURS,
				      "no calendar reply, no card choice, no plan");
			return 1;
		}
		if (inbox->send == NULL) {
			mus_inbox_set(ctx, MUS_INBOX_DEFERRED,
				      "maybe a plan or a competence form, for the next sync");
			return 1;
		}
		if (mus_competence_form_subject(reply->subject))
			return mus_inbox_competence_once(ctx, uid_short, error_r);
		return mus_inbox_plan_once(ctx, uid_short, error_r);
	}
	if (inbox->cards == NULL || inbox->send == NULL) {
		mus_inbox_set(ctx, MUS_INBOX_DEFERRED, "a card choice, for the next sync");
		return 1;
	}
	if (ret < 0) {
		/* the answer is in the language of the problem: the mail's */
		return mus_inbox_refuse(ctx, choice.language, NULL,
					t_strdup(error), error_r);
	}
	return mus_inbox_cards_once(ctx, &choice, error_r);
}

int mus_inbox_apply(const struct mus_inbox *inbox, const struct mus_reply *reply,
		    int parse_ret, const char *parse_error,
		    enum mus_inbox_outcome *outcome_r, const char **detail_r,
		    const char **error_r)
{
	struct mus_inbox_ctx ctx;
	int ret = 0;

	i_zero(&ctx);
	ctx.inbox = inbox;
	ctx.reply = reply;
	if (parse_ret < 0) {
		*outcome_r = MUS_INBOX_INVALID;
		*detail_r = t_strdup(parse_error);
		return 0;
	}
	if (reply->from != NULL && strcasecmp(reply->from, inbox->organizer) == 0) {
		/* our own mail coming back (a copy, a loop): never a reply */
		*outcome_r = MUS_INBOX_NOT_OURS;
		*detail_r = "sent by the organizer address itself";
		return 0;
	}
	ctx.pool = pool_alloconly_create("mus inbox", 4096);
	p_array_init(&ctx.senders, ctx.pool, 2);
	for (unsigned int attempt = 0; ret == 0; attempt++) {
		if (attempt == MUS_INBOX_MAX_ATTEMPTS) {
			*error_r = t_strdup_printf(
				"the conversation kept changing while the message was applied (%u attempts)",
				attempt);
			ret = -1;
			break;
		}
		ctx.conv = NULL;
		ret = mus_inbox_apply_once(&ctx, error_r);
	}
	if (ret > 0) {
		*outcome_r = ctx.outcome;
		*detail_r = ctx.detail;
	}
	pool_unref(&ctx.pool);
	return ret < 0 ? -1 : 0;
}
