/*
 * spool_segment.c - segments: writing with group commit, reading with
 * torn-tail detection, and the settled-records sidecar
 *
 * SYNOPSIS
 *	segw_init(w, area, sync)	segw_set_dest(w, "deferred")
 *	segw_add(w, meta, pdu)		segw_commit(w)	segw_rollback(w)
 *	segw_due(w, max_bytes, max_count, max_age_ms, now_us)
 *	segw_close(w)			segw_free(w)
 *
 *	segr_open(r, path)	segr_next(r, msg)	segr_close(r)
 *
 *	segdone_open(d, segpath, n)	segdone_mark(d, i)
 *	segdone_test(d, i)	segdone_all(d, n)	segdone_close(d)
 *	segdone_remove(segpath)
 *
 * DESCRIPTION
 *	A writer appends records to AREA/tmp/NAME, which it holds an
 *	flock(2) on while it is open.  segw_add() formats a
 *	record into memory; segw_commit() writes everything added since
 *	the last commit with one write(2) and, when sync is on, one
 *	fdatasync(2); on the segment's first commit it also fsyncs
 *	AREA/tmp so that the file's name survives a power failure.  Only
 *	after segw_commit() returns 0 may the caller acknowledge the
 *	records.  When it fails, the file is cut back to what earlier
 *	commits wrote, the counters are unchanged, and the caller drops
 *	the group with segw_rollback() and answers with an error.
 *
 *	segw_close() renames AREA/tmp/NAME to AREA/DEST/NAME (DEST "new"
 *	unless segw_set_dest() said otherwise) or removes an empty one.
 *	The rename is not synced: after a power failure the segment is
 *	either in DEST or still in tmp/, where recovery finds it, as it
 *	finds the segment of a writer that died (spool_recover.c).
 *	segw_due(w, bytes, count, age_ms, now) tells when an open segment
 *	has reached one of its limits (0: no limit; now 0: the clock).
 *
 *	A reader loads a whole segment (at most SEGR_FILE_MAX) and hands
 *	out its records in order.  A torn tail -- a final record cut
 *	short, a final record whose checksum fails with nothing after it,
 *	or a run of zero octets to the end, which is what a crash during
 *	an append leaves -- ends the segment: SEGR_EOF with r->torn set,
 *	r->off being the length of the valid part.  Such a tail was never
 *	acknowledged.  A bad record with more data after it cannot come
 *	from a crash: SEGR_CORRUPT, and the caller quarantines the file.
 *
 *	The sidecar SEGMENT.done holds one octet per record, '1' once the
 *	record is settled, written with pwrite(2) and never synced.  The
 *	page cache outlives a killed process, so after a crash of the
 *	process settled records are not handed on again; after a power
 *	failure some marks may be lost and those records are handed on a
 *	second time: the duplicate window of at-least-once delivery.  A
 *	sync per mark would cost as much as the submit path's commit.
 *
 * DIAGNOSTICS
 *	-1 with errno, except as described for segr_next().
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

#define SEGR_FILE_MAX	(256 * 1024 * 1024)
#define DONE_FILE_MAX	(16 * 1024 * 1024)
#define OPEN_TRIES	8

#ifndef HAVE_FDATASYNC
#define fdatasync	fsync
#endif

void
segw_init(struct segw *w, const char *area, int sync)
{
	memset(w, 0, sizeof(*w));
	if (strlcpy(w->area, area, sizeof(w->area)) >= sizeof(w->area))
		w->area[0] = '\0';	/* segw_commit() fails: ENAMETOOLONG */
	strlcpy(w->dest, "new", sizeof(w->dest));
	w->fd = -1;
	w->sync = sync;
	buf_init(&w->pending);
}

void
segw_set_dest(struct segw *w, const char *dest)
{
	strlcpy(w->dest, dest, sizeof(w->dest));
}

