/*
 * check_conn_helper.c - the helper connector with helper_test.sh: answers
 * ACCEPTED (then a receipt by DLR line, mapped back to our id), RETRY,
 * FAILED, out of order; a helper that exits mid-stream and one that
 * writes garbage are restarted and their messages retried; an MO from a
 * helper reaches the account; the line format, unit by unit
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compat.h"
#include "buf.h"
#include "conn_helper.h"
#include "dlr.h"
#include "harness.h"
#include "pdu.h"
#include "record.h"

static struct th	 A;

static void
stop(void)
{
	th_cleanup(&A);
}

static void
start(void)
{
	char	 script[PATH_MAX], marks[700];

	ck_assert_ptr_nonnull(realpath(SRCDIR "/helper_test.sh", script));
	th_init(&A, "helper");
	snprintf(marks, sizeof(marks), "%s/marks", A.dir);
	ck_assert_int_eq(mkdir(marks, 0700), 0);
	snprintf(A.sections, sizeof(A.sections),
	    "[connector h]\ntype = helper\ncommand = %.900s %.600s\n"
	    "concurrency = 1\ntimeout = 5\n\n"
	    "[mt-routes]\ndefault = h\n\n[mo-routes]\ndefault = acme\n",
	    script, marks);
	strlcpy(A.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(A.spool_keys));
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
	ck_assert(th_wait_log(A.connlog, "connector h: helper 0 started",
	    5000));
}

/* The next receipt: its stat, err; rid our id.  MO counted apart. */
static void
next_receipt(struct tc *c, char *rid, char *stat, int *err, int *mo)
{
	struct dlr	 d;
	char		 text[256];

	for (;;) {
		ck_assert_msg(tc_deliver(c, 10000) == 1, "no receipt");
		if (c->p.esm_class != ESM_TYPE_RECEIPT) {
			ck_assert_str_eq(c->p.source_addr, "4477009");
			ck_assert_uint_eq(c->p.sm_length, 2);
			ck_assert(memcmp(c->p.short_message, "hi", 2) == 0);
			(*mo)++;
			continue;
		}
		memcpy(text, c->p.short_message, c->p.sm_length);
		text[c->p.sm_length] = '\0';
		ck_assert_int_eq(dlr_parse(text, c->p.sm_length, &d), 0);
		ck_assert_int_gt(pdu_tlv_str(&c->p, TLV_RECEIPTED_MESSAGE_ID,
		    rid, PDU_MESSAGE_ID_MAX), 0);
		strlcpy(stat, d.stat, 8);
		*err = d.err;
		return;
	}
}

/* Submit to each destination, expect each outcome, in any order. */
static void
round_of(struct tc *c, const char *const *dst, const char *const *want,
    int n, int *mo)
{
	char	 id[8][PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX], stat[8];
	int	 i, k, err, seen[8] = { 0 };

	for (i = 0; i < n; i++)
		ck_assert_uint_eq(tc_submit_rd(c, "ACME", dst[i], "hello", 1,
		    id[i]), ESME_ROK);
	for (k = 0; k < n; k++) {
		next_receipt(c, rid, stat, &err, mo);
		for (i = 0; i < n; i++)
			if (strcmp(rid, id[i]) == 0)
				break;
		ck_assert_msg(i < n, "a receipt for %s, not ours", rid);
		ck_assert_msg(!seen[i], "two receipts for %s", dst[i]);
		seen[i] = 1;
		ck_assert_msg(strcmp(stat, want[i]) == 0, "%s: %s, not %s",
		    dst[i], stat, want[i]);
		if (strcmp(stat, "REJECTD") == 0)
			ck_assert_int_eq(err, 11);
	}
}

