/*
 * check_conn_unit.c - unit tests of smppconn's library parts: receipt
 * building and registered_delivery, routing decisions, back-off and
 * expiry, the upstream id map
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "conf.h"
#include "policy.h"
#include "receipt.h"
#include "dlr.h"
#include "idmap.h"
#include "msgid.h"
#include "pdu.h"
#include "record.h"

START_TEST(test_wanted)
{
	/* rd 0: never; 1: final ones; 2: failures; 0x10: intermediate. */
	ck_assert(!receipt_wanted(0, MSTATE_DELIVERED));
	ck_assert(!receipt_wanted(0, MSTATE_UNDELIVERABLE));
	ck_assert(receipt_wanted(1, MSTATE_DELIVERED));
	ck_assert(receipt_wanted(1, MSTATE_UNDELIVERABLE));
	ck_assert(receipt_wanted(1, MSTATE_REJECTED));
	ck_assert(receipt_wanted(1, MSTATE_EXPIRED));
	ck_assert(!receipt_wanted(1, MSTATE_ENROUTE));
	ck_assert(!receipt_wanted(1, MSTATE_ACCEPTED));
	ck_assert(!receipt_wanted(2, MSTATE_DELIVERED));
	ck_assert(receipt_wanted(2, MSTATE_UNDELIVERABLE));
	ck_assert(receipt_wanted(2, MSTATE_EXPIRED));
	ck_assert(!receipt_wanted(3, MSTATE_DELIVERED));
	ck_assert(receipt_wanted(0x11, MSTATE_ENROUTE));
	ck_assert(receipt_wanted(0x10, MSTATE_ACCEPTED));
	ck_assert(!receipt_wanted(0x10, MSTATE_DELIVERED));
	ck_assert_int_eq(receipt_kind(MSTATE_UNKNOWN), RECEIPT_FAILURE);
}
END_TEST

static void
sample(struct msg *m, uint8_t dc, const void *sm, size_t len)
{
	struct pdu	 p;
	struct msg_meta	 meta;

	memset(&meta, 0, sizeof(meta));
	strlcpy(meta.id, "smpps_01-abc", sizeof(meta.id));
	meta.kind = MSG_MT;
	strlcpy(meta.account, "acme", sizeof(meta.account));
	meta.created_us = 1795933655LL * 1000000;
	pdu_init(&p, SMPP_SUBMIT_SM, 1);
	p.source_addr_ton = 5;
	p.source_addr = "ACME";
	p.dest_addr_ton = 1;
	p.dest_addr_npi = 1;
	p.destination_addr = "4915112345678";
	p.registered_delivery = 1;
	p.data_coding = dc;
	p.short_message = sm;
	p.sm_length = (uint8_t)len;
	record_msg_init(m);
	ck_assert_int_eq(record_msg_copy(m, &meta, &p), 0);
}

