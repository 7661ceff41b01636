/* Conversations as stored in the directory. */

#include "lib.h"
#include "array.h"
#include "hex-binary.h"
#include "sha2.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-conversation.h"

#define MUS_CONVERSATION_PAGE_SIZE 400

const char *const mus_conversation_attrs[] = {
	"cn", "musLeader", "musEmployee", "musTeam", "musStatus", "musStart",
	"musEnd", "musICalUID", "musSequence", "musSentSequence", "musReason",
	"musSentDigest", "musSentTo", "musCardLeader", "musCardEmployee",
	"musPartstat", "musPartstatComment", "musDeclined", "musCounter",
	"musCounterRefused", "musRefresh", "musPlanVersion", "musPlanDraft",
	"musPlanRequested", "musPlanApproval", "musFollowUpUID", "musFollowUpStart",
	"musFollowUpEnd", "musFollowUpSentTo", "musJobProfileRef",
	"musCompetenceFormSent", "musCompetenceFormSentTo",
	"musAssessmentEmployee", "musAssessmentLeader", "entryCSN", NULL
};

static const char *const mus_conv_status_names[MUS_CONV_STATUS_COUNT] = {
	[MUS_CONV_NEW] = "new",
	[MUS_CONV_SCHEDULED] = "scheduled",
	[MUS_CONV_INVITED] = "invited",
	[MUS_CONV_ACCEPTED] = "accepted",
	[MUS_CONV_DECLINED] = "declined",
	[MUS_CONV_RESCHEDULING] = "rescheduling",
	[MUS_CONV_HELD] = "held",
	[MUS_CONV_PLAN_REQUESTED] = "plan-requested",
	[MUS_CONV_PLAN_PENDING] = "plan-pending",
	[MUS_CONV_APPROVED] = "approved",
	[MUS_CONV_CANCELLED] = "cancelled",
	[MUS_CONV_UNSCHEDULABLE] = "unschedulable",
	[MUS_CONV_FAILED] = "failed",
};

const char *mus_conv_status_name(enum mus_conv_status status)
{
	i_assert(status < MUS_CONV_STATUS_COUNT);
	return mus_conv_status_names[status];
}

bool mus_conv_status_parse(const char *name, enum mus_conv_status *status_r)
{
	for (unsigned int i = 0; i < MUS_CONV_STATUS_COUNT; i++) {
		if (strcasecmp(name, mus_conv_status_names[i]) == 0) {
			*status_r = i;
			return TRUE;
		}
	}
	return FALSE;
}

bool mus_conv_status_holds_slot(enum mus_conv_status status)
{
	switch (status) {
	case MUS_CONV_SCHEDULED:
	case MUS_CONV_INVITED:
	case MUS_CONV_ACCEPTED:
	case MUS_CONV_HELD:
	case MUS_CONV_PLAN_REQUESTED:
	case MUS_CONV_PLAN_PENDING:
	case MUS_CONV_APPROVED:
	case MUS_CONV_FAILED:
		return TRUE;
	default:
		return FALSE;
	}
}

bool mus_conv_status_took_place(enum mus_conv_status status)
{
	return status == MUS_CONV_HELD || status == MUS_CONV_PLAN_REQUESTED ||
		status == MUS_CONV_PLAN_PENDING || status == MUS_CONV_APPROVED;
}

bool mus_conv_status_wants_slot(enum mus_conv_status status)
{
	return status == MUS_CONV_NEW || status == MUS_CONV_RESCHEDULING;
}

const char *mus_conversation_uid(const char *round_dn, const char *cn,
				 const char *purpose, const char *organizer)
{
	unsigned char digest[SHA256_RESULTLEN];
	const char *input = purpose == NULL ?
		t_strconcat(round_dn, "\n", cn, NULL) :
		t_strconcat(round_dn, "\n", cn, "\n", purpose, NULL);
	const char *domain = strchr(organizer, '@');

	sha256_get_digest(input, strlen(input), digest);
	return t_strdup_printf("%s%s", binary_to_hex(digest, 16), domain);
}

const char *mus_conversation_reference(const struct mus_conversation *conv)
{
	if (conv->ical_uid == NULL)
		return "";
	return t_strndup(conv->ical_uid, MUS_CONVERSATION_REFERENCE_LEN);
}

bool mus_conversation_is_team(const struct mus_conversation *conv)
{
	return conv->team_dn != NULL ||
		(conv->employee_dns[0] != NULL && conv->employee_dns[1] != NULL);
}

bool mus_conversation_is_over(const struct mus_conversation *conv, time_t now)
{
	if (conv->unreadable || conv->end == 0 || conv->end > now)
		return FALSE;
	return conv->status == MUS_CONV_INVITED ||
		conv->status == MUS_CONV_ACCEPTED;
}

