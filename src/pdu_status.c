/*
 * pdu_status.c - names and meanings of SMPP v3.4 command_status values
 * and message states
 *
 * SYNOPSIS
 *	pdu_status_name(status)		pdu_status_text(status)
 *	pdu_status_parse(s, &status)	pdu_status_table(&n)
 *	pdu_message_state_name(state)	pdu_message_state_stat(state)
 *	pdu_parse_uint(s, max, &v)	(pdu_local.h)
 *
 * DESCRIPTION
 *	Every command_status of v3.4 section 5.1.3 with its v3.4 name and
 *	a short meaning of our own, for logs, tools and man pages.
 *	pdu_status_parse() accepts a name with or without "ESME_" (any
 *	case) or a number in C notation ("0x58", "88").
 *
 *	message_state (section 5.2.28) names, and the stat words of the
 *	Appendix B receipt text for the same states.
 *
 * DIAGNOSTICS
 *	Names of unknown values are "unknown"; pdu_status_parse() returns -1
 *	for what it cannot read.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pdu.h"
#include "pdu_local.h"

#define S(x, text)	{ x, #x, text }

static const struct pdu_status_info statuses[] = {
	S(ESME_ROK, "no error"),
	S(ESME_RINVMSGLEN, "message length is invalid"),
	S(ESME_RINVCMDLEN, "command length is invalid"),
	S(ESME_RINVCMDID, "invalid command ID"),
	S(ESME_RINVBNDSTS, "command not allowed in this bind state"),
	S(ESME_RALYBND, "already bound"),
	S(ESME_RINVPRTFLG, "invalid priority flag"),
	S(ESME_RINVREGDLVFLG, "invalid registered delivery flag"),
	S(ESME_RSYSERR, "system error"),
	S(ESME_RINVSRCADR, "invalid source address"),
	S(ESME_RINVDSTADR, "invalid destination address"),
	S(ESME_RINVMSGID, "invalid message ID"),
	S(ESME_RBINDFAIL, "bind failed"),
	S(ESME_RINVPASWD, "invalid password"),
	S(ESME_RINVSYSID, "invalid system ID"),
	S(ESME_RCANCELFAIL, "cancel_sm failed"),
	S(ESME_RREPLACEFAIL, "replace_sm failed"),
	S(ESME_RMSGQFUL, "message queue full"),
	S(ESME_RINVSERTYP, "invalid service type"),
	S(ESME_RINVNUMDESTS, "invalid number of destinations"),
	S(ESME_RINVDLNAME, "invalid distribution list name"),
	S(ESME_RINVDESTFLAG, "invalid destination flag"),
	S(ESME_RINVSUBREP, "invalid submit with replace request"),
	S(ESME_RINVESMCLASS, "invalid esm_class"),
	S(ESME_RCNTSUBDL, "cannot submit to a distribution list"),
	S(ESME_RSUBMITFAIL, "submit failed"),
	S(ESME_RINVSRCTON, "invalid source address TON"),
	S(ESME_RINVSRCNPI, "invalid source address NPI"),
	S(ESME_RINVDSTTON, "invalid destination address TON"),
	S(ESME_RINVDSTNPI, "invalid destination address NPI"),
	S(ESME_RINVSYSTYP, "invalid system type"),
	S(ESME_RINVREPFLAG, "invalid replace_if_present flag"),
	S(ESME_RINVNUMMSGS, "invalid number of messages"),
	S(ESME_RTHROTTLED, "throttled: too many messages per second"),
	S(ESME_RINVSCHED, "invalid scheduled delivery time"),
	S(ESME_RINVEXPIRY, "invalid validity period"),
	S(ESME_RINVDFTMSGID, "predefined message invalid or not found"),
	S(ESME_RX_T_APPN, "ESME receiver temporary error"),
	S(ESME_RX_P_APPN, "ESME receiver permanent error"),
	S(ESME_RX_R_APPN, "ESME receiver rejects the message"),
	S(ESME_RQUERYFAIL, "query_sm failed"),
	S(ESME_RINVOPTPARSTREAM, "error in the optional parameters"),
	S(ESME_ROPTPARNOTALLWD, "optional parameter not allowed"),
	S(ESME_RINVPARLEN, "invalid parameter length"),
	S(ESME_RMISSINGOPTPARAM, "expected optional parameter missing"),
	S(ESME_RINVOPTPARAMVAL, "invalid optional parameter value"),
	S(ESME_RDELIVERYFAILURE, "delivery failure"),
	S(ESME_RUNKNOWNERR, "unknown error")
};

#define NSTATUS	(sizeof(statuses) / sizeof(statuses[0]))

/* message_state 1..8: name and the receipt's stat word. */
static const char *const state_names[] = {
	NULL, "ENROUTE", "DELIVERED", "EXPIRED", "DELETED",
	"UNDELIVERABLE", "ACCEPTED", "UNKNOWN", "REJECTED"
};
static const char *const state_stats[] = {
	NULL, "ENROUTE", "DELIVRD", "EXPIRED", "DELETED",
	"UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD"
};

#define NSTATES	(sizeof(state_names) / sizeof(state_names[0]))

static int
status_cmp(const void *key, const void *elem)
{
	uint32_t	 a = *(const uint32_t *)key;
	uint32_t	 b = ((const struct pdu_status_info *)elem)->status;

	return a < b ? -1 : a > b;
}

static const struct pdu_status_info *
status_find(uint32_t status)
{
	return bsearch(&status, statuses, NSTATUS, sizeof(statuses[0]),
	    status_cmp);
}

const char *
pdu_status_name(uint32_t status)
{
	const struct pdu_status_info	*si;

	return (si = status_find(status)) == NULL ? "unknown" : si->name;
}

const char *
pdu_status_text(uint32_t status)
{
	const struct pdu_status_info	*si;

	if ((si = status_find(status)) != NULL)
		return si->text;
	if (status >= 0x400 && status <= 0x4FF)
		return "SMSC vendor-specific error";
	return "reserved status";
}

const struct pdu_status_info *
pdu_status_table(size_t *n)
{
	*n = NSTATUS;
	return statuses;
}

int
pdu_status_parse(const char *s, uint32_t *status)
{
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i < NSTATUS; i++)
		if (strcasecmp(s, statuses[i].name) == 0 ||
		    strcasecmp(s, statuses[i].name + 5) == 0) {
			*status = statuses[i].status;
			return 0;
		}
	if (pdu_parse_uint(s, 0xFFFFFFFFUL, &v) == -1)
		return -1;
	*status = (uint32_t)v;
	return 0;
}

/* A number in C notation (decimal, 0x hex, 0 octal) up to max. */
int
pdu_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || *v > max)
		return -1;
	return 0;
}

const char *
pdu_message_state_name(uint8_t state)
{
	if (state == 0 || state >= NSTATES)
		return "unknown";
	return state_names[state];
}

const char *
pdu_message_state_stat(uint8_t state)
{
	if (state == 0 || state >= NSTATES)
		return "UNKNOWN";
	return state_stats[state];
}
