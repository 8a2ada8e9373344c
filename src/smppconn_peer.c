/*
 * smppconn_peer.c - smppconn in a cluster: receipts no id map here knows
 * and MO for accounts homed elsewhere go to the node that can deliver
 * them
 *
 * SYNOPSIS
 *	smppconn_peer_receipt(dlr, alt, &dep)
 *	smppconn_peer_out(account, meta, pdu, &dep)
 *	smppconn_peer_route(item)
 *
 * DESCRIPTION
 *	An upstream may send a receipt on any of its binds, so a receipt
 *	can reach a node that did not submit the message.  Once the smpp
 *	connector has given up looking for it in the id map,
 *	smppconn_peer_receipt() queues it for the next node of the ring
 *	(cluster.c) and returns 0; 1 when there are no peers (the caller
 *	drops it as before), -1 when it could not be queued.
 *
 *	smppconn_peer_out() is smppconn_out_add() for an MO or a receipt
 *	of an account: when the account map ([smppconn] homes) places the
 *	account on a peer, the message is queued for that peer instead,
 *	so that it reaches the binds the balancer sends there (an MO an
 *	upstream sent to this node, the receipt of a message this node
 *	submitted before the account moved).  0, or -1.
 *
 *	Queued means written, as a record of kind dlr or mo whose route
 *	is the connector of the peer, into a retry segment of
 *	mt/deferred/ due now: the caller answers its upstream only after
 *	that segment's commit, and the MT machinery does the rest -- the
 *	record goes to the peer's connector (a pipe connector running
 *	smppq forward on the peer, over ssh or locally), is tried again
 *	with the back-off of [spool] retry_min and retry_max while the
 *	peer cannot take it, and after [smppconn] forward_expiry seconds
 *	ends in mt/failed/ with a log line.  Nothing is forwarded before
 *	it is on disk.  A forwarded receipt is the upstream's receipt
 *	rewritten: its id in receipted_message_id, its other spelling,
 *	stat, err and done date in the Appendix B text.
 *
 *	smppq forward on the peer writes what it is given into that
 *	node's mt/new/ with no route.  smppconn_peer_route() is what the
 *	MT side asks for a record that is not an MT: with a route it is
 *	on its way to a peer (that connector is returned); without one it
 *	arrived here.  An MO, or a receipt already made for its account,
 *	is queued for the account; a receipt from an upstream is looked
 *	up in the id map and, when found, the account's receipt is queued
 *	(smppconn_outcome_receipt()); both are then settled and NULL is
 *	returned.  A receipt not found goes on to the next node
 *	of the ring, and when the next node is the one it started from,
 *	no node knows it: it fails, into mt/failed/, with a log line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "compat.h"
#include "cluster.h"
#include "conn_smpp.h"
#include "dlr.h"
#include "idmap.h"
#include "log.h"
#include "msgid.h"

/* Done here: a record that was only passed on is settled. */
static void
delivered(struct item *it)
{
	struct outcome	 o = { .kind = OC_DELIVERED };

	smppconn_outcome(it, &o);
}

static void
failed(struct item *it, const char *why)
{
	struct outcome	 o = { .kind = OC_PERMANENT, .stat = "UNKNOWN",
			    .why = why };

	smppconn_outcome(it, &o);
}

/* The connector of a record on its way to a peer. */
static const struct conf_connector *
to_peer(struct item *it)
{
	const struct conf_connector	*cf;

	cf = conf_connector(smppconn_ctx.conf, it->msg.meta.route);
	if (cf == NULL)
		smppconn_outcome_wait(it, "peer connector gone");
	return cf;
}

/* Queue a record for the peer reached by connector conn. */
static int
queue(struct msg_meta *m, const struct pdu *p, const char *conn, int **dep)
{
	strlcpy(m->route, conn, sizeof(m->route));
	if (m->expires == 0)
		m->expires = (int64_t)smppconn_ctx.wall +
		    smppconn_ctx.conf->conn.forward_expiry;
	m->next_try = 0;
	m->attempts = 0;
	return smppconn_store_defer(m, p, (int64_t)smppconn_ctx.wall, dep);
}

int
smppconn_peer_receipt(const struct dlr *d, const char *alt, int **dep)
{
	const struct conf_peer	*next;
	struct msg_meta			 m;
	struct pdu			 p;
	struct dlr			 t = *d;
	char				 text[256], id[2 * PDU_MESSAGE_ID_MAX];
	uint8_t				 state;
	int				 n;
	const struct conf		*conf = smppconn_ctx.conf;

	if ((next = cluster_next(conf, conf->server.id)) == NULL)
		return 1;
	log_sanitize(id, sizeof(id), d->id, strlen(d->id));
	memset(&m, 0, sizeof(m));
	if (msgid_next(m.id, sizeof(m.id)) == -1)
		return -1;
	m.kind = MSG_DLR;
	m.created_us = clock_wall_us();
	strlcpy(m.ref, d->id, sizeof(m.ref));
	if (alt[0] != '\0')
		strlcpy(t.id, alt, sizeof(t.id));
	if ((n = dlr_format(text, sizeof(text), &t)) < 0 || n > PDU_SM_MAX)
		return -1;
	state = (uint8_t)(dlr_stat_state(d->stat) == -1 ? MSTATE_UNKNOWN :
	    dlr_stat_state(d->stat));
	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.esm_class = ESM_TYPE_RECEIPT;
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)n;
	if (pdu_tlv_add(&p, TLV_RECEIPTED_MESSAGE_ID,
	    (uint16_t)(strlen(d->id) + 1), d->id) == -1 ||
	    pdu_tlv_add(&p, TLV_MESSAGE_STATE, 1, &state) == -1 ||
	    queue(&m, &p, next->conn, dep) == -1) {
		log_warn("receipt for %s: cannot be queued for %s", id,
		    next->id);
		return -1;
	}
	log_info("receipt for unknown id %s (%s): %s forwards it to %s",
	    id, d->stat, m.id, next->id);
	return 0;
}

