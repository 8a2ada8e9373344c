/*
 * ledger_local.h - what ledger.c and ledger_recover.c share: the slot
 * and base record layouts and the locked slot access
 *
 * Not for other modules: they use ledger.h.
 */
#ifndef LEDGER_LOCAL_H
#define LEDGER_LOCAL_H

#include <sys/types.h>

#include <stdint.h>

#include "billlog.h"
#include "ledger.h"

#define LEDGER_HEAD	128
#define LEDGER_SLOT	128

/*
 * pend_off: an operation of this slot is under way (pend_off - 1 is
 * the log's size before its line) and the slot does not have its
 * change yet.  ino, last_end: the file the account's last line went
 * to and where that line ends (0: none known).
 */
struct ledger_slot {
	char		 system_id[32];
	int64_t		 balance;
	int64_t		 count;
	int64_t		 tokens;
	int64_t		 refill_us;
	uint64_t	 charged;
	int64_t		 billed;
	int64_t		 refunded;
	int64_t		 shortfall;
	uint64_t	 conn_key;
	int64_t		 pend_off;
	int64_t		 last_end;
	uint32_t	 ino;
	uint8_t		 pad[LEDGER_SLOT - 124];
};

/*
 * A slot's base in LEDGER.base: the money fields as they were when
 * every line before off in the file fid (billlog_fid()) was on disk.
 * ino 0: the account's lines in the current file from time at_us on;
 * fid 0: from the start of the current file (it was empty).
 */
struct ledger_base {
	char		 system_id[32];
	int64_t		 balance;
	int64_t		 count;
	uint64_t	 charged;
	int64_t		 billed;
	int64_t		 refunded;
	int64_t		 off;
	int64_t		 at_us;
	uint32_t	 ino;
	uint32_t	 pad0;
	uint64_t	 fid;
	uint8_t		 pad[LEDGER_SLOT - 104];
};

struct ledger_base_head {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 bom;
	char		 boot[64];	/* of the last recovery */
	uint8_t		 pad[LEDGER_HEAD - 80];
};

void	 ledger_seterr(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
off_t	 ledger_offset(uint32_t);
int	 ledger_lock(struct ledger *, short, off_t, off_t);
int	 ledger_lock_fd(int, short, off_t, off_t);
int	 ledger_pread(struct ledger *, void *, size_t, off_t);
int	 ledger_pwrite(struct ledger *, const void *, size_t, off_t);
int	 ledger_fsync(struct ledger *, int);
int	 ledger_base_write(struct ledger *, uint32_t, const struct ledger_base *);
void	 ledger_base_of(struct ledger_base *, const struct ledger_slot *);
void	 ledger_slot_apply(struct ledger_slot *, const struct billlog_entry *);
void	 ledger_slot_resolve(struct ledger_slot *, struct billlog *);
int	 ledger_slot_get(struct ledger *, uint32_t, struct ledger_slot *);

#endif /* LEDGER_LOCAL_H */
