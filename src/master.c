/*
 * master.c - the smppd master: listeners, the pool of pre-forked
 * children, signals, reload and shutdown
 *
 * SYNOPSIS
 *	master_run(conf, path, foreground)
 *
 * DESCRIPTION
 *	The master opens the listeners, drops root, and keeps `prefork'
 *	idle children blocked in accept, never more than max_connections
 *	children in all.  A child tells the master through a pipe when it
 *	took a connection, serves that one client and exits; the master
 *	reaps it and forks another.  When every child is busy and the limit
 *	is reached, the master itself accepts new connections and closes
 *	them at once with a log line, so that no client is left hanging.
 *
 *	SIGHUP re-reads the configuration: a broken file is logged and the
 *	old one stays; idle children are told (SIGUSR2) to make way for
 *	children with the new one, busy children keep theirs.  SIGTERM (or
 *	SIGINT in the foreground) closes the listeners and passes SIGTERM
 *	to every child, which unbinds its client and waits up to
 *	responseTimerSecs for the answer; a second SIGTERM is passed on
 *	too, the children exit at once and so does the master.  A master
 *	that dies without its children (kill -9) leaves them the same
 *	shutdown: idle ones exit, busy ones unbind (session_lifeline()),
 *	and the pid file's lock is free for a new master within
 *	responseTimerSecs.  SIGCHLD
 *	reaps without blocking; when a child died abnormally its open and
 *	claimed spool segments are recovered at once (spool_recover_pid).
 *
 *	Signals are blocked except inside ppoll(2), so none is lost between
 *	the checks of the flags and the wait.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conf.h"
#include "anvil.h"
#include "daemon.h"
#include "log.h"
#include "master.h"
#include "msgid.h"
#include "net.h"
#include "netacl.h"
#include "rates.h"
#include "sb.h"
#include "session.h"
#include "spool.h"

struct child {
	pid_t	 pid;
	int	 busy;
};

/* What a child writes to the master's status pipe. */
struct status_msg {
	pid_t	 pid;
	int	 busy;
};

static volatile sig_atomic_t got_chld, got_hup, got_term, got_usr2;

static struct conf	*conf;
static const char	*confpath;
static int		 listeners[CONF_MAX_LISTEN];
static int		 nlisteners;
static int		 status_pipe[2] = { -1, -1 };
static int		 life_pipe[2] = { -1, -1 };	/* EOF: master died */
static struct child	*children;
static int		 nchildren, nidle, maxchildren;
static sigset_t		 waitmask;
static int		 pidfd = -1;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGCHLD:
		got_chld = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGUSR2:
		got_usr2 = 1;
		break;
	default:
		got_term++;
		break;
	}
}

static void
master_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 block;

	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
}

static void
open_listeners(void)
{
	char	 err[256];
	int	 i, fd;

	for (i = 0; i < conf->server.nlisten; i++) {
		fd = net_listen(conf->server.listen[i].host,
		    conf->server.listen[i].port, 1024, err, sizeof(err));
		if (fd == -1)
			fatalx("%s", err);
		listeners[nlisteners++] = fd;
		log_info("listening on %s port %d",
		    conf->server.listen[i].host, conf->server.listen[i].port);
	}
}

static void
close_listeners(void)
{
	int	 i;

	for (i = 0; i < nlisteners; i++)
		close(listeners[i]);
	nlisteners = 0;
}

