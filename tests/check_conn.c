/*
 * check_conn.c - integration tests of smppconn with the real smppd: sink
 * receipts and registered_delivery, the pipe connector's exit codes and
 * environment, retries, expiry, a corrupt segment, refusals, reload
 */
#include "config.h"

#include <sys/stat.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "dlr.h"
#include "harness.h"
#include "pdu.h"
#include "record.h"
#include "spool.h"

static struct th	 T;

static const char script[] =
    "#!/bin/sh\n"
    "d=$(dirname \"$0\")\n"
    "env | grep '^SMPP_' | sort > \"$d/env.$SMPP_DESTINATION\"\n"
    "cat > \"$d/in.$SMPP_DESTINATION\"\n"
    "case \"$SMPP_DESTINATION\" in\n"
    "441*) exit 0 ;;\n"
    "442*) echo 'no such subscriber' >&2; echo second >&2; exit 1 ;;\n"
    "443*) test -e \"$d/seen.$SMPP_ID\" && exit 0\n"
    "      : > \"$d/seen.$SMPP_ID\"; echo busy >&2; exit 75 ;;\n"
    "444*) exit 75 ;;\n"
    "445*) echo run >> \"$d/runs.$SMPP_DESTINATION\"; exec sleep 30 ;;\n"
    "esac\n"
    "exit 3\n";

static void
write_script(void)
{
	char	 path[700];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/deliver.sh", T.dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(script, fp);
	ck_assert_int_eq(fclose(fp), 0);
	chmod(path, 0755);
}

static void
start(void)
{
	th_init(&T, "conn");
	write_script();
	snprintf(T.sections, sizeof(T.sections),
	    "[connector sink]\ntype = sink\n\n"
	    "[connector bad]\ntype = sink\nundeliv_percent = 50\n"
	    "undeliv_err = 42\n\n"
	    "[connector prog]\ntype = pipe\ncommand = %s/deliver.sh\n"
	    "timeout = 1\nconcurrency = 2\n\n"
	    "[mt-routes]\n44 = prog\n45 = bad\ndefault = sink\n", T.dir);
	strlcpy(T.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(T.spool_keys));
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
bound(struct tc *c)
{
	tc_bound(c, T.port, SMPP_BIND_TRANSCEIVER, "acme", "secret");
}

/* Wait for a receipt; parse its text into d. */
static void
receipt(struct tc *c, struct dlr *d, int ms)
{
	char	 text[256];

	ck_assert_msg(tc_deliver(c, ms) == 1, "no receipt within %d ms", ms);
	ck_assert_uint_eq(c->p.esm_class, ESM_TYPE_RECEIPT);
	ck_assert_uint_lt(c->p.sm_length, sizeof(text));
	memcpy(text, c->p.short_message, c->p.sm_length);
	text[c->p.sm_length] = '\0';
	ck_assert_int_eq(dlr_parse(text, c->p.sm_length, d), 0);
}

START_TEST(test_sink_receipt)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];
	uint32_t	 state;

	start();
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312345", "Hello world, "
	    "this is longer than twenty", 1, id), ESME_ROK);
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.id, id);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert_int_eq(d.err, 0);
	ck_assert_int_eq(d.sub, 1);
	ck_assert_int_eq(d.dlvrd, 1);
	ck_assert_str_eq(d.text, "Hello world, this is");
	ck_assert_str_eq(c.p.source_addr, "3312345");
	ck_assert_str_eq(c.p.destination_addr, "ACME");
	ck_assert_int_ge(pdu_tlv_str(&c.p, TLV_RECEIPTED_MESSAGE_ID, rid,
	    sizeof(rid)), 1);
	ck_assert_str_eq(rid, id);
	ck_assert_int_eq(pdu_tlv_uint(&c.p, TLV_MESSAGE_STATE, &state), 0);
	ck_assert_uint_eq(state, MSTATE_DELIVERED);
	tc_close(&c);
}
END_TEST

