/*
 * check_memcheck.c - a whole server session under valgrind: the master,
 * the child that serves a client through bind, submit_sm, data_sm,
 * enquire_link, a malformed PDU and unbind, and the shutdown; valgrind
 * must find no invalid access and no leak in any of them.  Skipped (77)
 * when valgrind is not installed.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

#define VALGRIND	"/usr/bin/valgrind"

static struct th	 T;

static void
stop(void)
{
	th_cleanup(&T);
}

/* Each "== N ERROR SUMMARY: x errors" line of the log must say 0. */
static void
assert_clean(const char *log)
{
	char	 line[1024];
	FILE	*fp;
	int	 summaries = 0;

	fp = fopen(log, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, "ERROR SUMMARY:") != NULL) {
			summaries++;
			ck_assert_msg(strstr(line, "ERROR SUMMARY: 0 errors") !=
			    NULL, "valgrind: %s (see %s)", line, log);
		}
		ck_assert_msg(strstr(line, "definitely lost:") == NULL ||
		    strstr(line, "definitely lost: 0 bytes") != NULL,
		    "valgrind: %s (see %s)", line, log);
	}
	fclose(fp);
	/* The master, an idle child and the child of the session at least. */
	ck_assert_int_ge(summaries, 2);
}

START_TEST(test_session_under_valgrind)
{
	struct tc	 c;
	struct pdu	 p;
	char		 wrap[1400], vlog[700];
	uint8_t		 bad[16] = { 0, 0, 0, 16, 0, 0, 0, 0x77, 0, 0, 0, 0,
			    0, 0, 0, 9 };
	int		 i;

	th_init(&T, "memcheck");
	strlcpy(T.server_keys, "prefork = 1\n", sizeof(T.server_keys));
	th_user(&T, "acme", "secret", NULL);
	snprintf(vlog, sizeof(vlog), "%s/valgrind.%%p", T.dir);
	snprintf(wrap, sizeof(wrap), VALGRIND " --leak-check=full "
	    "--errors-for-leak-kinds=definite --child-silent-after-fork=no "
	    "--log-file=%s", vlog);
	setenv("SMPPD_TEST_WRAP", wrap, 1);
	th_start(&T);
	unsetenv("SMPPD_TEST_WRAP");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme",
	    "secret"), ESME_ROK);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(tc_submit(&c, "", "4412345", "valgrind",
		    NULL), ESME_ROK);
	pdu_init(&p, SMPP_DATA_SM, 0);
	p.destination_addr = "4412345";
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, 4, "data");
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_DATA_SM_RESP, 20000), 0);
	tc_send_raw(&c, bad, sizeof(bad));
	ck_assert_uint_eq(tc_expect(&c, SMPP_GENERIC_NACK, 20000),
	    ESME_RINVCMDID);
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 20000), 0);
	pdu_init(&p, SMPP_UNBIND, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_UNBIND_RESP, 20000), 0);
	ck_assert(tc_closed(&c, 20000));
	tc_close(&c);
	th_stop(&T);
	/* One log per process: check them all. */
	snprintf(wrap, sizeof(wrap), "cat %s/valgrind.* > %s/valgrind.all",
	    T.dir, T.dir);
	ck_assert_int_eq(system(wrap), 0);
	snprintf(vlog, sizeof(vlog), "%s/valgrind.all", T.dir);
	assert_clean(vlog);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("memcheck");
	TCase	*tc = tcase_create("memcheck");
	SRunner	*sr;
	int	 failed;

	if (access(VALGRIND, X_OK) != 0) {
		th_skip("check_memcheck", "valgrind is not installed");
		return th_exit(0);
	}
#if defined(WITH_SANITIZERS) || defined(SANITIZED)
	fprintf(stderr, "built with sanitizers, which valgrind cannot run: "
	    "skipped\n");
	_exit(77);
#endif
	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_session_under_valgrind);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
