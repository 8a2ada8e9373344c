/*
 * idtab.c - message_id to time: the submits waiting for their receipt
 *
 * SYNOPSIS
 *	idtab_init(t, slots)	idtab_free(t)	idtab_count(t)
 *	idtab_match(t, id, len, value, &old)
 *
 * DESCRIPTION
 *	An open-addressing table keyed by a 64-bit FNV-1a hash of the id,
 *	not the id itself: 16 octets an entry and no allocation per
 *	message.  Two ids of one run that share a hash would be taken for
 *	one; with 64 bits that takes billions of ids to become likely.
 *	Linear probing, twice the slots when half are used, and removal by
 *	shifting the following entries back, so that no tombstones slow
 *	a long run down.
 *
 *	idtab_match() is the one operation smppbench needs, as the
 *	submit_sm_resp and the receipt of a message may come in either
 *	order (on different binds): when id is in the table it is
 *	removed and its value returned in *old (1); else it is added with
 *	value (0).
 *
 * DIAGNOSTICS
 *	idtab_init() and idtab_match() return -1 when out of memory.
 */
#include "config.h"

#include <stdlib.h>

#include "idtab.h"

int
idtab_init(struct idtab *t, size_t slots)
{
	size_t	 n = 64;

	while (n < slots && n < ((size_t)1 << 40))
		n *= 2;
	t->n = 0;
	t->mask = n - 1;
	t->ent = calloc(n, sizeof(*t->ent));
	return t->ent == NULL ? -1 : 0;
}

void
idtab_free(struct idtab *t)
{
	free(t->ent);
	t->ent = NULL;
	t->n = 0;
}

size_t
idtab_count(const struct idtab *t)
{
	return t->n;
}

static uint64_t
idtab_hash(const char *s, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h != 0 ? h : 1;
}

static void
idtab_put(struct idtab_ent *ent, size_t mask, uint64_t key, int64_t val)
{
	size_t	 i = key & mask;

	while (ent[i].key != 0)
		i = (i + 1) & mask;
	ent[i].key = key;
	ent[i].val = val;
}

static int
idtab_grow(struct idtab *t)
{
	struct idtab_ent	*ent;
	size_t			 i, mask = t->mask * 2 + 1;

	if ((ent = calloc(mask + 1, sizeof(*ent))) == NULL)
		return -1;
	for (i = 0; i <= t->mask; i++)
		if (t->ent[i].key != 0)
			idtab_put(ent, mask, t->ent[i].key, t->ent[i].val);
	free(t->ent);
	t->ent = ent;
	t->mask = mask;
	return 0;
}

/* Empty slot i and pull back what probed past it. */
static void
idtab_remove(struct idtab *t, size_t i)
{
	size_t	 j = i, home;

	for (;;) {
		t->ent[i].key = 0;
		for (;;) {
			j = (j + 1) & t->mask;
			if (t->ent[j].key == 0)
				return;
			home = t->ent[j].key & t->mask;
			/* Can j's entry move to i: is i on its probe path? */
			if (((j - home) & t->mask) >= ((j - i) & t->mask))
				break;
		}
		t->ent[i] = t->ent[j];
		i = j;
	}
}

int
idtab_match(struct idtab *t, const char *id, size_t len, int64_t val,
    int64_t *old)
{
	uint64_t	 key = idtab_hash(id, len);
	size_t		 i = key & t->mask;

	for (; t->ent[i].key != 0; i = (i + 1) & t->mask)
		if (t->ent[i].key == key) {
			*old = t->ent[i].val;
			idtab_remove(t, i);
			t->n--;
			return 1;
		}
	if ((t->n + 1) * 2 > t->mask + 1) {
		if (idtab_grow(t) == -1)
			return -1;
		idtab_put(t->ent, t->mask, key, val);
	} else {
		t->ent[i].key = key;
		t->ent[i].val = val;
	}
	t->n++;
	return 0;
}
