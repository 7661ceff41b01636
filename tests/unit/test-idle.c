/* Unit tests of the idle mark's decision and digest. */

#include "lib.h"
#include "mus-idle.h"
#include "mus-test.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define CSN "20271005080000.000001Z#000000#000#000000"
#define OTHER_CSN "20271005080001.000002Z#000000#000#000000"
/* 2027-10-05 08:00:00 UTC */
#define T0 1822723200

static void test_idle_mark_value(void)
{
	struct mus_idle_mark mark = {
		.since = T0, .expires = T0 + 3600, .digest = "abc123",
	}, parsed;
	const char *value;

	mus_test_begin("idle: the mark's value read back");
	value = mus_idle_mark_format(&mark);
	test_assert_strcmp(value, "20271005080000Z 20271005090000Z abc123");
	test_assert(mus_idle_mark_parse(value, &parsed));
	test_assert(parsed.since == mark.since && parsed.expires == mark.expires);
	test_assert_strcmp(parsed.digest, "abc123");
	test_assert(!mus_idle_mark_parse("", &parsed));
	test_assert(!mus_idle_mark_parse("20271005080000Z 20271005090000Z", &parsed));
	test_assert(!mus_idle_mark_parse("20271005080000Z x abc", &parsed));
	test_assert(!mus_idle_mark_parse("20271005080000Z 20271005090000Z abc extra", &parsed));
	mus_test_end();
}

static void test_idle_why_not(void)
{
	static const char *const none[] = { NULL };
	static const char *const one[] = { CSN, NULL };
	static const char *const other[] = { OTHER_CSN, NULL };
	static const char *const two[] = { CSN, OTHER_CSN, NULL };
	const char *mark = "20271005080000Z 20271005090000Z abc123";
	static const struct {
		const char *const *csns;
		bool has_mark;
		const char *mark_csn, *digest;
		time_t now;
		const char *why;	/* NULL: may skip */
	} cases[] = {
		{ one, TRUE, CSN, "abc123", T0 + 60, NULL },
		{ one, TRUE, CSN, "abc123", T0 + 3599, NULL },
		{ none, TRUE, CSN, "abc123", T0 + 60, "no contextCSN" },
		{ two, TRUE, CSN, "abc123", T0 + 60, "several contextCSNs" },
		{ one, FALSE, NULL, "abc123", T0 + 60, "no sync has recorded" },
		{ other, TRUE, CSN, "abc123", T0 + 60, "the directory changed" },
		{ one, TRUE, NULL, "abc123", T0 + 60, "the directory changed" },
		{ one, TRUE, CSN, "abc123", T0 + 3600, "expired" },
		{ one, TRUE, CSN, "abc123", T0 - 1, "expired" },
		{ one, TRUE, CSN, "def456", T0 + 60, "the settings or the template files changed" },
	};

	mus_test_begin("idle: when a sync may skip the rounds");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_idle_state state = {
			.context_csns = cases[i].csns,
			.mark_value = cases[i].has_mark ? mark : NULL,
			.mark_csn = cases[i].mark_csn,
		};
		const char *why = mus_idle_why_not(&state, cases[i].digest,
						   cases[i].now);

		if (cases[i].why == NULL) {
			mus_test_check(why == NULL, t_strdup_printf(
				"case %u: may skip (got '%s')", i, why),
				__FILE__, __LINE__);
		} else {
			mus_test_check(why != NULL && strstr(why, cases[i].why) != NULL,
				t_strdup_printf("case %u: '%s' (got '%s')", i,
						cases[i].why, why),
				__FILE__, __LINE__);
		}
	}
	{
		struct mus_idle_state state = {
			.context_csns = one, .mark_value = "garbage",
			.mark_csn = CSN,
		};
		test_assert_contains(mus_idle_why_not(&state, "abc123", T0 + 60),
				     "does not parse");
		state.mark_value = mark;
		state.other_database = "mus_people_base is in another database than mus_round_base";
		test_assert_contains(mus_idle_why_not(&state, "abc123", T0 + 60),
				     "mus_people_base is in another database");
	}
	mus_test_end();
}

