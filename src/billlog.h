/*
 * billlog.h - the billing log: one line per charge, later charge and
 * refund, written by the ledger in the same step as the balance change
 *
 *	TIME ACCOUNT MSGID PARTS DEST RULE AMOUNT KIND
 *
 * TIME is UTC, ISO 8601 with microseconds; AMOUNT the signed change of
 * the balance (a charge is negative), an exact decimal; KIND charge,
 * later, refund or recovered; empty fields are "-" and octets of DEST
 * outside 0x21-0x7e are %XX-escaped, so that a line is always eight
 * blank-separated fields.
 *
 * Every line is appended by one write(2); the ledger keeps in the slot
 * the size of the file before it until the line is written, so that a
 * line missing after a kill is found and written (ledger.c).
 */
#ifndef BILLLOG_H
#define BILLLOG_H

#include <stddef.h>
#include <stdint.h>

#define BILLLOG_LINE_MAX	512

struct billlog {
	int		 fd;
	char		 path[1024];
	int64_t		 checked;	/* last rotation check, seconds */
};

/* What a line says besides the time and the amount. */
struct billlog_line {
	const char	*account;
	const char	*msgid;		/* NULL: "-" */
	uint32_t	 parts;
	const char	*dest;
	const char	*rule;
	const char	*kind;
};

int	 billlog_open(struct billlog *, const char *);
void	 billlog_close(struct billlog *);
int	 billlog_reopen(struct billlog *);
void	 billlog_check_rotated(struct billlog *);
int	 billlog_end(struct billlog *, int64_t *, uint32_t *);
int	 billlog_put(struct billlog *, const struct billlog_line *, int64_t);
int	 billlog_has(struct billlog *, int64_t, uint32_t, const char *);
int	 billlog_sync(struct billlog *);
int	 billlog_format(char *, size_t, const struct billlog_line *,
	    int64_t, int64_t);

#endif /* BILLLOG_H */
