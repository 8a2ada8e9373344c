/*
 * check_cluster.c - two nodes on one machine: receipts and MO that reach
 * the wrong node find the account's home node, and nothing is lost
 * while a peer cannot be reached
 *
 * Two smppd + smppconn pairs, node_a and node_b, each with its own
 * spool, id and id map, both bound to one upstream SMSC played by the
 * test.  Each node's peer connector runs smppq forward against the
 * other's configuration through a small script that fails with 75, as
 * ssh to a host that is down does in contrib/cluster/smppd-forward,
 * while a flag file exists.  The account acme is homed on node_a.
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "buf.h"
#include "dlr.h"
#include "harness.h"
#include "pdu.h"
#include "record.h"
#include "smsc.h"

static struct th	 A, B;
static struct tc	 uA, uB;	/* the SMSC's side of each bind */
static int		 lfd = -1;

static void
node(struct th *t, const char *id, const struct th *peer, int uport,
    const char *peer_id)
{
	char	 path[700];
	FILE	*fp;

	snprintf(t->server_keys, sizeof(t->server_keys), "id = %s\n", id);
	strlcpy(t->spool_keys, "retry_min = 1\nretry_max = 1\n",
	    sizeof(t->spool_keys));
	snprintf(t->conn_keys, sizeof(t->conn_keys), "rescan = 1\n"
	    "peers = %s peer\nhomes = %s/homes.map\nforward_expiry = 60\n",
	    peer_id, A.dir);
	snprintf(path, sizeof(path), "%s/peer.sh", t->dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "test -e %s/down && exit 75\nexec %s/smppq -c %s "
	    "forward\n", t->dir, th_bindir, peer->conf);
	fclose(fp);
	snprintf(t->sections, sizeof(t->sections),
	    "[connector up]\ntype = smpp\nhost = 127.0.0.1\nport = %d\n"
	    "system_id = gateway\npassword = pw\n\n"
	    "[connector peer]\ntype = pipe\ncommand = /bin/sh %s\n\n"
	    "[mt-routes]\ndefault = up\n\n[mo-routes]\n55 = acme\n", uport,
	    path);
}

