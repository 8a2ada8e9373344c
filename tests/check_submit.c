/*
 * check_submit.c - integration tests of smppd: submit_sm, data_sm and
 * submit_multi, each rejection status, billing and the spool records
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "harness.h"
#include "pdu.h"
#include "record.h"
#include "spool.h"

static struct th	 T;

static void
setup_users(void)
{
	th_user(&T, "acme", "secret", NULL);
	th_user(&T, "rx", "secret", NULL);
	th_user(&T, "picky", "secret", "dst_pattern=^44", "src_pattern=^ACME$",
	    "default_src=ACME", NULL);
	th_user(&T, "slow", "secret", "throughput=2", NULL);
	th_user(&T, "poor", "secret", "balance=2", NULL);
	th_user(&T, "trio", "secret", "balance=3", NULL);
	th_user(&T, "few", "secret", "submit_sm_count=1", NULL);
	th_user(&T, "payg", "secret", "balance=10", "rate=0.5", NULL);
}

static void
start(void)
{
	th_init(&T, "submit");
	strlcpy(T.sections, "[connector sink]\ntype = sink\n\n"
	    "[mt-routes]\n44 = sink\n33 = sink\n", sizeof(T.sections));
	setup_users();
	th_start(&T);
}

static void
stop(void)
{
	th_cleanup(&T);
}

static void
bound(struct tc *c, const char *user)
{
	tc_bound(c, T.port, SMPP_BIND_TRANSCEIVER, user, "secret");
}

/*
 * Find a record in the spool's mt/ folders by its id (or, dest set,
 * by its destination_addr); 1 when found.
 */
static int
find_by(const char *id, int dest, struct msg *out)
{
	static const char *const dirs[] = { "new", "tmp" };
	struct segr	 r;
	struct msg	 m;
	char		 dir[700], path[1400], **names;
	size_t		 n, i, d;
	int		 found = 0;

	record_msg_init(&m);
	for (d = 0; d < 2 && !found; d++) {
		snprintf(dir, sizeof(dir), "%s/mt/%s", T.spool, dirs[d]);
		if (spool_list(dir, &names, &n) == -1)
			continue;
		for (i = 0; i < n && !found; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (segr_open(&r, path) == -1)
				continue;
			while (!found && segr_next(&r, &m) == SEGR_OK)
				if (strcmp(dest ? m.pdu.destination_addr :
				    m.meta.id, id) == 0) {
					found = 1;
					if (out != NULL)
						record_msg_copy(out, &m.meta, &m.pdu);
				}
			segr_close(&r);
		}
		spool_list_free(names, n);
	}
	record_msg_free(&m);
	return found;
}

static int
find_record(const char *id, struct msg *out)
{
	return find_by(id, 0, out);
}

/* The balance smppuser shows, as text. */
static void
balance_of(const char *user, char *buf, size_t len)
{
	char	 cmd[1400], line[256];
	FILE	*fp;

	snprintf(cmd, sizeof(cmd), "%s/smppuser -d %s show %s", th_bindir,
	    T.db, user);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "balance", 7) == 0) {
			line[strcspn(line, "\n")] = '\0';
			strlcpy(buf, line + strspn(line + 7, " \t:=") + 7, len);
		}
	pclose(fp);
}

/* Append one request "x" to dest to out (len so far); for one write. */
static void
append(uint8_t *out, size_t cap, size_t *len, uint32_t id, uint32_t seq,
    const char *dest)
{
	struct pdu	 p;
	int		 n;

	pdu_init(&p, id, seq);
	p.destination_addr = dest;
	p.short_message = (const uint8_t *)"x";
	p.sm_length = 1;
	n = pdu_encode(&p, out + *len, cap - *len);
	ck_assert_int_gt(n, 0);
	*len += (size_t)n;
}

