/*
 * conn_helper.c - the helper connector: long-running programs fed one
 * message per line, answering in any order
 *
 * SYNOPSIS
 *	conn_helper_ops	conn_helper_reaped(pid, status)
 *
 * DESCRIPTION
 *	The connector keeps concurrency copies of its command running
 *	(argv as conf_argv() split it, no shell, in a process group of its
 *	own, stderr shared with smppconn).  Each reads its standard input
 *	and writes its standard output in the lines of conn_helper_line.c:
 *	a HELLO line first, then one MSG line per message; it answers each
 *	message once, by its id, in any order (ACCEPTED, DELIVERED, RETRY,
 *	FAILED), and may write DLR and MO lines at any time.  A message
 *	goes to the running helper with the fewest unanswered, at most
 *	window unanswered each.
 *
 *	An answer becomes the message's outcome (smppconn_outcome()):
 *	ACCEPTED with the upstream's id, which the id map keeps for the
 *	receipt a DLR line brings later; DELIVERED; RETRY transient (after
 *	its delay, or on the route's next connector); FAILED classified by
 *	its status as an upstream's error.  A DLR line is looked up in the
 *	id map and rewritten for the account as an smpp upstream's receipt
 *	is; an MO line is routed by [mo-routes].  Neither is acknowledged
 *	to the helper: they are durable at the group commit that ends the
 *	turn (for an MO that must survive a crash of smppconn, a helper can
 *	run smppq inject instead).
 *
 *	A message unanswered for timeout seconds is transient.  A helper
 *	that closes its output or exits is started again after a back-off
 *	of 1 second, doubling up to 60 while it keeps dying within 10
 *	seconds; its unanswered messages are transient and tried again
 *	after a second.  A line that is not one of the protocol, or
 *	longer than HELPER_LINE_MAX, is logged and the helper restarted
 *	(SIGTERM) the same way.  An answer for an id the connector does
 *	not hold (answered twice, or after its timeout) is logged and
 *	ignored.  The connector is up while at least one helper runs.
 *	Helpers keep the command and concurrency they were started with
 *	until smppconn restarts.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conn_helper.h"
#include "dlr.h"
#include "idmap.h"
#include "log.h"
#include "smppconn.h"

#define BACKOFF_MAX	60	/* seconds between restarts, at most */
#define STABLE_US	(10 * 1000000LL)	/* ran this long: back-off 1 s */
#define PIPE_SIZE	(1024 * 1024)	/* Linux: pipe-max-size's default */

struct hproc;

/* A message handed to a helper, not answered yet. */
struct hmsg {
	struct item		*it;
	struct hproc		*hp;
	struct hmsg		*hnext;		/* hash chain */
	TAILQ_ENTRY(hmsg)	 link;		/* in hand-on order */
	int64_t			 deadline;
};
TAILQ_HEAD(hmsgq, hmsg);

/* An id map entry to remove once the receipt it gave is committed. */
struct hdel {
	TAILQ_ENTRY(hdel)	 link;
	int			*dep;
	char			 key[PDU_MESSAGE_ID_MAX];
};
TAILQ_HEAD(hdelq, hdel);

struct helperc;

struct hproc {
	struct helperc	*hc;
	int		 idx;
	pid_t		 pid;		/* 0: not running (reaped) */
	int		 infd;		/* its stdin, -1: closed */
	int		 outfd;		/* its stdout */
	struct buf	 out;		/* to write to it */
	size_t		 outoff;
	char		*in;		/* a partial line from it */
	size_t		 inlen;
	int		 nout;		/* unanswered */
	int64_t		 next_start;
	int		 backoff;	/* seconds */
	int64_t		 started;
};

struct helperc {
	LIST_ENTRY(helperc)	 link;
	struct connector	*c;
	struct hproc		*hp;
	int			 n;
	int			 running;
	struct hmsg		**tab;	/* by our id */
	unsigned		 cap;	/* a power of 2 */
	struct hmsgq		 q;
	unsigned		 nq;
	struct hdelq		 dels;
};

extern char	**environ;

static LIST_HEAD(, helperc) helpers = LIST_HEAD_INITIALIZER(helpers);

static unsigned
hash(const char *s, unsigned cap)
{
	uint32_t	 h = 2166136261U;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619U;
	return h & (cap - 1);
}