static void
start(void)
{
	char	 path[700];
	FILE	*fp;
	int	 uport = th_free_port();

	lfd = smsc_listen(uport);
	th_init(&A, "cluster_a");
	th_init(&B, "cluster_b");
	node(&A, "node_a", &B, uport, "node_b");
	node(&B, "node_b", &A, uport, "node_a");
	snprintf(path, sizeof(path), "%s/homes.map", A.dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "# acme\n61636D65 node_a\n");
	fclose(fp);
	th_user(&A, "acme", "secret", NULL);
	th_user(&B, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
	smsc_accept(&uA, lfd, "gateway");
	th_start(&B);
	th_start_conn(&B);
	smsc_accept(&uB, lfd, "gateway");
}

static void
stop(void)
{
	/* The SMSC hangs up first, so that no connector waits on it. */
	if (uA.fd > 0)
		tc_close(&uA);
	if (uB.fd > 0)
		tc_close(&uB);
	/* Both stop at once: each connector may take its grace time. */
	if (A.connpid > 0)
		kill(A.connpid, SIGTERM);
	if (B.connpid > 0)
		kill(B.connpid, SIGTERM);
	th_cleanup(&A);
	th_cleanup(&B);
	if (lfd != -1)
		close(lfd);
	lfd = -1;
}

/* acme submits on its home node; the SMSC accepts as upstream_id. */
static void
submit(struct tc *c, const char *upstream_id, char *id)
{
	ck_assert_uint_eq(tc_submit_rd(c, "ACME", "4915112345678", "hello",
	    1, id), ESME_ROK);
	smsc_next(&uA, SMPP_SUBMIT_SM);
	smsc_answer_submit(&uA, 0, upstream_id);
}

static void
receipt_on_b(const char *upstream_id, const char *stat, int state)
{
	char	 text[200];

	snprintf(text, sizeof(text), "id:%s sub:001 dlvrd:001 submit "
	    "date:2601010000 done date:2601010001 stat:%s err:000 text:",
	    upstream_id, stat);
	smsc_deliver(&uB, "4915112345678", "ACME", ESM_TYPE_RECEIPT, text,
	    upstream_id, state);
}

/* The next deliver_sm acme gets: a receipt for id, or an MO. */
static int
got_receipt(struct tc *c, const char *id)
{
	char	 rid[PDU_MESSAGE_ID_MAX];

	ck_assert_msg(tc_deliver(c, 20000) == 1, "acme got nothing");
	if ((c->p.esm_class & ESM_TYPE_MASK) != ESM_TYPE_RECEIPT)
		return 0;
	ck_assert_int_gt(pdu_tlv_str(&c->p, TLV_RECEIPTED_MESSAGE_ID, rid,
	    sizeof(rid)), 0);
	ck_assert_str_eq(rid, id);
	return 1;
}

/* A receipt on the other node's bind, an MO at the wrong node. */
static void
receipt_and_mo_find_home(struct tc *c)
{
	char		 id[PDU_MESSAGE_ID_MAX];

	submit(c, "U1", id);
	ck_assert_msg(strncmp(id, "node_a-", 7) == 0, "id %s", id);
	/* The SMSC sends the receipt on node_b's bind. */
	receipt_on_b("U1", "DELIVRD", 2);
	ck_assert_msg(got_receipt(c, id), "not a receipt");
	ck_assert(th_log_has(B.connlog, "forwards it to node_a"));
	/* An MO for acme that arrives at node_b. */
	smsc_deliver(&uB, "4917000000001", "55123", 0, "hi acme", NULL, 0);
	ck_assert_msg(!got_receipt(c, ""), "not an MO");
	ck_assert_str_eq(c->p.destination_addr, "55123");
	ck_assert_int_eq(memcmp(c->p.short_message, "hi acme", 7), 0);
	ck_assert(th_log_has(B.connlog, "forwarded to its home node_a"));
}

/* node_b cannot reach node_a for a while: both wait, then arrive. */
static void
peer_down_and_back(struct tc *c)
{
	char		 id[PDU_MESSAGE_ID_MAX], flag[700];
	int		 receipts = 0, mos = 0, i;
	FILE		*fp;

	submit(c, "U2", id);
	snprintf(flag, sizeof(flag), "%s/down", B.dir);
	fp = fopen(flag, "w");
	ck_assert_ptr_nonnull(fp);
	fclose(fp);
	receipt_on_b("U2", "DELIVRD", 2);
	smsc_deliver(&uB, "4917000000002", "55124", 0, "while down", NULL, 0);
	/* Both are tried, fail as temporary, and wait in node_b's spool. */
	ck_assert_msg(th_wait_log(B.connlog, "attempt 2 failed", 20000),
	    "node_b did not retry");
	ck_assert_int_eq(unlink(flag), 0);
	for (i = 0; i < 2; i++) {
		if (got_receipt(c, id))
			receipts++;
		else
			mos++;
	}
	ck_assert_int_eq(receipts, 1);
	ck_assert_int_eq(mos, 1);
}

/* A receipt no node knows ends in the failed folder, logged. */
static void
unknown_receipt_fails_visibly(void)
{
	char	 dir[700];

	receipt_on_b("NOSUCH", "DELIVRD", 2);
	/* node_b passes it to node_a, which is the last node of the ring. */
	ck_assert_msg(th_wait_log(A.connlog, "no node knows it", 20000),
	    "node_a did not give up on it");
	snprintf(dir, sizeof(dir), "%s/mt/failed", A.spool);
	ck_assert_msg(th_wait_files(dir, 1, 10000), "nothing in mt/failed");
}

/*
 * acme moves to node_b: the receipt of a message node_a submitted
 * before, which the SMSC sends on node_a's bind, follows it there.
 */
static void
receipt_follows_a_move(struct tc *c)
{
	struct tc	 c2;
	char		 id[PDU_MESSAGE_ID_MAX], path[700], text[200];
	FILE		*fp;

	submit(c, "U3", id);
	snprintf(path, sizeof(path), "%s/homes.map", A.dir);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "# acme, moved\n61636D65 node_b\n");
	fclose(fp);
	tc_connect(&c2, B.port);
	ck_assert_uint_eq(tc_bind(&c2, SMPP_BIND_RECEIVER, "acme", "secret"),
	    ESME_ROK);
	snprintf(text, sizeof(text), "id:U3 sub:001 dlvrd:001 submit "
	    "date:2601010000 done date:2601010001 stat:DELIVRD err:000 text:");
	smsc_deliver(&uA, "4915112345678", "ACME", ESM_TYPE_RECEIPT, text,
	    "U3", 2);
	ck_assert_msg(got_receipt(&c2, id), "not a receipt");
	ck_assert(th_log_has(A.connlog, "forwarded to its home node_b"));
	tc_close(&c2);
}

