/*
 * dlr.h - delivery receipt text, SMPP v3.4 Appendix B:
 *
 *	id:ID sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm
 *	stat:DELIVRD err:000 text:first 20 chars
 *
 * dlr_parse() is lenient, as real SMSCs vary: "Text:" or "text:", dates
 * of 10 or 12 digits, err of 1 to 3 digits, fields missing or unpadded.
 *
 * dlr_format() returns the length or -1; dlr_parse() 0 or -1 (it needs
 * an id and a stat), unknown numbers -1, unknown dates 0.
 * dlr_stat_state() returns -1 for an unknown word; dlr_state_stat()
 * "UNKNOWN" for a value outside 1-8.  dlr_id_alt(id, n, ...), n 0 or 1, writes the other lookup keys of an id of digits alone (its
 * hex and decimal readings, see dlr.c), 0 when there is none.
 */
#ifndef DLR_H
#define DLR_H

#include <stddef.h>
#include <time.h>

#include "pdu.h"

struct dlr {
	char	 id[PDU_MESSAGE_ID_MAX];
	int	 sub;
	int	 dlvrd;
	time_t	 submit_date;		/* 0: unknown */
	time_t	 done_date;
	char	 stat[8];		/* DELIVRD ... */
	int	 err;
	char	 text[21];		/* first 20 characters */
};

int	 dlr_format(char *, size_t, const struct dlr *);
int	 dlr_parse(const char *, size_t, struct dlr *);
int	 dlr_stat_state(const char *);
const char *dlr_state_stat(int);
int	 dlr_id_equal(const char *, const char *);
int	 dlr_id_normalize(const char *, char *, size_t);
int	 dlr_id_alt(const char *, int, char *, size_t);

#endif /* DLR_H */
