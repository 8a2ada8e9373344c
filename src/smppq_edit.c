/*
 * smppq_edit.c - the smppq commands that change the spool: delete,
 * requeue, inject
 *
 * SYNOPSIS
 *	smppq_delete(id)	smppq_requeue(id | "all")	smppq_inject(argc, argv)
 *
 * DESCRIPTION
 *	A segment that nobody has claimed (mt/new/, mt/deferred/,
 *	mt/failed/, mo/failed/, out/USER/new/) is changed through a
 *	private claim, as smppconn claims, under an flock(2) taken first
 *	(the one by which receivers claim out/USER/new/): renamed into
 *	mt/active/ (or out/USER/cur/, or for mo/failed/ into mo/tmp/),
 *	read, and written again without the records deleted -- or with
 *	the records requeued moved into a new segment of mt/new/ whose
 *	records are due now -- then the claimed one is removed.  When
 *	another process claimed the segment first, the walk starts over.
 *
 *	A record in a segment claimed by smppconn (mt/active/) or by a
 *	bound receiver (out/USER/new/ locked, or out/USER/cur/ from a
 *	version before the lock) is deleted by marking it settled in
 *	the segment's .done sidecar; smppconn is told with SIGUSR1 and
 *	rereads its marks.  The races are in smppq(8): a record already
 *	handed on is not called back.
 *
 *	inject queues an MO for an account (given, or found by
 *	[mo-routes]): a deliver_sm from -f to -t with the text (UTF-8,
 *	encoded in GSM 03.38 when it fits, else UCS-2, or as -C says) or
 *	with -x the octets in hex, written into out/ACCOUNT/ and the
 *	account's receivers woken.  A text longer than 254 octets goes in
 *	message_payload.
 */
#include "config.h"


#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "client.h"
#include "charset.h"
#include "msgid.h"
#include "route.h"
#include "smppq.h"

#define WALK_TRIES	5

/* One segment to change, and which of its records. */
struct target {
	char		 state[16];
	char		 area[SPOOL_PATH_MAX];
	char		 folder[16];
	char		 name[SPOOL_NAME_MAX + 16];
	char		 path[1200];
	unsigned	*idx;
	size_t		 nidx;
	int		 all;
};

struct search {
	const char	*id;		/* NULL: every record */
	const char	*only;		/* these states only: "a,b" */
	struct target	*t;
	size_t		 n;
	unsigned	 found;
};

static struct target *
target_of(struct search *s, const struct qloc *l)
{
	struct target	*t;

	if (s->n > 0 && strcmp(s->t[s->n - 1].path, l->path) == 0)
		return &s->t[s->n - 1];
	if ((t = reallocarray(s->t, s->n + 1, sizeof(*t))) == NULL)
		err(EX_OSERR, "malloc");
	s->t = t;
	t = &s->t[s->n++];
	memset(t, 0, sizeof(*t));
	strlcpy(t->state, l->state, sizeof(t->state));
	strlcpy(t->area, l->area, sizeof(t->area));
	strlcpy(t->folder, l->folder, sizeof(t->folder));
	strlcpy(t->name, l->name, sizeof(t->name));
	strlcpy(t->path, l->path, sizeof(t->path));
	return t;
}

/* Whether state is one of the comma-separated list. */
static int
state_in(const char *list, const char *state)
{
	size_t	 n = strlen(state);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, state, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

static int
collect(const struct qloc *l, const struct msg *m, void *arg)
{
	struct search	*s = arg;
	struct target	*t;
	unsigned	*v;

	if (m == NULL || (s->id != NULL && strcmp(m->meta.id, s->id) != 0) ||
	    (s->only != NULL && !state_in(s->only, l->state)))
		return 0;
	t = target_of(s, l);
	if ((v = reallocarray(t->idx, t->nidx + 1, sizeof(*v))) == NULL)
		err(EX_OSERR, "malloc");
	t->idx = v;
	t->idx[t->nidx++] = l->index;
	s->found++;
	return 0;
}

static void
search_free(struct search *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->t[i].idx);
	free(s->t);
	s->t = NULL;
	s->n = 0;
	s->found = 0;
}

