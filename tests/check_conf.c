/*
 * check_conf.c - unit tests of conf.c, conf_table.c, conf_dump.c and
 * route.c: defaults, Jasmin's section verbatim, every error kind with
 * its file:line, connectors, routes, the dump, the sample config
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <grp.h>
#include <pwd.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conf.h"
#include "log.h"
#include "route.h"

#define JASMIN_FIXTURE	SRCDIR "/data/jasmin-smpp-server.conf"
#define SAMPLE_CONF	SRCDIR "/../etc/smppd.conf"

static char	 errs[64][1200];
static int	 nerrs;
static char	 lastpath[64];

static void
report(const char *msg)
{
	if (nerrs < 64)
		strlcpy(errs[nerrs], msg, sizeof(errs[0]));
	nerrs++;
}

/* A new file in the build's tests folder holding text, with a mode. */
static void
write_tmp(char *path, size_t len, const char *text, mode_t mode)
{
	int	 fd;

	strlcpy(path, "check_conf.XXXXXX", len);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static int
load_mode(struct conf *c, const char *text, mode_t mode)
{
	int	 n;

	write_tmp(lastpath, sizeof(lastpath), text, mode);
	nerrs = 0;
	n = conf_load(c, lastpath, report);
	unlink(lastpath);
	return n;
}

static int
load(struct conf *c, const char *text)
{
	return load_mode(c, text, 0600);
}

/* Error i is "FILE:LINE: ..." and mentions what. */
static void
expect_err(int i, int line, const char *what)
{
	char	 prefix[96];

	ck_assert_int_gt(nerrs, i);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", lastpath, line);
	ck_assert_msg(strncmp(errs[i], prefix, strlen(prefix)) == 0,
	    "error '%s' is not at line %d", errs[i], line);
	ck_assert_msg(strstr(errs[i], what) != NULL,
	    "error '%s' lacks '%s'", errs[i], what);
}

/* Exactly one error, at line, mentioning what. */
static void
load_one_error(const char *text, int line, const char *what)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c, text), 1);
	ck_assert_int_eq(nerrs, 1);
	expect_err(0, line, what);
	conf_free(&c);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* conf_dump() output without its first (comment) line. */
static char *
dump_text(const struct conf *c)
{
	char	*buf = NULL, *nl;
	size_t	 len = 0;
	FILE	*fp;

	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(conf_dump(fp, c), 0);
	fclose(fp);
	nl = strchr(buf, '\n');
	ck_assert_ptr_nonnull(nl);
	memmove(buf, nl + 1, strlen(nl + 1) + 1);
	return buf;
}

