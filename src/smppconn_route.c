/*
 * smppconn_route.c - which connector of a message's route takes it:
 * failover in order, shares by weight, connectors that are up
 *
 * SYNOPSIS
 *	smppconn_route_pick(item, &why)
 *	smppconn_route_up(connector)
 *
 * DESCRIPTION
 *	smppconn_route_pick() finds the message's [mt-routes] route
 *	(policy_route(): destination prefix, then "src:" source prefix,
 *	then default) and goes through its tiers in order ("A, B, C" are three
 *	tiers): the first tier with a connector that is up and has not
 *	failed the message in this hand-on takes it.  When none is up, the
 *	first that runs and is not held down after failures takes it all
 *	the same (an smpp connector binding keeps it for at most
 *	response_timeout): a restart does not send every message to the
 *	back-off.  Within a tier
 *	("A*3 | B") the connectors share the messages by weight, with
 *	smooth weighted round-robin: each candidate's credit grows by its
 *	weight, the one with the most credit is picked and pays the sum
 *	of the weights, so that 3:1 sends A A B A, A A B A ... without
 *	bursts.  The credits are kept per route and start again after a
 *	reload.  A throttled message goes back to the connector that
 *	throttled it (item.pin) while it exists.
 *
 *	When the route no longer matches (the configuration changed) the
 *	connector smppd chose at submit time (meta.route) is used if it
 *	still exists.  NULL with *why NULL: no route at all; NULL with a
 *	reason: no connector of the route can take the message now.
 *
 *	smppconn_route_up() is true while a connector runs (not stopping
 *	or removed), its type says it is up (smpp: at least one bound
 *	session that can send; pipe: its helpers run; sink: always) and
 *	it is not held down after a run of transient failures
 *	(smppconn_outcome.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "smppconn.h"
#include "log.h"
#include "policy.h"

static int		*credit;	/* [route][hop] */
static const struct conf *credit_conf;
static int		 credit_n;

int
smppconn_route_up(struct connector *c)
{
	struct conn_report	 r;

	if (c == NULL || c->gone || c->stopping || smppconn_ctx.now < c->st.down_until)
		return 0;
	if (c->ops->report == NULL)
		return 1;
	memset(&r, 0, sizeof(r));
	c->ops->report(c, &r);
	return r.up;
}

/* The credits of route ri, zeroed when the configuration changed. */
static int *
credits(int ri)
{
	int	*v;

	if (credit_conf != smppconn_ctx.conf || credit_n != smppconn_ctx.conf->nmt_routes) {
		v = calloc((size_t)smppconn_ctx.conf->nmt_routes + 1,
		    CONF_ROUTE_HOPS * sizeof(*v));
		if (v == NULL)
			return NULL;
		free(credit);
		credit = v;
		credit_conf = smppconn_ctx.conf;
		credit_n = smppconn_ctx.conf->nmt_routes;
	}
	return credit + (size_t)ri * CONF_ROUTE_HOPS;
}

static struct connector *
pinned(struct item *it)
{
	int	 i;

	for (i = 0; i < smppconn_ctx.nconns; i++)
		if (smppconn_ctx.conns[i] == it->pin && !it->pin->gone)
			return it->pin;
	it->pin = NULL;
	return NULL;
}

/* Running and not held down: it may come up (a bind in progress). */
static int
may_take(struct connector *c)
{
	return c != NULL && !c->gone && !c->stopping &&
	    smppconn_ctx.now >= c->st.down_until;
}

/* Smooth weighted round-robin among the candidates of one tier. */
static struct connector *
pick_tier(const struct conf_route *r, int *cr, int tier, struct item *it,
    int strict)
{
	struct connector	*c, *best = NULL;
	int			 i, total = 0, bi = -1;

	for (i = 0; i < r->nhops; i++) {
		if (r->hops[i].tier != tier || (it->tried & (1u << i)))
			continue;
		c = smppconn_ctx_find(r->hops[i].name);
		if (strict ? !smppconn_route_up(c) : !may_take(c))
			continue;
		if (cr != NULL)
			cr[i] += r->hops[i].weight;
		total += r->hops[i].weight;
		if (bi < 0 || (cr != NULL && cr[i] > cr[bi])) {
			bi = i;
			best = c;
		}
	}
	if (bi >= 0) {
		if (cr != NULL)
			cr[bi] -= total;
		it->hop = bi;
	}
	return best;
}

struct connector *
smppconn_route_pick(struct item *it, const char **why)
{
	const struct conf_route	*r;
	const struct msg	*m = &it->msg;
	struct connector	*c;
	int			*cr, t, strict;

	*why = NULL;
	if (it->pin != NULL && (c = pinned(it)) != NULL)
		return c;
	r = policy_route(smppconn_ctx.conf, m);
	if (r == NULL) {
		it->hop = -1;
		if (m->meta.route[0] == '\0')
			return NULL;
		if (may_take(c = smppconn_ctx_find(m->meta.route)))
			return c;
		*why = "its connector is down";
		return NULL;
	}
	cr = credits((int)(r - smppconn_ctx.conf->mt_routes));
	for (strict = 1; strict >= 0; strict--)
		for (t = 0; t <= r->hops[r->nhops - 1].tier; t++)
			if ((c = pick_tier(r, cr, t, it, strict)) != NULL)
				return c;
	*why = it->tried != 0 ? "no other connector of its route is up" :
	    "no connector of its route is up";
	return NULL;
}