/* registered_delivery 0, 1 and 2 against DELIVRD and UNDELIV. */
START_TEST(test_receipt_levels)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[4][PDU_MESSAGE_ID_MAX];
	int		 i, got_undeliv = 0, got_delivrd = 0;

	start();
	bound(&c);
	/* The bad sink fails every second message: 1st ok, 2nd not... */
	ck_assert_uint_eq(tc_submit_rd(&c, "A", "4501", "a", 0, id[0]),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "A", "4502", "b", 0, id[1]),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "A", "4503", "c", 2, id[2]),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "A", "4504", "d", 2, id[3]),
	    ESME_ROK);
	/* rd 0: nothing; rd 2: only the failure. */
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.stat, "UNDELIV");
	ck_assert_int_eq(d.err, 42);
	ck_assert_int_eq(d.dlvrd, 0);
	ck_assert(strcmp(d.id, id[2]) == 0 || strcmp(d.id, id[3]) == 0);
	ck_assert_int_eq(tc_deliver(&c, 500), 0);
	/* rd 1: both outcomes. */
	for (i = 0; i < 2; i++)
		ck_assert_uint_eq(tc_submit_rd(&c, "A", "4505", "e", 1,
		    id[i]), ESME_ROK);
	for (i = 0; i < 2; i++) {
		receipt(&c, &d, 5000);
		if (strcmp(d.stat, "UNDELIV") == 0)
			got_undeliv++;
		else if (strcmp(d.stat, "DELIVRD") == 0)
			got_delivrd++;
	}
	ck_assert_int_eq(got_undeliv, 1);
	ck_assert_int_eq(got_delivrd, 1);
	tc_close(&c);
}
END_TEST

static char *
slurp(const char *name)
{
	static char	 buf[8192];
	char		 path[700];
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/%s", T.dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

START_TEST(test_pipe)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[3][PDU_MESSAGE_ID_MAX], *env;
	int		 i, seen[3] = { 0, 0, 0 };

	start();
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4411", "Grüße €5", 1,
	    id[0]), ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4422", "fails", 1, id[1]),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4433", "retried", 1,
	    id[2]), ESME_ROK);
	for (i = 0; i < 3; i++) {
		receipt(&c, &d, 8000);
		if (strcmp(d.id, id[0]) == 0) {
			ck_assert_str_eq(d.stat, "DELIVRD");
			seen[0]++;
		} else if (strcmp(d.id, id[1]) == 0) {
			ck_assert_str_eq(d.stat, "UNDELIV");
			ck_assert_int_eq(d.err, 1);
			seen[1]++;
		} else {
			ck_assert_str_eq(d.id, id[2]);
			ck_assert_str_eq(d.stat, "DELIVRD");
			seen[2]++;
		}
	}
	ck_assert(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	ck_assert(th_log_has(T.connlog, "no such subscriber"));
	ck_assert(th_log_has(T.connlog, "pipe: exit 75: busy"));
	env = slurp("env.4411");
	ck_assert_ptr_nonnull(env);
	ck_assert_ptr_nonnull(strstr(env, "SMPP_ACCOUNT=acme\n"));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_SOURCE=ACME\n"));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_DESTINATION=4411\n"));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_REGISTERED_DELIVERY=1\n"));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_ID="));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_SHORT_MESSAGE_HEX="));
	env = slurp("in.4411");
	ck_assert_ptr_nonnull(env);
	ck_assert_ptr_nonnull(strstr(env, "%smppd1 "));
	ck_assert_ptr_nonnull(strstr(env, "destination_addr: 4411\n"));
	tc_close(&c);
}
END_TEST

/* A submit_sm from ACME of UCS-2 octets, with a receipt asked for. */
static void
ucs2_to(struct pdu *p, const char *dst, const uint8_t *ucs2, size_t len)
{
	pdu_init(p, SMPP_SUBMIT_SM, 0);
	p->source_addr = "ACME";
	p->destination_addr = dst;
	p->data_coding = DC_UCS2;
	p->registered_delivery = 1;
	p->short_message = ucs2;
	p->sm_length = len;
}

