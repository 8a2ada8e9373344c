/*
 * smppconn_out.c - smppconn's writers of the accounts' outbound spools
 *
 * SYNOPSIS
 *	smppconn_out_add(account, meta, pdu, &dep)	smppconn_out_write()
 *	smppconn_out_commit()	smppconn_out_close()	smppconn_out_free()
 *
 * DESCRIPTION
 *	Receipts and MO for an account are appended to a segment in
 *	out/ACCOUNT/tmp/.  smppconn_out_write() writes what a loop turn
 *	added, one write(2) per segment, and smppconn_out_commit() makes
 *	it durable and hands it on in one step (smppconn_mt.c marks the
 *	records provisionally settled in between): the segments linked
 *	into out/ACCOUNT/new/, one fdatasync(2) each and one fsync(2) of
 *	new/, so that on ext4 one journal commit carries the data and the
 *	names (segw_publish_group()).  The tmp/ names are never synced: a
 *	segment that does not reach new/ leaves the records it answers
 *	unsettled (*dep set), and no receiver claims a segment while it
 *	still has its tmp/ name.  smppconn_out_close() then signals as
 *	many of the account's bound receivers as it published segments,
 *	taking turns (spool_wake_some(), SIGUSR1), so that a receipt
 *	reaches its client within milliseconds of the turn that made it.
 *	Waking them all would have each list out/ACCOUNT/new/ and try the
 *	segments the others hold, for one of them to claim the new one.
 *
 *	A receiver claims one segment at a time and sends its records
 *	within its window.  So that several binds of an account share the
 *	load, the records of one turn are split over as many segments as
 *	the account has live receivers (counted at most once a second),
 *	but never into segments of fewer than OUT_CHUNK_MIN records, nor of
 *	more than [smppconn] batch (up to OUT_SPLIT_MAX segments).
 *
 *	*dep points to a flag that smppconn_out_write() or
 *	smppconn_out_commit() sets when the account's write or commit
 *	failed, for the caller to leave its record unsettled.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "smppconn.h"
#include "log.h"

#define OUT_SPLIT_MAX	64	/* segments per account per turn */
#define OUT_CHUNK_MIN	256	/* records at least in each; a paced turn: 1 */
#define OUT_RX_CHECK_US	1000000	/* receivers counted: 1/s */

struct outacct {
	char		 user[PDU_SYSTEM_ID_MAX];
	char		 area[1024];
	struct segw	 w[OUT_SPLIT_MAX];
	int		 nw;		/* writers used this turn */
	int		 published;	/* segments in new/ this turn */
	int		 failed;	/* its commit failed this turn */
	int		 nrx;		/* live receivers */
	int64_t		 rx_at;
	struct spool_wake wake;		/* its receivers, taking turns */
	int		 touched;
};

static struct outacct	**accts;
static int		  naccts;

static struct outacct *
acct_find(const char *user)
{
	struct outacct	*a, **v;
	int		 i;

	for (i = 0; i < naccts; i++)
		if (strcmp(accts[i]->user, user) == 0)
			return accts[i];
	if (!spool_user_valid(user)) {
		errno = EINVAL;
		return NULL;
	}
	if (spool_user_area(smppconn_ctx.conf->spool.dir, user, 1) == -1)
		return NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (v = reallocarray(accts, (size_t)naccts + 1, sizeof(*v))) == NULL) {
		free(a);
		return NULL;
	}
	accts = v;
	strlcpy(a->user, user, sizeof(a->user));
	if (spool_path(a->area, sizeof(a->area), "%s/out/%s",
	    smppconn_ctx.conf->spool.dir, user) == -1) {
		free(a);
		return NULL;
	}
	for (i = 0; i < OUT_SPLIT_MAX; i++) {
		segw_init(&a->w[i], a->area, smppconn_ctx.conf->spool.sync);
		segw_set_tmp_lazy(&a->w[i]);
	}
	a->nw = 1;
	a->rx_at = -OUT_RX_CHECK_US;
	accts[naccts++] = a;
	return a;
}

int
smppconn_out_add(const char *user, const struct msg_meta *meta, const struct pdu *p,
    int **dep)
{
	struct outacct	*a;

	if ((a = acct_find(user)) == NULL)
		return -1;
	if (segw_add(&a->w[0], meta, p) == -1)
		return -1;
	a->touched = 1;
	*dep = &a->failed;
	return 0;
}

static int
receivers(struct outacct *a)
{
	int	 n;

	if (smppconn_ctx.now - a->rx_at >= OUT_RX_CHECK_US) {
		n = spool_session_pids(smppconn_ctx.conf->spool.dir, a->user, 1, NULL,
		    0);
		a->nrx = n > 0 ? n : 1;
		a->rx_at = smppconn_ctx.now;
	}
	return a->nrx;
}

/* Offset of the record after the first `skip' records of a buffer. */
static size_t
record_offset(const struct buf *b, unsigned skip)
{
	size_t	 off = 0, hlen, blen;

	while (skip-- > 0 && off < b->len) {
		if (record_frame((const char *)b->data + off, b->len - off,
		    &hlen, &blen) != 0)
			return b->len;
		off += hlen + blen;
	}
	return off;
}

