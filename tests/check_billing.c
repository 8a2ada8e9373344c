/*
 * check_billing.c - rate cards, early-percent charging, refunds by
 * policy and the billing log: the card's lookups, reload and broken
 * files; the ledger and its log line as one step across kills; 20
 * processes charging one account; smppd and smppconn with a sink
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "billlog.h"
#include "compat.h"
#include "harness.h"
#include "ledger.h"
#include "pdu.h"
#include "rates.h"

static struct th	 T;
static char		 tmpdir[256];

static void
mktmp(void)
{
	strlcpy(tmpdir, "/tmp/check_billing.XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
rmtmp(void)
{
	char	 cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static int64_t
money(const char *s)
{
	int64_t	 v;

	ck_assert_msg(money_parse(s, &v) == 0, "money \"%s\"", s);
	return v;
}

static void
price_is(const struct rates *c, const char *acct, const char *dest,
    const char *rate, const char *rule)
{
	struct rates_price	 p;

	rates_find(c, acct, dest, money("9"), &p);
	ck_assert_msg(p.rate == money(rate) && strcmp(p.rule, rule) == 0,
	    "%s to %s: %lld by %s, not %s by %s", acct, dest,
	    (long long)p.rate, p.rule, rate, rule);
}

static const char card[] =
    "# prices per part\n"
    "default 0.05\n"
    "44 0.04\n"
    "+447 0.035   # mobiles\n"
    "447@acme 0.03\n"
    "44@vip 0.01\n"
    "4477009 0.02\n"
    "\n"
    "33 0.06\n";

START_TEST(test_rates_lookup)
{
	struct rates	 c;
	char		 path[300], err[512];

	mktmp();
	snprintf(path, sizeof(path), "%s/rates", tmpdir);
	write_file(path, card);
	ck_assert_int_eq(rates_load(&c, path, err, sizeof(err)), 0);
	price_is(&c, "bob", "447700100200", "0.035", "447");
	price_is(&c, "bob", "+447700100200", "0.035", "447");
	price_is(&c, "bob", "441234567", "0.04", "44");
	/* The account's own rule wins for the same prefix... */
	price_is(&c, "acme", "447700100200", "0.03", "447@acme");
	/* ... but a longer general prefix beats a shorter own one. */
	price_is(&c, "acme", "4477009001", "0.02", "4477009");
	price_is(&c, "vip", "447700100200", "0.035", "447");
	price_is(&c, "vip", "441234567", "0.01", "44@vip");
	price_is(&c, "bob", "3312", "0.06", "33");
	price_is(&c, "bob", "4912345", "0.05", "default");
	price_is(&c, "bob", "", "0.05", "default");
	rates_free(&c);
	/* Without a default: the account's own rate. */
	write_file(path, "44 0.04\n");
	ck_assert_int_eq(rates_load(&c, path, err, sizeof(err)), 0);
	price_is(&c, "bob", "4912345", "9", "account");
	rates_free(&c);
	rmtmp();
}
END_TEST

static void
broken(const char *path, const char *text, const char *where)
{
	struct rates	 c;
	char		 err[512];

	write_file(path, text);
	ck_assert_int_eq(rates_load(&c, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, where) != NULL, "\"%s\" lacks \"%s\"", err,
	    where);
}

START_TEST(test_rates_broken)
{
	struct rates_price	 p;
	char			 path[300], where[320], err[512];

	mktmp();
	snprintf(path, sizeof(path), "%s/rates", tmpdir);
	snprintf(where, sizeof(where), "%s:3:", path);
	broken(path, "44 1\n33 2\n49 x\n", where);
	broken(path, "44 1\n\n49 1 2\n", where);
	broken(path, "44 1\n33 2\n44 3\n", where);
	broken(path, "44 1\n33 2\n@acme 3\n", where);
	broken(path, "44 1\n33 2\n44 -1\n", where);
	broken(path, "44 1\n33 2\n44 0.0000001\n", where);
	broken(path, "default 1\n33 2\ndefault 3\n", where);
	/* A broken file keeps the card in force. */
	write_file(path, "44 0.5\n");
	ck_assert_int_eq(rates_install(path, err, sizeof(err)), 0);
	write_file(path, "44 0.7\n33 oops\n");
	ck_assert_int_eq(rates_install(path, err, sizeof(err)), -1);
	rates_price("bob", "4412", money("1"), &p);
	ck_assert_int_eq(p.rate, money("0.5"));
	ck_assert_int_eq(rates_install("", err, sizeof(err)), 0);
	rates_price("bob", "4412", money("1"), &p);
	ck_assert_str_eq(p.rule, "account");
	rmtmp();
}
END_TEST

