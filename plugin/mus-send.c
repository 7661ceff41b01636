/* Sending the invitations of a round. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "str.h"
#include "hex-binary.h"
#include "sha2.h"
#include "mus-settings.h"
#include "mus-ldap.h"
#include "mus-org.h"
#include "mus-round.h"
#include "mus-cards.h"
#include "mus-file.h"
#include "mus-itip.h"
#include "mus-invitation.h"
#include "mus-reason.h"
#include "mus-message.h"
#include "mus-smtp.h"
#include "mus-time.h"
#include "mus-plan-draft.h"
#include "mus-plan-mail.h"
#include "mus-plan-approval.h"
#include "mus-followup-time.h"
#include "mus-freebusy.h"
#include "mus-profile.h"
#include "mus-competence-card.h"
#include "mus-people.h"
#include "mus-send.h"

#include <ctype.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* after this many temporary failures in a row the MTA is taken as down */
#define MUS_SEND_MAX_TEMPFAILS 3
#define MUS_SEND_CARD_MAX_SIZE (1024 * 1024)

enum mus_send_action {
	MUS_SEND_NOTHING = 0,
	MUS_SEND_REQUEST,
	MUS_SEND_CANCEL,
	/* to the attendee whose proposal of a new time was refused */
	MUS_SEND_DECLINECOUNTER,
	/* the follow-up meeting of a plan waiting for approval */
	MUS_SEND_FOLLOWUP,
};

/* The busy periods of one calFBURL, or why it could not be read. */
struct mus_send_fb {
	ARRAY(struct mus_followup_busy) periods;
	const char *error;
};

struct mus_send_ctx {
	const struct mus_send *send;
	struct mus_send_result *result;
	struct mus_smtp *smtp;
	/* reads calFBURL for follow-up meetings; created on first use */
	struct mus_freebusy *fb;
	unsigned int tempfails;
	/* why the last temporary failure happened */
	char *tempfail_reason;
	bool smtp_down;
	/* card file path -> contents, read once per run */
	pool_t pool;
	HASH_TABLE(const char *, buffer_t *) files;
	/* job profile DN (lower case) -> profile, read once per run (NULL:
	   none there) */
	HASH_TABLE(const char *, struct mus_profile *) profiles;
	/* calFBURL -> its busy time, fetched once per run: a leader has a
	   follow-up meeting for each of their employees */
	HASH_TABLE(const char *, struct mus_send_fb *) fbs;
	/* normalised DN -> a person of a withdrawn conversation who is not
	   among the round's people, read once per run (NULL: not in the
	   directory) */
	HASH_TABLE(const char *, struct mus_person *) outsiders;
	unsigned int done, total;
};

/* One conversation being sent. */
struct mus_send_conv {
	const struct mus_conversation *conv;
	enum mus_send_action action;
	const struct mus_person *leader;
	ARRAY(const struct mus_person *) members;
	/* CANCEL: the names of employees no longer in the directory; the
	   text names them, nothing goes to them */
	ARRAY_TYPE(const_string) gone;
	ARRAY_TYPE(mus_card_p) cards;
	ARRAY(enum mus_card_origin) origins;
	ARRAY_TYPE(mus_card_p) choosable;
	/* REQUEST: the competence spider, when the employee has answered */
	struct mus_competence_card card;
	bool has_card;
	const char *digest;
	/* the meeting: the conversation, or its follow-up meeting */
	const char *uid;
	time_t start, end;
	unsigned int sequence;
	/* FOLLOWUP: the plan to approve */
	const struct mus_plan *plan;
	/* DECLINECOUNTER: what was proposed and why it was refused */
	time_t proposed_start, proposed_end;
	const char *refused;
	/* REQUEST: sent again to an attendee who asked for it (REFRESH) */
	bool refresh;
};

static enum mus_send_action mus_send_action(const struct mus_conversation *conv)
{
	if (conv->unreadable)
		return MUS_SEND_NOTHING;
	switch (conv->status) {
	case MUS_CONV_SCHEDULED:
	case MUS_CONV_INVITED:
	case MUS_CONV_ACCEPTED:
	case MUS_CONV_FAILED:
		return conv->start != 0 && conv->ical_uid != NULL ?
			MUS_SEND_REQUEST : MUS_SEND_NOTHING;
	case MUS_CONV_CANCELLED:
		return conv->sent_sequence >= 0 ? MUS_SEND_CANCEL :
			MUS_SEND_NOTHING;
	case MUS_CONV_UNSCHEDULABLE:
		/* declined and no new time found: what the attendees have
		   is withdrawn (sync keeps its time for this) */
		return conv->sent_sequence >= 0 && conv->start != 0 ?
			MUS_SEND_CANCEL : MUS_SEND_NOTHING;
	default:
		return MUS_SEND_NOTHING;
	}
}

static bool mus_codes_contain(const char *const *codes, const char *code)
{
	for (; codes != NULL && *codes != NULL; codes++) {
		if (strcasecmp(*codes, code) == 0)
			return TRUE;
	}
	return FALSE;
}

static void mus_send_cards(struct mus_send_ctx *ctx, struct mus_send_conv *sc)
{
	const struct mus_send *send = ctx->send;
	bool group = mus_round_is_group(send->round->kind);
	ARRAY_TYPE(const_string) problems;
	const struct mus_card *card;
	const char *problem;

	t_array_init(&sc->cards, 16);
	t_array_init(&sc->origins, 16);
	t_array_init(&sc->choosable, 32);
	t_array_init(&problems, 4);
	(void)mus_cards_select(send->cards, group, send->round->cards,
			       sc->conv->cards_leader, sc->conv->cards_employee,
			       &sc->cards, &problems);
	array_foreach_elem(&problems, problem)
		send->log(t_strdup_printf("round %s: %s: %s", send->round->name,
					  sc->conv->cn, problem), send->context);
	array_foreach_elem(&sc->cards, card) {
		enum mus_card_origin origin =
			card->mandatory ? MUS_CARD_ORIGIN_MANDATORY :
			mus_codes_contain(send->round->cards, card->code) ?
			MUS_CARD_ORIGIN_LMU :
			mus_codes_contain(sc->conv->cards_leader, card->code) ?
			MUS_CARD_ORIGIN_LEADER : MUS_CARD_ORIGIN_EMPLOYEE;

		array_push_back(&sc->origins, &origin);
	}
	for (unsigned int i = 0; i < mus_cards_count(send->cards); i++) {
		bool selected = FALSE;
		const struct mus_card *c;

		card = mus_cards_idx(send->cards, i);
		if (card->mandatory || (group && card->group_excluded))
			continue;
		array_foreach_elem(&sc->cards, c)
			selected = selected || c == card;
		if (!selected)
			array_push_back(&sc->choosable, &card);
	}
}

/* what the attendees must have; a change means a new SEQUENCE */
static const char *mus_send_digest(const struct mus_send_ctx *ctx,
				   const struct mus_send_conv *sc)
{
	unsigned char digest[SHA256_RESULTLEN];
	const struct mus_person *member;
	const struct mus_card *card;
	string_t *str = t_str_new(256);

	if (sc->action == MUS_SEND_CANCEL)
		return "cancel";
	i_assert(sc->action == MUS_SEND_REQUEST);
	str_printfa(str, "request\n%ld\n%ld\n%s\n%s\n", (long)sc->conv->start,
		    (long)sc->conv->end,
		    ctx->send->round->location == NULL ? "" :
		    ctx->send->round->location, sc->leader->mails[0]);
	array_foreach_elem(&sc->members, member)
		str_printfa(str, "%s\n", member->mails[0]);
	array_foreach_elem(&sc->cards, card)
		str_printfa(str, "card %s\n", card->code);
	if (sc->has_card)
		mus_competence_card_digest(&sc->card, str);
	sha256_get_digest(str_data(str), str_len(str), digest);
	return binary_to_hex(digest, 16);
}

/* sent_to: musSentTo or musFollowUpSentTo values */
static bool mus_send_recipient_done(const char *const *sent_to,
				    unsigned int sequence, const char *mail)
{
	const char *value = t_strdup_printf("%u %s", sequence, mail);

	for (unsigned int i = 0; sent_to[i] != NULL; i++) {
		if (strcasecmp(sent_to[i], value) == 0)
			return TRUE;
	}
	return FALSE;
}

static enum mus_language mus_send_language(const struct mus_send_ctx *ctx,
					   const struct mus_person *person)
{
	if (person->language != NULL)
		return strncasecmp(person->language, "en", 2) == 0 ?
			MUS_LANGUAGE_EN : MUS_LANGUAGE_DA;
	return ctx->send->set->language;
}

