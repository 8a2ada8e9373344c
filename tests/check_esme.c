/*
 * check_esme.c - unit tests of esme.c: framing, buffers and the blocking
 * helpers against a scripted peer on a socketpair, then a session with
 * the real smppd
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "esme.h"
#include "harness.h"
#include "pdu.h"

static struct esme	 E;
static int		 peer = -1;	/* the other end of E's socketpair */

static void
pair_setup(void)
{
	int	 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	esme_init(&E);
	ck_assert_int_eq(esme_attach(&E, sv[0]), 0);
	peer = sv[1];
}

static void
pair_teardown(void)
{
	esme_close(&E);
	if (peer != -1)
		close(peer);
	peer = -1;
}

/* Encode p (sequence number as given) into out; returns the length. */
static size_t
enc(struct pdu *p, uint8_t *out, size_t cap)
{
	int	 n;

	n = pdu_encode(p, out, cap);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static void
peer_write(const void *data, size_t len)
{
	ck_assert_int_eq(write(peer, data, len), (ssize_t)len);
}

static void
peer_send(struct pdu *p)
{
	uint8_t	 out[1024];

	peer_write(out, enc(p, out, sizeof(out)));
}

/* Read one whole PDU the esme wrote; decoded into p from buf. */
static void
peer_recv(uint8_t *buf, size_t cap, struct pdu *p)
{
	struct pollfd	 pfd = { peer, POLLIN, 0 };
	size_t		 have = 0, need = PDU_HEADER_LEN;
	ssize_t		 n;

	while (have < need) {
		ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
		n = read(peer, buf + have, need - have);
		ck_assert_int_gt(n, 0);
		have += (size_t)n;
		if (have == PDU_HEADER_LEN) {
			need = (size_t)buf[0] << 24 | buf[1] << 16 |
			    buf[2] << 8 | buf[3];
			ck_assert_uint_le(need, cap);
		}
	}
	ck_assert_uint_eq(pdu_decode(buf, need, p), ESME_ROK);
}

/* Read and take PDUs until one is whole; 1 with it, or what next says. */
static int
take(struct pdu *p, uint32_t *st)
{
	int	 i, rc;

	for (i = 0; i < 100; i++) {
		if ((rc = esme_next(&E, p, st)) != 0)
			return rc;
		if (esme_wait(&E, 100) == -1)
			return esme_next(&E, p, st);
	}
	return 0;
}

START_TEST(test_seq)
{
	esme_close(&E);
	esme_init(&E);
	ck_assert_uint_eq(esme_seq(&E), 1);
	ck_assert_uint_eq(esme_seq(&E), 2);
	E.next_seq = 0x7FFFFFFF;
	ck_assert_uint_eq(esme_seq(&E), 0x7FFFFFFF);
	ck_assert_uint_eq(esme_seq(&E), 1);
	ck_assert_int_eq(E.fd, -1);
	ck_assert_int_eq(esme_flush(&E), -1);
	ck_assert_int_eq(esme_read(&E), -1);
	esme_close(&E);
}
END_TEST

/* A PDU arriving one octet at a time is whole only with its last octet. */
START_TEST(test_split_octets)
{
	struct pdu	 p;
	uint8_t		 raw[256];
	uint32_t	 st;
	size_t		 n, i;

	pdu_init(&p, SMPP_SUBMIT_SM, 7);
	p.destination_addr = "447700900123";
	p.short_message = (const uint8_t *)"hello";
	p.sm_length = 5;
	n = enc(&p, raw, sizeof(raw));
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(esme_next(&E, &p, &st), 0);
		peer_write(raw + i, 1);
		ck_assert_int_eq(esme_read(&E), 1);
	}
	ck_assert_int_eq(esme_next(&E, &p, &st), 1);
	ck_assert_uint_eq(st, ESME_ROK);
	ck_assert_uint_eq(p.command_id, SMPP_SUBMIT_SM);
	ck_assert_uint_eq(p.sequence_number, 7);
	ck_assert_str_eq(p.destination_addr, "447700900123");
	ck_assert_int_eq(esme_next(&E, &p, &st), 0);
	ck_assert_int_eq(esme_read(&E), 0);
}
END_TEST

