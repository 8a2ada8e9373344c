/*
 * smppuser.c - smppuser(8): the admin CLI of the user database
 *
 * SYNOPSIS
 *	smppuser [-c config] [-d db] command [argument ...]
 *
 * DESCRIPTION
 *	Every command opens the GDBM database for one operation and closes
 *	it, and changes live counters only through the ledger's locked
 *	slot updates, so it is safe while smppd runs.  Balances and quotas
 *	live in the ledger, everything else in the account record.
 *
 *	import builds the whole new database in a temporary file and
 *	renames it over the old one; the ledger slots it needs are claimed
 *	first and given back if the database cannot be written.
 *
 * DIAGNOSTICS
 *	One line on stderr naming the user and the field, and an exit code
 *	of sysexits(3): EX_USAGE, EX_DATAERR (bad value, wrong format
 *	version, existing user), EX_NOUSER, EX_NOINPUT (no database),
 *	EX_TEMPFAIL (locked), EX_IOERR, EX_CANTCREAT, EX_NOPERM.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "compat.h"
#include "conf.h"
#include "ledger.h"
#include "smppuser.h"
#include "userdb.h"

static char	 dbpath[1024] = USERDB_PATH_DEFAULT;
static char	 ledgerpath[1024];

static void	 usage(void) __attribute__((noreturn));
static void	 die_userdb(int, const char *) __attribute__((noreturn));
static void	 die_ledger(const char *) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: smppuser [-c config] [-d db] command [argument ...]\n"
	    "       add [--password-stdin] user [key=value ...]\n"
	    "       del user\n"
	    "       passwd [--password-stdin] user\n"
	    "       enable user | disable user\n"
	    "       set user key=value ...\n"
	    "       unset user key ...\n"
	    "       credit user +amount|-amount\n"
	    "       show user\n"
	    "       list\n"
	    "       export\n"
	    "       import [--merge] file|-\n");
	exit(EX_USAGE);
}

/* The [userdb] path and ledger of smppd.conf (-c). */
/*
 * Run by root, smppuser creates files that smppd, running as its own
 * user, must read and update: give them to the owner of their folder
 * (the server's user after smppd -I), as long as that is not root.
 */
static void
give_to_dir_owner(const char *path)
{
	struct stat	 st, dst;
	char		 dir[PATH_MAX], *slash;

	if (geteuid() != 0 || stat(path, &st) == -1 || st.st_uid != 0 ||
	    strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return;
	if ((slash = strrchr(dir, '/')) == NULL)
		strlcpy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &dst) == -1 || dst.st_uid == 0)
		return;
	if (chown(path, dst.st_uid, dst.st_gid) == -1)
		warn("chown %s", path);
}

static void
report_conf(const char *msg)
{
	warnx("%s", msg);
}

static void
userdb_path_from_config(const char *file, char *db, size_t dblen,
    char *ledger, size_t ledgerlen)
{
	struct conf	 c;

	if (conf_load(&c, file, report_conf) != 0)
		errx(EX_CONFIG, "%s: configuration errors", file);
	if (strlcpy(db, c.userdb.path, dblen) >= dblen ||
	    conf_ledger_path(&c, ledger, ledgerlen) == NULL)
		errx(EX_USAGE, "%s: path too long", c.userdb.path);
	conf_free(&c);
}

static void
die_userdb(int rc, const char *user)
{
	switch (rc) {
	case USERDB_NOTFOUND:
		errx(EX_NOUSER, "unknown user %s", user);
	case USERDB_EXISTS:
		errx(EX_DATAERR, "%s: user exists", user);
	case USERDB_LOCKED:
		errx(EX_TEMPFAIL, "%s", userdb_error());
	case USERDB_VERSION_ERR:
		errx(EX_DATAERR, "%s", userdb_error());
	default:
		break;
	}
	if (errno == ENOENT)
		errx(EX_NOINPUT, "%s", userdb_error());
	if (errno == EACCES || errno == EPERM)
		errx(EX_NOPERM, "%s", userdb_error());
	if (errno == EINVAL)
		errx(EX_DATAERR, "%s", userdb_error());
	errx(EX_IOERR, "%s", userdb_error());
}

