/*
 * check_charset.c - unit tests of charset.c: GSM 03.38 with its
 * extension table, UCS-2 with surrogate pairs, Latin-1, UTF-8
 * validation, data_coding dispatch and names
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "pdu.h"

#define S(lit)	lit, sizeof(lit) - 1

static const uint8_t gsm_ext_codes[] = {
	0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65
};
static const char *const gsm_ext_utf8[] = {
	"\f", "^", "{", "}", "\\", "[", "~", "]", "|", "\xe2\x82\xac"
};

/* Decode octets as GSM and return the UTF-8 (a static buffer). */
static const char *
gsm_dec(const uint8_t *in, size_t len)
{
	static char	 out[256];

	charset_gsm_to_utf8(in, len, out, sizeof(out));
	return out;
}

START_TEST(test_gsm_basic_round_trip)
{
	uint8_t		 code, back[4];
	const char	*u;
	ssize_t		 n;

	for (code = 0; code < 0x80; code++) {
		if (code == GSM_ESC)
			continue;
		u = gsm_dec(&code, 1);
		n = charset_utf8_to_gsm(u, strlen(u), back, sizeof(back));
		ck_assert_msg(n == 1 && back[0] == code, "code 0x%02x", code);
		ck_assert_int_eq(charset_gsm_septets(u, strlen(u)), 1);
		ck_assert_int_eq(charset_fits_gsm(u, strlen(u)), 1);
	}
}
END_TEST

START_TEST(test_gsm_extension_round_trip)
{
	uint8_t		 in[2], back[4];
	const char	*u;
	size_t		 i;

	for (i = 0; i < sizeof(gsm_ext_codes); i++) {
		in[0] = GSM_ESC;
		in[1] = gsm_ext_codes[i];
		u = gsm_dec(in, 2);
		ck_assert_str_eq(u, gsm_ext_utf8[i]);
		ck_assert_int_eq(charset_utf8_to_gsm(u, strlen(u), back,
		    sizeof(back)), 2);
		ck_assert_int_eq(back[0], GSM_ESC);
		ck_assert_int_eq(back[1], gsm_ext_codes[i]);
		ck_assert_int_eq(charset_gsm_septets(u, strlen(u)), 2);
	}
}
END_TEST

/* Whatever encodes to GSM decodes back to itself (c cedilla aside). */
START_TEST(test_gsm_every_bmp_character)
{
	uint8_t		 g[4];
	char		 u[8], back[8];
	uint32_t	 c;
	ssize_t		 n;
	size_t		 ul;
	int		 fits = 0;

	for (c = 1; c < 0x10000; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		charset_ucs2_to_utf8((const uint8_t[]){ c >> 8, c & 0xff }, 2,
		    u, sizeof(u));
		ul = strlen(u);
		if ((n = charset_utf8_to_gsm(u, ul, g, sizeof(g))) == -1) {
			ck_assert_int_eq(charset_gsm_cost(c), 0);
			continue;
		}
		fits++;
		ck_assert_int_eq(charset_gsm_cost(c), n);
		charset_gsm_to_utf8(g, (size_t)n, back, sizeof(back));
		if (c == 0xE7)
			ck_assert_str_eq(back, "\xc3\x87");
		else
			ck_assert_msg(strcmp(back, u) == 0, "U+%04X", c);
	}
	/* 127 basic (no escape), 10 extension, and small c cedilla */
	ck_assert_int_eq(fits, 127 + 10 + 1);
}
END_TEST

START_TEST(test_gsm_euro)
{
	uint8_t	 out[16];

	ck_assert_int_eq(charset_utf8_to_gsm(S("5\xe2\x82\xac"), out,
	    sizeof(out)), 3);
	ck_assert_mem_eq(out, "5\x1b\x65", 3);
	ck_assert_int_eq(charset_gsm_septets(S("5\xe2\x82\xac")), 3);
	ck_assert_int_eq(charset_choose(S("5\xe2\x82\xac")), DC_DEFAULT);
	ck_assert_str_eq(gsm_dec((const uint8_t *)"\x1b\x65", 2),
	    "\xe2\x82\xac");
}
END_TEST

START_TEST(test_gsm_cedilla)
{
	uint8_t	 out[4];

	ck_assert_int_eq(charset_utf8_to_gsm(S("\xc3\xa7"), out, 4), 1);
	ck_assert_int_eq(out[0], 0x09);
	ck_assert_int_eq(charset_utf8_to_gsm(S("\xc3\x87"), out, 4), 1);
	ck_assert_int_eq(out[0], 0x09);
	ck_assert_str_eq(gsm_dec((const uint8_t *)"\x09", 1), "\xc3\x87");
}
END_TEST

