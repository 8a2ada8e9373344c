/*
 * smpptime.h - SMPP v3.4 absolute and relative times (section 7.1.1)
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