/* One pair of nodes for all: starting them is the slow part. */
START_TEST(test_two_nodes)
{
	struct tc	 c;

	start();
	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSCEIVER, "acme", "secret"),
	    ESME_ROK);
	receipt_and_mo_find_home(&c);
	peer_down_and_back(&c);
	unknown_receipt_fails_visibly();
	receipt_follows_a_move(&c);
	tc_close(&c);
	stop();
}
END_TEST

START_TEST(test_check_warns_of_a_shared_id)
{
	char	 out[512], err[2048];

	th_init(&A, "cluster_t");
	strlcpy(A.server_keys, "id = node_a\n", sizeof(A.server_keys));
	strlcpy(A.conn_keys, "peers = node_a peer, node_b peer\n",
	    sizeof(A.conn_keys));
	strlcat(A.sections, "\n[connector peer]\ntype = pipe\n"
	    "command = /bin/true\n", sizeof(A.sections));
	th_user(&A, "acme", "secret", NULL);
	th_write_conf(&A);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", A.conf, (char *)NULL), 0);
	th_run_io("", out, sizeof(out), err, sizeof(err), "smppd", "-t",
	    "-c", A.conf, (char *)NULL);
	ck_assert_msg(strstr(err, "own [smpp-server] id node_a") != NULL,
	    "no warning: %s", err);
	th_cleanup(&A);
}
END_TEST

/* smppq forward: an MT, garbage, or a record with this node's own id. */
START_TEST(test_forward_refuses)
{
	struct msg_meta	 m;
	struct pdu	 p;
	struct buf	 b;
	char		 out[512], err[2048];

	th_init(&A, "cluster_f");
	strlcpy(A.server_keys, "id = node_a\n", sizeof(A.server_keys));
	th_write_conf(&A);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", A.conf, (char *)NULL), 0);
	ck_assert_int_eq(th_run_io("not a record", out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", A.conf, "forward", (char *)NULL), 65);
	memset(&m, 0, sizeof(m));
	strlcpy(m.id, "node_a-1a23d9f0bfd006ed7000000", sizeof(m.id));
	m.kind = MSG_MO;
	strlcpy(m.account, "acme", sizeof(m.account));
	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.source_addr = "4917000000001";
	p.destination_addr = "55123";
	buf_init(&b);
	ck_assert_int_eq(record_write(&b, &m, &p), 0);
	ck_assert_int_eq(th_run_io((const char *)b.data, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", A.conf, "forward", (char *)NULL), 75);
	ck_assert_msg(strstr(err, "share the [smpp-server] id") != NULL, "%s",
	    err);
	m.kind = MSG_MT;
	strlcpy(m.id, "node_b-1a23d9f0bfd006ed7000000", sizeof(m.id));
	p.command_id = SMPP_SUBMIT_SM;
	buf_free(&b);
	ck_assert_int_eq(record_write(&b, &m, &p), 0);
	ck_assert_int_eq(th_run_io((const char *)b.data, out, sizeof(out), err,
	    sizeof(err), "smppq", "-c", A.conf, "forward", (char *)NULL), 65);
	buf_free(&b);
	th_cleanup(&A);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cluster");
	TCase	*tc = tcase_create("cluster");
	SRunner	*sr;
	int	 nf;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_two_nodes);
	tcase_add_test(tc, test_check_warns_of_a_shared_id);
	tcase_add_test(tc, test_forward_refuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
