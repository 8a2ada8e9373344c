/*
 * smppconn_outcome.c - what follows a message's outcome: receipt,
 * retry and back-off, failover, rate change, failed/ copy, expiry
 *
 * SYNOPSIS
 *	smppconn_outcome(item, outcome)
 *	smppconn_outcome_status(item, status, why)
 *	smppconn_outcome_map(item, upstream_id, nparts)
 *	smppconn_outcome_expired(item)	smppconn_outcome_no_route(item)
 *	smppconn_outcome_wait(item, why)	smppconn_outcome_later(item)
 *	smppconn_outcome_abandon(item)	smppconn_outcome_tick(now)
 *	smppconn_outcome_receipt(from, entry, key, dlr, &final, &err)
 *	smppconn_outcome_error(connector, why)
 *
 * DESCRIPTION
 *	Every connector reports one outcome per message it was given with
 *	smppconn_outcome(); this module alone decides what follows, one
 *	function per kind:
 *
 *	accepted	the upstream took it: its id goes into the id map
 *			(the parts of a split message, each by
 *			smppconn_outcome_map(), are grouped), its receipt
 *			comes later (conn_smpp_in.c);
 *	delivered	final: a DELIVRD receipt when registered_delivery
 *			asks for one;
 *	throttled	handed on again at once to the same connector,
 *			whose send rate is halved (at most once a
 *			second, logged) and then climbs back by a
 *			tenth of its throughput each second
 *			(logged when it is back): AIMD, as TCP does;
 *	transient	counted as an attempt and handed on again at
 *			once to the route's next connector that is up
 *			and has not failed it (smppconn_route.c); when
 *			there is none, tried again after the back-off
 *			([spool] retry_min to retry_max, or the delay
 *			the connector asked for);
 *	permanent	no retry: a failure receipt (REJECTD, or the
 *			connector's UNDELIV) with err the upstream's
 *			status, when asked for, and a copy in mt/failed/;
 *	expired		past its validity (smppconn_outcome_expired()): an
 *			EXPIRED receipt and a copy in mt/failed/.
 *
 *	smppconn_outcome_status() classifies an upstream's error status
 *	(errclass.c, with the connector's overrides) and reports it.
 *
 *	Each outcome is counted per connector (conn_stats), with the last
 *	error and its time; smppconn_outcome_error() records one that is
 *	no message's (a lost or refused session).  A run of
 *	CONN_FAIL_RUN transient failures in a row takes a connector down
 *	for CONN_FAIL_HOLD_US: routes pass it by; afterwards one more
 *	message is tried, and any success ends the run.
 *
 *	The receipt, the copy in mt/deferred/ or mt/failed/, are written
 *	into the open writers; the record waits in the done list for
 *	the group commit (smppconn_mt.c).  Billing (billing.c) charges
 *	the rest of an early-percent price when a message is accepted
 *	(before its id map entry is made, which keeps what was paid),
 *	refunds by the account's policy when it fails for good or
 *	expires, and when a final receipt says it was not delivered.
 *
 *	smppconn_outcome_receipt() queues the account's receipt for an
 *	upstream's receipt found in the id map (smpp connector, helper
 *	connector): one receipt for a split message, when its last part
 *	is delivered or the first failed; only when registered_delivery
 *	asks for it, and to the node that holds the account
 *	(smppconn_peer_out()).  It returns the commit flag the upstream's answer
 *	waits for, and whether the map entry is done with.
 *
 *	smppconn_outcome_tick() runs each turn: the additive increase of
 *	throttled connectors, the per-second send counts, and once a
 *	second the state file for smppq(8) (smppconn_state.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "smppconn.h"
#include "dlr.h"
#include "errclass.h"
#include "idmap.h"
#include "log.h"
#include "policy.h"
#include "receipt.h"

#define REJECT_NO_ROUTE		11	/* ESME_RINVDSTADR, as at submit */
#define CONN_FAIL_RUN		5	/* transient failures: down */
#define CONN_FAIL_HOLD_US	(10 * 1000000LL)
#define RATE_STEP_US		1000000	/* AIMD: one change a second */
#define RATE_FLOOR		1.0	/* messages a second */

