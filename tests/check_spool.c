/*
 * check_spool.c - unit tests of spool*.c: layout and checks, segment
 * writing, reading, claiming and moving, crash recovery, the session
 * registry and the wake-ups
 */
#include "config.h"

#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "buf.h"
#include "compat.h"
#include "log.h"
#include "record.h"
#include "spool.h"

static char	 spool[256];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void
teardown(void)
{
	if (spool[0] != '\0')
		nftw(spool, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	spool[0] = '\0';
}

/* A fresh spool in the test folder. */
static void
setup(void)
{
	strlcpy(spool, "tmp.spool.XXXXXX", sizeof(spool));
	ck_assert_ptr_nonnull(mkdtemp(spool));
	ck_assert_int_eq(chmod(spool, 0750), 0);
	ck_assert_int_eq(spool_init(spool, 1), 0);
}

static char *
at(const char *sub)
{
	static char	 path[8][1100];
	static int	 i;

	i = (i + 1) % 8;
	snprintf(path[i], sizeof(path[i]), "%s/%s", spool, sub);
	return path[i];
}

static void
sample(struct msg_meta *m, struct pdu *p, int i)
{
	static char	 addr[32];

	memset(m, 0, sizeof(*m));
	memset(p, 0, sizeof(*p));
	snprintf(m->id, sizeof(m->id), "smpps_01-%08d", i);
	m->kind = MSG_MT;
	strlcpy(m->account, "acme", sizeof(m->account));
	m->created_us = clock_wall_us();
	m->attempts = i;
	p->command_id = SMPP_SUBMIT_SM;
	snprintf(addr, sizeof(addr), "49151%08d", i);
	p->destination_addr = addr;
	p->source_addr = "SENDER";
	p->short_message = (const uint8_t *)"hello";
	p->sm_length = 5;
}

/* n records as one segment's contents. */
static void
records(struct buf *b, int first, int n)
{
	struct msg_meta	 m;
	struct pdu	 p;
	int		 i;

	for (i = first; i < first + n; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(record_write(b, &m, &p), 0);
	}
}

static void
put_file(const char *path, const void *data, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void
append_file(const char *path, const void *data, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static off_t
file_size(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static int
exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

/* The number of segments in a folder, and the first one's name. */
static size_t
count(const char *folder, char *first, size_t len)
{
	char	**v;
	size_t	 n;

	ck_assert_int_eq(spool_list(folder, &v, &n), 0);
	if (first != NULL && n > 0)
		strlcpy(first, v[0], len);
	spool_list_free(v, n);
	return n;
}

/* Read a segment: its records' attempts values, and whether torn. */
static int
read_seg(const char *path, int *attempts, int max, int *torn)
{
	struct segr	 r;
	struct msg	 m;
	int		 n = 0, rc;

	record_msg_init(&m);
	ck_assert_int_eq(segr_open(&r, path), 0);
	while ((rc = segr_next(&r, &m)) == SEGR_OK || rc == SEGR_BAD) {
		if (rc == SEGR_BAD)
			continue;	/* damage alone: the rest is read */
		if (n < max)
			attempts[n] = m.meta.attempts;
		n++;
	}
	*torn = r.torn;
	segr_close(&r);
	record_msg_free(&m);
	return rc == SEGR_EOF ? n : rc;
}

START_TEST(test_layout)
{
	static const char *const dirs[] = { "mt/tmp", "mt/new", "mt/active",
	    "mt/deferred", "mt/failed", "mo/tmp", "mo/failed", "corrupt",
	    "sessions", "out" };
	struct stat	 st;
	char		 err[512];
	size_t		 i;

	umask(022);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ck_assert_int_eq(stat(at(dirs[i]), &st), 0);
		ck_assert(S_ISDIR(st.st_mode));
		ck_assert_int_eq(st.st_mode & 07777, 0750);
	}
	ck_assert_int_eq(stat(at("trigger"), &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0620);
	ck_assert_int_eq(spool_check(spool, err, sizeof(err)), 0);
	ck_assert_int_eq(spool_init(spool, 0), 0);
	ck_assert_int_eq(spool_init(spool, 1), 0);	/* again: fine */

	ck_assert_int_eq(spool_user_area(spool, "acme", 1), 0);
	ck_assert_int_eq(stat(at("out/acme/cur"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0750);
	ck_assert_int_eq(spool_user_area(spool, "acme", 0), 0);
	ck_assert_int_eq(spool_user_area(spool, "nobody", 0), -1);
	ck_assert_int_eq(spool_user_area(spool, "..", 1), -1);
	ck_assert_int_eq(spool_user_area(spool, "a/b", 1), -1);
	ck_assert_int_eq(spool_user_area(spool, "", 1), -1);
	ck_assert_int_eq(spool_check(spool, err, sizeof(err)), 0);
}
END_TEST

static void
check_says(const char *what1, const char *what2)
{
	char	 err[512];

	ck_assert_int_eq(spool_check(spool, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, what1) != NULL && strstr(err, what2) != NULL,
	    "\"%s\" lacks \"%s\" or \"%s\"", err, what1, what2);
}

START_TEST(test_check_fails)
{
	char	 err[512];

	ck_assert_int_eq(chmod(at("mt/new"), 0757), 0);
	check_says("/mt/new:", "lets others write");
	ck_assert_int_eq(chmod(at("mt/new"), 0770), 0);
	check_says("/mt/new:", "lets the group write");
	ck_assert_int_eq(chmod(at("mt/new"), 0750), 0);
	ck_assert_int_eq(chmod(at("trigger"), 0622), 0);
	check_says("/trigger:", "lets others write");
	ck_assert_int_eq(chmod(at("trigger"), 0620), 0);
	ck_assert_int_eq(rmdir(at("mt/deferred")), 0);
	check_says("/mt/deferred:", "missing");
	ck_assert_int_eq(spool_init(spool, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(spool_init(spool, 1), 0);
	ck_assert_int_eq(spool_check(spool, err, sizeof(err)), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(at("corrupt"), 1, 1), 0);
		check_says("/corrupt:", "owned by uid 1");
		ck_assert_int_eq(chown(at("corrupt"), 0, 0), 0);
	}
	ck_assert_int_eq(unlink(at("trigger")), 0);
	put_file(at("trigger"), "", 0);
	check_says("/trigger:", "not a FIFO");
	ck_assert_int_eq(unlink(at("trigger")), 0);
	ck_assert_int_eq(spool_init(spool, 1), 0);
	ck_assert_int_eq(spool_user_area(spool, "acme", 1), 0);
	ck_assert_int_eq(chmod(at("out/acme/new"), 0777), 0);
	check_says("/out/acme/new:", "others");
}
END_TEST

START_TEST(test_names)
{
	char	 name[SPOOL_NAME_MAX], name2[SPOOL_NAME_MAX], buf[64];
	char	**v;
	size_t	 n;

	ck_assert_int_eq(spool_name(name, sizeof(name), 0), 0);
	ck_assert_int_eq(spool_name(name2, sizeof(name2), 1234567890), 0);
	ck_assert_str_ne(name, name2);
	ck_assert_int_ge(spool_name_time(name), clock_wall_us() / 1000000 - 5);
	ck_assert_int_eq(spool_name_time(name2), 1234567890);
	ck_assert_int_eq(spool_name_writer(name), getpid());
	ck_assert_int_eq(spool_name_claimer(name), 0);
	ck_assert_int_eq(spool_name_claimer("1.000001.2.3.456"), 456);
	ck_assert_int_eq(spool_name_writer("1.000001.2.3.456"), 2);
	ck_assert_int_eq(spool_name_time("1.00001.2.3"), -1);
	ck_assert_int_eq(spool_name_time("1.000001.2"), -1);
	ck_assert_int_eq(spool_name_time("1.000001.2.3.4.5"), -1);
	ck_assert_int_eq(spool_name_time("1.000001.2.3x"), -1);
	ck_assert_int_eq(spool_name_claimer("1.000001.0.3"), -1);
	ck_assert_int_eq(spool_name(buf, 8, 0), -1);
	/* Listing: by time, then name; no dotfiles, no sidecars. */
	put_file(at("mt/new/20.000001.5.1"), "", 0);
	put_file(at("mt/new/3.000002.5.1"), "", 0);
	put_file(at("mt/new/3.000001.9.2"), "", 0);
	put_file(at("mt/new/3.000001.9.1"), "", 0);
	put_file(at("mt/new/3.000001.9.1.done"), "", 0);
	put_file(at("mt/new/.3.000000.9.1"), "", 0);
	put_file(at("mt/new/junk"), "", 0);
	ck_assert_int_eq(spool_list(at("mt/new"), &v, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(v[0], "junk");
	ck_assert_str_eq(v[1], "3.000001.9.1");
	ck_assert_str_eq(v[2], "3.000001.9.2");
	ck_assert_str_eq(v[3], "3.000002.5.1");
	ck_assert_str_eq(v[4], "20.000001.5.1");
	spool_list_free(v, n);
	ck_assert_int_eq(spool_list(at("nonesuch"), &v, &n), -1);
}
END_TEST

START_TEST(test_writer)
{
	struct segw	 w, w2;
	struct msg_meta	 m;
	struct pdu	 p;
	char		 tmp[1100], name[SPOOL_NAME_MAX];
	int		 att[8], torn, i;

	segw_init(&w, at("mt"), 1);
	ck_assert_int_eq(segw_commit(&w), 0);		/* nothing to do */
	ck_assert_int_eq(w.fd, -1);
	ck_assert_int_eq(segw_due(&w, 1, 1, 1, 0), 0);
	for (i = 0; i < 3; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	}
	ck_assert_uint_eq(w.npending, 3);
	ck_assert_int_eq(segw_commit(&w), 0);
	ck_assert_uint_eq(w.count, 3);
	ck_assert_uint_eq(w.npending, 0);
	ck_assert_int_eq(w.dir_synced, 1);
	snprintf(tmp, sizeof(tmp), "%s/mt/tmp/%s", spool, w.name);
	ck_assert_int_eq(file_size(tmp), (off_t)w.bytes);
	ck_assert_int_eq(segw_due(&w, 0, 3, 0, 0), 1);
	ck_assert_int_eq(segw_due(&w, w.bytes, 0, 0, 0), 1);
	ck_assert_int_eq(segw_due(&w, w.bytes + 1, 4, 1000, 0), 0);
	ck_assert_int_eq(segw_due(&w, 0, 0, 50, w.opened_us + 50000), 1);
	ck_assert_int_eq(segw_due(&w, 0, 0, 50, w.opened_us + 49999), 0);
	for (i = 3; i < 5; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	}
	ck_assert_int_eq(segw_commit(&w), 0);
	strlcpy(name, w.name, sizeof(name));
	/* A second writer gets another name. */
	segw_init(&w2, at("mt"), 0);
	ck_assert_int_eq(segw_add(&w2, &m, &p), 0);
	ck_assert_int_eq(segw_commit(&w2), 0);
	ck_assert_str_ne(w2.name, name);
	ck_assert_int_eq(segw_close(&w), 0);
	ck_assert_int_eq(w.fd, -1);
	ck_assert(!exists(tmp));
	snprintf(tmp, sizeof(tmp), "%s/mt/new/%s", spool, name);
	ck_assert_int_eq(read_seg(tmp, att, 8, &torn), 5);
	ck_assert_int_eq(torn, 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(att[i], i);
	/* Uncommitted records are not written by close. */
	ck_assert_int_eq(segw_add(&w2, &m, &p), 0);
	ck_assert_int_eq(segw_close(&w2), 0);
	ck_assert_uint_eq(count(at("mt/new"), NULL, 0), 2);
	ck_assert_uint_eq(count(at("mt/tmp"), NULL, 0), 0);
	segw_free(&w);
	segw_free(&w2);
}
END_TEST

/* A file's octets, whole. */
static void
get_file(const char *path, struct buf *b)
{
	char	 chunk[8192];
	ssize_t	 n;
	int	 fd;

	fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "%s", path);
	buf_reset(b);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(buf_append(b, chunk, (size_t)n), 0);
	ck_assert_int_eq(n, 0);
	close(fd);
}

/* Read to the end: is what follows the last intact commit zeros alone? */
static int
torn_zeros(const char *path)
{
	struct segr	 r;
	struct msg	 m;
	int		 rc, zeros;

	record_msg_init(&m);
	ck_assert_int_eq(segr_open(&r, path), 0);
	while ((rc = segr_next(&r, &m)) == SEGR_OK || rc == SEGR_BAD)
		;
	zeros = segr_torn_zeros(&r);
	segr_close(&r);
	record_msg_free(&m);
	return zeros;
}

/*
 * A reserving writer grows its file ahead with zeros, so that its
 * commits leave the size alone (their fdatasync writes the data
 * alone); readers stop at the zeros, and the disk states a crash can
 * leave (the writer dead with its zeros; a closed segment whose cut
 * never reached the disk; a commit torn inside the zeros) lose nothing
 * that was committed.
 */
START_TEST(test_writer_reserve)
{
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	struct buf	 b = BUF_INITIALIZER, cut = BUF_INITIALIZER;
	char		 tmp[1100], name[SPOOL_NAME_MAX], path[1100];
	off_t		 size;
	size_t		 bytes;
	int		 att[64], torn, i;

	log_init("check_spool");
	segw_init(&w, at("mt"), 1);
	segw_set_reserve(&w);
	sample(&m, &p, 0);
	ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	ck_assert_int_eq(segw_commit(&w), 0);
	snprintf(tmp, sizeof(tmp), "%s/mt/tmp/%s", spool, w.name);
	size = file_size(tmp);
	ck_assert_int_gt(size, (off_t)w.bytes);
	ck_assert_int_eq(size % 4096, 0);
	/* Later commits overwrite the zeros: the size stays. */
	for (i = 1; i < 20; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
		ck_assert_int_eq(segw_commit(&w), 0);
		ck_assert_int_eq(file_size(tmp), size);
	}
	ck_assert_uint_lt(w.bytes, (size_t)size);
	/* A reader of the open segment: 20 records, zeros ahead. */
	ck_assert_int_eq(read_seg(tmp, att, 64, &torn), 20);
	ck_assert_int_eq(att[19], 19);
	ck_assert_int_eq(torn, 1);
	ck_assert(torn_zeros(tmp));	/* recovery: no warning */

	/* The writer died: recovery keeps the 20 and cuts the zeros. */
	get_file(tmp, &b);
	put_file(at("mt/tmp/1.000001.1.1"), b.data, b.len);
	ck_assert_int_eq(spool_recover_all(spool), 1);
	ck_assert_int_eq(read_seg(at("mt/new/1.000001.1.1"), att, 64, &torn),
	    20);
	ck_assert_int_eq(torn, 0);
	ck_assert_int_eq(file_size(at("mt/new/1.000001.1.1")),
	    (off_t)w.bytes);
	ck_assert_int_eq(unlink(at("mt/new/1.000001.1.1")), 0);

	/* A commit cut by a power failure inside the zeros: the 20. */
	ck_assert_int_eq(buf_append(&cut, b.data, b.len), 0);
	memcpy(cut.data + w.bytes, "%commit 3 ", 10);
	memset(cut.data + w.bytes + 10, 'x', 100);
	put_file(at("mt/tmp/1.000001.1.2"), cut.data, cut.len);
	ck_assert(!torn_zeros(at("mt/tmp/1.000001.1.2")));	/* warned */
	ck_assert_int_eq(spool_recover_all(spool), 1);
	ck_assert_int_eq(read_seg(at("mt/new/1.000001.1.2"), att, 64, &torn),
	    20);
	ck_assert_int_eq(unlink(at("mt/new/1.000001.1.2")), 0);

	/* Closed: new/ holds the records alone. */
	strlcpy(name, w.name, sizeof(name));
	bytes = w.bytes;
	ck_assert_int_eq(segw_close(&w), 0);
	snprintf(path, sizeof(path), "%s/mt/new/%s", spool, name);
	ck_assert_int_eq(file_size(path), (off_t)bytes);
	ck_assert_int_eq(read_seg(path, att, 64, &torn), 20);
	ck_assert_int_eq(torn, 0);
	/* The cut of the close lost: the zeros are back, nothing else. */
	put_file(path, b.data, b.len);
	ck_assert_int_eq(read_seg(path, att, 64, &torn), 20);
	ck_assert_int_eq(att[0], 0);

	/* Growing past the reserve: one more step, records intact. */
	segw_free(&w);
	segw_init(&w, at("mt"), 1);
	segw_set_reserve(&w);
	for (i = 0; (off_t)w.bytes <= size; i++) {
		sample(&m, &p, i % 60);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
		ck_assert_int_eq(segw_commit(&w), 0);
	}
	snprintf(tmp, sizeof(tmp), "%s/mt/tmp/%s", spool, w.name);
	ck_assert_int_eq(file_size(tmp), 2 * size);
	ck_assert_int_eq(read_seg(tmp, att, 64, &torn), i);
	ck_assert_int_eq(segw_close(&w), 0);
	segw_free(&w);
	buf_free(&b);
	buf_free(&cut);
}
END_TEST

/* n one-record segments into mt/new/; 0 when all went well. */
static int
write_segments(int n)
{
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	int		 i, rc = 0;

	sample(&m, &p, 1);
	for (i = 0; i < n && rc == 0; i++) {
		segw_init(&w, at("mt"), 0);
		if (segw_add(&w, &m, &p) == -1 || segw_commit(&w) == -1 ||
		    segw_close(&w) == -1)
			rc = 1;
		segw_free(&w);
	}
	return rc;
}

START_TEST(test_writer_dest)
{
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	char		 name[SPOOL_NAME_MAX];
	pid_t		 pid;
	int		 status;
	int64_t		 later = clock_wall_us() / 1000000 + 600;

	segw_init(&w, at("mt"), 1);
	segw_set_dest(&w, "deferred");
	w.not_before = later;
	sample(&m, &p, 1);
	ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	ck_assert_int_eq(segw_commit(&w), 0);
	ck_assert_int_eq(spool_name_time(w.name), later);
	ck_assert_int_eq(segw_close(&w), 0);
	ck_assert_uint_eq(count(at("mt/deferred"), name, sizeof(name)), 1);
	ck_assert_int_eq(spool_name_time(name), later);
	segw_free(&w);
	/* Unique names: many segments at once from two processes. */
	if ((pid = fork()) == 0)
		_exit(write_segments(300));
	ck_assert_int_eq(write_segments(300), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(count(at("mt/new"), NULL, 0), 600);
}
END_TEST

/* In a child: commit, then fail on a file size limit, then recover. */
static int
fsize_child(void)
{
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	struct rlimit	 rl;
	char		 tmp[1100];
	static uint8_t	 big[60000];
	size_t		 committed;

	signal(SIGXFSZ, SIG_IGN);
	segw_init(&w, at("mt"), 1);
	sample(&m, &p, 0);
	if (segw_add(&w, &m, &p) == -1 || segw_commit(&w) == -1)
		return 1;
	committed = w.bytes;
	snprintf(tmp, sizeof(tmp), "%s/mt/tmp/%s", spool, w.name);
	rl.rlim_cur = rl.rlim_max = committed + 2000;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 2;
	sample(&m, &p, 1);
	if (segw_add(&w, &m, &p) == -1)
		return 3;
	p.tlv[0].tag = TLV_MESSAGE_PAYLOAD;
	p.tlv[0].len = sizeof(big);
	p.tlv[0].val = big;
	p.ntlv = 1;
	if (segw_add(&w, &m, &p) == -1)
		return 3;
	if (segw_commit(&w) != -1 || errno != EFBIG)
		return 4;
	/* Nothing of the failed group stays; the counters are unchanged. */
	if (file_size(tmp) != (off_t)committed || w.bytes != committed ||
	    w.count != 1 || w.npending != 2)
		return 5;
	segw_discard(&w);
	sample(&m, &p, 2);
	if (segw_add(&w, &m, &p) == -1 || segw_commit(&w) == -1 ||
	    w.count != 2 || segw_close(&w) == -1)
		return 6;
	/*
	 * A first commit that fails leaves the header alone: close drops
	 * the file.
	 */
	rl.rlim_cur = rl.rlim_max = 100;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 7;
	if (segw_add(&w, &m, &p) == -1 || segw_commit(&w) != -1)
		return 8;
	segw_discard(&w);
	snprintf(tmp, sizeof(tmp), "%s/mt/tmp/%s", spool, w.name);
	if (file_size(tmp) != (off_t)sizeof(SEGMARK_HEADER) - 1 ||
	    segw_close(&w) == -1 || exists(tmp))
		return 9;
	segw_free(&w);
	return 0;
}

START_TEST(test_commit_fails)
{
	char	 name[SPOOL_NAME_MAX], path[1100];
	pid_t	 pid;
	int	 status, att[8], torn;

	if ((pid = fork()) == 0)
		_exit(fsize_child());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_uint_eq(count(at("mt/new"), name, sizeof(name)), 1);
	ck_assert_uint_eq(count(at("mt/tmp"), NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/mt/new/%s", spool, name);
	ck_assert_int_eq(read_seg(path, att, 8, &torn), 2);
	ck_assert_int_eq(att[0], 0);
	ck_assert_int_eq(att[1], 2);
}
END_TEST

/* A segment file of n records; the offsets where each ends. */
static size_t
make_seg(const char *path, int n, size_t *ends, struct buf *b)
{
	int	 i;

	buf_init(b);
	for (i = 0; i < n; i++) {
		records(b, i, 1);
		ends[i] = b->len;
	}
	put_file(path, b->data, b->len);
	return b->len;
}

START_TEST(test_reader_torn)
{
	struct buf	 b;
	size_t		 ends[3], k;
	char		*path = at("mt/new/1.000001.1.1");
	int		 att[3], torn;

	make_seg(path, 3, ends, &b);
	ck_assert_int_eq(read_seg(path, att, 3, &torn), 3);
	ck_assert_int_eq(torn, 0);
	/* Cut anywhere in the last record: two records, torn. */
	for (k = ends[1]; k < ends[2]; k++) {
		put_file(path, b.data, k);
		ck_assert_int_eq(read_seg(path, att, 3, &torn), 2);
		ck_assert_int_eq(torn, k > ends[1]);
		ck_assert_int_eq(att[1], 1);
	}
	/* A damaged final record, nothing after it: torn. */
	put_file(path, b.data, b.len);
	b.data[ends[2] - 2] ^= 0x20;
	put_file(path, b.data, b.len);
	ck_assert_int_eq(read_seg(path, att, 3, &torn), 2);
	ck_assert_int_eq(torn, 1);
	b.data[ends[2] - 2] ^= 0x20;
	/* Zeros where an append was to go: torn. */
	put_file(path, b.data, b.len);
	{
		static const char	 zeros[4096];

		append_file(path, zeros, sizeof(zeros));
	}
	ck_assert_int_eq(read_seg(path, att, 3, &torn), 3);
	ck_assert_int_eq(torn, 1);
	/* A damaged record with more after it: corrupt. */
	b.data[ends[0] + 30] ^= 0x01;
	put_file(path, b.data, b.len);
	ck_assert_int_eq(read_seg(path, att, 3, &torn), SEGR_CORRUPT);
	b.data[ends[0] + 30] ^= 0x01;
	/* Garbage after the last record: corrupt too. */
	put_file(path, b.data, b.len);
	append_file(path, "From: x\n\nhello\n", 15);
	ck_assert_int_eq(read_seg(path, att, 3, &torn), SEGR_CORRUPT);
	buf_free(&b);
}
END_TEST


/*
 * An open segment of commits of 1, 1, 1 and 2 records left in mt/tmp
 * by a dead writer; its bytes in b, the offset of each commit line.
 */
static void
committed_seg(char *path, size_t len, struct buf *b, size_t *marks)
{
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	int		 i, k = 0, fd;
	struct stat	 st;
	char		*s;

	segw_init(&w, at("mt"), 1);
	for (i = 0; i < 5; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
		if (i != 3)
			ck_assert_int_eq(segw_commit(&w), 0);
	}
	snprintf(path, len, "%s/mt/tmp/%s", spool, w.name);
	segw_free(&w);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf_init(b);
	ck_assert_int_eq(buf_reserve(b, (size_t)st.st_size + 1), 0);
	ck_assert_int_eq(read(fd, b->data, (size_t)st.st_size), st.st_size);
	b->len = (size_t)st.st_size;
	b->data[b->len] = '\0';
	close(fd);
	ck_assert(memcmp(b->data, SEGMARK_HEADER, sizeof(SEGMARK_HEADER) - 1)
	    == 0);
	for (s = (char *)b->data; (s = strstr(s, "\n%commit ")) != NULL; s++)
		marks[k++] = (size_t)(s + 1 - (char *)b->data);
	ck_assert_int_eq(k, 4);
}

/* Recover mt/tmp; the attempts of what mt/new then holds. */
static int
recovered(int *att, int max)
{
	char	 name[SPOOL_NAME_MAX], path[1100];
	int	 torn;

	ck_assert_int_ge(spool_recover_all(spool), 1);
	ck_assert_uint_eq(count(at("mt/tmp"), NULL, 0), 0);
	ck_assert_uint_eq(count(at("mt/new"), name, sizeof(name)), 1);
	snprintf(path, sizeof(path), "%s/mt/new/%s", spool, name);
	return read_seg(path, att, max, &torn);
}

/* A power cut during the fourth commit: its pages lost in any order. */
START_TEST(test_commit_torn)
{
	struct buf	 b;
	size_t		 marks[4], start, k;
	char		 path[1100];
	int		 att[8];

	log_init("check_spool");
	committed_seg(path, sizeof(path), &b, marks);
	start = strchr((char *)b.data + marks[2], '\n') + 1 - (char *)b.data;
	/* Record 4 partly zeroed, zeros after it (the case). */
	memset(b.data + start + 40, 0, b.len - start - 40);
	put_file(path, b.data, b.len);
	ck_assert_int_eq(recovered(att, 8), 3);
	ck_assert_int_eq(att[2], 2);
	ck_assert_uint_eq(count(at("corrupt"), NULL, 0), 0);
	buf_free(&b);
	teardown();
	setup();
	/* The commit line reached the disk, a page of its group did not. */
	committed_seg(path, sizeof(path), &b, marks);
	for (k = start + 10; k < start + 60; k++)
		b.data[k] = '\0';
	put_file(path, b.data, b.len);
	ck_assert_int_eq(recovered(att, 8), 3);
	ck_assert_uint_eq(count(at("corrupt"), NULL, 0), 0);
	buf_free(&b);
}
END_TEST

/* Damage before the last intact commit: that record alone goes. */
START_TEST(test_commit_damage)
{
	struct buf	 b;
	size_t		 marks[4];
	char		 path[1100], name[SPOOL_NAME_MAX], *slash, logbuf[4096];
	int		 att[8], fd;
	ssize_t		 n;

	log_init("check_spool");
	committed_seg(path, sizeof(path), &b, marks);
	slash = strrchr(path, '/');
	strlcpy(name, slash + 1, sizeof(name));
	b.data[marks[0] + 40] ^= 0x01;	/* in record 2 */
	put_file(path, b.data, b.len);
	/* The warning goes to stderr: into a file, to read it back. */
	ck_assert_int_ge(fd = open(at("log"), O_RDWR | O_CREAT | O_TRUNC,
	    0600), 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	ck_assert_int_eq(recovered(att, 8), 4);
	n = pread(fd, logbuf, sizeof(logbuf) - 1, 0);
	ck_assert_int_gt(n, 0);
	logbuf[n] = '\0';
	ck_assert_msg(strstr(logbuf, "record 2 (") != NULL && strstr(logbuf,
	    "between smpps_01-00000000 and smpps_01-00000002") != NULL,
	    "log: %s", logbuf);
	close(fd);
	ck_assert_int_eq(att[0], 0);
	ck_assert_int_eq(att[1], 2);
	ck_assert_int_eq(att[3], 4);
	ck_assert_uint_eq(count(at("corrupt"), NULL, 0), 1);
	snprintf(path, sizeof(path), "%s/corrupt/%s.r2", spool, name);
	ck_assert(exists(path));
	buf_free(&b);
}
END_TEST

/* A writer that died between link and unlink: one copy survives. */
START_TEST(test_two_names)
{
	struct buf	 b;
	size_t		 marks[4];
	char		 path[1100], dst[1100];
	int		 att[8];

	log_init("check_spool");
	committed_seg(path, sizeof(path), &b, marks);
	snprintf(dst, sizeof(dst), "%s/mt/new/%s", spool,
	    strrchr(path, '/') + 1);
	ck_assert_int_eq(link(path, dst), 0);
	ck_assert_int_eq(spool_recover_all(spool), 0);
	ck_assert(!exists(path));
	ck_assert_uint_eq(count(at("mt/new"), NULL, 0), 1);
	ck_assert_int_eq(read_seg(dst, att, 8, &(int){0}), 5);
	buf_free(&b);
}
END_TEST

START_TEST(test_segdone)
{
	struct segdone	 d;
	char		*seg = at("mt/active/1.000001.1.1.7");

	put_file(seg, "x", 1);
	ck_assert_int_eq(segdone_open(&d, seg, 3), 0);
	ck_assert(!exists(at("mt/active/1.000001.1.1.7.done")));
	ck_assert_int_eq(segdone_test(&d, 0), 0);
	ck_assert_int_eq(segdone_mark(&d, 0), 0);
	ck_assert_int_eq(segdone_mark(&d, 2), 0);
	ck_assert_int_eq(segdone_all(&d, 3), 0);
	segdone_close(&d);
	ck_assert_int_eq(segdone_open(&d, seg, 0), 0);
	ck_assert_int_eq(segdone_test(&d, 0), 1);
	ck_assert_int_eq(segdone_test(&d, 1), 0);
	ck_assert_int_eq(segdone_test(&d, 2), 1);
	ck_assert_int_eq(segdone_test(&d, 3), 0);
	ck_assert_int_eq(segdone_test(&d, 100000), 0);
	ck_assert_int_eq(segdone_mark(&d, 1), 0);
	ck_assert_int_eq(segdone_all(&d, 3), 1);
	ck_assert_int_eq(segdone_mark(&d, 1000), 0);	/* grows */
	ck_assert_int_eq(segdone_test(&d, 1000), 1);
	/* A run: its records and no others, read back as single marks. */
	ck_assert_int_eq(segdone_mark_run(&d, 10, SEGDONE_RUN_MAX), 0);
	ck_assert_int_eq(segdone_mark_run(&d, 0, 0), -1);
	ck_assert_int_eq(segdone_mark_run(&d, 0, SEGDONE_RUN_MAX + 1), -1);
	segdone_close(&d);
	ck_assert_int_eq(segdone_open(&d, seg, 0), 0);
	ck_assert_int_eq(segdone_test(&d, 9), 0);
	ck_assert_int_eq(segdone_test(&d, 10), 1);
	ck_assert_int_eq(segdone_test(&d, 9 + SEGDONE_RUN_MAX), 1);
	ck_assert_int_eq(segdone_test(&d, 10 + SEGDONE_RUN_MAX), 0);
	/* Marks that wait: counted at once, written at a flush or close. */
	ck_assert_int_eq(segdone_mark_later(&d, 400), 0);
	ck_assert_int_eq(segdone_mark_later(&d, 401), 0);
	ck_assert_int_eq(segdone_test(&d, 401), 1);
	ck_assert_int_eq(segdone_mark_later(&d, 500), 0);	/* 400-401 out */
	ck_assert_int_eq(segdone_flush(&d), 0);
	ck_assert_int_eq(segdone_flush(&d), 0);
	ck_assert_int_eq(segdone_mark_later(&d, 600), 0);
	segdone_close(&d);
	ck_assert_int_eq(segdone_open(&d, seg, 0), 0);
	ck_assert_int_eq(segdone_test(&d, 400), 1);
	ck_assert_int_eq(segdone_test(&d, 401), 1);
	ck_assert_int_eq(segdone_test(&d, 402), 0);
	ck_assert_int_eq(segdone_test(&d, 500), 1);
	ck_assert_int_eq(segdone_test(&d, 600), 1);
	segdone_close(&d);
	ck_assert_int_eq(file_size(at("mt/active/1.000001.1.1.7.done")), 1001);
	ck_assert_int_eq(spool_done_remove(seg), 0);
	ck_assert(!exists(at("mt/active/1.000001.1.1.7.done")));
	ck_assert_int_eq(spool_done_remove(seg), 0);
}
END_TEST

/*
 * Provisional marks settle within the boot they were written in: a
 * start on another boot (mt/boot names another) turns them back into
 * what they stood over, billing marks included, and names the running
 * boot; on the same boot they stand.
 */
START_TEST(test_segdone_pend)
{
	struct segdone	 d;
	char		*seg = at("mt/active/1.000001.1.1.8");
	char		*done = at("mt/active/1.000001.1.1.8.done");
	char		 raw[8];
	FILE		*fp;

	log_init("check_spool");
	put_file(seg, "x", 1);
	ck_assert_int_eq(segdone_open(&d, seg, 4), 0);
	ck_assert_int_eq(segdone_bill_mark(&d, 1, 'l'), 0);
	ck_assert_int_eq(segdone_mark(&d, 3), 0);
	ck_assert_int_eq(segdone_pend(&d, 0, 3), 0);
	ck_assert_int_eq(segdone_test(&d, 0), 1);
	ck_assert_int_eq(segdone_test(&d, 1), 1);
	ck_assert_int_eq(segdone_billed(&d, 1), 'l');
	ck_assert_int_eq(segdone_pend(&d, 3, 1), -1);	/* settled for good */
	ck_assert_int_eq(segdone_unpend(&d, 2), 0);
	ck_assert_int_eq(segdone_test(&d, 2), 0);
	segdone_close(&d);
	ck_assert_ptr_nonnull(fp = fopen(done, "r"));
	ck_assert_uint_eq(fread(raw, 1, sizeof(raw), fp), 4);
	fclose(fp);
	ck_assert(memcmp(raw, "pL\0\061", 4) == 0);
	/* Another boot wrote them: turned back, the running boot named. */
	put_file(at("mt/boot"), "another boot\n", 13);
	ck_assert_int_eq(spool_pend_recover(spool), 2);
	ck_assert_int_eq(segdone_open(&d, seg, 0), 0);
	ck_assert_int_eq(segdone_test(&d, 0), 0);
	ck_assert_int_eq(segdone_test(&d, 1), 0);
	ck_assert_int_eq(segdone_billed(&d, 1), 'l');
	ck_assert_int_eq(segdone_test(&d, 3), 1);
	/* The same boot: they stand. */
	ck_assert_int_eq(segdone_pend(&d, 0, 2), 0);
	segdone_close(&d);
	ck_assert_int_eq(spool_recover_active(spool), 1);
	ck_assert_int_eq(segdone_open(&d, at("mt/new/1.000001.1.1"), 0), 0);
	ck_assert_int_eq(segdone_test(&d, 0), 1);
	ck_assert_int_eq(segdone_test(&d, 1), 1);
	ck_assert_int_eq(segdone_billed(&d, 1), 'l');
	segdone_close(&d);
}
END_TEST

/* A segment still named in its writer's tmp/ is not claimed. */
START_TEST(test_claim_two_names)
{
	char	 path[1100];

	put_file(at("mt/tmp/1.000001.1.9"), "x", 1);
	ck_assert_int_eq(link(at("mt/tmp/1.000001.1.9"),
	    at("mt/new/1.000001.1.9")), 0);
	ck_assert_int_eq(spool_claim(at("mt/new"), at("mt/active"),
	    "1.000001.1.9", path, sizeof(path)), 1);
	ck_assert(exists(at("mt/new/1.000001.1.9")));
	ck_assert_int_eq(unlink(at("mt/tmp/1.000001.1.9")), 0);
	ck_assert_int_eq(spool_claim(at("mt/new"), at("mt/active"),
	    "1.000001.1.9", path, sizeof(path)), 0);
	ck_assert(exists(path));
}
END_TEST

START_TEST(test_claim_move)
{
	char	 path[1100], path2[1100], sfx[32];

	snprintf(sfx, sizeof(sfx), ".%ld", (long)getpid());
	put_file(at("mt/new/5.000001.9.1"), "seg", 3);
	put_file(at("mt/new/5.000001.9.1.done"), "1", 1);
	ck_assert_int_eq(spool_claim(at("mt/new"), at("mt/active"),
	    "5.000001.9.1", path, sizeof(path)), 0);
	snprintf(path2, sizeof(path2), "%s/mt/active/5.000001.9.1%s", spool,
	    sfx);
	ck_assert_str_eq(path, path2);
	ck_assert(exists(path));
	strlcat(path2, ".done", sizeof(path2));
	ck_assert(exists(path2));
	ck_assert_int_eq(spool_name_claimer(strrchr(path, '/') + 1),
	    getpid());
	ck_assert_int_eq(spool_claim(at("mt/new"), at("mt/active"),
	    "5.000001.9.1", path2, sizeof(path2)), 1);
	/* Back without the suffix, sidecar along. */
	ck_assert_int_eq(spool_move(path, at("mt/new"), NULL), 0);
	ck_assert(exists(at("mt/new/5.000001.9.1")));
	ck_assert(exists(at("mt/new/5.000001.9.1.done")));
	ck_assert_uint_eq(count(at("mt/active"), NULL, 0), 0);
	/* Under another name. */
	ck_assert_int_eq(spool_move(at("mt/new/5.000001.9.1"),
	    at("mt/failed"), "x.1"), 0);
	ck_assert(exists(at("mt/failed/x.1.done")));
	ck_assert_int_eq(spool_move(at("mt/new/5.000001.9.1"),
	    at("mt/failed"), NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* Quarantine never overwrites. */
	log_init("check_spool");
	put_file(at("mt/new/6.000001.9.1"), "a", 1);
	ck_assert_int_eq(spool_quarantine(spool, at("mt/new/6.000001.9.1"),
	    "test"), 0);
	put_file(at("mt/new/6.000001.9.1"), "b", 1);
	ck_assert_int_eq(spool_quarantine(spool, at("mt/new/6.000001.9.1"),
	    "test"), 0);
	ck_assert(exists(at("corrupt/6.000001.9.1")));
	ck_assert(exists(at("corrupt/6.000001.9.1.1")));
	ck_assert_int_eq(spool_remove(at("mt/failed/x.1")), 0);
	ck_assert(!exists(at("mt/failed/x.1")));
	ck_assert(!exists(at("mt/failed/x.1.done")));
}
END_TEST

/*
 * Two processes claim the 200 segments of folder from opposite ends,
 * both started at once, each with claim() (1 when it won the segment);
 * the total of their wins.
 */
static int
claim_race(const char *at_folder, int (*claim)(const char *, const char *))
{
	char		**v, c, folder[1100];
	int		 go[2], res[2], i, k, wins[2] = { 0, 0 }, status;
	size_t		 n;
	pid_t		 pid[2];

	strlcpy(folder, at_folder, sizeof(folder));	/* at() reuses it */
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (k = 0; k < 2; k++) {
		if ((pid[k] = fork()) == 0) {
			int	 won = 0;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(100);
			if (spool_list(folder, &v, &n) == -1)
				_exit(101);
			for (i = 0; i < (int)n; i++)
				won += claim(folder, v[k ? (int)n - 1 - i : i]);
			if (write(res[1], &won, sizeof(won)) != sizeof(won))
				_exit(102);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]);		/* both start now */
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(read(res[0], &wins[k], sizeof(int)),
		    sizeof(int));
		ck_assert_int_eq(waitpid(pid[k], &status, 0), pid[k]);
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	close(res[0]);
	close(res[1]);
	return wins[0] + wins[1];
}

static int
claim_into_active(const char *folder, const char *name)
{
	char	 path[1100];

	return spool_claim(folder, at("mt/active"), name, path,
	    sizeof(path)) == 0;
}

/* Two processes claim the same segments: each goes to exactly one. */
START_TEST(test_claim_race)
{
	char	 name[64];
	int	 i;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "mt/new/%d.000001.9.%d", 7, i);
		put_file(at(name), "s", 1);
	}
	ck_assert_int_eq(claim_race(at("mt/new"), claim_into_active), 200);
	ck_assert_uint_eq(count(at("mt/new"), NULL, 0), 0);
	ck_assert_uint_eq(count(at("mt/active"), NULL, 0), 200);
}
END_TEST

/* A claim in place: held by one open file at a time, and only then. */
START_TEST(test_claim_lock)
{
	char	 dir[1100], path[1100];
	int	 fd, fd2;

	ck_assert_int_eq(spool_user_area(spool, "acme", 1), 0);
	strlcpy(dir, at("out/acme/new"), sizeof(dir));
	put_file(at("out/acme/new/3.000001.9.1"), "seg", 3);
	ck_assert_int_eq(spool_claim_lock(dir, "3.000001.9.1", path,
	    sizeof(path), &fd), 0);
	ck_assert_str_eq(path, at("out/acme/new/3.000001.9.1"));
	ck_assert_int_eq(spool_claim_lock(dir, "3.000001.9.1", path,
	    sizeof(path), &fd2), 1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	ck_assert_int_eq(fd2, -1);
	close(fd);
	ck_assert_int_eq(spool_claim_lock(dir, "3.000001.9.1", path,
	    sizeof(path), &fd), 0);
	close(fd);
	/* Gone; a second name (a writer closing it); not a file. */
	ck_assert_int_eq(spool_claim_lock(dir, "4.000001.9.1", path,
	    sizeof(path), &fd), 1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(link(at("out/acme/new/3.000001.9.1"),
	    at("out/acme/tmp/3.000001.9.1")), 0);
	ck_assert_int_eq(spool_claim_lock(dir, "3.000001.9.1", path,
	    sizeof(path), &fd), 1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(mkfifo(at("out/acme/new/5.000001.9.1"), 0600), 0);
	ck_assert_int_eq(spool_claim_lock(dir, "5.000001.9.1", path,
	    sizeof(path), &fd), 1);
	ck_assert_int_eq(symlink("3.000001.9.1", at("out/acme/new/6.000001.9.1")),
	    0);
	ck_assert_int_eq(spool_claim_lock(dir, "6.000001.9.1", path,
	    sizeof(path), &fd), -1);
}
END_TEST

/* A claim in place, and what a receiver does after: remove, let go. */
static int
claim_and_remove(const char *folder, const char *name)
{
	char	 path[1100];
	int	 fd;

	if (spool_claim_lock(folder, name, path, sizeof(path), &fd) != 0)
		return 0;
	if (spool_remove(path) == -1)
		_exit(103);
	close(fd);
	return 1;
}

/*
 * Two processes claim the same segments in place, each removing what it
 * claimed before it lets go, as a receiver does: each segment goes to
 * exactly one, also when the other opened it before the removal.
 */
START_TEST(test_claim_lock_race)
{
	char	 name[64];
	int	 i;

	ck_assert_int_eq(spool_user_area(spool, "acme", 1), 0);
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "out/acme/new/7.000001.9.%d", i);
		put_file(at(name), "s", 1);
	}
	ck_assert_int_eq(claim_race(at("out/acme/new"), claim_and_remove),
	    200);
	ck_assert_uint_eq(count(at("out/acme/new"), NULL, 0), 0);
}
END_TEST

/* The child writes and commits, says so, and waits to be killed. */
static void
doomed_writer(int ready)
{
	struct segw	 mt, out;
	struct msg_meta	 m;
	struct pdu	 p;
	char		 names[2][SPOOL_NAME_MAX];
	int		 i;

	segw_init(&mt, at("mt"), 1);
	segw_init(&out, at("out/acme"), 1);
	for (i = 0; i < 3; i++) {
		sample(&m, &p, i);
		if (segw_add(&mt, &m, &p) == -1 || segw_commit(&mt) == -1)
			_exit(1);
	}
	for (i = 0; i < 2; i++) {
		sample(&m, &p, 10 + i);
		if (segw_add(&out, &m, &p) == -1)
			_exit(1);
	}
	if (segw_commit(&out) == -1)
		_exit(1);
	/* Added, never committed: must not appear anywhere. */
	sample(&m, &p, 99);
	if (segw_add(&mt, &m, &p) == -1)
		_exit(1);
	strlcpy(names[0], mt.name, SPOOL_NAME_MAX);
	strlcpy(names[1], out.name, SPOOL_NAME_MAX);
	if (write(ready, names, sizeof(names)) != sizeof(names))
		_exit(1);
	for (;;)
		pause();
}

START_TEST(test_recover_pid)
{
	char		 names[2][SPOOL_NAME_MAX], path[1100], claim[1100];
	struct buf	 b = BUF_INITIALIZER;
	int		 fds[2], att[8], torn, status;
	off_t		 committed;
	pid_t		 pid;

	log_init("check_spool");
	ck_assert_int_eq(spool_user_area(spool, "acme", 1), 0);
	ck_assert_int_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		doomed_writer(fds[1]);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], names, sizeof(names)), sizeof(names));
	close(fds[0]);
	/* The child is alive and holds its segments: nothing happens. */
	ck_assert_int_eq(spool_recover_all(spool), 0);
	ck_assert_uint_eq(count(at("mt/tmp"), NULL, 0), 1);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));

	/* The crash interrupted an append: half a record at the end. */
	snprintf(path, sizeof(path), "%s/mt/tmp/%s", spool, names[0]);
	committed = file_size(path);
	records(&b, 50, 1);
	append_file(path, b.data, b.len / 2);
	/* It had claimed a segment of acme's, one record settled. */
	snprintf(claim, sizeof(claim), "%s/out/acme/cur/8.000001.1.1.%ld",
	    spool, (long)pid);
	buf_reset(&b);
	records(&b, 20, 2);
	put_file(claim, b.data, b.len);
	strlcat(claim, ".done", sizeof(claim));
	put_file(claim, "1", 1);
	/* And left litter from creating a segment. */
	put_file(at("mt/tmp/.9.000001.1.1"), "", 0);

	ck_assert_int_eq(spool_recover_pid(spool, pid), 3);
	ck_assert_uint_eq(count(at("mt/tmp"), NULL, 0), 0);
	ck_assert(!exists(at("mt/tmp/.9.000001.1.1")));
	snprintf(path, sizeof(path), "%s/mt/new/%s", spool, names[0]);
	ck_assert_int_eq(file_size(path), committed);
	ck_assert_int_eq(read_seg(path, att, 8, &torn), 3);
	ck_assert_int_eq(torn, 0);
	ck_assert_int_eq(att[2], 2);
	snprintf(path, sizeof(path), "%s/out/acme/new/%s", spool, names[1]);
	ck_assert_int_eq(read_seg(path, att, 8, &torn), 2);
	ck_assert_int_eq(att[0], 10);
	ck_assert(exists(at("out/acme/new/8.000001.1.1")));
	ck_assert(exists(at("out/acme/new/8.000001.1.1.done")));
	ck_assert_uint_eq(count(at("out/acme/cur"), NULL, 0), 0);
	ck_assert_int_eq(spool_recover_pid(spool, pid), 0);	/* done */
	buf_free(&b);
}
END_TEST

/* What spool_recover_all() does with each kind of leftover. */
START_TEST(test_recover_all)
{
	struct buf	 b = BUF_INITIALIZER;
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	size_t		 ends[3];
	char		 name[64], mine[1100];
	int		 att[4], torn, lock;
	int64_t		 later = clock_wall_us() / 1000000 + 3600;

	log_init("check_spool");
	ck_assert_int_eq(spool_user_area(spool, "acme", 1), 0);
	/* Our own open segment: locked, left alone. */
	segw_init(&w, at("mt"), 1);
	sample(&m, &p, 1);
	ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	ck_assert_int_eq(segw_commit(&w), 0);
	snprintf(mine, sizeof(mine), "%s/mt/tmp/%s", spool, w.name);
	/* pid 1 is alive, but the pid was reused: nobody holds the lock. */
	make_seg(at("mt/tmp/1.000001.1.1"), 2, ends, &b);
	buf_free(&b);
	/* A retry segment written by a dead smppconn: to deferred/. */
	snprintf(name, sizeof(name), "mt/tmp/%lld.000001.1.2",
	    (long long)later);
	make_seg(at(name), 1, ends, &b);
	buf_free(&b);
	/* Corrupt in the middle: quarantined. */
	make_seg(at("mt/tmp/1.000001.1.3"), 3, ends, &b);
	b.data[ends[0] + 40] ^= 1;
	put_file(at("mt/tmp/1.000001.1.3"), b.data, b.len);
	buf_free(&b);
	/* Nothing but a torn record: removed. */
	make_seg(at("mt/tmp/1.000001.1.4"), 1, ends, &b);
	put_file(at("mt/tmp/1.000001.1.4"), b.data, b.len - 1);
	buf_free(&b);
	/* An unrouted MO of a dead writer: to mo/failed/. */
	make_seg(at("mo/tmp/1.000001.1.5"), 1, ends, &b);
	buf_free(&b);
	/* Claims: ours stays; pid 1 is no receiver of acme's: back. */
	snprintf(name, sizeof(name), "out/acme/cur/2.000001.1.1.%ld",
	    (long)getpid());
	put_file(at(name), "x", 1);
	put_file(at("out/acme/cur/2.000001.1.2.1"), "x", 1);
	/* One smppq holds under its flock(2) while it works: left alone. */
	put_file(at("out/acme/cur/2.000001.1.3.1"), "x", 1);
	ck_assert_int_ne(lock = open(at("out/acme/cur/2.000001.1.3.1"),
	    O_RDONLY), -1);
	ck_assert_int_eq(flock(lock, LOCK_EX), 0);
	/* mt/active/ of a live smppconn (us) is not recover_all's. */
	snprintf(name, sizeof(name), "mt/active/3.000001.1.1.%ld",
	    (long)getpid());
	put_file(at(name), "x", 1);

	ck_assert_int_eq(spool_recover_all(spool), 6);
	ck_assert(exists(mine));
	ck_assert_int_eq(read_seg(at("mt/new/1.000001.1.1"), att, 4, &torn),
	    2);
	snprintf(name, sizeof(name), "mt/deferred/%lld.000001.1.2",
	    (long long)later);
	ck_assert(exists(at(name)));
	ck_assert(exists(at("corrupt/1.000001.1.3")));
	ck_assert(!exists(at("mt/tmp/1.000001.1.4")));
	ck_assert(!exists(at("mt/new/1.000001.1.4")));
	ck_assert(exists(at("mo/failed/1.000001.1.5")));
	ck_assert(exists(at("out/acme/new/2.000001.1.2")));
	ck_assert_uint_eq(count(at("out/acme/cur"), NULL, 0), 2);
	close(lock);
	ck_assert_int_eq(spool_recover_all(spool), 1);
	ck_assert(exists(at("out/acme/new/2.000001.1.3")));
	ck_assert_uint_eq(count(at("out/acme/cur"), NULL, 0), 1);
	ck_assert_uint_eq(count(at("mt/active"), NULL, 0), 1);
	ck_assert_int_eq(spool_recover_active(spool), 1);
	ck_assert(exists(at("mt/new/3.000001.1.1")));
	ck_assert_int_eq(segw_close(&w), 0);
	segw_free(&w);
}
END_TEST

/* A child binds, reports the result, and holds the bind until told. */
static void
binder(int res, int hold, const char *type)
{
	char	 c;
	int	 rc;

	rc = spool_session_add(spool, "acme", getpid(), type, 3);
	if (write(res, &rc, sizeof(rc)) != sizeof(rc))
		_exit(1);
	(void)read(hold, &c, 1);
	_exit(0);
}

START_TEST(test_sessions)
{
	int	 res[2], hold[2], i, rc, ok = 0, full = 0, status;
	pid_t	 kids[6], pids[8];

	ck_assert_int_eq(pipe(res), 0);
	ck_assert_int_eq(pipe(hold), 0);
	for (i = 0; i < 6; i++)
		if ((kids[i] = fork()) == 0) {
			close(hold[1]);
			binder(res[1], hold[0], i == 0 ? "tx" : "trx");
		}
	close(hold[0]);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(read(res[0], &rc, sizeof(rc)), sizeof(rc));
		if (rc == 0)
			ok++;
		else if (rc == 1)
			full++;
	}
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(full, 3);
	ck_assert_int_eq(spool_session_count(spool, "acme"), 3);
	ck_assert_int_eq(spool_session_pids(spool, "acme", 0, pids, 8), 3);
	/* Receivers: the three winners but kids[0], the one transmitter. */
	for (i = 0, rc = 3; i < 3; i++)
		if (pids[i] == kids[0])
			rc = 2;
	ck_assert_int_eq(spool_session_pids(spool, "acme", 1, pids, 8), rc);
	ck_assert_int_eq(spool_session_pids(spool, "acme", 0, pids, 2), 2);
	ck_assert_int_eq(spool_session_add(spool, "acme", getpid(), "rx", 3),
	    1);
	/* They all end: their entries are stale, not counted, pruned. */
	close(hold[1]);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
	close(res[0]);
	close(res[1]);
	ck_assert_int_eq(spool_session_count(spool, "acme"), 0);
	ck_assert_int_eq(spool_session_add(spool, "acme", getpid(), "rx", 3),
	    0);
	ck_assert_int_eq(spool_session_count(spool, "acme"), 1);
	ck_assert_uint_eq(count(at("sessions/acme"), NULL, 0), 1);
	ck_assert_int_eq(spool_session_live(spool, "acme", getpid()), 1);
	/* An entry for a live pid that holds no lock (pid reuse). */
	put_file(at("sessions/acme/1.rx"), "", 0);
	ck_assert_int_eq(spool_session_count(spool, "acme"), 1);
	ck_assert_int_eq(spool_session_live(spool, "acme", 1), 0);
	ck_assert_int_eq(spool_session_prune(spool, "acme", 0), 1);
	ck_assert(!exists(at("sessions/acme/1.rx")));
	ck_assert_int_eq(spool_session_del(spool, "acme", getpid()), 0);
	ck_assert_int_eq(spool_session_count(spool, "acme"), 0);
	ck_assert_int_eq(spool_session_count(spool, "nobody"), 0);
	ck_assert_int_eq(spool_session_add(spool, "acme", getpid(), "xx", 3),
	    -1);
	ck_assert_int_eq(spool_session_add(spool, "../x", getpid(), "rx",
	    3), -1);
	ck_assert_int_eq(spool_session_add(spool, "acme", getpid(), "tx", 0),
	    1);
	ck_assert_int_eq(spool_session_add(spool, "acme", getpid(), "tx",
	    -1), 0);
}
END_TEST

static volatile sig_atomic_t	 woken;

static void
on_usr1(int sig)
{
	(void)sig;
	woken++;
}

START_TEST(test_wake_user)
{
	sigset_t	 set, old;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	ck_assert_int_eq(spool_session_add(spool, "w", getpid(), "tx", -1),
	    0);
	ck_assert_int_eq(spool_wake_user(spool, "w", SIGUSR1), 0);
	ck_assert_int_eq(spool_session_del(spool, "w", getpid()), 0);
	ck_assert_int_eq(spool_session_add(spool, "w", getpid(), "trx", -1),
	    0);
	put_file(at("sessions/w/1.rx"), "", 0);	/* never signal init */
	ck_assert_int_eq(spool_wake_user(spool, "w", SIGUSR1), 1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ck_assert_int_eq(woken, 1);
}
END_TEST

static int	 wake_out = -1;
static char	 wake_me;

static void
on_usr1_tell(int sig)
{
	(void)sig;
	if (write(wake_out, &wake_me, 1) != 1)
		_exit(2);
}

/* A receiver of "w" that tells out which one it is when woken. */
static pid_t
wake_receiver(char me, int out, int ready, int hold[2])
{
	pid_t	 pid;
	char	 c;

	if ((pid = fork()) != 0)
		return pid;
	close(hold[1]);		/* so that the parent's close ends us */
	wake_out = out;
	wake_me = me;
	signal(SIGUSR1, on_usr1_tell);
	if (spool_session_add(spool, "w", getpid(), "rx", -1) != 0 ||
	    write(ready, &me, 1) != 1)
		_exit(1);
	while (read(hold[0], &c, 1) == -1)
		;		/* EINTR: a wake-up */
	_exit(0);
}

/*
 * One receiver per published segment, taking turns in pid order; a
 * dead one passes its turn on; n 0: all of them.
 */
START_TEST(test_wake_some)
{
	struct spool_wake w;
	int		 out[2], ready[2], hold[2], i, got[3] = { 0, 0, 0 };
	pid_t		 pid[3];
	char		 c, order[6];

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(hold), 0);
	for (i = 0; i < 3; i++)
		pid[i] = wake_receiver((char)('a' + i), out[1], ready[1],
		    hold);
	close(hold[0]);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(read(ready[0], &c, 1), 1);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 1),
		    1);
		ck_assert_int_eq(read(out[0], &order[i], 1), 1);
		got[order[i] - 'a']++;
	}
	ck_assert_int_eq(got[0], 2);
	ck_assert_int_eq(got[1], 2);
	ck_assert_int_eq(got[2], 2);
	ck_assert_int_eq(memcmp(order, order + 3, 3), 0);
	ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 0), 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(read(out[0], &c, 1), 1);
	/* b dies: its entry is dead, the turn goes on to a live one. */
	ck_assert_int_eq(kill(pid[1], SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid[1], NULL, 0), pid[1]);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 1),
		    1);
		ck_assert_int_eq(read(out[0], &c, 1), 1);
		ck_assert_int_ne(c, 'b');
	}
	close(hold[1]);
	ck_assert_int_eq(waitpid(pid[0], NULL, 0), pid[0]);
	ck_assert_int_eq(waitpid(pid[2], NULL, 0), pid[2]);
	spool_wake_free(&w);
}
END_TEST

/* Make sessions/w/ look as if nothing changed in it for a minute. */
static void
age_registry(void)
{
	struct timespec	 ts[2];

	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &ts[0]), 0);
	ts[0].tv_sec -= 60;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, at("sessions/w"), ts, 0), 0);
}

