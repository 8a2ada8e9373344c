/*
 * client.h - what smppsend(1) and smppbench(1) share: the password from
 * an option, a file or the environment, bind type names, numbers from
 * the command line
 *
 * client_password() returns 0, or -1 with errno set (ENAMETOOLONG:
 * longer than cap - 1 octets); client_bind_cmd() 0 for a name it does
 * not know; client_number() -1 for a number out of range, while
 * client_arg() exits with a message instead.  client_read_text()
 * returns the text, NUL-terminated, in memory the caller frees.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define CLIENT_PASSWORD_ENV	"SMPP_PASSWORD"
#define CLIENT_PORT_DEFAULT	2775

int	 client_password(const char *, const char *, char *, size_t);
uint32_t client_bind_cmd(const char *);
const char *client_bind_name(uint32_t);
int	 client_number(const char *, long long, long long, long long *);
long long client_arg(const char *, long long, long long, const char *);
void	 client_signals(void);
char	*client_read_text(int, char **, size_t, size_t *);

extern volatile sig_atomic_t client_stop;	/* SIGINT or SIGTERM came */

#endif /* CLIENT_H */
