/* Follow-up of approved plans: due reminders, overdue activities. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "hash.h"
#include "mus-time.h"
#include "mus-ldap.h"
#include "mus-org.h"
#include "mus-people.h"
#include "mus-invitation.h"
#include "mus-plan.h"
#include "mus-send.h"
#include "mus-notice.h"
#include "mus-followup.h"

#define MUS_FOLLOWUP_DAY_SECS (24 * 60 * 60)

/* TRUE if the local date of now is no more than days days before that of
   t: counted in the calendar's days, so that a change to or from summer
   time in between moves nothing by an hour */
static bool mus_followup_within_days(const char *tz, time_t t, time_t now,
				     unsigned int days)
{
	return mus_time_local_day(tz, now) + (int)days >=
		mus_time_local_day(tz, t);
}

bool mus_followup_activity_due(const struct mus_filed_plan *plan,
			       const struct mus_activity *a, const char *tz,
			       time_t now, unsigned int days)
{
	if (plan->follow_up != 0 && plan->follow_up < now)
		return FALSE;
	return !a->done && a->due != 0 && a->reminded == 0 &&
		mus_followup_within_days(tz, a->due, now, days);
}

bool mus_followup_meeting_due(const struct mus_filed_plan *plan,
			      const char *ndn, const char *tz, time_t now,
			      unsigned int days)
{
	if (plan->follow_up == 0 || plan->follow_up <= now ||
	    !mus_followup_within_days(tz, plan->follow_up, now, days))
		return FALSE;
	return !str_array_icase_find(plan->reminded_to, ndn);
}

static bool mus_followup_address_valid(const char *address)
{
	const char *at = strchr(address, '@');

	if (at == NULL || at == address || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return FALSE;
	for (const char *p = address; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || strchr("<>()[],;:\"\\", *p) != NULL)
			return FALSE;
	}
	return TRUE;
}

bool mus_followup_responsible_address(const char *value, const char **name_r,
				      const char **address_r)
{
	const char *lt = strrchr(value, '<'), *address, *name = "";

	if (lt != NULL) {
		const char *gt = strchr(lt, '>');

		if (gt == NULL || gt[1] != '\0')
			return FALSE;
		address = t_strdup_until(lt + 1, gt);
		name = t_strdup_until(value, lt);
		while (*name == ' ')
			name++;
		size_t len = strlen(name);
		while (len > 0 && name[len - 1] == ' ')
			len--;
		name = t_strndup(name, len);
	} else {
		address = value;
	}
	if (!mus_followup_address_valid(address))
		return FALSE;
	*name_r = name;
	*address_r = address;
	return TRUE;
}

/* ---- reminding ---- */

struct mus_followup_ctx {
	struct mus_ldap *conn;
	const struct mus_settings *set;
	const struct mus_org *org;
	struct mus_smtp *smtp;
	time_t now;
	mus_followup_log_t *log;
	void *context;
	struct mus_followup_result *result;
	/* every plan read: a team plan's copies name its members */
	const ARRAY_TYPE(mus_filed_plan) *plans;
	/* what the copies of a team plan were reminded of already (see
	   mus_filed_team_key()); keys from pool */
	pool_t pool;
	HASH_TABLE(const char *, const char *) team_reminded;
};

/* Who gets a mail: an address, the language and a name to greet. */
struct mus_followup_rcpt {
	const char *address, *name;
	enum mus_language language;
};

static const struct mus_person *
mus_followup_person(const struct mus_followup_ctx *ctx, const char *dn)
{
	return mus_org_find_dn(ctx->org, dn);
}

static bool mus_followup_person_rcpt(const struct mus_followup_ctx *ctx,
				     const struct mus_person *person,
				     struct mus_followup_rcpt *rcpt_r)
{
	if (person == NULL || person->mails[0] == NULL)
		return FALSE;
	rcpt_r->address = person->mails[0];
	rcpt_r->name = person->cn;
	rcpt_r->language = person->language == NULL ? ctx->set->language :
		(strncasecmp(person->language, "en", 2) == 0 ?
		 MUS_LANGUAGE_EN : MUS_LANGUAGE_DA);
	return TRUE;
}

static const char *mus_followup_name(const struct mus_followup_ctx *ctx,
				     const char *dn)
{
	const struct mus_person *person = mus_followup_person(ctx, dn);

	if (person != NULL)
		return person->cn;
	return dn == NULL ? "-" : dn;
}

/* Whose plan it is: the employee, or every member of a team plan (one
   copy per member, sharing the conversation), in language's words */