static void
die_ledger(const char *user)
{
	if ((errno == EINVAL || errno == ERANGE) &&
	    strstr(ledger_error(), user) == NULL)
		errx(EX_DATAERR, "%s: %s", user, ledger_error());
	if (errno == EINVAL || errno == ERANGE)
		errx(EX_DATAERR, "%s", ledger_error());
	if (errno == EACCES || errno == EPERM)
		errx(EX_NOPERM, "%s", ledger_error());
	errx(EX_IOERR, "%s", ledger_error());
}

static void
get_account(const char *user, struct account *a)
{
	int	 rc;

	if ((rc = userdb_get(dbpath, user, a)) != USERDB_OK)
		die_userdb(rc, user);
}

static void
check_user(const char *user)
{
	if (!userdb_valid_system_id(user))
		errx(EX_DATAERR, "%s: not a valid system_id (1 to %d of A-Z "
		    "a-z 0-9 _ . -, not starting with a dot)", user,
		    SYSTEM_ID_LEN);
}

static void
ledger_rw(struct ledger *l)
{
	if (ledger_open(l, ledgerpath, O_RDWR | O_CREAT) == LEDGER_OK)
		return;
	if (errno == EINVAL)
		errx(EX_DATAERR, "%s", ledger_error());
	errx(errno == ENOENT || errno == EACCES ? EX_CANTCREAT : EX_IOERR,
	    "%s", ledger_error());
}

/* Read-only; 0 when there is no ledger yet. */
static int
ledger_ro(struct ledger *l)
{
	if (ledger_open(l, ledgerpath, O_RDONLY) == LEDGER_OK)
		return 1;
	if (errno == ENOENT)
		return 0;
	if (errno == EINVAL)
		errx(EX_DATAERR, "%s", ledger_error());
	errx(errno == EACCES ? EX_NOPERM : EX_IOERR, "%s", ledger_error());
}

/* Fill the ledger figures of it; 0 when the slot is not the account's. */
static int
item_figures(struct ledger *l, struct item *it)
{
	struct ledger_entry	 e;

	it->known = 0;
	if (l == NULL || it->a.slot == ACCOUNT_NO_SLOT ||
	    ledger_read(l, it->a.slot, &e) == LEDGER_ERR ||
	    strcmp(e.system_id, it->a.system_id) != 0)
		return 0;
	it->balance = e.balance;
	it->count = e.count;
	it->charged = e.charged;
	it->known = 1;
	return 1;
}

/* KEY=VALUE of set or add, into a and f; errors name user and field. */
static void
apply_assign(const char *user, struct account *a, struct figures *f,
    const char *arg)
{
	char		 key[64], err[512];
	const char	*eq;
	int		 flags;

	if ((eq = strchr(arg, '=')) == NULL || eq == arg ||
	    (size_t)(eq - arg) >= sizeof(key))
		errx(EX_USAGE, "%s: \"%s\" is not KEY=VALUE", user, arg);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	if (smppuser_io_is_figure(key)) {
		if (smppuser_io_figure(key, eq + 1, f, err, sizeof(err)) == -1)
			errx(EX_DATAERR, "%s: %s", user, err);
		return;
	}
	if ((flags = smppuser_io_field_flags(key)) == -1 || !(flags & ACCOUNT_F_ADMIN))
		errx(EX_DATAERR, "%s: unknown field \"%s\" (enabled, binds, "
		    "max_bindings, throughput, rate, balance, submit_sm_count, "
		    "default_src, src_pattern, dst_pattern, networks)", user,
		    key);
	if (account_field_set(a, key, eq + 1, err, sizeof(err)) == -1)
		errx(EX_DATAERR, "%s: %s", user, err);
}

/* Change balance and count of an account's slot, as f says. */
static void
apply_figures(struct ledger *l, const struct account *a,
    const struct figures *f)
{
	if (f->balance == LEDGER_KEEP && f->count == LEDGER_KEEP)
		return;
	if (ledger_set(l, a->slot, a->system_id, f->balance, f->count) ==
	    LEDGER_ERR)
		die_ledger(a->system_id);
}

static void
hash_password(struct account *a, int from_stdin)
{
	char	 pw[PASSWORD_BUF];
	int	 r;

	smppuser_pass_read(a->system_id, from_stdin, pw, sizeof(pw));
	r = account_set_password(a, pw);
	explicit_bzero(pw, sizeof(pw));
	if (r == -1)
		errx(errno == EINVAL ? EX_DATAERR : EX_SOFTWARE, "%s",
		    account_error());
}

