/*
 * log.c - the one logging and fatal-error module of every smppd program
 *
 * SYNOPSIS
 *	log_init(progname)			stderr, INFO, until configured
 *	log_configure(conf, err, errlen)	file, syslog or stderr
 *	log_reopen()	log_give(uid, gid)	SIGHUP; the file to the daemon user
 *	log_debug() log_info() log_warn() log_warnx() log_error()
 *	log_errorx() log_crit() fatal() fatalx() panic()
 *
 * DESCRIPTION
 *	Lines go to a file (one write(2) per line, O_APPEND, so that the
 *	children of one server can share the file), to syslog (daemon
 *	facility) or to stderr.  Files and stderr get the Python-logging
 *	layout of jasmin.cfg's log_format: %(asctime)s %(levelname)-8s
 *	%(process)d %(message)s, also %(name)s, %(levelno)d, %(created)f
 *	and %(msecs)d, with flags, width and precision; log_date_format is
 *	a strftime(3) format.  Syslog gets the message alone, as it stamps
 *	lines itself.
 *
 *	The "warn" and "error" forms append strerror(errno); the "x" forms
 *	do not.  fatal() and fatalx() are for a bad environment or
 *	configuration and exit(1) after the cleanup hook; panic() is for a
 *	bug and aborts for a core dump.
 *
 *	log_prefix() sets a tag put before every message of the process,
 *	for example the peer address and system_id of a session.  Text
 *	from the network must go through log_sanitize() first.
 *
 *	log_privacy: a phone number goes through log_addr(), which keeps
 *	only its last 4 characters (the rest become '*', so that lines can
 *	still be matched); text that may hold numbers (a pipe program's
 *	error line) goes through log_free_text(), which does the same to
 *	every run of 6 or more digits.  Message text is never logged.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>

#include "compat.h"
#include "log.h"

#define LOG_LINE_MAX	4096
#define LOG_MSG_MAX	2048
#define LOG_ITEMS_MAX	32

enum log_field {
	F_LITERAL, F_ASCTIME, F_CREATED, F_LEVELNAME, F_LEVELNO, F_MESSAGE,
	F_MSECS, F_NAME, F_PROCESS
};

struct log_item {
	enum log_field	 field;
	char		 spec[16];	/* printf conversion, e.g. "%-8s" */
	const char	*lit;		/* F_LITERAL: text and length */
	size_t		 litlen;
};

enum log_target { T_STDERR, T_FILE, T_SYSLOG };

int log_level = LOGL_INFO;

static enum log_target	 target = T_STDERR;
static int		 logfd = -1;
static char		 logpath[1024];
static char		 progname[64] = "smppd";
static char		 name[64] = "smppd";
static char		 fmtbuf[512];
static char		 datefmt[128];
static struct log_item	 items[LOG_ITEMS_MAX];
static int		 nitems;
static char		 prefix[256];
static int		 privacy;
static void		(*cleanup)(void);

static const struct {
	const char	*name;
	int		 level;
	int		 prio;
} levels[] = {
	{ "DEBUG",	LOGL_DEBUG,	LOG_DEBUG },
	{ "INFO",	LOGL_INFO,	LOG_INFO },
	{ "WARNING",	LOGL_WARNING,	LOG_WARNING },
	{ "WARN",	LOGL_WARNING,	LOG_WARNING },
	{ "ERROR",	LOGL_ERROR,	LOG_ERR },
	{ "CRITICAL",	LOGL_CRITICAL,	LOG_CRIT },
	{ "FATAL",	LOGL_CRITICAL,	LOG_CRIT },
};

static const struct {
	const char	*name;
	enum log_field	 field;
	int		 numeric;
} fields[] = {
	{ "asctime",	F_ASCTIME,	0 },
	{ "created",	F_CREATED,	1 },
	{ "levelname",	F_LEVELNAME,	0 },
	{ "levelno",	F_LEVELNO,	1 },
	{ "message",	F_MESSAGE,	0 },
	{ "msecs",	F_MSECS,	1 },
	{ "name",	F_NAME,		0 },
	{ "process",	F_PROCESS,	1 },
};

static int	 compile(const char *, struct log_item *, int *, char *, size_t);

int
log_level_parse(const char *s)
{
	size_t	 i;
	char	*end;
	long	 n;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(s, levels[i].name) == 0)
			return levels[i].level;
	n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && n >= 0 && n <= 50)
		return (int)n;
	return -1;
}

const char *
log_level_name(int level)
{
	if (level >= LOGL_CRITICAL)
		return "CRITICAL";
	if (level >= LOGL_ERROR)
		return "ERROR";
	if (level >= LOGL_WARNING)
		return "WARNING";
	if (level >= LOGL_INFO)
		return "INFO";
	return "DEBUG";
}