static char *
read_file(const char *path)
{
	FILE	*fp = fopen(path, "r");
	char	*buf;
	long	 n;

	ck_assert_ptr_nonnull(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, n, fp), n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/*
 * A file of the source tree, loaded from a copy of our own: run by root,
 * conf_load() refuses a file that is not root's, and a checkout need
 * not be.
 */
static int
load_copy(struct conf *c, const char *path)
{
	char	*text = read_file(path);
	int	 n;

	write_tmp(lastpath, sizeof(lastpath), text, 0644);
	nerrs = 0;
	n = conf_load(c, lastpath, report);
	unlink(lastpath);
	free(text);
	return n;
}

/* Integer and string fields with what they should hold. */
struct want_int {
	const char	*name;
	long long	 got;
	long long	 want;
};
struct want_str {
	const char	*name;
	const char	*got;
	const char	*want;
};
#define WI(f, w)	{ #f, (long long)(f), (w) }
#define WS(f, w)	{ #f, (f), (w) }
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static void
expect_ints(const struct want_int *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		ck_assert_msg(v[i].got == v[i].want, "%s is %lld, not %lld",
		    v[i].name, v[i].got, v[i].want);
}

/* A want of "*x" means: ends with x. */
static void
expect_strs(const struct want_str *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		ck_assert_msg(v[i].want[0] == '*' ?
		    ends_with(v[i].got, v[i].want + 1) :
		    strcmp(v[i].got, v[i].want) == 0, "%s is '%s', not '%s'",
		    v[i].name, v[i].got, v[i].want);
}

static void
check_defaults(const struct conf *c)
{
	const struct conf_server	*s = &c->server;
	const struct want_int		 ints[] = {
		WI(s->port, 2775), WI(s->session_init_timer, 30),
		WI(s->enquire_link_timer, 30), WI(s->inactivity_timer, 300),
		WI(s->response_timer, 60), WI(s->pdu_read_timer, 30),
		WI(s->log_level, LOGL_INFO), WI(s->log_privacy, 0),
		WI(s->billing_feature, 1), WI(s->dlr_expiry, 86400),
		WI(s->max_connections, 1024), WI(s->prefork, 4),
		WI(s->max_pdu_size, 70000), WI(s->deliver_window, 10),
		WI(s->proxy_protocol, 0), WI(s->nlisten, 1),
		WI(s->listen[0].port, 2775),
		WI(c->spool.sync, 1), WI(c->spool.segment_max_bytes, 1048576),
		WI(c->spool.segment_max_messages, 1000),
		WI(c->spool.segment_max_age_ms, 200),
		WI(c->spool.read_open_segments, 1),
		WI(c->spool.max_age, 172800), WI(c->spool.retry_min, 30),
		WI(c->spool.retry_max, 3600), WI(c->spool.failed_keep, 604800),
		WI(c->conn.log_level, LOGL_INFO), WI(c->conn.rescan, 5),
		WI(c->conn.batch, 2000), WI(c->nconnectors, 0),
		WI(c->nmt_routes, 0), WI(c->nmo_routes, 0),
	};
	const struct want_str		 strs[] = {
		WS(s->id, "smpps_01"), WS(s->bind, "0.0.0.0"),
		WS(s->log_file, ""), WS(s->log_format,
		    "%(asctime)s %(levelname)-8s %(process)d %(message)s"),
		WS(s->log_date_format, "%Y-%m-%d %H:%M:%S"),
		WS(s->log_rotate, "midnight"),
		WS(s->pid_file, "*/smppd/smppd.pid"), WS(s->run_dir, "*/smppd"),
		WS(s->user, ""), WS(s->group, ""),
		WS(s->listen[0].host, "0.0.0.0"),
		WS(c->spool.dir, "*/spool/smppd"),
		WS(c->userdb.path, "*/lib/smppd/users.db"),
		WS(c->userdb.ledger, ""),
		WS(c->conn.pid_file, "*/smppd/smppconn.pid"),
		WS(c->conn.log_file, ""),
		WS(c->conn.idmap, "*/lib/smppd/idmap.db"),
	};
	char				 buf[CONF_PATH_MAX + 16];
	char				 want[CONF_PATH_MAX + 16];

	expect_ints(ints, NITEMS(ints));
	expect_strs(strs, NITEMS(strs));
	ck_assert(strncmp(s->pid_file, s->run_dir, strlen(s->run_dir)) == 0);
	snprintf(want, sizeof(want), "%s.ledger", c->userdb.path);
	ck_assert_str_eq(conf_ledger_path(c, buf, sizeof(buf)), want);
}

START_TEST(test_defaults)
{
	struct conf	 c;

	conf_defaults(&c);
	check_defaults(&c);
	ck_assert_int_eq(load(&c, ""), 0);
	check_defaults(&c);
	/*
	 * No routes and no connectors: their loops once did NULL + 0,
	 * which clang's UBSan (CC=clang --enable-sanitizers) reports.
	 * Found by fuzz_ini.
	 */
	free(dump_text(&c));
	conf_free(&c);
}
END_TEST

START_TEST(test_jasmin_verbatim)
{
	struct conf	 c, d;
	char		*a, *b;

	ck_assert_int_eq(load_copy(&c, JASMIN_FIXTURE), 0);
	ck_assert_int_eq(nerrs, 0);
	check_defaults(&c);
	conf_defaults(&d);
	a = dump_text(&c);
	b = dump_text(&d);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	conf_free(&c);
}
END_TEST

/*
 * The same section with each "#key = value" line made active: the
 * defaults, but for Jasmin's pduReadTimerSecs and log file.
 */
START_TEST(test_jasmin_uncommented)
{
	struct conf	 c, want;
	char		*text, *p, *a, *b;

	text = read_file(JASMIN_FIXTURE);
	for (p = text; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (p[0] == '#' && isalpha((unsigned char)p[1]))
			p[0] = ' ';
	ck_assert_int_eq(load(&c, text), 0);
	ck_assert_int_eq(c.server.pdu_read_timer, 10);
	ck_assert_str_eq(c.server.log_file,
	    "/var/log/jasmin/default-smpps_01.log");
	conf_defaults(&want);
	want.server.pdu_read_timer = 10;
	strlcpy(want.server.log_file, c.server.log_file,
	    sizeof(want.server.log_file));
	strlcpy(want.conn.log_file, c.server.log_file,
	    sizeof(want.conn.log_file));
	a = dump_text(&c);
	b = dump_text(&want);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(text);
	conf_free(&c);
}
END_TEST

START_TEST(test_sample_conf)
{
	struct conf	 c;
	char		*sample, *jasmin;

	ck_assert_int_eq(load_copy(&c, SAMPLE_CONF), 0);
	ck_assert_int_eq(nerrs, 0);
	ck_assert_ptr_nonnull(conf_connector(&c, "sink"));
	ck_assert_int_eq(conf_connector(&c, "sink")->type, CONN_SINK);
	ck_assert_str_eq(route_mt(&c, "demo", "ACME", "33612345678")->target,
	    "sink");
	conf_free(&c);

	/* It starts with Jasmin's section, octet for octet. */
	sample = read_file(SAMPLE_CONF);
	jasmin = read_file(JASMIN_FIXTURE);
	ck_assert(strncmp(sample, jasmin, strlen(jasmin)) == 0);
	free(sample);
	free(jasmin);
}
END_TEST

START_TEST(test_all_keys)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c,
	    "[smpp-server]\n"
	    "id = gw2\nbind = 127.0.0.1\nport = 2776\n"
	    "sessionInitTimerSecs = 5\nenquireLinkTimerSecs = 6\n"
	    "inactivityTimerSecs = 7\nresponseTimerSecs = 8\n"
	    "pduReadTimerSecs = 9\nlog_level = WARNING\n"
	    "log_file = syslog\nlog_format = %(levelname)s %(message)s\n"
	    "log_date_format = %H:%M\nlog_rotate = W6\nlog_privacy = yes\n"
	    "billing_feature = no\ndlr_expiry = 3600\nmax_connections = 10\n"
	    "prefork = 0\nmax_pdu_size = 1024\ndeliver_window = 1000\n"
	    "pid_file = /tmp/p.pid\nrun_dir = /tmp/run\nuser = smppd\n"
	    "group = smppg\nproxy_protocol = on\nproxy_from = 10.0.0.1\n"
	    "[spool]\ndir = /tmp/sp\nsync = no\nsegment_max_bytes = 4096\n"
	    "segment_max_messages = 1\nsegment_max_age_ms = 60000\n"
	    "read_open_segments = no\n"
	    "max_age = 60\nretry_min = 1\nretry_max = 2\nfailed_keep = 61\n"
	    "[userdb]\npath = /tmp/u.db\nledger = /tmp/l\n"
	    "[smppconn]\npid_file = /tmp/c.pid\nlog_file = /tmp/c.log\n"
	    "log_level = 10\nidmap = /tmp/i.db\nrescan = 3600\n"
	    "batch = 100000\n"), 0);
	{
		const struct conf_server	*s = &c.server;
		const struct want_int		 ints[] = {
			WI(s->listen[0].port, 2776),
			WI(s->session_init_timer, 5),
			WI(s->enquire_link_timer, 6),
			WI(s->inactivity_timer, 7), WI(s->response_timer, 8),
			WI(s->pdu_read_timer, 9),
			WI(s->log_level, LOGL_WARNING), WI(s->log_privacy, 1),
			WI(s->billing_feature, 0), WI(s->dlr_expiry, 3600),
			WI(s->max_connections, 10), WI(s->prefork, 0),
			WI(s->max_pdu_size, 1024), WI(s->deliver_window, 1000),
			WI(s->proxy_protocol, 1), WI(c.spool.sync, 0),
			WI(c.spool.segment_max_bytes, 4096),
			WI(c.spool.segment_max_messages, 1),
			WI(c.spool.segment_max_age_ms, 60000),
			WI(c.spool.read_open_segments, 0),
			WI(c.spool.max_age, 60), WI(c.spool.retry_min, 1),
			WI(c.spool.retry_max, 2), WI(c.spool.failed_keep, 61),
			WI(c.conn.log_level, LOGL_DEBUG),
			WI(c.conn.rescan, 3600), WI(c.conn.batch, 100000),
		};
		const struct want_str		 strs[] = {
			WS(s->id, "gw2"), WS(s->listen[0].host, "127.0.0.1"),
			WS(s->log_file, "syslog"),
			WS(s->log_format, "%(levelname)s %(message)s"),
			WS(s->log_date_format, "%H:%M"),
			WS(s->log_rotate, "W6"), WS(s->pid_file, "/tmp/p.pid"),
			WS(s->run_dir, "/tmp/run"), WS(s->user, "smppd"),
			WS(s->group, "smppg"), WS(c.spool.dir, "/tmp/sp"),
			WS(c.userdb.path, "/tmp/u.db"),
			WS(c.userdb.ledger, "/tmp/l"),
			WS(c.conn.pid_file, "/tmp/c.pid"),
			WS(c.conn.log_file, "/tmp/c.log"),
			WS(c.conn.idmap, "/tmp/i.db"),
		};

		expect_ints(ints, NITEMS(ints));
		expect_strs(strs, NITEMS(strs));
	}
	conf_free(&c);
}
END_TEST

