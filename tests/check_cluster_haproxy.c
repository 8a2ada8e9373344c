/*
 * check_cluster_haproxy.c - contrib/cluster/haproxy.cfg in front of two
 * smppd nodes: an account's binds always reach its home node, whatever
 * their password or system_type; its node's health check failing moves
 * it to the backup, passing again brings it home and cuts the backup's
 * sessions; the PROXY v2 header carries the client's address.
 *
 * The configuration is the shipped one with the addresses, the map path
 * and the check interval replaced.  Skipped (77) without haproxy.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

static struct th	 A, B;
static char		 haproxy[600], cfg[700];
static pid_t		 hpid;
static int		 fport;

static int
find_haproxy(void)
{
	const char	*dirs[] = { "/usr/sbin", "/usr/local/sbin", "/sbin" };
	char		 path[4096], *dir, *save = NULL;
	const char	*env = getenv("PATH");
	size_t		 i;

	snprintf(path, sizeof(path), "%s", env ? env : "");
	for (dir = strtok_r(path, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(haproxy, sizeof(haproxy), "%s/haproxy", dir);
		if (access(haproxy, X_OK) == 0)
			return 1;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(haproxy, sizeof(haproxy), "%s/haproxy", dirs[i]);
		if (access(haproxy, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Replace every from in s (capacity cap) by to. */
static void
replace(char *s, size_t cap, const char *from, const char *to)
{
	char	*p, tail[16384];

	while ((p = strstr(s, from)) != NULL) {
		strlcpy(tail, p + strlen(from), sizeof(tail));
		ck_assert_uint_lt((size_t)(p - s) + strlen(to) + strlen(tail),
		    cap);
		strlcpy(p, to, cap - (size_t)(p - s));
		strlcat(s, tail, cap);
		s = p + strlen(to);
	}
}

/* The shipped configuration, pointed at this test's nodes. */
static void
write_cfg(void)
{
	static char	 text[16384];
	const char	*top = getenv("top_srcdir");
	char		 path[700], a[64], b[64], f[64], map[700];
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/contrib/cluster/haproxy.cfg",
	    top ? top : SRCDIR "/..");
	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "%s", path);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	snprintf(a, sizeof(a), "127.0.0.1:%d", A.port);
	snprintf(b, sizeof(b), "127.0.0.1:%d", B.port);
	snprintf(f, sizeof(f), "bind 127.0.0.1:%d", fport);
	snprintf(map, sizeof(map), "%s/accounts.map", A.dir);
	replace(text, sizeof(text), "10.0.0.11:2775", a);
	replace(text, sizeof(text), "10.0.0.12:2775", b);
	replace(text, sizeof(text), "bind :2775", f);
	replace(text, sizeof(text), "/etc/haproxy/smpp-accounts.map", map);
	replace(text, sizeof(text), "log /dev/log daemon",
	    "log stderr format short daemon");
	replace(text, sizeof(text), "inter 2s", "inter 200ms");
	replace(text, sizeof(text), "maxconn 20000", "maxconn 500");
	snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", A.dir);
	fp = fopen(cfg, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	fp = fopen(map, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "# acme\n61636D65 node_a\n# beta\n62657461 node_b\n");
	fclose(fp);
}

static int
haproxy_run(const char *flag)
{
	char	 log[700];
	int	 st, fd;
	pid_t	 pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		snprintf(log, sizeof(log), "%s/haproxy.log", A.dir);
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(haproxy, haproxy, flag, "-f", cfg, (char *)NULL);
		_exit(127);
	}
	if (strcmp(flag, "-c") != 0)
		return pid;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Wait up to ms until something accepts on the port. */
