/*
 * policy.h - smppconn's decisions about one MT message: its
 * connector, when it expires, when a failed attempt is tried again
 */
#ifndef POLICY_H
#define POLICY_H

#include <stdint.h>

#include "conf.h"
#include "record.h"

int64_t	 policy_backoff(int, int, int);
int64_t	 policy_expiry(const struct msg_meta *, long);
int64_t	 policy_next_try(const struct msg_meta *, const struct conf_spool *,
	    int64_t);
const struct conf_route *policy_route(const struct conf *,
	    const struct msg *);

#endif /* POLICY_H */
