/*
 * segr.c - a segment reader: records up to the last intact commit
 *
 * SYNOPSIS
 *	segr_open(r, path)	segr_next(r, msg)	segr_close(r)
 *	segr_tail(r, path)	segr_grow(r, len)
 *	segr_quarantine(r, dir, msg)	segr_torn_zeros(r)
 *
 * DESCRIPTION
 *	A reader loads a whole segment (at most SEGR_FILE_MAX) and hands
 *	out its records in order.
 *
 *	segr_tail() opens a segment that its writer is still appending
 *	to, keeps the descriptor (which follows the file when its writer
 *	moves it) and reads nothing yet; segr_grow(r, len) reads on to
 *	len octets, a length the writer said is committed and synced, and
 *	the records up to the last intact commit in them become readable:
 *	segr_next() returns SEGR_EOF at that point, and more after the
 *	next segr_grow().  segr_grow(r, SEGR_ALL) reads to the end of the
 *	file and closes the descriptor: the writer is done (or dead and
 *	its segment recovered), and what follows the last intact commit
 *	is a torn tail as in a segment read whole.  Nothing beyond len is
 *	read before that, so a group whose sync is still running, or that
 *	a failed sync makes the writer cut back, is never seen.
 *
 *	A segment of format 2 (segmark.c) is read up to the end of its
 *	last intact commit: the last commit line whose group has the
 *	length and CRC-32 that the line says.  What follows it was never
 *	acknowledged -- a commit that a power failure cut, with pages
 *	lost in any order -- and ends the segment: SEGR_EOF with r->torn
 *	set and r->off the length of the part that counts.  A record
 *	before that boundary that fails its own checksum, or does not
 *	parse, is damage after the fact: SEGR_BAD, r->bad_off and
 *	r->bad_len its octets (up to the next line that starts with '%'),
 *	and the next call goes on with the record after it; the damaged
 *	one still counts in r->index, so that record numbers stay those
 *	of the writer.  segr_quarantine() copies such a record alone to
 *	SPOOL/corrupt/SEGMENT.rN (N its number in the segment) and logs it
 *	with its neighbours' ids (r->prev_id, the last good one, and the
 *	next one's); the segment stays where it is and its other records
 *	are delivered.  Done once: a later reader of the same segment finds
 *	the copy there.
 *
 *	segr_torn_zeros() tells whether that torn tail is zeros alone:
 *	the space a writer reserved ahead (segw_set_reserve()), nothing
 *	it wrote.
 *
 *	A segment without the header (format 1, before commit lines) is
 *	read as it always was: a torn tail -- a final record cut short, a
 *	final record whose checksum fails with nothing after it, or a run
 *	of zero octets to the end -- ends it (SEGR_EOF, r->torn); a bad
 *	record with more data after it is SEGR_CORRUPT.  Either format
 *	beginning with a NUL octet lost its first page: its first commit
 *	never completed, so nothing in it was acknowledged.
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

/* The end of the last commit, at or after from, whose group matches its line, or 0. */
static size_t
last_commit(const struct segr *r, size_t from)
{
	size_t		 off = from, glen, used, last = 0;
	unsigned	 n;
	uint32_t	 crc;

	while ((off = segmark_line_start(r->data, r->len, off)) < r->len) {
		if (segmark_parse(r->data + off, r->len - off, &n, &glen, &crc,
		    &used) == 0 && glen <= off && n > 0 &&
		    record_crc32(0, r->data + off - glen, glen) == crc)
			last = off + used;
		off++;
	}
	return last;
}

/* Which format, and where the records that count begin and end. */
static void
scan(struct segr *r)
{
	size_t	 hlen = sizeof(SEGMARK_HEADER) - 1;
	size_t	 last = last_commit(r, 0);

	r->end = r->len;
	if (segmark_is_header(r->data, r->len) || last > 0) {
		r->version = 2;
		/* A damaged header is damage in the first record. */
		r->off = segmark_is_header(r->data, r->len) ? hlen : 0;
		r->end = last > r->off ? last : r->off;
	} else {
		r->version = 1;
		if (r->len > 0 && r->data[0] == '\0')
			r->end = 0;
	}
}