static const buffer_t *mus_send_file(struct mus_send_ctx *ctx, const char *path,
				     const char **error_r)
{
	buffer_t *buf = hash_table_lookup(ctx->files, path);
	const char *data;
	size_t size;

	if (buf != NULL)
		return buf;
	if (mus_file_read(path, MUS_SEND_CARD_MAX_SIZE, &data, &size, error_r) < 0)
		return NULL;
	buf = buffer_create_dynamic(ctx->pool, size);
	buffer_append(buf, data, size);
	hash_table_insert(ctx->files, (const char *)p_strdup(ctx->pool, path), buf);
	return buf;
}

/* A refused proposal: the subject says so and the body starts with why;
   the rest is the invitation as it stands. */
/* A refused proposal: the notice (text/declinecounter.<lang>.txt) gives
   the subject and goes before the invitation as it stands. */
/* The notice text/<name>.<lang>.txt before the invitation's text, and
   its subject for the invitation's. */
static int mus_send_prepend_notice(const struct mus_send *send,
				   const char *name, enum mus_language lang,
				   const struct mus_notice_var *vars,
				   unsigned int count,
				   struct mus_invitation_text *text,
				   const char **error_r)
{
	const char *subject, *notice;

	if (mus_invitation_render_notice(send->set->templates_dir, name, lang,
					 vars, count, &subject, &notice,
					 error_r) < 0)
		return -1;
	text->subject = subject;
	text->body_text = t_strconcat(notice, "\n", text->body_text, NULL);
	text->body_html = t_strconcat("<p>", mus_invitation_html_escape(notice),
				      "</p>", text->body_html, NULL);
	return 0;
}

static int mus_send_declinecounter_text(const struct mus_send *send,
					const struct mus_send_conv *sc,
					enum mus_language lang,
					struct mus_invitation_text *text,
					const char **error_r)
{
	const struct mus_notice_var vars[] = {
		{ "subject", text->subject },
		{ "proposed", mus_invitation_when(lang, send->set->timezone,
						  sc->proposed_start,
						  sc->proposed_end) },
		{ "reason", mus_reason_text(sc->refused, lang) },
	};

	return mus_send_prepend_notice(send, "declinecounter", lang, vars,
				       N_ELEMENTS(vars), text, error_r);
}

/* The times of sc's conversation that were declined, one a line: when,
   who, and their comment (musDeclined); NULL if none. Decliners wrote to
   the organizer, as calendars do: the leader reads it here. */
static const char *mus_send_declines(const struct mus_send_ctx *ctx,
				     const struct mus_send_conv *sc,
				     enum mus_language lang)
{
	const struct mus_conversation *conv = sc->conv;
	string_t *list = t_str_new(128);

	for (unsigned int i = 0; conv->declined[i] != NULL; i++) {
		const struct mus_person *person;
		const char *dn, *ndn, *comment, *error;
		time_t start, end;

		if (!mus_conversation_parse_span(conv->declined[i], &start,
						 &end, &dn, &comment) ||
		    (start == sc->start && end == sc->end))
			continue;
		person = mus_ldap_dn_normalize(pool_datastack_create(), dn,
					       &ndn, &error) < 0 ? NULL :
			mus_org_find(ctx->send->org, ndn);
		str_printfa(list, "- %s: %s%s%s\n",
			    mus_invitation_when(lang, ctx->send->set->timezone,
						start, end),
			    person != NULL ? person->cn :
			    mus_people_name_of_dn(pool_datastack_create(), dn),
			    comment[0] == '\0' ? "" : ": ", comment);
	}
	return str_len(list) == 0 ? NULL : str_c(list);
}

/* The invitation to the leader names the declined times before it. */
static int mus_send_declined_text(const struct mus_send_ctx *ctx,
				  const char *declines, enum mus_language lang,
				  struct mus_invitation_text *text,
				  const char **error_r)
{
	const struct mus_notice_var vars[] = {
		{ "subject", text->subject },
		{ "declines", declines },
	};

	return mus_send_prepend_notice(ctx->send, "declined", lang, vars,
				       N_ELEMENTS(vars), text, error_r);
}

/* the texts of an invitation, a cancel or a DECLINECOUNTER */
static int mus_send_invitation_text(struct mus_send_ctx *ctx,
				    const struct mus_send_conv *sc,
				    enum mus_language lang,
				    const char *const *member_names,
				    struct mus_invitation_text *text_r,
				    const char **error_r)
{
	const struct mus_send *send = ctx->send;
	const struct mus_conversation *conv = sc->conv;
	struct mus_invitation_vars vars;
	unsigned int count;

	i_zero(&vars);
	vars.language = lang;
	vars.kind = mus_round_kind_name(send->round->kind);
	vars.round_name = send->round->name;
	vars.leader_name = sc->leader->cn;
	vars.member_names = member_names;
	vars.team_name = conv->team_dn == NULL ? NULL :
		mus_ldap_dn_rdn_value(conv->team_dn);
	vars.start = conv->start;
	vars.end = conv->end;
	vars.timezone = send->set->timezone;
	vars.location = send->round->location;
	vars.organizer = send->set->organizer;
	vars.uid_short = mus_conversation_reference(conv);
	vars.cards = array_get(&sc->cards, &vars.card_count);
	vars.card_origins = array_get(&sc->origins, &count);
	vars.choosable = array_get(&sc->choosable, &vars.choosable_count);
	vars.cancel_reason = conv->reason != NULL ?
		mus_reason_text(conv->reason, lang) : "";
	return mus_invitation_render(send->set->templates_dir,
				     sc->action == MUS_SEND_CANCEL, &vars,
				     text_r, error_r);
}

/* the texts of the follow-up meeting, and the plan as attachments */
static int mus_send_followup_text(struct mus_send_ctx *ctx,
				  const struct mus_send_conv *sc,
				  enum mus_language lang,
				  const char *const *member_names,
				  struct mus_invitation_text *text_r,
				  ARRAY_TYPE(mus_message_attachment) *attachments,
				  const char **error_r)
{
	const struct mus_send *send = ctx->send;
	struct mus_plan_mail_vars vars;
	struct mus_message_attachment *att;
	const char *plan_text, *plan_html;

	i_zero(&vars);
	vars.language = lang;
	vars.team = mus_conversation_is_team(sc->conv);
	vars.leader_name = sc->leader->cn;
	vars.employee_name = mus_invitation_names(lang, member_names);
	vars.timezone = send->set->timezone;
	vars.start = sc->start;
	vars.end = sc->end;
	vars.version = sc->sequence;
	vars.organizer = send->set->organizer;
	vars.reference = mus_conversation_reference(sc->conv);
	if (mus_plan_mail_render(send->set->templates_dir, &vars, sc->plan,
				 text_r, error_r) < 0)
		return -1;
	mus_plan_mail_document(&vars, sc->plan, &plan_text, &plan_html);
	att = array_append_space(attachments);
	att->content_type = "text/html; charset=UTF-8";
	att->filename = t_strdup_printf("plan-v%u.html", sc->sequence);
	att->data = plan_html;
	att->size = strlen(plan_html);
	att = array_append_space(attachments);
	att->content_type = "text/plain; charset=UTF-8";
	att->filename = t_strdup_printf("plan-v%u.txt", sc->sequence);
	att->data = plan_text;
	att->size = strlen(plan_text);
	return 0;
}

/* The answer person gave to the conversation's invitation (musPartstat)
   while it stands: a new time clears every answer (mus-sync), so an
   update that keeps the time (new cards, a member more) keeps them, and
   calendars do not ask again. Only for the conversation's REQUEST.
   musPartstat names people as the conversation does ("<PARTSTAT> <DN>",
   mus-inbox). */
static enum mus_itip_partstat
mus_send_partstat(const struct mus_send_conv *sc, const struct mus_person *person)
{
	const struct mus_conversation *conv = sc->conv;
	const char *dn = NULL;

	if (sc->action != MUS_SEND_REQUEST)
		return MUS_ITIP_NEEDS_ACTION;
	if (null_strcmp(conv->leader_ndn, person->ndn) == 0)
		dn = conv->leader_dn;
	for (unsigned int i = 0; dn == NULL && conv->employee_ndns[i] != NULL; i++) {
		if (strcmp(conv->employee_ndns[i], person->ndn) == 0)
			dn = conv->employee_dns[i];
	}
	if (dn == NULL)
		return MUS_ITIP_NEEDS_ACTION;
	if (str_array_icase_find(conv->partstat, t_strconcat("ACCEPTED ", dn, NULL)))
		return MUS_ITIP_ACCEPTED;
	if (str_array_icase_find(conv->partstat, t_strconcat("TENTATIVE ", dn, NULL)))
		return MUS_ITIP_TENTATIVE;
	return MUS_ITIP_NEEDS_ACTION;
}

