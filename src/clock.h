/*
 * clock.h - the two clocks, each function named by the clock it reads
 *
 * clock_wall_us() reads CLOCK_REALTIME: for what is stored or shown
 * (record timestamps, spool names, ages across restarts).  It can jump
 * when the administrator or NTP sets the time.
 *
 * clock_mono_us() and clock_mono_ms() read CLOCK_MONOTONIC: for every
 * deadline, interval and rate, so that setting the wall clock moves no
 * timer.  Their origin is arbitrary: never store them, never compare
 * them across processes started on different boots.
 *
 * None allocates or fails (clock_gettime cannot fail with these ids).
 *
 * clock_boot_id() names the machine's current boot, for what the page
 * cache holds only until the next one; -1 where unknown.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stddef.h>
#include <stdint.h>

int64_t	 clock_wall_us(void);
int64_t	 clock_mono_us(void);
int64_t	 clock_mono_ms(void);
int	 clock_boot_id(char *, size_t);

#endif /* CLOCK_H */
