/*
 * conf_table.c - the one table of smppd.conf keys: type, default,
 * range; parsing and printing a value of each type
 *
 * SYNOPSIS
 *	conf_table_find(sect, name)
 *	conf_table_set(key, base, value, err, errlen)
 *	conf_table_defaults(sect, base)
 *	conf_table_format(key, base, buf, len)
 *	conf_argv(connector, err, errlen)
 *
 * DESCRIPTION
 *	Each key of [smpp-server], [spool], [userdb], [smppconn] and
 *	[connector NAME] is one line of conf_table: its section, name,
 *	type, place in struct conf (or struct conf_connector), range and
 *	default.  A default is text parsed by the same code as a value
 *	from the file, so a default can never be out of its own range,
 *	and conf_dump() prints every key through the same table.
 *
 *	Numbers are decimal integers; seconds are integers too, except a
 *	sink connector's delay (up to 3 decimals, kept in milliseconds)
 *	and its undeliv_percent (one decimal, kept in permille).
 *
 *	conf_argv() splits a pipe command into argv without a shell:
 *	words are separated by blanks; inside '...' nothing is special;
 *	inside "..." a backslash escapes only '"' and '\'; outside quotes
 *	a backslash escapes any character.
 *
 * DIAGNOSTICS
 *	conf_table_set() writes "KEY: what is wrong" into err; a value
 *	that may be secret is never echoed.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "conf_table.h"
#include "log.h"

#define F(s, f)	offsetof(struct conf, s.f), \
		sizeof(((struct conf *)0)->s.f)
#define C(f)	offsetof(struct conf_connector, f), \
		sizeof(((struct conf_connector *)0)->f)

#define DAY	86400LL
#define YEAR	(365 * DAY)

const struct conf_key conf_table[] = {
	/* [smpp-server]: Jasmin's keys */
	{ CS_SERVER, "id", CV_STR, F(server, id), 0, 0, "smpps_01", 0, 0 },
	{ CS_SERVER, "bind", CV_STR, F(server, bind), 0, 0, "0.0.0.0", 0, 0 },
	{ CS_SERVER, "port", CV_INT, F(server, port), 1, 65535, "2775", 0, 0 },
	{ CS_SERVER, "sessionInitTimerSecs", CV_INT,
	    F(server, session_init_timer), 1, DAY, "30", 0, 0 },
	{ CS_SERVER, "enquireLinkTimerSecs", CV_INT,
	    F(server, enquire_link_timer), 1, DAY, "30", 0, 0 },
	{ CS_SERVER, "inactivityTimerSecs", CV_INT,
	    F(server, inactivity_timer), 1, DAY, "300", 0, 0 },
	{ CS_SERVER, "responseTimerSecs", CV_INT,
	    F(server, response_timer), 1, DAY, "60", 0, 0 },
	{ CS_SERVER, "pduReadTimerSecs", CV_INT,
	    F(server, pdu_read_timer), 1, DAY, "30", 0, 0 },
	{ CS_SERVER, "dlr_expiry", CV_LONG, F(server, dlr_expiry), 1, YEAR,
	    "86400", 0, 0 },
	{ CS_SERVER, "billing_feature", CV_BOOL, F(server, billing_feature),
	    0, 1, "yes", 0, 0 },
	{ CS_SERVER, "log_level", CV_LEVEL, F(server, log_level), 0, 50,
	    "INFO", 0, 0 },
	{ CS_SERVER, "log_file", CV_STR, F(server, log_file), 0, 0, "", 0,
	    0 },
	{ CS_SERVER, "log_rotate", CV_ROTATE, F(server, log_rotate), 0, 0,
	    "midnight", 0, 0 },
	{ CS_SERVER, "log_format", CV_LOGFMT, F(server, log_format), 0, 0,
	    LOG_FORMAT_DEFAULT, 0, 0 },
	{ CS_SERVER, "log_date_format", CV_STR, F(server, log_date_format),
	    0, 0, LOG_DATEFMT_DEFAULT, 0, 0 },
	{ CS_SERVER, "log_privacy", CV_BOOL, F(server, log_privacy), 0, 1,
	    "no", 0, 0 },
	/* [smpp-server]: smppd's own keys */
	{ CS_SERVER, "max_connections", CV_INT, F(server, max_connections),
	    1, 65535, "1024", 0, 0 },
	{ CS_SERVER, "prefork", CV_INT, F(server, prefork), 0, 1024, "4", 0,
	    0 },
	{ CS_SERVER, "max_pdu_size", CV_U32, F(server, max_pdu_size), 1024,
	    16777216, "70000", 0, 0 },
	{ CS_SERVER, "deliver_window", CV_INT, F(server, deliver_window), 1,
	    1000, "10", 0, 0 },
	{ CS_SERVER, "pid_file", CV_STR, F(server, pid_file), 0, 0,
	    RUNSTATEDIR "/smppd/smppd.pid", 0, 0 },
	{ CS_SERVER, "run_dir", CV_STR, F(server, run_dir), 0, 0,
	    RUNSTATEDIR "/smppd", 0, 0 },
	{ CS_SERVER, "user", CV_STR, F(server, user), 0, 0, "", 0, 0 },
	{ CS_SERVER, "group", CV_STR, F(server, group), 0, 0, "", 0, 0 },
	{ CS_SERVER, "proxy_protocol", CV_BOOL, F(server, proxy_protocol), 0,
	    1, "no", 0, 0 },
	{ CS_SERVER, "proxy_from", CV_STR, F(server, proxy_from), 0, 0, "", 0,
	    0 },
	{ CS_SERVER, "max_connections_per_address", CV_INT,
	    F(server, max_connections_per_address), 0, 65535, "32", 0, 0 },
	{ CS_SERVER, "connection_rate_per_address", CV_INT,
	    F(server, connection_rate_per_address), 0, 1000000, "120", 0, 0 },
	{ CS_SERVER, "bind_failure_rate_per_address", CV_INT,
	    F(server, bind_failure_rate_per_address), 0, 1000000, "10", 0, 0 },
	{ CS_SERVER, "max_bind_failures", CV_INT, F(server, max_bind_failures),
	    1, 1000, "3", 0, 0 },
	{ CS_SERVER, "address_ipv6_prefix", CV_INT,
	    F(server, address_ipv6_prefix), 32, 128, "64", 0, 0 },
	{ CS_SERVER, "limits_exempt", CV_STR, F(server, limits_exempt), 0, 0,
	    "", 0, 0 },
	{ CS_SERVER, "max_address_length", CV_INT,
	    F(server, max_address_length), 20, 64, "20", 0, 0 },

	/* [spool] */
	{ CS_SPOOL, "dir", CV_STR, F(spool, dir), 0, 0,
	    LOCALSTATEDIR "/spool/smppd", 0, 0 },
	{ CS_SPOOL, "sync", CV_BOOL, F(spool, sync), 0, 1, "yes", 0, 0 },
	{ CS_SPOOL, "segment_max_bytes", CV_SIZE, F(spool, segment_max_bytes),
	    4096, 67108864, "1048576", 0, 0 },
	{ CS_SPOOL, "segment_max_messages", CV_INT,
	    F(spool, segment_max_messages), 1, 100000, "1000", 0, 0 },
	{ CS_SPOOL, "segment_max_age_ms", CV_INT,
	    F(spool, segment_max_age_ms), 1, 60000, "200", 0, 0 },
	{ CS_SPOOL, "read_open_segments", CV_BOOL,
	    F(spool, read_open_segments), 0, 1, "yes", 0, 0 },
	{ CS_SPOOL, "max_age", CV_LONG, F(spool, max_age), 60, YEAR,
	    "172800", 0, 0 },
	{ CS_SPOOL, "retry_min", CV_INT, F(spool, retry_min), 1, DAY, "30", 0,
	    0 },
	{ CS_SPOOL, "retry_max", CV_INT, F(spool, retry_max), 1, 7 * DAY,
	    "3600", 0, 0 },
	{ CS_SPOOL, "failed_keep", CV_LONG, F(spool, failed_keep), 60, YEAR,
	    "604800", 0, 0 },

	/* [userdb] */
	{ CS_USERDB, "path", CV_STR, F(userdb, path), 0, 0,
	    LOCALSTATEDIR "/lib/smppd/users.db", 0, 0 },
	{ CS_USERDB, "ledger", CV_STR, F(userdb, ledger), 0, 0, "", 0, 0 },
	{ CS_USERDB, "rates", CV_STR, F(userdb, rates), 0, 0, "", 0, 0 },
	{ CS_USERDB, "billing_log", CV_STR, F(userdb, billing_log), 0, 0, "",
	    0, 0 },

	/* [smppconn]; log_file and log_level unset: [smpp-server]'s */
	{ CS_CONN, "pid_file", CV_STR, F(conn, pid_file), 0, 0,
	    RUNSTATEDIR "/smppd/smppconn.pid", 0, 0 },
	{ CS_CONN, "log_file", CV_STR, F(conn, log_file), 0, 0, "", 0, 0 },
	{ CS_CONN, "log_level", CV_LEVEL, F(conn, log_level), 0, 50, "INFO",
	    0, 0 },
	{ CS_CONN, "idmap", CV_STR, F(conn, idmap), 0, 0,
	    LOCALSTATEDIR "/lib/smppd/idmap.db", 0, 0 },
	{ CS_CONN, "rescan", CV_INT, F(conn, rescan), 1, 3600, "5", 0, 0 },
	{ CS_CONN, "batch", CV_INT, F(conn, batch), 1, 100000, "2000", 0, 0 },
	{ CS_CONN, "peers", CV_STR, F(conn, peers), 0, 0, "", 0, 0 },
	{ CS_CONN, "homes", CV_STR, F(conn, homes), 0, 0, "", 0, 0 },
	{ CS_CONN, "forward_expiry", CV_LONG, F(conn, forward_expiry), 60,
	    YEAR, "3600", 0, 0 },

	/* [connector NAME] */
	{ CS_CONNECTOR, "type", CV_CONNTYPE, C(type), 0, 0, NULL, CT_ALL,
	    CK_REQUIRED },
	{ CS_CONNECTOR, "delay", CV_MILLI, C(delay_ms), 0, 3600000, "0",
	    CT_SINK, 0 },
	{ CS_CONNECTOR, "undeliv_percent", CV_DECI, C(undeliv_permille), 0,
	    1000, "0", CT_SINK, 0 },
	{ CS_CONNECTOR, "undeliv_err", CV_INT, C(undeliv_err), 0, 999, "1",
	    CT_SINK, 0 },
	{ CS_CONNECTOR, "command", CV_COMMAND, C(command), 0, 0, NULL,
	    CT_PIPE | CT_HELPER, CK_REQUIRED },
	{ CS_CONNECTOR, "timeout", CV_INT, C(timeout), 1, 3600, "30",
	    CT_PIPE | CT_HELPER, 0 },
	{ CS_CONNECTOR, "concurrency", CV_INT, C(concurrency), 1, 1024, "4",
	    CT_PIPE | CT_HELPER, 0 },
	{ CS_CONNECTOR, "host", CV_STR, C(host), 0, 0, NULL, CT_SMPP,
	    CK_REQUIRED },
	{ CS_CONNECTOR, "port", CV_INT, C(port), 1, 65535, "2775", CT_SMPP,
	    0 },
	{ CS_CONNECTOR, "system_id", CV_STR, C(system_id), 0, 0, NULL,
	    CT_SMPP, CK_REQUIRED },
	{ CS_CONNECTOR, "password", CV_STR, C(password), 0, 0, "", CT_SMPP,
	    CK_SECRET },
	{ CS_CONNECTOR, "system_type", CV_STR, C(system_type), 0, 0, "",
	    CT_SMPP, 0 },
	{ CS_CONNECTOR, "bind", CV_BINDMODE, C(bind_mode), 0, 0,
	    "transceiver", CT_SMPP, 0 },
	{ CS_CONNECTOR, "binds", CV_INT, C(binds), 1, 64, "1", CT_SMPP, 0 },
	{ CS_CONNECTOR, "window", CV_INT, C(window), 1, 10000, "10",
	    CT_SMPP | CT_HELPER, 0 },
	{ CS_CONNECTOR, "throughput", CV_INT, C(throughput), 0, 1000000, "0",
	    CT_SMPP, 0 },
	{ CS_CONNECTOR, "enquire_link", CV_INT, C(enquire_link), 1, 3600,
	    "30", CT_SMPP, 0 },
	{ CS_CONNECTOR, "response_timeout", CV_INT, C(response_timeout), 1,
	    3600, "30", CT_SMPP, 0 },
	{ CS_CONNECTOR, "reconnect_min", CV_INT, C(reconnect_min), 1, 3600,
	    "1", CT_SMPP, 0 },
	{ CS_CONNECTOR, "reconnect_max", CV_INT, C(reconnect_max), 1, DAY,
	    "60", CT_SMPP, 0 },
	{ CS_CONNECTOR, "split_payload", CV_BOOL, C(split_payload), 0, 1,
	    "no", CT_SMPP, 0 },
	{ CS_CONNECTOR, "throttling_errors", CV_STR, C(throttling_errors), 0,
	    0, "", CT_SMPP | CT_PIPE | CT_HELPER, 0 },
	{ CS_CONNECTOR, "transient_errors", CV_STR, C(transient_errors), 0,
	    0, "", CT_SMPP | CT_PIPE | CT_HELPER, 0 },
	{ CS_CONNECTOR, "permanent_errors", CV_STR, C(permanent_errors), 0,
	    0, "", CT_SMPP | CT_PIPE | CT_HELPER, 0 },
};

