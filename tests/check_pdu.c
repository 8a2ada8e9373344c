/*
 * check_pdu.c - unit tests of the PDU codec (pdu.c, pdu_encode.c,
 * pdu_check.c): round trips of every command, byte-exact vectors written
 * by hand from the v3.4 layouts, one test per validation error,
 * truncation at every byte and deterministic bit-flip mutation
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"
#include "pdu_samples.h"

/* A body under construction. */
struct bb {
	uint8_t	 b[2048];
	size_t	 n;
};

static void
bb_raw(struct bb *b, const void *s, size_t n)
{
	ck_assert_uint_le(b->n + n, sizeof(b->b));
	memcpy(b->b + b->n, s, n);
	b->n += n;
}

static void
bb_u8(struct bb *b, uint8_t v)
{
	bb_raw(b, &v, 1);
}

static void
bb_u16(struct bb *b, uint16_t v)
{
	bb_u8(b, v >> 8);
	bb_u8(b, v & 0xff);
}

/* A C-Octet String with its NUL. */
static void
bb_str(struct bb *b, const char *s)
{
	bb_raw(b, s, strlen(s) + 1);
}

/* n copies of c, without NUL. */
static void
bb_rep(struct bb *b, int c, size_t n)
{
	ck_assert_uint_le(b->n + n, sizeof(b->b));
	memset(b->b + b->n, c, n);
	b->n += n;
}

static char *
rep(int c, size_t n)
{
	static char	 s[4][300];
	static int	 k;
	char		*r = s[k++ % 4];

	ck_assert_uint_lt(n, sizeof(s[0]));
	memset(r, c, n);
	r[n] = '\0';
	return r;
}

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

/*
 * Decode header + body from an exactly-sized heap buffer, so that ASan
 * catches a read past the end.  The decoded PDU stays in *p (its strings
 * point into *bufp, which the caller frees).
 */
static uint32_t
decode_body(uint32_t cmd, uint32_t status, const struct bb *b,
    struct pdu *p, uint8_t **bufp)
{
	uint8_t		*buf;
	size_t		 len = PDU_HEADER_LEN + b->n;
	uint32_t	 st;

	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	put32(buf, (uint32_t)len);
	put32(buf + 4, cmd);
	put32(buf + 8, status);
	put32(buf + 12, 77);
	memcpy(buf + PDU_HEADER_LEN, b->b, b->n);
	st = pdu_decode(buf, len, p);
	ck_assert_uint_eq(p->command_id, cmd);
	ck_assert_uint_eq(p->sequence_number, 77);
	if (bufp != NULL)
		*bufp = buf;
	else {
		pdu_free(p);
		free(buf);
	}
	return st;
}

static uint32_t
dec(uint32_t cmd, const struct bb *b)
{
	struct pdu	 p;

	return decode_body(cmd, 0, b, &p, NULL);
}

/* submit_sm / deliver_sm up to and including destination_addr */
static void
sm_head(struct bb *b, const char *svc, const char *src, const char *dst)
{
	bb_str(b, svc);
	bb_u8(b, 1);
	bb_u8(b, 1);
	bb_str(b, src);
	bb_u8(b, 1);
	bb_u8(b, 1);
	bb_str(b, dst);
}

/* esm_class to sm_length, and the short message */
static void
sm_tail(struct bb *b, const char *sched, const char *valid,
    const char *sm)
{
	bb_raw(b, "\0\0\0", 3);
	bb_str(b, sched);
	bb_str(b, valid);
	bb_raw(b, "\1\0\0\0", 4);
	bb_u8(b, (uint8_t)strlen(sm));
	bb_raw(b, sm, strlen(sm));
}

static void
submit_body(struct bb *b)
{
	sm_head(b, "", "4477", "4478");
	sm_tail(b, "", "", "hi");
}

/* Encoding then decoding gives the same fields and the same octets. */
static void
roundtrip(const struct pdu *p, const char *name)
{
	struct pdu	 q;
	uint8_t		 buf[4096], again[4096];
	char		 why[64];
	int		 n, m;

	n = pdu_encode(p, buf, sizeof(buf));
	ck_assert_msg(n >= PDU_HEADER_LEN, "%s: encode %d", name, n);
	ck_assert_uint_eq(pdu_encoded_len(p), (size_t)n);
	ck_assert_msg(pdu_decode(buf, (size_t)n, &q) == ESME_ROK,
	    "%s: decode", name);
	ck_assert_uint_eq(q.command_length, (uint32_t)n);
	ck_assert_msg(sample_equal(p, &q, why, sizeof(why)), "%s: %s",
	    name, why);
	m = pdu_encode(&q, again, sizeof(again));
	ck_assert_int_eq(m, n);
	ck_assert_mem_eq(again, buf, (size_t)n);
	pdu_free(&q);
}

START_TEST(test_roundtrip)
{
	struct pdu	 p;
	int		 i;

	for (i = 0; sample_make(i, &p) == 0; i++)
		roundtrip(&p, sample_name(i));
	ck_assert_int_ge(i, 30);
}
END_TEST

/* Every command of section 4 is among the samples. */
START_TEST(test_roundtrip_covers_all)
{
	static const uint32_t	 ids[] = { SMPP_GENERIC_NACK,
	    SMPP_BIND_RECEIVER, SMPP_BIND_RECEIVER_RESP, SMPP_BIND_TRANSMITTER,
	    SMPP_BIND_TRANSMITTER_RESP, SMPP_QUERY_SM, SMPP_QUERY_SM_RESP,
	    SMPP_SUBMIT_SM, SMPP_SUBMIT_SM_RESP, SMPP_DELIVER_SM,
	    SMPP_DELIVER_SM_RESP, SMPP_UNBIND, SMPP_UNBIND_RESP,
	    SMPP_REPLACE_SM, SMPP_REPLACE_SM_RESP, SMPP_CANCEL_SM,
	    SMPP_CANCEL_SM_RESP, SMPP_BIND_TRANSCEIVER,
	    SMPP_BIND_TRANSCEIVER_RESP, SMPP_OUTBIND, SMPP_ENQUIRE_LINK,
	    SMPP_ENQUIRE_LINK_RESP, SMPP_SUBMIT_MULTI, SMPP_SUBMIT_MULTI_RESP,
	    SMPP_ALERT_NOTIFICATION, SMPP_DATA_SM, SMPP_DATA_SM_RESP };
	struct pdu	 p;
	size_t		 k;
	int		 i, found;

	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		ck_assert(pdu_known_command(ids[k]));
		found = 0;
		for (i = 0; sample_make(i, &p) == 0; i++)
			found |= p.command_id == ids[k];
		ck_assert_msg(found, "no sample of %s",
		    pdu_command_name(ids[k]));
	}
	ck_assert(!pdu_known_command(0x00000004 | 0x100));
}
END_TEST