START_TEST(test_submit_ok_is_spooled)
{
	struct tc	 c;
	struct msg	 m;
	char		 id[PDU_MESSAGE_ID_MAX];

	bound(&c, "acme");
	ck_assert_uint_eq(tc_submit(&c, "ACME", "447700900001", "hello",
	    id), ESME_ROK);
	ck_assert_int_eq(strncmp(id, "smpps_01-", 9), 0);
	ck_assert_uint_le(strlen(id), 64);
	record_msg_init(&m);
	ck_assert(find_record(id, &m));
	ck_assert_str_eq(m.meta.account, "acme");
	ck_assert_int_eq(m.meta.kind, MSG_MT);
	ck_assert_str_eq(m.pdu.destination_addr, "447700900001");
	ck_assert_uint_eq(m.pdu.sm_length, 5);
	ck_assert_int_eq(memcmp(m.pdu.short_message, "hello", 5), 0);
	record_msg_free(&m);
	tc_close(&c);
}
END_TEST

START_TEST(test_submit_unbound)
{
	struct tc	 c;
	struct pdu	 p;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_submit(&c, "", "4477", "x", NULL),
	    ESME_RINVBNDSTS);
	/* The session is kept. */
	pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_ENQUIRE_LINK_RESP, 5000), 0);
	tc_close(&c);
}
END_TEST

START_TEST(test_submit_on_receiver)
{
	struct tc	 c;

	tc_connect(&c, T.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_RECEIVER, "rx", "secret"),
	    ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "", "4477", "x", NULL),
	    ESME_RINVBNDSTS);
	ck_assert_uint_eq(tc_submit(&c, "", "4477", "x", NULL),
	    ESME_RINVBNDSTS);
	tc_close(&c);
}
END_TEST

START_TEST(test_destination_rules)
{
	struct tc	 c;

	bound(&c, "picky");
	ck_assert_uint_eq(tc_submit(&c, "ACME", "", "x", NULL),
	    ESME_RINVDSTADR);
	ck_assert_uint_eq(tc_submit(&c, "ACME", "3312345", "x", NULL),
	    ESME_RINVDSTADR);
	ck_assert_uint_eq(tc_submit(&c, "ACME", "4412345", "x", NULL),
	    ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_source_rules_and_default)
{
	struct tc	 c;
	struct msg	 m;
	char		 id[PDU_MESSAGE_ID_MAX];

	bound(&c, "picky");
	ck_assert_uint_eq(tc_submit(&c, "OTHER", "4412345", "x", NULL),
	    ESME_RINVSRCADR);
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", id), ESME_ROK);
	record_msg_init(&m);
	ck_assert(find_record(id, &m));
	ck_assert_str_eq(m.pdu.source_addr, "ACME");
	record_msg_free(&m);
	tc_close(&c);
}
END_TEST

START_TEST(test_no_route)
{
	struct tc	 c;

	bound(&c, "acme");
	ck_assert_uint_eq(tc_submit(&c, "", "4912345", "x", NULL),
	    ESME_RINVDSTADR);
	ck_assert(th_wait_log(T.log, "no MT route", 5000));
	tc_close(&c);
}
END_TEST

START_TEST(test_throttled)
{
	struct tc	 c;
	struct pdu	 p;
	int		 i, ok = 0, throttled = 0;
	uint32_t	 st;

	bound(&c, "slow");
	/*
	 * A burst of one second's worth passes, then the bucket is dry.
	 * Sent at once, so that the commits' fdatasyncs, slow on a busy
	 * machine, do not let the bucket refill between them.
	 */
	for (i = 0; i < 5; i++) {
		pdu_init(&p, SMPP_SUBMIT_SM, 0);
		p.destination_addr = "4412345";
		p.short_message = (const uint8_t *)"x";
		p.sm_length = 1;
		tc_send(&c, &p);
	}
	for (i = 0; i < 5; i++) {
		st = tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000);
		if (st == ESME_ROK)
			ok++;
		else if (st == ESME_RTHROTTLED)
			throttled++;
	}
	ck_assert_int_ge(ok, 2);
	ck_assert_int_le(ok, 3);
	ck_assert_int_eq(ok + throttled, 5);
	tc_close(&c);
}
END_TEST

START_TEST(test_credit_exhausted)
{
	struct tc	 c;
	char		 bal[64];

	bound(&c, "poor");
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL),
	    ESME_RSYSERR);
	balance_of("poor", bal, sizeof(bal));
	ck_assert_str_eq(bal, "0");
	tc_close(&c);
}
END_TEST