/* The sum of the AMOUNT fields of the account's lines, and their count. */
static int64_t
log_sum(const char *path, const char *account, int *nlines)
{
	FILE	*fp = fopen(path, "r");
	char	 line[600], *f[9], *save;
	int64_t	 sum = 0;
	int	 n;

	*nlines = 0;
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		ck_assert_msg(strchr(line, '\n') != NULL, "torn line %s", line);
		if (line[strspn(line, " ")] == '\n')
			continue;	/* a torn line blanked by recovery */
		n = 0;
		for (f[n] = strtok_r(line, " \n", &save); f[n] != NULL && n < 8;
		    f[n] = strtok_r(NULL, " \n", &save))
			n++;
		ck_assert_msg(n == 8, "line of %d fields", n);
		if (strcmp(f[1], account) != 0)
			continue;
		sum += money(f[6]);
		(*nlines)++;
	}
	fclose(fp);
	return sum;
}

/* How many lines of a kind the log has. */
static int
log_sum_kind(const char *path, const char *kind)
{
	FILE	*fp = fopen(path, "r");
	char	 line[600];
	size_t	 k = strlen(kind);
	int	 n = 0;

	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strlen(line) > k + 1 && line[strlen(line) - k - 2] == ' ' &&
		    strncmp(line + strlen(line) - k - 1, kind, k) == 0)
			n++;
	fclose(fp);
	return n;
}

static void
ledger_setup(struct ledger *l, const char *path, uint32_t *slot,
    const char *balance)
{
	ck_assert_int_eq(ledger_open(l, path, O_RDWR | O_CREAT), 0);
	ck_assert_int_eq(ledger_slot_alloc(l, "acme", slot), 0);
	ck_assert_int_eq(ledger_set(l, *slot, "acme", money(balance),
	    LEDGER_UNLIMITED), 0);
}

static int
charge(struct ledger *l, uint32_t slot, struct billlog *log,
    enum ledger_kind kind, const char *amount)
{
	struct billlog_line	 line = { "acme", "smpps_01-1", 1, "4477",
				    "44", kind == LEDGER_CHARGE ? "charge" :
				    kind == LEDGER_LATER ? "later" : "refund" };
	struct ledger_bill	 b;

	memset(&b, 0, sizeof(b));
	b.kind = kind;
	b.parts = 1;
	b.amount = money(amount);
	b.need = b.amount * 2;
	b.log = log;
	b.line = &line;
	return ledger_bill(l, slot, "acme", &b);
}

static int64_t
balance(struct ledger *l, uint32_t slot, struct ledger_entry *e)
{
	ck_assert_int_eq(ledger_read(l, slot, e), 0);
	return e->balance;
}

/*
 * Pretend a process died during an operation: the slot as it was
 * before (raw, when given) with the log's size before its line.
 */
static void
poke_pending(const char *ledger, uint32_t slot, int64_t off,
    const unsigned char *raw, const char *logpath)
{
	struct stat	 st;
	int64_t		 v = off + 1;
	uint32_t	 ino;
	off_t		 at = 128 + 128 * (off_t)slot;
	int		 fd;

	ck_assert_int_eq(stat(logpath, &st), 0);
	ino = (uint32_t)st.st_ino;
	fd = open(ledger, O_RDWR);
	ck_assert_int_ge(fd, 0);
	if (raw != NULL)
		ck_assert_int_eq(pwrite(fd, raw, 128, at), 128);
	ck_assert_int_eq(pwrite(fd, &v, sizeof(v), at + 104), 8);
	ck_assert_int_eq(pwrite(fd, &ino, 4, at + 120), 4);
	close(fd);
}

static void
slot_raw(const char *ledger, uint32_t slot, unsigned char *raw)
{
	int	 fd = open(ledger, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, raw, 128, 128 + 128 * (off_t)slot), 128);
	close(fd);
}

/*
 * A ledger and a log in a new folder, acme with a balance of 10, and a
 * charge of 0.25 and a later charge of 0.5; the balance before them.
 */
