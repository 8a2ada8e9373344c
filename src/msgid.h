/*
 * msgid.h - message ids unique across restarts and servers
 */
#ifndef MSGID_H
#define MSGID_H

#include <stddef.h>

#define MSGID_MAX	64	/* characters, without the NUL */

void	 msgid_init(const char *);
int	 msgid_next(char *, size_t);

#endif /* MSGID_H */
