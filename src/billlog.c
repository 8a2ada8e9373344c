/*
 * billlog.c - the billing log: appending lines under a lock, finding
 * whether a line was written, rotation
 *
 * SYNOPSIS
 *	billlog_open(log, path)	billlog_close(log)	billlog_reopen(log)
 *	billlog_check_rotated(log)
 *	billlog_end(log, &off, &ino)	billlog_put(log, line, amount)
 *	billlog_has(log, off, ino, account)	billlog_sync(log)
 *	billlog_format(buf, len, line, amount, now_us)
 *
 * DESCRIPTION
 *	The file is opened O_APPEND and every line is one write(2), never
 *	torn by a kill: a line is whole or absent.  Before a line, the
 *	ledger records in the account's slot the size of the file, where
 *	the line will be or after, and clears it after the line; whoever
 *	next updates the slot can tell by billlog_has() whether a process
 *	killed in between wrote its line (ledger.c).  No lock of the file
 *	is needed: lines of one account are written under its slot's
 *	lock.
 *
 *	Rotation: logrotate renames the file; SIGHUP makes the daemons
 *	reopen it at once, and billlog_check_rotated(), called once per
 *	loop turn, reopens it within a second when the name points to
 *	another file, for processes that were not signalled.
 *
 * DIAGNOSTICS
 *	-1 with errno; the callers log.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "billlog.h"
#include "compat.h"
#include "ledger.h"

int
billlog_open(struct billlog *log, const char *path)
{
	log->fd = -1;
	log->checked = 0;
	if (strlcpy(log->path, path, sizeof(log->path)) >= sizeof(log->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	log->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return log->fd == -1 ? -1 : 0;
}

void
billlog_close(struct billlog *log)
{
	if (log->fd != -1)
		close(log->fd);
	log->fd = -1;
}

/* A new file under the name; the old descriptor stays on failure. */
int
billlog_reopen(struct billlog *log)
{
	int	 fd;

	fd = open(log->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (log->fd != -1) {
		/* Its last lines belong to commits not synced yet. */
		(void)billlog_sync(log);
		close(log->fd);
	}
	log->fd = fd;
	return 0;
}

void
billlog_check_rotated(struct billlog *log)
{
	struct stat	 a, b;
	time_t		 now = time(NULL);

	if (log->fd == -1 || (int64_t)now == log->checked)
		return;
	log->checked = (int64_t)now;
	if (fstat(log->fd, &a) == -1)
		return;
	if (stat(log->path, &b) == -1 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev)
		(void)billlog_reopen(log);
}

/*
 * Where the next line will be, at least (the file only grows), and
 * which file it is.
 */
int
billlog_end(struct billlog *log, int64_t *off, uint32_t *ino)
{
	struct stat	 st;

	if (fstat(log->fd, &st) == -1)
		return -1;
	*off = (int64_t)st.st_size;
	*ino = (uint32_t)st.st_ino;
	return 0;
}

static char *
put_field(char *o, const char *end, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	if (s == NULL || *s == '\0')
		s = "-";
	for (; *s != '\0' && o + 4 < end; s++) {
		c = (unsigned char)*s;
		if (c < 0x21 || c > 0x7e || c == '%') {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0x0f];
		} else
			*o++ = (char)c;
	}
	*o++ = ' ';
	return o;
}

/* One line with its newline; its length, or -1 when it does not fit. */
int
billlog_format(char *buf, size_t len, const struct billlog_line *l,
    int64_t amount, int64_t now_us)
{
	struct tm	 tm;
	time_t		 t = (time_t)(now_us / 1000000);
	char		 parts[16], money[32], *o, *end = buf + len;
	int		 n;

	if (gmtime_r(&t, &tm) == NULL || len < 160)
		return -1;
	n = (int)strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	o = buf + n;
	o += snprintf(o, (size_t)(end - o), ".%06dZ ",
	    (int)(now_us % 1000000));
	snprintf(parts, sizeof(parts), "%u", l->parts);
	money_format(money, sizeof(money), amount);
	o = put_field(o, end - 64, l->account);
	o = put_field(o, end - 64, l->msgid);
	o = put_field(o, end - 64, parts);
	o = put_field(o, end - 64, l->dest);
	o = put_field(o, end - 64, l->rule);
	n = snprintf(o, (size_t)(end - o), "%s %s\n", money, l->kind);
	if (n < 0 || n >= end - o)
		return -1;
	return (int)(o - buf) + n;
}

/* Append one line with one write(2). */
int
billlog_put(struct billlog *log, const struct billlog_line *l,
    int64_t amount)
{
	struct timeval	 tv;
	char		 buf[BILLLOG_LINE_MAX];
	ssize_t		 w;
	int		 n;

	gettimeofday(&tv, NULL);
	n = billlog_format(buf, sizeof(buf), l, amount,
	    (int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	while ((w = write(log->fd, buf, (size_t)n)) == -1 && errno == EINTR)
		;
	if (w != n) {
		if (w >= 0)
			errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* Whether a line of len octets is the account's. */
static int
line_of(const char *p, size_t len, const char *account, size_t alen)
{
	const char	*sp, *q;

	if ((sp = memchr(p, ' ', len)) == NULL)
		return 0;
	sp++;
	q = memchr(sp, ' ', len - (size_t)(sp - p));
	return q != NULL && (size_t)(q - sp) == alen &&
	    memcmp(sp, account, alen) == 0;
}

/*
 * Whether file ino has a line of the account from off on: 1 yes, 0 no.
 * Every line of an account is written under its ledger slot's lock, and
 * whoever takes the slot after a killed writer looks before it writes,
 * so a line of the account after off can only be the killed writer's.
 * When the file was rotated since, it cannot be read: 1, so that a
 * line is never written twice.
 */
int
billlog_has(struct billlog *log, int64_t off, uint32_t ino,
    const char *account)
{
	struct stat	 st;
	char		 buf[65536], *p, *nl;
	size_t		 have = 0, alen = strlen(account);
	ssize_t		 n;

	if (fstat(log->fd, &st) == -1 || (uint32_t)st.st_ino != ino)
		return 1;
	for (;;) {
		while ((n = pread(log->fd, buf + have, sizeof(buf) - have,
		    (off_t)off)) == -1 && errno == EINTR)
			;
		if (n <= 0)
			return 0;
		off += n;
		have += (size_t)n;
		for (p = buf; (nl = memchr(p, '\n', have - (size_t)(p -
		    buf))) != NULL; p = nl + 1)
			if (line_of(p, (size_t)(nl - p), account, alen))
				return 1;
		have -= (size_t)(p - buf);
		if (have >= BILLLOG_LINE_MAX)
			have = 0;	/* not a line of ours: skip it */
		memmove(buf, p, have);
	}
}

int
billlog_sync(struct billlog *log)
{
	if (log->fd == -1)
		return 0;
#ifdef HAVE_FDATASYNC
	return fdatasync(log->fd);
#else
	return fsync(log->fd);
#endif
}
