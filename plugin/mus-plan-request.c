/* Sending the plan form to the leader of a held conversation. */

#include "lib.h"
#include "array.h"
#include "mus-notice.h"
#include "mus-settings.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-org.h"
#include "mus-round.h"
#include "mus-plan.h"
#include "mus-invitation.h"
#include "mus-smtp.h"
#include "mus-people.h"
#include "mus-plan-request.h"

#include <time.h>

/* another writer changed the conversation meanwhile: read it again */
#define MUS_PLAN_REQUEST_MAX_ATTEMPTS 5

bool mus_plan_request_wanted(const struct mus_conversation *conv)
{
	/* without a UID its answer could not find it (a sync gives one) */
	return !conv->unreadable && conv->status == MUS_CONV_HELD &&
		conv->plan_requested == 0 && conv->ical_uid != NULL;
}

struct mus_plan_request_ctx {
	const struct mus_plan_request *req;
	struct mus_plan_request_result *result;
	struct mus_smtp *smtp;
	bool smtp_down;
};

static void mus_plan_request_log(const struct mus_plan_request *req,
				 const struct mus_conversation *conv,
				 const char *message)
{
	req->log(t_strdup_printf("round %s: %s: %s", req->round->name,
				 conv->cn, message), req->context);
}

static enum mus_language mus_plan_request_language(const struct mus_plan_request *req,
						   const struct mus_person *person)
{
	if (person->language != NULL)
		return strncasecmp(person->language, "en", 2) == 0 ?
			MUS_LANGUAGE_EN : MUS_LANGUAGE_DA;
	return req->set->language;
}

/* The employees' names as the directory has them (their RDN values when
   they are out of scope), from the data stack. */
static const char *const *
mus_plan_request_names(const struct mus_plan_request *req,
		       const struct mus_conversation *conv)
{
	unsigned int count = str_array_length(conv->employee_dns);
	const char **names = t_new(const char *, count + 1);

	for (unsigned int i = 0; i < count; i++) {
		const struct mus_person *employee =
			mus_org_find(req->org, conv->employee_ndns[i]);

		names[i] = employee != NULL ? employee->cn :
			mus_people_name_of_dn(pool_datastack_create(),
					      conv->employee_dns[i]);
	}
	return names;
}

/* The form for conv in the leader's language: a team conversation's for
   the team, any other's for its employee. Returns 0, or -1 with an error
   naming the template. */
static int mus_plan_request_render(const struct mus_plan_request *req,
				   const struct mus_conversation *conv,
				   const struct mus_person *leader,
				   const char **subject_r, const char **body_r,
				   const char **error_r)
{
	enum mus_language lang = mus_plan_request_language(req, leader);
	bool team = mus_conversation_is_team(conv);
	const struct mus_notice_var vars[] = {
		{ team ? "team" : "employee", mus_invitation_names(lang,
			mus_plan_request_names(req, conv)) },
		{ "leader", leader->cn },
		{ "when", mus_invitation_when(lang, req->set->timezone,
					      conv->start, conv->end) },
		{ "uid_short", mus_conversation_reference(conv) },
		{ "max_activities", dec2str(MUS_PLAN_MAX_ACTIVITIES) },
		{ "max_months", dec2str(MUS_PLAN_MAX_MONTHS_AHEAD) },
	};

	return mus_invitation_render_notice(req->set->templates_dir,
					    team ? "plan-form-team" : "plan-form",
					    lang, vars, N_ELEMENTS(vars),
					    subject_r, body_r, error_r);
}

struct mus_plan_request_try {
	struct mus_ldap *conn;
	const struct mus_ldap_mod *mods;
};

static int mus_plan_request_try(const struct mus_conversation *conv,
				void *context, const char **error_r)
{
	struct mus_plan_request_try *t = context;

	if (!mus_plan_request_wanted(conv)) {
		/* another writer moved it on or recorded it */
		return 1;
	}
	return mus_ldap_modify(t->conn, conv->dn, t->mods,
			       mus_ldap_csn_assertion(conv->csn),
			       error_r);
}