START_TEST(test_credit_in_one_turn)
{
	struct tc	 c;
	uint8_t		 out[4096];
	size_t		 len = 0;
	char		 bal[64];
	int		 i;

	bound(&c, "trio");
	/*
	 * Five in one write: one turn, one hold of the ledger slot; each
	 * decided against what the ones before it left.
	 */
	for (i = 0; i < 5; i++)
		append(out, sizeof(out), &len, SMPP_SUBMIT_SM,
		    (uint32_t)(10 + i), "4412345");
	tc_send_raw(&c, out, len);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(tc_recv(&c, 5000), 1);
		ck_assert_uint_eq(c.p.sequence_number, (uint32_t)(10 + i));
		ck_assert_uint_eq(c.p.command_status, i < 3 ? ESME_ROK :
		    ESME_RSYSERR);
	}
	balance_of("trio", bal, sizeof(bal));
	ck_assert_str_eq(bal, "0");
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL),
	    ESME_RSYSERR);
	tc_close(&c);
}
END_TEST

/*
 * A client that sends and never reads cannot keep its account's ledger
 * slot from the account's other sessions: the slot is written and
 * unlocked when a turn's requests are read, before any answer is sent.
 */
START_TEST(test_hold_not_by_a_silent_client)
{
	struct tc	 a, b;
	static uint8_t	 out[400 * 64];
	size_t		 len = 0;
	int		 i;

	bound(&a, "acme");
	for (i = 0; i < 400; i++)
		append(out, sizeof(out), &len, SMPP_SUBMIT_SM,
		    (uint32_t)(1000 + i), "4412345");
	for (i = 0; i < 5; i++)
		tc_send_raw(&a, out, len);
	bound(&b, "acme");
	ck_assert_uint_eq(tc_submit(&b, "", "4412345", "x", NULL), ESME_ROK);
	tc_close(&b);
	tc_close(&a);
}
END_TEST

START_TEST(test_quota_exhausted)
{
	struct tc	 c;

	bound(&c, "few");
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL), ESME_ROK);
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL),
	    ESME_RSYSERR);
	tc_close(&c);
}
END_TEST

START_TEST(test_billing_per_part)
{
	struct tc	 c;
	struct pdu	 p;
	uint8_t		 text[300], udh[] = { 5, 0, 3, 7, 2, 1, 'a', 'b' };
	char		 bal[64];

	bound(&c, "payg");
	/* 300 GSM characters in message_payload: two parts of 153. */
	memset(text, 'a', sizeof(text));
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.destination_addr = "4412345";
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, sizeof(text), text);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), 0);
	/* One UDH part: one part. */
	pdu_init(&p, SMPP_SUBMIT_SM, 0);
	p.destination_addr = "4412345";
	p.esm_class = ESM_UDHI;
	p.short_message = udh;
	p.sm_length = sizeof(udh);
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000), 0);
	balance_of("payg", bal, sizeof(bal));
	ck_assert_str_eq(bal, "8.5");
	tc_close(&c);
}
END_TEST

START_TEST(test_malformed_fields)
{
	/* submit_sm whose source_addr has no NUL within 65 octets. */
	uint8_t		 raw[16 + 1 + 2 + 70];
	struct tc	 c;
	size_t		 n = 0;

	bound(&c, "acme");
	memset(raw, 0, sizeof(raw));
	raw[3] = sizeof(raw);
	raw[7] = 0x04;
	raw[15] = 77;
	n = 16 + 1 + 2;
	memset(raw + n, '1', 70);
	tc_send_raw(&c, raw, sizeof(raw));
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000),
	    ESME_RINVSRCADR);
	ck_assert_uint_eq(c.p.sequence_number, 77);
	/* The session goes on. */
	ck_assert_uint_eq(tc_submit(&c, "", "4412345", "x", NULL), ESME_ROK);
	tc_close(&c);
}
END_TEST

