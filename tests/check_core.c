/*
 * check_core.c - unit tests of log.c (Python-style formats), buf.c and
 * msgid.c
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "compat.h"
#include "log.h"
#include "msgid.h"

static char	 logpath[] = "check_core.log.XXXXXX";

/* Log one line with the given format and return what landed in the file. */
static char *
log_one(const char *fmt, const char *datefmt, int level, const char *msg)
{
	static char	 line[4096];
	struct log_conf	 c = { LOGL_DEBUG, logpath, fmt, datefmt, "smpps_01",
			    0 };
	char		 err[256];
	ssize_t		 n;
	int		 fd;

	unlink(logpath);
	ck_assert_int_eq(log_configure(&c, err, sizeof(err)), 0);
	if (level == LOGL_INFO)
		log_info("%s", msg);
	else
		log_warnx("%s", msg);
	fd = open(logpath, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, line, sizeof(line) - 1);
	ck_assert_int_gt(n, 0);
	line[n] = '\0';
	close(fd);
	unlink(logpath);
	return line;
}

START_TEST(test_log_jasmin_format)
{
	char	*line, expect[128];

	log_init("check_core");
	line = log_one(LOG_FORMAT_DEFAULT, "%Y", LOGL_INFO, "hello");
	/* "2026 INFO     12345 hello\n" */
	snprintf(expect, sizeof(expect), "INFO     %d hello\n", (int)getpid());
	ck_assert_ptr_nonnull(strstr(line, expect));
	ck_assert_int_eq(line[4], ' ');
}
END_TEST

START_TEST(test_log_fields)
{
	char	*line;

	log_init("check_core");
	line = log_one("[%(name)s] %(levelname)s %(levelno)d %% %(message)s",
	    NULL, LOGL_WARNING, "m");
	ck_assert_str_eq(line, "[smpps_01] WARNING 30 % m\n");
	line = log_one("%(levelname)8s|%(message)-3s|", NULL, LOGL_INFO, "x");
	ck_assert_str_eq(line, "    INFO|x  |\n");
}
END_TEST

