/*
 * money.c - amounts of money as exact decimals
 *
 * SYNOPSIS
 *	money_parse("12.5", &v)		money_format(buf, len, v)
 *
 * DESCRIPTION
 *	An amount is an int64 count of micro-units (MICRO to the unit), so
 *	that balances, rates and charges add up exactly.  money_parse()
 *	reads "[+-]DIGITS[.DIGITS]" with at most six decimals; -1 for
 *	anything else or an amount out of range.  money_format() writes
 *	the shortest exact text; -1 when it does not fit.  Used by the
 *	ledger, the user database, the rate card, spool records and the
 *	billing log, none of which owns it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "money.h"

#define UMICRO	((uint64_t)MICRO)

/*
 * Money is int64 micro-units: "[+-]DIGITS[.DIGITS]" with at most six
 * decimals, and a magnitude of at most INT64_MAX micro-units.
 */
int
money_parse(const char *s, int64_t *v)
{
	uint64_t	 units = 0, frac = 0, total;
	int		 neg = 0, d;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		units = units * 10 + (uint64_t)(*s - '0');
		if (units > (uint64_t)INT64_MAX / MICRO)
			return -1;
	}
	if (*s == '.') {
		s++;
		for (d = 0; *s >= '0' && *s <= '9'; s++, d++) {
			if (d == 6)
				return -1;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
		if (d == 0)
			return -1;
		for (; d < 6; d++)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	total = units * MICRO + frac;
	if (total > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* The shortest exact decimal: "12", "0.035", "-1.5". */
int
money_format(char *buf, size_t len, int64_t v)
{
	uint64_t	 mag;
	char		 frac[8];
	int		 n, i;

	mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	if (mag % UMICRO == 0)
		n = snprintf(buf, len, "%s%" PRIu64, v < 0 ? "-" : "",
		    mag / UMICRO);
	else {
		snprintf(frac, sizeof(frac), "%06" PRIu64, mag % UMICRO);
		for (i = 5; i > 0 && frac[i] == '0'; i--)
			frac[i] = '\0';
		n = snprintf(buf, len, "%s%" PRIu64 ".%s", v < 0 ? "-" : "",
		    mag / UMICRO, frac);
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
