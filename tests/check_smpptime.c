/*
 * check_smpptime.c - unit tests of smpptime.c: validity, absolute and
 * relative times, formatting
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smpptime.h"

START_TEST(test_valid)
{
	static const char *const good[] = { "", "260102030405000+",
	    "991231235959948-", "000101000000000+", "371231235959900+",
	    "000001000000000R", "000000000000000R", "991231235959000R",
	    "001231000000000R", "260229120000100+" };
	static const char *const bad[] = { "x", "26010203040500+",
	    "2601020304050000+", "260102030405000*", "260002030405000+",
	    "261302030405000+", "260100030405000+", "260132030405000+",
	    "260102240405000+", "260102036005000+", "260102030460000+",
	    "260102030405049+", "2601020304050a0+", "a60102030405000+",
	    "260102030405 00+", "001300000000000R", "000000240000000R",
	    "000000006000000R", "-60102030405000+", "260102030405000r" };
	size_t	 i;

	ck_assert(smpptime_valid(NULL));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(smpptime_valid(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!smpptime_valid(bad[i]), "%s", bad[i]);
}
END_TEST

START_TEST(test_parse_absolute)
{
	time_t	 t;

	ck_assert_int_eq(smpptime_parse("", 1000, &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(smpptime_parse(NULL, 1000, &t), 0);
	ck_assert_int_eq(t, 0);
	/* 2026-01-02 03:04:05 UTC = 1767323045 */
	ck_assert_int_eq(smpptime_parse("260102030405000+", 0, &t), 0);
	ck_assert_int_eq(t, 1767323045);
	/* tenths are dropped */
	ck_assert_int_eq(smpptime_parse("260102030405900+", 0, &t), 0);
	ck_assert_int_eq(t, 1767323045);
	/* local 04:04:05, one hour (4 quarters) ahead of UTC */
	ck_assert_int_eq(smpptime_parse("260102040405004+", 0, &t), 0);
	ck_assert_int_eq(t, 1767323045);
	/* local 22:04:05 the day before, 5 hours behind UTC */
	ck_assert_int_eq(smpptime_parse("260101220405020-", 0, &t), 0);
	ck_assert_int_eq(t, 1767323045);
	/* 12 hours, the largest offset */
	ck_assert_int_eq(smpptime_parse("260102150405048+", 0, &t), 0);
	ck_assert_int_eq(t, 1767323045);
	/* 2000-02-29 00:00:00 (leap day) = 951782400 */
	ck_assert_int_eq(smpptime_parse("000229000000000+", 0, &t), 0);
	ck_assert_int_eq(t, 951782400);
	/* 2037 and 1938: the two-digit year window */
	ck_assert_int_eq(smpptime_parse("371231235959000+", 0, &t), 0);
	ck_assert_int_eq(t, 2145916799);
	ck_assert_int_eq(smpptime_parse("700101000000000+", 0, &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(smpptime_parse("380101000000000+", 0, &t), 0);
	ck_assert_int_eq(t, -1009843200);
	ck_assert_int_eq(smpptime_parse("261302030405000+", 0, &t), -1);
	ck_assert_int_eq(smpptime_parse("junk", 0, &t), -1);
}
END_TEST

START_TEST(test_parse_relative)
{
	time_t	 t;

	ck_assert_int_eq(smpptime_parse("000001000000000R", 1000, &t), 0);
	ck_assert_int_eq(t, 1000 + 86400);
	ck_assert_int_eq(smpptime_parse("000000000000000R", 1000, &t), 0);
	ck_assert_int_eq(t, 1000);
	ck_assert_int_eq(smpptime_parse("000000010203000R", 0, &t), 0);
	ck_assert_int_eq(t, 3600 + 2 * 60 + 3);
	/* months count 30 days, years 365 */
	ck_assert_int_eq(smpptime_parse("000100000000000R", 0, &t), 0);
	ck_assert_int_eq(t, 30L * 86400);
	ck_assert_int_eq(smpptime_parse("010000000000000R", 0, &t), 0);
	ck_assert_int_eq(t, 365L * 86400);
	ck_assert_int_eq(smpptime_parse("991231235959000R", 0, &t), 0);
	ck_assert_int_eq(t, 99 * 365L * 86400 + 12 * 30L * 86400 +
	    31 * 86400L + 86399);
}
END_TEST

START_TEST(test_format)
{
	char	 buf[SMPPTIME_LEN + 1];
	time_t	 t;

	ck_assert_int_eq(smpptime_format(buf, sizeof(buf), 1767323045), 0);
	ck_assert_str_eq(buf, "260102030405000+");
	ck_assert_int_eq(smpptime_parse(buf, 0, &t), 0);
	ck_assert_int_eq(t, 1767323045);
	ck_assert_int_eq(smpptime_format(buf, sizeof(buf), 0), 0);
	ck_assert_str_eq(buf, "700101000000000+");
	ck_assert_int_eq(smpptime_format(buf, sizeof(buf), 2145916799), 0);
	ck_assert_str_eq(buf, "371231235959000+");
	/* 2038 would read back as 1938 */
	ck_assert_int_eq(smpptime_format(buf, sizeof(buf), 2145916800), -1);
	ck_assert_int_eq(smpptime_format(buf, SMPPTIME_LEN, 0), -1);
}
END_TEST

/* The one days_from_civil: right for dates before 1970 and year 0 and -1. */
START_TEST(test_days_from_civil)
{
	ck_assert_int_eq(smpptime_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(smpptime_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(smpptime_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(smpptime_days_from_civil(1, 1, 1), -719162);
	ck_assert_int_eq(smpptime_days_from_civil(0, 1, 1), -719528);
	ck_assert_int_eq(smpptime_days_from_civil(-1, 12, 31), -719529);
}
END_TEST

START_TEST(test_format_rel)
{
	char	 buf[SMPPTIME_LEN + 1];
	time_t	 t;
	long	 s;

	ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf), 86400), 0);
	ck_assert_str_eq(buf, "000001000000000R");
	ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf), 0), 0);
	ck_assert_str_eq(buf, "000000000000000R");
	ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf), 3723), 0);
	ck_assert_str_eq(buf, "000000010203000R");
	/* 364 days: 12 months of 30 days and 4 days */
	ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf), 364 * 86400L),
	    0);
	ck_assert_str_eq(buf, "001204000000000R");
	for (s = 0; s < 100 * 365L * 86400; s = s * 3 + 7) {
		ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf), s), 0);
		ck_assert_msg(smpptime_valid(buf), "%s", buf);
		ck_assert_int_eq(smpptime_parse(buf, 5, &t), 0);
		ck_assert_int_eq(t, 5 + s);
	}
	ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf), -1), -1);
	ck_assert_int_eq(smpptime_format_rel(buf, sizeof(buf),
	    100 * 365L * 86400), -1);
	ck_assert_int_eq(smpptime_format_rel(buf, SMPPTIME_LEN, 1), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("smpptime");
	TCase	*tc = tcase_create("smpptime");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_parse_absolute);
	tcase_add_test(tc, test_parse_relative);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_rel);
	tcase_add_test(tc, test_days_from_civil);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