static int
wanted(const struct target *t, unsigned i)
{
	size_t	 k;

	if (t->all)
		return 1;
	for (k = 0; k < t->nidx; k++)
		if (t->idx[k] == i)
			return 1;
	return 0;
}

/* Where a segment of this folder is claimed privately. */
static int
claim_dir(const struct target *t, char *buf, size_t len)
{
	const char	*sub;

	if (strcmp(t->state, "out") == 0)
		sub = "cur";
	else if (strcmp(t->area + strlen(t->area) - 3, "/mo") == 0)
		sub = "tmp";
	else
		sub = "active";
	return spool_path(buf, len, "%s/%s", t->area, sub);
}

/* Copy the records kept and moved; 0, or -1 (corrupt, no memory). */
static int
copy(const struct target *t, const char *path, struct segw *keep,
    struct segw *moved, unsigned *n)
{
	struct segr	 r;
	struct segdone	 d;
	struct msg	 m;
	int		 rc, have;

	if (segr_open(&r, path) == -1)
		return -1;
	have = segdone_open(&d, path, 0) == 0;
	record_msg_init(&m);
	while ((rc = segr_next(&r, &m)) == SEGR_OK || rc == SEGR_BAD) {
		if (rc == SEGR_BAD) {
			/* Not rewritten: its copy in corrupt/ is all that stays. */
			(void)segr_quarantine(&r, smppq_conf->spool.dir,
			    &m);
			rc = 0;
			continue;
		}
		if (have && segdone_test(&d, r.index - 1))
			continue;
		if (!wanted(t, r.index - 1))
			rc = segw_add(keep, &m.meta, &m.pdu);
		else if (moved != NULL) {
			m.meta.next_try = 0;
			rc = segw_add(moved, &m.meta, &m.pdu);
			(*n)++;
		} else
			(*n)++;
		if (rc == -1)
			break;
	}
	record_msg_free(&m);
	if (have)
		segdone_close(&d);
	segr_close(&r);
	return rc == SEGR_EOF ? 0 : -1;
}

/*
 * Rewrite an unclaimed segment without the target's records, which go
 * to mt/new/ when requeue is set.  0 done, 1 claimed by another process
 * first (errno EWOULDBLOCK: it holds the segment's flock(2), as a
 * receiver does in out/USER/new/), -1 error (the segment is given
 * back).  The lock is taken before the claim and goes along with the
 * file: no receiver sends from it meanwhile, and in mo/tmp/ recovery
 * does not take it.
 */
static int
rewrite(const struct target *t, int requeue, unsigned *n)
{
	struct segw	 keep, moved;
	char		 cdir[1200], cpath[1300], folder[1200], mt[SPOOL_PATH_MAX];
	char		 lpath[1300];
	int		 rc, lock, sync = smppq_conf->spool.sync;

	if (claim_dir(t, cdir, sizeof(cdir)) == -1 ||
	    spool_path(folder, sizeof(folder), "%s/%s", t->area,
	    t->folder) == -1 || spool_path(mt, sizeof(mt), "%s/mt",
	    smppq_conf->spool.dir) == -1)
		return -1;
	if ((rc = spool_claim_lock(folder, t->name, lpath, sizeof(lpath),
	    &lock)) != 0)
		return rc;
	if ((rc = spool_claim(folder, cdir, t->name, cpath, sizeof(cpath))) !=
	    0) {
		close(lock);
		errno = ENOENT;
		return rc;
	}
	segw_init(&keep, t->area, sync);
	segw_set_dest(&keep, t->folder);
	if (strcmp(t->folder, "deferred") == 0)
		keep.not_before = spool_name_time(t->name);
	segw_init(&moved, mt, sync);
	rc = copy(t, cpath, &keep, requeue ? &moved : NULL, n);
	if (rc == 0 && (segw_commit(&keep) == -1 || segw_commit(&moved) == -1))
		rc = -1;
	if (rc == 0 && (segw_close(&keep) == -1 || segw_close(&moved) == -1))
		warn("%s: closing a rewritten segment", t->path);
	if (rc == 0 && spool_remove(cpath) == -1)
		warn("%s: cannot remove; its records may show twice", cpath);
	if (rc == -1) {
		warnx("%s: cannot be rewritten: left as it was", t->path);
		if (spool_move(cpath, folder, NULL) == -1)
			warn("%s: cannot give it back", cpath);
	}
	segw_free(&keep);
	segw_free(&moved);
	close(lock);
	return rc;
}

