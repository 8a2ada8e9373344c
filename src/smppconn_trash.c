/*
 * smppconn_trash.c - finished MT segments leave the loop by a rename;
 * a child process unlinks them
 *
 * SYNOPSIS
 *	smppconn_trash_start()	smppconn_trash_put(segpath)
 *	smppconn_trash_check()	smppconn_trash_stop()
 *
 * DESCRIPTION
 *	Unlinking a finished segment frees its blocks, which on a file
 *	system mounted with discard waits for the device: measured at
 *	about 2 ms a call, half of smppconn's time under full load
 *	(BENCHMARKS.md).  smppconn_trash_put() instead renames the
 *	segment's .done sidecar and then the segment into SPOOL/mt/trash/,
 *	a rename within the file system, which frees nothing; a child
 *	process started by smppconn_trash_start() unlinks what it finds
 *	there, every TRASH_IDLE_US when the folder is empty, and exits
 *	when smppconn does.
 *
 *	The renames are not synced, as the unlink they replace was not:
 *	after a power failure a segment is in mt/active/ or in mt/trash/.
 *	In mt/active/ it is handed back to mt/new/ at start and its
 *	records not marked settled are handed on again, as after a lost
 *	unlink (the sidecar goes first, so that a segment never loses its
 *	marks while it is still in mt/active/).  What is in mt/trash/ is
 *	only ever removed.  The folder is made when missing, so that a
 *	spool made by an earlier smppd -I serves unchanged.
 *
 *	smppconn_trash_check() (every rescan) starts the child again when
 *	it died; without a child, or when a rename fails, the segment is
 *	unlinked in the loop as before.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "smppconn.h"
#include "log.h"
#include "spool.h"

#define TRASH_IDLE_US	20000

static pid_t	 child = -1;
static char	 trash[SPOOL_PATH_MAX];

/* The child: unlink everything in trash/ until the parent is gone. */
static void
empty_loop(pid_t parent)
{
	char		 path[SPOOL_PATH_MAX];
	struct dirent	*de;
	DIR		*d;
	int		 n;

	while (getppid() == parent) {
		n = 0;
		if ((d = opendir(trash)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.' &&
				    (de->d_name[1] == '\0' || (de->d_name[1] ==
				    '.' && de->d_name[2] == '\0')))
					continue;
				if (spool_path(path, sizeof(path), "%s/%s",
				    trash, de->d_name) == 0 &&
				    unlink(path) == 0)
					n++;
			}
			closedir(d);
		}
		if (n == 0)
			usleep(TRASH_IDLE_US);
	}
	_exit(0);
}

static void
fork_child(void)
{
	pid_t	 parent = getpid(), pid;
	int	 fd;

	if ((pid = fork()) == -1) {
		log_warn("trash: fork");
		return;
	}
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_IGN);
		signal(SIGUSR1, SIG_IGN);
		signal(SIGCHLD, SIG_DFL);
		/* Not the pid file's lock, nor anything else of the loop. */
		for (fd = 3; fd < 1024; fd++)
			(void)close(fd);
		empty_loop(parent);
	}
	child = pid;
}

void
smppconn_trash_start(void)
{
	if (spool_path(trash, sizeof(trash), "%s/mt/trash",
	    smppconn_ctx.conf->spool.dir) == -1 ||
	    (mkdir(trash, 0750) == -1 && errno != EEXIST)) {
		log_warn("%s: finished segments are unlinked in the loop",
		    trash);
		trash[0] = '\0';
		return;
	}
	fork_child();
}

/* A finished segment: into trash/, else unlinked here. */
int
smppconn_trash_put(const char *path)
{
	char		 side[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX];
	const char	*name = strrchr(path, '/');

	name = name != NULL ? name + 1 : path;
	if (child == -1 || trash[0] == '\0' ||
	    spool_done_path(side, sizeof(side), path) == -1 ||
	    spool_path(to, sizeof(to), "%s/%s.done", trash, name) == -1 ||
	    (rename(side, to) == -1 && errno != ENOENT) ||
	    spool_path(to, sizeof(to), "%s/%s", trash, name) == -1 ||
	    rename(path, to) == -1)
		return spool_remove(path);
	return 0;
}

void
smppconn_trash_check(void)
{
	pid_t	 rc;

	if (child == -1) {
		if (trash[0] != '\0')
			fork_child();
		return;
	}
	rc = waitpid(child, NULL, WNOHANG);
	if (rc == child || (rc == -1 && errno == ECHILD) ||
	    kill(child, 0) == -1) {
		log_warnx("trash: the process that empties %s is gone: "
		    "started again", trash);
		child = -1;
		fork_child();
	}
}

void
smppconn_trash_stop(void)
{
	if (child == -1)
		return;
	kill(child, SIGTERM);
	(void)waitpid(child, NULL, 0);
	child = -1;
}
