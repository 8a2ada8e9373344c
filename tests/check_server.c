/*
 * check_server.c - integration tests of smppd as a process: inetd mode,
 * SIGHUP, SIGTERM, max_connections, concurrent charging of one account,
 * the PROXY protocol, -t and the pid file
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

static struct th	 T;

static void
stop(void)
{
	th_cleanup(&T);
}

static void
start(const char *keys)
{
	th_init(&T, "server");
	strlcpy(T.server_keys, keys, sizeof(T.server_keys));
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
}

/* Accept one connection on a loopback listener, as inetd would. */
static void
inetd_pair(int *client, int *server)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 l;

	l = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	*client = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(*client, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	*server = accept(l, NULL, NULL);
	ck_assert_int_ge(*server, 0);
	close(l);
}

START_TEST(test_inetd_mode)
{
	struct tc	 c;
	struct pdu	 p;
	char		 path[600], id[PDU_MESSAGE_ID_MAX];
	pid_t		 pid;
	int		 cfd, sfd, st;

	th_init(&T, "inetd");
	th_user(&T, "acme", "secret", NULL);
	th_write_conf(&T);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	inetd_pair(&cfd, &sfd);
	snprintf(path, sizeof(path), "%s/smppd", th_bindir);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Exactly what inetd does for a "nowait" service. */
		dup2(sfd, 0);
		dup2(sfd, 1);
		dup2(sfd, 2);
		close(sfd);
		close(cfd);
		execl(path, "smppd", "-i", "-c", T.conf, (char *)NULL);
		_exit(127);
	}
	close(sfd);
	memset(&c, 0, sizeof(c));
	c.fd = cfd;
	c.seq = 1;
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme",
	    "secret"), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "via inetd", id),
	    ESME_ROK);
	pdu_init(&p, SMPP_UNBIND, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_UNBIND_RESP, 5000), ESME_ROK);
	ck_assert(tc_closed(&c, 5000));
	ck_assert(th_wait_exit(pid, 10000, &st));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert(th_log_has(T.log, "connection from 127.0.0.1"));
	tc_close(&c);
}
END_TEST

static void
rewrite_conf(const char *keys)
{
	strlcpy(T.server_keys, keys, sizeof(T.server_keys));
	th_write_conf(&T);
}

