/*
 * route.h - [mt-routes] and [mo-routes]: longest prefix wins
 *
 * Addresses and prefixes are compared without a leading '+'.  An MT
 * route may be restricted to some accounts; a route for the account
 * beats an unrestricted one of the same prefix length.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include "conf.h"

/*
 * route_mt(conf, account, source, destination): the best MT route (by
 * destination, then "src:" source, then default), NULL when none
 * matches; its hops name the connectors.  route_mo(conf, source,
 * destination): the account an MO message goes to, NULL when none.  The
 * results point into conf and live as long as it does.
 */
const struct conf_route *route_mt(const struct conf *, const char *,
	    const char *, const char *);
const char *route_mo(const struct conf *, const char *, const char *);

#endif /* ROUTE_H */
