/*
 * check_bench.c - unit tests of hist.c and idtab.c, and short runs of
 * smppbench(1) against a private smppd: submit only, with receipts from
 * a miniature sink, --idle and --bind-cycles
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "hist.h"
#include "idtab.h"

START_TEST(test_hist)
{
	struct hist	 h;
	uint64_t	 v, p;

	ck_assert_int_eq(hist_init(&h), 0);
	ck_assert_uint_eq(hist_pct(&h, 50), 0);
	for (v = 1; v <= 100000; v++)
		hist_add(&h, v);
	ck_assert_uint_eq(h.n, 100000);
	ck_assert_uint_eq(h.max, 100000);
	ck_assert_uint_eq(hist_pct(&h, 100), 100000);
	/* exact below 1024, within 1/512 above */
	ck_assert_uint_eq(hist_pct(&h, 0.5), 500);
	p = hist_pct(&h, 50);
	ck_assert(p <= 50000 && p >= 50000 - 50000 / 512);
	p = hist_pct(&h, 99);
	ck_assert(p <= 99000 && p >= 99000 - 99000 / 512);
	hist_add(&h, (uint64_t)1 << 50);	/* past the last octave */
	ck_assert_uint_eq(hist_pct(&h, 100), (uint64_t)1 << 50);
	hist_free(&h);
	ck_assert_int_eq(hist_init(&h), 0);
	hist_add(&h, 7);
	ck_assert_uint_eq(hist_pct(&h, 1), 7);
	ck_assert_uint_eq(hist_pct(&h, 99.9), 7);
	hist_free(&h);
}
END_TEST

START_TEST(test_idtab)
{
	struct idtab	 t;
	char		 id[64];
	int64_t		 old;
	int		 i;

	ck_assert_int_eq(idtab_init(&t, 1), 0);
	/* grows well past its first size, then empties in another order */
	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "smpps_01-%08x", i);
		ck_assert_int_eq(idtab_match(&t, id, strlen(id), i + 1, &old),
		    0);
	}
	ck_assert_uint_eq(idtab_count(&t), 100000);
	for (i = 99999; i >= 0; i -= 2) {
		snprintf(id, sizeof(id), "smpps_01-%08x", i);
		ck_assert_int_eq(idtab_match(&t, id, strlen(id), 0, &old), 1);
		ck_assert_int_eq(old, i + 1);
	}
	for (i = 0; i < 100000; i += 2) {
		snprintf(id, sizeof(id), "smpps_01-%08x", i);
		ck_assert_int_eq(idtab_match(&t, id, strlen(id), 0, &old), 1);
		ck_assert_int_eq(old, i + 1);
	}
	ck_assert_uint_eq(idtab_count(&t), 0);
	ck_assert_int_eq(idtab_match(&t, "x", 1, -5, &old), 0);
	ck_assert_int_eq(idtab_match(&t, "x", 1, 0, &old), 1);
	ck_assert_int_eq(old, -5);
	idtab_free(&t);
}
END_TEST

static struct th	 T;
static char		 port[16];
static char		 out[64 * 1024], err[64 * 1024];

static void
start(void)
{
	th_init(&T, "bench");
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	snprintf(port, sizeof(port), "%d", T.port);
}

static void
stop(void)
{
	th_cleanup(&T);
}

/* The value of key= in the RESULT line, or -1. */
static double
result(const char *text, const char *key)
{
	const char	*r, *k;
	char		 want[64];

	if ((r = strstr(text, "RESULT ")) == NULL)
		return -1;
	snprintf(want, sizeof(want), " %s=", key);
	if ((k = strstr(r, want)) == NULL)
		return -1;
	return atof(k + strlen(want));
}