/* What sets a message apart from the invitation of the same SEQUENCE in
   its Message-ID: every answer is a message of its own, which a client
   that drops a Message-ID it has seen (Gmail) would otherwise lose. A
   refused proposal is named by its time, so the same answer sent again
   after a failure keeps its ID. */
static const char *mus_send_id_kind(const struct mus_send_conv *sc)
{
	if (sc->action == MUS_SEND_DECLINECOUNTER) {
		return t_strdup_printf(".declinecounter-%ld-%ld",
				       (long)sc->proposed_start,
				       (long)sc->proposed_end);
	}
	if (sc->refresh)
		return t_strdup_printf(".refresh-%ld", (long)time(NULL));
	return "";
}

/* the message for one recipient, appended to out */
static int mus_send_build(struct mus_send_ctx *ctx, struct mus_send_conv *sc,
			  const struct mus_person *recipient, string_t *out,
			  const char **error_r)
{
	const struct mus_send *send = ctx->send;
	enum mus_language lang = mus_send_language(ctx, recipient);
	struct mus_invitation_text text;
	struct mus_itip_event event;
	struct mus_message msg;
	ARRAY(struct mus_itip_person) itip_members;
	ARRAY(struct mus_message_address) to;
	ARRAY_TYPE(mus_message_attachment) attachments;
	ARRAY_TYPE(const_string) member_names;
	const struct mus_person *member;
	const struct mus_card *card;
	const char *ics;

	t_array_init(&member_names, 8);
	t_array_init(&itip_members, 8);
	t_array_init(&attachments, 8);
	t_array_init(&to, 8);
	if (sc->leader->mails[0] != NULL) {
		array_push_back(&to, (&(struct mus_message_address){
			.name = sc->leader->cn, .address = sc->leader->mails[0] }));
	}
	array_foreach_elem(&sc->members, member) {
		struct mus_itip_person *ip = array_append_space(&itip_members);

		ip->name = member->cn;
		ip->mail = member->mails[0];
		ip->partstat = mus_send_partstat(sc, member);
		array_push_back(&member_names, &member->cn);
		array_push_back(&to, (&(struct mus_message_address){
			.name = member->cn, .address = member->mails[0] }));
	}
	if (array_is_created(&sc->gone))
		array_append_array(&member_names, &sc->gone);
	array_append_zero(&member_names);
	if (sc->action == MUS_SEND_DECLINECOUNTER) {
		/* it goes to the one who proposed: To names nobody else */
		array_clear(&to);
		array_push_back(&to, (&(struct mus_message_address){
			.name = recipient->cn, .address = recipient->mails[0] }));
	}

	if (sc->action == MUS_SEND_FOLLOWUP) {
		if (mus_send_followup_text(ctx, sc, lang, array_front(&member_names),
					   &text, &attachments,
					   error_r) < 0)
			return -1;
	} else if (mus_send_invitation_text(ctx, sc, lang, array_front(&member_names),
					    &text, error_r) < 0)
		return -1;
	if (sc->action == MUS_SEND_DECLINECOUNTER &&
	    mus_send_declinecounter_text(send, sc, lang, &text, error_r) < 0)
		return -1;
	if (sc->action == MUS_SEND_REQUEST && recipient == sc->leader) {
		const char *declines = mus_send_declines(ctx, sc, lang);

		if (declines != NULL &&
		    mus_send_declined_text(ctx, declines, lang, &text,
					   error_r) < 0)
			return -1;
	}

	i_zero(&event);
		event.method = sc->action == MUS_SEND_CANCEL ? MUS_ITIP_CANCEL :
		sc->action == MUS_SEND_DECLINECOUNTER ? MUS_ITIP_DECLINECOUNTER :
		MUS_ITIP_REQUEST;
	event.comment = mus_reason_text(sc->refused, lang);
	/* its answers approve a plan; a proposal of a new time is not read */
	event.no_counter = sc->action == MUS_SEND_FOLLOWUP;
	event.uid = sc->uid;
	event.sequence = sc->sequence;
	event.dtstamp = time(NULL);
	event.start = sc->start;
	event.end = sc->end;
	event.timezone = send->set->timezone;
	event.summary = text.summary;
	event.description = text.description;
	event.location = send->round->location;
	event.organizer_mail = send->set->organizer;
	event.organizer_name = sc->leader->cn;
	event.leader.name = sc->leader->cn;
	event.leader.mail = sc->leader->mails[0];
	event.leader.partstat = mus_send_partstat(sc, sc->leader);
	event.members = array_get(&itip_members, &event.member_count);
	event.language = lang == MUS_LANGUAGE_EN ? "en" : "da";
	if (mus_itip_build(send->set->templates_dir, &event, &ics, error_r) < 0)
		return -1;

	/* the answer to a proposal repeats the invitation, cards included */
	if (sc->action == MUS_SEND_REQUEST ||
	    sc->action == MUS_SEND_DECLINECOUNTER) {
		array_foreach_elem(&sc->cards, card) {
			struct mus_message_attachment *att;
			const buffer_t *data =
				mus_send_file(ctx, card->html_path[lang], error_r);

			if (data == NULL)
				return -1;
			att = array_append_space(&attachments);
			att->content_type = "text/html; charset=UTF-8";
			att->filename = t_strdup_printf("%s.html", card->title[lang]);
			att->data = data->data;
			att->size = data->used;
		}
		if (sc->has_card &&
		    mus_competence_card_attach(&sc->card,
					       array_idx_elem(&sc->members, 0)->cn,
					       lang, &attachments, error_r) < 0)
			return -1;
	}

	i_zero(&msg);
	msg.from.name = sc->leader->cn;
	msg.from.address = send->set->organizer;
	msg.to = array_get(&to, &msg.to_count);
	msg.subject = text.subject;
	msg.unique_token = t_strdup_printf("%s.%u%s.%s",
		t_strcut(sc->uid, '@'), sc->sequence, mus_send_id_kind(sc),
		t_str_lcase(t_strcut(recipient->mails[0], '@')));
	msg.date = time(NULL);
	msg.text_plain = text.body_text;
	msg.text_plain_size = strlen(text.body_text);
	msg.text_html = text.body_html;
	msg.text_html_size = text.body_html == NULL ? 0 : strlen(text.body_html);
	msg.calendar = ics;
	msg.calendar_size = strlen(ics);
	msg.method = sc->action == MUS_SEND_CANCEL ? MUS_MESSAGE_METHOD_CANCEL :
		sc->action == MUS_SEND_DECLINECOUNTER ?
		MUS_MESSAGE_METHOD_DECLINECOUNTER : MUS_MESSAGE_METHOD_REQUEST;
	msg.attachments = array_get(&attachments, &msg.attachment_count);
	return mus_message_build(&msg, out, error_r);
}

static int mus_send_write_eml(struct mus_send_ctx *ctx,
			      const struct mus_send_conv *sc, const char *mail,
			      const string_t *msg, const char **error_r)
{
	string_t *name = t_str_new(128);
	const char *path;
	FILE *f;

	str_printfa(name, "%s.%u.%s.eml", sc->conv->cn, sc->sequence, mail);
	for (char *p = str_c_modifiable(name); *p != '\0'; p++) {
		if (!i_isalnum(*p) && strchr(".-_@", *p) == NULL)
			*p = '_';
	}
	path = t_strdup_printf("%s/%s", ctx->send->opts->eml_dir, str_c(name));
	f = fopen(path, "w");
	if (f == NULL || fwrite(str_data(msg), 1, str_len(msg), f) != str_len(msg) ||
	    fclose(f) != 0) {
		*error_r = t_strdup_printf("writing %s failed: %m", path);
		if (f != NULL)
			(void)fclose(f);
		return -1;
	}
	return 0;
}

static int mus_send_record(struct mus_send_ctx *ctx, const char *dn,
			   const struct mus_ldap_mod *mods, const char *assertion,
			   const char **error_r)
{
	if (ctx->send->opts->dry_run)
		return 1;
	return mus_ldap_modify(ctx->send->conn, dn, mods, assertion, error_r);
}

/* Write mods to conv, asserting that it is unchanged since it was read;
   another writer's change meanwhile is counted as a conflict (0). */
static int mus_send_record_unchanged(struct mus_send_ctx *ctx,
				     const struct mus_conversation *conv,
				     const struct mus_ldap_mod *mods,
				     const char **error_r)
{
	int ret = mus_send_record(ctx, conv->dn, mods,
				  mus_ldap_csn_assertion(conv->csn), error_r);

	if (ret == 0)
		ctx->result->conflicts++;
	return ret;
}

enum mus_send_outcome {
	/* the MTA took it (a dry run: counted, or written as .eml) */
	MUS_SEND_SENT = 0,
	/* refused for good; the reply says why */
	MUS_SEND_REFUSED,
	/* not now: a template problem or a temporary failure (logged) */
	MUS_SEND_LATER,
	/* writing the .eml file failed */
	MUS_SEND_ERROR,
};

