/*
 * idtab.h - message_id to time: the submits waiting for their receipt
 *
 * An open-addressing table keyed by a 64-bit hash of the id (smppbench
 * only).  idtab_init() and idtab_match() return -1 when out of memory;
 * the table owns its slots, idtab_free() releases them.  idtab_match():
 * an id in the table is removed and its value put in *old (1); else it
 * is added with value (0).  The id is not copied.
 */
#ifndef IDTAB_H
#define IDTAB_H

#include <stddef.h>
#include <stdint.h>

struct idtab_ent {
	uint64_t	 key;		/* hash of the id; 0: empty */
	int64_t		 val;
};

struct idtab {
	struct idtab_ent *ent;
	size_t		 mask;		/* slots - 1 */
	size_t		 n;
};

int	 idtab_init(struct idtab *, size_t);
void	 idtab_free(struct idtab *);
int	 idtab_match(struct idtab *, const char *, size_t, int64_t, int64_t *);
size_t	 idtab_count(const struct idtab *);

#endif /* IDTAB_H */