unsigned int mus_conversation_meetings(const struct mus_conversation *conv,
				       struct mus_conv_meeting meetings_r[2])
{
	unsigned int n = 0;

	if (conv->unreadable)
		return 0;
	if (mus_conv_status_holds_slot(conv->status) && conv->end > conv->start &&
	    conv->start != 0) {
		meetings_r[n].start = conv->start;
		meetings_r[n++].end = conv->end;
	}
	if (conv->status == MUS_CONV_PLAN_PENDING &&
	    conv->followup_end > conv->followup_start &&
	    conv->followup_start != 0) {
		meetings_r[n].start = conv->followup_start;
		meetings_r[n++].end = conv->followup_end;
	}
	return n;
}

int mus_conversation_answerable_sequence(const struct mus_conversation *conv)
{
	if (conv->sent_sequence < 0)
		return -1;
	/* a sync writes musSequence first and musSentSequence with the last
	   message (taken back if the mail server refuses it): in between,
	   the attendees' copies are being replaced */
	if (conv->sequence > (unsigned int)conv->sent_sequence &&
	    conv->sequence <= INT_MAX)
		return (int)conv->sequence;
	return conv->sent_sequence;
}

struct mus_conversations_ctx {
	pool_t pool;
	ARRAY_TYPE(mus_conversation) *convs;
};

static const char *const *mus_conv_ndns(pool_t pool, const char *const *dns)
{
	unsigned int count = str_array_length(dns);
	const char **ndns = p_new(pool, const char *, count + 1);
	const char *error;

	for (unsigned int i = 0; i < count; i++) {
		if (mus_ldap_dn_normalize(pool, dns[i], &ndns[i], &error) < 0)
			ndns[i] = p_strdup(pool, dns[i]);
	}
	return ndns;
}

static const char *const *mus_conv_strings(pool_t pool, const char *const *values)
{
	unsigned int count = str_array_length(values);
	const char **copy = p_new(pool, const char *, count + 1);

	for (unsigned int i = 0; i < count; i++)
		copy[i] = p_strdup(pool, values[i]);
	return copy;
}

struct mus_conversation *mus_conversation_new(pool_t pool)
{
	static const char *const empty[] = { NULL };
	struct mus_conversation *conv = p_new(pool, struct mus_conversation, 1);

	conv->sent_sequence = -1;
	conv->employee_dns = conv->employee_ndns = conv->sent_to =
		conv->cards_leader = conv->cards_employee = conv->partstat =
		conv->partstat_comments = conv->declined = conv->refresh =
		conv->plan_approvals = conv->followup_sent_to =
		conv->competence_form_sent_to = conv->assessment_employee =
		conv->assessment_leader = empty;
	return conv;
}

/* A number that may be absent: *value_r is left as it is then, and
   *problem_r set if the value is no number. */
static void mus_conv_optional_int(const struct mus_ldap_entry *entry,
				  const char *attr, int *value_r,
				  const char **problem_r)
{
	const char *value = mus_ldap_entry_value(entry, attr);
	unsigned int n;

	if (value == NULL)
		return;
	if (str_to_uint(value, &n) < 0 || n > INT_MAX)
		*problem_r = t_strdup_printf("%s '%s' is not a number", attr, value);
	else
		*value_r = (int)n;
}

