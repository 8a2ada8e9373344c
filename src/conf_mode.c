/*
 * conf_mode.c - who may change and who may read the configuration file
 *
 * SYNOPSIS
 *	conf_mode_owner(conf, st, err, len)
 *	conf_mode_secret(conf, st, err, len)
 *
 * DESCRIPTION
 *	conf_mode_owner(): a file that root reads must be root's and
 *	writable by root alone.  The file names the user smppd drops to,
 *	the programs smppconn runs and the folders root's tools write in:
 *	whoever may change it (the daemon's user above all) could have
 *	root act on it.  Only checked when the process runs as root.
 *
 *	conf_mode_secret(): a file holding upstream passwords (an smpp
 *	connector) is open to nobody but its owner and, for reading only,
 *	the daemon's group ([smpp-server] group, else the primary group of
 *	user): mode 0600, or 0640 with that group, which lets a master
 *	that dropped root read it again on SIGHUP.
 *
 * RETURN VALUES
 *	0 when the file passes; -1 with the reason and its mend in err.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "conf.h"

int
conf_mode_owner(const struct conf *c, const struct stat *st, char *err,
    size_t len)
{
	if (geteuid() != 0 || !S_ISREG(st->st_mode))
		return 0;
	if (st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 0;
	snprintf(err, len, "owner uid %u, mode %04o: root reads this file, "
	    "so only root may change it: chown root %s; chmod go-w %s",
	    (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777), c->path,
	    c->path);
	return -1;
}

/* The daemon's group, or (gid_t)-1 when none is set or known. */
static gid_t
daemon_gid(const struct conf *c)
{
	struct group	*gr;
	struct passwd	*pw;

	if (c->server.group[0] != '\0')
		return (gr = getgrnam(c->server.group)) != NULL ? gr->gr_gid :
		    (gid_t)-1;
	if (c->server.user[0] != '\0')
		return (pw = getpwnam(c->server.user)) != NULL ? pw->pw_gid :
		    (gid_t)-1;
	return (gid_t)-1;
}

int
conf_mode_secret(const struct conf *c, const struct stat *st, char *err,
    size_t len)
{
	mode_t	 m = st->st_mode & 07777;

	if (!S_ISREG(st->st_mode))
		return 0;
	if ((m & (S_IRWXO | S_IWGRP | S_IXGRP)) == 0 && ((m & S_IRGRP) == 0 ||
	    (daemon_gid(c) != (gid_t)-1 && st->st_gid == daemon_gid(c))))
		return 0;
	snprintf(err, len, "it holds upstream passwords, but the file is "
	    "open to %s (mode %04o): chmod 600 %s, or chmod 640 with "
	    "the daemon's group", (m & S_IRWXO) ? "others" : "a group other "
	    "than the daemon's", (unsigned)m, c->path);
	return -1;
}
