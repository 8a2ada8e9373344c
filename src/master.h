/*
 * master.h - the smppd master process
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