static int mus_conversation_add_entry(const struct mus_ldap_entry *entry,
				      void *context,
				      const char **error_r ATTR_UNUSED)
{
	struct mus_conversations_ctx *ctx = context;
	pool_t pool = ctx->pool;
	struct mus_conversation *conv = p_new(pool, struct mus_conversation, 1);
	const char *value, *problem = NULL, *error;

	conv->dn = p_strdup(pool, mus_ldap_entry_dn(entry));
	conv->cn = p_strdup(pool, mus_ldap_entry_value(entry, "cn"));
	conv->csn = p_strdup(pool, mus_ldap_entry_value(entry, "entryCSN"));
	conv->leader_dn = p_strdup(pool, mus_ldap_entry_value(entry, "musLeader"));
	if (conv->leader_dn == NULL ||
	    mus_ldap_dn_normalize(pool, conv->leader_dn, &conv->leader_ndn, &error) < 0)
		conv->leader_ndn = conv->leader_dn;
	conv->employee_dns = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musEmployee"));
	conv->employee_ndns = mus_conv_ndns(pool, conv->employee_dns);
	conv->team_dn = p_strdup(pool, mus_ldap_entry_value(entry, "musTeam"));
	conv->ical_uid = p_strdup(pool, mus_ldap_entry_value(entry, "musICalUID"));
	conv->reason = p_strdup(pool, mus_ldap_entry_value(entry, "musReason"));
	conv->sent_digest = p_strdup(pool, mus_ldap_entry_value(entry, "musSentDigest"));
	conv->sent_to = mus_conv_strings(pool, mus_ldap_entry_values(entry, "musSentTo"));
	conv->cards_leader = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musCardLeader"));
	conv->cards_employee = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musCardEmployee"));
	conv->partstat = mus_conv_strings(pool, mus_ldap_entry_values(entry, "musPartstat"));
	conv->partstat_comments = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musPartstatComment"));
	conv->declined = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musDeclined"));
	conv->counter = p_strdup(pool, mus_ldap_entry_value(entry, "musCounter"));
	conv->counter_refused = p_strdup(pool,
		mus_ldap_entry_value(entry, "musCounterRefused"));
	conv->refresh = mus_conv_strings(pool, mus_ldap_entry_values(entry, "musRefresh"));
	conv->sent_sequence = -1;
	conv->plan_draft = p_strdup(pool,
		mus_ldap_entry_value(entry, "musPlanDraft"));
	conv->plan_approvals = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musPlanApproval"));
	conv->followup_uid = p_strdup(pool,
		mus_ldap_entry_value(entry, "musFollowUpUID"));
	conv->followup_sent_to = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musFollowUpSentTo"));
	conv->job_profile_ref = p_strdup(pool,
		mus_ldap_entry_value(entry, "musJobProfileRef"));
	conv->competence_form_sent_to = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musCompetenceFormSentTo"));
	conv->assessment_employee = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musAssessmentEmployee"));
	conv->assessment_leader = mus_conv_strings(pool,
		mus_ldap_entry_values(entry, "musAssessmentLeader"));

	value = mus_ldap_entry_value(entry, "musStatus");
	if (value == NULL || !mus_conv_status_parse(value, &conv->status))
		problem = t_strdup_printf("musStatus '%s' is not a known status",
					  value == NULL ? "" : value);
	value = mus_ldap_entry_value(entry, "musSequence");
	if (value != NULL && str_to_uint(value, &conv->sequence) < 0)
		problem = t_strdup_printf("musSequence '%s' is not a number", value);
	mus_conv_optional_int(entry, "musSentSequence", &conv->sent_sequence,
			      &problem);
	value = mus_ldap_entry_value(entry, "musPlanVersion");
	if (value != NULL && str_to_uint(value, &conv->plan_version) < 0)
		problem = t_strdup_printf("musPlanVersion '%s' is not a number", value);
	value = mus_ldap_entry_value(entry, "musPlanRequested");
	if (value != NULL &&
	    mus_time_parse_generalized(value, &conv->plan_requested) < 0)
		problem = t_strdup_printf("musPlanRequested '%s' is not a GeneralizedTime", value);
	value = mus_ldap_entry_value(entry, "musFollowUpStart");
	if (value != NULL &&
	    mus_time_parse_generalized(value, &conv->followup_start) < 0)
		problem = t_strdup_printf("musFollowUpStart '%s' is not a GeneralizedTime", value);
	value = mus_ldap_entry_value(entry, "musFollowUpEnd");
	if (value != NULL &&
	    mus_time_parse_generalized(value, &conv->followup_end) < 0)
		problem = t_strdup_printf("musFollowUpEnd '%s' is not a GeneralizedTime", value);
	value = mus_ldap_entry_value(entry, "musCompetenceFormSent");
	if (value != NULL &&
	    mus_time_parse_generalized(value, &conv->competence_form_sent) < 0)
		problem = t_strdup_printf("musCompetenceFormSent '%s' is not a GeneralizedTime", value);
	value = mus_ldap_entry_value(entry, "musStart");
	if (value != NULL && mus_time_parse_generalized(value, &conv->start) < 0)
		problem = t_strdup_printf("musStart '%s' is not a GeneralizedTime", value);
	value = mus_ldap_entry_value(entry, "musEnd");
	if (value != NULL && mus_time_parse_generalized(value, &conv->end) < 0)
		problem = t_strdup_printf("musEnd '%s' is not a GeneralizedTime", value);
	if (conv->cn == NULL || conv->leader_dn == NULL)
		problem = "cn or musLeader is missing";
	if (problem != NULL) {
		/* keep it visible instead of acting on half-read values */
		conv->unreadable = TRUE;
		conv->status = MUS_CONV_FAILED;
		conv->reason = p_strdup(pool, problem);
		if (conv->cn == NULL)
			conv->cn = p_strdup(pool, mus_ldap_dn_rdn_value(conv->dn));
	}
	array_push_back(ctx->convs, &conv);
	return 0;
}

int mus_conversations_search(struct mus_ldap *conn, pool_t pool,
			     const char *base, const char *filter,
			     ARRAY_TYPE(mus_conversation) *convs,
			     const char **error_r)
{
	struct mus_conversations_ctx ctx = { .pool = pool, .convs = convs };

	return mus_ldap_search_paged(conn, base, filter, mus_conversation_attrs,
				     MUS_CONVERSATION_PAGE_SIZE,
				     mus_conversation_add_entry, &ctx, error_r);
}