START_TEST(test_helper)
{
	static const char *const d1[] = { "1111", "2222", "3333", "6661",
	    "6662", "7777" };
	static const char *const w1[] = { "DELIVRD", "DELIVRD", "REJECTD",
	    "DELIVRD", "DELIVRD", "DELIVRD" };
	static const char *const d2[] = { "4444" }, *const d3[] = { "5555" };
	static const char *const w2[] = { "DELIVRD" };
	struct tc	 c;
	int		 mo = 0;

	start();
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	round_of(&c, d1, w1, 6, &mo);
	ck_assert(th_log_has(A.connlog, "attempt 1 failed (helper: busy now)"));
	if (mo == 0) {		/* the MO of 7777 came after the receipts */
		ck_assert_int_eq(tc_deliver(&c, 5000), 1);
		ck_assert_uint_eq(c.p.esm_class, 0);
		ck_assert_str_eq(c.p.source_addr, "4477009");
		mo = 1;
	}
	/* It exits mid-stream: restarted, the message retried. */
	round_of(&c, d2, w2, 1, &mo);
	ck_assert(th_log_has(A.connlog, ": 1 message(s) retried, restart in"));
	/* It writes garbage: logged, restarted, the message retried. */
	round_of(&c, d3, w2, 1, &mo);
	ck_assert(th_log_has(A.connlog, "wrote what is not the protocol: "
	    "\"HELLO? is this thing on\""));
	ck_assert(th_log_has(A.connlog, "garbage: 1 message(s) retried"));
	ck_assert_int_eq(mo, 1);
	tc_close(&c);
}
END_TEST

static void
msg_of(struct msg *m)
{
	static const uint8_t	 v[2] = { 0x12, 0x34 };

	memset(m, 0, sizeof(*m));
	strlcpy(m->meta.id, "abc-1", sizeof(m->meta.id));
	strlcpy(m->meta.account, "acme", sizeof(m->meta.account));
	pdu_init(&m->pdu, SMPP_SUBMIT_SM, 1);
	m->pdu.source_addr = "My Shop";
	m->pdu.destination_addr = "+4477";
	m->pdu.data_coding = 8;
	m->pdu.short_message = (const uint8_t *)"\0H\0i\0=\0%";
	m->pdu.sm_length = 8;
	ck_assert_int_eq(pdu_tlv_add(&m->pdu, 0x1400, 2, v), 0);
}

START_TEST(test_lines)
{
	struct buf		 b = BUF_INITIALIZER;
	struct msg		 m;
	struct helper_answer	 a;
	char			 line[256];

	msg_of(&m);
	ck_assert_int_eq(conn_helper_line_msg(&b, &m), 0);
	ck_assert_ptr_nonnull(strstr((char *)b.data, "MSG id=abc-1 "
	    "account=acme src=My%20Shop src_ton=0"));
	ck_assert_ptr_nonnull(strstr((char *)b.data, " dst=+4477 "));
	ck_assert_ptr_nonnull(strstr((char *)b.data,
	    " sm=00480069003d0025 text=Hi=%25 tlv=1400:1234\n"));
	buf_free(&b);

	strlcpy(line, "ACCEPTED abc-1 F00%2Fd", sizeof(line));
	ck_assert_int_eq(conn_helper_line_parse(line, &a), 0);
	ck_assert_int_eq(a.verb, HV_ACCEPTED);
	ck_assert_str_eq(a.upstream, "F00/d");
	strlcpy(line, "RETRY abc-1 30 queue full, try later\r", sizeof(line));
	ck_assert_int_eq(conn_helper_line_parse(line, &a), 0);
	ck_assert_int_eq(a.delay, 30);
	ck_assert_str_eq(a.reason, "queue full, try later");
	strlcpy(line, "FAILED abc-1 0x58", sizeof(line));
	ck_assert_int_eq(conn_helper_line_parse(line, &a), 0);
	ck_assert_uint_eq(a.status, 0x58);
	strlcpy(line, "DLR 9a-F UNDELIV 12", sizeof(line));
	ck_assert_int_eq(conn_helper_line_parse(line, &a), 0);
	ck_assert_str_eq(a.stat, "UNDELIV");
	ck_assert_uint_eq(a.status, 12);
	strlcpy(line, "MO 44 55 6869 8", sizeof(line));
	ck_assert_int_eq(conn_helper_line_parse(line, &a), 0);
	ck_assert_uint_eq(a.smlen, 2);
	ck_assert_uint_eq(a.data_coding, 8);
	/* Garbage: each is refused. */
	{
		static const char *const bad[] = { "", "DELIVERED",
		    "ACCEPTED abc-1", "FAILED abc-1 0", "FAILED abc-1 x",
		    "RETRY abc-1 -1", "DLR x NOPE", "MO 1 2 6", "HELLO",
		    "DELIVERED a%0", "DELIVERED a%00b", "DELIVERED abc-1 x" };
		size_t	 i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			strlcpy(line, bad[i], sizeof(line));
			ck_assert_msg(conn_helper_line_parse(line, &a) == -1,
			    "'%s' accepted", bad[i]);
		}
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conn_helper");
	TCase	*tc = tcase_create("conn_helper");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_helper);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
