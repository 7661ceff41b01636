/* Rounds: parsing and validating musRound entries. */

#include "lib.h"
#include "array.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "mus-text.h"
#include "mus-idle.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-schedule.h"
#include "mus-cards.h"
#include "mus-round.h"

const char *const mus_round_attrs[] = {
	"cn", "musKind", "musState", "musWindowStart", "musWindowEnd",
	"musDuration", "musWorkdayStart", "musWorkdayEnd", "musMaxPerDay",
	"musBufferMinutes", "musScopeBase", "musScopeFilter", "musCard",
	"musClosedDate", "musLocation", "musLease", "entryCSN", NULL
};

static const char *const mus_round_kind_names[] = {
	[MUS_ROUND_MUS] = "MUS", [MUS_ROUND_GRUS] = "GRUS",
	[MUS_ROUND_TUS] = "TUS", [MUS_ROUND_LUS] = "LUS",
};
static const char *const mus_round_state_names[] = {
	[MUS_ROUND_DRAFT] = "draft", [MUS_ROUND_ACTIVE] = "active",
	[MUS_ROUND_CLOSED] = "closed",
};

const char *mus_round_kind_name(enum mus_round_kind kind)
{
	return mus_round_kind_names[kind];
}

const char *mus_round_state_name(enum mus_round_state state)
{
	return mus_round_state_names[state];
}

bool mus_round_is_group(enum mus_round_kind kind)
{
	return kind == MUS_ROUND_GRUS || kind == MUS_ROUND_TUS;
}

bool mus_round_kind_name_is_group(const char *name)
{
	for (unsigned int i = 0; name != NULL && i < N_ELEMENTS(mus_round_kind_names); i++) {
		if (strcasecmp(name, mus_round_kind_names[i]) == 0)
			return mus_round_is_group((enum mus_round_kind)i);
	}
	return FALSE;
}

int mus_round_name_check(const char *name, const char **error_r)
{
	unsigned char c;

	if (name[0] == '\0') {
		*error_r = "the name is empty";
		return -1;
	}
	if (strlen(name) > MUS_ROUND_NAME_MAX_LEN) {
		*error_r = t_strdup_printf("the name is longer than %u bytes",
					   MUS_ROUND_NAME_MAX_LEN);
		return -1;
	}
	if (!uni_utf8_str_is_valid(name)) {
		*error_r = "the name is not valid UTF-8";
		return -1;
	}
	if (strcasecmp(name, MUS_IDLE_ENTRY_CN) == 0) {
		/* the entry of the idle mark (mus-idle.h) has that DN */
		*error_r = t_strdup_printf("the name '%s' is reserved", name);
		return -1;
	}
	c = mus_text_control_char(name, "");
	if (c != 0) {
		*error_r = t_strdup_printf(
			"the name '%s' contains control character 0x%02x",
			str_sanitize(name, 64), c);
		return -1;
	}
	return 0;
}

struct mus_round_parser {
	mus_round_values_t *values;
	void *context;
	const char *error;
};

/* the single value of attr, NULL if absent; two values are an error */
static const char *mus_round_single(struct mus_round_parser *parser,
				    const char *attr, bool required)
{
	const char *const *values = parser->values(attr, parser->context);

	if (parser->error != NULL)
		return NULL;
	if (values[0] == NULL) {
		if (required)
			parser->error = t_strdup_printf("%s: missing", attr);
		return NULL;
	}
	if (values[1] != NULL) {
		parser->error = t_strdup_printf("%s: has %u values, expected one",
						attr, str_array_length(values));
		return NULL;
	}
	return values[0];
}

static unsigned int mus_round_uint(struct mus_round_parser *parser,
				   const char *attr, unsigned int def,
				   unsigned int max)
{
	const char *value = mus_round_single(parser, attr, FALSE);
	unsigned int n;

	if (value == NULL)
		return def;
	if (str_to_uint(value, &n) < 0 || n > max) {
		parser->error = t_strdup_printf(
			"%s: invalid value '%s' (expected a whole number up to %u)",
			attr, value, max);
		return def;
	}
	return n;
}

static unsigned int mus_round_hhmm(struct mus_round_parser *parser,
				   const char *attr, unsigned int def)
{
	const char *value = mus_round_single(parser, attr, FALSE);
	unsigned int n;

	if (value == NULL)
		return def;
	if (strlen(value) != 4 || str_to_uint(value, &n) < 0 ||
	    n / 100 > 24 || n % 100 > 59 || n > 2400) {
		parser->error = t_strdup_printf(
			"%s: invalid value '%s' (expected local time HHMM)",
			attr, value);
		return def;
	}
	return (n / 100) * 60 + n % 100;
}

