/*
 * check_deliver.c - integration tests of smppd's outbound side: what was
 * queued for an account (as smppconn queues it) reaches its receivers as
 * deliver_sm, within the window, settled only by deliver_sm_resp OK,
 * retried with back-off after an error, requeued after a missing
 * response, kept for a later bind, shared by several binds, claimed in
 * place by an flock(2)
 */
#include "config.h"

#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"
#include "spool.h"

static struct th	 T;

static void
start(const char *server_keys)
{
	th_init(&T, "deliver");
	strlcpy(T.server_keys, server_keys, sizeof(T.server_keys));
	strlcpy(T.spool_keys, "retry_min = 1\nretry_max = 2\n",
	    sizeof(T.spool_keys));
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

/* Queue an MO "textN" for acme. */
static void
queue_mo(int n)
{
	struct pdu	 p;
	char		 text[32];

	snprintf(text, sizeof(text), "text%d", n);
	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.source_addr = "447700900123";
	p.destination_addr = "12345";
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)strlen(text);
	th_deliver(&T, "acme", &p, NULL);
}

static void
receiver(struct tc *c, uint32_t cmd)
{
	tc_connect(c, T.port);
	ck_assert_uint_eq(tc_bind(c, cmd, "acme", "secret"), ESME_ROK);
}

/* The next deliver_sm, or fail; returns its number N (from "textN"). */
static int
next_deliver(struct tc *c, int ms)
{
	ck_assert_int_eq(tc_recv(c, ms), 1);
	ck_assert_uint_eq(c->p.command_id, SMPP_DELIVER_SM);
	ck_assert_uint_ge(c->p.sm_length, 5);
	return atoi((const char *)c->p.short_message + 4);
}

static void
answer(struct tc *c, uint32_t status)
{
	struct pdu	 p;

	pdu_init(&p, SMPP_DELIVER_SM_RESP, c->p.sequence_number);
	p.command_status = status;
	tc_send(c, &p);
}

START_TEST(test_queued_while_away)
{
	struct tc	 c;
	char		 dir[700];
	int		 i, seen = 0;

	start("");
	for (i = 0; i < 3; i++)
		queue_mo(i);
	receiver(&c, SMPP_BIND_RECEIVER);
	for (i = 0; i < 3; i++) {
		seen |= 1 << next_deliver(&c, 5000);
		ck_assert_str_eq(c.p.source_addr, "447700900123");
		answer(&c, ESME_ROK);
	}
	ck_assert_int_eq(seen, 7);
	/* Settled: nothing more comes, and out/acme empties. */
	ck_assert_int_eq(tc_recv(&c, 500), 0);
	tc_close(&c);
	snprintf(dir, sizeof(dir), "%s/out/acme/cur", T.spool);
	ck_assert(th_wait_empty(dir, 5000));
	snprintf(dir, sizeof(dir), "%s/out/acme/new", T.spool);
	ck_assert(th_wait_empty(dir, 5000));
}
END_TEST

START_TEST(test_transmitter_gets_none)
{
	struct tc	 c;

	start("");
	receiver(&c, SMPP_BIND_TRANSMITTER);
	queue_mo(1);
	ck_assert_int_eq(tc_recv(&c, 1000), 0);
	tc_close(&c);
}
END_TEST

