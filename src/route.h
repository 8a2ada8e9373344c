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

const struct conf_route *route_mt(const struct conf *, const char *,
	    const char *, const char *);
const char *route_mo(const struct conf *, const char *, const char *);

#endif /* ROUTE_H */
