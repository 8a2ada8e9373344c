/*
 * check_userdb.c - unit tests of account.c, userdb.c and netacl.c: the
 * record text, passwords, fields, networks, patterns and the GDBM calls
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <gdbm.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "netacl.h"
#include "userdb.h"

static char	 dir[64];
static char	 db[128];

static void
setup_dir(void)
{
	strlcpy(dir, "tmp-check_userdb.XXXXXX", sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/users.db", dir);
}

static void
teardown_dir(void)
{
	char	 tmp[160];

	unlink(db);
	snprintf(tmp, sizeof(tmp), "%s.ledger", db);
	unlink(tmp);
	rmdir(dir);
}

/* An account with every field away from its default. */
static void
full_account(struct account *a, const char *id)
{
	char	 err[256];

	account_defaults(a, id);
	ck_assert_int_eq(account_set_password(a, "s3cret"), 0);
	ck_assert_int_eq(account_field_set(a, "enabled", "no", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "binds", "transmitter,trx", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "max_bindings", "3", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "throughput", "25", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "rate", "0.035", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "default_src", "MY CO", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "src_pattern", "^(MY|33)", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "dst_pattern", "\\+?336[0-9]+",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(a, "networks",
	    "10.0.0.0/8, 2001:db8::/32", err, sizeof(err)), 0);
	a->slot = 7;
}

static void
assert_same(const struct account *a, const struct account *b)
{
	ck_assert_str_eq(a->system_id, b->system_id);
	ck_assert_str_eq(a->hash, b->hash);
	ck_assert_int_eq(a->enabled, b->enabled);
	ck_assert_int_eq(a->binds, b->binds);
	ck_assert_int_eq(a->max_bindings, b->max_bindings);
	ck_assert_int_eq(a->throughput, b->throughput);
	ck_assert_int_eq(a->rate, b->rate);
	ck_assert_str_eq(a->default_src, b->default_src);
	ck_assert_str_eq(a->src_pattern, b->src_pattern);
	ck_assert_str_eq(a->dst_pattern, b->dst_pattern);
	ck_assert_str_eq(a->networks, b->networks);
	ck_assert_uint_eq(a->slot, b->slot);
}

START_TEST(test_round_trip)
{
	struct account	 a, b;
	char		 text[ACCOUNT_RECORD_MAX], again[ACCOUNT_RECORD_MAX];
	int		 n;

	full_account(&a, "alice");
	ck_assert_int_eq(a.binds, BIND_TX | BIND_TRX);
	ck_assert_int_eq(a.rate, 35000);
	n = account_encode(&a, text, sizeof(text));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(strncmp(text, "v1\n", 3), 0);
	ck_assert_ptr_nonnull(strstr(text, "\nrate=0.035\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nbinds=tx,trx\n"));
	memset(&b, 0x55, sizeof(b));
	strlcpy(b.system_id, "alice", sizeof(b.system_id));
	ck_assert_int_eq(account_decode(text, (size_t)n, &b), USERDB_OK);
	assert_same(&a, &b);
	ck_assert_int_eq(account_encode(&b, again, sizeof(again)), n);
	ck_assert_str_eq(text, again);
	ck_assert_int_eq(account_encode(&a, text, 20), -1);

	/* Defaults survive too, and a record without a last newline. */
	account_defaults(&a, "bob");
	n = account_encode(&a, text, sizeof(text));
	account_defaults(&b, "bob");
	ck_assert_int_eq(account_decode(text, (size_t)n - 1, &b), USERDB_OK);
	assert_same(&a, &b);
	ck_assert_int_eq(b.max_bindings, -1);
	ck_assert_int_eq(b.rate, MICRO);
	ck_assert_uint_eq(b.slot, ACCOUNT_NO_SLOT);
}
END_TEST

START_TEST(test_version)
{
	struct account	 a;
	const char	*v2 = "v2\nhash=$6$x$y\nfuture=1\n";

	account_defaults(&a, "alice");
	ck_assert_int_eq(account_decode(v2, strlen(v2), &a),
	    ACCOUNT_VERSION_ERR);
	ck_assert_str_eq(account_error(), "record of alice has format version "
	    "2, this program reads 1");
	ck_assert_str_eq(a.system_id, "alice");
	ck_assert_int_eq(account_decode("x1\n", 3, &a), ACCOUNT_ERROR);
	ck_assert_int_eq(account_decode("v\n", 2, &a), ACCOUNT_ERROR);
	ck_assert_int_eq(account_decode("v1", 2, &a), ACCOUNT_ERROR);
	ck_assert_int_eq(account_decode("v1\nnosuch=1\n", 12, &a),
	    ACCOUNT_ERROR);
	ck_assert_ptr_nonnull(strstr(account_error(), "nosuch"));
	ck_assert_int_eq(account_decode("v1\nrate=x\n", 10, &a), ACCOUNT_ERROR);
	ck_assert_int_eq(account_decode("v1\nrate\n", 8, &a), ACCOUNT_ERROR);
	ck_assert_int_eq(account_decode("v1\nrate=1\0\n", 11, &a),
	    ACCOUNT_ERROR);
}
END_TEST

START_TEST(test_system_id)
{
	ck_assert_int_eq(userdb_valid_system_id("alice"), 1);
	ck_assert_int_eq(userdb_valid_system_id("A.b-c_9"), 1);
	ck_assert_int_eq(userdb_valid_system_id("a"), 1);
	ck_assert_int_eq(userdb_valid_system_id(
	    "abcdefghijabcdefghijabcdefghij"), 1);
	ck_assert_int_eq(userdb_valid_system_id(
	    "abcdefghijabcdefghijabcdefghijk"), 0);
	ck_assert_int_eq(userdb_valid_system_id(""), 0);
	ck_assert_int_eq(userdb_valid_system_id(".hidden"), 0);
	ck_assert_int_eq(userdb_valid_system_id(".."), 0);
	ck_assert_int_eq(userdb_valid_system_id("a b"), 0);
	ck_assert_int_eq(userdb_valid_system_id("a/b"), 0);
	ck_assert_int_eq(userdb_valid_system_id("caf\xc3\xa9"), 0);
	ck_assert_int_eq(userdb_valid_system_id("a=b"), 0);
}
END_TEST

START_TEST(test_password)
{
	struct account	 a, b;

	account_defaults(&a, "alice");
	ck_assert_int_eq(account_check_password(&a, ""), 0);
	ck_assert_int_eq(account_check_password(&a, "s3cret"), 0);
	ck_assert_int_eq(account_set_password(&a, "s3cret"), 0);
	ck_assert_int_eq(a.hash[0], '$');
	ck_assert_ptr_null(strstr(a.hash, "s3cret"));
	ck_assert_int_eq(account_check_password(&a, "s3cret"), 1);
	ck_assert_int_eq(account_check_password(&a, "s3cre"), 0);
	ck_assert_int_eq(account_check_password(&a, "s3cret "), 0);
	ck_assert_int_eq(account_check_password(&a, ""), 0);
	ck_assert_int_eq(account_check_password(&a,
	    "0123456789012345678901234567890123456789"), 0);

	/* A random salt: the same password never hashes the same. */
	account_defaults(&b, "bob");
	ck_assert_int_eq(account_set_password(&b, "s3cret"), 0);
	ck_assert_str_ne(a.hash, b.hash);
	ck_assert_int_eq(account_check_password(&b, "s3cret"), 1);

	ck_assert_int_eq(account_set_password(&b, ""), -1);
	ck_assert_ptr_nonnull(strstr(account_error(), "1 to 30"));
	ck_assert_int_eq(account_set_password(&b,
	    "0123456789012345678901234567890"), -1);
	ck_assert_int_eq(account_set_password(&b,
	    "012345678901234567890123456789"), 0);
	ck_assert_int_eq(account_check_password(&b,
	    "012345678901234567890123456789"), 1);

	/* A locked hash never matches. */
	b.hash[0] = '!';
	ck_assert_int_eq(account_check_password(&b,
	    "012345678901234567890123456789"), 0);
}
END_TEST

static struct sockaddr_storage	 ss;

static const struct sockaddr *
peer(const char *addr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr),
		    1);
		sin6->sin6_family = AF_INET6;
	}
	return (const struct sockaddr *)&ss;
}

