/*
 * billlog.c - the billing log: appending lines under a lock, finding
 * whether a line was written, rotation
 *
 * SYNOPSIS
 *	billlog_open(log, path)	billlog_close(log)	billlog_reopen(log)
 *	billlog_check_rotated(log)
 *	billlog_lock(log, &off, &ino)	billlog_put(log, line, amount)
 *	billlog_unlock(log)
 *	billlog_has(log, off, ino, account)	billlog_sync(log)
 *	billlog_format(buf, len, line, amount, now_us)
 *
 * DESCRIPTION
 *	The file is opened O_APPEND.  A writer takes an fcntl(2) write
 *	lock of the whole file, learns the offset its line will have
 *	(the size of the file), writes the line with one write(2) and
 *	unlocks: the ledger records that offset in the account's slot
 *	before the line and clears it after, so that whoever next
 *	updates the slot can tell, by billlog_has(), whether a process
 *	killed in between wrote its line (ledger.c).  A write(2) is never
 *	torn by a kill, so a line is whole or absent.
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

static int
lock(struct billlog *log, short type)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	while (fcntl(log->fd, type == F_UNLCK ? F_SETLK : F_SETLKW, &fl) ==
	    -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Lock the file; where the next line goes, and which file it is. */
int
billlog_lock(struct billlog *log, int64_t *off, uint32_t *ino)
{
	struct stat	 st;

	if (lock(log, F_WRLCK) == -1)
		return -1;
	if (fstat(log->fd, &st) == -1) {
		(void)lock(log, F_UNLCK);
		return -1;
	}
	*off = (int64_t)st.st_size;
	*ino = (uint32_t)st.st_ino;
	return 0;
}

int
billlog_unlock(struct billlog *log)
{
	return lock(log, F_UNLCK);
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
	ledger_money_format(money, sizeof(money), amount);
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

/* Under billlog_lock(): append one line. */
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

/*
 * Whether the line at off of file ino is the account's: 1 yes, 0 no.
 * When the file was rotated since, it cannot be read: 1, so that a
 * line is never written twice.
 */
int
billlog_has(struct billlog *log, int64_t off, uint32_t ino,
    const char *account)
{
	struct stat	 st;
	char		 buf[BILLLOG_LINE_MAX], *p, *q;
	ssize_t		 n;
	size_t		 alen = strlen(account);

	if (fstat(log->fd, &st) == -1 || (uint32_t)st.st_ino != ino)
		return 1;
	while ((n = pread(log->fd, buf, sizeof(buf) - 1, (off_t)off)) == -1 &&
	    errno == EINTR)
		;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strchr(buf, ' ')) == NULL)
		return 0;
	p++;
	q = strchr(p, ' ');
	return q != NULL && (size_t)(q - p) == alen &&
	    memcmp(p, account, alen) == 0;
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
