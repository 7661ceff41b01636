/* Sending the competence form to the employee and the leader. */

#include "lib.h"
#include "array.h"
#include "mus-notice.h"
#include "mus-settings.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-org.h"
#include "mus-round.h"
#include "mus-profile.h"
#include "mus-competence-form.h"
#include "mus-invitation.h"
#include "mus-smtp.h"
#include "mus-competence-request.h"

#include <time.h>

bool mus_competence_request_wanted(const struct mus_conversation *conv,
				   bool group_round)
{
	if (conv->unreadable || group_round || conv->competence_form_sent != 0 ||
	    conv->employee_ndns[0] == NULL || conv->employee_ndns[1] != NULL)
		return FALSE;
	switch (conv->status) {
	case MUS_CONV_SCHEDULED:
	case MUS_CONV_INVITED:
	case MUS_CONV_ACCEPTED:
	case MUS_CONV_DECLINED:
	case MUS_CONV_RESCHEDULING:
		return TRUE;
	default:
		return FALSE;
	}
}

struct mus_competence_request_ctx {
	const struct mus_competence_request *req;
	struct mus_competence_request_result *result;
	struct mus_smtp *smtp;
	bool smtp_down;
	pool_t pool;
};

/* the record of one recipient, written before the end of data */
struct mus_competence_record {
	struct mus_ldap *conn;
	const struct mus_conversation *conv;
	const struct mus_profile *profile;
	const char *address;
	/* the first record adds the class and the profile */
	bool first;
	/* the directory was not written: the message was withheld */
	bool failed;
};

static void mus_competence_log(const struct mus_competence_request *req,
			       const struct mus_conversation *conv,
			       const char *message)
{
	req->log(t_strdup_printf("round %s: %s: %s", req->round->name,
				 conv->cn, message), req->context);
}

static enum mus_language
mus_competence_language(const struct mus_competence_request *req,
			const struct mus_person *person)
{
	if (person->language != NULL)
		return strncasecmp(person->language, "en", 2) == 0 ?
			MUS_LANGUAGE_EN : MUS_LANGUAGE_DA;
	return req->set->language;
}

static int mus_competence_record_modify(struct mus_competence_record *rec,
					enum mus_ldap_mod_op op,
					const char **error_r)
{
	struct mus_ldap_mod mods[4];
	unsigned int n = 0;

	i_zero(&mods);
	mods[n].op = op;
	mods[n].attr = "musCompetenceFormSentTo";
	mods[n++].values = mus_ldap_values1(rec->address);
	if (rec->first && op == MUS_LDAP_MOD_ADD) {
		mods[n].op = MUS_LDAP_MOD_ADD;
		mods[n].attr = "objectClass";
		mods[n++].values = mus_ldap_values1("musCompetenceAssessment");
		mods[n].attr = "musJobProfileRef";
		mods[n++].values = mus_ldap_values1(rec->profile->dn);
	}
	return mus_ldap_modify(rec->conn, rec->conv->dn, mods,
			       rec->first && op == MUS_LDAP_MOD_ADD ?
			       mus_ldap_csn_assertion(rec->conv->csn) : NULL,
			       error_r);
}

static int mus_competence_record_commit(void *context, const char **error_r)
{
	struct mus_competence_record *rec = context;
	int ret;

	if (mus_ldap_connection_closed(rec->conn)) {
		*error_r = "the directory closed the connection";
		rec->failed = TRUE;
		return -1;
	}
	ret = mus_competence_record_modify(rec, MUS_LDAP_MOD_ADD, error_r);
	if (ret == 0)
		*error_r = "the conversation changed meanwhile";
	if (ret <= 0) {
		/* withheld: a value that exists already means another
		   host has sent it */
		rec->failed = TRUE;
		return -1;
	}
	return 0;
}

/* Send person's form (template name) and record it. Returns 1 when sent,
   0 when left for the next sync (logged), -1 on a directory error. */