START_TEST(test_log_bad_formats)
{
	char	 err[128];

	ck_assert_int_eq(log_format_check("%(nosuch)s", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "nosuch"));
	ck_assert_int_eq(log_format_check("%(message)", err, sizeof(err)), -1);
	ck_assert_int_eq(log_format_check("%(message", err, sizeof(err)), -1);
	ck_assert_int_eq(log_format_check("50% off", err, sizeof(err)), -1);
	ck_assert_int_eq(log_format_check("%(levelname)d", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(log_format_check(LOG_FORMAT_DEFAULT, err,
	    sizeof(err)), 0);
}
END_TEST

START_TEST(test_log_levels)
{
	ck_assert_int_eq(log_level_parse("DEBUG"), LOGL_DEBUG);
	ck_assert_int_eq(log_level_parse("info"), LOGL_INFO);
	ck_assert_int_eq(log_level_parse("WARNING"), LOGL_WARNING);
	ck_assert_int_eq(log_level_parse("ERROR"), LOGL_ERROR);
	ck_assert_int_eq(log_level_parse("CRITICAL"), LOGL_CRITICAL);
	ck_assert_int_eq(log_level_parse("20"), LOGL_INFO);
	ck_assert_int_eq(log_level_parse("LOUD"), -1);
	ck_assert_str_eq(log_level_name(LOGL_ERROR), "ERROR");
}
END_TEST

START_TEST(test_log_sanitize)
{
	char	 out[32];

	log_sanitize(out, sizeof(out), "a\nb\\c\x01", 6);
	ck_assert_str_eq(out, "a\\x0ab\\x5cc\\x01");
	log_sanitize(out, 6, "abcdefgh", 8);
	ck_assert_str_eq(out, "abcde");
}
END_TEST

START_TEST(test_buf)
{
	struct buf	 b = BUF_INITIALIZER;
	uint8_t		 raw[4];
	int		 i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_printf(&b, "%04d", i), 0);
	ck_assert_uint_eq(b.len, 4000);
	ck_assert_int_eq(memcmp(b.data + 3996, "0999", 4), 0);
	buf_consume(&b, 3996);
	ck_assert_str_eq((char *)b.data, "0999");
	buf_reset(&b);
	ck_assert_int_eq(buf_hex(&b, "\x00\xff\x1b", 3), 0);
	ck_assert_str_eq((char *)b.data, "00ff1b");
	ck_assert_int_eq(buf_hex_decode("00FF1b", 6, raw, sizeof(raw)), 3);
	ck_assert_int_eq(raw[1], 0xff);
	ck_assert_int_eq(buf_hex_decode("0", 1, raw, sizeof(raw)), -1);
	ck_assert_int_eq(buf_hex_decode("zz", 2, raw, sizeof(raw)), -1);
	ck_assert_int_eq(buf_hex_decode("0011223344", 10, raw, sizeof(raw)), -1);
	buf_free(&b);
}
END_TEST

/* One %XX escaping for records, the id map and smppuser export. */
START_TEST(test_buf_pct)
{
	char	 enc[64], dec[32];

	ck_assert_int_eq(buf_pct_encode(enc, sizeof(enc), "a b%\x01", 5), 11);
	enc[11] = '\0';
	ck_assert_str_eq(enc, "a%20b%25%01");
	ck_assert_int_eq(buf_pct_encode(enc, 10, "a b%\x01", 5), -1);
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), enc, 11,
	    BUF_PCT_STRICT), 5);
	ck_assert_mem_eq(dec, "a b%\x01", 6);
	/* Strict: upper-case digits, escapes only where needed, no NUL. */
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), "%2a", 3,
	    BUF_PCT_STRICT), -1);
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), "%2a", 3, 0), 1);
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), "%41", 3,
	    BUF_PCT_STRICT), -1);
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), "a b", 3,
	    BUF_PCT_STRICT), -1);
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), "%00", 3,
	    BUF_PCT_NONUL), -1);
	ck_assert_int_eq(buf_pct_decode(dec, sizeof(dec), "%4", 2, 0), -1);
	ck_assert_int_eq(buf_pct_decode(dec, 3, "abc", 3, 0), -1);
	ck_assert_int_eq(buf_hexval('f', BUF_HEX_UPPER), -1);
	ck_assert_int_eq(buf_hexval('F', BUF_HEX_ANY), 15);
}
END_TEST

START_TEST(test_msgid)
{
	char	 a[65], b[65], tiny[8];

	msgid_init("smpps_01");
	ck_assert_int_eq(msgid_next(a, sizeof(a)), 0);
	ck_assert_int_eq(msgid_next(b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(strncmp(a, "smpps_01-", 9), 0);
	ck_assert_uint_le(strlen(a), MSGID_MAX);
	ck_assert_int_eq(msgid_next(tiny, sizeof(tiny)), -1);
	msgid_init("a-very-long-server-identifier-that-goes-on-and-on");
	ck_assert_int_eq(msgid_next(a, sizeof(a)), 0);
	ck_assert_uint_le(strlen(a), 54);
}
END_TEST

START_TEST(test_compat)
{
	char		 s[4];
	const char	*err;

	ck_assert_uint_eq(strlcpy(s, "abcdef", sizeof(s)), 6);
	ck_assert_str_eq(s, "abc");
	ck_assert_uint_eq(strlcat(s, "x", sizeof(s)), 4);
	ck_assert_int_eq(strtonum("42", 0, 100, &err), 42);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(strtonum("420", 0, 100, &err), 0);
	ck_assert_str_eq(err, "too large");
	strtonum("4x", 0, 100, &err);
	ck_assert_str_eq(err, "invalid");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("core");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 fd, failed;

	if ((fd = mkstemp(logpath)) != -1)
		close(fd);
	tcase_add_test(tc, test_log_jasmin_format);
	tcase_add_test(tc, test_log_fields);
	tcase_add_test(tc, test_log_bad_formats);
	tcase_add_test(tc, test_log_levels);
	tcase_add_test(tc, test_log_sanitize);
	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_buf_pct);
	tcase_add_test(tc, test_msgid);
	tcase_add_test(tc, test_compat);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(logpath);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
