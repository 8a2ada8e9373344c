/*
 * check_ledger.c - unit tests of ledger.c: exact money, charges and
 * refunds, quotas, the throughput bucket on a fake clock, slots, and the
 * ledger under 20 concurrent processes and under SIGKILL
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "ledger.h"

#define PROCS		20
#define EACH		1000
#define T0		1700000000000000LL	/* a fake clock, in us */

static char	 dir[64];
static char	 path[128];

static void
setup(void)
{
	strlcpy(dir, "tmp-check_ledger.XXXXXX", sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users.db.ledger", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* A ledger with one account "alice" at its slot, with these figures. */
static uint32_t
one_account(struct ledger *l, int64_t balance, int64_t count)
{
	uint32_t	 slot;

	ck_assert_int_eq(ledger_open(l, path, O_RDWR | O_CREAT), LEDGER_OK);
	ck_assert_int_eq(ledger_slot_alloc(l, "alice", &slot), LEDGER_OK);
	ck_assert_int_eq(ledger_set(l, slot, "alice", balance, count),
	    LEDGER_OK);
	return slot;
}

static struct ledger_entry
entry(struct ledger *l, uint32_t slot)
{
	struct ledger_entry	 e;

	ck_assert_int_eq(ledger_read(l, slot, &e), LEDGER_OK);
	return e;
}

static void
assert_entry_eq(const struct ledger_entry *a, const struct ledger_entry *b)
{
	ck_assert_str_eq(a->system_id, b->system_id);
	ck_assert_int_eq(a->balance, b->balance);
	ck_assert_int_eq(a->count, b->count);
	ck_assert_int_eq(a->tokens, b->tokens);
	ck_assert_int_eq(a->refill_us, b->refill_us);
	ck_assert_uint_eq(a->charged, b->charged);
}

static int64_t
money(const char *s)
{
	int64_t	 v;

	ck_assert_int_eq(money_parse(s, &v), 0);
	return v;
}

static const char *
fmt(int64_t v)
{
	static char	 buf[32];

	ck_assert_int_eq(money_format(buf, sizeof(buf), v), 0);
	return buf;
}

START_TEST(test_money)
{
	int64_t	 v;
	char	 tiny[4];

	ck_assert_int_eq(money("0.035"), 35000);
	ck_assert_int_eq(money("1"), MICRO);
	ck_assert_int_eq(money("+3"), 3 * MICRO);
	ck_assert_int_eq(money("-2.5"), -2500000);
	ck_assert_int_eq(money("0.000001"), 1);
	ck_assert_int_eq(money("007.100000"), 7100000);
	ck_assert_int_eq(money("9223372036854.775807"), INT64_MAX);
	ck_assert_int_eq(money("-9223372036854.775807"), -INT64_MAX);
	ck_assert_int_eq(money_parse("9223372036854.775808", &v), -1);
	ck_assert_int_eq(money_parse("9223372036855", &v), -1);
	ck_assert_int_eq(money_parse("99999999999999999999", &v), -1);
	ck_assert_int_eq(money_parse("1.1234567", &v), -1);
	ck_assert_int_eq(money_parse("1.0000000", &v), -1);
	ck_assert_int_eq(money_parse("1.", &v), -1);
	ck_assert_int_eq(money_parse(".5", &v), -1);
	ck_assert_int_eq(money_parse("", &v), -1);
	ck_assert_int_eq(money_parse("-", &v), -1);
	ck_assert_int_eq(money_parse("1e3", &v), -1);
	ck_assert_int_eq(money_parse(" 1", &v), -1);
	ck_assert_int_eq(money_parse("1,5", &v), -1);
	ck_assert_int_eq(money_parse("--1", &v), -1);

	ck_assert_str_eq(fmt(35000), "0.035");
	ck_assert_str_eq(fmt(MICRO), "1");
	ck_assert_str_eq(fmt(0), "0");
	ck_assert_str_eq(fmt(-2500000), "-2.5");
	ck_assert_str_eq(fmt(1), "0.000001");
	ck_assert_str_eq(fmt(INT64_MAX), "9223372036854.775807");
	ck_assert_str_eq(fmt(INT64_MIN), "-9223372036854.775808");
	ck_assert_int_eq(money_format(tiny, sizeof(tiny), 35000), -1);
	ck_assert_int_eq(money(fmt(123456789)), 123456789);
}
END_TEST

START_TEST(test_charge_exact)
{
	struct ledger		 l;
	struct ledger_entry	 e, before;
	int64_t			 rate = money("0.035");
	uint32_t		 slot;
	int			 i;

	setup();
	slot = one_account(&l, money("1"), LEDGER_UNLIMITED);
	/* 3 parts at 0.035 cost 0.105: nine charges leave 0.055. */
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 3, rate, 0, 0,
		    T0), LEDGER_OK);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, money("0.055"));
	ck_assert_uint_eq(e.charged, 27);
	ck_assert_int_eq(e.count, LEDGER_UNLIMITED);

	/* Refused when it would go below zero, and nothing changes. */
	before = e;
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 3, rate, 0, 0, T0),
	    LEDGER_NOCREDIT);
	e = entry(&l, slot);
	assert_entry_eq(&e, &before);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, rate, 0, 0, T0),
	    LEDGER_OK);
	ck_assert_int_eq(entry(&l, slot).balance, money("0.02"));

	/* A refund gives the charge back exactly. */
	ck_assert_int_eq(ledger_refund(&l, slot, "alice", 3, rate, 0),
	    LEDGER_OK);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, money("0.125"));
	ck_assert_uint_eq(e.charged, 25);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, money("0.125"),
	    0, 0, T0), LEDGER_OK);
	ck_assert_int_eq(entry(&l, slot).balance, 0);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, 1, 0, 0, T0),
	    LEDGER_NOCREDIT);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, 0, 0, 0, T0),
	    LEDGER_OK);

	/* Nonsense rates are errors, not refusals. */
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, -1, 0, 0, T0),
	    LEDGER_ERR);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 4000000000U,
	    INT64_MAX / 2, 0, 0, T0), LEDGER_ERR);
	ledger_close(&l);
	teardown();
}
END_TEST

