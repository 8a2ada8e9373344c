/*
 * smppq_prom.c - smppq stats -p: the counters, the sessions and the
 * queues in Prometheus' text exposition format, version 0.0.4
 *
 * SYNOPSIS
 *	smppq_prom(fp)
 *
 * DESCRIPTION
 *	Every family has its # HELP and # TYPE lines.  Counters end in
 *	_total; what is current (sessions, queue depths, ages, octets) is
 *	a gauge; the group-commit latency is a histogram with cumulative
 *	le buckets.  Every sample carries the label server, the
 *	[smpp-server] id; per-account families (smppd_account_*) add
 *	account, per-connector ones connector, queues state.  The server
 *	and per-account counters are separate families, so that summing
 *	a family never counts a message twice.  Label values are escaped
 *	as the format says (backslash, double quote, newline); account
 *	names are otherwise printed as they are.
 *
 *	The scoreboard families are missing when smppd's scoreboard
 *	cannot be read; smppd_scoreboard_up says so.
 *
 *	The connectors' state (smppd_connector_up, sessions, window,
 *	rates, sent, ok and failures by class) comes from smppconn's
 *	state file as smppq_census() judges it: when smppconn does not
 *	run, or runs but has not rewritten the file for CONNSTATE_STALE
 *	seconds, every connector is down with no session, and the
 *	counters keep the values last written (a restarted smppconn
 *	counts from 0 again, which Prometheus takes for a reset);
 *	smppd_connector_state_age_seconds gives the file's age.
 *	Without a file, the configured connectors are down with zeros.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "sb.h"
#include "smppq.h"

/* What each scoreboard counter counts, for # HELP. */
static const char *const counter_help[SB_NCOUNTERS] = {
	[SB_CONNECT] = "Connections accepted (for an account: connections "
	    "whose first bind named it).",
	[SB_DISCONNECT] = "Connections closed.",
	[SB_REFUSED] = "Connections refused over max_connections.",
	[SB_BIND_TX] = "bind_transmitter requests.",
	[SB_BIND_RX] = "bind_receiver requests.",
	[SB_BIND_TRX] = "bind_transceiver requests.",
	[SB_BIND_FAIL] = "Binds refused, for any reason.",
	[SB_UNBIND] = "unbind requests from bound clients.",
	[SB_SUBMIT_REQ] = "submit_sm, data_sm and submit_multi requests.",
	[SB_SUBMIT_OK] = "Submits accepted and made durable.",
	[SB_THROTTLED] = "Submits refused over the account's throughput.",
	[SB_SUBMIT_ERR] = "Submits refused for any reason but throughput.",
	[SB_DATA_SM] = "data_sm requests.",
	[SB_DELIVER_SENT] = "deliver_sm sent (receipts and MO).",
	[SB_DELIVER_ACK] = "deliver_sm answered with status 0.",
	[SB_DELIVER_ERR] = "deliver_sm answered with an error or nack.",
	[SB_ELINK] = "enquire_link requests received.",
	[SB_ADDR_REFUSED] = "Connections refused by the per-address limits "
	    "(server only).",
	[SB_PASSWORD_HASH] = "Password hashes computed for binds (server "
	    "only).",
	[SB_BIND_FAIL_UNKNOWN] = "Binds refused: no such account "
	    "(server only).",
	[SB_BIND_FAIL_PASSWORD] = "Binds refused: wrong password.",
	[SB_BIND_FAIL_DISABLED] = "Binds refused: account disabled.",
	[SB_BIND_FAIL_NETWORK] = "Binds refused: client address not in the "
	    "account's networks.",
	[SB_BIND_FAIL_TYPE] = "Binds refused: bind type not allowed.",
	[SB_BIND_FAIL_MAX] = "Binds refused: max_bindings reached.",
	[SB_BIND_FAIL_OTHER] = "Binds refused: malformed request, user "
	    "database, ledger or registry trouble.",
	[SB_SUBMIT_ADDR] = "Submits refused: source or destination not "
	    "allowed, or no route.",
	[SB_SUBMIT_CREDIT] = "Submits refused: no credit or quota left "
	    "(or the ledger failed).",
	[SB_SUBMIT_SPOOL] = "Submits refused: the spool could not make them "
	    "durable.",
};