static const char *mus_followup_employees(const struct mus_followup_ctx *ctx,
					  const struct mus_filed_plan *plan,
					  enum mus_language language)
{
	ARRAY_TYPE(const_string) names;
	struct mus_filed_plan *copy;

	if (plan->conversation_ndn == NULL)
		return mus_followup_name(ctx, plan->employee_dn);
	t_array_init(&names, 8);
	array_foreach_elem(ctx->plans, copy) {
		if (copy->conversation_ndn != NULL &&
		    strcmp(copy->conversation_ndn, plan->conversation_ndn) == 0) {
			const char *name = mus_followup_name(ctx, copy->employee_dn);

			array_push_back(&names, &name);
		}
	}
	array_append_zero(&names);
	return mus_invitation_names(language, array_front(&names));
}

/* musActivityKind in the reader's words ("kursus"); a value written by
   hand that is no kind, as it is */
static const char *mus_followup_kind(const char *value,
				     enum mus_language language)
{
	enum mus_plan_activity_kind kind;

	if (value == NULL)
		return "-";
	return mus_plan_activity_kind_parse(value, &kind) ?
		mus_plan_activity_kind_title(kind, language) : value;
}

/* the local date of t in the configured zone, "YYYY-MM-DD" */
static const char *mus_followup_date(const struct mus_followup_ctx *ctx,
				     time_t t)
{
	return mus_time_local_date(ctx->set->timezone, t);
}

static void mus_followup_problem(struct mus_followup_ctx *ctx,
				 const char *message)
{
	ctx->result->failed++;
	ctx->log(TRUE, message, ctx->context);
}

/* How a reminder is recorded: the value of attr written on dn while
   the mail server waits for the end of the message (with op), if the
   entry still matches assertion. */
struct mus_followup_record {
	struct mus_followup_ctx *ctx;
	enum mus_ldap_mod_op op;
	const char *dn, *attr, *value, *assertion;
	/* the entry no longer matched: another sync recorded it first */
	bool raced;
	/* the directory was gone before the write: withheld */
	bool failed;
	/* the write failed on the way: it may or may not have been done */
	const char *unsure;
};

static int mus_followup_record_write(struct mus_followup_record *rec,
				     enum mus_ldap_mod_op op,
				     const char *assertion,
				     const char **error_r)
{
	const struct mus_ldap_mod mods[] = {
		{ op, rec->attr, mus_ldap_values1(rec->value) },
		{ 0, NULL, NULL }
	};

	return mus_ldap_modify(rec->ctx->conn, rec->dn, mods, assertion, error_r);
}

/* Recorded before the mail server has the whole message, as invitations
   are (mus-send.c): what another sync recorded first is withheld here,
   and a write that fails on the way lets the message go, as a reminder
   sent twice is better than one recorded and never sent. */
static int mus_followup_record_commit(void *context, const char **error_r)
{
	struct mus_followup_record *rec = context;
	const char *error;
	int ret;

	if (mus_ldap_connection_closed(rec->ctx->conn)) {
		*error_r = "the directory closed the connection";
		rec->failed = TRUE;
		return -1;
	}
	ret = mus_followup_record_write(rec, rec->op, rec->assertion, &error);
	if (ret == 0) {
		*error_r = "another sync recorded this reminder first";
		rec->raced = TRUE;
		return -1;
	}
	if (ret < 0)
		rec->unsure = error;
	return 0;
}

/* Render the template name for rcpt and send it, recording it as rec
   says. Returns 1 when the MTA accepted the mail, 0 when it is not sent
   (counted and logged), -1 on a temporary failure or when the directory
   failed. */
