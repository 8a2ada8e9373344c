/*
 * harness.c - integration tests: a private smppd (and smppconn) in a
 * temporary folder on a free loopback port, and a raw SMPP client
 *
 * SYNOPSIS
 *	th_init(th, name)	th_user(th, user, password, "key=value", NULL)
 *	th_start(th)		th_start_conn(th)	th_stop(th)
 *	tc_connect(tc, port)	tc_send(tc, pdu)	tc_recv(tc, timeout_ms)
 *	tc_bind(tc, cmd, user, password)	tc_submit(tc, src, dst, text, id)
 *	tc_submit_rd(tc, src, dst, text, registered_delivery, id)
 *	tc_deliver(tc, timeout_ms)	th_kill_conn(th, sig)
 *	th_wait_log_from(log, offset, needle, ms)
 *	th_wait_files(dir, n, ms)
 *	th_run_io(input, out, outcap, err, errcap, prog, args..., NULL)
 *	th_spawn_out(&fd, prog, args..., NULL)	th_read_line(fd, line, cap, ms)
 *	th_deliver(th, user, deliver_sm, ref)	th_sink(th, user)
 *	th_conn_state(th, connector, state)
 *	th_wait_state(th, connector, fn, arg, ms)
 *
 * DESCRIPTION
 *	Everything happens below the build's tests/ folder; programs come
 *	from $top_builddir/src.  Waiting is always for a condition (a port
 *	that accepts, a PDU, a process that exits, a log line), polled in
 *	small steps up to a bound, never a fixed sleep.  Failures call
 *	ck_abort_msg so that Check reports them.
 */
#include "config.h"

#include <sys/file.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "connstate.h"
#include "harness.h"
#include "record.h"
#include "spool.h"

char	 th_bindir[512];

static int	 skipped;

void
th_skip(const char *test, const char *why)
{
	fprintf(stderr, "SKIP: %s: %s\n", test, why);
	skipped++;
}

int
th_exit(int failed)
{
	const char	*ci = getenv("CI");

	if (failed)
		return 1;
	if (skipped == 0)
		return 0;
	if (ci != NULL && strcmp(ci, "true") == 0) {
		fprintf(stderr, "CI=true: %d skipped test(s) count as "
		    "failures\n", skipped);
		return 1;
	}
	return 77;
}

static void
bindir(void)
{
	const char	*top = getenv("top_builddir");

	if (th_bindir[0] != '\0')
		return;
	snprintf(th_bindir, sizeof(th_bindir), "%s/src",
	    top ? top : BUILDDIR);
}

/* A port the kernel just gave out; the window for a race is tiny. */
int
th_free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

void
th_init(struct th *t, const char *name)
{
	char	 tmpl[512];

	bindir();
	signal(SIGPIPE, SIG_IGN);
	memset(t, 0, sizeof(*t));
	snprintf(tmpl, sizeof(tmpl), "tmp.%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	ck_assert_ptr_nonnull(realpath(tmpl, t->dir));
	snprintf(t->conf, sizeof(t->conf), "%s/smppd.conf", t->dir);
	snprintf(t->spool, sizeof(t->spool), "%s/spool", t->dir);
	snprintf(t->db, sizeof(t->db), "%s/users.db", t->dir);
	snprintf(t->log, sizeof(t->log), "%s/smppd.log", t->dir);
	snprintf(t->connlog, sizeof(t->connlog), "%s/smppconn.log", t->dir);
	t->port = th_free_port();
	strlcpy(t->sections, "[connector sink]\ntype = sink\n\n"
	    "[mt-routes]\ndefault = sink\n", sizeof(t->sections));
}

/* [smpp-server] keys a test may set itself in server_keys. */
static const struct {
	const char	*key;
	const char	*value;
} defaults[] = {
	{ "id", "\"smpps_01\"" },
	{ "bind", "127.0.0.1" },
	{ "log_level", "DEBUG" },
	{ "prefork", "2" },
};

/* Does the INI text set key (at the start of a line)? */
static int
has_key(const char *text, const char *key)
{
	size_t		 n = strlen(key);
	const char	*p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, n) == 0 && strchr(" \t=", p[n]) != NULL)
			return 1;
	}
	return 0;
}

