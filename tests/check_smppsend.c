/*
 * check_smppsend.c - smppsend(1) against a private smppd: sending (one
 * part, UDH, SAR, payload, codings), each exit status, --listen and
 * --wait-dlr with deliver_sm queued in the account's outbound spool as
 * smppconn would queue them
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

static struct th	 T;
static char		 port[16];
static char		 out[256 * 1024], err[256 * 1024];

static void
start(void)
{
	th_init(&T, "smppsend");
	th_user(&T, "acme", "secret", NULL);
	th_user(&T, "picky", "secret", "dst_pattern=^44", NULL);
	th_start(&T);
	snprintf(port, sizeof(port), "%d", T.port);
	unsetenv("SMPP_PASSWORD");
}

static void
stop(void)
{
	th_cleanup(&T);
}

#define SEND(input, ...) th_run_io(input, out, sizeof(out), err, \
	sizeof(err), "smppsend", "-p", port, __VA_ARGS__, (char *)NULL)

static int
count_lines(const char *s)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static int
count_str(const char *s, const char *needle)
{
	int	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

START_TEST(test_send_one)
{
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d",
	    "447700900123", "-s", "ACME", "hello", "world"), 0);
	ck_assert_int_eq(count_lines(out), 1);
	ck_assert_int_eq(strncmp(out, "smpps_01-", 9), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_send_stdin_env_file)
{
	char	 path[700];
	FILE	*fp;

	setenv("SMPP_PASSWORD", "secret", 1);
	ck_assert_int_eq(SEND("from stdin\n", "-u", "acme", "-d", "44", "-v"),
	    0);
	ck_assert_ptr_nonnull(strstr(err, "short_message: \"from stdin\""));
	/* the password never shows in a trace */
	ck_assert_ptr_null(strstr(err, "secret"));
	ck_assert_ptr_nonnull(strstr(err, "password: \"******\""));
	unsetenv("SMPP_PASSWORD");
	snprintf(path, sizeof(path), "%s/pw", T.dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("secret\n", fp);
	fclose(fp);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-F", path, "-d", "44",
	    "x"), 0);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-F", "/nonexistent/pw",
	    "-d", "44", "x"), EX_NOINPUT);
}
END_TEST

/* 400 GSM characters: 3 parts of 153, each with a UDH of one reference. */
START_TEST(test_send_long)
{
	char	 text[401];

	memset(text, 'x', 400);
	text[400] = '\0';
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", text), 0);
	ck_assert_int_eq(count_lines(out), 3);
	ck_assert_int_eq(count_str(err, "esm_class: 0x40"), 3);
	ck_assert_int_eq(count_str(err, "sm_length: 159"), 2);
	ck_assert_int_eq(count_str(err, "data_coding: 0x00"), 3);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", "--sar", text), 0);
	ck_assert_int_eq(count_lines(out), 3);
	ck_assert_int_eq(count_str(err, "sar_total_segments [1]: 3"), 3);
	ck_assert_int_eq(count_str(err, "esm_class: 0x00"), 3);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", "--udh16", text), 0);
	ck_assert_int_eq(count_str(err, "short_message: \"\\x06\\x08\\x04"),
	    3);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", "--payload", text), 0);
	ck_assert_int_eq(count_lines(out), 1);
	ck_assert_int_eq(count_str(err, "message_payload [400]"), 1);
}
END_TEST

START_TEST(test_send_codings)
{
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", "\xce\xb1\xce\xb2"), 0);	/* Greek: not in GSM's Latin */
	ck_assert_ptr_nonnull(strstr(err, "data_coding: 0x08"));
	ck_assert_ptr_nonnull(strstr(err, "sm_length: 4"));
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", "caf\xc3\xa9 \xe2\x82\xac"), 0);	/* é and € are GSM */
	ck_assert_ptr_nonnull(strstr(err, "data_coding: 0x00"));
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-v", "-c", "latin1", "caf\xc3\xa9"), 0);
	ck_assert_ptr_nonnull(strstr(err, "data_coding: 0x03"));
	ck_assert_ptr_nonnull(strstr(err, "short_message: \"caf\\xe9\""));
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-vv", "-c", "binary", "00ff10"), 0);
	ck_assert_ptr_nonnull(strstr(err, "data_coding: 0x04"));
	ck_assert_ptr_nonnull(strstr(err, "short_message: \"\\x00\\xff\\x10\""));
	ck_assert_ptr_nonnull(strstr(err, "  0000: 00 00 00"));	/* -vv */
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-c", "latin1", "\xe2\x82\xac"), EX_DATAERR);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-c", "binary", "0g"), EX_DATAERR);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "\xff"), EX_DATAERR);
}
END_TEST

