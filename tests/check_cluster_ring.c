/*
 * check_cluster_ring.c - cluster.c alone: [smppconn] peers parsed and
 * checked, the ring an unknown receipt travels (three nodes, any order
 * of peers), the origin of a message id, and the account map
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "cluster.h"
#include "conf.h"
#include "msgid.h"

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
	struct cluster_peer	 p[4];
	char			 err[256];

	ck_assert_int_eq(cluster_peers("", p, 4, err, sizeof(err)), 0);
	ck_assert_int_eq(cluster_peers(" b  pb ,c pc", p, 4, err,
	    sizeof(err)), 2);
	ck_assert_str_eq(p[0].id, "b");
	ck_assert_str_eq(p[0].conn, "pb");
	ck_assert_str_eq(p[1].id, "c");
	ck_assert_str_eq(p[1].conn, "pc");
	ck_assert_int_eq(cluster_peers("b", p, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(cluster_peers("b pb x", p, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(cluster_peers("b pb,", p, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(cluster_peers("a x, b y, c z", p, 2, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cluster_peers("a_very_long_node_id_of_more_than_32"
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
	const struct cluster_peer	*n;

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
	Suite	*s = suite_create("cluster_ring");
	TCase	*tc = tcase_create("cluster_ring");
	SRunner	*sr;
	int	 nf;

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
