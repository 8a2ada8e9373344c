/*
 * client.c - what smppsend(1) and smppbench(1) share
 *
 * SYNOPSIS
 *	client_password(arg, file, out, cap)
 *	client_bind_cmd(name)		client_bind_name(cmd)
 *	client_number(s, min, max, &n)	client_arg(s, min, max, what)
 *	client_signals()		client_read_text(argc, argv, max, &len)
 *
 * DESCRIPTION
 *	client_password() takes the password from the -P argument when
 *	there is one, else from the first line of file, else from
 *	$SMPP_PASSWORD, else it is empty.  An argument shows in ps(1), so
 *	the manuals point at the other two.
 *
 *	client_bind_cmd() knows "tx", "rx", "trx" and the long names
 *	"transmitter", "receiver", "transceiver".
 *
 *	client_arg() is client_number() for an option's argument: out of
 *	range, it says so and exits EX_USAGE.
 *
 *	client_signals() makes SIGINT and SIGTERM set client_stop without
 *	SA_RESTART, so that poll(2) returns and the program can unbind
 *	before it exits, and ignores SIGPIPE.
 *
 * DIAGNOSTICS
 *	client_password() returns 0, or -1 with errno set (ENAMETOOLONG:
 *	longer than cap - 1 octets).  client_bind_cmd() returns 0 for a
 *	name it does not know, client_number() -1 for a number out of range.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "clock.h"
#include "buf.h"
#include "compat.h"
#include "client.h"
#include "pdu.h"

volatile sig_atomic_t	 client_stop;

static int
client_copy(const char *s, size_t len, char *out, size_t cap)
{
	if (len >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
client_password(const char *arg, const char *file, char *out, size_t cap)
{
	char	 line[256];
	FILE	*fp;
	size_t	 n;
	int	 rc;

	if (arg != NULL)
		return client_copy(arg, strlen(arg), out, cap);
	if (file != NULL) {
		if ((fp = fopen(file, "r")) == NULL)
			return -1;
		if (fgets(line, sizeof(line), fp) == NULL)
			line[0] = '\0';
		fclose(fp);
		n = strcspn(line, "\r\n");
		rc = client_copy(line, n, out, cap);
		explicit_bzero(line, sizeof(line));
		return rc;
	}
	if ((arg = getenv(CLIENT_PASSWORD_ENV)) != NULL)
		return client_copy(arg, strlen(arg), out, cap);
	return client_copy("", 0, out, cap);
}

static const struct {
	const char	*name;
	uint32_t	 cmd;
} client_binds[] = {
	{ "trx", SMPP_BIND_TRANSCEIVER },
	{ "tx", SMPP_BIND_TRANSMITTER },
	{ "rx", SMPP_BIND_RECEIVER },
	{ "transceiver", SMPP_BIND_TRANSCEIVER },
	{ "transmitter", SMPP_BIND_TRANSMITTER },
	{ "receiver", SMPP_BIND_RECEIVER }
};

uint32_t
client_bind_cmd(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(client_binds) / sizeof(client_binds[0]); i++)
		if (strcasecmp(name, client_binds[i].name) == 0)
			return client_binds[i].cmd;
	return 0;
}

const char *
client_bind_name(uint32_t cmd)
{
	size_t	 i;

	for (i = 0; i < sizeof(client_binds) / sizeof(client_binds[0]); i++)
		if (client_binds[i].cmd == cmd)
			return client_binds[i].name;
	return "?";
}

/* A decimal or 0x-hex number within [min, max]; 0 or -1. */
int
client_number(const char *s, long long min, long long max, long long *n)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = strtoll(s + 2, &end, 16);
	else
		v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*n = v;
	return 0;
}

long long
client_arg(const char *s, long long min, long long max, const char *what)
{
	long long	 n;

	if (client_number(s, min, max, &n) == -1)
		errx(EX_USAGE, "%s: %s is not a number from %lld to %lld",
		    what, s, min, max);
	return n;
}


static void
client_on_signal(int sig)
{
	(void)sig;
	client_stop = 1;
}

void
client_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = client_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * The text of a message: the arguments joined by blanks, or standard
 * input less one final newline (echo(1) and here-documents add one), at
 * most max octets.  NUL-terminated; its length in *len.
 */
char *
client_read_text(int argc, char **argv, size_t max, size_t *len)
{
	struct buf	 b = BUF_INITIALIZER;
	char		 chunk[8192];
	size_t		 n;
	int		 i;

	if (argc > 0) {
		for (i = 0; i < argc; i++)
			if ((i > 0 && buf_putc(&b, ' ') == -1) ||
			    buf_puts(&b, argv[i]) == -1)
				err(EX_OSERR, "text");
	} else {
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
			if (b.len + n > max)
				errx(EX_DATAERR, "text longer than %zu octets",
				    max);
			if (buf_append(&b, chunk, n) == -1)
				err(EX_OSERR, "text");
		}
		if (ferror(stdin))
			err(EX_NOINPUT, "stdin");
		/* echo(1) and here-documents end in a newline. */
		if (b.len > 0 && b.data[b.len - 1] == '\n')
			b.len--;
		if (b.len > 0 && b.data[b.len - 1] == '\r')
			b.len--;
	}
	if (buf_putc(&b, '\0') == -1)
		err(EX_OSERR, "text");
	*len = b.len - 1;
	return (char *)b.data;
}
