/*
 * session_bill.c - what a submit_sm costs and its charge at submit: the
 * rate card, Jasmin's early percent, the billing log and its commit
 *
 * SYNOPSIS
 *	session_bill_charge(s, meta, dest, &why)
 *	session_bill_undo(s, meta, dest)	session_bill_rollback(s)
 *	session_bill_release(s)	session_bill_commit(s)
 *	session_bill_reopen(s)	session_bill_close(s)
 *
 * DESCRIPTION
 *	The price of a part is the rate card's for the account and the
 *	destination (rates.c), else the account's rate.  The balance must
 *	cover the whole price of every part, as Jasmin checks; with the
 *	account's early_percent P only P % of it is charged now and the
 *	rest by smppconn when the upstream accepts the message
 *	(billing.c).  The record carries the price, what was paid, the
 *	rule and the account's refund policy, so that smppconn needs
 *	neither the card nor the user database, and a card changed in
 *	between does not change what the message costs.
 *
 *	Each charge of a turn is remembered until the group commit: when
 *	the commit fails they are all refunded (the messages were not
 *	queued); when it succeeds, the billing log is synced before any
 *	answer leaves, so that the line of an acknowledged charge is on
 *	disk, and the account's base moves past it (ledger_recover.c:
 *	after a power cut the balance is rebuilt from the base and the
 *	lines on disk).
 *
 *	Without a billing log the turn's first charge holds the account's
 *	ledger slot (ledger_hold()) and every later one changes the copy in
 *	memory; session_bill_release(), before the group commit, writes the
 *	slot once and unlocks it.  Each message is still decided in order,
 *	against what the ones before it left; the ten children of a busy
 *	account took the slot's lock forty thousand times a second before
 *	(BENCHMARKS.md).  A child killed while holding leaves the slot as
 *	it was, and none of the messages it charged was queued or answered.
 *	With a billing log every charge is its own step (ledger.c), as the
 *	log's line comes first.
 *
 *	With [smpp-server] billing_feature = no only the throughput is
 *	counted, as in Jasmin; nothing is charged or logged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "compat.h"
#include "log.h"
#include "rates.h"
#include "session.h"

static int
billing(const struct session *s)
{
	return s->conf->server.billing_feature;
}

/* The billing log of this child, opened at its first charge. */
static struct billlog *
billlog_of(struct session *s)
{
	const char	*path = s->conf->userdb.billing_log;

	if (path[0] == '\0' || !billing(s))
		return NULL;
	if (s->billlog.path[0] == '\0') {
		if (billlog_open(&s->billlog, path) == -1) {
			log_warn("billing log %s", path);
			s->billlog.path[0] = '\0';
			return NULL;
		}
		/* The first after a power cut makes ledger and log agree. */
		if (ledger_recover(&s->ledger, &s->billlog, 0) == -1) {
			log_warnx("%s", ledger_error());
			billlog_close(&s->billlog);
			s->billlog.path[0] = '\0';
			return NULL;
		}
	}
	billlog_check_rotated(&s->billlog);
	return &s->billlog;
}

/* Price, early part and record fields; -1 when out of range. */
static int
price(struct session *s, struct msg_meta *m, const char *dest,
    int64_t *total)
{
	struct rates_price	 p;
	int			 pct = s->acct.early_percent;

	rates_price(s->acct.system_id, dest, s->acct.rate, &p);
	if (__builtin_mul_overflow(p.rate, (int64_t)m->parts, total))
		return -1;
	m->billed = 1;
	m->price = p.rate;
	m->paid = pct > 0 && pct < 100 ? *total / 100 * pct +
	    *total % 100 * pct / 100 : *total;
	m->slot = s->acct.slot;
	m->refund = s->acct.refund;
	strlcpy(m->rule, p.rule, sizeof(m->rule));
	return 0;
}

static uint32_t
refusal(struct session *s, int rc, const char **why)
{
	switch (rc) {
	case LEDGER_THROTTLED:
		*why = "throughput exceeded";
		return ESME_RTHROTTLED;
	case LEDGER_NOCREDIT:
		*why = "not enough credit";
		return ESME_RSYSERR;
	case LEDGER_NOQUOTA:
		*why = "submit_sm_count quota exhausted";
		return ESME_RSYSERR;
	default:
		log_warnx("ledger: cannot charge %s (slot %u): %s",
		    s->acct.system_id, s->acct.slot, ledger_error());
		*why = "ledger error";
		return ESME_RSYSERR;
	}
}

static void
remember(struct session *s, const struct msg_meta *m, const char *dest)
{
	struct bill_charge	*c;
	size_t			 cap;

	if (s->ncharges == s->chargecap) {
		cap = s->chargecap ? s->chargecap * 2 : 64;
		if ((c = reallocarray(s->charges, cap, sizeof(*c))) == NULL)
			fatal("charges");
		s->charges = c;
		s->chargecap = cap;
	}
	c = &s->charges[s->ncharges++];
	strlcpy(c->msgid, m->id, sizeof(c->msgid));
	strlcpy(c->dest, dest, sizeof(c->dest));
	strlcpy(c->rule, m->rule, sizeof(c->rule));
	c->parts = m->parts;
	c->paid = m->paid;
}

