/*
 * connstate.c - one home for the format of the connectors' state file
 *
 * SYNOPSIS
 *	connstate_header(fp, wall, pid)	connstate_format(fp, state)
 *	connstate_parse_header(line, &wall, &pid)
 *	connstate_parse(line, state)
 *	connstate_load(path, file)	connstate_free(file)
 *	connstate_waiting(state)
 *
 * DESCRIPTION
 *	smppconn(8) rewrites SPOOL/smppconn.state every second (written
 *	to a .tmp file and renamed: readers never see it torn).  Its
 *	first line is "smppconn-state 1 WALL PID"; then one line per
 *	connector of tab-separated fields:
 *
 *	    name type up sessions configured inflight queued inhand
 *	    rate throughput sent ok throttled transient permanent
 *	    expired last_error_time last_error
 *
 *	connstate_format() replaces tabs and line ends of the last error
 *	by spaces.  connstate_parse() reads a line back: 0, or -1 when
 *	it is not one (fewer fields, a field out of range); the last
 *	error may be empty.  A reader must ignore fields after the
 *	last it knows, so that later versions can add some.
 *
 *	connstate_load() reads a whole file: 0; -1 with errno ENOENT and
 *	the like when it cannot be opened, EINVAL when its first line is
 *	not a header (lines that are not states are counted in bad and
 *	skipped).  connstate_waiting() is what waits in the connector and
 *	is not yet sent: its queue and the records smppconn holds for it,
 *	less its window in use.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "connstate.h"

#define NFIELDS	18

int
connstate_header(FILE *fp, int64_t wall, long pid)
{
	return fprintf(fp, "smppconn-state %d %lld %ld\n", CONNSTATE_VERSION,
	    (long long)wall, pid) < 0 ? -1 : 0;
}

int
connstate_format(FILE *fp, const struct connstate *s)
{
	char	 err[RECORD_ERROR_MAX];
	size_t	 i;

	strlcpy(err, s->last_error, sizeof(err));
	for (i = 0; err[i] != '\0'; i++)
		if (err[i] == '\t' || err[i] == '\n' || err[i] == '\r')
			err[i] = ' ';
	return fprintf(fp, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%u\t%.1f\t%d\t%" PRIu64
	    "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
	    "\t%lld\t%s\n", s->name, s->type, s->up, s->sessions,
	    s->configured, s->inflight, s->queued, s->inhand, s->rate,
	    s->throughput, s->sent, s->ok, s->throttled, s->transient,
	    s->permanent, s->expired, (long long)s->last_error_at, err) < 0 ?
	    -1 : 0;
}

int
connstate_parse_header(const char *line, int64_t *wall, long *pid)
{
	long long	 w;
	int		 v;

	if (sscanf(line, "smppconn-state %d %lld %ld", &v, &w, pid) != 3 ||
	    v != CONNSTATE_VERSION)
		return -1;
	*wall = w;
	return 0;
}

/* Split a line at tabs: the fields, at most max. */
static int
split(char *line, char **f, int max)
{
	int	 n = 0;
	char	*p = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static int
num(const char *s, long long min, long long max, long long *v)
{
	char	*end;

	*v = strtoll(s, &end, 10);
	return end != s && *end == '\0' && *v >= min && *v <= max ? 0 : -1;
}

int
connstate_parse(const char *text, struct connstate *s)
{
	char		 line[1024], *f[NFIELDS], *end;
	long long	 v[16];
	int		 i;

	memset(s, 0, sizeof(*s));
	if (strlcpy(line, text, sizeof(line)) >= sizeof(line) ||
	    split(line, f, NFIELDS) < NFIELDS)
		return -1;
	for (i = 2; i < NFIELDS - 1; i++)
		if (i != 8 && num(f[i], 0, INT64_MAX, &v[i - 2]) == -1)
			return -1;
	f[NFIELDS - 1][strcspn(f[NFIELDS - 1], "\t")] = '\0';
	s->rate = strtod(f[8], &end);
	if (end == f[8] || *end != '\0' ||
	    strlcpy(s->name, f[0], sizeof(s->name)) >= sizeof(s->name) ||
	    strlcpy(s->type, f[1], sizeof(s->type)) >= sizeof(s->type))
		return -1;
	s->up = v[0] != 0;
	s->sessions = (int)v[1];
	s->configured = (int)v[2];
	s->inflight = (int)v[3];
	s->queued = (int)v[4];
	s->inhand = (unsigned)v[5];
	s->throughput = (int)v[7];
	s->sent = (uint64_t)v[8];
	s->ok = (uint64_t)v[9];
	s->throttled = (uint64_t)v[10];
	s->transient = (uint64_t)v[11];
	s->permanent = (uint64_t)v[12];
	s->expired = (uint64_t)v[13];
	s->last_error_at = v[14];
	strlcpy(s->last_error, f[NFIELDS - 1], sizeof(s->last_error));
	return 0;
}

static int
load_lines(FILE *fp, struct connstate_file *f)
{
	struct connstate	*p;
	char			 line[1024];
	int			 cap = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		if (f->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = reallocarray(f->conn, (size_t)cap,
			    sizeof(*p))) == NULL)
				return -1;
			f->conn = p;
		}
		if (connstate_parse(line, &f->conn[f->n]) == 0)
			f->n++;
		else
			f->bad++;
	}
	return ferror(fp) ? -1 : 0;
}

int
connstate_load(const char *path, struct connstate_file *f)
{
	char	 line[128];
	FILE	*fp;
	int	 rc = 0, e;

	memset(f, 0, sizeof(*f));
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), fp) == NULL ||
	    connstate_parse_header(line, &f->wall, &f->pid) == -1) {
		errno = EINVAL;
		rc = -1;
	} else
		rc = load_lines(fp, f);
	e = errno;
	fclose(fp);
	if (rc == -1)
		connstate_free(f);
	errno = e;
	return rc;
}

void
connstate_free(struct connstate_file *f)
{
	free(f->conn);
	f->conn = NULL;
	f->n = 0;
}

unsigned
connstate_waiting(const struct connstate *s)
{
	long long	 w = (long long)s->queued + s->inhand - s->inflight;

	return w > 0 ? (unsigned)w : 0;
}