const size_t conf_table_len = sizeof(conf_table) / sizeof(conf_table[0]);

static const char *const sect_names[CS_COUNT] = {
	"smpp-server", "spool", "userdb", "smppconn", "connector",
	"mt-routes", "mo-routes"
};

const char *
conf_sect_name(enum conf_sect s)
{
	if (s < 0 || s >= CS_COUNT)
		return "?";
	return sect_names[s];
}

const struct conf_key *
conf_table_find(enum conf_sect sect, const char *name)
{
	size_t	 i;

	for (i = 0; i < conf_table_len; i++)
		if (conf_table[i].sect == sect &&
		    strcmp(conf_table[i].name, name) == 0)
			return &conf_table[i];
	return NULL;
}

const char *
conf_conn_type_name(enum conf_conn_type t)
{
	switch (t) {
	case CONN_SINK:
		return "sink";
	case CONN_PIPE:
		return "pipe";
	case CONN_SMPP:
		return "smpp";
	case CONN_HELPER:
		return "helper";
	}
	return "unset";
}

/*
 * A decimal integer with an optional sign.  Returns 0, -1 when it is
 * not a number, 1 when it does not fit in a long long.
 */
static int
parse_integer(const char *s, long long *out)
{
	long long	 n = 0;
	int		 neg = 0, d;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = *s - '0';
		if (n > (LLONG_MAX - d) / 10)
			return 1;
		n = n * 10 + d;
	}
	*out = neg ? -n : n;
	return 0;
}