/* Charge one message at submit; its meta gets what smppconn needs. */
uint32_t
session_bill_charge(struct session *s, struct msg_meta *m, const char *dest,
    const char **why)
{
	struct ledger_bill	 b;
	struct billlog_line	 line;
	int64_t			 total = 0;
	int			 rc;

	memset(&b, 0, sizeof(b));
	b.kind = LEDGER_CHARGE;
	b.parts = m->parts;
	b.throughput = s->acct.throughput;
	b.now_us = clock_mono_us();
	if (!billing(s))
		b.flags = LEDGER_NOBILL;
	else if (price(s, m, dest, &total) == -1) {
		*why = "price out of range";
		return ESME_RSYSERR;
	}
	b.need = total;
	b.amount = m->paid;
	line = (struct billlog_line){ s->acct.system_id, m->id, m->parts,
	    dest, m->rule, "charge" };
	b.line = &line;
	b.log = billlog_of(s);
	if (s->conf->userdb.billing_log[0] != '\0' && billing(s) &&
	    b.log == NULL) {
		*why = "billing log unavailable";
		return ESME_RSYSERR;
	}
	if (b.log == NULL && ledger_hold(&s->ledger, s->acct.slot,
	    s->acct.system_id) != LEDGER_OK)
		return refusal(s, LEDGER_ERR, why);
	rc = ledger_bill(&s->ledger, s->acct.slot, s->acct.system_id, &b);
	if (rc != LEDGER_OK)
		return refusal(s, rc, why);
	if (billing(s))
		remember(s, m, dest);
	return ESME_ROK;
}

static void
refund(struct session *s, const char *msgid, const char *dest,
    const char *rule, uint32_t parts, int64_t paid)
{
	struct ledger_bill	 b;
	struct billlog_line	 line = { s->acct.system_id, msgid, parts,
				    dest, rule, "refund" };

	memset(&b, 0, sizeof(b));
	b.kind = LEDGER_REFUND;
	b.parts = parts;
	b.amount = paid;
	b.line = &line;
	b.log = billlog_of(s);
	if (ledger_bill(&s->ledger, s->acct.slot, s->acct.system_id, &b) !=
	    LEDGER_OK)
		log_warnx("ledger: cannot refund %s to %s: %s", msgid,
		    s->acct.system_id, ledger_error());
}

/* The message was charged but could not be queued. */
void
session_bill_undo(struct session *s, const struct msg_meta *m,
    const char *dest)
{
	if (!billing(s))
		return;
	refund(s, m->id, dest, m->rule, m->parts, m->paid);
	if (s->ncharges > 0)
		s->ncharges--;
}

/* The group commit failed: nothing of this turn was queued. */
void
session_bill_rollback(struct session *s)
{
	size_t	 i;

	for (i = 0; i < s->ncharges; i++)
		refund(s, s->charges[i].msgid, s->charges[i].dest,
		    s->charges[i].rule, s->charges[i].parts,
		    s->charges[i].paid);
	s->ncharges = 0;
}

/*
 * Write the slot held since the turn's first charge, and unlock it.
 * -1 when it could not be written: then none of the turn's charges
 * counted, and there is nothing to refund.
 */
int
session_bill_release(struct session *s)
{
	if (ledger_release(&s->ledger) == LEDGER_OK)
		return 0;
	log_warnx("ledger: cannot write the charges of %s (slot %u): %s",
	    s->acct.system_id, s->acct.slot, ledger_error());
	s->ncharges = 0;
	return -1;
}

/*
 * The group commit succeeded: the lines of its charges on disk too,
 * then the account's base past them (ledger_recover.c).  The ledger
 * itself is not synced: after a power cut it is rebuilt from its
 * bases and the log.
 */
void
session_bill_commit(struct session *s)
{
	int64_t		 end;
	uint32_t	 ino;

	if (s->ncharges == 0)
		return;
	s->ncharges = 0;
	if (s->billlog.path[0] == '\0')
		return;
	if (billlog_end(&s->billlog, &end, &ino) == -1 ||
	    billlog_sync(&s->billlog) == -1) {
		log_warn("billing log %s: sync", s->billlog.path);
		return;
	}
	if (ledger_advance(&s->ledger, s->acct.slot, s->acct.system_id, end,
	    ino, billlog_fid(s->billlog.fd)) == -1)
		log_warnx("%s", ledger_error());
}

/* SIGHUP: the billing log was rotated. */
void
session_bill_reopen(struct session *s)
{
	if (s->billlog.path[0] != '\0' && billlog_reopen(&s->billlog) == -1)
		log_warn("billing log %s", s->billlog.path);
}

void
session_bill_close(struct session *s)
{
	if (s->billlog.path[0] != '\0')
		billlog_close(&s->billlog);
	s->billlog.path[0] = '\0';
	free(s->charges);
	s->charges = NULL;
	s->ncharges = s->chargecap = 0;
}