/* The text of a pipe message in UTF-8, its TLVs by name. */
START_TEST(test_pipe_env)
{
	struct tc	 c;
	struct pdu	 p;
	struct dlr	 d;
	const uint8_t	 ucs2[] = { 0x04, 0x1f, 0x04, 0x40, 0x04, 0x38 };
	uint8_t		 ref[2] = { 0x00, 0x2a };
	char		*env;

	start();
	bound(&c);
	ucs2_to(&p, "4412", ucs2, sizeof(ucs2));
	pdu_tlv_add(&p, TLV_SAR_MSG_REF_NUM, 2, ref);
	pdu_tlv_add(&p, 0x1401, 2, ref);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), ESME_ROK);
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert_str_eq(d.text, "???");
	env = slurp("env.4412");
	ck_assert_ptr_nonnull(env);
	ck_assert_ptr_nonnull(strstr(env, "SMPP_TEXT=При\n"));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_DATA_CODING=8\n"));
	ck_assert_ptr_nonnull(strstr(env,
	    "SMPP_TLV_SAR_MSG_REF_NUM_HEX=002a\n"));
	ck_assert_ptr_nonnull(strstr(env, "SMPP_TLV_1401_HEX=002a\n"));
	tc_close(&c);
}
END_TEST

/*
 * A NUL in the text must not end SMPP_TEXT and start a variable of the
 * sender's choosing in the program's environment (found by
 * fuzz_charset): it arrives as U+FFFD inside SMPP_TEXT.
 */
START_TEST(test_pipe_env_nul)
{
	struct tc	 c;
	struct pdu	 p;
	struct dlr	 d;
	static const char	 text[] = "A\0SMPP_INJECTED=1";
	uint8_t		 ucs2[2 * sizeof(text)];
	char		*env;
	size_t		 i;

	for (i = 0; i < sizeof(text) - 1; i++) {
		ucs2[2 * i] = 0;
		ucs2[2 * i + 1] = (uint8_t)text[i];
	}
	start();
	bound(&c);
	ucs2_to(&p, "4419", ucs2, 2 * (sizeof(text) - 1));
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), ESME_ROK);
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.stat, "DELIVRD");
	env = slurp("env.4419");
	ck_assert_ptr_nonnull(env);
	ck_assert_ptr_null(strstr(env, "\nSMPP_INJECTED="));
	ck_assert_ptr_nonnull(strstr(env,
	    "SMPP_TEXT=A\xef\xbf\xbdSMPP_INJECTED=1\n"));
	tc_close(&c);
}
END_TEST

/* Temporary failures until the validity period ends: EXPIRED. */
START_TEST(test_expiry)
{
	struct tc	 c;
	struct pdu	 p;
	struct dlr	 d;
	char		 path[700];

	start();
	bound(&c);
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.source_addr = "ACME";
	p.destination_addr = "4444";
	p.validity_period = "000000000002000R";
	p.registered_delivery = 2;
	p.short_message = (const uint8_t *)"too late";
	p.sm_length = 8;
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), ESME_ROK);
	receipt(&c, &d, 10000);
	ck_assert_str_eq(d.stat, "EXPIRED");
	ck_assert_int_eq(d.dlvrd, 0);
	/* A copy is kept in mt/failed/ for the admin. */
	snprintf(path, sizeof(path), "%s/mt/failed", T.spool);
	ck_assert(th_wait_files(path, 1, 5000));
	tc_close(&c);
}
END_TEST

/* The number of lines of a file, 0 when there is none. */
static int
lines_of(const char *path)
{
	FILE	*fp;
	int	 ch, n = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while ((ch = getc(fp)) != EOF)
		if (ch == '\n')
			n++;
	fclose(fp);
	return n;
}

/* A program that outlives its timeout is killed: temporary. */
START_TEST(test_pipe_timeout)
{
	struct tc	 c;
	char		 runs[700];
	int		 i;

	start();
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4455", "slow", 0, NULL),
	    ESME_ROK);
	ck_assert(th_wait_log(T.connlog, "pipe: timeout after 1s", 8000));
	/* Killed, then tried again: a second run of the program. */
	snprintf(runs, sizeof(runs), "%s/runs.4455", T.dir);
	for (i = 0; i < 1000 && lines_of(runs) < 2; i++)
		usleep(10000);
	ck_assert_int_ge(lines_of(runs), 2);
	tc_close(&c);
}
END_TEST

