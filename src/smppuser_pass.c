/*
 * smppuser_pass.c - smppuser(8)'s password input: the terminal prompt
 * without echo, or one line of standard input
 *
 * SYNOPSIS
 *	smppuser_pass_read(user, from_stdin, pw, len)
 *
 * DESCRIPTION
 *	On a terminal the password is asked twice with echo off; SIGINT,
 *	SIGTERM, SIGHUP, SIGQUIT and SIGTSTP restore the terminal before
 *	they take effect.  Without a terminal the caller must pass
 *	--password-stdin.  The caller wipes pw after use; the second copy
 *	is wiped here.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "compat.h"
#include "smppuser.h"
#include "userdb.h"

static volatile sig_atomic_t	 caught;

static void
catch(int sig)
{
	caught = sig;
}

/*
 * One line from fd into buf, without its newline (or CR LF); a last line
 * without a newline counts.  -1 on EOF before any octet, on an error
 * and on a line that does not fit.
 */
static int
read_line(int fd, char *buf, size_t len)
{
	size_t	 n = 0;
	ssize_t	 r;
	char	 c;

	for (;;) {
		if ((r = read(fd, &c, 1)) == -1 && errno == EINTR && !caught)
			continue;
		if (r == -1 || (r == 0 && n == 0))
			return -1;
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= len)
			return -1;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

/* Prompt on the terminal without echo; the signals restore it. */
static int
prompt_tty(int fd, const char *prompt, char *buf, size_t len)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGTSTP };
	struct sigaction	 sa, old[5];
	struct termios		 t, noecho;
	size_t			 i;
	int			 r;

	if (tcgetattr(fd, &t) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = catch;
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, &old[i]);
	noecho = t;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	r = -1;
	if (tcsetattr(fd, TCSADRAIN, &noecho) == 0 &&
	    write(fd, prompt, strlen(prompt)) != -1)
		r = read_line(fd, buf, len);
	/* No line typed (end of input): end the prompt's line ourselves. */
	if (r == -1)
		if (write(fd, "\n", 1) == -1) {
			/* the error that follows says enough */
		}
	(void)tcsetattr(fd, TCSADRAIN, &t);
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &old[i], NULL);
	if (caught) {
		explicit_bzero(buf, len);
		raise(caught);
		errx(EX_TEMPFAIL, "interrupted");
	}
	return r;
}

void
smppuser_pass_read(const char *user, int from_stdin, char *pw, size_t len)
{
	char	 again[PASSWORD_BUF], prompt[128];
	int	 fd, r;

	if (from_stdin) {
		if (read_line(STDIN_FILENO, pw, len) == -1)
			errx(EX_DATAERR, "%s: no password line on standard "
			    "input, or longer than %d characters", user,
			    USERDB_PASSWORD_MAX);
		return;
	}
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		errx(EX_USAGE, "%s: no terminal to ask the password on: use "
		    "--password-stdin", user);
	snprintf(prompt, sizeof(prompt), "Password for %s: ", user);
	r = prompt_tty(fd, prompt, pw, len);
	if (r == 0)
		r = prompt_tty(fd, "Again: ", again, sizeof(again));
	close(fd);
	if (r == -1)
		errx(EX_DATAERR, "%s: password not read", user);
	r = strcmp(pw, again);
	explicit_bzero(again, sizeof(again));
	if (r != 0)
		errx(EX_DATAERR, "%s: the passwords differ", user);
}