static void test_idle_digest(void)
{
	static const char *const envs[] = {
		"mus_language", "da", "quota", "maildir:User quota", NULL
	};
	static const char *const envs_en[] = {
		"mus_language", "en", "quota", "maildir:User quota", NULL
	};
	static const char *const envs_other[] = {
		"mus_language", "da", "quota", "maildir:Other", NULL
	};
	char dir[] = "/tmp/mus-test-idle.XXXXXX";
	const char *path, *base, *again;
	struct timeval times[2];
	FILE *f;

	mus_test_begin("idle: the digest of settings and template files");
	test_assert(mkdtemp(dir) != NULL);
	path = t_strconcat(dir, "/card.html", NULL);
	f = fopen(path, "w");
	test_assert(f != NULL);
	if (f != NULL) {
		fputs("<p>card</p>", f);
		fclose(f);
	}
	base = mus_idle_digest(envs, dir);
	test_assert(strlen(base) == 64);
	again = mus_idle_digest(envs, dir);
	test_assert_strcmp(again, base);
	/* another plugin's setting is not ours */
	test_assert_strcmp(mus_idle_digest(envs_other, dir), base);
	test_assert(strcmp(mus_idle_digest(envs_en, dir), base) != 0);
	/* a template edited (a new time) */
	times[0].tv_sec = times[1].tv_sec = 1700000000;
	times[0].tv_usec = times[1].tv_usec = 0;
	test_assert(utimes(path, times) == 0);
	again = mus_idle_digest(envs, dir);
	test_assert(strcmp(again, base) != 0);
	/* a file added in a subdirectory */
	test_assert(mkdir(t_strconcat(dir, "/text", NULL), 0700) == 0);
	f = fopen(t_strconcat(dir, "/text/new.txt", NULL), "w");
	if (f != NULL)
		fclose(f);
	test_assert(strcmp(mus_idle_digest(envs, dir), again) != 0);
	(void)unlink(t_strconcat(dir, "/text/new.txt", NULL));
	(void)rmdir(t_strconcat(dir, "/text", NULL));
	(void)unlink(path);
	(void)rmdir(dir);
	mus_test_end();
}

static void test_idle_suffix(void)
{
	static const char *const contexts[] = {
		"dc=test", "dc=eksempel,dc=test", "o=example,dc=x", NULL
	};
	static const struct {
		const char *base, *suffix;
	} cases[] = {
		{ "ou=rounds,dc=eksempel,dc=test", "dc=eksempel,dc=test" },
		{ "dc=eksempel,dc=test", "dc=eksempel,dc=test" },
		{ "OU=Rounds, DC=Eksempel,DC=Test", "dc=eksempel,dc=test" },
		{ "ou=people,dc=other,dc=test", "dc=test" },
		/* an RDN that only ends like the context */
		{ "ou=r,co=example,dc=x", NULL },
		/* an escaped comma is inside an RDN */
		{ "ou=a\\,o=example,dc=x", NULL },
		{ "ou=r,o=example,dc=x", "o=example,dc=x" },
		{ "ou=r,dc=elsewhere", NULL },
		{ "not a dn", NULL },
	};

	mus_test_begin("idle: the naming context holding a base");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *suffix = mus_idle_suffix(contexts, cases[i].base);

		mus_test_check(null_strcmp(suffix, cases[i].suffix) == 0,
			       t_strdup_printf("case %u: %s: '%s' (got '%s')", i,
					       cases[i].base, cases[i].suffix,
					       suffix),
			       __FILE__, __LINE__);
	}
	mus_test_end();
}

void test_idle(void)
{
	test_idle_mark_value();
	test_idle_suffix();
	test_idle_why_not();
	test_idle_digest();
}
