/*
 * check_sms.c - unit tests of sms.c: capacities, part counting and
 * splitting at the boundaries, concatenation UDH and SAR TLVs
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "pdu.h"
#include "sms.h"

#define BIG	(153 * 256 + 8)

static uint8_t		 buf[BIG];
static struct sms_part	 parts[SMS_MAX_PARTS + 8];

/* n octets of c in buf. */
static const uint8_t *
fill(uint8_t c, size_t n)
{
	memset(buf, c, n);
	return buf;
}

/* n UCS-2 units of 'A'. */
static const uint8_t *
fill_ucs2(size_t units)
{
	size_t	 i;

	for (i = 0; i < units; i++) {
		buf[2 * i] = 0x00;
		buf[2 * i + 1] = 'A';
	}
	return buf;
}

/* Split, check the count against sms_count_parts() and return it. */
static int
split(int dc, size_t len, enum sms_concat concat)
{
	int	 n;

	n = sms_split(dc, buf, len, concat, parts, SMS_MAX_PARTS);
	if (concat == SMS_CONCAT_UDH8)
		ck_assert_int_eq(sms_count_parts(dc, buf, len), n);
	return n;
}

static void
part_is(int i, size_t off, size_t len)
{
	ck_assert_uint_eq(parts[i].off, off);
	ck_assert_uint_eq(parts[i].len, len);
}

START_TEST(test_capacity)
{
	ck_assert_int_eq(sms_unit(DC_DEFAULT), 1);
	ck_assert_int_eq(sms_unit(DC_UCS2), 2);
	ck_assert_int_eq(sms_unit(DC_BINARY4), 1);
	ck_assert_int_eq(sms_unit(DC_LATIN1), 1);
	ck_assert_uint_eq(sms_part_capacity(DC_DEFAULT, SMS_CONCAT_UDH8, 0),
	    160);
	ck_assert_uint_eq(sms_part_capacity(DC_DEFAULT, SMS_CONCAT_UDH8, 1),
	    153);
	ck_assert_uint_eq(sms_part_capacity(DC_DEFAULT, SMS_CONCAT_UDH16, 1),
	    152);
	ck_assert_uint_eq(sms_part_capacity(DC_DEFAULT, SMS_CONCAT_SAR, 1),
	    153);
	ck_assert_uint_eq(sms_part_capacity(DC_IA5, SMS_CONCAT_UDH8, 1), 153);
	ck_assert_uint_eq(sms_part_capacity(DC_UCS2, SMS_CONCAT_UDH16, 0), 70);
	ck_assert_uint_eq(sms_part_capacity(DC_UCS2, SMS_CONCAT_UDH8, 1), 67);
	ck_assert_uint_eq(sms_part_capacity(DC_UCS2, SMS_CONCAT_UDH16, 1), 66);
	ck_assert_uint_eq(sms_part_capacity(DC_BINARY4, SMS_CONCAT_UDH8, 0),
	    140);
	ck_assert_uint_eq(sms_part_capacity(DC_BINARY4, SMS_CONCAT_UDH8, 1),
	    134);
	ck_assert_uint_eq(sms_part_capacity(DC_BINARY, SMS_CONCAT_UDH16, 1),
	    133);
	ck_assert_uint_eq(sms_part_capacity(DC_LATIN1, SMS_CONCAT_UDH8, 1),
	    134);
}
END_TEST

