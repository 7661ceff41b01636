#ifndef MUS_LEASE_H
#define MUS_LEASE_H

/* The lease a sync takes on a round (musLease "<GeneralizedTime expiry>
   <holder>", holder "<host>:<pid>") so that two hosts do not sync the
   same round at once. A sync that dies leaves it to expire; a long sync
   renews it before it does. */

/* how long a lease lasts from its taking or renewal */
#define MUS_LEASE_SECS (15 * 60)

/* The value of a lease until expiry, from the data stack. */
const char *mus_lease_value(time_t expiry, const char *holder);

/* Returns TRUE with the expiry and the holder (pointing into lease), or
   FALSE if lease is NULL or does not parse. */
bool mus_lease_parse(const char *lease, time_t *expiry_r,
		     const char **holder_r);

/* TRUE if holder is a process of this host that no longer runs: a sync
   that crashed need not block the round until its lease expires. */
bool mus_lease_holder_dead(const char *holder);

/* TRUE if the lease (ours) should be renewed at now: half of it or more
   has passed. FALSE for a lease that does not parse. */
bool mus_lease_renewal_due(const char *lease, time_t now);

#endif