/* Encode p, compare with the hand-made vector, decode the vector. */
static void
vector(const struct pdu *p, const uint8_t *v, size_t n, struct pdu *q)
{
	uint8_t		 buf[512];
	int		 len;

	len = pdu_encode(p, buf, sizeof(buf));
	ck_assert_int_eq(len, (int)n);
	ck_assert_mem_eq(buf, v, n);
	ck_assert_uint_eq(pdu_decode(v, n, q), ESME_ROK);
	ck_assert_uint_eq(q->command_length, n);
	ck_assert_uint_eq(q->command_id, p->command_id);
	ck_assert_uint_eq(q->command_status, p->command_status);
	ck_assert_uint_eq(q->sequence_number, p->sequence_number);
}

START_TEST(test_vector_bind_transmitter)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x1d,		/* command_length 29 */
		0x00, 0x00, 0x00, 0x02,		/* bind_transmitter */
		0x00, 0x00, 0x00, 0x00,		/* command_status */
		0x00, 0x00, 0x00, 0x01,		/* sequence_number */
		'e', 's', 'm', 'e', 0x00,	/* system_id */
		'p', 'w', 0x00,			/* password */
		0x00,				/* system_type */
		0x34,				/* interface_version */
		0x01, 0x01,			/* addr_ton, addr_npi */
		0x00				/* address_range */
	};
	struct pdu	 p, q;

	pdu_init(&p, SMPP_BIND_TRANSMITTER, 1);
	p.system_id = "esme";
	p.password = "pw";
	p.interface_version = 0x34;
	p.addr_ton = 1;
	p.addr_npi = 1;
	vector(&p, v, sizeof(v), &q);
	ck_assert_str_eq(q.system_id, "esme");
	ck_assert_str_eq(q.password, "pw");
	ck_assert_str_eq(q.system_type, "");
	ck_assert_uint_eq(q.interface_version, 0x34);
	ck_assert_uint_eq(q.addr_ton, 1);
	ck_assert_uint_eq(q.addr_npi, 1);
	ck_assert_str_eq(q.address_range, "");
	ck_assert_uint_eq(q.ntlv, 0);
}
END_TEST

START_TEST(test_vector_submit_sm)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x36,		/* command_length 54 */
		0x00, 0x00, 0x00, 0x04,		/* submit_sm */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02,
		0x00,				/* service_type */
		0x01, 0x01, '4', '4', '7', '7', 0x00,	/* source */
		0x01, 0x01, '4', '4', '7', '8', 0x00,	/* destination */
		0x00, 0x00, 0x00,		/* esm_class pid priority */
		0x00, 0x00,			/* schedule, validity */
		0x01,				/* registered_delivery */
		0x00, 0x00, 0x00,		/* replace, dcs, default id */
		0x02, 'h', 'i',			/* sm_length, short_message */
		0x02, 0x0c, 0x00, 0x02, 0x00, 0x2a,	/* sar_msg_ref_num */
		0x15, 0x01, 0x00, 0x01, 0xff		/* vendor TLV */
	};
	static const uint8_t ref[] = { 0x00, 0x2a }, vend[] = { 0xff };
	struct pdu	 p, q;
	uint32_t	 u;

	pdu_init(&p, SMPP_SUBMIT_SM, 2);
	p.source_addr_ton = p.source_addr_npi = 1;
	p.source_addr = "4477";
	p.dest_addr_ton = p.dest_addr_npi = 1;
	p.destination_addr = "4478";
	p.registered_delivery = 1;
	p.sm_length = 2;
	p.short_message = (const uint8_t *)"hi";
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_SAR_MSG_REF_NUM, 2, ref), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, 0x1501, 1, vend), 0);
	vector(&p, v, sizeof(v), &q);
	ck_assert_str_eq(q.source_addr, "4477");
	ck_assert_str_eq(q.destination_addr, "4478");
	ck_assert_uint_eq(q.registered_delivery, 1);
	ck_assert_uint_eq(q.sm_length, 2);
	ck_assert_mem_eq(q.short_message, "hi", 2);
	ck_assert_uint_eq(q.ntlv, 2);
	ck_assert_int_eq(pdu_tlv_uint(&q, TLV_SAR_MSG_REF_NUM, &u), 0);
	ck_assert_uint_eq(u, 42);
	ck_assert_uint_eq(q.tlv[1].tag, 0x1501);
	ck_assert_uint_eq(q.tlv[1].len, 1);
	ck_assert_uint_eq(q.tlv[1].val[0], 0xff);
}
END_TEST

START_TEST(test_vector_submit_sm_resp)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x14,
		0x80, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02,
		'a', 'b', 'c', 0x00		/* message_id */
	};
	static const uint8_t err[] = {
		0x00, 0x00, 0x00, 0x10,
		0x80, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x58,		/* ESME_RTHROTTLED */
		0x00, 0x00, 0x00, 0x09		/* and no body (4.4.2) */
	};
	struct pdu	 p, q;
	uint8_t		 buf[64];

	pdu_init(&p, SMPP_SUBMIT_SM_RESP, 2);
	p.message_id = "abc";
	vector(&p, v, sizeof(v), &q);
	ck_assert_str_eq(q.message_id, "abc");
	ck_assert_int_eq(q.flags & PDU_F_NOBODY, 0);

	/* An error response drops even a message_id the caller set. */
	pdu_init(&p, SMPP_SUBMIT_SM_RESP, 9);
	p.command_status = ESME_RTHROTTLED;
	p.message_id = "ignored";
	vector(&p, err, sizeof(err), &q);
	ck_assert_str_eq(q.message_id, "");
	ck_assert_int_ne(q.flags & PDU_F_NOBODY, 0);
	ck_assert_int_eq(pdu_encode_resp(SMPP_SUBMIT_SM, ESME_RTHROTTLED, 9,
	    buf, sizeof(buf)), 16);
	ck_assert_mem_eq(buf, err, sizeof(err));
}
END_TEST

START_TEST(test_vector_generic_nack)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x10,
		0x80, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03,		/* ESME_RINVCMDID */
		0x00, 0x00, 0x00, 0x05
	};
	struct pdu	 p, q;
	uint8_t		 buf[64];

	pdu_init(&p, SMPP_GENERIC_NACK, 5);
	p.command_status = ESME_RINVCMDID;
	vector(&p, v, sizeof(v), &q);
	ck_assert_int_eq(pdu_encode_resp(SMPP_GENERIC_NACK, ESME_RINVCMDID, 5,
	    buf, sizeof(buf)), 16);
	ck_assert_mem_eq(buf, v, sizeof(v));
}
END_TEST

