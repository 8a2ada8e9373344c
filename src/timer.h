/*
 * timer.h - a small table of deadlines served by one interval timer
 *
 * A session's protocol timers are deadlines on the monotonic clock.
 * timer_arm() points ITIMER_REAL at the earliest one; its SIGALRM is
 * installed without SA_RESTART, so that it interrupts the blocking
 * wait of the read loop, which then asks timer_due() what expired.
 */
#ifndef TIMER_H
#define TIMER_H

#include <signal.h>
#include <stdint.h>

enum timer_id {
	TIMER_SESSION_INIT,	/* connect until bound */
	TIMER_ENQUIRE_LINK,	/* idle: send enquire_link */
	TIMER_INACTIVITY,	/* nothing from the client */
	TIMER_RESPONSE,		/* oldest request of ours unanswered */
	TIMER_PDU_READ,		/* a PDU begun but not complete */
	TIMER_SEGMENT,		/* close the open spool segment */
	TIMER_RESCAN,		/* look for queued deliver_sm */
	TIMER_RETRY,		/* a deliver_sm back-off ends */
	TIMER_SHUTDOWN,		/* unbind sent at shutdown, give up */
	TIMER_MAX
};

extern volatile sig_atomic_t timer_alarm;

void	 timer_init(void);
void	 timer_set(enum timer_id, int64_t);
void	 timer_after(enum timer_id, int64_t);
void	 timer_clear(enum timer_id);
int	 timer_pending(enum timer_id);
int64_t	 timer_deadline(enum timer_id);
int	 timer_due(enum timer_id, int64_t);
void	 timer_arm(void);

#endif /* TIMER_H */
