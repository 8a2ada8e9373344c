/*
 * smppq_check.c - smppq check: a monitoring plugin (Nagios, Icinga,
 * Naemon, Sensu) for the queue, the spool and the daemons
 *
 * SYNOPSIS
 *	smppq_check(config, argc, argv)
 *
 * DESCRIPTION
 *	One line, "SMPPD STATUS - summary | perfdata", and the exit status
 *	of the monitoring-plugins guidelines: 0 OK, 1 WARNING, 2 CRITICAL,
 *	3 UNKNOWN (bad usage, a configuration that does not load, a spool
 *	that cannot be read).  -w and -c take comma-separated limits:
 *	age=SECONDS (oldest waiting message), depth=N (waiting messages),
 *	free=N% (spool filesystem free below), down=N (connectors down).
 *	Waiting means the states
 *	incoming, new, active, deferred and out: failed and corrupt
 *	messages wait for nobody.  A limit not given is not checked, but
 *	its value is still in the perfdata.  -p names the daemons that
 *	must run (default "smppd,smppconn"; "" for none): one that does
 *	not hold its pid file locked is CRITICAL.
 *
 *	Connectors down are counted from smppconn's state file as
 *	smppq_census() judges it: all are down when smppconn does not run
 *	or its state is stale.  A stale state while smppconn runs (it has
 *	not rewritten the file for CONNSTATE_STALE seconds: wedged) is
 *	CRITICAL when smppconn must run; no state file while smppconn
 *	runs (it has only just started) is UNKNOWN when a down limit is
 *	given.  As in the monitoring-plugins' max_state_alt(), CRITICAL
 *	and WARNING outweigh UNKNOWN.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "smppq.h"

enum { CK_OK, CK_WARNING, CK_CRITICAL, CK_UNKNOWN };

static const char *const status_names[] = {
	"OK", "WARNING", "CRITICAL", "UNKNOWN"
};

/* How bad a status is: UNKNOWN is worse than OK only. */
static const int rank[] = { 0, 2, 3, 1 };

/* Limits; -1 when not given. */
struct limits {
	long long	 age;
	long long	 depth;
	long long	 free_pct;
	long long	 down;
};

/* The worst status, and the problems of each status. */
struct verdict {
	int		 status;
	char		 why[CK_UNKNOWN + 1][256];
};

static int
unknown(const char *fmt, const char *arg)
{
	printf("SMPPD UNKNOWN - ");
	printf(fmt, arg);
	printf("\n");
	return CK_UNKNOWN;
}

static int
number(const char *s, long long *v, int percent)
{
	char	*end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *v < 0 ||
	    (percent ? strcmp(end, "%") != 0 || *v > 100 : *end != '\0'))
		return -1;
	return 0;
}

/* "age=600,depth=1000,free=10%" into l; -1 on a bad item. */
static int
parse_limits(const char *arg, struct limits *l)
{
	char		 buf[256], *item, *next, *eq;
	int		 rc = 0;

	if (strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (item = buf; item != NULL && rc == 0; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(item, '=')) == NULL)
			return -1;
		*eq++ = '\0';
		if (strcmp(item, "age") == 0)
			rc = number(eq, &l->age, 0);
		else if (strcmp(item, "depth") == 0)
			rc = number(eq, &l->depth, 0);
		else if (strcmp(item, "free") == 0)
			rc = number(eq, &l->free_pct, 1);
		else if (strcmp(item, "down") == 0)
			rc = number(eq, &l->down, 0);
		else
			rc = -1;
	}
	return rc;
}

static void
problem(struct verdict *v, int status, const char *fmt, long long a,
    long long b)
{
	char	*t = v->why[status];
	size_t	 n = strlen(t);

	if (n > 0)
		snprintf(t + n, sizeof(v->why[0]) - n, ", ");
	n = strlen(t);
	snprintf(t + n, sizeof(v->why[0]) - n, fmt, a, b);
	if (rank[status] > rank[v->status])
		v->status = status;
}

/* A value above a limit (or, for free space, below) is a problem. */
static void
judge(struct verdict *v, long long value, long long warn, long long crit,
    int below, const char *fmt)
{
	int	 status = CK_OK;
	long long limit = 0;

	if (crit >= 0 && (below ? value < crit : value > crit)) {
		status = CK_CRITICAL;
		limit = crit;
	} else if (warn >= 0 && (below ? value < warn : value > warn)) {
		status = CK_WARNING;
		limit = warn;
	}
	if (status != CK_OK)
		problem(v, status, fmt, value, limit);
}

/* "N;W;C;0" with empty fields for limits not given. */
static void
perf(const char *label, long long value, const char *uom, long long warn,
    long long crit, const char *max)
{
	printf(" %s=%lld%s;", label, value, uom);
	if (warn >= 0)
		printf("%lld", warn);
	printf(";");
	if (crit >= 0)
		printf("%lld", crit);
	printf(";0;%s", max);
}

static int
wanted(const char *list, const char *name)
{
	size_t	 n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' ||
		    p[n] == ','))
			return 1;
	return 0;
}

