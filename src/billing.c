/*
 * billing.c - smppconn's side of billing: the rest of an early-percent
 * charge when the upstream accepts a message, refunds by the account's
 * policy, each applied once
 *
 * SYNOPSIS
 *	billing_start()	billing_reload()	billing_stop()
 *	billing_accepted(item)	billing_failed(item)
 *	billing_receipt(entry, stat)	billing_commit()
 *
 * DESCRIPTION
 *	The record of a billed message carries its price per part, what
 *	was paid at submit, the account's ledger slot and refund policy
 *	and the rule of the rate card (session_bill.c), so nothing is
 *	looked up or recomputed here.
 *
 *	billing_accepted(): the upstream took the message (or a sink or
 *	pipe delivered it); what was not paid at submit is charged now.
 *	The smpp connector calls it when the upstream's answer comes,
 *	before the id map entry is stored, so that the entry says what
 *	was paid; the completion then finds it done.
 *	When the balance no longer covers it the message has gone anyway:
 *	nothing is charged, the shortfall is logged and counted in the
 *	account's slot.  billing_failed(): it failed for good or expired
 *	before an upstream took it; with refund = rejected or undelivered
 *	what was paid comes back, and the record (its failed/ copy, which
 *	smppq may requeue) then says nothing is paid.  billing_receipt():
 *	a final receipt UNDELIV, EXPIRED or REJECTD refunds a message of
 *	an account with refund = undelivered; the id map entry is stored
 *	again with nothing paid.
 *
 *	Once: a replay after a crash hands the same record on again.  The
 *	record's octet in its segment's sidecar says right after its
 *	charge or refund what was done (segdone.c: 'l' the rest charged,
 *	's' the rest short, 'r' refunded), and the ledger slot keeps a key
 *	of smppconn's last operation on it (message id, destination, kind
 *	and amount).  Only one operation is in flight when smppconn is
 *	killed, the last on its slot: billing_start() keeps each slot's
 *	key, and an operation whose record is not marked but whose key is
 *	its slot's key as found at start was applied already.  The ledger
 *	writes the billing log line in the same step as the balance
 *	(ledger.c).  billing_commit() syncs the log at the end of each
 *	turn that billed, before the records are settled, and moves the
 *	bases of the accounts billed (ledger_recover.c: the log is the
 *	ledger's journal, and what a power cut leaves of both is made to
 *	agree at the next start); without a log it syncs the ledger.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billlog.h"
#include "compat.h"
#include "dlr.h"
#include "idmap.h"
#include "ledger.h"
#include "log.h"
#include "sb.h"
#include "smppconn.h"
#include "userdb.h"

static struct ledger	 ledger = { .fd = -1, .bfd = -1 };
static struct billlog	 blog = { -1, "", 0 };
static uint64_t		*startkeys;	/* by slot: conn_key at start */
static size_t		 nstartkeys;
static int		 billed;	/* this turn */

/* The accounts billed this turn, whose bases move at its commit. */
struct touched {
	uint32_t	 slot;
	char		 account[32];
};
static struct touched	*touched;
static size_t		 ntouched, touchedcap;

/* Room for one more of n elements of size in v (capacity *cap). */
static void *
grow(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	void	*p;

	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : first;
	if ((p = reallocarray(v, *cap, size)) == NULL)
		fatal("billing: out of memory");
	return p;
}

/* Every slot's key of smppconn's last operation, before any new one. */
static void
keep_start_keys(void)
{
	struct ledger_entry	 e;
	size_t			 cap = 0;

	while (ledger_read(&ledger, (uint32_t)nstartkeys, &e) == LEDGER_OK) {
		startkeys = grow(startkeys, nstartkeys, &cap,
		    sizeof(*startkeys), 256);
		startkeys[nstartkeys++] = e.conn_key;
	}
}

static void
open_log(void)
{
	const char	*path = smppconn_ctx.conf->userdb.billing_log;

	if (blog.path[0] != '\0') {
		(void)billlog_sync(&blog);
		billlog_close(&blog);
	}
	blog.path[0] = '\0';
	if (path[0] != '\0' && billlog_open(&blog, path) == -1) {
		log_warn("billing log %s", path);
		blog.path[0] = '\0';
	}
}

