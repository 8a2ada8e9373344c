/*
 * smppd.c - the SMPP v3.4 server: standalone master, inetd mode, checks
 *
 * SYNOPSIS
 *	smppd [-fistTI] [-c config]
 *
 * DESCRIPTION
 *	Without options smppd reads its configuration, becomes a daemon and
 *	runs the master (master.c), which forks one child per connection
 *	(session.c).  -f stays in the foreground.  -i serves the one
 *	connection on standard input and output, for inetd and xinetd.
 *	-t checks the configuration, the user database, the spool and the
 *	log file and exits; -T prints the effective configuration; -s
 *	prints the counters of a running server; -I creates the spool, run
 *	and database folders with the right owner and modes.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "compat.h"
#include "cluster.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "master.h"
#include "msgid.h"
#include "net.h"
#include "rates.h"
#include "sb.h"
#include "session.h"
#include "spool.h"

static int	 nerrors;

static void
usage(void)
{
	fprintf(stderr, "usage: smppd [-fistTI] [-c config]\n");
	exit(EX_USAGE);
}

static void
report_stderr(const char *msg)
{
	fprintf(stderr, "smppd: %s\n", msg);
	nerrors++;
}

/* Under inetd stderr is the client's socket: report to syslog. */
static void
report_syslog(const char *msg)
{
	log_errorx("%s", msg);
	nerrors++;
}

static void
check_userdb(const struct conf *c)
{
	GDBM_FILE	 db;

	db = gdbm_open(c->userdb.path, 0, GDBM_READER, 0, NULL);
	if (db == NULL) {
		fprintf(stderr, "smppd: user database %s: %s\n",
		    c->userdb.path, gdbm_errno == GDBM_FILE_OPEN_ERROR ?
		    strerror(errno) : gdbm_strerror(gdbm_errno));
		nerrors++;
		return;
	}
	gdbm_close(db);
}

static void
report_warning(const char *msg)
{
	fprintf(stderr, "smppd: %s\n", msg);
}

/* -t: is everything the server needs there and usable? */
static void
check_rates(const struct conf *c)
{
	struct rates	 card;
	char		 err[1200];

	if (c->userdb.rates[0] == '\0')
		return;
	if (rates_load(&card, c->userdb.rates, err, sizeof(err)) == -1) {
		fprintf(stderr, "smppd: rate card %s\n", err);
		nerrors++;
		return;
	}
	rates_free(&card);
}

static int
check_all(const struct conf *c)
{
	char	 err[512];
	uid_t	 uid;
	gid_t	 gid;

	check_userdb(c);
	check_rates(c);
	(void)cluster_warnings(c, report_warning);
	/* As root: against the user the daemon will run as. */
	daemon_user_ids(c, &uid, &gid);
	if (spool_check_owner(c->spool.dir, uid, err, sizeof(err)) == -1) {
		fprintf(stderr, "smppd: spool %s: %s\n", c->spool.dir, err);
		nerrors++;
	}
	if (c->server.log_file[0] != '\0' &&
	    strcmp(c->server.log_file, "syslog") != 0 &&
	    master_log_configure(c, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "smppd: %s\n", err);
		nerrors++;
	}
	if (nerrors > 0)
		return EX_CONFIG;
	printf("%s: configuration OK\n", c->path);
	return EX_OK;
}

