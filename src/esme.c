/*
 * esme.c - the client (ESME) side of an SMPP session
 *
 * SYNOPSIS
 *	esme_init(e)			esme_connect(e, host, port, timeout_ms)
 *	esme_attach(e, fd)		esme_close(e)
 *	esme_seq(e)			esme_queue(e, pdu)
 *	esme_queue_resp(e, cmd, status, seq)
 *	esme_queue_raw(e, octets, len, seq)
 *	esme_flush(e)			esme_read(e)
 *	esme_next(e, pdu, &status)	esme_want(e)
 *	esme_wait(e, timeout_ms)	esme_pending(e)
 *	esme_bind(e, cmd, system_id, password, system_type, timeout_ms,
 *	    &status)
 *	esme_transact(e, req, resp, timeout_ms, other, arg)
 *	esme_unbind(e, timeout_ms)
 *	esme_default(e, pdu, status)
 *
 * DESCRIPTION
 *	A session is a non-blocking socket with two buffers.  Output is
 *	encoded at the end of e->out and written from e->outoff on, so
 *	that a partial write moves nothing; the buffer is emptied when all
 *	of it is written.  Input is read in large chunks into e->in; whole
 *	PDUs are decoded in place and e->taken steps over them, so that
 *	the octets move only when esme_read() needs the room.  A PDU taken
 *	by esme_next() therefore points into e->in until the next read.
 *
 *	The blocking helpers run the same calls in a loop against a
 *	deadline on the monotonic clock.  While they wait for their answer
 *	they answer enquire_link themselves, and hand every other PDU to
 *	the caller's function, or answer it generically.
 *
 * DIAGNOSTICS
 *	Every call that fails returns -1 with a message in e->err and the
 *	kind of failure in e->fail (ESME_FAIL_*).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "esme.h"
#include "net.h"

#define ESME_READ_MIN	(16 * 1024)	/* free room for one read */
#define ESME_SEQ_MAX	0x7FFFFFFFU	/* section 5.1.4 */

static int
esme_fail(struct esme *e, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
esme_fail(struct esme *e, int kind, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	e->fail = kind;
	return -1;
}


void
esme_init(struct esme *e)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	e->next_seq = 1;
	e->max_pdu = PDU_MAX_LEN_DEFAULT;
	buf_init(&e->out);
}

int
esme_attach(struct esme *e, int fd)
{
	if (net_nonblock(fd, 1) == -1)
		return esme_fail(e, ESME_FAIL_IO, "fcntl: %s",
		    strerror(errno));
	e->fd = fd;
	e->inlen = e->taken = 0;
	e->outoff = 0;
	buf_reset(&e->out);
	e->fail = ESME_FAIL_NONE;
	e->err[0] = '\0';
	return 0;
}

int
esme_connect(struct esme *e, const char *host, int port, int timeout_ms)
{
	int	 fd;

	fd = net_connect(host, port, timeout_ms, e->err, sizeof(e->err));
	if (fd == -1) {
		e->fail = ESME_FAIL_IO;
		return -1;
	}
	if (esme_attach(e, fd) == -1) {
		close(fd);
		return -1;
	}
	return 0;
}

void
esme_close(struct esme *e)
{
	if (e->fd != -1)
		close(e->fd);
	e->fd = -1;
	free(e->in);
	e->in = NULL;
	e->inlen = e->incap = e->taken = 0;
	buf_free(&e->out);
	e->outoff = 0;
}

/* Sequence numbers run from 1 to 0x7FFFFFFF and wrap to 1. */
uint32_t
esme_seq(struct esme *e)
{
	uint32_t	 seq = e->next_seq;

	if (seq == 0 || seq > ESME_SEQ_MAX)
		seq = 1;
	e->next_seq = seq == ESME_SEQ_MAX ? 1 : seq + 1;
	return seq;
}

