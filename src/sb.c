/*
 * sb.c - counters shared by all processes of a server
 *
 * SYNOPSIS
 *	sb_open(path, id, create)	map (and with create, reset) the file
 *	sb_attach(path)			map an existing file read-only
 *	sb_count(account, counter)	sb_time(which)
 *	sb_account_slot(system_id)	sb_activity(account)
 *	sb_child_claim(pid)		sb_child_set(slot, state, acct, peer)
 *	sb_child_release_pid(pid)	sb_print(fp, board, json)
 *
 * DESCRIPTION
 *	The master creates the file at start and maps it MAP_SHARED; its
 *	children inherit the mapping.  A process started by inetd maps the
 *	same file (creating it when no master runs), so that its counts
 *	add to those of the others.  Accounts get a slot on first use,
 *	claimed with a compare-and-swap and found again by a linear probe
 *	of a hash of the system_id.  Without a file (no run_dir, or a
 *	mapping error) every update is a no-op: counters must never stop
 *	a session.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "sb.h"

#define SB_MAGIC	0x53425031U	/* "SBP1" */
#define SB_VERSION	1

static struct sb_board	*board;

static void	 sb_close(void);

static const char *const counter_names[SB_NCOUNTERS] = {
	"connect_count", "disconnect_count", "refused_count",
	"bind_tx_count", "bind_rx_count", "bind_trx_count",
	"bind_fail_count", "unbind_count", "submit_sm_request_count",
	"submit_sm_count", "throttling_error_count",
	"other_submit_error_count", "data_sm_count", "deliver_sm_count",
	"deliver_sm_ack_count", "deliver_sm_error_count", "elink_count"
};

static const char *const time_names[SB_NTIMES] = {
	"created_at", "last_received_pdu_at", "last_sent_pdu_at",
	"last_received_elink_at"
};

struct sb_board *
sb_board(void)
{
	return board;
}

static int
valid(const struct sb_board *b)
{
	return b->magic == SB_MAGIC && b->version == SB_VERSION &&
	    b->naccounts == SB_ACCOUNTS && b->nchildren == SB_CHILDREN;
}

static void
reset(struct sb_board *b, const char *id)
{
	memset(b, 0, sizeof(*b));
	b->version = SB_VERSION;
	b->naccounts = SB_ACCOUNTS;
	b->nchildren = SB_CHILDREN;
	strlcpy(b->id, id, sizeof(b->id));
	b->time[SB_T_CREATED] = (int64_t)time(NULL);
	__atomic_store_n(&b->magic, SB_MAGIC, __ATOMIC_RELEASE);
}

/*
 * Map the scoreboard at path.  With create, a fresh board replaces
 * whatever was there (the master, at start); without, an existing valid
 * board is kept and a missing or foreign one is made (inetd mode).
 */
int
sb_open(const char *path, const char *id, int create)
{
	struct stat	 st;
	void		*p;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 ||
	    (st.st_size != (off_t)sizeof(*board) &&
	    ftruncate(fd, sizeof(*board)) == -1)) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, sizeof(*board), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	sb_close();
	board = p;
	if (create || !valid(board))
		reset(board, id);
	return 0;
}

