/*
 * session_bind.c - bind_transmitter, bind_receiver, bind_transceiver:
 * authentication against the user database and the checks after it
 *
 * SYNOPSIS
 *	session_bind(s, buf, len, hdr)
 *	session_unbound(s)
 *
 * DESCRIPTION
 *	The order and the answers are Jasmin's, since clients depend on
 *	them: a second bind on a bound session is ESME_RALYBND; an unknown
 *	user, a disabled account and a wrong password are all
 *	ESME_RINVPASWD, so that accounts cannot be probed (a password hash
 *	is computed in every case, so that the time taken tells nothing
 *	either); a client address outside the account's networks, a bind
 *	type the account may not use and max_bindings reached are
 *	ESME_RBINDFAIL.  A failed bind leaves the connection open for
 *	another try, up to max_bind_failures wrong passwords; each counts
 *	against the client's address too, and an address penalized for
 *	them (anvil.c) gets ESME_RINVPASWD at once, before any hash.  An
 *	unknown user is checked against a decoy hash the master made
 *	before it forked, an empty password is hashed all the same: one
 *	hash for every failure.  bind_resp carries the server's id and
 *	sc_interface_version 0x34.  Every success and failure is logged
 *	with the peer, system_id, bind type and reason, never the password.
 */
#include "config.h"

#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "anvil.h"
#include "compat.h"
#include "log.h"
#include "sb.h"
#include "session.h"
#include "timer.h"

static const struct {
	uint32_t		 cmd;
	const char		*name;		/* registry and logs */
	int			 mask;		/* BIND_* */
	enum session_state	 state;
	enum sb_state		 sb;
	enum sb_counter		 counter;
} binds[] = {
	{ SMPP_BIND_TRANSMITTER, "tx", BIND_TX, SS_BOUND_TX, SB_BOUND_TX,
	    SB_BIND_TX },
	{ SMPP_BIND_RECEIVER, "rx", BIND_RX, SS_BOUND_RX, SB_BOUND_RX,
	    SB_BIND_RX },
	{ SMPP_BIND_TRANSCEIVER, "trx", BIND_TRX, SS_BOUND_TRX, SB_BOUND_TRX,
	    SB_BIND_TRX },
};

static int
compile(regex_t *re, const char *pattern, int *have)
{
	char	 err[128];

	*have = 0;
	if (pattern[0] == '\0')
		return 0;
	if (account_pattern_compile(re, pattern, err, sizeof(err)) == -1) {
		log_warnx("pattern %s: %s", pattern, err);
		return -1;
	}
	*have = 1;
	return 0;
}

/* Why a bind failed, for the log and the scoreboard. */
struct refusal {
	const char		*why;
	enum sb_counter		 counter;	/* SB_BIND_FAIL_* */
	int			 known;		/* it exists */
};

static uint32_t
refuse(struct refusal *r, const char *why, enum sb_counter c, uint32_t status)
{
	r->why = why;
	r->counter = c;
	return status;
}

/* Check the password; 0 or ESME_RINVPASWD (or RBINDFAIL on db trouble). */
static uint32_t
authenticate(struct session *s, const char *system_id, const char *password,
    struct refusal *r)
{
	int	 rc;

	rc = userdb_get(s->conf->userdb.path, system_id, &s->acct);
	if (rc == USERDB_NOTFOUND) {
		account_check_decoy(password);
		return refuse(r, "unknown user", SB_BIND_FAIL_UNKNOWN,
		    ESME_RINVPASWD);
	}
	if (rc != USERDB_OK) {
		log_errorx("user database %s: %s", s->conf->userdb.path,
		    userdb_error());
		return refuse(r, rc == USERDB_LOCKED ? "user database locked" :
		    "user database error", SB_BIND_FAIL_OTHER, ESME_RBINDFAIL);
	}
	r->known = 1;
	if (!account_check_password(&s->acct, password))
		return refuse(r, "wrong password", SB_BIND_FAIL_PASSWORD,
		    ESME_RINVPASWD);
	if (!s->acct.enabled)
		return refuse(r, "account disabled", SB_BIND_FAIL_DISABLED,
		    ESME_RINVPASWD);
	return ESME_ROK;
}

/* The account's rights, after the password. */
static uint32_t
authorize(struct session *s, int b, struct refusal *r)
{
	char	 ledger[CONF_PATH_MAX];
	int	 rc;

	if (!account_network_allowed(&s->acct, (struct sockaddr *)&s->peer))
		return refuse(r, "client address not in the account's "
		    "networks", SB_BIND_FAIL_NETWORK, ESME_RBINDFAIL);
	if ((s->acct.binds & binds[b].mask) == 0)
		return refuse(r, "bind type not allowed for the account",
		    SB_BIND_FAIL_TYPE, ESME_RBINDFAIL);
	if (compile(&s->src_re, s->acct.src_pattern, &s->have_src_re) == -1 ||
	    compile(&s->dst_re, s->acct.dst_pattern, &s->have_dst_re) == -1)
		return refuse(r, "bad address pattern in the account",
		    SB_BIND_FAIL_OTHER, ESME_RBINDFAIL);
	if (binds[b].mask != BIND_RX && ledger_open(&s->ledger,
	    conf_ledger_path(s->conf, ledger, sizeof(ledger)), O_RDWR) == -1) {
		log_warnx("ledger: %s", ledger_error());
		return refuse(r, "ledger unavailable", SB_BIND_FAIL_OTHER,
		    ESME_RBINDFAIL);
	}
	rc = spool_session_add(s->conf->spool.dir, s->acct.system_id,
	    getpid(), binds[b].name, s->acct.max_bindings);
	if (rc == 1)
		return refuse(r, "max_bindings reached", SB_BIND_FAIL_MAX,
		    ESME_RBINDFAIL);
	if (rc != 0) {
		log_warn("session registry of %s", s->acct.system_id);
		return refuse(r, "session registry unavailable",
		    SB_BIND_FAIL_OTHER, ESME_RBINDFAIL);
	}
	s->registered = 1;
	return ESME_ROK;
}