START_TEST(test_quota)
{
	struct ledger		 l;
	struct ledger_entry	 e, before;
	uint32_t		 slot;

	setup();
	slot = one_account(&l, LEDGER_UNLIMITED, 5);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 2, MICRO, 0, 0, T0),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 2, MICRO, 0, 0, T0),
	    LEDGER_OK);
	before = entry(&l, slot);
	ck_assert_int_eq(before.count, 1);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 2, MICRO, 0, 0, T0),
	    LEDGER_NOQUOTA);
	e = entry(&l, slot);
	assert_entry_eq(&e, &before);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 0, 0, T0),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 0, 0, T0),
	    LEDGER_NOQUOTA);
	e = entry(&l, slot);
	ck_assert_int_eq(e.count, 0);
	ck_assert_int_eq(e.balance, LEDGER_UNLIMITED);
	ck_assert_uint_eq(e.charged, 5);

	/* Quota is checked before credit. */
	ck_assert_int_eq(ledger_set(&l, slot, "alice", 0, LEDGER_KEEP),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 0, 0, T0),
	    LEDGER_NOQUOTA);
	ck_assert_int_eq(ledger_refund(&l, slot, "alice", 1, MICRO, 0),
	    LEDGER_OK);
	e = entry(&l, slot);
	ck_assert_int_eq(e.count, 1);
	ck_assert_int_eq(e.balance, MICRO);

	/* billing_feature = no: neither balance nor count is touched. */
	ck_assert_int_eq(ledger_set(&l, slot, "alice", 0, 0), LEDGER_OK);
	before = entry(&l, slot);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 3, MICRO, 0,
	    LEDGER_NOBILL, T0), LEDGER_OK);
	ck_assert_int_eq(ledger_refund(&l, slot, "alice", 3, MICRO,
	    LEDGER_NOBILL), LEDGER_OK);
	e = entry(&l, slot);
	assert_entry_eq(&e, &before);
	ledger_close(&l);
	teardown();
}
END_TEST

