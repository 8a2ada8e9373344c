/*
 * check_conn_upstream.c - smppconn's smpp connector against a scripted
 * upstream SMSC played by the test: fields forwarded unchanged, receipts
 * found by an id in another spelling (hex for decimal, leading zeros),
 * intermediate receipts, receipts by TLV alone, unknown ids, MO with and
 * without a route, ESME_RTHROTTLED retried, answers only after commit
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "dlr.h"
#include "harness.h"
#include "ledger.h"
#include "pdu.h"
#include "smsc.h"

static struct th	 A;
static int		 lfd = -1;

static void
stop(void)
{
	th_cleanup(&A);
	if (lfd != -1)
		close(lfd);
	lfd = -1;
}

static void
upstream(struct tc *u)
{
	smsc_accept(u, lfd, "gateway");
}

static int	 uport;

static void
sections_with(const char *system_id, const char *extra)
{
	snprintf(A.sections, sizeof(A.sections),
	    "[connector up]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = %s\npassword = pw\nsystem_type = VMA\n%s\n"
	    "[mt-routes]\ndefault = up\n\n[mo-routes]\n55 = acme\n", uport,
	    system_id, extra);
}

static void
sections(const char *system_id)
{
	sections_with(system_id, "");
}

/* smppd and smppconn with extra [smpp-server] and [connector up] keys. */
static void
start_with(const char *server_keys, const char *conn_keys)
{
	uport = th_free_port();
	lfd = smsc_listen(uport);
	th_init(&A, "upstream");
	sections_with("gateway", conn_keys);
	strlcpy(A.server_keys, server_keys, sizeof(A.server_keys));
	strlcpy(A.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(A.spool_keys));
	th_user(&A, "acme", "secret", "balance=100000", "rate=1", NULL);
	th_start(&A);
	th_start_conn(&A);
}

static void
start(void)
{
	start_with("", "");
}

static void
receipt(struct tc *c, struct dlr *d, char *rid)
{
	char	 text[256];

	ck_assert_msg(tc_deliver(c, 8000) == 1, "no receipt");
	ck_assert_uint_eq(c->p.esm_class, ESM_TYPE_RECEIPT);
	memcpy(text, c->p.short_message, c->p.sm_length);
	text[c->p.sm_length] = '\0';
	ck_assert_int_eq(dlr_parse(text, c->p.sm_length, d), 0);
	ck_assert_int_gt(pdu_tlv_str(&c->p, TLV_RECEIPTED_MESSAGE_ID, rid,
	    PDU_MESSAGE_ID_MAX), 0);
}

START_TEST(test_receipts)
{
	struct tc	 c, u;
	struct pdu	 p;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];
	uint8_t		 tag[2] = { 0x12, 0x34 };

	start();
	upstream(&u);
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.service_type = "CMT";
	p.source_addr_ton = 5;
	p.source_addr = "ACME";
	p.dest_addr_ton = 1;
	p.dest_addr_npi = 1;
	p.destination_addr = "4915112345678";
	p.protocol_id = 0x40;
	p.priority_flag = 1;
	p.registered_delivery = 0x11;
	p.data_coding = 3;
	p.short_message = (const uint8_t *)"abc";
	p.sm_length = 3;
	pdu_tlv_add(&p, 0x1400, 2, tag);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), ESME_ROK);
	strlcpy(id, c.p.message_id, sizeof(id));
	/* Forwarded unchanged. */
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_str_eq(u.p.service_type, "CMT");
	ck_assert_uint_eq(u.p.source_addr_ton, 5);
	ck_assert_str_eq(u.p.source_addr, "ACME");
	ck_assert_str_eq(u.p.destination_addr, "4915112345678");
	ck_assert_uint_eq(u.p.protocol_id, 0x40);
	ck_assert_uint_eq(u.p.priority_flag, 1);
	ck_assert_uint_eq(u.p.registered_delivery, 0x11);
	ck_assert_uint_eq(u.p.data_coding, 3);
	ck_assert_uint_eq(u.p.sm_length, 3);
	ck_assert_ptr_nonnull(pdu_tlv_get(&u.p, 0x1400));
	smsc_answer_submit(&u, 0, "12345");
	/* An intermediate receipt, its id in hex: forwarded (rd 0x10). */
	smsc_deliver(&u, "4915112345678", "ACME", ESM_TYPE_RECEIPT,
	    "id:3039 sub:001 dlvrd:000 submit date:2611290600 done "
	    "date:2611290601 stat:ENROUTE err:000 text:abc", NULL, 0);
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.id, id);
	ck_assert_str_eq(d.stat, "ENROUTE");
	/* The final one by its TLVs alone, with leading zeros. */
	smsc_deliver(&u, "4915112345678", "ACME", ESM_TYPE_RECEIPT, "", "0012345",
	    MSTATE_DELIVERED);
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert_str_eq(d.text, "abc");
	ck_assert_str_eq(c.p.source_addr, "4915112345678");
	/* Final: the entry is gone, a repeat is unknown, acknowledged. */
	smsc_deliver(&u, "4915112345678", "ACME", ESM_TYPE_RECEIPT,
	    "id:12345 stat:DELIVRD err:000", NULL, 0);
	ck_assert(th_wait_log(A.connlog, "receipt for unknown id 12345",
	    1000));
	ck_assert_int_eq(tc_deliver(&c, 300), 0);
	tc_close(&c);
	tc_close(&u);
}
END_TEST