START_TEST(test_build)
{
	struct receipt_of	 of;
	struct receipt		 r;
	struct msg		 m;
	struct dlr		 d;
	char			 rid[PDU_MESSAGE_ID_MAX];
	uint32_t		 state;

	msgid_init("test");
	sample(&m, 0, "Hello, world!\nThis is more than 20", 34);
	receipt_of_msg(&of, &m);
	ck_assert_str_eq(of.text, "Hello, world! This i");
	ck_assert_int_eq(receipt_build(&r, &of, "DELIVRD", 0,
	    (time_t)1795933755), 0);
	ck_assert_str_eq(r.sm, "id:smpps_01-abc sub:001 dlvrd:001 submit "
	    "date:2611290627 done date:2611290629 stat:DELIVRD err:000 "
	    "text:Hello, world! This i");
	ck_assert_uint_eq(r.pdu.command_id, SMPP_DELIVER_SM);
	ck_assert_uint_eq(r.pdu.esm_class, ESM_TYPE_RECEIPT);
	ck_assert_uint_eq(r.pdu.data_coding, 0);
	ck_assert_str_eq(r.pdu.source_addr, "4915112345678");
	ck_assert_uint_eq(r.pdu.source_addr_ton, 1);
	ck_assert_uint_eq(r.pdu.source_addr_npi, 1);
	ck_assert_str_eq(r.pdu.destination_addr, "ACME");
	ck_assert_uint_eq(r.pdu.dest_addr_ton, 5);
	ck_assert_int_gt(pdu_tlv_str(&r.pdu, TLV_RECEIPTED_MESSAGE_ID, rid,
	    sizeof(rid)), 0);
	ck_assert_str_eq(rid, "smpps_01-abc");
	ck_assert_uint_eq(pdu_tlv_get(&r.pdu, TLV_RECEIPTED_MESSAGE_ID)->len,
	    strlen("smpps_01-abc") + 1);
	ck_assert_int_eq(pdu_tlv_uint(&r.pdu, TLV_MESSAGE_STATE, &state), 0);
	ck_assert_uint_eq(state, MSTATE_DELIVERED);
	ck_assert_int_eq(r.meta.kind, MSG_DLR);
	ck_assert_str_eq(r.meta.ref, "smpps_01-abc");
	ck_assert_str_eq(r.meta.account, "acme");
	ck_assert_str_ne(r.meta.id, "smpps_01-abc");
	ck_assert_int_eq(dlr_parse(r.sm, strlen(r.sm), &d), 0);
	/* A failure: err as given, dlvrd 000. */
	ck_assert_int_eq(receipt_build(&r, &of, "UNDELIV", 69,
	    (time_t)1795933755), 0);
	ck_assert_ptr_nonnull(strstr(r.sm, "dlvrd:000"));
	ck_assert_ptr_nonnull(strstr(r.sm, "stat:UNDELIV err:069"));
	ck_assert_int_eq(pdu_tlv_uint(&r.pdu, TLV_MESSAGE_STATE, &state), 0);
	ck_assert_uint_eq(state, MSTATE_UNDELIVERABLE);
	ck_assert_int_eq(receipt_build(&r, &of, "NOSUCH", 0, 0), -1);
	record_msg_free(&m);
}
END_TEST

START_TEST(test_text)
{
	const uint8_t	 ucs2[] = { 0x00, 'H', 0x04, 0x1f, 0x00, '!' };
	const uint8_t	 udh[] = { 5, 0, 3, 7, 2, 1, 'p', 'a', 'r', 't' };
	const uint8_t	 bin[] = { 0xde, 0xad };
	struct receipt_of of;
	struct msg	 m;

	sample(&m, DC_UCS2, ucs2, sizeof(ucs2));
	receipt_of_msg(&of, &m);
	ck_assert_str_eq(of.text, "H?!");
	record_msg_free(&m);
	sample(&m, 0, udh, sizeof(udh));
	m.pdu.esm_class = ESM_UDHI;
	receipt_of_msg(&of, &m);
	ck_assert_str_eq(of.text, "part");
	record_msg_free(&m);
	sample(&m, DC_BINARY, bin, sizeof(bin));
	receipt_of_msg(&of, &m);
	ck_assert_str_eq(of.text, "dead");
	record_msg_free(&m);
	sample(&m, 0, "", 0);
	receipt_of_msg(&of, &m);
	ck_assert_str_eq(of.text, "");
	record_msg_free(&m);
}
END_TEST

START_TEST(test_backoff)
{
	struct conf_spool	 sp;
	struct msg_meta		 m;

	ck_assert_int_eq(policy_backoff(1, 30, 3600), 30);
	ck_assert_int_eq(policy_backoff(2, 30, 3600), 60);
	ck_assert_int_eq(policy_backoff(3, 30, 3600), 120);
	ck_assert_int_eq(policy_backoff(7, 30, 3600), 1920);
	ck_assert_int_eq(policy_backoff(8, 30, 3600), 3600);
	ck_assert_int_eq(policy_backoff(100, 30, 3600), 3600);
	ck_assert_int_eq(policy_backoff(5, 10, 5), 10);
	memset(&sp, 0, sizeof(sp));
	sp.retry_min = 30;
	sp.retry_max = 3600;
	sp.max_age = 172800;
	memset(&m, 0, sizeof(m));
	m.created_us = 1000000LL * 1000000;
	/* max_age, or validity_period when sooner. */
	ck_assert_int_eq(policy_expiry(&m, sp.max_age), 1000000 + 172800);
	m.expires = 1000000 + 100;
	ck_assert_int_eq(policy_expiry(&m, sp.max_age), 1000100);
	m.expires = 1000000 + 999999;
	ck_assert_int_eq(policy_expiry(&m, sp.max_age), 1172800);
	/* The next try never lies past the expiry. */
	m.expires = 1000000 + 100;
	m.attempts = 1;
	ck_assert_int_eq(policy_next_try(&m, &sp, 1000000), 1000030);
	m.attempts = 3;
	ck_assert_int_eq(policy_next_try(&m, &sp, 1000000), 1000101);
}
END_TEST

