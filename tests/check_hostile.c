/*
 * check_hostile.c - integration tests of smppd against hostile clients:
 * per-address limits, failed binds and their penalty, one hash for every
 * failure, session deadlines, PROXY headers only from trusted proxies,
 * duplicate TLVs, address lengths and reload safety
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anvil.h"
#include "compat.h"
#include "conf.h"
#include "harness.h"
#include "pdu.h"
#include "sb.h"

static struct th	 T;
static char		 out[256 * 1024], err[4096];

static void
start(const char *keys)
{
	th_init(&T, "hostile");
	strlcpy(T.server_keys, keys, sizeof(T.server_keys));
	th_user(&T, "acme", "secret", "balance=100", "rate=1", NULL);
	th_user(&T, "off", "secret", "enabled=no", NULL);
	th_user(&T, "far", "secret", "networks=10.0.0.0/8", NULL);
	th_start(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

/* Connect from a loopback address of our choice (127.0.0.2: "elsewhere"). */
static void
tc_connect_from(struct tc *c, int port, const char *from)
{
	struct sockaddr_in	 sin;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, from, &sin.sin_addr), 1);
	ck_assert_int_eq(bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	c->seq = 1;
}

/* smppq stats into out; the value of a counter line. */
static long
stat_of(const char *name)
{
	const char	*p;
	size_t		 n = strlen(name);

	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", T.conf, "stats", (char *)NULL), 0);
	for (p = out; (p = strstr(p, name)) != NULL; p += n)
		if ((p == out || p[-1] == '\n') && p[n] == ' ')
			return strtol(p + n, NULL, 10);
	ck_abort_msg("no %s in smppq stats", name);
	return -1;
}

static int
count_in_log(const char *path, const char *what)
{
	char	 line[4096];
	FILE	*fp;
	int	 n = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, what) != NULL)
			n++;
	fclose(fp);
	return n;
}

/* A bind PDU encoded at buf; its length. */
static size_t
bind_pdu(uint8_t *buf, size_t cap, uint32_t seq, const char *user,
    const char *password)
{
	struct pdu	 p;
	int		 n;

	pdu_init(&p, SMPP_BIND_TRANSMITTER, seq);
	p.system_id = user;
	p.password = password;
	p.interface_version = 0x34;
	n = pdu_encode(&p, buf, cap);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* The server closes c (and the connection is closed here); why is logged. */
static void
closed_logged(struct tc *c, const char *why)
{
	ck_assert(tc_closed(c, 5000));
	tc_close(c);
	ck_assert_msg(th_wait_log(T.log, why, 5000), "no \"%s\" logged", why);
}

/* Is the connection still served: 1 when not closed within ms. */
static int
served(struct tc *c, int ms)
{
	return !tc_closed(c, ms);
}

START_TEST(test_connections_per_address)
{
	struct tc	 c[2], d;
	int		 i, ok = 0;

	start("max_connections_per_address = 2\n");
	for (i = 0; i < 2; i++) {
		tc_connect(&c[i], T.port);
		ck_assert_uint_eq(tc_bind(&c[i], SMPP_BIND_TRANSMITTER, "acme",
		    "secret"), ESME_ROK);
	}
	/* A third from the same address is closed at accept. */
	for (i = 0; i < 4; i++) {
		tc_connect(&d, T.port);
		ck_assert(tc_closed(&d, 5000));
		tc_close(&d);
	}
	ck_assert(th_wait_log(T.log, "refusing connections from 127.0.0.1: "
	    "max_connections_per_address", 5000));
	/* Logged once per address and minute, not per attempt. */
	ck_assert_int_eq(count_in_log(T.log, "refusing connections from"), 1);
	ck_assert_int_ge(stat_of("address_refused_count"), 4);
	ck_assert_ptr_nonnull(strstr(out, "127.0.0.1 connections 2 "));
	/* Another address is not held back. */
	tc_connect_from(&d, T.port, "127.0.0.2");
	ck_assert_uint_eq(tc_bind(&d, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	tc_close(&d);
	/* One leaves: room again (once its child is reaped). */
	tc_close(&c[0]);
	for (i = 0; i < 50 && !ok; i++) {
		tc_connect(&d, T.port);
		ok = served(&d, 200);
		tc_close(&d);
	}
	ck_assert(ok);
	tc_close(&c[1]);
}
END_TEST

START_TEST(test_connection_rate)
{
	struct tc	 d;
	int		 i;

	start("connection_rate_per_address = 3\n");
	for (i = 0; i < 3; i++) {
		tc_connect(&d, T.port);
		ck_assert_uint_eq(tc_bind(&d, SMPP_BIND_TRANSMITTER, "acme",
		    "secret"), ESME_ROK);
		tc_close(&d);
	}
	tc_connect(&d, T.port);
	closed_logged(&d, "connection_rate_per_address");
}
END_TEST

/* max_bind_failures (3) wrong passwords on one connection: closed. */
START_TEST(test_bind_failures_close)
{
	struct tc	 c;
	int		 i;

	start("");
	tc_connect(&c, T.port);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
		    "guess"), ESME_RINVPASWD);
		if (i < 2)
			ck_assert(served(&c, 200));
	}
	ck_assert(tc_closed(&c, 5000));
	ck_assert(th_wait_log(T.log, "too many failed binds", 5000));
	tc_close(&c);
}
END_TEST

