/*
 * segdone.c - the settled-records sidecar of a claimed segment
 *
 * SYNOPSIS
 *	segdone_open(d, segpath, n)	segdone_mark(d, i)
 *	segdone_mark_run(d, i, n)	segdone_mark_later(d, i)
 *	segdone_flush(d)
 *	segdone_test(d, i)	segdone_all(d, n)	segdone_close(d)
 *	segdone_bill_mark(d, i, state)	segdone_billed(d, i)
 *	segdone_ready(d)	segdone_pend(d, i, n)	segdone_unpend(d, i)
 *	segdone_demote(donepath)	segdone_reopen(d)
 *	(the sidecar's name: spool_done_path(), spool.c)
 *
 * DESCRIPTION
 *	The sidecar SEGMENT.done holds one octet per record, '1' once the
 *	record is settled (before that one of SEGDONE_BILL once smppconn
 *	charged or refunded it, so that a replay does not bill it twice:
 *	'l' the rest charged, 's' the rest short, 'r' refunded), written
 *	with pwrite(2) and never synced.  The page cache outlives a
 *	killed process, so after a crash of the
 *	process settled records are not handed on again; after a power
 *	failure some marks may be lost and those records are handed on a
 *	second time: the duplicate window of at-least-once delivery.  A
 *	sync per mark would cost as much as the submit path's commit.
 *	spool.c names the sidecar and takes it along when a segment
 *	moves or goes (spool_done_path, spool_done_remove).
 *
 *	A provisional mark (SEGDONE_PEND: 'p', or 'L', 'S', 'R' over the
 *	billing marks 'l', 's', 'r') settles a record whose outcome was
 *	written (write(2)) but not yet synced: smppconn writes it between
 *	the write and the fdatasync(2) of a turn's receipts, so that a
 *	kill -9 during the sync, which leaves the page cache and so both
 *	the receipts and the marks, does not make the turn's receipts
 *	again.  Such a mark is only true until the machine stops: the
 *	mark may reach the disk and the receipt not.  segdone_test()
 *	counts it as settled; segdone_demote() turns every provisional
 *	mark of a sidecar back into what it was, and smppconn runs it on
 *	every sidecar under mt/ when it starts on another boot than the
 *	one its marks were written in (spool_recover_active()).
 *	segdone_unpend() takes one back when the sync failed.
 *
 *	segdone_mark_later() settles a record whose mark may wait: marks
 *	of consecutive records join one run, written with one pwrite(2)
 *	when a record out of the run comes, when the run is full, or at
 *	segdone_flush() (and segdone_close()).  A process that dies
 *	first loses them, so a caller flushes at the point up to which it
 *	may afford to hand those records on again.  segdone_test() counts
 *	them already.
 *
 * DIAGNOSTICS
 *	-1 with errno.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "spool.h"

#define DONE_FILE_MAX	(16 * 1024 * 1024)

/* The provisional mark over each prior octet, same positions. */
static const char	 prior_octets[] = "\0lsr";
static const char	 pend_octets[] = SEGDONE_PEND;

/* The provisional mark over octet c, or 0 when c is not markable. */
static int
pend_of(int c)
{
	const char	*p = memchr(prior_octets, c, sizeof(prior_octets) - 1);

	return p != NULL ? pend_octets[p - prior_octets] : 0;
}

/* What a provisional mark c stood over, or -1 when c is none. */
static int
prior_of(int c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(pend_octets, c)) == NULL)
		return -1;
	return prior_octets[p - pend_octets];
}

static int
known_octet(int c)
{
	return c != '\0' && (strchr(SEGDONE_BILL, c) != NULL ||
	    strchr(SEGDONE_PEND, c) != NULL);
}