/* Remove the option opt from argv; 1 if it was there. */
static int
take_option(int *argc, char **argv, const char *opt)
{
	int	 i, found = 0;

	for (i = 1; i < *argc; i++)
		if (strcmp(argv[i], opt) == 0) {
			memmove(&argv[i], &argv[i + 1],
			    (size_t)(*argc - i) * sizeof(*argv));
			(*argc)--;
			found = 1;
			i--;
		}
	return found;
}

static int
cmd_add(int argc, char **argv)
{
	struct account	 a, old;
	struct figures	 f = { LEDGER_KEEP, LEDGER_KEEP };
	struct ledger	 l;
	int		 from_stdin, rc, i;

	from_stdin = take_option(&argc, argv, "--password-stdin");
	if (argc < 2)
		usage();
	check_user(argv[1]);
	account_defaults(&a, argv[1]);
	for (i = 2; i < argc; i++)
		apply_assign(a.system_id, &a, &f, argv[i]);
	rc = userdb_get(dbpath, a.system_id, &old);
	if (rc == USERDB_OK)
		die_userdb(USERDB_EXISTS, a.system_id);
	if (rc != USERDB_NOTFOUND && !(rc == USERDB_ERROR && errno == ENOENT))
		die_userdb(rc, a.system_id);
	hash_password(&a, from_stdin);
	ledger_rw(&l);
	if (ledger_slot_alloc(&l, a.system_id, &a.slot) == LEDGER_ERR)
		die_ledger(a.system_id);
	apply_figures(&l, &a, &f);
	if ((rc = userdb_put(dbpath, &a, USERDB_INSERT)) != USERDB_OK) {
		(void)ledger_slot_free(&l, a.slot, a.system_id);
		if (rc == USERDB_ERROR && (errno == ENOENT || errno == EACCES))
			errx(EX_CANTCREAT, "%s", userdb_error());
		die_userdb(rc, a.system_id);
	}
	ledger_close(&l);
	return EX_OK;
}

static int
cmd_del(int argc, char **argv)
{
	struct account	 a;
	struct ledger	 l;
	int		 rc;

	if (argc != 2)
		usage();
	get_account(argv[1], &a);
	if ((rc = userdb_del(dbpath, a.system_id)) != USERDB_OK)
		die_userdb(rc, a.system_id);
	if (a.slot == ACCOUNT_NO_SLOT || !ledger_ro(&l))
		return EX_OK;
	ledger_close(&l);
	ledger_rw(&l);
	if (ledger_slot_free(&l, a.slot, a.system_id) == LEDGER_ERR)
		warnx("%s: %s", a.system_id, ledger_error());
	ledger_close(&l);
	return EX_OK;
}

static int
update_hash(struct account *a, void *arg)
{
	strlcpy(a->hash, arg, sizeof(a->hash));
	return USERDB_OK;
}

static int
cmd_passwd(int argc, char **argv)
{
	struct account	 a;
	int		 from_stdin, rc;

	from_stdin = take_option(&argc, argv, "--password-stdin");
	if (argc != 2)
		usage();
	get_account(argv[1], &a);
	hash_password(&a, from_stdin);
	rc = userdb_update(dbpath, a.system_id, update_hash, a.hash);
	explicit_bzero(a.hash, sizeof(a.hash));
	if (rc != USERDB_OK)
		die_userdb(rc, a.system_id);
	return EX_OK;
}

struct assigns {
	int		  argc;
	char		**argv;
	int		  unset;
};

/* Apply the (already checked) assignments or unsets to the stored record. */
static int
update_fields(struct account *a, void *arg)
{
	const struct assigns	*as = arg;
	struct figures		 f;
	int			 i;

	for (i = 0; i < as->argc; i++) {
		if (as->unset) {
			if (!smppuser_io_is_figure(as->argv[i]))
				account_field_unset(a, as->argv[i]);
		} else
			apply_assign(a->system_id, a, &f, as->argv[i]);
	}
	return USERDB_OK;
}

/* Does any of the assignments touch the record (not only the ledger)? */
static int
touches_record(const struct assigns *as)
{
	char	 key[64];
	int	 i;

	for (i = 0; i < as->argc; i++) {
		strlcpy(key, as->argv[i], sizeof(key));
		key[strcspn(key, "=")] = '\0';
		if (!smppuser_io_is_figure(key))
			return 1;
	}
	return 0;
}