START_TEST(test_gsm_odd_escapes)
{
	/* a lone ESC shows as U+00A0 */
	ck_assert_str_eq(gsm_dec((const uint8_t *)"A\x1b", 2), "A\xc2\xa0");
	/* an undefined ESC xx is the basic xx */
	ck_assert_str_eq(gsm_dec((const uint8_t *)"\x1b\x41", 2), "A");
	ck_assert_str_eq(gsm_dec((const uint8_t *)"\x1b\x1b", 2), "\xc2\xa0");
	/* octets above 0x7F are no septets */
	ck_assert_str_eq(gsm_dec((const uint8_t *)"\x1b\x80", 2),
	    "\xc2\xa0\xef\xbf\xbd");
	ck_assert_str_eq(gsm_dec((const uint8_t *)"\xff" "a", 2),
	    "\xef\xbf\xbd" "a");
	/* NBSP itself is no GSM character */
	ck_assert_int_eq(charset_fits_gsm(S("\xc2\xa0")), 0);
	ck_assert_int_eq(charset_fits_gsm(S("`")), 0);
}
END_TEST

START_TEST(test_emoji)
{
	const char	 smile[] = "Hi \xf0\x9f\x98\x80";
	uint8_t		 out[16];
	char		 back[16];

	ck_assert_int_eq(charset_fits_gsm(S(smile)), 0);
	ck_assert_int_eq(charset_gsm_septets(S(smile)), -1);
	ck_assert_int_eq(charset_utf8_to_gsm(S(smile), out, sizeof(out)), -1);
	ck_assert_int_eq(charset_choose(S(smile)), DC_UCS2);
	ck_assert_int_eq(charset_utf8_to_ucs2(S(smile), out, sizeof(out)), 10);
	ck_assert_mem_eq(out, "\0H\0i\0 \xd8\x3d\xde\x00", 10);
	ck_assert_uint_eq(charset_ucs2_to_utf8(out, 10, back, sizeof(back)),
	    strlen(smile));
	ck_assert_str_eq(back, smile);
	/* the highest code point */
	ck_assert_int_eq(charset_utf8_to_ucs2(S("\xf4\x8f\xbf\xbf"), out,
	    sizeof(out)), 4);
	ck_assert_mem_eq(out, "\xdb\xff\xdf\xff", 4);
}
END_TEST

START_TEST(test_ucs2_unpaired)
{
	char	 out[32];

	/* a high surrogate followed by no low one */
	charset_ucs2_to_utf8((const uint8_t *)"\xd8\x3d\x00\x41", 4, out,
	    sizeof(out));
	ck_assert_str_eq(out, "\xef\xbf\xbd" "A");
	/* a lone low surrogate, a high one at the end, an odd octet */
	charset_ucs2_to_utf8((const uint8_t *)"\xde\x00\xd8\x3d", 4, out,
	    sizeof(out));
	ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd");
	charset_ucs2_to_utf8((const uint8_t *)"\x00\x41\x00", 3, out,
	    sizeof(out));
	ck_assert_str_eq(out, "A\xef\xbf\xbd");
}
END_TEST

/*
 * A NUL octet or unit decodes to U+FFFD, in every alphabet: the result
 * is a C string whose strlen() is the length returned.  Found by
 * fuzz_charset; a NUL in the text gave the pipe connector's program an
 * environment variable of the sender's choosing (check_conn).
 */
START_TEST(test_nul_decodes_to_replacement)
{
	static const struct {
		int		 dc;
		const char	*in;
		size_t		 len;
	} t[] = {
		{ DC_UCS2, "\x00\x41\x00\x00\x00\x42", 6 },
		{ DC_LATIN1, "A\0B", 3 },
		{ DC_IA5, "A\0B", 3 },
		{ DC_DEFAULT, "\x41\x00\x42", 3 },	/* GSM: 0x00 is '@' */
	};
	char	 out[32];
	size_t	 i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		n = charset_decode(t[i].dc, (const uint8_t *)t[i].in, t[i].len,
		    out, sizeof(out));
		ck_assert_uint_eq(strlen(out), n);
		ck_assert_str_eq(out, t[i].dc == DC_DEFAULT ? "A@B" :
		    "A\xef\xbf\xbd" "B");
	}
}
END_TEST