/* Several PDUs in one read come out one by one, in order. */
START_TEST(test_many_in_one_read)
{
	struct pdu	 p;
	uint8_t		 raw[4096];
	uint32_t	 st, i;
	size_t		 n = 0;

	for (i = 1; i <= 20; i++) {
		pdu_init(&p, SMPP_ENQUIRE_LINK, i);
		n += enc(&p, raw + n, sizeof(raw) - n);
	}
	/* and half of a twenty-first */
	pdu_init(&p, SMPP_ENQUIRE_LINK, 21);
	enc(&p, raw + n, sizeof(raw) - n);
	n += 8;
	peer_write(raw, n);
	ck_assert_int_eq(esme_read(&E), (int)n);
	for (i = 1; i <= 20; i++) {
		ck_assert_int_eq(esme_next(&E, &p, &st), 1);
		ck_assert_uint_eq(p.sequence_number, i);
	}
	ck_assert_int_eq(esme_next(&E, &p, &st), 0);
	peer_write(raw + n, 8);
	ck_assert_int_eq(esme_read(&E), 8);
	ck_assert_int_eq(esme_next(&E, &p, &st), 1);
	ck_assert_uint_eq(p.sequence_number, 21);
}
END_TEST

/* A command_length out of range loses the stream. */
START_TEST(test_bad_length)
{
	static const uint8_t short_len[16] = {
		0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1
	};
	static const uint8_t long_len[16] = {
		0, 0, 0x08, 0, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1
	};
	struct pdu	 p;
	uint32_t	 st;

	peer_write(short_len, sizeof(short_len));
	ck_assert_int_eq(esme_read(&E), 16);
	ck_assert_int_eq(esme_next(&E, &p, &st), -1);
	ck_assert_int_eq(E.fail, ESME_FAIL_PROTO);
	pair_teardown();
	pair_setup();
	E.max_pdu = 1024;	/* the header says 2048 */
	peer_write(long_len, sizeof(long_len));
	ck_assert_int_eq(esme_read(&E), 16);
	ck_assert_int_eq(esme_next(&E, &p, &st), -1);
	ck_assert_ptr_nonnull(strstr(E.err, "2048"));
}
END_TEST

/* A malformed body still comes out, with its header and the status. */
START_TEST(test_malformed_body)
{
	static const uint8_t raw[] = {
		0, 0, 0, 20, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9,
		'a', 'b', 'c', 'd'	/* system_id without its NUL */
	};
	struct pdu	 p;
	uint32_t	 st;

	peer_write(raw, sizeof(raw));
	ck_assert_int_eq(take(&p, &st), 1);
	ck_assert_uint_eq(st, ESME_RINVSYSID);
	ck_assert_uint_eq(p.command_id, SMPP_BIND_TRANSMITTER);
	ck_assert_uint_eq(p.sequence_number, 9);
}
END_TEST

/* A PDU much larger than one read grows the input buffer. */
START_TEST(test_large_pdu)
{
	static uint8_t	 payload[60000], raw[61000];
	struct pdu	 p;
	const struct pdu_tlv *t;
	uint32_t	 st;
	size_t		 n, off = 0;
	ssize_t		 w;

	memset(payload, 'x', sizeof(payload));
	payload[sizeof(payload) - 1] = 'y';
	pdu_init(&p, SMPP_DELIVER_SM, 3);
	p.destination_addr = "ME";
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, sizeof(payload),
	    payload), 0);
	n = enc(&p, raw, sizeof(raw));
	fcntl(peer, F_SETFL, O_NONBLOCK);
	while (off < n) {
		w = write(peer, raw + off, n - off);
		if (w > 0)
			off += (size_t)w;
		ck_assert_int_ge(esme_read(&E), 0);
	}
	ck_assert_int_eq(take(&p, &st), 1);
	ck_assert_uint_eq(st, ESME_ROK);
	t = pdu_tlv_get(&p, TLV_MESSAGE_PAYLOAD);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->len, sizeof(payload));
	ck_assert_int_eq(t->val[sizeof(payload) - 1], 'y');
}
END_TEST

/* Output beyond what the socket takes stays queued; POLLOUT is asked. */
START_TEST(test_flush_backpressure)
{
	static uint8_t	 sink[65536];
	struct pdu	 p;
	size_t		 total, got = 0;
	uint32_t	 i;
	ssize_t		 n;
	int		 rc;

	ck_assert_int_eq(esme_want(&E), POLLIN);
	for (i = 0; i < 40000; i++) {
		pdu_init(&p, SMPP_SUBMIT_SM, 0);
		p.destination_addr = "447700900123";
		p.short_message = (const uint8_t *)"backpressure";
		p.sm_length = 12;
		ck_assert_int_eq(esme_queue(&E, &p), 0);
		ck_assert_uint_eq(p.sequence_number, i + 1);
	}
	total = esme_pending(&E);
	ck_assert_int_eq(esme_flush(&E), 1);
	ck_assert_int_eq(esme_want(&E), POLLIN | POLLOUT);
	ck_assert_uint_lt(esme_pending(&E), total);
	fcntl(peer, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 100000 && got < total; i++) {
		rc = esme_flush(&E);
		ck_assert_int_ge(rc, 0);
		n = read(peer, sink, sizeof(sink));
		if (n > 0)
			got += (size_t)n;
	}
	ck_assert_uint_eq(got, total);
	ck_assert_int_eq(esme_flush(&E), 0);
	ck_assert_uint_eq(esme_pending(&E), 0);
	ck_assert_int_eq(esme_want(&E), POLLIN);
}
END_TEST