START_TEST(test_smppconn_inherits_logging)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c, "[smpp-server]\nlog_level = debug\n"
	    "log_file = /tmp/x.log\n[smppconn]\nlog_level = ERROR\n"), 0);
	ck_assert_int_eq(c.conn.log_level, LOGL_ERROR);
	ck_assert_str_eq(c.conn.log_file, "/tmp/x.log");
	conf_free(&c);
	ck_assert_int_eq(load(&c, "[smppconn]\nlog_file = syslog\n"
	    "[smpp-server]\nlog_level = 15\n"), 0);
	ck_assert_int_eq(c.conn.log_level, 15);
	ck_assert_str_eq(c.conn.log_file, "syslog");
	conf_free(&c);
}
END_TEST

START_TEST(test_err_unknown_key)
{
	load_one_error("[smpp-server]\nport = 2775\nfoo = 1\n", 3,
	    "unknown key 'foo' in [smpp-server]");
	/* Key names are case-sensitive, as Jasmin spells them. */
	load_one_error("[smpp-server]\nsessioninittimersecs = 1\n", 2,
	    "unknown key 'sessioninittimersecs' in [smpp-server]");
	load_one_error("[spool]\nport = 1\n", 2, "unknown key 'port' in "
	    "[spool]");
}
END_TEST

START_TEST(test_err_unknown_section)
{
	/* Its keys are skipped, not reported one by one. */
	load_one_error("[smpp-server]\n[client-management]\nport = 8989\n",
	    2, "unknown section [client-management]");
}
END_TEST

START_TEST(test_err_bad_number)
{
	load_one_error("[smpp-server]\nport = 27x5\n", 2,
	    "port: '27x5' is not a number");
	load_one_error("[spool]\nretry_min = 1.5\n", 2,
	    "retry_min: '1.5' is not a number");
	load_one_error("[spool]\nmax_age =\n", 2,
	    "max_age: '' is not a number");
}
END_TEST

START_TEST(test_err_out_of_range)
{
	load_one_error("[smpp-server]\n\nport = 70000\n", 3,
	    "port: 70000 is out of range 1..65535");
	load_one_error("[spool]\nsegment_max_bytes = 1\n", 2,
	    "segment_max_bytes: 1 is out of range 4096..67108864");
	load_one_error("[smpp-server]\nmax_pdu_size = "
	    "99999999999999999999999\n", 2, "out of range 1024..16777216");
	load_one_error("[smpp-server]\nprefork = -1\n", 2,
	    "prefork: -1 is out of range 0..1024");
}
END_TEST

START_TEST(test_err_bad_boolean)
{
	struct conf	 c;

	load_one_error("[smpp-server]\nlog_privacy = maybe\n", 2,
	    "log_privacy: 'maybe' is not a boolean");
	ck_assert_int_eq(load(&c, "[smpp-server]\nlog_privacy = TRUE\n"
	    "billing_feature = Off\nproxy_protocol = 1\n"
	    "proxy_from = 10.0.0.0/8\n[spool]\n"
	    "sync = No\n"), 0);
	ck_assert_int_eq(c.server.log_privacy, 1);
	ck_assert_int_eq(c.server.billing_feature, 0);
	ck_assert_int_eq(c.server.proxy_protocol, 1);
	ck_assert_int_eq(c.spool.sync, 0);
	conf_free(&c);
}
END_TEST

START_TEST(test_err_duplicate_key)
{
	load_one_error("[smpp-server]\nport = 1\n# x\nport = 2\n", 4,
	    "duplicate key 'port' in [smpp-server] (first at line 2)");
	load_one_error("[connector s]\ntype = sink\ndelay = 1\ndelay = 2\n",
	    4, "duplicate key 'delay' in [connector s] (first at line 3)");
}
END_TEST

START_TEST(test_err_duplicate_section)
{
	load_one_error("[spool]\nsync = yes\n[userdb]\n[spool]\nsync = no\n",
	    4, "duplicate section [spool] (first at line 1)");
	load_one_error("[connector a]\ntype = sink\n\n[connector a]\n"
	    "type = pipe\n", 4, "duplicate section [connector a] (first at "
	    "line 1)");
}
END_TEST

START_TEST(test_err_missing_equals)
{
	load_one_error("[spool]\ndir /tmp/x\n", 2, "missing '='");
}
END_TEST

START_TEST(test_err_before_section)
{
	load_one_error("# comment\nport = 2775\n[smpp-server]\n", 2,
	    "key 'port' before any [section]");
}
END_TEST

START_TEST(test_err_log_settings)
{
	struct conf	 c;

	load_one_error("[smpp-server]\nlog_format = %(asctime)s %(nosuch)s\n",
	    2, "log_format: ");
	ck_assert_ptr_nonnull(strstr(errs[0], "nosuch"));
	load_one_error("[smpp-server]\nlog_level = LOUD\n", 2,
	    "log_level: 'LOUD' is not a log level");
	load_one_error("[smpp-server]\nlog_rotate = W7\n", 2,
	    "log_rotate: 'W7' is not one of");
	ck_assert_int_eq(load(&c, "[smpp-server]\nlog_level = NOTSET\n"
	    "log_rotate = h\n"), 0);
	ck_assert_int_eq(c.server.log_level, 0);
	conf_free(&c);
}
END_TEST

START_TEST(test_err_too_long)
{
	load_one_error("[smpp-server]\nid = "
	    "abcdefghijabcdefghijabcdefghijabcdefghij\n", 2,
	    "id: value too long (at most 31 characters)");
}
END_TEST