START_TEST(test_utf8_invalid)
{
	static const char *const bad[] = {
		"\xc0\x80",		/* overlong NUL */
		"\xc1\xbf",		/* overlong */
		"\xe0\x80\x80",		/* overlong */
		"\xe0\x9f\xbf",		/* overlong U+07FF */
		"\xf0\x80\x80\x80",	/* overlong */
		"\xf0\x8f\xbf\xbf",	/* overlong U+FFFF */
		"\xed\xa0\x80",		/* U+D800 */
		"\xed\xbf\xbf",		/* U+DFFF */
		"\xf4\x90\x80\x80",	/* U+110000 */
		"\xf5\x80\x80\x80",
		"\xff",
		"\x80",			/* stray continuation */
		"a\xe2\x82",		/* truncated euro */
		"\xe2\x28\xac",		/* bad continuation */
	};
	uint8_t	 out[16];
	size_t	 i, l;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = strlen(bad[i]);
		ck_assert_msg(charset_utf8_valid(bad[i], l) == 0, "bad %zu", i);
		ck_assert_int_eq(charset_utf8_to_gsm(bad[i], l, out, 16), -1);
		ck_assert_int_eq(charset_utf8_to_ucs2(bad[i], l, out, 16), -1);
		ck_assert_int_eq(charset_utf8_to_latin1(bad[i], l, out, 16),
		    -1);
		ck_assert_int_eq(charset_fits_gsm(bad[i], l), 0);
		ck_assert_int_eq(charset_choose(bad[i], l), -1);
	}
	ck_assert_int_eq(charset_utf8_valid(S("\xed\x9f\xbf\xee\x80\x80"
	    "\xf4\x8f\xbf\xbf\xc2\x80")), 1);
	ck_assert_int_eq(charset_utf8_valid("", 0), 1);
}
END_TEST

START_TEST(test_buffer_too_small)
{
	uint8_t	 out[8];
	char	 txt[8];

	ck_assert_int_eq(charset_utf8_to_gsm(S("abcd"), out, 3), -1);
	ck_assert_int_eq(charset_utf8_to_gsm(S("abc"), out, 3), 3);
	ck_assert_int_eq(charset_utf8_to_gsm(S("\xe2\x82\xac"), out, 1), -1);
	ck_assert_int_eq(charset_utf8_to_ucs2(S("ab"), out, 3), -1);
	ck_assert_int_eq(charset_utf8_to_ucs2(S("\xf0\x9f\x98\x80"), out, 3),
	    -1);
	ck_assert_int_eq(charset_utf8_to_latin1(S("ab"), out, 1), -1);
	ck_assert_int_eq(charset_encode(DC_BINARY4, S("0102"), out, 1), -1);
	/* measuring only */
	ck_assert_int_eq(charset_utf8_to_gsm(S("a{"), NULL, 0), 3);

	/* decoders stop before a character that would not fit */
	ck_assert_uint_eq(charset_gsm_to_utf8((const uint8_t *)"abc", 3, txt,
	    3), 2);
	ck_assert_str_eq(txt, "ab");
	ck_assert_uint_eq(charset_gsm_to_utf8((const uint8_t *)"a\x1b\x65", 3,
	    txt, 4), 1);
	ck_assert_str_eq(txt, "a");
	ck_assert_uint_eq(charset_ucs2_to_utf8((const uint8_t *)
	    "\xd8\x3d\xde\x00", 4, txt, 4), 0);
	ck_assert_str_eq(txt, "");
	ck_assert_uint_eq(charset_latin1_to_utf8((const uint8_t *)"\xe9", 1,
	    txt, 1), 0);
	ck_assert_uint_eq(charset_decode(DC_BINARY4, (const uint8_t *)
	    "\x01\x02", 2, txt, 4), 2);
	ck_assert_str_eq(txt, "01");
	txt[0] = 'x';
	ck_assert_uint_eq(charset_gsm_to_utf8((const uint8_t *)"a", 1, txt,
	    0), 0);
	ck_assert_int_eq(txt[0], 'x');
}
END_TEST

