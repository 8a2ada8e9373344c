/*
 * clock.c - wall and monotonic time in one place
 *
 * SYNOPSIS
 *	clock_wall_us()		microseconds since the epoch (CLOCK_REALTIME)
 *	clock_mono_us()		microseconds on CLOCK_MONOTONIC
 *	clock_mono_ms()		milliseconds on CLOCK_MONOTONIC
 *	clock_boot_id(buf, len)	what names this boot of the machine
 *
 * DESCRIPTION
 *	Stored and displayed times come from the wall clock; deadlines and
 *	rates from the monotonic one, so that a change of the date moves
 *	no protocol timer.  See clock.h for which to use where.
 *
 *	clock_boot_id() copies the kernel's random identity of the
 *	running boot (Linux: /proc/sys/kernel/random/boot_id), which
 *	changes at every start of the machine: what was written in the
 *	page cache under one identity and not synced may be gone under
 *	another.  -1 where the system does not say (then every start
 *	counts as a new boot).
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define BOOT_ID_PATH	"/proc/sys/kernel/random/boot_id"

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

int
clock_boot_id(char *buf, size_t len)
{
	ssize_t	 n;
	int	 fd;

	if (len < 2 || (fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0' ? 0 : -1;
}