static int mus_followup_mail(struct mus_followup_ctx *ctx, const char *name,
			     const struct mus_followup_rcpt *rcpt,
			     const struct mus_notice_var *vars,
			     unsigned int count, const char *what,
			     struct mus_followup_record *rec,
			     const char **error_r)
{
	const char *subject, *body, *error;
	bool committed;
	int ret;

	if (mus_invitation_render_notice(ctx->set->templates_dir, name,
					 rcpt->language, vars, count, &subject,
					 &body, &error) < 0) {
		mus_followup_problem(ctx, t_strdup_printf("%s: %s", what, error));
		return 0;
	}
	ret = mus_send_notice_commit(ctx->smtp, ctx->set, MUS_NOTICE_GENERATED,
				     rcpt->address, NULL, subject, body,
				     mus_followup_record_commit, rec,
				     &committed, &error);
	if (rec->raced) {
		ctx->result->raced++;
		ctx->log(FALSE, t_strdup_printf("%s: not sent to %s: %s", what,
						rcpt->address, error),
			 ctx->context);
		return 0;
	}
	if (rec->failed) {
		*error_r = t_strdup_printf("%s: recording the reminder to %s "
					   "failed, so it was withheld: %s",
					   what, rcpt->address, error);
		return -1;
	}
	if (rec->unsure != NULL) {
		*error_r = t_strdup_printf("%s: recording the reminder to %s "
					   "failed while the mail server had it "
					   "(%s); if it was not recorded, the "
					   "next sync sends it again: %s", what,
					   rcpt->address, ret > 0 ? "accepted" :
					   error, rec->unsure);
		return -1;
	}
	if (ret <= 0 && committed) {
		const char *reply = error;

		/* not sent after all: the next sync tries again */
		if (mus_followup_record_write(rec, MUS_LDAP_MOD_DELETE, NULL,
					      &error) < 0) {
			*error_r = t_strdup_printf(
				"%s: the mail server did not confirm the "
				"reminder to %s (%s) and taking back its "
				"record failed: %s", what, rcpt->address,
				reply, error);
			return -1;
		}
		error = reply;
	}
	if (ret < 0) {
		*error_r = t_strdup_printf("%s: sending to %s failed: %s",
					   what, rcpt->address, error);
		return -1;
	}
	if (ret == 0) {
		mus_followup_problem(ctx, t_strdup_printf(
			"%s: the mail server refused %s: %s", what,
			rcpt->address, error));
		return 0;
	}
	ctx->log(FALSE, t_strdup_printf("%s: reminded %s", what, rcpt->address),
		 ctx->context);
	return 1;
}

/* The responsible person of a; the employee when the activity names
   nobody. */
static bool mus_followup_responsible(const struct mus_followup_ctx *ctx,
				     const struct mus_filed_plan *plan,
				     const struct mus_activity *a,
				     struct mus_followup_rcpt *rcpt_r)
{
	const char *name, *address;

	if (a->responsible_dn != NULL) {
		return mus_followup_person_rcpt(ctx,
			mus_followup_person(ctx, a->responsible_dn), rcpt_r);
	}
	if (a->responsible_name != NULL) {
		if (!mus_followup_responsible_address(a->responsible_name,
						      &name, &address))
			return FALSE;
		rcpt_r->address = address;
		rcpt_r->name = name[0] != '\0' ? name : address;
		rcpt_r->language = ctx->set->language;
		return TRUE;
	}
	return mus_followup_person_rcpt(ctx,
		mus_followup_person(ctx, plan->employee_dn), rcpt_r);
}

/* Who a's responsible person is, in words, when they cannot be mailed:
   the one named, else the employee */
static const char *
mus_followup_responsible_label(const struct mus_followup_ctx *ctx,
			       const struct mus_filed_plan *plan,
			       const struct mus_activity *a)
{
	const char *dn = a->responsible_dn;
	const struct mus_person *person;

	if (dn == NULL && a->responsible_name != NULL)
		return a->responsible_name;
	if (dn == NULL)
		dn = plan->employee_dn;
	person = mus_followup_person(ctx, dn);
	return person != NULL ? person->cn :
		mus_people_name_of_dn(pool_datastack_create(), dn);
}

/* TRUE if key was reminded of in another copy (done is shared by the
   reader: mus_filed_plans_team_reminded()) */
static bool mus_followup_team_seen(const struct mus_followup_ctx *ctx,
				   const char *key)
{
	return key != NULL && hash_table_lookup(ctx->team_reminded, key) != NULL;
}

static void mus_followup_team_add(struct mus_followup_ctx *ctx, const char *key)
{
	if (key != NULL && !mus_followup_team_seen(ctx, key)) {
		key = p_strdup(ctx->pool, key);
		hash_table_insert(ctx->team_reminded, key, key);
	}
}

/* What the directory says was reminded of in any copy. */
static void mus_followup_team_read(struct mus_followup_ctx *ctx,
				   const ARRAY_TYPE(mus_filed_plan) *plans)
{
	struct mus_filed_plan *plan;
	const struct mus_activity *a;

	array_foreach_elem(plans, plan) T_BEGIN {
		array_foreach(&plan->activities, a) {
			if (a->reminded != 0)
				mus_followup_team_add(ctx,
					mus_filed_activity_team_key(plan, a));
		}
		for (const char *const *ndn = plan->reminded_to; *ndn != NULL; ndn++)
			mus_followup_team_add(ctx, mus_filed_team_key(
				plan, "meeting", *ndn));
	} T_END;
}

