/*
 * anvil.c - per-address limits: concurrent connections, connection rate,
 * failed binds and a penalty that doubles with them
 *
 * SYNOPSIS
 *	anvil_init(a)				the scoreboard, when made
 *	anvil_admit(a, conf, peer, slot)	a child, right after accept
 *	anvil_release_slot(a, slot)		its session ends, or the
 *						master reaps it
 *	anvil_penalty(a, conf, peer)		seconds of penalty left, or 0
 *	anvil_bind_failed(a, conf, peer)	count a failed bind
 *	anvil_print(fp, a, json)		smppq stats
 *
 * DESCRIPTION
 *	Postfix keeps these counts in anvil(8), a server that smtpd asks
 *	over a socket.  smppd's children are pre-forked and call accept()
 *	themselves, so the table lives where all of them can reach it
 *	without a round trip: in the scoreboard, a MAP_SHARED mapping the
 *	master makes before it forks.  A child checks the table right
 *	after accept(), before it reads a byte or tells the master it is
 *	busy: a refused connection is closed at once and the child goes
 *	back to accept(), so a flood costs an accept and a close, never a
 *	fork or a hash.  A child that took a connection notes the entry
 *	under its scoreboard slot number (held[]); the master, which reaps
 *	every child, gives the connection back (anvil_release_slot), so a
 *	crash cannot leave a count behind.  Updates take a robust process-shared mutex: a
 *	child killed while holding it leaves it to the next one, and
 *	nothing inside can block.
 *
 *	An address is an IPv4 address or an IPv6 prefix of
 *	address_ipv6_prefix bits (64: one customer's network).  Rates are
 *	counted in one-minute windows.  Each failed bind counts; when an
 *	address reaches bind_failure_rate_per_address failures in a
 *	minute it is penalized for 1 s, and every later failure doubles
 *	the penalty up to 5 minutes; ten quiet minutes forget it.  While
 *	penalized, its connections are refused at accept and its binds
 *	are answered at once without computing a hash.  The penalty is
 *	the address's, never the account's: a guesser elsewhere cannot
 *	lock the owner out.  A refusal is logged once per address and
 *	minute, with the number refused since the last line.  Addresses
 *	on limits_exempt are neither counted nor limited.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "anvil.h"
#include "clock.h"
#include "compat.h"
#include "conf.h"
#include "log.h"
#include "net.h"
#include "netacl.h"

static const char *const reasons[] = {
	"", "", "max_connections_per_address", "connection_rate_per_address",
	"failed binds (penalty)"
};

void
anvil_init(struct anvil_board *a)
{
	pthread_mutexattr_t	 attr;

	memset(a, 0, sizeof(*a));
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&a->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	a->ready = 1;
}

static int
anvil_lock(struct anvil_board *a)
{
	int	 rc = pthread_mutex_lock(&a->lock);

	/* Its holder died: nothing inside is left half done that matters. */
	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(&a->lock);
	return rc == 0 ? 0 : -1;
}

/* The table's key of an address; -1 for what has no address (AF_UNIX). */
static int
anvil_key(const struct conf *c, const struct sockaddr *sa, uint8_t key[16])
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	int				 bits, i;

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	memcpy(key, &sin6->sin6_addr, 16);
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return 0;
	bits = c->server.address_ipv6_prefix;
	for (i = 0; i < 16; i++, bits -= 8)
		if (bits <= 0)
			key[i] = 0;
		else if (bits < 8)
			key[i] &= (uint8_t)(0xff << (8 - bits));
	return 0;
}

static uint32_t
anvil_hash(const uint8_t key[16])
{
	uint32_t	 h = 2166136261U;
	int		 i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619U;
	return h;
}

/*
 * Which of two entries to give up for a new address: a free one first,
 * then the one seen least recently, a penalized one last (so that a
 * guesser with many addresses cannot flush its own penalty).  Entries
 * holding connections are never given up.
 */
static int
anvil_rank(const struct anvil_entry *e, int64_t now)
{
	if (!e->used)
		return 0;
	if (e->conns > 0)
		return 3;
	return e->penalty_until > now ? 2 : 1;
}

static int
anvil_better_victim(const struct anvil_entry *e,
    const struct anvil_entry *v, int64_t now)
{
	int	 re = anvil_rank(e, now), rv;

	if (re == 3)
		return 0;
	if (v == NULL)
		return 1;
	rv = anvil_rank(v, now);
	return re < rv || (re == rv && re > 0 && e->last_seen < v->last_seen);
}

