/*
 * conn_sink.c - the sink connector: accepts every message and answers
 * with a receipt, for tests and demonstrations
 *
 * SYNOPSIS
 *	conn_sink_ops
 *
 * DESCRIPTION
 *	Every message is delivered after [connector] delay: DELIVRD, or
 *	for undeliv_percent of the messages UNDELIV with err
 *	undeliv_err.  The share is exact, not random: each message adds
 *	the permille to a counter, and the one that makes it reach 1000
 *	fails.  A receipt is queued only when the message's
 *	registered_delivery asks for one (smppconn_outcome.c).
 *
 *	With a delay the messages wait in a queue in the order they came,
 *	which is the order they are due in; the record stays unsettled
 *	until then, so a crash in between hands it on again.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>

#include "smppconn.h"
#include "log.h"

struct sink {
	struct itemq	 q;
	unsigned	 n;
	unsigned	 acc;		/* permille counter */
};

static int
sink_start(struct connector *c)
{
	struct sink	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	TAILQ_INIT(&s->q);
	c->priv = s;
	return 0;
}

static int
sink_room(struct connector *c)
{
	struct sink	*s = c->priv;

	if (c->cf->delay_ms == 0)
		return INT_MAX;
	return s->n < CONN_INHAND_MAX ? (int)(CONN_INHAND_MAX - s->n) : 0;
}

static void
sink_done(struct connector *c, struct item *it)
{
	struct sink	*s = c->priv;

	s->acc += (unsigned)c->cf->undeliv_permille;
	if (s->acc >= 1000) {
		s->acc -= 1000;
		smppconn_outcome(it, &(struct outcome){ .kind = OC_PERMANENT,
		    .stat = "UNDELIV", .status = (uint32_t)c->cf->undeliv_err,
		    .why = "sink: undeliverable" });
	} else
		smppconn_outcome(it, &(struct outcome){ .kind = OC_DELIVERED });
}

static void
sink_submit(struct connector *c, struct item *it)
{
	struct sink	*s = c->priv;

	if (c->cf->delay_ms == 0) {
		sink_done(c, it);
		return;
	}
	it->deadline = smppconn_ctx.now + (int64_t)c->cf->delay_ms * 1000;
	TAILQ_INSERT_TAIL(&s->q, it, link);
	s->n++;
}

static int64_t
sink_timer(struct connector *c, int64_t now)
{
	struct sink	*s = c->priv;
	struct item	*it;

	while ((it = TAILQ_FIRST(&s->q)) != NULL && it->deadline <= now) {
		TAILQ_REMOVE(&s->q, it, link);
		s->n--;
		sink_done(c, it);
	}
	return it != NULL ? it->deadline : CONN_NEVER;
}

static int
sink_idle(struct connector *c)
{
	struct sink	*s = c->priv;

	return s->n == 0;
}

static void
sink_release(struct connector *c)
{
	struct sink	*s = c->priv;
	struct item	*it;

	while ((it = TAILQ_FIRST(&s->q)) != NULL) {
		TAILQ_REMOVE(&s->q, it, link);
		smppconn_outcome(it, &(struct outcome){ .kind = OC_ABANDON });
	}
	free(s);
	c->priv = NULL;
}

static void
sink_report(struct connector *c, struct conn_report *r)
{
	struct sink	*s = c->priv;

	r->up = 1;
	r->inflight = (int)s->n;
}

const struct conn_ops conn_sink_ops = {
	.start = sink_start,
	.room = sink_room,
	.submit = sink_submit,
	.timer = sink_timer,
	.idle = sink_idle,
	.release = sink_release,
	.report = sink_report,
};
