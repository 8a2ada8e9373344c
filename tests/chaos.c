/*
 * chaos.c - the duplicates benchmark: CHAOS_N messages (default 20,000)
 * with registered_delivery 1 from 10 transceivers with a window of 10
 * through smppd and smppconn (sink connector), while CHAOS_KILLS kill -9
 * (default 6) spread over the run hit the master, a bound child and
 * smppconn in an order drawn from CHAOS_SEED (default 1): two of each
 * kind when there are six (CHAOS_ONLY=master, child or smppconn: that
 * kind alone).  A killed smppconn is started again at once.  The master
 * is killed alone, as by a supervisor that watches only it (runit, an rc
 * script): its children unbind their clients, and a new master starts
 * as soon as they have let go of the pid file.  CHAOS_MASTER=tree kills
 * it with its children instead, as systemd's KillMode=mixed (the
 * shipped unit) does when the main process died.  The load generator
 * binds again when its session ends and sends anew what was not
 * answered.  It prints a RESULT line and fails when a receipt of an
 * acknowledged message is lost or when the duplicate receipts exceed
 * the window times the bound sessions killed (one per child killed,
 * every bound one per master killed with its tree): what smppd(8) and
 * smppconn(8) promise, a killed smppconn adding none and a master
 * killed alone none.
 *
 *	make -C tests chaos [CHAOS_SEED=n] [CHAOS_N=n] [CHAOS_KILLS=n]
 *	    [CHAOS_ONLY=master|child|smppconn] [CHAOS_MASTER=tree]
 *
 * Not part of make check: it takes about a minute.  Linux or any system
 * whose spool lists sessions as sessions/USER/PID.BINDTYPE.
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "harness.h"
#include "load.h"

#define WINDOW		10
#define KILLS_MAX	64
#define RESTART_MS	30000	/* responseTimerSecs and then some */

enum victim { V_MASTER, V_CHILD, V_CONN };

static const char	*vname[] = { "master", "child", "smppconn" };

static struct th	 T;
static int		 total, nkills, done_kills;
static enum victim	 plan[KILLS_MAX];
static int		 killed[3];
static int		 sessions_killed;	/* bound sessions that died */
static int		 tree;		/* CHAOS_MASTER=tree */
static int64_t		 restart_at;	/* deadline of a master's restart */

static int
env_int(const char *name, int def)
{
	const char	*s = getenv(name);

	return s != NULL && atoi(s) > 0 ? atoi(s) : def;
}

/* Kinds in turn, then shuffled with the seed. */
static void
make_plan(unsigned seed)
{
	int		 i, j;
	enum victim	 t;

	const char	*only = getenv("CHAOS_ONLY");

	srandom(seed);
	for (i = 0; i < nkills; i++) {
		plan[i] = (enum victim)(i % 3);
		for (j = 0; only != NULL && j < 3; j++)
			if (strcmp(only, vname[j]) == 0)
				plan[i] = (enum victim)j;
	}
	for (i = nkills - 1; i > 0; i--) {
		j = (int)(random() % (i + 1));
		t = plan[i];
		plan[i] = plan[j];
		plan[j] = t;
	}
}

/* A bound child of acme, 0 when none; *n the number of them. */
static pid_t
bound_child(int *n)
{
	pid_t	 pids[256];

	*n = th_session_pids(&T, "acme", pids, 256);
	return *n > 0 ? pids[random() % (*n < 256 ? *n : 256)] : 0;
}

static void
kill_one(enum victim v)
{
	pid_t	 pid;
	int	 n;

	switch (v) {
	case V_MASTER:
		if (T.pid == 0)
			return;		/* the last one not restarted yet */
		if (tree) {
			(void)bound_child(&n);
			sessions_killed += n;
			th_kill_tree(T.pid);
			T.pid = 0;
			ck_assert(th_wait_port_closed(T.port, 10000));
			th_start(&T);
		} else {
			/* The children unbind: answered by load.c meanwhile. */
			kill(T.pid, SIGKILL);
			waitpid(T.pid, NULL, 0);
			T.pid = 0;
			restart_at = clock_mono_ms() + RESTART_MS;
		}
		break;
	case V_CHILD:
		if ((pid = bound_child(&n)) == 0)
			return;
		kill(pid, SIGKILL);
		sessions_killed++;
		break;
	case V_CONN:
		th_kill_conn(&T, SIGKILL);
		th_start_conn(&T);
		break;
	}
	killed[v]++;
	fprintf(stderr, "chaos: kill -9 of the %s at %d acks\n", vname[v],
	    total * (done_kills + 1) / (nkills + 1));
}

/* A new master once the old one's children let go of the pid file. */
static void
tick(struct load *l)
{
	(void)l;
	if (T.pid != 0 || restart_at == 0)
		return;
	if (th_wait_pidfile_free(&T, 0)) {
		restart_at = 0;
		th_start(&T);
		return;
	}
	ck_assert_msg(clock_mono_ms() < restart_at,
	    "the children of a killed master still hold its pid file");
}

static void
hook(struct load *l, int acked)
{
	(void)l;
	if (done_kills < nkills &&
	    acked >= total * (done_kills + 1) / (nkills + 1)) {
		kill_one(plan[done_kills]);
		done_kills++;
	}
}

START_TEST(test_chaos)
{
	struct load	 l;
	unsigned	 seed = (unsigned)env_int("CHAOS_SEED", 1);

	total = env_int("CHAOS_N", 20000);
	nkills = env_int("CHAOS_KILLS", 6);
	if (nkills > KILLS_MAX)
		nkills = KILLS_MAX;
	make_plan(seed);
	tree = getenv("CHAOS_MASTER") != NULL &&
	    strcmp(getenv("CHAOS_MASTER"), "tree") == 0;
	th_init(&T, "chaos");
	strlcpy(T.server_keys, "log_level = INFO\nprefork = 12\n",
	    sizeof(T.server_keys));
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	th_start_conn(&T);
	memset(&l, 0, sizeof(l));
	l.port = T.port;
	l.user = "acme";
	l.password = "secret";
	l.binds = 10;
	l.window = WINDOW;
	l.total = total;
	l.rate = 5000;
	l.registered_delivery = 1;
	l.dest = "3312345678";
	l.receipt_ms = 30000;
	l.grace_ms = 3000;
	l.reconnect = 1;
	l.hook = hook;
	l.tick = tick;
	load_run(&l);
	load_print(&l, "chaos");
	printf("RESULT chaos seed=%u messages=%d kills=%d (master%s %d, child "
	    "%d, smppconn %d) acked=%d lost=%d dup_receipts=%d unknown=%d "
	    "reconnects=%d sessions_killed=%d bound=%d\n", seed, total,
	    done_kills, tree ? " with children" : " alone", killed[V_MASTER], killed[V_CHILD], killed[V_CONN],
	    l.acked, l.lost, l.dups, l.unknown, l.reconnects, sessions_killed,
	    sessions_killed * WINDOW);
	fflush(stdout);
	ck_assert_int_eq(l.acked, total);
	ck_assert_int_eq(l.lost, 0);
	ck_assert_int_le(l.dups, sessions_killed * WINDOW);
}
END_TEST

static void
stop(void)
{
	th_cleanup(&T);
}

int
main(void)
{
	Suite	*s = suite_create("chaos");
	TCase	*tc = tcase_create("chaos");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, test_chaos);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
