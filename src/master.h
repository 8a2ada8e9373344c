/*
 * master.h - the smppd master process
 *
 * master_run() opens the listeners, keeps the pre-forked children and
 * serves signals until SIGTERM, then returns 0; what it cannot set up
 * is fatal() (logged, exit 1), as is master_check_spool() for an
 * unusable spool.  master_log_configure() returns 0, or -1 with err
 * set.  The configuration stays the caller's.
 */
#ifndef MASTER_H
#define MASTER_H

#include <sys/types.h>

#include <stddef.h>

#include "conf.h"

int	 master_run(struct conf *, const char *, int);
int	 master_drop_privileges(const struct conf *, int);
int	 master_log_configure(const struct conf *, int, char *, size_t);
void	 master_check_spool(const struct conf *);

#endif /* MASTER_H */
