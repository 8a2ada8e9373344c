/*
 * check_dlr.c - unit tests of dlr.c: the receipt text we write, the
 * variants real SMSCs send, stat words and id comparison
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "dlr.h"
#include "pdu.h"

#define T_0305_1407	((time_t)1709647620)	/* 2024-03-05 14:07:00 UTC */
#define T_0305_1408_31	((time_t)1709647711)	/* 2024-03-05 14:08:31 UTC */
#define T_061019_1018	((time_t)1161253080)	/* 2006-10-19 10:18:00 UTC */

static struct dlr	 d;

static int
parse(const char *s)
{
	return dlr_parse(s, strlen(s), &d);
}

START_TEST(test_format)
{
	struct dlr	 r;
	char		 buf[256];
	int		 n;

	memset(&r, 0, sizeof(r));
	strlcpy(r.id, "smpps_01-18e1a2b3c4d5", sizeof(r.id));
	r.sub = 1;
	r.dlvrd = 1;
	r.submit_date = T_0305_1407;
	r.done_date = T_0305_1408_31;
	strlcpy(r.stat, "DELIVRD", sizeof(r.stat));
	r.err = 0;
	strlcpy(r.text, "Hello world, this is", sizeof(r.text));
	n = dlr_format(buf, sizeof(buf), &r);
	ck_assert_str_eq(buf, "id:smpps_01-18e1a2b3c4d5 sub:001 dlvrd:001 "
	    "submit date:2403051407 done date:2403051408 stat:DELIVRD err:000 "
	    "text:Hello world, this is");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(dlr_format(buf, (size_t)n, &r), -1);
	ck_assert_int_eq(dlr_format(buf, (size_t)n + 1, &r), n);

	/* unknown numbers as 000, wide err codes in full */
	r.sub = r.dlvrd = -1;
	r.err = 1234;
	strlcpy(r.stat, "UNDELIV", sizeof(r.stat));
	r.text[0] = '\0';
	dlr_format(buf, sizeof(buf), &r);
	ck_assert_ptr_nonnull(strstr(buf, " sub:000 dlvrd:000 "));
	ck_assert_ptr_nonnull(strstr(buf, " stat:UNDELIV err:1234 text:"));

	/* what we write, we read */
	r.err = 8;
	strlcpy(r.text, "hi", sizeof(r.text));
	dlr_format(buf, sizeof(buf), &r);
	ck_assert_int_eq(parse(buf), 0);
	ck_assert_str_eq(d.id, r.id);
	ck_assert_int_eq(d.sub, 0);
	ck_assert_int_eq(d.err, 8);
	ck_assert_int_eq(d.submit_date, T_0305_1407);
	ck_assert_int_eq(d.done_date, T_0305_1408_31 - 31);
	ck_assert_str_eq(d.stat, "UNDELIV");
	ck_assert_str_eq(d.text, "hi");
}
END_TEST

START_TEST(test_parse_spec_sample)
{
	ck_assert_int_eq(parse("id:0123456789 sub:001 dlvrd:001 submit "
	    "date:0610191018 done date:0610191018 stat:DELIVRD err:000 "
	    "text:This is a test message"), 0);
	ck_assert_str_eq(d.id, "0123456789");
	ck_assert_int_eq(d.sub, 1);
	ck_assert_int_eq(d.dlvrd, 1);
	ck_assert_int_eq(d.submit_date, T_061019_1018);
	ck_assert_int_eq(d.done_date, T_061019_1018);
	ck_assert_str_eq(d.stat, "DELIVRD");
	ck_assert_int_eq(d.err, 0);
	ck_assert_str_eq(d.text, "This is a test messa");
}
END_TEST