/*
 * A non-negative decimal with at most ndec decimals, scaled by
 * 10^ndec.  Returns as parse_integer(), or -2 for too many decimals.
 */
static int
parse_fixed(const char *s, int ndec, long long *out)
{
	char		 ipart[24];
	const char	*dot, *f;
	long long	 n, frac = 0;
	size_t		 len;
	int		 i, r;

	if ((dot = strchr(s, '.')) == NULL)
		dot = s + strlen(s);
	len = dot - s;
	if (len == 0 || len >= sizeof(ipart) || *s == '-' || *s == '+')
		return -1;
	memcpy(ipart, s, len);
	ipart[len] = '\0';
	if ((r = parse_integer(ipart, &n)) != 0)
		return r;
	f = *dot == '.' ? dot + 1 : dot;
	if (*dot == '.' && *f == '\0')
		return -1;
	if (strspn(f, "0123456789") != strlen(f))
		return -1;
	if (strlen(f) > (size_t)ndec)
		return -2;
	for (i = 0; i < ndec; i++) {
		if (n > LLONG_MAX / 10)
			return 1;
		n *= 10;
		frac = frac * 10 + (*f != '\0' ? *f++ - '0' : 0);
	}
	*out = n + frac;
	return 0;
}

/* The text of a fixed-point value: 500 with 3 decimals is "0.5". */
static void
format_fixed(long long n, int ndec, char *buf, size_t len)
{
	long long	 scale = 1;
	int		 i, w = ndec;
	long long	 frac;

	for (i = 0; i < ndec; i++)
		scale *= 10;
	frac = n % scale;
	if (frac == 0) {
		snprintf(buf, len, "%lld", n / scale);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		w--;
	}
	snprintf(buf, len, "%lld.%0*lld", n / scale, w, frac);
}

