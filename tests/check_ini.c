/*
 * check_ini.c - unit tests of ini.c: the INI line reader
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ini.h"

/* What the callbacks saw, one line a call. */
static char	 seen[8192];
static int	 fail_key;	/* a key the callback rejects */

static void
see(const char *line)
{
	ck_assert_uint_lt(strlcat(seen, line, sizeof(seen)), sizeof(seen));
}

static int
record(void *arg, const char *section, const char *key, const char *value,
    int line)
{
	char	 buf[512];

	(void)arg;
	if (key == NULL)
		snprintf(buf, sizeof(buf), "%d [%s]\n", line, section);
	else
		snprintf(buf, sizeof(buf), "%d %s|%s|%s\n", line, section, key,
		    value);
	see(buf);
	return fail_key && key != NULL && strcmp(key, "bad") == 0 ? -1 : 0;
}

static void
record_err(void *arg, const char *name, int line, const char *msg)
{
	char	 buf[512];

	(void)arg;
	snprintf(buf, sizeof(buf), "E %s:%d: %s\n", name, line, msg);
	see(buf);
}

static int
parse_len(const char *text, size_t len)
{
	seen[0] = '\0';
	return ini_parse(text, len, "t.ini", record, record_err, NULL);
}

static int
parse(const char *text)
{
	return parse_len(text, strlen(text));
}

START_TEST(test_ini_basic)
{
	ck_assert_int_eq(parse(
	    "; a comment\n"
	    "[one]\n"
	    "a = 1\n"
	    "   # indented comment\n"
	    "\n"
	    "b:2\n"
	    "  c  =  x y  \n"
	    "[connector up]\n"
	    "empty =\n"), 0);
	ck_assert_str_eq(seen,
	    "2 [one]\n"
	    "3 one|a|1\n"
	    "6 one|b|2\n"
	    "7 one|c|x y\n"
	    "8 [connector up]\n"
	    "9 connector up|empty|\n");
}
END_TEST

START_TEST(test_ini_quotes_and_delims)
{
	ck_assert_int_eq(parse(
	    "[s]\n"
	    "id\t\t\t= \"smpps_01\"\n"
	    "q = 'single'\n"
	    "mixed = \"a'\n"
	    "inner = a \"b\" c\n"
	    "pw = se#cret ; not a comment\n"
	    "src:44 = acme\n"
	    "k: a=b\n"
	    "one = \"\n"
	    "two = \"\"\n"), 0);
	/* '=' first: "src:44" stays a key, "k: a" is one. */
	ck_assert_str_eq(seen,
	    "1 [s]\n"
	    "2 s|id|smpps_01\n"
	    "3 s|q|single\n"
	    "4 s|mixed|\"a'\n"
	    "5 s|inner|a \"b\" c\n"
	    "6 s|pw|se#cret ; not a comment\n"
	    "7 s|src:44|acme\n"
	    "8 s|k: a|b\n"
	    "9 s|one|\"\n"
	    "10 s|two|\n");
}
END_TEST

START_TEST(test_ini_crlf_bom)
{
	ck_assert_int_eq(parse("\xef\xbb\xbf[s]\r\na = 1\r\nb = 2"), 0);
	ck_assert_str_eq(seen, "1 [s]\n2 s|a|1\n3 s|b|2\n");
}
END_TEST

START_TEST(test_ini_errors)
{
	ck_assert_int_eq(parse(
	    "a = 1\n"
	    "[s]\n"
	    "novalue\n"
	    "= 3\n"
	    "[broken\n"
	    "skipped = 1\n"
	    "[x] trailing\n"
	    "[]\n"
	    "[t]\n"
	    "ok = 1\n"), 6);
	ck_assert_str_eq(seen,
	    "E t.ini:1: key 'a' before any [section]\n"
	    "2 [s]\n"
	    "E t.ini:3: missing '=' after 'novalue'\n"
	    "E t.ini:4: missing key before '='\n"
	    "E t.ini:5: section header without ']': '[broken'\n"
	    "E t.ini:7: text after ']' in section header: ' trailing'\n"
	    "E t.ini:8: empty section name '[]'\n"
	    "9 [t]\n"
	    "10 t|ok|1\n");
}
END_TEST

START_TEST(test_ini_long_line_and_nul)
{
	char	*buf;
	size_t	 n = INI_LINE_MAX + 64, len;

	buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	len = snprintf(buf, n, "[s]\nk = ");
	memset(buf + len, 'x', INI_LINE_MAX - 3);	/* line is 4097 */
	len += INI_LINE_MAX - 3;
	memcpy(buf + len, "\nz = 1\n", 7);
	ck_assert_int_eq(parse_len(buf, len + 7), 1);
	ck_assert_str_eq(seen, "1 [s]\n"
	    "E t.ini:2: line too long (more than 4096 octets)\n"
	    "3 s|z|1\n");

	/* Exactly INI_LINE_MAX octets is fine. */
	ck_assert_int_eq(parse_len(buf, len - 1), 0);
	ck_assert(strncmp(seen, "1 [s]\n2 s|k|xxx", 15) == 0);

	ck_assert_int_eq(parse_len("[s]\na = 1\0\n", 11), 1);
	ck_assert_str_eq(seen, "1 [s]\nE t.ini:2: NUL octet in line\n");
	free(buf);
}
END_TEST

START_TEST(test_ini_callback_errors_count)
{
	fail_key = 1;
	ck_assert_int_eq(parse("[s]\nbad = 1\ngood = 2\nbad = 3\n"), 2);
	ck_assert_str_eq(seen, "1 [s]\n2 s|bad|1\n3 s|good|2\n4 s|bad|3\n");
	fail_key = 0;
}
END_TEST

START_TEST(test_ini_buf_and_file)
{
	char	 err[256];
	FILE	*fp;

	seen[0] = '\0';
	ck_assert_int_eq(ini_parse_buf("[s]\nx\ny\n", 8, "b.ini", record, NULL,
	    err, sizeof(err)), 2);
	ck_assert_str_eq(err, "b.ini:2: missing '=' after 'x'");

	ck_assert_int_eq(ini_parse_file("no/such/file.ini", record, NULL, err,
	    sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(err, "no/such/file.ini: "));

	fp = fopen("check_ini.tmp", "w");
	ck_assert_ptr_nonnull(fp);
	fputs("[f]\nk = v\n", fp);
	fclose(fp);
	seen[0] = '\0';
	ck_assert_int_eq(ini_parse_file("check_ini.tmp", record, NULL, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(seen, "1 [f]\n2 f|k|v\n");
	remove("check_ini.tmp");

	ck_assert_int_eq(ini_parse_file("/dev/zero", record, NULL, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(err, "/dev/zero: file larger than 4194304 octets");
}
END_TEST

static Suite *
ini_suite(void)
{
	Suite	*s = suite_create("ini");
	TCase	*tc = tcase_create("reader");

	tcase_add_test(tc, test_ini_basic);
	tcase_add_test(tc, test_ini_quotes_and_delims);
	tcase_add_test(tc, test_ini_crlf_bom);
	tcase_add_test(tc, test_ini_errors);
	tcase_add_test(tc, test_ini_long_line_and_nul);
	tcase_add_test(tc, test_ini_callback_errors_count);
	tcase_add_test(tc, test_ini_buf_and_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(ini_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
