/*
 * conn_pipe.c - the pipe connector: one program run per message, with
 * sendmail-style exit codes
 *
 * SYNOPSIS
 *	conn_pipe_ops	conn_pipe_reaped(pid, status)
 *	conn_pipe_spawn(connector, envp, in, out, err, &pid)
 *
 * DESCRIPTION
 *	For each message the connector forks and executes the command of
 *	its [connector] section (argv as conf_argv() split it, no shell;
 *	the first word is the program's path, not looked up in PATH) in
 *	a process group of its own.  Its standard input is the message's
 *	spool record (smppd-spool(5)), its standard output /dev/null, its
 *	standard error a pipe whose first line is kept for the log.  The
 *	environment holds PATH (smppconn's, or /usr/bin:/bin) and the
 *	message's fields:
 *
 *	    SMPP_ID SMPP_ACCOUNT SMPP_COMMAND SMPP_ATTEMPTS
 *	    SMPP_SOURCE SMPP_SOURCE_TON SMPP_SOURCE_NPI
 *	    SMPP_DESTINATION SMPP_DESTINATION_TON SMPP_DESTINATION_NPI
 *	    SMPP_SERVICE_TYPE SMPP_DATA_CODING SMPP_ESM_CLASS
 *	    SMPP_PROTOCOL_ID SMPP_PRIORITY_FLAG SMPP_REGISTERED_DELIVERY
 *	    SMPP_SHORT_MESSAGE_HEX SMPP_UDH_HEX SMPP_TEXT
 *	    SMPP_TLV_<NAME>_HEX
 *
 *	SMPP_TEXT is the text (short_message after its UDH, or
 *	message_payload) decoded to UTF-8 by its data_coding, binary
 *	content as hex; each optional parameter is SMPP_TLV_ and its name
 *	in capitals (SMPP_TLV_MESSAGE_PAYLOAD_HEX), or its tag in four hex
 *	digits for tags without a name (SMPP_TLV_1401_HEX).  A value is cut
 *	at PIPE_ENV_MAX octets.
 *
 *	Exit status 0 means delivered (DELIVRD receipt); 75 (EX_TEMPFAIL)
 *	try again later; any other status failed for good (UNDELIV
 *	receipt, err the exit status).  A program still running after
 *	[connector] timeout seconds is killed with its process group,
 *	which counts as temporary, as does being killed by any signal and
 *	a program that cannot be executed.  At most concurrency programs
 *	run at once.  Children are started with posix_spawn(3); smppconn
 *	reaps them after SIGCHLD (the loop's self-pipe) and hands each to
 *	conn_pipe_reaped().  Their input is written without blocking the
 *	loop.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "buf.h"
#include "charset.h"
#include "smppconn.h"
#include "log.h"

#define PIPE_ENV_MAX	65536	/* octets of one variable's value */
#define PIPE_ERR_MAX	512	/* octets of stderr kept */

struct proc {
	LIST_ENTRY(proc)	 link;
	struct connector	*conn;
	struct item		*it;
	pid_t			 pid;
	int			 infd;
	int			 errfd;
	struct buf		 in;
	size_t			 inoff;
	char			 err[PIPE_ERR_MAX];
	size_t			 errlen;
	int64_t			 deadline;
	int			 killed;
};

struct pipec {
	int	 running;
};

static LIST_HEAD(, proc) procs = LIST_HEAD_INITIALIZER(procs);
static int	 devnull = -1;

