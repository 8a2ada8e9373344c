/*
 * conn_helper.h - the helper connector's private header: the lines it
 * exchanges with its long-running programs (conn_helper_line.c)
 */
#ifndef CONN_HELPER_H
#define CONN_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pdu.h"
#include "record.h"

#define HELPER_VERSION		1
#define HELPER_LINE_MAX		65536	/* octets of one line, with \n */

enum helper_verb {
	HV_ACCEPTED,	/* ACCEPTED id upstream-id */
	HV_DELIVERED,	/* DELIVERED id */
	HV_RETRY,	/* RETRY id [seconds [reason]] */
	HV_FAILED,	/* FAILED id status [reason] */
	HV_DLR,		/* DLR upstream-id stat [err] */
	HV_MO		/* MO src dst text-hex [data_coding] */
};

struct helper_answer {
	enum helper_verb	 verb;
	char			 id[PDU_MESSAGE_ID_MAX];	/* ours */
	char			 upstream[PDU_MESSAGE_ID_MAX];
	uint32_t		 status;	/* FAILED; DLR err */
	int			 delay;		/* RETRY seconds, 0: policy */
	char			 stat[8];	/* DLR */
	char			 reason[RECORD_ERROR_MAX];
	char			 src[PDU_ADDR_MAX_LONG];	/* MO */
	char			 dst[PDU_ADDR_MAX_LONG];
	uint8_t			 data_coding;
	uint8_t			 sm[PDU_SM_MAX_IN];
	size_t			 smlen;
};

int	 conn_helper_line_hello(struct buf *, const char *);
int	 conn_helper_line_msg(struct buf *, const struct msg *);
int	 conn_helper_line_parse(char *, struct helper_answer *);

#endif /* CONN_HELPER_H */