static int
parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t			 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Python's level names (NOTSET too, as jasmin.cfg lists it) or 0..50. */
static int
parse_level(const char *s)
{
	if (strcasecmp(s, "NOTSET") == 0)
		return 0;
	return log_level_parse(s);
}

/* What Python's TimedRotatingFileHandler takes as "when". */
static int
rotate_valid(const char *s)
{
	static const char *const whens[] = { "S", "M", "H", "D", "midnight" };
	size_t			 i;

	for (i = 0; i < sizeof(whens) / sizeof(whens[0]); i++)
		if (strcasecmp(s, whens[i]) == 0)
			return 1;
	return (s[0] == 'W' || s[0] == 'w') && s[1] >= '0' && s[1] <= '6' &&
	    s[2] == '\0';
}

static int
set_number(const struct conf_key *k, void *p, const char *v, char *err,
    size_t errlen)
{
	char		 lo[32], hi[32];
	long long	 n;
	int		 ndec = k->type == CV_MILLI ? 3 : k->type == CV_DECI;
	int		 r;

	r = ndec > 0 ? parse_fixed(v, ndec, &n) : parse_integer(v, &n);
	if (r == -2) {
		snprintf(err, errlen, "%s: '%.64s' has more than %d decimal%s",
		    k->name, v, ndec, ndec > 1 ? "s" : "");
		return -1;
	}
	if (r == -1) {
		snprintf(err, errlen, "%s: '%.64s' is not a number", k->name,
		    v);
		return -1;
	}
	if (r == 1 || n < k->min || n > k->max) {
		format_fixed(k->min, ndec, lo, sizeof(lo));
		format_fixed(k->max, ndec, hi, sizeof(hi));
		snprintf(err, errlen, "%s: %.64s is out of range %s..%s",
		    k->name, v, lo, hi);
		return -1;
	}
	switch (k->type) {
	case CV_LONG:
		*(long *)p = (long)n;
		break;
	case CV_SIZE:
		*(size_t *)p = (size_t)n;
		break;
	case CV_U32:
		*(uint32_t *)p = (uint32_t)n;
		break;
	default:
		*(int *)p = (int)n;
		break;
	}
	return 0;
}