static int64_t	 next_state;	/* monotonic us: the state file */

static void
receipt(struct item *it, const char *stat, int err)
{
	struct receipt_of	 of;
	struct receipt		 r;
	int			 state = dlr_stat_state(stat);

	if (state == -1)
		state = MSTATE_UNKNOWN;
	if (it->msg.meta.kind != MSG_MT ||	/* forwarded: no receipt */
	    !receipt_wanted(it->msg.pdu.registered_delivery, state))
		return;
	receipt_of_msg(&of, &it->msg);
	if (receipt_build(&r, &of, stat, err, smppconn_ctx.wall) == -1) {
		log_warnx("receipt for %s cannot be built: dropped",
		    it->msg.meta.id);
		return;
	}
	errno = 0;
	if (smppconn_out_add(of.account, &r.meta, &r.pdu, &it->dep[0]) == 0)
		return;
	if (errno == EINVAL) {
		/* It never will be: do not try again and again. */
		log_warnx("receipt for %s dropped: %s cannot have an outbound "
		    "spool", it->msg.meta.id, of.account);
		return;
	}
	log_warn("receipt for %s of %s cannot be queued", it->msg.meta.id,
	    of.account);
	it->result = IR_ABANDON;
}

static void
defer(struct item *it, int64_t when)
{
	if (smppconn_store_defer(&it->msg.meta, &it->msg.pdu, when,
	    &it->dep[1]) == -1) {
		log_warn("deferring %s", it->msg.meta.id);
		it->result = IR_ABANDON;
	}
}

static void
fail_copy(struct item *it, const char *why)
{
	strlcpy(it->msg.meta.error, why, sizeof(it->msg.meta.error));
	if (smppconn_store_fail(&it->msg.meta, &it->msg.pdu,
	    &it->dep[1]) == -1) {
		log_warn("failed copy of %s", it->msg.meta.id);
		it->result = IR_ABANDON;
	}
}

void
smppconn_outcome_error(struct connector *c, const char *why)
{
	if (c == NULL)
		return;
	strlcpy(c->st.last_error, why != NULL ? why : "",
	    sizeof(c->st.last_error));
	c->st.last_error_at = smppconn_ctx.wall;
}

/* Settle it: the result decides what the commit does with the record. */
static void
settle(struct item *it, enum item_result r)
{
	smppconn_mt_done(it, it->result == IR_ABANDON ? IR_ABANDON : r);
}

/* Tried again after the back-off, or the delay asked for. */
static void
retry_later(struct item *it, const char *why, int delay)
{
	struct msg_meta	*m = &it->msg.meta;
	char		 dst[4 * PDU_ADDR_MAX_LONG];

	strlcpy(m->error, why != NULL ? why : "", sizeof(m->error));
	m->next_try = policy_next_try(m, &smppconn_ctx.conf->spool,
	    (int64_t)smppconn_ctx.wall);
	if (delay > 0 && (int64_t)smppconn_ctx.wall + delay < m->next_try)
		m->next_try = (int64_t)smppconn_ctx.wall + delay;
	log_info("%s of %s to %s: attempt %d failed (%s), next in %llds",
	    m->id, m->account, log_addr(dst, sizeof(dst),
	    it->msg.pdu.destination_addr), m->attempts,
	    m->error, (long long)(m->next_try - (int64_t)smppconn_ctx.wall));
	it->result = IR_TEMPFAIL;
	defer(it, m->next_try);
	settle(it, IR_TEMPFAIL);
}

static void
on_delivered(struct item *it, const struct outcome *o)
{
	billing_accepted(it);
	receipt(it, o->stat != NULL ? o->stat : "DELIVRD", 0);
	settle(it, IR_DELIVERED);
}

