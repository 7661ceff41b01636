/* The lease of a round. */

#include "lib.h"
#include "hostpid.h"
#include "mus-time.h"
#include "mus-lease.h"

#include <signal.h>

const char *mus_lease_value(time_t expiry, const char *holder)
{
	return t_strdup_printf("%s %s", mus_time_generalized(expiry), holder);
}

bool mus_lease_parse(const char *lease, time_t *expiry_r,
		     const char **holder_r)
{
	const char *space;

	if (lease == NULL || (space = strchr(lease, ' ')) == NULL ||
	    space[1] == '\0')
		return FALSE;
	if (mus_time_parse_generalized(t_strdup_until(lease, space), expiry_r) < 0)
		return FALSE;
	*holder_r = space + 1;
	return TRUE;
}

bool mus_lease_holder_dead(const char *holder)
{
	const char *colon = strrchr(holder, ':');
	pid_t pid;

	if (colon == NULL || strcmp(t_strdup_until(holder, colon), my_hostname) != 0 ||
	    str_to_pid(colon + 1, &pid) < 0)
		return FALSE;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

bool mus_lease_renewal_due(const char *lease, time_t now)
{
	const char *holder;
	time_t expiry;

	if (!mus_lease_parse(lease, &expiry, &holder))
		return FALSE;
	return expiry - now <= MUS_LEASE_SECS / 2;
}
