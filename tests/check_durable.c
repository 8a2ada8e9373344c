/*
 * check_durable.c - acknowledged means on disk: every submit_sm answered
 * with ESME_ROK is in the spool after a kill -9 of the child, or of the
 * master and the child; and the system calls come in the right order
 * (records written, fdatasync, then the answer), and a receiver's claim
 * syncs and renames nothing, checked with strace
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"
#include "record.h"
#include "spool.h"

#define MAXIDS	5000

static struct th	 T;
static char		 acked[MAXIDS][PDU_MESSAGE_ID_MAX];
static int		 nacked;

static void
stop(void)
{
	th_cleanup(&T);
}

static void
start(void)
{
	th_init(&T, "durable");
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
}

/* The pid of the child serving acme, from the session registry. */
static pid_t
session_pid(void)
{
	pid_t	 pid = 0;
	int	 i;

	for (i = 0; i < 500 && th_session_pids(&T, "acme", &pid, 1) == 0;
	    i++)
		usleep(10000);
	ck_assert_int_gt(pid, 0);
	return pid;
}

/*
 * Submit with a window of 20 until `before' are acknowledged, then run
 * kill_fn, then read whatever answers still arrive.
 */
static void
submit_and_kill(int before, void (*kill_fn)(pid_t))
{
	struct tc	 c;
	struct pdu	 p;
	pid_t		 child;
	int		 sent = 0, got = 0, killed = 0, rc;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	child = session_pid();
	nacked = 0;
	for (;;) {
		while (!killed && sent - got < 20 && sent < MAXIDS) {
			pdu_init(&p, SMPP_SUBMIT_SM, 0);
			p.destination_addr = "4412345";
			p.short_message = (const uint8_t *)"durable";
			p.sm_length = 7;
			tc_send(&c, &p);
			sent++;
		}
		if ((rc = tc_recv(&c, 5000)) != 1)
			break;
		if (c.p.command_id != SMPP_SUBMIT_SM_RESP)
			continue;
		got++;
		if (c.p.command_status == ESME_ROK && nacked < MAXIDS)
			strlcpy(acked[nacked++], c.p.message_id,
			    PDU_MESSAGE_ID_MAX);
		if (!killed && nacked >= before) {
			kill_fn(child);
			killed = 1;
		}
	}
	ck_assert(killed);
	tc_close(&c);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* How many acknowledged ids are not in mt/new/ (or mt/tmp/)? */
static int
missing_ids(int tmp_too, char *first, size_t len)
{
	static char	 seen[MAXIDS * 2][PDU_MESSAGE_ID_MAX];
	const char	*dirs[] = { "new", "tmp" };
	struct segr	 r;
	struct msg	 m;
	char		 dir[700], path[1400], **names;
	size_t		 n, i, d, nseen = 0;
	int		 k, missing = 0;

	record_msg_init(&m);
	for (d = 0; d < (size_t)(tmp_too ? 2 : 1); d++) {
		snprintf(dir, sizeof(dir), "%s/mt/%s", T.spool, dirs[d]);
		ck_assert_int_eq(spool_list(dir, &names, &n), 0);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (segr_open(&r, path) == -1)
				continue;	/* moved meanwhile */
			while (segr_next(&r, &m) == SEGR_OK &&
			    nseen < MAXIDS * 2)
				strlcpy(seen[nseen++], m.meta.id,
				    PDU_MESSAGE_ID_MAX);
			segr_close(&r);
		}
		spool_list_free(names, n);
	}
	record_msg_free(&m);
	qsort(seen, nseen, sizeof(seen[0]), cmp);
	for (k = 0; k < nacked; k++)
		if (bsearch(acked[k], seen, nseen, sizeof(seen[0]), cmp) ==
		    NULL && missing++ == 0)
			strlcpy(first, acked[k], len);
	return missing;
}

/*
 * Every acknowledged id is in the spool.  The master recovers a dead
 * child's segments after it reaped it: wait for that, within a bound.
 */
static void
assert_all_spooled(int tmp_too)
{
	char	 first[PDU_MESSAGE_ID_MAX] = "";
	int	 i, missing = 0;

	for (i = 0; i < 500; i++) {
		if ((missing = missing_ids(tmp_too, first, sizeof(first))) ==
		    0)
			return;
		usleep(20000);
	}
	ck_abort_msg("%d acknowledged ids are not in the spool, e.g. %s",
	    missing, first);
}

static void
kill_child(pid_t child)
{
	kill(child, SIGKILL);
}

START_TEST(test_kill_child)
{
	start();
	submit_and_kill(300, kill_child);
	ck_assert_int_ge(nacked, 300);
	/* The master reaps the child and moves its open segment to new/. */
	ck_assert(th_wait_log(T.log, "killed by signal 9", 5000));
	assert_all_spooled(0);
}
END_TEST

static void
kill_both(pid_t child)
{
	kill(T.pid, SIGKILL);
	kill(child, SIGKILL);
}

