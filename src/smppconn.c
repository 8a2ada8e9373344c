/*
 * smppconn.c - the connector daemon: from the MT spool to the upstream,
 * and receipts and MO back into the accounts' outbound spools
 *
 * SYNOPSIS
 *	smppconn [-f] [-c config]
 *
 * DESCRIPTION
 *	main() reads the configuration, sets up logging, refuses a spool
 *	with the wrong owner or modes, takes the lock of [smppconn]
 *	pid_file (a second instance refuses to run), becomes a daemon
 *	unless -f, recovers what dead processes left in the spool and
 *	returns all of mt/active/ to mt/new/, opens the trigger FIFO,
 *	starts the connectors and logs a line with "started".
 *
 *	The loop is one poll(2) over the trigger FIFO, the signal
 *	self-pipe and the connectors' descriptors.  Each turn handles the
 *	events and the connectors' timers, claims segments when woken
 *	(trigger, rescan timer, finished work), hands records to the
 *	connectors (smppconn_mt.c), and ends with the group commit
 *	(smppconn_mt_commit()): everything the turn wrote is made durable before
 *	any record is marked settled or any upstream is answered.
 *
 *	Signals only write their number to a pipe.  SIGHUP reloads the
 *	configuration (routes, connectors, log settings; a file that does
 *	not load is logged and the old one kept) and reopens the log.
 *	SIGTERM and SIGINT stop claiming, let the connectors finish what
 *	they hold for at most CONN_STOP_US, give the rest back to mt/new/
 *	and exit.  SIGUSR1 (from smppq(8) delete) rereads the settled
 *	marks of the claimed segments.  SIGCHLD reaps pipe programs.
 *
 * DIAGNOSTICS
 *	Exit status 0 after SIGTERM; 1 (fatal) for a bad configuration,
 *	spool or pid file, with a log line saying why.
 */
#include "config.h"

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
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "daemon.h"
#include "smppconn.h"
#include "idmap.h"
#include "log.h"
#include "msgid.h"
#include "spool.h"

#define NOTICE_GAP_US	3000	/* notices read at most this often */

static int		 sigpipe[2] = { -1, -1 };
static int		 trigfd = -1;
static int		 notefd = -1;
static int64_t		 notice_next;	/* monotonic us: poll notefd from */
static int		 pidfd = -1;
static volatile sig_atomic_t got_hup, got_term, got_chld, got_usr1;

static void
usage(void)
{
	fprintf(stderr, "usage: smppconn [-f] [-c config]\n");
	exit(EX_USAGE);
}

static void
on_signal(int sig)
{
	int		 save = errno;
	unsigned char	 c = (unsigned char)sig;

	switch (sig) {
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGCHLD:
		got_chld = 1;
		break;
	case SIGUSR1:
		got_usr1 = 1;
		break;
	default:
		got_term = 1;
		break;
	}
	/* A full pipe already holds a wake-up. */
	if (write(sigpipe[1], &c, 1) == -1) {
	}
	errno = save;
}