static int64_t
two_charges(struct ledger *l, struct billlog *log, char *lpath,
    char *bpath, size_t len, uint32_t *slot)
{
	struct ledger_entry	 e;
	int64_t			 start;

	mktmp();
	snprintf(lpath, len, "%s/ledger", tmpdir);
	snprintf(bpath, len, "%s/billing.log", tmpdir);
	ledger_setup(l, lpath, slot, "10");
	ck_assert_int_eq(billlog_open(log, bpath), 0);
	start = balance(l, *slot, &e);
	ck_assert_int_eq(charge(l, *slot, log, LEDGER_CHARGE, "0.25"),
	    LEDGER_OK);
	ck_assert_int_eq(charge(l, *slot, log, LEDGER_LATER, "0.5"),
	    LEDGER_OK);
	return start;
}

/* A group commit: the log synced, then the account's base moved. */
static void
commit(struct ledger *l, uint32_t slot, struct billlog *log)
{
	int64_t		 end;
	uint32_t	 ino;

	ck_assert_int_eq(billlog_end(log, &end, &ino), 0);
	ck_assert_int_eq(billlog_sync(log), 0);
	ck_assert_int_eq(ledger_advance(l, slot, "acme", end, ino,
	    billlog_fid(log->fd)), LEDGER_OK);
}

/* The rebuild after a boot: the balance and the lines agree. */
static void
rebuilt(struct ledger *l, uint32_t slot, struct billlog *log,
    int64_t balance_now, int lines)
{
	struct ledger_entry	 e;
	int			 n;

	ck_assert_int_eq(ledger_recover(l, log, LEDGER_RECOVER_FORCE),
	    LEDGER_OK);
	ck_assert_int_eq(balance(l, slot, &e), balance_now);
	ck_assert_int_eq(log_sum(log->path, "acme", &n), balance_now -
	    money("10"));
	ck_assert_int_eq(n, lines);
}

static void
file_copy(const char *from, const char *to)
{
	char	 buf[65536];
	ssize_t	 n;
	int	 a = open(from, O_RDONLY), b;

	ck_assert_int_ge(a, 0);
	b = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(b, 0);
	while ((n = read(a, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(b, buf, (size_t)n), n);
	close(a);
	close(b);
}

/*
 * What a power cut can leave, made by hand: the ledger's page older
 * than the log (changes lost, lines kept), and the log's last page
 * lost (NUL octets where lines were, changes kept).  The rebuild makes
 * both agree with the lines on disk, and blanks what is not a line.
 */
START_TEST(test_power_cut)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	struct billlog		 log;
	struct stat		 st;
	char			 lpath[300], bpath[300], saved[320], zero[150];
	uint32_t		 slot;
	int64_t			 start, size;
	int			 n, fd;

	start = two_charges(&l, &log, lpath, bpath, sizeof(lpath), &slot);
	snprintf(saved, sizeof(saved), "%s/ledger.old", tmpdir);
	commit(&l, slot, &log);
	file_copy(lpath, saved);
	/* Two charges and a refund whose slot pages never reach the disk. */
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_CHARGE, "1"),
	    LEDGER_OK);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_CHARGE, "2"),
	    LEDGER_OK);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_REFUND, "0.5"),
	    LEDGER_OK);
	ck_assert_int_eq(billlog_sync(&log), 0);
	ledger_close(&l);
	file_copy(saved, lpath);
	ck_assert_int_eq(ledger_open(&l, lpath, O_RDWR), 0);
	ck_assert_int_eq(balance(&l, slot, &e), start - money("0.75"));
	rebuilt(&l, slot, &log, start - money("3.25"), 5);
	ck_assert_int_eq(ledger_read(&l, slot, &e), 0);
	ck_assert_int_eq(e.billed, money("3.75"));
	ck_assert_int_eq(e.refunded, money("0.5"));
	/* A charge whose line's page is lost: NULs, the size kept. */
	ck_assert_int_eq(stat(bpath, &st), 0);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_CHARGE, "3"),
	    LEDGER_OK);
	ck_assert_int_eq(balance(&l, slot, &e), start - money("6.25"));
	size = (int64_t)st.st_size;
	ck_assert_int_eq(stat(bpath, &st), 0);
	ck_assert_int_lt(st.st_size - size, (off_t)sizeof(zero));
	memset(zero, 0, sizeof(zero));
	fd = open(bpath, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, zero, (size_t)(st.st_size - size), size),
	    st.st_size - size);
	close(fd);
	rebuilt(&l, slot, &log, start - money("3.25"), 5);
	/* A torn last line: blanked, and the next line starts whole. */
	ck_assert_int_eq(stat(bpath, &st), 0);
	fd = open(bpath, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "2026-12-04T00:00:00.000000Z acme", 32),
	    32);
	close(fd);
	ck_assert_int_eq(ledger_recover(&l, &log, LEDGER_RECOVER_FORCE),
	    LEDGER_OK);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_CHARGE, "0.1"),
	    LEDGER_OK);
	ck_assert_int_eq(log_sum(bpath, "acme", &n), balance(&l, slot, &e) -
	    start);
	ck_assert_int_eq(n, 6);
	billlog_close(&log);
	ledger_close(&l);
	rmtmp();
}
END_TEST