/* path opened for reading into a fresh reader; -1 unless a regular file. */
static int
open_regular(struct segr *r, const char *path, struct stat *st)
{
	int	 fd, save;

	memset(r, 0, sizeof(*r));
	st->st_mode = 0;
	if (strlcpy(r->path, path, sizeof(r->path)) >= sizeof(r->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode))
		return fd;
	save = S_ISREG(st->st_mode) ? errno : EINVAL;
	close(fd);
	errno = save;
	return -1;
}

int
segr_open(struct segr *r, const char *path)
{
	struct stat	 st;
	int		 fd, save;

	if ((fd = open_regular(r, path, &st)) == -1)
		return -1;
	if (st.st_size > SEGR_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	if ((r->data = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	r->cap = (size_t)st.st_size + 1;
	if (spool_read_all(fd, r->data, (size_t)st.st_size, &r->len) == -1)
		goto fail;
	r->data[r->len] = '\0';
	close(fd);
	scan(r);
	return 0;
fail:
	save = errno;
	close(fd);
	free(r->data);
	r->data = NULL;
	errno = save;
	return -1;
}

int
segr_tail(struct segr *r, const char *path)
{
	struct stat	 st;

	if ((r->fd = open_regular(r, path, &st)) == -1)
		return -1;
	r->tail = 1;
	if ((r->data = malloc(1)) == NULL) {
		segr_close(r);
		return -1;
	}
	r->cap = 1;
	r->data[0] = '\0';
	return 0;
}

/* The octets from r->len to len (fewer at the end of the file). */
static int
read_more(struct segr *r, size_t len)
{
	char	*p;
	size_t	 cap;
	ssize_t	 n;

	/*
	 * Doubled, not grown to fit: a segment read while it is written
	 * grows by one commit at a time, and copying it whole each time
	 * would cost its size squared.
	 */
	if (len + 1 > r->cap) {
		cap = r->cap * 2 > len + 1 ? r->cap * 2 : len + 1;
		if (cap < 4096)
			cap = 4096;
		if ((p = realloc(r->data, cap)) == NULL)
			return -1;
		r->data = p;
		r->cap = cap;
	}
	while (r->len < len) {
		n = pread(r->fd, r->data + r->len, len - r->len, (off_t)r->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		r->len += (size_t)n;
	}
	r->data[r->len] = '\0';
	return 0;
}

int
segr_grow(struct segr *r, size_t len)
{
	struct stat	 st;
	size_t		 last, was = r->len;
	int		 all = len == SEGR_ALL;

	if (!r->tail)
		return 0;
	if (all) {
		if (fstat(r->fd, &st) == -1)
			return -1;
		len = (size_t)st.st_size;
	}
	if (len > SEGR_FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (len > r->len && read_more(r, len) == -1)
		return -1;
	if (all) {
		close(r->fd);
		r->tail = 0;
	}
	if (was == 0) {
		scan(r);
		if (r->version != 2) {
			errno = EINVAL;	/* only format 2 says what is committed */
			return -1;
		}
	} else if ((last = last_commit(r, r->end)) > r->end)
		r->end = last;
	/* Not torn while the writer may still add: only behind. */
	r->torn = 0;
	return 0;
}

static int
all_zero(const char *p, size_t len)
{
	while (len-- > 0)
		if (*p++ != '\0')
			return 0;
	return 1;
}

int
segr_torn_zeros(const struct segr *r)
{
	return r->torn && all_zero(r->data + r->off, r->len - r->off);
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

/* Format 1: as before commit lines. */
static int
next_v1(struct segr *r, struct msg *msg)
{
	size_t	 used;
	int	 rc;

	if (r->end == 0 && r->len > 0) {
		r->torn = 1;
		return SEGR_EOF;
	}
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

/* The id of a good record, from its body's first line. */
static void
keep_id(char *dst, size_t len, const char *rec, size_t avail)
{
	size_t		 hlen, blen, n;
	const char	*b, *nl;

	dst[0] = '\0';
	if (record_frame(rec, avail, &hlen, &blen) != 0 || blen > avail - hlen)
		return;
	b = rec + hlen;
	if (blen < 4 || memcmp(b, "id: ", 4) != 0 ||
	    (nl = memchr(b + 4, '\n', blen - 4)) == NULL)
		return;
	n = (size_t)(nl - b - 4);
	if (n >= len)
		n = len - 1;
	memcpy(dst, b + 4, n);
	dst[n] = '\0';
}

/* The id of the record after the damaged one: its neighbour in the log. */
static void
next_id(const struct segr *r, char *buf, size_t len)
{
	size_t	 off = r->off, used, glen;
	unsigned n;
	uint32_t crc;

	while (off < r->end && segmark_parse(r->data + off, r->end - off,
	    &n, &glen, &crc, &used) == 0)
		off += used;
	if (off >= r->end) {
		strlcpy(buf, "(none)", len);
		return;
	}
	keep_id(buf, len, r->data + off, r->end - off);
	if (buf[0] == '\0')
		strlcpy(buf, "(unknown)", len);
}

int
segr_next(struct segr *r, struct msg *msg)
{
	size_t		 used, glen;
	unsigned	 n;
	uint32_t	 crc;
	int		 rc;

	if (r->torn)
		return SEGR_EOF;
	if (r->version == 1)
		return r->off == r->len ? SEGR_EOF : next_v1(r, msg);
	for (;;) {
		if (r->off >= r->end) {
			if (r->end < r->len)
				r->torn = 1;
			return SEGR_EOF;
		}
		if (segmark_parse(r->data + r->off, r->end - r->off, &n,
		    &glen, &crc, &used) != 0)
			break;
		r->off += used;
	}
	rc = record_parse(r->data + r->off, r->end - r->off, msg, &used);
	if (rc == RECORD_NOMEM) {
		errno = ENOMEM;
		return SEGR_ERROR;
	}
	r->index++;
	if (rc == 0) {
		keep_id(r->prev_id, sizeof(r->prev_id), r->data + r->off, used);
		r->off += used;
		return SEGR_OK;
	}
	if (rc == RECORD_SHORT)
		msg->bad = RECORD_E_LENGTH;
	r->bad_off = r->off;
	r->off = segmark_line_start(r->data, r->end, r->off + 1);
	r->bad_len = r->off - r->bad_off;
	return SEGR_BAD;
}

void
segr_close(struct segr *r)
{
	if (r->tail)
		close(r->fd);
	r->tail = 0;
	free(r->data);
	r->data = NULL;
	r->len = r->cap = r->off = r->end = 0;
}


int
segr_quarantine(const struct segr *r, const char *dir, const struct msg *m)
{
	char	 dst[SPOOL_PATH_MAX], next[PDU_MESSAGE_ID_MAX];
	int	 fd, save;

	if (spool_corrupt_path(dst, sizeof(dst), dir, r->path, r->index) == -1)
		return -1;
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1)
		return errno == EEXIST ? 0 : -1;
	if (write(fd, r->data + r->bad_off, r->bad_len) != (ssize_t)r->bad_len ||
	    fsync(fd) == -1) {
		save = errno;
		close(fd);
		unlink(dst);
		errno = save;
		log_warn("spool: %s: record %u is damaged; cannot copy it to %s",
		    r->path, r->index, dst);
		return -1;
	}
	close(fd);
	(void)spool_durable_parent(dst);
	next_id(r, next, sizeof(next));
	log_warnx("spool: %s: record %u (%zu octets) is damaged (%s), between "
	    "%s and %s: copied alone to %s; the segment's other records are "
	    "kept", r->path, r->index, r->bad_len, record_bad_name(m->bad),
	    r->prev_id[0] != '\0' ? r->prev_id : "(none)", next, dst);
	return 0;
}
