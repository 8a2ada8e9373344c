/*
 * pdu_check.c - semantic checks of a decoded SMPP request
 *
 * SYNOPSIS
 *	pdu_check(p)
 *
 * DESCRIPTION
 *	pdu_decode() checks the framing; pdu_check() checks the values the
 *	server must refuse before it acts on submit_sm, submit_multi,
 *	deliver_sm, data_sm and replace_sm: TON (0-6) and NPI (the values
 *	of section 5.2.6) of every address, priority_flag, the two times
 *	(empty or a valid SMPP time, see smpptime.c), the reserved bits and
 *	the reserved receipt value 3 of registered_delivery, and
 *	replace_if_present_flag (submit_sm and submit_multi; it is unused
 *	in deliver_sm).  Fields are checked in wire order, so the first
 *	bad field decides the status.  Other commands always pass.
 *
 * DIAGNOSTICS
 *	ESME_ROK or the status of the first bad field (see pdu.h).
 */
#include "config.h"

#include "pdu.h"
#include "smpptime.h"

#define TON_MAX		6
#define PRIORITY_MAX	3
#define REGDLV_RESERVED	0xE0

static int
npi_valid(uint8_t npi)
{
	switch (npi) {
	case 0: case 1: case 3: case 4: case 6:
	case 8: case 9: case 10: case 14: case 18:
		return 1;
	default:
		return 0;
	}
}

static uint32_t
check_addr(uint8_t ton, uint8_t npi, uint32_t ton_err, uint32_t npi_err)
{
	if (ton > TON_MAX)
		return ton_err;
	if (!npi_valid(npi))
		return npi_err;
	return ESME_ROK;
}

static uint32_t
check_dests(const struct pdu *p)
{
	uint32_t	 st;
	unsigned	 i;

	for (i = 0; i < p->number_of_dests && p->dests != NULL; i++) {
		if (p->dests[i].dest_flag != 1)
			continue;
		st = check_addr(p->dests[i].ton, p->dests[i].npi,
		    ESME_RINVDSTTON, ESME_RINVDSTNPI);
		if (st != ESME_ROK)
			return st;
	}
	return ESME_ROK;
}

static uint32_t
check_times(const struct pdu *p)
{
	if (p->schedule_delivery_time != NULL &&
	    !smpptime_valid(p->schedule_delivery_time))
		return ESME_RINVSCHED;
	if (p->validity_period != NULL && !smpptime_valid(p->validity_period))
		return ESME_RINVEXPIRY;
	return ESME_ROK;
}

static uint32_t
check_regdlv(uint8_t rd)
{
	if ((rd & REGDLV_RESERVED) || (rd & REGDLV_RECEIPT_MASK) == 3)
		return ESME_RINVREGDLVFLG;
	return ESME_ROK;
}

/* submit_sm, deliver_sm and submit_multi share the tail of the body. */
static uint32_t
check_message(const struct pdu *p, int replace)
{
	uint32_t	 st;

	if (p->priority_flag > PRIORITY_MAX)
		return ESME_RINVPRTFLG;
	if ((st = check_times(p)) != ESME_ROK)
		return st;
	if ((st = check_regdlv(p->registered_delivery)) != ESME_ROK)
		return st;
	if (replace && p->replace_if_present_flag > 1)
		return ESME_RINVREPFLAG;
	return ESME_ROK;
}

uint32_t
pdu_check(const struct pdu *p)
{
	uint32_t	 st;

	switch (p->command_id) {
	case SMPP_SUBMIT_SM:
	case SMPP_DELIVER_SM:
	case SMPP_DATA_SM:
	case SMPP_SUBMIT_MULTI:
	case SMPP_REPLACE_SM:
		break;
	default:
		return ESME_ROK;
	}
	st = check_addr(p->source_addr_ton, p->source_addr_npi,
	    ESME_RINVSRCTON, ESME_RINVSRCNPI);
	if (st != ESME_ROK)
		return st;
	switch (p->command_id) {
	case SMPP_SUBMIT_MULTI:
		if ((st = check_dests(p)) != ESME_ROK)
			return st;
		return check_message(p, 1);
	case SMPP_REPLACE_SM:
		if ((st = check_times(p)) != ESME_ROK)
			return st;
		return check_regdlv(p->registered_delivery);
	default:
		break;
	}
	st = check_addr(p->dest_addr_ton, p->dest_addr_npi,
	    ESME_RINVDSTTON, ESME_RINVDSTNPI);
	if (st != ESME_ROK)
		return st;
	if (p->command_id == SMPP_DATA_SM)
		return check_regdlv(p->registered_delivery);
	return check_message(p, p->command_id == SMPP_SUBMIT_SM);
}