/* Room for n more octets of output, dropping what was written. */
static uint8_t *
esme_room(struct esme *e, size_t n)
{
	if (e->outoff > 0) {
		if (e->outoff < e->out.len)
			memmove(e->out.data, e->out.data + e->outoff,
			    e->out.len - e->outoff);
		e->out.len -= e->outoff;
		e->outoff = 0;
	}
	if (buf_reserve(&e->out, n) == -1)
		return NULL;
	return e->out.data + e->out.len;
}

/* Account for n octets just written at the end of the output. */
static void
esme_queued(struct esme *e, size_t n)
{
	uint8_t	*pdu = e->out.data + e->out.len;

	e->out.len += n;
	e->out.data[e->out.len] = '\0';
	if (e->trace != NULL)
		e->trace(e->trace_arg, ESME_TRACE_OUT, pdu, n);
}

int
esme_queue(struct esme *e, struct pdu *p)
{
	uint8_t	*dst;
	size_t	 n;

	if (p->sequence_number == 0)
		p->sequence_number = esme_seq(e);
	if ((n = pdu_encoded_len(p)) == 0)
		return esme_fail(e, ESME_FAIL_NOMEM, "cannot encode %s",
		    pdu_command_name(p->command_id));
	if ((dst = esme_room(e, n)) == NULL)
		return esme_fail(e, ESME_FAIL_NOMEM, "out of memory");
	if (pdu_encode(p, dst, n) != (int)n)
		return esme_fail(e, ESME_FAIL_NOMEM, "cannot encode %s",
		    pdu_command_name(p->command_id));
	esme_queued(e, n);
	return 0;
}

int
esme_queue_resp(struct esme *e, uint32_t cmd, uint32_t status, uint32_t seq)
{
	uint8_t	 tmp[64];
	int	 n;

	n = pdu_encode_resp(cmd, status, seq, tmp, sizeof(tmp));
	if (n <= 0)
		return esme_fail(e, ESME_FAIL_NOMEM, "cannot encode %s",
		    pdu_command_name(cmd | SMPP_RESP_BIT));
	return esme_queue_raw(e, tmp, (size_t)n, 0);
}

int
esme_queue_raw(struct esme *e, const uint8_t *pdu, size_t len, uint32_t seq)
{
	uint8_t	*dst;

	if (len < PDU_HEADER_LEN)
		return esme_fail(e, ESME_FAIL_NOMEM, "short PDU");
	if ((dst = esme_room(e, len)) == NULL)
		return esme_fail(e, ESME_FAIL_NOMEM, "out of memory");
	memcpy(dst, pdu, len);
	if (seq != 0) {
		dst[12] = seq >> 24;
		dst[13] = seq >> 16 & 0xff;
		dst[14] = seq >> 8 & 0xff;
		dst[15] = seq & 0xff;
	}
	esme_queued(e, len);
	return 0;
}

size_t
esme_pending(const struct esme *e)
{
	return e->out.len - e->outoff;
}

/* send(2) without SIGPIPE; write(2) for what is not a socket. */
static ssize_t
esme_send(int fd, const uint8_t *p, size_t n)
{
	ssize_t	 r;

	r = send(fd, p, n, MSG_NOSIGNAL);
	if (r == -1 && errno == ENOTSOCK)
		r = write(fd, p, n);
	return r;
}

int
esme_flush(struct esme *e)
{
	ssize_t	 n;

	if (e->fd == -1)
		return esme_fail(e, ESME_FAIL_IO, "not connected");
	while (e->outoff < e->out.len) {
		n = esme_send(e->fd, e->out.data + e->outoff,
		    e->out.len - e->outoff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return esme_fail(e, errno == EPIPE ||
			    errno == ECONNRESET ? ESME_FAIL_CLOSED :
			    ESME_FAIL_IO, "write: %s", strerror(errno));
		}
		e->outoff += (size_t)n;
	}
	e->outoff = 0;
	buf_reset(&e->out);
	return 0;
}