START_TEST(test_log_recovery)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	struct billlog		 log;
	struct stat		 st;
	char			 lpath[300], bpath[300];
	uint32_t		 slot;
	unsigned char		 raw[128];
	int64_t			 start, size;
	int			 n;

	start = two_charges(&l, &log, lpath, bpath, sizeof(lpath), &slot);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_REFUND, "0.75"),
	    LEDGER_OK);
	ck_assert_int_eq(log_sum(bpath, "acme", &n), balance(&l, slot, &e) -
	    start);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(e.billed, money("0.75"));
	ck_assert_int_eq(e.refunded, money("0.75"));
	/* Killed before its line: the operation did not happen. */
	ck_assert_int_eq(stat(bpath, &st), 0);
	poke_pending(lpath, slot, (int64_t)st.st_size, NULL, bpath);
	ck_assert_int_eq(ledger_read(&l, slot, &e), 0);
	ck_assert(e.pending);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_CHARGE, "0.1"),
	    LEDGER_OK);
	ck_assert_int_eq(log_sum(bpath, "acme", &n), balance(&l, slot, &e) -
	    start);
	ck_assert_int_eq(n, 4);
	ck_assert(!e.pending);
	/* Killed after its line, before the slot: the next one makes it. */
	ck_assert_int_eq(stat(bpath, &st), 0);
	size = (int64_t)st.st_size;
	slot_raw(lpath, slot, raw);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_CHARGE, "2"),
	    LEDGER_OK);
	poke_pending(lpath, slot, size, raw, bpath);
	ck_assert_int_eq(balance(&l, slot, &e), start - money("0.1"));
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_REFUND, "0.1"),
	    LEDGER_OK);
	ck_assert_int_eq(log_sum(bpath, "acme", &n), balance(&l, slot, &e) -
	    start);
	ck_assert_int_eq(e.balance, start - money("2"));
	ck_assert_int_eq(n, 6);
	/* No line is written for another: each has its message id. */
	ck_assert_int_eq(log_sum_kind(bpath, "recovered"), 0);
	/* A later charge the balance does not cover: a shortfall, no line. */
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_LATER, "1000"),
	    LEDGER_SHORT);
	ck_assert_int_eq(ledger_read(&l, slot, &e), 0);
	ck_assert_int_eq(e.shortfall, money("1000"));
	ck_assert_int_eq(log_sum(bpath, "acme", &n), e.balance - start);
	ck_assert_int_eq(n, 6);
	billlog_close(&log);
	ledger_close(&l);
	rmtmp();
}
END_TEST

/* A process that charges and refunds until it has done n, or forever. */
static void
worker(const char *lpath, const char *bpath, uint32_t slot, int n)
{
	struct ledger	 l;
	struct billlog	 log;
	int		 i;

	if (ledger_open(&l, lpath, O_RDWR) != 0 ||
	    billlog_open(&log, bpath) != 0)
		_exit(2);
	for (i = 0; n == 0 || i < n; i++) {
		if (charge(&l, slot, &log, LEDGER_CHARGE, "0.01") != LEDGER_OK)
			_exit(3);
		if (i % 4 == 3 && charge(&l, slot, &log, i % 8 == 3 ?
		    LEDGER_REFUND : LEDGER_LATER, "0.005") != LEDGER_OK)
			_exit(4);
	}
	_exit(0);
}

