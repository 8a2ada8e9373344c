/*
 * segdone.c - the settled-records sidecar of a claimed segment
 *
 * SYNOPSIS
 *	segdone_open(d, segpath, n)	segdone_mark(d, i)
 *	segdone_test(d, i)	segdone_all(d, n)	segdone_close(d)
 *	(the sidecar's name: spool_done_path(), spool.c)
 *
 * DESCRIPTION
 *	The sidecar SEGMENT.done holds one octet per record, '1' once the
 *	record is settled, written with pwrite(2) and never synced.  The
 *	page cache outlives a killed process, so after a crash of the
 *	process settled records are not handed on again; after a power
 *	failure some marks may be lost and those records are handed on a
 *	second time: the duplicate window of at-least-once delivery.  A
 *	sync per mark would cost as much as the submit path's commit.
 *	spool.c names the sidecar and takes it along when a segment
 *	moves or goes (spool_done_path, spool_done_remove).
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
	if (spool_done_path(d->path, sizeof(d->path), segpath) == -1)
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
		    spool_read_all(d->fd, (char *)raw, (size_t)st.st_size, &got) == -1)
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
