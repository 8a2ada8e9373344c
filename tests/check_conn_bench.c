/*
 * check_conn_bench.c - end-to-end rates through smppconn: submit_sm with
 * registered_delivery 1 from 10 binds with a window of 10 each, through
 * the sink, pipe, helper and smpp connectors, receipts counted back
 * at the binds
 *
 * CONN_BENCH_N sets the number of messages (default 3000, which keeps
 * make check fast), CONN_BENCH_RATE a submit rate (default: as fast as
 * the windows allow), CONN_BENCH_ONLY one test (sink, pipe, helper or smpp);
 * the figures go to stderr.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "harness.h"
#include "load.h"

static struct th	 T, U;

static int
count(void)
{
	const char	*s = getenv("CONN_BENCH_N");

	return s != NULL && atoi(s) > 0 ? atoi(s) : 3000;
}

static void
stop(void)
{
	th_cleanup(&T);
	th_cleanup(&U);
}

/* CONN_BENCH_ONLY=sink|pipe|helper|smpp runs one of them. */
static int
skip(const char *name)
{
	const char	*s = getenv("CONN_BENCH_ONLY");

	return s != NULL && strcmp(s, name) != 0;
}

static int
rate(void)
{
	const char	*s = getenv("CONN_BENCH_RATE");

	return s != NULL ? atoi(s) : 0;
}

static void
server_keys(struct th *t)
{
	strlcpy(t->spool_keys, getenv("CONN_BENCH_SPOOL") ?
	    getenv("CONN_BENCH_SPOOL") : "", sizeof(t->spool_keys));
	strlcpy(t->server_keys, "log_level = INFO\nprefork = 12\n",
	    sizeof(t->server_keys));
	strlcpy(t->conn_keys, getenv("CONN_BENCH_CONN") ?
	    getenv("CONN_BENCH_CONN") : "", sizeof(t->conn_keys));
}

static void
run(const char *label, const char *sections, int n)
{
	struct load	 l;

	th_init(&T, "bench");
	strlcpy(T.sections, sections, sizeof(T.sections));
	server_keys(&T);
	th_user(&T, "bench", "secret", NULL);
	th_start(&T);
	th_start_conn(&T);
	memset(&l, 0, sizeof(l));
	l.port = T.port;
	l.user = "bench";
	l.password = "secret";
	l.binds = 10;
	l.window = 10;
	l.total = n;
	l.rate = rate();
	l.registered_delivery = 1;
	l.dest = "3312345678";
	l.receipt_ms = 10000;
	load_run(&l);
	load_print(&l, label);
	ck_assert_int_eq(l.acked, n);
	ck_assert_int_eq(l.distinct, n);
	ck_assert_int_eq(l.dups, 0);
	ck_assert_int_eq(l.unknown, 0);
}

START_TEST(test_sink)
{
	if (skip("sink"))
		return;
	run("sink", "[connector sink]\ntype = sink\n\n[mt-routes]\n"
	    "default = sink\n", count());
}
END_TEST

START_TEST(test_pipe)
{
	if (skip("pipe"))
		return;
	run("pipe /bin/true", "[connector prog]\ntype = pipe\n"
	    "command = /bin/true\nconcurrency = 8\n\n[mt-routes]\n"
	    "default = prog\n", count() / 3);
}
END_TEST

/* Through the helper connector: helper_fast answers DELIVERED at once. */
START_TEST(test_helper)
{
	char	 sections[1024];

	if (skip("helper"))
		return;
	snprintf(sections, sizeof(sections), "[connector h]\ntype = helper\n"
	    "command = %s/tests/helper_fast\nconcurrency = 2\n"
	    "window = 1000\n\n[mt-routes]\ndefault = h\n", BUILDDIR);
	run("helper helper_fast", sections, count());
}
END_TEST

/* Through the smpp connector to a second smppd with a sink. */
START_TEST(test_smpp)
{
	char	 sections[1024];

	if (skip("smpp"))
		return;
	th_init(&U, "benchup");
	server_keys(&U);
	th_user(&U, "gw", "gwsecret", NULL);
	th_start(&U);
	th_start_conn(&U);
	snprintf(sections, sizeof(sections), "[connector up]\ntype = smpp\n"
	    "host = 127.0.0.1\nport = %d\nsystem_id = gw\n"
	    "password = gwsecret\nbinds = 10\nwindow = 50\n\n"
	    "[mt-routes]\ndefault = up\n", U.port);
	run("smpp chained", sections, count());
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conn_bench");
	TCase	*tc = tcase_create("conn_bench");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_sink);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_helper);
	tcase_add_test(tc, test_smpp);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