START_TEST(test_err_many)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c,
	    "[smpp-server]\n"		/* 1 */
	    "port = x\n"		/* 2 */
	    "foo = 1\n"			/* 3 */
	    "prefork = 2000\n"		/* 4 */
	    "garbage\n"			/* 5 */
	    "[spool]\n"			/* 6 */
	    "retry_min = 10\n"		/* 7 */
	    "retry_max = 5\n"), 5);	/* 8 */
	ck_assert_int_eq(nerrs, 5);
	expect_err(0, 2, "port");
	expect_err(1, 3, "foo");
	expect_err(2, 4, "prefork");
	expect_err(3, 5, "missing '='");
	expect_err(4, 8, "retry_min (10) is greater than retry_max (5)");
	conf_free(&c);
}
END_TEST

/*
 * A value that ends in CR is quoted by the dump, which would otherwise
 * read back as a CR LF line end and lose it (found by fuzz_ini).
 */
START_TEST(test_dump_trailing_cr)
{
	struct conf	 a, b;
	char		*da;

	ck_assert_int_eq(load(&a, "[smpp-server]\nid = '\"\r'\n"), 0);
	ck_assert_str_eq(a.server.id, "\"\r");
	da = dump_text(&a);
	ck_assert_int_eq(load(&b, da), 0);
	ck_assert_str_eq(b.server.id, "\"\r");
	free(da);
	conf_free(&a);
	conf_free(&b);
}
END_TEST

START_TEST(test_err_cannot_open)
{
	struct conf	 c;

	nerrs = 0;
	ck_assert_int_eq(conf_load(&c, "no/such/smppd.conf", report), 1);
	ck_assert_int_eq(nerrs, 1);
	ck_assert_ptr_nonnull(strstr(errs[0], "no/such/smppd.conf: "));
	conf_free(&c);
}
END_TEST

START_TEST(test_quoted_values)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c,
	    "[smpp-server]\r\n"
	    "id\t\t\t\t\t= \"gw_1\"\r\n"
	    "  ; indented comment\n"
	    "log_file = 'syslog'\n"
	    "log_date_format: \" %H \"\n"
	    "[connector up]\n"
	    "type = smpp\nhost = h\nsystem_id = \"s\"\n"
	    "password = p#ss;w\n"), 0);
	ck_assert_str_eq(c.server.id, "gw_1");
	ck_assert_str_eq(c.server.log_file, "syslog");
	ck_assert_str_eq(c.server.log_date_format, " %H ");
	ck_assert_str_eq(c.connectors[0].system_id, "s");
	ck_assert_str_eq(c.connectors[0].password, "p#ss;w");
	conf_free(&c);
}
END_TEST

START_TEST(test_bind_lists)
{
	struct conf	 c;
	char		 text[1024];
	size_t		 n;
	int		 i;

	ck_assert_int_eq(load(&c, "[smpp-server]\n"
	    "bind = 127.0.0.1:2776, [::1]:2777 ::\n"
	    "port = 2800\n"), 0);
	ck_assert_int_eq(c.server.nlisten, 3);
	ck_assert_str_eq(c.server.listen[0].host, "127.0.0.1");
	ck_assert_int_eq(c.server.listen[0].port, 2776);
	ck_assert_str_eq(c.server.listen[1].host, "::1");
	ck_assert_int_eq(c.server.listen[1].port, 2777);
	ck_assert_str_eq(c.server.listen[2].host, "::");
	ck_assert_int_eq(c.server.listen[2].port, 2800);
	conf_free(&c);

	ck_assert_int_eq(load(&c, "[smpp-server]\nbind = 10.0.0.1 ,  "
	    "[2001:db8::7]\n"), 0);
	ck_assert_int_eq(c.server.nlisten, 2);
	ck_assert_str_eq(c.server.listen[1].host, "2001:db8::7");
	ck_assert_int_eq(c.server.listen[1].port, 2775);
	conf_free(&c);

	n = strlcpy(text, "[smpp-server]\nbind =", sizeof(text));
	for (i = 1; i <= CONF_MAX_LISTEN + 1; i++)
		n += snprintf(text + n, sizeof(text) - n, " 127.0.0.1:%d",
		    i);
	strlcat(text, "\n", sizeof(text));
	load_one_error(text, 2, "bind: more than 16 addresses");

	load_one_error("[smpp-server]\nbind = localhost\n", 2,
	    "bind: 'localhost' is not an IPv4 address");
	load_one_error("[smpp-server]\nbind = [::1\n", 2, "bind: ");
	load_one_error("[smpp-server]\nbind = ::1:2775x\n", 2, "bind: ");
	load_one_error("[smpp-server]\nbind = 10.0.0.1:99999\n", 2,
	    "bind: port '99999'");
	load_one_error("[smpp-server]\nbind = 10.0.0.1:0\n", 2,
	    "bind: port '0'");
	load_one_error("[smpp-server]\nbind = 127.0.0.1 127.0.0.1:2775\n",
	    2, "listed twice");
	load_one_error("[smpp-server]\nbind = ,\n", 2, "bind: no address");
}
END_TEST

/* delay_ms, undeliv_permille and undeliv_err of a sink connector. */
static void
expect_sink(const struct conf *c, const char *name, int delay, int permille,
    int err)
{
	const struct conf_connector	*k = conf_connector(c, name);

	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(k->type, CONN_SINK);
	ck_assert_int_eq(k->delay_ms, delay);
	ck_assert_int_eq(k->undeliv_permille, permille);
	ck_assert_int_eq(k->undeliv_err, err);
}

START_TEST(test_connector_sink)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c, "[connector s1]\ntype = sink\n"
	    "[connector s2]\ntype = sink\ndelay = 0.5\n"
	    "undeliv_percent = 12.5\nundeliv_err = 8\n"
	    "[connector s3]\ntype = sink\ndelay = 2\nundeliv_percent = 100\n"),
	    0);
	ck_assert_int_eq(c.nconnectors, 3);
	expect_sink(&c, "s1", 0, 0, 1);
	expect_sink(&c, "s2", 500, 125, 8);
	expect_sink(&c, "s3", 2000, 1000, 1);
	ck_assert_ptr_null(conf_connector(&c, "nosuch"));
	conf_free(&c);
}
END_TEST