START_TEST(test_throughput)
{
	struct ledger		 l;
	struct ledger_entry	 e, before;
	uint32_t		 slot;
	int			 i;

	setup();
	slot = one_account(&l, LEDGER_UNLIMITED, LEDGER_UNLIMITED);
	/* A burst of N, then the N+1th is throttled. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 3, MICRO, 10,
		    0, T0), LEDGER_OK);
	before = entry(&l, slot);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0), LEDGER_THROTTLED);
	e = entry(&l, slot);
	assert_entry_eq(&e, &before);
	ck_assert_uint_eq(e.charged, 30);

	/* One token comes back after 1/N s, not a microsecond earlier. */
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0 + 99999), LEDGER_THROTTLED);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0 + 100000), LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0 + 100000), LEDGER_THROTTLED);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0 + 150000), LEDGER_THROTTLED);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0 + 200000), LEDGER_OK);

	/* Idle for long: the bucket holds one second's worth, no more. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10,
		    0, T0 + 60000000), LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0 + 60000000), LEDGER_THROTTLED);

	/* A clock that went back refills rather than blocks. */
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 10, 0,
	    T0), LEDGER_OK);

	/* Throttled before the credit check; a refusal keeps its token. */
	ck_assert_int_eq(ledger_set(&l, slot, "alice", 0, LEDGER_KEEP),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 1, 0,
	    T0 + 90000000), LEDGER_NOCREDIT);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", MICRO), LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 1, 0,
	    T0 + 90000000), LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 1, 0,
	    T0 + 90000001), LEDGER_THROTTLED);

	/* Unlimited throughput never throttles. */
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, 0, 0, 0,
		    T0), LEDGER_OK);
	ledger_close(&l);
	teardown();
}
END_TEST

START_TEST(test_unlimited_credit_set)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	uint32_t		 slot;
	int			 i;

	setup();
	slot = one_account(&l, LEDGER_UNLIMITED, LEDGER_UNLIMITED);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 2,
		    money("1000000"), 0, 0, T0), LEDGER_OK);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, LEDGER_UNLIMITED);
	ck_assert_int_eq(e.count, LEDGER_UNLIMITED);
	ck_assert_uint_eq(e.charged, 200);

	ck_assert_int_eq(ledger_credit(&l, slot, "alice", MICRO), LEDGER_ERR);
	ck_assert_str_eq(ledger_error(), "balance of alice is unlimited");
	ck_assert_int_eq(ledger_set(&l, slot, "alice", money("10"),
	    LEDGER_KEEP), LEDGER_OK);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", -money("10.000001")),
	    LEDGER_NOCREDIT);
	ck_assert_ptr_nonnull(strstr(ledger_error(), "less than 10.000001"));
	ck_assert_int_eq(entry(&l, slot).balance, money("10"));
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", money("2.5")),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", -money("12.5")),
	    LEDGER_OK);
	ck_assert_int_eq(entry(&l, slot).balance, 0);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", MONEY_MAX),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", 1), LEDGER_ERR);

	/* set: KEEP leaves one figure, UNLIMITED unsets it. */
	ck_assert_int_eq(ledger_set(&l, slot, "alice", LEDGER_KEEP, 7),
	    LEDGER_OK);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, MONEY_MAX);
	ck_assert_int_eq(e.count, 7);
	ck_assert_int_eq(ledger_set(&l, slot, "alice", LEDGER_UNLIMITED,
	    LEDGER_KEEP), LEDGER_OK);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, LEDGER_UNLIMITED);
	ck_assert_int_eq(e.count, 7);
	ck_assert_int_eq(ledger_set(&l, slot, "alice", -1, LEDGER_KEEP),
	    LEDGER_ERR);
	ck_assert_int_eq(ledger_set(&l, slot, "alice", LEDGER_KEEP,
	    LEDGER_COUNT_MAX + 1), LEDGER_ERR);
	ledger_close(&l);
	teardown();
}
END_TEST