START_TEST(test_vector_submit_multi)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x2b,		/* command_length 43 */
		0x00, 0x00, 0x00, 0x21,		/* submit_multi */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03,
		0x00,				/* service_type */
		0x00, 0x00, '1', 0x00,		/* source */
		0x02,				/* number_of_dests */
		0x01, 0x01, 0x01, '4', '4', 0x00,	/* SME address */
		0x02, 'd', 'l', 0x00,		/* distribution list */
		0x00, 0x00, 0x00, 0x00, 0x00,	/* esm .. validity */
		0x00, 0x00, 0x00, 0x00,		/* rd .. default id */
		0x01, 'x'			/* short message */
	};
	struct pdu_dest	 d[2] = { { 1, 1, 1, "44" }, { 2, 0, 0, "dl" } };
	struct pdu	 p, q;

	pdu_init(&p, SMPP_SUBMIT_MULTI, 3);
	p.source_addr = "1";
	p.number_of_dests = 2;
	p.dests = d;
	p.sm_length = 1;
	p.short_message = (const uint8_t *)"x";
	vector(&p, v, sizeof(v), &q);
	ck_assert_uint_eq(q.number_of_dests, 2);
	ck_assert_int_ne(q.flags & PDU_F_ALLOC, 0);
	ck_assert_uint_eq(q.dests[0].dest_flag, 1);
	ck_assert_uint_eq(q.dests[0].ton, 1);
	ck_assert_uint_eq(q.dests[0].npi, 1);
	ck_assert_str_eq(q.dests[0].addr, "44");
	ck_assert_uint_eq(q.dests[1].dest_flag, 2);
	ck_assert_str_eq(q.dests[1].addr, "dl");
	pdu_free(&q);
	ck_assert_ptr_null(q.dests);
	ck_assert_int_eq(q.flags & PDU_F_ALLOC, 0);
	pdu_free(&q);
}
END_TEST

START_TEST(test_vector_receipt)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x44,		/* command_length 68 */
		0x00, 0x00, 0x00, 0x05,		/* deliver_sm */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x04,
		0x00,
		0x01, 0x01, '4', '4', '7', '7', 0x00,
		0x00, 0x00, '1', 0x00,
		0x04, 0x00, 0x00,		/* esm_class: SMSC receipt */
		0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x12,				/* sm_length 18 */
		'i', 'd', ':', 'a', '1', ' ', 's', 't', 'a', 't', ':',
		'D', 'E', 'L', 'I', 'V', 'R', 'D',
		0x00, 0x1e, 0x00, 0x03, 'a', '1', 0x00,	/* receipted_message_id */
		0x04, 0x27, 0x00, 0x01, 0x02	/* message_state DELIVERED */
	};
	static const uint8_t state[] = { MSTATE_DELIVERED };
	struct pdu	 p, q;
	uint32_t	 u;
	char		 id[PDU_MESSAGE_ID_MAX];

	pdu_init(&p, SMPP_DELIVER_SM, 4);
	p.source_addr_ton = p.source_addr_npi = 1;
	p.source_addr = "4477";
	p.destination_addr = "1";
	p.esm_class = ESM_TYPE_RECEIPT;
	p.sm_length = 18;
	p.short_message = (const uint8_t *)"id:a1 stat:DELIVRD";
	pdu_tlv_add(&p, TLV_RECEIPTED_MESSAGE_ID, 3, "a1");
	pdu_tlv_add(&p, TLV_MESSAGE_STATE, 1, state);
	vector(&p, v, sizeof(v), &q);
	ck_assert_uint_eq(q.esm_class & ESM_TYPE_MASK, ESM_TYPE_RECEIPT);
	ck_assert_int_eq(pdu_tlv_str(&q, TLV_RECEIPTED_MESSAGE_ID, id,
	    sizeof(id)), 2);
	ck_assert_str_eq(id, "a1");
	ck_assert_int_eq(pdu_tlv_uint(&q, TLV_MESSAGE_STATE, &u), 0);
	ck_assert_uint_eq(u, MSTATE_DELIVERED);
}
END_TEST

START_TEST(test_vector_data_sm_resp_error)
{
	static const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x16,
		0x80, 0x00, 0x01, 0x03,		/* data_sm_resp */
		0x00, 0x00, 0x00, 0xfe,		/* ESME_RDELIVERYFAILURE */
		0x00, 0x00, 0x00, 0x06,
		0x00,				/* message_id: body kept */
		0x04, 0x25, 0x00, 0x01, 0x01	/* delivery_failure_reason */
	};
	static const uint8_t one[] = { 1 };
	struct pdu	 p, q;

	pdu_init(&p, SMPP_DATA_SM_RESP, 6);
	p.command_status = ESME_RDELIVERYFAILURE;
	pdu_tlv_add(&p, TLV_DELIVERY_FAILURE_REASON, 1, one);
	vector(&p, v, sizeof(v), &q);
	ck_assert_str_eq(q.message_id, "");
	ck_assert_uint_eq(q.ntlv, 1);
}
END_TEST

START_TEST(test_encode_resp)
{
	uint8_t		 buf[64];
	struct pdu	 q;

	/* status 0: an empty message_id where the PDU has one */
	ck_assert_int_eq(pdu_encode_resp(SMPP_DELIVER_SM, 0, 3, buf,
	    sizeof(buf)), 17);
	ck_assert_uint_eq(buf[7], 0x05);
	ck_assert_uint_eq(buf[4], 0x80);
	ck_assert_uint_eq(buf[16], 0);
	ck_assert_int_eq(pdu_encode_resp(SMPP_SUBMIT_MULTI_RESP, 0, 3, buf,
	    sizeof(buf)), 18);
	ck_assert_int_eq(pdu_encode_resp(SMPP_BIND_TRANSCEIVER, 0, 3, buf,
	    sizeof(buf)), 17);
	ck_assert_int_eq(pdu_encode_resp(SMPP_ENQUIRE_LINK, 0, 3, buf,
	    sizeof(buf)), 16);
	ck_assert_int_eq(pdu_encode_resp(SMPP_BIND_TRANSCEIVER,
	    ESME_RINVPASWD, 3, buf, sizeof(buf)), 16);
	ck_assert_int_eq(pdu_encode_resp(SMPP_QUERY_SM, ESME_RQUERYFAIL, 3,
	    buf, sizeof(buf)), 16);
	ck_assert_int_eq(pdu_encode_resp(SMPP_DELIVER_SM, ESME_RX_T_APPN, 3,
	    buf, sizeof(buf)), 16);
	/* submit_multi_resp and data_sm_resp keep their body */
	ck_assert_int_eq(pdu_encode_resp(SMPP_DATA_SM, ESME_RSYSERR, 3, buf,
	    sizeof(buf)), 17);
	ck_assert_uint_eq(pdu_decode(buf, 17, &q), ESME_ROK);
	ck_assert_int_eq(pdu_encode_resp(SMPP_SUBMIT_MULTI, ESME_RSYSERR, 3,
	    buf, sizeof(buf)), 18);
	/* no response exists */
	ck_assert_int_eq(pdu_encode_resp(SMPP_ALERT_NOTIFICATION, 0, 3, buf,
	    sizeof(buf)), -1);
	ck_assert_int_eq(pdu_encode_resp(SMPP_SUBMIT_SM, 0, 3, buf, 16), -1);
}
END_TEST

