/*
 * smpptime.c - SMPP v3.4 absolute and relative times (section 7.1.1)
 *
 * SYNOPSIS
 *	smpptime_valid(s)		smpptime_parse(s, now, &t)
 *	smpptime_format(buf, len, t)	smpptime_format_rel(buf, len, secs)
 *	smpptime_days_from_civil(y, m, d)
 *
 * DESCRIPTION
 *	A time is empty or "YYMMDDhhmmsstnnp": p '+' or '-' makes it an
 *	absolute local time nn quarter hours ahead of (behind) UTC, p 'R'
 *	a duration from now.  Absolute times need month 01-12 and day
 *	01-31; in both kinds hours are below 24, minutes and seconds below
 *	60 and nn at most 48.  A relative time may have month and day 00
 *	(and month up to 12, which smpptime_format_rel() produces).
 *
 *	Years 00-37 are 2000-2037 and 38-99 are 1938-1999 (Appendix C).
 *	Relative years count 365 days and months 30 days: the spec does not
 *	say, and a fixed length makes the result independent of the date.
 *	Tenths of a second are ignored.  An empty time parses as 0.
 *
 *	smpptime_format() writes an absolute UTC time "YYMMDDhhmmss000+",
 *	smpptime_format_rel() a relative one "YYMMDDhhmmss000R".
 *
 * DIAGNOSTICS
 *	smpptime_valid() returns 1 or 0; the others 0, or -1 for a bad time,
 *	a year the format cannot hold, or a buffer under 17 octets.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smpptime.h"

#define DAY		86400L
#define REL_YEAR	(365 * DAY)
#define REL_MONTH	(30 * DAY)

struct smpptime {
	int	 yy, mon, day, hour, min, sec, nn;
	char	 p;
};

static int
two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Split a non-empty time and check its ranges. */
static int
smpptime_split(const char *s, struct smpptime *st)
{
	int	 rel;

	if (strnlen(s, SMPPTIME_LEN + 1) != SMPPTIME_LEN)
		return -1;
	st->p = s[15];
	if (st->p != '+' && st->p != '-' && st->p != 'R')
		return -1;
	rel = st->p == 'R';
	st->yy = two(s);
	st->mon = two(s + 2);
	st->day = two(s + 4);
	st->hour = two(s + 6);
	st->min = two(s + 8);
	st->sec = two(s + 10);
	st->nn = two(s + 13);
	if (st->yy < 0 || s[12] < '0' || s[12] > '9' || st->nn < 0)
		return -1;
	if (st->mon < (rel ? 0 : 1) || st->mon > 12 ||
	    st->day < (rel ? 0 : 1) || st->day > 31)
		return -1;
	if (st->hour < 0 || st->hour > 23 || st->min < 0 || st->min > 59 ||
	    st->sec < 0 || st->sec > 59 || st->nn > 48)
		return -1;
	return 0;
}

int
smpptime_valid(const char *s)
{
	struct smpptime	 st;

	return s == NULL || *s == '\0' || smpptime_split(s, &st) == 0;
}

/*
 * Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar;
 * negative before 1970, and right for negative years too (the era
 * division rounds toward minus infinity).
 */
long long
smpptime_days_from_civil(long long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153LL * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
smpptime_parse(const char *s, time_t now, time_t *t)
{
	struct smpptime	 st;
	long		 year, secs;

	if (s == NULL || *s == '\0') {
		*t = 0;
		return 0;
	}
	if (smpptime_split(s, &st) == -1)
		return -1;
	secs = st.hour * 3600L + st.min * 60L + st.sec;
	if (st.p == 'R') {
		*t = now + st.yy * REL_YEAR + st.mon * REL_MONTH +
		    st.day * DAY + secs;
		return 0;
	}
	year = st.yy < 38 ? 2000 + st.yy : 1900 + st.yy;
	secs += smpptime_days_from_civil(year, st.mon, st.day) * DAY;
	if (st.p == '+')
		secs -= st.nn * 900L;
	else
		secs += st.nn * 900L;
	*t = (time_t)secs;
	return 0;
}

int
smpptime_format(char *buf, size_t len, time_t t)
{
	struct tm	 tm;
	int		 n;

	if (gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year < 38 || tm.tm_year > 137)
		return -1;
	n = snprintf(buf, len, "%02d%02d%02d%02d%02d%02d000+",
	    tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

int
smpptime_format_rel(char *buf, size_t len, long secs)
{
	long	 y, mo, d, h, mi;
	int	 n;

	if (secs < 0 || secs / REL_YEAR > 99)
		return -1;
	y = secs / REL_YEAR;
	secs %= REL_YEAR;
	mo = secs / REL_MONTH;
	secs %= REL_MONTH;
	d = secs / DAY;
	secs %= DAY;
	h = secs / 3600;
	mi = secs % 3600 / 60;
	n = snprintf(buf, len, "%02ld%02ld%02ld%02ld%02ld%02ld000R",
	    y, mo, d, h, mi, secs % 60);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}