int
smppconn_peer_out(const char *account, struct msg_meta *m,
    const struct pdu *p, int **dep)
{
	const struct conf_peer	*home;
	char				 node[CONF_NAME_MAX];
	const struct conf		*conf = smppconn_ctx.conf;

	if (conf->conn.homes[0] == '\0' || cluster_home(conf->conn.homes,
	    account, node, sizeof(node)) != 1 ||
	    strcmp(node, conf->server.id) == 0)
		return smppconn_out_add(account, m, p, dep);
	if ((home = cluster_peer(conf, node)) == NULL) {
		log_warnx("%s for %s: its home %s is not in [smppconn] peers: "
		    "queued here", m->id, account, node);
		return smppconn_out_add(account, m, p, dep);
	}
	strlcpy(m->account, account, sizeof(m->account));
	if (queue(m, p, home->conn, dep) == -1)
		return -1;
	log_info("%s %s for %s: forwarded to its home %s", m->kind == MSG_MO ?
	    "MO" : "receipt", m->id, account, node);
	return 0;
}

/* A receipt arrived from a peer: find it here, 0; 1 not in the map. */
static int
arrived_receipt(struct item *it)
{
	struct msg		*msg = &it->msg;
	struct idmap		*map = smppconn_ctx_idmap();
	struct idmap_entry	 e;
	struct dlr		 d;
	const uint8_t		*text;
	char			 key[PDU_MESSAGE_ID_MAX];
	char			 rid[PDU_MESSAGE_ID_MAX];
	size_t			 n;
	int			*dep, final, err;

	text = pdu_content(&msg->pdu, &n, NULL);
	if (dlr_parse((const char *)text, n, &d) == -1)
		memset(&d, 0, sizeof(d));
	if (pdu_tlv_str(&msg->pdu, TLV_RECEIPTED_MESSAGE_ID, rid,
	    sizeof(rid)) <= 0)
		strlcpy(rid, d.id, sizeof(rid));
	if (map == NULL || (idmap_get(map, rid, &e, key, sizeof(key)) != 0 &&
	    (d.id[0] == '\0' || idmap_get(map, d.id, &e, key,
	    sizeof(key)) != 0)))
		return 1;
	if (d.stat[0] == '\0')
		strlcpy(d.stat, "UNKNOWN", sizeof(d.stat));
	dep = smppconn_outcome_receipt("peer", &e, key, &d, &final, &err);
	if (err) {
		smppconn_outcome_wait(it, "receipt cannot be queued");
		return 0;
	}
	if (dep != NULL)
		it->dep[0] = dep;
	if (final)
		(void)idmap_del(map, key);
	log_info("receipt %s forwarded by a peer: for %s of %s", msg->meta.id,
	    e.of.id, e.of.account);
	delivered(it);
	return 0;
}

/* A receipt no node knows, or one that goes on round the ring. */
static const struct conf_connector *
pass_on(struct item *it)
{
	const struct conf_peer	*next;
	struct msg_meta			*m = &it->msg.meta;
	char				 origin[CONF_NAME_MAX], id[256];

	if (cluster_origin(m->id, origin, sizeof(origin)) == -1 ||
	    (next = cluster_next(smppconn_ctx.conf, origin)) == NULL) {
		log_sanitize(id, sizeof(id), m->ref, strlen(m->ref));
		log_warnx("receipt %s for unknown id %s: no node knows it, "
		    "kept in mt/failed/", m->id, id);
		failed(it, "no node knows the receipt's id");
		return NULL;
	}
	strlcpy(m->route, next->conn, sizeof(m->route));
	log_info("receipt %s not known here: on to %s", m->id, next->id);
	return to_peer(it);
}

const struct conf_connector *
smppconn_peer_route(struct item *it)
{
	struct msg	*m = &it->msg;
	int		*dep;

	if (m->meta.route[0] != '\0')
		return to_peer(it);
	if (m->meta.kind == MSG_DLR && m->meta.account[0] == '\0')
		return arrived_receipt(it) == 0 ? NULL : pass_on(it);
	if (smppconn_out_add(m->meta.account, &m->meta, &m->pdu, &dep) == -1) {
		smppconn_outcome_wait(it, "MO cannot be queued");
		return NULL;
	}
	it->dep[0] = dep;
	log_info("%s %s forwarded by a peer: for %s", m->meta.kind == MSG_MO ?
	    "MO" : "receipt", m->meta.id, m->meta.account);
	delivered(it);
	return NULL;
}