START_TEST(test_mo_and_throttle)
{
	struct tc	 c, u;
	char		 text[16], path[700];

	start();
	upstream(&u);
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	/* MO routed by [mo-routes]; one without a route kept. */
	smsc_deliver(&u, "447700900123", "5599", 0, "hi there", NULL, 0);
	ck_assert_int_eq(tc_deliver(&c, 5000), 1);
	ck_assert_uint_eq(c.p.esm_class, 0);
	ck_assert_str_eq(c.p.destination_addr, "5599");
	memcpy(text, c.p.short_message, c.p.sm_length);
	text[c.p.sm_length] = '\0';
	ck_assert_str_eq(text, "hi there");
	smsc_deliver(&u, "447700900123", "7777", 0, "nobody", NULL, 0);
	snprintf(path, sizeof(path), "%s/mo/failed", A.spool);
	ck_assert(th_wait_files(path, 1, 5000));
	ck_assert(th_log_has(A.connlog, "no route, kept in mo/failed/"));
	/* Throttled: tried again after the back-off. */
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312", "again", 0, NULL),
	    ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, ESME_RTHROTTLED, NULL);
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_str_eq(u.p.destination_addr, "3312");
	smsc_answer_submit(&u, 0, "777");
	ck_assert(th_wait_log(A.connlog, "ESME_RTHROTTLED), next in", 1000));
	tc_close(&c);
	tc_close(&u);
}
END_TEST

/* A broken upstream session: in flight is retried, the bind comes back. */
START_TEST(test_reconnect)
{
	struct tc	 c, u;
	struct dlr	 d;
	char		 rid[PDU_MESSAGE_ID_MAX];

	start();
	upstream(&u);
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312", "lost", 2, NULL),
	    ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	tc_close(&u);
	upstream(&u);
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_str_eq(u.p.destination_addr, "3312");
	/* A permanent error now: REJECTD, err the status. */
	smsc_answer_submit(&u, ESME_RINVDSTADR, NULL);
	receipt(&c, &d, rid);
	ck_assert_str_eq(d.stat, "REJECTD");
	ck_assert_int_eq(d.err, 11);
	tc_close(&c);
	tc_close(&u);
}
END_TEST

/* SIGHUP with a new system_id: unbind, bind again as the new one. */
START_TEST(test_reload)
{
	struct tc	 u;
	uint8_t		 out[64];
	long		 off;
	int		 n;

	start();
	upstream(&u);
	sections("gateway2");
	th_write_conf(&A);
	off = th_log_size(A.connlog);
	th_kill_conn(&A, SIGHUP);
	ck_assert(th_wait_log_from(A.connlog, off, "configuration reloaded",
	    5000));
	smsc_next(&u, SMPP_UNBIND);
	n = pdu_encode_resp(SMPP_UNBIND_RESP, 0, u.p.sequence_number, out,
	    sizeof(out));
	tc_send_raw(&u, out, (size_t)n);
	tc_close(&u);
	smsc_accept(&u, lfd, "gateway2");
	ck_assert(th_wait_log_from(A.connlog, off, "bind 0 bound", 5000));
	tc_close(&u);
}
END_TEST

/*
 * The parts of one message at the upstream: the first part's UDH says
 * how many follow.  Each is answered.  Returns the count received.
 */
static int
parts_sent(struct tc *u)
{
	int	 i, total = 1;

	for (i = 0; i < total; i++) {
		smsc_next(u, SMPP_SUBMIT_SM);
		if (i == 0 && (u->p.esm_class & ESM_UDHI) &&
		    u->p.sm_length >= 6 && u->p.short_message[1] == 0x00)
			total = u->p.short_message[4];
		smsc_answer_submit(u, 0, "1");
	}
	return total;
}

