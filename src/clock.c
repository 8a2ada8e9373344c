/*
 * clock.c - wall and monotonic time in one place
 *
 * SYNOPSIS
 *	clock_wall_us()		microseconds since the epoch (CLOCK_REALTIME)
 *	clock_mono_us()		microseconds on CLOCK_MONOTONIC
 *	clock_mono_ms()		milliseconds on CLOCK_MONOTONIC
 *
 * DESCRIPTION
 *	Stored and displayed times come from the wall clock; deadlines and
 *	rates from the monotonic one, so that a change of the date moves
 *	no protocol timer.  See clock.h for which to use where.
 */
#include "config.h"

#include <time.h>

#include "clock.h"

static int64_t
clock_read(clockid_t id, int64_t unit)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * (1000000000 / unit) + ts.tv_nsec / unit;
}

int64_t
clock_wall_us(void)
{
	return clock_read(CLOCK_REALTIME, 1000);
}

int64_t
clock_mono_us(void)
{
	return clock_read(CLOCK_MONOTONIC, 1000);
}

int64_t
clock_mono_ms(void)
{
	return clock_read(CLOCK_MONOTONIC, 1000000);
}