static void
update_record(const char *user, struct assigns *as)
{
	int	 rc;

	if (!touches_record(as))
		return;
	if ((rc = userdb_update(dbpath, user, update_fields, as)) !=
	    USERDB_OK)
		die_userdb(rc, user);
}

/* The checked changes of set or unset: record first, then the ledger. */
static int
edit(const char *user, struct assigns *as, const struct figures *f)
{
	struct account	 a;
	struct ledger	 l;

	get_account(user, &a);
	update_record(a.system_id, as);
	if (f->balance != LEDGER_KEEP || f->count != LEDGER_KEEP) {
		ledger_rw(&l);
		apply_figures(&l, &a, f);
		ledger_close(&l);
	}
	return EX_OK;
}

static int
cmd_set(int argc, char **argv)
{
	struct account	 scratch;
	struct figures	 f = { LEDGER_KEEP, LEDGER_KEEP };
	struct assigns	 as = { argc - 2, argv + 2, 0 };
	int		 i;

	if (argc < 3)
		usage();
	check_user(argv[1]);
	account_defaults(&scratch, argv[1]);
	for (i = 2; i < argc; i++)
		apply_assign(argv[1], &scratch, &f, argv[i]);
	return edit(argv[1], &as, &f);
}

static int
cmd_unset(int argc, char **argv)
{
	struct figures	 f = { LEDGER_KEEP, LEDGER_KEEP };
	struct assigns	 as = { argc - 2, argv + 2, 1 };
	int		 i, flags;

	if (argc < 3)
		usage();
	check_user(argv[1]);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "balance") == 0)
			f.balance = LEDGER_UNLIMITED;
		else if (strcmp(argv[i], "submit_sm_count") == 0)
			f.count = LEDGER_UNLIMITED;
		else if ((flags = smppuser_io_field_flags(argv[i])) == -1 ||
		    !(flags & ACCOUNT_F_ADMIN))
			errx(EX_DATAERR, "%s: unknown field \"%s\"", argv[1],
			    argv[i]);
	}
	return edit(argv[1], &as, &f);
}

static int
cmd_enable(int argc, char **argv)
{
	char		*set[1];
	struct assigns	 as = { 1, set, 0 };
	int		 rc;

	if (argc != 2)
		usage();
	set[0] = strcmp(argv[0], "enable") == 0 ? "enabled=yes" :
	    "enabled=no";
	check_user(argv[1]);
	if ((rc = userdb_update(dbpath, argv[1], update_fields, &as)) !=
	    USERDB_OK)
		die_userdb(rc, argv[1]);
	return EX_OK;
}

static int
cmd_credit(int argc, char **argv)
{
	struct account	 a;
	struct item	 it;
	struct ledger	 l;
	char		 buf[MONEY_LEN];
	int64_t		 delta;
	int		 rc;

	if (argc != 3)
		usage();
	check_user(argv[1]);
	if (ledger_money_parse(argv[2], &delta) == -1 || delta > MONEY_MAX ||
	    delta < -MONEY_MAX) {
		ledger_money_format(buf, sizeof(buf), MONEY_MAX);
		errx(EX_DATAERR, "%s: credit: \"%s\" is not an amount +N or -N "
		    "up to %s with up to 6 decimals", argv[1], argv[2], buf);
	}
	get_account(argv[1], &a);
	ledger_rw(&l);
	if ((rc = ledger_credit(&l, a.slot, a.system_id, delta)) ==
	    LEDGER_NOCREDIT)
		errx(EX_DATAERR, "%s", ledger_error());
	if (rc != LEDGER_OK)
		die_ledger(a.system_id);
	it.a = a;
	if (item_figures(&l, &it))
		printf("%s: balance %s\n", a.system_id,
		    smppuser_io_money(buf, sizeof(buf), it.balance));
	ledger_close(&l);
	return EX_OK;
}

/* Every account, sorted by system_id; none when missing_ok and no db. */
static void
collect(struct items *list, int missing_ok)
{
	int	 rc;

	memset(list, 0, sizeof(*list));
	rc = userdb_foreach(dbpath, smppuser_io_add, list);
	if (rc == USERDB_ERROR && errno == ENOENT && missing_ok)
		return;
	if (rc != USERDB_OK)
		die_userdb(rc, "");
	if (list->n > 0)
		qsort(list->v, list->n, sizeof(list->v[0]), smppuser_io_item_cmp);
}

static void
show_line(const char *key, const char *value, const char *empty)
{
	printf("%-16s %s\n", key, value[0] != '\0' ? value : empty);
}

