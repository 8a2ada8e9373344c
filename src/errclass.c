/*
 * errclass.c - the class of an upstream's error status
 *
 * SYNOPSIS
 *	errclass_of(connector, status)
 *	errclass_name(class)
 *	errclass_list_check(list, err, errlen)
 *
 * DESCRIPTION
 *	errclass_of() says what an error status from an upstream means
 *	for the message: a connector's throttling_errors,
 *	transient_errors and permanent_errors lists (statuses in hex with
 *	0x, or decimal, separated by spaces or commas) are looked at
 *	first, in that order; then the default table, which smppconn(8)
 *	prints:
 *
 *	    throttling	ESME_RTHROTTLED 0x58, ESME_RMSGQFUL 0x14
 *	    transient	ESME_RSYSERR 0x08, ESME_RSUBMITFAIL 0x45,
 *			ESME_RINVBNDSTS 0x04, ESME_RX_T_APPN 0x64,
 *			ESME_RDELIVERYFAILURE 0xFE
 *	    permanent	every other status
 *
 *	A response that never came and a session lost before it are
 *	transient as well; the connectors report those directly.
 *
 *	errclass_list_check() validates a list for smppd -t: 0, or -1
 *	with the reason in err.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "errclass.h"
#include "pdu.h"

static const uint32_t defaults_throttling[] = {
	ESME_RTHROTTLED, ESME_RMSGQFUL
};
static const uint32_t defaults_transient[] = {
	ESME_RSYSERR, ESME_RSUBMITFAIL, ESME_RINVBNDSTS, ESME_RX_T_APPN,
	ESME_RDELIVERYFAILURE
};

/* The next status of a list; 1, 0 at its end, -1 when it is bad. */
static int
next_status(const char **sp, uint32_t *st)
{
	const char	*s = *sp;
	char		*end;
	unsigned long	 v;

	s += strspn(s, " \t,");
	if (*s == '\0')
		return 0;
	if (*s == '-' || *s == '+')
		return -1;
	v = strtoul(s, &end, 0);
	if (end == s || (*end != '\0' && strchr(" \t,", *end) == NULL) ||
	    v > 0xFFFFFFFFUL)
		return -1;
	*st = (uint32_t)v;
	*sp = end;
	return 1;
}

static int
listed(const char *list, uint32_t status)
{
	uint32_t	 st;

	while (next_status(&list, &st) == 1)
		if (st == status)
			return 1;
	return 0;
}

static int
in_table(const uint32_t *t, size_t n, uint32_t status)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (t[i] == status)
			return 1;
	return 0;
}

enum errclass
errclass_of(const struct conf_connector *cf, uint32_t status)
{
	if (cf != NULL) {
		if (listed(cf->throttling_errors, status))
			return EC_THROTTLING;
		if (listed(cf->transient_errors, status))
			return EC_TRANSIENT;
		if (listed(cf->permanent_errors, status))
			return EC_PERMANENT;
	}
	if (in_table(defaults_throttling, sizeof(defaults_throttling) /
	    sizeof(defaults_throttling[0]), status))
		return EC_THROTTLING;
	if (in_table(defaults_transient, sizeof(defaults_transient) /
	    sizeof(defaults_transient[0]), status))
		return EC_TRANSIENT;
	return EC_PERMANENT;
}

const char *
errclass_name(enum errclass c)
{
	switch (c) {
	case EC_THROTTLING:
		return "throttling";
	case EC_TRANSIENT:
		return "transient";
	default:
		return "permanent";
	}
}

int
errclass_list_check(const char *list, char *err, size_t errlen)
{
	uint32_t	 st;
	int		 rc;

	while ((rc = next_status(&list, &st)) == 1)
		if (st == ESME_ROK) {
			snprintf(err, errlen, "status 0 (ESME_ROK) is not "
			    "an error");
			return -1;
		}
	if (rc == -1) {
		snprintf(err, errlen, "'%.32s' is not a status (0x58, 88)",
		    list);
		return -1;
	}
	return 0;
}