START_TEST(test_twenty_processes)
{
	struct ledger		 l;
	struct ledger_entry	 e;
	struct billlog		 log;
	char			 lpath[300], bpath[300];
	pid_t			 pid[20], victim[6];
	uint32_t		 slot;
	int64_t			 start;
	int			 i, st, n;

	mktmp();
	snprintf(lpath, sizeof(lpath), "%s/ledger", tmpdir);
	snprintf(bpath, sizeof(bpath), "%s/billing.log", tmpdir);
	ledger_setup(&l, lpath, &slot, "100000");
	start = balance(&l, slot, &e);
	for (i = 0; i < 20; i++)
		if ((pid[i] = fork()) == 0)
			worker(lpath, bpath, slot, 200);
	/* Others killed at any point of their charges. */
	for (i = 0; i < 6; i++) {
		if ((victim[i] = fork()) == 0)
			worker(lpath, bpath, slot, 0);
		usleep(3000 + 2000 * i);
		kill(victim[i], SIGKILL);
		ck_assert_int_eq(waitpid(victim[i], NULL, 0), victim[i]);
	}
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "worker %d: status %d", i, st);
	}
	/* One more update repairs what a kill left. */
	ck_assert_int_eq(billlog_open(&log, bpath), 0);
	ck_assert_int_eq(charge(&l, slot, &log, LEDGER_REFUND, "0"),
	    LEDGER_OK);
	ck_assert_int_eq(ledger_read(&l, slot, &e), 0);
	ck_assert(!e.pending);
	ck_assert_int_eq(log_sum(bpath, "acme", &n), e.balance - start);
	ck_assert_int_eq(e.billed - e.refunded, start - e.balance);
	billlog_close(&log);
	ledger_close(&l);
	rmtmp();
}
END_TEST

/* What smppuser show prints for key. */
static void
show(const char *user, const char *key, char *buf, size_t len)
{
	char	 cmd[1400], line[256];
	size_t	 k = strlen(key);
	FILE	*fp;

	snprintf(cmd, sizeof(cmd), "%s/smppuser -d %s show %s", th_bindir,
	    T.db, user);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	buf[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, k) == 0 && line[k] == ' ') {
			line[strcspn(line, "\n")] = '\0';
			strlcpy(buf, line + k + strspn(line + k, " "), len);
		}
	pclose(fp);
}

static int64_t
balance_of(const char *user)
{
	char	 buf[64];

	show(user, "balance", buf, sizeof(buf));
	return money(buf);
}

static void
start(const char *name, const char *sink_keys)
{
	char	 path[700];

	th_init(&T, name);
	ck_assert_uint_lt(strlen(T.dir), 400);
	snprintf(T.userdb_keys, sizeof(T.userdb_keys),
	    "rates = %s/rates\nbilling_log = %s/billing.log\n", T.dir, T.dir);
	snprintf(T.sections, sizeof(T.sections), "[connector sink]\n"
	    "type = sink\n%s\n[mt-routes]\ndefault = sink\n", sink_keys);
	snprintf(path, sizeof(path), "%s/rates", T.dir);
	write_file(path, card);
}

static void
bound(struct tc *c, const char *user)
{
	tc_bound(c, T.port, SMPP_BIND_TRANSMITTER, user, "secret");
}

static void
submit_ok(struct tc *c, const char *dest)
{
	char	 id[PDU_MESSAGE_ID_MAX];

	ck_assert_uint_eq(tc_submit(c, "ACME", dest, "hi", id), ESME_ROK);
}

static void
rate_is(const char *user, const char *dest, const char *want)
{
	char	 out[256], errbuf[256];

	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), errbuf,
	    sizeof(errbuf), "smppuser", "-c", T.conf, "rate", user, dest,
	    (char *)NULL), 0);
	ck_assert_msg(strcmp(out, want) == 0, "rate %s %s: \"%s\"", user,
	    dest, out);
}

/* Wait until the spool holds nothing unsettled; 1 when it did. */
static int
drained(int ms)
{
	char	 dir[700];
	int	 i;

	for (i = 0; i < ms / 20; i++) {
		snprintf(dir, sizeof(dir), "%s/mt/new", T.spool);
		if (th_count_files(dir) == 0) {
			snprintf(dir, sizeof(dir), "%s/mt/active", T.spool);
			if (th_count_files(dir) == 0) {
				snprintf(dir, sizeof(dir), "%s/mt/tmp",
				    T.spool);
				if (th_count_files(dir) == 0)
					return 1;
			}
		}
		usleep(20000);
	}
	return 0;
}