/* The record that everybody has sc's message (see mus_send_final_mods()),
   written in place of the musSentTo of the conversation's last message:
   the common case costs one directory write per message, each of which
   waits for the directory's disk. */
struct mus_send_final {
	struct mus_send_conv *sc;
	/* the musSentTo values as before the record: those read, and those
	   written since, the last message's included once it is recorded */
	ARRAY_TYPE(const_string) sent_to;
	/* the record was written, and with it the status invited */
	bool written, status;
};

/* musSentTo "<sequence> <address>" of one message, written while the MTA
   waits for the end of its data */
struct mus_send_sent_to {
	struct mus_send_ctx *ctx;
	/* musSentTo, or musFollowUpSentTo for a follow-up meeting */
	const char *dn, *attr, *value;
	/* the conversation's last message: its record is the final one */
	struct mus_send_final *final;
	/* the directory was gone before the write: withheld */
	bool failed;
	/* the write failed on the way: it may or may not have been done */
	const char *unsure;
};

/* mods[7]: everybody has sc's message, as sequence and digest; no
   recipient is left (musSentTo), a request for an older one is met
   (musRefresh), and with status the conversation becomes invited */
static void mus_send_final_mods(const struct mus_send_conv *sc, bool status,
				struct mus_ldap_mod *mods)
{
	memset(mods, 0, sizeof(*mods) * 7);
	mods[0].attr = "musSentSequence";
	mods[0].values = mus_ldap_values1(dec2str(sc->sequence));
	mods[1].attr = "musSentDigest";
	mods[1].values = mus_ldap_values1(sc->digest);
	mods[2].attr = "musSentTo";
	mods[3].attr = "musRefresh";
	if (status) {
		mods[4].attr = "musStatus";
		mods[4].values = mus_ldap_values1("invited");
		mods[5].attr = "musReason";
	}
}

/* Write the final record of sc. A reply may have moved a request on
   meanwhile: only scheduled and failed conversations become invited (a
   second write without the status when a reply came first). status_r
   says whether the status was written. Returns 0, or -1 on error. */
static int mus_send_final_write(struct mus_send_ctx *ctx,
				const struct mus_send_conv *sc, bool *status_r,
				const char **error_r)
{
	bool request = sc->action == MUS_SEND_REQUEST;
	struct mus_ldap_mod mods[7];
	int ret;

	mus_send_final_mods(sc, request, mods);
	ret = mus_send_record(ctx, sc->conv->dn, mods, !request ? NULL :
			      "(|(musStatus=scheduled)(musStatus=failed))",
			      error_r);
	*status_r = request && ret > 0;
	if (ret == 0) {
		mus_send_final_mods(sc, FALSE, mods);
		ret = mus_send_record(ctx, sc->conv->dn, mods, NULL, error_r);
	}
	return ret < 0 ? -1 : 0;
}

/* The mail server did not take the last message after all: the entry
   as it was before the final record. If a reply moved the conversation
   on in between (a decline: it gets a new time), its status stays, and
   so does the SEQUENCE sent: the new time must go out as an update of
   it, to everybody, whoever missed this one. */
static int mus_send_final_undo(struct mus_send_ctx *ctx,
			       struct mus_send_final *final,
			       const char **error_r)
{
	const struct mus_conversation *conv = final->sc->conv;
	struct mus_ldap_mod mods[7];
	const char *null = NULL;
	unsigned int n = 0, moved_on;
	int ret;

	i_zero(&mods);
	array_pop_back(&final->sent_to);
	array_push_back(&final->sent_to, &null);
	mods[n].attr = "musSentTo";
	mods[n++].values = array_front(&final->sent_to);
	mods[n].attr = "musSentDigest";
	mods[n++].values = conv->sent_digest == NULL ? NULL :
		mus_ldap_values1(conv->sent_digest);
	if (conv->refresh[0] != NULL) {
		/* (a REFRESH that came in between is lost) */
		mods[n].attr = "musRefresh";
		mods[n++].values = conv->refresh;
	}
	moved_on = n;
	mods[n].attr = "musSentSequence";
	mods[n++].values = conv->sent_sequence < 0 ? NULL :
		mus_ldap_values1(dec2str(conv->sent_sequence));
	if (!final->status)
		return mus_send_record(ctx, conv->dn, mods, NULL, error_r) < 0 ? -1 : 0;
	mods[n].attr = "musStatus";
	mods[n++].values = mus_ldap_values1(mus_conv_status_name(conv->status));
	mods[n].attr = "musReason";
	mods[n++].values = conv->reason == NULL ? NULL :
		mus_ldap_values1(conv->reason);
	ret = mus_send_record(ctx, conv->dn, mods, "(musStatus=invited)",
			      error_r);
	if (ret == 0) {
		/* the list without the SEQUENCE and the status */
		i_zero(&mods[moved_on]);
		ret = mus_send_record(ctx, conv->dn, mods, NULL, error_r);
	}
	return ret < 0 ? -1 : 0;
}

static int mus_send_sent_to_modify(struct mus_send_sent_to *st,
				   enum mus_ldap_mod_op op, const char **error_r)
{
	struct mus_ldap_mod mods[2];

	i_zero(&mods);
	mods[0].op = op;
	mods[0].attr = st->attr;
	mods[0].values = mus_ldap_values1(st->value);
	return mus_send_record(st->ctx, st->dn, mods, NULL, error_r);
}

/* Recorded before the MTA has the whole message: if the directory is
   gone, the message is withheld and nothing is sent that LDAP does not
   know about. A write that fails on the way may have been carried out
   all the same: then the message goes out, as a copy sent twice is
   better than an invitation recorded and never sent. */
static int mus_send_sent_to_commit(void *context, const char **error_r)
{
	struct mus_send_sent_to *st = context;

	if (!st->ctx->send->opts->dry_run &&
	    mus_ldap_connection_closed(st->ctx->send->conn)) {
		*error_r = "the directory closed the connection";
		st->failed = TRUE;
		return -1;
	}
	if (st->final != NULL) {
		array_push_back(&st->final->sent_to, &st->value);
		if (mus_send_final_write(st->ctx, st->final->sc,
					 &st->final->status, error_r) < 0)
			st->unsure = *error_r;
		else
			st->final->written = TRUE;
	} else if (mus_send_sent_to_modify(st, MUS_LDAP_MOD_ADD, error_r) < 0)
		st->unsure = *error_r;
	return 0;
}

/* What st records, for an error message */
static const char *mus_send_sent_to_name(const struct mus_send_sent_to *st,
					 const struct mus_send_conv *sc,
					 const char *mail)
{
	if (st->final == NULL)
		return t_strdup_printf("%s '%s'", st->attr, st->value);
	return t_strdup_printf("musSentSequence %u (with the message to %s)",
			       sc->sequence, mail);
}

/* Build sc's message for one person and submit it; with sent_to, record
   it as that musSentTo value (or with final, as the final record) before
   the end of data and take the record back if the MTA does not take the
   message after all. Temporary failures count towards taking the MTA as
   down, whatever the message is. */
