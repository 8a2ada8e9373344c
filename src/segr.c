/*
 * segr.c - a segment reader, with torn-tail detection
 *
 * SYNOPSIS
 *	segr_open(r, path)	segr_next(r, msg)	segr_close(r)
 *
 * DESCRIPTION
 *	A reader loads a whole segment (at most SEGR_FILE_MAX) and hands
 *	out its records in order.  A torn tail -- a final record cut
 *	short, a final record whose checksum fails with nothing after it,
 *	or a run of zero octets to the end, which is what a crash during
 *	an append leaves -- ends the segment: SEGR_EOF with r->torn set,
 *	r->off being the length of the valid part.  Such a tail was never
 *	acknowledged.  A bad record with more data after it cannot come
 *	from a crash: SEGR_CORRUPT, and the caller quarantines the file.
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
	    spool_read_all(fd, r->data, (size_t)st.st_size, &r->len) == -1)
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