static int
cmd_show(int argc, char **argv)
{
	struct item	 it;
	struct ledger	 l;
	char		 buf[ACCOUNT_NETWORKS_MAX];
	int		 have;

	if (argc != 2)
		usage();
	memset(&it, 0, sizeof(it));
	get_account(argv[1], &it.a);
	have = ledger_ro(&l);
	item_figures(have ? &l : NULL, &it);
	if (have)
		ledger_close(&l);
	show_line("system_id", it.a.system_id, "");
	account_field_get(&it.a, "enabled", buf, sizeof(buf));
	show_line("enabled", buf, "");
	account_field_get(&it.a, "binds", buf, sizeof(buf));
	show_line("binds", buf, "");
	account_field_get(&it.a, "max_bindings", buf, sizeof(buf));
	show_line("max_bindings", buf, "");
	account_field_get(&it.a, "throughput", buf, sizeof(buf));
	show_line("throughput", buf, "");
	account_field_get(&it.a, "rate", buf, sizeof(buf));
	show_line("rate", buf, "");
	show_line("default_src", it.a.default_src, "none");
	show_line("src_pattern", it.a.src_pattern, "any");
	show_line("dst_pattern", it.a.dst_pattern, "any");
	show_line("networks", it.a.networks, "any");
	show_line("balance", it.known ? smppuser_io_money(buf, sizeof(buf),
	    it.balance) : "?", "");
	show_line("submit_sm_count", it.known ? smppuser_io_count(buf, sizeof(buf),
	    it.count) : "?", "");
	snprintf(buf, sizeof(buf), "%" PRIu64, it.charged);
	show_line("charged", it.known ? buf : "?", "");
	account_field_get(&it.a, "slot", buf, sizeof(buf));
	show_line("slot", buf, "");
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	if (!it.known)
		errx(EX_DATAERR, "%s: ledger slot %s of %s does not hold this "
		    "account", it.a.system_id, buf, ledgerpath);
	return EX_OK;
}

/* Every account, sorted, with its ledger figures where they are. */
static void
collect_figures(struct items *list)
{
	struct ledger	 l;
	size_t		 i;
	int		 have;

	collect(list, 0);
	have = ledger_ro(&l);
	for (i = 0; i < list->n; i++)
		item_figures(have ? &l : NULL, &list->v[i]);
	if (have)
		ledger_close(&l);
}

static int
cmd_list(int argc, char **argv)
{
	struct items	 list;
	struct item	*it;
	char		 binds[32], bal[MONEY_LEN], cnt[32], tp[16];
	size_t		 i;

	(void)argv;
	if (argc != 1)
		usage();
	collect_figures(&list);
	printf("%-30s %-7s %-9s %15s %15s %10s\n", "USER", "ENABLED", "BINDS",
	    "BALANCE", "QUOTA", "THROUGHPUT");
	for (i = 0; i < list.n; i++) {
		it = &list.v[i];
		account_field_get(&it->a, "throughput", tp, sizeof(tp));
		printf("%-30s %-7s %-9s %15s %15s %10s\n", it->a.system_id,
		    it->a.enabled ? "yes" : "no",
		    account_binds_name(it->a.binds, binds, sizeof(binds)),
		    it->known ? smppuser_io_money(bal, sizeof(bal), it->balance) : "?",
		    it->known ? smppuser_io_count(cnt, sizeof(cnt), it->count) : "?",
		    tp);
	}
	free(list.v);
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	return EX_OK;
}

static int
cmd_export(int argc, char **argv)
{
	struct items	 list;
	size_t		 i;

	(void)argv;
	if (argc != 1)
		usage();
	collect_figures(&list);
	for (i = 0; i < list.n; i++)
		if (!list.v[i].known)
			errx(EX_DATAERR, "%s: no ledger slot in %s: not "
			    "exported", list.v[i].a.system_id, ledgerpath);
	printf("%s %d\n", EXPORT_HEADER, EXPORT_VERSION);
	for (i = 0; i < list.n; i++)
		smppuser_io_export(&list.v[i]);
	free(list.v);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "stdout");
	return EX_OK;
}

