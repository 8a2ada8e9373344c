/*
 * ledger_recover.c - the ledger and the billing log made to agree again
 * after a power cut, and the operations of killed processes finished
 *
 * SYNOPSIS
 *	ledger_recover(l, log, flags)
 *
 * DESCRIPTION
 *	The billing log is the ledger's journal.  A charge, later charge
 *	or refund writes its line and changes the slot under the slot's
 *	lock (ledger.c), and neither file is synced for it: the group
 *	commit syncs the log alone, and then moves the base of each
 *	account it billed (ledger_advance()): a copy of the slot's money
 *	fields, in LEDGER.base, with the place in the log up to which
 *	every line of the account is in it.  A base reaches the disk only
 *	after its lines did.
 *
 *	After a power cut the ledger may have lost changes whose lines
 *	are on disk, or kept changes whose lines are lost: its pages and
 *	the log's reach the disk in any order.  So, once per boot, the
 *	first process that bills rebuilds every slot's money fields from
 *	its base and the account's lines after it, one pass over the
 *	log, under a lock of the whole ledger: what the slot says is then
 *	exactly its base plus the lines that are on disk, and for every
 *	account the sum of the log equals the change of the balance.  A
 *	change whose line was lost is undone; a line whose change was
 *	lost is made.  Stretches of the log that are not lines (the NUL
 *	octets of a page that never reached the disk, a torn last line)
 *	become blank lines of the same length, and the log is synced
 *	before the slots and bases are rewritten.  A recovery cut short
 *	by another power cut is made again: it reads only what is on
 *	disk and writes the same result.
 *
 *	The boot is told by clock_boot_id(); where the system does not
 *	name its boots every process rebuilds at its first billing, which
 *	is correct at any time (the whole ledger is locked, so no line is
 *	being written) but costs a pass over the log since the bases.
 *
 *	A base names its file by a hash of the file's first line, which a
 *	copy keeps and a rotation does not (inode numbers are the other
 *	way round).  A base written before the log was rotated names the
 *	old file: its lines after the base are read from NAME.1 when that
 *	is the file (logrotate's default), and every line of the account
 *	in the current file counts.  An account without a base (a ledger from a
 *	version without bases) is taken as its slot says.
 *
 *	With LEDGER_RECOVER_PENDING every slot left with an operation of
 *	a killed process is finished too (ledger.c), as smppconn needs
 *	before it reads the keys of its last operations (billing.c).
 *
 * DIAGNOSTICS
 *	LEDGER_ERR with ledger_error(); the ledger is unchanged or
 *	recovered slot by slot, and the next start recovers again.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "billlog.h"
#include "clock.h"
#include "compat.h"
#include "ledger.h"
#include "ledger_local.h"

enum { R_BASE, R_SINCE, R_ALL, R_ROTATED, R_TRUST };

struct rslot {
	uint32_t		 slot;
	int			 how;		/* R_* */
	char			 since[32];	/* R_SINCE: from this time */
	struct ledger_slot	 s;
	struct ledger_base	 b;
};

struct damage {
	int64_t	 off;
	int64_t	 end;
};

struct replay {
	struct rslot	*v;
	size_t		 n;
	uint32_t	 ino;		/* of the file being read */
	uint32_t	 cur;		/* of the log */
	uint64_t	 fid;		/* billlog_fid() of the file read */
	uint64_t	 curfid;	/* and of the log */
	struct damage	*d;
	size_t		 nd;
	size_t		 capd;
	int		 oom;
};

static int	 checked;	/* this process looked at the boot */

static int
by_id(const void *a, const void *b)
{
	return strncmp(((const struct rslot *)a)->s.system_id,
	    ((const struct rslot *)b)->s.system_id, 32);
}

static struct rslot *
find(struct replay *r, const char *account)
{
	struct rslot	 key;

	memset(&key, 0, sizeof(key));
	strlcpy(key.s.system_id, account, sizeof(key.s.system_id));
	return bsearch(&key, r->v, r->n, sizeof(*r->v), by_id);
}

/* Whether a line at off of the file being read comes after x's base. */
static int
after_base(const struct replay *r, const struct rslot *x,
    const struct billlog_entry *e, int64_t off)
{
	switch (x->how) {
	case R_BASE:
		return r->ino == r->cur && off >= x->b.off;
	case R_SINCE:
		return r->ino == r->cur && strcmp(e->time, x->since) >= 0;
	case R_ALL:
		return r->ino == r->cur;
	case R_ROTATED:
		return r->ino == r->cur || (r->fid == x->b.fid &&
		    off >= x->b.off);
	default:
		return 0;
	}
}