/* A split message accepted in full: its receipts are counted together. */
static void
group(struct item *it, int nparts)
{
	struct idmap	*m;

	if (nparts < 2 || (it->msg.pdu.registered_delivery &
	    (REGDLV_RECEIPT_MASK | REGDLV_INTERMEDIATE)) == 0 ||
	    (m = smppconn_ctx_idmap()) == NULL)
		return;
	if (idmap_group_put(m, it->msg.meta.id, it->msg.pdu.destination_addr ?
	    it->msg.pdu.destination_addr : "", nparts, (int64_t)smppconn_ctx.wall +
	    smppconn_ctx.conf->server.dlr_expiry) == -1)
		log_warnx("%s: its parts cannot be grouped in the id map",
		    it->msg.meta.id);
}

static void on_transient(struct item *, const struct outcome *);

static void
on_accepted(struct item *it, const struct outcome *o)
{
	struct outcome	 t = { .kind = OC_TRANSIENT,
			    .why = "id map: cannot store" };

	if (o->id != NULL && smppconn_outcome_map(it, o->id, 1) == -1) {
		on_transient(it, &t);
		return;
	}
	billing_accepted(it);	/* when no id map entry was made */
	group(it, o->nparts);
	settle(it, IR_ACCEPTED);
}

/* Multiplicative decrease, at most once a second. */
static void
rate_down(struct connector *c)
{
	struct conn_stats	*s = &c->st;
	double			 cur;

	if (s->rate_at != 0 && smppconn_ctx.now - s->rate_at < RATE_STEP_US)
		return;
	if (s->base == 0)
		s->base = c->cf->throughput > 0 ? c->cf->throughput :
		    (s->last_sec_sent > 10 ? (double)s->last_sec_sent : 10);
	cur = s->rate > 0 ? s->rate : s->base;
	s->rate = cur / 2 > RATE_FLOOR ? cur / 2 : RATE_FLOOR;
	s->rate_at = smppconn_ctx.now;
	log_warnx("connector %s: throttled by the upstream: send rate "
	    "%.0f/s (was %.0f/s)", c->name, s->rate, cur);
}

/* Additive increase, once a second, back to the connector's rate. */
static void
rate_up(struct connector *c)
{
	struct conn_stats	*s = &c->st;
	double			 step;

	if (s->base == 0 || smppconn_ctx.now - s->rate_at < RATE_STEP_US)
		return;
	step = s->base / 10 > 1 ? s->base / 10 : 1;
	s->rate += step;
	s->rate_at = smppconn_ctx.now;
	if (s->rate < s->base)
		return;
	log_info("connector %s: send rate back to %s", c->name,
	    c->cf->throughput > 0 ? "its throughput" : "unlimited");
	s->rate = c->cf->throughput;
	s->base = 0;
}

static void
on_throttled(struct item *it, const struct outcome *o)
{
	struct connector	*c = it->conn;

	if (c != NULL) {
		c->st.throttled++;
		smppconn_outcome_error(c, o->why);
		rate_down(c);
	}
	it->pin = c;
	smppconn_mt_again(it);
}

static void
on_transient(struct item *it, const struct outcome *o)
{
	struct connector	*c = it->conn;
	struct msg_meta		*m = &it->msg.meta;

	m->attempts++;
	strlcpy(m->error, o->why != NULL ? o->why : "", sizeof(m->error));
	if (c != NULL) {
		c->st.transient++;
		smppconn_outcome_error(c, o->why);
		if (++c->st.fail_run >= CONN_FAIL_RUN) {
			if (c->st.fail_run == CONN_FAIL_RUN)
				log_warnx("connector %s: %d transient "
				    "failures in a row: down for %llds",
				    c->name, CONN_FAIL_RUN, (long long)
				    (CONN_FAIL_HOLD_US / 1000000));
			c->st.down_until = smppconn_ctx.now + CONN_FAIL_HOLD_US;
		}
	}
	if (it->hop >= 0)
		it->tried |= 1u << it->hop;
	if (o->delay > 0 || it->hop < 0) {
		retry_later(it, o->why, o->delay);
		return;
	}
	/* smppconn_route_pick() finds the next hop, or it waits then. */
	smppconn_mt_again(it);
}