/* What a variant must parse to; NULL and -2 mean "do not check". */
static const struct variant {
	const char	*why;
	const char	*in;
	const char	*id;
	int		 sub, dlvrd;
	time_t		 submit, done;
	const char	*stat;
	int		 err;
	const char	*text;
} variants[] = {
	{ "Text: as in the spec, 12-digit dates, err of one digit",
	    "id:ABC123 sub:001 dlvrd:000 submit date:240305140700 "
	    "done date:240305140831 stat:UNDELIV err:1 Text:Hello",
	    "ABC123", 1, 0, T_0305_1407, T_0305_1408_31, "UNDELIV", 1,
	    "Hello" },
	{ "no text at all",
	    "id:77 sub:001 dlvrd:001 submit date:2403051407 "
	    "done date:2403051407 stat:DELIVRD err:000",
	    "77", 1, 1, T_0305_1407, T_0305_1407, "DELIVRD", 0, "" },
	{ "Nexmo: hex id, text:none",
	    "id:0C000000E0D6C20B sub:001 dlvrd:001 submit date:1101010000 "
	    "done date:1101010001 stat:DELIVRD err:000 text:none",
	    "0C000000E0D6C20B", 1, 1, -2, -2, "DELIVRD", 0, "none" },
	{ "Jasmin: no sub, dlvrd or text, err not numeric",
	    "id:3b4e0a6f-2a5e-4f7a-9a5d-3bd4e4e0c1aa submit date:2403051407 "
	    "done date:2403051408 stat:DELIVRD err:ND",
	    "3b4e0a6f-2a5e-4f7a-9a5d-3bd4e4e0c1aa", -1, -1, T_0305_1407,
	    T_0305_1407 + 60, "DELIVRD", -1, "" },
	{ "upper-case keys, extra spaces, unpadded numbers, a long stat",
	    "  ID: 12345   SUB:1  DLVRD:1 Submit_Date: 2403051407  "
	    "DONE DATE:2403051408 STAT: delivered ERR:7 TEXT: hi there  \r\n",
	    "12345", 1, 1, T_0305_1407, T_0305_1407 + 60, "DELIVRD", 7,
	    "hi there" },
	{ "extra fields in another order, err not numeric",
	    "stat:EXPIRED mcc:262 id:9 err: network:x",
	    "9", -1, -1, 0, 0, "EXPIRED", -1, "" },
	{ "an empty err before the next key",
	    "id:9 err: stat:DELIVRD", "9", -2, -2, -2, -2, "DELIVRD", -1, "" },
	{ "dates of neither 10 nor 12 digits, or impossible, are unknown",
	    "id:1 submit date:20240305 done date:2413051407 stat:REJECTD",
	    "1", -2, -2, 0, 0, "REJECTD", -2, NULL },
	{ "29 February, of a leap year only",
	    "id:5 stat:DELIVRD submit date:240229235959 "
	    "done date:2302290000", "5", -2, -2, (time_t)1709251199, 0,
	    "DELIVRD", -2, NULL },
	{ "large numbers are unknown, leading zeros are not",
	    "id:5 stat:DELIVRD sub:0000000000001 err:1234567890",
	    "5", 1, -2, -2, -2, NULL, -1, NULL },
	{ "an unknown stat word is kept, upper case, cut to 7",
	    "id:5 stat:scheduled", "5", -2, -2, -2, -2, "SCHEDUL", -2, NULL },
	{ "text is cut to 20 octets, never inside a UTF-8 character",
	    "id:5 stat:DELIVRD text:0123456789012345678\xc3\xa9xyz",
	    "5", -2, -2, -2, -2, "DELIVRD", -2, "0123456789012345678" },
	{ "text takes the rest, keys and all",
	    "id:5 stat:DELIVRD text:stat:UNDELIV x",
	    "5", -2, -2, -2, -2, "DELIVRD", -2, "stat:UNDELIV x" }
};

START_TEST(test_parse_variants)
{
	const struct variant	*v = &variants[_i];

	ck_assert_msg(parse(v->in) == 0, "%s", v->why);
	ck_assert_str_eq(d.id, v->id);
	if (v->sub != -2)
		ck_assert_int_eq(d.sub, v->sub);
	if (v->dlvrd != -2)
		ck_assert_int_eq(d.dlvrd, v->dlvrd);
	if (v->submit != -2)
		ck_assert_int_eq(d.submit_date, v->submit);
	if (v->done != -2)
		ck_assert_int_eq(d.done_date, v->done);
	if (v->stat != NULL)
		ck_assert_str_eq(d.stat, v->stat);
	if (v->err != -2)
		ck_assert_int_eq(d.err, v->err);
	if (v->text != NULL)
		ck_assert_str_eq(d.text, v->text);
}
END_TEST