static int
pipe_start(struct connector *c)
{
	if ((c->priv = calloc(1, sizeof(struct pipec))) == NULL)
		return -1;
	if (devnull == -1 &&
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	return 0;
}

static int
pipe_room(struct connector *c)
{
	struct pipec	*p = c->priv;

	return c->cf->concurrency - p->running;
}

/* One NAME=VALUE string, its value cut at PIPE_ENV_MAX octets. */
static int
env_put(struct buf *b, const char *name, const char *val, size_t len)
{
	if (len > PIPE_ENV_MAX)
		len = PIPE_ENV_MAX;
	if (buf_printf(b, "%s=", name) == -1 || buf_append(b, val, len) == -1)
		return -1;
	return buf_putc(b, '\0');
}

static int
env_str(struct buf *b, const char *name, const char *val)
{
	return env_put(b, name, val ? val : "", val ? strlen(val) : 0);
}

static int
env_num(struct buf *b, const char *name, long long v)
{
	char	 num[24];

	snprintf(num, sizeof(num), "%lld", v);
	return env_str(b, name, num);
}

static int
env_hex(struct buf *b, const char *name, const uint8_t *p, size_t len)
{
	struct buf	 h = BUF_INITIALIZER;
	int		 rc;

	if (len > PIPE_ENV_MAX / 2)
		len = PIPE_ENV_MAX / 2;
	if (len > 0 && buf_hex(&h, p, len) == -1)
		return -1;
	rc = env_put(b, name, h.len > 0 ? (const char *)h.data : "", h.len);
	buf_free(&h);
	return rc;
}

/* SMPP_TEXT and SMPP_UDH_HEX. */
static int
env_text(struct buf *b, const struct pdu *p)
{
	const uint8_t	*s;
	size_t		 n, udh, cap, len;
	char		*text;
	int		 rc;

	s = pdu_content(p, &n, &udh);
	if (udh > 0 && env_hex(b, "SMPP_UDH_HEX", s, udh) == -1)
		return -1;
	cap = (n - udh) * 4 + 1;
	if ((text = malloc(cap)) == NULL)
		return -1;
	len = charset_decode(p->data_coding, s + udh, n - udh, text, cap);
	rc = env_put(b, "SMPP_TEXT", text, len);
	free(text);
	return rc;
}

static int
env_tlvs(struct buf *b, const struct pdu *p)
{
	char		 name[64];
	const char	*tn;
	unsigned	 i;
	size_t		 k;

	for (i = 0; i < p->ntlv; i++) {
		tn = pdu_tlv_name(p->tlv[i].tag);
		if (pdu_tlv_lookup(p->tlv[i].tag) == NULL)
			snprintf(name, sizeof(name), "SMPP_TLV_%04X_HEX",
			    p->tlv[i].tag);
		else {
			snprintf(name, sizeof(name), "SMPP_TLV_%s_HEX", tn);
			for (k = 0; name[k] != '\0'; k++)
				name[k] = (char)toupper((unsigned char)name[k]);
		}
		if (env_hex(b, name, p->tlv[i].val, p->tlv[i].len) == -1)
			return -1;
	}
	return 0;
}

static int
env_build(struct buf *b, const struct msg *m)
{
	const struct pdu	*p = &m->pdu;
	const char		*path = getenv("PATH");

	if (env_str(b, "PATH", path ? path : "/usr/bin:/bin") == -1 ||
	    env_str(b, "SMPP_ID", m->meta.id) == -1 ||
	    env_str(b, "SMPP_ACCOUNT", m->meta.account) == -1 ||
	    env_str(b, "SMPP_COMMAND", pdu_command_name(p->command_id)) == -1 ||
	    env_num(b, "SMPP_ATTEMPTS", m->meta.attempts) == -1 ||
	    env_str(b, "SMPP_SOURCE", p->source_addr) == -1 ||
	    env_num(b, "SMPP_SOURCE_TON", p->source_addr_ton) == -1 ||
	    env_num(b, "SMPP_SOURCE_NPI", p->source_addr_npi) == -1 ||
	    env_str(b, "SMPP_DESTINATION", p->destination_addr) == -1 ||
	    env_num(b, "SMPP_DESTINATION_TON", p->dest_addr_ton) == -1 ||
	    env_num(b, "SMPP_DESTINATION_NPI", p->dest_addr_npi) == -1 ||
	    env_str(b, "SMPP_SERVICE_TYPE", p->service_type) == -1 ||
	    env_num(b, "SMPP_DATA_CODING", p->data_coding) == -1 ||
	    env_num(b, "SMPP_ESM_CLASS", p->esm_class) == -1 ||
	    env_num(b, "SMPP_PROTOCOL_ID", p->protocol_id) == -1 ||
	    env_num(b, "SMPP_PRIORITY_FLAG", p->priority_flag) == -1 ||
	    env_num(b, "SMPP_REGISTERED_DELIVERY", p->registered_delivery) ==
	    -1 ||
	    env_hex(b, "SMPP_SHORT_MESSAGE_HEX", p->short_message,
	    p->sm_length) == -1 ||
	    env_text(b, p) == -1 || env_tlvs(b, p) == -1)
		return -1;
	return 0;
}

/* Pointers to the NUL-separated strings of b. */
static char **
env_vector(const struct buf *b)
{
	char	**v;
	size_t	 n = 0, i, k = 0;

	for (i = 0; i < b->len; i++)
		n += b->data[i] == '\0';
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < b->len; i++)
		if (i == 0 || b->data[i - 1] == '\0')
			v[k++] = (char *)b->data + i;
	v[k] = NULL;
	return v;
}