/* Free room for one large read: move the unread tail down, or grow. */
static int
esme_in_room(struct esme *e)
{
	size_t	 cap;
	uint8_t	*p;

	if (e->taken > 0) {
		if (e->taken < e->inlen)
			memmove(e->in, e->in + e->taken, e->inlen - e->taken);
		e->inlen -= e->taken;
		e->taken = 0;
	}
	if (e->incap - e->inlen >= ESME_READ_MIN)
		return 0;
	cap = e->incap ? e->incap * 2 : ESME_READ_MIN;
	while (cap - e->inlen < ESME_READ_MIN)
		cap *= 2;
	if ((p = realloc(e->in, cap)) == NULL)
		return -1;
	e->in = p;
	e->incap = cap;
	return 0;
}

int
esme_read(struct esme *e)
{
	ssize_t	 n;

	if (e->fd == -1)
		return esme_fail(e, ESME_FAIL_IO, "not connected");
	if (esme_in_room(e) == -1)
		return esme_fail(e, ESME_FAIL_NOMEM, "out of memory");
	for (;;) {
		n = read(e->fd, e->in + e->inlen, e->incap - e->inlen);
		if (n > 0) {
			e->inlen += (size_t)n;
			return (int)n;
		}
		if (n == 0)
			return esme_fail(e, ESME_FAIL_CLOSED,
			    "connection closed by peer");
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return esme_fail(e, errno == ECONNRESET ? ESME_FAIL_CLOSED :
		    ESME_FAIL_IO, "read: %s", strerror(errno));
	}
}

int
esme_next(struct esme *e, struct pdu *p, uint32_t *status)
{
	struct pdu_hdr	 h;
	const uint8_t	*raw;
	size_t		 avail = e->inlen - e->taken;

	/* Before the first read e->in is NULL, and NULL + 0 is undefined. */
	if (avail < PDU_HEADER_LEN)
		return 0;
	raw = e->in + e->taken;
	if (pdu_header(raw, avail, &h, e->max_pdu) != ESME_ROK)
		return esme_fail(e, ESME_FAIL_PROTO,
		    "command_length %u out of range: stream lost",
		    h.command_length);
	if (avail < h.command_length)
		return 0;
	if (e->trace != NULL)
		e->trace(e->trace_arg, ESME_TRACE_IN, raw, h.command_length);
	*status = pdu_decode(raw, h.command_length, p);
	e->taken += h.command_length;
	if (e->taken == e->inlen)
		e->inlen = e->taken = 0;
	return 1;
}

int
esme_want(const struct esme *e)
{
	return e->outoff < e->out.len ? POLLIN | POLLOUT : POLLIN;
}

int
esme_wait(struct esme *e, int timeout_ms)
{
	struct pollfd	 pfd;
	int		 n;

	if (e->fd == -1)
		return esme_fail(e, ESME_FAIL_IO, "not connected");
	pfd.fd = e->fd;
	pfd.events = esme_want(e);
	pfd.revents = 0;
	if ((n = poll(&pfd, 1, timeout_ms)) == -1) {
		if (errno == EINTR)
			return 0;
		return esme_fail(e, ESME_FAIL_IO, "poll: %s",
		    strerror(errno));
	}
	if (n == 0)
		return 0;
	if ((pfd.revents & POLLOUT) && esme_flush(e) == -1)
		return -1;
	if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) &&
	    esme_read(e) == -1)
		return -1;
	return 1;
}

/*
 * What a session does with a PDU of the peer that nobody else takes: a
 * malformed request gets its status, an unknown command generic_nack,
 * enquire_link and any other request their response with status 0 (so
 * that receipts are not redelivered forever), unbind its response and
 * the end; responses and requests without one (alert_notification)
 * are dropped.
 */