static const char *const time_help[SB_NTIMES] = {
	[SB_T_CREATED] = "When smppd's scoreboard was created (its start).",
	[SB_T_RX_PDU] = "When the last PDU was received.",
	[SB_T_TX_PDU] = "When the last PDU was sent.",
	[SB_T_ELINK] = "When the last enquire_link was received.",
};

static const char *const bind_types[3] = { "tx", "rx", "trx" };

/* Labels: name/value pairs, the server's first, ended by NULL. */
struct labels {
	const char	*kv[10];
};

static void
family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
escaped(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

/* name{labels} value; suffix goes between name and labels (_bucket). */
static void
sample(FILE *fp, const char *name, const char *suffix,
    const struct labels *l, const char *value)
{
	int	 i;

	fprintf(fp, "%s%s{", name, suffix);
	for (i = 0; l->kv[i] != NULL; i += 2) {
		fprintf(fp, "%s%s=\"", i ? "," : "", l->kv[i]);
		escaped(fp, l->kv[i + 1]);
		fputc('"', fp);
	}
	fprintf(fp, "} %s\n", value);
}

static void
sample_u(FILE *fp, const char *name, const struct labels *l, uint64_t v)
{
	char	 buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	sample(fp, name, "", l, buf);
}

static void
labels(struct labels *l, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	memset(l, 0, sizeof(*l));
	l->kv[0] = "server";
	l->kv[1] = smppq_conf->server.id;
	l->kv[2] = k1;
	l->kv[3] = k1 != NULL ? v1 : NULL;
	l->kv[4] = k1 != NULL ? k2 : NULL;
	l->kv[5] = k1 != NULL && k2 != NULL ? v2 : NULL;
}

/* "connect_count" -> prefix + "connect" + "_total" */
static void
counter_name(char *buf, size_t len, const char *prefix, enum sb_counter c)
{
	const char	*n = sb_counter_name(c);
	size_t		 k = strlen(n);

	if (k > 6 && strcmp(n + k - 6, "_count") == 0)
		k -= 6;
	snprintf(buf, len, "%s%.*s_total", prefix, (int)k, n);
}

static void
counters(FILE *fp, const struct sb_board *b)
{
	struct labels	 l;
	char		 name[96];
	int		 c, i;

	for (c = 0; c < SB_NCOUNTERS; c++) {
		counter_name(name, sizeof(name), "smppd_", c);
		family(fp, name, "counter", counter_help[c]);
		labels(&l, NULL, NULL, NULL, NULL);
		sample_u(fp, name, &l, b->counter[c]);
	}
	for (c = 0; c < SB_NCOUNTERS; c++) {
		counter_name(name, sizeof(name), "smppd_account_", c);
		family(fp, name, "counter", counter_help[c]);
		for (i = 0; i < SB_ACCOUNTS; i++) {
			if (b->account[i].used != 2)
				continue;
			labels(&l, "account", b->account[i].system_id, NULL,
			    NULL);
			sample_u(fp, name, &l, b->account[i].counter[c]);
		}
	}
}

static void
gauges_of(FILE *fp, const char *prefix, const char *account,
    const struct sb_gauges *g, int part)
{
	struct labels	 l;
	char		 name[64];
	int		 t;

	if (part == 0) {
		snprintf(name, sizeof(name), "%sconnected_sessions", prefix);
		labels(&l, account ? "account" : NULL, account, NULL, NULL);
		sample_u(fp, name, &l, g->connected);
		return;
	}
	snprintf(name, sizeof(name), "%sbound_sessions", prefix);
	for (t = 0; t < 3; t++) {
		if (account != NULL)
			labels(&l, "account", account, "type", bind_types[t]);
		else
			labels(&l, "type", bind_types[t], NULL, NULL);
		sample_u(fp, name, &l, g->bound[t]);
	}
}

static void
sessions(FILE *fp, const struct sb_board *b)
{
	static struct sb_gauges	 acct[SB_ACCOUNTS];
	struct sb_gauges	 g;
	int			 i, part;

	sb_gauges(b, &g, acct);
	for (part = 0; part < 2; part++) {
		family(fp, part ? "smppd_bound_sessions" :
		    "smppd_connected_sessions", "gauge", part ?
		    "Sessions bound now, by bind type." :
		    "Connections open now, bound or not.");
		gauges_of(fp, "smppd_", NULL, &g, part);
		family(fp, part ? "smppd_account_bound_sessions" :
		    "smppd_account_connected_sessions", "gauge", part ?
		    "Sessions of the account bound now, by bind type." :
		    "Connections of the account open now.");
		for (i = 0; i < SB_ACCOUNTS; i++)
			if (b->account[i].used == 2)
				gauges_of(fp, "smppd_account_",
				    b->account[i].system_id, &acct[i], part);
	}
}

static void
times(FILE *fp, const struct sb_board *b)
{
	struct labels	 l;
	char		 name[96];
	const char	*n;
	int		 t, i;

	labels(&l, NULL, NULL, NULL, NULL);
	for (t = 0; t < SB_NTIMES; t++) {
		n = sb_time_name(t);
		snprintf(name, sizeof(name), "smppd_%.*s_timestamp_seconds",
		    (int)(strlen(n) - 3), n);	/* less "_at" */
		family(fp, name, "gauge", time_help[t]);
		sample_u(fp, name, &l, (uint64_t)b->time[t]);
	}
	family(fp, "smppd_account_last_activity_timestamp_seconds", "gauge",
	    "When the account last sent a PDU.");
	for (i = 0; i < SB_ACCOUNTS; i++) {
		if (b->account[i].used != 2)
			continue;
		labels(&l, "account", b->account[i].system_id, NULL, NULL);
		sample_u(fp, "smppd_account_last_activity_timestamp_seconds",
		    &l, (uint64_t)b->account[i].last_activity);
	}
}

/* The group-commit histogram: cumulative buckets, seconds. */
static void
commits(FILE *fp, const struct sb_board *b)
{
	static const char	 name[] = "smppd_commit_latency_seconds";
	struct labels		 l;
	uint64_t		 n = 0;
	char			 le[32], v[32];
	int			 i;

	family(fp, name, "histogram", "Group commits of submitted messages "
	    "(write and fdatasync), by latency.");
	for (i = 0; i < SB_COMMIT_BUCKETS; i++) {
		n += b->commit_bucket[i];
		if (i < SB_COMMIT_BUCKETS - 1)
			snprintf(le, sizeof(le), "%g",
			    (double)sb_commit_bound_us[i] / 1e6);
		else
			strlcpy(le, "+Inf", sizeof(le));
		labels(&l, "le", le, NULL, NULL);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)n);
		sample(fp, name, "_bucket", &l, v);
	}
	labels(&l, NULL, NULL, NULL, NULL);
	snprintf(v, sizeof(v), "%.6f", (double)b->commit_sum_us / 1e6);
	sample(fp, name, "_sum", &l, v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)n);
	sample(fp, name, "_count", &l, v);
}

