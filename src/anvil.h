/*
 * anvil.h - per-address limits of the smppd master: concurrent
 * connections, connection rate, failed binds and the penalty that grows
 * with them (what Postfix's anvil(8) keeps for smtpd)
 *
 * The table lives in the scoreboard (sb.h), a shared mapping made by the
 * master before it forks: children update it under a robust
 * process-shared mutex, the master frees what a reaped child held, and
 * smppq stats reads it.  Every function takes the board (sb_anvil():
 * NULL without a scoreboard, and then nothing is limited) and a child's
 * scoreboard slot where it needs one; anvil.c knows nothing else of the
 * scoreboard.
 */
#ifndef ANVIL_H
#define ANVIL_H

#include <sys/socket.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

struct conf;

#define ANVIL_ENTRIES	4096
#define ANVIL_PROBE	32	/* slots looked at for one address */
#define ANVIL_WINDOW	60	/* seconds: the rates are per minute */
#define ANVIL_PENALTY_MAX 300	/* seconds: the longest penalty */
#define ANVIL_QUIET	600	/* seconds without failure: penalty forgotten */
#define ANVIL_SLOTS	8192	/* children: at least SB_CHILDREN (sb.h) */

/* One client address (IPv6: its prefix). */
struct anvil_entry {
	uint8_t		 key[16];	/* IPv4 as ::ffff:a.b.c.d */
	int32_t		 used;
	int32_t		 conns;		/* live connections */
	int64_t		 conn_window;	/* monotonic seconds: window start */
	int32_t		 conn_count;	/* connections in the window */
	int32_t		 fail_count;	/* failed binds in the window */
	int64_t		 fail_window;
	int64_t		 last_fail;
	int64_t		 penalty_until;
	int32_t		 penalty_level;	/* penalty = 2^(level-1) s */
	int32_t		 refused;	/* refusals not yet logged */
	int64_t		 logged_at;
	int64_t		 last_seen;
};

struct anvil_board {
	pthread_mutex_t	 lock;
	uint32_t	 ready;
	uint32_t	 spare;
	struct anvil_entry entry[ANVIL_ENTRIES];
	int32_t		 held[ANVIL_SLOTS];	/* per child: 0 or entry + 1 */
};

enum anvil_verdict {
	ANVIL_OK,
	ANVIL_EXEMPT,		/* on limits_exempt: nothing counted */
	ANVIL_CONNS,		/* max_connections_per_address */
	ANVIL_RATE,		/* connection_rate_per_address */
	ANVIL_PENALTY		/* failed binds: penalized */
};

void	 anvil_init(struct anvil_board *);
int	 anvil_admit(struct anvil_board *, const struct conf *,
	    const struct sockaddr *, int);
void	 anvil_release_slot(struct anvil_board *, int);
int	 anvil_penalty(struct anvil_board *, const struct conf *,
	    const struct sockaddr *);
void	 anvil_bind_failed(struct anvil_board *, const struct conf *,
	    const struct sockaddr *);
int	 anvil_print(FILE *, const struct anvil_board *, int);

#endif /* ANVIL_H */
