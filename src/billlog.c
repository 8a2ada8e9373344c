/*
 * billlog.c - the billing log: appending lines under a lock, finding
 * whether a line was written, rotation
 *
 * SYNOPSIS
 *	billlog_open(log, path)	billlog_close(log)	billlog_reopen(log)
 *	billlog_check_rotated(log)
 *	billlog_end(log, &off, &ino)	billlog_fid(fd)
 *	billlog_put(log, line, amount, &end)
 *	billlog_find(log, off, ino, account, &entry)	billlog_sync(log)
 *	billlog_format(buf, len, line, amount, now_us)
 *	billlog_time(buf, len, now_us)
 *	billlog_parse(text, len, &entry)
 *	billlog_scan(fd, off, fn, damage, arg, &end)
 *	billlog_blank(log, off, end)
 *
 * DESCRIPTION
 *	The file is opened O_APPEND and every line is one write(2), never
 *	torn by a kill: a line is whole or absent.  Before a line, the
 *	ledger records in the account's slot the size of the file, where
 *	the line will be or after, and clears it after the line; whoever
 *	next updates the slot can tell by billlog_find() whether a process
 *	killed in between wrote its line (ledger.c).  No lock of the file
 *	is needed: lines of one account are written under its slot's
 *	lock.
 *
 *	Reading back: billlog_parse() takes a line apart and checks every
 *	field; billlog_scan() reads a file from an offset in blocks and
 *	hands on each well-formed line, and each stretch that is not one
 *	(a power cut can leave NUL octets where a page was not written,
 *	and a torn last line); billlog_blank() turns such a stretch into
 *	blanks ending in a newline, the same length, so that the file
 *	stays a list of lines and no offset moves.
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
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "billlog.h"
#include "buf.h"
#include "compat.h"
#include "ledger.h"
#include "spool.h"

/*
 * An empty file may be new: its name must be on disk before any line
 * synced in it counts on it (a power cut would take the file along).
 */
static int
made_durable(int fd, const char *path)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return -1;
	return st.st_size == 0 ? spool_durable_parent(path) : 0;
}

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
	return log->fd == -1 ? -1 : made_durable(log->fd, path);
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
	if (made_durable(fd, log->path) == -1) {
		close(fd);
		return -1;
	}
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

/*
 * What tells a log file from another, whatever its inode (a copy keeps
 * it, a rotation does not): a hash of its first line, which never
 * changes; 0 while it has none.
 */
uint64_t
billlog_fid(int fd)
{
	char		 buf[BILLLOG_LINE_MAX], *nl;
	uint64_t	 h = 14695981039346656037ULL;
	ssize_t		 n, i;

	while ((n = pread(fd, buf, sizeof(buf), 0)) == -1 && errno == EINTR)
		;
	if (n <= 0 || (nl = memchr(buf, '\n', (size_t)n)) == NULL)
		return 0;
	for (i = 0; i < nl - buf; i++)
		h = (h ^ (uint8_t)buf[i]) * 1099511628211ULL;
	return h != 0 ? h : 1;
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

/* The TIME field: ISO 8601 in UTC with microseconds, 27 characters. */
void
billlog_time(char *buf, size_t len, int64_t now_us)
{
	struct tm	 tm;
	time_t		 t = (time_t)(now_us / 1000000);
	size_t		 n;

	memset(&tm, 0, sizeof(tm));
	(void)gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06dZ", (int)(now_us % 1000000));
}

/* One line with its newline; its length, or -1 when it does not fit. */
int
billlog_format(char *buf, size_t len, const struct billlog_line *l,
    int64_t amount, int64_t now_us)
{
	char		 parts[16], money[32], *o, *end = buf + len;
	int		 n;

	if (len < 160)
		return -1;
	billlog_time(buf, 32, now_us);
	o = buf + strlen(buf);
	*o++ = ' ';
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

/* Append one line with one write(2); *end: where it ends. */
int
billlog_put(struct billlog *log, const struct billlog_line *l,
    int64_t amount, int64_t *end)
{
	off_t		 at;
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
	/* O_APPEND leaves the offset at the end of this write. */
	if (end != NULL) {
		if ((at = lseek(log->fd, 0, SEEK_CUR)) == -1)
			return -1;
		*end = (int64_t)at;
	}
	return 0;
}

/* Whether [p, nl) is only blanks: a torn line made harmless. */
static int
blank(const char *p, const char *nl)
{
	for (; p < nl; p++)
		if (*p != ' ')
			return 0;
	return 1;
}

struct find {
	const char		*account;
	struct billlog_entry	*e;
	int			 found;
};

static int
find_one(const struct billlog_entry *e, int64_t off, void *arg)
{
	struct find	*f = arg;

	(void)off;
	if (strcmp(e->account, f->account) != 0)
		return 0;
	*f->e = *e;
	f->found = 1;
	return 1;
}

/*
 * The open file whose inode is ino: the log, else its first rotation
 * (logrotate's NAME.1); -1 when neither is.
 */
static int
file_of(struct billlog *log, uint32_t ino, int *opened)
{
	struct stat	 st;
	char		 path[sizeof(log->path) + 4];
	int		 fd;

	*opened = 0;
	if (fstat(log->fd, &st) == 0 && (uint32_t)st.st_ino == ino)
		return log->fd;
	snprintf(path, sizeof(path), "%s.1", log->path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || (uint32_t)st.st_ino != ino) {
		close(fd);
		return -1;
	}
	*opened = 1;
	return fd;
}

/*
 * The first line of the account in file ino from off on: 1 and e
 * filled, 0 when there is none, -1 when the file cannot be read (gone
 * with a rotation).  Every line of an account is written under its
 * ledger slot's lock, and whoever takes the slot after a killed
 * writer looks before it writes, so a line of the account after off
 * can only be the killed writer's.
 */
int
billlog_find(struct billlog *log, int64_t off, uint32_t ino,
    const char *account, struct billlog_entry *e)
{
	struct find	 f = { account, e, 0 };
	int64_t		 end;
	int		 fd, opened, r;

	if ((fd = file_of(log, ino, &opened)) == -1)
		return -1;
	r = billlog_scan(fd, off, find_one, NULL, &f, &end);
	if (opened)
		close(fd);
	return r == -1 ? -1 : f.found;
}

/* The next blank-separated field of [*p, end), %XX undone, into out. */
static int
field(const char **p, const char *end, char *out, size_t outlen)
{
	const char	*s = *p;
	size_t		 n = 0;
	int		 hi, lo;

	for (; s < end && *s != ' '; s++) {
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e ||
		    n + 1 >= outlen)
			return -1;
		if (*s == '%') {
			if (end - s < 3 || (hi = buf_hexval(s[1], BUF_HEX_UPPER)) < 0 ||
			    (lo = buf_hexval(s[2], BUF_HEX_UPPER)) < 0)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			s += 2;
		} else
			out[n++] = *s;
	}
	if (n == 0)
		return -1;
	out[n] = '\0';
	if (strcmp(out, "-") == 0)
		out[0] = '\0';
	*p = s < end ? s + 1 : s;
	return 0;
}

static int
kind_of(const char *s)
{
	static const char *const kinds[] = { "charge", "later", "refund",
		"recovered" };
	int	 i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, kinds[i]) == 0)
			return i;
	return -1;
}

