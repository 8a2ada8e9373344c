/*
 * check_smppq.c - smppq(8) against a running smppd and smppconn: list,
 * show, requeue and delete of a deferred message, delete of a message
 * in hand, inject, stats, and an MO without a route kept in mo/failed/
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

static struct th	 T;
static char		 out[65536], err[4096];

static const char script[] =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "case \"$SMPP_DESTINATION\" in\n"
    "45*) : > \"$d/running\"; exec sleep 30 ;;\n"
    "esac\n"
    "echo 'try later' >&2\n"
    "exit 75\n";

static void
start(void)
{
	char	 path[700];
	FILE	*fp;

	th_init(&T, "smppq");
	snprintf(path, sizeof(path), "%s/later.sh", T.dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(script, fp);
	ck_assert_int_eq(fclose(fp), 0);
	chmod(path, 0755);
	snprintf(T.sections, sizeof(T.sections),
	    "[connector sink]\ntype = sink\n\n"
	    "[connector later]\ntype = pipe\ncommand = %s\ntimeout = 2\n\n"
	    "[mt-routes]\n44 = later\n45 = later\ndefault = sink\n", path);
	strlcpy(T.spool_keys, "retry_min = 3600\n", sizeof(T.spool_keys));
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	th_start_conn(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

static void
submit(const char *dst, char *id)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "ACME", dst, "hello queue", id),
	    ESME_ROK);
	tc_close(&c);
}

static int
q(const char *a, const char *b, const char *c, const char *d)
{
	return th_run_io(NULL, out, sizeof(out), err, sizeof(err), "smppq",
	    "-c", T.conf, a, b, c, d, (char *)NULL);
}

/* Wait until the message shows in the given state. */
static void
wait_state(const char *id, const char *state)
{
	char	 want[128];
	int	 i;

	snprintf(want, sizeof(want), " %s ", state);
	for (i = 0; i < 500; i++) {
		ck_assert_int_eq(q("list", NULL, NULL, NULL), 0);
		if (strstr(out, id) != NULL && strstr(out, want) != NULL)
			return;
		usleep(10000);
	}
	ck_abort_msg("%s never %s:\n%s", id, state, out);
}

START_TEST(test_deferred)
{
	char	 id[PDU_MESSAGE_ID_MAX];

	start();
	submit("4400", id);
	wait_state(id, "deferred");
	ck_assert_ptr_nonnull(strstr(out, "try later"));
	ck_assert_int_eq(q("list", "-s", "new", NULL), 0);
	ck_assert_ptr_null(strstr(out, id));
	ck_assert_int_eq(q("list", "-a", "acme", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, id));
	ck_assert_int_eq(q("-j", "list", NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"state\": \"deferred\""));
	ck_assert_ptr_nonnull(strstr(out, "\"attempts\": 1"));
	ck_assert_int_eq(q("show", id, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "destination_addr"));
	ck_assert_ptr_nonnull(strstr(out, "hello queue"));
	ck_assert_int_eq(q("show", "nosuchid", NULL, NULL), EX_NOINPUT);
	/* requeue: tried again at once, deferred again with 2 attempts. */
	ck_assert_int_eq(q("requeue", id, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 record(s) requeued"));
	ck_assert(th_wait_log(T.connlog, "attempt 2 failed", 5000));
	wait_state(id, "deferred");
	ck_assert_int_eq(q("delete", id, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 record(s) deleted"));
	ck_assert_int_eq(q("list", NULL, NULL, NULL), 0);
	ck_assert_ptr_null(strstr(out, id));
	ck_assert_int_eq(q("delete", id, NULL, NULL), EX_NOINPUT);
}
END_TEST

/* A message whose program runs: marked, and not deferred afterwards. */
START_TEST(test_delete_in_hand)
{
	char	 id[PDU_MESSAGE_ID_MAX], path[700];
	int	 i;

	start();
	submit("4500", id);
	snprintf(path, sizeof(path), "%s/running", T.dir);
	for (i = 0; i < 500 && access(path, F_OK) != 0; i++)
		usleep(10000);
	ck_assert_int_eq(access(path, F_OK), 0);
	wait_state(id, "active");
	ck_assert_int_eq(q("delete", id, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 record(s) deleted"));
	ck_assert(th_wait_log(T.connlog, "was deleted while in hand", 5000));
	ck_assert_int_eq(q("list", NULL, NULL, NULL), 0);
	ck_assert_ptr_null(strstr(out, id));
}
END_TEST

START_TEST(test_inject_and_stats)
{
	struct tc	 c;
	char		 text[64];

	start();
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_int_eq(q("inject", "-a", "acme", "-f"), EX_USAGE);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", T.conf,
	    "inject", "-a", "acme", "-f", "447700900123", "-t", "5555",
	    "Grüße", (char *)NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "queued for acme"));
	ck_assert_int_eq(tc_deliver(&c, 5000), 1);
	ck_assert_str_eq(c.p.source_addr, "447700900123");
	ck_assert_uint_eq(c.p.data_coding, 0);	/* GSM has ü and ß */
	ck_assert_uint_eq(c.p.sm_length, 5);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", T.conf,
	    "inject", "-a", "acme", "-f", "1", "-t", "2", "Привет",
	    (char *)NULL), 0);
	ck_assert_int_eq(tc_deliver(&c, 5000), 1);
	ck_assert_uint_eq(c.p.data_coding, 8);
	ck_assert_uint_eq(c.p.sm_length, 12);
	/* Binary content in hex. */
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", T.conf,
	    "inject", "-a", "acme", "-f", "1", "-t", "2", "-x", "0102ff",
	    (char *)NULL), 0);
	ck_assert_int_eq(tc_deliver(&c, 5000), 1);
	ck_assert_uint_eq(c.p.sm_length, 3);
	memcpy(text, c.p.short_message, 3);
	ck_assert_uint_eq((uint8_t)text[2], 0xff);
	/* No [mo-routes] and no -a: nobody to give it to. */
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", T.conf,
	    "inject", "-f", "1", "-t", "2", "x", (char *)NULL), EX_NOUSER);
	ck_assert_int_eq(q("stats", NULL, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "[server smpps_01]"));
	ck_assert_ptr_nonnull(strstr(out, "[queues]"));
	ck_assert_int_eq(q("-j", "stats", NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"queues\": {\"all\": {"));
	ck_assert_ptr_nonnull(strstr(out, "\"scoreboard\": {"));
	tc_close(&c);
}
END_TEST