static int mus_followup_activity(struct mus_followup_ctx *ctx,
				 const struct mus_filed_plan *plan,
				 const struct mus_activity *a,
				 const char **error_r)
{
	const char *what = t_strdup_printf("activity %s", a->dn);
	const char *key = mus_filed_activity_team_key(plan, a);
	const char *template = "reminder-activity", *responsible = NULL;
	struct mus_followup_rcpt rcpt;
	int ret;

	if (mus_followup_team_seen(ctx, key))
		return 0;
	if (a->uuid == NULL) {
		mus_followup_problem(ctx, t_strdup_printf(
			"%s: the directory gave no entryUUID", what));
		return 0;
	}
	if (!mus_followup_responsible(ctx, plan, a, &rcpt)) {
		/* the plan names someone without an address: the
		   employee's leader now (who may mark it done) is reminded
		   instead, and asked to pass it on */
		const struct mus_person *employee =
			mus_followup_person(ctx, plan->employee_dn);

		if (!mus_followup_person_rcpt(ctx, employee == NULL ? NULL :
					      employee->manager, &rcpt)) {
			mus_followup_problem(ctx, t_strdup_printf(
				"%s: nobody to remind: the responsible person has no "
				"entry with a mail address in scope, "
				"musResponsibleName holds no address, and the "
				"employee has no leader with one", what));
			return 0;
		}
		template = "reminder-activity-leader";
		responsible = mus_followup_responsible_label(ctx, plan, a);
	}
	const struct mus_notice_var vars[] = {
		{ "name", rcpt.name },
		{ "responsible", responsible == NULL ? rcpt.name : responsible },
		{ "activity", a->description == NULL ? "-" : a->description },
		{ "kind", mus_followup_kind(a->kind, rcpt.language) },
		{ "due", mus_followup_date(ctx, a->due) },
		{ "employee", mus_followup_employees(ctx, plan, rcpt.language) },
		{ "plan", plan->name == NULL ? plan->dn : plan->name },
		{ "reference", a->uuid },
		{ "organizer", ctx->set->organizer },
		{ "done_subject", t_strdup_printf("%s [%s]",
			MUS_L(rcpt.language, MUS_FOLLOWUP_DONE_WORD_DA,
			      MUS_FOLLOWUP_DONE_WORD_EN), a->uuid) },
	};
	/* the assertion fails when another sync recorded it, or anything
	   else changed the activity since it was read (marked done
	   meanwhile, say) */
	struct mus_followup_record rec = {
		.ctx = ctx, .op = MUS_LDAP_MOD_REPLACE, .dn = a->dn,
		.attr = "musReminded",
		.value = mus_time_generalized(ctx->now),
		.assertion = a->csn != NULL ? mus_ldap_csn_assertion(a->csn) :
			"(!(musReminded=*))",
	};
	ret = mus_followup_mail(ctx, template, &rcpt, vars, N_ELEMENTS(vars),
				what, &rec, error_r);
	if (ret <= 0)
		return ret;
	mus_followup_team_add(ctx, key);
	ctx->result->activity_reminders++;
	return 1;
}

/* The activities not done yet, each with the subject that marks it done
   (the reminder of an activity goes to its responsible person only) */
static const char *
mus_followup_open_list(const struct mus_followup_ctx *ctx,
		       const struct mus_filed_plan *plan,
		       enum mus_language language)
{
	const struct mus_activity *a;
	string_t *list = t_str_new(256);

	array_foreach(&plan->activities, a) {
		if (a->done)
			continue;
		if (str_len(list) > 0)
			str_append_c(list, '\n');
		str_printfa(list, "- %s", a->description == NULL ? "-" :
			    a->description);
		if (a->due != 0)
			str_printfa(list, " (%s)", mus_followup_date(ctx, a->due));
		if (a->uuid != NULL) {
			str_printfa(list, "\n    %s [%s]",
				    MUS_L(language, MUS_FOLLOWUP_DONE_WORD_DA,
					  MUS_FOLLOWUP_DONE_WORD_EN), a->uuid);
		}
	}
	return str_len(list) == 0 ? "-" : str_c(list);
}

