/*
 * check_conn_upstream.c - smppconn's smpp connector against a scripted
 * upstream SMSC played by the test: fields forwarded unchanged, receipts
 * found by an id in another spelling (hex for decimal, leading zeros),
 * intermediate receipts, receipts by TLV alone, unknown ids, MO with and
 * without a route, ESME_RTHROTTLED retried, answers only after commit;
 * the three error classes; interop with SMSCs that are not smppd:
 * window, enquire_link both ways, unbind from the SMSC, a refused bind
 * retried after a second, ids in decimal, hex of any case and UUIDs
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
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "connstate.h"
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
	/* Throttled: tried again at once, at a lower rate. */
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312", "again", 0, NULL),
	    ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, ESME_RTHROTTLED, NULL);
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_str_eq(u.p.destination_addr, "3312");
	smsc_answer_submit(&u, 0, "777");
	ck_assert(th_wait_log(A.connlog, "throttled by the upstream: send "
	    "rate", 1000));
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


/* The upstream's listening socket, and A's folder. */
static void
listen_as(const char *name)
{
	uport = th_free_port();
	lfd = smsc_listen(uport);
	th_init(&A, name);
}

/* A's smppd and smppconn, with A.sections as set. */
static void
launch(void)
{
	strlcpy(A.spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(A.spool_keys));
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
}

/* smppconn bound upstream, a client bound to A. */
static void
both_ends(struct tc *c, struct tc *u)
{
	upstream(u);
	tc_connect(c, A.port);
	ck_assert_uint_eq(tc_bind(c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
}

static int
rate_below(const struct connstate *s, void *arg)
{
	(void)arg;
	return s->throttled == 1 && s->rate > 0 && s->rate < s->throughput;
}

static int
rate_full(const struct connstate *s, void *arg)
{
	(void)arg;
	return s->rate == s->throughput;
}

static int
ok_one(const struct connstate *s, void *arg)
{
	(void)arg;
	return s->ok == 1;
}

static int
all_counted(const struct connstate *s, void *arg)
{
	(void)arg;
	return s->permanent == 1;
}

static void
no_more_submit(struct tc *u)
{
	ck_assert_int_eq(tc_recv(u, 700), 0);
}

/* The upstream answers one message with status: its one receipt. */
static void
fails_once(struct tc *c, struct tc *u, const char *dst, uint32_t status,
    struct dlr *d)
{
	char	 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];

	ck_assert_uint_eq(tc_submit_rd(c, "ACME", dst, "once", 1, id),
	    ESME_ROK);
	smsc_next(u, SMPP_SUBMIT_SM);
	smsc_answer_submit(u, status, NULL);
	receipt(c, d, rid);
	ck_assert_str_eq(rid, id);
	no_more_submit(u);
}

/*
 * The three classes: throttling slows the connector and it recovers,
 * transient fails over to the route's next connector, permanent (here
 * by an override) ends in one failure receipt, no retry.
 */
START_TEST(test_error_classes)
{
	struct tc		 c, u;
	struct dlr		 d;
	struct connstate	 st;

	listen_as("classes");
	snprintf(A.sections, sizeof(A.sections),
	    "[connector up]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gateway\npassword = pw\nthroughput = 100\n"
	    "permanent_errors = 0x45\n\n"
	    "[connector spare]\ntype = sink\n\n"
	    "[mt-routes]\n33 = up, spare\ndefault = up\n", uport);
	launch();
	both_ends(&c, &u);

	/* Throttling: the same connector again, at half the rate. */
	ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "4411", "slow", 0, NULL),
	    ESME_ROK);
	smsc_next(&u, SMPP_SUBMIT_SM);
	smsc_answer_submit(&u, ESME_RTHROTTLED, NULL);
	smsc_next(&u, SMPP_SUBMIT_SM);
	ck_assert_str_eq(u.p.destination_addr, "4411");
	smsc_answer_submit(&u, 0, "1");
	ck_assert(th_wait_state(&A, "up", rate_below, NULL, 3000));
	ck_assert(th_conn_state(&A, "up", &st));
	ck_assert(st.rate >= 49 && st.rate <= 51);
	ck_assert(th_wait_log(A.connlog, "connector up: send rate back", 8000));
	ck_assert(th_wait_state(&A, "up", rate_full, NULL, 3000));

	/* Transient: failed over to the sink at once, receipt from there. */
	fails_once(&c, &u, "3312", ESME_RSYSERR, &d);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert(th_wait_state(&A, "spare", ok_one, NULL, 3000));

	/* Permanent by the override: one REJECTD, err the status. */
	fails_once(&c, &u, "4412", ESME_RSUBMITFAIL, &d);
	ck_assert_str_eq(d.stat, "REJECTD");
	ck_assert_int_eq(d.err, 69);
	ck_assert_int_eq(tc_deliver(&c, 300), 0);
	ck_assert(th_wait_state(&A, "up", all_counted, NULL, 3000));
	ck_assert(th_conn_state(&A, "up", &st));
	ck_assert_uint_eq(st.throttled, 1);
	ck_assert_uint_eq(st.transient, 1);
	ck_assert_uint_eq(st.permanent, 1);
	ck_assert_uint_eq(st.ok, 1);
	ck_assert(st.up);
	ck_assert_int_eq(st.sessions, 1);
	ck_assert_str_eq(st.last_error, "upstream: ESME_RSUBMITFAIL");
	tc_close(&c);
	tc_close(&u);
}
END_TEST