/*
 * A guesser's address is penalized before any hash: pipelined guesses
 * (and even the right password) from it cost one hash in all; new
 * connections from it are refused at accept; the owner binds from
 * elsewhere all the same.
 */
START_TEST(test_penalty_before_hash)
{
	uint8_t		 buf[2048];
	struct tc	 c, d;
	size_t		 len = 0;
	uint32_t	 i;

	start("bind_failure_rate_per_address = 1\nmax_bind_failures = 8\n");
	for (i = 1; i <= 5; i++)
		len += bind_pdu(buf + len, sizeof(buf) - len, i, "acme",
		    "guess");
	len += bind_pdu(buf + len, sizeof(buf) - len, 6, "acme", "secret");
	tc_connect(&c, T.port);
	tc_send_raw(&c, buf, len);
	for (i = 1; i <= 6; i++)
		ck_assert_uint_eq(tc_expect(&c, SMPP_BIND_TRANSMITTER_RESP,
		    5000), ESME_RINVPASWD);
	ck_assert_int_eq(stat_of("password_hash_count"), 1);
	ck_assert(th_wait_log(T.log, "address penalized for failed binds",
	    5000));
	/* A new connection from there: closed before anything is read. */
	tc_connect(&d, T.port);
	closed_logged(&d, "failed binds (penalty)");
	/* The owner, elsewhere: served, one hash. */
	tc_connect_from(&d, T.port, "127.0.0.2");
	ck_assert_uint_eq(tc_bind(&d, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	ck_assert_int_eq(stat_of("password_hash_count"), 2);
	ck_assert_ptr_nonnull(strstr(out, "127.0.0.1 connections"));
	tc_close(&d);
	tc_close(&c);
}
END_TEST

/*
 * Unknown user, wrong password, empty password, disabled account: the
 * same status and one hash each, from the first bind of a fresh child.
 */
START_TEST(test_one_hash_each)
{
	static const char *const tries[][2] = {
		{ "nobody", "secret" }, { "acme", "wrong" }, { "acme", "" },
		{ "off", "secret" }
	};
	struct tc	 c;
	long		 before;
	size_t		 i;

	start("");
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		before = stat_of("password_hash_count");
		tc_connect(&c, T.port);
		ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER,
		    tries[i][0], tries[i][1]), ESME_RINVPASWD);
		tc_close(&c);
		ck_assert_int_eq(stat_of("password_hash_count") - before, 1);
	}
}
END_TEST