/* Mark records of a claimed segment settled in its sidecar. */
static int
mark(const struct target *t, unsigned *n)
{
	struct segdone	 d;
	size_t		 k;

	if (segdone_open(&d, t->path, 0) == -1) {
		warn("%s.done", t->path);
		return -1;
	}
	for (k = 0; k < t->nidx; k++) {
		if (segdone_mark(&d, t->idx[k]) == -1) {
			warn("%s.done", t->path);
			segdone_close(&d);
			return -1;
		}
		(*n)++;
	}
	segdone_close(&d);
	if (strcmp(t->state, "active") == 0 && smppq_conn_signal(SIGUSR1) == -1)
		warnx("smppconn could not be told; it sees the mark when it "
		    "claims %s again", t->name);
	return 0;
}

/* A segment another process holds: its records marked, not moved. */
static int
held(struct target *t, int requeue, unsigned *n)
{
	if (requeue) {
		warnx("%s: in hand (%s): not requeued", t->name, t->state);
		return 0;
	}
	return mark(t, n);
}

static int
edit_one(struct target *t, int requeue, unsigned *n)
{
	int	 rc;

	if (strcmp(t->state, "active") == 0 ||
	    (strcmp(t->state, "out") == 0 && strcmp(t->folder, "cur") == 0))
		return held(t, requeue, n);
	if (strcmp(t->state, "incoming") == 0 ||
	    strcmp(t->state, "corrupt") == 0 ||
	    (strcmp(t->state, "out") == 0 && strcmp(t->folder, "new") != 0)) {
		warnx("%s: %s segments cannot be changed", t->name, t->state);
		return -1;
	}
	/* A receiver holds it: its records marked, as in cur/. */
	if ((rc = rewrite(t, requeue, n)) == 1 && errno == EWOULDBLOCK &&
	    strcmp(t->state, "out") == 0)
		return held(t, requeue, n);
	return rc;
}

/* Find, change, and start over when a segment changed hands. */
static int
edit(const char *id, const char *only, int all, int requeue)
{
	struct search	 s;
	unsigned	 n = 0;
	size_t		 i;
	int		 tries, rc = 0, again = 1;

	memset(&s, 0, sizeof(s));
	s.id = id;
	s.only = only;
	for (tries = 0; again && tries < WALK_TRIES; tries++) {
		again = 0;
		smppq_walk(collect, &s);
		if (s.found == 0 && tries == 0) {
			search_free(&s);
			if (all)
				return EX_OK;
			warnx("%s: no such message%s%s", id, only ? " in " :
			    "", only ? only : "");
			return EX_NOINPUT;
		}
		for (i = 0; i < s.n; i++) {
			s.t[i].all = all;
			switch (edit_one(&s.t[i], requeue, &n)) {
			case 1:
				again = 1;
				break;
			case -1:
				rc = EX_IOERR;
				break;
			}
		}
		search_free(&s);
	}
	if (again)
		rc = EX_TEMPFAIL;
	printf("%u record(s) %s\n", n, requeue ? "requeued" : "deleted");
	if (requeue && n > 0)
		(void)spool_wake_conn(smppq_conf->spool.dir);
	return rc;
}

int
smppq_delete(const char *id)
{
	return edit(id, NULL, 0, 0);
}

int
smppq_requeue(const char *id)
{
	if (strcmp(id, "all") == 0)
		return edit(NULL, "deferred", 1, 1);
	return edit(id, "deferred,failed", 0, 1);
}

/* TON and NPI for an address: international digits, or alphanumeric. */
static void
ton_npi(const char *a, uint8_t *ton, uint8_t *npi)
{
	const char	*s = *a == '+' ? a + 1 : a;

	if (*s != '\0' && strspn(s, "0123456789") == strlen(s)) {
		*ton = 1;
		*npi = 1;
	} else {
		*ton = 5;
		*npi = 0;
	}
}