static time_t mus_round_time(struct mus_round_parser *parser, const char *attr)
{
	const char *value = mus_round_single(parser, attr, TRUE);
	time_t t = 0;

	if (value != NULL && mus_time_parse_generalized(value, &t) < 0) {
		parser->error = t_strdup_printf(
			"%s: invalid value '%s' (expected GeneralizedTime such as 20270104000000Z)",
			attr, value);
	}
	return t;
}

static int mus_round_enum(struct mus_round_parser *parser, const char *attr,
			  const char *const *names, unsigned int count,
			  const char *expected)
{
	const char *value = mus_round_single(parser, attr, TRUE);

	if (value == NULL)
		return 0;
	for (unsigned int i = 0; i < count; i++) {
		if (strcasecmp(value, names[i]) == 0)
			return (int)i;
	}
	parser->error = t_strdup_printf("%s: unknown value '%s' (expected %s)",
					attr, value, expected);
	return 0;
}

static const char *const *mus_round_strings(pool_t pool,
					    struct mus_round_parser *parser,
					    const char *attr)
{
	const char *const *values = parser->values(attr, parser->context);
	unsigned int count = str_array_length(values);
	const char **copy = p_new(pool, const char *, count + 1);

	for (unsigned int i = 0; i < count; i++)
		copy[i] = p_strdup(pool, values[i]);
	return copy;
}

static const char *mus_round_check_cards(const struct mus_round *round,
					 const struct mus_cards *cards)
{
	for (unsigned int i = 0; round->cards[i] != NULL; i++) {
		const struct mus_card *card = mus_cards_find(cards, round->cards[i]);

		if (card == NULL) {
			return t_strdup_printf("musCard: unknown card code '%s'",
					       round->cards[i]);
		}
		if (card->group_excluded && mus_round_is_group(round->kind)) {
			return t_strdup_printf(
				"musCard: card '%s' is not used in GRUS/TUS rounds",
				round->cards[i]);
		}
	}
	return NULL;
}

int mus_round_parse(pool_t pool, const char *dn, mus_round_values_t *values,
		    void *context, const struct mus_round_context *rctx,
		    struct mus_round **round_r, const char **error_r)
{
	const char *people_base = rctx->people_base;
	struct mus_round_parser parser = { .values = values, .context = context };
	struct mus_round *round = p_new(pool, struct mus_round, 1);
	const char *const *closed, *value, *error;
	struct mus_sched_round sched;
	int *days;

	round->dn = p_strdup(pool, dn);
	round->timezone = p_strdup(pool, rctx->timezone);
	round->name = p_strdup(pool, mus_round_single(&parser, "cn", TRUE));
	if (round->name != NULL && parser.error == NULL &&
	    mus_round_name_check(round->name, &error) < 0)
		parser.error = t_strdup_printf("cn: %s", error);
	round->kind = mus_round_enum(&parser, "musKind", mus_round_kind_names,
				     N_ELEMENTS(mus_round_kind_names),
				     "MUS, GRUS, TUS or LUS");
	round->state = mus_round_enum(&parser, "musState", mus_round_state_names,
				      N_ELEMENTS(mus_round_state_names),
				      "draft, active or closed");
	round->window_start = mus_round_time(&parser, "musWindowStart");
	round->window_end = mus_round_time(&parser, "musWindowEnd");
	if (mus_round_single(&parser, "musDuration", TRUE) != NULL)
		round->duration = mus_round_uint(&parser, "musDuration", 0, 24 * 60);
	round->workday_start = mus_round_hhmm(&parser, "musWorkdayStart",
					      MUS_ROUND_DEFAULT_WORKDAY_START);
	round->workday_end = mus_round_hhmm(&parser, "musWorkdayEnd",
					    MUS_ROUND_DEFAULT_WORKDAY_END);
	round->max_per_day = mus_round_uint(&parser, "musMaxPerDay",
					    MUS_ROUND_DEFAULT_MAX_PER_DAY, 100);
	round->buffer = mus_round_uint(&parser, "musBufferMinutes",
				       MUS_ROUND_DEFAULT_BUFFER, 24 * 60);
	value = mus_round_single(&parser, "musScopeBase", FALSE);
	round->scope_base = p_strdup(pool, value != NULL ? value : people_base);
	value = mus_round_single(&parser, "musScopeFilter", FALSE);
	round->scope_filter = p_strdup(pool, value != NULL ? value :
				       MUS_ROUND_DEFAULT_FILTER);
	round->location = p_strdup(pool, mus_round_single(&parser, "musLocation", FALSE));
	round->lease = p_strdup(pool, mus_round_single(&parser, "musLease", FALSE));
	round->csn = p_strdup(pool, mus_round_single(&parser, "entryCSN", FALSE));
	round->cards = mus_round_strings(pool, &parser, "musCard");