static int
replay_line(const struct billlog_entry *e, int64_t off, void *arg)
{
	struct replay	*r = arg;
	struct rslot	*x;

	if ((x = find(r, e->account)) != NULL && after_base(r, x, e, off))
		ledger_slot_apply(&x->s, e);
	return 0;
}

static void
replay_damage(int64_t off, int64_t end, void *arg)
{
	struct replay	*r = arg;
	struct damage	*d;

	if (r->ino != r->cur)
		return;
	if (r->nd == r->capd) {
		r->capd = r->capd ? r->capd * 2 : 16;
		if ((d = reallocarray(r->d, r->capd, sizeof(*d))) == NULL) {
			r->oom = 1;
			return;
		}
		r->d = d;
	}
	r->d[r->nd].off = off;
	r->d[r->nd++].end = end;
}

/* Every slot in use with its base; how each is to be replayed. */
static int
load(struct ledger *l, struct replay *r, int64_t size)
{
	struct ledger_slot	 s;
	struct rslot		*x;
	uint32_t		 i;
	size_t			 cap = 0;

	for (i = 0; ledger_slot_get(l, i, &s) == 0; i++) {
		if (s.system_id[0] == '\0')
			continue;
		if (r->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((x = reallocarray(r->v, cap, sizeof(*x))) == NULL)
				return -1;
			r->v = x;
		}
		x = &r->v[r->n++];
		memset(x, 0, sizeof(*x));
		x->slot = i;
		x->s = s;
		if (pread(l->bfd, &x->b, sizeof(x->b), ledger_offset(i)) !=
		    (ssize_t)sizeof(x->b) || strncmp(x->b.system_id,
		    s.system_id, sizeof(s.system_id)) != 0) {
			x->how = R_TRUST;
			continue;
		}
		x->how = x->b.at_us != 0 ? R_SINCE : x->b.fid == 0 ? R_ALL :
		    x->b.fid == r->curfid ? R_BASE : R_ROTATED;
		if (x->how == R_SINCE)
			billlog_time(x->since, sizeof(x->since), x->b.at_us);
		if (x->how == R_BASE && x->b.off > size)
			x->b.off = size;	/* cannot be: replay it all */
		x->s.balance = x->b.balance;
		x->s.count = x->b.count;
		x->s.charged = x->b.charged;
		x->s.billed = x->b.billed;
		x->s.refunded = x->b.refunded;
	}
	qsort(r->v, r->n, sizeof(*r->v), by_id);
	return 0;
}