/*
 * Run by root on a spool of user nobody: smppq becomes nobody, so an
 * injected MO is the daemon's to read and deliver, and a link nobody
 * put in the spool leads nowhere root alone may write.
 */
START_TEST(test_root_inject)
{
	struct passwd	*pw = getpwnam("nobody");
	struct group	*gr = getgrgid(pw->pw_gid);
	struct tc	 c;
	char		 tmp[700], away[700], trap[700];

	th_init(&T, "smppqroot");
	snprintf(T.server_keys, sizeof(T.server_keys), "user = nobody\n"
	    "group = %s\n", gr != NULL ? gr->gr_name : "nogroup");
	th_write_conf(&T);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	/* Root reads the configuration; the daemons never need to. */
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_int_eq(q("inject", "-a", "acme", "-f"), EX_USAGE);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", T.conf, "inject", "-a", "acme", "-f",
	    "447700900123", "-t", "5555", "from root", (char *)NULL), 0);
	ck_assert_int_eq(tc_deliver(&c, 5000), 1);
	ck_assert_uint_eq(c.p.sm_length, 9);
	tc_close(&c);
	/* out/acme/tmp/ becomes a link to a folder only root may write. */
	snprintf(trap, sizeof(trap), "%s/rootonly", T.dir);
	ck_assert_int_eq(mkdir(trap, 0700), 0);
	snprintf(tmp, sizeof(tmp), "%s/out/acme/tmp", T.spool);
	snprintf(away, sizeof(away), "%s/out/acme/tmp.away", T.spool);
	ck_assert_int_eq(rename(tmp, away), 0);
	ck_assert_int_eq(symlink(trap, tmp), 0);
	ck_assert_int_ne(th_run_io(NULL, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", T.conf, "inject", "-a", "acme", "-f",
	    "1", "-t", "2", "trap", (char *)NULL), 0);
	ck_assert_int_eq(th_count_files(trap), 0);
}
END_TEST

/* The connectors' state: a line each, and JSON. */
START_TEST(test_connectors)
{
	char	 id[PDU_MESSAGE_ID_MAX];
	int	 i;

	start();
	submit("3312", id);
	for (i = 0; i < 100; i++) {
		if (q("-j", "connectors", NULL, NULL) == 0 &&
		    strstr(out, "\"ok\": 1") != NULL)
			break;
		usleep(50000);
	}
	ck_assert_int_eq(q("connectors", NULL, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "CONNECTOR"));
	ck_assert_ptr_nonnull(strstr(out, "later"));
	ck_assert_ptr_nonnull(strstr(out, " up "));
	ck_assert_int_eq(q("-j", "connectors", NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"running\": true, "
	    "\"stale\": false"));
	ck_assert_ptr_nonnull(strstr(out, "{\"name\": \"sink\", "
	    "\"type\": \"sink\", \"up\": true"));
	ck_assert_ptr_nonnull(strstr(out, "\"sent\": 1, \"ok\": 1, "
	    "\"failed\": {\"throttling\": 0"));
	ck_assert_int_eq(q("connectors", "x", NULL, NULL), EX_USAGE);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("smppq");
	TCase	*tc = tcase_create("smppq");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_deferred);
	tcase_add_test(tc, test_delete_in_hand);
	tcase_add_test(tc, test_inject_and_stats);
	if (geteuid() != 0 || getpwnam("nobody") == NULL)
		th_skip("test_root_inject", "not root, or no user nobody");
	else
		tcase_add_test(tc, test_root_inject);
	tcase_add_test(tc, test_connectors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return th_exit(failed);
}