START_TEST(test_connector_pipe)
{
	struct conf			 c;
	const struct conf_connector	*k;

	ck_assert_int_eq(load(&c, "[connector p]\ntype = pipe\n"
	    "command = /bin/echo \"a b\" 'c d' e\\ f \"q\\\"x\" 'it''s' \"\" "
	    "\"back\\\\slash\" \"\\n\"\n"
	    "timeout = 5\nconcurrency = 16\n"), 0);
	k = conf_connector(&c, "p");
	ck_assert_int_eq(k->type, CONN_PIPE);
	ck_assert_int_eq(k->timeout, 5);
	ck_assert_int_eq(k->concurrency, 16);
	ck_assert_int_eq(k->argc, 9);
	ck_assert_str_eq(k->argv[0], "/bin/echo");
	ck_assert_str_eq(k->argv[1], "a b");
	ck_assert_str_eq(k->argv[2], "c d");
	ck_assert_str_eq(k->argv[3], "e f");
	ck_assert_str_eq(k->argv[4], "q\"x");
	ck_assert_str_eq(k->argv[5], "its");
	ck_assert_str_eq(k->argv[6], "");
	ck_assert_str_eq(k->argv[7], "back\\slash");
	ck_assert_str_eq(k->argv[8], "\\n");
	ck_assert_ptr_null(k->argv[9]);
	conf_free(&c);

	ck_assert_int_eq(load(&c, "[connector p]\ntype = pipe\n"
	    "command = /bin/true\n"), 0);
	ck_assert_int_eq(c.connectors[0].timeout, 30);
	ck_assert_int_eq(c.connectors[0].concurrency, 4);
	ck_assert_int_eq(c.connectors[0].argc, 1);
	conf_free(&c);
}
END_TEST

/* argv points into each connector's own argbuf after the array grew. */
START_TEST(test_connector_pipe_many)
{
	struct conf			 c;
	const struct conf_connector	*k;
	char				 text[4096];
	size_t				 n = 0;
	int				 i;

	for (i = 0; i < 20; i++)
		n += snprintf(text + n, sizeof(text) - n, "[connector p%d]\n"
		    "type = pipe\ncommand = /bin/prog%d arg\n", i, i);
	ck_assert_int_eq(load(&c, text), 0);
	for (i = 0; i < c.nconnectors; i++) {
		k = &c.connectors[i];
		ck_assert(k->argv[0] >= k->argbuf &&
		    k->argv[0] < k->argbuf + sizeof(k->argbuf));
		ck_assert_str_eq(k->argv[1], "arg");
	}
	conf_free(&c);
}
END_TEST

/*
 * The numbers of an smpp connector: port, bind_mode, binds, window,
 * throughput, enquire_link, response_timeout, reconnect_min,
 * reconnect_max, split_payload.
 */
static void
expect_smpp(const struct conf_connector *k, const long long want[10])
{
	const struct want_int	 v[] = {
		WI(k->port, want[0]), WI(k->bind_mode, want[1]),
		WI(k->binds, want[2]), WI(k->window, want[3]),
		WI(k->throughput, want[4]), WI(k->enquire_link, want[5]),
		WI(k->response_timeout, want[6]),
		WI(k->reconnect_min, want[7]), WI(k->reconnect_max, want[8]),
		WI(k->split_payload, want[9]),
	};

	ck_assert_int_eq(k->type, CONN_SMPP);
	expect_ints(v, NITEMS(v));
}

START_TEST(test_connector_smpp)
{
	static const long long	 defaults[10] = {
		2775, BIND_MODE_TRX, 1, 10, 0, 30, 30, 1, 60, 0
	};
	static const long long	 set[10] = {
		2776, BIND_MODE_TX_RX, 4, 50, 100, 10, 5, 2, 2, 1
	};
	struct conf		 c;
	const struct conf_connector *k;

	ck_assert_int_eq(load(&c, "[connector up.1]\ntype = smpp\n"
	    "host = smsc.example.net\nsystem_id = gw\n"), 0);
	k = conf_connector(&c, "up.1");
	expect_smpp(k, defaults);
	ck_assert_str_eq(k->host, "smsc.example.net");
	ck_assert_str_eq(k->password, "");
	ck_assert_str_eq(k->system_type, "");
	conf_free(&c);

	ck_assert_int_eq(load(&c, "[connector up]\ntype = smpp\nhost = ::1\n"
	    "port = 2776\nsystem_id = gw\npassword = pw\nsystem_type = VMA\n"
	    "bind = tx+rx\nbinds = 4\nwindow = 50\nthroughput = 100\n"
	    "enquire_link = 10\nresponse_timeout = 5\nreconnect_min = 2\n"
	    "reconnect_max = 2\nsplit_payload = yes\n"), 0);
	k = &c.connectors[0];
	expect_smpp(k, set);
	ck_assert_str_eq(k->system_id, "gw");
	ck_assert_str_eq(k->password, "pw");
	ck_assert_str_eq(k->system_type, "VMA");
	conf_free(&c);

	ck_assert_int_eq(load(&c, "[connector up]\ntype = smpp\nhost = h\n"
	    "system_id = gw\nbind = transmitter+receiver\n"), 0);
	ck_assert_int_eq(c.connectors[0].bind_mode, BIND_MODE_TX_RX);
	conf_free(&c);
}
END_TEST

START_TEST(test_connector_errors)
{
	struct conf	 c;

	load_one_error("[connector a]\ndelay = 1\n", 1,
	    "[connector a]: missing key 'type' (sink, pipe or smpp)");
	load_one_error("[connector a]\ntype = http\n", 2,
	    "type: 'http' is not one of sink, pipe, smpp");
	load_one_error("[connector a]\ntype = sink\nhost = x\n", 3,
	    "key 'host' is not for a connector of type sink");
	load_one_error("[connector a]\ncommand = /bin/true\ntype = smpp\n"
	    "host = h\nsystem_id = s\n", 2,
	    "key 'command' is not for a connector of type smpp");
	load_one_error("[connector a]\ntype = pipe\n", 1,
	    "missing key 'command' (required for type pipe)");
	load_one_error("[connector a]\nfoo = 1\ntype = sink\n", 2,
	    "unknown key 'foo' in [connector a]");
	load_one_error("[connector bad!name]\ntype = sink\n", 1,
	    "bad connector name 'bad!name'");
	load_one_error("[connector]\ntype = sink\n", 1,
	    "section [connector] needs a name");
	load_one_error("[connector a]\ntype = sink\ndelay = 0.1234\n", 3,
	    "delay: '0.1234' has more than 3 decimals");
	load_one_error("[connector a]\ntype = sink\nundeliv_percent = 100.5\n",
	    3, "undeliv_percent: 100.5 is out of range 0..100");
	load_one_error("[connector a]\ntype = sink\nundeliv_percent = 1.25\n",
	    3, "has more than 1 decimal");
	load_one_error("[connector a]\ntype = sink\ndelay = .5\n", 3,
	    "delay: '.5' is not a number");
	load_one_error("[connector a]\ntype = smpp\nhost = h\nsystem_id = s\n"
	    "reconnect_min = 100\nreconnect_max = 10\n", 6,
	    "reconnect_min (100) is greater than reconnect_max (10)");
	load_one_error("[connector a]\ntype = smpp\nbind = receiver\nhost = h\n"
	    "system_id = s\n", 3, "bind: 'receiver' is not one of");
	load_one_error("[connector a]\ntype = pipe\ncommand = /bin/x \"a b\n",
	    3, "command: unterminated \" quote");
	load_one_error("[connector a]\ntype = pipe\ncommand = /bin/x a\\\n",
	    3, "command: backslash at the end");
	load_one_error("[connector a]\ntype = pipe\ncommand = a b c d e f g h "
	    "i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7\n", 3,
	    "command: more than 32 words");

	ck_assert_int_eq(load(&c, "[connector a]\ntype = smpp\n"), 2);
	expect_err(0, 1, "missing key 'host' (required for type smpp)");
	expect_err(1, 1, "missing key 'system_id' (required for type smpp)");
	conf_free(&c);
}
END_TEST