int
esme_default(struct esme *e, const struct pdu *p, uint32_t st)
{
	uint32_t	 cmd = p->command_id;

	if (SMPP_IS_RESP(cmd))
		return 0;
	if (!pdu_known_command(cmd))
		return esme_queue_resp(e, SMPP_GENERIC_NACK,
		    st != ESME_ROK ? st : ESME_RINVCMDID, p->sequence_number);
	if (!pdu_known_command(cmd | SMPP_RESP_BIT))
		return 0;	/* outbind, alert_notification */
	if (esme_queue_resp(e, cmd, st, p->sequence_number) == -1)
		return -1;
	if (cmd == SMPP_UNBIND && st == ESME_ROK) {
		esme_flush(e);
		return esme_fail(e, ESME_FAIL_CLOSED, "unbound by peer");
	}
	return 0;
}

/*
 * One PDU taken while waiting for seq: 1 it is the answer, 0 it was
 * dealt with, -1 the session ends (the peer unbound).
 */
static int
esme_dispatch(struct esme *e, const struct pdu *p, uint32_t st,
    uint32_t seq, esme_other_fn other, void *arg)
{
	if (p->sequence_number == seq && SMPP_IS_RESP(p->command_id))
		return 1;
	/* Malformed PDUs and enquire_link never reach the caller. */
	if (other != NULL && st == ESME_ROK &&
	    p->command_id != SMPP_ENQUIRE_LINK) {
		other(e, p, arg);
		return 0;
	}
	return esme_default(e, p, st) == -1 ? -1 : 0;
}

int
esme_transact(struct esme *e, struct pdu *req, struct pdu *resp,
    int timeout_ms, esme_other_fn other, void *arg)
{
	long long	 deadline;
	uint32_t	 seq, st;
	int		 rc, dead = 0;

	if (e->fd == -1)
		return esme_fail(e, ESME_FAIL_IO, "not connected");
	if (esme_queue(e, req) == -1)
		return -1;
	seq = req->sequence_number;
	deadline = clock_mono_ms() + timeout_ms;
	for (;;) {
		while ((rc = esme_next(e, resp, &st)) == 1) {
			rc = esme_dispatch(e, resp, st, seq, other, arg);
			if (rc == 1 && (st == ESME_ROK ||
			    resp->command_id == SMPP_GENERIC_NACK))
				return 0;
			pdu_free(resp);
			if (rc == -1)
				return -1;
			if (rc == 1)
				return esme_fail(e, ESME_FAIL_PROTO,
				    "malformed %s: %s",
				    pdu_command_name(resp->command_id),
				    pdu_status_name(st));
		}
		if (rc == -1 || dead)
			return -1;
		if (esme_pending(e) > 0 && esme_flush(e) == -1)
			return -1;
		if ((rc = (int)(deadline - clock_mono_ms())) <= 0)
			return esme_fail(e, ESME_FAIL_TIMEOUT,
			    "no %s within %d ms",
			    pdu_command_name(req->command_id | SMPP_RESP_BIT),
			    timeout_ms);
		if (esme_wait(e, rc) == -1)
			dead = 1;	/* but take what was read before */
	}
}

int
esme_bind(struct esme *e, uint32_t cmd, const char *system_id,
    const char *password, const char *system_type, int timeout_ms,
    uint32_t *status)
{
	struct pdu	 req, resp;

	pdu_init(&req, cmd, 0);
	req.system_id = system_id;
	req.password = password;
	req.system_type = system_type;
	req.interface_version = 0x34;
	if (esme_transact(e, &req, &resp, timeout_ms, NULL, NULL) == -1)
		return -1;
	*status = resp.command_status;
	return 0;
}

int
esme_unbind(struct esme *e, int timeout_ms)
{
	struct pdu	 req, resp;

	pdu_init(&req, SMPP_UNBIND, 0);
	if (esme_transact(e, &req, &resp, timeout_ms, NULL, NULL) == -1)
		return -1;
	if (resp.command_id != SMPP_UNBIND_RESP)
		return esme_fail(e, ESME_FAIL_PROTO, "unbind answered by %s",
		    pdu_command_name(resp.command_id));
	return 0;
}