/* A pre-encoded PDU gets the sequence number it is given. */
START_TEST(test_queue_raw)
{
	struct pdu	 p;
	uint8_t		 tmpl[256], in[256];

	pdu_init(&p, SMPP_SUBMIT_SM, 1);
	p.destination_addr = "33612345678";
	p.short_message = (const uint8_t *)"template";
	p.sm_length = 8;
	ck_assert_int_eq(esme_queue_raw(&E, tmpl, enc(&p, tmpl, sizeof(tmpl)),
	    0x01020304), 0);
	ck_assert_int_eq(esme_queue_resp(&E, SMPP_DELIVER_SM, ESME_RSYSERR,
	    55), 0);
	ck_assert_int_eq(esme_queue_raw(&E, tmpl, 8, 1), -1);
	ck_assert_int_eq(esme_flush(&E), 0);
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.sequence_number, 0x01020304);
	ck_assert_str_eq(p.destination_addr, "33612345678");
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_DELIVER_SM_RESP);
	ck_assert_uint_eq(p.command_status, ESME_RSYSERR);
	ck_assert_uint_eq(p.sequence_number, 55);
}
END_TEST

/* What was read before the peer closed can still be taken. */
START_TEST(test_peer_closed)
{
	struct pdu	 p;
	uint32_t	 st;

	pdu_init(&p, SMPP_UNBIND, 4);
	peer_send(&p);
	close(peer);
	peer = -1;
	ck_assert_int_gt(esme_read(&E), 0);
	ck_assert_int_eq(esme_read(&E), -1);
	ck_assert_int_eq(E.fail, ESME_FAIL_CLOSED);
	ck_assert_int_eq(esme_next(&E, &p, &st), 1);
	ck_assert_uint_eq(p.command_id, SMPP_UNBIND);
	ck_assert_int_eq(esme_next(&E, &p, &st), 0);
}
END_TEST

static int	 n_other;

static void
other_fn(struct esme *e, const struct pdu *p, void *arg)
{
	ck_assert_ptr_eq(arg, &n_other);
	if (p->command_id == SMPP_SUBMIT_SM_RESP) {
		/* the stray answer: everything else is the caller's */
		ck_assert_uint_eq(p->sequence_number, 40);
		return;
	}
	n_other++;
	ck_assert_uint_eq(p->command_id, SMPP_DELIVER_SM);
	esme_queue_resp(e, p->command_id, ESME_RX_T_APPN, p->sequence_number);
}

/*
 * While waiting for its answer, transact answers enquire_link, hands
 * deliver_sm to other() (or answers it with status 0) and nacks an
 * unknown command; the answer itself may come after all of them.
 */
static void
transact_interleaved(int with_other)
{
	static const uint8_t unknown[16] = {
		0, 0, 0, 16, 0, 0, 0x09, 0x99, 0, 0, 0, 0, 0, 0, 3, 0x86
	};
	struct pdu	 req, resp, p;
	uint8_t		 in[512];

	E.next_seq = 41;
	pdu_init(&p, SMPP_ENQUIRE_LINK, 900);
	peer_send(&p);
	pdu_init(&p, SMPP_DELIVER_SM, 901);
	p.source_addr = "447700900123";
	peer_send(&p);
	peer_write(unknown, sizeof(unknown));
	pdu_init(&p, SMPP_SUBMIT_SM_RESP, 40);	/* not ours: ignored */
	p.message_id = "old";
	peer_send(&p);
	pdu_init(&p, SMPP_SUBMIT_SM_RESP, 41);
	p.message_id = "abc123";
	peer_send(&p);

	pdu_init(&req, SMPP_SUBMIT_SM, 0);
	req.destination_addr = "1";
	n_other = 0;
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 2000,
	    with_other ? other_fn : NULL, &n_other), 0);
	ck_assert_uint_eq(req.sequence_number, 41);
	ck_assert_uint_eq(resp.command_id, SMPP_SUBMIT_SM_RESP);
	ck_assert_str_eq(resp.message_id, "abc123");
	ck_assert_int_eq(n_other, with_other ? 1 : 0);
	ck_assert_int_eq(esme_flush(&E), 0);

	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_SUBMIT_SM);
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_ENQUIRE_LINK_RESP);
	ck_assert_uint_eq(p.sequence_number, 900);
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_DELIVER_SM_RESP);
	ck_assert_uint_eq(p.sequence_number, 901);
	ck_assert_uint_eq(p.command_status,
	    with_other ? ESME_RX_T_APPN : ESME_ROK);
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_GENERIC_NACK);
	ck_assert_uint_eq(p.command_status, ESME_RINVCMDID);
	ck_assert_uint_eq(p.sequence_number, 902);
}