/* The scoreboard of smppd, where shortfalls are counted. */
static void
open_board(void)
{
	const struct conf	*c = smppconn_ctx.conf;
	char			 path[CONF_PATH_MAX + 32];

	if (c->server.run_dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/%s", c->server.run_dir, SB_FILE);
	if (sb_open(path, c->server.id, 0) == -1)
		log_debug("scoreboard %s: shortfalls not counted", path);
}

void
billing_start(void)
{
	char	 path[CONF_PATH_MAX];

	if (ledger_open(&ledger, conf_ledger_path(smppconn_ctx.conf, path,
	    sizeof(path)), O_RDWR) == -1) {
		log_warnx("billing: %s: later charges and refunds are not "
		    "made", ledger_error());
		return;
	}
	open_log();
	/* Before the keys: a killed operation is finished first. */
	if (blog.path[0] != '\0' && ledger_recover(&ledger, &blog,
	    LEDGER_RECOVER_PENDING) == -1)
		log_warnx("billing: %s", ledger_error());
	keep_start_keys();
	open_board();
}

void
billing_reload(void)
{
	open_log();
}

void
billing_stop(void)
{
	(void)billing_commit();
	ledger_close(&ledger);
	billlog_close(&blog);
	free(startkeys);
	startkeys = NULL;
	nstartkeys = 0;
	free(touched);
	touched = NULL;
	ntouched = touchedcap = 0;
}

static void
touch(uint32_t slot, const char *account)
{
	size_t		 i;

	for (i = 0; i < ntouched; i++)
		if (touched[i].slot == slot)
			return;
	touched = grow(touched, ntouched, &touchedcap, sizeof(*touched), 16);
	touched[ntouched].slot = slot;
	strlcpy(touched[ntouched++].account, account,
	    sizeof(touched[0].account));
}

/* What the message is billed in all: price times parts. */
static int64_t
total(const struct msg_meta *m)
{
	int64_t	 t;

	if (__builtin_mul_overflow(m->price, (int64_t)m->parts, &t))
		return m->paid;
	return t;
}

/* One charge or refund in the ledger with its line; LEDGER_*. */
static int
apply(const char *account, const char *msgid, const char *dest,
    const char *rule, uint32_t slot, uint32_t parts, enum ledger_kind kind,
    int64_t amount)
{
	struct ledger_bill	 b;
	struct billlog_line	 line = { account, msgid, parts, dest, rule,
				    kind == LEDGER_LATER ? "later" : "refund" };

	if (ledger.fd == -1)
		return LEDGER_ERR;
	memset(&b, 0, sizeof(b));
	b.kind = kind;
	b.parts = kind == LEDGER_REFUND ? parts : 0;
	b.amount = amount;
	b.key = ledger_op_key(msgid, dest, (int)kind, amount);
	if (slot < nstartkeys && startkeys[slot] == b.key) {
		log_info("%s of %s: %s was applied before a restart", msgid,
		    account, line.kind);
		startkeys[slot] = 0;
		return LEDGER_OK;
	}
	b.line = &line;
	b.log = NULL;
	if (blog.path[0] != '\0') {
		billlog_check_rotated(&blog);
		b.log = &blog;
	}
	billed = 1;
	if (b.log != NULL)
		touch(slot, account);
	return ledger_bill(&ledger, slot, account, &b);
}

static void
report(int rc, const struct msg_meta *m, const char *what, int64_t amount)
{
	char	 money[32];
	int	 acct;

	money_format(money, sizeof(money), amount);
	if (rc == LEDGER_SHORT) {
		acct = sb_account_slot(m->account);
		sb_add(acct, SB_SHORTFALL, 1);
		sb_add(acct, SB_SHORTFALL_MICRO, (uint64_t)amount);
	}
	if (rc == LEDGER_SHORT)
		log_warnx("%s of %s was accepted upstream but the balance "
		    "does not cover the rest of its price, %s: not charged, "
		    "counted as a shortfall", m->id, m->account, money);
	else if (rc != LEDGER_OK)
		log_warnx("%s of %s: %s of %s failed: %s", m->id, m->account,
		    what, money, ledger_error());
}

/* A mark in the record's sidecar: a replay knows what was done. */
static void
mark(struct item *it, int state)
{
	if (segdone_bill_mark(&it->job->done, it->index, state) == -1)
		log_warn("%s", it->job->done.path);
}

void
billing_accepted(struct item *it)
{
	struct msg_meta	*m = &it->msg.meta;
	int64_t		 rest = total(m) - m->paid;
	int		 rc, st;

	if (!m->billed || rest <= 0)
		return;
	if ((st = segdone_billed(&it->job->done, it->index)) != 0) {
		if (st == 'l')
			m->paid = total(m);
		return;
	}
	rc = apply(m->account, m->id, it->msg.pdu.destination_addr, m->rule,
	    m->slot, m->parts, LEDGER_LATER, rest);
	report(rc, m, "the later charge", rest);
	if (rc == LEDGER_OK) {
		m->paid = total(m);
		mark(it, 'l');
	} else if (rc == LEDGER_SHORT)
		mark(it, 's');
}

void
billing_failed(struct item *it)
{
	struct msg_meta	*m = &it->msg.meta;
	int		 rc, st;

	if (!m->billed || m->refund == ACCOUNT_REFUND_NEVER)
		return;
	st = segdone_billed(&it->job->done, it->index);
	if (st == 'r')
		m->paid = 0;
	else if (st == 'l')
		m->paid = total(m);
	if (m->paid == 0)
		return;
	rc = apply(m->account, m->id, it->msg.pdu.destination_addr, m->rule,
	    m->slot, m->parts, LEDGER_REFUND, m->paid);
	report(rc, m, "the refund", m->paid);
	if (rc == LEDGER_OK) {
		m->paid = 0;
		mark(it, 'r');
	}
}

/*
 * A final receipt from the upstream; 1 when the entry changed (nothing
 * is paid any more) and must be stored again.
 */
int
billing_receipt(struct idmap_entry *e, const char *stat)
{
	int	 state = dlr_stat_state(stat), rc;

	if (!e->billed || e->refund != ACCOUNT_REFUND_UNDELIVERED ||
	    e->paid == 0 || (state != MSTATE_UNDELIVERABLE &&
	    state != MSTATE_EXPIRED && state != MSTATE_REJECTED))
		return 0;
	rc = apply(e->of.account, e->of.id, e->of.dst, e->rule, e->slot,
	    e->nparts, LEDGER_REFUND, e->paid);
	if (rc != LEDGER_OK) {
		log_warnx("%s of %s: refund after %s receipt failed: %s",
		    e->of.id, e->of.account, stat, ledger_error());
		return 0;
	}
	e->paid = 0;
	return 1;
}

/*
 * The end of a turn: this turn's lines on disk, and the bases of the
 * accounts they belong to moved past them (ledger_recover.c); without
 * a billing log, the balances on disk.
 */
int
billing_commit(void)
{
	int64_t		 end;
	uint64_t	 fid;
	uint32_t	 ino;
	size_t		 i;
	int		 r = 0;

	if (!billed)
		return 0;
	billed = 0;
	if (blog.path[0] == '\0') {
		if (ledger.fd != -1 && ledger_flush(&ledger) == -1) {
			log_warnx("%s", ledger_error());
			r = -1;
		}
		return r;
	}
	if (billlog_end(&blog, &end, &ino) == -1 ||
	    billlog_sync(&blog) == -1) {
		log_warn("billing log %s: sync", blog.path);
		ntouched = 0;
		return -1;
	}
	fid = billlog_fid(blog.fd);
	for (i = 0; i < ntouched; i++)
		if (ledger_advance(&ledger, touched[i].slot,
		    touched[i].account, end, ino, fid) == -1) {
			log_warnx("%s", ledger_error());
			r = -1;
		}
	ntouched = 0;
	return r;
}

/*
 * What the id map keeps of a billed message for billing_receipt(); 1
 * when the entry is needed for billing even without a receipt asked.
 */
int
billing_remember(struct idmap_entry *e, const struct msg *msg)
{
	const struct msg_meta	*m = &msg->meta;

	if (!m->billed)
		return 0;
	e->billed = 1;
	e->refund = m->refund;
	e->paid = m->paid;
	e->slot = m->slot;
	e->nparts = m->parts;
	strlcpy(e->rule, m->rule, sizeof(e->rule));
	return m->refund == ACCOUNT_REFUND_UNDELIVERED && m->paid > 0;
}