/* Encode the content; the octets in *out (malloc), their count. */
static ssize_t
encode(const char *text, size_t len, int hex, int *dc, uint8_t **out)
{
	size_t	 cap = len * 2 + 2;
	ssize_t	 n;

	if ((*out = malloc(cap)) == NULL)
		err(EX_OSERR, "malloc");
	if (hex) {
		if (*dc == CHARSET_AUTO)
			*dc = DC_BINARY;
		n = len % 2 == 0 ? buf_hex_decode(text, len, *out, cap) : -1;
		return n;
	}
	if (*dc == CHARSET_AUTO && (*dc = charset_choose(text, len)) == -1)
		return -1;
	return charset_encode(*dc, text, len, *out, cap);
}

static int
inject_write(const char *acct, const struct msg_meta *m, const struct pdu *p)
{
	struct segw	 w;
	char		 area[SPOOL_PATH_MAX];
	int		 rc = 0;

	if (spool_user_area(smppq_conf->spool.dir, acct, 1) == -1 ||
	    spool_path(area, sizeof(area), "%s/out/%s", smppq_conf->spool.dir,
	    acct) == -1) {
		warn("out/%s", acct);
		return EX_IOERR;
	}
	segw_init(&w, area, smppq_conf->spool.sync);
	if (segw_add(&w, m, p) == -1 || segw_commit(&w) == -1 ||
	    segw_close(&w) == -1) {
		warn("%s", area);
		rc = EX_IOERR;
	}
	segw_free(&w);
	if (rc == 0)
		(void)spool_wake_user(smppq_conf->spool.dir, acct, SIGUSR1);
	return rc;
}

int
smppq_inject(const struct qopts *o, int argc, char **argv)
{
	struct msg_meta	 m;
	struct pdu	 p;
	const char	*acct = o->account;
	uint8_t		*data;
	char		*text;
	size_t		 len;
	ssize_t		 n;
	int		 dc = CHARSET_AUTO;

	if (o->from == NULL || o->to == NULL)
		errx(EX_USAGE, "inject needs -f from and -t to");
	if (o->coding != NULL &&
	    (dc = charset_parse_name(o->coding)) == CHARSET_UNKNOWN)
		errx(EX_USAGE, "%s: unknown coding", o->coding);
	if (acct == NULL && (acct = route_mo(smppq_conf, o->from, o->to)) == NULL)
		errx(EX_NOUSER, "no [mo-routes] entry for %s -> %s: use -a",
		    o->from, o->to);
	if (!spool_user_valid(acct))
		errx(EX_NOUSER, "%s: not a valid account name", acct);
	text = client_read_text(argc, argv, 1024 * 1024, &len);
	if ((n = encode(text, len, o->hex, &dc, &data)) < 0 ||
	    n > UINT16_MAX)
		errx(EX_DATAERR, "the text cannot be encoded%s", o->hex ?
		    " (hex expected)" : " in that coding");
	memset(&m, 0, sizeof(m));
	msgid_init(smppq_conf->server.id);
	if (msgid_next(m.id, sizeof(m.id)) == -1)
		errx(EX_SOFTWARE, "message id");
	m.kind = MSG_MO;
	strlcpy(m.account, acct, sizeof(m.account));
	m.created_us = clock_wall_us();
	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.source_addr = o->from;
	p.destination_addr = o->to;
	ton_npi(o->from, &p.source_addr_ton, &p.source_addr_npi);
	ton_npi(o->to, &p.dest_addr_ton, &p.dest_addr_npi);
	p.data_coding = (uint8_t)dc;
	if (n <= PDU_SM_MAX) {
		p.short_message = data;
		p.sm_length = (uint8_t)n;
	} else
		pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, (uint16_t)n, data);
	if ((n = inject_write(acct, &m, &p)) == 0)
		printf("%s queued for %s\n", m.id, acct);
	free(data);
	free(text);
	return (int)n;
}