START_TEST(test_encode_errors)
{
	struct pdu_dest		 d = { 3, 0, 0, "x" };
	struct pdu		 p;
	uint8_t			 buf[512];
	int			 n, cap;

	pdu_init(&p, SMPP_BIND_TRANSCEIVER, 1);
	p.system_id = rep('s', 30);
	p.password = rep('p', 30);
	n = pdu_encode(&p, buf, sizeof(buf));
	ck_assert_int_eq(n, 16 + 31 + 31 + 1 + 3 + 1);
	for (cap = 0; cap < n; cap++)
		ck_assert_int_eq(pdu_encode(&p, buf, (size_t)cap), -1);
	p.system_id = rep('s', 31);
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	ck_assert_uint_eq(pdu_encoded_len(&p), 0);
	p.system_id = "s";
	p.password = rep('p', 31);
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);

	pdu_init(&p, SMPP_SUBMIT_SM, 1);
	p.sm_length = 255;
	p.short_message = (const uint8_t *)rep('m', 255);
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	p.sm_length = 254;
	ck_assert_int_gt(pdu_encode(&p, buf, sizeof(buf)), 254);
	p.short_message = NULL;
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	p.sm_length = 0;
	p.service_type = "CMTXYZ";
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	p.service_type = "CMT";
	p.destination_addr = rep('1', 65);
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	p.destination_addr = rep('1', 64);
	ck_assert_int_gt(pdu_encode(&p, buf, sizeof(buf)), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, 0x1400, 2, NULL), -1);
	p.tlv[0].tag = 0x1400;
	p.tlv[0].len = 2;
	p.tlv[0].val = NULL;
	p.ntlv = 1;
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);

	pdu_init(&p, SMPP_SUBMIT_MULTI, 1);
	p.number_of_dests = 255;
	p.dests = &d;
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	p.number_of_dests = 1;
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	d.dest_flag = 2;
	d.addr = rep('d', 21);
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	d.addr = rep('d', 20);
	ck_assert_int_gt(pdu_encode(&p, buf, sizeof(buf)), 0);

	pdu_init(&p, SMPP_SUBMIT_MULTI_RESP, 1);
	p.no_unsuccess = 255;
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);

	pdu_init(&p, 0x00000010, 1);
	ck_assert_int_eq(pdu_encode(&p, buf, sizeof(buf)), -1);
	ck_assert_int_eq(pdu_encode(&p, NULL, 100), -1);
}
END_TEST

START_TEST(test_header)
{
	uint8_t		 b[16] = { 0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0,
			    0x12, 0x34, 0x56, 0x78 };
	struct pdu_hdr	 h;

	ck_assert_uint_eq(pdu_header(b, 16, &h, 0), ESME_ROK);
	ck_assert_uint_eq(h.command_length, 16);
	ck_assert_uint_eq(h.command_id, SMPP_ENQUIRE_LINK);
	ck_assert_uint_eq(h.sequence_number, 0x12345678);
	ck_assert_uint_eq(pdu_header(b, 15, &h, 0), ESME_RINVCMDLEN);
	b[3] = 15;					/* < 16 */
	ck_assert_uint_eq(pdu_header(b, 16, &h, 0), ESME_RINVCMDLEN);
	b[3] = 0;
	b[2] = 0x10;					/* 4096 */
	ck_assert_uint_eq(pdu_header(b, 16, &h, 4096), ESME_ROK);
	ck_assert_uint_eq(pdu_header(b, 16, &h, 4095), ESME_RINVCMDLEN);
	b[0] = 0xff;					/* > default */
	ck_assert_uint_eq(pdu_header(b, 16, &h, 0), ESME_RINVCMDLEN);
}
END_TEST

START_TEST(test_err_cmdlen)
{
	uint8_t		 b[20] = { 0, 0, 0, 20, 0, 0, 0, 0x15, 0, 0, 0, 0,
			    0, 0, 0, 9 };
	struct pdu	 p;

	/* command_length must be the buffer's length */
	ck_assert_uint_eq(pdu_decode(b, 16, &p), ESME_RINVCMDLEN);
	ck_assert_uint_eq(p.command_id, SMPP_ENQUIRE_LINK);
	ck_assert_uint_eq(p.sequence_number, 9);
	b[3] = 15;
	ck_assert_uint_eq(pdu_decode(b, 15, &p), ESME_RINVCMDLEN);
	ck_assert_uint_eq(pdu_decode(b, 0, &p), ESME_RINVCMDLEN);
	b[3] = 16;
	ck_assert_uint_eq(pdu_decode(b, 16, &p), ESME_ROK);
}
END_TEST

START_TEST(test_err_cmdid)
{
	struct bb	 b = { .n = 0 };
	struct pdu	 p;

	ck_assert_uint_eq(decode_body(0x00000104, 0, &b, &p, NULL),
	    ESME_RINVCMDID);
	ck_assert_uint_eq(decode_body(0x8000000B, 0, &b, &p, NULL),
	    ESME_RINVCMDID);			/* outbind has no resp */
	ck_assert_uint_eq(decode_body(0x80000102, 0, &b, &p, NULL),
	    ESME_RINVCMDID);
}
END_TEST

START_TEST(test_err_system_id_30)
{
	struct bb	 b = { .n = 0 };
	struct pdu	 p;
	uint8_t		*buf;

	bb_str(&b, rep('s', 30));
	bb_str(&b, rep('p', 30));
	bb_str(&b, "");
	bb_raw(&b, "\x34\0\0\0", 4);
	ck_assert_uint_eq(decode_body(SMPP_BIND_TRANSCEIVER, 0, &b, &p, &buf),
	    ESME_ROK);
	ck_assert_uint_eq(strlen(p.system_id), 30);
	ck_assert_uint_eq(strlen(p.password), 30);
	free(buf);
}
END_TEST

START_TEST(test_err_system_id_31)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, rep('s', 31));
	bb_str(&b, "p");
	bb_str(&b, "");
	bb_raw(&b, "\x34\0\0\0", 4);
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSMITTER, &b), ESME_RINVSYSID);
}
END_TEST

START_TEST(test_err_password_31)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, "s");
	bb_str(&b, rep('p', 31));
	bb_str(&b, "");
	bb_raw(&b, "\x34\0\0\0", 4);
	ck_assert_uint_eq(dec(SMPP_BIND_RECEIVER, &b), ESME_RINVPASWD);
}
END_TEST

START_TEST(test_err_system_id_unterminated)
{
	struct bb	 b = { .n = 0 };

	bb_raw(&b, "abc", 3);
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSMITTER, &b), ESME_RINVSYSID);
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSMITTER_RESP, &b),
	    ESME_RINVSYSID);
	ck_assert_uint_eq(dec(SMPP_OUTBIND, &b), ESME_RINVSYSID);
}
END_TEST

START_TEST(test_err_password_unterminated)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, "sys");
	bb_raw(&b, "pw", 2);
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSCEIVER, &b), ESME_RINVPASWD);
}
END_TEST

START_TEST(test_err_system_type)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, "s");
	bb_str(&b, "p");
	bb_str(&b, rep('t', 13));
	bb_raw(&b, "\x34\0\0\0", 4);
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSMITTER, &b), ESME_RINVSYSTYP);
}
END_TEST