START_TEST(test_secrecy)
{
	static const char	*smpp = "[connector up]\ntype = smpp\n"
				    "host = h\nsystem_id = s\npassword = pw\n";
	static const char	*sink = "[connector s]\ntype = sink\n";
	struct conf		 c;
	char			 text[256];
	struct group		*gr;
	gid_t			 mine = getegid();

	ck_assert_int_eq(load_mode(&c, smpp, 0644), 1);
	expect_err(0, 1, "[connector up]: it holds upstream passwords");
	ck_assert_ptr_nonnull(strstr(errs[0], "open to others"));
	ck_assert_ptr_nonnull(strstr(errs[0], "mode 0644"));
	ck_assert_ptr_nonnull(strstr(errs[0], "chmod 600"));
	conf_free(&c);
	/* Group-readable: only by the daemon's group (the file's is ours). */
	ck_assert_int_eq(load_mode(&c, smpp, 0640), 1);
	ck_assert_ptr_nonnull(strstr(errs[0], "a group other than"));
	conf_free(&c);
	ck_assert_ptr_nonnull(gr = getgrgid(mine));
	snprintf(text, sizeof(text), "[smpp-server]\ngroup = %s\n%s",
	    gr->gr_name, smpp);
	ck_assert_int_eq(load_mode(&c, text, 0640), 0);
	conf_free(&c);
	ck_assert_int_ge(load_mode(&c, text, 0660), 1);
	conf_free(&c);
	ck_assert_int_eq(load_mode(&c, smpp, 0600), 0);
	conf_free(&c);
	ck_assert_int_eq(load_mode(&c, smpp, 0400), 0);
	conf_free(&c);
	ck_assert_int_eq(load_mode(&c, sink, 0644), 0);
	conf_free(&c);
}
END_TEST

/*
 * Read by root, the file is root's and writable by root alone: the
 * daemon's user must not be able to name the user root drops to, or the
 * programs smppconn runs.  Without the check, each of these loads.
 */
START_TEST(test_root_owns)
{
	static const char	*sink = "[connector s]\ntype = sink\n";
	struct passwd		*pw = getpwnam("nobody");
	struct conf		 c;

	if (geteuid() != 0) {	/* the check is root's alone */
		ck_assert_int_eq(load_mode(&c, sink, 0664), 0);
		conf_free(&c);
		return;
	}
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(load_mode(&c, sink, 0664), 1);
	ck_assert_ptr_nonnull(strstr(errs[0], "owner uid 0, mode 0664: root "
	    "reads this file"));
	conf_free(&c);
	ck_assert_int_eq(load_mode(&c, sink, 0646), 1);
	conf_free(&c);
	/* A file of the daemon's user, even 0600. */
	write_tmp(lastpath, sizeof(lastpath), sink, 0600);
	ck_assert_int_eq(chown(lastpath, pw->pw_uid, pw->pw_gid), 0);
	nerrs = 0;
	ck_assert_int_eq(conf_load(&c, lastpath, report), 1);
	ck_assert_ptr_nonnull(strstr(errs[0], "chown root"));
	unlink(lastpath);
	conf_free(&c);
	ck_assert_int_eq(load_mode(&c, sink, 0644), 0);
	conf_free(&c);
}
END_TEST

static const char routes_conf[] =
    "[connector uk]\ntype = sink\n"			/* 1-2 */
    "[connector special]\ntype = sink\n"		/* 3-4 */
    "[connector acme_only]\ntype = sink\n"		/* 5-6 */
    "[connector long]\ntype = sink\n"			/* 7-8 */
    "[connector dflt]\ntype = sink\n"			/* 9-10 */
    "[mt-routes]\n"					/* 11 */
    "44 = uk\n"						/* 12 */
    "+4477 = special\n"					/* 13 */
    "4477@acme , beta = acme_only\n"			/* 14 */
    "447712 = long\n"					/* 15 */
    "default = dflt\n"					/* 16 */
    "[mo-routes]\n"					/* 17 */
    "4412 = acme\n"					/* 18 */
    "441234 = beta\n"					/* 19 */
    "src:33 = gamma\n"					/* 20 */
    "src:+3361 = delta\n"				/* 21 */
    "default = omega\n";				/* 22 */

START_TEST(test_routes_parse)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c, routes_conf), 0);
	ck_assert_int_eq(c.nmt_routes, 5);
	ck_assert_str_eq(c.mt_routes[1].prefix, "4477");
	ck_assert_str_eq(c.mt_routes[1].accounts, "");
	ck_assert_str_eq(c.mt_routes[2].prefix, "4477");
	ck_assert_str_eq(c.mt_routes[2].accounts, "acme,beta");
	ck_assert_str_eq(c.mt_routes[2].target, "acme_only");
	ck_assert_int_eq(c.mt_routes[2].line, 14);
	ck_assert_int_eq(c.mt_routes[4].is_default, 1);
	ck_assert_int_eq(c.nmo_routes, 5);
	ck_assert_int_eq(c.mo_routes[0].by_source, 0);
	ck_assert_int_eq(c.mo_routes[3].by_source, 1);
	ck_assert_str_eq(c.mo_routes[3].prefix, "3361");
	ck_assert_int_eq(c.mo_routes[4].is_default, 1);
	ck_assert_str_eq(c.mo_routes[4].target, "omega");
	conf_free(&c);
}
END_TEST