static enum mus_send_outcome
mus_send_to(struct mus_send_ctx *ctx, struct mus_send_conv *sc,
	    const struct mus_person *person, const char *sent_to,
	    struct mus_send_final *final, const char **reply_r,
	    const char **error_r)
{
	const struct mus_send *send = ctx->send;
	const char *mail = person->mails[0], *error;
	struct mus_send_sent_to st = {
		.ctx = ctx, .dn = sc->conv->dn, .value = sent_to,
		.attr = sc->action == MUS_SEND_FOLLOWUP ? "musFollowUpSentTo" :
			"musSentTo",
		.final = final,
	};
	int ret;
	enum mus_smtp_result result;
	bool committed;
	string_t *msg;

	if (send->opts->dry_run && send->opts->eml_dir == NULL) {
		/* planning only: count what would go out */
		ctx->result->messages++;
		return MUS_SEND_SENT;
	}
	msg = t_str_new(32 * 1024);
	if (mus_send_build(ctx, sc, person, msg, error_r) < 0) {
		/* a template or card problem is the admin's to fix; the
		   other conversations go on */
		send->log(t_strdup_printf("round %s: %s: %s", send->round->name,
					  sc->conv->cn, *error_r), send->context);
		return MUS_SEND_LATER;
	}
	ctx->done++;
	if (send->progress != NULL)
		send->progress(ctx->done, ctx->total, send->context);
	if (send->opts->dry_run) {
		ctx->result->messages++;
		return mus_send_write_eml(ctx, sc, mail, msg, error_r) < 0 ?
			MUS_SEND_ERROR : MUS_SEND_SENT;
	}
	result = mus_smtp_send_commit(ctx->smtp, send->set->organizer, mail,
				      str_data(msg), str_len(msg),
				      sent_to == NULL ? NULL : mus_send_sent_to_commit,
				      &st, &committed, reply_r);
	if (st.failed) {
		*error_r = t_strdup_printf(
			"%s: recording %s failed, so the message "
			"was withheld from the mail server: %s",
			sc->conv->cn, mus_send_sent_to_name(&st, sc, mail), *reply_r);
		return MUS_SEND_ERROR;
	}
	if (st.unsure != NULL) {
		*error_r = t_strdup_printf(
			"%s: recording %s failed while the message "
			"was with the mail server (%s); if it was not recorded, "
			"the next sync sends an identical copy: %s",
			sc->conv->cn, mus_send_sent_to_name(&st, sc, mail),
			result == MUS_SMTP_OK ?
			"accepted" : *reply_r, st.unsure);
		return MUS_SEND_ERROR;
	}
	if (result != MUS_SMTP_OK && committed) {
		ret = final != NULL && final->written ?
			mus_send_final_undo(ctx, final, &error) :
			mus_send_sent_to_modify(&st, MUS_LDAP_MOD_DELETE, &error);
	} else {
		ret = 0;
	}
	if (ret < 0) {
		/* the MTA may or may not have it: say so, keep the record */
		*error_r = t_strdup_printf(
			"%s: the mail server did not confirm the message to %s "
			"(%s) and taking back %s failed: %s", sc->conv->cn, mail,
			*reply_r, mus_send_sent_to_name(&st, sc, mail), error);
		return MUS_SEND_ERROR;
	}
	if (result == MUS_SMTP_TEMPFAIL) {
		ctx->result->deferred++;
		send->log(t_strdup_printf(
			"round %s: %s: %s deferred, next sync retries: %s",
			send->round->name, sc->conv->cn, mail, *reply_r),
			send->context);
		i_free(ctx->tempfail_reason);
		ctx->tempfail_reason = i_strdup(*reply_r);
		if (++ctx->tempfails >= MUS_SEND_MAX_TEMPFAILS)
			ctx->smtp_down = TRUE;
		return MUS_SEND_LATER;
	}
	ctx->tempfails = 0;
	if (result == MUS_SMTP_PERMFAIL) {
		send->log(t_strdup_printf("round %s: %s: the mail server refused %s: %s",
					  send->round->name, sc->conv->cn, mail,
					  *reply_r), send->context);
		return MUS_SEND_REFUSED;
	}
	ctx->result->messages++;
	return MUS_SEND_SENT;
}

/* Returns 1 if every recipient has it, 0 if left for later, -1 on a
   directory error. With final, the last message sent writes the final
   record (final->written); if every recipient had it already, nothing
   does. */
static int mus_send_conv_recipients(struct mus_send_ctx *ctx,
				    struct mus_send_conv *sc,
				    struct mus_send_final *final,
				    const char **error_r)
{
	const struct mus_conversation *conv = sc->conv;
	const char *const *sent_to = sc->action == MUS_SEND_FOLLOWUP ?
		conv->followup_sent_to : conv->sent_to;
	ARRAY(const struct mus_person *) recipients;
	const struct mus_person *person;
	struct mus_ldap_mod mods[4];
	unsigned int i, last = 0;
	int ret;

	t_array_init(&recipients, 8);
	/* an absent leader (see mus_send_absent_leader()) gets nothing */
	if (sc->leader->mails[0] != NULL)
		array_push_back(&recipients, &sc->leader);
	array_append_array(&recipients, &sc->members);
	for (i = 0; i < array_count(&recipients); i++) {
		person = array_idx_elem(&recipients, i);
		if (!mus_send_recipient_done(sent_to, sc->sequence,
					     person->mails[0]))
			last = i + 1;
	}
	if (final != NULL) {
		final->sc = sc;
		t_array_init(&final->sent_to, 8);
		for (i = 0; sent_to[i] != NULL; i++)
			array_push_back(&final->sent_to, &sent_to[i]);
	}
	for (i = 0; i < last; i++) {
		const char *mail, *reply, *value;

		person = array_idx_elem(&recipients, i);
		mail = person->mails[0];
		if (mus_send_recipient_done(sent_to, sc->sequence, mail))
			continue;
		value = t_strdup_printf("%u %s", sc->sequence, mail);
		i_zero(&mods);
		switch (mus_send_to(ctx, sc, person, value,
				    i + 1 == last ? final : NULL, &reply, error_r)) {
		case MUS_SEND_SENT:
			if (final != NULL && !final->written)
				array_push_back(&final->sent_to, &value);
			break;
		case MUS_SEND_REFUSED:
			if (sc->action == MUS_SEND_FOLLOWUP) {
				/* the plan stays pending; logged, tried
				   again by the next sync */
				return 0;
			}
			ctx->result->failed++;
			mods[0].attr = "musStatus";
			mods[0].values = mus_ldap_values1("failed");
			mods[1].attr = "musReason";
			mods[1].values = mus_ldap_values1(t_strdup_printf(
				"the mail server refused %s: %s", mail, reply));
			mods[2].attr = "musSentDigest";
			mods[2].values = mus_ldap_values1(sc->digest);
			ret = mus_send_record(ctx, conv->dn, mods, NULL, error_r);
			return ret < 0 ? -1 : 0;
		case MUS_SEND_LATER:
			return 0;
		case MUS_SEND_ERROR:
			return -1;
		}
	}
	return 1;
}

/* Answer a request kept on the conversation (a REFRESH, a refused
   proposal) with sc's message to person, then remove the request value
   attr: value. A message the MTA refused for good answers it too, and so
   does nobody (person NULL) when it can never be answered. Returns 1 when
   done, 0 if left for the next sync, -1 on error. */
static int mus_send_answer(struct mus_send_ctx *ctx, struct mus_send_conv *sc,
			   const struct mus_person *person, const char *attr,
			   const char *value, const char **error_r)
{
	struct mus_ldap_mod mods[2];
	const char *reply;

	if (person != NULL) {
		switch (mus_send_to(ctx, sc, person, NULL, NULL, &reply, error_r)) {
		case MUS_SEND_SENT:
		case MUS_SEND_REFUSED:
			break;
		case MUS_SEND_LATER:
			return 0;
		case MUS_SEND_ERROR:
			return -1;
		}
	}
	i_zero(&mods);
	mods[0].op = MUS_LDAP_MOD_DELETE;
	mods[0].attr = attr;
	mods[0].values = mus_ldap_values1(value);
	return mus_send_record(ctx, sc->conv->dn, mods, NULL, error_r) < 0 ? -1 : 1;
}

/* The current invitation again, unchanged, to the attendees who asked
   for it (iTIP REFRESH); each request is removed once the MTA took the
   message. Returns 0, or -1 on a directory error. */
static int mus_send_refresh(struct mus_send_ctx *ctx, struct mus_send_conv *sc,
			    const char **error_r)
{
	ARRAY(const struct mus_person *) recipients;
	const struct mus_person *person;

	if (sc->action != MUS_SEND_REQUEST || sc->conv->sent_sequence < 0)
		return 0;
	sc->sequence = (unsigned int)sc->conv->sent_sequence;
	sc->refresh = TRUE;
	t_array_init(&recipients, 4);
	array_push_back(&recipients, &sc->leader);
	array_append_array(&recipients, &sc->members);
	array_foreach_elem(&recipients, person) {
		int ret;

		if (!str_array_icase_find(sc->conv->refresh, person->mails[0]))
			continue;
		ret = mus_send_answer(ctx, sc, person, "musRefresh",
				      person->mails[0], error_r);
		if (ret <= 0)
			return ret;
	}
	return 0;
}

/* The job profile dn, read once per run: 1 with it, 0 if there is no such
   entry, -1 on a directory error. */
static int mus_send_profile(struct mus_send_ctx *ctx, const char *dn,
			    struct mus_profile **profile_r,
			    const char **error_r)
{
	const char *key = t_str_lcase(dn);
	struct mus_profile *profile;
	const char *orig_key;
	int ret;

	if (hash_table_lookup_full(ctx->profiles, key, &orig_key, &profile)) {
		*profile_r = profile;
		return profile == NULL ? 0 : 1;
	}
	ret = mus_profile_read(ctx->send->conn, ctx->pool, dn, &profile,
			       error_r);
	if (ret < 0)
		return -1;
	if (ret == 0)
		profile = NULL;
	hash_table_insert(ctx->profiles,
			  (const char *)p_strdup(ctx->pool, key), profile);
	*profile_r = profile;
	return ret;
}