START_TEST(test_latin1)
{
	uint8_t	 out[8];
	char	 txt[16];

	ck_assert_int_eq(charset_utf8_to_latin1(S("caf\xc3\xa9\xc3\xbf"), out,
	    sizeof(out)), 5);
	ck_assert_mem_eq(out, "caf\xe9\xff", 5);
	ck_assert_int_eq(charset_utf8_to_latin1(S("\xe2\x82\xac"), out,
	    sizeof(out)), -1);
	ck_assert_uint_eq(charset_latin1_to_utf8(out, 5, txt, sizeof(txt)), 7);
	ck_assert_str_eq(txt, "caf\xc3\xa9\xc3\xbf");
}
END_TEST

START_TEST(test_by_data_coding)
{
	uint8_t	 out[16];
	char	 txt[32];

	ck_assert_int_eq(charset_encode(DC_DEFAULT, S("@$"), out, 16), 2);
	ck_assert_mem_eq(out, "\x00\x02", 2);
	ck_assert_int_eq(charset_encode(DC_IA5, S("@$"), out, 16), 2);
	ck_assert_mem_eq(out, "@$", 2);
	ck_assert_int_eq(charset_encode(DC_IA5, S("\xc3\xa9"), out, 16), -1);
	ck_assert_int_eq(charset_encode(DC_LATIN1, S("\xc3\xa9"), out, 16), 1);
	ck_assert_int_eq(charset_encode(DC_UCS2, S("\xc3\xa9"), out, 16), 2);
	ck_assert_mem_eq(out, "\x00\xe9", 2);
	ck_assert_int_eq(charset_encode(DC_BINARY4, S("00fF7a"), out, 16), 3);
	ck_assert_mem_eq(out, "\x00\xff\x7a", 3);
	ck_assert_int_eq(charset_encode(DC_BINARY4, S("0g"), out, 16), -1);
	ck_assert_int_eq(charset_encode(CHARSET_AUTO, S("a"), out, 16), -1);
	ck_assert_int_eq(charset_encode(256, S("a"), out, 16), -1);

	ck_assert_uint_eq(charset_decode(DC_DEFAULT, (const uint8_t *)"\0", 1,
	    txt, sizeof(txt)), 1);
	ck_assert_str_eq(txt, "@");
	charset_decode(DC_IA5, (const uint8_t *)"A\xe9", 2, txt, sizeof(txt));
	ck_assert_str_eq(txt, "A\xef\xbf\xbd");
	charset_decode(DC_LATIN1, (const uint8_t *)"A\xe9", 2, txt,
	    sizeof(txt));
	ck_assert_str_eq(txt, "A\xc3\xa9");
	charset_decode(DC_UCS2, (const uint8_t *)"\x04\x1f", 2, txt,
	    sizeof(txt));
	ck_assert_str_eq(txt, "\xd0\x9f");
	charset_decode(DC_BINARY, (const uint8_t *)"\x00\xAB\xff", 3, txt,
	    sizeof(txt));
	ck_assert_str_eq(txt, "00abff");
	charset_decode(DC_BINARY4, (const uint8_t *)"\x1f", 1, txt,
	    sizeof(txt));
	ck_assert_str_eq(txt, "1f");
	charset_decode(5, (const uint8_t *)"\x1f", 1, txt, sizeof(txt));
	ck_assert_str_eq(txt, "1f");
	/* GSM 03.38 coding groups */
	charset_decode(0xF0, (const uint8_t *)"\x00", 1, txt, sizeof(txt));
	ck_assert_str_eq(txt, "@");
	charset_decode(0xF4, (const uint8_t *)"\x00", 1, txt, sizeof(txt));
	ck_assert_str_eq(txt, "00");
	charset_decode(0x18, (const uint8_t *)"\x00\x41", 2, txt, sizeof(txt));
	ck_assert_str_eq(txt, "A");
	ck_assert_int_eq(charset_alphabet(0x11), DC_DEFAULT);
	ck_assert_int_eq(charset_alphabet(0x15), DC_BINARY);
	ck_assert_int_eq(charset_alphabet(0x38), DC_BINARY);
	ck_assert_int_eq(charset_alphabet(0x48), DC_UCS2);
	ck_assert_int_eq(charset_alphabet(0xC3), DC_DEFAULT);
	ck_assert_int_eq(charset_alphabet(0xE0), DC_UCS2);
	ck_assert_int_eq(charset_alphabet(0x90), DC_BINARY);
	ck_assert_int_eq(charset_alphabet(-1), -1);
}
END_TEST