int mus_conversations_load(struct mus_ldap *conn, pool_t pool,
			   const char *round_dn,
			   ARRAY_TYPE(mus_conversation) *convs,
			   const char **error_r)
{
	return mus_conversations_search(conn, pool, round_dn,
					"(objectClass=musConversation)",
					convs, error_r);
}

int mus_conversations_find(struct mus_ldap *conn, pool_t pool,
			   const char *base, const char *filter,
			   const struct mus_ldap_search *along,
			   ARRAY_TYPE(mus_conversation) *convs,
			   const char **error_r)
{
	struct mus_conversations_ctx ctx = { .pool = pool, .convs = convs };
	struct mus_ldap_search searches[2] = {
		{ .base = base, .filter = filter,
		  .attrs = mus_conversation_attrs,
		  .callback = mus_conversation_add_entry, .context = &ctx },
	};

	if (along != NULL)
		searches[1] = *along;
	return mus_ldap_search_together(conn, searches, along == NULL ? 1 : 2,
					error_r);
}

/* an entry read by DN is taken only if it is a conversation */
static int mus_conversation_read_entry(const struct mus_ldap_entry *entry,
				       void *context, const char **error_r)
{
	if (!str_array_icase_find(mus_ldap_entry_values(entry, "objectClass"),
				  "musConversation"))
		return 0;
	return mus_conversation_add_entry(entry, context, error_r);
}

int mus_conversation_read(struct mus_ldap *conn, pool_t pool, const char *dn,
			  struct mus_conversation **conv_r, const char **error_r)
{
	ARRAY_TYPE(mus_conversation) convs;
	struct mus_conversations_ctx ctx = { .pool = pool, .convs = &convs };
	unsigned int count = str_array_length(mus_conversation_attrs);
	const char **attrs = t_new(const char *, count + 2);
	int ret;

	memcpy(attrs, mus_conversation_attrs, sizeof(*attrs) * count);
	attrs[count] = "objectClass";
	p_array_init(&convs, pool, 1);
	ret = mus_ldap_read(conn, dn, attrs, mus_conversation_read_entry,
			    &ctx, error_r);
	if (ret > 0 && array_count(&convs) == 0)
		return 0;
	if (ret > 0)
		*conv_r = array_idx_elem(&convs, 0);
	return ret;
}

int mus_conversation_update(struct mus_ldap *conn,
			    const struct mus_conversation *conv,
			    unsigned int attempts, const char *what,
			    mus_conversation_try_t *try_write, void *context,
			    const char **error_r)
{
	pool_t pool = pool_alloconly_create("mus conversation update", 1024);
	const char *dn = conv->dn;
	struct mus_conversation *again;
	int ret = 0;

	for (unsigned int attempt = 0; ret == 0; attempt++) {
		if (attempt == attempts) {
			*error_r = t_strdup_printf("%s kept changing while %s",
						   dn, what);
			ret = -1;
			break;
		}
		ret = try_write(conv, context, error_r);
		if (ret != 0)
			break;
		p_clear(pool);
		ret = mus_conversation_read(conn, pool, dn, &again, error_r);
		if (ret <= 0)
			break;
		conv = again;
		ret = 0;
	}
	pool_unref(&pool);
	return ret;
}

bool mus_conversation_parse_span(const char *value, time_t *start_r,
				 time_t *end_r, const char **dn_r,
				 const char **text_r)
{
	const char *const *words = t_strsplit(value, " ");
	const char *rest;
	size_t skip;

	if (str_array_length(words) < 3 ||
	    mus_time_parse_generalized(words[0], start_r) < 0 ||
	    mus_time_parse_generalized(words[1], end_r) < 0 ||
	    *end_r <= *start_r)
		return FALSE;
	/* a DN has no unescaped space next to a comma, but may hold spaces:
	   the reason follows the DN after " -- " */
	skip = strlen(words[0]) + strlen(words[1]) + 2;
	rest = value + skip;
	if (*rest == '\0')
		return FALSE;
	*text_r = "";
	*dn_r = rest;
	if ((rest = strstr(rest, " -- ")) != NULL) {
		*dn_r = t_strdup_until(*dn_r, rest);
		*text_r = rest + 4;
	}
	return TRUE;
}

const char *mus_conversation_span_text(const char *span, const char *text)
{
	return text == NULL ? span : t_strdup_printf("%s -- %s", span, text);
}

const char *mus_conversation_span(time_t start, time_t end, const char *dn)
{
	return t_strdup_printf("%s %s %s", mus_time_generalized(start),
			       mus_time_generalized(end), dn);
}