START_TEST(test_err_address_range)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, "s");
	bb_str(&b, "p");
	bb_str(&b, "");
	bb_raw(&b, "\x34\1\1", 3);
	bb_rep(&b, '4', 41);
	bb_u8(&b, 0);
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSMITTER, &b), ESME_RINVPARLEN);
}
END_TEST

START_TEST(test_err_int_missing)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, "s");
	bb_str(&b, "p");
	bb_str(&b, "");
	bb_raw(&b, "\x34\1", 2);	/* addr_npi missing */
	ck_assert_uint_eq(dec(SMPP_BIND_TRANSMITTER, &b), ESME_RINVCMDLEN);
	b.n = 0;
	sm_head(&b, "", "1", "2");	/* ends before esm_class */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVCMDLEN);
	b.n = 0;
	sm_head(&b, "", "1", "2");
	sm_tail(&b, "", "", "");
	b.n--;				/* sm_length missing */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVCMDLEN);
}
END_TEST

START_TEST(test_err_service_type)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "CMTXYZ", "1", "2");
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVSERTYP);
	b.n = 0;
	bb_raw(&b, "CMT", 3);
	ck_assert_uint_eq(dec(SMPP_CANCEL_SM, &b), ESME_RINVSERTYP);
}
END_TEST

START_TEST(test_err_source_addr)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", rep('1', 65), "2");
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVSRCADR);
	ck_assert_uint_eq(dec(SMPP_DELIVER_SM, &b), ESME_RINVSRCADR);
	b.n = 0;
	sm_head(&b, "", rep('1', 64), "2");	/* lenient: 64 is fine */
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_ROK);
	b.n = 0;
	bb_str(&b, "");
	bb_raw(&b, "\1\1", 2);
	bb_raw(&b, "447", 3);
	ck_assert_uint_eq(dec(SMPP_DATA_SM, &b), ESME_RINVSRCADR);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVSRCADR);
	b.n = 0;
	bb_str(&b, "id");
	bb_raw(&b, "\1\1", 2);
	bb_raw(&b, "447", 3);
	ck_assert_uint_eq(dec(SMPP_QUERY_SM, &b), ESME_RINVSRCADR);
	ck_assert_uint_eq(dec(SMPP_REPLACE_SM, &b), ESME_RINVSRCADR);
	b.n = 0;
	bb_raw(&b, "\1\1", 2);
	bb_raw(&b, "447", 3);
	ck_assert_uint_eq(dec(SMPP_ALERT_NOTIFICATION, &b), ESME_RINVSRCADR);
}
END_TEST

START_TEST(test_err_destination_addr)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", "1", rep('2', 65));
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVDSTADR);
	b.n = 0;
	bb_str(&b, "");
	bb_raw(&b, "\1\1", 2);
	bb_str(&b, "1");
	bb_raw(&b, "\1\1", 2);
	bb_raw(&b, "2", 1);
	ck_assert_uint_eq(dec(SMPP_DATA_SM, &b), ESME_RINVDSTADR);
}
END_TEST

START_TEST(test_err_esme_addr)
{
	struct bb	 b = { .n = 0 };

	bb_raw(&b, "\1\1", 2);
	bb_str(&b, "1");
	bb_raw(&b, "\1\1", 2);
	bb_rep(&b, 'e', 70);
	ck_assert_uint_eq(dec(SMPP_ALERT_NOTIFICATION, &b), ESME_RINVDSTADR);
}
END_TEST

START_TEST(test_err_schedule)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", "1", "2");
	sm_tail(&b, "2601020304050000+", "", "");	/* 17 characters */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVSCHED);
}
END_TEST

START_TEST(test_err_validity)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", "1", "2");
	sm_tail(&b, "", "2601020304050000+", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVEXPIRY);
}
END_TEST

START_TEST(test_err_message_id)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, rep('m', 65));
	bb_raw(&b, "\1\1", 2);
	bb_str(&b, "1");
	ck_assert_uint_eq(dec(SMPP_QUERY_SM, &b), ESME_RINVMSGID);
	b.n = 0;
	bb_raw(&b, "abc", 3);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM_RESP, &b), ESME_RINVMSGID);
	ck_assert_uint_eq(dec(SMPP_DATA_SM_RESP, &b), ESME_RINVMSGID);
	ck_assert_uint_eq(dec(SMPP_QUERY_SM_RESP, &b), ESME_RINVMSGID);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI_RESP, &b), ESME_RINVMSGID);
	b.n = 0;
	bb_str(&b, "");
	bb_raw(&b, "abc", 3);
	ck_assert_uint_eq(dec(SMPP_CANCEL_SM, &b), ESME_RINVMSGID);
}
END_TEST

START_TEST(test_err_final_date)
{
	struct bb	 b = { .n = 0 };

	bb_str(&b, "id");
	bb_str(&b, "2601020304050000+");
	bb_raw(&b, "\2\0", 2);
	ck_assert_uint_eq(dec(SMPP_QUERY_SM_RESP, &b), ESME_RINVPARLEN);
}
END_TEST

/* submit_multi up to number_of_dests */
static void
multi_head(struct bb *b, uint8_t ndests)
{
	bb_str(b, "");
	bb_raw(b, "\1\1", 2);
	bb_str(b, "1");
	bb_u8(b, ndests);
}

START_TEST(test_err_dl_name)
{
	struct bb	 b = { .n = 0 };

	multi_head(&b, 1);
	bb_u8(&b, 2);
	bb_str(&b, rep('d', 21));
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVDLNAME);
}
END_TEST

START_TEST(test_err_dest_sme_addr)
{
	struct bb	 b = { .n = 0 };

	multi_head(&b, 2);
	bb_raw(&b, "\2", 1);
	bb_str(&b, "dl");
	bb_raw(&b, "\1\1\1", 3);
	bb_rep(&b, '9', 65);
	bb_u8(&b, 0);
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVDSTADR);
}
END_TEST

START_TEST(test_err_number_of_dests)
{
	struct bb	 b = { .n = 0 };

	multi_head(&b, 0);
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVNUMDESTS);
	b.n = 0;
	multi_head(&b, 255);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVNUMDESTS);
	b.n = 0;
	multi_head(&b, 254);		/* ends in the list */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVCMDLEN);
}
END_TEST

START_TEST(test_err_dest_flag)
{
	struct bb	 b = { .n = 0 };

	multi_head(&b, 1);
	bb_u8(&b, 3);
	bb_str(&b, "x");
	sm_tail(&b, "", "", "");
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI, &b), ESME_RINVDESTFLAG);
}
END_TEST

START_TEST(test_err_unsuccess)
{
	struct bb	 b = { .n = 0 };
	struct pdu	 p;
	uint8_t		*buf;

	bb_str(&b, "m");
	bb_u8(&b, 255);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI_RESP, &b), ESME_RINVNUMDESTS);
	b.n = 0;
	bb_str(&b, "m");
	bb_u8(&b, 1);
	bb_raw(&b, "\1\1", 2);
	bb_raw(&b, "447", 3);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI_RESP, &b), ESME_RINVDSTADR);
	b.n--;
	bb_raw(&b, "\0\0\0\0", 4);	/* NUL, error_status_code cut */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_MULTI_RESP, &b), ESME_RINVCMDLEN);
	bb_u8(&b, 0x0b);
	ck_assert_uint_eq(decode_body(SMPP_SUBMIT_MULTI_RESP, 0, &b, &p,
	    &buf), ESME_ROK);
	ck_assert_uint_eq(p.no_unsuccess, 1);
	ck_assert_str_eq(p.unsuccess[0].addr, "44");
	ck_assert_uint_eq(p.unsuccess[0].error_status_code, ESME_RINVDSTADR);
	pdu_free(&p);
	free(buf);
}
END_TEST