static int
segdone_grow(struct segdone *d, size_t n)
{
	uint8_t	*p;

	if (n <= d->n && d->map != NULL)
		return 0;
	if ((p = realloc(d->map, n ? n : 1)) == NULL)
		return -1;
	if (n > d->n)
		memset(p + d->n, 0, n - d->n);
	d->map = p;
	d->n = n;
	return 0;
}

/* A sidecar's octets into a new buffer *raw (free it), *got of them. */
static int
read_octets(int fd, char **raw, size_t *got)
{
	struct stat	 st;

	*raw = NULL;
	*got = 0;
	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size > DONE_FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if ((*raw = malloc((size_t)st.st_size + 1)) == NULL)
		return -1;
	return spool_read_all(fd, *raw, (size_t)st.st_size, got);
}

/* n octets at record i, from buf, and into the map. */
static int
put(struct segdone *d, unsigned i, const char *buf, unsigned n)
{
	ssize_t		 w;
	unsigned	 k;

	if (segdone_ready(d) == -1 || segdone_grow(d, (size_t)i + n) == -1)
		return -1;
	while ((w = pwrite(d->fd, buf, n, (off_t)i)) == -1 && errno == EINTR)
		;
	if (w != (ssize_t)n)
		return -1;
	for (k = 0; k < n; k++)
		d->map[i + k] = buf[k] == '1' ? 1 : (uint8_t)buf[k];
	return 0;
}

/*
 * The sidecar of segment segpath; n is the number of records, when
 * known (the map grows as needed).  A missing sidecar is created by
 * the first segdone_mark(), so that looking does not leave files.
 */
int
segdone_open(struct segdone *d, const char *segpath, unsigned n)
{
	char		*raw = NULL;
	size_t		 got = 0, i;
	int		 save;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (spool_done_path(d->path, sizeof(d->path), segpath) == -1)
		return -1;
	if ((d->fd = open(d->path, O_RDWR | O_CLOEXEC)) == -1 &&
	    errno != ENOENT)
		return -1;
	if (d->fd != -1 && read_octets(d->fd, &raw, &got) == -1)
		goto fail;
	if (segdone_grow(d, got > n ? got : n) == -1)
		goto fail;
	for (i = 0; i < got; i++)
		d->map[i] = raw[i] == '1' ? 1 : known_octet(raw[i]) ?
		    (uint8_t)raw[i] : 0;
	free(raw);
	return 0;
fail:
	save = errno;
	free(raw);
	segdone_close(d);
	errno = save;
	return -1;
}

static int
mark(struct segdone *d, unsigned i, const char *octet)
{
	return put(d, i, octet, 1);
}

int
segdone_mark(struct segdone *d, unsigned i)
{
	return mark(d, i, "1");
}

/* Records i to i+n-1 settled: one pwrite(2) for the run. */
int
segdone_mark_run(struct segdone *d, unsigned i, unsigned n)
{
	char	 run[SEGDONE_RUN_MAX];

	if (n == 0 || n > sizeof(run)) {
		errno = EINVAL;
		return -1;
	}
	memset(run, '1', n);
	return put(d, i, run, n);
}

int
segdone_mark_later(struct segdone *d, unsigned i)
{
	int	 rc = 0;

	if (d->later_n > 0 && (i != d->later_from + d->later_n ||
	    d->later_n == SEGDONE_RUN_MAX))
		rc = segdone_flush(d);
	if (d->later_n++ == 0)
		d->later_from = i;
	return rc;
}

int
segdone_flush(struct segdone *d)
{
	unsigned	 n = d->later_n;

	if (n == 0)
		return 0;
	d->later_n = 0;
	return segdone_mark_run(d, d->later_from, n);
}

/* Settled, for good or provisionally, or to be marked. */
int
segdone_test(const struct segdone *d, unsigned i)
{
	return (i < d->n && (d->map[i] == 1 || prior_of(d->map[i]) != -1)) ||
	    i - d->later_from < d->later_n;
}

