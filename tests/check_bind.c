/*
 * check_bind.c - integration tests of smppd: binds, their statuses, and
 * the PDUs every state answers (enquire_link, unbind, generic_nack)
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

static struct th	 T;

static void
start(void)
{
	th_init(&T, "bind");
	th_user(&T, "acme", "secret", NULL);
	th_user(&T, "off", "secret", "enabled=no", NULL);
	th_user(&T, "far", "secret", "networks=10.0.0.0/8,2001:db8::/32",
	    NULL);
	th_user(&T, "txonly", "secret", "binds=tx", NULL);
	th_user(&T, "single", "secret", "max_bindings=1", NULL);
	th_start(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

START_TEST(test_bind_each_type)
{
	static const uint32_t	 cmds[] = { SMPP_BIND_TRANSMITTER,
				    SMPP_BIND_RECEIVER, SMPP_BIND_TRANSCEIVER };
	struct tc		 c;
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i < 3; i++) {
		tc_connect(&c, T.port);
		ck_assert_uint_eq(tc_bind(&c, cmds[i], "acme", "secret"),
		    ESME_ROK);
		ck_assert_str_eq(c.p.system_id, "smpps_01");
		ck_assert_int_eq(pdu_tlv_uint(&c.p, TLV_SC_INTERFACE_VERSION,
		    &v), 0);
		ck_assert_uint_eq(v, 0x34);
		tc_close(&c);
	}
	ck_assert(th_wait_log(T.log, "bound as trx (acme)", 5000));
}
END_TEST

START_TEST(test_wrong_password_keeps_session)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "nope"),
	    ESME_RINVPASWD);
	/* The connection stays open for another try. */
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme",
	    "secret"), ESME_ROK);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "wrong password", 5000));
	ck_assert(!th_log_has(T.log, "nope"));
}
END_TEST

START_TEST(test_unknown_user)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "nobody",
	    "secret"), ESME_RINVPASWD);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "unknown user", 5000));
}
END_TEST

START_TEST(test_disabled_account)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "off", "secret"),
	    ESME_RINVPASWD);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "account disabled", 5000));
}
END_TEST

START_TEST(test_network_not_allowed)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "far", "secret"),
	    ESME_RBINDFAIL);
	tc_close(&c);
	ck_assert(th_wait_log(T.log, "not in the account's networks", 5000));
}
END_TEST

START_TEST(test_bind_type_not_allowed)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "txonly", "secret"),
	    ESME_RBINDFAIL);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "txonly",
	    "secret"), ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_max_bindings_across_connections)
{
	struct tc	 a, b;
	struct pdu	 p;

	tc_connect(&a, T.port);
	tc_connect(&b, T.port);
	ck_assert_uint_eq(tc_bind(&a, SMPP_BIND_TRANSMITTER, "single",
	    "secret"), ESME_ROK);
	ck_assert_uint_eq(tc_bind(&b, SMPP_BIND_RECEIVER, "single", "secret"),
	    ESME_RBINDFAIL);
	pdu_init(&p, SMPP_UNBIND, 0);
	tc_send(&a, &p);
	ck_assert_uint_eq(tc_expect(&a, SMPP_UNBIND_RESP, 5000), ESME_ROK);
	ck_assert(tc_closed(&a, 5000));
	/* The first session is gone: the second may bind now. */
	ck_assert_uint_eq(tc_bind(&b, SMPP_BIND_RECEIVER, "single", "secret"),
	    ESME_ROK);
	tc_close(&a);
	tc_close(&b);
}
END_TEST

START_TEST(test_already_bound)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "acme", "secret"),
	    ESME_RALYBND);
	tc_close(&c);
}
END_TEST

/* A bind whose system_id or password is too long for our encoder. */
static uint32_t
raw_bind(struct tc *c, const char *id, const char *pw)
{
	uint8_t	 raw[128];
	size_t	 n = 16, il = strlen(id) + 1, pl = strlen(pw) + 1;

	memset(raw, 0, sizeof(raw));
	memcpy(raw + n, id, il);
	n += il;
	memcpy(raw + n, pw, pl);
	n += pl + 1;		/* system_type "" */
	raw[n++] = 0x34;	/* interface_version */
	n += 3;			/* ton, npi, address_range "" */
	raw[3] = (uint8_t)n;
	raw[7] = 0x02;
	raw[15] = 9;
	tc_send_raw(c, raw, n);
	return tc_expect(c, SMPP_BIND_TRANSMITTER_RESP, 5000);
}

