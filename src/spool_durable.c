/*
 * spool_durable.c - names that hold acknowledged messages, made durable
 *
 * SYNOPSIS
 *	spool_durable_set(sync)		spool_durable_dir(folder)
 *	spool_durable_parent(path)	spool_durable_move(src, dst)
 *	spool_mv_set(mv, src, dst)	spool_durable_move_group(mv, n)
 *	spool_durable_link_group(mv, n)	spool_durable_unlink_group(mv, n)
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
 *	spool_durable_move_group() moves several segments into one
 *	folder with one fsync(2) of it: all the links, the sync, then all
 *	the unlinks; mv[i].rc says what became of each (as
 *	spool_durable_move() returns, errno in mv[i].err).
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

/*
 * The first step of a move: the new name.  SPOOL_MV_LINKED when it
 * is made (or a crash left it: then it is not ours to remove on
 * failure), else the move's result, done.
 */
static int
move_link(struct spool_mv *m)
{
	m->made = 1;
	if (link(m->src, m->dst) == 0)
		return SPOOL_MV_LINKED;
	if (errno == ENOENT)
		return 1;
	if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP ||
	    errno == EMLINK)
		return rename_synced(m->src, m->dst);
	if (errno != EEXIST || !same_file(m->src, m->dst))
		return -1;
	/* A crash between link and unlink left both names. */
	m->made = 0;
	return SPOOL_MV_LINKED;
}

/* The last step: the old name goes, unless the folder sync failed. */
static void
move_unlink(struct spool_mv *m, int synced, int syncerr)
{
	int	 save;

	if (!synced || unlink(m->src) == -1) {
		save = synced ? errno : syncerr;
		if (m->made)
			(void)unlink(m->dst);	/* or another claimer won */
		m->rc = save == ENOENT && synced ? 1 : -1;
		m->err = save;
		return;
	}
	m->rc = 0;
}

/*
 * The first half of n moves whose new names share one folder: every
 * link(2).  mv[i].rc is SPOOL_MV_LINKED where the second half has
 * work, else final.
 */
void
spool_durable_link_group(struct spool_mv *mv, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		mv[i].rc = move_link(&mv[i]);
		mv[i].err = mv[i].rc == 0 ? 0 : errno;
	}
}

/*
 * The second half: one fsync(2) of the folder for all that were
 * linked, then their unlink(2).  A caller may end a linked move in
 * between (rc -1 after removing the new name it made).
 */
void
spool_durable_unlink_group(struct spool_mv *mv, size_t n)
{
	size_t	 i, first = n;
	int	 synced, syncerr = 0;

	for (i = 0; i < n && first == n; i++)
		if (mv[i].rc == SPOOL_MV_LINKED)
			first = i;
	if (first == n)
		return;
	synced = spool_durable_parent(mv[first].dst) == 0;
	if (!synced)
		syncerr = errno;
	for (i = first; i < n; i++)
		if (mv[i].rc == SPOOL_MV_LINKED)
			move_unlink(&mv[i], synced, syncerr);
}

/*
 * n moves whose new names share one folder: every link(2) first, one
 * fsync(2) of that folder for all of them, then every unlink(2).  A
 * claim of several segments, or a writer closing several, pays one
 * folder sync instead of one each, and each move still has its new
 * name durable before its old name goes.
 */
void
spool_durable_move_group(struct spool_mv *mv, size_t n)
{
	spool_durable_link_group(mv, n);
	spool_durable_unlink_group(mv, n);
}

/* Fill in a move; -1 (ENAMETOOLONG) when a path does not fit. */
int
spool_mv_set(struct spool_mv *m, const char *src, const char *dst)
{
	if (strlcpy(m->src, src, sizeof(m->src)) >= sizeof(m->src) ||
	    strlcpy(m->dst, dst, sizeof(m->dst)) >= sizeof(m->dst)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	m->rc = -1;
	m->err = 0;
	m->made = 0;
	return 0;
}

int
spool_durable_move(const char *src, const char *dst)
{
	struct spool_mv	 m;

	if (spool_mv_set(&m, src, dst) == -1)
		return -1;
	spool_durable_move_group(&m, 1);
	errno = m.err;
	return m.rc;
}