static int
set_string(const struct conf_key *k, void *p, const char *v, char *err,
    size_t errlen)
{
	if (strlen(v) >= k->size) {
		snprintf(err, errlen, "%s: value too long (at most %zu "
		    "characters)", k->name, k->size - 1);
		return -1;
	}
	strlcpy(p, v, k->size);
	return 0;
}

static int
set_enum(const struct conf_key *k, void *p, const char *v, char *err,
    size_t errlen)
{
	int	 n = -1;

	if (k->type == CV_BINDMODE) {
		if (strcasecmp(v, "transceiver") == 0 ||
		    strcasecmp(v, "trx") == 0)
			n = BIND_MODE_TRX;
		else if (strcasecmp(v, "transmitter+receiver") == 0 ||
		    strcasecmp(v, "tx+rx") == 0)
			n = BIND_MODE_TX_RX;
	} else {
		for (n = CONN_HELPER; n >= CONN_SINK; n--)
			if (strcmp(v, conf_conn_type_name(n)) == 0)
				break;
		if (n < CONN_SINK)
			n = -1;
	}
	if (n == -1) {
		snprintf(err, errlen, "%s: '%.64s' is not one of %s", k->name,
		    v, k->type == CV_BINDMODE ?
		    "transceiver, transmitter+receiver, trx, tx+rx" :
		    "sink, pipe, smpp, helper");
		return -1;
	}
	if (k->type == CV_BINDMODE)
		*(enum conf_bind_mode *)p = n;
	else
		*(enum conf_conn_type *)p = n;
	return 0;
}