static int
syslog_prio(int level)
{
	if (level >= LOGL_CRITICAL)
		return LOG_CRIT;
	if (level >= LOGL_ERROR)
		return LOG_ERR;
	if (level >= LOGL_WARNING)
		return LOG_WARNING;
	if (level >= LOGL_INFO)
		return LOG_INFO;
	return LOG_DEBUG;
}

/*
 * Parse one "%(field)spec" at s (just past "%(").  Fills the item and
 * returns the number of characters used, or -1.
 */
static int
compile_field(const char *s, struct log_item *it, char *err, size_t errlen)
{
	const char	*close, *p;
	size_t		 i, nlen, slen;
	int		 numeric = 0;

	if ((close = strchr(s, ')')) == NULL) {
		snprintf(err, errlen, "unterminated %%( in log format");
		return -1;
	}
	nlen = close - s;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strlen(fields[i].name) == nlen &&
		    strncmp(fields[i].name, s, nlen) == 0)
			break;
	if (i == sizeof(fields) / sizeof(fields[0])) {
		snprintf(err, errlen, "unknown log format field %%(%.*s)",
		    (int)nlen, s);
		return -1;
	}
	it->field = fields[i].field;
	numeric = fields[i].numeric;
	p = close + 1;
	p += strspn(p, "-0 +#");
	p += strspn(p, "0123456789");
	if (*p == '.') {
		p++;
		p += strspn(p, "0123456789");
	}
	if (*p != 's' && *p != 'd' && *p != 'i' && *p != 'f') {
		snprintf(err, errlen, "bad conversion after %%(%.*s) in log "
		    "format", (int)nlen, s);
		return -1;
	}
	if (!numeric && *p != 's') {
		snprintf(err, errlen, "%%(%.*s) needs the s conversion",
		    (int)nlen, s);
		return -1;
	}
	slen = p + 1 - (close + 1);
	if (slen + 3 > sizeof(it->spec)) {
		snprintf(err, errlen, "log format width too long");
		return -1;
	}
	it->spec[0] = '%';
	memcpy(it->spec + 1, close + 1, slen);
	it->spec[slen + 1] = '\0';
	/* Numbers are printed as long or double. */
	if (*p == 'd' || *p == 'i' || (*p == 'f' && it->field != F_CREATED)) {
		it->spec[slen] = 'l';
		it->spec[slen + 1] = 'd';
		it->spec[slen + 2] = '\0';
	} else if (*p == 's' && numeric) {
		it->spec[slen] = 'l';
		it->spec[slen + 1] = 'd';
		it->spec[slen + 2] = '\0';
	}
	return (int)(p + 1 - s);
}

static int
compile(const char *fmt, struct log_item *out, int *nout, char *err,
    size_t errlen)
{
	const char	*s = fmt, *lit = fmt;
	int		 n = 0, used;

	while (*s != '\0') {
		if (s[0] != '%') {
			s++;
			continue;
		}
		if (n + 2 > LOG_ITEMS_MAX) {
			snprintf(err, errlen, "log format too long");
			return -1;
		}
		if (s > lit) {
			out[n].field = F_LITERAL;
			out[n].lit = lit;
			out[n++].litlen = s - lit;
		}
		if (s[1] == '%') {
			out[n].field = F_LITERAL;
			out[n].lit = "%";
			out[n++].litlen = 1;
			s += 2;
		} else if (s[1] == '(') {
			if ((used = compile_field(s + 2, &out[n], err,
			    errlen)) == -1)
				return -1;
			n++;
			s += 2 + used;
		} else {
			snprintf(err, errlen, "log format: '%%' must start "
			    "%%(field)s or be doubled");
			return -1;
		}
		lit = s;
	}
	if (s > lit) {
		if (n + 1 > LOG_ITEMS_MAX) {
			snprintf(err, errlen, "log format too long");
			return -1;
		}
		out[n].field = F_LITERAL;
		out[n].lit = lit;
		out[n++].litlen = s - lit;
	}
	*nout = n;
	return 0;
}

int
log_format_check(const char *fmt, char *err, size_t errlen)
{
	struct log_item	 tmp[LOG_ITEMS_MAX];
	int		 n;

	if (strlen(fmt) >= sizeof(fmtbuf)) {
		snprintf(err, errlen, "log format too long");
		return -1;
	}
	return compile(fmt, tmp, &n, err, errlen);
}