START_TEST(test_transact_interleaved)
{
	transact_interleaved(0);
}
END_TEST

START_TEST(test_transact_other)
{
	transact_interleaved(1);
}
END_TEST

START_TEST(test_transact_timeout)
{
	struct pdu	 req, resp;

	pdu_init(&req, SMPP_ENQUIRE_LINK, 0);
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 100, NULL, NULL), -1);
	ck_assert_int_eq(E.fail, ESME_FAIL_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(E.err, "enquire_link_resp"));
}
END_TEST

START_TEST(test_transact_nack)
{
	struct pdu	 req, resp, p;

	pdu_init(&p, SMPP_GENERIC_NACK, 1);
	p.command_status = ESME_RINVCMDLEN;
	peer_send(&p);
	pdu_init(&req, SMPP_QUERY_SM, 0);
	req.message_id = "x";
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 2000, NULL, NULL), 0);
	ck_assert_uint_eq(resp.command_id, SMPP_GENERIC_NACK);
	ck_assert_uint_eq(resp.command_status, ESME_RINVCMDLEN);
}
END_TEST

/* An unbind from the peer is answered and ends the wait. */
START_TEST(test_transact_peer_unbind)
{
	struct pdu	 req, resp, p;
	uint8_t		 in[256];

	pdu_init(&p, SMPP_UNBIND, 77);
	peer_send(&p);
	pdu_init(&req, SMPP_ENQUIRE_LINK, 0);
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 2000, NULL, NULL), -1);
	ck_assert_int_eq(E.fail, ESME_FAIL_CLOSED);
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_ENQUIRE_LINK);
	peer_recv(in, sizeof(in), &p);
	ck_assert_uint_eq(p.command_id, SMPP_UNBIND_RESP);
	ck_assert_uint_eq(p.sequence_number, 77);
}
END_TEST

/* The answer written just before the close is still found. */
START_TEST(test_transact_answer_then_close)
{
	struct pdu	 req, resp, p;

	pdu_init(&p, SMPP_UNBIND_RESP, 1);
	peer_send(&p);
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(esme_unbind(&E, 2000), 0);
	close(peer);
	peer = -1;
	pdu_init(&req, SMPP_ENQUIRE_LINK, 0);
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 2000, NULL, NULL), -1);
	ck_assert(E.fail == ESME_FAIL_CLOSED || E.fail == ESME_FAIL_IO);
}
END_TEST

static int	 trace_in, trace_out;

static void
trace_fn(void *arg, int dir, const uint8_t *pdu, size_t len)
{
	ck_assert_ptr_null(arg);
	ck_assert_uint_ge(len, PDU_HEADER_LEN);
	ck_assert_uint_eq(len, (size_t)pdu[2] << 8 | pdu[3]);
	if (dir == ESME_TRACE_IN)
		trace_in++;
	else
		trace_out++;
}

START_TEST(test_trace)
{
	struct pdu	 p;
	uint32_t	 st;

	E.trace = trace_fn;
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	ck_assert_int_eq(esme_queue(&E, &p), 0);
	ck_assert_int_eq(esme_queue_resp(&E, SMPP_DELIVER_SM, 0, 5), 0);
	pdu_init(&p, SMPP_ENQUIRE_LINK_RESP, 1);
	peer_send(&p);
	ck_assert_int_eq(take(&p, &st), 1);
	ck_assert_int_eq(trace_out, 2);
	ck_assert_int_eq(trace_in, 1);
}
END_TEST

/* ---- against smppd ---- */

static struct th	 T;

static void
server_start(void)
{
	th_init(&T, "esme");
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
	esme_init(&E);
}

static void
server_stop(void)
{
	esme_close(&E);
	th_cleanup(&T);
}

