/*
 * check_conn_route.c - routes with several connectors against the real
 * programs: a 3:1 weighted share over 4,000 messages, and failover
 * between two upstream chains (smppd + smppconn + sink) when one of
 * them stops in the middle of a run: every message acknowledged gets
 * exactly one receipt, mapped back to our id
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "connstate.h"
#include "harness.h"
#include "load.h"

static struct th	 A, B, C;

static void
stop(void)
{
	th_cleanup(&A);
	th_cleanup(&B);
	th_cleanup(&C);
}

static void
load_init(struct load *l, int total, uint8_t rd)
{
	memset(l, 0, sizeof(*l));
	l->port = A.port;
	l->user = "acme";
	l->password = "secret";
	l->binds = 2;
	l->window = 10;
	l->total = total;
	l->registered_delivery = rd;
	l->dest = "3312345678";
	l->receipt_ms = 15000;
}

START_TEST(test_weighted_share)
{
	struct load		 l;
	struct connstate	 s3, s1;
	int			 i;

	th_init(&A, "share");
	strlcpy(A.sections, "[connector three]\ntype = sink\n\n"
	    "[connector one]\ntype = sink\n\n"
	    "[mt-routes]\ndefault = three*3 | one\n", sizeof(A.sections));
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
	load_init(&l, 4000, 0);
	l.receipt_ms = 0;
	load_run(&l);
	ck_assert_int_eq(l.acked, 4000);
	/* Each message went to one of them, 3:1 within 5 points. */
	for (i = 0; i < 400; i++) {
		if (th_conn_state(&A, "three", &s3) &&
		    th_conn_state(&A, "one", &s1) && s3.ok + s1.ok >= 4000)
			break;
		usleep(50000);
	}
	ck_assert_uint_eq(s3.ok + s1.ok, 4000);
	ck_assert_msg(s3.ok >= 2800 && s3.ok <= 3200, "three took %llu of "
	    "4000", (unsigned long long)s3.ok);
}
END_TEST

static void
chain(struct th *t, const char *name)
{
	th_init(t, name);
	strlcpy(t->sections, "[connector sink]\ntype = sink\n\n"
	    "[mt-routes]\ndefault = sink\n", sizeof(t->sections));
	th_user(t, "gw", "gwsecret", NULL);
	th_start(t);
	th_start_conn(t);
}

static int	 stopped, restarted;

/* B stops after 150 acknowledged messages, and comes back after 400. */
static void
hook(struct load *l, int acked)
{
	(void)l;
	if (!stopped && acked >= 150) {
		th_stop(&B);
		stopped = 1;
	}
	if (stopped && !restarted && acked >= 400) {
		th_start(&B);
		th_start_conn(&B);
		restarted = 1;
	}
}

START_TEST(test_failover)
{
	struct load		 l;
	struct connstate	 sb, sc;
	int			 i;

	chain(&B, "chainB");
	chain(&C, "chainC");
	th_init(&A, "failover");
	snprintf(A.sections, sizeof(A.sections),
	    "[connector b]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gw\npassword = gwsecret\nreconnect_min = 1\n"
	    "reconnect_max = 1\n\n"
	    "[connector c]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gw\npassword = gwsecret\n\n"
	    "[mt-routes]\ndefault = b, c\n", B.port, C.port);
	strlcpy(A.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(A.spool_keys));
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
	ck_assert(th_wait_log(A.connlog, "connector b: bind 0 bound", 10000));
	ck_assert(th_wait_log(A.connlog, "connector c: bind 0 bound", 10000));
	stopped = restarted = 0;
	load_init(&l, 600, 1);
	l.rate = 300;
	l.hook = hook;
	load_run(&l);
	load_print(&l, "failover");
	ck_assert_int_eq(l.acked, 600);
	ck_assert_int_eq(l.distinct, 600);
	ck_assert_int_eq(l.dups, 0);
	ck_assert_int_eq(l.unknown, 0);
	/*
	 * C took what B could not, B took the rest (before it stopped and
	 * after it came back): each message was accepted once, by one of
	 * them.  The state file is rewritten each second: wait for it.
	 */
	for (i = 0; i < 100; i++) {
		ck_assert(th_conn_state(&A, "b", &sb));
		ck_assert(th_conn_state(&A, "c", &sc));
		if (sb.ok + sc.ok == 600)
			break;
		usleep(100000);
	}
	ck_assert_uint_gt(sb.ok, 0);
	ck_assert_uint_gt(sc.ok, 0);
	ck_assert_uint_eq(sb.ok + sc.ok, 600);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("conn_route");
	TCase	*tc;

	tc = tcase_create("route");
	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_weighted_share);
	tcase_add_test(tc, test_failover);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
