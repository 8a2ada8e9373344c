/*
 * strtonum - parse a decimal integer within bounds, for libcs without it
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "compat.h"

/*
 * Returns the value of the decimal number in s when it lies within
 * [minval, maxval]; otherwise 0, with *errstrp set to "invalid",
 * "too small" or "too large" (and errno to EINVAL or ERANGE).
 */
long long
strtonum(const char *s, long long minval, long long maxval,
    const char **errstrp)
{
	long long	 ll = 0;
	char		*ep;
	const char	*errstr = NULL;

	if (minval > maxval) {
		errstr = "invalid";
		errno = EINVAL;
	} else {
		errno = 0;
		ll = strtoll(s, &ep, 10);
		if (s == ep || *ep != '\0') {
			errstr = "invalid";
			errno = EINVAL;
		} else if ((ll == LLONG_MIN && errno == ERANGE) ||
		    ll < minval) {
			errstr = "too small";
			errno = ERANGE;
		} else if ((ll == LLONG_MAX && errno == ERANGE) ||
		    ll > maxval) {
			errstr = "too large";
			errno = ERANGE;
		}
	}
	if (errstrp != NULL)
		*errstrp = errstr;
	return errstr != NULL ? 0 : ll;
}
