/*
 * check_crash.c - crash states beyond kill -9: the disk a power
 * failure could leave at many points of a real run, and recovery on it
 *
 * The real smppd (and smppconn) run under crash_shim.so, which
 * records their writes, syncs and name changes in the spool; the test
 * client records each submit_sm_resp it got in the same trace.  Then,
 * at cut points spread over the run, crashfs.c builds the disk a power
 * cut there could leave (unsynced data dropped, kept, or page by page
 * at random; unsynced name changes undone at random), the real
 * recovery runs on it (the library's spool_recover_all() and
 * spool_recover_active(), and for some states smppd itself), and every
 * message answered before the cut must be there: unsettled in mt/, or
 * settled with its receipt in out/, never only in corrupt/.
 *
 * The billing run (test_billing) records the whole test folder: the
 * ledger, its bases and the billing log too.  On each state the
 * ledger's recovery runs as the first process after a boot would run
 * it, and then for the account the sum of the log's amounts must be
 * the change of its balance, every line whole, and the charge of every
 * message answered before the cut in the log.
 *
 * CRASH_LONG=1 (make crash-long) runs every cut point with more seeds
 * and messages.  Under a sanitizer build the test is skipped (77):
 * LD_PRELOAD and ASan do not mix.
 */
#include "config.h"

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

#include "billlog.h"
#include "compat.h"
#include "crashfs.h"
#include "harness.h"
#include "ledger.h"
#include "log.h"
#include "money.h"
#include "spool.h"