/* The competence spider of a conversation with the employee's answers
   to the competence form: answers that do not fit the profile, or a
   profile that is gone or broken, are logged and the invitation goes
   without it. Returns 0, or -1 on a directory error. */
static int mus_send_competence_card(struct mus_send_ctx *ctx,
				    struct mus_send_conv *sc,
				    const char **error_r)
{
	const struct mus_send *send = ctx->send;
	const struct mus_conversation *conv = sc->conv;
	struct mus_profile *profile;
	const char *problem;
	int ret;

	if (sc->action != MUS_SEND_REQUEST ||
	    conv->assessment_employee == NULL ||
	    conv->assessment_employee[0] == NULL ||
	    array_count(&sc->members) != 1)
		return 0;
	if (conv->job_profile_ref == NULL) {
		problem = "the answers name no profile (musJobProfileRef)";
		ret = 0;
	} else {
		ret = mus_send_profile(ctx, conv->job_profile_ref, &profile,
				       error_r);
		if (ret == 0)
			problem = t_strdup_printf("the profile %s is gone",
						  conv->job_profile_ref);
	}
	if (ret < 0)
		return -1;
	if (ret > 0) {
		ret = mus_competence_card_read(profile,
					       conv->assessment_employee,
					       conv->assessment_leader,
					       &sc->card, &problem);
		if (ret > 0) {
			sc->has_card = TRUE;
			return 0;
		}
		if (ret == 0)
			return 0;
	}
	send->log(t_strdup_printf("round %s: %s: no competence spider: %s",
				  send->round->name, conv->cn, problem),
		  send->context);
	return 0;
}

/* The leader of a CANCEL who has no address (left the directory or the
   scope, or lost their mail): named as the directory names them, or by
   the value of their DN's first RDN when it no longer does. */
static const struct mus_person *
mus_send_absent_leader(const struct mus_conversation *conv,
		       const struct mus_person *known)
{
	static const char *const no_mails[] = { NULL };
	struct mus_person *leader = t_new(struct mus_person, 1);

	leader->dn = conv->leader_dn;
	leader->ndn = conv->leader_ndn;
	leader->cn = known != NULL ? known->cn :
		mus_people_name_of_dn(pool_datastack_create(), conv->leader_dn);
	leader->mails = no_mails;
	return leader;
}

/* Someone of a conversation being withdrawn who is not among the
   round's people (moved out of its scope, or gone): their calendar has the
   meeting all the same. Read by DN once per run; *person_r is NULL when
   the directory no longer has them. Returns 0, or -1 on a directory
   error. */
static int mus_send_outsider(struct mus_send_ctx *ctx, const char *dn,
			     const char *ndn, const struct mus_person **person_r,
			     const char **error_r)
{
	struct mus_person *person;
	const char *orig_key;

	if (!hash_table_lookup_full(ctx->outsiders, ndn, &orig_key, &person)) {
		if (mus_people_read(ctx->send->conn, ctx->pool, dn, &person,
				    error_r) < 0)
			return -1;
		hash_table_insert(ctx->outsiders,
				  (const char *)p_strdup(ctx->pool, ndn), person);
	}
	*person_r = person;
	return 0;
}

/* The person dn (normalised ndn) of sc's conversation: one of the round's
   people, or for a CANCEL wherever the directory has them. Returns 0 with
   *person_r (NULL: not in the directory), -1 on a directory error. */
static int mus_send_person(struct mus_send_ctx *ctx,
			   const struct mus_send_conv *sc, const char *dn,
			   const char *ndn, const struct mus_person **person_r,
			   const char **error_r)
{
	*person_r = mus_org_find(ctx->send->org, ndn);
	if (*person_r != NULL || sc->action != MUS_SEND_CANCEL)
		return 0;
	return mus_send_outsider(ctx, dn, ndn, person_r, error_r);
}

/* For the follow-up meeting of conv's plan: what an admin records for dn
   once they have approved the plan some other way (on paper, at the
   meeting), as their answer by mail would have; NULL if their approval is
   there. */
static const char *
mus_send_approval_by_hand(const struct mus_conversation *conv,
			  const char *dn, const char *ndn)
{
	time_t when;

	if (dn == NULL || ndn == NULL ||
	    mus_plan_approval_find(conv->plan_approvals, conv->plan_version,
				   ndn, &when))
		return NULL;
	return t_strdup_printf("%s cannot approve plan version %u by mail, and "
		"the plan is filed only once they have. When they have approved "
		"it otherwise, an admin records that on %s as musPlanApproval: %s",
		dn, conv->plan_version, conv->dn,
		mus_plan_approval_value(conv->plan_version, time(NULL), dn));
}

/* The leader and the members of sc's conversation who have a mail
   address. Returns 1, 0 (logged) if nobody can get the message, -1 on a
   directory error. */
static int mus_send_people(struct mus_send_ctx *ctx, struct mus_send_conv *sc,
			   const char **error_r)
{
	const struct mus_send *send = ctx->send;
	const struct mus_conversation *conv = sc->conv;
	bool cancel = sc->action == MUS_SEND_CANCEL;

	if (mus_send_person(ctx, sc, conv->leader_dn, conv->leader_ndn,
			    &sc->leader, error_r) < 0)
		return -1;
	t_array_init(&sc->members, 8);
	t_array_init(&sc->gone, 2);
	for (unsigned int i = 0; conv->employee_ndns[i] != NULL; i++) {
		const struct mus_person *p;

		if (mus_send_person(ctx, sc, conv->employee_dns[i],
				    conv->employee_ndns[i], &p, error_r) < 0)
			return -1;
		if (p == NULL && cancel) {
			const char *name = mus_people_name_of_dn(
				pool_datastack_create(), conv->employee_dns[i]);

			array_push_back(&sc->gone, &name);
			send->log(t_strdup_printf("round %s: %s: %s is no longer in the directory: the CANCEL goes to the others",
						  send->round->name, conv->cn,
						  conv->employee_dns[i]), send->context);
			continue;
		}
		if (p == NULL || p->mails[0] == NULL) {
			/* Someone no longer in the directory gets no plan:
			   no approval of theirs to record. For a follow-up
			   meeting, an approval there already leaves nothing
			   to say. */
			const char *hint = NULL;

			if (p != NULL && sc->action == MUS_SEND_FOLLOWUP &&
			    (hint = mus_send_approval_by_hand(conv,
					conv->employee_dns[i],
					conv->employee_ndns[i])) == NULL)
				continue;
			send->log(t_strdup_printf("round %s: %s: no mail address known for %s%s%s",
				send->round->name, conv->cn, conv->employee_dns[i],
				hint == NULL ? "" : ": ", hint == NULL ? "" : hint),
				send->context);
			continue;
		}
		array_push_back(&sc->members, &p);
	}
	if ((sc->leader == NULL || sc->leader->mails[0] == NULL) && cancel &&
	    array_count(&sc->members) > 0) {
		/* the leader has left (or lost their address): the
		   employees' calendars must lose the meeting all the same */
		sc->leader = mus_send_absent_leader(conv, sc->leader);
		return 1;
	}
	/* a CANCEL reaches the leader even when no employee can get it */
	if (sc->leader == NULL || sc->leader->mails[0] == NULL ||
	    (array_count(&sc->members) == 0 && !cancel)) {
		string_t *text = t_str_new(256);

		str_printfa(text, "round %s: %s: nobody to send it to",
			    send->round->name, conv->cn);
		if (sc->action == MUS_SEND_FOLLOWUP) {
			/* the follow-up meeting goes to nobody: the
			   approvals of the leader and of the employees with
			   an address have to be recorded by hand too */
			const struct mus_person *member;
			const char *hint;

			hint = mus_send_approval_by_hand(conv, conv->leader_dn,
							 conv->leader_ndn);
			if (hint != NULL)
				str_printfa(text, "; %s", hint);
			array_foreach_elem(&sc->members, member) {
				hint = mus_send_approval_by_hand(conv, member->dn,
								 member->ndn);
				if (hint != NULL)
					str_printfa(text, "; %s", hint);
			}
		}
		send->log(str_c(text), send->context);
		return 0;
	}
	return 1;
}

