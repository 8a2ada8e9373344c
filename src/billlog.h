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
 * the size of the file before it until the slot has the line's change,
 * so that the change of a line written by a process killed before it is
 * made by the next (ledger.c).  A line is never written again: a line
 * read back (billlog_parse()) is how a change is found after a kill
 * and after a power cut (ledger_recover.c).  A line of blanks is what
 * is left of a torn one after a power cut; it counts for nothing.
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

/* A line read back (billlog_parse()): the fields unescaped. */
struct billlog_entry {
	char		 time[32];	/* as written: sorts as it reads */
	char		 account[64];
	char		 msgid[72];	/* "" for "-" */
	char		 dest[64];
	uint32_t	 parts;
	int64_t		 amount;
	int		 kind;		/* BILLLOG_* */
	int64_t		 end;		/* billlog_scan(): where it ends */
};

enum { BILLLOG_CHARGE, BILLLOG_LATER, BILLLOG_REFUND, BILLLOG_RECOVERED };

/*
 * billlog_scan() calls fn for each well-formed line from off on, with
 * its offset, and fn's non-zero return stops it; blank is called for
 * each stretch that is not a well-formed line (what a power cut can
 * leave: NUL octets, a torn line), which may be NULL.
 */
typedef int (*billlog_fn)(const struct billlog_entry *, int64_t, void *);
typedef void (*billlog_damage_fn)(int64_t, int64_t, void *);

int	 billlog_open(struct billlog *, const char *);
void	 billlog_close(struct billlog *);
int	 billlog_reopen(struct billlog *);
void	 billlog_check_rotated(struct billlog *);
int	 billlog_end(struct billlog *, int64_t *, uint32_t *);
uint64_t billlog_fid(int);
int	 billlog_put(struct billlog *, const struct billlog_line *, int64_t,
	    int64_t *);
int	 billlog_find(struct billlog *, int64_t, uint32_t, const char *,
	    struct billlog_entry *);
int	 billlog_sync(struct billlog *);
int	 billlog_parse(const char *, size_t, struct billlog_entry *);
int	 billlog_scan(int, int64_t, billlog_fn, billlog_damage_fn, void *,
	    int64_t *);
int	 billlog_blank(struct billlog *, int64_t, int64_t);
void	 billlog_time(char *, size_t, int64_t);
int	 billlog_format(char *, size_t, const struct billlog_line *,
	    int64_t, int64_t);

#endif /* BILLLOG_H */