/* Content of a case of the matrix: n octets of a kind. */
static size_t
fill(uint8_t *b, char kind, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		switch (kind) {
		case 'g':			/* GSM 7-bit letters */
			b[i] = 'a';
			break;
		case 'e':			/* GSM escapes: the euro sign */
			b[i] = i % 2 == 0 ? 0x1b : 0x65;
			break;
		case 'u':			/* UCS-2 'A' */
			b[i] = i % 2 == 0 ? 0x00 : 0x41;
			break;
		case 's':			/* UCS-2 surrogate pairs */
			b[i] = (uint8_t[]){ 0xd8, 0x3d, 0xde, 0x00 }[i % 4];
			break;
		default:			/* binary, 8-bit */
			b[i] = (uint8_t)(0x80 + i % 64);
			break;
		}
	return n;
}

/*
 * Charged = sent, at the part boundaries of every alphabet, whether the
 * text is in short_message or message_payload.
 */
START_TEST(test_charged_is_sent)
{
	static const struct {
		uint8_t	 dc;
		char	 kind;
		size_t	 len;
		int	 payload;
		int	 parts;
	} m[] = {
		{ 0, 'g', 160, 0, 1 }, { 0, 'g', 161, 0, 2 },
		{ 0, 'g', 161, 1, 2 }, { 0, 'g', 306, 1, 2 },
		{ 0, 'g', 307, 1, 3 }, { 0, 'e', 160, 0, 1 },
		{ 0, 'e', 162, 0, 2 }, { 0, 'e', 304, 1, 2 },
		{ 0, 'e', 306, 1, 3 }, { 8, 'u', 140, 0, 1 },
		{ 8, 'u', 142, 0, 2 }, { 8, 'u', 268, 1, 2 },
		{ 8, 's', 140, 0, 1 }, { 8, 's', 144, 1, 2 },
		{ 8, 's', 268, 1, 3 }, { 4, 'b', 140, 0, 1 },
		{ 4, 'b', 141, 1, 2 }, { 4, 'b', 254, 0, 2 },
		{ 3, 'b', 140, 0, 1 }, { 3, 'b', 254, 0, 2 },
		{ 3, 'b', 269, 1, 3 }
	};
	static uint8_t	 text[1024];
	struct tc	 c, u;
	struct pdu	 p;
	double		 before, charged;
	size_t		 i, n;
	int		 sent;

	start_with("", "split_payload = yes\n");
	upstream(&u);
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		n = fill(text, m[i].kind, m[i].len);
		pdu_init(&p, SMPP_SUBMIT_SM, 0);
		p.source_addr = "1234";
		p.destination_addr = "4477009001";
		p.data_coding = m[i].dc;
		if (m[i].payload)
			pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, (uint16_t)n, text);
		else {
			p.short_message = text;
			p.sm_length = (uint8_t)n;
		}
		before = th_balance(&A, "acme");
		tc_send(&c, &p);
		ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000),
		    ESME_ROK);
		charged = before - th_balance(&A, "acme");
		sent = parts_sent(&u);
		ck_assert_msg(charged == sent && sent == m[i].parts,
		    "case %zu: charged %g, sent %d, expected %d", i, charged,
		    sent, m[i].parts);
	}
	tc_close(&c);
	tc_close(&u);
}
END_TEST

/* No phone number and no message text in any line of either log. */
START_TEST(test_log_privacy)
{
	static const char *const secrets[] = {
		"447700900111", "4915112345678", "447700900123",
		"secret words", "private hello"
	};
	struct tc	 c, u;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];
	struct dlr	 d;
	size_t		 i;

	start_with("log_privacy = yes\n", "");
	upstream(&u);
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	/* MT, a temporary failure, then accepted; its receipt. */
	ck_assert_uint_eq(tc_submit_rd(&c, "447700900111", "4915112345678",
	    "secret words", 1, id), ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, ESME_RSYSERR, NULL);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, 0, "777");
	smsc_deliver(&u, "4915112345678", "447700900111", ESM_TYPE_RECEIPT,
	    "id:777 sub:001 dlvrd:001 submit date:2611290600 done "
	    "date:2611290601 stat:DELIVRD err:000 text:secret words", NULL,
	    0);
	receipt(&c, &d, rid);
	ck_assert_str_eq(rid, id);
	/* MO. */
	smsc_deliver(&u, "447700900123", "5599", 0, "private hello", NULL, 0);
	ck_assert_int_eq(tc_deliver(&c, 5000), 1);
	ck_assert(th_wait_log(A.connlog, "********0123", 5000));
	ck_assert(th_wait_log(A.log, "********0111", 5000));
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		ck_assert_msg(!th_log_has(A.log, secrets[i]),
		    "%s in the smppd log", secrets[i]);
		ck_assert_msg(!th_log_has(A.connlog, secrets[i]),
		    "%s in the smppconn log", secrets[i]);
	}
	tc_close(&c);
	tc_close(&u);
}
END_TEST

