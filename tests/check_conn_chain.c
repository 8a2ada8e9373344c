/*
 * check_conn_chain.c - two smppd instances chained: A's smppconn binds
 * with its smpp connector to B, B's smppconn uses a sink.  An ESME on A
 * gets B's receipts rewritten to A's message_id, including for a
 * message split into parts and for an upstream rejection; an MO
 * injected on B with smppq(8) reaches a receiver bound on A.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "dlr.h"
#include "harness.h"
#include "pdu.h"

static struct th	 A, B;

static void
stop(void)
{
	th_cleanup(&A);
	th_cleanup(&B);
}

static void
init_b(void)
{
	th_init(&B, "chainB");
	strlcpy(B.sections, "[connector sink]\ntype = sink\n\n"
	    "[mt-routes]\n33 = sink\n44 = sink\n", sizeof(B.sections));
	th_user(&B, "gw", "gwsecret", NULL);
}

static void
start_a(const char *extra)
{
	th_init(&A, "chainA");
	snprintf(A.sections, sizeof(A.sections),
	    "[connector up]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gw\npassword = gwsecret\nwindow = 10\n%s\n"
	    "[mt-routes]\ndefault = up\n\n[mo-routes]\ndefault = acme\n",
	    B.port, extra);
	strlcpy(A.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(A.spool_keys));
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
}

static void
start(const char *extra)
{
	init_b();
	th_start(&B);
	th_start_conn(&B);
	start_a(extra);
	ck_assert_msg(th_wait_log(A.connlog, "bind 0 bound", 10000),
	    "A's smppconn did not bind to B; see %s", A.connlog);
}

static void
bound(struct tc *c)
{
	tc_bound(c, A.port, SMPP_BIND_TRANSCEIVER, "acme", "secret");
}

static void
receipt(struct tc *c, struct dlr *d, char *rid)
{
	char	 text[256];

	ck_assert_msg(tc_deliver(c, 10000) == 1, "no receipt");
	ck_assert_uint_eq(c->p.esm_class, ESM_TYPE_RECEIPT);
	memcpy(text, c->p.short_message, c->p.sm_length);
	text[c->p.sm_length] = '\0';
	ck_assert_int_eq(dlr_parse(text, c->p.sm_length, d), 0);
	ck_assert_int_gt(pdu_tlv_str(&c->p, TLV_RECEIPTED_MESSAGE_ID, rid,
	    PDU_MESSAGE_ID_MAX), 0);
}

START_TEST(test_receipt_rewritten)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];

	start("binds = 2\n");
	ck_assert(th_wait_log(A.connlog, "bind 1 bound", 10000));
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312345", "through B", 1,
	    id), ESME_ROK);
	receipt(&c, &d, rid);
	ck_assert_str_eq(d.id, id);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert_str_eq(d.text, "through B");
	ck_assert_str_eq(c.p.source_addr, "3312345");
	ck_assert_str_eq(c.p.destination_addr, "ACME");
	/* B's own id never shows. */
	ck_assert_int_eq(tc_deliver(&c, 300), 0);
	tc_close(&c);
}
END_TEST

/* B has no route for 99: it rejects, A says REJECTD with err 11. */
START_TEST(test_upstream_rejects)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];

	start("");
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "9912345", "nowhere", 1,
	    id), ESME_ROK);
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.stat, "REJECTD");
	ck_assert_int_eq(d.err, 11);
	tc_close(&c);
}
END_TEST

/* A message_payload split into 3 parts: one receipt for the message. */
START_TEST(test_split_payload)
{
	struct tc	 c;
	struct pdu	 p;
	struct dlr	 d;
	char		 text[400], rid[PDU_MESSAGE_ID_MAX];
	char		 id[PDU_MESSAGE_ID_MAX];

	start("split_payload = yes\n");
	bound(&c);
	memset(text, 'x', sizeof(text));
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.source_addr = "ACME";
	p.destination_addr = "4412345";
	p.registered_delivery = 1;
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, 400, text);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), ESME_ROK);
	strlcpy(id, c.p.message_id, sizeof(id));
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert_int_eq(tc_deliver(&c, 500), 0);
	/* B got three parts: 153 + 153 + 94 octets, each behind a UDH. */
	ck_assert_int_eq(th_log_count(B.log, "-> 4412345, 1 part(s), dc 0, 159 "
	    "octets"), 2);
	ck_assert_int_eq(th_log_count(B.log, "-> 4412345, 1 part(s), dc 0, 100 "
	    "octets"), 1);
	ck_assert_int_eq(th_log_count(B.log, "-> 4412345,"), 3);
	tc_close(&c);
}
END_TEST

/* A transmitter and a receiver: the receipt comes on the receiver. */
START_TEST(test_tx_rx)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];

	start("bind = transmitter+receiver\nthroughput = 50\n");
	ck_assert(th_wait_log(A.connlog, "as bind_receiver", 5000));
	ck_assert(th_wait_log(A.connlog, "as bind_transmitter", 5000));
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312345", "tx rx", 1, id),
	    ESME_ROK);
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.stat, "DELIVRD");
	tc_close(&c);
}
END_TEST

/* The upstream is down at first: retried until it comes up. */
START_TEST(test_upstream_down)
{
	struct tc	 c;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];

	init_b();
	start_a("binds = 1\nresponse_timeout = 1\nreconnect_min = 1\n"
	    "reconnect_max = 1\n");
	bound(&c);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312345", "later", 1, id),
	    ESME_ROK);
	ck_assert(th_wait_log(A.connlog, "upstream: no bind with room", 10000));
	th_start(&B);
	th_start_conn(&B);
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.stat, "DELIVRD");
	tc_close(&c);
}
END_TEST

START_TEST(test_mo)
{
	struct tc	 c;
	char		 text[64];

	start("");
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_int_eq(th_run("smppq", "-c", B.conf, "inject", "-a", "gw",
	    "-f", "447700900123", "-t", "12345", "hello from B", (char *)NULL),
	    0);
	ck_assert_msg(tc_deliver(&c, 10000) == 1, "no MO");
	ck_assert_uint_eq(c.p.esm_class & ESM_TYPE_MASK, 0);
	ck_assert_str_eq(c.p.source_addr, "447700900123");
	ck_assert_str_eq(c.p.destination_addr, "12345");
	memcpy(text, c.p.short_message, c.p.sm_length);
	text[c.p.sm_length] = '\0';
	ck_assert_str_eq(text, "hello from B");
	ck_assert(th_wait_log(A.connlog, "for acme", 1000));
	tc_close(&c);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conn_chain");
	TCase	*tc = tcase_create("conn_chain");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_receipt_rewritten);
	tcase_add_test(tc, test_upstream_rejects);
	tcase_add_test(tc, test_split_payload);
	tcase_add_test(tc, test_tx_rx);
	tcase_add_test(tc, test_upstream_down);
	tcase_add_test(tc, test_mo);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