/* AREA/SUB/NAME */
static int
segw_path(const struct segw *w, const char *sub, char *buf, size_t len)
{
	if (w->area[0] == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	return spool_path(buf, len, "%s/%s/%s", w->area, sub, w->name);
}

int
segw_add(struct segw *w, const struct msg_meta *m, const struct pdu *p)
{
	if (record_write(&w->pending, m, p) == -1)
		return -1;
	w->npending++;
	return 0;
}

/*
 * Create AREA/tmp/NAME under a name nobody used, locked: the lock is
 * how recovery tells a live writer from a dead one whose pid may have
 * been reused.  The file is made as .NAME, locked, then linked to
 * NAME, so that it is never seen unlocked under its real name.
 */
static int
segw_create(struct segw *w, char *path, size_t len)
{
	char	 dot[1100];
	int	 fd, save;

	if (spool_name(w->name, sizeof(w->name), w->not_before) == -1 ||
	    segw_path(w, "tmp", path, len) == -1 ||
	    spool_path(dot, sizeof(dot), "%s/tmp/.%s", w->area, w->name) == -1)
		return -1;
	fd = open(dot, O_CREAT | O_EXCL | O_WRONLY | O_APPEND | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return -1;
	/* link(2), unlike rename(2), never replaces an existing NAME. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || link(dot, path) == -1) {
		/* ENOENT: a recovery took the unlocked .NAME as litter. */
		save = errno;
		close(fd);
		unlink(dot);
		errno = save == EWOULDBLOCK ? EEXIST : save;
		return -1;
	}
	unlink(dot);
	return fd;
}

static int
segw_open(struct segw *w)
{
	char	 path[1100];
	int	 i;

	for (i = 0; i < OPEN_TRIES; i++) {
		if ((w->fd = segw_create(w, path, sizeof(path))) != -1)
			break;
		if (errno != EEXIST && errno != ENOENT)
			return -1;
	}
	if (w->fd == -1)
		return -1;
	w->opened_us = now_us();
	w->bytes = 0;
	w->count = 0;
	w->dir_synced = 0;
	w->broken = 0;
	return 0;
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the name of a new segment durable: fsync AREA/tmp. */
static int
sync_tmpdir(const struct segw *w)
{
	char	 path[1100];
	int	 fd, rc;

	if (spool_path(path, sizeof(path), "%s/tmp", w->area) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Undo a failed commit: nothing of it may stay in the file. */
static void
segw_undo(struct segw *w)
{
	int	 save = errno;

	if (ftruncate(w->fd, (off_t)w->bytes) == -1 ||
	    (w->sync && fdatasync(w->fd) == -1)) {
		log_warn("spool: %s/tmp/%s: cannot cut back to %zu octets",
		    w->area, w->name, w->bytes);
		w->broken = 1;
	}
	errno = save;
}

int
segw_commit(struct segw *w)
{
	if (w->npending == 0)
		return 0;
	if (w->broken) {
		errno = EIO;
		return -1;
	}
	if (w->fd == -1 && segw_open(w) == -1)
		return -1;
	if (write_all(w->fd, w->pending.data, w->pending.len) == -1 ||
	    (w->sync && fdatasync(w->fd) == -1) ||
	    (w->sync && !w->dir_synced && sync_tmpdir(w) == -1)) {
		segw_undo(w);
		return -1;
	}
	if (w->sync)
		w->dir_synced = 1;
	w->bytes += w->pending.len;
	w->count += w->npending;
	segw_rollback(w);
	return 0;
}

void
segw_rollback(struct segw *w)
{
	buf_reset(&w->pending);
	w->npending = 0;
}

int
segw_due(const struct segw *w, size_t max_bytes, unsigned max_count,
    int max_age_ms, int64_t now)
{
	if (w->fd == -1)
		return 0;
	if (now == 0)
		now = now_us();
	return (max_bytes > 0 && w->bytes >= max_bytes) ||
	    (max_count > 0 && w->count >= max_count) ||
	    (max_age_ms > 0 && now - w->opened_us >= (int64_t)max_age_ms *
	    1000);
}

static void
segw_reset(struct segw *w)
{
	w->fd = -1;
	w->name[0] = '\0';
	w->bytes = 0;
	w->count = 0;
	w->dir_synced = 0;
	w->broken = 0;
	w->opened_us = 0;
}

int
segw_close(struct segw *w)
{
	char	 tmp[1100], dst[1100];
	int	 rc = 0;

	if (w->npending > 0) {
		log_warnx("spool: %s/tmp/%s: %u uncommitted records dropped",
		    w->area, w->name, w->npending);
		segw_rollback(w);
	}
	if (w->fd == -1)
		return 0;
	/* Still locked while it leaves tmp/: recovery cannot take it. */
	if (segw_path(w, "tmp", tmp, sizeof(tmp)) == -1 ||
	    segw_path(w, w->dest, dst, sizeof(dst)) == -1)
		rc = -1;
	else if (w->count == 0)
		rc = unlink(tmp);
	else
		rc = rename(tmp, dst);
	if (close(w->fd) == -1)
		log_warn("spool: %s/tmp/%s: close", w->area, w->name);
	segw_reset(w);
	return rc;
}

/* Without closing: an open segment stays in tmp/ for recovery. */
void
segw_free(struct segw *w)
{
	char	 tmp[1100];

	if (w->fd != -1) {
		close(w->fd);
		if (w->count == 0 && segw_path(w, "tmp", tmp, sizeof(tmp)) == 0)
			unlink(tmp);
	}
	segw_reset(w);
	buf_free(&w->pending);
}

static int
read_all(int fd, char *p, size_t len, size_t *got)
{
	ssize_t	 n;

	*got = 0;
	while (*got < len) {
		if ((n = read(fd, p + *got, len - *got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

int
segr_open(struct segr *r, const char *path)
{
	struct stat	 st;
	int		 fd, save;

	memset(r, 0, sizeof(*r));
	if (strlcpy(r->path, path, sizeof(r->path)) >= sizeof(r->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > SEGR_FILE_MAX) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	if ((r->data = malloc((size_t)st.st_size + 1)) == NULL ||
	    read_all(fd, r->data, (size_t)st.st_size, &r->len) == -1)
		goto fail;
	r->data[r->len] = '\0';
	close(fd);
	return 0;
fail:
	save = errno;
	close(fd);
	free(r->data);
	r->data = NULL;
	errno = save;
	return -1;
}

static int
all_zero(const char *p, size_t len)
{
	while (len-- > 0)
		if (*p++ != '\0')
			return 0;
	return 1;
}

/* A bad record at r->off: is it what a crash while appending leaves? */
static int
torn(const struct segr *r, const struct msg *msg)
{
	size_t	 hlen, blen, left = r->len - r->off;

	if (all_zero(r->data + r->off, left))
		return 1;
	return msg->bad == RECORD_E_CHECKSUM &&
	    record_frame(r->data + r->off, left, &hlen, &blen) == 0 &&
	    hlen + blen == left;
}

int
segr_next(struct segr *r, struct msg *msg)
{
	size_t	 used;
	int	 rc;

	if (r->off == r->len || r->torn)
		return SEGR_EOF;
	rc = record_parse(r->data + r->off, r->len - r->off, msg, &used);
	if (rc == 0) {
		r->off += used;
		r->index++;
		return SEGR_OK;
	}
	if (rc == RECORD_NOMEM) {
		errno = ENOMEM;
		return SEGR_ERROR;
	}
	if (rc == RECORD_SHORT || torn(r, msg)) {
		r->torn = 1;
		return SEGR_EOF;
	}
	return SEGR_CORRUPT;
}

void
segr_close(struct segr *r)
{
	free(r->data);
	r->data = NULL;
	r->len = r->off = 0;
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

/*
 * The sidecar of segment segpath; n is the number of records, when
 * known (the map grows as needed).  A missing sidecar is created by
 * the first segdone_mark(), so that looking does not leave files.
 */
int
segdone_open(struct segdone *d, const char *segpath, unsigned n)
{
	uint8_t		*raw = NULL;
	struct stat	 st;
	size_t		 got = 0, i;
	int		 save;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (spool_path(d->path, sizeof(d->path), "%s.done", segpath) == -1)
		return -1;
	if ((d->fd = open(d->path, O_RDWR | O_CLOEXEC)) == -1 &&
	    errno != ENOENT)
		return -1;
	if (d->fd != -1) {
		if (fstat(d->fd, &st) == -1)
			goto fail;
		if (st.st_size > DONE_FILE_MAX) {
			errno = EFBIG;
			goto fail;
		}
		if ((raw = malloc((size_t)st.st_size + 1)) == NULL ||
		    read_all(d->fd, (char *)raw, (size_t)st.st_size, &got) == -1)
			goto fail;
	}
	if (segdone_grow(d, got > n ? got : n) == -1)
		goto fail;
	for (i = 0; i < got; i++)
		d->map[i] = raw[i] == '1';
	free(raw);
	return 0;
fail:
	save = errno;
	free(raw);
	segdone_close(d);
	errno = save;
	return -1;
}

int
segdone_mark(struct segdone *d, unsigned i)
{
	ssize_t	 n;

	if (d->fd == -1 && (d->fd = open(d->path, O_RDWR | O_CREAT |
	    O_CLOEXEC, 0600)) == -1)
		return -1;
	if (segdone_grow(d, (size_t)i + 1) == -1)
		return -1;
	while ((n = pwrite(d->fd, "1", 1, (off_t)i)) == -1 && errno == EINTR)
		;
	if (n != 1)
		return -1;
	d->map[i] = 1;
	return 0;
}

int
segdone_test(const struct segdone *d, unsigned i)
{
	return i < d->n && d->map[i];
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

void
segdone_close(struct segdone *d)
{
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
	free(d->map);
	d->map = NULL;
	d->n = 0;
}

int
segdone_remove(const char *segpath)
{
	char	 path[1100];

	if (spool_path(path, sizeof(path), "%s.done", segpath) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}
