/*
 * policy.c - smppconn's decisions about one MT message
 *
 * SYNOPSIS
 *	policy_route(conf, msg)
 *	policy_expiry(meta, max_age)
 *	policy_backoff(attempts, retry_min, retry_max)
 *	policy_next_try(meta, spool, now)
 *
 * DESCRIPTION
 *	policy_route() routes a message again with the [mt-routes]
 *	in force now, so that a changed table (after SIGHUP) applies to
 *	messages already queued: by destination, then source, then the
 *	default route.  NULL: nothing matches any more (smppconn then
 *	uses the connector smppd chose at submit time, meta.route, if it
 *	still exists).
 *
 *	policy_expiry() is the second a message expires: its
 *	validity_period, or the time it was accepted plus [spool]
 *	max_age, whichever comes first.
 *
 *	policy_backoff() is the delay before attempt n + 1 after
 *	n failed ones: retry_min, doubled for each further attempt, at
 *	most retry_max.  policy_next_try() applies it to a message
 *	whose meta.attempts counts the failed attempts, but never later
 *	than one second past its expiry, so that a message that cannot
 *	be delivered in time comes back when it expires and ends with an
 *	EXPIRED receipt then, not after the back-off.
 */
#include "config.h"

#include "policy.h"
#include "route.h"

const struct conf_route *
policy_route(const struct conf *conf, const struct msg *m)
{
	return route_mt(conf, m->meta.account, m->pdu.source_addr,
	    m->pdu.destination_addr);
}

int64_t
policy_expiry(const struct msg_meta *m, long max_age)
{
	int64_t	 limit = m->created_us / 1000000 + max_age;

	if (m->expires > 0 && m->expires < limit)
		return m->expires;
	return limit;
}

int64_t
policy_backoff(int attempts, int min, int max)
{
	int64_t	 delay = min;

	if (max < min)
		max = min;
	while (--attempts > 0 && delay < max)
		delay *= 2;
	return delay < max ? delay : max;
}

int64_t
policy_next_try(const struct msg_meta *m, const struct conf_spool *sp,
    int64_t now)
{
	int64_t	 next, until;

	next = now + policy_backoff(m->attempts, sp->retry_min,
	    sp->retry_max);
	until = policy_expiry(m, sp->max_age) + 1;
	return next < until ? next : until;
}