static int
print_stats(const struct conf *c)
{
	char	 path[CONF_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", c->server.run_dir, SB_FILE);
	if (sb_attach(path) == -1) {
		fprintf(stderr, "smppd: %s: %s (is smppd running?)\n", path,
		    strerror(errno));
		return EX_UNAVAILABLE;
	}
	sb_print(stdout, sb_board(), 0);
	return EX_OK;
}

/* mkdir -p, then give the last folder to uid:gid. */
static int
make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	char	 tmp[CONF_PATH_MAX], *p;
	int	 fd, rc;

	if (strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp))
		return -1;
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) == -1 && errno != EEXIST)
		return -1;
	/*
	 * On the folder itself, never through a link the daemon's user
	 * may have put in its place (root runs this).
	 */
	if ((fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	rc = (geteuid() == 0 && fchown(fd, uid, gid) == -1) ||
	    fchmod(fd, mode) == -1 ? -1 : 0;
	close(fd);
	return rc;
}

/* The folder of the log file, when it is missing: the daemon's too. */
static int
make_log_dir(const struct conf *c, uid_t uid, gid_t gid)
{
	char		 dir[CONF_PATH_MAX], *slash;
	struct stat	 st;

	if (c->server.log_file[0] != '/' ||
	    strlcpy(dir, c->server.log_file, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0 || errno != ENOENT)
		return 0;
	return make_dir(dir, 0750, uid, gid);
}

/* -I: the spool, run and database folders, owned by the server's user. */
static int
init_dirs(const struct conf *c)
{
	char	 dbdir[CONF_PATH_MAX], *slash;
	uid_t	 uid;
	gid_t	 gid;
	pid_t	 pid;
	int	 st;

	daemon_user_ids(c, &uid, &gid);
	strlcpy(dbdir, c->userdb.path, sizeof(dbdir));
	if ((slash = strrchr(dbdir, '/')) != NULL && slash != dbdir)
		*slash = '\0';
	if (make_dir(c->spool.dir, 0750, uid, gid) == -1)
		err(EX_CANTCREAT, "%s", c->spool.dir);
	if (make_dir(c->server.run_dir, 0755, uid, gid) == -1)
		err(EX_CANTCREAT, "%s", c->server.run_dir);
	if (slash != NULL && make_dir(dbdir, 0750, uid, gid) == -1)
		err(EX_CANTCREAT, "%s", dbdir);
	if (make_log_dir(c, uid, gid) == -1)
		err(EX_CANTCREAT, "folder of %s", c->server.log_file);
	/* The spool's insides are made by its owner. */
	if ((pid = fork()) == -1)
		err(EX_OSERR, "fork");
	if (pid == 0) {
		master_drop_privileges(c, 0);
		if (spool_init(c->spool.dir, 1) == -1)
			err(EX_CANTCREAT, "%s", c->spool.dir);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st))
		errx(EX_OSERR, "creating the spool failed");
	if (WEXITSTATUS(st) != 0)
		return WEXITSTATUS(st);
	printf("created %s, %s and %s\n", c->spool.dir, c->server.run_dir,
	    dbdir);
	return EX_OK;
}

/*
 * Under tcpserver(1) the peer may come from the environment rather than
 * from getpeername(2).
 */
static void
inetd_peer(struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*ip = getenv("TCPREMOTEIP");
	const char		*port = getenv("TCPREMOTEPORT");
	char			 str[NET_ADDRSTR_MAX];

	if (net_peer(STDIN_FILENO, ss, str, sizeof(str)) == 0 || ip == NULL)
		return;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port ? (uint16_t)atoi(port) : 0);
	} else if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port ? (uint16_t)atoi(port) : 0);
	}
}

/* -i: one connection on stdin/stdout, as inetd and xinetd start us. */
static int
run_inetd(const struct conf *c)
{
	struct sockaddr_storage	 ss;
	char			 path[CONF_PATH_MAX + 32], err[1200];
	int			 slot;

	if (master_log_configure(c, 0, err, sizeof(err)) == -1)
		fatalx("%s", err);
	master_drop_privileges(c, 0);
	master_check_spool(c);
	if (rates_install(c->userdb.rates, err, sizeof(err)) == -1)
		fatalx("rate card %s", err);
	snprintf(path, sizeof(path), "%s/%s", c->server.run_dir, SB_FILE);
	if (sb_open(path, c->server.id, 0) == -1)
		log_debug("scoreboard %s: counters disabled", path);
	inetd_peer(&ss);
	/* Before the first byte: a bind must not pay for the decoy. */
	if (account_decoy_init() == -1)
		fatalx("cannot make the decoy password hash");
	session_signals();
	msgid_init(c->server.id);
	slot = sb_child_claim(getpid());
	session_run(c, STDIN_FILENO, STDOUT_FILENO, &ss, slot);
	sb_child_release_pid(getpid());
	return EX_OK;
}

int
main(int argc, char *argv[])
{
	struct conf	 conf;
	const char	*path = CONF_PATH_DEFAULT;
	char		 err[256];
	int		 ch, fflag = 0, iflag = 0, sflag = 0, tflag = 0,
			 Tflag = 0, Iflag = 0, rc;

	log_init("smppd");
	while ((ch = getopt(argc, argv, "c:fiIstT")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			fflag = 1;
			break;
		case 'i':
			iflag = 1;
			break;
		case 'I':
			Iflag = 1;
			break;
		case 's':
			sflag = 1;
			break;
		case 't':
			tflag = 1;
			break;
		case 'T':
			Tflag = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || fflag + iflag + sflag + tflag + Tflag + Iflag >
	    1 + (fflag && Tflag))
		usage();
	if (iflag) {
		struct log_conf lc = { LOGL_INFO, NULL, NULL, NULL, NULL, 0,
		    0 };

		(void)log_configure(&lc, err, sizeof(err));
	}
	if (conf_load(&conf, path, iflag ? report_syslog : report_stderr)
	    != 0) {
		if (!iflag)
			fprintf(stderr, "smppd: %s: %d error(s)\n", path,
			    nerrors);
		conf_free(&conf);
		return EX_CONFIG;
	}
	spool_durable_set(conf.spool.sync);
	if (tflag || Tflag || sflag || Iflag || iflag) {
		if (tflag)
			rc = check_all(&conf);
		else if (Tflag)
			rc = conf_dump(stdout, &conf) == 0 ? EX_OK : EX_IOERR;
		else if (sflag)
			rc = print_stats(&conf);
		else if (Iflag)
			rc = init_dirs(&conf);
		else
			rc = run_inetd(&conf);
		conf_free(&conf);
		return rc;
	}
	if (master_log_configure(&conf, fflag, err, sizeof(err)) == -1) {
		fprintf(stderr, "smppd: %s\n", err);
		conf_free(&conf);
		return EX_CONFIG;
	}
	return master_run(&conf, path, fflag);
}