START_TEST(test_server_session)
{
	struct pdu	 req, resp;
	uint32_t	 st;

	ck_assert_int_eq(esme_connect(&E, "127.0.0.1", T.port, 5000), 0);
	ck_assert_int_eq(esme_bind(&E, SMPP_BIND_TRANSCEIVER, "acme",
	    "secret", "", 5000, &st), 0);
	ck_assert_uint_eq(st, ESME_ROK);
	pdu_init(&req, SMPP_SUBMIT_SM, 0);
	req.source_addr = "ACME";
	req.destination_addr = "447700900123";
	req.short_message = (const uint8_t *)"hello";
	req.sm_length = 5;
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 5000, NULL, NULL), 0);
	ck_assert_uint_eq(resp.command_id, SMPP_SUBMIT_SM_RESP);
	ck_assert_uint_eq(resp.command_status, ESME_ROK);
	ck_assert_uint_gt(strlen(resp.message_id), 0);
	pdu_init(&req, SMPP_ENQUIRE_LINK, 0);
	ck_assert_int_eq(esme_transact(&E, &req, &resp, 5000, NULL, NULL), 0);
	ck_assert_uint_eq(resp.command_id, SMPP_ENQUIRE_LINK_RESP);
	ck_assert_int_eq(esme_unbind(&E, 5000), 0);
}
END_TEST

START_TEST(test_server_bad_password)
{
	uint32_t	 st;

	ck_assert_int_eq(esme_connect(&E, "localhost", T.port, 5000), 0);
	ck_assert_int_eq(esme_bind(&E, SMPP_BIND_TRANSMITTER, "acme", "wrong",
	    NULL, 5000, &st), 0);
	ck_assert_uint_eq(st, ESME_RINVPASWD);
}
END_TEST

START_TEST(test_server_refused)
{
	ck_assert_int_eq(esme_connect(&E, "127.0.0.1", th_free_port(), 2000),
	    -1);
	ck_assert_int_eq(E.fail, ESME_FAIL_IO);
	ck_assert_uint_gt(strlen(E.err), 0);
}
END_TEST

/* Non-blocking use: a window of submit_sm in flight, answers in order. */
START_TEST(test_server_pipelined)
{
	struct pdu	 req, p;
	uint32_t	 st, seq0, got = 0;
	int		 i, rc;

	ck_assert_int_eq(esme_connect(&E, "127.0.0.1", T.port, 5000), 0);
	ck_assert_int_eq(esme_bind(&E, SMPP_BIND_TRANSMITTER, "acme",
	    "secret", NULL, 5000, &st), 0);
	ck_assert_uint_eq(st, ESME_ROK);
	seq0 = E.next_seq;
	for (i = 0; i < 200; i++) {
		pdu_init(&req, SMPP_SUBMIT_SM, 0);
		req.destination_addr = "447700900123";
		req.short_message = (const uint8_t *)"pipelined";
		req.sm_length = 9;
		ck_assert_int_eq(esme_queue(&E, &req), 0);
	}
	for (i = 0; i < 1000 && got < 200; i++) {
		ck_assert_int_ge(esme_wait(&E, 100), 0);
		while ((rc = esme_next(&E, &p, &st)) == 1) {
			ck_assert_uint_eq(st, ESME_ROK);
			ck_assert_uint_eq(p.command_id, SMPP_SUBMIT_SM_RESP);
			ck_assert_uint_eq(p.command_status, ESME_ROK);
			ck_assert_uint_eq(p.sequence_number, seq0 + got);
			got++;
		}
		ck_assert_int_eq(rc, 0);
	}
	ck_assert_uint_eq(got, 200);
	ck_assert_int_eq(esme_unbind(&E, 5000), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("esme");
	TCase	*tc = tcase_create("socketpair");
	TCase	*ts = tcase_create("smppd");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, pair_setup, pair_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_seq);
	tcase_add_test(tc, test_split_octets);
	tcase_add_test(tc, test_many_in_one_read);
	tcase_add_test(tc, test_bad_length);
	tcase_add_test(tc, test_malformed_body);
	tcase_add_test(tc, test_large_pdu);
	tcase_add_test(tc, test_flush_backpressure);
	tcase_add_test(tc, test_queue_raw);
	tcase_add_test(tc, test_peer_closed);
	tcase_add_test(tc, test_transact_interleaved);
	tcase_add_test(tc, test_transact_other);
	tcase_add_test(tc, test_transact_timeout);
	tcase_add_test(tc, test_transact_nack);
	tcase_add_test(tc, test_transact_peer_unbind);
	tcase_add_test(tc, test_transact_answer_then_close);
	tcase_add_test(tc, test_trace);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ts, server_start, server_stop);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_server_session);
	tcase_add_test(ts, test_server_bad_password);
	tcase_add_test(ts, test_server_refused);
	tcase_add_test(ts, test_server_pipelined);
	suite_add_tcase(s, ts);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
