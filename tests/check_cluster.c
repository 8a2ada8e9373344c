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
 * Also: a standby taking over a killed node's spool, and cluster.c
 * alone (the ring, the account map).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "buf.h"
#include "cluster.h"
#include "dlr.h"
#include "harness.h"
#include "msgid.h"
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
	/* A warning, not an error; a peer without a connector is one. */
	ck_assert_int_eq(th_run("smppd", "-t", "-c", A.conf, (char *)NULL), 0);
	strlcpy(A.conn_keys, "peers = node_b nosuch\n", sizeof(A.conn_keys));
	th_write_conf(&A);
	ck_assert_int_ne(th_run_io("", out, sizeof(out), err, sizeof(err),
	    "smppd", "-t", "-c", A.conf, (char *)NULL), 0);
	ck_assert_msg(strstr(err, "no [connector nosuch]") != NULL, "%s", err);
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

/*
 * A standby takes over a dead node's spool: node A is killed with
 * SIGKILL (master, children and smppconn at once, as a machine that
 * loses power) while a client has submits in flight; node B, another
 * smppd and smppconn with A's configuration, starts on the same folders
 * (standing for the shared storage), recovers, and delivers every
 * message A acknowledged.  Duplicates are bounded by what was in
 * flight.  The upstream is a pipe connector that appends each message
 * id to a file.  Linux only (the children are found in /proc).
 */
#define SYNC_N		50	/* submitted one by one */
#define BURST_N		200	/* then sent without waiting */

static char		 ids[SYNC_N + BURST_N][PDU_MESSAGE_ID_MAX];
static int		 nacked;

/* A node whose upstream writes into dir (NULL: its own folder). */
static void
standby_node(struct th *t, const char *name, const char *dir)
{
	char	 script[700];
	FILE	*fp;

	th_init(t, name);
	if (dir == NULL)
		dir = t->dir;
	strlcpy(t->server_keys, "id = node_a\n", sizeof(t->server_keys));
	snprintf(script, sizeof(script), "%s/upstream.sh", dir);
	fp = fopen(script, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "echo \"$SMPP_ID\" >> %s/delivered\n", dir);
	fclose(fp);
	snprintf(t->sections, sizeof(t->sections), "[connector up]\n"
	    "type = pipe\ncommand = /bin/sh %s\nconcurrency = 8\n\n"
	    "[mt-routes]\ndefault = up\n", script);
}

/* Is id among the lines of the delivered file; how many times. */
static int
delivered(const char *path, const char *id, int *lines)
{
	char	 line[128];
	FILE	*fp;
	int	 n = 0;

	*lines = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		(*lines)++;
		if (strcmp(line, id) == 0)
			n++;
	}
	fclose(fp);
	return n;
}

/* Submit SYNC_N, then BURST_N without waiting, and kill node A. */
static void
run_and_kill(void)
{
	struct tc	 c;
	struct pdu	 p;
	int		 i;

	tc_connect(&c, A.port);
	ck_assert_uint_eq(tc_bind(&c, SMPP_BIND_TRANSMITTER, "acme", "secret"),
	    ESME_ROK);
	for (i = 0; i < SYNC_N; i++)
		ck_assert_uint_eq(tc_submit(&c, "ACME", "4915112345678",
		    "before", ids[nacked++]), ESME_ROK);
	for (i = 0; i < BURST_N; i++) {
		pdu_init(&p, SMPP_SUBMIT_SM, 0);
		p.source_addr = "ACME";
		p.destination_addr = "4915112345678";
		p.short_message = (const uint8_t *)"in flight";
		p.sm_length = 9;
		if (tc_try_send(&c, &p) == -1)
			break;
	}
	th_kill_tree(A.connpid);
	A.connpid = 0;
	th_kill_tree(A.pid);
	A.pid = 0;
	/* What was answered before the power went is acknowledged. */
	while (tc_recv(&c, 1000) == 1)
		if (c.p.command_id == SMPP_SUBMIT_SM_RESP &&
		    c.p.command_status == ESME_ROK && c.p.message_id != NULL)
			strlcpy(ids[nacked++], c.p.message_id, sizeof(ids[0]));
	tc_close(&c);
}

START_TEST(test_standby_takes_over)
{
	struct timespec	 ts = { 0, 50000000L };
	char		 file[700];
	int		 i, lines = 0, missing = SYNC_N + BURST_N;

	standby_node(&A, "takeover_a", NULL);
	th_user(&A, "acme", "secret", NULL);
	th_start(&A);
	th_start_conn(&A);
	run_and_kill();
	/* B: A's configuration on A's storage, on another port. */
	standby_node(&B, "takeover_b", A.dir);
	strlcpy(B.spool, A.spool, sizeof(B.spool));
	strlcpy(B.db, A.db, sizeof(B.db));
	th_start(&B);
	th_start_conn(&B);
	snprintf(file, sizeof(file), "%s/delivered", A.dir);
	for (i = 0; i < 600 && missing > 0; i++) {
		nanosleep(&ts, NULL);
		for (missing = 0; missing < nacked; missing++)
			if (delivered(file, ids[missing], &lines) == 0)
				break;
		missing = nacked - missing;
	}
	ck_assert_msg(missing == 0, "%d of %d acknowledged not delivered",
	    missing, nacked);
	ck_assert_int_ge(nacked, SYNC_N);
	/* At least once: duplicates only of what was in flight. */
	ck_assert_msg(lines <= nacked + BURST_N, "%d deliveries of %d",
	    lines, nacked);
	th_cleanup(&B);
	th_cleanup(&A);
}
END_TEST