START_TEST(test_networks)
{
	const char		*l4 = "10.0.0.0/8, 192.0.2.7,198.51.100.0/25";
	const char		*l6 = "2001:db8::/32,::1";
	struct sockaddr_un	 sun;
	struct account		 a;
	char			 err[256];

	ck_assert_int_eq(netacl_check(l4, err, sizeof(err)), 0);
	ck_assert_int_eq(netacl_match(l4, peer("10.1.2.3")), 1);
	ck_assert_int_eq(netacl_match(l4, peer("11.1.2.3")), 0);
	ck_assert_int_eq(netacl_match(l4, peer("192.0.2.7")), 1);
	ck_assert_int_eq(netacl_match(l4, peer("192.0.2.8")), 0);
	ck_assert_int_eq(netacl_match(l4, peer("198.51.100.127")), 1);
	ck_assert_int_eq(netacl_match(l4, peer("198.51.100.128")), 0);
	ck_assert_int_eq(netacl_match(l6, peer("2001:db8:1::5")), 1);
	ck_assert_int_eq(netacl_match(l6, peer("2001:db9::5")), 0);
	ck_assert_int_eq(netacl_match(l6, peer("::1")), 1);
	ck_assert_int_eq(netacl_match(l6, peer("10.1.2.3")), 0);
	ck_assert_int_eq(netacl_match(l4, peer("2001:db8::1")), 0);

	/* IPv4-mapped peers and rules count as IPv4. */
	ck_assert_int_eq(netacl_match(l4, peer("::ffff:10.9.9.9")), 1);
	ck_assert_int_eq(netacl_match(l4, peer("::ffff:11.9.9.9")), 0);
	ck_assert_int_eq(netacl_match("::ffff:10.0.0.0/104",
	    peer("10.2.3.4")), 1);
	ck_assert_int_eq(netacl_match("0.0.0.0/0", peer("203.0.113.1")), 1);
	ck_assert_int_eq(netacl_match("::/0", peer("2001:db8::1")), 1);
	ck_assert_int_eq(netacl_match("10.0.0.1/8", peer("10.200.0.1")), 1);

	/* Bad lists are refused with a reason, and deny when matched. */
	ck_assert_int_eq(netacl_check("10.0.0.0/33", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "0..32"));
	ck_assert_int_eq(netacl_check("::1/129", err, sizeof(err)), -1);
	ck_assert_int_eq(netacl_check("300.1.1.1", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "300.1.1.1"));
	ck_assert_int_eq(netacl_check("10.0.0.0/x", err, sizeof(err)), -1);
	ck_assert_int_eq(netacl_check("10.0.0.0/", err, sizeof(err)), -1);
	ck_assert_int_eq(netacl_check("10.0.0.0/-1", err, sizeof(err)), -1);
	ck_assert_int_eq(netacl_check("10.0.0.0/8,,::1", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(netacl_check("", err, sizeof(err)), -1);
	ck_assert_int_eq(netacl_check("host.example", err, sizeof(err)), -1);
	ck_assert_int_eq(netacl_match("10.0.0.0/8,bad", peer("10.0.0.1")), 0);

	/* Accounts: empty means any; a Unix socket peer is not a network. */
	account_defaults(&a, "alice");
	ck_assert_int_eq(account_network_allowed(&a, peer("203.0.113.1")), 1);
	ck_assert_int_eq(account_field_set(&a, "networks", l4, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_network_allowed(&a, peer("10.0.0.1")), 1);
	ck_assert_int_eq(account_network_allowed(&a, peer("203.0.113.1")), 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(account_network_allowed(&a,
	    (struct sockaddr *)&sun), 0);
	ck_assert_int_eq(account_field_set(&a, "networks", "10.0.0.0/99",
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "networks"));
	ck_assert_int_eq(account_field_set(&a, "networks", "any", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(a.networks, "");
}
END_TEST

static void
assert_bad(struct account *a, const char *field, const char *value,
    const char *range)
{
	char	 err[512];

	ck_assert_int_eq(account_field_set(a, field, value, err, sizeof(err)),
	    -1);
	ck_assert_msg(strncmp(err, field, strlen(field)) == 0,
	    "error \"%s\" does not name %s", err, field);
	if (range != NULL)
		ck_assert_msg(strstr(err, range) != NULL,
		    "error \"%s\" does not give %s", err, range);
}

START_TEST(test_fields)
{
	struct account	 a;
	char		 buf[64], err[256];
	const char	*name;
	int		 i, flags, mask, admin = 0;

	account_defaults(&a, "alice");
	assert_bad(&a, "enabled", "maybe", "yes or no");
	assert_bad(&a, "binds", "tx,bogus", "tx, rx, trx");
	assert_bad(&a, "binds", "", NULL);
	assert_bad(&a, "max_bindings", "-1", "0..2147483647");
	assert_bad(&a, "max_bindings", "2147483648", NULL);
	assert_bad(&a, "throughput", "1000001", "0..1000000");
	assert_bad(&a, "throughput", "1e3", NULL);
	assert_bad(&a, "rate", "-1", "0..1000000");
	assert_bad(&a, "rate", "0.0000001", "6 decimals");
	assert_bad(&a, "rate", "1000000.5", NULL);
	assert_bad(&a, "default_src", "123456789012345678901", "20");
	assert_bad(&a, "default_src", "tab\there", "printable");
	assert_bad(&a, "src_pattern", "(", "regular expression");
	assert_bad(&a, "dst_pattern", "a{2,1}", NULL);
	assert_bad(&a, "hash", "has space", NULL);
	ck_assert_int_eq(account_field_set(&a, "nosuch", "1", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "nosuch"));

	ck_assert_int_eq(account_binds_parse("ALL", &mask), 0);
	ck_assert_int_eq(mask, BIND_ALL);
	ck_assert_int_eq(account_binds_parse("receiver,rx", &mask), 0);
	ck_assert_int_eq(mask, BIND_RX);
	ck_assert_str_eq(account_binds_name(BIND_RX | BIND_TRX, buf,
	    sizeof(buf)), "rx,trx");
	ck_assert_str_eq(account_binds_name(0, buf, sizeof(buf)), "none");

	/* "unlimited" and unset bring back the defaults. */
	ck_assert_int_eq(account_field_set(&a, "max_bindings", "5", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(account_field_set(&a, "max_bindings", "unlimited",
	    err, sizeof(err)), 0);
	ck_assert_int_eq(a.max_bindings, -1);
	full_account(&a, "alice");
	for (i = 0; (name = account_field(i, &flags)) != NULL; i++) {
		if (!(flags & ACCOUNT_F_ADMIN))
			continue;
		admin++;
		ck_assert_int_eq(account_field_unset(&a, name), 0);
	}
	ck_assert_int_eq(admin, 9);
	ck_assert_int_eq(a.enabled, 1);
	ck_assert_int_eq(a.binds, BIND_ALL);
	ck_assert_int_eq(a.max_bindings, -1);
	ck_assert_int_eq(a.throughput, 0);
	ck_assert_int_eq(a.rate, MICRO);
	ck_assert_str_eq(a.default_src, "");
	ck_assert_str_eq(a.src_pattern, "");
	ck_assert_str_eq(a.networks, "");
	ck_assert_int_eq(account_field_unset(&a, "nosuch"), -1);
	ck_assert_int_eq(account_field_get(&a, "throughput", buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "unlimited");
	ck_assert_int_eq(account_field_get(&a, "nosuch", buf, sizeof(buf)),
	    -1);
}
END_TEST

static int
matches(const char *pattern, const char *s)
{
	regex_t	 re;
	char	 err[128];
	int	 r;

	ck_assert_int_eq(account_pattern_compile(&re, pattern, err,
	    sizeof(err)), 0);
	r = account_pattern_match(&re, s);
	regfree(&re);
	return r;
}

START_TEST(test_patterns)
{
	regex_t	 re;
	char	 err[128];

	/* As Python's re.match: anchored at the start, not at the end. */
	ck_assert_int_eq(matches("33", "33612345678"), 1);
	ck_assert_int_eq(matches("33", "4433"), 0);
	ck_assert_int_eq(matches("\\+?33[67]", "+33612"), 1);
	ck_assert_int_eq(matches("a|b", "xb"), 0);
	ck_assert_int_eq(matches("a|b", "bx"), 1);
	ck_assert_int_eq(matches(".*", ""), 1);
	ck_assert_int_eq(matches("^[0-9]+$", "123a"), 0);
	ck_assert_int_eq(account_pattern_compile(&re, "(", err, sizeof(err)),
	    -1);
	ck_assert_str_ne(err, "");
}
END_TEST

START_TEST(test_db)
{
	struct account	 a, b;
	struct stat	 st;

	setup_dir();
	ck_assert_int_eq(userdb_get(db, "alice", &b), USERDB_ERROR);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(userdb_del(db, "alice"), USERDB_ERROR);
	full_account(&a, "alice");
	ck_assert_int_eq(userdb_put(db, &a, USERDB_REPLACE), USERDB_ERROR);
	ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_OK);
	ck_assert_int_eq(stat(db, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_EXISTS);
	ck_assert_int_eq(userdb_get(db, "alice", &b), USERDB_OK);
	assert_same(&a, &b);
	ck_assert_int_eq(userdb_get(db, "bob", &b), USERDB_NOTFOUND);
	ck_assert_int_eq(userdb_get(db, "../x", &b), USERDB_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(userdb_error(), "not a valid system_id"));
	a.throughput = 99;
	ck_assert_int_eq(userdb_put(db, &a, USERDB_REPLACE), USERDB_OK);
	ck_assert_int_eq(userdb_get(db, "alice", &b), USERDB_OK);
	ck_assert_int_eq(b.throughput, 99);
	strlcpy(a.system_id, "bad id", sizeof(a.system_id));
	ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_ERROR);
	teardown_dir();
}
END_TEST

static int
count_one(const struct account *a, void *arg)
{
	int	*n = arg;

	ck_assert(userdb_valid_system_id(a->system_id));
	(*n)++;
	return strcmp(a->system_id, "stop") == 0 ? 42 : 0;
}

static int
set_rate(struct account *a, void *arg)
{
	a->rate = *(int64_t *)arg;
	return USERDB_OK;
}

static int
refuse(struct account *a, void *arg)
{
	(void)a;
	(void)arg;
	return 7;
}

START_TEST(test_db_walk)
{
	struct account	 a, many[3];
	int64_t		 rate = 2 * MICRO;
	int		 n = 0, i;

	setup_dir();
	for (i = 0; i < 10; i++) {
		char	 id[16];

		snprintf(id, sizeof(id), "user%d", i);
		account_defaults(&a, id);
		ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_OK);
	}
	ck_assert_int_eq(userdb_foreach(db, count_one, &n), USERDB_OK);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(userdb_update(db, "user3", set_rate, &rate),
	    USERDB_OK);
	ck_assert_int_eq(userdb_get(db, "user3", &a), USERDB_OK);
	ck_assert_int_eq(a.rate, 2 * MICRO);
	ck_assert_int_eq(userdb_update(db, "user3", refuse, NULL), 7);
	ck_assert_int_eq(userdb_update(db, "nobody", set_rate, &rate),
	    USERDB_NOTFOUND);
	ck_assert_int_eq(userdb_del(db, "user3"), USERDB_OK);
	ck_assert_int_eq(userdb_del(db, "user3"), USERDB_NOTFOUND);
	ck_assert_int_eq(userdb_get(db, "user3", &a), USERDB_NOTFOUND);
	account_defaults(&a, "stop");
	ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_OK);
	n = 0;
	ck_assert_int_eq(userdb_foreach(db, count_one, &n), 42);

	/* A full replace: the old accounts are gone, the new are there. */
	account_defaults(&many[0], "x");
	account_defaults(&many[1], "y");
	account_defaults(&many[2], "z");
	ck_assert_int_eq(userdb_replace_all(db, many, 3), USERDB_OK);
	n = 0;
	ck_assert_int_eq(userdb_foreach(db, count_one, &n), USERDB_OK);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(userdb_get(db, "user1", &a), USERDB_NOTFOUND);
	ck_assert_int_eq(userdb_get(db, "y", &a), USERDB_OK);
	account_defaults(&many[2], "x");
	ck_assert_int_eq(userdb_replace_all(db, many, 3), USERDB_ERROR);
	ck_assert_ptr_nonnull(strstr(userdb_error(), "twice"));
	ck_assert_int_eq(userdb_get(db, "z", &a), USERDB_OK);
	teardown_dir();
}
END_TEST

/* A record written by a later program: refused with a clear message. */
START_TEST(test_db_version)
{
	struct account	 a;
	GDBM_FILE	 g;
	datum		 k = { "alice", 5 }, v = { "v2\nnew=1\n", 9 };

	setup_dir();
	account_defaults(&a, "bob");
	ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_OK);
	g = gdbm_open(db, 0, GDBM_WRITER, 0600, NULL);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gdbm_store(g, k, v, GDBM_REPLACE), 0);
	gdbm_close(g);
	ck_assert_int_eq(userdb_get(db, "alice", &a), USERDB_VERSION_ERR);
	ck_assert_str_eq(userdb_error(), "record of alice has format version "
	    "2, this program reads 1");
	ck_assert_int_eq(userdb_get(db, "bob", &a), USERDB_OK);
	teardown_dir();
}
END_TEST

/* A writer holding the database: readers give up after about 1 s. */
START_TEST(test_db_locked)
{
	struct account	 a;
	GDBM_FILE	 g;
	int		 ready[2], done[2], status;
	pid_t		 pid;
	char		 c;

	setup_dir();
	account_defaults(&a, "alice");
	ck_assert_int_eq(userdb_put(db, &a, USERDB_INSERT), USERDB_OK);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(done), 0);
	if ((pid = fork()) == 0) {
		g = gdbm_open(db, 0, GDBM_WRITER, 0600, NULL);
		c = g != NULL ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		if (g != NULL)
			gdbm_close(g);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	ck_assert_int_eq(userdb_get(db, "alice", &a), USERDB_LOCKED);
	ck_assert_ptr_nonnull(strstr(userdb_error(), "locked"));
	ck_assert_int_eq(userdb_put(db, &a, USERDB_REPLACE), USERDB_LOCKED);
	ck_assert_int_eq(write(done[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(userdb_get(db, "alice", &a), USERDB_OK);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	teardown_dir();
}
END_TEST

/*
 * "check_userdb put-raw DB KEY VALUE" stores VALUE as it is, for
 * smppuser.sh to make records that smppuser itself never writes.
 */
static int
put_raw(const char *path, const char *key, const char *value)
{
	GDBM_FILE	 g;
	datum		 k, v;
	int		 r;

	if ((g = gdbm_open(path, 0, GDBM_WRCREAT, 0600, NULL)) == NULL)
		return EXIT_FAILURE;
	k.dptr = (char *)key;
	k.dsize = (int)strlen(key);
	v.dptr = (char *)value;
	v.dsize = (int)strlen(value);
	r = gdbm_store(g, k, v, GDBM_REPLACE);
	gdbm_close(g);
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
main(int argc, char *argv[])
{
	Suite	*s;
	TCase	*tc;
	SRunner	*sr;
	int	 failed;

	if (argc == 5 && strcmp(argv[1], "put-raw") == 0)
		return put_raw(argv[2], argv[3], argv[4]);
	s = suite_create("userdb");
	tc = tcase_create("userdb");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_system_id);
	tcase_add_test(tc, test_password);
	tcase_add_test(tc, test_networks);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_patterns);
	tcase_add_test(tc, test_db);
	tcase_add_test(tc, test_db_walk);
	tcase_add_test(tc, test_db_version);
	tcase_add_test(tc, test_db_locked);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
