/*
 * smppq.c - the queue tool: list, show, delete, requeue, inject, stats
 *
 * SYNOPSIS
 *	smppq [-j] [-c config] list [-a account] [-s state]
 *	smppq [-j] [-c config] show id
 *	smppq [-c config] delete id
 *	smppq [-c config] requeue id | all
 *	smppq [-c config] inject [-a account] -f from -t to [-C coding] [-x]
 *	    [text ...]
 *	smppq [-j | -p] [-c config] stats
 *	smppq [-j] [-c config] connectors
 *	smppq [-c config] metrics
 *	smppq [-c config] check [-w limits] [-c limits] [-p daemons]
 *	smppq [-c config] forward < records
 *
 *	smppq_walk(fn, arg)	smppq_json_str(fp, s)	smppq_conn_signal(sig)
 *
 * DESCRIPTION
 *	smppq reads the spool of smppd.conf's [spool] dir.  smppq_walk()
 *	visits every unsettled record of every state: mt/tmp/ and mo/tmp/
 *	(incoming: still being written), mt/new/ (new), mt/active/
 *	(active: claimed by smppconn), mt/deferred/ (deferred), mt/failed/
 *	and mo/failed/ (failed), out/USER/ (out: receipts and MO for the
 *	account's receivers) and corrupt/ (corrupt, up to the first bad
 *	record).  Records the .done sidecar marks settled are not shown.
 *
 *	list prints one line per record, like mailq(1): id, age, account,
 *	kind, destination, state, attempts and the last error; show prints
 *	every field, the text decoded to UTF-8; stats prints the running
 *	smppd's counters (its scoreboard) and the queue depths, per state
 *	and per account; connectors the state of smppconn's connectors
 *	(smppq_conn.c).  -j prints JSON instead, -p the Prometheus
 *	exposition (smppq_prom.c); metrics answers one HTTP request with it
 *	(smppq_metrics.c); check is a monitoring plugin (smppq_check.c).
 *	The commands that change the spool are in smppq_edit.c.
 *
 * DIAGNOSTICS
 *	Exit status (sysexits(3)): 0; EX_USAGE; EX_CONFIG for a
 *	configuration that does not load; EX_NOINPUT when no record has
 *	the id; EX_DATAERR for a text that cannot be encoded; EX_NOUSER
 *	when an MO has no account; EX_IOERR when the spool cannot be read
 *	or written; EX_TEMPFAIL when a segment changed hands meanwhile
 *	(try again).
 */
#include "config.h"

#include <sys/file.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "charset.h"
#include "conf.h"
#include "log.h"
#include "sb.h"
#include "owner.h"
#include "smppq.h"

const struct conf	*smppq_conf;
static int		 smppq_json;

static const struct {
	const char	*state;
	const char	*area;
	const char	*folder;
} qdirs[] = {
	{ "incoming", "mt", "tmp" }, { "new", "mt", "new" },
	{ "active", "mt", "active" }, { "deferred", "mt", "deferred" },
	{ "failed", "mt", "failed" }, { "incoming", "mo", "tmp" },
	{ "failed", "mo", "failed" }
};

static const char *const kinds[] = { "?", "mt", "dlr", "mo" };

static void
usage(void)
{
	fprintf(stderr,
	    "usage: smppq [-j] [-c config] list [-a account] [-s state]\n"
	    "       smppq [-j] [-c config] show id\n"
	    "       smppq [-c config] delete id\n"
	    "       smppq [-c config] requeue id | all\n"
	    "       smppq [-c config] inject [-a account] -f from -t to "
	    "[-C coding] [-x] [text ...]\n"
	    "       smppq [-j | -p] [-c config] stats\n"
	    "       smppq [-j] [-c config] connectors\n"
	    "       smppq [-c config] metrics\n"
	    "       smppq [-c config] check [-w limits] [-c limits] "
	    "[-p daemons]\n"
	    "       smppq [-c config] forward < records\n");
	exit(EX_USAGE);
}