START_TEST(test_slots)
{
	struct ledger		 l, ro;
	struct ledger_entry	 e;
	struct stat		 st;
	uint32_t		 a, b, c, d, x;
	int			 fd;

	setup();
	ck_assert_int_eq(ledger_open(&l, path, O_RDONLY), LEDGER_ERR);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ledger_open(&l, path, O_RDWR | O_CREAT), LEDGER_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(ledger_slot_alloc(&l, "a", &a), LEDGER_OK);
	ck_assert_int_eq(ledger_slot_alloc(&l, "b", &b), LEDGER_OK);
	ck_assert_int_eq(ledger_slot_alloc(&l, "c", &c), LEDGER_OK);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 1);
	ck_assert_uint_eq(c, 2);
	ck_assert_int_eq(ledger_slot_alloc(&l, "", &x), LEDGER_ERR);
	ck_assert_int_eq(ledger_slot_alloc(&l,
	    "0123456789012345678901234567890123", &x), LEDGER_ERR);

	/* A slot answers only to its own account. */
	ck_assert_int_eq(ledger_slot_free(&l, b, "a"), LEDGER_ERR);
	ck_assert_int_eq(ledger_charge(&l, b, "a", 1, 1, 0, 0, T0),
	    LEDGER_ERR);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(ledger_error(), "belongs to \"b\""));
	ck_assert_int_eq(ledger_charge(&l, 99, "a", 1, 1, 0, 0, T0),
	    LEDGER_ERR);
	ck_assert_ptr_nonnull(strstr(ledger_error(), "does not exist"));
	ck_assert_int_eq(ledger_read(&l, 99, &e), LEDGER_ERR);

	/* A freed slot is the next one claimed; the others never move. */
	ck_assert_int_eq(ledger_charge(&l, b, "b", 1, 1, 0, 0, T0), LEDGER_OK);
	ck_assert_int_eq(ledger_slot_free(&l, b, "b"), LEDGER_OK);
	ck_assert_int_eq(ledger_read(&l, b, &e), LEDGER_OK);
	ck_assert_str_eq(e.system_id, "");
	ck_assert_int_eq(ledger_slot_alloc(&l, "d", &d), LEDGER_OK);
	ck_assert_uint_eq(d, b);
	e = entry(&l, d);
	ck_assert_str_eq(e.system_id, "d");
	ck_assert_int_eq(e.balance, LEDGER_UNLIMITED);
	ck_assert_int_eq(e.count, LEDGER_UNLIMITED);
	ck_assert_uint_eq(e.charged, 0);
	ck_assert_int_eq(ledger_slot_alloc(&l, "e", &x), LEDGER_OK);
	ck_assert_uint_eq(x, 3);
	ck_assert_str_eq(entry(&l, c).system_id, "c");
	ledger_close(&l);

	/* Read-only opens read; writes are refused by the kernel. */
	ck_assert_int_eq(ledger_open(&ro, path, O_RDONLY), LEDGER_OK);
	ck_assert_str_eq(entry(&ro, a).system_id, "a");
	ck_assert_int_eq(ledger_charge(&ro, a, "a", 1, 1, 0, 0, T0),
	    LEDGER_ERR);
	ledger_close(&ro);
	teardown();

	/* Not a ledger, or a ledger of another version: refused. */
	setup();
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hello", 5), 5);
	close(fd);
	ck_assert_int_eq(ledger_open(&l, path, O_RDWR), LEDGER_ERR);
	ck_assert_ptr_nonnull(strstr(ledger_error(), "not a ledger"));
	unlink(path);
	ck_assert_int_eq(ledger_open(&l, path, O_RDWR | O_CREAT), LEDGER_OK);
	ledger_close(&l);
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "\x02", 1, 8), 1);
	close(fd);
	ck_assert_int_eq(ledger_open(&l, path, O_RDWR), LEDGER_ERR);
	ck_assert_ptr_nonnull(strstr(ledger_error(), "format version 2"));
	teardown();
}
END_TEST