/* Spread w[0]'s pending records over k writers, in order. */
static void
split(struct outacct *a, int k)
{
	struct segw	*src = &a->w[0];
	unsigned	 n = src->npending, start;
	size_t		 from;
	int		 i;

	for (i = k - 1; i >= 1; i--) {
		start = (unsigned)((uint64_t)n * (unsigned)i / (unsigned)k);
		from = record_offset(&src->pending, start);
		if (buf_append(&a->w[i].pending, src->pending.data + from,
		    src->pending.len - from) == -1)
			break;
		a->w[i].npending = src->npending - start;
		src->pending.len = from;
		src->npending = start;
	}
	a->nw = k;
}

/* Split the turn's records over the writers, ready to be written. */
static int
acct_prepare(struct outacct *a)
{
	unsigned	 n = a->w[0].npending;
	unsigned	 batch = (unsigned)smppconn_ctx.conf->conn.batch;
	int		 k, i, rc = 0;

	k = receivers(a);
	if (k > (int)((n + OUT_CHUNK_MIN - 1) / OUT_CHUNK_MIN))
		k = (int)((n + OUT_CHUNK_MIN - 1) / OUT_CHUNK_MIN);
	if (k < (int)((n + batch - 1) / batch))
		k = (int)((n + batch - 1) / batch);
	if (k > OUT_SPLIT_MAX)
		k = OUT_SPLIT_MAX;
	if (k > 1)
		split(a, k);
	for (i = 0; i < a->nw; i++)
		if (segw_prepare(&a->w[i]) == -1)
			rc = -1;
	return rc;
}

static int
acct_write(struct outacct *a)
{
	int	 i, rc = 0;

	for (i = 0; i < a->nw; i++)
		if (segw_write(&a->w[i]) == -1)
			rc = -1;
	return rc;
}

static void
acct_failed(struct outacct *a)
{
	int	 j;

	log_warn("%s: writing the turn's records", a->area);
	for (j = 0; j < a->nw; j++)
		segw_cancel(&a->w[j]);
	a->failed = 1;
}

static int
acct_commit(struct outacct *a)
{
	int		 i, rc = 0, ok[OUT_SPLIT_MAX];
	unsigned	 npend[OUT_SPLIT_MAX];

	for (i = 0; i < a->nw; i++)
		npend[i] = a->w[i].npending;
	if (segw_publish_group(a->w, a->nw, ok) == -1)
		log_warn("%s: commit of the turn's segments", a->area);
	for (i = 0; i < a->nw; i++) {
		if (ok[i]) {
			a->published += npend[i] > 0;
			continue;
		}
		log_warnx("%s: %u record(s) not committed", a->area, npend[i]);
		rc = -1;
	}
	return rc;
}

/*
 * The write(2) of the turn's receipts and MO, not synced yet, files
 * made first so that the writes follow each other closely: an account
 * whose write failed is marked failed (its records' *dep) and dropped
 * from the turn.
 */
int
smppconn_out_write(void)
{
	struct outacct	*a;
	int		 i, rc = 0;

	for (i = 0; i < naccts; i++) {
		a = accts[i];
		a->failed = 0;
		if (a->touched && acct_prepare(a) == -1) {
			acct_failed(a);
			rc = -1;
		}
	}
	for (i = 0; i < naccts; i++) {
		a = accts[i];
		if (a->touched && !a->failed && acct_write(a) == -1) {
			acct_failed(a);
			rc = -1;
		}
	}
	return rc;
}

/* What smppconn_out_write() wrote, synced (and written if it was not). */
int
smppconn_out_commit(void)
{
	int	 i, rc = 0;

	for (i = 0; i < naccts; i++) {
		if (!accts[i]->touched || accts[i]->failed)
			continue;
		if (acct_commit(accts[i]) == -1) {
			accts[i]->failed = 1;
			rc = -1;
		}
	}
	return rc;
}

/*
 * The turn's segments are in new/ (smppconn_out_commit()): wake the
 * receivers of the accounts that got some, and close what a failed
 * write left open.
 */
void
smppconn_out_close(void)
{
	struct outacct	*a;
	int		 i, ok[OUT_SPLIT_MAX];

	for (i = 0; i < naccts; i++) {
		a = accts[i];
		if (!a->touched)
			continue;
		if (segw_close_group(a->w, a->nw, ok) == -1)
			log_warn("%s: closing the turn's segments", a->area);
		a->nw = 1;
		a->touched = 0;
		if (a->published > 0 && spool_wake_some(&a->wake,
		    smppconn_ctx.conf->spool.dir, a->user, SIGUSR1,
		    a->published) == -1)
			log_warn("waking the receivers of %s", a->user);
		a->published = 0;
	}
}

void
smppconn_out_free(void)
{
	int	 i, j;

	for (i = 0; i < naccts; i++) {
		for (j = 0; j < OUT_SPLIT_MAX; j++)
			segw_free(&accts[i]->w[j]);
		spool_wake_free(&accts[i]->wake);
		free(accts[i]);
	}
	free(accts);
	accts = NULL;
	naccts = 0;
}