START_TEST(test_system_id_length)
{
	char		 id30[31], id31[32];
	struct tc	 c;

	memset(id30, 'a', 30);
	id30[30] = '\0';
	memset(id31, 'a', 31);
	id31[31] = '\0';
	tc_connect(&c, T.port);
	/* 30 characters are a system_id (unknown here); 31 are not. */
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, id30, "x"),
	    ESME_RINVPASWD);
	ck_assert_uint_eq(raw_bind(&c, id31, "x"), ESME_RINVSYSID);
	ck_assert_uint_eq(raw_bind(&c, "acme", id31), ESME_RINVPASWD);
	tc_close(&c);
}
END_TEST

START_TEST(test_enquire_link_any_state)
{
	struct tc	 c;
	struct pdu	 p;

	tc_connect(&c, T.port);
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 5000),
	    ESME_ROK);
	ck_assert_uint_eq(c.p.sequence_number, p.sequence_number);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 5000),
	    ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_unbind_closes)
{
	struct tc	 c;
	struct pdu	 p;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	pdu_init(&p, SMPP_UNBIND, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_UNBIND_RESP, 5000), ESME_ROK);
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_unknown_command_id)
{
	uint8_t		 raw[16] = { 0, 0, 0, 16, 0, 0, 0, 0x99, 0, 0, 0, 0,
			    0, 0, 0x12, 0x34 };
	struct tc	 c;
	struct pdu	 p;

	tc_connect(&c, T.port);
	tc_send_raw(&c, raw, sizeof(raw));
	ck_assert_uint_eq(tc_expect(&c, SMPP_GENERIC_NACK, 5000),
	    ESME_RINVCMDID);
	ck_assert_uint_eq(c.p.sequence_number, 0x1234);
	/* The session goes on. */
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 5000),
	    ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_command_length_too_small)
{
	uint8_t		 raw[16] = { 0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0,
			    0, 0, 0, 7 };
	struct tc	 c;

	tc_connect(&c, T.port);
	tc_send_raw(&c, raw, sizeof(raw));
	ck_assert_uint_eq(tc_expect(&c, SMPP_GENERIC_NACK, 5000),
	    ESME_RINVCMDLEN);
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_command_length_too_big)
{
	uint8_t		 raw[16] = { 0x7f, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0,
			    0, 0, 0, 9 };
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	tc_send_raw(&c, raw, sizeof(raw));
	ck_assert_uint_eq(tc_expect(&c, SMPP_GENERIC_NACK, 5000),
	    ESME_RINVCMDLEN);
	ck_assert(tc_closed(&c, 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_response_to_nothing_ignored)
{
	struct tc	 c;
	struct pdu	 p;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	pdu_init(&p, SMPP_DELIVER_SM_RESP, 4242);
	tc_send(&c, &p);
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 5000),
	    ESME_ROK);
	ck_assert(th_wait_log(T.log, "answers no request of ours", 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_sm_requests_from_esme)
{
	static const struct {
		uint32_t	 cmd;
		uint32_t	 status;
	} cases[] = {
		{ SMPP_QUERY_SM, ESME_RQUERYFAIL },
		{ SMPP_CANCEL_SM, ESME_RCANCELFAIL },
		{ SMPP_REPLACE_SM, ESME_RREPLACEFAIL },
		{ SMPP_DELIVER_SM, ESME_RINVBNDSTS },
	};
	struct tc	 c;
	struct pdu	 p;
	size_t		 i;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pdu_init(&p, cases[i].cmd, 0);
		p.message_id = "x";
		p.destination_addr = "123";
		tc_send(&c, &p);
		ck_assert_uint_eq(tc_expect(&c, cases[i].cmd | SMPP_RESP_BIT,
		    5000), cases[i].status);
	}
	tc_close(&c);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bind");
	TCase	*tc = tcase_create("bind");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bind_each_type);
	tcase_add_test(tc, test_wrong_password_keeps_session);
	tcase_add_test(tc, test_unknown_user);
	tcase_add_test(tc, test_disabled_account);
	tcase_add_test(tc, test_network_not_allowed);
	tcase_add_test(tc, test_bind_type_not_allowed);
	tcase_add_test(tc, test_max_bindings_across_connections);
	tcase_add_test(tc, test_already_bound);
	tcase_add_test(tc, test_system_id_length);
	tcase_add_test(tc, test_enquire_link_any_state);
	tcase_add_test(tc, test_unbind_closes);
	tcase_add_test(tc, test_unknown_command_id);
	tcase_add_test(tc, test_command_length_too_small);
	tcase_add_test(tc, test_command_length_too_big);
	tcase_add_test(tc, test_response_to_nothing_ignored);
	tcase_add_test(tc, test_sm_requests_from_esme);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