/* A child: charge EACH times, report successes and refusals, exit. */
static void
hammer(uint32_t slot, uint32_t parts, int64_t rate, int fd)
{
	struct ledger	 l;
	int		 n[2] = { 0, 0 }, i, r;

	if (ledger_open(&l, path, O_RDWR) != LEDGER_OK)
		_exit(2);
	for (i = 0; i < EACH; i++) {
		r = ledger_charge(&l, slot, "alice", parts, rate, 0, 0, T0);
		if (r == LEDGER_OK)
			n[0]++;
		else if (r == LEDGER_NOCREDIT || r == LEDGER_NOQUOTA)
			n[1]++;
		else
			_exit(3);
	}
	ledger_close(&l);
	_exit(write(fd, n, sizeof(n)) == sizeof(n) ? 0 : 4);
}

/* PROCS processes charge at once; the successes and refusals. */
static void
crowd(uint32_t slot, uint32_t parts, int64_t rate, int *ok, int *no)
{
	int	 p[2], n[2], i, status;
	pid_t	 pid[PROCS];

	ck_assert_int_eq(pipe(p), 0);
	for (i = 0; i < PROCS; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0)
			hammer(slot, parts, rate, p[1]);
	}
	close(p[1]);
	*ok = *no = 0;
	for (i = 0; i < PROCS; i++) {
		ck_assert_int_eq(read(p[0], n, sizeof(n)), sizeof(n));
		*ok += n[0];
		*no += n[1];
	}
	close(p[0]);
	for (i = 0; i < PROCS; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

START_TEST(test_concurrent_exact)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	uint32_t		 slot;
	int			 ok, no;

	setup();
	/* Enough for all: 20 x 1,000 at 1, from 20,005 and 25,000. */
	slot = one_account(&l, 20005 * MICRO, 25000);
	crowd(slot, 1, MICRO, &ok, &no);
	ck_assert_int_eq(ok, PROCS * EACH);
	ck_assert_int_eq(no, 0);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, 5 * MICRO);
	ck_assert_int_eq(e.count, 25000 - PROCS * EACH);
	ck_assert_uint_eq(e.charged, PROCS * EACH);
	ledger_close(&l);
	teardown();
}
END_TEST

START_TEST(test_concurrent_short)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	int64_t			 cost = 3 * money("0.035");
	uint32_t		 slot;
	int			 ok, no;

	setup();
	/* 1,000 at 0.105 a charge: 9,523 succeed, 0.085 stays. */
	slot = one_account(&l, money("1000"), LEDGER_UNLIMITED);
	crowd(slot, 3, money("0.035"), &ok, &no);
	ck_assert_int_eq(ok + no, PROCS * EACH);
	ck_assert_int_eq(ok, 9523);
	e = entry(&l, slot);
	ck_assert_int_eq(e.balance, money("0.085"));
	ck_assert_int_lt(e.balance, cost);
	ck_assert_uint_eq(e.charged, 3 * 9523);
	ledger_close(&l);
	teardown();

	/* The same with the quota as the limit. */
	setup();
	slot = one_account(&l, LEDGER_UNLIMITED, 12345);
	crowd(slot, 1, MICRO, &ok, &no);
	ck_assert_int_eq(ok, 12345);
	ck_assert_int_eq(no, PROCS * EACH - 12345);
	e = entry(&l, slot);
	ck_assert_int_eq(e.count, 0);
	ck_assert_uint_eq(e.charged, 12345);
	ledger_close(&l);
	teardown();
}
END_TEST

/* A child charging until it is killed; one byte per success. */
static void
charge_forever(uint32_t slot, int64_t rate, int fd)
{
	struct ledger	 l;

	if (ledger_open(&l, path, O_RDWR) != LEDGER_OK)
		_exit(2);
	for (;;) {
		if (ledger_charge(&l, slot, "alice", 1, rate, 0, 0, T0) !=
		    LEDGER_OK)
			_exit(3);
		if (write(fd, "x", 1) != 1)
			_exit(4);
	}
}