static int mus_competence_send_one(struct mus_competence_request_ctx *ctx,
				   const struct mus_conversation *conv,
				   const struct mus_profile *profile,
				   const struct mus_person *employee,
				   const struct mus_person *leader,
				   const struct mus_person *to, bool first,
				   const char **error_r)
{
	const struct mus_competence_request *req = ctx->req;
	enum mus_language lang = mus_competence_language(req, to);
	struct mus_competence_record rec = {
		.conn = req->conn, .conv = conv, .profile = profile,
		.address = to->mails[0], .first = first,
	};
	const struct mus_notice_var vars[] = {
		{ "employee", employee->cn },
		{ "leader", leader->cn },
		{ "when", mus_invitation_when(lang, req->set->timezone,
					      conv->start, conv->end) },
		{ "profile", profile->name },
		{ "competences", mus_competence_form_competences(profile, lang) },
		{ "levels", mus_competence_form_levels(lang) },
		{ "answer_lines", mus_competence_form_answer_lines(profile) },
		{ "uid_short", mus_conversation_reference(conv) },
		{ "kind", mus_round_kind_name(req->round->kind) },
	};
	const char *subject, *body, *error;
	bool committed;
	int ret;

	if (mus_invitation_render_notice(req->set->templates_dir,
					 to == leader ? "competence-form-leader" :
					 "competence-form", lang, vars,
					 N_ELEMENTS(vars), &subject, &body,
					 &error) < 0) {
		mus_competence_log(req, conv, error);
		return 0;
	}
	if (ctx->smtp == NULL &&
	    mus_smtp_create(req->set, req->smtp_timeout_msecs, &ctx->smtp,
			    error_r) < 0)
		return -1;
	ret = mus_send_notice_commit(ctx->smtp, req->set, MUS_NOTICE_GENERATED,
				     to->mails[0], NULL, subject, body,
				     mus_competence_record_commit, &rec,
				     &committed, &error);
	if (rec.failed) {
		mus_competence_log(req, conv, t_strdup_printf(
			"the competence form to %s was withheld, as recording it "
			"failed: %s", to->mails[0], error));
		if (mus_ldap_connection_closed(req->conn)) {
			*error_r = t_strdup_printf("recording the competence "
				"form of %s failed: %s", conv->dn, error);
			return -1;
		}
		return 0;
	}
	if (ret < 0) {
		mus_competence_log(req, conv, t_strdup_printf(
			"the competence form to %s is deferred to the next sync: %s",
			to->mails[0], error));
		ctx->smtp_down = TRUE;
		if (committed &&
		    mus_competence_record_modify(&rec, MUS_LDAP_MOD_DELETE,
						 error_r) < 0)
			return -1;
		return 0;
	}
	if (ret == 0) {
		/* refused for good: recorded all the same, as it would be
		   refused again, so that the others get theirs */
		mus_competence_log(req, conv, t_strdup_printf(
			"the competence form to %s was refused: %s",
			to->mails[0], error));
		if (!committed) {
			ret = mus_competence_record_modify(&rec, MUS_LDAP_MOD_ADD,
							   error_r);
			if (ret < 0 && !mus_ldap_connection_closed(req->conn)) {
				/* e.g. another host recorded it meanwhile */
				mus_competence_log(req, conv, *error_r);
				return 0;
			}
			if (ret <= 0)
				return ret;
		}
		return 1;
	}
	ctx->result->sent++;
	return 1;
}

/* The profile the form goes out with: the one fixed by an earlier
   record, else the employee's. Returns 1, 0 if none (or not usable:
   logged), -1 never. */
static int mus_competence_profile(struct mus_competence_request_ctx *ctx,
				  const struct mus_conversation *conv,
				  const struct mus_person *employee,
				  const struct mus_profile **profile_r)
{
	const struct mus_competence_request *req = ctx->req;
	const char *ndn, *error, *problem;
	struct mus_profile *profile;
	int ret;

	if (conv->job_profile_ref != NULL) {
		if (mus_ldap_dn_normalize(pool_datastack_create(),
					  conv->job_profile_ref, &ndn, &error) < 0)
			ndn = conv->job_profile_ref;
		profile = mus_profiles_find_dn(req->profiles, ndn);
		if (profile == NULL || profile->problem != NULL) {
			mus_competence_log(req, conv, t_strdup_printf(
				"no competence form: its job profile %s %s",
				conv->job_profile_ref, profile == NULL ?
				"is gone" : profile->problem));
			return 0;
		}
		*profile_r = profile;
		return 1;
	}
	ret = mus_profiles_resolve(req->profiles, employee, profile_r, &problem);
	if (ret < 0) {
		mus_competence_log(req, conv, t_strdup_printf(
			"no competence form for %s: %s", employee->dn, problem));
	}
	return ret > 0 ? 1 : 0;
}