START_TEST(test_routes_errors)
{
	struct conf	 c;

	load_one_error("[connector a]\ntype = sink\n[mt-routes]\nx44 = a\n", 4,
	    "route 'x44': the prefix must be 1 to 20 digits");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\n"
	    "123456789012345678901 = a\n", 4, "1 to 20 digits");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\n44@ = a\n", 4,
	    "route '44@': bad account list");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\n"
	    "44@.dot = a\n", 4, "bad account list");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\n44 = a\n"
	    "33 = nosuch\n", 5, "route '33': no [connector nosuch]");
	load_one_error("[mt-routes]\ndefault = no/name\n", 2,
	    "'no/name': not a connector name");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\n44 = a\n"
	    "+44 = a\n", 5, "duplicate key '+44' in [mt-routes] (first at "
	    "line 4)");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\n44@acme = a\n"
	    "44@beta,acme = a\n", 5, "duplicate key '44@beta,acme'");
	load_one_error("[connector a]\ntype = sink\n[mt-routes]\ndefault = a\n"
	    "default = a\n", 5, "duplicate key 'default'");
	load_one_error("[mo-routes]\nsrc:x = acme\n", 2, "route 'src:x'");
	load_one_error("[mo-routes]\n44 = bad account\n", 2,
	    "'bad account' is not an account (system_id)");
	load_one_error("[mo-routes]\n44 = .acme\n", 2, "is not an account");
	load_one_error("[mo-routes]\nsrc:44 = a\nsrc:+44 = b\n", 3,
	    "duplicate key 'src:+44' in [mo-routes] (first at line 2)");
	load_one_error("[mo-routes]\n44@acme = a\n", 2, "route '44@acme'");

	/* Disjoint account lists, or source and destination: no clash. */
	ck_assert_int_eq(load(&c, "[connector a]\ntype = sink\n[mt-routes]\n"
	    "44@acme = a\n44@beta = a\n44 = a\n[mo-routes]\n44 = x\n"
	    "src:44 = y\n"), 0);
	conf_free(&c);
}
END_TEST

/* Several connectors: failover tiers, shares, weights, src: keys. */
START_TEST(test_route_hops)
{
	struct conf		 c;
	const struct conf_route	*r;

	ck_assert_int_eq(load(&c, "[connector a]\ntype = sink\n"
	    "[connector b]\ntype = sink\n[connector c]\ntype = sink\n"
	    "[mt-routes]\n44 = a, b , c\n33 = a*3 | b\n"
	    "default = a | b*2, c\nsrc:4470 = c\n"), 0);
	r = &c.mt_routes[0];
	ck_assert_int_eq(r->nhops, 3);
	ck_assert_str_eq(r->hops[1].name, "b");
	ck_assert_int_eq(r->hops[1].tier, 1);
	ck_assert_int_eq(r->hops[2].tier, 2);
	r = &c.mt_routes[1];
	ck_assert_int_eq(r->nhops, 2);
	ck_assert_int_eq(r->hops[0].weight, 3);
	ck_assert_int_eq(r->hops[1].weight, 1);
	ck_assert_int_eq(r->hops[1].tier, 0);
	r = &c.mt_routes[2];
	ck_assert_int_eq(r->hops[1].weight, 2);
	ck_assert_int_eq(r->hops[1].tier, 0);
	ck_assert_int_eq(r->hops[2].tier, 1);
	ck_assert_str_eq(r->target, "a");
	/* Destination first, then source, then default. */
	ck_assert_str_eq(route_mt(&c, "x", "4470123", "4412")->target, "a");
	ck_assert_str_eq(route_mt(&c, "x", "4470123", "4912")->target, "c");
	ck_assert_str_eq(route_mt(&c, "x", "447", "4912")->target, "a");
	conf_free(&c);
}
END_TEST

START_TEST(test_route_hops_errors)
{
	static const char	 head[] = "[connector a]\ntype = sink\n"
				    "[connector b]\ntype = sink\n[mt-routes]\n";
	char			 text[512];
	static const struct {
		const char	*line;
		const char	*what;
	} bad[] = {
		{ "44 = a, nosuch", "route '44': no [connector nosuch]" },
		{ "44 = a,, b", "an empty connector name" },
		{ "44 = a |", "an empty connector name" },
		{ "44 = ,", "an empty connector name" },
		{ "44 = a, b | a", "a connector named twice" },
		{ "44 = a*0 | b", "a weight is NAME*N" },
		{ "44 = a*x", "a weight is NAME*N" },
		{ "44 = a*1001", "a weight is NAME*N" },
		{ "44 = a b", "separated by ',' or '|'" },
	};
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", head, bad[i].line);
		load_one_error(text, 6, bad[i].what);
	}
	load_one_error("[connector a]\ntype = smpp\nhost = h\n"
	    "system_id = s\ntransient_errors = 0x0B, junk\n", 1,
	    "error lists");
}
END_TEST

START_TEST(test_route_mt)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c, routes_conf), 0);
	ck_assert_str_eq(route_mt(&c, "x", "SRC", "447712345")->target, "long");
	ck_assert_str_eq(route_mt(&c, "acme", "SRC", "4477999")->target, "acme_only");
	ck_assert_str_eq(route_mt(&c, "beta", "SRC", "+4477999")->target,
	    "acme_only");
	ck_assert_str_eq(route_mt(&c, "gamma", "SRC", "4477999")->target, "special");
	ck_assert_str_eq(route_mt(&c, NULL, "SRC", "4477")->target, "special");
	/* A longer unrestricted prefix beats a shorter restricted one. */
	ck_assert_str_eq(route_mt(&c, "acme", "SRC", "447712000")->target, "long");
	ck_assert_str_eq(route_mt(&c, "x", "SRC", "+4420")->target, "uk");
	ck_assert_str_eq(route_mt(&c, "x", "SRC", "33612")->target, "dflt");
	ck_assert_str_eq(route_mt(&c, "x", "SRC", "")->target, "dflt");
	conf_free(&c);

	ck_assert_int_eq(load(&c, "[connector a]\ntype = sink\n[mt-routes]\n"
	    "44@acme = a\n"), 0);
	ck_assert_ptr_null(route_mt(&c, "x", "SRC", "33612"));
	ck_assert_ptr_null(route_mt(&c, "beta", "SRC", "4412"));
	ck_assert_ptr_nonnull(route_mt(&c, "acme", "SRC", "4412"));
	conf_free(&c);
}
END_TEST

