/*
 * smppq_conn.c - smppq connectors: the state of smppconn's connectors
 *
 * SYNOPSIS
 *	smppq_connectors(json)		smppq_conns(conns, pidfile_pid)
 *
 * DESCRIPTION
 *	Reads SPOOL/smppconn.state (connstate.c), which smppconn(8)
 *	rewrites every second, and prints one line per connector: up or
 *	down, sessions (smpp: bound of binds; pipe: programs running of
 *	concurrency), window in use, queued in the connector, current
 *	and configured rate, sent, delivered or accepted, failed per
 *	class (throttled, transient, permanent, expired), and the last
 *	error with its time.  With -j, a JSON object with the file's
 *	time, smppconn's pid, whether that process still runs, and the
 *	connectors.  The state of a smppconn that no longer runs, or
 *	that runs but has not rewritten it for CONNSTATE_STALE seconds,
 *	is printed with a warning on standard error.
 *
 *	smppq_conns() reads the file for the others (stats -p, check)
 *	and says whether it is fresh: written by the smppconn that runs,
 *	recently; stale: smppconn runs but the file is old or another
 *	process's (a wedged or just restarted smppconn); dead: smppconn
 *	does not run; missing.
 *
 * DIAGNOSTICS
 *	EX_UNAVAILABLE when there is no state file (smppconn never ran
 *	with this spool); EX_DATAERR when it is not one.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "connstate.h"
#include "smppq.h"

static void
rate_text(char *buf, size_t len, double rate)
{
	if (rate <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f", rate);
}

static void
print_text(const struct connstate *s, int first)
{
	char	 now[16], cfg[16], when[32];
	struct tm tm;
	time_t	 t = (time_t)s->last_error_at;

	if (first)
		printf("%-16s %-4s %-4s %-7s %-6s %-6s %-11s %-8s %-8s "
		    "%-27s %s\n", "CONNECTOR", "TYPE", "UP", "SESS", "WINDOW",
		    "QUEUED", "RATE/CONF", "SENT", "OK",
		    "THROTTLED/TRANS/PERM/EXP", "LAST ERROR");
	rate_text(now, sizeof(now), s->rate);
	rate_text(cfg, sizeof(cfg), s->throughput);
	when[0] = '\0';
	if (t > 0 && localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S ", &tm);
	printf("%-16s %-4s %-4s %3d/%-3d %-6d %-6u %5s/%-5s %-8" PRIu64
	    " %-8" PRIu64 " %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
	    "%*s %s%s\n", s->name, s->type, s->up ? "up" : "down",
	    s->sessions, s->configured, s->inflight, connstate_waiting(s),
	    now, cfg, s->sent, s->ok, s->throttled, s->transient,
	    s->permanent, s->expired, 8, "", when, s->last_error);
}

static void
print_json(const struct connstate *s, int first)
{
	printf("%s\n  {\"name\": ", first ? "" : ",");
	smppq_json_str(stdout, s->name);
	printf(", \"type\": \"%s\", \"up\": %s, \"sessions\": %d, "
	    "\"configured\": %d, \"window_in_use\": %d, \"queued\": %d, "
	    "\"in_hand\": %u, \"rate\": %.1f, \"throughput\": %d, "
	    "\"sent\": %" PRIu64 ", \"ok\": %" PRIu64 ", \"failed\": "
	    "{\"throttling\": %" PRIu64 ", \"transient\": %" PRIu64
	    ", \"permanent\": %" PRIu64 ", \"expired\": %" PRIu64 "}, "
	    "\"last_error_time\": %lld, \"last_error\": ", s->type,
	    s->up ? "true" : "false", s->sessions, s->configured, s->inflight,
	    s->queued, s->inhand, s->rate, s->throughput, s->sent, s->ok,
	    s->throttled, s->transient, s->permanent, s->expired,
	    (long long)s->last_error_at);
	smppq_json_str(stdout, s->last_error);
	printf("}");
}

static int
running(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * Read the state file and judge it.  smppconn runs when it holds its
 * pid file locked (without a pid file: when the file's pid lives); its
 * state is fresh when that process wrote it less than CONNSTATE_STALE
 * seconds ago.  -1 (errno set) when there is no state file to read.
 */
int
smppq_conns(struct smppq_conns *cs, long pidfile)
{
	char	 path[SPOOL_PATH_MAX];
	int	 alive;

	memset(cs, 0, sizeof(*cs));
	cs->status = SMPPQ_CS_MISSING;
	cs->age = -1;
	cs->running = pidfile > 0;
	if (snprintf(path, sizeof(path), "%s/%s", smppq_conf->spool.dir,
	    CONNSTATE_FILE) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (connstate_load(path, &cs->f) == -1)
		return -1;
	cs->age = (int64_t)time(NULL) - cs->f.wall;
	if (cs->age < 0)
		cs->age = 0;
	alive = pidfile >= 0 ? pidfile > 0 : running(cs->f.pid);
	cs->running = alive;
	if (!alive)
		cs->status = SMPPQ_CS_DEAD;
	else if ((pidfile > 0 && pidfile != cs->f.pid) ||
	    cs->age > CONNSTATE_STALE)
		cs->status = SMPPQ_CS_STALE;
	else
		cs->status = SMPPQ_CS_FRESH;
	return 0;
}

static void
warn_state(const struct smppq_conns *cs)
{
	if (cs->status == SMPPQ_CS_DEAD)
		fprintf(stderr, "smppq: smppconn (pid %ld) does not run: "
		    "this is its state of %llds ago\n", cs->f.pid,
		    (long long)cs->age);
	else if (cs->status == SMPPQ_CS_STALE)
		fprintf(stderr, "smppq: smppconn runs but this state (pid "
		    "%ld) is %llds old\n", cs->f.pid, (long long)cs->age);
}

int
smppq_connectors(int json)
{
	struct smppq_conns	 cs;
	int			 i;

	if (smppq_conns(&cs, smppq_pidfile_pid(smppq_conf->conn.pid_file)) ==
	    -1) {
		fprintf(stderr, "smppq: %s/%s: %s\n", smppq_conf->spool.dir,
		    CONNSTATE_FILE, errno == EINVAL ? "not a state file" :
		    strerror(errno));
		return errno == EINVAL ? EX_DATAERR : EX_UNAVAILABLE;
	}
	warn_state(&cs);
	if (json)
		printf("{\"time\": %lld, \"pid\": %ld, \"running\": %s, "
		    "\"stale\": %s, \"connectors\": [", (long long)cs.f.wall,
		    cs.f.pid, cs.running ? "true" : "false",
		    cs.status == SMPPQ_CS_FRESH ? "false" : "true");
	for (i = 0; i < cs.f.n; i++) {
		if (json)
			print_json(&cs.f.conn[i], i == 0);
		else
			print_text(&cs.f.conn[i], i == 0);
	}
	if (json)
		printf("\n]}\n");
	connstate_free(&cs.f);
	return cs.f.bad > 0 ? EX_DATAERR : EX_OK;
}
