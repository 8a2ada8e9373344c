/*
 * ini.c - a line-oriented INI reader that reports file:line
 *
 * SYNOPSIS
 *	ini_parse(buf, len, name, fn, efn, arg)
 *	ini_parse_fd(fd, name, fn, efn, arg)
 *	ini_parse_buf(buf, len, name, fn, arg, err, errlen)
 *	ini_parse_file(path, fn, arg, err, errlen)
 *
 * DESCRIPTION
 *	The syntax is the part of Python's configparser that jasmin.cfg
 *	uses, so that Jasmin's [smpp-server] section reads verbatim:
 *
 *	- "[name]" starts a section; the name is what lies between the
 *	  brackets, as written ("connector up" keeps its blank).
 *	- "key = value" or "key: value".  A line holding '=' is split at
 *	  its first '='; only a line without '=' is split at its first
 *	  ':'.  That keeps "src:44 = acme" a key "src:44", at the price of
 *	  configparser's reading of "key: a=b".
 *	- Blanks around keys and values are dropped, then one pair of
 *	  matching double or single quotes around the whole value.
 *	- Lines whose first non-blank is '#' or ';' are comments.  There
 *	  are no inline comments: a password may hold '#'.  An indented
 *	  line is an ordinary line, not a continuation.
 *	- CRLF line ends and a UTF-8 byte order mark are tolerated.
 *
 *	fn is called for each header with key and value NULL, and for each
 *	key with its section.  Keys after a malformed header are skipped,
 *	so that one typo gives one error.
 *
 * DIAGNOSTICS
 *	Line too long (more than INI_LINE_MAX octets), NUL octet, header
 *	without ']', text after ']', empty section name, missing '=',
 *	empty key, key before any section, file too large or unreadable.
 *	The reader goes on after each to find more.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "ini.h"

enum ini_sect { SECT_NONE, SECT_OK, SECT_BAD };

struct ini_run {
	const char	*name;
	ini_fn		 fn;
	void		*arg;
	ini_err_fn	 efn;
	void		*earg;
	int		 nerr;
	enum ini_sect	 state;
	char		 section[INI_LINE_MAX + 1];
};

/* Where ini_parse_buf and ini_parse_file keep the first error. */
struct ini_first {
	char		*err;
	size_t		 errlen;
	int		 set;
};

