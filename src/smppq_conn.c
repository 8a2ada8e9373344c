/*
 * smppq_conn.c - smppq connectors: the state of smppconn's connectors
 *
 * SYNOPSIS
 *	smppq_connectors(json)
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
 *	connectors.  The state of a smppconn that no longer runs is
 *	printed with a warning on standard error.
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
	printf("%-16s %-4s %-4s %3d/%-3d %-6d %-6d %5s/%-5s %-8" PRIu64
	    " %-8" PRIu64 " %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
	    "%*s %s%s\n", s->name, s->type, s->up ? "up" : "down",
	    s->sessions, s->configured, s->inflight, s->queued + (int)s->inhand
	    - s->inflight > 0 ? s->queued + (int)s->inhand - s->inflight : 0,
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

int
smppq_connectors(int json)
{
	char			 path[SPOOL_PATH_MAX], line[1024];
	struct connstate	 s;
	FILE			*fp;
	int64_t			 wall;
	long			 pid;
	int			 n = 0, rc = EX_OK;

	if (snprintf(path, sizeof(path), "%s/%s", smppq_conf->spool.dir,
	    CONNSTATE_FILE) >= (int)sizeof(path) ||
	    (fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "smppq: %s: %s\n", path, strerror(errno));
		return EX_UNAVAILABLE;
	}
	if (fgets(line, sizeof(line), fp) == NULL ||
	    connstate_parse_header(line, &wall, &pid) == -1) {
		fprintf(stderr, "smppq: %s: not a state file\n", path);
		fclose(fp);
		return EX_DATAERR;
	}
	if (!running(pid))
		fprintf(stderr, "smppq: smppconn (pid %ld) does not run: "
		    "this is its state of %llds ago\n", pid,
		    (long long)(time(NULL) - wall));
	if (json)
		printf("{\"time\": %lld, \"pid\": %ld, \"running\": %s, "
		    "\"connectors\": [", (long long)wall, pid,
		    running(pid) ? "true" : "false");
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (connstate_parse(line, &s) == -1) {
			rc = EX_DATAERR;
			continue;
		}
		if (json)
			print_json(&s, n == 0);
		else
			print_text(&s, n == 0);
		n++;
	}
	if (json)
		printf("\n]}\n");
	fclose(fp);
	return rc;
}