/* The lines after the bases that are in the first rotation, NAME.1. */
static int
replay_rotated(struct billlog *log, struct replay *r)
{
	struct stat	 st;
	char		 path[sizeof(log->path) + 4];
	int64_t		 from = INT64_MAX, end;
	size_t		 i;
	int		 fd, rc;

	snprintf(path, sizeof(path), "%s.1", log->path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	r->ino = (uint32_t)st.st_ino;
	r->fid = billlog_fid(fd);
	for (i = 0; i < r->n; i++)
		if (r->v[i].how == R_ROTATED && r->v[i].b.fid == r->fid &&
		    r->v[i].b.off < from)
			from = r->v[i].b.off;
	rc = from == INT64_MAX ? 0 : billlog_scan(fd, from, replay_line, NULL,
	    r, &end);
	close(fd);
	return rc;
}

/* Where the pass over the log starts: the earliest base in it. */
static int64_t
replay_from(const struct replay *r)
{
	int64_t	 from = INT64_MAX;
	size_t	 i;

	for (i = 0; i < r->n; i++) {
		if (r->v[i].how != R_BASE && r->v[i].how != R_TRUST)
			return 0;
		if (r->v[i].how == R_BASE && r->v[i].b.off < from)
			from = r->v[i].b.off;
	}
	return from;
}

static int
write_back(struct ledger *l, struct replay *r, int64_t end)
{
	struct rslot	*x;
	size_t		 i;

	for (i = 0; i < r->n; i++) {
		x = &r->v[i];
		x->s.pend_off = 0;
		x->s.ino = r->cur;
		x->s.last_end = end;
		ledger_base_of(&x->b, &x->s);
		x->b.off = end;
		x->b.ino = r->cur;
		x->b.fid = r->curfid;
		if (ledger_pwrite(l, &x->s, sizeof(x->s),
		    ledger_offset(x->slot)) == -1 ||
		    ledger_base_write(l, x->slot, &x->b) == -1)
			return -1;
	}
	if (ledger_fsync(l, 0) == -1 || ledger_fsync(l, 1) == -1)
		return -1;
	return 0;
}

/* Under the lock of the whole ledger: every slot from base and log. */
static int
rebuild(struct ledger *l, struct billlog *log)
{
	struct replay	 r;
	struct stat	 st;
	int64_t		 from, end = 0;
	size_t		 i;
	int		 rc = -1;

	memset(&r, 0, sizeof(r));
	if (fstat(log->fd, &st) == -1)
		return -1;
	r.cur = (uint32_t)st.st_ino;
	r.curfid = billlog_fid(log->fd);
	if (load(l, &r, (int64_t)st.st_size) == -1 ||
	    replay_rotated(log, &r) == -1)
		goto out;
	r.ino = r.cur;
	r.fid = r.curfid;
	from = replay_from(&r);
	if (from != INT64_MAX && billlog_scan(log->fd, from, replay_line,
	    replay_damage, &r, &end) == -1)
		goto out;
	if (r.oom)
		goto out;
	for (i = 0; i < r.nd; i++)
		if (billlog_blank(log, r.d[i].off, r.d[i].end) == -1)
			goto out;
	if (billlog_sync(log) == -1 || fstat(log->fd, &st) == -1)
		goto out;
	r.curfid = billlog_fid(log->fd);	/* a first line blanked */
	rc = write_back(l, &r, (int64_t)st.st_size);
 out:
	free(r.v);
	free(r.d);
	return rc;
}

/* Once per process: the first after a boot rebuilds the ledger. */
static int
after_boot(struct ledger *l, struct billlog *log, int force)
{
	struct ledger_base_head	 h;
	char			 boot[sizeof(h.boot)];
	int			 rc = 0, known;

	/* Unknown: every start counts as a new boot. */
	known = clock_boot_id(boot, sizeof(boot)) == 0;
	if (!known)
		boot[0] = '\0';
	if (ledger_lock_fd(l->bfd, F_WRLCK, 0, LEDGER_HEAD) == -1)
		return -1;
	if (pread(l->bfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		rc = -1;
	else if (force || !known || strncmp(h.boot, boot, sizeof(h.boot)) !=
	    0) {
		if (ledger_lock(l, F_WRLCK, LEDGER_HEAD, 0) == -1)
			rc = -1;
		else {
			rc = rebuild(l, log);
			(void)ledger_lock(l, F_UNLCK, LEDGER_HEAD, 0);
		}
		strlcpy(h.boot, boot, sizeof(h.boot));
		if (rc == 0 && (pwrite(l->bfd, &h, sizeof(h), 0) !=
		    (ssize_t)sizeof(h) || ledger_fsync(l, 1) == -1))
			rc = -1;
	}
	(void)ledger_lock_fd(l->bfd, F_UNLCK, 0, LEDGER_HEAD);
	return rc;
}

/* Every slot left by a killed process, finished. */
static int
pending(struct ledger *l, struct billlog *log)
{
	struct ledger_slot	 s;
	uint32_t		 i;
	off_t			 off;
	int			 rc = 0;

	for (i = 0; ledger_slot_get(l, i, &s) == 0; i++) {
		if (s.pend_off == 0)
			continue;
		off = ledger_offset(i);
		if (ledger_lock(l, F_WRLCK, off, LEDGER_SLOT) == -1)
			return -1;
		if (ledger_slot_get(l, i, &s) == 0 && s.pend_off != 0) {
			ledger_slot_resolve(&s, log);
			if (ledger_pwrite(l, &s, sizeof(s), off) == -1)
				rc = -1;
		}
		(void)ledger_lock(l, F_UNLCK, off, LEDGER_SLOT);
	}
	return rc;
}

int
ledger_recover(struct ledger *l, struct billlog *log, int flags)
{
	int	 force = (flags & LEDGER_RECOVER_FORCE) != 0;

	if (l->fd == -1 || l->bfd == -1 || log == NULL || log->fd == -1)
		return LEDGER_OK;
	if ((!checked || force) && after_boot(l, log, force) == -1) {
		ledger_seterr("%s: recovery with billing log %s: %s", l->path,
		    log->path, strerror(errno));
		return LEDGER_ERR;
	}
	checked = 1;
	if ((flags & LEDGER_RECOVER_PENDING) && pending(l, log) == -1)
		return LEDGER_ERR;
	return LEDGER_OK;
}