/*
 * The entry of key, made when missing; NULL when every entry it could
 * take holds connections (the address then goes uncounted).
 */
static struct anvil_entry *
anvil_find(struct anvil_board *a, const uint8_t key[16], int64_t now)
{
	struct anvil_entry	*e, *victim = NULL;
	uint32_t		 h = anvil_hash(key);
	int			 i;

	for (i = 0; i < ANVIL_PROBE; i++) {
		e = &a->entry[(h + (uint32_t)i) % ANVIL_ENTRIES];
		if (e->used && memcmp(e->key, key, 16) == 0) {
			e->last_seen = now;
			return e;
		}
		if (anvil_better_victim(e, victim, now))
			victim = e;
	}
	if (victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, 16);
	victim->used = 1;
	victim->last_seen = now;
	return victim;
}

static void
anvil_roll(int64_t *window, int32_t *count, int64_t now)
{
	if (now - *window >= ANVIL_WINDOW) {
		*window = now;
		*count = 0;
	}
}

static int
anvil_penalized(const struct anvil_entry *e, int64_t now)
{
	return e->penalty_until > now ? (int)(e->penalty_until - now) : 0;
}

/* Why key may not connect now; ANVIL_OK when it may. */
static enum anvil_verdict
anvil_judge(const struct conf *c, struct anvil_entry *e, int64_t now)
{
	anvil_roll(&e->conn_window, &e->conn_count, now);
	if (anvil_penalized(e, now))
		return ANVIL_PENALTY;
	if (c->server.max_connections_per_address > 0 &&
	    e->conns >= c->server.max_connections_per_address)
		return ANVIL_CONNS;
	if (c->server.connection_rate_per_address > 0 &&
	    e->conn_count >= c->server.connection_rate_per_address)
		return ANVIL_RATE;
	return ANVIL_OK;
}

/* Once a minute per address: the refusals since the last line. */
static void
anvil_log_refusal(struct anvil_entry *e, const struct sockaddr *sa,
    enum anvil_verdict v, int64_t now)
{
	char	 peer[NET_ADDRSTR_MAX];

	e->refused++;
	if (e->logged_at != 0 && now - e->logged_at < ANVIL_WINDOW)
		return;
	if (net_addr_ip(sa, peer, sizeof(peer)) == -1)
		strlcpy(peer, "?", sizeof(peer));
	log_warnx("refusing connections from %s: %s (%d refused in the "
	    "last minute)", peer, reasons[v], (int)e->refused);
	e->logged_at = now;
	e->refused = 0;
}

static int
anvil_exempt(const struct conf *c, const struct sockaddr *sa)
{
	return c->server.limits_exempt[0] != '\0' &&
	    netacl_match(c->server.limits_exempt, sa);
}

/*
 * The child in slot took a connection from sa: 1 when it may serve it
 * (counted, and noted under slot), 0 when it must close it.  Without a
 * table, or for an exempt or address-less peer, 1.
 */
int
anvil_admit(struct anvil_board *a, const struct conf *c,
    const struct sockaddr *sa, int slot)
{
	struct anvil_entry	*e;
	enum anvil_verdict	 v = ANVIL_OK;
	uint8_t			 key[16];
	int64_t			 now = clock_mono_ms() / 1000;

	if (a == NULL || !a->ready || anvil_exempt(c, sa) ||
	    anvil_key(c, sa, key) == -1)
		return 1;
	if (anvil_lock(a) == -1)
		return 1;
	if ((e = anvil_find(a, key, now)) != NULL) {
		if ((v = anvil_judge(c, e, now)) == ANVIL_OK) {
			e->conns++;
			e->conn_count++;
			if (slot >= 0 && slot < ANVIL_SLOTS)
				a->held[slot] = (int32_t)(e - a->entry) + 1;
		} else
			anvil_log_refusal(e, sa, v, now);
	}
	pthread_mutex_unlock(&a->lock);
	return v == ANVIL_OK;
}

/*
 * Give back the connection the child in slot holds: the child when its
 * session ends, the master when it reaps the child (after a crash); the
 * slot is read and cleared under the lock, so it counts once.
 */
void
anvil_release_slot(struct anvil_board *a, int slot)
{
	int32_t	 i;

	if (a == NULL || !a->ready || slot < 0 || slot >= ANVIL_SLOTS ||
	    anvil_lock(a) == -1)
		return;
	i = a->held[slot];
	if (i > 0 && i <= ANVIL_ENTRIES && a->entry[i - 1].conns > 0)
		a->entry[i - 1].conns--;
	a->held[slot] = 0;
	pthread_mutex_unlock(&a->lock);
}

