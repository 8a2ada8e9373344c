/*
 * daemon.h - what the two daemons (smppd, smppconn) do alike: the pid
 * file that locks out a second instance, detaching, dropping root
 *
 * Nothing here returns an error: another instance holding the lock, an
 * unknown user or group is fatalx(), a failing system call fatal()
 * (logged, exit 1).  daemon_pidfile_lock() returns the locked
 * descriptor (kept open for the life of the process) or -1 when no pid
 * file is configured.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <sys/types.h>

#include "conf.h"

int	 daemon_pidfile_lock(const char *, const char *);
void	 daemon_pidfile_write(int, const char *);
void	 daemon_detach(void);
void	 daemon_user_ids(const struct conf *, uid_t *, gid_t *);
void	 daemon_drop_privileges(const struct conf *);

#endif /* DAEMON_H */
