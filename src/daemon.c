/*
 * daemon.c - what the two daemons (smppd, smppconn) do alike
 *
 * SYNOPSIS
 *	fd = daemon_pidfile_lock(path, progname)
 *	daemon_pidfile_write(fd, path)
 *	daemon_detach()
 *	daemon_user_ids(conf, &uid, &gid)
 *	daemon_drop_privileges(conf)
 *
 * DESCRIPTION
 *	The pid file is also the lock against a second instance: it stays
 *	open with an flock(2) for the life of the process, so that a stale
 *	file left by a crash never stops a start.  Both daemons run as the
 *	[smpp-server] user and group when started as root; they own the
 *	spool.
 *
 * DIAGNOSTICS
 *	fatalx() when another instance holds the lock or the user or group
 *	does not exist; fatal() when a system call fails.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/types.h>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "daemon.h"
#include "log.h"

/* Open and lock the pid file; -1 when path is empty (no pid file). */
int
daemon_pidfile_lock(const char *path, const char *prog)
{
	char	 buf[32];
	ssize_t	 n;
	int	 fd;

	if (path[0] == '\0')
		return -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		fatal("pid file %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fatalx("another %s is running (pid %s, %s)", prog, buf, path);
	}
	return fd;
}

/* Write our pid, after daemon_detach() changed it. */
void
daemon_pidfile_write(int fd, const char *path)
{
	char	 buf[32];
	int	 n;

	if (fd == -1)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("writing %s", path);
}

void
daemon_detach(void)
{
	pid_t	 pid;
	int	 fd;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0)
		_exit(0);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
}

/* The ids to run as: [smpp-server] user and group when root. */
void
daemon_user_ids(const struct conf *c, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;
	struct group	*gr;

	*uid = geteuid();
	*gid = getegid();
	if (*uid != 0 || c->server.user[0] == '\0')
		return;
	if ((pw = getpwnam(c->server.user)) == NULL)
		fatalx("user %s: no such user (create it, for example with "
		    "\"useradd --system --user-group --home-dir %s --shell "
		    "/usr/sbin/nologin %s\")", c->server.user, c->spool.dir,
		    c->server.user);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (c->server.group[0] != '\0') {
		if ((gr = getgrnam(c->server.group)) == NULL)
			fatalx("group %s: no such group", c->server.group);
		*gid = gr->gr_gid;
	}
}

void
daemon_drop_privileges(const struct conf *c)
{
	uid_t	 uid;
	gid_t	 gid;

	if (geteuid() != 0 || c->server.user[0] == '\0')
		return;
	daemon_user_ids(c, &uid, &gid);
	/* A log file root made must stay reopenable (SIGHUP). */
	if (log_give(uid, gid) == -1)
		log_warn("giving the log file to %s", c->server.user);
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1)
		fatal("dropping privileges to %s", c->server.user);
}
