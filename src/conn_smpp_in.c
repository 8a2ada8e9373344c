/*
 * conn_smpp_in.c - what an upstream SMSC sends the smpp connector:
 * receipts, rewritten for the account, and MO
 *
 * SYNOPSIS
 *	conn_smpp_incoming(sess, pdu)	conn_smpp_answer(sess, cmd, status, seq)
 *	conn_smpp_held_flush(pc)		conn_smpp_parked_timer(pc, now)
 *	conn_smpp_in_free(pc)
 *
 * DESCRIPTION
 *	A deliver_sm or data_sm is a receipt when its esm_class says so
 *	(message type 0x04, SMSC delivery receipt, or 0x20, intermediate
 *	notification), when it carries receipted_message_id, or when its
 *	text parses as an Appendix B receipt; any other is an MO, routed
 *	by [mo-routes] (smppconn_mo.c).
 *
 *	A receipt names the upstream's message_id, in receipted_message_id
 *	or in the "id:" of its text; the id map finds ours by it, however
 *	the upstream spells it (hex or decimal, leading zeros, case).  The
 *	receipt for the account is built anew (receipt.c) from what
 *	the map kept of the original -- our id, addresses swapped, the
 *	submit date, the start of the text -- and the upstream's stat and
 *	err (its message_state when the text has no stat), done date its
 *	own or now.  It is queued only when the original's
 *	registered_delivery asks for it.  A final state removes the map
 *	entry, once the receipt is committed.  Parts of a split message:
 *	one receipt for the message, when the last part is delivered, or
 *	at the first part that failed.
 *
 *	A receipt whose id is not in the map may have overtaken the
 *	submit_sm_resp on another bind: it is looked up again each turn
 *	for PARK_US; then, in a cluster, it goes to the next node
 *	(smppconn_peer.c), else it is logged and acknowledged.
 *	smppconn_outcome_receipt() builds and queues the account's receipt
 *	from a map entry, for a receipt found here or forwarded by a peer.
 *
 *	The upstream gets its deliver_sm_resp (or data_sm_resp) only
 *	after the receipt or MO is durable in the spool: the answers are
 *	held until the group commit (conn_smpp_held_flush()), and say
 *	ESME_RX_T_APPN, for the upstream to try again, when the commit
 *	failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "conn_smpp.h"
#include "dlr.h"
#include "idmap.h"
#include "log.h"

#define PARK_US		(2 * 1000000LL)	/* an unknown id waits */
#define PARK_MAX	10000

void
conn_smpp_answer(struct sess *s, uint32_t cmd, uint32_t status, uint32_t seq)
{
	if (s->e.fd == -1)
		return;
	if (esme_queue_resp(&s->e, cmd, status, seq) == -1)
		log_warnx("connector %s: cannot answer seq %u",
		    s->owner->c->name, seq);
}

/* Answer after the commit; dep NULL: regardless of it. */
static void
hold(struct sess *s, const struct pdu *p, int *dep, uint32_t status,
    const char *delkey)
{
	struct held	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT, ESME_RX_T_APPN,
		    p->sequence_number);
		return;
	}
	h->s = s;
	h->gen = s->gen;
	h->cmd = p->command_id | SMPP_RESP_BIT;
	h->seq = p->sequence_number;
	h->dep = dep;
	h->status = status;
	if (delkey != NULL)
		strlcpy(h->delkey, delkey, sizeof(h->delkey));
	TAILQ_INSERT_TAIL(&s->owner->held, h, link);
}

/* The text of a deliver_sm: short_message, or message_payload. */
static size_t
text_of(const struct pdu *p, char *buf, size_t cap)
{
	const uint8_t	*s;
	size_t		 n;

	s = pdu_content(p, &n, NULL);
	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

/*
 * Is it a receipt; what it says: id, stat, err, done date.  With both a
 * receipted_message_id and an id in the text, the text's goes to alt.
 */
static int
as_receipt(const struct pdu *p, struct dlr *d, char *alt, size_t altlen)
{
	char		 text[512], rid[PDU_MESSAGE_ID_MAX];
	size_t		 n = text_of(p, text, sizeof(text));
	uint8_t		 type = p->esm_class & ESM_TYPE_MASK;
	uint32_t	 state;
	int		 parsed, tlv;

	parsed = dlr_parse(text, n, d) == 0;
	tlv = pdu_tlv_str(p, TLV_RECEIPTED_MESSAGE_ID, rid, sizeof(rid)) > 0;
	if (!parsed && !tlv && type != ESM_TYPE_RECEIPT &&
	    type != ESM_TYPE_INTERMEDIATE)
		return 0;
	if (!parsed) {
		memset(d, 0, sizeof(*d));
		d->err = -1;
	}
	alt[0] = '\0';
	if (tlv) {
		if (strcmp(d->id, rid) != 0)
			strlcpy(alt, d->id, altlen);
		strlcpy(d->id, rid, sizeof(d->id));
	}
	if (pdu_tlv_uint(p, TLV_MESSAGE_STATE, &state) == 0 &&
	    (d->stat[0] == '\0' || dlr_stat_state(d->stat) == -1))
		strlcpy(d->stat, dlr_state_stat((int)state), sizeof(d->stat));
	if (d->stat[0] == '\0')
		strlcpy(d->stat, type == ESM_TYPE_INTERMEDIATE ? "ENROUTE" :
		    "UNKNOWN", sizeof(d->stat));
	if (d->err < 0)
		d->err = 0;
	return 1;
}

/* Look the receipt up by its id, else alt; 0 handled, 1 not in the map. */
static int
receipt(struct sess *s, const struct pdu *p, const struct dlr *d,
    const char *alt)
{
	struct idmap_entry	 e;
	char			 key[PDU_MESSAGE_ID_MAX];
	int			*dep, final, err;
	struct idmap		*m = smppconn_ctx_idmap();

	if (m == NULL || (idmap_get(m, d->id, &e, key, sizeof(key)) != 0 &&
	    (alt[0] == '\0' || idmap_get(m, alt, &e, key, sizeof(key)) != 0)))
		return 1;
	dep = smppconn_outcome_receipt(s->owner->c->name, &e, key, d, &final,
	    &err);
	if (err)
		conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT, ESME_RX_T_APPN,
		    p->sequence_number);
	else
		hold(s, p, dep, ESME_ROK, final ? key : NULL);
	return 0;
}