START_TEST(test_parse_edges)
{
	char	 buf[128];

	/* an id and a stat are needed */
	ck_assert_int_eq(parse("sub:001 dlvrd:001 stat:DELIVRD"), -1);
	ck_assert_int_eq(parse("id:123 sub:001 dlvrd:001"), -1);
	ck_assert_int_eq(parse("id: stat:DELIVRD"), -1);
	ck_assert_int_eq(parse(""), -1);
	ck_assert_int_eq(parse("hello world"), -1);
	/* an id no message_id can be */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "id:", 3);
	strlcpy(buf + 3 + PDU_MESSAGE_ID_MAX, " stat:DELIVRD",
	    sizeof(buf) - 3 - PDU_MESSAGE_ID_MAX);
	ck_assert_int_eq(parse(buf), -1);
	/* not NUL-terminated: only len octets count */
	ck_assert_int_eq(dlr_parse("id:5 stat:ACCEPTD garbage", 17, &d), 0);
	ck_assert_str_eq(d.stat, "ACCEPTD");
	/* a NUL ends the text */
	ck_assert_int_eq(dlr_parse("id:5 stat:ACCEPTD\0err:9", 23, &d), 0);
	ck_assert_int_eq(d.err, -1);
}
END_TEST

START_TEST(test_stat)
{
	static const char *const words[] = {
		"ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV",
		"ACCEPTD", "UNKNOWN", "REJECTD"
	};
	int	 i;

	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(dlr_stat_state(words[i]), i + 1);
		ck_assert_str_eq(dlr_state_stat(i + 1), words[i]);
	}
	ck_assert_int_eq(dlr_stat_state("DELIVRD"), MSTATE_DELIVERED);
	ck_assert_int_eq(dlr_stat_state("delivrd"), MSTATE_DELIVERED);
	ck_assert_int_eq(dlr_stat_state("UNDELIVERABLE"),
	    MSTATE_UNDELIVERABLE);
	ck_assert_int_eq(dlr_stat_state("DELIV"), -1);
	ck_assert_int_eq(dlr_stat_state(""), -1);
	ck_assert_str_eq(dlr_state_stat(MSTATE_DELIVERED), "DELIVRD");
	ck_assert_str_eq(dlr_state_stat(0), "UNKNOWN");
	ck_assert_str_eq(dlr_state_stat(9), "UNKNOWN");
}
END_TEST

/* Pairs of ids and whether they are equal. */
static const struct {
	const char	*a, *b;
	int		 equal;
} id_pairs[] = {
	{ "12345", "12345", 1 },
	{ "00012345", "12345", 1 },
	{ "AbCdEf", "abcdef", 1 },
	{ "255", "ff", 1 },
	{ "FF", "255", 1 },
	{ "00ff", "0255", 1 },
	{ "0C000000E0D6C20B", "864691132227305995", 1 },	/* Nexmo */
	{ "10", "16", 1 },		/* digits alone: read both ways */
	{ "0", "000", 1 },
	{ "123", "124", 0 },
	{ "ff", "256", 0 },
	{ "msg-1", "MSG-1", 1 },
	{ "msg-1", "msg-2", 0 },
	{ "", "0", 0 },
	/* beyond 64 bits: strings only */
	{ "1234567890abcdef1", "01234567890ABCDEF1", 1 },
	{ "1234567890abcdef1", "1234567890abcdef2", 0 },
	{ "99999999999999999999999", "099999999999999999999999", 1 },
	{ "18446744073709551615", "ffffffffffffffff", 1 },
	{ "18446744073709551616", "10000000000000000", 0 }
};

START_TEST(test_id_equal)
{
	size_t	 i;

	for (i = 0; i < sizeof(id_pairs) / sizeof(id_pairs[0]); i++) {
		ck_assert_msg(dlr_id_equal(id_pairs[i].a, id_pairs[i].b) ==
		    id_pairs[i].equal, "%s %s", id_pairs[i].a, id_pairs[i].b);
		ck_assert_int_eq(dlr_id_equal(id_pairs[i].b, id_pairs[i].a),
		    id_pairs[i].equal);
	}
	/* a receipt's hex id against the decimal one submit_sm_resp gave */
	ck_assert_int_eq(parse("id:00001A2B sub:001 dlvrd:001 stat:DELIVRD"),
	    0);
	ck_assert_int_eq(dlr_id_equal(d.id, "6699"), 1);
	ck_assert_int_eq(dlr_id_equal(d.id, "6698"), 0);
}
END_TEST