/* The sidecar made now, so that the marks to come cost one pwrite(2). */
int
segdone_ready(struct segdone *d)
{
	if (d->fd == -1 && (d->fd = open(d->path, O_RDWR | O_CREAT |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	return 0;
}

/*
 * Records i to i+n-1 settled provisionally: their outcomes are written,
 * not yet synced.  One pwrite(2) for the run.
 */
int
segdone_pend(struct segdone *d, unsigned i, unsigned n)
{
	char		 run[SEGDONE_RUN_MAX];
	unsigned	 k;

	if (n == 0 || n > sizeof(run)) {
		errno = EINVAL;
		return -1;
	}
	if (segdone_grow(d, (size_t)i + n) == -1)
		return -1;
	for (k = 0; k < n; k++)
		if ((run[k] = (char)pend_of(d->map[i + k])) == '\0') {
			errno = EINVAL;
			return -1;
		}
	return put(d, i, run, n);
}

/* A provisional mark taken back: the record is not settled. */
int
segdone_unpend(struct segdone *d, unsigned i)
{
	int	 c = i < d->n ? prior_of(d->map[i]) : -1;
	char	 octet = (char)c;

	return c == -1 ? 0 : put(d, i, &octet, 1);
}

/*
 * Every provisional mark of the sidecar donepath back to what it was,
 * synced; how many, or -1.
 */
int
segdone_demote(const char *donepath)
{
	char		*raw = NULL;
	size_t		 got = 0, i;
	int		 fd, c, n = 0, save;

	if ((fd = open(donepath, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (read_octets(fd, &raw, &got) == -1)
		goto fail;
	for (i = 0; i < got; i++)
		if ((c = prior_of((unsigned char)raw[i])) != -1) {
			raw[i] = (char)c;
			n++;
		}
	if (n > 0 && (pwrite(fd, raw, got, 0) != (ssize_t)got ||
	    fsync(fd) == -1))
		goto fail;
	free(raw);
	close(fd);
	return n;
fail:
	save = errno;
	free(raw);
	close(fd);
	errno = save;
	return -1;
}

/* Billed (billing.c) but not settled yet: one of SEGDONE_BILL. */
int
segdone_bill_mark(struct segdone *d, unsigned i, int state)
{
	char	 octet[2] = { (char)state, '\0' };

	if (state == '\0' || strchr(SEGDONE_BILL, state) == NULL) {
		errno = EINVAL;
		return -1;
	}
	return mark(d, i, octet);
}

/* The billing mark of record i (under a provisional one too), or 0. */
int
segdone_billed(const struct segdone *d, unsigned i)
{
	int	 c;

	if (i >= d->n || d->map[i] == 1)
		return 0;
	c = prior_of(d->map[i]);
	return c == -1 ? d->map[i] : c;
}

/* Whether the first n records are all settled. */
int
segdone_all(const struct segdone *d, unsigned n)
{
	unsigned	 i;

	for (i = 0; i < n; i++)
		if (!segdone_test(d, i))
			return 0;
	return 1;
}

/*
 * The sidecar at d's path read again, keeping every mark d had: for a
 * sidecar that a claim replaced with the one it took along.
 */
int
segdone_reopen(struct segdone *d)
{
	struct segdone	 old;
	size_t		 i;
	char		 octet;
	int		 rc;

	rc = segdone_flush(d);
	old = *d;
	if (segdone_open(d, old.path, 0) == -1) {
		*d = old;
		return -1;
	}
	for (i = 0; i < old.n; i++)
		if (old.map[i] != 0 && (i >= d->n || d->map[i] == 0)) {
			octet = old.map[i] == 1 ? '1' : (char)old.map[i];
			if (put(d, (unsigned)i, &octet, 1) == -1)
				rc = -1;
		}
	segdone_close(&old);
	return rc;
}

void
segdone_close(struct segdone *d)
{
	(void)segdone_flush(d);
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	free(d->map);
	d->map = NULL;
	d->n = 0;
}