START_TEST(test_kill)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	int64_t			 rate = money("0.035"), start = money("100000");
	uint64_t		 before;
	uint32_t		 slot;
	char			 buf[512];
	ssize_t			 n;
	long			 got, want;
	int			 p[2], round, status;
	pid_t			 pid;

	setup();
	slot = one_account(&l, start, 10000000);
	for (round = 0; round < 25; round++) {
		before = entry(&l, slot).charged;
		ck_assert_int_eq(pipe(p), 0);
		if ((pid = fork()) == 0) {
			close(p[0]);
			charge_forever(slot, rate, p[1]);
		}
		close(p[1]);
		want = 1 + (round * 97) % 400;
		for (got = 0; got < want; got += n)
			ck_assert_int_gt(n = read(p[0], buf, sizeof(buf)), 0);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		while ((n = read(p[0], buf, sizeof(buf))) > 0)
			got += n;
		close(p[0]);

		/*
		 * Every reported success is in the slot; at most the one
		 * in flight (written, not yet reported) is more.  The
		 * figures agree exactly, and the lock died with the child.
		 */
		e = entry(&l, slot);
		ck_assert_uint_ge(e.charged - before, (uint64_t)got);
		ck_assert_uint_le(e.charged - before, (uint64_t)got + 1);
		ck_assert_int_eq(e.balance, start - (int64_t)e.charged * rate);
		ck_assert_int_eq(e.count, 10000000 - (int64_t)e.charged);
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, rate, 0, 0,
		    T0), LEDGER_OK);
	}
	ledger_close(&l);
	teardown();
}
END_TEST

/* The charges of a run, held or not: what test_hold compares. */
static void
run_of_charges(struct ledger *l, uint32_t slot, int *r)
{
	int	 i;

	for (i = 0; i < 5; i++)
		r[i] = ledger_charge(l, slot, "alice", (uint32_t)(1 + i % 2),
		    MICRO, 10, 0, T0 + i);
}

/* Whether another process finds the slot's range write-locked. */
static int
locked_elsewhere(uint32_t slot)
{
	struct flock	 fl;
	pid_t		 pid;
	int		 fd, status;

	if ((pid = fork()) == 0) {
		if ((fd = open(path, O_RDWR)) == -1)
			_exit(2);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 128 * ((off_t)slot + 1);	/* smppd-ledger: slots */
		fl.l_len = 128;
		if (fcntl(fd, F_GETLK, &fl) == -1)
			_exit(3);
		_exit(fl.l_type == F_UNLCK ? 1 : 0);
	}
	ck_assert_int_ge(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
	return WEXITSTATUS(status) == 0;
}

/*
 * ledger_hold(): the charges of a turn decided one by one against the
 * copy in memory give the slot that charging each on the file gives,
 * refusals included; the slot stays locked until ledger_release().
 */
START_TEST(test_hold)
{
	struct ledger		 l;
	struct ledger_entry	 held, plain;
	uint32_t		 slot;
	int			 rh[5], rp[5], i;

	/* Without a hold, on the file (quota 4: the fifth is refused). */
	setup();
	slot = one_account(&l, 100 * MICRO, 4);
	run_of_charges(&l, slot, rp);
	plain = entry(&l, slot);
	ledger_close(&l);
	teardown();

	setup();
	slot = one_account(&l, 100 * MICRO, 4);
	ck_assert(!locked_elsewhere(slot));
	ck_assert_int_eq(ledger_hold(&l, slot, "alice"), LEDGER_OK);
	ck_assert_int_eq(ledger_hold(&l, slot, "alice"), LEDGER_OK);
	run_of_charges(&l, slot, rh);
	ck_assert(locked_elsewhere(slot));
	ck_assert_int_eq(ledger_release(&l), LEDGER_OK);
	ck_assert(!locked_elsewhere(slot));
	held = entry(&l, slot);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(rh[i], rp[i]);
	ck_assert_int_eq(rh[4], LEDGER_NOQUOTA);
	assert_entry_eq(&held, &plain);
	ck_assert_uint_eq(held.charged, 4);	/* parts 1, 2, 1; then refused */

	/* Another operation of the process writes the hold first. */
	ck_assert_int_eq(ledger_hold(&l, slot, "alice"), LEDGER_OK);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", 10), LEDGER_OK);
	ck_assert_int_eq(ledger_set(&l, slot, "alice", 100 * MICRO, 10),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_hold(&l, slot, "alice"), LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 0, 0,
	    T0), LEDGER_OK);
	ck_assert_int_eq(ledger_credit(&l, slot, "alice", 5 * MICRO),
	    LEDGER_OK);
	held = entry(&l, slot);
	ck_assert_int_eq(held.balance, 104 * MICRO);
	ck_assert_int_eq(held.count, 9);

	/* ledger_close() writes what is held; a wrong account is refused. */
	ck_assert_int_eq(ledger_hold(&l, slot, "bob"), LEDGER_ERR);
	ck_assert_int_eq(ledger_hold(&l, slot, "alice"), LEDGER_OK);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 0, 0,
	    T0), LEDGER_OK);
	ledger_close(&l);
	ck_assert_int_eq(ledger_open(&l, path, O_RDWR), LEDGER_OK);
	held = entry(&l, slot);
	ck_assert_int_eq(held.balance, 103 * MICRO);
	ck_assert_int_eq(held.count, 8);
	ledger_close(&l);
	teardown();
}
END_TEST