static bool mus_competence_has(const struct mus_conversation *conv,
			       const char *address)
{
	return str_array_icase_find(conv->competence_form_sent_to, address);
}

static int mus_competence_send(struct mus_competence_request_ctx *ctx,
			       const struct mus_conversation *conv,
			       const char **error_r)
{
	const struct mus_competence_request *req = ctx->req;
	const struct mus_person *employee, *leader, *to[2];
	const struct mus_profile *profile;
	struct mus_conversation *fresh;
	struct mus_ldap_mod mods[2];
	bool first, complete = TRUE;
	int ret;

	employee = mus_org_find(req->org, conv->employee_ndns[0]);
	leader = conv->leader_ndn == NULL ? NULL :
		mus_org_find(req->org, conv->leader_ndn);
	if (employee == NULL || leader == NULL)
		return 0;
	if (mus_competence_profile(ctx, conv, employee, &profile) <= 0)
		return 0;
	to[0] = employee;
	to[1] = leader;
	if (req->dry_run) {
		/* the form follows the invitation: none for a conversation
		   whose invitation cannot go out (no time, or an address
		   missing) */
		if (conv->sent_sequence < 0 &&
		    (conv->start == 0 || employee->mails[0] == NULL ||
		     leader->mails[0] == NULL))
			return 0;
		for (unsigned int i = 0; i < N_ELEMENTS(to); i++) {
			if (to[i]->mails[0] != NULL &&
			    !mus_competence_has(conv, to[i]->mails[0]))
				ctx->result->sent++;
		}
		return 0;
	}
	/* as it is now, after the invitations of this sync */
	ret = mus_conversation_read(req->conn, ctx->pool, conv->dn, &fresh,
				    error_r);
	if (ret <= 0)
		return ret;
	if (!mus_competence_request_wanted(fresh, FALSE) ||
	    fresh->sent_sequence < 0)
		return 0;
	first = fresh->job_profile_ref == NULL;
	for (unsigned int i = 0; i < N_ELEMENTS(to); i++) {
		if (to[i]->mails[0] == NULL) {
			mus_competence_log(req, conv, t_strdup_printf(
				"no competence form to %s, who has no mail address",
				to[i]->dn));
			continue;
		}
		if (mus_competence_has(fresh, to[i]->mails[0]))
			continue;
		if (ctx->smtp_down) {
			complete = FALSE;
			break;
		}
		ret = mus_competence_send_one(ctx, fresh, profile, employee,
					      leader, to[i], first, error_r);
		if (ret < 0)
			return -1;
		if (ret == 0) {
			complete = FALSE;
			if (first)
				break;
		}
		first = FALSE;
	}
	if (!complete) {
		ctx->result->deferred++;
		return 0;
	}
	i_zero(&mods);
	mods[0].attr = "musCompetenceFormSent";
	mods[0].values = mus_ldap_values1(mus_time_generalized(time(NULL)));
	return mus_ldap_modify(req->conn, conv->dn, mods, NULL, error_r) < 0 ?
		-1 : 0;
}

int mus_competence_request_round(const struct mus_competence_request *req,
				 const ARRAY_TYPE(mus_conversation) *convs,
				 struct mus_competence_request_result *result,
				 const char **error_r)
{
	struct mus_competence_request_ctx ctx;
	struct mus_conversation *conv;
	bool group = mus_round_is_group(req->round->kind);
	int ret = 0;

	i_zero(&ctx);
	ctx.req = req;
	ctx.result = result;
	ctx.pool = pool_alloconly_create("mus competence request", 4096);
	array_foreach_elem(convs, conv) {
		if (!mus_competence_request_wanted(conv, group))
			continue;
		T_BEGIN {
			ret = mus_competence_send(&ctx, conv, error_r);
		} T_END_PASS_STR_IF(ret < 0, error_r);
		p_clear(ctx.pool);
		if (ret < 0)
			break;
	}
	mus_smtp_destroy(&ctx.smtp);
	pool_unref(&ctx.pool);
	return ret;
}