START_TEST(test_choose_and_count)
{
	ck_assert_int_eq(charset_choose(S("Hello {world}")), DC_DEFAULT);
	ck_assert_int_eq(charset_gsm_septets(S("Hello {world}")), 15);
	ck_assert_int_eq(charset_choose(S("\xd0\x9f\xd1\x80\xd0\xb8")),
	    DC_UCS2);
	ck_assert_int_eq(charset_choose("", 0), DC_DEFAULT);
	ck_assert_int_eq(charset_gsm_septets("", 0), 0);
	/* Greek capitals of the basic table fit, small ones do not */
	ck_assert_int_eq(charset_fits_gsm(S("\xce\xa9\xce\x94")), 1);
	ck_assert_int_eq(charset_fits_gsm(S("\xcf\x89")), 0);
}
END_TEST

static const struct {
	const char	*name;
	int		 dc;
} names[] = {
	{ "gsm", DC_DEFAULT }, { "GSM", DC_DEFAULT }, { "ascii", DC_IA5 },
	{ "ia5", DC_IA5 }, { "latin1", DC_LATIN1 }, { "ucs2", DC_UCS2 },
	{ "binary", DC_BINARY4 }, { "auto", CHARSET_AUTO }, { "240", 240 },
	{ "0", DC_DEFAULT }, { "256", CHARSET_UNKNOWN },
	{ "utf8", CHARSET_UNKNOWN }, { "", CHARSET_UNKNOWN },
	{ NULL, CHARSET_UNKNOWN }
};

START_TEST(test_names)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_int_eq(charset_parse_name(names[i].name),
		    names[i].dc);
	ck_assert_str_eq(charset_name(DC_DEFAULT), "gsm");
	ck_assert_str_eq(charset_name(DC_IA5), "ascii");
	ck_assert_str_eq(charset_name(DC_LATIN1), "latin1");
	ck_assert_str_eq(charset_name(DC_UCS2), "ucs2");
	ck_assert_str_eq(charset_name(DC_BINARY), "binary");
	ck_assert_str_eq(charset_name(DC_BINARY4), "binary");
	ck_assert_str_eq(charset_name(CHARSET_AUTO), "auto");
	ck_assert_str_eq(charset_name(5), "unknown");
}
END_TEST

/* Random octets: decoders write valid UTF-8 within cap, never fail. */
START_TEST(test_random_input)
{
	static const int	 dcs[] = { 0, 1, 3, 4, 8, 0xF0 };
	uint32_t		 seed = 12345;
	uint8_t			 in[64], out[80];
	char			 txt[200];
	size_t			 i, len, cap, n;
	int			 round;

	for (round = 0; round < 20000; round++) {
		len = (seed = seed * 1103515245 + 12345) >> 26;
		for (i = 0; i < len; i++)
			in[i] = (uint8_t)((seed = seed * 1103515245 + 12345)
			    >> 24);
		cap = (seed >> 8) % sizeof(txt);
		n = charset_decode(dcs[round % 6], in, len, txt, cap);
		ck_assert(cap == 0 ? n == 0 : n < cap && txt[n] == '\0');
		ck_assert_int_eq(charset_utf8_valid(txt, n), 1);
		/* what decodes from UCS-2 encodes back */
		if (dcs[round % 6] == DC_UCS2 && cap == sizeof(txt) - 1)
			ck_assert_int_ge(charset_utf8_to_ucs2(txt, n, out,
			    sizeof(out)), 0);
		charset_utf8_to_gsm((const char *)in, len, out, sizeof(out));
		charset_encode(dcs[round % 6], (const char *)in, len, out,
		    (seed >> 16) % sizeof(out));
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("charset");
	TCase	*tc = tcase_create("charset");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_gsm_basic_round_trip);
	tcase_add_test(tc, test_gsm_extension_round_trip);
	tcase_add_test(tc, test_gsm_every_bmp_character);
	tcase_add_test(tc, test_gsm_euro);
	tcase_add_test(tc, test_gsm_cedilla);
	tcase_add_test(tc, test_gsm_odd_escapes);
	tcase_add_test(tc, test_emoji);
	tcase_add_test(tc, test_ucs2_unpaired);
	tcase_add_test(tc, test_nul_decodes_to_replacement);
	tcase_add_test(tc, test_utf8_invalid);
	tcase_add_test(tc, test_buffer_too_small);
	tcase_add_test(tc, test_latin1);
	tcase_add_test(tc, test_by_data_coding);
	tcase_add_test(tc, test_choose_and_count);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_random_input);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