START_TEST(test_err_sm_length_255)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", "1", "2");
	sm_tail(&b, "", "", "");
	b.b[b.n - 1] = 255;
	bb_rep(&b, 'x', 255);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVMSGLEN);
	b.b[b.n - 256] = 254;		/* 254 octets + 1 stray */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
	b.n--;
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_ROK);
}
END_TEST

START_TEST(test_err_sm_length_past_body)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", "1", "2");
	sm_tail(&b, "", "", "hello");
	b.n--;
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVMSGLEN);
	ck_assert_uint_eq(dec(SMPP_DELIVER_SM, &b), ESME_RINVMSGLEN);
	b.n = 0;
	bb_str(&b, "id");
	bb_raw(&b, "\1\1", 2);
	bb_str(&b, "1");
	bb_raw(&b, "\0\0\0\0", 4);
	bb_u8(&b, 10);
	bb_raw(&b, "short", 5);
	ck_assert_uint_eq(dec(SMPP_REPLACE_SM, &b), ESME_RINVMSGLEN);
}
END_TEST

START_TEST(test_err_tlv_header_cut)
{
	struct bb	 b = { .n = 0 };

	submit_body(&b);
	bb_raw(&b, "\x02\x0c\x00", 3);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
	b.n = 0;
	bb_u8(&b, 0x02);		/* a stray octet after enquire_link */
	ck_assert_uint_eq(dec(SMPP_ENQUIRE_LINK, &b), ESME_RINVOPTPARSTREAM);
}
END_TEST

START_TEST(test_err_tlv_past_body)
{
	struct bb	 b = { .n = 0 };

	submit_body(&b);
	bb_raw(&b, "\x04\x24\x00\x05" "abcd", 8);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
	b.n = 0;
	submit_body(&b);
	bb_raw(&b, "\x15\x00\xff\xff", 4);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
}
END_TEST

START_TEST(test_err_tlv_length)
{
	static const struct {
		uint16_t	 tag;
		uint16_t	 len;
	} bad[] = {
		{ TLV_SAR_MSG_REF_NUM, 1 }, { TLV_SAR_MSG_REF_NUM, 4 },
		{ TLV_SAR_TOTAL_SEGMENTS, 2 }, { TLV_QOS_TIME_TO_LIVE, 2 },
		{ TLV_MESSAGE_STATE, 0 }, { TLV_CALLBACK_NUM, 3 },
		{ TLV_CALLBACK_NUM, 20 }, { TLV_SOURCE_SUBADDRESS, 1 },
		{ TLV_DEST_SUBADDRESS, 24 }, { TLV_NETWORK_ERROR_CODE, 2 },
		{ TLV_RECEIPTED_MESSAGE_ID, 66 }, { TLV_USSD_SERVICE_OP, 2 },
		{ TLV_ALERT_ON_MESSAGE_DELIVERY, 2 },
		{ TLV_ADDITIONAL_STATUS_INFO_TEXT, 257 }
	};
	struct bb	 b;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.n = 0;
		submit_body(&b);
		bb_u16(&b, bad[i].tag);
		bb_u16(&b, bad[i].len);
		bb_rep(&b, '1', bad[i].len);
		ck_assert_msg(dec(SMPP_SUBMIT_SM, &b) == ESME_RINVPARLEN,
		    "tag 0x%04x len %u", bad[i].tag, bad[i].len);
		/* the same length under a vendor tag is kept */
		b.b[b.n - bad[i].len - 4] = 0x14;
		ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_ROK);
	}
}
END_TEST

START_TEST(test_err_sm_and_payload)
{
	struct bb	 b = { .n = 0 };
	struct pdu	 p;
	uint8_t		*buf;

	submit_body(&b);
	bb_raw(&b, "\x04\x24\x00\x03" "abc", 7);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARAMVAL);
	ck_assert_uint_eq(dec(SMPP_DELIVER_SM, &b), ESME_RINVOPTPARAMVAL);
	/* an empty message_payload beside short_message is harmless */
	b.n = 0;
	submit_body(&b);
	bb_raw(&b, "\x04\x24\x00\x00", 4);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_ROK);
	/* sm_length 0 with message_payload is the normal case */
	b.n = 0;
	sm_head(&b, "", "1", "2");
	sm_tail(&b, "", "", "");
	bb_raw(&b, "\x04\x24\x00\x03" "abc", 7);
	ck_assert_uint_eq(decode_body(SMPP_SUBMIT_SM, 0, &b, &p, &buf),
	    ESME_ROK);
	ck_assert_uint_eq(p.sm_length, 0);
	ck_assert_uint_eq(pdu_tlv_get(&p, TLV_MESSAGE_PAYLOAD)->len, 3);
	free(buf);
}
END_TEST

/* A standard TLV twice is refused; a vendor tag twice is kept. */
START_TEST(test_err_duplicate_tlv)
{
	struct bb	 b = { .n = 0 };

	sm_head(&b, "", "1", "2");
	sm_tail(&b, "", "", "");
	bb_raw(&b, "\x04\x24\x00\x00", 4);
	bb_raw(&b, "\x04\x24\x00\x03" "abc", 7);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
	ck_assert_uint_eq(dec(SMPP_DATA_SM, &b), ESME_RINVOPTPARSTREAM);
	b.n = 0;
	submit_body(&b);
	bb_raw(&b, "\x02\x05\x00\x01\x01", 5);
	bb_raw(&b, "\x02\x05\x00\x01\x02", 5);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
	b.n = 0;
	submit_body(&b);
	bb_raw(&b, "\x15\x00\x00\x01\x07", 5);
	bb_raw(&b, "\x15\x00\x00\x01\x08", 5);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_ROK);
}
END_TEST

START_TEST(test_err_too_many_tlvs)
{
	struct bb	 b = { .n = 0 };
	struct pdu	 p;
	uint8_t		*buf;
	int		 i;

	submit_body(&b);
	for (i = 0; i < PDU_MAX_TLV; i++)
		bb_raw(&b, "\x15\x00\x00\x01\x07", 5);
	ck_assert_uint_eq(decode_body(SMPP_SUBMIT_SM, 0, &b, &p, &buf),
	    ESME_ROK);
	ck_assert_uint_eq(p.ntlv, PDU_MAX_TLV);
	free(buf);
	bb_raw(&b, "\x15\x00\x00\x00", 4);
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVOPTPARSTREAM);
}
END_TEST