/* cluster.c alone: peers, warnings, the ring, id origins, the map. */
static struct conf	 C;

static void
setup(const char *self, const char *peers)
{
	conf_defaults(&C);
	strlcpy(C.server.id, self, sizeof(C.server.id));
	strlcpy(C.conn.peers, peers, sizeof(C.conn.peers));
}

START_TEST(test_peers_parse)
{
	struct conf_peer	 p[4];
	char			 err[256];

	ck_assert_int_eq(conf_peers("", p, 4, err, sizeof(err)), 0);
	ck_assert_int_eq(conf_peers(" b  pb ,c pc", p, 4, err,
	    sizeof(err)), 2);
	ck_assert_str_eq(p[0].id, "b");
	ck_assert_str_eq(p[0].conn, "pb");
	ck_assert_str_eq(p[1].id, "c");
	ck_assert_str_eq(p[1].conn, "pc");
	ck_assert_int_eq(conf_peers("b", p, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_peers("b pb x", p, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_peers("b pb,", p, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(conf_peers("a x, b y, c z", p, 2, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(conf_peers("a_very_long_node_id_of_more_than_32"
	    "_characters x", p, 4, err, sizeof(err)), -1);
}
END_TEST

static int	 nwarn;

static void
count(const char *msg)
{
	(void)msg;
	nwarn++;
}

START_TEST(test_warnings)
{
	setup("a", "b pb, c pc");
	nwarn = 0;
	ck_assert_int_eq(cluster_warnings(&C, count), 0);
	setup("a", "a pa, b pb");
	ck_assert_int_eq(cluster_warnings(&C, count), 1);
	setup("a", "b pb, b pc");
	ck_assert_int_eq(cluster_warnings(&C, count), 1);
	ck_assert_int_eq(nwarn, 2);
}
END_TEST

/* Each node passes to the next id; the one before the origin stops. */
START_TEST(test_ring)
{
	const struct conf_peer	*n;

	setup("node_b", "node_c pc, node_a pa");
	ck_assert_ptr_nonnull(n = cluster_next(&C, "node_b"));
	ck_assert_str_eq(n->id, "node_c");
	ck_assert_str_eq(n->conn, "pc");
	ck_assert_ptr_null(cluster_next(&C, "node_c"));	/* went round */
	setup("node_c", "node_a pa, node_b pb");
	ck_assert_ptr_nonnull(n = cluster_next(&C, "node_b"));
	ck_assert_str_eq(n->id, "node_a");			/* wraps */
	setup("node_a", "node_b pb, node_c pc");
	ck_assert_ptr_null(cluster_next(&C, "node_b"));
	setup("node_a", "");
	ck_assert_ptr_null(cluster_next(&C, "node_a"));	/* no cluster */
}
END_TEST

START_TEST(test_origin)
{
	char	 id[MSGID_MAX + 1], node[CONF_NAME_MAX];

	msgid_init("node-with-dashes");
	ck_assert_int_eq(msgid_next(id, sizeof(id)), 0);
	ck_assert_int_eq(cluster_origin(id, node, sizeof(node)), 0);
	ck_assert_str_eq(node, "node-with-dashes");
	ck_assert_int_eq(cluster_origin("short", node, sizeof(node)), -1);
	ck_assert_int_eq(cluster_origin("x0123456789abcdef0123456789",
	    node, sizeof(node)), -1);
}
END_TEST

START_TEST(test_home_map)
{
	char	 path[] = "cluster_ring.map.XXXXXX", node[CONF_NAME_MAX];
	FILE	*fp;
	int	 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fprintf(fp, "# acme\n61636D65 node_a\n# acm\n61636d\tnode_b\n"
	    "# beta\n62657461 node_c\r\n");
	fclose(fp);
	ck_assert_int_eq(cluster_home(path, "acme", node, sizeof(node)), 1);
	ck_assert_str_eq(node, "node_a");
	ck_assert_int_eq(cluster_home(path, "acm", node, sizeof(node)), 1);
	ck_assert_str_eq(node, "node_b");
	ck_assert_int_eq(cluster_home(path, "beta", node, sizeof(node)), 1);
	ck_assert_str_eq(node, "node_c");
	ck_assert_int_eq(cluster_home(path, "ac", node, sizeof(node)), 0);
	ck_assert_int_eq(cluster_home(path, "gamma", node, sizeof(node)), 0);
	unlink(path);
	ck_assert_int_eq(cluster_home(path, "acme", node, sizeof(node)), -1);
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
	tc = tcase_create("takeover");
	tcase_set_timeout(tc, 120);
	if (access("/proc/self/stat", R_OK) == 0)
		tcase_add_test(tc, test_standby_takes_over);
	suite_add_tcase(s, tc);
	tc = tcase_create("ring");
	tcase_add_test(tc, test_peers_parse);
	tcase_add_test(tc, test_warnings);
	tcase_add_test(tc, test_ring);
	tcase_add_test(tc, test_origin);
	tcase_add_test(tc, test_home_map);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