/* Write smppd.conf from the defaults of a test and the extra keys. */
void
th_write_conf(struct th *t)
{
	FILE	*fp;
	size_t	 i;

	fp = fopen(t->conf, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "[smpp-server]\nport = %d\n"
	    "log_file = %s\npid_file = %s/smppd.pid\nrun_dir = %s\n",
	    t->port, t->log, t->dir, t->dir);
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!has_key(t->server_keys, defaults[i].key))
			fprintf(fp, "%s = %s\n", defaults[i].key,
			    defaults[i].value);
	fprintf(fp, "%s\n[spool]\ndir = %s\n%s\n[userdb]\npath = %s\n%s\n"
	    "[smppconn]\npid_file = %s/smppconn.pid\nlog_file = %s\n"
	    "idmap = %s/idmap.db\n%s\n%s", t->server_keys, t->spool,
	    t->spool_keys, t->db, t->userdb_keys, t->dir, t->connlog, t->dir,
	    t->conn_keys, t->sections);
	ck_assert_int_eq(fclose(fp), 0);
	chmod(t->conf, 0600);
}

/* Run a program to its end; returns its exit status (-1: signal). */
int
th_run(const char *prog, ...)
{
	char	*argv[32], path[600];
	va_list	 ap;
	pid_t	 pid;
	int	 argc = 0, st;

	bindir();
	snprintf(path, sizeof(path), "%s/%s", th_bindir, prog);
	argv[argc++] = path;
	va_start(ap, prog);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Add an account with smppuser(8), then set its fields (NULL-ended). */
void
th_user(struct th *t, const char *user, const char *password, ...)
{
	char		 path[600];
	const char	*kv;
	va_list		 ap;
	int		 fds[2], st;
	pid_t		 pid;

	bindir();
	snprintf(path, sizeof(path), "%s/smppuser", th_bindir);
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[1]);
		execl(path, path, "-d", t->db, "add", user, "--password-stdin",
		    (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	ck_assert_int_gt(write(fds[1], password, strlen(password)), -1);
	ck_assert_int_eq(write(fds[1], "\n", 1), 1);
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "smppuser add %s failed", user);
	va_start(ap, password);
	while ((kv = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(th_run("smppuser", "-d", t->db, "set", user, kv,
		    (char *)NULL) == 0, "smppuser set %s %s", user, kv);
	va_end(ap);
}

static int
port_open(int port)
{
	struct sockaddr_in	 sin;
	int			 fd, rc;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return rc == 0;
}

/* Wait up to ms until nothing accepts on the port any more. */
int
th_wait_port_closed(int port, int ms)
{
	struct timespec	 ts = { 0, 10000000L };
	int		 i;

	for (i = 0; i < ms / 10 + 1; i++) {
		if (!port_open(port))
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void
pause_ms(int ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Wait up to ms until no process holds the flock(2) of smppd's pid file
 * (a master or a child it left), that is until a new master can start.
 */
int
th_wait_pidfile_free(struct th *t, int ms)
{
	char	 path[600];
	int	 fd, i, ok = 0;

	snprintf(path, sizeof(path), "%s/smppd.pid", t->dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 1;
	for (i = 0; i < ms / 10 + 1 && !ok; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			ok = 1;
		else
			pause_ms(10);
	}
	close(fd);
	return ok;
}

/*
 * SMPPD_TEST_FSIZE: a file size limit for the program, with SIGXFSZ
 * ignored, so that a write past it fails as on a full disk.
 */
static void
fsize_limit(void)
{
	struct rlimit	 rl;
	const char	*s = getenv("SMPPD_TEST_FSIZE");

	if (s == NULL)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)atol(s);
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &rl);
}

static pid_t
spawn(const char *prog, const char *conf, const char *log)
{
	char		 path[600], cmd[4096];
	const char	*wrap;
	pid_t		 pid;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", th_bindir, prog);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
#ifdef __linux__
		/* Never outlive a test that failed half-way. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if ((fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644)) != -1)
			dup2(fd, 2);
		fsize_limit();
		if ((wrap = getenv("SMPPD_TEST_WRAP")) != NULL) {
			/* e.g. strace: the wrapper runs the program. */
			snprintf(cmd, sizeof(cmd), "exec %s %s -f -c %s", wrap,
			    path, conf);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		} else
			execl(path, path, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Start smppd in the foreground and wait until it accepts connections. */
void
th_start(struct th *t)
{
	int	 i, st;

	long	 from;

	bindir();
	th_write_conf(t);
	if (access(t->spool, F_OK) != 0)
		ck_assert_int_eq(th_run("smppd", "-I", "-c", t->conf,
		    (char *)NULL), 0);
	from = th_log_size(t->log);
	t->pid = spawn("smppd", t->conf, t->log);
	/*
	 * Wait for the "started" line rather than probing the port: a probe
	 * would use up a child and count against max_connections.
	 */
	for (i = 0; i < 1000; i++) {
		ck_assert_msg(waitpid(t->pid, &st, WNOHANG) == 0,
		    "smppd exited at start; see %s", t->log);
		if (th_wait_log_from(t->log, from, " started (id ", 10))
			break;
	}
	ck_assert_msg(i < 1000, "smppd did not start; see %s", t->log);
}

/*
 * Start smppconn and wait until it has the trigger FIFO open and its
 * recovery done: a "started" line after what the log held before.
 */
void
th_start_conn(struct th *t)
{
	long	 off;

	bindir();
	off = th_log_size(t->connlog);
	t->connpid = spawn("smppconn", t->conf, t->connlog);
	ck_assert_msg(th_wait_log_from(t->connlog, off, "started", 10000),
	    "smppconn did not start; see %s", t->connlog);
}

/* Send smppconn a signal (SIGKILL: and reap it). */
void
th_kill_conn(struct th *t, int sig)
{
	ck_assert_int_gt(t->connpid, 0);
	kill(t->connpid, sig);
	if (sig == SIGKILL) {
		waitpid(t->connpid, NULL, 0);
		t->connpid = 0;
	}
}

/*
 * SIGKILL pid's children, then pid, and reap it: a machine that lost
 * power, or a service manager that kills what is left of a unit whose
 * main process died (Linux: the children are found in /proc).
 */
void
th_kill_tree(pid_t pid)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[300], buf[512], *p;
	FILE		*fp;
	long		 ppid;

	kill(pid, SIGSTOP);	/* no new children meanwhile */
	ck_assert_ptr_nonnull(d = opendir("/proc"));
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %ld", &ppid) == 1 && ppid == pid)
			kill((pid_t)atol(e->d_name), SIGKILL);
		fclose(fp);
	}
	closedir(d);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The pids of user's live sessions, from sessions/USER/PID.BINDTYPE:
 * up to max into pids; how many there are.
 */
int
th_session_pids(struct th *t, const char *user, pid_t *pids, int max)
{
	char		 dir[700];
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	snprintf(dir, sizeof(dir), "%s/sessions/%s", t->spool, user);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			if (n < max)
				pids[n] = (pid_t)atol(e->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* Wait up to ms for pid to exit; returns 1 and its status if it did. */
int
th_wait_exit(pid_t pid, int ms, int *status)
{
	int	 i, st;

	for (i = 0; i < ms / 5 + 1; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (status != NULL)
				*status = st;
			return 1;
		}
		pause_ms(5);
	}
	return 0;
}

static void
stop_pid(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	if (!th_wait_exit(*pid, 15000, NULL)) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

void
th_stop(struct th *t)
{
	stop_pid(&t->connpid);
	stop_pid(&t->pid);
}

/* Stop everything and remove the folder, unless KEEP_TMP is set. */
void
th_cleanup(struct th *t)
{
	char	 cmd[700];

	th_stop(t);
	if (getenv("KEEP_TMP") != NULL || t->dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", t->dir);
}

/* How many lines of a log hold needle; -1 when it cannot be read. */
int
th_log_count(const char *log, const char *needle)
{
	char	 line[4096];
	FILE	*fp;
	int	 n = 0;

	if ((fp = fopen(log, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

long
th_log_size(const char *log)
{
	struct stat	 st;

	return stat(log, &st) == 0 ? (long)st.st_size : 0;
}

/* Whether the log holds needle after its first off octets. */
static int
log_has_from(const char *log, long off, const char *needle)
{
	char	*buf;
	FILE	*fp;
	long	 n;
	int	 found;

	if ((fp = fopen(log, "r")) == NULL)
		return 0;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	if (off > n)
		off = n;
	fseek(fp, off, SEEK_SET);
	n -= off;
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	n = (long)fread(buf, 1, (size_t)n, fp);
	buf[n] = '\0';
	fclose(fp);
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

int
th_log_has(const char *log, const char *needle)
{
	return log_has_from(log, 0, needle);
}

int
th_wait_log_from(const char *log, long off, const char *needle, int ms)
{
	int	 i;

	for (i = 0; i < ms / 10 + 1; i++) {
		if (log_has_from(log, off, needle))
			return 1;
		pause_ms(10);
	}
	return 0;
}

/* Entries of a folder, dot files and .done sidecars not counted. */
int
th_count_files(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 len;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || (len > 5 &&
		    strcmp(de->d_name + len - 5, ".done") == 0))
			continue;
		n++;
	}
	closedir(d);
	return n;
}

/* Wait up to ms until a folder holds at least n entries. */
int
th_wait_files(const char *dir, int n, int ms)
{
	int	 i;

	for (i = 0; i < ms / 10 + 1; i++) {
		if (th_count_files(dir) >= n)
			return 1;
		pause_ms(10);
	}
	return 0;
}

/* Wait up to ms until a folder holds no entry. */
int
th_wait_empty(const char *dir, int ms)
{
	int	 i;

	for (i = 0; i < ms / 10 + 1; i++) {
		if (th_count_files(dir) == 0)
			return 1;
		pause_ms(10);
	}
	return 0;
}

int
th_wait_log(const char *log, const char *needle, int ms)
{
	int	 i;

	for (i = 0; i < ms / 10 + 1; i++) {
		if (th_log_has(log, needle))
			return 1;
		pause_ms(10);
	}
	return 0;
}

void
tc_connect(struct tc *c, int port)
{
	struct sockaddr_in	 sin;
	int			 on = 1;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	c->seq = 1;
}

void
tc_close(struct tc *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	pdu_free(&c->p);
	free(c->stash);
	c->stash = NULL;
	c->stashlen = 0;
}

static void
tc_answer(struct tc *c, uint32_t cmd)
{
	uint8_t	 out[64];
	int	 n;

	n = pdu_encode_resp(cmd | SMPP_RESP_BIT, ESME_ROK,
	    c->p.sequence_number, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	tc_send_raw(c, out, (size_t)n);
}

/* Keep the deliver_sm just received (c->pdu) for tc_deliver(). */
static void
tc_stash(struct tc *c)
{
	uint32_t	 len = c->p.command_length;

	c->stash = realloc(c->stash, c->stashlen + len);
	ck_assert_ptr_nonnull(c->stash);
	memcpy(c->stash + c->stashlen, c->pdu, len);
	c->stashlen += len;
}

void
tc_send_raw(struct tc *c, const void *data, size_t len)
{
	ck_assert_int_eq(write(c->fd, data, len), (ssize_t)len);
}

/* Send without asserting: -1 when the server already closed. */
int
tc_try_send(struct tc *c, struct pdu *p)
{
	uint8_t	 out[1024];
	int	 n;

	if (p->sequence_number == 0)
		p->sequence_number = c->seq++;
	if ((n = pdu_encode(p, out, sizeof(out))) < 0)
		return -1;
	return write(c->fd, out, (size_t)n) == n ? 0 : -1;
}

void
tc_send(struct tc *c, struct pdu *p)
{
	uint8_t	 out[128 * 1024];
	int	 n;

	if (p->sequence_number == 0)
		p->sequence_number = c->seq++;
	n = pdu_encode(p, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	tc_send_raw(c, out, (size_t)n);
}

/*
 * Receive one PDU within ms.  Returns 1 (decoded into c->p), 0 on
 * timeout, -1 when the server closed the connection.
 */
int
tc_recv(struct tc *c, int ms)
{
	struct pollfd	 pfd;
	uint32_t	 len;
	ssize_t		 n;
	int		 i;

	for (i = 0; i < ms / 10 + 1; i++) {
		if (c->len >= 4) {
			len = (uint32_t)c->buf[0] << 24 | c->buf[1] << 16 |
			    c->buf[2] << 8 | c->buf[3];
			ck_assert_uint_ge(len, 16);
			ck_assert_uint_le(len, sizeof(c->pdu));
			if (c->len >= len) {
				pdu_free(&c->p);
				memcpy(c->pdu, c->buf, len);
				memmove(c->buf, c->buf + len, c->len - len);
				c->len -= len;
				ck_assert_uint_eq(pdu_decode(c->pdu, len, &c->p),
				    ESME_ROK);
				return 1;
			}
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10) != 1)
			continue;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
	}
	return 0;
}

/* Has the server closed the connection within ms (PDUs before are read)? */
int
tc_closed(struct tc *c, int ms)
{
	int	 i, rc;

	for (i = 0; i < 1000; i++) {
		if ((rc = tc_recv(c, ms)) == -1)
			return 1;
		if (rc == 0)
			return 0;
	}
	return 0;
}

/* Wait for a response with this command_id; returns its status. */
uint32_t
tc_expect(struct tc *c, uint32_t cmd, int ms)
{
	int	 rc;

	for (;;) {
		rc = tc_recv(c, ms);
		ck_assert_msg(rc == 1, "no %s within %d ms (%d)",
		    pdu_command_name(cmd), ms, rc);
		if (c->p.command_id == cmd)
			return c->p.command_status;
		/* An enquire_link of the server may come in between. */
		ck_assert_msg(c->p.command_id == SMPP_ENQUIRE_LINK ||
		    c->p.command_id == SMPP_DELIVER_SM,
		    "got %s while waiting for %s",
		    pdu_command_name(c->p.command_id), pdu_command_name(cmd));
		/* A deliver_sm is answered and kept for tc_deliver(). */
		if (c->p.command_id == SMPP_DELIVER_SM) {
			tc_stash(c);
			tc_answer(c, SMPP_DELIVER_SM);
		}
	}
}

uint32_t
tc_bind(struct tc *c, uint32_t cmd, const char *user, const char *password)
{
	struct pdu	 p;

	pdu_init(&p, cmd, 0);
	p.system_id = user;
	p.password = password;
	p.interface_version = 0x34;
	tc_send(c, &p);
	return tc_expect(c, cmd | SMPP_RESP_BIT, 5000);
}

/* Connect to port and bind as user; the bind must succeed. */
void
tc_bound(struct tc *c, int port, uint32_t cmd, const char *user,
    const char *password)
{
	tc_connect(c, port);
	ck_assert_uint_eq(tc_bind(c, cmd, user, password), ESME_ROK);
}

/* Submit a text; returns the status and copies the message_id. */
uint32_t
tc_submit(struct tc *c, const char *src, const char *dst, const char *text,
    char *id)
{
	struct pdu	 p;
	uint32_t	 st;

	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.source_addr = src;
	p.destination_addr = dst;
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)strlen(text);
	tc_send(c, &p);
	st = tc_expect(c, SMPP_SUBMIT_SM_RESP, 5000);
	if (id != NULL)
		strlcpy(id, st == ESME_ROK && c->p.message_id ?
		    c->p.message_id : "", PDU_MESSAGE_ID_MAX);
	return st;
}

/* Submit with a registered_delivery; returns the status, copies the id. */
uint32_t
tc_submit_rd(struct tc *c, const char *src, const char *dst, const char *text,
    uint8_t rd, char *id)
{
	struct pdu	 p;
	uint32_t	 st;

	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.source_addr = src;
	p.destination_addr = dst;
	p.registered_delivery = rd;
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)strlen(text);
	tc_send(c, &p);
	st = tc_expect(c, SMPP_SUBMIT_SM_RESP, 5000);
	if (id != NULL)
		strlcpy(id, st == ESME_ROK && c->p.message_id ?
		    c->p.message_id : "", PDU_MESSAGE_ID_MAX);
	return st;
}

/*
 * Wait up to ms for a deliver_sm, answer it with deliver_sm_resp OK and
 * return 1 (c->p holds it); enquire_link is answered on the way.
 * 0 on timeout, -1 when the server closed the connection.
 */
int
tc_deliver(struct tc *c, int ms)
{
	uint32_t	 len;
	int		 rc;

	if (c->stashlen > 0) {
		len = (uint32_t)c->stash[0] << 24 | c->stash[1] << 16 |
		    c->stash[2] << 8 | c->stash[3];
		memcpy(c->pdu, c->stash, len);
		memmove(c->stash, c->stash + len, c->stashlen - len);
		c->stashlen -= len;
		pdu_free(&c->p);
		ck_assert_uint_eq(pdu_decode(c->pdu, len, &c->p), ESME_ROK);
		return 1;
	}
	for (;;) {
		if ((rc = tc_recv(c, ms)) != 1)
			return rc;
		if (c->p.command_id == SMPP_ENQUIRE_LINK)
			tc_answer(c, SMPP_ENQUIRE_LINK);
		else if (c->p.command_id == SMPP_DELIVER_SM) {
			tc_answer(c, SMPP_DELIVER_SM);
			return 1;
		}
	}
}

/* argv[] of a program of the build from a NULL-ended va_list. */
static void
prog_argv(char *path, size_t pathlen, char **argv, const char *prog,
    va_list ap)
{
	int	 argc = 0;

	bindir();
	snprintf(path, pathlen, "%s/%s", th_bindir, prog);
	argv[argc++] = path;
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	argv[argc] = NULL;
}

/* Read fd to its end into buf (NUL-terminated, cut at cap - 1). */
static void
slurp(int fd, char *buf, size_t cap)
{
	size_t	 len = 0;
	ssize_t	 n;
	char	 skip[4096];

	for (;;) {
		if (len + 1 < cap)
			n = read(fd, buf + len, cap - 1 - len);
		else
			n = read(fd, skip, sizeof(skip));
		if (n <= 0)
			break;
		if (len + 1 < cap)
			len += (size_t)n;
	}
	if (cap > 0)
		buf[len] = '\0';
	close(fd);
}

/*
 * Run a program of the build with input on its stdin (NULL: /dev/null)
 * and its stdout and stderr in out and err; returns its exit status
 * (-1: killed by a signal).
 */
int
th_run_io(const char *input, char *out, size_t outcap, char *err,
    size_t errcap, const char *prog, ...)
{
	char	*argv[64], path[600], errpath[] = "th_run_io.XXXXXX";
	va_list	 ap;
	pid_t	 pid;
	int	 in[2], op[2], efd, st;

	va_start(ap, prog);
	prog_argv(path, sizeof(path), argv, prog, ap);
	va_end(ap);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(op), 0);
	efd = mkstemp(errpath);
	ck_assert_int_ge(efd, 0);
	unlink(errpath);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(op[1], 1);
		dup2(efd, 2);
		close(in[1]);
		close(op[0]);
		execv(path, argv);
		_exit(127);
	}
	close(in[0]);
	close(op[1]);
	/* The inputs of the tests are small enough for the pipe. */
	if (input != NULL)
		ck_assert_int_eq(write(in[1], input, strlen(input)),
		    (ssize_t)strlen(input));
	close(in[1]);
	slurp(op[0], out, outcap);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	lseek(efd, 0, SEEK_SET);
	slurp(efd, err, errcap);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Start a program of the build with its stdout on a pipe (*fd). */
pid_t
th_spawn_out(int *fd, const char *prog, ...)
{
	char	*argv[64], path[600];
	va_list	 ap;
	pid_t	 pid;
	int	 op[2], null;

	va_start(ap, prog);
	prog_argv(path, sizeof(path), argv, prog, ap);
	va_end(ap);
	ck_assert_int_eq(pipe(op), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if ((null = open("/dev/null", O_RDONLY)) != -1)
			dup2(null, 0);
		dup2(op[1], 1);
		close(op[0]);
		execv(path, argv);
		_exit(127);
	}
	close(op[1]);
	*fd = op[0];
	return pid;
}

/* One line from fd within ms, without its newline; 1, or 0 (EOF, time). */
int
th_read_line(int fd, char *line, size_t cap, int ms)
{
	struct pollfd	 pfd;
	size_t		 len = 0;
	char		 c;
	int		 i;

	for (i = 0; i < ms / 10 + 1 && len + 1 < cap; ) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10) != 1) {
			i++;
			continue;
		}
		if (read(fd, &c, 1) != 1)
			break;
		if (c == '\n') {
			line[len] = '\0';
			return 1;
		}
		line[len++] = c;
	}
	line[len] = '\0';
	return 0;
}

static void
out_meta(struct msg_meta *m, const char *user, const char *ref)
{
	static unsigned	 n;

	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "test-%ld-%u", (long)getpid(), n++);
	m->kind = ref != NULL ? MSG_DLR : MSG_MO;
	strlcpy(m->account, user, sizeof(m->account));
	m->created_us = clock_wall_us();
	if (ref != NULL)
		strlcpy(m->ref, ref, sizeof(m->ref));
}

static void
out_open(struct th *t, struct segw *w, const char *user)
{
	char	 area[1024];

	ck_assert_int_eq(spool_user_area(t->spool, user, 1), 0);
	snprintf(area, sizeof(area), "%s/out/%s", t->spool, user);
	segw_init(w, area, 0);
}

static void
smppconn_out_close(struct th *t, struct segw *w, const char *user)
{
	ck_assert_int_eq(segw_commit(w), 0);
	ck_assert_int_eq(segw_close(w), 0);
	segw_free(w);
	spool_wake_user(t->spool, user, SIGUSR1);
}

/*
 * Queue a deliver_sm for user, as smppconn would (a receipt of ref, or
 * an MO when ref is NULL), and wake the user's receivers.
 */
void
th_deliver(struct th *t, const char *user, const struct pdu *p,
    const char *ref)
{
	struct msg_meta	 m;
	struct segw	 w;

	out_meta(&m, user, ref);
	out_open(t, &w, user);
	ck_assert_int_eq(segw_add(&w, &m, p), 0);
	smppconn_out_close(t, &w, user);
}

/*
 * Queue n MO for user in one segment, "text0" to "text(n-1)", as
 * smppconn would, and wake the user's receivers.
 */
void
th_deliver_n(struct th *t, const char *user, int n)
{
	struct msg_meta	 m;
	struct segw	 w;
	struct pdu	 p;
	char		 text[32];
	int		 i;

	out_open(t, &w, user);
	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "text%d", i);
		pdu_init(&p, SMPP_DELIVER_SM, 0);
		p.source_addr = "447700900123";
		p.destination_addr = "12345";
		p.short_message = (const uint8_t *)text;
		p.sm_length = (uint8_t)strlen(text);
		out_meta(&m, user, NULL);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	}
	smppconn_out_close(t, &w, user);
}

/*
 * A sink connector in miniature, for tests without smppconn: take the
 * closed segments of mt/new/, answer each message with a DELIVRD
 * receipt for user (one segment for all) and remove them.  Returns the
 * count of receipts queued.
 */
int
th_sink(struct th *t, const char *user)
{
	struct segr	 r;
	struct segw	 w;
	struct msg	 m;
	struct msg_meta	 meta;
	struct pdu	 p;
	char		 dir[700], path[1400], text[200], **names;
	size_t		 n, i;
	int		 count = 0;

	snprintf(dir, sizeof(dir), "%s/mt/new", t->spool);
	if (spool_list(dir, &names, &n) == -1)
		return 0;
	if (n == 0) {
		spool_list_free(names, n);
		return 0;
	}
	record_msg_init(&m);
	out_open(t, &w, user);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (segr_open(&r, path) == -1)
			continue;
		while (segr_next(&r, &m) == SEGR_OK) {
			snprintf(text, sizeof(text), "id:%s sub:001 "
			    "dlvrd:001 submit date:2501020304 done "
			    "date:2501020304 stat:DELIVRD err:000 text:",
			    m.meta.id);
			pdu_init(&p, SMPP_DELIVER_SM, 0);
			p.source_addr = m.pdu.destination_addr;
			p.destination_addr = m.pdu.source_addr;
			p.esm_class = ESM_TYPE_RECEIPT;
			p.short_message = (const uint8_t *)text;
			p.sm_length = (uint8_t)strlen(text);
			pdu_tlv_add(&p, TLV_RECEIPTED_MESSAGE_ID,
			    (uint16_t)strlen(m.meta.id) + 1, m.meta.id);
			out_meta(&meta, user, m.meta.id);
			ck_assert_int_eq(segw_add(&w, &meta, &p), 0);
			count++;
		}
		segr_close(&r);
		unlink(path);
	}
	smppconn_out_close(t, &w, user);
	record_msg_free(&m);
	spool_list_free(names, n);
	return count;
}

/* An account's balance, as smppuser(8) shows it; -1 when none is shown. */
double
th_balance(struct th *t, const char *user)
{
	char	 cmd[1400], line[256];
	FILE	*fp;
	double	 b = -1;

	bindir();
	snprintf(cmd, sizeof(cmd), "%s/smppuser -d %s show %s", th_bindir,
	    t->db, user);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "balance", 7) == 0)
			b = strtod(line + strcspn(line, "0123456789-"), NULL);
	pclose(fp);
	return b;
}

/* A connector's line of smppconn's state file: 1, or 0 without one. */
int
th_conn_state(struct th *t, const char *name, struct connstate *s)
{
	struct connstate_file	 f;
	char			 path[700];
	int			 i, found = 0;

	snprintf(path, sizeof(path), "%s/%s", t->spool, CONNSTATE_FILE);
	if (connstate_load(path, &f) == -1)
		return 0;
	for (i = 0; i < f.n && !found; i++)
		if (strcmp(f.conn[i].name, name) == 0) {
			*s = f.conn[i];
			found = 1;
		}
	connstate_free(&f);
	return found;
}

/* Wait up to ms for fn(state, arg) to hold for the connector. */
int
th_wait_state(struct th *t, const char *name,
    int (*fn)(const struct connstate *, void *), void *arg, int ms)
{
	struct connstate	 s;
	int			 i;

	for (i = 0; i < ms / 50 + 1; i++) {
		if (th_conn_state(t, name, &s) && fn(&s, arg))
			return 1;
		pause_ms(50);
	}
	return 0;
}