START_TEST(test_nobody)
{
	struct bb	 b = { .n = 0 };
	struct pdu	 p;
	uint8_t		*buf;

	ck_assert_uint_eq(decode_body(SMPP_SUBMIT_SM_RESP, ESME_RTHROTTLED, &b,
	    &p, &buf), ESME_ROK);
	ck_assert_int_ne(p.flags & PDU_F_NOBODY, 0);
	ck_assert_str_eq(p.message_id, "");
	free(buf);
	ck_assert_uint_eq(decode_body(SMPP_DELIVER_SM_RESP, 0, &b, &p, &buf),
	    ESME_ROK);
	ck_assert_str_eq(p.message_id, "");
	free(buf);
	ck_assert_uint_eq(decode_body(SMPP_BIND_TRANSCEIVER_RESP,
	    ESME_RINVPASWD, &b, &p, &buf), ESME_ROK);
	ck_assert_str_eq(p.system_id, "");
	free(buf);
	ck_assert_uint_eq(decode_body(SMPP_QUERY_SM_RESP, ESME_RQUERYFAIL,
	    &b, &p, &buf), ESME_ROK);
	ck_assert_str_eq(p.final_date, "");
	free(buf);
	ck_assert_uint_eq(decode_body(SMPP_SUBMIT_MULTI_RESP, ESME_RSYSERR,
	    &b, &p, &buf), ESME_ROK);
	ck_assert_uint_eq(p.no_unsuccess, 0);
	free(buf);
	/* a successful bind_resp needs its system_id */
	ck_assert_uint_eq(decode_body(SMPP_BIND_TRANSMITTER_RESP, 0, &b, &p,
	    NULL), ESME_RINVSYSID);
	ck_assert_uint_eq(decode_body(SMPP_QUERY_SM_RESP, 0, &b, &p, NULL),
	    ESME_RINVMSGID);
	/* requests always have their body */
	ck_assert_uint_eq(dec(SMPP_SUBMIT_SM, &b), ESME_RINVSERTYP);
	/* an error response may still come with a body */
	bb_str(&b, "");
	ck_assert_uint_eq(decode_body(SMPP_SUBMIT_SM_RESP, ESME_RSYSERR, &b,
	    &p, &buf), ESME_ROK);
	ck_assert_int_eq(p.flags & PDU_F_NOBODY, 0);
	free(buf);
}
END_TEST

/* pdu_check() on a valid submit_sm changed by one field. */
static void
check_submit(void (*change)(struct pdu *), uint32_t cmd, uint32_t want)
{
	struct pdu_dest	 d = { 1, 1, 1, "44" };
	struct pdu	 p;

	pdu_init(&p, cmd, 1);
	p.source_addr_ton = 1;
	p.source_addr_npi = 1;
	p.dest_addr_ton = 5;
	p.dest_addr_npi = 0;
	p.priority_flag = 3;
	p.registered_delivery = 0x1d;
	p.replace_if_present_flag = 1;
	p.schedule_delivery_time = "";
	p.validity_period = "000001000000000R";
	if (cmd == SMPP_SUBMIT_MULTI) {
		p.number_of_dests = 1;
		p.dests = &d;
	}
	if (change != NULL)
		change(&p);
	ck_assert_msg(pdu_check(&p) == want, "%s: 0x%x, want 0x%x",
	    pdu_command_name(cmd), pdu_check(&p), want);
}

static void ch_prio(struct pdu *p) { p->priority_flag = 4; }
static void ch_rd_res(struct pdu *p) { p->registered_delivery = 0x21; }
static void ch_rd_3(struct pdu *p) { p->registered_delivery = 0x03; }
static void ch_rep(struct pdu *p) { p->replace_if_present_flag = 2; }
static void ch_srcton(struct pdu *p) { p->source_addr_ton = 7; }
static void ch_srcnpi(struct pdu *p) { p->source_addr_npi = 2; }
static void ch_dstton(struct pdu *p) { p->dest_addr_ton = 7; }
static void ch_dstnpi(struct pdu *p) { p->dest_addr_npi = 5; }
static void ch_sched(struct pdu *p) { p->schedule_delivery_time = "x"; }
static void ch_valid(struct pdu *p) { p->validity_period =
    "261301000000000+"; }
static void ch_multi(struct pdu *p) { ((struct pdu_dest *)p->dests)->npi =
    7; }
static void ch_multiton(struct pdu *p) { ((struct pdu_dest *)p->dests)->ton =
    9; }
static void ch_both(struct pdu *p) { p->source_addr_ton = 9;
    p->priority_flag = 9; }
static void ch_npis(struct pdu *p) { p->source_addr_npi = 18;
    p->dest_addr_npi = 14; }

START_TEST(test_check)
{
	struct pdu	 p;

	check_submit(NULL, SMPP_SUBMIT_SM, ESME_ROK);
	check_submit(ch_prio, SMPP_SUBMIT_SM, ESME_RINVPRTFLG);
	check_submit(ch_rd_res, SMPP_SUBMIT_SM, ESME_RINVREGDLVFLG);
	check_submit(ch_rd_3, SMPP_SUBMIT_SM, ESME_RINVREGDLVFLG);
	check_submit(ch_rep, SMPP_SUBMIT_SM, ESME_RINVREPFLAG);
	check_submit(ch_srcton, SMPP_SUBMIT_SM, ESME_RINVSRCTON);
	check_submit(ch_srcnpi, SMPP_SUBMIT_SM, ESME_RINVSRCNPI);
	check_submit(ch_dstton, SMPP_SUBMIT_SM, ESME_RINVDSTTON);
	check_submit(ch_dstnpi, SMPP_SUBMIT_SM, ESME_RINVDSTNPI);
	check_submit(ch_sched, SMPP_SUBMIT_SM, ESME_RINVSCHED);
	check_submit(ch_valid, SMPP_SUBMIT_SM, ESME_RINVEXPIRY);
	check_submit(ch_both, SMPP_SUBMIT_SM, ESME_RINVSRCTON);
	check_submit(ch_npis, SMPP_SUBMIT_SM, ESME_ROK);
	/* deliver_sm: replace_if_present_flag is unused */
	check_submit(ch_rep, SMPP_DELIVER_SM, ESME_ROK);
	check_submit(ch_prio, SMPP_DELIVER_SM, ESME_RINVPRTFLG);
	check_submit(ch_dstnpi, SMPP_DELIVER_SM, ESME_RINVDSTNPI);
	/* data_sm: addresses and registered_delivery only */
	check_submit(ch_prio, SMPP_DATA_SM, ESME_ROK);
	check_submit(ch_rd_3, SMPP_DATA_SM, ESME_RINVREGDLVFLG);
	check_submit(ch_dstton, SMPP_DATA_SM, ESME_RINVDSTTON);
	/* submit_multi: each SME destination */
	check_submit(NULL, SMPP_SUBMIT_MULTI, ESME_ROK);
	check_submit(ch_multi, SMPP_SUBMIT_MULTI, ESME_RINVDSTNPI);
	check_submit(ch_multiton, SMPP_SUBMIT_MULTI, ESME_RINVDSTTON);
	check_submit(ch_rep, SMPP_SUBMIT_MULTI, ESME_RINVREPFLAG);
	check_submit(ch_dstton, SMPP_SUBMIT_MULTI, ESME_ROK);
	/* replace_sm: source, times, registered_delivery */
	check_submit(ch_valid, SMPP_REPLACE_SM, ESME_RINVEXPIRY);
	check_submit(ch_sched, SMPP_REPLACE_SM, ESME_RINVSCHED);
	check_submit(ch_rd_res, SMPP_REPLACE_SM, ESME_RINVREGDLVFLG);
	check_submit(ch_srcnpi, SMPP_REPLACE_SM, ESME_RINVSRCNPI);
	check_submit(ch_prio, SMPP_REPLACE_SM, ESME_ROK);
	/* bind interface_version is not checked */
	pdu_init(&p, SMPP_BIND_TRANSMITTER, 1);
	p.interface_version = 0x99;
	p.addr_ton = 77;
	ck_assert_uint_eq(pdu_check(&p), ESME_ROK);
}
END_TEST

