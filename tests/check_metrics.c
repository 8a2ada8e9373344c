/*
 * check_metrics.c - the operations interfaces against a running smppd
 * and smppconn: per-account counters (connects, bind failures by
 * reason, submits by outcome, deliver_sm), smppq stats -p checked line
 * by line against the exposition format, smppq metrics served over a
 * real TCP connection with this test playing inetd, smppq check's
 * exit statuses and perfdata, and the connectors' state in both, with
 * smppconn running, stopped (its state stale), without a state file
 * and killed
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "connstate.h"
#include "harness.h"
#include "pdu.h"

static struct th	 T;
static char		 out[256 * 1024], err[4096];

/* Write text into T.dir/name, with mode; its path into path. */
static void
put_file(char *path, size_t len, const char *name, mode_t mode,
    const char *text)
{
	FILE	*fp;

	snprintf(path, len, "%s/%s", T.dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
start(void)
{
	char	 path[700];

	th_init(&T, "metrics");
	/* A connector that always says "try later" (sendmail's 75). */
	put_file(path, sizeof(path), "later.sh", 0755, "#!/bin/sh\nexit 75\n");
	/* And one whose upstream does not listen: never up. */
	snprintf(T.sections, sizeof(T.sections),
	    "[connector sink]\ntype = sink\n\n"
	    "[connector later]\ntype = pipe\ncommand = %s\n\n"
	    "[connector dead]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gw\npassword = gwsecret\n\n"
	    "[mt-routes]\n45 = later\ndefault = sink\n", path,
	    th_free_port());
	strlcpy(T.spool_keys, "retry_min = 3600\n", sizeof(T.spool_keys));
	th_user(&T, "acme", "secret", NULL);
	th_user(&T, "off", "secret", "enabled=no", NULL);
	th_user(&T, "txonly", "secret", "binds=tx", NULL);
	th_user(&T, "single", "secret", "max_bindings=1", NULL);
	th_user(&T, "poor", "secret", "balance=0", NULL);
	th_user(&T, "far", "secret", "networks=10.0.0.0/8", NULL);
	th_start(&T);
	th_start_conn(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

static int
q(const char *a, const char *b, const char *c, const char *d)
{
	return th_run_io(NULL, out, sizeof(out), err, sizeof(err), "smppq",
	    "-c", T.conf, a, b, c, d, (char *)NULL);
}

/* The value of the sample written exactly as want (name{labels}). */
static long long
value(const char *want)
{
	char		 line[512];
	const char	*p;
	size_t		 n = strlen(want);

	for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, want, n) == 0 && p[n] == ' ')
			return atoll(p + n + 1);
	}
	snprintf(line, sizeof(line), "%s", want);
	ck_abort_msg("no sample %s in:\n%.2000s", line, out);
	return -1;
}

/* Counters read after a PDU the test cannot wait for otherwise. */
static void
wait_value(const char *sample, long long want)
{
	int	 i;

	for (i = 0; i < 500; i++) {
		ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
		if (strstr(out, sample) != NULL && value(sample) == want)
			return;
		usleep(10000);
	}
	ck_abort_msg("%s never %lld", sample, want);
}

/*
 * The exposition, line by line: every family opened by # HELP then
 * # TYPE, once; every sample of the family just opened (a histogram's
 * _bucket, _sum and _count too); counters end in _total.
 */
static void
check_format(const char *text)
{
	static char	 seen[64 * 1024];
	char		 fam[128] = "", type[32] = "";
	char		 name[128], key[140];
	const char	*p, *e;
	size_t		 n;

	strlcpy(seen, " ", sizeof(seen));
	for (p = text; *p != '\0'; p = e + 1) {
		ck_assert_ptr_nonnull(e = strchr(p, '\n'));
		if (strncmp(p, "# HELP ", 7) == 0) {
			ck_assert_int_eq(sscanf(p + 7, "%127s", fam), 1);
			ck_assert_msg(e - p > (long)strlen(fam) + 8 &&
			    strncmp(p + 8 + strlen(fam), "(null)", 6) != 0,
			    "empty HELP for %s", fam);
			snprintf(key, sizeof(key), " %s ", fam);
			ck_assert_msg(strstr(seen, key) == NULL,
			    "family %s twice", fam);
			strlcat(seen, key + 1, sizeof(seen));
			p = e + 1;
			ck_assert_ptr_nonnull(e = strchr(p, '\n'));
			ck_assert_int_eq(sscanf(p, "# TYPE %127s %31s", name,
			    type), 2);
			ck_assert_str_eq(name, fam);
			ck_assert_msg(strcmp(type, "counter") != 0 ||
			    strstr(fam, "_total") != NULL, "%s", fam);
			continue;
		}
		ck_assert_msg(*p != '#', "stray comment %.40s", p);
		n = strcspn(p, "{ ");
		ck_assert_msg(fam[0] != '\0' && strncmp(p, fam,
		    strlen(fam)) == 0, "sample %.60s outside its family", p);
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (strcmp(type, "histogram") == 0)
			ck_assert_msg(strcmp(name + strlen(fam), "_bucket") ==
			    0 || strcmp(name + strlen(fam), "_sum") == 0 ||
			    strcmp(name + strlen(fam), "_count") == 0, "%s",
			    name);
		else
			ck_assert_str_eq(name, fam);
		ck_assert_msg(strstr(p, "server=\"") != NULL, "%.60s", p);
	}
}

static uint32_t
bind_as(uint32_t cmd, const char *user, const char *pw, struct tc *c)
{
	tc_connect(c, T.port);
	return tc_bind(c, cmd, user, pw);
}

START_TEST(test_account_counters)
{
	struct pdu	 p;
	struct tc	 c, d;
	char		 id[PDU_MESSAGE_ID_MAX];

	start();
	/* Refusals, each on its own connection. */
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "acme", "wrong", &c),
	    ESME_RINVPASWD);
	tc_close(&c);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "nobody", "x", &c),
	    ESME_RINVPASWD);
	tc_close(&c);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "off", "secret", &c),
	    ESME_RINVPASWD);
	tc_close(&c);
	ck_assert_uint_eq(bind_as(SMPP_BIND_RECEIVER, "txonly", "secret", &c),
	    ESME_RBINDFAIL);
	tc_close(&c);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "single", "secret",
	    &d), ESME_ROK);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "single", "secret",
	    &c), ESME_RBINDFAIL);
	tc_close(&c);
	tc_close(&d);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "far", "secret", &c),
	    ESME_RBINDFAIL);
	tc_close(&c);
	/* Submits: accepted, refused for credit, on one connection. */
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSCEIVER, "acme", "secret", &c),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4477", "hello", 1, id),
	    ESME_ROK);
	ck_assert_uint_eq(tc_deliver(&c, 5000), 1);	/* its receipt */
	/* The child counts the answer to it when it reads it. */
	wait_value("smppd_account_deliver_sm_ack_total"
	    "{server=\"smpps_01\",account=\"acme\"}", 1);
	pdu_init(&p, SMPP_UNBIND, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_UNBIND_RESP, 5000), ESME_ROK);
	ck_assert(tc_closed(&c, 5000));
	pdu_free(&p);
	tc_close(&c);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "poor", "secret", &c),
	    ESME_ROK);
	ck_assert_uint_ne(tc_submit(&c, "POOR", "4477", "hello", id),
	    ESME_ROK);
	tc_close(&c);

	ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
	check_format(out);
	ck_assert_int_eq(value("smppd_account_bind_fail_password_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_account_connect_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 2);
	ck_assert_int_eq(value("smppd_account_bind_tx_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_account_bind_trx_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_bind_fail_unknown_total"
	    "{server=\"smpps_01\"}"), 1);
	ck_assert_int_eq(value("smppd_account_bind_fail_disabled_total"
	    "{server=\"smpps_01\",account=\"off\"}"), 1);
	ck_assert_int_eq(value("smppd_account_bind_fail_type_total"
	    "{server=\"smpps_01\",account=\"txonly\"}"), 1);
	ck_assert_int_eq(value("smppd_account_bind_fail_max_bindings_total"
	    "{server=\"smpps_01\",account=\"single\"}"), 1);
	ck_assert_int_eq(value("smppd_account_connect_total"
	    "{server=\"smpps_01\",account=\"single\"}"), 2);
	ck_assert_int_eq(value("smppd_account_bind_fail_network_total"
	    "{server=\"smpps_01\",account=\"far\"}"), 1);
	ck_assert_int_eq(value("smppd_bind_fail_total{server=\"smpps_01\"}"),
	    6);
	ck_assert_int_eq(value("smppd_account_unbind_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_account_bind_fail_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_account_submit_sm_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_account_submit_sm_credit_error_total"
	    "{server=\"smpps_01\",account=\"poor\"}"), 1);
	ck_assert_int_eq(value("smppd_account_deliver_sm_total"
	    "{server=\"smpps_01\",account=\"acme\"}"), 1);
	ck_assert_int_eq(value("smppd_commit_latency_seconds_count"
	    "{server=\"smpps_01\"}"), 1);
	ck_assert_int_eq(value("smppd_commit_latency_seconds_bucket"
	    "{server=\"smpps_01\",le=\"+Inf\"}"), 1);
	ck_assert_int_eq(value("smppd_process_up"
	    "{server=\"smpps_01\",program=\"smppconn\"}"), 1);
	/* The same names in text and JSON. */
	ck_assert_int_eq(q("stats", NULL, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "bind_fail_max_bindings_count"));
	ck_assert_ptr_nonnull(strstr(out, "submit_sm_credit_error_count"));
	ck_assert_int_eq(q("-j", "stats", NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"bind_fail_password_count\": 1"));
}
END_TEST

/* Label values escaped: a server id with a quote and a backslash. */
START_TEST(test_escape)
{
	char	 conf[700], text[2048];

	th_init(&T, "metrics");
	snprintf(text, sizeof(text), "[smpp-server]\nid = 'a\"b\\c'\n"
	    "run_dir = %s\npid_file = \n[spool]\ndir = %s\n[smppconn]\n"
	    "pid_file = \n", T.dir, T.spool);
	put_file(conf, sizeof(conf), "odd.conf", 0600, text);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", conf, "stats", "-p", (char *)NULL), 0);
	check_format(out);
	ck_assert_int_eq(value("smppd_scoreboard_up{server=\"a\\\"b\\\\c\"}"),
	    0);
}
END_TEST

/* Play inetd: accept one connection, run smppq metrics on it. */
static size_t
http(const char *req, size_t len, char *resp, size_t cap)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	struct pollfd		 pfd;
	char			 path[600];
	size_t			 got = 0;
	ssize_t			 n;
	pid_t			 pid;
	int			 lfd, cfd, afd, st, one = 1;

	ck_assert_int_ge(lfd = socket(AF_INET, SOCK_STREAM, 0), 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_ge(cfd = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_int_ge(afd = accept(lfd, NULL, NULL), 0);
	close(lfd);
	snprintf(path, sizeof(path), "%s/smppq", th_bindir);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		dup2(afd, 0);
		dup2(afd, 1);
		close(afd);
		close(cfd);
		execl(path, "smppq", "-c", T.conf, "metrics", (char *)NULL);
		_exit(127);
	}
	close(afd);
	ck_assert_int_eq(write(cfd, req, len), (ssize_t)len);
	pfd.fd = cfd;
	pfd.events = POLLIN;
	while (got < cap - 1 && poll(&pfd, 1, 20000) == 1 &&
	    (n = read(cfd, resp + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	resp[got] = '\0';
	close(cfd);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return got;
}

static size_t
hget(const char *req, char *resp, size_t cap)
{
	return http(req, strlen(req), resp, cap);
}

START_TEST(test_metrics_http)
{
	static const char	 get[] = "GET /metrics HTTP/1.1\r\n"
	    "Host: localhost:9275\r\nAccept: text/plain\r\n\r\n";
	static char		 big[9000];
	char			*body;
	size_t			 n;

	start();
	n = http(get, sizeof(get) - 1, out, sizeof(out));
	ck_assert_msg(strncmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0, "%.200s",
	    out);
	ck_assert_ptr_nonnull(strstr(out, "Content-Type: text/plain; "
	    "version=0.0.4"));
	ck_assert_ptr_nonnull(body = strstr(out, "\r\n\r\n"));
	body += 4;
	ck_assert_int_eq(atol(strstr(out, "Content-Length: ") + 16),
	    (long)(n - (size_t)(body - out)));
	check_format(body);
	ck_assert_ptr_nonnull(strstr(body, "smppd_connect_total{"));
	/* HTTP/1.0, a query string: the same. */
	hget("GET /metrics?x=1 HTTP/1.0\n\n", out, sizeof(out));
	ck_assert(strncmp(out, "HTTP/1.1 200 ", 13) == 0);
	hget("HEAD /metrics HTTP/1.0\r\n\r\n", out, sizeof(out));
	ck_assert(strncmp(out, "HTTP/1.1 200 ", 13) == 0);
	ck_assert_str_eq(strstr(out, "\r\n\r\n"), "\r\n\r\n");
	hget("GET / HTTP/1.1\r\n\r\n", out, sizeof(out));
	ck_assert(strncmp(out, "HTTP/1.1 404 ", 13) == 0);
	hget("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", out,
	    sizeof(out));
	ck_assert(strncmp(out, "HTTP/1.1 405 ", 13) == 0);
	ck_assert_ptr_nonnull(strstr(out, "Allow: GET, HEAD\r\n"));
	hget("GET /metrics SMTP/1.0\r\n\r\n", out, sizeof(out));
	ck_assert(strncmp(out, "HTTP/1.1 400 ", 13) == 0);
	/* A head past the bound, never ended: refused, not waited for. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "GET /", 5);
	http(big, sizeof(big), out, sizeof(out));
	ck_assert(strncmp(out, "HTTP/1.1 400 ", 13) == 0);
}
END_TEST

static int
check(const char *a, const char *b, const char *c, const char *d)
{
	return th_run_io(NULL, out, sizeof(out), err, sizeof(err), "smppq",
	    "-c", T.conf, "check", a, b, c, d, (char *)NULL);
}

START_TEST(test_check)
{
	struct tc	 c;
	char		 id[PDU_MESSAGE_ID_MAX];

	start();
	ck_assert_int_eq(check(NULL, NULL, NULL, NULL), 0);
	ck_assert_msg(strncmp(out, "SMPPD OK - 0 waiting", 20) == 0, "%s",
	    out);
	ck_assert_ptr_nonnull(strstr(out, "| waiting=0;;;0;"));
	ck_assert_ptr_nonnull(strstr(out, " smppd=1;;;0;1"));
	ck_assert_int_eq(check("-w", "age=x", NULL, NULL), 3);
	ck_assert(strncmp(out, "SMPPD UNKNOWN - ", 16) == 0);
	ck_assert_int_eq(check("extra", NULL, NULL, NULL), 3);
	ck_assert_int_eq(check("-w", "free=101%", NULL, NULL), 3);
	/* A receipt waits for acme, who is not bound. */
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "acme", "secret", &c),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4477", "hi", 1, id),
	    ESME_ROK);
	tc_close(&c);
	/* Settled upstream: only the receipt waits. */
	wait_value("smppd_queue_messages{server=\"smpps_01\","
	    "state=\"out\"}", 1);
	wait_value("smppd_queue_messages{server=\"smpps_01\","
	    "state=\"active\"}", 0);
	ck_assert_int_eq(check("-w", "depth=0", "-c", "depth=5,free=0%"), 1);
	ck_assert_msg(strncmp(out, "SMPPD WARNING - 1 waiting > 0; ", 31) == 0,
	    "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "waiting=1;0;5;0;"));
	ck_assert_int_eq(check("-c", "depth=0", NULL, NULL), 2);
	/* Queues by state and by connector. */
	ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
	ck_assert_int_eq(value("smppd_queue_messages{server=\"smpps_01\","
	    "state=\"out\"}"), 1);
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "acme", "secret", &c),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "ACME", "4500", "later", id),
	    ESME_ROK);
	tc_close(&c);
	wait_value("smppd_connector_queue_messages{server=\"smpps_01\","
	    "connector=\"later\",state=\"deferred\"}", 1);
	ck_assert_int_eq(value("smppd_connector_queue_messages"
	    "{server=\"smpps_01\",connector=\"sink\",state=\"deferred\"}"),
	    0);
	ck_assert_int_eq(value("smppd_queue_messages{server=\"smpps_01\","
	    "state=\"deferred\"}"), 1);
	th_kill_conn(&T, SIGTERM);
	ck_assert(th_wait_exit(T.connpid, 5000, NULL));
	T.connpid = 0;
	ck_assert_int_eq(check("-p", "smppd", NULL, NULL), 0);
	ck_assert_int_eq(check(NULL, NULL, NULL, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "smppconn not running"));
	ck_assert_ptr_nonnull(strstr(out, " smppconn=0;;;0;1"));
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", "/nonexistent/smppd.conf", "check", (char *)NULL),
	    3);
}
END_TEST