START_TEST(test_sighup_reload)
{
	struct tc	 c, busy;
	char		 rotated[700];
	FILE		*fp;
	int		 i;

	start("enquireLinkTimerSecs = 30\n");
	/* A busy child, to see that it reopens the log file too. */
	tc_connect(&busy, T.port);
	ck_assert_uint_eq(tc_bind(&busy, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	snprintf(rotated, sizeof(rotated), "%s.1", T.log);
	ck_assert_int_eq(rename(T.log, rotated), 0);
	rewrite_conf("enquireLinkTimerSecs = 1\n");
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log(T.log, "configuration reloaded", 5000));
	/*
	 * The master signals its children after it logged the reload: a
	 * first request may still reach the child before its signal does.
	 * Ask until its line shows in the new file (at most 5 s).
	 */
	for (i = 0; i < 50; i++) {
		ck_assert_uint_eq(tc_submit(&busy, "", "", "x", NULL),
		    ESME_RINVDSTADR);
		if (th_wait_log(T.log, "empty destination", 100))
			break;
	}
	ck_assert_msg(i < 50, "the busy child did not reopen %s", T.log);
	tc_close(&busy);
	/* New sessions get the new timer. */
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_int_eq(tc_recv(&c, 4000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_ENQUIRE_LINK);
	tc_close(&c);
	/* A broken file is refused and the old configuration stays. */
	fp = fopen(T.conf, "a");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "[smpp-server-typo]\nbogus = 1\n");
	fclose(fp);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log(T.log, "keeping the old configuration", 5000));
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_sigterm_drains)
{
	struct tc	 c;
	struct pdu	 p;
	int		 st;

	start("");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	kill(T.pid, SIGTERM);
	/* The child unbinds its client and waits for the answer. */
	ck_assert_int_eq(tc_recv(&c, 5000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_UNBIND);
	pdu_init(&p, SMPP_UNBIND_RESP, c.p.sequence_number);
	tc_send(&c, &p);
	ck_assert(tc_closed(&c, 5000));
	/* Closed because of the answer, not at once after the unbind. */
	ck_assert(th_log_has(T.log, "unbind_resp received"));
	ck_assert(th_wait_exit(T.pid, 10000, &st));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T.pid = 0;
	tc_close(&c);
}
END_TEST

START_TEST(test_second_sigterm)
{
	struct tc	 c;

	start("responseTimerSecs = 60\n");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	kill(T.pid, SIGTERM);
	ck_assert_int_eq(tc_recv(&c, 5000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_UNBIND);
	/* No unbind_resp; a second SIGTERM ends everything now. */
	kill(T.pid, SIGTERM);
	ck_assert(th_wait_exit(T.pid, 5000, NULL));
	T.pid = 0;
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
}
END_TEST

/*
 * A master killed alone (kill -9, no service manager to end its
 * children): the bound child unbinds its client rather than serving on,
 * and a new master can start.  Before, the orphan kept the session and
 * the pid file's lock for as long as the client stayed.
 */
START_TEST(test_master_killed)
{
	struct tc	 c;
	struct pdu	 p;

	start("responseTimerSecs = 60\n");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	kill(T.pid, SIGKILL);
	ck_assert(th_wait_exit(T.pid, 5000, NULL));
	T.pid = 0;
	ck_assert_int_eq(tc_recv(&c, 5000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_UNBIND);
	pdu_init(&p, SMPP_UNBIND_RESP, c.p.sequence_number);
	tc_send(&c, &p);
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
	ck_assert(th_log_has(T.log, "the master is gone"));
	ck_assert(th_log_has(T.log, "unbind_resp received"));
	ck_assert(th_wait_pidfile_free(&T, 5000));
	th_start(&T);
	tc_bound(&c, T.port, SMPP_BIND_TRANSCEIVER, "acme", "secret");
	tc_close(&c);
}
END_TEST

/* The process id of the first log line holding what (its 4th field). */
static pid_t
pid_of(const char *log, const char *what)
{
	char	 line[1024];
	FILE	*fp;
	long	 pid = -1;

	ck_assert_ptr_nonnull(fp = fopen(log, "r"));
	while (pid == -1 && fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, what) == NULL ||
		    sscanf(line, "%*s %*s %*s %ld", &pid) != 1)
			pid = -1;
	fclose(fp);
	ck_assert_int_gt(pid, 0);
	return (pid_t)pid;
}

/* Until pid is gone, reaped by its parent (a zombie still answers kill). */
static void
wait_reaped(pid_t pid, int ms)
{
	int	 i;

	for (i = 0; i < ms / 10 && kill(pid, 0) == 0; i++)
		usleep(10000);
	ck_assert_msg(kill(pid, 0) == -1, "process %ld not reaped",
	    (long)pid);
}

START_TEST(test_max_connections)
{
	struct tc	 a, b, c;
	int		 i;

	start("max_connections = 2\nprefork = 1\n");
	tc_connect(&a, T.port);
	ck_assert_uint_eq(tc_bind(&a, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	tc_connect(&b, T.port);
	ck_assert_uint_eq(tc_bind(&b, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	/* The third is accepted and closed at once, not left hanging. */
	tc_connect(&c, T.port);
	ck_assert(tc_closed(&c, 5000));
	ck_assert(th_wait_log(T.log, "max_connections 2 reached", 5000));
	tc_close(&c);
	tc_close(&a);
	/*
	 * A place is free again once the master reaped the first child
	 * (under the sanitizers its exit takes long enough for 100 refused
	 * tries to pass before it).
	 */
	ck_assert(th_wait_log(T.log, "session ended", 10000));
	wait_reaped(pid_of(T.log, "session ended"), 10000);
	for (i = 0; i < 100; i++) {
		struct pdu	 p;

		tc_connect(&c, T.port);
		pdu_init(&p, SMPP_BIND_TRANSMITTER, 0);
		p.system_id = "acme";
		p.password = "secret";
		if (tc_try_send(&c, &p) == 0 && tc_recv(&c, 5000) == 1)
			break;
		tc_close(&c);
	}
	ck_assert_int_lt(i, 100);
	ck_assert_uint_eq(c.p.command_status, ESME_ROK);
	tc_close(&b);
	tc_close(&c);
}
END_TEST

/* Submit as fast as the window allows; report how many were accepted. */
static void
charge_child(int port, int out)
{
	struct tc	 c;
	struct pdu	 p;
	int		 i, ok = 0, got = 0, sent = 0;

	tc_connect(&c, port);
	if (tc_bind(&c, SMPP_BIND_TRANSMITTER, "shared", "secret") != 0)
		_exit(1);
	for (i = 0; got < 300; ) {
		while (sent < 300 && sent - got < 10) {
			pdu_init(&p, SMPP_SUBMIT_SM, 0);
			p.destination_addr = "4412345";
			p.short_message = (const uint8_t *)"x";
			p.sm_length = 1;
			tc_send(&c, &p);
			sent++;
		}
		if (tc_recv(&c, 10000) != 1)
			_exit(2);
		if (c.p.command_id != SMPP_SUBMIT_SM_RESP)
			continue;
		got++;
		if (c.p.command_status == ESME_ROK)
			ok++;
		else if (c.p.command_status != ESME_RSYSERR)
			_exit(3);
		i++;
	}
	if (write(out, &ok, sizeof(ok)) != sizeof(ok))
		_exit(4);
	_exit(0);
}

START_TEST(test_concurrent_charging)
{
	pid_t	 pids[4];
	char	 cmd[1400], line[256];
	FILE	*fp;
	int	 fds[2], i, n, total = 0, st;

	th_init(&T, "charge");
	th_user(&T, "shared", "secret", "balance=700", NULL);
	th_start(&T);
	ck_assert_int_eq(pipe(fds), 0);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			charge_child(T.port, fds[1]);
	}
	for (i = 0; i < 4; i++) {
		ck_assert(th_wait_exit(pids[i], 60000, &st));
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "client %d failed: %d", i, WEXITSTATUS(st));
		ck_assert_int_eq(read(fds[0], &n, sizeof(n)), sizeof(n));
		total += n;
	}
	/* 1,200 submitted against a balance of 700 at rate 1. */
	ck_assert_int_eq(total, 700);
	snprintf(cmd, sizeof(cmd), "%s/smppuser -d %s show shared", th_bindir,
	    T.db);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	n = 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "balance", 7) == 0) {
			/* Exactly 0: "0.5" or "0.25" must not pass. */
			line[strcspn(line, "\n")] = '\0';
			n = strcmp(line + 7 + strspn(line + 7, " \t:="), "0") ==
			    0;
		}
	pclose(fp);
	ck_assert_msg(n, "balance is not 0");
}
END_TEST

START_TEST(test_proxy_protocol)
{
	static const uint8_t	 v2[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 10, 9, 8, 7, 127, 0, 0, 1,
		0x30, 0x39, 0x0a, 0xcb
	};
	const char	*v1 = "PROXY TCP4 10.1.2.3 127.0.0.1 5555 2775\r\n";
	struct tc	 c;

	th_init(&T, "proxy");
	strlcpy(T.server_keys, "proxy_protocol = yes\nproxy_from = 127.0.0.1\n",
	    sizeof(T.server_keys));
	th_user(&T, "far", "secret", "networks=10.0.0.0/8", NULL);
	th_start(&T);
	/* v1: the address in the header is the client's. */
	tc_connect(&c, T.port);
	tc_send_raw(&c, v1, strlen(v1));
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "far", "secret"),
	    ESME_ROK);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "connection from 10.1.2.3:5555", 5000));
	/* v2, binary. */
	tc_connect(&c, T.port);
	tc_send_raw(&c, v2, sizeof(v2));
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "far", "secret"),
	    ESME_ROK);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "connection from 10.9.8.7:12345", 5000));
	/* Without a header: closed. */
	tc_connect(&c, T.port);
	tc_send_raw(&c, "\0\0\0\x10\0\0\0\x15\0\0\0\0\0\0\0\1", 16);
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
}
END_TEST