static uint64_t
age_s(const struct smppq_qstat *q, time_t now)
{
	int64_t	 a = (int64_t)now - q->oldest_us / 1000000;

	return q->n == 0 || q->oldest_us == 0 || a < 0 ? 0 : (uint64_t)a;
}

static void
queues(FILE *fp, const struct smppq_census *c)
{
	struct labels	 l;
	time_t		 now = time(NULL);
	int		 k, age;

	for (age = 0; age < 2; age++) {
		family(fp, age ? "smppd_queue_oldest_age_seconds" :
		    "smppd_queue_messages", "gauge", age ?
		    "Age of the oldest unsettled message, by spool state "
		    "(0: none)." : "Unsettled messages, by spool state.");
		for (k = 0; k < SMPPQ_NSTATES - 1; k++) {
			labels(&l, "state", smppq_states[k], NULL, NULL);
			sample_u(fp, age ? "smppd_queue_oldest_age_seconds" :
			    "smppd_queue_messages", &l, age ?
			    age_s(&c->state[k], now) : c->state[k].n);
		}
	}
}

/* MT states only: incoming, new, active, deferred, failed. */
#define MT_STATES	5

static void
connector_queues(FILE *fp, const struct smppq_census *c)
{
	const struct smppq_qstat	*q;
	struct labels			 l;
	time_t				 now = time(NULL);
	const char			*name;
	int				 i, k, age;

	for (age = 0; age < 2; age++) {
		name = age ? "smppd_connector_queue_oldest_age_seconds" :
		    "smppd_connector_queue_messages";
		family(fp, name, "gauge", age ? "Age of the oldest MT message "
		    "routed to the connector, by spool state (0: none)." :
		    "MT messages routed to the connector, by spool state.");
		for (i = 0; i < smppq_conf->nconnectors; i++)
			for (k = 0; k < MT_STATES; k++) {
				q = &c->conn[i * SMPPQ_NSTATES + k];
				labels(&l, "connector",
				    smppq_conf->connectors[i].name, "state",
				    smppq_states[k]);
				sample_u(fp, name, &l, age ? age_s(q, now) :
				    q->n);
			}
	}
}