START_TEST(test_error_is_retried)
{
	struct tc	 c;

	start("");
	receiver(&c, SMPP_BIND_TRANSCEIVER);
	queue_mo(7);
	ck_assert_int_eq(next_deliver(&c, 5000), 7);
	answer(&c, ESME_RX_T_APPN);
	/* The session goes on; the message comes again after the back-off. */
	ck_assert_int_eq(next_deliver(&c, 10000), 7);
	answer(&c, ESME_ROK);
	ck_assert_int_eq(tc_recv(&c, 1500), 0);
	ck_assert(th_wait_log(T.log, "refused: ESME_RX_T_APPN", 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_missing_response_requeues)
{
	struct tc	 c;

	start("responseTimerSecs = 1\n");
	receiver(&c, SMPP_BIND_RECEIVER);
	queue_mo(3);
	ck_assert_int_eq(next_deliver(&c, 5000), 3);
	/* No answer: the session ends, the message waits for the next bind. */
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
	receiver(&c, SMPP_BIND_RECEIVER);
	ck_assert_int_eq(next_deliver(&c, 10000), 3);
	answer(&c, ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_window)
{
	struct tc	 c;
	struct pdu	 p;
	int		 i, got = 0;

	start("deliver_window = 2\n");
	for (i = 0; i < 5; i++)
		queue_mo(i);
	receiver(&c, SMPP_BIND_RECEIVER);
	/* Two, then nothing until they are answered. */
	next_deliver(&c, 5000);
	pdu_init(&p, SMPP_DELIVER_SM_RESP, c.p.sequence_number);
	next_deliver(&c, 5000);
	ck_assert_int_eq(tc_recv(&c, 500), 0);
	tc_send(&c, &p);
	answer(&c, ESME_ROK);
	for (got = 2; got < 5; got++) {
		next_deliver(&c, 5000);
		answer(&c, ESME_ROK);
	}
	ck_assert_int_eq(tc_recv(&c, 500), 0);
	tc_close(&c);
}
END_TEST

/* Take one deliver_sm of c, unanswered: its number and sequence. */
static int
hold_one(struct tc *c, int ms, uint32_t *seq)
{
	int	 n;

	if (tc_recv(c, ms) != 1)
		return -1;
	ck_assert_uint_eq(c->p.command_id, SMPP_DELIVER_SM);
	n = atoi((const char *)c->p.short_message + 4);
	*seq = c->p.sequence_number;
	return n;
}

static void
answer_seq(struct tc *c, uint32_t seq)
{
	struct pdu	 p;

	pdu_init(&p, SMPP_DELIVER_SM_RESP, seq);
	tc_send(c, &p);
}

/*
 * Twelve one-record segments, two receivers that answer nothing at
 * first: one claims at most DELIVER_SEGS (8) segments, so the other
 * must get the rest.  Then each message reaches exactly one of them.
 */
START_TEST(test_two_receivers_share)
{
	struct tc	 r[2];
	uint32_t	 seq[2][12];
	int		 got[2] = { 0, 0 }, done[2] = { 0, 0 }, k, n, seen = 0;
	int		 turns;

	start("");
	receiver(&r[0], SMPP_BIND_RECEIVER);
	receiver(&r[1], SMPP_BIND_TRANSCEIVER);
	for (n = 0; n < 12; n++)
		queue_mo(n);
	for (turns = 0; got[0] + got[1] < 12 && turns < 400; turns++) {
		for (k = 0; k < 2; k++) {
			if ((n = hold_one(&r[k], 25, &seq[k][got[k]])) < 0)
				continue;
			ck_assert_msg(n >= 0 && n < 12 && !(seen & (1 << n)),
			    "text%d twice", n);
			seen |= 1 << n;
			got[k]++;
		}
		/* Answer only once both have had a share. */
		for (k = 0; k < 2 && got[0] > 0 && got[1] > 0; k++)
			while (done[k] < got[k])
				answer_seq(&r[k], seq[k][done[k]++]);
	}
	ck_assert_msg(got[0] > 0 && got[1] > 0, "one receiver got all: %d "
	    "and %d", got[0], got[1]);
	ck_assert_int_eq(got[0] + got[1], 12);
	ck_assert_int_eq(seen, 4095);
	tc_close(&r[0]);
	tc_close(&r[1]);
}
END_TEST


/* The one segment of out/acme/new/, its name into name. */
static void
only_segment(char *dir, size_t dlen, char *name, size_t nlen)
{
	char	**names;
	size_t	  n;

	snprintf(dir, dlen, "%s/out/acme/new", T.spool);
	ck_assert_int_eq(spool_list(dir, &names, &n), 0);
	ck_assert_uint_eq(n, 1);
	strlcpy(name, names[0], nlen);
	spool_list_free(names, n);
}

/*
 * A receiver claims a segment where it lies, by an flock(2): nothing
 * goes to cur/, nobody else can claim it while the receiver holds it,
 * and when its session ends the next receiver gets what was not
 * answered at once, without a move back.
 */
START_TEST(test_claim_in_place)
{
	struct tc	 r[2];
	char		 dir[700], name[SPOOL_NAME_MAX + 16], path[1000];
	char		 cur[700];
	uint32_t	 seq;
	int		 i, k, fd, seen = 0;

	start("deliver_window = 10\n");
	th_deliver_n(&T, "acme", 30);
	receiver(&r[0], SMPP_BIND_RECEIVER);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(hold_one(&r[0], 5000, &seq), i);
	snprintf(cur, sizeof(cur), "%s/out/acme/cur", T.spool);
	ck_assert_int_eq(th_count_files(cur), 0);
	only_segment(dir, sizeof(dir), name, sizeof(name));
	ck_assert_int_eq(spool_claim_lock(dir, name, path, sizeof(path), &fd),
	    1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	receiver(&r[1], SMPP_BIND_RECEIVER);
	ck_assert_int_eq(tc_recv(&r[1], 300), 0);
	/* The first goes without an answer: the second gets all 30. */
	tc_close(&r[0]);
	for (i = 0; i < 30; i++) {
		ck_assert_int_ge(k = hold_one(&r[1], 5000, &seq), 0);
		ck_assert_msg(k < 30 && !(seen & (1 << k)), "text%d twice", k);
		seen |= 1 << k;
		answer_seq(&r[1], seq);
	}
	ck_assert(th_wait_empty(dir, 5000));
	ck_assert_int_eq(th_count_files(cur), 0);
	tc_close(&r[1]);
}
END_TEST

/*
 * smppq delete of th_deliver_n()'s record n ("test-PID-n"), which must
 * find it; the name of out/acme/new/'s one segment after it.
 */
static void
smppq_delete(int n, char *dir, size_t dlen, char *name, size_t nlen)
{
	char	 id[64], out[4096], err[4096];

	snprintf(id, sizeof(id), "test-%ld-%d", (long)getpid(), n);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", T.conf, "delete", id, (char *)NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "1 record(s) deleted"));
	only_segment(dir, dlen, name, nlen);
}

/*
 * smppq delete of an MO a receiver holds: marked settled in the
 * sidecar, not rewritten under the receiver; the next receiver does not
 * get it.  Of one nobody holds: the segment is rewritten without it.
 */
START_TEST(test_smppq_delete_held)
{
	struct tc	 c;
	char		 dir[700], name[SPOOL_NAME_MAX + 16], before[sizeof(name)];
	char		 path[1000];
	uint32_t	 seq;
	int		 i, k, fd, rc = -1, seen = 0;

	start("deliver_window = 1\n");
	th_deliver_n(&T, "acme", 4);
	only_segment(dir, sizeof(dir), before, sizeof(before));
	receiver(&c, SMPP_BIND_RECEIVER);
	ck_assert_int_eq(hold_one(&c, 5000, &seq), 0);
	smppq_delete(2, dir, sizeof(dir), name, sizeof(name));
	ck_assert_str_eq(name, before);
	tc_close(&c);
	/* Once the session has let go, rewritten without record 3. */
	for (i = 0; i < 500 && (rc = spool_claim_lock(dir, before, path,
	    sizeof(path), &fd)) != 0; i++)
		usleep(10000);
	ck_assert_int_eq(rc, 0);
	close(fd);
	smppq_delete(3, dir, sizeof(dir), name, sizeof(name));
	ck_assert_str_ne(name, before);
	receiver(&c, SMPP_BIND_RECEIVER);
	for (i = 0; i < 2; i++) {
		ck_assert_int_ge(k = hold_one(&c, 5000, &seq), 0);
		seen |= 1 << k;
		answer_seq(&c, seq);
	}
	ck_assert_int_eq(seen, 3);
	ck_assert_int_eq(tc_recv(&c, 500), 0);
	tc_close(&c);
}
END_TEST

#define KILL_N		200	/* MO in one segment */
#define KILL_AT		120	/* answered before the kill */
#define KILL_WINDOW	10

/*
 * kill -9 of a receiver in the middle of a segment: the records it had
 * answered are settled (the segment's .done sidecar, marked after each
 * reading of deliver_sm_resp), so the next bind gets only the window that
 * was unanswered, then the rest; nothing twice that was answered.
 */
START_TEST(test_killed_receiver_resends_window)
{
	struct tc	 c;
	uint32_t	 seq[KILL_N];
	int		 count[KILL_N], i, n, again = 0, total = 0;
	pid_t		 pid;

	memset(count, 0, sizeof(count));
	start("deliver_window = 10\n");
	th_deliver_n(&T, "acme", KILL_N);
	receiver(&c, SMPP_BIND_RECEIVER);
	/* Answer KILL_AT; the window then holds the next ten, unanswered. */
	for (i = 0; i < KILL_AT + KILL_WINDOW; i++) {
		ck_assert_int_ge(n = hold_one(&c, 5000, &seq[i]), 0);
		ck_assert_int_eq(n, i);
		count[n]++;
		if (i < KILL_AT)
			answer_seq(&c, seq[i]);
	}
	/* The window is full: every answer before it was read. */
	ck_assert_int_eq(tc_recv(&c, 300), 0);
	ck_assert_int_eq(th_session_pids(&T, "acme", &pid, 1), 1);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "killed by signal 9", 5000));
	receiver(&c, SMPP_BIND_RECEIVER);
	while (total < KILL_N && (n = hold_one(&c, 5000, &seq[0])) >= 0) {
		ck_assert_int_lt(n, KILL_N);
		ck_assert_msg(n >= KILL_AT, "text%d was answered before the "
		    "kill and came again", n);
		if (count[n]++ > 0)
			again++;
		answer_seq(&c, seq[0]);
		for (total = i = 0; i < KILL_N; i++)
			total += count[i] > 0;
	}
	ck_assert_int_eq(total, KILL_N);
	ck_assert_int_le(again, KILL_WINDOW);
	ck_assert_int_eq(tc_recv(&c, 500), 0);
	tc_close(&c);
}
END_TEST

#define FLOOD	300000		/* answers to nothing a busy client sends */

/*
 * Write FLOOD enquire_link_resp that answer no request to fd, as fast
 * as the server takes them, from a child process: each costs the
 * server a log line and no answer, so that its socket never empties.
 */
static pid_t
flood(int fd)
{
	static uint8_t	 buf[1000 * 16];
	struct pdu	 p;
	pid_t		 pid;
	int		 i;

	if ((pid = fork()) != 0)
		return pid;
	for (i = 0; i < 1000; i++) {
		pdu_init(&p, SMPP_ENQUIRE_LINK_RESP, (uint32_t)(1000000 + i));
		if (pdu_encode(&p, buf + i * 16, 16) != 16)
			_exit(1);
	}
	for (i = 0; i < FLOOD / 1000; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			_exit(1);
	_exit(0);
}

/*
 * A receiver whose client keeps its socket full never waits in
 * ppoll(2), where its SIGUSR1 would be delivered: it must take
 * smppconn's wake-up at its next turn all the same, and send the
 * deliver_sm while the flood goes on, not once it is over.
 */
START_TEST(test_wake_while_busy)
{
	struct tc	 c;
	pid_t		 pid;
	int		 st;

	start("");
	receiver(&c, SMPP_BIND_TRANSCEIVER);
	pid = flood(c.fd);
	ck_assert_int_gt(pid, 0);
	ck_assert(th_wait_log(T.log, "answers no request of ours", 5000));
	th_deliver_n(&T, "acme", 1);
	ck_assert_int_eq(next_deliver(&c, 20000), 0);
	ck_assert_int_eq(waitpid(pid, &st, WNOHANG), 0);	/* still at it */
	answer(&c, ESME_ROK);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	tc_close(&c);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("deliver");
	TCase	*tc = tcase_create("deliver");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_queued_while_away);
	tcase_add_test(tc, test_transmitter_gets_none);
	tcase_add_test(tc, test_error_is_retried);
	tcase_add_test(tc, test_missing_response_requeues);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_two_receivers_share);
	tcase_add_test(tc, test_claim_in_place);
	tcase_add_test(tc, test_smppq_delete_held);
	tcase_add_test(tc, test_killed_receiver_resends_window);
	tcase_add_test(tc, test_wake_while_busy);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