/*
 * pduReadTimerSecs bounds the wait for the whole PROXY header: a client
 * that sends it an octet at a time, each within the timer, is closed
 * after the timer all the same (each octet used to start it again), and
 * a v2 header longer than any smppd takes is refused at once.
 */
START_TEST(test_proxy_header_slow)
{
	static const uint8_t	 v2long[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a, 0x21, 0x11, 0xff, 0xff
	};
	const char	*v1 = "PROXY TCP4 10.1.2.3 ";
	struct tc	 c;
	int		 i, closed = 0;

	th_init(&T, "proxyslow");
	strlcpy(T.server_keys, "proxy_protocol = yes\nproxy_from = 127.0.0.1\n"
	    "pduReadTimerSecs = 2\n",
	    sizeof(T.server_keys));
	th_start(&T);
	/* One octet every 400 ms: closed after 2 s, not never. */
	tc_connect(&c, T.port);
	tc_send_raw(&c, v1, strlen(v1));
	for (i = 0; i < 15 && !closed; i++)
		if ((closed = tc_closed(&c, 400)) == 0)
			(void)send(c.fd, "1", 1, MSG_NOSIGNAL);
	ck_assert_msg(closed, "a header sent an octet at a time is waited for");
	tc_close(&c);
	/* 65535 octets announced: closed at once, not after 2 s. */
	tc_connect(&c, T.port);
	tc_send_raw(&c, v2long, sizeof(v2long));
	ck_assert_msg(tc_closed(&c, 1500), "a v2 header too long is waited for");
	tc_close(&c);
}
END_TEST

