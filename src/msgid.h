/*
 * msgid.h - message ids unique across restarts and servers
 *
 * msgid_init(server_id) once per process (and again in a forked child);
 * msgid_next() writes the next id, NUL-terminated, into the caller's
 * buffer and returns 0, or -1 when it does not fit (MSGID_MAX + 1
 * always does).  No allocation.
 */
#ifndef MSGID_H
#define MSGID_H

#include <stddef.h>

#define MSGID_MAX	64	/* characters, without the NUL */

void	 msgid_init(const char *);
int	 msgid_next(char *, size_t);

#endif /* MSGID_H */