static int mus_send_conv(struct mus_send_ctx *ctx,
			 const struct mus_conversation *conv,
			 const char **error_r)
{
	const struct mus_send *send = ctx->send;
	struct mus_send_conv sc;
	struct mus_send_final final;
	struct mus_ldap_mod mods[2];
	int ret;

	i_zero(&sc);
	sc.conv = conv;
	sc.uid = conv->ical_uid;
	sc.start = conv->start;
	sc.end = conv->end;
	sc.action = mus_send_action(conv);
	if (sc.action == MUS_SEND_NOTHING)
		return 0;
	if ((ret = mus_send_people(ctx, &sc, error_r)) <= 0)
		return ret;
	if (send->opts->dry_run && send->opts->eml_dir == NULL &&
	    conv->sent_sequence < 0) {
		/* planning only, and nothing was sent yet: count, build
		   nothing */
		ctx->result->messages += 1 + array_count(&sc.members);
		ctx->result->requests++;
		return 0;
	}
	mus_send_cards(ctx, &sc);
	if (mus_send_competence_card(ctx, &sc, error_r) < 0)
		return -1;
	sc.digest = mus_send_digest(ctx, &sc);
	if (null_strcmp(sc.digest, conv->sent_digest) == 0 &&
	    (conv->status == MUS_CONV_FAILED ||
	     conv->sent_sequence == (int)conv->sequence))
		return conv->refresh[0] == NULL ? 0 :
			mus_send_refresh(ctx, &sc, error_r);

	/* the SEQUENCE this content goes out with is written first, so
	   that a crash never sends other content under the same number */
	if (conv->sent_sequence < 0 || (int)conv->sequence > conv->sent_sequence)
		sc.sequence = conv->sequence;
	else
		sc.sequence = conv->sent_sequence + 1;
	if (sc.sequence != conv->sequence) {
		i_zero(&mods);
		mods[0].attr = "musSequence";
		mods[0].values = mus_ldap_values1(dec2str(sc.sequence));
		ret = mus_send_record_unchanged(ctx, conv, mods, error_r);
		if (ret <= 0)
			return ret;
	}

	i_zero(&final);
	ret = mus_send_conv_recipients(ctx, &sc, &final, error_r);
	if (ret <= 0)
		return ret;
	if (sc.action == MUS_SEND_REQUEST)
		ctx->result->requests++;
	else
		ctx->result->cancels++;
	/* written with the last message, unless every recipient had it
	   already (a sync that stopped before the final record) */
	if (final.written)
		return 0;
	return mus_send_final_write(ctx, &sc, &final.status, error_r);
}

/* The answer to a refused proposal, to the one who made it; the value
   is removed once the MTA took the message. Returns 0 or -1 on a
   directory error. */
static int mus_send_declinecounter(struct mus_send_ctx *ctx,
				   const struct mus_conversation *conv,
				   const char **error_r)
{
	const struct mus_send *send = ctx->send;
	const struct mus_person *proposer = NULL, *member;
	struct mus_send_conv sc;
	const char *dn, *ndn, *error;
	bool answerable;

	i_zero(&sc);
	sc.conv = conv;
	sc.uid = conv->ical_uid;
	sc.start = conv->start;
	sc.end = conv->end;
	sc.action = MUS_SEND_DECLINECOUNTER;
	sc.sequence = conv->sent_sequence < 0 ? conv->sequence :
		(unsigned int)conv->sent_sequence;
	answerable = mus_conversation_parse_span(conv->counter_refused,
						 &sc.proposed_start, &sc.proposed_end,
						 &dn, &sc.refused) &&
		mus_ldap_dn_normalize(pool_datastack_create(), dn, &ndn, &error) == 0 &&
		(proposer = mus_org_find(send->org, ndn)) != NULL &&
		proposer->mails[0] != NULL &&
		(sc.leader = mus_org_find(send->org, conv->leader_ndn)) != NULL &&
		sc.leader->mails[0] != NULL;
	if (answerable) {
		t_array_init(&sc.members, 4);
		for (unsigned int i = 0; conv->employee_ndns[i] != NULL; i++) {
			member = mus_org_find(send->org, conv->employee_ndns[i]);
			if (member != NULL && member->mails[0] != NULL)
				array_push_back(&sc.members, &member);
		}
		/* the meeting it answers needs its employee(s) */
		answerable = array_count(&sc.members) > 0;
	}
	if (!answerable) {
		/* it can never be answered: say so once and let it go */
		send->log(t_strdup_printf("round %s: %s: cannot answer the proposal '%s'; removed",
					  send->round->name, conv->cn,
					  conv->counter_refused), send->context);
		proposer = NULL;
	} else {
		mus_send_cards(ctx, &sc);
	}
	return mus_send_answer(ctx, &sc, proposer, "musCounterRefused",
			       conv->counter_refused, error_r) < 0 ? -1 : 0;
}

/* TRUE if conv waits for approval of a plan version that not everybody
   (the leader and each employee) has as a follow-up meeting yet. */
static bool mus_send_followup_wanted(const struct mus_conversation *conv)
{
	char prefix[MAX_INT_STRLEN + 1];
	unsigned int sent = 0;

	i_snprintf(prefix, sizeof(prefix), "%u ", conv->plan_version);
	for (unsigned int i = 0; conv->followup_sent_to[i] != NULL; i++) {
		if (str_begins(conv->followup_sent_to[i], prefix))
			sent++;
	}
	return !conv->unreadable && conv->status == MUS_CONV_PLAN_PENDING &&
		conv->plan_draft != NULL && conv->plan_version > 0 &&
		sent < 1 + str_array_length(conv->employee_ndns);
}

static void mus_send_fb_period(time_t start, time_t end, void *context)
{
	struct mus_send_fb *fb = context;
	struct mus_followup_busy *period = array_append_space(&fb->periods);

	period->start = start;
	period->end = end;
}

/* url's busy time, fetched on first use in this run */
static const struct mus_send_fb *mus_send_fb_get(struct mus_send_ctx *ctx,
						  const char *url)
{
	const struct mus_send *send = ctx->send;
	struct mus_send_fb *fb = hash_table_lookup(ctx->fbs, url);
	const char *key, *error;

	if (fb != NULL)
		return fb;
	if (ctx->fb == NULL) {
		ctx->fb = mus_freebusy_create(send->fb_timeout_msecs,
					      send->fb_max_size);
	}
	fb = p_new(ctx->pool, struct mus_send_fb, 1);
	p_array_init(&fb->periods, ctx->pool, 16);
	if (mus_freebusy_fetch(ctx->fb, url, mus_send_fb_period, fb, &error) < 0)
		fb->error = p_strdup(ctx->pool, error);
	key = p_strdup(ctx->pool, url);
	hash_table_insert(ctx->fbs, key, fb);
	return fb;
}

/* The busy time of sc's leader and members in the search window of the
   follow-up meeting, from their calFBURL, appended to busy. A URL that
   cannot be read is logged and its person counts as free, as when the
   conversations are scheduled: the sync goes on. */
static void mus_send_followup_busy(struct mus_send_ctx *ctx,
				   const struct mus_send_conv *sc,
				   int follow_up, time_t now,
				   ARRAY_TYPE(mus_followup_busy) *busy)
{
	const struct mus_send *send = ctx->send;
	ARRAY(const struct mus_person *) people;
	const struct mus_person *person;
	const struct mus_followup_busy *period;
	const struct mus_send_fb *fb;
	time_t from, to;

	mus_followup_window(send->round, follow_up, now, &from, &to);
	if (to <= from)
		return;
	t_array_init(&people, 8);
	array_push_back(&people, &sc->leader);
	array_append_array(&people, &sc->members);
	array_foreach_elem(&people, person) {
		if (person->fb_url == NULL)
			continue;
		fb = mus_send_fb_get(ctx, person->fb_url);
		if (fb->error != NULL) {
			send->log(t_strdup_printf(
				"round %s: %s: free/busy of %s unusable, placing "
				"the follow-up meeting without it: %s",
				send->round->name, sc->conv->cn, person->dn,
				fb->error), send->context);
			continue;
		}
		array_foreach(&fb->periods, period) {
			struct mus_followup_busy *copy;

			if (period->end <= from || period->start >= to)
				continue;
			copy = array_append_space(busy);
			*copy = *period;
			copy->ndn = person->ndn;
		}
	}
}

/* the filter terms of the conversations dn leads or takes part in */
static void mus_send_person_terms(string_t *filter, const char *dn)
{
	const char *value = mus_ldap_filter_escape(dn);

	str_printfa(filter, "(musLeader=%s)(musEmployee=%s)", value, value);
}

/* The conversations the follow-up meeting of conv keeps clear of: those
   of conv's round (convs), and those of conv's leader and employees in
   every other round (a TUS round in the weeks after the MUS round, say),
   read from the directory. Returns 0 with *others_r set (to convs alone
   if the other rounds could not be read: logged, the meeting is placed
   all the same), or -1 if the connection is gone. */