START_TEST(test_route_mo)
{
	struct conf	 c;

	ck_assert_int_eq(load(&c, routes_conf), 0);
	ck_assert_str_eq(route_mo(&c, "999", "+44123456"), "beta");
	ck_assert_str_eq(route_mo(&c, "999", "4412"), "acme");
	ck_assert_str_eq(route_mo(&c, "+33612", "555"), "delta");
	ck_assert_str_eq(route_mo(&c, "3312", "555"), "gamma");
	/* The destination is tried before the source. */
	ck_assert_str_eq(route_mo(&c, "3361", "4412"), "acme");
	ck_assert_str_eq(route_mo(&c, "1", "2"), "omega");
	conf_free(&c);

	ck_assert_int_eq(load(&c, "[mo-routes]\nsrc:33 = a\n"), 0);
	ck_assert_ptr_null(route_mo(&c, "44", "33"));
	ck_assert_str_eq(route_mo(&c, "33", "44"), "a");
	conf_free(&c);
}
END_TEST

START_TEST(test_dump_reload)
{
	static const char	*text =
	    "[smpp-server]\nid = \" padded \"\nbind = 127.0.0.1:2776 [::1]\n"
	    "port = 2777\nlog_level = 25\nlog_file = /tmp/s.log\n"
	    "log_date_format = '%H'\nlog_privacy = yes\nuser = nobody\n"
	    "[spool]\nsync = no\nretry_max = 7200\n"
	    "[userdb]\nledger = /tmp/l\n"
	    "[smppconn]\nlog_level = CRITICAL\n"
	    "[connector s]\ntype = sink\ndelay = 0.25\nundeliv_percent = 0.5\n"
	    "[connector p]\ntype = pipe\ncommand = /bin/sh -c 'exit 75'\n"
	    "[connector up]\ntype = smpp\nhost = h\nsystem_id = gw\n"
	    "password = hush\nbind = tx+rx\n"
	    "[mt-routes]\n44@acme,beta = up\n4477 = p\ndefault = s\n"
	    "[mo-routes]\nsrc:33 = acme\n44 = beta\ndefault = gamma\n";
	struct conf		 a, b;
	char			*da, *db, path[64];

	ck_assert_int_eq(load(&a, text), 0);
	da = dump_text(&a);
	ck_assert_ptr_null(strstr(da, "hush"));
	ck_assert_ptr_nonnull(strstr(da, "password = ********\n"));
	ck_assert_ptr_nonnull(strstr(da, "id = \" padded \"\n"));
	ck_assert_ptr_nonnull(strstr(da, "delay = 0.25\n"));

	write_tmp(path, sizeof(path), da, 0600);
	nerrs = 0;
	ck_assert_int_eq(conf_load(&b, path, report), 0);
	unlink(path);
	db = dump_text(&b);
	ck_assert_str_eq(da, db);

	ck_assert_str_eq(b.server.id, " padded ");
	ck_assert_int_eq(b.server.nlisten, 2);
	ck_assert_int_eq(b.server.listen[1].port, 2777);
	ck_assert_int_eq(b.server.log_level, 25);
	ck_assert_int_eq(b.conn.log_level, LOGL_CRITICAL);
	ck_assert_str_eq(b.conn.log_file, "/tmp/s.log");
	ck_assert_int_eq(b.connectors[0].delay_ms, 250);
	ck_assert_int_eq(b.connectors[0].undeliv_permille, 5);
	ck_assert_int_eq(b.connectors[1].argc, 3);
	ck_assert_str_eq(b.connectors[1].argv[2], "exit 75");
	ck_assert_int_eq(b.connectors[2].bind_mode, BIND_MODE_TX_RX);
	ck_assert_str_eq(b.connectors[2].password, "********");
	ck_assert_int_eq(b.nmt_routes, 3);
	ck_assert_str_eq(b.mt_routes[0].accounts, "acme,beta");
	ck_assert_int_eq(b.nmo_routes, 3);
	ck_assert_int_eq(b.mo_routes[0].by_source, 1);
	free(da);
	free(db);
	conf_free(&a);
	conf_free(&b);
}
END_TEST

START_TEST(test_ledger_path)
{
	struct conf	 c;
	char		 buf[64], tiny[8];

	ck_assert_int_eq(load(&c, "[userdb]\npath = /x/users.db\n"), 0);
	ck_assert_str_eq(conf_ledger_path(&c, buf, sizeof(buf)),
	    "/x/users.db.ledger");
	ck_assert_ptr_null(conf_ledger_path(&c, tiny, sizeof(tiny)));
	conf_free(&c);
	ck_assert_int_eq(load(&c, "[userdb]\nledger = /y/l\n"), 0);
	ck_assert_str_eq(conf_ledger_path(&c, buf, sizeof(buf)), "/y/l");
	conf_free(&c);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc;

	tc = tcase_create("load");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_jasmin_verbatim);
	tcase_add_test(tc, test_jasmin_uncommented);
	tcase_add_test(tc, test_sample_conf);
	tcase_add_test(tc, test_all_keys);
	tcase_add_test(tc, test_smppconn_inherits_logging);
	tcase_add_test(tc, test_quoted_values);
	tcase_add_test(tc, test_bind_lists);
	tcase_add_test(tc, test_dump_reload);
	tcase_add_test(tc, test_ledger_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_unknown_key);
	tcase_add_test(tc, test_err_unknown_section);
	tcase_add_test(tc, test_err_bad_number);
	tcase_add_test(tc, test_err_out_of_range);
	tcase_add_test(tc, test_err_bad_boolean);
	tcase_add_test(tc, test_err_duplicate_key);
	tcase_add_test(tc, test_err_duplicate_section);
	tcase_add_test(tc, test_err_missing_equals);
	tcase_add_test(tc, test_err_before_section);
	tcase_add_test(tc, test_err_log_settings);
	tcase_add_test(tc, test_err_too_long);
	tcase_add_test(tc, test_err_many);
	tcase_add_test(tc, test_err_cannot_open);
	tcase_add_test(tc, test_dump_trailing_cr);
	suite_add_tcase(s, tc);

	tc = tcase_create("connectors");
	tcase_add_test(tc, test_connector_sink);
	tcase_add_test(tc, test_connector_pipe);
	tcase_add_test(tc, test_connector_pipe_many);
	tcase_add_test(tc, test_connector_smpp);
	tcase_add_test(tc, test_connector_errors);
	tcase_add_test(tc, test_secrecy);
	tcase_add_test(tc, test_root_owns);
	suite_add_tcase(s, tc);

	tc = tcase_create("routes");
	tcase_add_test(tc, test_routes_parse);
	tcase_add_test(tc, test_routes_errors);
	tcase_add_test(tc, test_route_mt);
	tcase_add_test(tc, test_route_hops);
	tcase_add_test(tc, test_route_hops_errors);
	tcase_add_test(tc, test_route_mo);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(conf_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