/* The uid of the process pid, from /proc; -1 when unknown. */
static long
uid_of(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*fp;
	long	 uid = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "Uid:", 4) == 0)
			uid = atol(line + 4);
	fclose(fp);
	return uid;
}

START_TEST(test_drops_root)
{
	struct passwd	*pw;
	struct tc	 c;
	struct stat	 st;
	char		 dir[700], name[64], rotated[700];
	DIR		*d;
	struct dirent	*e;
	pid_t		 child = 0;
	long		 from;
	int		 fd;

	pw = getpwnam("nobody");
	th_init(&T, "root");
	snprintf(T.server_keys, sizeof(T.server_keys), "user = nobody\n"
	    "group = %s\n", getgrgid(pw->pw_gid) ? getgrgid(pw->pw_gid)->
	    gr_name : "nogroup");
	/* An upstream password in the file: private, but for nobody's group. */
	strlcat(T.sections, "\n[connector up]\ntype = smpp\nhost = 127.0.0.1\n"
	    "system_id = s\npassword = pw\n", sizeof(T.sections));
	th_write_conf(&T);
	ck_assert_int_eq(chmod(T.conf, 0600), 0);
	/* -I first: smppuser then gives the database to the folder's owner. */
	ck_assert_int_eq(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL), ESME_ROK);
	snprintf(dir, sizeof(dir), "%s/sessions/acme", T.spool);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			strlcpy(name, e->d_name, sizeof(name));
			child = (pid_t)atol(name);
		}
	closedir(d);
	ck_assert_int_gt(child, 0);
	ck_assert_int_eq(uid_of(child), (long)pw->pw_uid);
	ck_assert_int_eq(uid_of(T.pid), (long)pw->pw_uid);
	tc_close(&c);
	/*
	 * The log file root created is nobody's: SIGHUP reopens it.  The
	 * configuration is read again as nobody: let its group read it.
	 */
	ck_assert_int_eq(chown(T.conf, 0, pw->pw_gid), 0);
	ck_assert_int_eq(chmod(T.conf, 0640), 0);
	ck_assert_int_eq(stat(T.log, &st), 0);
	ck_assert_int_eq(st.st_uid, pw->pw_uid);
	from = th_log_size(T.log);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log_from(T.log, from, "configuration reloaded",
	    5000));
	/* Rotated as logrotate's "create" does: the new file is used. */
	snprintf(rotated, sizeof(rotated), "%s.1", T.log);
	ck_assert_int_eq(rename(T.log, rotated), 0);
	ck_assert_int_ge(fd = open(T.log, O_WRONLY | O_CREAT | O_EXCL, 0640),
	    0);
	ck_assert_int_eq(fchown(fd, pw->pw_uid, pw->pw_gid), 0);
	close(fd);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log(T.log, "configuration reloaded", 5000));
	ck_assert(!th_log_has(T.log, "reopening the log file"));
	ck_assert(!th_log_has(rotated, "reopening the log file"));
}
END_TEST

