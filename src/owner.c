/*
 * owner.c - root-run tools act as the owner of the folder they touch
 *
 * SYNOPSIS
 *	owner_become(folder)
 *
 * DESCRIPTION
 *	smppq and smppuser run by root work in folders that belong to the
 *	daemon's user (the spool, the database's folder).  That user may
 *	have put links there pointing at any file of the system; root
 *	following them would read, write or hand over files it should
 *	not.  So, as postqueue(1) does, owner_become() makes the process
 *	the folder's owner (its uid, its group, no supplementary groups)
 *	before anything else is touched: then nothing a link points to
 *	is reachable that the daemon's user could not reach already, and
 *	every file made is the daemon's, readable by it.  The folder is
 *	looked at with lstat(2): a link in its place is refused.  Nothing
 *	changes when not run as root, or when the folder is root's.
 *
 * DIAGNOSTICS
 *	0, or -1 with errno: no such folder, not a folder (ENOTDIR), or
 *	the ids could not be changed.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "owner.h"

int
owner_become(const char *folder)
{
	struct stat	 st;
	gid_t		 gid;

	if (geteuid() != 0)
		return 0;
	if (lstat(folder, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (st.st_uid == 0)
		return 0;
	gid = st.st_gid;
	if (setgroups(1, &gid) == -1 || setgid(gid) == -1 ||
	    setuid(st.st_uid) == -1)
		return -1;
	return 0;
}