static struct conf	 C;

static void
load(const char *text)
{
	char	 path[] = "tmp.unit.XXXXXX";
	FILE	*fp;
	int	 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	ck_assert_int_eq(conf_load(&C, path, NULL), 0);
	unlink(path);
}

START_TEST(test_route)
{
	struct msg			 m;
	const struct conf_route		*c;

	load("[connector a]\ntype = sink\n[connector b]\ntype = sink\n"
	    "[connector c]\ntype = sink\n[mt-routes]\n49 = a\n"
	    "4915@acme = b\n");
	sample(&m, 0, "x", 1);
	c = policy_route(&C, &m);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->target, "b");
	strlcpy(m.meta.account, "other", sizeof(m.meta.account));
	ck_assert_str_eq(policy_route(&C, &m)->target, "a");
	/* No route now (smppconn falls back to meta.route). */
	m.pdu.destination_addr = "3312345";
	ck_assert_ptr_null(policy_route(&C, &m));
	record_msg_free(&m);
	conf_free(&C);
}
END_TEST

static void
entry(struct idmap_entry *e, const char *id, int64_t expires)
{
	memset(e, 0, sizeof(*e));
	strlcpy(e->of.id, id, sizeof(e->of.id));
	strlcpy(e->of.account, "acme", sizeof(e->of.account));
	strlcpy(e->of.src, "ACME Shop", sizeof(e->of.src));
	e->of.src_ton = 5;
	strlcpy(e->of.dst, "4915112345678", sizeof(e->of.dst));
	e->of.dst_ton = 1;
	e->of.dst_npi = 1;
	e->of.submitted = 1795933655;
	e->of.registered_delivery = 0x11;
	strlcpy(e->of.text, "100% sure, 2 spaces", sizeof(e->of.text));
	e->expires = expires;
	e->parts = 1;
}

START_TEST(test_idmap_codec)
{
	struct idmap_entry	 e, f;
	char			 buf[1024];
	int			 n;

	entry(&e, "smpps_01-xyz", 1900000000);
	n = idmap_encode(buf, sizeof(buf), &e);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_null(strchr(buf, '\n'));
	ck_assert_int_eq(idmap_decode(buf, (size_t)n, &f), 0);
	ck_assert_int_eq(memcmp(&e, &f, sizeof(e)), 0);
	ck_assert_int_eq(idmap_decode("1 a b", 5, &f), -1);
	ck_assert_int_eq(idmap_decode(buf, (size_t)n - 1, &f), 0);
	buf[0] = '2';
	ck_assert_int_eq(idmap_decode(buf, (size_t)n, &f), -1);
	ck_assert_int_eq(idmap_encode(buf, 10, &e), -1);
	/* Version 2: what billing needs for a refund after the receipt. */
	e.billed = 1;
	e.refund = 2;
	e.paid = 35000;
	e.slot = 7;
	e.nparts = 3;
	strlcpy(e.rule, "447@acme", sizeof(e.rule));
	n = idmap_encode(buf, sizeof(buf), &e);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(buf[0], '2');
	ck_assert_int_eq(idmap_decode(buf, (size_t)n, &f), 0);
	ck_assert_int_eq(memcmp(&e, &f, sizeof(e)), 0);
	buf[0] = '1';
	ck_assert_int_eq(idmap_decode(buf, (size_t)n, &f), -1);
}
END_TEST