/* A client that sends and never reads is gone within the deadline. */
START_TEST(test_never_reads)
{
	static uint8_t	 buf[64 * 1024];
	struct sockaddr_in sin;
	struct pdu	 p;
	struct tc	 c;
	time_t		 t0;
	size_t		 i;
	size_t		 sent = 0;
	ssize_t		 n;
	int		 small = 4096, fl, stuck = 0;

	start("sessionInitTimerSecs = 1\nresponseTimerSecs = 2\n");
	memset(&c, 0, sizeof(c));
	c.fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c.fd, 0);
	/* A small window, set before connect(2) so that it is offered. */
	setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(T.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(c.fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	fl = fcntl(c.fd, F_GETFL);
	fcntl(c.fd, F_SETFL, fl | O_NONBLOCK);
	/* enquire_link until the server stops reading them. */
	pdu_init(&p, SMPP_ENQUIRE_LINK, 1);
	for (i = 0; i < sizeof(buf) / 16; i++)
		ck_assert_int_eq(pdu_encode(&p, buf + 16 * i, 16), 16);
	t0 = time(NULL);
	while (sent < 64 * 1024 * 1024 && time(NULL) - t0 < 10 && stuck < 200) {
		n = write(c.fd, buf + sent % sizeof(buf), sizeof(buf) -
		    sent % sizeof(buf));
		if (n > 0) {
			sent += (size_t)n;
			stuck = 0;
		} else {
			stuck++;
			usleep(10000);
		}
	}
	ck_assert_int_gt(sent, 1024 * 1024);
	ck_assert(th_wait_log(T.log, "closing session: no bind", 10000));
	ck_assert(th_wait_log(T.log, "dropping the session", 10000));
	ck_assert(th_wait_log(T.log, "session ended", 10000));
	tc_close(&c);
}
END_TEST

/* The voluntary context switches of the master's children, summed. */
static long
children_switches(pid_t master)
{
	char		 path[300], line[512];
	struct dirent	*de;
	DIR		*d;
	FILE		*fp;
	long		 sum = 0, ppid, v;

	ck_assert_ptr_nonnull(d = opendir("/proc"));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		ppid = -1;
		v = 0;
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (strncmp(line, "PPid:", 5) == 0)
				ppid = strtol(line + 5, NULL, 10);
			if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0)
				v = strtol(line + 24, NULL, 10);
		}
		fclose(fp);
		if (ppid == master)
			sum += v;
	}
	closedir(d);
	return sum;
}

START_TEST(test_proxy_untrusted)
{
	const char	*v1 = "PROXY TCP4 10.1.2.3 127.0.0.1 5555 2775\r\n";
	struct tc	 c;
	uint8_t		 buf[256];
	size_t		 len;

	start("proxy_from = 127.0.0.2\n");
	/* From 127.0.0.1, which is no proxy: the header is not believed. */
	tc_connect(&c, T.port);
	len = strlen(v1);
	memcpy(buf, v1, len);
	len += bind_pdu(buf + len, sizeof(buf) - len, 1, "far", "secret");
	tc_send_raw(&c, buf, len);
	closed_logged(&c, "PROXY header from 127.0.0.1");
	ck_assert(!th_log_has(T.log, "bound as"));
	/* From the proxy: believed. */
	tc_connect_from(&c, T.port, "127.0.0.2");
	tc_send_raw(&c, v1, strlen(v1));
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "far", "secret"),
	    ESME_ROK);
	tc_close(&c);
	/* From the proxy without a header: closed. */
	tc_connect_from(&c, T.port, "127.0.0.2");
	tc_send_raw(&c, "\0\0\0\x10\0\0\0\x15\0\0\0\0\0\0\0\1", 16);
	closed_logged(&c, "refused: no PROXY header");
}
END_TEST

START_TEST(test_proxy_required)
{
	struct tc	 c;

	start("proxy_protocol = yes\nproxy_from = 127.0.0.2\n");
	tc_connect(&c, T.port);
	closed_logged(&c, "not from a proxy on proxy_from");
}
END_TEST