/* Visit the records of one segment; the visitor's result, or 0. */
static int
walk_segment(struct qloc *l, qvisit_fn fn, void *arg, struct msg *m)
{
	struct segr	 r;
	struct segdone	 d;
	int		 rc, stop = 0, have_done;

	if (segr_open(&r, l->path) == -1)
		return 0;	/* gone meanwhile, or unreadable */
	have_done = segdone_open(&d, l->path, 0) == 0;
	while (!stop && ((rc = segr_next(&r, m)) == SEGR_OK ||
	    rc == SEGR_BAD)) {
		l->index = r.index - 1;
		if (have_done && segdone_test(&d, l->index))
			continue;
		stop = fn(l, rc == SEGR_BAD ? NULL : m, arg);
	}
	if (!stop && rc == SEGR_CORRUPT) {
		l->index = r.index;
		stop = fn(l, NULL, arg);
	}
	if (have_done)
		segdone_close(&d);
	segr_close(&r);
	return stop;
}

static int
walk_folder(struct qloc *l, const char *dir, qvisit_fn fn, void *arg,
    struct msg *m)
{
	char	 path[1200], **names;
	size_t	 n, i;
	int	 stop = 0;

	if (spool_list(dir, &names, &n) == -1)
		return 0;
	for (i = 0; i < n && !stop; i++) {
		if (spool_path(path, sizeof(path), "%s/%s", dir,
		    names[i]) == -1)
			continue;
		l->name = names[i];
		l->path = path;
		stop = walk_segment(l, fn, arg, m);
	}
	spool_list_free(names, n);
	return stop;
}

static int
walk_out(struct qloc *l, qvisit_fn fn, void *arg, struct msg *m)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char		 top[SPOOL_PATH_MAX], area[1200], dir[1300], **users;
	size_t		 n, i, k;
	int		 stop = 0;

	if (spool_path(top, sizeof(top), "%s/out", smppq_conf->spool.dir) == -1 ||
	    spool_list(top, &users, &n) == -1)
		return 0;
	for (i = 0; i < n && !stop; i++) {
		if (!spool_user_valid(users[i]) || spool_path(area,
		    sizeof(area), "%s/%s", top, users[i]) == -1)
			continue;
		l->state = "out";
		l->area = area;
		l->user = users[i];
		for (k = 0; k < 3 && !stop; k++) {
			l->folder = sub[k];
			if (spool_path(dir, sizeof(dir), "%s/%s", area,
			    sub[k]) == 0)
				stop = walk_folder(l, dir, fn, arg, m);
		}
	}
	spool_list_free(users, n);
	return stop;
}

int
smppq_walk(qvisit_fn fn, void *arg)
{
	struct qloc	 l;
	struct msg	 m;
	char		 area[SPOOL_PATH_MAX], dir[1200];
	size_t		 i;
	int		 stop = 0;

	record_msg_init(&m);
	memset(&l, 0, sizeof(l));
	for (i = 0; i < sizeof(qdirs) / sizeof(qdirs[0]) && !stop; i++) {
		if (spool_path(area, sizeof(area), "%s/%s", smppq_conf->spool.dir,
		    qdirs[i].area) == -1 || spool_path(dir, sizeof(dir),
		    "%s/%s", area, qdirs[i].folder) == -1)
			continue;
		l.state = qdirs[i].state;
		l.area = area;
		l.folder = qdirs[i].folder;
		l.user = NULL;
		stop = walk_folder(&l, dir, fn, arg, &m);
	}
	if (!stop)
		stop = walk_out(&l, fn, arg, &m);
	if (!stop && spool_path(dir, sizeof(dir), "%s/corrupt",
	    smppq_conf->spool.dir) == 0) {
		l.state = "corrupt";
		l.area = smppq_conf->spool.dir;
		l.folder = "corrupt";
		l.user = NULL;
		stop = walk_folder(&l, dir, fn, arg, &m);
	}
	record_msg_free(&m);
	return stop;
}

