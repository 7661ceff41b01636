#ifndef MUS_TEST_H
#define MUS_TEST_H

/* A small unit test runner: a test case is a named block of checks; it
   passes when none of its checks fails. The run ends with the line
   "N passed, N failed". */

void mus_test_begin(const char *name);
void mus_test_end(void);
void mus_test_check(bool ok, const char *expr, const char *file,
		    unsigned int line);

#define test_assert(expr) \
	mus_test_check((expr), #expr, __FILE__, __LINE__)
#define test_assert_strcmp(a, b) \
	mus_test_check(null_strcmp((a), (b)) == 0, \
		       t_strdup_printf("%s == %s ('%s' vs '%s')", #a, #b, \
				       (a) == NULL ? "(null)" : (a), \
				       (b) == NULL ? "(null)" : (b)), \
		       __FILE__, __LINE__)

#define test_assert_contains(str, sub) \
	mus_test_check((str) != NULL && strstr((str), (sub)) != NULL, \
		       t_strdup_printf("%s contains '%s' (got '%s')", #str, \
				       (sub), (str) == NULL ? "(null)" : (str)), \
		       __FILE__, __LINE__)

/* A valid plugin { } block (test-settings.c) with key set to value
   (added, or replacing the valid value; value NULL removes the key), as
   mus_settings_parse() takes it; on the data stack. */
const char *const *test_settings_envs(const char *key, const char *value);

/* the suites, one per file */
void test_settings(void);
void test_time(void);
void test_text_checks(void);
void test_reason(void);
void test_idle(void);
void test_ldap(void);
void test_ldap_timeout(void);
void test_notice(void);
void test_org(void);
void test_holidays(void);
void test_schedule(void);
void test_conversation(void);
void test_followup(void);
void test_done(void);
void test_retention(void);
void test_lease(void);
void test_round(void);
void test_roster(void);
void test_freebusy(void);
void test_cards(void);
void test_message(void);
void test_itip(void);
void test_invitation(void);
void test_reply(void);
void test_plan(void);
void test_plan_request(void);
void test_plan_entry(void);
void test_report_html(void);
void test_reply_hostile(void);
void test_followup_invite(void);
void test_spider(void);
void test_competences(void);
void test_competence_heatmap(void);
void test_competence(void);
void test_competence_card(void);

#endif