/* Write a segment by hand: a good record, garbage, another good one. */
static void
corrupt_segment(const char *dir)
{
	struct msg_meta	 m;
	struct pdu	 p;
	struct buf	 b;
	char		 path[900], name[SPOOL_NAME_MAX];
	FILE		*fp;

	buf_init(&b);
	memset(&m, 0, sizeof(m));
	strlcpy(m.id, "smpps_01-handmade1", sizeof(m.id));
	m.kind = MSG_MT;
	strlcpy(m.account, "acme", sizeof(m.account));
	m.created_us = clock_wall_us();
	strlcpy(m.route, "sink", sizeof(m.route));
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.source_addr = "ACME";
	p.destination_addr = "3300";
	p.registered_delivery = 1;
	p.short_message = (const uint8_t *)"first";
	p.sm_length = 5;
	ck_assert_int_eq(record_write(&b, &m, &p), 0);
	buf_puts(&b, "%smppd1 12 00000000\ngarbage!!!!\n");
	strlcpy(m.id, "smpps_01-handmade2", sizeof(m.id));
	ck_assert_int_eq(record_write(&b, &m, &p), 0);
	ck_assert_int_eq(spool_name(name, sizeof(name), 0), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fwrite(b.data, 1, b.len, fp);
	ck_assert_int_eq(fclose(fp), 0);
	buf_free(&b);
}

START_TEST(test_corrupt)
{
	struct tc	 c;
	struct dlr	 d;
	char		 dir[700];

	start();
	bound(&c);
	snprintf(dir, sizeof(dir), "%s/mt/new", T.spool);
	corrupt_segment(dir);
	ck_assert_int_eq(spool_wake_conn(T.spool), 0);
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.id, "smpps_01-handmade1");
	snprintf(dir, sizeof(dir), "%s/corrupt", T.spool);
	ck_assert(th_wait_files(dir, 1, 5000));
	ck_assert(th_wait_log(T.connlog, "record 2 is corrupt", 1000));
	ck_assert_int_eq(tc_deliver(&c, 300), 0);
	tc_close(&c);
}
END_TEST

/* A second instance and a spool others can write are refused. */
START_TEST(test_refusals)
{
	char	 path[700];

	start();
	ck_assert_int_ne(th_run("smppconn", "-f", "-c", T.conf, (char *)NULL),
	    0);
	ck_assert(th_wait_log(T.connlog, "another smppconn is running",
	    2000));
	th_kill_conn(&T, SIGTERM);
	ck_assert(th_wait_exit(T.connpid, 10000, NULL));
	T.connpid = 0;
	snprintf(path, sizeof(path), "%s/mt/new", T.spool);
	chmod(path, 0777);
	ck_assert_int_ne(th_run("smppconn", "-f", "-c", T.conf, (char *)NULL),
	    0);
	ck_assert(th_wait_log(T.connlog, "refusing to run", 2000));
	ck_assert(th_wait_log(T.connlog, "mode 0777 lets others write", 10));
	chmod(path, 0750);
}
END_TEST

/* SIGHUP: a broken file keeps the old routes, a good one applies. */
START_TEST(test_reload)
{
	struct tc	 c;
	struct dlr	 d;
	FILE		*fp;
	long		 off;

	start();
	bound(&c);
	fp = fopen(T.conf, "a");
	ck_assert_ptr_nonnull(fp);
	fputs("[connector broken\n", fp);
	fclose(fp);
	off = th_log_size(T.connlog);
	th_kill_conn(&T, SIGHUP);
	ck_assert(th_wait_log_from(T.connlog, off, "the old configuration "
	    "stays", 5000));
	ck_assert_uint_eq(tc_submit_rd(&c, "A", "3399", "x", 1, NULL),
	    ESME_ROK);
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.stat, "DELIVRD");
	/* Now every message fails in the sink "bad". */
	snprintf(T.sections, sizeof(T.sections),
	    "[connector sink]\ntype = sink\nundeliv_percent = 100\n"
	    "undeliv_err = 7\n\n[mt-routes]\ndefault = sink\n");
	th_write_conf(&T);
	off = th_log_size(T.connlog);
	th_kill_conn(&T, SIGHUP);
	ck_assert(th_wait_log_from(T.connlog, off, "configuration reloaded",
	    5000));
	ck_assert_uint_eq(tc_submit_rd(&c, "A", "3399", "y", 1, NULL),
	    ESME_ROK);
	receipt(&c, &d, 5000);
	ck_assert_str_eq(d.stat, "UNDELIV");
	ck_assert_int_eq(d.err, 7);
	tc_close(&c);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conn");
	TCase	*tc = tcase_create("conn");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sink_receipt);
	tcase_add_test(tc, test_receipt_levels);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_pipe_env);
	tcase_add_test(tc, test_pipe_env_nul);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_pipe_timeout);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_reload);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
