/*
 * sync_stop.c - an LD_PRELOAD library that stops a process at a chosen
 * fdatasync(2), for a test to kill it there
 *
 * SYNOPSIS
 *	SYNC_STOP_MATCH=/out/ SYNC_STOP_SKIP=20 \
 *	    LD_PRELOAD=.../sync_stop.so smppconn ...
 *
 * DESCRIPTION
 *	Before the fdatasync(2) of a file whose path (read from
 *	/proc/self/fd, so Linux only) holds SYNC_STOP_MATCH, once
 *	SYNC_STOP_SKIP such syncs went by, the process stops itself with
 *	SIGSTOP: its data is written and not synced, which is where a
 *	kill -9 must cost no duplicate.  Its parent sees the stop with
 *	waitpid(2) and WUNTRACED.  Only the first match stops.
 *
 *	Built for the tests only (tests/Makefile.am), never installed.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	 seen, stopped;

static int
matches(int fd)
{
	const char	*match = getenv("SYNC_STOP_MATCH");
	char		 link[64], path[PATH_MAX];
	ssize_t		 n;

	if (match == NULL || stopped)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, match) != NULL;
}

int
fdatasync(int fd)
{
	static int	(*real)(int);
	const char	*skip = getenv("SYNC_STOP_SKIP");

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	if (matches(fd) && seen++ >= (skip != NULL ? atoi(skip) : 0)) {
		stopped = 1;
		raise(SIGSTOP);
	}
	return real(fd);
}