/* A line without its newline: 0 and e filled when it is well-formed. */
int
billlog_parse(const char *text, size_t len, struct billlog_entry *e)
{
	const char	*p = text, *end = text + len;
	char		 parts[16], money[32], kind[16];
	const char	*errstr = NULL;

	memset(e, 0, sizeof(*e));
	if (field(&p, end, e->time, sizeof(e->time)) == -1 ||
	    strlen(e->time) != 27 || e->time[26] != 'Z' ||
	    field(&p, end, e->account, sizeof(e->account)) == -1 ||
	    e->account[0] == '\0' ||
	    field(&p, end, e->msgid, sizeof(e->msgid)) == -1 ||
	    field(&p, end, parts, sizeof(parts)) == -1 ||
	    field(&p, end, e->dest, sizeof(e->dest)) == -1 ||
	    field(&p, end, kind, sizeof(kind)) == -1 ||	/* the rule */
	    field(&p, end, money, sizeof(money)) == -1 ||
	    field(&p, end, kind, sizeof(kind)) == -1 || p != end)
		return -1;
	e->parts = (uint32_t)strtonum(parts, 0, UINT32_MAX, &errstr);
	if (errstr != NULL || money_parse(money, &e->amount) == -1 ||
	    (e->kind = kind_of(kind)) == -1)
		return -1;
	return 0;
}

/*
 * Every line from off to the end of the file: fn for each well-formed
 * one, damage for each stretch that is not; *end where the last whole
 * line ends.  0, or -1 with errno.
 */
int
billlog_scan(int fd, int64_t off, billlog_fn fn, billlog_damage_fn damage,
    void *arg, int64_t *end)
{
	struct billlog_entry	 e;
	char			 buf[65536], *p, *nl;
	size_t			 have = 0;
	int64_t			 at = off;	/* offset of buf[0] */
	ssize_t			 n;

	*end = off;
	for (;;) {
		while ((n = pread(fd, buf + have, sizeof(buf) - have,
		    (off_t)(at + (int64_t)have))) == -1 && errno == EINTR)
			;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
		for (p = buf; (nl = memchr(p, '\n', have - (size_t)(p -
		    buf))) != NULL; p = nl + 1) {
			if (billlog_parse(p, (size_t)(nl - p), &e) == 0) {
				e.end = at + (nl + 1 - buf);
				if (fn != NULL && fn(&e, at + (p - buf), arg))
					return 0;
			} else if (damage != NULL && !blank(p, nl))
				damage(at + (p - buf), at + (nl + 1 - buf),
				    arg);
			*end = at + (nl + 1 - buf);
		}
		if (p == buf && have == sizeof(buf)) {
			/* No newline in a whole block: damage. */
			if (damage != NULL)
				damage(at, at + (int64_t)have, arg);
			at += (int64_t)have;
			have = 0;
			continue;
		}
		have -= (size_t)(p - buf);
		at += p - buf;
		memmove(buf, p, have);
	}
	if (have > 0 && damage != NULL)		/* a torn last line */
		damage(at, at + (int64_t)have, arg);
	return 0;
}

/*
 * [off, end) of the log becomes blanks and a newline, through a
 * descriptor of its own: pwrite(2) on an O_APPEND one appends.
 */
int
billlog_blank(struct billlog *log, int64_t off, int64_t end)
{
	struct stat	 a, b;
	char		 buf[4096];
	int64_t		 n;
	ssize_t		 w;
	int		 fd, save;

	if ((fd = open(log->path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &a) == -1 || fstat(log->fd, &b) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	memset(buf, ' ', sizeof(buf));
	while (off < end) {
		n = end - off > (int64_t)sizeof(buf) ? (int64_t)sizeof(buf) :
		    end - off;
		if (off + n == end)
			buf[n - 1] = '\n';
		if ((w = pwrite(fd, buf, (size_t)n, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			save = errno;
			close(fd);
			errno = save;
			return -1;
		}
		off += w;
	}
	return close(fd);
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
