/* Unit tests of a round's lease. */

#include "lib.h"
#include "hostpid.h"
#include "mus-time.h"
#include "mus-lease.h"
#include "mus-test.h"

#include <unistd.h>

static void test_lease_value_parse(void)
{
	const char *holder;
	time_t expiry;

	mus_test_begin("lease: the value reads back, holder and all");
	test_assert(mus_lease_parse(mus_lease_value(1800000000, "mail1.example:4242"),
				    &expiry, &holder));
	test_assert(expiry == 1800000000);
	test_assert(strcmp(holder, "mail1.example:4242") == 0);
	mus_test_end();

	mus_test_begin("lease: values that do not parse");
	test_assert(!mus_lease_parse(NULL, &expiry, &holder));
	test_assert(!mus_lease_parse("", &expiry, &holder));
	test_assert(!mus_lease_parse("20270101000000Z", &expiry, &holder));
	test_assert(!mus_lease_parse("20270101000000Z ", &expiry, &holder));
	test_assert(!mus_lease_parse("tomorrow host:1", &expiry, &holder));
	mus_test_end();
}

static void test_lease_renewal_due(void)
{
	const time_t now = 1800000000;
	const char *holder = "mail1.example:4242";

	mus_test_begin("lease: renewed once half of it has passed, not before");
	test_assert(!mus_lease_renewal_due(mus_lease_value(now + MUS_LEASE_SECS, holder), now));
	test_assert(!mus_lease_renewal_due(mus_lease_value(now + MUS_LEASE_SECS / 2 + 1, holder), now));
	test_assert(mus_lease_renewal_due(mus_lease_value(now + MUS_LEASE_SECS / 2, holder), now));
	test_assert(mus_lease_renewal_due(mus_lease_value(now + 1, holder), now));
	/* expired meanwhile: renewing asserts the old value, so a lease
	   taken over is noticed, not overwritten */
	test_assert(mus_lease_renewal_due(mus_lease_value(now - 60, holder), now));
	test_assert(!mus_lease_renewal_due("garbage", now));
	mus_test_end();
}

static void test_lease_holder_dead(void)
{
	mus_test_begin("lease: a holder of this host that no longer runs is dead");
	test_assert(!mus_lease_holder_dead(t_strdup_printf("%s:%ld", my_hostname,
							   (long)getpid())));
	/* beyond pid_max (at most 2^22) no process exists */
	test_assert(mus_lease_holder_dead(t_strdup_printf("%s:%d", my_hostname, 99999999)));
	/* another host's process is never judged from here */
	test_assert(!mus_lease_holder_dead("another-host.example:99999999"));
	test_assert(!mus_lease_holder_dead("no-pid-here"));
	/* a pid of this host that does not parse is nobody's to judge: the
	   lease stands until it expires (0 would be our process group) */
	test_assert(!mus_lease_holder_dead(t_strdup_printf("%s:", my_hostname)));
	test_assert(!mus_lease_holder_dead(t_strdup_printf("%s:abc", my_hostname)));
	test_assert(!mus_lease_holder_dead(t_strdup_printf("%s:-1", my_hostname)));
	test_assert(!mus_lease_holder_dead(t_strdup_printf("%s:0", my_hostname)));
	mus_test_end();
}

void test_lease(void)
{
	test_lease_value_parse();
	test_lease_renewal_due();
	test_lease_holder_dead();
}