static void ini_error(struct ini_run *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

static void
ini_error(struct ini_run *r, int line, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->nerr++;
	if (r->efn != NULL)
		r->efn(r->earg, r->name, line, msg);
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Drop blanks at both ends, in place. */
static char *
trim(char *s)
{
	char	*e;

	while (is_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_blank(e[-1]))
		*--e = '\0';
	return s;
}

static char *
unquote(char *v)
{
	size_t	 n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		v++;
	}
	return v;
}

static void
ini_header(struct ini_run *r, char *s, int line)
{
	char	*end;

	r->state = SECT_BAD;
	if ((end = strrchr(s, ']')) == NULL) {
		ini_error(r, line, "section header without ']': '%.64s'", s);
		return;
	}
	if (end[1] != '\0') {
		ini_error(r, line, "text after ']' in section header: '%.64s'",
		    end + 1);
		return;
	}
	*end = '\0';
	if (s[1] == '\0') {
		ini_error(r, line, "empty section name '[]'");
		return;
	}
	strlcpy(r->section, s + 1, sizeof(r->section));
	r->state = SECT_OK;
	if (r->fn(r->arg, r->section, NULL, NULL, line) == -1)
		r->nerr++;
}

static void
ini_keyline(struct ini_run *r, char *s, int line)
{
	char	*d, *key, *value;
	int	 delim;

	if ((d = strchr(s, '=')) == NULL && (d = strchr(s, ':')) == NULL) {
		ini_error(r, line, "missing '=' after '%.64s'", s);
		return;
	}
	delim = *d;
	*d = '\0';
	key = trim(s);
	value = unquote(trim(d + 1));
	if (*key == '\0') {
		ini_error(r, line, "missing key before '%c'", delim);
		return;
	}
	if (r->state == SECT_NONE) {
		ini_error(r, line, "key '%.64s' before any [section]", key);
		return;
	}
	if (r->state == SECT_BAD)
		return;
	if (r->fn(r->arg, r->section, key, value, line) == -1)
		r->nerr++;
}

static void
ini_line(struct ini_run *r, char *line, int lineno)
{
	char	*s = trim(line);

	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[')
		ini_header(r, s, lineno);
	else
		ini_keyline(r, s, lineno);
}

static int
ini_run(struct ini_run *r, const char *buf, size_t len)
{
	char		 line[INI_LINE_MAX + 1];
	const char	*p = buf, *end = buf + len, *nl;
	size_t		 n;
	int		 lineno = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', end - p);
		n = (nl != NULL ? nl : end) - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > INI_LINE_MAX)
			ini_error(r, lineno, "line too long (more than %d "
			    "octets)", INI_LINE_MAX);
		else if (memchr(p, '\0', n) != NULL)
			ini_error(r, lineno, "NUL octet in line");
		else {
			memcpy(line, p, n);
			line[n] = '\0';
			ini_line(r, line, lineno);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return r->nerr;
}

static void
ini_start(struct ini_run *r, const char *name, ini_fn fn, void *arg,
    ini_err_fn efn, void *earg)
{
	r->name = name;
	r->fn = fn;
	r->arg = arg;
	r->efn = efn;
	r->earg = earg;
	r->nerr = 0;
	r->state = SECT_NONE;
	r->section[0] = '\0';
}

int
ini_parse(const char *buf, size_t len, const char *name, ini_fn fn,
    ini_err_fn efn, void *arg)
{
	struct ini_run	*r;
	int		 n;

	/* The state holds two lines' worth: keep it off the stack. */
	if ((r = malloc(sizeof(*r))) == NULL) {
		if (efn != NULL)
			efn(arg, name, 0, "out of memory");
		return 1;
	}
	ini_start(r, name, fn, arg, efn, arg);
	n = ini_run(r, buf, len);
	free(r);
	return n;
}

static char *
ini_read(int fd, size_t *lenp)
{
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	for (;;) {
		if (len == cap) {
			if (cap > INI_FILE_MAX) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap = cap == 0 ? 16384 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (len > INI_FILE_MAX) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* All of fd in a new buffer, or NULL after reporting why. */
static char *
ini_slurp(int fd, const char *name, ini_err_fn efn, void *earg,
    size_t *lenp)
{
	char	 msg[256];
	char	*buf;

	if ((buf = ini_read(fd, lenp)) != NULL)
		return buf;
	if (errno == EFBIG)
		snprintf(msg, sizeof(msg), "file larger than %d octets",
		    INI_FILE_MAX);
	else
		snprintf(msg, sizeof(msg), "%s", strerror(errno));
	if (efn != NULL)
		efn(earg, name, 0, msg);
	return NULL;
}

int
ini_parse_fd(int fd, const char *name, ini_fn fn, ini_err_fn efn,
    void *arg)
{
	char	*buf;
	size_t	 len;
	int	 n;

	if ((buf = ini_slurp(fd, name, efn, arg, &len)) == NULL)
		return 1;
	n = ini_parse(buf, len, name, fn, efn, arg);
	free(buf);
	return n;
}

static void
ini_keep_first(void *arg, const char *name, int line, const char *msg)
{
	struct ini_first	*f = arg;

	if (f->set || f->err == NULL || f->errlen == 0)
		return;
	f->set = 1;
	if (line > 0)
		snprintf(f->err, f->errlen, "%s:%d: %s", name, line, msg);
	else
		snprintf(f->err, f->errlen, "%s: %s", name, msg);
}

int
ini_parse_buf(const char *buf, size_t len, const char *name, ini_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct ini_first	 f = { err, errlen, 0 };
	struct ini_run		*r;
	int			 n;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((r = malloc(sizeof(*r))) == NULL) {
		ini_keep_first(&f, name, 0, "out of memory");
		return 1;
	}
	ini_start(r, name, fn, arg, ini_keep_first, &f);
	n = ini_run(r, buf, len);
	free(r);
	return n;
}

int
ini_parse_file(const char *path, ini_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct ini_first	 f = { err, errlen, 0 };
	char			*buf;
	size_t			 len;
	int			 fd, n;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		ini_keep_first(&f, path, 0, strerror(errno));
		return 1;
	}
	buf = ini_slurp(fd, path, ini_keep_first, &f, &len);
	close(fd);
	if (buf == NULL)
		return 1;
	n = ini_parse_buf(buf, len, path, fn, arg, err, errlen);
	free(buf);
	return n;
}