START_TEST(test_sm_length_too_big)
{
	struct tc	 c;
	uint8_t		 raw[16 + 19 + 255];
	size_t		 len = sizeof(raw);

	bound(&c, "acme");
	memset(raw, 0, sizeof(raw));
	raw[2] = (uint8_t)(len >> 8);
	raw[3] = (uint8_t)len;
	raw[7] = 0x04;
	raw[15] = 5;
	/*
	 * service_type "", ton, npi, source "", ton, npi, "44", esm_class,
	 * protocol_id, priority, two empty times, registered_delivery,
	 * replace, data_coding, sm_default_msg_id: sm_length at 18.
	 */
	memcpy(raw + 16 + 6, "44", 2);
	raw[16 + 18] = 255;
	tc_send_raw(&c, raw, sizeof(raw));
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_SM_RESP, 5000),
	    ESME_RINVMSGLEN);
	tc_close(&c);
}
END_TEST

START_TEST(test_answers_in_order)
{
	struct tc	 c;
	uint8_t		 out[64 * 1024];
	size_t		 len = 0;
	int		 i;

	bound(&c, "acme");
	/* Twenty requests in one write: one group commit, answers in order. */
	for (i = 0; i < 20; i++)
		append(out, sizeof(out), &len, i % 5 == 4 ? SMPP_ENQUIRE_LINK :
		    SMPP_SUBMIT_SM, (uint32_t)(100 + i),
		    i % 7 == 3 ? "" : "4412345");
	tc_send_raw(&c, out, len);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(tc_recv(&c, 5000), 1);
		ck_assert_uint_eq(c.p.sequence_number, (uint32_t)(100 + i));
		ck_assert_uint_eq(c.p.command_status, i % 5 == 4 ? 0 :
		    i % 7 == 3 ? ESME_RINVDSTADR : 0);
	}
	tc_close(&c);
}
END_TEST

START_TEST(test_data_sm)
{
	struct tc	 c;
	struct pdu	 p;
	struct msg	 m;
	char		 id[PDU_MESSAGE_ID_MAX];
	unsigned	 i;

	bound(&c, "acme");
	pdu_init(&p, SMPP_DATA_SM, 0);
	p.destination_addr = "4412345";
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, 5, "hello");
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_DATA_SM_RESP, 5000), ESME_ROK);
	strlcpy(id, c.p.message_id, sizeof(id));
	record_msg_init(&m);
	ck_assert(find_record(id, &m));
	ck_assert_uint_eq(m.pdu.command_id, SMPP_DATA_SM);
	ck_assert_str_eq(m.pdu.destination_addr, "4412345");
	/* The payload as sent, in its TLV. */
	for (i = 0; i < m.pdu.ntlv; i++)
		if (m.pdu.tlv[i].tag == TLV_MESSAGE_PAYLOAD)
			break;
	ck_assert_uint_lt(i, m.pdu.ntlv);
	ck_assert_uint_eq(m.pdu.tlv[i].len, 5);
	ck_assert_int_eq(memcmp(m.pdu.tlv[i].val, "hello", 5), 0);
	record_msg_free(&m);
	tc_close(&c);
}
END_TEST

START_TEST(test_submit_multi)
{
	struct pdu_dest	 d[3] = {
		{ 1, 1, 1, "4412345" }, { 2, 0, 0, "friends" },
		{ 1, 1, 1, "4912345" }
	};
	struct tc	 c;
	struct pdu	 p;
	struct msg	 m;

	bound(&c, "acme");
	pdu_init(&p, SMPP_SUBMIT_MULTI, 0);
	p.number_of_dests = 3;
	p.dests = d;
	p.short_message = (const uint8_t *)"hi";
	p.sm_length = 2;
	tc_send(&c, &p);
	ck_assert_uint_eq(tc_expect(&c, SMPP_SUBMIT_MULTI_RESP, 5000),
	    ESME_ROK);
	ck_assert_ptr_nonnull(c.p.message_id);
	/* Stored for the one destination that was accepted. */
	record_msg_init(&m);
	ck_assert(find_record(c.p.message_id, &m));
	ck_assert_str_eq(m.pdu.destination_addr, "4412345");
	ck_assert_uint_eq(m.pdu.dest_addr_ton, 1);
	ck_assert_uint_eq(m.pdu.sm_length, 2);
	ck_assert_int_eq(memcmp(m.pdu.short_message, "hi", 2), 0);
	record_msg_free(&m);
	ck_assert(!find_by("4912345", 1, NULL));
	ck_assert(!find_by("friends", 1, NULL));
	ck_assert_uint_eq(c.p.no_unsuccess, 2);
	ck_assert_uint_eq(c.p.unsuccess[0].error_status_code, ESME_RCNTSUBDL);
	ck_assert_str_eq(c.p.unsuccess[1].addr, "4912345");
	ck_assert_uint_eq(c.p.unsuccess[1].error_status_code,
	    ESME_RINVDSTADR);
	tc_close(&c);
}
END_TEST