/* A JSON string: escapes, and octets that are not UTF-8 as Latin-1. */
void
smppq_json_str(FILE *fp, const char *s)
{
	size_t		 len = s != NULL ? strlen(s) : 0;
	int		 utf8 = len == 0 || charset_utf8_valid(s, len);
	unsigned char	 c;

	fputc('"', fp);
	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

/* Signal the running smppconn, found by its locked pid file. */
int
smppq_conn_signal(int sig)
{
	long	 pid = smppq_pidfile_pid(smppq_conf->conn.pid_file);

	return pid > 0 ? kill((pid_t)pid, sig) : -1;
}

/* An age like mailq's: 59s, 3m, 5h, 12d. */
static void
age(char *buf, size_t len, int64_t created_us)
{
	int64_t	 s = (int64_t)time(NULL) - created_us / 1000000;
	char	 unit = 's';

	if (s < 0)
		s = 0;
	if (s >= 172800) {
		s /= 86400;
		unit = 'd';
	} else if (s >= 7200) {
		s /= 3600;
		unit = 'h';
	} else if (s >= 120) {
		s /= 60;
		unit = 'm';
	}
	if (s > 99999)
		s = 99999;
	if (snprintf(buf, len, "%d%c", (int)s, unit) < 0)
		buf[0] = '\0';
}

struct listing {
	const char	*account;
	const char	*state;
	int		 n;
};

static const char *
kind_of(const struct msg *m)
{
	return m->meta.kind >= MSG_MT && m->meta.kind <= MSG_MO ?
	    kinds[m->meta.kind] : kinds[0];
}

static void
list_json(const struct qloc *l, const struct msg *m, int first)
{
	printf("%s\n {\"id\": ", first ? "" : ",");
	smppq_json_str(stdout, m ? m->meta.id : "");
	if (m != NULL) {
		printf(", \"created\": %lld, \"account\": ",
		    (long long)(m->meta.created_us / 1000000));
		smppq_json_str(stdout, m->meta.account);
		printf(", \"kind\": \"%s\", \"destination\": ", kind_of(m));
		smppq_json_str(stdout, m->pdu.destination_addr);
		printf(", \"attempts\": %d, \"error\": ", m->meta.attempts);
		smppq_json_str(stdout, m->meta.error);
	} else
		printf(", \"error\": \"corrupt from here\"");
	printf(", \"state\": \"%s\", \"segment\": ", l->state);
	smppq_json_str(stdout, l->path);
	printf(", \"index\": %u}", l->index);
}

static int
list_one(const struct qloc *l, const struct msg *m, void *arg)
{
	struct listing	*ls = arg;
	char		 a[16], dst[40], err[80];

	if ((ls->state != NULL && strcmp(ls->state, l->state) != 0) ||
	    (ls->account != NULL && (m == NULL ||
	    strcmp(ls->account, m->meta.account) != 0)))
		return 0;
	if (smppq_json) {
		list_json(l, m, ls->n++ == 0);
		return 0;
	}
	if (ls->n++ == 0)
		printf("%-40s %5s %-12s %-4s %-16s %-9s %5s %s\n", "ID", "AGE",
		    "ACCOUNT", "KIND", "DESTINATION", "STATE", "TRIES",
		    "ERROR");
	if (m == NULL) {
		printf("%-40s %5s %-12s %-4s %-16s %-9s %5s %s record %u on\n",
		    "-", "-", "-", "-", "-", l->state, "-", l->name,
		    l->index + 1);
		return 0;
	}
	age(a, sizeof(a), m->meta.created_us);
	log_sanitize(dst, sizeof(dst), m->pdu.destination_addr ?
	    m->pdu.destination_addr : "", 16);
	log_sanitize(err, sizeof(err), m->meta.error, 60);
	printf("%-40s %5s %-12s %-4s %-16s %-9s %5d %s\n", m->meta.id, a,
	    m->meta.account, kind_of(m), dst, l->state, m->meta.attempts,
	    err);
	return 0;
}

static int
cmd_list(const struct qopts *o, int argc)
{
	struct listing	 ls = { NULL, NULL, 0 };

	if (argc != 0)
		usage();
	ls.account = o->account;
	ls.state = o->state;
	if (smppq_json)
		printf("[");
	smppq_walk(list_one, &ls);
	if (smppq_json)
		printf("%s]\n", ls.n ? "\n" : "");
	else if (ls.n == 0)
		printf("queue empty\n");
	return EX_OK;
}

static const char *
time_str(char *buf, size_t len, int64_t sec)
{
	time_t		 t = (time_t)sec;
	struct tm	 tm;

	if (sec == 0 || gmtime_r(&t, &tm) == NULL)
		return "";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* The text of a record, UTF-8: short_message past its UDH, or payload. */
static void
text_of(const struct pdu *p, char **out)
{
	const uint8_t	*s;
	size_t		 n, udh, cap;

	s = pdu_content(p, &n, &udh);
	cap = (n - udh) * 4 + 1;
	if ((*out = malloc(cap)) == NULL)
		err(EX_OSERR, "malloc");
	charset_decode(p->data_coding, s + udh, n - udh, *out, cap);
}

/* One field of show: "name: value" or a JSON member. */
static void
field(const char *name, const char *value, int *first)
{
	if (smppq_json) {
		printf("%s\n  \"%s\": ", *first ? "" : ",", name);
		smppq_json_str(stdout, value != NULL ? value : "");
	} else
		printf("%-24s %s\n", name, value != NULL ? value : "");
	*first = 0;
}

static void
fieldn(const char *name, long long v, int *first)
{
	char	 buf[24];

	snprintf(buf, sizeof(buf), "%lld", v);
	field(name, buf, first);
}

static void
hexfield(const char *name, const uint8_t *p, size_t len, int *first)
{
	struct buf	 b = BUF_INITIALIZER;

	if (len > 0 && buf_hex(&b, p, len) == 0 && buf_putc(&b, '\0') == 0)
		field(name, (const char *)b.data, first);
	else
		field(name, "", first);
	buf_free(&b);
}

static void
show_pdu(const struct pdu *p, int *first)
{
	char		 name[64], *text;
	unsigned	 i;

	field("command", pdu_command_name(p->command_id), first);
	field("service_type", p->service_type, first);
	fieldn("source_addr_ton", p->source_addr_ton, first);
	fieldn("source_addr_npi", p->source_addr_npi, first);
	field("source_addr", p->source_addr, first);
	fieldn("dest_addr_ton", p->dest_addr_ton, first);
	fieldn("dest_addr_npi", p->dest_addr_npi, first);
	field("destination_addr", p->destination_addr, first);
	fieldn("esm_class", p->esm_class, first);
	fieldn("protocol_id", p->protocol_id, first);
	fieldn("priority_flag", p->priority_flag, first);
	field("schedule_delivery_time", p->schedule_delivery_time, first);
	field("validity_period", p->validity_period, first);
	fieldn("registered_delivery", p->registered_delivery, first);
	fieldn("replace_if_present_flag", p->replace_if_present_flag, first);
	fieldn("data_coding", p->data_coding, first);
	fieldn("sm_default_msg_id", p->sm_default_msg_id, first);
	hexfield("short_message", p->short_message, p->sm_length, first);
	for (i = 0; i < p->ntlv; i++) {
		snprintf(name, sizeof(name), "tlv %04x %s", p->tlv[i].tag,
		    pdu_tlv_name(p->tlv[i].tag));
		hexfield(name, p->tlv[i].val, p->tlv[i].len, first);
	}
	text_of(p, &text);
	field("text", text, first);
	free(text);
}

struct showing {
	const char	*id;
	int		 n;
};

static int
show_one(const struct qloc *l, const struct msg *m, void *arg)
{
	struct showing	*sh = arg;
	char		 t[3][32];
	int		 first = 1;

	if (m == NULL || strcmp(m->meta.id, sh->id) != 0)
		return 0;
	printf(smppq_json ? "%s\n {" : "%s", sh->n++ == 0 ? "" : smppq_json ? "," :
	    "\n");
	field("id", m->meta.id, &first);
	field("kind", kind_of(m), &first);
	field("state", l->state, &first);
	field("segment", l->path, &first);
	fieldn("index", l->index, &first);
	field("account", m->meta.account, &first);
	field("created", time_str(t[0], sizeof(t[0]),
	    m->meta.created_us / 1000000), &first);
	field("expires", time_str(t[1], sizeof(t[1]), m->meta.expires),
	    &first);
	field("next", time_str(t[2], sizeof(t[2]), m->meta.next_try),
	    &first);
	fieldn("attempts", m->meta.attempts, &first);
	fieldn("parts", m->meta.parts, &first);
	field("route", m->meta.route, &first);
	field("ref", m->meta.ref, &first);
	field("error", m->meta.error, &first);
	show_pdu(&m->pdu, &first);
	if (smppq_json)
		printf("\n }");
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	struct showing	 sh;

	if (argc != 1)
		usage();
	sh.id = argv[0];
	sh.n = 0;
	if (smppq_json)
		printf("[");
	smppq_walk(show_one, &sh);
	if (smppq_json)
		printf("%s]\n", sh.n ? "\n" : "");
	if (sh.n == 0) {
		warnx("%s: no such message", sh.id);
		return EX_NOINPUT;
	}
	return EX_OK;
}

struct depth {
	char		 account[PDU_SYSTEM_ID_MAX];
	unsigned	 n[SMPPQ_NSTATES];
};

struct depths {
	unsigned	 total[SMPPQ_NSTATES];
	struct depth	*acct;
	size_t		 nacct;
};

static int
count_one(const struct qloc *l, const struct msg *m, void *arg)
{
	struct depths	*d = arg;
	struct depth	*v;
	int		 k = smppq_state_index(l->state);
	size_t		 i;

	d->total[k]++;
	if (m == NULL)
		return 0;
	for (i = 0; i < d->nacct; i++)
		if (strcmp(d->acct[i].account, m->meta.account) == 0)
			break;
	if (i == d->nacct) {
		if ((v = reallocarray(d->acct, d->nacct + 1, sizeof(*v))) ==
		    NULL)
			err(EX_OSERR, "malloc");
		d->acct = v;
		memset(&v[i], 0, sizeof(v[i]));
		strlcpy(v[i].account, m->meta.account, sizeof(v[i].account));
		d->nacct++;
	}
	d->acct[i].n[k]++;
	return 0;
}

static void
print_depths(const char *label, const unsigned *n, int json, int first)
{
	int	 i, f = 1;

	if (json) {
		printf("%s", first ? "" : ", ");
		smppq_json_str(stdout, label);
		printf(": {");
		for (i = 0; i < SMPPQ_NSTATES - 1; i++, f = 0)
			printf("%s\"%s\": %u", f ? "" : ", ", smppq_states[i],
			    n[i]);
		printf("}");
		return;
	}
	printf("%-20s", label);
	for (i = 0; i < SMPPQ_NSTATES - 1; i++)
		printf(" %9u", n[i]);
	printf("\n");
}

static int
cmd_stats(int argc)
{
	struct depths	 d;
	char		 path[SPOOL_PATH_MAX];
	size_t		 i;
	int		 up, k;

	if (argc != 0)
		usage();
	memset(&d, 0, sizeof(d));
	smppq_walk(count_one, &d);
	up = smppq_scoreboard(path, sizeof(path)) == 0;
	if (!up)
		warnx("%s: %s (is smppd running?)", path, strerror(errno));
	if (smppq_json) {
		printf("{\"scoreboard\": ");
		if (up)
			sb_print(stdout, sb_board(), 1);
		else
			printf("null");
		printf(", \"queues\": {");
		print_depths("all", d.total, 1, 1);
		printf("}, \"accounts\": {");
		for (i = 0; i < d.nacct; i++)
			print_depths(d.acct[i].account, d.acct[i].n, 1, i == 0);
		printf("}}\n");
	} else {
		if (up) {
			sb_print(stdout, sb_board(), 0);
			printf("\n");
		}
		printf("[queues]\n%-20s", "ACCOUNT");
		for (k = 0; k < SMPPQ_NSTATES - 1; k++)
			printf(" %9s", smppq_states[k]);
		printf("\n");
		print_depths("(all)", d.total, 0, 0);
		for (i = 0; i < d.nacct; i++)
			print_depths(d.acct[i].account, d.acct[i].n, 0, 0);
	}
	free(d.acct);
	return EX_OK;
}

static void
report(const char *msg)
{
	warnx("%s", msg);
}

/* The options up to the first operand; after the command, note them. */
static void
options(int argc, char **argv, struct qopts *o, int after)
{
	size_t	 n;
	int	 ch;

	while ((ch = getopt(argc, argv, "+a:C:c:f:jps:t:x")) != -1) {
		switch (ch) {
		case 'a':
			o->account = optarg;
			break;
		case 'C':
			o->coding = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'p':
			o->prom = 1;
			break;
		case 's':
			o->state = optarg;
			break;
		case 't':
			o->to = optarg;
			break;
		case 'x':
			o->hex = 1;
			break;
		default:
			usage();
		}
		n = strlen(o->given);
		if (after && n + 1 < sizeof(o->given) && ch != 'c' &&
		    ch != 'j') {
			o->given[n] = (char)ch;
			o->given[n + 1] = '\0';
		}
	}
}

/* Only these options may follow the command. */
static void
allow(const struct qopts *o, const char *letters)
{
	const char	*s;

	for (s = o->given; *s != '\0'; s++)
		if (strchr(letters, *s) == NULL)
			usage();
}

int
main(int argc, char *argv[])
{
	static struct conf	 conf;
	struct qopts		 o;
	const char		*cmd;

	log_init("smppq");
	memset(&o, 0, sizeof(o));
	o.config = CONF_PATH_DEFAULT;
	options(argc, argv, &o, 0);
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	/* Its -c is a limit, as monitoring plugins have it. */
	if (strcmp(cmd, "check") == 0)
		return smppq_check(o.config, argc, argv);
	options(argc, argv, &o, 1);
	argc -= optind;
	argv += optind;
	smppq_json = o.json;
	if (conf_load(&conf, o.config, report) != 0)
		return EX_CONFIG;
	smppq_conf = &conf;
	spool_durable_set(conf.spool.sync);
	/* As root: the spool's owner, before the spool is touched. */
	/* No spool yet: nothing to protect, and stats still answer. */
	if (owner_become(conf.spool.dir) == -1 && errno != ENOENT)
		err(EX_NOPERM, "becoming the owner of %s", conf.spool.dir);
	if (o.prom) {
		allow(&o, "p");
		if (strcmp(cmd, "stats") != 0 || smppq_json || argc != 0)
			usage();
		return smppq_prom(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	if (strcmp(cmd, "list") == 0) {
		allow(&o, "as");
		return cmd_list(&o, argc);
	}
	if (strcmp(cmd, "inject") == 0 && !smppq_json) {
		allow(&o, "aCftx");
		return smppq_inject(&o, argc, argv);
	}
	allow(&o, "");
	if (strcmp(cmd, "forward") == 0 && argc == 0 && !smppq_json)
		return smppq_forward();
	if (strcmp(cmd, "show") == 0)
		return cmd_show(argc, argv);
	if (strcmp(cmd, "stats") == 0)
		return cmd_stats(argc);
	if (strcmp(cmd, "metrics") == 0 && !smppq_json && argc == 0)
		return smppq_metrics();
	if (strcmp(cmd, "connectors") == 0) {
		if (argc != 0)
			usage();
		return smppq_connectors(smppq_json);
	}
	if (smppq_json || argc != 1)
		usage();
	if (strcmp(cmd, "delete") == 0)
		return smppq_delete(argv[0]);
	if (strcmp(cmd, "requeue") == 0)
		return smppq_requeue(argv[0]);
	usage();
	return EX_USAGE;
}