/* Seconds of penalty left for sa; 0 when it may try a password. */
int
anvil_penalty(struct anvil_board *a, const struct conf *c,
    const struct sockaddr *sa)
{
	struct anvil_entry	*e;
	uint8_t			 key[16];
	int64_t			 now = clock_mono_ms() / 1000;
	int			 left = 0;

	if (a == NULL || !a->ready || anvil_exempt(c, sa) ||
	    anvil_key(c, sa, key) == -1 || anvil_lock(a) == -1)
		return 0;
	if ((e = anvil_find(a, key, now)) != NULL)
		left = anvil_penalized(e, now);
	pthread_mutex_unlock(&a->lock);
	return left;
}

/*
 * A bind from sa failed.  Past bind_failure_rate_per_address in a
 * minute, and for every failure after that until the address has been
 * quiet for ANVIL_QUIET, the penalty doubles: 1 s, 2 s, ... 5 min.
 */
void
anvil_bind_failed(struct anvil_board *a, const struct conf *c,
    const struct sockaddr *sa)
{
	struct anvil_entry	*e;
	uint8_t			 key[16];
	int64_t			 now = clock_mono_ms() / 1000, d;

	if (a == NULL || !a->ready ||
	    c->server.bind_failure_rate_per_address == 0 ||
	    anvil_exempt(c, sa) || anvil_key(c, sa, key) == -1 ||
	    anvil_lock(a) == -1)
		return;
	if ((e = anvil_find(a, key, now)) != NULL) {
		if (e->last_fail != 0 && now - e->last_fail >= ANVIL_QUIET)
			e->penalty_level = 0;
		e->last_fail = now;
		anvil_roll(&e->fail_window, &e->fail_count, now);
		e->fail_count++;
		if (e->penalty_level > 0 || e->fail_count >=
		    c->server.bind_failure_rate_per_address) {
			if (e->penalty_level < 20)
				e->penalty_level++;
			d = (int64_t)1 << (e->penalty_level - 1);
			if (d > ANVIL_PENALTY_MAX)
				d = ANVIL_PENALTY_MAX;
			e->penalty_until = now + d;
		}
	}
	pthread_mutex_unlock(&a->lock);
}

static void
anvil_print_entry(FILE *fp, const struct anvil_entry *e, int64_t now,
    int json, int n)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 addr[NET_ADDRSTR_MAX];
	int			 rate, fails;

	rate = now - e->conn_window < ANVIL_WINDOW ? (int)e->conn_count : 0;
	fails = now - e->fail_window < ANVIL_WINDOW ? (int)e->fail_count : 0;
	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, e->key, 16);
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, e->key + 12, 4);
	}
	if (net_addr_ip((struct sockaddr *)&ss, addr, sizeof(addr)) == -1)
		strlcpy(addr, "?", sizeof(addr));
	if (json)
		fprintf(fp, "%s{\"address\": \"%s\", \"connections\": %d, "
		    "\"connections_last_minute\": %d, "
		    "\"bind_failures_last_minute\": %d, \"penalty_secs\": %d}",
		    n ? ", " : "", addr, (int)e->conns, rate, fails,
		    anvil_penalized(e, now));
	else
		fprintf(fp, "%-28s %s connections %d rate %d/min failures "
		    "%d/min penalty %ds\n", "address", addr, (int)e->conns,
		    rate, fails, anvil_penalized(e, now));
}

/*
 * The addresses that hold a connection, connected in the last minute or
 * are penalized: a text line each, or a JSON array (read without the
 * lock: figures of a moment, possibly a little torn).
 */
int
anvil_print(FILE *fp, const struct anvil_board *a, int json)
{
	const struct anvil_entry	*e;
	int64_t				 now = clock_mono_ms() / 1000;
	int				 i, n = 0;

	if (json)
		fprintf(fp, "[");
	for (i = 0; a->ready && i < ANVIL_ENTRIES; i++) {
		e = &a->entry[i];
		if (!e->used || (e->conns == 0 && !anvil_penalized(e, now) &&
		    now - e->last_seen >= ANVIL_WINDOW))
			continue;
		anvil_print_entry(fp, e, now, json, n++);
	}
	if (json)
		fprintf(fp, "]");
	return 0;
}