/*
 * Start the program with posix_spawn(3), which vfork()s: far cheaper
 * than fork(2) per message.  Its own process group, default signal
 * dispositions and an empty mask; stdin, and stdout and stderr unless
 * -1 (then smppconn's), set up.  Also the helper connector's.  0, or
 * an errno value.
 */
int
conn_pipe_spawn(const struct conf_connector *cf, char **envp, int in,
    int out, int err, pid_t *pid)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 none, all;
	int				 rc;

	sigemptyset(&none);
	sigfillset(&all);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO)) ==
	    0 && (out == -1 || (rc = posix_spawn_file_actions_adddup2(&fa, out,
	    STDOUT_FILENO)) == 0) && (err == -1 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, err,
	    STDERR_FILENO)) == 0) && (rc = posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF)) == 0 && (rc = posix_spawnattr_setpgroup(&at,
	    0)) == 0 && (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&at, &all)) == 0)
		rc = posix_spawn(pid, cf->argv[0], &fa, &at, cf->argv, envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static void
proc_free(struct proc *pr)
{
	if (pr->infd != -1)
		close(pr->infd);
	if (pr->errfd != -1)
		close(pr->errfd);
	buf_free(&pr->in);
	free(pr);
}

/* Fork the program; -1 when that is impossible now. */
static int
spawn(struct connector *c, struct proc *pr)
{
	struct buf	 env = BUF_INITIALIZER;
	char		**envp = NULL;
	int		 in[2] = { -1, -1 }, err[2] = { -1, -1 }, rc = -1;

	if (env_build(&env, &pr->it->msg) == -1 ||
	    (envp = env_vector(&env)) == NULL ||
	    record_write(&pr->in, &pr->it->msg.meta, &pr->it->msg.pdu) == -1 ||
	    pipe2(in, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
		goto out;
	if ((errno = conn_pipe_spawn(c->cf, envp, in[0], devnull, err[1],
	    &pr->pid)) != 0)
		goto out;
	pr->infd = in[1];
	pr->errfd = err[0];
	in[1] = err[0] = -1;
	(void)fcntl(pr->infd, F_SETFL, O_NONBLOCK);
	(void)fcntl(pr->errfd, F_SETFL, O_NONBLOCK);
	rc = 0;
out:
	if (rc == -1)
		log_warn("connector %s: cannot run %s", c->name,
		    c->cf->argv[0]);
	/* posix_spawn() has set errno, or the calls before it. */
	if (in[0] != -1)
		close(in[0]);
	if (in[1] != -1)
		close(in[1]);
	if (err[0] != -1)
		close(err[0]);
	if (err[1] != -1)
		close(err[1]);
	free(envp);
	buf_free(&env);
	return rc;
}

static void
pipe_submit(struct connector *c, struct item *it)
{
	struct pipec	*p = c->priv;
	struct proc	*pr;

	if ((pr = calloc(1, sizeof(*pr))) == NULL) {
		smppconn_outcome(it, &(struct outcome){ .kind = OC_TRANSIENT,
		    .why = "pipe: out of memory" });
		return;
	}
	pr->conn = c;
	pr->it = it;
	pr->infd = pr->errfd = -1;
	buf_init(&pr->in);
	if (spawn(c, pr) == -1) {
		proc_free(pr);
		smppconn_outcome(it, &(struct outcome){ .kind = OC_TRANSIENT,
		    .why = "pipe: cannot run" });
		return;
	}
	pr->deadline = smppconn_ctx.now + (int64_t)c->cf->timeout * 1000000;
	LIST_INSERT_HEAD(&procs, pr, link);
	p->running++;
}

static void
write_input(void *arg, int revents)
{
	struct proc	*pr = arg;
	ssize_t		 n;

	(void)revents;
	while (pr->inoff < pr->in.len) {
		n = write(pr->infd, pr->in.data + pr->inoff,
		    pr->in.len - pr->inoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)
			break;	/* EPIPE: it did not read it all */
		pr->inoff += (size_t)n;
	}
	close(pr->infd);
	pr->infd = -1;
}

/* Keep the first PIPE_ERR_MAX octets of stderr, drain the rest. */
static void
read_errors(void *arg, int revents)
{
	struct proc	*pr = arg;
	char		 junk[4096];
	ssize_t		 n;

	(void)revents;
	for (;;) {
		if (pr->errlen + 1 < sizeof(pr->err))
			n = read(pr->errfd, pr->err + pr->errlen,
			    sizeof(pr->err) - 1 - pr->errlen);
		else
			n = read(pr->errfd, junk, sizeof(junk));
		if (n > 0) {
			if (pr->errlen + 1 < sizeof(pr->err))
				pr->errlen += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN) {
			close(pr->errfd);
			pr->errfd = -1;
		}
		return;
	}
}

static void
pipe_poll(struct connector *c)
{
	struct proc	*pr;

	LIST_FOREACH(pr, &procs, link) {
		if (pr->conn != c)
			continue;
		if (pr->infd != -1)
			smppconn_ctx_poll_add(pr->infd, POLLOUT, write_input, pr);
		if (pr->errfd != -1)
			smppconn_ctx_poll_add(pr->errfd, POLLIN, read_errors, pr);
	}
}

static int64_t
pipe_timer(struct connector *c, int64_t now)
{
	struct proc	*pr;
	int64_t		 next = CONN_NEVER;

	LIST_FOREACH(pr, &procs, link) {
		if (pr->conn != c || pr->killed)
			continue;
		if (pr->deadline <= now) {
			log_warnx("connector %s: %s still runs after %ds: "
			    "killed", c->name, c->cf->argv[0], c->cf->timeout);
			kill(-pr->pid, SIGKILL);
			kill(pr->pid, SIGKILL);
			pr->killed = 1;
		} else if (pr->deadline < next)
			next = pr->deadline;
	}
	return next;
}

/* The first line of what the program wrote to stderr. */
static const char *
first_line(struct proc *pr, char *buf, size_t len)
{
	char	 line[PIPE_ERR_MAX];

	pr->err[pr->errlen] = '\0';
	strlcpy(line, pr->err, sizeof(line));
	line[strcspn(line, "\r\n")] = '\0';
	return log_free_text(buf, len, line);
}

static void
finished(struct proc *pr, int st)
{
	struct connector	*c = pr->conn;
	char			 why[RECORD_ERROR_MAX];
	char			 line[2 * PIPE_ERR_MAX];
	struct outcome		 o = { .kind = OC_TRANSIENT };
	int			 code;

	if (pr->errfd != -1)
		read_errors(pr, 0);
	first_line(pr, line, sizeof(line));
	((struct pipec *)c->priv)->running--;
	LIST_REMOVE(pr, link);
	o.why = why;
	if (pr->killed) {
		snprintf(why, sizeof(why), "pipe: timeout after %ds",
		    c->cf->timeout);
		o.kind = OC_TRANSIENT;
	} else if (WIFSIGNALED(st)) {
		snprintf(why, sizeof(why), "pipe: killed by signal %d",
		    WTERMSIG(st));
		o.kind = OC_TRANSIENT;
	} else if ((code = WEXITSTATUS(st)) == 0)
		o.kind = OC_DELIVERED;
	else {
		if (snprintf(why, sizeof(why), "pipe: exit %d%s%.100s", code,
		    line[0] ? ": " : "", line) < 0)
			why[0] = '\0';
		o.kind = code == 75 ? OC_TRANSIENT : OC_PERMANENT;
		o.status = (uint32_t)code;
		o.stat = "UNDELIV";
	}
	smppconn_outcome(pr->it, &o);
	proc_free(pr);
}

/* A child that smppconn reaped: 1 when it was one of ours. */
int
conn_pipe_reaped(pid_t pid, int st)
{
	struct proc	*pr;

	LIST_FOREACH(pr, &procs, link)
		if (pr->pid == pid) {
			finished(pr, st);
			return 1;
		}
	return 0;
}

static int
pipe_idle(struct connector *c)
{
	struct pipec	*p = c->priv;

	return p->running == 0;
}

/* Shutdown: programs still running are killed, their messages redone. */
static void
pipe_release(struct connector *c)
{
	struct proc	*pr, *next;

	for (pr = LIST_FIRST(&procs); pr != NULL; pr = next) {
		next = LIST_NEXT(pr, link);
		if (pr->conn != c)
			continue;
		kill(-pr->pid, SIGKILL);
		(void)waitpid(pr->pid, NULL, 0);
		LIST_REMOVE(pr, link);
		smppconn_outcome(pr->it, &(struct outcome){ .kind = OC_ABANDON });
		proc_free(pr);
	}
	free(c->priv);
	c->priv = NULL;
}

/* Programs run per message: the connector is always up. */
static void
pipe_report(struct connector *c, struct conn_report *r)
{
	struct pipec	*p = c->priv;

	r->up = 1;
	r->sessions = p->running;
	r->configured = c->cf->concurrency;
	r->inflight = p->running;
}

const struct conn_ops conn_pipe_ops = {
	.start = pipe_start,
	.room = pipe_room,
	.submit = pipe_submit,
	.poll = pipe_poll,
	.timer = pipe_timer,
	.idle = pipe_idle,
	.release = pipe_release,
	.report = pipe_report,
};