START_TEST(test_send_fields)
{
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "44",
	    "-s", "ACME", "--src-ton", "5", "--src-npi", "0", "--dst-ton", "1",
	    "--dst-npi", "1", "--validity", "+10m", "--schedule",
	    "300101000000000+", "--priority", "2", "-r", "--service-type",
	    "CMT", "-o", "user_message_reference=0102", "-o", "0x1501=ab",
	    "-v", "x"), 0);
	ck_assert_ptr_nonnull(strstr(err, "source_addr: 5/0 \"ACME\""));
	ck_assert_ptr_nonnull(strstr(err, "destination_addr: 1/1 \"44\""));
	ck_assert_ptr_nonnull(strstr(err,
	    "validity_period: \"000000001000000R\""));
	ck_assert_ptr_nonnull(strstr(err,
	    "schedule_delivery_time: \"300101000000000+\""));
	ck_assert_ptr_nonnull(strstr(err, "priority_flag: 2"));
	ck_assert_ptr_nonnull(strstr(err, "registered_delivery: 0x01"));
	ck_assert_ptr_nonnull(strstr(err, "service_type: \"CMT\""));
	ck_assert_ptr_nonnull(strstr(err, "user_message_reference [2]: 258"));
	ck_assert_ptr_nonnull(strstr(err, "tlv 0x1501"));
}
END_TEST

START_TEST(test_exit_status)
{
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "wrong", "-d", "44",
	    "x"), EX_NOPERM);
	ck_assert_ptr_nonnull(strstr(err, "ESME_RINVPASWD"));
	ck_assert_int_eq(SEND(NULL, "-u", "picky", "-P", "secret", "-d",
	    "33612345678", "x"), EX_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(err, "ESME_R"));
	ck_assert_ptr_nonnull(strstr(err, "refused"));
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "x"),
	    EX_USAGE);	/* no -d */
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-c", "klingon", "-d", "4",
	    "x"), EX_USAGE);
	ck_assert_int_eq(SEND(NULL, "-w", "-b", "tx", "-d", "4", "x"),
	    EX_USAGE);
	ck_assert_int_eq(SEND(NULL, "--validity", "+3x", "-d", "4", "x"),
	    EX_USAGE);
	ck_assert_int_eq(SEND(NULL, "-o", "nosuchtlv=00", "-d", "4", "x"),
	    EX_USAGE);
	ck_assert_int_eq(SEND(NULL, "-u", "acme", "-P", "secret", "-d", "4",
	    "-h", "127.0.0.1", "-p", "1", "x"), EX_UNAVAILABLE);
}
END_TEST

/* A receipt as smppconn queues it: text, receipted_message_id, state. */
static void
receipt(struct pdu *p, char *text, size_t cap, const char *id,
    const char *stat, int tlv)
{
	static uint8_t	 state;

	snprintf(text, cap, "id:%s sub:001 dlvrd:001 submit date:2501020304 "
	    "done date:2501020305 stat:%s err:000 text:x", id, stat);
	pdu_init(p, SMPP_DELIVER_SM, 0);
	p->source_addr = "447700900123";
	p->destination_addr = "ACME";
	p->esm_class = ESM_TYPE_RECEIPT;
	p->short_message = (const uint8_t *)text;
	p->sm_length = (uint8_t)strlen(text);
	if (tlv) {
		state = strcmp(stat, "DELIVRD") == 0 ? MSTATE_DELIVERED :
		    MSTATE_UNDELIVERABLE;
		pdu_tlv_add(p, TLV_RECEIPTED_MESSAGE_ID,
		    (uint16_t)strlen(id) + 1, id);
		pdu_tlv_add(p, TLV_MESSAGE_STATE, 1, &state);
	}
}