static void
identity(const char *user, int64_t start_balance)
{
	char	 path[700];
	int	 n;

	snprintf(path, sizeof(path), "%s/billing.log", T.dir);
	ck_assert_int_eq(log_sum(path, user, &n), balance_of(user) -
	    start_balance);
}

static int	 children_of(pid_t, pid_t *, int);

/* SIGHUP to smppd; wait for its log line and for the old children to go. */
static void
reload(const char *logline)
{
	pid_t	 old[64], now[64];
	long	 off = th_log_size(T.log);
	int	 n, m, i, j, left = 1, tries;

	n = children_of(T.pid, old, 64);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log_from(T.log, off, logline, 5000));
	for (tries = 0; tries < 250 && left; tries++) {
		m = children_of(T.pid, now, 64);
		for (left = 0, i = 0; i < n; i++)
			for (j = 0; j < m; j++)
				left |= old[i] == now[j];
		if (left)
			usleep(20000);
	}
	ck_assert_msg(!left, "old children still there");
}

START_TEST(test_card_and_reload)
{
	struct tc	 c;
	char		 path[700];

	start("billcard", "");
	th_user(&T, "acme", "secret", "balance=10", NULL);
	th_user(&T, "bob", "secret", "balance=10", "rate=0.2", NULL);
	th_start(&T);
	ck_assert(th_wait_log(T.log, "rule(s)", 5000));
	rate_is("acme", "447700100200", "0.03 447@acme\n");
	rate_is("bob", "447700100200", "0.035 447\n");
	bound(&c, "acme");
	submit_ok(&c, "447700100200");
	submit_ok(&c, "+4912");
	tc_close(&c);
	ck_assert_int_eq(balance_of("acme"), money("9.92"));
	/* A new card on SIGHUP; new children charge by it. */
	snprintf(path, sizeof(path), "%s/rates", T.dir);
	write_file(path, "44 1\n");
	reload("1 rule(s)");
	bound(&c, "bob");
	submit_ok(&c, "447700100200");
	submit_ok(&c, "4912");
	tc_close(&c);
	ck_assert_int_eq(balance_of("bob"), money("8.8"));
	/* A broken one is refused with file:line; the last good stays. */
	write_file(path, "44 2\n33 x\n");
	ck_assert_int_ne(th_run("smppd", "-t", "-c", T.conf, (char *)NULL),
	    0);
	reload("keeping the old one");
	ck_assert(th_log_has(T.log, "/rates:2: "));
	bound(&c, "bob");
	submit_ok(&c, "4477");
	tc_close(&c);
	ck_assert_int_eq(balance_of("bob"), money("7.8"));
	identity("acme", money("10"));
	identity("bob", money("10"));
	th_stop(&T);
	th_cleanup(&T);
}
END_TEST

/* smppq stats, its JSON and its exposition count the one shortfall. */
static void
shortfall_counted(void)
{
	static char	 out[262144], err[4096];
	const char	*p;

	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", T.conf, "stats", (char *)NULL), 0);
	ck_assert_ptr_nonnull(p = strstr(out, "\n[user acme]\n"));
	ck_assert_ptr_nonnull(strstr(p, "\nshortfall_count "));
	ck_assert_int_eq(strtol(strstr(p, "\nshortfall_count ") + 17, NULL,
	    10), 1);
	ck_assert_int_eq(strtol(strstr(p, "\nshortfall_micro ") + 17, NULL,
	    10), 24000);
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", T.conf, "-j", "stats", (char *)NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"shortfall_count\": 1,"));
	ck_assert_ptr_nonnull(strstr(out, "\"shortfall_micro\": 24000"));
	ck_assert_int_eq(th_run_io(NULL, out, sizeof(out), err, sizeof(err),
	    "smppq", "-c", T.conf, "stats", "-p", (char *)NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\nsmppd_account_shortfall_total"
	    "{server=\"smpps_01\",account=\"acme\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nsmppd_shortfall_micro_total"
	    "{server=\"smpps_01\"} 24000\n"));
}