/* Rewrite smppconn's state file (smppconn stopped) as written ago s. */
static void
age_state(int ago)
{
	char	 path[700], tmp[720], line[1024];
	FILE	*in, *o;
	int64_t	 wall;
	long	 pid;

	snprintf(path, sizeof(path), "%s/%s", T.spool, CONNSTATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.test", path);
	ck_assert_ptr_nonnull(in = fopen(path, "r"));
	ck_assert_ptr_nonnull(o = fopen(tmp, "w"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), in));
	ck_assert_int_eq(connstate_parse_header(line, &wall, &pid), 0);
	ck_assert_int_eq(connstate_header(o, wall - ago, pid), 0);
	while (fgets(line, sizeof(line), in) != NULL)
		fputs(line, o);
	fclose(in);
	ck_assert_int_eq(fclose(o), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

#define CONN(n, c)	"smppd_connector_" n "{server=\"smpps_01\"," \
			    "connector=\"" c "\"}"
#define FAIL(c, k)	"smppd_connector_failures_total{server=\"smpps_01\"," \
			    "connector=\"" c "\",class=\"" k "\"}"
#define AGE		"smppd_connector_state_age_seconds{server=\"smpps_01\"}"

START_TEST(test_connectors)
{
	struct tc	 c;
	char		 id[PDU_MESSAGE_ID_MAX], want[64], path[700];
	long long	 down;
	int		 i;

	start();
	ck_assert_uint_eq(bind_as(SMPP_BIND_TRANSMITTER, "acme", "secret", &c),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "ACME", "4477", "sink", id), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "ACME", "4500", "later", id),
	    ESME_ROK);
	tc_close(&c);
	wait_value(CONN("ok_total", "sink"), 1);
	wait_value(FAIL("later", "transient"), 1);
	check_format(out);
	ck_assert_int_eq(value(CONN("up", "sink")), 1);
	ck_assert_int_eq(value(CONN("sent_total", "sink")), 1);
	ck_assert_int_eq(value(FAIL("sink", "permanent")), 0);
	ck_assert_int_eq(value(CONN("sent_total", "later")), 1);
	ck_assert_int_eq(value(CONN("ok_total", "later")), 0);
	ck_assert_int_gt(value(CONN("last_error_timestamp_seconds", "later")),
	    0);
	/* The upstream that does not listen: down, a bind configured. */
	ck_assert_int_eq(value(CONN("up", "dead")), 0);
	ck_assert_int_eq(value(CONN("sessions", "dead")), 0);
	ck_assert_int_eq(value(CONN("configured_sessions", "dead")), 1);
	/* Its refused connections are its last error. */
	for (i = 0; i < 500 && value(CONN("last_error_timestamp_seconds",
	    "dead")) <= 0; i++) {
		usleep(10000);
		ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
	}
	ck_assert_int_gt(value(CONN("last_error_timestamp_seconds", "dead")),
	    0);
	ck_assert_int_le(value(AGE), CONNSTATE_STALE);
	/* later may be held down after its failure: count as the gauge. */
	down = 2 - value(CONN("up", "later"));

	ck_assert_int_eq(check("-c", "down=0", NULL, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "connectors down > 0"));
	snprintf(want, sizeof(want), " connectors_down=%lld;;0;0;3 ", down);
	ck_assert_msg(strstr(out, want) != NULL, "%s", out);
	ck_assert_int_eq(check("-w", "down=0", "-c", "down=3"), 1);
	ck_assert_int_eq(check("-c", "down=2", NULL, NULL), 0);

	/* Stopped: the state is stale though the process holds its lock. */
	th_kill_conn(&T, SIGSTOP);
	age_state(100);
	ck_assert_int_eq(check("-c", "down=3", NULL, NULL), 2);
	ck_assert_msg(strstr(out, "smppconn state 10") != NULL, "%s", out);
	ck_assert_int_eq(check("-p", "smppd", "-c", "down=3"), 0);
	ck_assert_int_eq(check("-p", "smppd", "-c", "down=2"), 2);
	ck_assert_ptr_nonnull(strstr(out, "3 connectors down > 2"));
	ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
	ck_assert_int_eq(value(CONN("up", "sink")), 0);
	ck_assert_int_eq(value(CONN("ok_total", "sink")), 1);
	ck_assert_int_ge(value(AGE), 100);
	/* No state file while smppconn runs: unknown, if asked. */
	snprintf(path, sizeof(path), "%s/%s", T.spool, CONNSTATE_FILE);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(check("-w", "down=3", NULL, NULL), 3);
	ck_assert_ptr_nonnull(strstr(out, "no connector state yet"));
	ck_assert_int_eq(check(NULL, NULL, NULL, NULL), 0);
	ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
	ck_assert_int_eq(value(CONN("up", "dead")), 0);
	ck_assert_ptr_null(strstr(out, AGE));
	th_kill_conn(&T, SIGCONT);
	wait_value(CONN("up", "sink"), 1);

	/* Killed: its last state stays, nothing up. */
	th_kill_conn(&T, SIGKILL);
	ck_assert_int_eq(q("stats", "-p", NULL, NULL), 0);
	ck_assert_int_eq(value(CONN("up", "sink")), 0);
	ck_assert_int_eq(value(CONN("ok_total", "sink")), 1);
	ck_assert_int_eq(check("-p", "smppd", "-c", "down=2"), 2);
	ck_assert_ptr_nonnull(strstr(out, "3 of 3 connectors down"));
	ck_assert_int_eq(check(NULL, NULL, NULL, NULL), 2);
	ck_assert_ptr_nonnull(strstr(out, "smppconn not running"));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("metrics");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_account_counters);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_metrics_http);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_connectors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
