/*
 * sb.c - counters shared by all processes of a server
 *
 * SYNOPSIS
 *	sb_open(path, id, create)	map (and with create, reset) the file
 *	sb_attach(path)			map an existing file read-only
 *	sb_count(account, counter)	sb_count_account(account, counter)
 *	sb_add(account, counter, n)
 *	sb_commit_latency(us)		sb_time(which)
 *	sb_account_slot(system_id)	sb_activity(account)
 *	sb_child_claim(pid)		sb_child_set(slot, state, acct, peer)
 *	sb_child_release_pid(pid)	sb_print(fp, board, json)
 *	sb_gauges(board, server, accounts)
 *	sb_counter_name(counter)	sb_time_name(which)
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
#define SB_VERSION	4	/* 4: the anvil's held[] left struct sb_child */

/* anvil.c keeps a held[] entry per child slot. */
_Static_assert(ANVIL_SLOTS >= SB_CHILDREN, "ANVIL_SLOTS below SB_CHILDREN");

static struct sb_board	*board;

static void	 sb_close(void);

static const char *const counter_names[SB_NCOUNTERS] = {
	"connect_count", "disconnect_count", "refused_count",
	"bind_tx_count", "bind_rx_count", "bind_trx_count",
	"bind_fail_count", "unbind_count", "submit_sm_request_count",
	"submit_sm_count", "throttling_error_count",
	"other_submit_error_count", "data_sm_count", "deliver_sm_count",
	"deliver_sm_ack_count", "deliver_sm_error_count", "elink_count",
	"address_refused_count", "password_hash_count",
	"bind_fail_unknown_count", "bind_fail_password_count",
	"bind_fail_disabled_count", "bind_fail_network_count",
	"bind_fail_type_count", "bind_fail_max_bindings_count",
	"bind_fail_other_count", "submit_sm_address_error_count",
	"submit_sm_credit_error_count", "submit_sm_spool_error_count",
	"shortfall_count", "shortfall_micro"
};

/* From a tenth of a millisecond (a cached write) to a second (a stall). */
const uint64_t sb_commit_bound_us[SB_COMMIT_BUCKETS - 1] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000
};

static const char *const time_names[SB_NTIMES] = {
	"created_at", "last_received_pdu_at", "last_sent_pdu_at",
	"last_received_elink_at"
};

const char *
sb_counter_name(enum sb_counter c)
{
	return c < SB_NCOUNTERS ? counter_names[c] : "?";
}

const char *
sb_time_name(enum sb_time t)
{
	return t < SB_NTIMES ? time_names[t] : "?";
}

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
	anvil_init(&b->anvil);
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
	sb_count_account(account, c);
}

/* An account's counter alone: the server's was counted already. */
void
sb_count_account(int account, enum sb_counter c)
{
	if (board != NULL && account >= 0 && account < SB_ACCOUNTS)
		__atomic_fetch_add(&board->account[account].counter[c], 1,
		    __ATOMIC_RELAXED);
}

/* n to the server's counter and the account's. */
void
sb_add(int account, enum sb_counter c, uint64_t n)
{
	if (board == NULL)
		return;
	__atomic_fetch_add(&board->counter[c], n, __ATOMIC_RELAXED);
	if (account >= 0 && account < SB_ACCOUNTS)
		__atomic_fetch_add(&board->account[account].counter[c], n,
		    __ATOMIC_RELAXED);
}