static void
signals(void)
{
	struct sigaction	 sa;
	const int		 sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGCHLD,
				    SIGUSR1 };
	size_t			 i;

	if (pipe2(sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
drain(void *arg, int revents)
{
	char	 buf[256];
	int	 fd = *(int *)arg;

	(void)revents;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static void
trigger(void *arg, int revents)
{
	(void)arg;
	(void)revents;
	(void)spool_trigger_drain(trigfd);
	smppconn_ctx.want_scan = 1;
}

/*
 * Commits to segments still written: no listing of mt/new/ needed.
 * While they come in a stream, they are read once per NOTICE_GAP_US,
 * so that a turn takes several commits instead of one each.
 */
static void
notice(void *arg, int revents)
{
	(void)arg;
	(void)revents;
	if (spool_notice_read(notefd, smppconn_tail_notice))
		smppconn_ctx.want_scan = 1;
	notice_next = smppconn_ctx.now + NOTICE_GAP_US;
}

static int
log_setup(const struct conf *c, char *err, size_t errlen)
{
	struct log_conf	 lc;

	memset(&lc, 0, sizeof(lc));
	lc.level = c->conn.log_level;
	lc.file = c->conn.log_file;
	lc.format = c->server.log_format;
	lc.datefmt = c->server.log_date_format;
	lc.foreground = smppconn_ctx.foreground;
	lc.privacy = c->server.log_privacy;
	return log_configure(&lc, err, errlen);
}

static void
report_log(const char *msg)
{
	log_warnx("%s", msg);
}

static const struct conn_ops *
ops_of(enum conf_conn_type t)
{
	switch (t) {
	case CONN_SINK:
		return &conn_sink_ops;
	case CONN_PIPE:
		return &conn_pipe_ops;
	case CONN_HELPER:
		return &conn_helper_ops;
	default:
		return &conn_smpp_ops;
	}
}

/*
 * A connector keeps a copy of its settings: one that left the file
 * still needs them after the old configuration is freed.  The copy's
 * argv must point into the copy.
 */
static void
conn_settings(struct connector *c, const struct conf_connector *cf)
{
	char	 err[256];

	memcpy(&c->settings, cf, sizeof(c->settings));
	c->cf = &c->settings;
	if ((cf->type == CONN_PIPE || cf->type == CONN_HELPER) &&
	    conf_argv(c->cf, err, sizeof(err)) == -1)
		log_warnx("connector %s: %s", c->name, err);
}

/* A connector starts; at start-up a failure is fatal, on reload not. */
static void
conn_new(struct conf_connector *cf, int must)
{
	struct connector	*c, **v;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (v = reallocarray(smppconn_ctx.conns, (size_t)smppconn_ctx.nconns + 1,
	    sizeof(*v))) == NULL)
		fatal("connector %s", cf->name);
	smppconn_ctx.conns = v;
	strlcpy(c->name, cf->name, sizeof(c->name));
	c->type = cf->type;
	conn_settings(c, cf);
	c->ops = ops_of(cf->type);
	if (c->ops->start != NULL && c->ops->start(c) == -1) {
		if (must)
			fatalx("connector %s cannot start", c->name);
		log_errorx("connector %s cannot start: its messages wait",
		    c->name);
		if (c->ops->release != NULL && c->priv != NULL)
			c->ops->release(c);
		free(c);
		return;
	}
	smppconn_ctx.conns[smppconn_ctx.nconns++] = c;
}

/* Connectors that left the configuration go when they hold nothing. */
static void
conns_reap(void)
{
	int	 i, j;

	for (i = j = 0; i < smppconn_ctx.nconns; i++) {
		struct connector *c = smppconn_ctx.conns[i];

		if (c->gone && c->inhand == 0 &&
		    (c->ops->idle == NULL || c->ops->idle(c))) {
			if (c->ops->release != NULL)
				c->ops->release(c);
			log_info("connector %s removed", c->name);
			free(c);
			continue;
		}
		smppconn_ctx.conns[j++] = c;
	}
	smppconn_ctx.nconns = j;
}

/* After a reload: point the connectors at their new settings. */
static void
conns_rebind(struct conf *nc)
{
	struct conf_connector	 old;
	struct connector	*c;
	int			 i, j, n = smppconn_ctx.nconns;

	for (i = 0; i < n; i++) {
		c = smppconn_ctx.conns[i];
		if (c->gone)
			continue;
		for (j = 0; j < nc->nconnectors; j++)
			if (strcmp(nc->connectors[j].name, c->name) == 0)
				break;
		if (j == nc->nconnectors || nc->connectors[j].type != c->type) {
			c->gone = 1;
			if (c->ops->stop != NULL)
				c->ops->stop(c);
			continue;
		}
		memcpy(&old, c->cf, sizeof(old));
		conn_settings(c, &nc->connectors[j]);
		if (c->ops->reload != NULL)
			c->ops->reload(c, &old);
	}
	for (j = 0; j < nc->nconnectors; j++)
		if (smppconn_ctx_find(nc->connectors[j].name) == NULL)
			conn_new(&nc->connectors[j], 0);
}

static void
reload(void)
{
	struct conf	*nc;
	char		 err[512];

	if ((nc = calloc(1, sizeof(*nc))) == NULL) {
		log_warn("reload");
		return;
	}
	if (conf_load(nc, smppconn_ctx.confpath, report_log) != 0) {
		log_errorx("%s does not load: the old configuration stays",
		    smppconn_ctx.confpath);
		conf_free(nc);
		free(nc);
		return;
	}
	spool_durable_set(nc->spool.sync);
	if (strcmp(nc->spool.dir, smppconn_ctx.conf->spool.dir) != 0) {
		log_warnx("[spool] dir cannot change without a restart");
		strlcpy(nc->spool.dir, smppconn_ctx.conf->spool.dir,
		    sizeof(nc->spool.dir));
	}
	if (log_setup(nc, err, sizeof(err)) == -1)
		log_errorx("%s", err);
	if (log_reopen() == -1)
		log_warn("reopening the log file");
	conns_rebind(nc);
	conf_free(smppconn_ctx.conf);
	free(smppconn_ctx.conf);
	smppconn_ctx.conf = nc;
	billing_reload();
	smppconn_ctx.want_scan = 1;
	log_info("configuration reloaded from %s", smppconn_ctx.confpath);
}

static void
start(void)
{
	int	 i, n;

	/* A mark of a past boot could settle a record whose receipt is lost. */
	if (spool_pend_recover(smppconn_ctx.conf->spool.dir) == -1)
		fatalx("spool recovery: provisional marks of a past boot");
	if ((n = spool_recover_all(smppconn_ctx.conf->spool.dir)) == -1)
		log_warnx("spool recovery: some segments could not be moved");
	if ((i = spool_recover_active(smppconn_ctx.conf->spool.dir)) == -1)
		log_warnx("spool recovery: some claims could not be returned");
	if (n > 0 || i > 0)
		log_info("recovery: %d segment(s) of dead processes, %d "
		    "claim(s) returned", n > 0 ? n : 0, i > 0 ? i : 0);
	if ((trigfd = spool_trigger_open(smppconn_ctx.conf->spool.dir)) == -1)
		fatal("trigger FIFO of %s", smppconn_ctx.conf->spool.dir);
	/* Without it, segments are read after their close only. */
	if ((notefd = spool_notice_open(smppconn_ctx.conf->spool.dir)) == -1)
		log_warn("notice FIFO of %s: segments are read only once "
		    "closed", smppconn_ctx.conf->spool.dir);
	smppconn_trash_start();		/* before the handlers: its own */
	signals();
	billing_start();
	for (i = 0; i < smppconn_ctx.conf->nconnectors; i++)
		conn_new(&smppconn_ctx.conf->connectors[i], 1);
}

/* Programs of the pipe connector, helpers of the helper connector. */
static void
reap(void)
{
	pid_t	 pid;
	int	 st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (!conn_pipe_reaped(pid, st))
			(void)conn_helper_reaped(pid, st);
}

static void
handle_signals(void)
{
	if (got_chld) {
		got_chld = 0;
		reap();
	}
	if (got_hup) {
		got_hup = 0;
		reload();
	}
	if (got_usr1) {
		got_usr1 = 0;
		smppconn_mt_reread_done();
	}
	if (got_term && !smppconn_ctx.stopping) {
		int	 i;

		log_info("stopping");
		smppconn_ctx.stopping = 1;
		smppconn_ctx.stop_deadline = smppconn_ctx.now + CONN_STOP_US;
		for (i = 0; i < smppconn_ctx.nconns; i++)
			if (smppconn_ctx.conns[i]->ops->stop != NULL)
				smppconn_ctx.conns[i]->ops->stop(smppconn_ctx.conns[i]);
	}
}

/* Run the connectors' timers; the earliest next deadline. */
static int64_t
timers(void)
{
	int64_t	 next = CONN_NEVER, t;
	int	 i;

	for (i = 0; i < smppconn_ctx.nconns; i++) {
		if (smppconn_ctx.conns[i]->ops->timer == NULL)
			continue;
		t = smppconn_ctx.conns[i]->ops->timer(smppconn_ctx.conns[i], smppconn_ctx.now);
		if (t < next)
			next = t;
	}
	return next;
}

static int
all_idle(void)
{
	int	 i;

	if (smppconn_ctx.inhand > 0)
		return 0;
	for (i = 0; i < smppconn_ctx.nconns; i++)
		if (smppconn_ctx.conns[i]->ops->idle != NULL &&
		    !smppconn_ctx.conns[i]->ops->idle(smppconn_ctx.conns[i]))
			return 0;
	return 1;
}

static int
poll_timeout(int64_t next)
{
	int64_t	 t;

	if (smppconn_ctx.more)
		return 0;
	if (smppconn_ctx.want_scan && !smppconn_ctx.stopping) {
		if (smppconn_ctx.now >= smppconn_ctx.pause_until)
			return 0;
		if (smppconn_ctx.pause_until < next)
			next = smppconn_ctx.pause_until;
	}
	if (smppconn_ctx.next_rescan < next)
		next = smppconn_ctx.next_rescan;
	if (notice_next > smppconn_ctx.now && notice_next < next)
		next = notice_next;	/* the notices held back */
	if (smppconn_ctx.next_deferred > 0 && !smppconn_ctx.stopping) {
		t = smppconn_ctx.next_deferred * 1000000 - (int64_t)smppconn_ctx.wall * 1000000 +
		    smppconn_ctx.now;
		if (t < next)
			next = t;
	}
	if (smppconn_ctx.stopping && smppconn_ctx.stop_deadline < next)
		next = smppconn_ctx.stop_deadline;
	if (next <= smppconn_ctx.now)
		return 0;
	t = (next - smppconn_ctx.now + 999) / 1000;
	return t > 60000 ? 60000 : (int)t;
}

static void
wait_events(int timeout)
{
	int	 i;

	smppconn_ctx_poll_reset();
	smppconn_ctx_poll_add(sigpipe[0], POLLIN, drain, &sigpipe[0]);
	if (!smppconn_ctx.stopping)
		smppconn_ctx_poll_add(trigfd, POLLIN, trigger, NULL);
	if (!smppconn_ctx.stopping && notefd != -1 &&
	    clock_mono_us() >= notice_next)
		smppconn_ctx_poll_add(notefd, POLLIN, notice, NULL);
	for (i = 0; i < smppconn_ctx.nconns; i++)
		if (smppconn_ctx.conns[i]->ops->poll != NULL)
			smppconn_ctx.conns[i]->ops->poll(smppconn_ctx.conns[i]);
	smppconn_ctx_poll(timeout);
}

static void
housekeeping(void)
{
	smppconn_ctx.want_scan = 1;
	smppconn_ctx.next_rescan = smppconn_ctx.now + (int64_t)smppconn_ctx.conf->conn.rescan * 1000000;
	smppconn_store_prune();
	smppconn_trash_check();
	smppconn_tail_check();
	/* The deferred folder is listed once per rescan even without a hint. */
	if (smppconn_ctx.next_deferred == 0)
		smppconn_ctx.next_deferred = (int64_t)smppconn_ctx.wall;
	if (smppconn_ctx.idmap != NULL && idmap_expire(smppconn_ctx.idmap, (int64_t)smppconn_ctx.wall,
	    10000) > 0)
		smppconn_ctx.idmap_failed = idmap_sync(smppconn_ctx.idmap) == -1;
}

static void
loop(void)
{
	int64_t	 next = 0, t;

	smppconn_ctx.now = clock_mono_us();
	smppconn_ctx.wall = time(NULL);
	smppconn_ctx.want_scan = 1;
	for (;;) {
		wait_events(poll_timeout(next));
		handle_signals();
		if (smppconn_ctx.now >= smppconn_ctx.next_rescan)
			housekeeping();
		next = timers();
		if ((t = smppconn_outcome_tick(smppconn_ctx.now)) < next)
			next = t;
		smppconn_mt_scan();
		smppconn_mt_feed();
		smppconn_mt_commit();
		conns_reap();
		if (smppconn_ctx.stopping && (all_idle() ||
		    smppconn_ctx.now >= smppconn_ctx.stop_deadline))
			break;
	}
}

static void
finish(void)
{
	int	 i;

	/* What the connectors still hold is abandoned: handed on again. */
	for (i = 0; i < smppconn_ctx.nconns; i++)
		if (smppconn_ctx.conns[i]->ops->release != NULL)
			smppconn_ctx.conns[i]->ops->release(smppconn_ctx.conns[i]);
	for (i = 0; i < smppconn_ctx.nconns; i++)
		free(smppconn_ctx.conns[i]);
	free(smppconn_ctx.conns);
	smppconn_ctx.conns = NULL;
	smppconn_ctx.nconns = 0;
	smppconn_mt_feed();
	smppconn_mt_commit();
	smppconn_mt_give_back();
	smppconn_trash_stop();
	smppconn_mt_free();
	billing_stop();
	smppconn_out_free();
	smppconn_store_free();
	smppconn_mo_free();
	idmap_close(smppconn_ctx.idmap);
	if (pidfd != -1 && smppconn_ctx.conf->conn.pid_file[0] != '\0')
		(void)unlink(smppconn_ctx.conf->conn.pid_file);
	log_info("smppconn stopped");
	conf_free(smppconn_ctx.conf);
	free(smppconn_ctx.conf);
}

int
main(int argc, char *argv[])
{
	const char	*path = CONF_PATH_DEFAULT;
	char		 err[512];
	int		 ch;

	log_init("smppconn");
	while ((ch = getopt(argc, argv, "c:f")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			smppconn_ctx.foreground = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	TAILQ_INIT(&smppconn_ctx.jobs);
	TAILQ_INIT(&smppconn_ctx.done);
	TAILQ_INIT(&smppconn_ctx.again);
	smppconn_ctx.confpath = path;
	if ((smppconn_ctx.conf = calloc(1, sizeof(*smppconn_ctx.conf))) == NULL)
		fatal("configuration");
	if (conf_load(smppconn_ctx.conf, path, report_log) != 0)
		fatalx("%s: the configuration does not load", path);
	spool_durable_set(smppconn_ctx.conf->spool.sync);
	if (log_setup(smppconn_ctx.conf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	daemon_drop_privileges(smppconn_ctx.conf);
	if (spool_check(smppconn_ctx.conf->spool.dir, err, sizeof(err)) == -1)
		fatalx("refusing to run: %s (smppd -I creates the spool)", err);
	pidfd = daemon_pidfile_lock(smppconn_ctx.conf->conn.pid_file, "smppconn");
	if (!smppconn_ctx.foreground)
		daemon_detach();
	daemon_pidfile_write(pidfd, smppconn_ctx.conf->conn.pid_file);
	msgid_init(smppconn_ctx.conf->server.id);
	start();
	log_info("smppconn %s started (spool %s, %d connector(s))",
	    PACKAGE_VERSION, smppconn_ctx.conf->spool.dir, smppconn_ctx.nconns);
	loop();
	finish();
	return EX_OK;
}
