/*
 * check_timers.c - integration tests of smppd: the five timers of
 * [smpp-server], each set to one or two seconds
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"

static struct th	 T;

static void
start_with(const char *keys)
{
	th_init(&T, "timers");
	strlcpy(T.server_keys, keys, sizeof(T.server_keys));
	th_user(&T, "acme", "secret", NULL);
	th_start(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

static double
elapsed(const struct timespec *since)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

START_TEST(test_session_init_timer)
{
	struct timespec	 t0;
	struct tc	 c;

	start_with("sessionInitTimerSecs = 1\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tc_connect(&c, T.port);
	ck_assert(tc_closed(&c, 5000));
	ck_assert(elapsed(&t0) >= 0.9);
	ck_assert(th_wait_log(T.log, "sessionInitTimer", 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_session_init_stops_at_bind)
{
	struct tc	 c;
	struct pdu	 p;

	start_with("sessionInitTimerSecs = 1\n");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	/* Bound: still there after the timer would have fired. */
	ck_assert_int_eq(tc_recv(&c, 1500), 0);
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 2000), 0);
	tc_close(&c);
}
END_TEST

START_TEST(test_enquire_link_timer)
{
	struct tc	 c;
	struct pdu	 p;

	start_with("enquireLinkTimerSecs = 1\n");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_int_eq(tc_recv(&c, 3000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_ENQUIRE_LINK);
	pdu_init(&p, SMPP_ENQUIRE_LINK_RESP, c.p.sequence_number);
	tc_send(&c, &p);
	/* Answered: the session stays and the next one comes. */
	ck_assert_int_eq(tc_recv(&c, 3000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_ENQUIRE_LINK);
	tc_close(&c);
}
END_TEST

START_TEST(test_inactivity_timer)
{
	struct timespec	 t0;
	struct tc	 c;

	start_with("inactivityTimerSecs = 1\nenquireLinkTimerSecs = 30\n");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(tc_recv(&c, 4000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_UNBIND);
	ck_assert(elapsed(&t0) >= 0.9);
	ck_assert(tc_closed(&c, 4000));
	ck_assert(th_wait_log(T.log, "inactivityTimer", 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_response_timer)
{
	struct tc	 c;

	start_with("enquireLinkTimerSecs = 1\nresponseTimerSecs = 1\n");
	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_int_eq(tc_recv(&c, 3000), 1);
	ck_assert_uint_eq(c.p.command_id, SMPP_ENQUIRE_LINK);
	/* No answer: the session ends. */
	ck_assert(tc_closed(&c, 4000));
	ck_assert(th_wait_log(T.log, "responseTimer", 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_pdu_read_timer)
{
	static const uint8_t	 part[10] = { 0, 0, 0, 16, 0, 0, 0, 0x15,
				    0, 0 };
	struct tc		 c;

	start_with("pduReadTimerSecs = 1\n");
	tc_connect(&c, T.port);
	tc_send_raw(&c, part, sizeof(part));
	ck_assert_uint_eq(tc_expect(&c, SMPP_GENERIC_NACK, 4000),
	    ESME_RINVCMDLEN);
	ck_assert(tc_closed(&c, 4000));
	ck_assert(th_wait_log(T.log, "pduReadTimer", 5000));
	tc_close(&c);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("timers");
	TCase	*tc = tcase_create("timers");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, NULL, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_session_init_timer);
	tcase_add_test(tc, test_session_init_stops_at_bind);
	tcase_add_test(tc, test_enquire_link_timer);
	tcase_add_test(tc, test_inactivity_timer);
	tcase_add_test(tc, test_response_timer);
	tcase_add_test(tc, test_pdu_read_timer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