static void
park(struct sess *s, const struct pdu *p, const struct dlr *d,
    const char *alt)
{
	struct smppc	*pc = s->owner;
	struct parked	*k;

	if (pc->nparked >= PARK_MAX || (k = calloc(1, sizeof(*k))) == NULL) {
		conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT, ESME_RX_T_APPN,
		    p->sequence_number);
		return;
	}
	k->s = s;
	k->gen = s->gen;
	k->cmd = p->command_id;
	k->seq = p->sequence_number;
	k->until = smppconn_ctx.now + PARK_US;
	strlcpy(k->id, d->id, sizeof(k->id));
	strlcpy(k->alt, alt, sizeof(k->alt));
	strlcpy(k->stat, d->stat, sizeof(k->stat));
	k->err = d->err;
	k->done = d->done_date;
	TAILQ_INSERT_TAIL(&pc->parked, k, link);
	pc->nparked++;
}

void
conn_smpp_incoming(struct sess *s, const struct pdu *p)
{
	struct dlr	 d;
	char		 alt[PDU_MESSAGE_ID_MAX];
	int		*dep = NULL;

	if (as_receipt(p, &d, alt, sizeof(alt))) {
		if (d.id[0] == '\0') {
			log_warnx("connector %s: receipt without an id: "
			    "acknowledged and dropped", s->owner->c->name);
			conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT, ESME_ROK,
			    p->sequence_number);
		} else if (receipt(s, p, &d, alt) == 1)
			park(s, p, &d, alt);
		return;
	}
	if (smppconn_mo_queue(p, s->owner->c->name, &dep) == -1)
		conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT, ESME_RX_T_APPN,
		    p->sequence_number);
	else
		hold(s, p, dep, ESME_ROK, NULL);
}

/* Receipts parked earlier: found now, or given up at their time. */
int64_t
conn_smpp_parked_timer(struct smppc *pc, int64_t now)
{
	struct parked	*k, *next;
	struct pdu	 p;
	struct dlr	 d;
	char		 id[2 * PDU_MESSAGE_ID_MAX];
	int64_t		 t = CONN_NEVER;
	int		*dep, rc;

	for (k = TAILQ_FIRST(&pc->parked); k != NULL; k = next) {
		next = TAILQ_NEXT(k, link);
		memset(&d, 0, sizeof(d));
		strlcpy(d.id, k->id, sizeof(d.id));
		strlcpy(d.stat, k->stat, sizeof(d.stat));
		d.err = k->err;
		d.done_date = k->done;
		pdu_init(&p, k->cmd, k->seq);
		if (k->gen == k->s->gen && receipt(k->s, &p, &d, k->alt) == 1 &&
		    now < k->until) {
			if (k->until < t)
				t = k->until;
			continue;
		}
		if (now >= k->until && k->gen == k->s->gen &&
		    (rc = smppconn_peer_receipt(&d, k->alt, &dep)) != 1)
			hold(k->s, &p, rc == 0 ? dep : NULL, rc == 0 ?
			    ESME_ROK : ESME_RX_T_APPN, NULL);	/* to a peer */
		else if (now >= k->until && k->gen == k->s->gen) {
			log_sanitize(id, sizeof(id), k->id, strlen(k->id));
			log_warnx("connector %s: receipt for unknown id %s "
			    "(%s): acknowledged and dropped", pc->c->name, id,
			    k->stat);
			conn_smpp_answer(k->s, k->cmd | SMPP_RESP_BIT, ESME_ROK,
			    k->seq);
		}
		TAILQ_REMOVE(&pc->parked, k, link);
		pc->nparked--;
		free(k);
	}
	return t;
}

/* After the group commit: answer the upstream, forget final entries. */
void
conn_smpp_held_flush(struct smppc *pc)
{
	struct held	*h;
	uint32_t	 status;

	while ((h = TAILQ_FIRST(&pc->held)) != NULL) {
		TAILQ_REMOVE(&pc->held, h, link);
		status = h->dep != NULL && *h->dep ? ESME_RX_T_APPN :
		    h->status;
		if (h->gen == h->s->gen && h->s->state != SS_DOWN)
			conn_smpp_answer(h->s, h->cmd, status, h->seq);
		if (status == ESME_ROK && h->delkey[0] != '\0' &&
		    smppconn_ctx_idmap() != NULL)
			(void)idmap_del(smppconn_ctx_idmap(), h->delkey);
		free(h);
	}
}

void
conn_smpp_in_free(struct smppc *pc)
{
	struct held	*h;
	struct parked	*k;

	while ((h = TAILQ_FIRST(&pc->held)) != NULL) {
		TAILQ_REMOVE(&pc->held, h, link);
		free(h);
	}
	while ((k = TAILQ_FIRST(&pc->parked)) != NULL) {
		TAILQ_REMOVE(&pc->parked, k, link);
		free(k);
	}
	pc->nparked = 0;
}