/* Record that the form went out: musPlanRequested and plan-requested,
   asserting the entryCSN; a conversation changed meanwhile is read again
   and recorded if it still waits for its form (one deleted meanwhile needs
   no record). Returns 0 or -1. */
static int mus_plan_request_record(const struct mus_plan_request *req,
				   const struct mus_conversation *conv,
				   const char **error_r)
{
	struct mus_ldap_mod mods[3];
	struct mus_plan_request_try t = { .conn = req->conn, .mods = mods };

	i_zero(&mods);
	mods[0].attr = "musPlanRequested";
	mods[0].values = mus_ldap_values1(mus_time_generalized(time(NULL)));
	mods[1].attr = "musStatus";
	mods[1].values = mus_ldap_values1(
		mus_conv_status_name(MUS_CONV_PLAN_REQUESTED));
	return mus_conversation_update(req->conn, conv,
				       MUS_PLAN_REQUEST_MAX_ATTEMPTS,
				       "the plan form was recorded",
				       mus_plan_request_try, &t, error_r) < 0 ?
		-1 : 0;
}

static int mus_plan_request_send(struct mus_plan_request_ctx *ctx,
				 const struct mus_conversation *conv,
				 const char **error_r)
{
	const struct mus_plan_request *req = ctx->req;
	const struct mus_person *leader = conv->leader_ndn == NULL ? NULL :
		mus_org_find(req->org, conv->leader_ndn);
	const char *subject, *body, *error;
	int ret;

	if (leader == NULL || leader->mails[0] == NULL) {
		ctx->result->deferred++;
		mus_plan_request_log(req, conv, t_strdup_printf(
			"no plan form: the leader %s has no mail address in the round's scope",
			conv->leader_dn));
		return 0;
	}
	if (mus_plan_request_render(req, conv, leader, &subject, &body,
				    &error) < 0) {
		/* the admin's to fix; the other conversations go on */
		ctx->result->deferred++;
		mus_plan_request_log(req, conv, error);
		return 0;
	}
	if (req->dry_run) {
		ctx->result->sent++;
		return 0;
	}
	if (ctx->smtp == NULL &&
	    mus_smtp_create(req->set, req->smtp_timeout_msecs, &ctx->smtp,
			    error_r) < 0)
		return -1;
	ret = mus_send_notice(ctx->smtp, req->set, MUS_NOTICE_GENERATED,
			      leader->mails[0], NULL, subject, body, &error);
	if (ret <= 0) {
		ctx->result->deferred++;
		mus_plan_request_log(req, conv, t_strdup_printf(
			"the plan form to %s %s: %s", leader->mails[0],
			ret == 0 ? "was refused" : "is deferred to the next sync",
			error));
		ctx->smtp_down = ret < 0;
		return 0;
	}
	ctx->result->sent++;
	return mus_plan_request_record(req, conv, error_r);
}

int mus_plan_request_round(const struct mus_plan_request *req,
			   const ARRAY_TYPE(mus_conversation) *convs,
			   struct mus_plan_request_result *result,
			   const char **error_r)
{
	struct mus_plan_request_ctx ctx;
	struct mus_conversation *conv;
	int ret = 0;

	i_zero(&ctx);
	ctx.req = req;
	ctx.result = result;
	array_foreach_elem(convs, conv) {
		if (!mus_plan_request_wanted(conv))
			continue;
		if (ctx.smtp_down) {
			result->deferred++;
			continue;
		}
		T_BEGIN {
			ret = mus_plan_request_send(&ctx, conv, error_r);
		} T_END_PASS_STR_IF(ret < 0, error_r);
		if (ret < 0)
			break;
	}
	mus_smtp_destroy(&ctx.smtp);
	return ret;
}