struct ids {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

struct tally {
	unsigned long	 states;
	unsigned long	 checked;
	unsigned long	 lost;
	unsigned long	 quarantined;
	unsigned long	 started;
	char		 first[512];	/* the first failure, for the message */
};

static int	 longrun;
static int	 billing;	/* the run is test_billing's */

#define BILL_START	"100"	/* acme's balance before the run */

static void
ids_add(struct ids *s, const char *id)
{
	if (s->n == s->cap) {
		s->cap = s->cap * 2 + 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		ck_assert_ptr_nonnull(s->v);
	}
	s->v[s->n++] = strdup(id);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
ids_has(const struct ids *s, const char *id)
{
	return s->n > 0 && bsearch(&id, s->v, s->n, sizeof(*s->v), cmp) != NULL;
}

static void
ids_free(struct ids *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* What a recovered spool holds. */
static struct ids	 present, receipts, corrupt;

static int
scan_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct segr	 r;
	struct segdone	 d;
	struct msg	 m;
	size_t		 n = strlen(path);
	int		 rc, have, bad = strstr(path, "/corrupt/") != NULL;

	(void)f;
	if (flag != FTW_F || !S_ISREG(st->st_mode) || strstr(path,
	    "/sessions/") != NULL || (n > 5 && strcmp(path + n - 5,
	    ".done") == 0) || (n > 4 && strcmp(path + n - 4, ".log") == 0))
		return 0;
	if (segr_open(&r, path) == -1)
		return 0;
	have = !bad && segdone_open(&d, path, 0) == 0;
	record_msg_init(&m);
	while ((rc = segr_next(&r, &m)) == SEGR_OK || rc == SEGR_BAD) {
		if (rc == SEGR_BAD)
			continue;
		if (bad)
			ids_add(&corrupt, m.meta.id);
		else if (m.meta.kind == MSG_DLR)
			ids_add(&receipts, m.meta.ref);
		else if (!have || !segdone_test(&d, r.index - 1))
			ids_add(&present, m.meta.id);
	}
	record_msg_free(&m);
	if (have)
		segdone_close(&d);
	segr_close(&r);
	return 0;
}

static void
scan(const char *dir)
{
	ids_free(&present);
	ids_free(&receipts);
	ids_free(&corrupt);
	ck_assert_int_eq(nftw(dir, scan_one, 16, FTW_PHYS), 0);
	qsort(present.v, present.n, sizeof(char *), cmp);
	qsort(receipts.v, receipts.n, sizeof(char *), cmp);
	qsort(corrupt.v, corrupt.n, sizeof(char *), cmp);
}

/*
 * The library's recovery, in a child, as smppd and smppconn run it.  A
 * state is what a power failure leaves: the machine starts on another
 * boot, so the boot the provisional marks were written in (mt/boot)
 * is not the running one -- made so by removing its name.
 */
static void
recover(const char *dir)
{
	char	 log[1200], boot[1200];
	pid_t	 pid;
	int	 fd, st;

	snprintf(log, sizeof(log), "%s.log", dir);
	snprintf(boot, sizeof(boot), "%s/mt/boot", dir);
	(void)unlink(boot);
	if ((pid = fork()) == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) != -1)
			dup2(fd, 2);
		log_init("recovery");
		(void)spool_recover_all(dir);
		(void)spool_recover_active(dir);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static const char *const modenames[] = { "drop", "keep", "random" };

/* The ledger's recovery on a state, as after a boot, in a child. */
static void
recover_billing(const char *dir)
{
	struct ledger	 l;
	struct billlog	 b;
	char		 path[1200];
	pid_t		 pid;
	int		 st;

	if ((pid = fork()) == 0) {
		snprintf(path, sizeof(path), "%s/users.db.ledger", dir);
		if (ledger_open(&l, path, O_RDWR) != LEDGER_OK)
			_exit(2);
		snprintf(path, sizeof(path), "%s/billing.log", dir);
		if (billlog_open(&b, path) == -1)
			_exit(3);
		_exit(ledger_recover(&l, &b, LEDGER_RECOVER_FORCE |
		    LEDGER_RECOVER_PENDING) == LEDGER_OK ? 0 : 4);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "ledger recovery in %s: %d", dir, st);
}

/* The account's lines: their sum, and the ids of its charges. */
static int
bill_lines(const char *dir, int64_t *sum, struct ids *charged, char *why,
    size_t whylen)
{
	struct billlog_entry	 e;
	char			 path[1200], *line = NULL;
	FILE			*fp;
	size_t			 cap = 0;
	ssize_t			 n;

	*sum = 0;
	snprintf(path, sizeof(path), "%s/billing.log", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;	/* no line reached the disk */
	while ((n = getline(&line, &cap, fp)) > 0) {
		/* Whole lines only: well-formed, or blanks (recovery's). */
		if (line[n - 1] != '\n' || (line[strspn(line, " ")] != '\n' &&
		    billlog_parse(line, (size_t)n - 1, &e) == -1)) {
			snprintf(why, whylen, "damaged line \"%.60s\"", line);
			free(line);
			fclose(fp);
			return -1;
		}
		if (line[strspn(line, " ")] == '\n' ||
		    strcmp(e.account, "acme") != 0)
			continue;
		*sum += e.amount;
		if (e.kind == BILLLOG_CHARGE)
			ids_add(charged, e.msgid);
	}
	free(line);
	fclose(fp);
	qsort(charged->v, charged->n, sizeof(char *), cmp);
	return 0;
}

/* The identity, whole lines, and a charge line for every answer. */
static int
check_billing(struct crashfs *m, struct tally *t, const char *dir,
    int mode, unsigned seed)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	struct ids		 charged;
	char			 path[1200], why[256] = "";
	int64_t			 sum, start;
	size_t			 i;

	memset(&charged, 0, sizeof(charged));
	t->states++;
	ck_assert_int_eq(money_parse(BILL_START, &start), 0);
	snprintf(path, sizeof(path), "%s/users.db.ledger", dir);
	ck_assert_int_eq(ledger_open(&l, path, O_RDONLY), LEDGER_OK);
	ck_assert_int_eq(ledger_read(&l, 0, &e), LEDGER_OK);
	ledger_close(&l);
	if (bill_lines(dir, &sum, &charged, why, sizeof(why)) == 0 &&
	    sum != e.balance - start)
		snprintf(why, sizeof(why), "log sum %lld, balance change "
		    "%lld", (long long)sum, (long long)(e.balance - start));
	for (i = 0; why[0] == '\0' && i < crashfs_nacked(m); i++) {
		t->checked++;
		if (!ids_has(&charged, crashfs_acked(m, i)))
			snprintf(why, sizeof(why), "no charge line for %s, "
			    "answered", crashfs_acked(m, i));
	}
	ids_free(&charged);
	if (why[0] == '\0')
		return 0;
	t->lost++;
	if (t->first[0] == '\0')
		snprintf(t->first, sizeof(t->first), "%.200s after event %zu "
		    "(%s, seed %u); state kept in %.200s", why, crashfs_pos(m),
		    modenames[mode], seed, dir);
	return 1;
}

/* Every message answered before the cut is there. */
static int
check_state(struct crashfs *m, struct tally *t, const char *dir, int mode,
    unsigned seed)
{
	size_t		 i;
	const char	*id;
	int		 bad = 0;

	scan(dir);
	t->states++;
	for (i = 0; i < crashfs_nacked(m); i++) {
		id = crashfs_acked(m, i);
		t->checked++;
		if (ids_has(&present, id) || ids_has(&receipts, id))
			continue;
		bad = 1;
		if (ids_has(&corrupt, id))
			t->quarantined++;
		else
			t->lost++;
		if (t->first[0] == '\0')
			snprintf(t->first, sizeof(t->first), "%s %s after "
			    "event %zu (%s, seed %u); state kept in %s",
			    ids_has(&corrupt, id) ? "quarantined" : "lost",
			    id, crashfs_pos(m), modenames[mode], seed, dir);
	}
	return bad;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf, without a process per state. */
static void
rm_rf(const char *dir)
{
	char	 log[1200];

	snprintf(log, sizeof(log), "%s.log", dir);
	(void)unlink(log);
	ck_assert_int_eq(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* smppd itself starts on the state and recovers it. */
static void
start_on(struct th *run, struct crashfs *m, struct tally *t, int mode,
    unsigned seed)
{
	struct th	 s;

	th_init(&s, "crashstart");
	strlcpy(s.db, run->db, sizeof(s.db));
	ck_assert_int_eq(crashfs_build(m, s.spool, mode, seed), 0);
	th_start(&s);		/* fails the test unless it starts */
	th_stop(&s);
	t->started++;
	if (check_state(m, t, s.spool, mode, seed) == 0)
		th_cleanup(&s);
}

/* A state where something was lost stays for a look. */
static void
keep_state(const char *dir, unsigned long n)
{
	char	 cmd[2400];

	snprintf(cmd, sizeof(cmd), "mv '%s' '%s.lost.%lu'", dir, dir, n);
	(void)system(cmd);
}

/* Build and check the states at every stride-th event. */
static void
replay(struct th *run, struct crashfs *m, size_t stride, int nseeds,
    struct tally *t)
{
	char		 dir[SPOOL_PATH_MAX];
	size_t		 next = 0, n = crashfs_nevents(m);
	int		 mode, k, nstates = 0;
	unsigned	 seed;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if (crashfs_pos(m) >= next || crashfs_pos(m) == n) {
			next = crashfs_pos(m) + stride;
			for (mode = 0; mode < 3; mode++)
				for (k = 0; k < (mode == 2 ? nseeds : 1); k++) {
					seed = (unsigned)(crashfs_pos(m) * 31 + k);
					if (!billing && ++nstates %
					    (longrun ? 200 : 40) == 0) {
						start_on(run, m, t, mode, seed);
						continue;
					}
					snprintf(dir, sizeof(dir), "%s/state",
					    run->dir);
					ck_assert_int_eq(crashfs_build(m, dir,
					    mode, seed), 0);
					if (billing)
						recover_billing(dir);
					else
						recover(dir);
					if ((billing ? check_billing(m, t, dir,
					    mode, seed) : check_state(m, t, dir,
					    mode, seed)) == 0)
						rm_rf(dir);
					else
						keep_state(dir, t->states);
				}
		}
		if (crashfs_step(m) == -1)
			break;
	}
}

/*
 * A run: smppd (and smppconn with a sink that makes receipts) under
 * the shim, n messages in pipelined groups on two binds.
 */
static struct crashfs *
run(struct th *t, const char *spool_keys, int conn, int n)
{
	struct crashfs	*m;
	struct tc	 c[2];
	struct pdu	 p;
	char		 trace[700], shim[700], id[PDU_MESSAGE_ID_MAX], dst[32];
	int		 fd, i, k, j, w = 4;

	th_init(t, "crash");
	strlcpy(t->spool_keys, spool_keys, sizeof(t->spool_keys));
	if (billing) {
		/* 0.03 a part, half at submit, half when the sink takes it. */
		th_user(t, "acme", "secret", "balance=" BILL_START,
		    "rate=0.03", "early_percent=50", (char *)NULL);
		snprintf(t->userdb_keys, sizeof(t->userdb_keys),
		    "billing_log = %s/billing.log\n", t->dir);
	} else
		th_user(t, "acme", "secret", (char *)NULL);
	th_write_conf(t);
	ck_assert_int_eq(th_run("smppd", "-I", "-c", t->conf, (char *)NULL),
	    0);
	ck_assert_ptr_nonnull(m = crashfs_new(billing ? t->dir : t->spool));
	snprintf(trace, sizeof(trace), "%s/trace", t->dir);
	snprintf(shim, sizeof(shim), "%s/tests/.libs/crash_shim.so", BUILDDIR);
	if (access(shim, R_OK) != 0)
		snprintf(shim, sizeof(shim), "%s/tests/crash_shim.so",
		    BUILDDIR);
	setenv("CRASH_ROOT", billing ? t->dir : t->spool, 1);
	setenv("CRASH_TRACE", trace, 1);
	setenv("LD_PRELOAD", shim, 1);
	th_start(t);
	if (conn)
		th_start_conn(t);
	unsetenv("LD_PRELOAD");
	ck_assert_int_ge(fd = open(trace, O_WRONLY | O_APPEND), 0);
	for (k = 0; k < 2; k++) {
		tc_connect(&c[k], t->port);
		ck_assert_int_eq(tc_bind(&c[k], SMPP_BIND_TRANSMITTER, "acme",
		    "secret"), ESME_ROK);
	}
	for (i = 0; i < n; i += w) {
		k = (i / w) % 2;
		for (j = 0; j < w && i + j < n; j++) {
			snprintf(dst, sizeof(dst), "4915%07d", i + j);
			pdu_init(&p, SMPP_SUBMIT_SM, 0);
			p.source_addr = "crash";
			p.destination_addr = dst;
			p.registered_delivery = conn ? 1 : 0;
			p.short_message = (const uint8_t *)"power cut";
			p.sm_length = 9;
			tc_send(&c[k], &p);
		}
		for (j = 0; j < w && i + j < n; j++) {
			ck_assert_int_eq(tc_expect(&c[k], SMPP_SUBMIT_SM_RESP,
			    5000), ESME_ROK);
			strlcpy(id, c[k].p.message_id, sizeof(id));
			ck_assert_int_eq(crashfs_ack(fd, id), 0);
		}
	}
	for (k = 0; k < 2; k++)
		tc_close(&c[k]);
	if (conn)	/* until smppconn has handed everything on */
		for (i = 0; i < 500; i++) {
			char	 a[700], b[700];

			snprintf(a, sizeof(a), "%s/mt/new", t->spool);
			snprintf(b, sizeof(b), "%s/mt/active", t->spool);
			if (th_count_files(a) == 0 && th_count_files(b) == 0)
				break;
			usleep(10000);
		}
	th_stop(t);
	close(fd);
	unsetenv("CRASH_ROOT");
	unsetenv("CRASH_TRACE");
	ck_assert_int_eq(crashfs_load(m, trace), 0);
	return m;
}

static void
report(const char *what, const struct crashfs *m, const struct tally *t)
{
	fprintf(stderr, "crash states (%s): %zu events, %lu states built "
	    "(%lu started by smppd), %lu messages checked, %lu lost, %lu "
	    "quarantined\n", what, crashfs_nevents(m), t->states, t->started,
	    t->checked, t->lost, t->quarantined);
}

static void
states(const char *what, const char *keys, int conn, int expect_loss)
{
	struct th	 t;
	struct tally	 tl;
	struct crashfs	*m;
	size_t		 stride, early;
	char		 first[128];
	int		 n = longrun ? 400 : 40;

	m = run(&t, keys, conn, n);
	/* The commit order, without strace: no answer before its sync. */
	early = crashfs_early_acks(m, first, sizeof(first));
	if (expect_loss)
		ck_assert_msg(early > 0, "%s: no early answer seen", what);
	else
		ck_assert_msg(early == 0, "%s: %zu answers before the sync of "
		    "their record, first %s", what, early, first);
	stride = longrun ? 1 : crashfs_nevents(m) / 30 + 1;
	replay(&t, m, stride, longrun ? 3 : 2, &tl);
	report(what, m, &tl);
	ck_assert_uint_gt(tl.states, 0);
	if (expect_loss)
		ck_assert_msg(tl.lost > 0, "%s: no loss reported", what);
	else
		ck_assert_msg(tl.lost == 0 && tl.quarantined == 0, "%s: %s",
		    what, tl.first);
	crashfs_close(m);
	if (!expect_loss && tl.lost == 0)
		th_cleanup(&t);
	else
		th_stop(&t);
}

START_TEST(test_smppd)
{
	states("smppd", "", 0, 0);
}
END_TEST

START_TEST(test_smppconn)
{
	states("smppd and smppconn", "", 1, 0);
}
END_TEST

/*
 * Segments that close only when the sessions end: smppconn reads them
 * while smppd writes them (smppconn_tail.c), its marks in sidecars
 * that wait in mt/active/ for their segment.
 */
START_TEST(test_smppconn_tail)
{
	states("smppconn reading open segments", "segment_max_age_ms = 60000\n"
	    "segment_max_messages = 100000\n", 1, 0);
}
END_TEST

/*
 * Charges at submit, later charges when smppconn's sink takes the
 * messages: what a power cut leaves of the ledger, its bases and the
 * billing log adds up after the ledger's recovery.
 */
START_TEST(test_billing)
{
	billing = 1;
	states("billing", "", 1, 0);
	billing = 0;
}
END_TEST

/* The harness must see what sync = no costs. */
START_TEST(test_sync_no)
{
	states("sync = no", "sync = no\n", 0, 1);
}
END_TEST

int
main(void)
{
	Suite	*s;
	TCase	*tc;
	SRunner	*sr;
	int	 nf;

#ifdef SANITIZED
	fprintf(stderr, "SKIP: check_crash preloads a library; not under "
	    "a sanitizer build\n");
	return 77;
#endif
	longrun = getenv("CRASH_LONG") != NULL;
	s = suite_create("crash");
	tc = tcase_create("states");
	tcase_set_timeout(tc, longrun ? 3600 : 120);
	tcase_add_test(tc, test_smppd);
	tcase_add_test(tc, test_smppconn);
	tcase_add_test(tc, test_smppconn_tail);
	tcase_add_test(tc, test_sync_no);
	tcase_add_test(tc, test_billing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
