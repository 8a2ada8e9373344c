/*
 * smppuser.h - smppuser(8)'s private header: what its files share
 *
 * smppuser.c holds the commands, smppuser_pass.c the password input.
 * Functions here print their own message and exit on failure (err(3)
 * with a sysexits(3) code), as a command line tool may.
 */
#ifndef SMPPUSER_H
#define SMPPUSER_H

#include <stddef.h>

#define PASSWORD_BUF	256	/* a line of input, longer than any password */

/* smppuser_pass.c */
void	 smppuser_pass_read(const char *, int, char *, size_t);

#endif /* SMPPUSER_H */