static void
on_permanent(struct item *it, const struct outcome *o)
{
	struct msg	*m = &it->msg;
	const char	*why = o->why != NULL ? o->why : "failed";
	char		 dst[4 * PDU_ADDR_MAX_LONG];

	if (it->conn != NULL) {
		it->conn->st.permanent++;
		smppconn_outcome_error(it->conn, why);
	}
	billing_failed(it);
	log_info("%s of %s to %s: failed (%s, err %u)", m->meta.id,
	    m->meta.account, log_addr(dst, sizeof(dst),
	    m->pdu.destination_addr), why, o->status);
	it->result = IR_PERMFAIL;
	receipt(it, o->stat != NULL ? o->stat : "REJECTD", (int)o->status);
	if (it->result != IR_ABANDON)
		fail_copy(it, why);
	settle(it, IR_PERMFAIL);
}

static void
on_expired(struct item *it)
{
	struct msg	*m = &it->msg;
	char		 dst[4 * PDU_ADDR_MAX_LONG];

	billing_failed(it);
	log_info("%s of %s to %s: expired after %d attempt(s)", m->meta.id,
	    m->meta.account, log_addr(dst, sizeof(dst),
	    m->pdu.destination_addr), m->meta.attempts);
	it->result = IR_EXPIRED;
	receipt(it, "EXPIRED", 0);
	if (it->result != IR_ABANDON)
		fail_copy(it, "expired");
	settle(it, IR_EXPIRED);
}

void
smppconn_outcome(struct item *it, const struct outcome *o)
{
	struct connector	*c = it->conn;

	it->result = IR_NONE;
	if (o->kind != OC_ABANDON && smppconn_mt_deleted(it)) {
		log_info("%s was deleted while in hand", it->msg.meta.id);
		settle(it, IR_NONE);
		return;
	}
	if (c != NULL && (o->kind == OC_DELIVERED || o->kind == OC_ACCEPTED ||
	    o->kind == OC_PERMANENT)) {
		c->st.fail_run = 0;
		c->st.down_until = 0;
		c->st.ok += o->kind != OC_PERMANENT;
	}
	switch (o->kind) {
	case OC_DELIVERED:
		on_delivered(it, o);
		break;
	case OC_ACCEPTED:
		on_accepted(it, o);
		break;
	case OC_THROTTLED:
		on_throttled(it, o);
		break;
	case OC_TRANSIENT:
		on_transient(it, o);
		break;
	case OC_PERMANENT:
		on_permanent(it, o);
		break;
	default:
		settle(it, IR_ABANDON);
		break;
	}
}

void
smppconn_outcome_status(struct item *it, uint32_t status, const char *why)
{
	const struct conf_connector	*cf = it->conn ? it->conn->cf : NULL;
	struct outcome			 o = { .status = status, .why = why };

	switch (errclass_of(cf, status)) {
	case EC_THROTTLING:
		o.kind = OC_THROTTLED;
		break;
	case EC_TRANSIENT:
		o.kind = OC_TRANSIENT;
		break;
	default:
		o.kind = OC_PERMANENT;
		break;
	}
	smppconn_outcome(it, &o);
}

/* What the upstream took must be findable when its receipt comes. */
int
smppconn_outcome_map(struct item *it, const char *upstream, int nparts)
{
	struct idmap_entry	 e;
	struct idmap		*m;
	int			 bill;

	/* Charged first: the entry keeps what was paid, for refunds. */
	memset(&e, 0, sizeof(e));
	billing_accepted(it);
	bill = billing_remember(&e, &it->msg);
	if (upstream == NULL || upstream[0] == '\0' ||
	    ((it->msg.pdu.registered_delivery & (REGDLV_RECEIPT_MASK |
	    REGDLV_INTERMEDIATE)) == 0 && !bill))
		return 0;
	if ((m = smppconn_ctx_idmap()) == NULL)
		return -1;
	receipt_of_msg(&e.of, &it->msg);
	e.expires = (int64_t)smppconn_ctx.wall + smppconn_ctx.conf->server.dlr_expiry;
	e.parts = (uint8_t)(nparts > 255 ? 255 : nparts);
	if (idmap_put(m, upstream, &e) == -1) {
		log_warnx("connector %s: %s cannot be stored in the id map",
		    it->conn ? it->conn->name : "?", it->msg.meta.id);
		return -1;
	}
	return 0;
}