START_TEST(test_bench_submit)
{
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppbench", "-p", port, "-u", "acme", "-P", "secret", "-c", "3",
	    "-w", "10", "-n", "300", "-l", "200", (char *)NULL), 0);
	ck_assert_msg(strncmp(strstr(out, "RESULT "), "RESULT binds=3 "
	    "window=10 sent=300 ok=300 err=0 secs=", 37) == 0, "%s", out);
	ck_assert(result(out, "rate") > 0);
	ck_assert(result(out, "p50_ms") > 0);
	ck_assert(result(out, "p99_ms") >= result(out, "p50_ms"));
	ck_assert(result(out, "dlr") == 0);
	ck_assert(result(out, "cpu_pct") >= 0);
	ck_assert_str_eq(err, "");
	/* a refused bind */
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppbench", "-p", port, "-u", "acme", "-P", "wrong", "-n", "1",
	    (char *)NULL), 77);
	ck_assert_ptr_nonnull(strstr(err, "ESME_RINVPASWD"));
}
END_TEST

/* With -r: receipts queued by th_sink() come back and are matched. */
START_TEST(test_bench_receipts)
{
	char	 line[4096], text[8192] = "";
	pid_t	 pid;
	int	 fd, i, st, n = 0;

	pid = th_spawn_out(&fd, "smppbench", "-p", port, "-u", "acme", "-P",
	    "secret", "-c", "2", "-w", "5", "-n", "200", "-r", "-e", "ucs2",
	    "--dlr-wait", "20", (char *)NULL);
	for (i = 0; i < 3000 && !th_wait_exit(pid, 10, &st); i++)
		n += th_sink(&T, "acme");
	ck_assert_msg(i < 3000, "smppbench did not end");
	while (th_read_line(fd, line, sizeof(line), 100)) {
		strlcat(text, line, sizeof(text));
		strlcat(text, "\n", sizeof(text));
	}
	close(fd);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(n, 200);
	ck_assert_msg(result(text, "ok") == 200, "%s", text);
	ck_assert_msg(result(text, "dlr") == 200, "%s", text);
	ck_assert(result(text, "dlr_p50_ms") > 0);
	ck_assert(result(text, "dlr_rate") > 0);
}
END_TEST

START_TEST(test_bench_idle_cycles)
{
	char	 line[4096];
	pid_t	 pid;
	int	 fd, st;

	pid = th_spawn_out(&fd, "smppbench", "-p", port, "-u", "acme", "-P",
	    "secret", "-c", "20", "--idle", (char *)NULL);
	ck_assert(th_read_line(fd, line, sizeof(line), 20000));
	ck_assert_str_eq(line, "READY bound=20");
	kill(pid, SIGTERM);
	ck_assert(th_read_line(fd, line, sizeof(line), 10000));
	ck_assert(th_wait_exit(pid, 10000, &st));
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_msg(strncmp(line, "RESULT mode=idle binds=20 bound=20 "
	    "bind_fail=0", 45) == 0, "%s", line);
	close(fd);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppbench", "-p", port, "-u", "acme", "-P", "secret", "-c", "4",
	    "-n", "40", "--bind-cycles", (char *)NULL), 0);
	ck_assert_msg(result(out, "cycles") == 40, "%s", out);
	ck_assert(result(out, "err") == 0);
	ck_assert(result(out, "rate") > 0);
	/* refused binds count as errors, and the run goes on to its end */
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppbench", "-p", port, "-u", "acme", "-P", "wrong", "-c", "2",
	    "-n", "10", "--bind-cycles", (char *)NULL), 0);
	ck_assert_msg(result(out, "cycles") == 0, "%s", out);
	ck_assert_msg(result(out, "err") == 10, "%s", out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bench");
	TCase	*tu = tcase_create("units");
	TCase	*tc = tcase_create("smppbench");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tu, test_hist);
	tcase_set_timeout(tu, 60);	/* the default 4 s is short on a busy machine */
	tcase_add_test(tu, test_idtab);
	suite_add_tcase(s, tu);
	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bench_submit);
	tcase_add_test(tc, test_bench_receipts);
	tcase_add_test(tc, test_bench_idle_cycles);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