static void
daemons(struct verdict *v, const struct smppq_census *c, const char *list)
{
	if (wanted(list, "smppd") && c->smppd == 0)
		problem(v, CK_CRITICAL, "smppd not running", 0, 0);
	if (wanted(list, "smppconn") && c->smppconn == 0)
		problem(v, CK_CRITICAL, "smppconn not running", 0, 0);
}

/* Connectors down; a state that cannot be believed is a problem. */
static long long
connectors(struct verdict *v, const struct smppq_census *c,
    const struct limits *w, const struct limits *cr, const char *procs)
{
	long long	 down = 0;
	int		 i;

	for (i = 0; i < c->cs.f.n; i++)
		down += !c->cs.f.conn[i].up;
	if (c->cs.status == SMPPQ_CS_STALE && wanted(procs, "smppconn"))
		problem(v, CK_CRITICAL, "smppconn state %llds old", c->cs.age,
		    0);
	if (c->cs.status == SMPPQ_CS_MISSING && c->cs.running &&
	    (w->down >= 0 || cr->down >= 0))
		problem(v, CK_UNKNOWN, "no connector state yet", 0, 0);
	judge(v, down, w->down, cr->down, 0, "%lld connectors down > %lld");
	return down;
}

static void
print_why(const struct verdict *v)
{
	static const int	 order[] = { CK_CRITICAL, CK_WARNING,
	    CK_UNKNOWN };
	size_t			 i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (v->why[order[i]][0] != '\0')
			printf("%s; ", v->why[order[i]]);
}

static int
report(const struct smppq_census *c, const struct limits *w,
    const struct limits *cr, const char *procs)
{
	static const int	 waiting[] = { 0, 1, 2, 3, 5 };
	struct verdict		 v;
	long long		 depth = 0, oldest = 0, age, free_pct = -1;
	long long		 down;
	time_t			 now = time(NULL);
	char			 total[16];
	size_t			 i;

	memset(&v, 0, sizeof(v));
	for (i = 0; i < sizeof(waiting) / sizeof(waiting[0]); i++) {
		const struct smppq_qstat *q = &c->state[waiting[i]];

		depth += q->n;
		age = q->n && q->oldest_us ? (long long)now -
		    q->oldest_us / 1000000 : 0;
		if (age > oldest)
			oldest = age;
	}
	if (c->have_fs)
		free_pct = (long long)(c->fs_free * 100 / c->fs_size);
	daemons(&v, c, procs);
	judge(&v, oldest, w->age, cr->age, 0, "oldest %llds > %llds");
	judge(&v, depth, w->depth, cr->depth, 0, "%lld waiting > %lld");
	if (free_pct >= 0)
		judge(&v, free_pct, w->free_pct, cr->free_pct, 1,
		    "spool %lld%% free < %lld%%");
	down = connectors(&v, c, w, cr, procs);
	printf("SMPPD %s - ", status_names[v.status]);
	print_why(&v);
	printf("%lld waiting, oldest %llds", depth, oldest);
	if (free_pct >= 0)
		printf(", spool %lld%% free", free_pct);
	if (c->cs.f.n > 0)
		printf(", %lld of %d connectors down", down, c->cs.f.n);
	printf(" |");
	perf("waiting", depth, "", w->depth, cr->depth, "");
	perf("oldest", oldest, "s", w->age, cr->age, "");
	if (free_pct >= 0)
		perf("spool_free", free_pct, "%", w->free_pct, cr->free_pct,
		    "100");
	snprintf(total, sizeof(total), "%d", c->cs.f.n);
	perf("connectors_down", down, "", w->down, cr->down, total);
	printf(" spool_bytes=%lluB;;;0;", (unsigned long long)c->spool_bytes);
	if (c->smppd >= 0)
		printf(" smppd=%d;;;0;1", c->smppd > 0);
	if (c->smppconn >= 0)
		printf(" smppconn=%d;;;0;1", c->smppconn > 0);
	printf("\n");
	return v.status;
}

static void
report_conf(const char *msg)
{
	fprintf(stderr, "smppq: %s\n", msg);
}

int
smppq_check(const char *config, int argc, char **argv)
{
	static struct conf	 conf;
	struct smppq_census	 c;
	struct limits		 w = { -1, -1, -1, -1 }, cr = { -1, -1, -1, -1 };
	const char		*procs = "smppd,smppconn";
	int			 ch, rc;

	while ((ch = getopt(argc, argv, "c:p:w:")) != -1) {
		switch (ch) {
		case 'c':
		case 'w':
			if (parse_limits(optarg, ch == 'c' ? &cr : &w) == -1)
				return unknown("bad limits: %s", optarg);
			break;
		case 'p':
			procs = optarg;
			break;
		default:
			return unknown("usage: smppq [-c config] check "
			    "[-w limits] [-c limits] [-p daemons]%s", "");
		}
	}
	if (optind != argc)
		return unknown("unexpected argument %s", argv[optind]);
	if (conf_load(&conf, config, report_conf) != 0)
		return unknown("configuration %s does not load", config);
	smppq_conf = &conf;
	if (access(conf.spool.dir, R_OK | X_OK) == -1)
		return unknown("spool %s cannot be read", conf.spool.dir);
	smppq_census(&c);
	rc = report(&c, &w, &cr, procs);
	smppq_census_free(&c);
	return rc;
}