/* Keep the slot of an account already there, else claim a new one. */
static void
import_slots(struct ledger *l, struct items *in, struct items *old)
{
	struct item	*it, *was;
	size_t		 i;

	for (i = 0; i < in->n; i++) {
		it = &in->v[i];
		if ((was = smppuser_io_find(old, it->a.system_id)) != NULL &&
		    item_figures(l, was)) {
			it->a.slot = was->a.slot;
			continue;
		}
		if (ledger_slot_alloc(l, it->a.system_id, &it->a.slot) ==
		    LEDGER_ERR)
			die_ledger(it->a.system_id);
		it->fresh = 1;
	}
}

/* The accounts of the new database: in, plus with merge the old others. */
static struct account *
import_final(struct items *in, struct items *old, int merge, size_t *n)
{
	struct account	*v;
	size_t		 i, k = 0;

	if ((v = calloc(in->n + old->n + 1, sizeof(*v))) == NULL)
		err(EX_OSERR, "import");
	for (i = 0; i < in->n; i++)
		v[k++] = in->v[i].a;
	for (i = 0; merge && i < old->n; i++)
		if (smppuser_io_find(in, old->v[i].a.system_id) == NULL)
			v[k++] = old->v[i].a;
	*n = k;
	return v;
}

static int
cmd_import(int argc, char **argv)
{
	struct items	 in, old;
	struct ledger	 l;
	struct account	*final;
	size_t		 i, n, added = 0, removed = 0;
	int		 merge, rc;

	merge = take_option(&argc, argv, "--merge");
	if (argc != 2)
		usage();
	smppuser_io_import(argv[1], &in);
	collect(&old, 1);
	ledger_rw(&l);
	import_slots(&l, &in, &old);
	final = import_final(&in, &old, merge, &n);
	if ((rc = userdb_replace_all(dbpath, final, n)) != USERDB_OK) {
		for (i = 0; i < in.n; i++)
			if (in.v[i].fresh)
				(void)ledger_slot_free(&l, in.v[i].a.slot,
				    in.v[i].a.system_id);
		if (rc == USERDB_ERROR && (errno == ENOENT || errno == EACCES))
			errx(EX_CANTCREAT, "%s", userdb_error());
		die_userdb(rc, "");
	}
	for (i = 0; i < in.n; i++) {
		struct figures	 f = { in.v[i].balance, in.v[i].count };

		apply_figures(&l, &in.v[i].a, &f);
		added += in.v[i].fresh;
	}
	for (i = 0; !merge && i < old.n; i++)
		if (smppuser_io_find(&in, old.v[i].a.system_id) == NULL) {
			removed++;
			if (item_figures(&l, &old.v[i]) &&
			    ledger_slot_free(&l, old.v[i].a.slot,
			    old.v[i].a.system_id) == LEDGER_ERR)
				warnx("%s", ledger_error());
		}
	ledger_close(&l);
	printf("imported: %zu new, %zu replaced, %zu removed\n", added,
	    in.n - added, removed);
	free(final);
	free(in.v);
	free(old.v);
	return EX_OK;
}

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} commands[] = {
	{ "add", cmd_add },
	{ "del", cmd_del },
	{ "passwd", cmd_passwd },
	{ "enable", cmd_enable },
	{ "disable", cmd_enable },
	{ "set", cmd_set },
	{ "unset", cmd_unset },
	{ "credit", cmd_credit },
	{ "show", cmd_show },
	{ "list", cmd_list },
	{ "export", cmd_export },
	{ "import", cmd_import },
};

int
main(int argc, char *argv[])
{
	const char	*conf = NULL, *db = NULL;
	size_t		 i;
	int		 ch, rc;

	umask(077);
	while ((ch = getopt(argc, argv, "+c:d:")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (conf != NULL)
		userdb_path_from_config(conf, dbpath, sizeof(dbpath),
		    ledgerpath, sizeof(ledgerpath));
	if (db != NULL && strlcpy(dbpath, db, sizeof(dbpath)) >=
	    sizeof(dbpath))
		errx(EX_USAGE, "%s: path too long", db);
	if ((db != NULL || ledgerpath[0] == '\0') &&
	    (size_t)snprintf(ledgerpath, sizeof(ledgerpath), "%s%s", dbpath,
	    LEDGER_SUFFIX) >= sizeof(ledgerpath))
		errx(EX_USAGE, "%s: path too long", dbpath);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0) {
			rc = commands[i].fn(argc, argv);
			give_to_dir_owner(dbpath);
			give_to_dir_owner(ledgerpath);
			return rc;
		}
	warnx("unknown command \"%s\"", argv[0]);
	usage();
}