void
smppconn_outcome_expired(struct item *it)
{
	if (it->conn != NULL)
		it->conn->st.expired++;
	on_expired(it);
}

void
smppconn_outcome_no_route(struct item *it)
{
	struct outcome	 o = { .kind = OC_PERMANENT, .stat = "REJECTD",
			    .status = REJECT_NO_ROUTE, .why = "no route" };

	on_permanent(it, &o);
}

/* No connector of its route can take it now: it stays queued. */
void
smppconn_outcome_wait(struct item *it, const char *why)
{
	if (it->tried == 0)
		it->msg.meta.attempts++;
	retry_later(it, it->tried != 0 && it->msg.meta.error[0] != '\0' ?
	    it->msg.meta.error : why, 0);
}

/* Not due yet: deferred again, not counted as an attempt. */
void
smppconn_outcome_later(struct item *it)
{
	defer(it, it->msg.meta.next_try);
	settle(it, IR_LATER);
}

void
smppconn_outcome_abandon(struct item *it)
{
	settle(it, IR_ABANDON);
}

/*
 * An upstream's receipt, found in the id map: queue the account's
 * receipt for the map entry.  Returns the commit
 * flag the answer waits for (NULL: nothing queued), *final whether the
 * entry is done with.
 */
int *
smppconn_outcome_receipt(const char *from, struct idmap_entry *e,
    const char *key, const struct dlr *d, int *final, int *err)
{
	struct receipt	 r;
	const char	*stat = d->stat;
	int		 state = dlr_stat_state(stat), kind, g;
	int		*dep = NULL;

	*err = 0;
	if (state == -1) {
		state = MSTATE_UNKNOWN;
		stat = "UNKNOWN";
	}
	kind = receipt_kind(state);
	*final = kind != RECEIPT_INTERMEDIATE;
	if (e->parts > 1 && *final) {
		g = idmap_group_done(smppconn_ctx_idmap(), e->of.id, e->of.dst,
		    kind == RECEIPT_SUCCESS);
		if (g != IDMAP_GROUP_DONE)
			return NULL;	/* parts to come, or reported */
	}
	if (*final && billing_receipt(e, stat))
		(void)idmap_put(smppconn_ctx_idmap(), key, e);
	if (!receipt_wanted(e->of.registered_delivery, state))
		return NULL;
	if (receipt_build(&r, &e->of, stat, d->err, d->done_date ?
	    d->done_date : smppconn_ctx.wall) == -1 ||
	    smppconn_peer_out(e->of.account, &r.meta, &r.pdu, &dep) == -1) {
		log_warnx("connector %s: receipt for %s cannot be queued",
		    from, e->of.id);
		*err = 1;
		return NULL;
	}
	log_debug("connector %s: receipt %s for %s of %s", from, stat,
	    e->of.id, e->of.account);
	return dep;
}

/* Per-second counts, the additive increase, the state file. */
int64_t
smppconn_outcome_tick(int64_t now)
{
	struct connector	*c;
	int			 i;

	for (i = 0; i < smppconn_ctx.nconns; i++) {
		c = smppconn_ctx.conns[i];
		if (c->st.sec_at == 0 || now - c->st.sec_at >= 1000000) {
			if (c->st.sec_at == 0 || (c->st.base == 0 &&
			    c->st.rate != c->cf->throughput))
				c->st.rate = c->cf->throughput;
			c->st.last_sec_sent = c->st.sec_sent;
			c->st.sec_sent = 0;
			c->st.sec_at = now;
		}
		rate_up(c);
	}
	if (now >= next_state) {
		smppconn_state_write();
		next_state = now + 1000000;
	}
	return next_state;
}