static struct hmsg **
slot(struct helperc *hc, const char *id)
{
	struct hmsg	**pp;

	for (pp = &hc->tab[hash(id, hc->cap)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (strcmp((*pp)->it->msg.meta.id, id) == 0)
			break;
	return pp;
}

/* Take a message off the books: its item, for its outcome. */
static struct item *
take(struct helperc *hc, struct hmsg *hm)
{
	struct hmsg	**pp = slot(hc, hm->it->msg.meta.id);
	struct item	*it = hm->it;

	if (*pp == hm)
		*pp = hm->hnext;
	TAILQ_REMOVE(&hc->q, hm, link);
	hc->nq--;
	hm->hp->nout--;
	it->priv = NULL;
	free(hm);
	return it;
}

static void
retry_all(struct hproc *hp, const char *why)
{
	struct helperc	*hc = hp->hc;
	struct hmsg	*hm, *next;

	for (hm = TAILQ_FIRST(&hc->q); hm != NULL; hm = next) {
		next = TAILQ_NEXT(hm, link);
		if (hm->hp == hp)
			smppconn_outcome(take(hc, hm), &(struct outcome){
			    .kind = OC_TRANSIENT, .why = why, .delay = 1 });
	}
}

/* Its pipes close, its messages are retried, a restart is scheduled. */
static void
proc_down(struct hproc *hp, const char *why)
{
	struct helperc	*hc = hp->hc;

	if (hp->outfd == -1)
		return;
	close(hp->outfd);
	hp->outfd = -1;
	if (hp->infd != -1)
		close(hp->infd);
	hp->infd = -1;
	buf_reset(&hp->out);
	hp->outoff = 0;
	hp->inlen = 0;
	hc->running--;
	hp->backoff = smppconn_ctx.now - hp->started >= STABLE_US ? 1 :
	    (hp->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : hp->backoff * 2);
	hp->next_start = smppconn_ctx.now + (int64_t)hp->backoff * 1000000;
	log_warnx("connector %s: helper %d (pid %ld): %s: %d message(s) "
	    "retried, restart in %ds", hc->c->name, hp->idx, (long)hp->pid,
	    why, hp->nout, hp->backoff);
	retry_all(hp, why);
}

static void
spawn(struct hproc *hp)
{
	struct helperc	*hc = hp->hc;
	int		 in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;

	hp->next_start = CONN_NEVER;
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1)
		rc = errno;
	else
		rc = conn_pipe_spawn(hc->c->cf, environ, in[0], out[1], -1,
		    &hp->pid);
	if (in[0] != -1)
		close(in[0]);
	if (out[1] != -1)
		close(out[1]);
	if (rc != 0) {
		errno = rc;
		log_warn("connector %s: cannot run %s", hc->c->name,
		    hc->c->cf->argv[0]);
		if (in[1] != -1)
			close(in[1]);
		if (out[0] != -1)
			close(out[0]);
		hp->pid = 0;
		hp->backoff = hp->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
		    hp->backoff * 2;
		hp->next_start = smppconn_ctx.now + (int64_t)hp->backoff * 1000000;
		return;
	}
	hp->infd = in[1];
	hp->outfd = out[0];
	(void)fcntl(hp->infd, F_SETFL, O_NONBLOCK);
	(void)fcntl(hp->outfd, F_SETFL, O_NONBLOCK);
#ifdef F_SETPIPE_SZ
	/* A turn's lines in one go, not 64 KiB a turn (best effort). */
	(void)fcntl(hp->infd, F_SETPIPE_SZ, PIPE_SIZE);
	(void)fcntl(hp->outfd, F_SETPIPE_SZ, PIPE_SIZE);
#endif
	hp->started = smppconn_ctx.now;
	hc->running++;
	if (conn_helper_line_hello(&hp->out, hc->c->name) == -1)
		log_warnx("connector %s: out of memory", hc->c->name);
	log_info("connector %s: helper %d started (pid %ld)", hc->c->name,
	    hp->idx, (long)hp->pid);
}

/* Write what waits for the helper, without blocking. */
static void
flush_out(struct hproc *hp)
{
	ssize_t	 n;

	while (hp->infd != -1 && hp->outoff < hp->out.len) {
		n = write(hp->infd, hp->out.data + hp->outoff,
		    hp->out.len - hp->outoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			proc_down(hp, "its input is closed");
			return;
		}
		hp->outoff += (size_t)n;
	}
	if (hp->outoff == hp->out.len) {
		buf_reset(&hp->out);
		hp->outoff = 0;
	}
}

static void
garbage(struct hproc *hp, const char *line, size_t len)
{
	char	 text[200];

	log_sanitize(text, sizeof(text), line, len > 80 ? 80 : len);
	log_warnx("connector %s: helper %d wrote what is not the protocol: "
	    "\"%s\"", hp->hc->c->name, hp->idx, text);
	if (hp->pid > 0)
		kill(hp->pid, SIGTERM);
	proc_down(hp, "garbage");
}

static void
on_dlr(struct helperc *hc, const struct helper_answer *a)
{
	struct idmap_entry	 e;
	struct dlr		 d;
	struct hdel		*h;
	char			 key[PDU_MESSAGE_ID_MAX], id[2 * PDU_MESSAGE_ID_MAX];
	int			*dep, final, err;

	if (smppconn_ctx_idmap() == NULL || idmap_get(smppconn_ctx_idmap(),
	    a->upstream, &e, key, sizeof(key)) != 0) {
		log_sanitize(id, sizeof(id), a->upstream, strlen(a->upstream));
		log_warnx("connector %s: receipt for unknown id %s (%s): "
		    "dropped", hc->c->name, id, a->stat);
		return;
	}
	memset(&d, 0, sizeof(d));
	strlcpy(d.id, a->upstream, sizeof(d.id));
	strlcpy(d.stat, a->stat, sizeof(d.stat));
	d.err = (int)a->status;
	dep = smppconn_outcome_receipt(hc->c->name, &e, key, &d, &final,
	    &err);
	if (err || !final || (h = calloc(1, sizeof(*h))) == NULL)
		return;
	h->dep = dep;
	strlcpy(h->key, key, sizeof(h->key));
	TAILQ_INSERT_TAIL(&hc->dels, h, link);
}

static void
on_mo(struct helperc *hc, struct helper_answer *a)
{
	struct pdu	 p;
	int		*dep;

	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.source_addr = a->src;
	p.destination_addr = a->dst;
	p.data_coding = a->data_coding;
	p.short_message = a->sm;
	p.sm_length = (uint8_t)a->smlen;
	if (smppconn_mo_queue(&p, hc->c->name, &dep) == -1)
		log_warnx("connector %s: an MO from a helper cannot be "
		    "queued: dropped", hc->c->name);
}

static void
on_answer(struct hproc *hp, const struct helper_answer *a)
{
	struct helperc	*hc = hp->hc;
	struct hmsg	*hm = *slot(hc, a->id);
	struct item	*it;
	char		 why[RECORD_ERROR_MAX], id[2 * PDU_MESSAGE_ID_MAX];

	if (hm == NULL) {
		log_sanitize(id, sizeof(id), a->id, strlen(a->id));
		log_warnx("connector %s: helper %d answered for %s, which it "
		    "does not hold: ignored", hc->c->name, hp->idx, id);
		return;
	}
	it = take(hc, hm);
	snprintf(why, sizeof(why), "helper: %.100s", a->reason[0] != '\0' ?
	    a->reason : a->verb == HV_RETRY ? "retry" : "failed");
	switch (a->verb) {
	case HV_ACCEPTED:
		smppconn_outcome(it, &(struct outcome){ .kind = OC_ACCEPTED,
		    .id = a->upstream });
		break;
	case HV_DELIVERED:
		smppconn_outcome(it, &(struct outcome){ .kind = OC_DELIVERED });
		break;
	case HV_RETRY:
		smppconn_outcome(it, &(struct outcome){ .kind = OC_TRANSIENT,
		    .why = why, .delay = a->delay });
		break;
	default:
		smppconn_outcome_status(it, a->status, why);
		break;
	}
}

/* One line from a helper; -1 when it was garbage. */
static int
line(struct hproc *hp, char *text, size_t len)
{
	struct helper_answer	 a;
	char			 copy[256];

	strlcpy(copy, text, sizeof(copy) < len + 1 ? sizeof(copy) : len + 1);
	if (conn_helper_line_parse(text, &a) == -1) {
		garbage(hp, copy, strlen(copy));
		return -1;
	}
	if (a.verb == HV_DLR)
		on_dlr(hp->hc, &a);
	else if (a.verb == HV_MO)
		on_mo(hp->hc, &a);
	else
		on_answer(hp, &a);
	return 0;
}

/* The complete lines read so far; the rest waits for more. */
static void
lines(struct hproc *hp)
{
	char	*nl, *p = hp->in;
	size_t	 left = hp->inlen;

	while ((nl = memchr(p, '\n', left)) != NULL) {
		*nl = '\0';
		if (line(hp, p, (size_t)(nl - p)) == -1)
			return;
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	if (left >= HELPER_LINE_MAX) {
		garbage(hp, p, left);
		return;
	}
	memmove(hp->in, p, left);
	hp->inlen = left;
}

static void
read_in(void *arg, int revents)
{
	struct hproc	*hp = arg;
	ssize_t		 n;

	(void)revents;
	while (hp->outfd != -1) {
		n = read(hp->outfd, hp->in + hp->inlen,
		    HELPER_LINE_MAX - hp->inlen);
		if (n > 0) {
			hp->inlen += (size_t)n;
			lines(hp);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		proc_down(hp, n == 0 ? "it closed its output" :
		    "reading its output failed");
	}
}

static void
write_ready(void *arg, int revents)
{
	(void)revents;
	flush_out(arg);
}

static int
helper_start(struct connector *c)
{
	struct helperc	*hc;
	int		 i;

	if ((hc = calloc(1, sizeof(*hc))) == NULL)
		return -1;
	hc->c = c;
	c->priv = hc;
	TAILQ_INIT(&hc->q);
	TAILQ_INIT(&hc->dels);
	LIST_INSERT_HEAD(&helpers, hc, link);
	hc->n = c->cf->concurrency;
	for (hc->cap = 64; hc->cap < 2U * (unsigned)hc->n *
	    (unsigned)c->cf->window; hc->cap *= 2)
		;
	if ((hc->tab = calloc(hc->cap, sizeof(*hc->tab))) == NULL ||
	    (hc->hp = calloc((size_t)hc->n, sizeof(*hc->hp))) == NULL)
		return -1;
	for (i = 0; i < hc->n; i++) {
		hc->hp[i].hc = hc;
		hc->hp[i].idx = i;
		hc->hp[i].infd = hc->hp[i].outfd = -1;
		hc->hp[i].backoff = 1;
		buf_init(&hc->hp[i].out);
	}
	for (i = 0; i < hc->n; i++)
		if ((hc->hp[i].in = malloc(HELPER_LINE_MAX)) == NULL)
			return -1;
	for (i = 0; i < hc->n; i++)
		spawn(&hc->hp[i]);
	return 0;
}

static int
helper_room(struct connector *c)
{
	struct helperc	*hc = c->priv;
	int		 room;

	if (hc->running == 0)
		return 1;	/* submit() says "no helper running" */
	room = hc->running * c->cf->window - (int)hc->nq;
	return room > 0 ? room : 0;
}

static struct hproc *
least_busy(struct helperc *hc)
{
	struct hproc	*best = NULL;
	int		 i;

	for (i = 0; i < hc->n; i++)
		if (hc->hp[i].outfd != -1 && hc->hp[i].infd != -1 &&
		    (best == NULL || hc->hp[i].nout < best->nout))
			best = &hc->hp[i];
	return best;
}

static void
helper_submit(struct connector *c, struct item *it)
{
	struct helperc	*hc = c->priv;
	struct hproc	*hp;
	struct hmsg	*hm, **pp;

	if ((hp = least_busy(hc)) == NULL || *(pp = slot(hc,
	    it->msg.meta.id)) != NULL || (hm = calloc(1, sizeof(*hm))) ==
	    NULL || conn_helper_line_msg(&hp->out, &it->msg) == -1) {
		smppconn_outcome(it, &(struct outcome){ .kind = OC_TRANSIENT,
		    .delay = 1, .why = hp == NULL ? "no helper running" :
		    "helper: cannot hand it on" });
		return;
	}
	hm->it = it;
	hm->hp = hp;
	hm->deadline = smppconn_ctx.now + (int64_t)c->cf->timeout * 1000000;
	*pp = hm;
	it->priv = hm;
	TAILQ_INSERT_TAIL(&hc->q, hm, link);
	hc->nq++;
	hp->nout++;
}

static void
helper_poll(struct connector *c)
{
	struct helperc	*hc = c->priv;
	int		 i;

	for (i = 0; i < hc->n; i++) {
		/* The turn's lines, in one write before the loop waits. */
		flush_out(&hc->hp[i]);
		if (hc->hp[i].outfd != -1)
			smppconn_ctx_poll_add(hc->hp[i].outfd, POLLIN, read_in,
			    &hc->hp[i]);
		if (hc->hp[i].infd != -1 && hc->hp[i].outoff <
		    hc->hp[i].out.len)
			smppconn_ctx_poll_add(hc->hp[i].infd, POLLOUT,
			    write_ready, &hc->hp[i]);
	}
}

static int64_t
helper_timer(struct connector *c, int64_t now)
{
	struct helperc	*hc = c->priv;
	struct hmsg	*hm;
	int64_t		 next = CONN_NEVER;
	char		 why[RECORD_ERROR_MAX];
	int		 i;

	for (i = 0; i < hc->n; i++) {
		if (!c->stopping && hc->hp[i].pid == 0 &&
		    hc->hp[i].outfd == -1 && hc->hp[i].next_start <= now)
			spawn(&hc->hp[i]);
		if (hc->hp[i].pid == 0 && hc->hp[i].next_start < next)
			next = hc->hp[i].next_start;
	}
	snprintf(why, sizeof(why), "helper: no answer in %ds",
	    c->cf->timeout);
	while ((hm = TAILQ_FIRST(&hc->q)) != NULL && hm->deadline <= now)
		smppconn_outcome(take(hc, hm), &(struct outcome){
		    .kind = OC_TRANSIENT, .why = why });
	if (hm != NULL && hm->deadline < next)
		next = hm->deadline;
	return next;
}

static int
helper_idle(struct connector *c)
{
	return ((struct helperc *)c->priv)->nq == 0;
}

static void
helper_stop(struct connector *c)
{
	c->stopping = 1;
}

/* After the commit: the map entries of final receipts go. */
static void
helper_committed(struct connector *c)
{
	struct helperc	*hc = c->priv;
	struct hdel	*h;

	while ((h = TAILQ_FIRST(&hc->dels)) != NULL) {
		TAILQ_REMOVE(&hc->dels, h, link);
		if ((h->dep == NULL || !*h->dep) && smppconn_ctx_idmap() != NULL)
			(void)idmap_del(smppconn_ctx_idmap(), h->key);
		free(h);
	}
}

/* Stop a helper: EOF on its input, SIGTERM, SIGKILL after a second. */
static void
proc_end(struct hproc *hp)
{
	int	 i;

	if (hp->infd != -1)
		close(hp->infd);
	hp->infd = -1;
	if (hp->pid <= 0)
		return;
	kill(hp->pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(hp->pid, NULL, WNOHANG) == hp->pid)
			return;
		usleep(10000);
	}
	kill(-hp->pid, SIGKILL);
	kill(hp->pid, SIGKILL);
	(void)waitpid(hp->pid, NULL, 0);
}

static void
helper_release(struct connector *c)
{
	struct helperc	*hc = c->priv;
	struct hmsg	*hm;
	struct hdel	*h;
	int		 i;

	while ((hm = TAILQ_FIRST(&hc->q)) != NULL)
		smppconn_outcome(take(hc, hm), &(struct outcome){
		    .kind = OC_ABANDON });
	while ((h = TAILQ_FIRST(&hc->dels)) != NULL) {
		TAILQ_REMOVE(&hc->dels, h, link);
		free(h);
	}
	for (i = 0; hc->hp != NULL && i < hc->n; i++) {
		proc_end(&hc->hp[i]);
		if (hc->hp[i].outfd != -1)
			close(hc->hp[i].outfd);
		buf_free(&hc->hp[i].out);
		free(hc->hp[i].in);
	}
	LIST_REMOVE(hc, link);
	free(hc->hp);
	free(hc->tab);
	free(hc);
	c->priv = NULL;
}

static void
helper_report(struct connector *c, struct conn_report *r)
{
	struct helperc	*hc = c->priv;

	r->up = hc->running > 0;
	r->sessions = hc->running;
	r->configured = hc->n;
	r->inflight = (int)hc->nq;
}

/* SIGCHLD: a helper of ours exited; 0 when the pid is none of them. */
int
conn_helper_reaped(pid_t pid, int status)
{
	struct helperc	*hc;
	int		 i;

	LIST_FOREACH(hc, &helpers, link)
		for (i = 0; i < hc->n; i++) {
			if (hc->hp[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))
				log_info("connector %s: helper %d killed by "
				    "signal %d", hc->c->name, i,
				    WTERMSIG(status));
			else
				log_info("connector %s: helper %d exited "
				    "with %d", hc->c->name, i,
				    WEXITSTATUS(status));
			proc_down(&hc->hp[i], "it exited");
			hc->hp[i].pid = 0;
			return 1;
		}
	return 0;
}

const struct conn_ops conn_helper_ops = {
	.start = helper_start,
	.room = helper_room,
	.submit = helper_submit,
	.poll = helper_poll,
	.timer = helper_timer,
	.idle = helper_idle,
	.stop = helper_stop,
	.committed = helper_committed,
	.release = helper_release,
	.report = helper_report,
};
