/*
 * smppq_metrics.c - smppq metrics: answer one HTTP/1.x request on
 * standard input with the Prometheus exposition, for inetd, xinetd or
 * a systemd socket with Accept=yes
 *
 * SYNOPSIS
 *	smppq_metrics()
 *
 * DESCRIPTION
 *	The request head is read up to its empty line, at most
 *	METRICS_HEAD_MAX octets and METRICS_DEADLINE seconds (an alarm
 *	ends a client that stalls: the process exits without an answer);
 *	the answer has METRICS_ANSWER seconds more.
 *	Only the request line matters: GET (or HEAD) of /metrics, a query
 *	string ignored, is 200 with the exposition of smppq stats -p;
 *	another path is 404; another method 405 with Allow; a head too
 *	long, or a line that is not "METHOD target HTTP/1.x", is 400.
 *	The answer is HTTP/1.1 with Content-Length and Connection: close,
 *	the body built in memory first so that its length is known.
 *
 *	The request is untrusted: nothing of it is echoed back, and a NUL
 *	or a stray octet only ever makes it malformed.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "compat.h"
#include "smppq.h"

#define METRICS_HEAD_MAX	8192
#define METRICS_DEADLINE	10	/* seconds to read the request */
#define METRICS_ANSWER		120	/* ... to walk a big spool */

static const char content_type[] = "text/plain; version=0.0.4; charset=utf-8";

static void
deadline(int sig)
{
	(void)sig;
	_exit(EX_TEMPFAIL);
}

/* The request head into buf; its length, or -1 (too long, or EOF first). */
static ssize_t
read_head(char *buf, size_t cap)
{
	size_t	 len = 0;
	ssize_t	 n;

	while (len < cap - 1) {
		n = read(0, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (memchr(buf, '\0', len) != NULL)
			return -1;
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			return (ssize_t)len;
	}
	return -1;
}

static int
answer(int code, const char *reason, const char *extra, const char *type,
    const char *body, size_t len, int head_only)
{
	printf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "%sConnection: close\r\n\r\n", code, reason, type, len, extra);
	if (!head_only)
		fwrite(body, 1, len, stdout);
	return fflush(stdout) == EOF || ferror(stdout) ? EX_IOERR : EX_OK;
}

static int
error_page(int code, const char *reason, const char *extra)
{
	char	 body[64];
	int	 n;

	n = snprintf(body, sizeof(body), "%d %s\n", code, reason);
	return answer(code, reason, extra, "text/plain; charset=utf-8", body,
	    (size_t)n, 0);
}

/* Split "METHOD SP target SP HTTP/1.x" in place; -1 when it is not. */
static int
request_line(char *buf, char **method, char **target)
{
	char	*eol, *sp1, *sp2, *p;

	if ((eol = strchr(buf, '\n')) == NULL)
		return -1;
	if (eol > buf && eol[-1] == '\r')
		eol--;
	*eol = '\0';
	if ((sp1 = strchr(buf, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || sp1 == buf ||
	    sp2 == sp1 + 1)
		return -1;
	*sp1 = *sp2 = '\0';
	if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp2[8] < '0' ||
	    sp2[8] > '9' || sp2[9] != '\0')
		return -1;
	for (p = buf; *p != '\0'; p++)
		if (*p < 'A' || *p > 'Z')
			return -1;
	*method = buf;
	*target = sp1 + 1;
	return 0;
}

static int
serve_metrics(int head_only)
{
	char	*body = NULL;
	size_t	 len = 0;
	FILE	*fp;
	int	 rc;

	if ((fp = open_memstream(&body, &len)) == NULL)
		return error_page(500, "Internal Server Error", "");
	rc = smppq_prom(fp);
	if (fclose(fp) != 0 || rc == -1) {
		free(body);
		return error_page(500, "Internal Server Error", "");
	}
	rc = answer(200, "OK", "", content_type, body, len, head_only);
	free(body);
	return rc;
}

int
smppq_metrics(void)
{
	struct sigaction	 sa;
	char			 buf[METRICS_HEAD_MAX];
	char			*method, *target, *q;
	int			 head_only;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = deadline;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(METRICS_DEADLINE);
	if (read_head(buf, sizeof(buf)) == -1 ||
	    request_line(buf, &method, &target) == -1)
		return error_page(400, "Bad Request", "");
	head_only = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "GET") != 0 && !head_only)
		return error_page(405, "Method Not Allowed",
		    "Allow: GET, HEAD\r\n");
	if ((q = strchr(target, '?')) != NULL)
		*q = '\0';
	if (strcmp(target, "/metrics") != 0)
		return error_page(404, "Not Found", "");
	alarm(METRICS_ANSWER);
	return serve_metrics(head_only);
}
