/*
 * route.c - pick the connector of an MT and the account of an MO from
 * [mt-routes] and [mo-routes]
 *
 * SYNOPSIS
 *	route_mt(conf, account, src, dest)
 *	route_mo(conf, src, dst)
 *
 * DESCRIPTION
 *	The longest prefix wins.  For MT, among routes of the same prefix
 *	length one restricted to the account beats an unrestricted one;
 *	without a match the default route applies, and without one of
 *	those there is no route (NULL): smppd answers ESME_RINVDSTADR.
 *	For MT and MO, the destination prefixes are tried first, then the
 *	source ("src:") prefixes, then the default.  An MT
 *	route names its connectors (conf_route.hops): which of them takes
 *	a message is smppconn's choice (smppconn_route.c).
 *
 *	Addresses and prefixes are compared without a leading '+'.  The
 *	tables are short and scanned in full: a route costs a strncmp.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "route.h"

static const char *
strip_plus(const char *s)
{
	if (s == NULL)
		return "";
	return *s == '+' ? s + 1 : s;
}

/*
 * The best route matching addr among those with the given by_source
 * (MT routes all have 0).  With check_account (MT), a route restricted
 * to other accounts is skipped, and one restricted to this account
 * wins a tie of prefix lengths.
 */
static const struct conf_route *
route_best(const struct conf_route *rs, int n, const char *addr,
    int by_source, int check_account, const char *account)
{
	const struct conf_route	*best = NULL;
	size_t			 len;
	int			 i, score, best_score = -1;

	for (i = 0; i < n; i++) {
		if (rs[i].is_default || rs[i].by_source != by_source)
			continue;
		len = strlen(rs[i].prefix);
		if (strncmp(addr, rs[i].prefix, len) != 0)
			continue;
		if (check_account && !conf_route_account(&rs[i], account))
			continue;
		score = (int)len * 2 + (rs[i].accounts[0] != '\0');
		if (score > best_score) {
			best = &rs[i];
			best_score = score;
		}
	}
	return best;
}

static const struct conf_route *
route_default(const struct conf_route *rs, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (rs[i].is_default)
			return &rs[i];
	return NULL;
}

const struct conf_route *
route_mt(const struct conf *conf, const char *account, const char *src,
    const char *dest)
{
	const struct conf_route	*r;

	r = route_best(conf->mt_routes, conf->nmt_routes, strip_plus(dest), 0,
	    1, account);
	if (r == NULL)
		r = route_best(conf->mt_routes, conf->nmt_routes,
		    strip_plus(src), 1, 1, account);
	if (r == NULL)
		r = route_default(conf->mt_routes, conf->nmt_routes);
	return r;
}

const char *
route_mo(const struct conf *conf, const char *src, const char *dst)
{
	const struct conf_route	*r;

	r = route_best(conf->mo_routes, conf->nmo_routes, strip_plus(dst), 0,
	    0, NULL);
	if (r == NULL)
		r = route_best(conf->mo_routes, conf->nmo_routes,
		    strip_plus(src), 1, 0, NULL);
	if (r == NULL)
		r = route_default(conf->mo_routes, conf->nmo_routes);
	return r != NULL ? r->target : NULL;
}