static void
spool(FILE *fp, const struct smppq_census *c)
{
	static const char *const progs[2] = { "smppd", "smppconn" };
	struct labels	 l;
	long		 pid;
	int		 i;

	labels(&l, NULL, NULL, NULL, NULL);
	family(fp, "smppd_spool_bytes", "gauge",
	    "Octets in the spool's files.");
	sample_u(fp, "smppd_spool_bytes", &l, c->spool_bytes);
	if (c->have_fs) {
		family(fp, "smppd_spool_free_bytes", "gauge", "Octets free "
		    "for unprivileged writers on the spool's filesystem.");
		sample_u(fp, "smppd_spool_free_bytes", &l, c->fs_free);
		family(fp, "smppd_spool_filesystem_bytes", "gauge",
		    "Size of the spool's filesystem.");
		sample_u(fp, "smppd_spool_filesystem_bytes", &l, c->fs_size);
	}
	family(fp, "smppd_process_up", "gauge", "1 when the daemon holds its "
	    "pid file locked, 0 when not (no sample without a pid file).");
	for (i = 0; i < 2; i++) {
		pid = i ? c->smppconn : c->smppd;
		if (pid < 0)
			continue;
		labels(&l, "program", progs[i], NULL, NULL);
		sample_u(fp, "smppd_process_up", &l, pid > 0);
	}
}

/* The connectors' families, in the order they are printed. */
enum { CF_UP, CF_SESS, CF_CONF, CF_WINDOW, CF_WAITING, CF_RATE, CF_TPUT,
	CF_ERRAT, CF_SENT, CF_OK, CF_N };

static const struct {
	const char	*name, *type, *help;
} conn_family[CF_N] = {
	{ "smppd_connector_up", "gauge", "1 when the connector can send "
	    "now; 0 when it cannot, or when smppconn does not run or its "
	    "state is stale." },
	{ "smppd_connector_sessions", "gauge", "Bound sessions (pipe, "
	    "helper: programs running)." },
	{ "smppd_connector_configured_sessions", "gauge", "Sessions "
	    "configured: binds, or concurrency." },
	{ "smppd_connector_window_in_use", "gauge", "Messages sent and not "
	    "answered yet." },
	{ "smppd_connector_waiting_messages", "gauge", "Messages smppconn "
	    "holds for the connector, not sent yet." },
	{ "smppd_connector_rate_limit_per_second", "gauge", "Send rate "
	    "allowed now, lower while the upstream throttles (0: no "
	    "limit)." },
	{ "smppd_connector_throughput_per_second", "gauge", "Send rate "
	    "configured (0: no limit)." },
	{ "smppd_connector_last_error_timestamp_seconds", "gauge", "When "
	    "the connector last failed (0: never)." },
	{ "smppd_connector_sent_total", "counter", "Messages handed to the "
	    "connector since smppconn started it." },
	{ "smppd_connector_ok_total", "counter", "Messages the connector "
	    "delivered or its upstream accepted." },
};