static int
usr1_pending(void)
{
	sigset_t	 set;

	ck_assert_int_eq(sigpending(&set), 0);
	return sigismember(&set, SIGUSR1);
}

/*
 * A writer's listing of the receivers is kept while sessions/w/ stays
 * as it was, yet an entry is signalled only while its lock is held: not
 * before its bind locks it, not after its process let go of it.
 */
START_TEST(test_wake_cache)
{
	struct spool_wake w;
	sigset_t	 set, old;
	char		 name[32];
	int		 fd, out[2], ready[2], hold[2];
	pid_t		 pid;
	char		 c;

	memset(&w, 0, sizeof(w));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	ck_assert(mkdir(at("sessions/w"), 0750) == 0 || errno == EEXIST);
	snprintf(name, sizeof(name), "sessions/w/%ld.trx", (long)getpid());
	put_file(at(name), "", 0);	/* a bind that has no lock yet */
	age_registry();
	ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 1), 0);
	ck_assert_int_eq(w.n, 1);
	ck_assert(!usr1_pending());
	/* It takes its lock: the folder is unchanged, the entry is woken. */
	fd = open(at(name), O_RDONLY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 1), 1);
	ck_assert(usr1_pending());
	sigwait(&set, &(int){ 0 });
	/* Let go without removing it (a death): listed, never signalled. */
	close(fd);
	ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 0), 0);
	ck_assert_int_eq(w.n, 1);
	ck_assert(!usr1_pending());
	sigprocmask(SIG_SETMASK, &old, NULL);
	/*
	 * A new bind changes the folder (and removes the dead entry): the
	 * next call lists it.
	 */
	ck_assert_int_eq(pipe(out), 0);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(hold), 0);
	pid = wake_receiver('n', out[1], ready[1], hold);
	close(hold[0]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(spool_wake_some(&w, spool, "w", SIGUSR1, 0), 1);
	ck_assert_int_eq(w.n, 1);
	ck_assert_int_eq(read(out[0], &c, 1), 1);
	ck_assert_int_eq(c, 'n');
	close(hold[1]);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	spool_wake_free(&w);
}
END_TEST