/*
 * smppd -I run again by root, after the daemon's user (nobody) put a
 * link to a folder of root's where the spool was: that folder stays
 * root's, -I fails.
 */
START_TEST(test_init_no_follow)
{
	struct passwd	*pw = getpwnam("nobody");
	struct stat	 st;
	char		 run[700], trap[700];

	th_init(&T, "initroot");
	snprintf(T.server_keys, sizeof(T.server_keys), "user = nobody\n"
	    "group = %s\n", getgrgid(pw->pw_gid) ?
	    getgrgid(pw->pw_gid)->gr_name : "nogroup");
	th_write_conf(&T);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	ck_assert_int_eq(stat(T.spool, &st), 0);
	ck_assert_int_eq(st.st_uid, pw->pw_uid);
	/* The spool's folder is nobody's too: nobody can do this. */
	snprintf(trap, sizeof(trap), "%s/rootonly", T.dir);
	snprintf(run, sizeof(run), "%s.away", T.spool);
	ck_assert_int_eq(mkdir(trap, 0700), 0);
	ck_assert_int_eq(rename(T.spool, run), 0);
	ck_assert_int_eq(symlink(trap, T.spool), 0);
	ck_assert_int_ne(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	ck_assert_int_eq(stat(trap, &st), 0);
	ck_assert_int_eq(st.st_uid, 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
}
END_TEST

/* Whether this machine has an IPv6 loopback to test on. */
static int
have_ipv6(void)
{
	struct sockaddr_in6	 sin6;
	int			 fd, ok;

	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

START_TEST(test_ipv6_listener)
{
	struct sockaddr_in6	 sin6;
	struct tc		 c;

	th_init(&T, "ipv6");
	snprintf(T.server_keys, sizeof(T.server_keys),
	    "bind = 127.0.0.1, [::1]:%d\n", th_free_port());
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	/* Both listeners serve. */
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "listening on ::1", 5000));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	sin6.sin6_port = htons((uint16_t)atoi(strrchr(T.server_keys, ':') +
	    1));
	memset(&c, 0, sizeof(c));
	c.fd = socket(AF_INET6, SOCK_STREAM, 0);
	c.seq = 1;
	ck_assert_int_eq(connect(c.fd, (struct sockaddr *)&sin6,
	    sizeof(sin6)), 0);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "connection from [::1]", 5000));
}
END_TEST

START_TEST(test_check_config)
{
	FILE	*fp;

	th_init(&T, "check");
	th_user(&T, "acme", "secret", NULL);
	th_write_conf(&T);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	ck_assert_int_eq(th_run("smppd", "-t", "-c", T.conf, (char *)NULL), 0);
	fp = fopen(T.conf, "a");
	fprintf(fp, "[smpp-server-typo]\n");
	fclose(fp);
	ck_assert_int_ne(th_run("smppd", "-t", "-c", T.conf, (char *)NULL), 0);
}
END_TEST

START_TEST(test_second_master_refused)
{
	start("");
	/* Same pid file: the second one must refuse and leave. */
	ck_assert_int_ne(th_run("smppd", "-f", "-c", T.conf, (char *)NULL), 0);
	ck_assert(th_wait_log(T.log, "another smppd is running", 5000));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("server");
	TCase	*tc = tcase_create("server");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_inetd_mode);
	tcase_add_test(tc, test_sighup_reload);
	tcase_add_test(tc, test_sigterm_drains);
	tcase_add_test(tc, test_second_sigterm);
	tcase_add_test(tc, test_master_killed);
	tcase_add_test(tc, test_max_connections);
	tcase_add_test(tc, test_concurrent_charging);
	tcase_add_test(tc, test_proxy_protocol);
	tcase_add_test(tc, test_proxy_header_slow);
	tcase_add_test(tc, test_check_config);
	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		th_skip("test_drops_root", "not root, or no user nobody");
	else {
		tcase_add_test(tc, test_drops_root);
		tcase_add_test(tc, test_init_no_follow);
	}
	if (!have_ipv6())
		th_skip("test_ipv6_listener", "no IPv6 loopback");
	else
		tcase_add_test(tc, test_ipv6_listener);
	tcase_add_test(tc, test_second_master_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return th_exit(failed);
}