static void
conn_value(char *buf, size_t len, const struct connstate *s, int k)
{
	uint64_t	 v[CF_N] = { s->up, (uint64_t)s->sessions,
	    (uint64_t)s->configured, (uint64_t)s->inflight,
	    connstate_waiting(s), 0, (uint64_t)s->throughput,
	    (uint64_t)s->last_error_at, s->sent, s->ok };

	if (k == CF_RATE)
		snprintf(buf, len, "%.1f", s->rate);
	else
		snprintf(buf, len, "%llu", (unsigned long long)v[k]);
}

static void
conn_failures(FILE *fp, const struct smppq_conns *cs)
{
	static const char	*const classes[4] = { "throttling",
	    "transient", "permanent", "expired" };
	static const char	 name[] = "smppd_connector_failures_total";
	const struct connstate	*s;
	struct labels		 l;
	uint64_t		 v;
	int			 i, k;

	family(fp, name, "counter", "Messages the connector failed, by "
	    "error class (see smppconn(8)).");
	for (i = 0; i < cs->f.n; i++)
		for (k = 0; k < 4; k++) {
			s = &cs->f.conn[i];
			v = k == 0 ? s->throttled : k == 1 ? s->transient :
			    k == 2 ? s->permanent : s->expired;
			labels(&l, "connector", s->name, "class", classes[k]);
			sample_u(fp, name, &l, v);
		}
}

static void
conn_states(FILE *fp, const struct smppq_conns *cs)
{
	struct labels	 l;
	char		 v[32];
	int		 i, k;

	for (k = 0; k < CF_N; k++) {
		family(fp, conn_family[k].name, conn_family[k].type,
		    conn_family[k].help);
		for (i = 0; i < cs->f.n; i++) {
			labels(&l, "connector", cs->f.conn[i].name, NULL,
			    NULL);
			conn_value(v, sizeof(v), &cs->f.conn[i], k);
			sample(fp, conn_family[k].name, "", &l, v);
		}
	}
	conn_failures(fp, cs);
	if (cs->age < 0)
		return;
	family(fp, "smppd_connector_state_age_seconds", "gauge", "Age of "
	    "smppconn's state file, rewritten every second (no sample "
	    "without one).");
	labels(&l, NULL, NULL, NULL, NULL);
	sample_u(fp, "smppd_connector_state_age_seconds", &l,
	    (uint64_t)cs->age);
}

static void
scoreboard(FILE *fp, int up)
{
	struct labels		 l;
	const struct sb_board	*b = sb_board();

	family(fp, "smppd_scoreboard_up", "gauge", "1 when smppd's "
	    "scoreboard could be read; its families are missing otherwise.");
	labels(&l, NULL, NULL, NULL, NULL);
	sample_u(fp, "smppd_scoreboard_up", &l, up);
	if (!up)
		return;
	counters(fp, b);
	sessions(fp, b);
	times(fp, b);
	commits(fp, b);
}

/* The whole exposition; 0, or -1 when fp failed. */
int
smppq_prom(FILE *fp)
{
	struct smppq_census	 c;
	char			 path[SPOOL_PATH_MAX];

	scoreboard(fp, smppq_scoreboard(path, sizeof(path)) == 0);
	smppq_census(&c);
	queues(fp, &c);
	connector_queues(fp, &c);
	conn_states(fp, &c.cs);
	spool(fp, &c);
	smppq_census_free(&c);
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}