START_TEST(test_wake_conn)
{
	int	 fd, i, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(spool_wake_conn(spool), 1);	/* no reader */
	fd = spool_trigger_open(spool);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(spool_wake_conn(spool), 0);
	ck_assert_int_eq(spool_wake_conn(spool), 0);
	ck_assert_int_eq(spool_trigger_drain(fd), 2);
	ck_assert_int_eq(spool_trigger_drain(fd), 0);
	close(fd);
	ck_assert_int_eq(spool_wake_conn(spool), 1);	/* reader gone */
	fd = spool_trigger_open(spool);
	ck_assert_int_eq(spool_wake_conn(spool), 0);	/* back */
	/* A full FIFO never blocks the writer. */
	for (i = 0; i < 200000 && (rc = spool_wake_conn(spool)) == 0; i++)
		;
	ck_assert_int_eq(rc, 1);
	ck_assert_int_gt(spool_trigger_drain(fd), 4000);
	ck_assert_int_eq(spool_wake_conn(spool), 0);
	close(fd);
	ck_assert_int_eq(spool_wake_conn("/nonexistent"), -1);
}
END_TEST

/* Records readable in a reader now, their attempts into att. */
static int
drain_reader(struct segr *r, int *att, int max)
{
	struct msg	 m;
	int		 n = 0, rc;

	record_msg_init(&m);
	while ((rc = segr_next(r, &m)) == SEGR_OK) {
		if (n < max)
			att[n] = m.meta.attempts;
		n++;
	}
	ck_assert_int_eq(rc, SEGR_EOF);
	record_msg_free(&m);
	return n;
}