START_TEST(test_gsm_boundaries)
{
	fill('a', BIG);
	ck_assert_int_eq(split(DC_DEFAULT, 0, SMS_CONCAT_UDH8), 1);
	part_is(0, 0, 0);
	ck_assert_int_eq(split(DC_DEFAULT, 160, SMS_CONCAT_UDH8), 1);
	part_is(0, 0, 160);
	ck_assert_int_eq(split(DC_DEFAULT, 161, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 153);
	part_is(1, 153, 8);
	ck_assert_int_eq(split(DC_DEFAULT, 153 * 2, SMS_CONCAT_UDH8), 2);
	part_is(1, 153, 153);
	ck_assert_int_eq(split(DC_DEFAULT, 153 * 2 + 1, SMS_CONCAT_UDH8), 3);
	part_is(2, 306, 1);
	/* 16-bit reference */
	ck_assert_int_eq(split(DC_DEFAULT, 152 * 2, SMS_CONCAT_UDH16), 2);
	part_is(1, 152, 152);
	ck_assert_int_eq(split(DC_DEFAULT, 152 * 2 + 1, SMS_CONCAT_UDH16), 3);
	/* SAR: the SMSC adds an 8-bit-reference UDH */
	ck_assert_int_eq(split(DC_DEFAULT, 153 * 2, SMS_CONCAT_SAR), 2);
}
END_TEST

START_TEST(test_gsm_escapes)
{
	size_t	 i;

	/* 158 septets + euro = 160: one part */
	fill('a', 158);
	memcpy(buf + 158, "\x1b\x65", 2);
	ck_assert_int_eq(split(DC_DEFAULT, 160, SMS_CONCAT_UDH8), 1);
	/* 159 + euro = 161: two */
	fill('a', 159);
	memcpy(buf + 159, "\x1b\x65", 2);
	ck_assert_int_eq(split(DC_DEFAULT, 161, SMS_CONCAT_UDH8), 2);
	/* an escape straddling 153 moves whole to the next part */
	fill('a', 200);
	memcpy(buf + 152, "\x1b\x65", 2);
	ck_assert_int_eq(split(DC_DEFAULT, 200, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 152);
	part_is(1, 152, 48);
	/* ... but one that ends exactly at 153 stays */
	fill('a', 200);
	memcpy(buf + 151, "\x1b\x65", 2);
	ck_assert_int_eq(split(DC_DEFAULT, 200, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 153);
	/* 16-bit reference: straddling 152 */
	fill('a', 200);
	memcpy(buf + 151, "\x1b\x28", 2);
	ck_assert_int_eq(split(DC_DEFAULT, 200, SMS_CONCAT_UDH16), 2);
	part_is(0, 0, 151);
	/* escapes only: 80 of them are 160 septets, 81 need two parts */
	for (i = 0; i < 162; i += 2)
		memcpy(buf + i, "\x1b\x3c", 2);
	ck_assert_int_eq(split(DC_DEFAULT, 160, SMS_CONCAT_UDH8), 1);
	ck_assert_int_eq(split(DC_DEFAULT, 162, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 152);
	part_is(1, 152, 10);
}
END_TEST

START_TEST(test_ia5_escapes)
{
	/* IA5 brackets become GSM escapes on the air: two septets each */
	fill('[', 80);
	ck_assert_int_eq(split(DC_IA5, 80, SMS_CONCAT_UDH8), 1);
	fill('[', 81);
	ck_assert_int_eq(split(DC_IA5, 81, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 76);
	fill('a', 161);
	ck_assert_int_eq(split(DC_IA5, 160, SMS_CONCAT_UDH8), 1);
	ck_assert_int_eq(split(DC_IA5, 161, SMS_CONCAT_UDH8), 2);
}
END_TEST

START_TEST(test_ucs2_boundaries)
{
	fill_ucs2(200);
	ck_assert_int_eq(split(DC_UCS2, 140, SMS_CONCAT_UDH8), 1);
	ck_assert_int_eq(split(DC_UCS2, 142, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 134);
	part_is(1, 134, 8);
	ck_assert_int_eq(split(DC_UCS2, 134 * 2, SMS_CONCAT_UDH8), 2);
	ck_assert_int_eq(split(DC_UCS2, 134 * 2 + 2, SMS_CONCAT_UDH8), 3);
	ck_assert_int_eq(split(DC_UCS2, 132 * 2, SMS_CONCAT_UDH16), 2);
	part_is(0, 0, 132);
	ck_assert_int_eq(split(DC_UCS2, 132 * 2 + 2, SMS_CONCAT_UDH16), 3);
	/* an odd octet at the end counts as a unit, offsets stay even */
	ck_assert_int_eq(split(DC_UCS2, 141, SMS_CONCAT_UDH8), 2);
	part_is(1, 134, 7);
}
END_TEST

START_TEST(test_ucs2_surrogates)
{
	size_t	 i;

	/* 66 units, then a pair straddling unit 67 */
	fill_ucs2(100);
	memcpy(buf + 132, "\xd8\x3d\xde\x00", 4);
	ck_assert_int_eq(split(DC_UCS2, 200, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 132);
	part_is(1, 132, 68);
	/* a pair ending exactly at 67 units stays */
	fill_ucs2(100);
	memcpy(buf + 130, "\xd8\x3d\xde\x00", 4);
	ck_assert_int_eq(split(DC_UCS2, 200, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 134);
	/* 35 emoji are 70 units: one part */
	for (i = 0; i < 144; i += 4)
		memcpy(buf + i, "\xd8\x3d\xde\x00", 4);
	ck_assert_int_eq(split(DC_UCS2, 140, SMS_CONCAT_UDH8), 1);
	ck_assert_int_eq(split(DC_UCS2, 144, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 132);
	part_is(1, 132, 12);
	/* a lone high surrogate is a unit like any other */
	fill_ucs2(100);
	memcpy(buf + 132, "\xd8\x3d", 2);
	ck_assert_int_eq(split(DC_UCS2, 200, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 134);
}
END_TEST

START_TEST(test_binary_boundaries)
{
	fill(0xff, 300);
	ck_assert_int_eq(split(DC_BINARY4, 140, SMS_CONCAT_UDH8), 1);
	ck_assert_int_eq(split(DC_BINARY4, 141, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 134);
	part_is(1, 134, 7);
	ck_assert_int_eq(split(DC_BINARY, 133 * 2, SMS_CONCAT_UDH16), 2);
	ck_assert_int_eq(split(DC_BINARY, 133 * 2 + 1, SMS_CONCAT_UDH16), 3);
	/* a GSM escape octet means nothing in binary */
	fill(0x1b, 141);
	ck_assert_int_eq(split(DC_BINARY4, 141, SMS_CONCAT_UDH8), 2);
	part_is(0, 0, 134);
}
END_TEST

START_TEST(test_too_many_parts)
{
	fill('a', BIG);
	ck_assert_int_eq(sms_split(DC_DEFAULT, buf, 161, SMS_CONCAT_UDH8,
	    parts, 1), -1);
	ck_assert_int_eq(sms_split(DC_DEFAULT, buf, 160, SMS_CONCAT_UDH8,
	    parts, 1), 1);
	ck_assert_int_eq(sms_split(DC_DEFAULT, buf, 160, SMS_CONCAT_UDH8,
	    parts, 0), -1);
	ck_assert_int_eq(sms_split(DC_DEFAULT, buf, 153 * 255,
	    SMS_CONCAT_UDH8, parts, SMS_MAX_PARTS), 255);
	part_is(254, 153 * 254, 153);
	ck_assert_int_eq(sms_split(DC_DEFAULT, buf, 153 * 255 + 1,
	    SMS_CONCAT_UDH8, parts, SMS_MAX_PARTS), -1);
	/* never more than the UDH can number */
	ck_assert_int_eq(sms_split(DC_DEFAULT, buf, 153 * 255 + 1,
	    SMS_CONCAT_UDH8, parts, SMS_MAX_PARTS + 8), -1);
	/* counting has no limit: a 64K message_payload is billed whole */
	ck_assert_int_eq(sms_count_parts(DC_DEFAULT, buf, 153 * 256 + 1), 257);
}
END_TEST

START_TEST(test_udh_build_parse)
{
	struct sms_concat_info	 ci;
	uint8_t			 u[SMS_UDH_MAX];
	size_t			 hl;

	ck_assert_uint_eq(sms_udh_build(u, sizeof(u), 0x1A7, 0, 3, 2), 6);
	ck_assert_mem_eq(u, "\x05\x00\x03\xa7\x03\x02", 6);
	ck_assert_int_eq(sms_udh_parse(u, 6, &ci, &hl), 1);
	ck_assert_uint_eq(hl, 6);
	ck_assert_uint_eq(ci.ref, 0xA7);
	ck_assert_uint_eq(ci.total, 3);
	ck_assert_uint_eq(ci.seq, 2);
	ck_assert_int_eq(ci.ref16, 0);

	ck_assert_uint_eq(sms_udh_build(u, sizeof(u), 0x1234, 1, 2, 2), 7);
	ck_assert_mem_eq(u, "\x06\x08\x04\x12\x34\x02\x02", 7);
	ck_assert_int_eq(sms_udh_parse(u, 7, &ci, &hl), 1);
	ck_assert_uint_eq(hl, 7);
	ck_assert_uint_eq(ci.ref, 0x1234);
	ck_assert_uint_eq(ci.total, 2);
	ck_assert_uint_eq(ci.seq, 2);
	ck_assert_int_eq(ci.ref16, 1);

	/* too small a buffer */
	ck_assert_uint_eq(sms_udh_build(u, 6, 1, 1, 2, 1), 0);
	ck_assert_uint_eq(sms_udh_build(u, 5, 1, 0, 2, 1), 0);
}
END_TEST

START_TEST(test_udh_other_ies)
{
	/* application ports (IEI 0x05) before the concatenation IE */
	static const uint8_t	 ports[] = {
		0x0b, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0,
		0x00, 0x03, 0xab, 0x03, 0x02, 'h', 'i'
	};
	static const uint8_t	 noconcat[] = {
		0x06, 0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0, 'x'
	};
	static const uint8_t	 empty[] = { 0x00, 'x' };
	struct sms_concat_info	 ci;
	size_t			 hl = 0;

	ck_assert_int_eq(sms_udh_parse(ports, sizeof(ports), &ci, &hl), 1);
	ck_assert_uint_eq(hl, 12);
	ck_assert_uint_eq(ci.ref, 0xab);
	ck_assert_uint_eq(ci.total, 3);
	ck_assert_uint_eq(ci.seq, 2);
	ck_assert_int_eq(sms_udh_parse(noconcat, sizeof(noconcat), &ci, &hl),
	    0);
	ck_assert_uint_eq(hl, 7);
	ck_assert_int_eq(sms_udh_parse(empty, sizeof(empty), &ci, &hl), 0);
	ck_assert_uint_eq(hl, 1);
}
END_TEST

START_TEST(test_udh_malformed)
{
	static const struct {
		const char	*udh;
		size_t		 len;
	} bad[] = {
		{ "", 0 },				/* nothing */
		{ "\x05\x00\x03\x01\x02", 5 },		/* UDHL past the end */
		{ "\x03\x00\x03\x01", 4 },		/* IE past UDHL */
		{ "\x01\x00", 2 },			/* IE without length */
		{ "\x04\x00\x02\x01\x02", 5 },		/* concat IEDL 2 */
		{ "\x05\x08\x03\x01\x02\x01", 6 },	/* concat16 IEDL 3 */
		{ "\x05\x00\x03\x01\x00\x00", 6 },	/* total 0 */
		{ "\x05\x00\x03\x01\x02\x00", 6 },	/* seq 0 */
		{ "\x05\x00\x03\x01\x02\x03", 6 },	/* seq > total */
		{ "\x07\x05\x04\x0b\x84\x23\xf0\x00", 8 }, /* IE past UDHL */
	};
	struct sms_concat_info	 ci;
	size_t			 i, hl;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(sms_udh_parse((const uint8_t *)bad[i].udh,
		    bad[i].len, &ci, &hl) == -1, "case %zu", i);
}
END_TEST

START_TEST(test_sar)
{
	static const uint8_t	 ref[2] = { 0x01, 0x02 }, tot = 3, seq = 2,
				 zero = 0;
	struct sms_concat_info	 ci;
	struct pdu		 p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(sms_sar_parse(&p, &ci), 0);
	p.tlv[0] = (struct pdu_tlv){ TLV_SAR_MSG_REF_NUM, 2, ref };
	p.tlv[1] = (struct pdu_tlv){ TLV_SAR_TOTAL_SEGMENTS, 1, &tot };
	p.ntlv = 2;
	ck_assert_int_eq(sms_sar_parse(&p, &ci), -1);
	p.tlv[2] = (struct pdu_tlv){ TLV_SAR_SEGMENT_SEQNUM, 1, &seq };
	p.ntlv = 3;
	ck_assert_int_eq(sms_sar_parse(&p, &ci), 1);
	ck_assert_uint_eq(ci.ref, 0x0102);
	ck_assert_uint_eq(ci.total, 3);
	ck_assert_uint_eq(ci.seq, 2);
	ck_assert_int_eq(ci.ref16, 1);
	p.tlv[2].val = &zero;
	ck_assert_int_eq(sms_sar_parse(&p, &ci), -1);
	p.tlv[2] = (struct pdu_tlv){ TLV_SAR_SEGMENT_SEQNUM, 2, ref };
	ck_assert_int_eq(sms_sar_parse(&p, &ci), -1);
}
END_TEST

/* Where the escape pairs from off on end after len octets. */
static size_t
gsm_atoms_end(size_t off, size_t len, size_t total)
{
	size_t	 i = off;

	while (i < off + len)
		i += buf[i] == GSM_ESC && i + 1 < total ? 2 : 1;
	return i;
}

/*
 * Random content: parts are contiguous, cover it all, start at even
 * offsets in UCS-2, and never end between 0x1B and its code; random
 * UDHs parse inside their bounds.
 */
START_TEST(test_random_input)
{
	static const int	 dcs[] = { DC_DEFAULT, DC_IA5, DC_UCS2, 4 };
	struct sms_concat_info	 ci;
	uint32_t		 seed = 777;
	size_t			 i, len, off, hl;
	int			 round, n, p, dc;

	for (round = 0; round < 5000; round++) {
		dc = dcs[round % 4];
		len = (seed = seed * 1103515245 + 12345) >> 22;
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)((seed = seed * 1103515245 + 12345)
			    >> 24) & (round % 3 == 0 ? 0x1b : 0xff);
		n = sms_split(dc, buf, len, (enum sms_concat)(round % 3),
		    parts, SMS_MAX_PARTS);
		ck_assert_int_ge(n, 1);
		for (p = 0, off = 0; p < n; off += parts[p++].len) {
			ck_assert_uint_eq(parts[p].off, off);
			ck_assert(parts[p].len <= 160);
			if (dc == DC_UCS2)
				ck_assert_uint_eq(off % 2, 0);
			if (dc == DC_DEFAULT)
				ck_assert_uint_eq(gsm_atoms_end(off,
				    parts[p].len, len), off + parts[p].len);
		}
		ck_assert_uint_eq(off, len);
		hl = 0;
		if (sms_udh_parse(buf, len < 20 ? len : 20, &ci, &hl) >= 0)
			ck_assert(hl >= 1 && hl <= len);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sms");
	TCase	*tc = tcase_create("sms");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_capacity);
	tcase_add_test(tc, test_gsm_boundaries);
	tcase_add_test(tc, test_gsm_escapes);
	tcase_add_test(tc, test_ia5_escapes);
	tcase_add_test(tc, test_ucs2_boundaries);
	tcase_add_test(tc, test_ucs2_surrogates);
	tcase_add_test(tc, test_binary_boundaries);
	tcase_add_test(tc, test_too_many_parts);
	tcase_add_test(tc, test_udh_build_parse);
	tcase_add_test(tc, test_udh_other_ies);
	tcase_add_test(tc, test_udh_malformed);
	tcase_add_test(tc, test_sar);
	tcase_add_test(tc, test_random_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