/* The balance smppuser shows, in micro-units. */
static int64_t
balance_of(const char *user)
{
	char	 cmd[1400], line[256];
	int64_t	 v = -1;
	FILE	*fp;

	snprintf(cmd, sizeof(cmd), "%s/smppuser -d %s show %s", th_bindir,
	    A.db, user);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "balance ", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			ck_assert_int_eq(money_parse(line + 8 +
			    strspn(line + 8, " "), &v), 0);
		}
	pclose(fp);
	return v;
}

/* Wait until the balance is want (micro-units); 1 when it is. */
static int
balance_becomes(const char *user, int64_t want)
{
	int	 i;

	for (i = 0; i < 250; i++) {
		if (balance_of(user) == want)
			return 1;
		usleep(20000);
	}
	return 0;
}

/*
 * Early percent against an upstream that accepts, rejects and does not
 * answer; refund = undelivered and a receipt UNDELIV, twice.
 */
START_TEST(test_billing)
{
	struct tc	 c, u;

	uport = th_free_port();
	lfd = smsc_listen(uport);
	th_init(&A, "upbill");
	snprintf(A.sections, sizeof(A.sections),
	    "[connector up]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gateway\npassword = pw\nresponse_timeout = 1\n"
	    "reconnect_min = 1\n\n[mt-routes]\ndefault = up\n", uport);
	strlcpy(A.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(A.spool_keys));
	snprintf(A.userdb_keys, sizeof(A.userdb_keys),
	    "billing_log = %s/billing.log\n", A.dir);
	th_user(&A, "acme", "secret", "balance=10", "early_percent=50",
	    "refund=undelivered", NULL);
	th_start(&A);
	th_start_conn(&A);
	upstream(&u);
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	/* Accepted: the other half is charged. */
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312", "one", 0, NULL),
	    ESME_ROK);
	ck_assert_int_eq(balance_of("acme"), 9500000);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, 0, "u1");
	ck_assert(balance_becomes("acme", 9000000));
	/* Rejected: never the rest, and the half paid comes back. */
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3313", "two", 0, NULL),
	    ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, ESME_RINVDSTADR, NULL);
	ck_assert(balance_becomes("acme", 9000000));
	ck_assert(th_wait_log(A.connlog, "failed (upstream", 2000));
	/* No answer: tried again on a new session, charged when taken. */
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3314", "three", 0, NULL),
	    ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_int_eq(balance_of("acme"), 8500000);
	ck_assert(th_wait_log(A.connlog, "3314: attempt 1 failed", 5000));
	tc_close(&u);
	upstream(&u);
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_str_eq(u.p.destination_addr, "3314");
	ck_assert_int_eq(balance_of("acme"), 8500000);
	smsc_answer_submit(&u, 0, "u3");
	ck_assert(balance_becomes("acme", 8000000));
	/* UNDELIV for the first: all of it back, once. */
	smsc_deliver(&u, "3312", "ACME", ESM_TYPE_RECEIPT,
	    "id:u1 sub:001 dlvrd:000 submit date:2611290600 done "
	    "date:2611290601 stat:UNDELIV err:001 text:one", NULL, 0);
	ck_assert(balance_becomes("acme", 9000000));
	smsc_deliver(&u, "3312", "ACME", ESM_TYPE_RECEIPT,
	    "id:u1 sub:001 dlvrd:000 submit date:2611290600 done "
	    "date:2611290601 stat:UNDELIV err:001 text:one", NULL, 0);
	ck_assert(th_wait_log(A.connlog, "receipt for unknown id u1", 2000));
	ck_assert_int_eq(balance_of("acme"), 9000000);
	tc_close(&c);
	tc_close(&u);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conn_upstream");
	TCase	*tc = tcase_create("conn_upstream");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_receipts);
	tcase_add_test(tc, test_mo_and_throttle);
	tcase_add_test(tc, test_reconnect);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_charged_is_sent);
	tcase_add_test(tc, test_log_privacy);
	tcase_add_test(tc, test_billing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