static void
set_format(const char *fmt)
{
	char	 err[128];

	strlcpy(fmtbuf, fmt, sizeof(fmtbuf));
	if (compile(fmtbuf, items, &nitems, err, sizeof(err)) == -1) {
		strlcpy(fmtbuf, LOG_FORMAT_DEFAULT, sizeof(fmtbuf));
		(void)compile(fmtbuf, items, &nitems, err, sizeof(err));
	}
}

void
log_init(const char *prog)
{
	const char	*p;

	if ((p = strrchr(prog, '/')) != NULL)
		prog = p + 1;
	strlcpy(progname, prog, sizeof(progname));
	strlcpy(name, prog, sizeof(name));
	strlcpy(datefmt, LOG_DATEFMT_DEFAULT, sizeof(datefmt));
	set_format(LOG_FORMAT_DEFAULT);
	target = T_STDERR;
	tzset();
}

static int
open_file(const char *path)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return fd;
}

int
log_configure(const struct log_conf *c, char *err, size_t errlen)
{
	struct log_item	 tmp[LOG_ITEMS_MAX];
	const char	*fmt = c->format ? c->format : LOG_FORMAT_DEFAULT;
	int		 n, fd = -1;

	if (strlen(fmt) >= sizeof(fmtbuf)) {
		snprintf(err, errlen, "log_format too long");
		return -1;
	}
	if (compile(fmt, tmp, &n, err, errlen) == -1)
		return -1;
	if (c->file != NULL && c->file[0] != '\0' &&
	    strcmp(c->file, "syslog") != 0) {
		if (strlen(c->file) >= sizeof(logpath)) {
			snprintf(err, errlen, "log_file path too long");
			return -1;
		}
		if ((fd = open_file(c->file)) == -1) {
			snprintf(err, errlen, "cannot open log_file %s: %s",
			    c->file, strerror(errno));
			return -1;
		}
	}
	if (logfd != -1)
		close(logfd);
	logfd = fd;
	if (fd != -1) {
		target = T_FILE;
		strlcpy(logpath, c->file, sizeof(logpath));
	} else if (c->foreground) {
		target = T_STDERR;
	} else {
		target = T_SYSLOG;
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
	log_level = c->level;
	privacy = c->privacy;
	strlcpy(name, c->name ? c->name : progname, sizeof(name));
	strlcpy(datefmt, c->datefmt ? c->datefmt : LOG_DATEFMT_DEFAULT,
	    sizeof(datefmt));
	set_format(fmt);
	return 0;
}

/* Reopen the log file, after logrotate(8) moved it away (SIGHUP). */
/*
 * Give the log file, which root opened or created, to the user the
 * daemon runs as, so that it can reopen it on SIGHUP after dropping
 * root: on the descriptor, never by path, and only a regular file
 * with one link that root owns.
 */
int
log_give(uid_t uid, gid_t gid)
{
	struct stat	 st;

	if (target != T_FILE || logfd == -1)
		return 0;
	if (fstat(logfd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != 0)
		return 0;
	return fchown(logfd, uid, gid);
}

int
log_reopen(void)
{
	int	 fd;

	if (target != T_FILE)
		return 0;
	if ((fd = open_file(logpath)) == -1)
		return -1;
	if (dup2(fd, logfd) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void
log_prefix(const char *fmt, ...)
{
	va_list	 ap;

	if (fmt == NULL) {
		prefix[0] = '\0';
		return;
	}
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
}

void
log_cleanup_hook(void (*fn)(void))
{
	cleanup = fn;
}

/*
 * Make untrusted bytes printable: printable ASCII stays, everything else
 * becomes \xHH.  The result is always NUL-terminated.
 */
char *
log_sanitize(char *dst, size_t dstlen, const void *src, size_t srclen)
{
	const unsigned char	*s = src;
	size_t			 i, o = 0;

	if (dstlen == 0)
		return dst;
	for (i = 0; i < srclen && s[i] != '\0'; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = s[i];
		} else {
			if (o + 4 >= dstlen)
				break;
			snprintf(dst + o, 5, "\\x%02x", s[i]);
			o += 4;
		}
	}
	dst[o] = '\0';
	return dst;
}

static size_t
put(char *line, size_t off, const char *s, size_t n)
{
	if (off >= LOG_LINE_MAX - 1)
		return off;
	if (n > LOG_LINE_MAX - 1 - off)
		n = LOG_LINE_MAX - 1 - off;
	memcpy(line + off, s, n);
	return off + n;
}

static size_t
render_item(const struct log_item *it, char *line, size_t off, int level,
    const struct timeval *tv, const char *msg)
{
	char		 tmp[LOG_MSG_MAX + 64], ts[128];
	struct tm	 tm;
	const char	*sval = NULL;
	long		 lval = 0;
	int		 n;

	switch (it->field) {
	case F_LITERAL:
		return put(line, off, it->lit, it->litlen);
	case F_ASCTIME:
		localtime_r(&tv->tv_sec, &tm);
		if (strftime(ts, sizeof(ts), datefmt, &tm) == 0)
			ts[0] = '\0';
		sval = ts;
		break;
	case F_CREATED:
		snprintf(ts, sizeof(ts), "%lld.%06ld", (long long)tv->tv_sec,
		    (long)tv->tv_usec);
		sval = ts;
		break;
	case F_LEVELNAME:
		sval = log_level_name(level);
		break;
	case F_LEVELNO:
		lval = level;
		break;
	case F_MESSAGE:
		sval = msg;
		break;
	case F_MSECS:
		lval = tv->tv_usec / 1000;
		break;
	case F_NAME:
		sval = name;
		break;
	case F_PROCESS:
		lval = (long)getpid();
		break;
	}
	if (sval != NULL && it->spec[strlen(it->spec) - 1] == 's')
		n = snprintf(tmp, sizeof(tmp), it->spec, sval);
	else if (sval != NULL)
		n = snprintf(tmp, sizeof(tmp), "%s", sval);
	else
		n = snprintf(tmp, sizeof(tmp), it->spec, lval);
	if (n < 0)
		return off;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	return put(line, off, tmp, n);
}

static void
log_vlog(int level, int with_errno, const char *fmt, va_list ap)
{
	char		 msg[LOG_MSG_MAX], line[LOG_LINE_MAX];
	struct timeval	 tv;
	size_t		 off = 0, len;
	int		 saved = errno, i;
	char		*p;

	if (level < log_level)
		return;
	len = strlcpy(msg, prefix, sizeof(msg));
	if (len > 0 && len < sizeof(msg) - 1)
		msg[len++] = ' ';
	if (len < sizeof(msg))
		vsnprintf(msg + len, sizeof(msg) - len, fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(saved));
	}
	for (p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (target == T_SYSLOG) {
		syslog(syslog_prio(level), "%s", msg);
		errno = saved;
		return;
	}
	gettimeofday(&tv, NULL);
	for (i = 0; i < nitems; i++)
		off = render_item(&items[i], line, off, level, &tv, msg);
	line[off++] = '\n';
	/* A failed write has nowhere to be reported. */
	if (write(target == T_FILE ? logfd : STDERR_FILENO, line, off) == -1) {
	}
	errno = saved;
}

#define LOG_FN(fn, level, with_errno)				\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
								\
	va_start(ap, fmt);					\
	log_vlog(level, with_errno, fmt, ap);			\
	va_end(ap);						\
}

LOG_FN(log_debug, LOGL_DEBUG, 0)
LOG_FN(log_info, LOGL_INFO, 0)
LOG_FN(log_warn, LOGL_WARNING, 1)
LOG_FN(log_warnx, LOGL_WARNING, 0)
LOG_FN(log_error, LOGL_ERROR, 1)
LOG_FN(log_errorx, LOGL_ERROR, 0)
LOG_FN(log_crit, LOGL_CRITICAL, 0)

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOGL_CRITICAL, 1, fmt, ap);
	va_end(ap);
	if (cleanup != NULL)
		cleanup();
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOGL_CRITICAL, 0, fmt, ap);
	va_end(ap);
	if (cleanup != NULL)
		cleanup();
	exit(1);
}

void
panic(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOGL_CRITICAL, 0, fmt, ap);
	va_end(ap);
	abort();
}

/* With log_privacy, '*' for all but the last keep characters of s[0..n). */
static void
log_mask(char *s, size_t n, size_t keep)
{
	size_t	 i;

	for (i = 0; i + keep < n; i++)
		s[i] = '*';
}

/* A phone number (any address) for a log line. */
char *
log_addr(char *dst, size_t dstlen, const char *addr)
{
	log_sanitize(dst, dstlen, addr != NULL ? addr : "",
	    addr != NULL ? strlen(addr) : 0);
	if (privacy)
		log_mask(dst, strlen(dst), 4);
	return dst;
}

/* Free text that may hold numbers: with log_privacy, runs of digits. */
char *
log_free_text(char *dst, size_t dstlen, const char *text)
{
	size_t	 i, run;

	log_sanitize(dst, dstlen, text, strlen(text));
	if (!privacy)
		return dst;
	for (i = 0; dst[i] != '\0'; i += run) {
		run = strspn(dst + i, "0123456789");
		if (run >= 6)
			log_mask(dst + i, run, 4);
		else if (run == 0)
			run = 1;
	}
	return dst;
}