static int mus_followup_meeting_person(struct mus_followup_ctx *ctx,
				       const struct mus_filed_plan *plan,
				       const struct mus_person *person,
				       const struct mus_person *leader,
				       const char **error_r)
{
	const char *what = t_strdup_printf("follow-up of plan %s", plan->dn);
	const char *key = mus_filed_team_key(plan, "meeting", person->ndn);
	struct mus_followup_rcpt rcpt;
	int ret;

	if (!mus_followup_meeting_due(plan, person->ndn, ctx->set->timezone, ctx->now,
				      ctx->set->reminder_days) ||
	    mus_followup_team_seen(ctx, key))
		return 0;
	if (!mus_followup_person_rcpt(ctx, person, &rcpt)) {
		mus_followup_problem(ctx, t_strdup_printf(
			"%s: %s has no mail address", what, person->dn));
		return 0;
	}
	const struct mus_notice_var vars[] = {
		{ "name", rcpt.name },
		{ "employee", mus_followup_employees(ctx, plan, rcpt.language) },
		{ "leader", leader->cn },
		{ "date", mus_followup_date(ctx, plan->follow_up) },
		{ "plan", plan->name == NULL ? plan->dn : plan->name },
		{ "activities", mus_followup_open_list(ctx, plan, rcpt.language) },
		{ "organizer", ctx->set->organizer },
	};
	/* the plan's entryCSN changes with the first of the two reminders,
	   so the assertion is about this person only */
	struct mus_followup_record rec = {
		.ctx = ctx, .op = MUS_LDAP_MOD_ADD, .dn = plan->dn,
		.attr = "musRemindedTo",
		.value = person->dn,
		.assertion = t_strdup_printf("(!(musRemindedTo=%s))",
			mus_ldap_filter_escape(person->dn)),
	};
	ret = mus_followup_mail(ctx, "reminder-followup", &rcpt, vars,
				N_ELEMENTS(vars), what, &rec, error_r);
	if (ret <= 0)
		return ret;
	mus_followup_team_add(ctx, key);
	ctx->result->meeting_reminders++;
	return 1;
}

/* Employee and current leader (the employee's manager now, not the one
   who signed the plan: plans outlive leaders). */
static int mus_followup_meeting(struct mus_followup_ctx *ctx,
				const struct mus_filed_plan *plan,
				const char **error_r)
{
	const struct mus_person *employee, *leader;

	if (plan->follow_up == 0)
		return 0;
	employee = mus_followup_person(ctx, plan->employee_dn);
	if (employee == NULL) {
		/* gone from the directory: nobody to meet */
		return 0;
	}
	leader = employee->manager != NULL ? employee->manager :
		mus_followup_person(ctx, plan->leader_dn);
	if (leader == NULL) {
		if (mus_followup_meeting_due(plan, employee->ndn, ctx->set->timezone, ctx->now,
					     ctx->set->reminder_days)) {
			mus_followup_problem(ctx, t_strdup_printf(
				"follow-up of plan %s: %s has no leader",
				plan->dn, employee->dn));
		}
		return 0;
	}
	if (mus_followup_meeting_person(ctx, plan, employee, leader, error_r) < 0 ||
	    mus_followup_meeting_person(ctx, plan, leader, leader, error_r) < 0)
		return -1;
	return 0;
}

int mus_followup_remind(struct mus_ldap *conn, struct mus_smtp *smtp,
			const struct mus_settings *set,
			const struct mus_org *org,
			const ARRAY_TYPE(mus_filed_plan) *plans, time_t now,
			mus_followup_log_t *log, void *context,
			struct mus_followup_result *result_r,
			const char **error_r)
{
	struct mus_followup_ctx ctx = {
		.conn = conn, .smtp = smtp, .set = set, .org = org, .now = now,
		.log = log, .context = context,
		.result = result_r, .plans = plans,
	};
	struct mus_filed_plan *plan;
	const struct mus_activity *a;
	int ret = 0;

	i_zero(result_r);
	ctx.pool = pool_alloconly_create("mus followup team", 1024);
	hash_table_create(&ctx.team_reminded, ctx.pool, 0, str_hash, strcmp);
	mus_followup_team_read(&ctx, plans);
	array_foreach_elem(plans, plan) {
		if (!mus_filed_plan_approved(plan))
			continue;
		array_foreach(&plan->activities, a) {
			if (!mus_followup_activity_due(plan, a, set->timezone, now,
						       set->reminder_days))
				continue;
			T_BEGIN {
				ret = mus_followup_activity(&ctx, plan, a, error_r);
			} T_END_PASS_STR_IF(ret < 0, error_r);
			if (ret < 0)
				break;
		}
		if (ret < 0)
			break;
		T_BEGIN {
			ret = mus_followup_meeting(&ctx, plan, error_r);
		} T_END_PASS_STR_IF(ret < 0, error_r);
		if (ret < 0)
			break;
	}
	hash_table_destroy(&ctx.team_reminded);
	pool_unref(&ctx.pool);
	return ret < 0 ? -1 : 0;
}