/* One group commit took us microseconds: two atomic adds, no lock. */
void
sb_commit_latency(uint64_t us)
{
	int	 i;

	if (board == NULL)
		return;
	for (i = 0; i < SB_COMMIT_BUCKETS - 1; i++)
		if (us <= sb_commit_bound_us[i])
			break;
	__atomic_fetch_add(&board->commit_bucket[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&board->commit_sum_us, us, __ATOMIC_RELAXED);
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

/* The per-address table (anvil.h); NULL without a scoreboard. */
struct anvil_board *
sb_anvil(void)
{
	return board != NULL && board->anvil.ready ? &board->anvil : NULL;
}

/* The slot of pid; -1 when it has none. */
int
sb_child_find(pid_t pid)
{
	int	 i, start;

	if (board == NULL)
		return -1;
	start = (int)((uint32_t)pid % SB_CHILDREN);
	for (i = 0; i < SB_CHILDREN; i++)
		if (board->child[(start + i) % SB_CHILDREN].pid == pid)
			return (start + i) % SB_CHILDREN;
	return -1;
}

/*
 * The gauges of the server and, when accounts is not NULL, of each
 * account (accounts[SB_ACCOUNTS]), in one pass over the child slots.
 */
void
sb_gauges(const struct sb_board *b, struct sb_gauges *server,
    struct sb_gauges *accounts)
{
	const struct sb_child	*c;
	struct sb_gauges	*a;
	int			 i;

	memset(server, 0, sizeof(*server));
	if (accounts != NULL)
		memset(accounts, 0, SB_ACCOUNTS * sizeof(*accounts));
	for (i = 0; i < SB_CHILDREN; i++) {
		c = &b->child[i];
		if (c->pid == 0 || c->state < SB_CONNECTED)
			continue;
		a = accounts != NULL && c->account >= 0 &&
		    c->account < SB_ACCOUNTS ? &accounts[c->account] : NULL;
		server->connected++;
		if (a != NULL)
			a->connected++;
		if (c->state < SB_BOUND_TX || c->state > SB_BOUND_TRX)
			continue;
		server->bound[c->state - SB_BOUND_TX]++;
		if (a != NULL)
			a->bound[c->state - SB_BOUND_TX]++;
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
print_gauges(FILE *fp, const struct sb_gauges *g, int json)
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
print_account(FILE *fp, const struct sb_board *b, int i,
    const struct sb_gauges *g, int json, int n)
{
	const struct sb_account	*a = &b->account[i];

	if (json)
		fprintf(fp, "%s\"%s\": {\"system_id\": \"%s\"", n ? ", " : "",
		    a->system_id, a->system_id);
	else
		fprintf(fp, "\n[user %s]\n", a->system_id);
	print_gauges(fp, g, json);
	print_counters(fp, a->counter, json);
	print_time(fp, "last_activity_at", a->last_activity, json, ", ");
	print_peers(fp, b, i, json);
	if (json)
		fprintf(fp, "}");
}

/* Group commits: how many, and their mean latency. */
static void
print_commits(FILE *fp, const struct sb_board *b, int json)
{
	uint64_t	 n = 0;
	int		 i;

	for (i = 0; i < SB_COMMIT_BUCKETS; i++)
		n += b->commit_bucket[i];
	if (json)
		fprintf(fp, ", \"commit_count\": %llu, \"commit_us_sum\": %llu",
		    (unsigned long long)n,
		    (unsigned long long)b->commit_sum_us);
	else
		fprintf(fp, "%-28s %llu\n%-28s %llu\n", "commit_count",
		    (unsigned long long)n, "commit_us_sum",
		    (unsigned long long)b->commit_sum_us);
}

/*
 * Print the server's counters and gauges, then each account's, as text
 * (one "name value" line each) or as one JSON object.
 */
int
sb_print(FILE *fp, const struct sb_board *b, int json)
{
	static struct sb_gauges	 acct[SB_ACCOUNTS];
	struct sb_gauges	 g;
	int			 i, n = 0;

	sb_gauges(b, &g, acct);
	if (json)
		fprintf(fp, "{\"server\": {\"id\": \"%s\"", b->id);
	else
		fprintf(fp, "[server %s]\n", b->id);
	for (i = 0; i < SB_NTIMES; i++)
		print_time(fp, time_names[i], b->time[i], json, ", ");
	print_gauges(fp, &g, json);
	print_counters(fp, b->counter, json);
	print_commits(fp, b, json);
	if (json)
		fprintf(fp, ", \"addresses\": ");
	else
		fprintf(fp, "\n[addresses]\n");
	anvil_print(fp, &b->anvil, json);
	if (json)
		fprintf(fp, "}, \"users\": {");
	for (i = 0; i < SB_ACCOUNTS; i++)
		if (b->account[i].used == 2)
			print_account(fp, b, i, &acct[i], json, n++);
	if (json)
		fprintf(fp, "}}\n");
	return ferror(fp) ? -1 : 0;
}