static int
mus_send_followup_others(struct mus_send_ctx *ctx,
			 const struct mus_conversation *conv,
			 const ARRAY_TYPE(mus_conversation) *convs,
			 pool_t pool,
			 const ARRAY_TYPE(mus_conversation) **others_r,
			 const char **error_r)
{
	const struct mus_send *send = ctx->send;
	ARRAY_TYPE(mus_conversation) found, *all;
	struct mus_conversation *other;
	string_t *filter = t_str_new(256);
	const char *own_ndn, *ndn, *parent, *error;

	*others_r = convs;
	str_append(filter, "(&(objectClass=musConversation)(|");
	mus_send_person_terms(filter, conv->leader_ndn);
	for (unsigned int i = 0; conv->employee_ndns[i] != NULL; i++)
		mus_send_person_terms(filter, conv->employee_ndns[i]);
	str_append(filter, "))");
	p_array_init(&found, pool, 8);
	if (mus_conversations_search(send->conn, pool, send->set->round_base,
				     str_c(filter), &found, &error) < 0) {
		if (mus_ldap_connection_closed(send->conn)) {
			*error_r = error;
			return -1;
		}
		send->log(t_strdup_printf("round %s: %s: the conversations of "
			"other rounds could not be read, the follow-up meeting "
			"is placed without them: %s", send->round->name,
			conv->cn, error), send->context);
		return 0;
	}
	if (mus_ldap_dn_normalize(pool_datastack_create(), send->round->dn,
				  &own_ndn, &error) < 0)
		own_ndn = send->round->dn;
	all = p_new(pool, ARRAY_TYPE(mus_conversation), 1);
	p_array_init(all, pool, array_count(convs) + array_count(&found));
	array_append_array(all, convs);
	array_foreach_elem(&found, other) {
		/* this round's are in convs already */
		parent = mus_ldap_dn_parent(other->dn);
		if (parent == NULL ||
		    mus_ldap_dn_normalize(pool_datastack_create(), parent,
					  &ndn, &error) < 0 ||
		    strcmp(ndn, own_ndn) != 0)
			array_push_back(all, &other);
	}
	*others_r = all;
	return 0;
}

/* The follow-up meeting of conv's plan, SEQUENCE = the plan version, to
   the leader and every employee. Its UID and time are written before anything is
   sent, so that an answer always finds the conversation. Returns 0, or
   -1 on a directory error. */
static int mus_send_followup_plan(struct mus_send_ctx *ctx,
				  const struct mus_conversation *conv,
				  const ARRAY_TYPE(mus_conversation) *convs,
				  pool_t pool, const char **error_r)
{
	const struct mus_send *send = ctx->send;
	const ARRAY_TYPE(mus_conversation) *others = convs;
	struct mus_send_conv sc;
	struct mus_ldap_mod mods[4];
	const struct mus_person *member;
	ARRAY_TYPE(mus_followup_busy) busy;
	struct mus_plan *plan;
	time_t now = time(NULL);
	const char *error;
	unsigned int n = 0;
	bool all_sent;
	int ret;

	i_zero(&sc);
	sc.conv = conv;
	sc.action = MUS_SEND_FOLLOWUP;
	sc.sequence = conv->plan_version;
	if ((ret = mus_send_people(ctx, &sc, error_r)) <= 0)
		return ret;
	all_sent = mus_send_recipient_done(conv->followup_sent_to, sc.sequence,
					   sc.leader->mails[0]);
	array_foreach_elem(&sc.members, member) {
		all_sent = all_sent &&
			mus_send_recipient_done(conv->followup_sent_to,
						sc.sequence, member->mails[0]);
	}
	if (all_sent)
		return 0;
	if (mus_plan_draft_read(conv, send->set->timezone, time(NULL),
				pool, &plan, &error) < 0) {
		send->log(t_strdup_printf("round %s: %s: no follow-up meeting: %s",
					  send->round->name, conv->cn, error),
			  send->context);
		return 0;
	}
	sc.plan = plan;
	/* the fetch may use data stack frames of its own: not a t_array */
	p_array_init(&busy, pool, 16);
	if (!mus_followup_time_kept(send->round, conv, plan->follow_up, now)) {
		mus_send_followup_busy(ctx, &sc, plan->follow_up, now, &busy);
		if (mus_send_followup_others(ctx, conv, convs, pool, &others,
					     error_r) < 0)
			return -1;
	}
	if (!mus_followup_time(send->round, conv, plan->follow_up, now,
			       others, &busy, &sc.start, &sc.end, &error)) {
		send->log(t_strdup_printf("round %s: %s: no time for the follow-up meeting: %s",
					  send->round->name, conv->cn, error),
			  send->context);
		return 0;
	}
	/* a UID given before (by an admin, or an older host) stays */
	sc.uid = conv->followup_uid != NULL ? conv->followup_uid :
		mus_conversation_uid(send->round->dn, conv->cn,
				     MUS_FOLLOWUP_UID_PURPOSE,
				     send->set->organizer);

	i_zero(&mods);
	if (null_strcmp(conv->followup_uid, sc.uid) != 0) {
		mods[n].attr = "musFollowUpUID";
		mods[n++].values = mus_ldap_values1(sc.uid);
	}
	if (sc.start != conv->followup_start || sc.end != conv->followup_end) {
		mods[n].attr = "musFollowUpStart";
		mods[n++].values = mus_ldap_values1(mus_time_generalized(sc.start));
		mods[n].attr = "musFollowUpEnd";
		mods[n++].values = mus_ldap_values1(mus_time_generalized(sc.end));
	}
	if (n > 0) {
		ret = mus_send_record_unchanged(ctx, conv, mods, error_r);
		if (ret <= 0)
			return ret;
	}
	ret = mus_send_conv_recipients(ctx, &sc, NULL, error_r);
	if (ret > 0)
		ctx->result->followups++;
	return ret < 0 ? -1 : 0;
}

static int mus_send_followup(struct mus_send_ctx *ctx,
			     const struct mus_conversation *conv,
			     const ARRAY_TYPE(mus_conversation) *convs,
			     const char **error_r)
{
	pool_t pool;
	int ret;

	if (!mus_send_followup_wanted(conv))
		return 0;
	pool = pool_alloconly_create("mus send follow-up", 8192);
	ret = mus_send_followup_plan(ctx, conv, convs, pool, error_r);
	pool_unref(&pool);
	return ret;
}

int mus_send_round(const struct mus_send *send,
		   const ARRAY_TYPE(mus_conversation) *convs,
		   struct mus_send_result *result, const char **error_r)
{
	struct mus_send_ctx ctx;
	struct mus_conversation *conv;
	int ret = 0;

	i_zero(&ctx);
	ctx.send = send;
	ctx.result = result;
	ctx.pool = pool_alloconly_create("mus send files", 64 * 1024);
	hash_table_create(&ctx.files, ctx.pool, 0, str_hash, strcmp);
	hash_table_create(&ctx.profiles, ctx.pool, 0, str_hash, strcmp);
	hash_table_create(&ctx.fbs, ctx.pool, 0, str_hash, strcmp);
	hash_table_create(&ctx.outsiders, ctx.pool, 0, str_hash, strcmp);
	array_foreach_elem(convs, conv) {
		if (mus_send_action(conv) != MUS_SEND_NOTHING)
			ctx.total += 1 + str_array_length(conv->employee_ndns);
		if (conv->counter_refused != NULL)
			ctx.total++;
		if (mus_send_followup_wanted(conv))
			ctx.total += 1 + str_array_length(conv->employee_ndns);
		ctx.total += str_array_length(conv->refresh);
	}
	if (!send->opts->dry_run && ctx.total > 0 &&
	    mus_smtp_create(send->set, send->opts->smtp_timeout_msecs,
			    &ctx.smtp, error_r) < 0)
		ret = -1;
	array_foreach_elem(convs, conv) {
		if (ret < 0)
			break;
		T_BEGIN {
			ret = conv->counter_refused == NULL || conv->unreadable ? 0 :
				mus_send_declinecounter(&ctx, conv, error_r);
			if (ret == 0)
				ret = mus_send_conv(&ctx, conv, error_r);
			if (ret == 0)
				ret = mus_send_followup(&ctx, conv, convs, error_r);
		} T_END_PASS_STR_IF(ret < 0, error_r);
		/* checked after the conversation, so that the last ones of a
		   round also end the sync with this error */
		if (ret == 0 && ctx.smtp_down) {
			*error_r = t_strdup_printf(
				"the mail server %s failed %u times in a row, "
				"last: %s; the rest is left for the next sync",
				send->set->smtp_url, MUS_SEND_MAX_TEMPFAILS,
				ctx.tempfail_reason);
			ret = -1;
		}
	}
	mus_smtp_destroy(&ctx.smtp);
	mus_freebusy_destroy(&ctx.fb);
	i_free(ctx.tempfail_reason);
	hash_table_destroy(&ctx.files);
	hash_table_destroy(&ctx.profiles);
	hash_table_destroy(&ctx.fbs);
	hash_table_destroy(&ctx.outsiders);
	pool_unref(&ctx.pool);
	return ret;
}