/* Half a header: a wait, not a spin; an impossible length: at once. */
START_TEST(test_proxy_partial)
{
	static const uint8_t	 huge[16] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a, 0x21, 0x11, 0xff, 0xff
	};
	struct timespec		 t0, t1;
	struct tc		 c;
	long			 before, ms;

	start("proxy_from = 127.0.0.1\npduReadTimerSecs = 20\n");
	tc_connect(&c, T.port);
	tc_send_raw(&c, "PROXY ", 6);
	usleep(200000);
	before = children_switches(T.pid);
	usleep(1000000);
	/* Polling in 1 ms steps made about 1,000 wake-ups a second. */
	ck_assert_int_lt(children_switches(T.pid) - before, 50);
	tc_close(&c);
	tc_connect(&c, T.port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tc_send_raw(&c, huge, sizeof(huge));
	ck_assert(tc_closed(&c, 10000));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	ck_assert_int_lt(ms, 5000);
	ck_assert(th_wait_log(T.log, "impossible PROXY v2 header", 5000));
	tc_close(&c);
}
END_TEST

/* A standard TLV twice: ESME_RINVOPTPARSTREAM, nothing charged. */
START_TEST(test_duplicate_tlv)
{
	static uint8_t	 big[1600];
	struct tc	 c;
	struct pdu	 p;

	start("");
	memset(big, 'a', sizeof(big));
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.source_addr = "1234";
	p.destination_addr = "4477009001";
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, 0, NULL);
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, sizeof(big), big);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000),
	    ESME_RINVOPTPARSTREAM);
	tc_close(&c);
	ck_assert(th_balance(&T, "acme") == 100.0);
}
END_TEST

static uint32_t
data_sm(struct tc *c, const char *src, const char *dst)
{
	struct pdu	 p;

	pdu_init(&p, SMPP_DATA_SM, 0);
	p.source_addr = src;
	p.destination_addr = dst;
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, 2, "hi");
	tc_send(c, &p);
	return tc_expect(c, SMPP_DATA_SM_RESP, 5000);
}

static void
submit_multi(struct tc *c, const char *a, const char *b)
{
	struct pdu_dest	 d[2];
	struct pdu	 p;

	memset(d, 0, sizeof(d));
	d[0].dest_flag = d[1].dest_flag = 1;
	d[0].addr = a;
	d[1].addr = b;
	pdu_init(&p, SMPP_SUBMIT_MULTI, 0);
	p.source_addr = "1234";
	p.number_of_dests = 2;
	p.dests = d;
	p.short_message = (const uint8_t *)"hi";
	p.sm_length = 2;
	tc_send(c, &p);
	ck_assert_uint_eq(tc_expect(c, SMPP_SUBMIT_MULTI_RESP, 5000),
	    ESME_ROK);
}

START_TEST(test_address_length)
{
	const char	*a20 = "12345678901234567890";
	const char	*a21 = "123456789012345678901";
	struct tc	 c;
	uint32_t	 st;
	int		 i;

	start("");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "1234", a20, "x", NULL), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "1234", a21, "x", NULL),
	    ESME_RINVDSTADR);
	ck_assert_uint_eq(tc_submit(&c, a21, a20, "x", NULL),
	    ESME_RINVSRCADR);
	ck_assert_uint_eq(data_sm(&c, "1234", a21), ESME_RINVDSTADR);
	ck_assert_uint_eq(data_sm(&c, a21, "1234"), ESME_RINVSRCADR);
	submit_multi(&c, a20, a21);
	ck_assert_uint_eq(c.p.no_unsuccess, 1);
	ck_assert_str_eq(c.p.unsuccess[0].addr, a21);
	ck_assert_uint_eq(c.p.unsuccess[0].error_status_code,
	    ESME_RINVDSTADR);
	tc_close(&c);
	/* max_address_length lets longer ones through. */
	strlcpy(T.server_keys, "max_address_length = 30\n",
	    sizeof(T.server_keys));
	th_write_conf(&T);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log(T.log, "configuration reloaded", 5000));
	/* An idle child of the old configuration may take one more. */
	for (i = 0, st = ESME_RINVSRCADR; i < 20 && st != ESME_ROK; i++) {
		tc_connect(&c, T.port);
		ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
		    "secret"), ESME_ROK);
		st = tc_submit(&c, a21, a21, "x", NULL);
		ck_assert(st == ESME_ROK || st == ESME_RINVSRCADR);
		tc_close(&c);
	}
	ck_assert_uint_eq(st, ESME_ROK);
}
END_TEST

