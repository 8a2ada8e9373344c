/*
 * spool_durable.c - names that hold acknowledged messages, made durable
 *
 * SYNOPSIS
 *	spool_durable_set(sync)		spool_durable_dir(folder)
 *	spool_durable_parent(path)	spool_durable_move(src, dst)
 *
 * DESCRIPTION
 *	POSIX makes a name durable only with an fsync(2) of its folder,
 *	and a rename(2) between two folders changes two folders: after a
 *	power failure the removal of the old name may have reached the
 *	disk and the new name not, and the segment is gone.  So a segment
 *	never changes folder by rename(2): spool_durable_move() gives it
 *	the new name with link(2), fsyncs the new name's folder, and only
 *	then removes the old name with unlink(2).  A crash in between
 *	leaves two names of one file, which recovery and the claimers
 *	resolve (the same inode under both names: the old one goes).
 *
 *	The removal doubles as the claim: of several processes that link
 *	the same segment, the one whose unlink(2) succeeds owns it; the
 *	others (ENOENT) remove their own new name and return 1, as a
 *	rename(2) that lost the race did.  Where link(2) is refused (a
 *	file system without hard links) it falls back to rename(2) and
 *	fsyncs both folders.
 *
 *	spool_durable_set(0) turns the folder syncs off, with [spool]
 *	sync = no: then nothing is durable before the page cache is
 *	written back, for benchmarks only.  spool_durable_dir() fsyncs
 *	one folder, spool_durable_parent() the folder that holds path (a
 *	folder made at run time: out/USER/ and its subfolders).
 *
 * DIAGNOSTICS
 *	0 done, 1 (spool_durable_move) the source was gone, -1 with errno.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "spool.h"

static int	 dirsync = 1;

void
spool_durable_set(int sync)
{
	dirsync = sync;
}

int
spool_durable_dir(const char *folder)
{
	int	 fd, rc, save;

	if (!dirsync)
		return 0;
	if ((fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	save = errno;
	close(fd);
	errno = save;
	return rc;
}

/* fsync the folder that holds path. */
int
spool_durable_parent(const char *path)
{
	char	 dir[SPOOL_PATH_MAX];
	char	*slash;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		return spool_durable_dir(".");
	*slash = '\0';
	return spool_durable_dir(slash == dir ? "/" : dir);
}

static int
same_file(const char *a, const char *b)
{
	struct stat	 sa, sb;

	return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int
rename_synced(const char *src, const char *dst)
{
	if (rename(src, dst) == -1)
		return errno == ENOENT ? 1 : -1;
	if (spool_durable_parent(dst) == -1 || spool_durable_parent(src) == -1)
		return -1;
	return 0;
}

int
spool_durable_move(const char *src, const char *dst)
{
	int	 save, made = 1;

	if (link(src, dst) == -1) {
		if (errno == ENOENT)
			return 1;
		if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP ||
		    errno == EMLINK)
			return rename_synced(src, dst);
		if (errno != EEXIST || !same_file(src, dst))
			return -1;
		/* A crash between link and unlink left both names. */
		made = 0;
	}
	if (spool_durable_parent(dst) == -1) {
		save = errno;
		if (made)
			(void)unlink(dst);
		errno = save;
		return -1;
	}
	if (unlink(src) == -1) {
		save = errno;
		if (made)
			(void)unlink(dst);	/* another claimer won */
		errno = save;
		return save == ENOENT ? 1 : -1;
	}
	return 0;
}