START_TEST(test_kill_master_and_child)
{
	start();
	submit_and_kill(500, kill_both);
	waitpid(T.pid, NULL, 0);
	T.pid = 0;
	ck_assert_int_ge(nacked, 500);
	assert_all_spooled(1);
	/* The idle children see the master die and leave. */
	ck_assert(th_wait_port_closed(T.port, 10000));
	/* A new master recovers what the dead left open. */
	th_start(&T);
	ck_assert(th_wait_log(T.log, "started", 5000));
	assert_all_spooled(0);
}
END_TEST

/*
 * strace -f -y: in each process, an answer written to a socket after a
 * record was written to a spool segment must have an fdatasync of that
 * segment in between.
 */
START_TEST(test_syscall_order)
{
	struct tc	 c;
	char		 trace[700], wrap[1400], line[4096];
	FILE		*fp;
	int		 i, writes = 0, syncs = 0, answers = 0, pending[65536];

	th_init(&T, "strace");
	th_user(&T, "acme", "secret", NULL);
	snprintf(trace, sizeof(trace), "%s/strace.out", T.dir);
	snprintf(wrap, sizeof(wrap), "/usr/bin/strace -f -y -qq -o %s -e "
	    "trace=write,writev,pwrite64,fdatasync,fsync,sendto,sendmsg", trace);
	setenv("SMPPD_TEST_WRAP", wrap, 1);
	th_start(&T);
	unsetenv("SMPPD_TEST_WRAP");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	for (i = 0; i < 20; i++)
		ck_assert_uint_eq(tc_submit(&c, "", "4412345", "order", NULL),
		    ESME_ROK);
	tc_close(&c);
	th_stop(&T);
	memset(pending, 0, sizeof(pending));
	fp = fopen(trace, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		int	 pid = atoi(line) & 0xffff;
		int	 seg = strstr(line, "/mt/tmp/") != NULL;

		if (seg && (strstr(line, " write(") || strstr(line,
		    " writev(") || strstr(line, " pwrite64("))) {
			pending[pid] = 1;	/* written, not yet synced */
			writes++;
		} else if (seg && strstr(line, " fdatasync(")) {
			pending[pid] = 0;
			syncs++;
		} else if (strstr(line, "socket:[") != NULL || strstr(line,
		    "TCP") != NULL) {
			ck_assert_msg(!pending[pid], "answer before fdatasync:"
			    " %s", line);
			answers++;
		}
	}
	fclose(fp);
	ck_assert_int_ge(writes, 1);
	ck_assert_int_ge(syncs, 1);
	ck_assert_int_ge(answers, 20);
}
END_TEST

/*
 * A receiver claims its segment where it lies (an flock(2)) and removes
 * it unsynced when all is answered: between a receipt on disk and its
 * deliver_sm the child renames nothing and waits for no sync.
 */
START_TEST(test_receiver_claim_syncs_nothing)
{
	struct tc	 c;
	struct pdu	 p;
	char		 trace[700], wrap[1400], line[4096], dir[700];
	FILE		*fp;
	pid_t		 pid;
	int		 i, sent = 0;

	th_init(&T, "strace-rx");
	th_user(&T, "acme", "secret", NULL);
	snprintf(trace, sizeof(trace), "%s/strace.out", T.dir);
	snprintf(wrap, sizeof(wrap), "/usr/bin/strace -f -y -qq -o %s -e "
	    "trace=fsync,fdatasync,sync_file_range,link,linkat,rename,"
	    "renameat,renameat2,write,writev,sendto,sendmsg -e signal=none",
	    trace);
	setenv("SMPPD_TEST_WRAP", wrap, 1);
	th_start(&T);
	unsetenv("SMPPD_TEST_WRAP");
	th_deliver_n(&T, "acme", 5);
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "acme", "secret"),
	    ESME_ROK);
	pid = session_pid();
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(tc_recv(&c, 5000), 1);
		ck_assert_uint_eq(c.p.command_id, SMPP_DELIVER_SM);
		pdu_init(&p, SMPP_DELIVER_SM_RESP, c.p.sequence_number);
		tc_send(&c, &p);
	}
	snprintf(dir, sizeof(dir), "%s/out/acme/new", T.spool);
	ck_assert(th_wait_empty(dir, 5000));
	tc_close(&c);
	th_stop(&T);
	fp = fopen(trace, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char	*call = line + strspn(line, "0123456789 ");

		if (atoi(line) != pid)
			continue;
		ck_assert_msg(strncmp(call, "write", 5) == 0 ||
		    strncmp(call, "send", 4) == 0, "the receiver: %s", line);
		if (strstr(line, "socket:[") != NULL ||
		    strstr(line, "TCP") != NULL)
			sent++;
	}
	fclose(fp);
	ck_assert_int_ge(sent, 1);	/* the answers, deliver_sm among them */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("durable");
	TCase	*tc = tcase_create("durable");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_kill_child);
	tcase_add_test(tc, test_kill_master_and_child);
	/* check_crash checks the same order without strace. */
	if (access("/usr/bin/strace", X_OK) != 0 ||
	    system("/usr/bin/strace -f -o /dev/null /bin/true") != 0)
		th_skip("test_syscall_order, test_receiver_claim_syncs_nothing",
		    "strace missing or not allowed to trace");
	else {
		tcase_add_test(tc, test_syscall_order);
		tcase_add_test(tc, test_receiver_claim_syncs_nothing);
	}
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return th_exit(failed);
}