/*
 * A process killed while it holds the slot: its charges never reach
 * the file (nothing it charged was queued either), and the lock dies
 * with it.
 */
START_TEST(test_hold_killed)
{
	struct ledger		 l, k;
	struct ledger_entry	 before, after;
	uint32_t		 slot;
	int			 p[2], status;
	char			 c;
	pid_t			 pid;

	setup();
	slot = one_account(&l, 100 * MICRO, 50);
	before = entry(&l, slot);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (ledger_open(&k, path, O_RDWR) != LEDGER_OK ||
		    ledger_hold(&k, slot, "alice") != LEDGER_OK)
			_exit(2);
		for (c = 0; c < 5; c++)
			if (ledger_charge(&k, slot, "alice", 2, MICRO, 0, 0,
			    T0) != LEDGER_OK)
				_exit(3);
		if (write(p[1], "x", 1) != 1)
			_exit(4);
		pause();
		_exit(5);
	}
	ck_assert_int_ge(pid, 0);
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	ck_assert(locked_elsewhere(slot));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	close(p[0]);
	after = entry(&l, slot);
	assert_entry_eq(&after, &before);
	ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1, MICRO, 0, 0, T0),
	    LEDGER_OK);
	ledger_close(&l);
	teardown();
}
END_TEST

static double
ns_since(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0->tv_nsec);
}

START_TEST(test_cost)
{
	struct ledger		 l;
	struct timespec		 t0;
	uint32_t		 slot;
	int			 i, n = 200000;
	double			 ns;

	setup();
	slot = one_account(&l, money("1000000000"), LEDGER_COUNT_MAX);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ledger_charge(&l, slot, "alice", 1,
		    money("0.035"), 1000000, 0, T0 + i), LEDGER_OK);
	ns = ns_since(&t0) / n;
	printf("ledger_charge: %.0f ns per charge (%d charges, balance, "
	    "quota and throughput checked)\n", ns, n);
	fflush(stdout);
	ck_assert_uint_eq(entry(&l, slot).charged, (uint64_t)n);
	ledger_close(&l);
	teardown();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("ledger");
	TCase	*tc = tcase_create("ledger");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_money);
	tcase_add_test(tc, test_charge_exact);
	tcase_add_test(tc, test_quota);
	tcase_add_test(tc, test_throughput);
	tcase_add_test(tc, test_unlimited_credit_set);
	tcase_add_test(tc, test_slots);
	tcase_add_test(tc, test_concurrent_exact);
	tcase_add_test(tc, test_concurrent_short);
	tcase_add_test(tc, test_kill);
	tcase_add_test(tc, test_hold);
	tcase_add_test(tc, test_hold_killed);
	tcase_add_test(tc, test_cost);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