START_TEST(test_tail)
{
	struct segw	 w;
	struct segr	 r;
	struct msg_meta	 m;
	struct pdu	 p;
	char		 tmp[1100];
	size_t		 first;
	int		 att[8], i;

	segw_init(&w, at("mt"), 1);
	for (i = 0; i < 3; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	}
	ck_assert_int_eq(segw_commit(&w), 0);
	first = w.bytes;
	for (i = 3; i < 5; i++) {
		sample(&m, &p, i);
		ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	}
	ck_assert_int_eq(segw_commit(&w), 0);
	/* A group written with its commit line, its sync not done. */
	sample(&m, &p, 5);
	ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	ck_assert_int_eq(segw_write(&w), 0);
	snprintf(tmp, sizeof(tmp), "%s/mt/tmp/%s", spool, w.name);
	ck_assert_int_gt(file_size(tmp), (off_t)w.bytes);

	ck_assert_int_eq(segr_tail(&r, tmp), 0);
	ck_assert_int_eq(drain_reader(&r, att, 8), 0);
	/* Short of the first commit's end: nothing of its group. */
	ck_assert_int_eq(segr_grow(&r, first - 10), 0);
	ck_assert_int_eq(drain_reader(&r, att, 8), 0);
	ck_assert_int_eq(segr_grow(&r, first), 0);
	ck_assert_int_eq(drain_reader(&r, att, 8), 3);
	ck_assert_int_eq(att[2], 2);
	/* Up to what the writer said: not the group still syncing. */
	ck_assert_int_eq(segr_grow(&r, w.bytes), 0);
	ck_assert_int_eq(drain_reader(&r, att, 8), 2);
	ck_assert_int_eq(att[0], 3);
	ck_assert_int_eq(att[1], 4);
	ck_assert_int_eq(r.torn, 0);
	/* Its sync failed: cut back; the writer closes into new/. */
	segw_cancel(&w);
	ck_assert_int_eq(segw_close(&w), 0);
	ck_assert(!exists(tmp));
	/* The descriptor followed the file; the rest is read, no more. */
	ck_assert_int_eq(segr_grow(&r, SEGR_ALL), 0);
	ck_assert_int_eq(r.tail, 0);
	ck_assert_int_eq(drain_reader(&r, att, 8), 0);
	ck_assert_uint_eq(r.index, 5);
	segr_close(&r);
	segw_free(&w);
	/* Gone before the reader came: ENOENT, nothing held. */
	ck_assert_int_eq(segr_tail(&r, tmp), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static int
file_mode(const char *path)
{
	struct stat	 st;

	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode) || S_ISDIR(st.st_mode) ||
	    S_ISREG(st.st_mode));
	return (int)(st.st_mode & 07777);
}