START_TEST(test_disk_full)
{
	struct tc	 c;
	struct segr	 r;
	struct msg	 m;
	char		 dir[700], path[1400], bal[64], **names;
	size_t		 n, i;
	int		 k, ok = 0, failed = 0, records = 0;
	uint32_t	 st;

	th_cleanup(&T);
	th_init(&T, "diskfull");
	strlcpy(T.sections, "[connector sink]\ntype = sink\n\n"
	    "[mt-routes]\ndefault = sink\n", sizeof(T.sections));
	/* A segment that does not close, so that one file hits the limit. */
	strlcpy(T.spool_keys, "segment_max_age_ms = 60000\n",
	    sizeof(T.spool_keys));
	th_user(&T, "payg", "secret", "balance=100", NULL);
	th_write_conf(&T);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", T.conf, (char *)NULL), 0);
	setenv("SMPPD_TEST_FSIZE", "6000", 1);
	th_start(&T);
	unsetenv("SMPPD_TEST_FSIZE");
	bound(&c, "payg");
	for (k = 0; k < 40 && failed == 0; k++) {
		st = tc_submit(&c, "", "4412345", "a message that is long "
		    "enough to fill a small file quickly", NULL);
		if (st == ESME_ROK)
			ok++;
		else {
			ck_assert_uint_eq(st, ESME_RSUBMITFAIL);
			failed++;
		}
	}
	ck_assert_int_gt(ok, 0);
	ck_assert_int_eq(failed, 1);
	balance_of("payg", bal, sizeof(bal));
	ck_assert_int_eq(atoi(bal), 100 - ok);
	tc_close(&c);
	th_stop(&T);
	/* Every record on disk is whole and acknowledged. */
	record_msg_init(&m);
	snprintf(dir, sizeof(dir), "%s/mt/new", T.spool);
	ck_assert_int_eq(spool_list(dir, &names, &n), 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ck_assert_int_eq(segr_open(&r, path), 0);
		while (segr_next(&r, &m) == SEGR_OK)
			records++;
		ck_assert_int_eq(r.torn, 0);
		segr_close(&r);
	}
	spool_list_free(names, n);
	record_msg_free(&m);
	ck_assert_int_eq(records, ok);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("submit");
	TCase	*tc = tcase_create("submit");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_submit_ok_is_spooled);
	tcase_add_test(tc, test_submit_unbound);
	tcase_add_test(tc, test_submit_on_receiver);
	tcase_add_test(tc, test_destination_rules);
	tcase_add_test(tc, test_source_rules_and_default);
	tcase_add_test(tc, test_no_route);
	tcase_add_test(tc, test_throttled);
	tcase_add_test(tc, test_credit_exhausted);
	tcase_add_test(tc, test_quota_exhausted);
	tcase_add_test(tc, test_credit_in_one_turn);
	tcase_add_test(tc, test_hold_not_by_a_silent_client);
	tcase_add_test(tc, test_billing_per_part);
	tcase_add_test(tc, test_malformed_fields);
	tcase_add_test(tc, test_sm_length_too_big);
	tcase_add_test(tc, test_answers_in_order);
	tcase_add_test(tc, test_data_sm);
	tcase_add_test(tc, test_submit_multi);
	tcase_add_test(tc, test_disk_full);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