static void
start_extra(const char *extra)
{
	listen_as("interop");
	snprintf(A.sections, sizeof(A.sections),
	    "[connector up]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gateway\npassword = pw\n%s\n"
	    "[mt-routes]\ndefault = up\n", uport, extra);
	launch();
}

static void
send_simple(struct tc *u, uint32_t cmd)
{
	uint8_t	 out[64];
	int	 n;

	n = pdu_encode_resp(cmd, 0, u->seq++, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	tc_send_raw(u, out, (size_t)n);
}

/*
 * Behaviours of SMSCs that are not smppd: the window is respected,
 * enquire_link goes both ways, an unbind from the SMSC is answered and
 * the connector binds again, a refused bind is retried no faster than
 * once a second.
 */
START_TEST(test_interop_session)
{
	struct tc	 c, u;
	struct pdu	 r;
	int64_t		 t0;
	uint32_t	 seqs[3];
	int		 i;

	start_extra("window = 3\nenquire_link = 1\nreconnect_min = 1\n"
	    "reconnect_max = 4\n");
	both_ends(&c, &u);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312", "w", 0,
		    NULL), ESME_ROK);
	/* Three in flight, no fourth until one is answered. */
	for (i = 0; i < 3; i++) {
		smsc_next(&u, SMPP_SUBMIT_SM);
		seqs[i] = u.p.sequence_number;
	}
	t0 = clock_mono_ms();
	while (clock_mono_ms() - t0 < 1500) {
		if (tc_recv(&u, 200) != 1)
			continue;
		ck_assert_uint_eq(u.p.command_id, SMPP_ENQUIRE_LINK);
		send_simple(&u, SMPP_ENQUIRE_LINK_RESP);
		u.seq--;	/* answers take the request's number */
	}
	pdu_init(&r, SMPP_SUBMIT_SM_RESP, seqs[0]);
	r.message_id = "1";
	tc_send(&u, &r);
	smsc_next(&u, SMPP_SUBMIT_SM);
	/* enquire_link from the SMSC is answered. */
	pdu_init(&r, SMPP_ENQUIRE_LINK, 0);
	tc_send(&u, &r);
	smsc_next(&u, SMPP_ENQUIRE_LINK_RESP);
	/* unbind from the SMSC: answered, then a new bind. */
	pdu_init(&r, SMPP_UNBIND, 0);
	tc_send(&u, &r);
	for (;;) {
		ck_assert_int_eq(tc_recv(&u, 5000), 1);
		if (u.p.command_id == SMPP_UNBIND_RESP)
			break;
	}
	tc_close(&u);
	upstream(&u);
	/* A refused bind: the next one not sooner than a second later. */
	tc_close(&u);
	memset(&u, 0, sizeof(u));
	u.fd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(u.fd, 0);
	ck_assert_int_eq(tc_recv(&u, 5000), 1);
	ck_assert_uint_eq(u.p.command_id, SMPP_BIND_TRANSCEIVER);
	pdu_init(&r, SMPP_BIND_TRANSCEIVER_RESP, u.p.sequence_number);
	r.command_status = ESME_RBINDFAIL;
	r.flags |= PDU_F_NOBODY;
	tc_send(&u, &r);
	t0 = clock_mono_ms();
	tc_close(&u);
	upstream(&u);
	ck_assert_int_ge(clock_mono_ms() - t0, 950);
	tc_close(&u);
	tc_close(&c);
}
END_TEST

/* The SMSC's id in decimal, hex of any case or a UUID; TLV or text. */
START_TEST(test_interop_ids)
{
	static const struct {
		const char	*given;		/* in submit_sm_resp */
		const char	*text;		/* "id:" of the receipt */
		const char	*tlv;		/* receipted_message_id */
	} cases[] = {
		{ "12345", "12345", NULL },
		{ "12345", NULL, "12345" },
		{ "ABCDEF12", "abcdef12", NULL },
		{ "abcdef13", NULL, "ABCDEF13" },
		{ "6f9619ff-8b86-d011-b42d-00cf4fc964ff",
		    "6F9619FF-8B86-D011-B42D-00CF4FC964FF", NULL },
		{ "7f9619ff-8b86-d011-b42d-00cf4fc964ff", NULL,
		    "7f9619ff-8b86-d011-b42d-00cf4fc964ff" },
	};
	struct tc	 c, u;
	struct dlr	 d;
	char		 id[PDU_MESSAGE_ID_MAX], rid[PDU_MESSAGE_ID_MAX];
	char		 text[200];
	size_t		 i;

	start_extra("");
	both_ends(&c, &u);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_uint_eq(tc_submit_rd(&c, "ACME", "3312", "ids", 1,
		    id), ESME_ROK);
		smsc_next(&u, SMPP_SUBMIT_SM);
		smsc_answer_submit(&u, 0, cases[i].given);
		if (cases[i].text != NULL)
			snprintf(text, sizeof(text), "id:%s sub:001 dlvrd:001 "
			    "submit date:2611290600 done date:2611290601 "
			    "stat:DELIVRD err:000 text:ids", cases[i].text);
		else
			text[0] = '\0';
		smsc_deliver(&u, "3312", "ACME", ESM_TYPE_RECEIPT, text,
		    cases[i].tlv, cases[i].tlv != NULL ? MSTATE_DELIVERED :
		    0);
		receipt(&c, &d, rid);
		ck_assert_msg(strcmp(rid, id) == 0, "case %zu: %s, not %s",
		    i, rid, id);
		ck_assert_str_eq(d.stat, "DELIVRD");
	}
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
	tcase_add_test(tc, test_error_classes);
	tcase_add_test(tc, test_interop_session);
	tcase_add_test(tc, test_interop_ids);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