static int
listening(int port, int ms)
{
	struct timespec		 ts = { 0, 20000000L };
	struct sockaddr_in	 sin;
	int			 fd, i, ok;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < ms / 20; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
		if (ok)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void
node(struct th *t, const char *name, const char *id)
{
	char	 out[256], err[2048];

	th_init(t, name);
	/* The nodes believe PROXY headers from the balancer only... */
	snprintf(t->server_keys, sizeof(t->server_keys), "id = %s\n"
	    "proxy_protocol = yes\nproxy_from = 127.0.0.1\n", id);
	th_write_conf(t);
	th_run_io("", out, sizeof(out), err, sizeof(err), "smppd", "-t",
	    "-c", t->conf, (char *)NULL);
	/* ... where smppd knows proxy_from; before, from anyone. */
	if (strstr(err, "proxy_from") != NULL) {
		printf("smppd has no proxy_from: PROXY from anyone\n");
		snprintf(t->server_keys, sizeof(t->server_keys), "id = %s\n"
		    "proxy_protocol = yes\n", id);
	}
	th_user(t, "acme", "secret", NULL);
	th_user(t, "beta", "secret", NULL);
	th_user(t, "gamma", "secret", NULL);
}

static void
start(void)
{
	node(&A, "haproxy_a", "node_a");
	node(&B, "haproxy_b", "node_b");
	th_start(&A);
	th_start(&B);
	fport = th_free_port();
	write_cfg();
	ck_assert_msg(haproxy_run("-c") == 0, "haproxy -c -f %s fails", cfg);
	hpid = haproxy_run("-db");
	ck_assert_msg(listening(fport, 10000), "haproxy does not listen");
}

static void
stop(void)
{
	if (hpid > 0) {
		kill(hpid, SIGTERM);
		waitpid(hpid, NULL, 0);
	}
	hpid = 0;
	th_cleanup(&A);
	th_cleanup(&B);
}

/*
 * Bind through the balancer; the node that answered (bind_resp's
 * system_id is the node's id), "" when the bind failed or nobody did.
 */
static void
bind_via(struct tc *c, uint32_t cmd, const char *user, const char *pw,
    const char *stype, char *node, size_t len)
{
	struct pdu	 p;

	node[0] = '\0';
	tc_connect(c, fport);
	pdu_init(&p, cmd, 0);
	p.system_id = user;
	p.password = pw;
	p.system_type = stype;
	p.interface_version = 0x34;
	if (tc_try_send(c, &p) == -1)
		return;
	while (tc_recv(c, 5000) == 1)
		if (c->p.command_id == (cmd | SMPP_RESP_BIT)) {
			if (c->p.command_status == ESME_ROK &&
			    c->p.system_id != NULL)
				strlcpy(node, c->p.system_id, len);
			return;
		}
}

/* Bind, look, unbind: where does user land now? */
static void
lands(const char *user, char *node, size_t len)
{
	struct tc	 c;

	bind_via(&c, SMPP_BIND_TRANSCEIVER, user, "secret", "", node, len);
	tc_close(&c);
}

/* Wait up to ms until user lands on want. */
static int
wait_lands(const char *user, const char *want, int ms)
{
	struct timespec	 ts = { 0, 100000000L };
	char		 node[64];
	int		 i;

	for (i = 0; i < ms / 100; i++) {
		lands(user, node, sizeof(node));
		if (strcmp(node, want) == 0)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

START_TEST(test_homes_failover_proxy)
{
	static const uint32_t	 cmds[] = { SMPP_BIND_TRANSMITTER,
	    SMPP_BIND_RECEIVER, SMPP_BIND_TRANSCEIVER };
	static const char	*stypes[] = { "", "VMA", "OTA" };
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	struct tc		 c[3], d;
	struct pdu		 p;
	char			 node[64], first[64], line[128];
	int			 i;

	start();
	ck_assert_msg(wait_lands("acme", "node_a", 10000), "acme not home");
	/* Every bind of acme, of any type and system_type, on node_a. */
	for (i = 0; i < 3; i++) {
		bind_via(&c[i], cmds[i], "acme", "secret", stypes[i], node,
		    sizeof(node));
		ck_assert_str_eq(node, "node_a");
	}
	bind_via(&d, SMPP_BIND_TRANSCEIVER, "acme", "wrong", "", node,
	    sizeof(node));
	ck_assert_str_eq(node, "");
	tc_close(&d);
	ck_assert(th_wait_log(A.log, "wrong password", 5000));
	ck_assert(!th_log_has(B.log, "wrong password"));
	lands("beta", node, sizeof(node));
	ck_assert_str_eq(node, "node_b");
	/* gamma is not in the map: the hash places it, always alike. */
	lands("gamma", first, sizeof(first));
	ck_assert(first[0] != '\0');
	for (i = 0; i < 3; i++) {
		lands("gamma", node, sizeof(node));
		ck_assert_str_eq(node, first);
	}
	/* Not a bind, or a bind without a system_id: cut by the balancer. */
	tc_connect(&d, fport);
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&d, &p);
	ck_assert_msg(tc_closed(&d, 5000), "enquire_link first not cut");
	tc_close(&d);
	bind_via(&d, SMPP_BIND_TRANSCEIVER, "", "secret", "", node,
	    sizeof(node));
	ck_assert_str_eq(node, "");
	ck_assert_msg(tc_closed(&d, 5000), "empty system_id not cut");
	tc_close(&d);
	/* The node logs the client's own address, from PROXY v2. */
	ck_assert_int_eq(getsockname(c[0].fd, (struct sockaddr *)&sin, &slen),
	    0);
	snprintf(line, sizeof(line), "127.0.0.1:%d bound as tx (acme)",
	    ntohs(sin.sin_port));
	ck_assert_msg(th_wait_log(A.log, line, 5000), "no '%s' in %s", line,
	    A.log);
	for (i = 0; i < 3; i++)
		tc_close(&c[i]);

	/* node_a fails its health check: acme moves to node_b. */
	th_stop(&A);
	ck_assert_msg(wait_lands("acme", "node_b", 15000), "acme did not move");
	bind_via(&d, SMPP_BIND_TRANSCEIVER, "acme", "secret", "", node,
	    sizeof(node));
	ck_assert_str_eq(node, "node_b");
	/* node_a is back: acme returns, its session on node_b is cut. */
	th_start(&A);
	ck_assert_msg(wait_lands("acme", "node_a", 15000), "acme not back");
	ck_assert_msg(tc_closed(&d, 10000), "backup session not cut");
	tc_close(&d);
	stop();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cluster_haproxy");
	TCase	*tc = tcase_create("cluster_haproxy");
	SRunner	*sr;
	int	 nf;

	if (!find_haproxy()) {
		printf("SKIP: haproxy is not installed\n");
		return 77;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_homes_failover_proxy);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