/*
 * The scoreboard slot of the account just named.  A connection is
 * counted as the account's (connect, and later disconnect) on the first
 * bind that names an existing account, whether it succeeds or not.
 */
static int
account_slot(struct session *s)
{
	int	 a = sb_account_slot(s->acct.system_id);

	if (s->sb_conn_acct == -1 && a != -1) {
		s->sb_conn_acct = a;
		sb_count_account(a, SB_CONNECT);
	}
	return a;
}

/* A refused bind: the server's counters, and the account's if it exists. */
static void
count_refusal(struct session *s, int b, const struct refusal *r)
{
	int	 a = r->known ? account_slot(s) : -1;

	sb_count(a, binds[b].counter);
	sb_count(a, SB_BIND_FAIL);
	sb_count(a, r->counter);
}

/* Undo what a failed or finished bind set up. */
void
session_unbound(struct session *s)
{
	if (s->registered) {
		spool_session_del(s->conf->spool.dir, s->acct.system_id,
		    getpid());
		s->registered = 0;
	}
	if (s->ledger.fd != -1)
		ledger_close(&s->ledger);
	session_bill_close(s);
	s->ledger.fd = -1;
	if (s->have_src_re)
		regfree(&s->src_re);
	if (s->have_dst_re)
		regfree(&s->dst_re);
	s->have_src_re = s->have_dst_re = 0;
}

static void
bound(struct session *s, int b)
{
	s->state = binds[b].state;
	s->bindname = binds[b].name;
	s->sb_acct = account_slot(s);
	sb_child_set(s->sb_slot, binds[b].sb, s->sb_acct, s->peerstr);
	sb_count(s->sb_acct, binds[b].counter);
	sb_activity(s->sb_acct);
	log_prefix("%s %s", s->peerstr, s->acct.system_id);
	timer_clear(TIMER_SESSION_INIT);
	if (s->conf->server.enquire_link_timer > 0)
		timer_after(TIMER_ENQUIRE_LINK,
		    (int64_t)s->conf->server.enquire_link_timer * 1000000);
	if (b != 0)
		session_deliver_start(s);
}

/* authenticate(), with the hashes it cost counted for smppq stats. */
static uint32_t
authenticated(struct session *s, const char *system_id,
    const char *password, struct refusal *r)
{
	unsigned long	 before = account_hash_count(), n;
	uint32_t	 status;

	status = authenticate(s, system_id, password, r);
	for (n = account_hash_count() - before; n > 0; n--)
		sb_count(-1, SB_PASSWORD_HASH);
	return status;
}

/*
 * A failed bind.  A wrong password counts against the address (anvil.c)
 * and the connection: after max_bind_failures the answer is the last
 * thing the connection gets.
 */
static void
refused(struct session *s, int b, const struct pdu_hdr *h, uint32_t status,
    const struct refusal *r, const char *id)
{
	count_refusal(s, b, r);
	log_info("bind_%s as \"%s\" refused: %s (%s)", binds[b].name, id,
	    r->why, pdu_status_name(status));
	session_unbound(s);
	session_hold(s, h->command_id | SMPP_RESP_BIT, h->sequence_number,
	    status, 0, NULL);
	if (status != ESME_RINVPASWD)
		return;
	anvil_bind_failed(sb_anvil(), s->conf, (struct sockaddr *)&s->peer);
	if (++s->bind_failures >= s->conf->server.max_bind_failures)
		session_close(s, "too many failed binds");
}

void
session_bind(struct session *s, const uint8_t *buf, size_t len,
    const struct pdu_hdr *h)
{
	struct pdu	 p;
	char		 id[2 * PDU_SYSTEM_ID_MAX];
	struct refusal	 r = { "malformed PDU", SB_BIND_FAIL_OTHER, 0 };
	uint32_t	 status, resp = h->command_id | SMPP_RESP_BIT;
	int		 b;

	for (b = 0; binds[b].cmd != h->command_id; b++)
		;
	if (s->state != SS_OPEN) {
		log_info("bind_%s refused: %s", binds[b].name,
		    s->state == SS_CLOSING ? "unbinding" : "already bound");
		session_hold(s, resp, h->sequence_number, s->state ==
		    SS_CLOSING ? ESME_RINVBNDSTS : ESME_RALYBND, 0, NULL);
		return;
	}
	status = pdu_decode(buf, len, &p);
	log_sanitize(id, sizeof(id), p.system_id ? p.system_id : "",
	    p.system_id ? strlen(p.system_id) : 0);
	if (status == ESME_ROK && anvil_penalty(sb_anvil(), s->conf,
	    (struct sockaddr *)&s->peer) > 0)
		/* Before any hash: a penalized guesser costs nothing. */
		status = refuse(&r, "address penalized for failed binds",
		    SB_BIND_FAIL_OTHER, ESME_RINVPASWD);
	else if (status == ESME_ROK)
		status = authenticated(s, p.system_id, p.password, &r);
	if (status == ESME_ROK)
		status = authorize(s, b, &r);
	pdu_free(&p);
	if (status != ESME_ROK) {
		refused(s, b, h, status, &r, id);
		return;
	}
	log_info("bound as %s (%s)", binds[b].name, id);
	session_hold(s, resp, h->sequence_number, ESME_ROK, 0, NULL);
	bound(s, b);
}