START_TEST(test_early_percent)
{
	struct tc	 c;
	char		 buf[64];
	int		 i;

	start("billearly", "");
	th_user(&T, "acme", "secret", "balance=1", "early_percent=20",
	    NULL);
	th_user(&T, "flat", "secret", "balance=1", NULL);
	th_start(&T);
	bound(&c, "acme");
	/* 0.03 a part; 20 % at submit: 0.006. */
	submit_ok(&c, "447700100200");
	ck_assert_int_eq(balance_of("acme"), money("0.994"));
	tc_close(&c);
	th_start_conn(&T);
	ck_assert(drained(5000));
	for (i = 0; i < 100 && balance_of("acme") != money("0.97"); i++)
		usleep(20000);
	ck_assert_int_eq(balance_of("acme"), money("0.97"));
	/* The whole price must be covered at submit. */
	th_kill_conn(&T, SIGTERM);
	ck_assert(th_wait_exit(T.connpid, 5000, NULL));
	T.connpid = 0;
	ck_assert_int_eq(th_run("smppuser", "-d", T.db, "credit", "acme",
	    "-0.96", (char *)NULL), 0);
	bound(&c, "acme");
	ck_assert_uint_eq(tc_submit(&c, "ACME", "447700100200", "hi", NULL),
	    ESME_RSYSERR);
	ck_assert_int_eq(th_run("smppuser", "-d", T.db, "credit", "acme",
	    "+0.02", (char *)NULL), 0);
	submit_ok(&c, "447700100200");
	tc_close(&c);
	/* The rest no longer covered when the upstream takes it. */
	ck_assert_int_eq(th_run("smppuser", "-d", T.db, "credit", "acme",
	    "-0.024", (char *)NULL), 0);
	ck_assert_int_eq(balance_of("acme"), 0);
	th_start_conn(&T);
	ck_assert(th_wait_log(T.connlog, "counted as a shortfall", 5000));
	show("acme", "shortfall", buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.024");
	show("acme", "billed", buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.036");
	ck_assert_int_eq(balance_of("acme"), 0);
	shortfall_counted();
	th_stop(&T);
	th_cleanup(&T);
}
END_TEST

/* Rotation: renamed, SIGHUP, and the next line is in the new file. */
START_TEST(test_log_rotation)
{
	struct tc	 c;
	char		 path[700], old[720];
	long		 off;
	int		 n, m;

	start("billrotate", "");
	th_user(&T, "acme", "secret", "balance=1", NULL);
	th_start(&T);
	bound(&c, "acme");
	submit_ok(&c, "447700100200");
	snprintf(path, sizeof(path), "%s/billing.log", T.dir);
	snprintf(old, sizeof(old), "%s.1", path);
	ck_assert_int_eq(rename(path, old), 0);
	off = th_log_size(T.log);
	kill(T.pid, SIGHUP);
	ck_assert(th_wait_log_from(T.log, off, "configuration reloaded",
	    5000));
	submit_ok(&c, "4912");
	tc_close(&c);
	ck_assert_int_eq(log_sum(old, "acme", &n), -money("0.03"));
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(log_sum(path, "acme", &m), -money("0.05"));
	ck_assert_int_eq(m, 1);
	ck_assert_int_eq(balance_of("acme"), money("0.92"));
	th_stop(&T);
	th_cleanup(&T);
}
END_TEST

/* billing_feature = no: nothing charged, nothing logged, as in Jasmin. */
START_TEST(test_billing_off)
{
	struct tc	 c;
	char		 path[700];
	int		 n;

	start("billoff", "");
	strlcpy(T.server_keys, "billing_feature = no\n",
	    sizeof(T.server_keys));
	th_user(&T, "acme", "secret", "balance=0.01", "submit_sm_count=1",
	    NULL);
	th_start(&T);
	bound(&c, "acme");
	submit_ok(&c, "447700100200");
	submit_ok(&c, "447700100200");
	tc_close(&c);
	ck_assert_int_eq(balance_of("acme"), money("0.01"));
	snprintf(path, sizeof(path), "%s/billing.log", T.dir);
	ck_assert_int_eq(log_sum(path, "acme", &n), 0);
	ck_assert_int_eq(n, 0);
	th_stop(&T);
	th_cleanup(&T);
}
END_TEST

/* Every message fails at the sink: what comes back, by policy. */
START_TEST(test_refund_policies)
{
	struct tc	 c;
	char		 buf[64];
	int		 i;

	start("billrefund", "undeliv_percent = 100\n");
	th_user(&T, "acme", "secret", "balance=1", "early_percent=50", NULL);
	th_user(&T, "never", "secret", "balance=1", "refund=never", NULL);
	th_user(&T, "undeliv", "secret", "balance=1", "refund=undelivered",
	    NULL);
	th_start(&T);
	bound(&c, "acme");
	submit_ok(&c, "447700100200");
	tc_close(&c);
	bound(&c, "never");
	submit_ok(&c, "447700100200");
	tc_close(&c);
	bound(&c, "undeliv");
	submit_ok(&c, "447700100200");
	tc_close(&c);
	ck_assert_int_eq(balance_of("acme"), money("0.985"));
	th_start_conn(&T);
	ck_assert(drained(5000));
	for (i = 0; i < 100 && balance_of("undeliv") != money("1"); i++)
		usleep(20000);
	ck_assert_int_eq(balance_of("acme"), money("1"));
	ck_assert_int_eq(balance_of("never"), money("0.965"));
	ck_assert_int_eq(balance_of("undeliv"), money("1"));
	show("acme", "refunded", buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.015");
	/* Settled once: a restart does not refund again. */
	th_kill_conn(&T, SIGKILL);
	th_start_conn(&T);
	ck_assert_int_eq(balance_of("acme"), money("1"));
	identity("acme", money("1"));
	identity("never", money("1"));
	identity("undeliv", money("1"));
	th_stop(&T);
	th_cleanup(&T);
}
END_TEST

/* Children of pid, from /proc. */
static int
children_of(pid_t pid, pid_t *out, int max)
{
	DIR		*d = opendir("/proc");
	struct dirent	*de;
	char		 path[300], buf[512], *p;
	FILE		*fp;
	int		 n = 0, ppid;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == pid)
			out[n++] = (pid_t)atoi(de->d_name);
		fclose(fp);
	}
	closedir(d);
	return n;
}

/* smppbench submitting n messages to dest as user, in the background. */
static pid_t
client(const char *user, const char *dest, int n)
{
	char	 path[600], port[16], count[16];
	pid_t	 pid;
	int	 fd;

	snprintf(path, sizeof(path), "%s/smppbench", th_bindir);
	snprintf(port, sizeof(port), "%d", T.port);
	snprintf(count, sizeof(count), "%d", n);
	if ((pid = fork()) == 0) {
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(path, path, "-q", "-h", "127.0.0.1", "-p", port, "-u",
		    user, "-P", "secret", "-d", dest, "-n", count, "-w", "10",
		    "-T", "20", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * A mixed run with kills: clients whose smppd children are killed,
 * smppconn killed and restarted; then the log of each account adds up
 * to its balance's change exactly.
 */
START_TEST(test_identity_after_kills)
{
	pid_t	 cl[6], kids[64];
	int	 i, k, n;

	start("billkill", "undeliv_percent = 30\ndelay = 0.005\n");
	th_user(&T, "acme", "secret", "balance=100", "early_percent=30",
	    NULL);
	th_user(&T, "undeliv", "secret", "balance=100", "refund=undelivered",
	    "early_percent=50", NULL);
	th_user(&T, "plain", "secret", "balance=100", NULL);
	th_start(&T);
	th_start_conn(&T);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 6; i++)
			cl[i] = client(i % 3 == 0 ? "acme" : i % 3 == 1 ?
			    "undeliv" : "plain", i < 3 ? "447700900123" :
			    "3312345", 300);
		usleep(150000);
		n = children_of(T.pid, kids, 64);
		for (i = 0; i < n; i += 2)
			kill(kids[i], SIGKILL);
		th_kill_conn(&T, SIGKILL);
		th_start_conn(&T);
		for (i = 0; i < 6; i++)
			waitpid(cl[i], NULL, 0);
	}
	ck_assert(drained(20000));
	/* What smppconn settled last is billed before it is settled. */
	th_kill_conn(&T, SIGTERM);
	ck_assert(th_wait_exit(T.connpid, 8000, NULL));
	T.connpid = 0;
	th_stop(&T);
	identity("acme", money("100"));
	identity("undeliv", money("100"));
	identity("plain", money("100"));
	th_cleanup(&T);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("billing");
	TCase	*tc = tcase_create("billing");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rates_lookup);
	tcase_add_test(tc, test_rates_broken);
	tcase_add_test(tc, test_log_recovery);
	tcase_add_test(tc, test_power_cut);
	tcase_add_test(tc, test_twenty_processes);
	tcase_add_test(tc, test_card_and_reload);
	tcase_add_test(tc, test_early_percent);
	tcase_add_test(tc, test_refund_policies);
	tcase_add_test(tc, test_billing_off);
	tcase_add_test(tc, test_log_rotation);
	tcase_add_test(tc, test_identity_after_kills);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