START_TEST(test_id_normalize)
{
	char	 out[PDU_MESSAGE_ID_MAX];

	ck_assert_int_eq(dlr_id_normalize("000123", out, sizeof(out)), 3);
	ck_assert_str_eq(out, "123");
	ck_assert_int_eq(dlr_id_normalize("00ABC", out, sizeof(out)), 4);
	ck_assert_str_eq(out, "2748");
	ck_assert_int_eq(dlr_id_normalize("000", out, sizeof(out)), 1);
	ck_assert_str_eq(out, "0");
	ck_assert_int_eq(dlr_id_normalize("Msg-ID", out, sizeof(out)), 6);
	ck_assert_str_eq(out, "msg-id");
	ck_assert_int_eq(dlr_id_normalize("1234567890ABCDEF1", out,
	    sizeof(out)), 17);
	ck_assert_str_eq(out, "1234567890abcdef1");
	ck_assert_int_eq(dlr_id_normalize("123456", out, 6), -1);
	ck_assert_int_eq(dlr_id_normalize("abcdef", out, 4), -1);
	ck_assert_int_eq(dlr_id_normalize("abcdef", out, 0), -1);

	ck_assert_int_eq(dlr_id_alt("10", 0, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "16");
	ck_assert_int_eq(dlr_id_alt("016", 1, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "10");
	ck_assert_int_eq(dlr_id_alt("26", 1, out, sizeof(out)), 0);
	ck_assert_int_eq(dlr_id_alt("abc", 0, out, sizeof(out)), 0);
	ck_assert_int_eq(dlr_id_alt("12345678901234567", 0, out,
	    sizeof(out)), 0);
	ck_assert_int_eq(dlr_id_alt("10", 2, out, sizeof(out)), 0);
}
END_TEST

/* Equal exactly when one's key is the other's key or alternative. */
START_TEST(test_id_keys_match_equal)
{
	static const char *const ids[] = {
		"0", "10", "16", "22", "26", "1a", "001A", "ff", "255", "FF",
		"100", "256", "4096", "1000", "abc", "2748", "msg-1", "MSG-1",
		"12345678901234567890", "18446744073709551615",
		"ffffffffffffffff", "1234567890abcdef1"
	};
	char	 ka[PDU_MESSAGE_ID_MAX], kb[PDU_MESSAGE_ID_MAX];
	char	 alt[PDU_MESSAGE_ID_MAX];
	size_t	 i, j, n = sizeof(ids) / sizeof(ids[0]);
	int	 k, keyed;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			ck_assert_int_ge(dlr_id_normalize(ids[i], ka,
			    sizeof(ka)), 0);
			ck_assert_int_ge(dlr_id_normalize(ids[j], kb,
			    sizeof(kb)), 0);
			keyed = strcmp(ka, kb) == 0;
			for (k = 0; k < 2; k++)
				if (dlr_id_alt(ids[i], k, alt, sizeof(alt)) > 0
				    && strcmp(alt, kb) == 0)
					keyed = 1;
			ck_assert_msg(keyed == dlr_id_equal(ids[i], ids[j]),
			    "%s %s", ids[i], ids[j]);
		}
}
END_TEST

/* Random mixes of keys, values and noise never read out of bounds. */
START_TEST(test_random_input)
{
	static const char *const bits[] = {
		"id:", "ID :", "sub:", "dlvrd:", "submit date:", "done_date:",
		"stat:", "err:", "text:", " ", "  ", "DELIVRD", "0123456789",
		"2403051407", "240305140700", "\xc3\xa9", "\0", ":", "x", "ff"
	};
	char		 s[256];
	uint32_t	 seed = 4242;
	size_t		 len, k;
	int		 round;

	for (round = 0; round < 20000; round++) {
		len = 0;
		while ((seed = seed * 1103515245 + 12345) >> 28 != 0) {
			k = strlen(bits[(seed >> 8) % 20]);
			if (len + k > sizeof(s))
				break;
			memcpy(s + len, bits[(seed >> 8) % 20], k);
			len += k;
		}
		if (dlr_parse(s, len, &d) == 0) {
			ck_assert(d.id[0] != '\0' && d.stat[0] != '\0');
			ck_assert(strlen(d.text) <= 20);
			ck_assert(strlen(d.stat) <= 7);
		}
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dlr");
	TCase	*tc = tcase_create("dlr");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_parse_spec_sample);
	tcase_add_loop_test(tc, test_parse_variants, 0,
	    (int)(sizeof(variants) / sizeof(variants[0])));
	tcase_add_test(tc, test_parse_edges);
	tcase_add_test(tc, test_stat);
	tcase_add_test(tc, test_id_equal);
	tcase_add_test(tc, test_id_normalize);
	tcase_add_test(tc, test_id_keys_match_equal);
	tcase_add_test(tc, test_random_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