/* A decode that succeeded must encode back to the same octets. */
static void
consistent(const uint8_t *buf, size_t len, struct pdu *p)
{
	uint8_t		 out[4096];
	int		 n;

	n = pdu_encode(p, out, sizeof(out));
	ck_assert_int_ge(n, PDU_HEADER_LEN);
	if ((size_t)n == len)
		ck_assert_mem_eq(out, buf, len);
	else {
		/* only an error response loses its body */
		ck_assert_int_eq(n, PDU_HEADER_LEN);
		ck_assert_uint_ne(p->command_status, 0);
		ck_assert_mem_eq(out + 4, buf + 4, 12);
	}
}

START_TEST(test_truncation)
{
	struct pdu	 p, q;
	uint8_t		 full[4096], *cut;
	int		 i, n, len, ok;

	for (i = 0; sample_make(i, &p) == 0; i++) {
		n = pdu_encode(&p, full, sizeof(full));
		ck_assert_int_gt(n, 0);
		for (len = 0; len < n; len++) {
			cut = malloc(len == 0 ? 1 : (size_t)len);
			ck_assert_ptr_nonnull(cut);
			memcpy(cut, full, (size_t)len);
			if (len >= 4)
				put32(cut, (uint32_t)len);
			ok = pdu_decode(cut, (size_t)len, &q) == ESME_ROK;
			if (len < PDU_HEADER_LEN)
				ck_assert(!ok);
			if (ok)
				consistent(cut, (size_t)len, &q);
			pdu_free(&q);
			free(cut);
		}
	}
}
END_TEST

/* xorshift32: deterministic across platforms */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

START_TEST(test_mutation)
{
	struct pdu	 p, q;
	uint8_t		 full[4096], *m;
	uint32_t	 seed = 0x5eed1234, r;
	int		 i, k, n, flips, nsamples, ok = 0;
	FILE		*devnull;

	devnull = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(devnull);
	for (nsamples = 0; sample_make(nsamples, &p) == 0; nsamples++)
		continue;
	for (i = 0; i < 6000; i++) {
		sample_make((int)(rnd(&seed) % (uint32_t)nsamples), &p);
		n = pdu_encode(&p, full, sizeof(full));
		m = malloc((size_t)n);
		ck_assert_ptr_nonnull(m);
		memcpy(m, full, (size_t)n);
		flips = 1 + (int)(rnd(&seed) % 4);
		for (k = 0; k < flips; k++) {
			r = rnd(&seed);
			/* mostly in the body, so that decoding gets far */
			if (r % 8 != 0 && n > PDU_HEADER_LEN)
				r = PDU_HEADER_LEN * 8 + r % (uint32_t)((n -
				    PDU_HEADER_LEN) * 8);
			else
				r %= (uint32_t)(n * 8);
			m[r / 8] ^= (uint8_t)(1 << (r % 8));
		}
		if (pdu_decode(m, (size_t)n, &q) == ESME_ROK) {
			ok++;
			(void)pdu_check(&q);
			ck_assert_int_eq(pdu_dump(devnull, &q, 0), 0);
			consistent(m, (size_t)n, &q);
		}
		pdu_free(&q);
		free(m);
	}
	fclose(devnull);
	/* both outcomes must have been exercised */
	ck_assert_int_gt(ok, 100);
	ck_assert_int_lt(ok, 5900);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("pdu");
	TCase	*tc = tcase_create("codec");
	TCase	*te = tcase_create("errors");
	TCase	*tr = tcase_create("robustness");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_roundtrip_covers_all);
	tcase_add_test(tc, test_vector_bind_transmitter);
	tcase_add_test(tc, test_vector_submit_sm);
	tcase_add_test(tc, test_vector_submit_sm_resp);
	tcase_add_test(tc, test_vector_generic_nack);
	tcase_add_test(tc, test_vector_submit_multi);
	tcase_add_test(tc, test_vector_receipt);
	tcase_add_test(tc, test_vector_data_sm_resp_error);
	tcase_add_test(tc, test_encode_resp);
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_nobody);
	tcase_add_test(tc, test_check);
	suite_add_tcase(s, tc);

	tcase_add_test(te, test_err_cmdlen);
	tcase_add_test(te, test_err_cmdid);
	tcase_add_test(te, test_err_system_id_30);
	tcase_add_test(te, test_err_system_id_31);
	tcase_add_test(te, test_err_password_31);
	tcase_add_test(te, test_err_system_id_unterminated);
	tcase_add_test(te, test_err_password_unterminated);
	tcase_add_test(te, test_err_system_type);
	tcase_add_test(te, test_err_address_range);
	tcase_add_test(te, test_err_int_missing);
	tcase_add_test(te, test_err_service_type);
	tcase_add_test(te, test_err_source_addr);
	tcase_add_test(te, test_err_destination_addr);
	tcase_add_test(te, test_err_esme_addr);
	tcase_add_test(te, test_err_schedule);
	tcase_add_test(te, test_err_validity);
	tcase_add_test(te, test_err_message_id);
	tcase_add_test(te, test_err_final_date);
	tcase_add_test(te, test_err_dl_name);
	tcase_add_test(te, test_err_dest_sme_addr);
	tcase_add_test(te, test_err_number_of_dests);
	tcase_add_test(te, test_err_dest_flag);
	tcase_add_test(te, test_err_unsuccess);
	tcase_add_test(te, test_err_sm_length_255);
	tcase_add_test(te, test_err_sm_length_past_body);
	tcase_add_test(te, test_err_tlv_header_cut);
	tcase_add_test(te, test_err_tlv_past_body);
	tcase_add_test(te, test_err_tlv_length);
	tcase_add_test(te, test_err_sm_and_payload);
	tcase_add_test(te, test_err_duplicate_tlv);
	tcase_add_test(te, test_err_too_many_tlvs);
	suite_add_tcase(s, te);

	tcase_set_timeout(tr, 120);
	tcase_add_test(tr, test_truncation);
	tcase_add_test(tr, test_mutation);
	suite_add_tcase(s, tr);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