static char	 heard[8][64];
static size_t	 heard_len[8];
static int	 nheard;

static void
hear(const char *name, size_t len)
{
	if (nheard < 8) {
		strlcpy(heard[nheard], name, sizeof(heard[nheard]));
		heard_len[nheard] = len;
	}
	nheard++;
}

static void
say(int fd, const char *text)
{
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

START_TEST(test_trigger_notices)
{
	char	 longline[300];
	int	 fd, wfd;

	signal(SIGPIPE, SIG_IGN);
	nheard = 0;
	fd = spool_notice_open(spool);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(spool_wake_committed(spool, "1.000001.7.1", 1234), 0);
	ck_assert_int_eq(spool_notice_read(fd, hear), 0);	/* no wake-up */
	ck_assert_int_eq(nheard, 1);
	ck_assert_str_eq(heard[0], "1.000001.7.1");
	ck_assert_uint_eq(heard_len[0], 1234);
	/* Wake-ups go to the other FIFO. */
	ck_assert_int_eq(spool_wake_conn(spool), 1);	/* no reader there */
	ck_assert_int_eq(spool_notice_read(fd, hear), 0);
	ck_assert_int_eq(nheard, 1);
	/* Only a writer's name of an open segment is sent. */
	ck_assert_int_eq(spool_wake_committed(spool, "../x", 1), -1);
	ck_assert_int_eq(spool_wake_committed(spool, "1.000001.7.1.9", 1), -1);

	wfd = open(at("notice"), O_WRONLY | O_NONBLOCK);
	ck_assert_int_ge(wfd, 0);
	/* A notice cut between two reads is kept for the next. */
	say(wfd, "T1.000001.7.2 5");
	ck_assert_int_eq(spool_notice_read(fd, hear), 0);
	ck_assert_int_eq(nheard, 1);
	say(wfd, "6\nw");
	ck_assert_int_eq(spool_notice_read(fd, hear), 1);
	ck_assert_int_eq(nheard, 2);
	ck_assert_str_eq(heard[1], "1.000001.7.2");
	ck_assert_uint_eq(heard_len[1], 56);
	/* Malformed, a claimer's name, too large, too long: wake-ups. */
	say(wfd, "Tnot-a-name 5\n");
	ck_assert_int_eq(spool_notice_read(fd, hear), 1);
	say(wfd, "T1.000001.7.3.9 5\n");
	ck_assert_int_eq(spool_notice_read(fd, hear), 1);
	say(wfd, "T1.000001.7.3 999999999999999999999999\n");
	ck_assert_int_eq(spool_notice_read(fd, hear), 1);
	say(wfd, "T1.000001.7.3 -5\n");
	ck_assert_int_eq(spool_notice_read(fd, hear), 1);
	memset(longline, 'x', sizeof(longline));
	longline[0] = 'T';
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	say(wfd, longline);
	ck_assert_int_eq(spool_notice_read(fd, hear), 1);
	ck_assert_int_eq(nheard, 2);
	/* And the stream goes on after them. */
	say(wfd, "T1.000001.7.4 7\n");
	ck_assert_int_eq(spool_notice_read(fd, hear), 0);
	ck_assert_int_eq(nheard, 3);
	ck_assert_uint_eq(heard_len[2], 7);
	close(wfd);
	close(fd);
	/*
	 * Only the owner may name a length to read up to: a notice FIFO
	 * the group (which may write trigger) or others could write is
	 * refused, and so is anything else under its name.
	 */
	ck_assert_int_eq(chmod(at("notice"), 0620), 0);
	ck_assert_int_eq(spool_notice_open(spool), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(unlink(at("notice")), 0);
	put_file(at("notice"), "", 0);
	ck_assert_int_eq(spool_notice_open(spool), -1);
	ck_assert_int_eq(unlink(at("notice")), 0);
	/* Missing (a spool from before it): made, the owner's alone. */
	fd = spool_notice_open(spool);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(file_mode(at("notice")), 0600);
}
END_TEST

static void
file_is(const char *path, const char *text)
{
	struct buf	 b = BUF_INITIALIZER;

	get_file(path, &b);
	ck_assert_msg(b.len == strlen(text) && memcmp(b.data, text, b.len) ==
	    0, "%s", path);
	buf_free(&b);
}

START_TEST(test_recover_tails)
{
	struct buf	 b;
	struct segw	 w;
	struct msg_meta	 m;
	struct pdu	 p;
	size_t		 ends[2];
	char		 name[200];

	log_init("check_spool");
	/* A dead writer's segment that a dead smppconn read. */
	make_seg(at("mt/tmp/1.000001.1.1"), 2, ends, &b);
	buf_free(&b);
	put_file(at("mt/active/1.000001.1.1.77.done"), "1", 1);
	/* A segment still written (we hold its lock). */
	segw_init(&w, at("mt"), 1);
	sample(&m, &p, 1);
	ck_assert_int_eq(segw_add(&w, &m, &p), 0);
	ck_assert_int_eq(segw_commit(&w), 0);
	snprintf(name, sizeof(name), "mt/active/%s.77.done", w.name);
	put_file(at(name), "1", 1);
	/* A segment that is gone. */
	put_file(at("mt/active/5.000001.1.1.77.done"), "11", 2);
	/* A segment in new/ with a sidecar of its own, from smppq. */
	make_seg(at("mt/new/6.000001.1.1"), 1, ends, &b);
	buf_free(&b);
	put_file(at("mt/new/6.000001.1.1.done"), "r", 1);
	put_file(at("mt/active/6.000001.1.1.77.done"), "1", 1);
	/* A claimed segment with its sidecar: back to new/ together. */
	make_seg(at("mt/active/7.000001.1.1.77"), 1, ends, &b);
	buf_free(&b);
	put_file(at("mt/active/7.000001.1.1.77.done"), "1", 1);

	ck_assert_int_ge(spool_recover_all(spool), 1);
	ck_assert_int_ge(spool_recover_active(spool), 1);
	/* The marks went to the segment, wherever it is now. */
	ck_assert(exists(at("mt/new/1.000001.1.1")));
	file_is(at("mt/new/1.000001.1.1.done"), "1");
	snprintf(name, sizeof(name), "mt/active/%s.%ld.done", w.name,
	    (long)getpid());
	file_is(at(name), "1");
	snprintf(name, sizeof(name), "mt/active/%s.77.done", w.name);
	ck_assert(!exists(at(name)));
	ck_assert(!exists(at("mt/active/5.000001.1.1.77.done")));
	file_is(at("mt/new/6.000001.1.1.done"), "r");
	ck_assert(!exists(at("mt/active/6.000001.1.1.77.done")));
	file_is(at("mt/new/7.000001.1.1.done"), "1");
	ck_assert(!exists(at("mt/active/1.000001.1.1.77.done")));
	segw_free(&w);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("spool");
	TCase	*tc = tcase_create("spool");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_check_fails);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_writer);
	tcase_add_test(tc, test_writer_reserve);
	tcase_add_test(tc, test_writer_dest);
	tcase_add_test(tc, test_commit_fails);
	tcase_add_test(tc, test_reader_torn);
	tcase_add_test(tc, test_commit_torn);
	tcase_add_test(tc, test_commit_damage);
	tcase_add_test(tc, test_two_names);
	tcase_add_test(tc, test_segdone);
	tcase_add_test(tc, test_segdone_pend);
	tcase_add_test(tc, test_claim_two_names);
	tcase_add_test(tc, test_claim_move);
	tcase_add_test(tc, test_claim_race);
	tcase_add_test(tc, test_claim_lock);
	tcase_add_test(tc, test_claim_lock_race);
	tcase_add_test(tc, test_recover_pid);
	tcase_add_test(tc, test_recover_all);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_wake_user);
	tcase_add_test(tc, test_wake_some);
	tcase_add_test(tc, test_wake_cache);
	tcase_add_test(tc, test_wake_conn);
	tcase_add_test(tc, test_tail);
	tcase_add_test(tc, test_trigger_notices);
	tcase_add_test(tc, test_recover_tails);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
