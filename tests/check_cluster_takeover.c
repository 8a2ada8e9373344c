/*
 * check_cluster_takeover.c - a standby takes over a dead node's spool:
 * node A is killed with SIGKILL (master, children and smppconn at once,
 * as a machine that loses power) while a client has submits in flight;
 * node B, another smppd and smppconn with A's configuration, starts on
 * the same folders (standing for the shared storage), recovers, and
 * delivers every message A acknowledged.  Duplicates are bounded by
 * what was in flight.
 *
 * The upstream is a pipe connector that appends each message id to a
 * file.  Linux only (the children are found in /proc).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

#define SYNC_N		50	/* submitted one by one */
#define BURST_N		200	/* then sent without waiting */

static struct th	 A, B;
static char		 ids[SYNC_N + BURST_N][PDU_MESSAGE_ID_MAX];
static int		 nacked;

/* SIGKILL pid's children, then pid: the machine is gone. */
static void
kill_tree(pid_t pid)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[300], buf[512], *p;
	FILE		*fp;
	long		 ppid;

	kill(pid, SIGSTOP);	/* no new children meanwhile */
	ck_assert_ptr_nonnull(d = opendir("/proc"));
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %ld", &ppid) == 1 && ppid == pid)
			kill((pid_t)atol(e->d_name), SIGKILL);
		fclose(fp);
	}
	closedir(d);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A node whose upstream writes into dir (NULL: its own folder). */
static void
node(struct th *t, const char *name, const char *dir)
{
	char	 script[700];
	FILE	*fp;

	th_init(t, name);
	if (dir == NULL)
		dir = t->dir;
	strlcpy(t->server_keys, "id = node_a\n", sizeof(t->server_keys));
	snprintf(script, sizeof(script), "%s/upstream.sh", dir);
	fp = fopen(script, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "echo \"$SMPP_ID\" >> %s/delivered\n", dir);
	fclose(fp);
	snprintf(t->sections, sizeof(t->sections), "[connector up]\n"
	    "type = pipe\ncommand = /bin/sh %s\nconcurrency = 8\n\n"
	    "[mt-routes]\ndefault = up\n", script);
}

/* Is id among the lines of the delivered file; how many times. */
static int
delivered(const char *path, const char *id, int *lines)
{
	char	 line[128];
	FILE	*fp;
	int	 n = 0;

	*lines = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		(*lines)++;
		if (strcmp(line, id) == 0)
			n++;
	}
	fclose(fp);
	return n;
}

/* Submit SYNC_N, then BURST_N without waiting, and kill node A. */
static void
run_and_kill(void)
{
	struct tc	 c;
	struct pdu	 p;
	int		 i;

	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	for (i = 0; i < SYNC_N; i++)
		ck_assert_uint_eq(tc_submit(&c, "ACME", "4915112345678",
		    "before", ids[nacked++]), ESME_ROK);
	for (i = 0; i < BURST_N; i++) {
		pdu_init(&p, SMPP_SUBMIT_SM, 0);
		p.source_addr = "ACME";
		p.destination_addr = "4915112345678";
		p.short_message = (const uint8_t *)"in flight";
		p.sm_length = 9;
		if (tc_try_send(&c, &p) == -1)
			break;
	}
	kill_tree(A.connpid);
	A.connpid = 0;
	kill_tree(A.pid);
	A.pid = 0;
	/* What was answered before the power went is acknowledged. */
	while (tc_recv(&c, 1000) == 1)
		if (c.p.command_id == SMPP_SUBMIT_SM_RESP &&
		    c.p.command_status == ESME_ROK && c.p.message_id != NULL)
			strlcpy(ids[nacked++], c.p.message_id, sizeof(ids[0]));
	tc_close(&c);
}

START_TEST(test_standby_takes_over)
{
	struct timespec	 ts = { 0, 50000000L };
	char		 file[700];
	int		 i, lines = 0, missing = SYNC_N + BURST_N;

	node(&A, "takeover_a", NULL);
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
	run_and_kill();
	/* B: A's configuration on A's storage, on another port. */
	node(&B, "takeover_b", A.dir);
	strlcpy(B.spool, A.spool, sizeof(B.spool));
	strlcpy(B.db, A.db, sizeof(B.db));
	th_start(&B);
	th_start_conn(&B);
	snprintf(file, sizeof(file), "%s/delivered", A.dir);
	for (i = 0; i < 600 && missing > 0; i++) {
		nanosleep(&ts, NULL);
		for (missing = 0; missing < nacked; missing++)
			if (delivered(file, ids[missing], &lines) == 0)
				break;
		missing = nacked - missing;
	}
	ck_assert_msg(missing == 0, "%d of %d acknowledged not delivered",
	    missing, nacked);
	ck_assert_int_ge(nacked, SYNC_N);
	/* At least once: duplicates only of what was in flight. */
	ck_assert_msg(lines <= nacked + BURST_N, "%d deliveries of %d",
	    lines, nacked);
	th_cleanup(&B);
	th_cleanup(&A);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cluster_takeover");
	TCase	*tc = tcase_create("cluster_takeover");
	SRunner	*sr;
	int	 nf;

	if (access("/proc/self/stat", R_OK) != 0) {
		printf("SKIP: no /proc to find the children in\n");
		return 77;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_standby_takes_over);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
