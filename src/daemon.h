/*
 * daemon.h - what the two daemons (smppd, smppconn) do alike: the pid
 * file that locks out a second instance, detaching, dropping root
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