/* Exit status of pid within ms (-2: still running, then killed). */
static int
reap(pid_t pid, int ms)
{
	int	 st;

	if (!th_wait_exit(pid, ms, &st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -2;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_listen)
{
	struct pdu	 p;
	char		 line[4096], text[256];
	pid_t		 pid;
	int		 fd;

	pid = th_spawn_out(&fd, "smppsend", "-p", port, "-u", "acme", "-P",
	    "secret", "-l", "-n", "2", (char *)NULL);
	ck_assert(th_wait_log(T.log, "bound as trx (acme)", 10000));
	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.source_addr = "4477 00";
	p.destination_addr = "ACME";
	p.data_coding = DC_UCS2;
	p.short_message = (const uint8_t *)
	    "\x00h\x00\xe9\x00\n\x20\xac\x00\x9b\x00 \x00\\";
	p.sm_length = 14;
	th_deliver(&T, "acme", &p, NULL);
	ck_assert(th_read_line(fd, line, sizeof(line), 20000));
	/* one line, no terminal controls, fields without spaces */
	ck_assert_str_eq(line, "deliver_sm src=4477\\x2000 dst=ACME dc=0x08 "
	    "esm=0x00 text=h\xc3\xa9\\n\xe2\x82\xac\\u009b \\\\");
	receipt(&p, text, sizeof(text), "abc-1", "UNDELIV", 1);
	th_deliver(&T, "acme", &p, "abc-1");
	ck_assert(th_read_line(fd, line, sizeof(line), 20000));
	ck_assert_str_eq(line, "receipt id=abc-1 stat=UNDELIV err=000 "
	    "submit_date=2025-01-02T03:04Z done_date=2025-01-02T03:05Z "
	    "src=447700900123 dst=ACME");
	ck_assert_int_eq(reap(pid, 10000), 0);
	close(fd);
}
END_TEST

START_TEST(test_listen_signal)
{
	char	 line[256];
	pid_t	 pid;
	int	 fd;

	pid = th_spawn_out(&fd, "smppsend", "-p", port, "-u", "acme", "-P",
	    "secret", "-l", (char *)NULL);
	ck_assert(th_wait_log(T.log, "bound as trx (acme)", 10000));
	kill(pid, SIGTERM);
	ck_assert_int_eq(reap(pid, 10000), 0);
	ck_assert(!th_read_line(fd, line, sizeof(line), 10));
	close(fd);
}
END_TEST

/*
 * --wait-dlr: submit, then the receipts come (one of another message
 * first, which must not count); exit 0 only when all say DELIVRD.
 */
static int
wait_dlr(const char *stat, int tlv, int parts, int send)
{
	struct pdu	 p;
	char		 ids[4][128], line[1024], text[256], body[400];
	pid_t		 pid;
	int		 fd, i, rc;

	memset(body, 'y', sizeof(body) - 1);
	body[parts == 1 ? 10 : 200] = '\0';
	pid = th_spawn_out(&fd, "smppsend", "-p", port, "-u", "acme", "-P",
	    "secret", "-w", "--dlr-timeout", "3", "-d", "447700900123", body,
	    (char *)NULL);
	for (i = 0; i < parts; i++)
		ck_assert(th_read_line(fd, ids[i], sizeof(ids[i]), 10000));
	receipt(&p, text, sizeof(text), "someone-else", "DELIVRD", 1);
	th_deliver(&T, "acme", &p, "someone-else");
	for (i = 0; i < send; i++) {
		receipt(&p, text, sizeof(text), ids[i], stat, tlv);
		th_deliver(&T, "acme", &p, ids[i]);
		ck_assert(th_read_line(fd, line, sizeof(line), 10000));
		ck_assert_ptr_nonnull(strstr(line, ids[i]));
		ck_assert_ptr_nonnull(strstr(line, stat));
	}
	rc = reap(pid, 15000);
	close(fd);
	return rc;
}

START_TEST(test_wait_dlr_delivered)
{
	ck_assert_int_eq(wait_dlr("DELIVRD", 1, 2, 2), 0);
	ck_assert_int_eq(wait_dlr("DELIVRD", 0, 1, 1), 0);
}
END_TEST

START_TEST(test_wait_dlr_undelivered)
{
	ck_assert_int_eq(wait_dlr("UNDELIV", 1, 1, 1), 1);
}
END_TEST

START_TEST(test_wait_dlr_timeout)
{
	ck_assert_int_eq(wait_dlr("DELIVRD", 1, 2, 1), EX_TEMPFAIL);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("smppsend");
	TCase	*tc = tcase_create("smppsend");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_send_one);
	tcase_add_test(tc, test_send_stdin_env_file);
	tcase_add_test(tc, test_send_long);
	tcase_add_test(tc, test_send_codings);
	tcase_add_test(tc, test_send_fields);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, test_listen);
	tcase_add_test(tc, test_listen_signal);
	tcase_add_test(tc, test_wait_dlr_delivered);
	tcase_add_test(tc, test_wait_dlr_undelivered);
	tcase_add_test(tc, test_wait_dlr_timeout);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
