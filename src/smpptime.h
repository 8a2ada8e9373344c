/*
 * smpptime.h - SMPP v3.4 absolute and relative times (section 7.1.1)
 *
 * A time is empty or "YYMMDDhhmmsstnnp".  smpptime_valid() returns 1
 * for yes and 0 for no; smpptime_parse() puts the time_t in *t (a
 * relative time counts from now) and returns 0, or -1 for a malformed
 * one; the format calls write SMPPTIME_LEN + 1 octets into the
 * caller's buffer and return 0, or -1 when it is too small.
 * smpptime_days_from_civil() counts days from 1970-01-01 (negative
 * before it) of the proleptic Gregorian calendar, any year.
 */
#ifndef SMPPTIME_H
#define SMPPTIME_H

#include <time.h>

#define SMPPTIME_LEN	16	/* "YYMMDDhhmmsstnnp" without the NUL */

int	 smpptime_valid(const char *);
int	 smpptime_parse(const char *, time_t, time_t *);
int	 smpptime_format(char *, size_t, time_t);
int	 smpptime_format_rel(char *, size_t, long);
long long smpptime_days_from_civil(long long, int, int);

#endif /* SMPPTIME_H */