/* The run folder holds the pid file and the scoreboard. */
static void
make_run_dir(uid_t uid, gid_t gid)
{
	int	 fd;

	if (mkdir(conf->server.run_dir, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", conf->server.run_dir);
	if (geteuid() != 0)
		return;
	/* The folder itself, not what a link in its place points to. */
	if ((fd = open(conf->server.run_dir, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || fchown(fd, uid, gid) == -1)
		fatal("chown %s", conf->server.run_dir);
	close(fd);
}

/*
 * Drop root to the configured user, after the listeners are open.  Also
 * used in inetd mode.
 */
int
master_drop_privileges(const struct conf *c, int must)
{
	if (geteuid() == 0 && c->server.user[0] == '\0') {
		if (must)
			log_warnx("running as root: set user in [smpp-server]");
		return 0;
	}
	daemon_drop_privileges(c);
	return 0;
}

/*
 * The per-address limits, checked in the child right after accept(),
 * before the master hears of the connection: a refused one is closed
 * and the child waits for the next (anvil.c says why the child and not
 * the master).  A connection from a trusted proxy is judged by the
 * client address in its PROXY header, in session_run().
 */
static int
admit(int fd, const struct sockaddr_storage *ss, int slot)
{
	const struct sockaddr	*sa = (const struct sockaddr *)ss;

	if (conf->server.proxy_from[0] != '\0' &&
	    netacl_match(conf->server.proxy_from, sa))
		return 1;
	if (anvil_admit(sb_anvil(), conf, sa, slot))
		return 1;
	sb_count(-1, SB_ADDR_REFUSED);
	close(fd);
	return 0;
}

/* In the child: wait for a connection, then serve it. */
static void
child_main(void)
{
	struct sockaddr_storage	 ss;
	struct status_msg	 msg;
	struct pollfd		 pfd[CONF_MAX_LISTEN + 1];
	socklen_t		 slen;
	sigset_t		 mask, pend;
	int			 i, fd = -1, slot;

	session_signals();
	mask = *session_waitmask();
	sigdelset(&mask, SIGUSR2);
	log_prefix(NULL);
	msgid_init(conf->server.id);
	slot = sb_child_claim(getpid());
	close(status_pipe[0]);
	close(life_pipe[1]);
	while (fd == -1) {
		for (i = 0; i < nlisteners; i++) {
			pfd[i].fd = listeners[i];
			pfd[i].events = POLLIN;
		}
		/* An idle child does not outlive its master. */
		pfd[nlisteners].fd = life_pipe[0];
		pfd[nlisteners].events = POLLIN;
		pfd[nlisteners].revents = 0;
		if (ppoll(pfd, nlisteners + 1, NULL, &mask) == -1 &&
		    errno != EINTR)
			fatal("ppoll");
		/*
		 * ppoll returning ready descriptors leaves a signal that came
		 * meanwhile pending: a reload's SIGUSR2 must still win over a
		 * client that arrived at the same time.
		 */
		if (sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2))
			exit(0);
		if (session_term || got_usr2 || pfd[nlisteners].revents)
			exit(0);
		for (i = 0; i < nlisteners && fd == -1; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			slen = sizeof(ss);
			fd = accept4(listeners[i], (struct sockaddr *)&ss, &slen,
			    SOCK_CLOEXEC);
		}
		if (fd != -1 && !admit(fd, &ss, slot))
			fd = -1;
	}
	msg.pid = getpid();
	msg.busy = 1;
	if (write(status_pipe[1], &msg, sizeof(msg)) == -1)
		log_warn("status pipe");
	close(status_pipe[1]);
	session_lifeline(life_pipe[0]);
	close_listeners();
	session_run(conf, fd, fd, &ss, slot);
	exit(0);
}

static void
child_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 mask;

	/* SIGUSR2 tells an idle child to go (reload). */
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/*
	 * Keep SIGTERM blocked as the master had it: until the child's own
	 * handlers are in place it would reach the master's handler and be
	 * lost.  session_signals() unblocks it for the waits.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

static int
spawn_one(void)
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid == 0) {
		child_signals();
		child_main();
	}
	children[nchildren].pid = pid;
	children[nchildren].busy = 0;
	nchildren++;
	nidle++;
	return 0;
}

static int
spawn(void)
{
	while (nidle < conf->server.prefork && nchildren < maxchildren)
		if (spawn_one() == -1)
			return -1;
	return 0;
}

static int
find_child(pid_t pid)
{
	int	 i;

	for (i = 0; i < nchildren; i++)
		if (children[i].pid == pid)
			return i;
	return -1;
}

static void
reap(void)
{
	pid_t	 pid;
	int	 st, i;

	got_chld = 0;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if ((i = find_child(pid)) == -1)
			continue;
		if (!children[i].busy)
			nidle--;
		children[i] = children[--nchildren];
		anvil_release_slot(sb_anvil(), sb_child_find(pid));
		sb_child_release_pid(pid);
		if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st))) {
			if (WIFSIGNALED(st))
				log_warnx("child %ld killed by signal %d",
				    (long)pid, WTERMSIG(st));
			else
				log_warnx("child %ld exited with status %d",
				    (long)pid, WEXITSTATUS(st));
			if (spool_recover_pid(conf->spool.dir, pid) == -1)
				log_warn("recovering the spool of child %ld",
				    (long)pid);
		}
	}
}

static void
read_status(void)
{
	struct status_msg	 msg;
	int			 i;

	while (read(status_pipe[0], &msg, sizeof(msg)) == sizeof(msg)) {
		if ((i = find_child(msg.pid)) == -1 || children[i].busy)
			continue;
		children[i].busy = 1;
		nidle--;
	}
}

/* Every child is busy and the limit is reached: refuse, do not hang. */
static void
refuse(int lfd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 slen = sizeof(ss);
	char			 peer[NET_ADDRSTR_MAX];
	int			 fd;

	while ((fd = accept4(lfd, (struct sockaddr *)&ss, &slen,
	    SOCK_CLOEXEC)) != -1) {
		if (net_addr_str((struct sockaddr *)&ss, peer, sizeof(peer))
		    == -1)
			strlcpy(peer, "?", sizeof(peer));
		log_warnx("refusing connection from %s: max_connections %d "
		    "reached", peer, conf->server.max_connections);
		sb_count(-1, SB_REFUSED);
		close(fd);
		slen = sizeof(ss);
	}
}

static void
report_error(const char *msg)
{
	log_errorx("%s", msg);
}

static int
same_listeners(const struct conf *a, const struct conf *b)
{
	int	 i;

	if (a->server.nlisten != b->server.nlisten)
		return 0;
	for (i = 0; i < a->server.nlisten; i++)
		if (strcmp(a->server.listen[i].host,
		    b->server.listen[i].host) != 0 ||
		    a->server.listen[i].port != b->server.listen[i].port)
			return 0;
	return 1;
}

/*
 * The children array holds max_connections entries, and a reload may
 * change max_connections: grow it before anything is written past its
 * old end.  It never shrinks below the children alive; spawn() stops at
 * maxchildren, so the extra ones are just not replaced.
 */
static int
children_resize(int max)
{
	struct child	*c;
	size_t		 n = (size_t)(max > nchildren ? max : nchildren) + 1;

	if ((c = reallocarray(children, n, sizeof(*c))) == NULL)
		return -1;
	children = c;
	maxchildren = max;
	return 0;
}

/*
 * The rate card, loaded here before the children fork so that they
 * share it.  At start a broken card is fatal; on SIGHUP the old one
 * stays.
 */
static void
load_rates(int first)
{
	char	 err[1200];

	if (rates_install(conf->userdb.rates, err, sizeof(err)) == -1) {
		if (first)
			fatalx("rate card %s", err);
		log_errorx("rate card %s: keeping the old one", err);
		return;
	}
	if (conf->userdb.rates[0] != '\0')
		log_info("rate card %s: %zu rule(s)", conf->userdb.rates,
		    rates_count());
}

/* SIGHUP: the new configuration, or the old one if the new is broken. */
static void
reload(int foreground)
{
	struct conf	*c;
	char		 err[256];
	int		 i;

	got_hup = 0;
	/* First, and whatever the file says: logrotate relies on it. */
	if (log_reopen() == -1)
		log_warn("reopening the log file");
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("reload");
		return;
	}
	if (conf_load(c, confpath, report_error) != 0) {
		/* Busy children still reopen theirs. */
		for (i = 0; i < nchildren; i++)
			if (children[i].busy)
				kill(children[i].pid, SIGHUP);
		log_errorx("%s has errors: keeping the old configuration",
		    confpath);
		conf_free(c);
		free(c);
		return;
	}
	spool_durable_set(c->spool.sync);
	if (!same_listeners(conf, c))
		log_warnx("bind and port changes need a restart");
	c->server.nlisten = conf->server.nlisten;
	memcpy(c->server.listen, conf->server.listen,
	    sizeof(c->server.listen));
	conf_free(conf);
	free(conf);
	conf = c;
	if (master_log_configure(conf, foreground, err, sizeof(err)) == -1)
		log_errorx("%s", err);
	if (children_resize(conf->server.max_connections) == -1)
		log_warn("max_connections %d: keeping %d",
		    conf->server.max_connections, maxchildren);
	/*
	 * Idle children make way; busy ones only reopen the log file.  A
	 * child that took a connection since the loop last read the status
	 * pipe must count as busy, or it never reopens the log.
	 */
	load_rates(0);
	read_status();
	for (i = 0; i < nchildren; i++)
		kill(children[i].pid, children[i].busy ? SIGHUP : SIGUSR2);
	log_info("configuration reloaded from %s", confpath);
}

static void
stop_children(int sig)
{
	int	 i;

	for (i = 0; i < nchildren; i++)
		kill(children[i].pid, sig);
}

static void
main_loop(int foreground)
{
	struct pollfd	 pfd[1 + CONF_MAX_LISTEN];
	struct timespec	 retry = { 1, 0 };
	int		 n, i, forkfail = 0, stopping = 0;

	for (;;) {
		if (got_chld)
			reap();
		if (got_hup && !stopping)
			reload(foreground);
		if (got_term && !stopping) {
			log_info("shutting down: %d children to unbind",
			    nchildren);
			stopping = 1;
			close_listeners();
			stop_children(SIGTERM);
		} else if (got_term > 1) {
			log_info("second signal: exiting now");
			stop_children(SIGTERM);
			return;
		}
		if (stopping && nchildren == 0)
			return;
		if (!stopping)
			forkfail = spawn() == -1;
		n = 0;
		pfd[n].fd = status_pipe[0];
		pfd[n++].events = POLLIN;
		if (!stopping && nidle == 0 && nchildren >= maxchildren)
			for (i = 0; i < nlisteners; i++) {
				pfd[n].fd = listeners[i];
				pfd[n++].events = POLLIN;
			}
		if (ppoll(pfd, n, forkfail ? &retry : NULL, &waitmask) == -1) {
			if (errno != EINTR)
				fatal("ppoll");
			continue;
		}
		if (pfd[0].revents & POLLIN)
			read_status();
		for (i = 1; i < n; i++)
			if (pfd[i].revents & POLLIN)
				refuse(pfd[i].fd);
	}
}

/* Logging as [smpp-server] says; stderr in the foreground without a file. */
int
master_log_configure(const struct conf *c, int foreground, char *err,
    size_t errlen)
{
	struct log_conf	 lc;

	memset(&lc, 0, sizeof(lc));
	lc.level = c->server.log_level;
	lc.file = c->server.log_file;
	lc.format = c->server.log_format;
	lc.datefmt = c->server.log_date_format;
	lc.name = c->server.id;
	lc.foreground = foreground;
	lc.privacy = c->server.log_privacy;
	return log_configure(&lc, err, errlen);
}

int
master_run(struct conf *c, const char *path, int foreground)
{
	char	 sbpath[CONF_PATH_MAX + 32];
	uid_t	 uid;
	gid_t	 gid;

	/* A reload frees the configuration it replaces: own a copy. */
	if ((conf = malloc(sizeof(*conf))) == NULL)
		fatal("configuration");
	memcpy(conf, c, sizeof(*conf));
	confpath = path;
	if (children_resize(conf->server.max_connections) == -1)
		fatal("children");
	/* Every child inherits the decoy: no child pays for it on a bind. */
	if (account_decoy_init() == -1)
		fatalx("cannot make the decoy password hash");
	/* Before anything can be signalled: handlers, signals blocked. */
	master_signals();
	daemon_user_ids(conf, &uid, &gid);
	make_run_dir(uid, gid);
	pidfd = daemon_pidfile_lock(conf->server.pid_file, "smppd");
	open_listeners();
	if (!foreground)
		daemon_detach();
	daemon_pidfile_write(pidfd, conf->server.pid_file);
	master_drop_privileges(conf, 1);
	master_check_spool(conf);
	load_rates(1);
	snprintf(sbpath, sizeof(sbpath), "%s/%s", conf->server.run_dir,
	    SB_FILE);
	if (sb_open(sbpath, conf->server.id, 1) == -1)
		log_warn("scoreboard %s: counters disabled", sbpath);
	if (spool_recover_all(conf->spool.dir) == -1)
		log_warn("recovering the spool");
	if (pipe2(status_pipe, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    pipe2(life_pipe, O_CLOEXEC) == -1)
		fatal("pipe");
	log_info("smppd %s started (id %s, %d listener(s), up to %d "
	    "connections)", PACKAGE_VERSION, conf->server.id, nlisteners,
	    maxchildren);
	main_loop(foreground);
	log_info("smppd stopped");
	if (pidfd != -1 && conf->server.pid_file[0] != '\0')
		(void)unlink(conf->server.pid_file);
	conf_free(conf);
	free(conf);
	free(children);
	return 0;
}

/* Refuse to run on a spool with the wrong layout, owner or modes. */
void
master_check_spool(const struct conf *c)
{
	char	 err[512];

	if (spool_check(c->spool.dir, err, sizeof(err)) == -1)
		fatalx("spool %s: %s (smppd -I creates it)", c->spool.dir,
		    err);
}
