/*
 * policy.h - smppconn's decisions about one MT message: its
 * connector, when it expires, when a failed attempt is tried again
 *
 * Functions of the message and the configuration: no I/O, no
 * allocation, no error.  policy_route() returns a connector of the
 * configuration (the MT route, else the one the record names), or NULL
 * when there is none.
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