/* Map an existing board read-only, for smppq stats and smppd -s. */
int
sb_attach(const char *path)
{
	struct stat	 st;
	void		*p;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || st.st_size < (off_t)sizeof(*board)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	p = mmap(NULL, sizeof(*board), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	sb_close();
	board = p;
	if (!valid(board)) {
		sb_close();
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void
sb_close(void)
{
	if (board != NULL)
		munmap(board, sizeof(*board));
	board = NULL;
}

void
sb_count(int account, enum sb_counter c)
{
	if (board == NULL)
		return;
	__atomic_fetch_add(&board->counter[c], 1, __ATOMIC_RELAXED);
	if (account >= 0 && account < SB_ACCOUNTS)
		__atomic_fetch_add(&board->account[account].counter[c], 1,
		    __ATOMIC_RELAXED);
}

void
sb_time(enum sb_time t)
{
	if (board != NULL)
		__atomic_store_n(&board->time[t], (int64_t)time(NULL),
		    __ATOMIC_RELAXED);
}

void
sb_activity(int account)
{
	if (board != NULL && account >= 0 && account < SB_ACCOUNTS)
		__atomic_store_n(&board->account[account].last_activity,
		    (int64_t)time(NULL), __ATOMIC_RELAXED);
}

static uint32_t
hash(const char *s)
{
	uint32_t	 h = 2166136261U;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619U;
	return h;
}

/* The slot of an account, claimed on first use; -1 when the table is full. */
int
sb_account_slot(const char *system_id)
{
	struct sb_account	*a;
	uint32_t		 i, h, expect, state;

	if (board == NULL || system_id[0] == '\0')
		return -1;
	h = hash(system_id);
	for (i = 0; i < SB_ACCOUNTS; i++) {
		a = &board->account[(h + i) % SB_ACCOUNTS];
		expect = 0;
		if (__atomic_compare_exchange_n(&a->used, &expect, 1, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			strlcpy(a->system_id, system_id, sizeof(a->system_id));
			__atomic_store_n(&a->used, 2, __ATOMIC_RELEASE);
			return (int)((h + i) % SB_ACCOUNTS);
		}
		/* Another process is naming this slot: wait for the name. */
		while ((state = __atomic_load_n(&a->used, __ATOMIC_ACQUIRE))
		    == 1)
			sched_yield();
		if (strncmp(a->system_id, system_id, sizeof(a->system_id))
		    == 0)
			return (int)((h + i) % SB_ACCOUNTS);
	}
	return -1;
}

/*
 * Claim a child slot for pid.  Slots of processes that no longer exist
 * are taken over, for inetd mode where no master frees them.
 */
int
sb_child_claim(pid_t pid)
{
	struct sb_child	*c;
	int32_t		 expect, old;
	int		 i, start;

	if (board == NULL)
		return -1;
	start = (int)((uint32_t)pid % SB_CHILDREN);
	for (i = 0; i < SB_CHILDREN; i++) {
		c = &board->child[(start + i) % SB_CHILDREN];
		expect = 0;
		if (__atomic_compare_exchange_n(&c->pid, &expect, (int32_t)pid,
		    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			goto claimed;
		old = expect;
		if (old != pid && kill(old, 0) == -1 && errno == ESRCH &&
		    __atomic_compare_exchange_n(&c->pid, &old, (int32_t)pid,
		    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			goto claimed;
	}
	return -1;
claimed:
	c->state = SB_IDLE;
	c->account = -1;
	c->since = (int64_t)time(NULL);
	c->peer[0] = '\0';
	return (start + i) % SB_CHILDREN;
}

void
sb_child_set(int slot, enum sb_state state, int account, const char *peer)
{
	struct sb_child	*c;

	if (board == NULL || slot < 0 || slot >= SB_CHILDREN)
		return;
	c = &board->child[slot];
	c->account = account;
	c->since = (int64_t)time(NULL);
	if (peer != NULL)
		strlcpy(c->peer, peer, sizeof(c->peer));
	__atomic_store_n(&c->state, (int32_t)state, __ATOMIC_RELEASE);
}

/* The master frees the slot of a child it reaped. */
void
sb_child_release_pid(pid_t pid)
{
	struct sb_child	*c;
	int		 i, start;

	if (board == NULL)
		return;
	start = (int)((uint32_t)pid % SB_CHILDREN);
	for (i = 0; i < SB_CHILDREN; i++) {
		c = &board->child[(start + i) % SB_CHILDREN];
		if (c->pid == pid) {
			c->state = SB_FREE;
			c->account = -1;
			__atomic_store_n(&c->pid, 0, __ATOMIC_RELEASE);
			return;
		}
	}
}

struct gauges {
	unsigned	 connected;
	unsigned	 bound[3];	/* tx, rx, trx */
};

static void
gauges_of(const struct sb_board *b, int account, struct gauges *g)
{
	const struct sb_child	*c;
	int			 i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < SB_CHILDREN; i++) {
		c = &b->child[i];
		if (c->pid == 0 || c->state < SB_CONNECTED)
			continue;
		if (account >= 0 && c->account != account)
			continue;
		g->connected++;
		if (c->state >= SB_BOUND_TX && c->state <= SB_BOUND_TRX)
			g->bound[c->state - SB_BOUND_TX]++;
	}
}

static void
print_time(FILE *fp, const char *name, int64_t t, int json, const char *sep)
{
	char		 buf[32];
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t == 0)
		strlcpy(buf, "-", sizeof(buf));
	else {
		gmtime_r(&tt, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (json)
		fprintf(fp, "%s\"%s\": %s%s%s", sep, name, t ? "\"" : "",
		    t ? buf : "null", t ? "\"" : "");
	else
		fprintf(fp, "%-28s %s\n", name, buf);
}

static void
print_gauges(FILE *fp, const struct gauges *g, int json)
{
	if (json) {
		fprintf(fp, ", \"connected_count\": %u, \"bound_tx_count\": %u"
		    ", \"bound_rx_count\": %u, \"bound_trx_count\": %u",
		    g->connected, g->bound[0], g->bound[1], g->bound[2]);
		return;
	}
	fprintf(fp, "%-28s %u\n%-28s %u\n%-28s %u\n%-28s %u\n",
	    "connected_count", g->connected, "bound_tx_count", g->bound[0],
	    "bound_rx_count", g->bound[1], "bound_trx_count", g->bound[2]);
}

static void
print_counters(FILE *fp, const uint64_t *counter, int json)
{
	int	 i;

	for (i = 0; i < SB_NCOUNTERS; i++) {
		if (json)
			fprintf(fp, ", \"%s\": %llu", counter_names[i],
			    (unsigned long long)counter[i]);
		else
			fprintf(fp, "%-28s %llu\n", counter_names[i],
			    (unsigned long long)counter[i]);
	}
}

static void
print_peers(FILE *fp, const struct sb_board *b, int account, int json)
{
	static const char *const types[] = { "tx", "rx", "trx" };
	const struct sb_child	*c;
	int			 i, n = 0;

	if (json)
		fprintf(fp, ", \"bound_peers\": [");
	for (i = 0; i < SB_CHILDREN; i++) {
		c = &b->child[i];
		if (c->pid == 0 || c->account != account ||
		    c->state < SB_BOUND_TX || c->state > SB_BOUND_TRX)
			continue;
		if (json)
			fprintf(fp, "%s{\"pid\": %d, \"peer\": \"%s\", "
			    "\"bind\": \"%s\", \"since\": %lld}", n ? ", " : "",
			    (int)c->pid, c->peer, types[c->state - SB_BOUND_TX],
			    (long long)c->since);
		else
			fprintf(fp, "%-28s pid %d %s %s\n", "bound_peer",
			    (int)c->pid, c->peer, types[c->state - SB_BOUND_TX]);
		n++;
	}
	if (json)
		fprintf(fp, "]");
}

static void
print_account(FILE *fp, const struct sb_board *b, int i, int json, int n)
{
	const struct sb_account	*a = &b->account[i];
	struct gauges		 g;

	gauges_of(b, i, &g);
	if (json)
		fprintf(fp, "%s\"%s\": {\"system_id\": \"%s\"", n ? ", " : "",
		    a->system_id, a->system_id);
	else
		fprintf(fp, "\n[user %s]\n", a->system_id);
	print_gauges(fp, &g, json);
	print_counters(fp, a->counter, json);
	print_time(fp, "last_activity_at", a->last_activity, json, ", ");
	print_peers(fp, b, i, json);
	if (json)
		fprintf(fp, "}");
}

/*
 * Print the server's counters and gauges, then each account's, as text
 * (one "name value" line each) or as one JSON object.
 */
int
sb_print(FILE *fp, const struct sb_board *b, int json)
{
	struct gauges	 g;
	int		 i, n = 0;

	gauges_of(b, -1, &g);
	if (json)
		fprintf(fp, "{\"server\": {\"id\": \"%s\"", b->id);
	else
		fprintf(fp, "[server %s]\n", b->id);
	for (i = 0; i < SB_NTIMES; i++)
		print_time(fp, time_names[i], b->time[i], json, ", ");
	print_gauges(fp, &g, json);
	print_counters(fp, b->counter, json);
	if (json)
		fprintf(fp, "}, \"users\": {");
	for (i = 0; i < SB_ACCOUNTS; i++)
		if (b->account[i].used == 2)
			print_account(fp, b, i, json, n++);
	if (json)
		fprintf(fp, "}}\n");
	return ferror(fp) ? -1 : 0;
}
