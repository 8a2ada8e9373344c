/*
 * receipt.h - the delivery receipts smppconn queues for an account:
 * when one is wanted, and the deliver_sm that carries it
 *
 * receipt_wanted() and receipt_kind() are predicates on
 * registered_delivery.  receipt_build() fills a struct receipt the
 * caller owns (its PDU points into the struct itself: do not copy the
 * struct and use the copy's PDU) and returns 0, or -1 when the stat
 * word is unknown or an id cannot be made.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stdint.h>
#include <time.h>

#include "pdu.h"
#include "record.h"

#define RECEIPT_TEXT_MAX	20	/* characters of the original text */

/* What a receipt reports on: an MT record, or an idmap entry. */
struct receipt_of {
	char		 id[PDU_MESSAGE_ID_MAX];	/* our message_id */
	char		 account[PDU_SYSTEM_ID_MAX];
	char		 src[PDU_ADDR_MAX_LONG];	/* of the original */
	uint8_t		 src_ton;
	uint8_t		 src_npi;
	char		 dst[PDU_ADDR_MAX_LONG];
	uint8_t		 dst_ton;
	uint8_t		 dst_npi;
	int64_t		 submitted;			/* seconds */
	uint8_t		 registered_delivery;
	char		 text[RECEIPT_TEXT_MAX + 1];	/* printable */
};

/* A receipt ready for segw_add(): its pointers point into itself. */
struct receipt {
	struct msg_meta	 meta;
	struct pdu	 pdu;
	char		 sm[160];		/* the Appendix B text */
	char		 rid[PDU_MESSAGE_ID_MAX];	/* receipted_message_id */
	uint8_t		 state;			/* message_state */
	char		 src[PDU_ADDR_MAX_LONG];
	char		 dst[PDU_ADDR_MAX_LONG];
};

/* Kinds of states, for receipt_wanted(). */
#define RECEIPT_SUCCESS		1	/* DELIVRD */
#define RECEIPT_FAILURE		2	/* EXPIRED DELETED UNDELIV UNKNOWN REJECTD */
#define RECEIPT_INTERMEDIATE	3	/* ENROUTE ACCEPTD */

int	 receipt_kind(int);
int	 receipt_wanted(uint8_t, int);
void	 receipt_of_msg(struct receipt_of *, const struct msg *);
int	 receipt_build(struct receipt *, const struct receipt_of *,
	    const char *, int, time_t);

#endif /* RECEIPT_H */