START_TEST(test_idmap)
{
	struct idmap		*m;
	struct idmap_entry	 e, f;
	char			 err[256], key[PDU_MESSAGE_ID_MAX];
	char			 path[] = "tmp.idmap.XXXXXX";
	int64_t			 later = (int64_t)time(NULL) + 3600;
	int			 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	m = idmap_open(path, err, sizeof(err));
	ck_assert_msg(m != NULL, "%s", err);
	/* Stored as decimal 255, found as hex "FF", "00ff", and decimal. */
	entry(&e, "ours-1", later);
	ck_assert_int_eq(idmap_put(m, "255", &e), 0);
	ck_assert_int_eq(idmap_get(m, "ff", &f, key, sizeof(key)), 0);
	ck_assert_str_eq(f.of.id, "ours-1");
	ck_assert_int_eq(idmap_get(m, "00FF", &f, NULL, 0), 0);
	ck_assert_int_eq(idmap_get(m, "0255", &f, NULL, 0), 0);
	ck_assert_int_eq(idmap_get(m, "254", &f, NULL, 0), 1);
	/* Stored as hex with letters, found in decimal. */
	entry(&e, "ours-2", later);
	ck_assert_int_eq(idmap_put(m, "1A2B", &e), 0);
	ck_assert_int_eq(idmap_get(m, "6699", &f, NULL, 0), 0);
	ck_assert_str_eq(f.of.id, "ours-2");
	ck_assert_int_eq(idmap_get(m, "1a2b", &f, key, sizeof(key)), 0);
	ck_assert_int_eq(idmap_del(m, key), 0);
	ck_assert_int_eq(idmap_get(m, "1a2b", &f, NULL, 0), 1);
	/* Case and a non-numeric id. */
	entry(&e, "ours-3", later);
	ck_assert_int_eq(idmap_put(m, "Msg-ABC", &e), 0);
	ck_assert_int_eq(idmap_get(m, "msg-abc", &f, NULL, 0), 0);
	/* Expired entries are not found and are swept. */
	entry(&e, "ours-4", (int64_t)time(NULL) - 10);
	ck_assert_int_eq(idmap_put(m, "777", &e), 0);
	ck_assert_int_eq(idmap_get(m, "777", &f, NULL, 0), 1);
	ck_assert_int_eq(idmap_count(m), 3);
	ck_assert_int_eq(idmap_expire(m, (int64_t)time(NULL), 100), 1);
	ck_assert_int_eq(idmap_count(m), 2);
	/* Groups: two parts delivered, or the first failure. */
	ck_assert_int_eq(idmap_group_put(m, "ours-5", "491", 2, later), 0);
	ck_assert_int_eq(idmap_group_done(m, "ours-5", "491", 1),
	    IDMAP_GROUP_WAIT);
	ck_assert_int_eq(idmap_group_done(m, "ours-5", "491", 1),
	    IDMAP_GROUP_DONE);
	ck_assert_int_eq(idmap_group_done(m, "ours-5", "491", 1),
	    IDMAP_GROUP_GONE);
	ck_assert_int_eq(idmap_group_put(m, "ours-6", "491", 3, later), 0);
	ck_assert_int_eq(idmap_group_done(m, "ours-6", "491", 0),
	    IDMAP_GROUP_DONE);
	ck_assert_int_eq(idmap_group_done(m, "ours-6", "491", 1),
	    IDMAP_GROUP_GONE);
	ck_assert_int_eq(idmap_group_put(m, "ours-7", "491", 3, 1), 0);
	ck_assert_int_eq(idmap_expire(m, (int64_t)time(NULL), 100), 1);
	ck_assert_int_eq(idmap_sync(m), 0);
	idmap_close(m);
	/* Reopened: still there. */
	m = idmap_open(path, err, sizeof(err));
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(idmap_get(m, "255", &f, NULL, 0), 0);
	idmap_close(m);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conn_unit");
	TCase	*tc = tcase_create("conn_unit");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_wanted);
	tcase_add_test(tc, test_build);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_route);
	tcase_add_test(tc, test_idmap_codec);
	tcase_add_test(tc, test_idmap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
