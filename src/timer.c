/*
 * timer.c - a small table of deadlines served by one interval timer
 *
 * SYNOPSIS
 *	timer_init()			install the SIGALRM handler
 *	timer_set(id, deadline)		timer_after(id, microseconds)
 *	timer_clear(id)			timer_arm()
 *	timer_due(id, now)
 *
 * DESCRIPTION
 *	Deadlines are microseconds on CLOCK_MONOTONIC, so that a change of
 *	the wall clock moves no protocol timer.  timer_arm() sets
 *	ITIMER_REAL to fire at the earliest deadline (or disarms it); the
 *	handler only sets timer_alarm.  The caller blocks SIGALRM except
 *	while it waits (ppoll with the old mask), so that an alarm can
 *	never slip in between the check of the table and the wait.
 */
#include "config.h"

#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "timer.h"

volatile sig_atomic_t timer_alarm;

static int64_t	 deadline[TIMER_MAX];	/* 0: not set */
static int64_t	 armed;			/* what ITIMER_REAL points at */
static volatile sig_atomic_t fired;	/* ... and it went off */

static void
on_alarm(int sig)
{
	(void)sig;
	timer_alarm = 1;
	fired = 1;
}

void
timer_init(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigfillset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: interrupt the wait */
	sigaction(SIGALRM, &sa, NULL);
	memset(deadline, 0, sizeof(deadline));
	timer_alarm = 0;
	armed = 0;
}

void
timer_set(enum timer_id id, int64_t when)
{
	deadline[id] = when > 0 ? when : 1;
}

void
timer_after(enum timer_id id, int64_t usec)
{
	timer_set(id, clock_mono_us() + usec);
}

void
timer_clear(enum timer_id id)
{
	deadline[id] = 0;
}

int
timer_pending(enum timer_id id)
{
	return deadline[id] != 0;
}

int64_t
timer_deadline(enum timer_id id)
{
	return deadline[id];
}

/* Has the timer expired?  An expired timer is cleared. */
int
timer_due(enum timer_id id, int64_t now)
{
	if (deadline[id] == 0 || deadline[id] > now)
		return 0;
	deadline[id] = 0;
	return 1;
}

/*
 * Point the interval timer at the earliest deadline.  Called once per
 * turn of the read loop, so it skips the system call when nothing
 * changed.
 */
void
timer_arm(void)
{
	struct itimerval	 it;
	int64_t			 first = 0, wait;
	int			 i;

	for (i = 0; i < TIMER_MAX; i++)
		if (deadline[i] != 0 && (first == 0 || deadline[i] < first))
			first = deadline[i];
	if (first == armed && !fired)
		return;
	fired = 0;
	armed = first;
	memset(&it, 0, sizeof(it));
	if (first != 0) {
		wait = first - clock_mono_us();
		if (wait < 1)
			wait = 1;	/* already due: fire at once */
		it.it_value.tv_sec = wait / 1000000;
		it.it_value.tv_usec = wait % 1000000;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}