static int
set_checked(const struct conf_key *k, void *p, const char *v, char *err,
    size_t errlen)
{
	char	 why[160];
	int	 n;

	switch (k->type) {
	case CV_BOOL:
		if ((n = parse_bool(v)) == -1) {
			snprintf(err, errlen, "%s: '%.64s' is not a boolean "
			    "(yes/no, true/false, on/off, 1/0)", k->name, v);
			return -1;
		}
		*(int *)p = n;
		return 0;
	case CV_LEVEL:
		if ((n = parse_level(v)) == -1) {
			snprintf(err, errlen, "%s: '%.64s' is not a log level "
			    "(DEBUG, INFO, WARNING, ERROR, CRITICAL or "
			    "0..50)", k->name, v);
			return -1;
		}
		*(int *)p = n;
		return 0;
	case CV_ROTATE:
		if (!rotate_valid(v)) {
			snprintf(err, errlen, "%s: '%.64s' is not one of S, M, "
			    "H, D, W0..W6, midnight", k->name, v);
			return -1;
		}
		return set_string(k, p, v, err, errlen);
	default:	/* CV_LOGFMT */
		if (log_format_check(v, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s: %s", k->name, why);
			return -1;
		}
		return set_string(k, p, v, err, errlen);
	}
}

int
conf_table_set(const struct conf_key *k, void *base, const char *v,
    char *err, size_t errlen)
{
	void	*p = (char *)base + k->off;

	switch (k->type) {
	case CV_INT:
	case CV_LONG:
	case CV_SIZE:
	case CV_U32:
	case CV_MILLI:
	case CV_DECI:
		return set_number(k, p, v, err, errlen);
	case CV_STR:
		return set_string(k, p, v, err, errlen);
	case CV_BINDMODE:
	case CV_CONNTYPE:
		return set_enum(k, p, v, err, errlen);
	case CV_COMMAND:
		if (set_string(k, p, v, err, errlen) == -1)
			return -1;
		return conf_argv(base, err, errlen);
	default:
		return set_checked(k, p, v, err, errlen);
	}
}

void
conf_table_defaults(enum conf_sect sect, void *base)
{
	char	 err[256];
	size_t	 i;

	for (i = 0; i < conf_table_len; i++) {
		if (conf_table[i].sect != sect || conf_table[i].def == NULL)
			continue;
		if (conf_table_set(&conf_table[i], base, conf_table[i].def,
		    err, sizeof(err)) == -1)
			panic("default of %s: %s", conf_table[i].name, err);
	}
}

static const char *
level_text(int level, char *buf, size_t len)
{
	if (level >= LOGL_DEBUG && level <= LOGL_CRITICAL && level % 10 == 0)
		return log_level_name(level);
	snprintf(buf, len, "%d", level);
	return buf;
}

int
conf_table_format(const struct conf_key *k, const void *base, char *buf,
    size_t len)
{
	const void	*p = (const char *)base + k->off;
	char		 tmp[32];
	int		 n;

	switch (k->type) {
	case CV_INT:
		return snprintf(buf, len, "%d", *(const int *)p);
	case CV_LONG:
		return snprintf(buf, len, "%ld", *(const long *)p);
	case CV_SIZE:
		return snprintf(buf, len, "%zu", *(const size_t *)p);
	case CV_U32:
		return snprintf(buf, len, "%lu",
		    (unsigned long)*(const uint32_t *)p);
	case CV_MILLI:
	case CV_DECI:
		format_fixed(*(const int *)p, k->type == CV_MILLI ? 3 : 1, buf,
		    len);
		return (int)strlen(buf);
	case CV_BOOL:
		return snprintf(buf, len, "%s", *(const int *)p ? "yes" : "no");
	case CV_LEVEL:
		return snprintf(buf, len, "%s",
		    level_text(*(const int *)p, tmp, sizeof(tmp)));
	case CV_BINDMODE:
		n = *(const enum conf_bind_mode *)p;
		return snprintf(buf, len, "%s", n == BIND_MODE_TX_RX ?
		    "transmitter+receiver" : "transceiver");
	case CV_CONNTYPE:
		return snprintf(buf, len, "%s",
		    conf_conn_type_name(*(const enum conf_conn_type *)p));
	default:
		return snprintf(buf, len, "%s", (const char *)p);
	}
}

/* Append one octet to the word being built; -1 when argbuf is full. */
static int
argv_put(struct conf_connector *c, size_t *off, int ch)
{
	if (*off >= sizeof(c->argbuf))
		return -1;
	c->argbuf[(*off)++] = ch;
	return 0;
}

/*
 * One word from *sp into argbuf.  Returns 0, or -1 with err set.
 */
static int
argv_word(struct conf_connector *c, const char **sp, size_t *off, char *err,
    size_t errlen)
{
	const char	*s = *sp;
	int		 q = 0;

	for (; *s != '\0' && (q != 0 || (*s != ' ' && *s != '\t')); s++) {
		if (q == 0 && (*s == '"' || *s == '\'')) {
			q = *s;
			continue;
		}
		if (q != 0 && *s == q) {
			q = 0;
			continue;
		}
		if (*s == '\\' && (q == 0 || (q == '"' &&
		    (s[1] == '"' || s[1] == '\\')))) {
			if (*++s == '\0') {
				snprintf(err, errlen, "command: backslash at "
				    "the end");
				return -1;
			}
		}
		if (argv_put(c, off, *s) == -1)
			goto full;
	}
	if (q != 0) {
		snprintf(err, errlen, "command: unterminated %c quote", q);
		return -1;
	}
	if (argv_put(c, off, '\0') == -1)
		goto full;
	*sp = s;
	return 0;
full:
	snprintf(err, errlen, "command: too long");
	return -1;
}

int
conf_argv(struct conf_connector *c, char *err, size_t errlen)
{
	const char	*s = c->command;
	size_t		 off = 0;

	c->argc = 0;
	c->argv[0] = NULL;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (c->argc == CONF_MAX_ARGV) {
			snprintf(err, errlen, "command: more than %d words",
			    CONF_MAX_ARGV);
			return -1;
		}
		c->argv[c->argc] = c->argbuf + off;
		if (argv_word(c, &s, &off, err, errlen) == -1)
			return -1;
		c->argv[++c->argc] = NULL;
	}
	if (c->argc == 0) {
		snprintf(err, errlen, "command: empty");
		return -1;
	}
	return 0;
}

/* A system_id: 1..30 of [A-Za-z0-9_.-], not starting with '.'. */
int
conf_account_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= 30 && s[0] != '.' &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

/* A connector name: 1..31 of [A-Za-z0-9_.-]. */
int
conf_name_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n < CONF_NAME_MAX &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}