	closed = values("musClosedDate", context);
	round->closed_count = str_array_length(closed);
	days = p_new(pool, int, round->closed_count + 1);
	for (unsigned int i = 0; parser.error == NULL && closed[i] != NULL; i++) {
		if (mus_time_parse_date(closed[i], FALSE, &days[i]) < 0) {
			parser.error = t_strdup_printf(
				"musClosedDate: invalid value '%s' (expected local date YYYYMMDD)",
				closed[i]);
		}
	}
	round->closed_days = days;

	if (parser.error == NULL && round->scope_base != NULL &&
	    mus_ldap_dn_check(round->scope_base, &value) < 0)
		parser.error = t_strdup_printf("musScopeBase: invalid value '%s': %s",
					       round->scope_base, value);
	if (parser.error == NULL && round->scope_filter[0] != '(')
		parser.error = t_strdup_printf(
			"musScopeFilter: invalid value '%s' (expected an LDAP filter in parentheses)",
			round->scope_filter);
	if (parser.error == NULL && rctx->cards != NULL)
		parser.error = mus_round_check_cards(round, rctx->cards);
	if (parser.error == NULL) {
		mus_round_sched(round, &sched);
		if (mus_sched_round_check(&sched, &value) < 0)
			parser.error = value;
	}
	if (parser.error != NULL) {
		*error_r = t_strdup_printf("round %s: %s", dn, parser.error);
		return -1;
	}
	*round_r = round;
	return 0;
}

void mus_round_sched(const struct mus_round *round,
		     struct mus_sched_round *sched_r)
{
	i_zero(sched_r);
	sched_r->window_start = round->window_start;
	sched_r->window_end = round->window_end;
	sched_r->duration = round->duration;
	sched_r->buffer = round->buffer;
	sched_r->workday_start = round->workday_start;
	sched_r->workday_end = round->workday_end;
	sched_r->max_per_day = round->max_per_day;
	sched_r->timezone = round->timezone;
	sched_r->closed_days = round->closed_days;
	sched_r->closed_count = round->closed_count;
}

struct mus_rounds_load_ctx {
	pool_t pool;
	const struct mus_round_context *rctx;
	ARRAY_TYPE(mus_round) *rounds;
	ARRAY_TYPE(const_string) *invalid;
};

static const char *const *mus_round_entry_values(const char *attr, void *context)
{
	return mus_ldap_entry_values(context, attr);
}

static int mus_rounds_load_entry(const struct mus_ldap_entry *entry,
				 void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_rounds_load_ctx *ctx = context;
	struct mus_round *round;
	const char *error;

	if (mus_round_parse(ctx->pool, mus_ldap_entry_dn(entry),
			    mus_round_entry_values, (void *)entry,
			    ctx->rctx, &round, &error) < 0) {
		error = p_strdup(ctx->pool, error);
		array_push_back(ctx->invalid, &error);
	} else {
		array_push_back(ctx->rounds, &round);
	}
	return 0;
}

static int mus_round_name_cmp(struct mus_round *const *a,
			      struct mus_round *const *b)
{
	return strcmp((*a)->name, (*b)->name);
}

int mus_rounds_load(struct mus_ldap *conn, pool_t pool, const char *base,
		    const char *name, const struct mus_round_context *rctx,
		    ARRAY_TYPE(mus_round) *rounds,
		    ARRAY_TYPE(const_string) *invalid, const char **error_r)
{
	struct mus_rounds_load_ctx ctx = {
		.pool = pool, .rctx = rctx, .rounds = rounds, .invalid = invalid,
	};
	const char *filter = name == NULL ? "(objectClass=musRound)" :
		t_strdup_printf("(&(objectClass=musRound)(cn=%s))",
				mus_ldap_filter_escape(name));

	if (mus_ldap_search_children(conn, base, filter, mus_round_attrs,
				     mus_rounds_load_entry, &ctx, error_r) < 0)
		return -1;
	array_sort(rounds, mus_round_name_cmp);
	return 0;
}