/* max_connections 2 -> 40 by reload, then 30 sessions (ASan: no overflow). */
START_TEST(test_reload_grows)
{
	struct tc	*c;
	int		 i;

	start("max_connections = 2\nprefork = 1\n");
	strlcpy(T.server_keys, "max_connections = 40\nprefork = 1\n",
	    sizeof(T.server_keys));
	th_write_conf(&T);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log(T.log, "configuration reloaded", 5000));
	ck_assert_ptr_nonnull(c = calloc(30, sizeof(*c)));
	for (i = 0; i < 30; i++) {
		tc_connect(&c[i], T.port);
		ck_assert_uint_eq(tc_bind(&c[i], SMPP_BIND_TRANSMITTER, "acme",
		    "secret"), ESME_ROK);
	}
	ck_assert_int_eq(stat_of("bound_tx_count"), 30);
	ck_assert_int_eq(kill(T.pid, 0), 0);
	for (i = 0; i < 30; i++)
		tc_close(&c[i]);
	free(c);
}
END_TEST

static int
admit6(const struct conf *c, const char *addr)
{
	struct sockaddr_in6	 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6.sin6_addr), 1);
	return anvil_admit(sb_anvil(), c, (struct sockaddr *)&sin6, 0);
}

/* IPv6 addresses count per /64, or per address_ipv6_prefix. */
START_TEST(test_ipv6_prefix)
{
	char		 path[] = "anvil.XXXXXX";
	struct conf	 c;
	int		 fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	ck_assert_int_eq(sb_open(path, "t", 1), 0);
	conf_defaults(&c);
	c.server.max_connections_per_address = 1;
	ck_assert_int_eq(admit6(&c, "2001:db8::1"), 1);
	ck_assert_int_eq(admit6(&c, "2001:db8::2"), 0);
	ck_assert_int_eq(admit6(&c, "2001:db8:0:0:ffff::9"), 0);
	ck_assert_int_eq(admit6(&c, "2001:db8:0:1::1"), 1);
	c.server.address_ipv6_prefix = 128;
	ck_assert_int_eq(admit6(&c, "2001:db8::3"), 1);
	ck_assert_int_eq(admit6(&c, "2001:db8::3"), 0);
	/* limits_exempt: not counted, not limited. */
	strlcpy(c.server.limits_exempt, "2001:db8::/32",
	    sizeof(c.server.limits_exempt));
	ck_assert_int_eq(admit6(&c, "2001:db8::3"), 1);
	unlink(path);
	conf_free(&c);
}
END_TEST

static Suite *
hostile_suite(void)
{
	Suite	*s = suite_create("hostile");
	TCase	*tc = tcase_create("hostile");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_add_test(tc, test_connections_per_address);
	tcase_add_test(tc, test_connection_rate);
	tcase_add_test(tc, test_bind_failures_close);
	tcase_add_test(tc, test_penalty_before_hash);
	tcase_add_test(tc, test_one_hash_each);
	tcase_add_test(tc, test_never_reads);
	tcase_add_test(tc, test_proxy_untrusted);
	tcase_add_test(tc, test_proxy_required);
	tcase_add_test(tc, test_proxy_partial);
	tcase_add_test(tc, test_duplicate_tlv);
	tcase_add_test(tc, test_address_length);
	tcase_add_test(tc, test_reload_grows);
	suite_add_tcase(s, tc);
	tc = tcase_create("anvil");
	tcase_add_test(tc, test_ipv6_prefix);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(hostile_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
