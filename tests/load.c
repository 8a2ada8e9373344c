/*
 * load.c - a load generator for the integration tests
 *
 * SYNOPSIS
 *	load_run(load)		load_print(load, label)
 *
 * DESCRIPTION
 *	load_run() binds load->binds transceivers, keeps up to
 *	load->window submit_sm outstanding on each until load->total are
 *	sent, answers every deliver_sm at once, and stops when every
 *	acknowledged message has a receipt (with registered_delivery 1)
 *	and then load->grace_ms more passed (default 1000, < 0 none), so
 *	that late duplicates are counted too, or when load->receipt_ms
 *	passed without progress after the last ack.
 *	Receipts are matched by receipted_message_id; a receipt's latency
 *	is from the submit_sm of its message to the receipt's arrival.
 *	A receipt for an id that was never acknowledged is unknown, not
 *	distinct, however many come.
 *	One thread and one poll(2) over non-blocking sockets, so that a
 *	server writing deliver_sm never waits for the generator.
 *
 *	With load->reconnect a bind that the server closed (its process
 *	killed) connects and binds again, every RECONNECT_MS until it
 *	can; its submit_sm still unanswered are counted unsent and sent
 *	again, so that load->total are acknowledged in the end.
 *	LOAD_DUPS in the environment prints each duplicate receipt's id
 *	and time to stderr.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "load.h"
#include "pdu.h"

#define SLOT_MAX	1024

struct lconn {
	int		 fd;
	uint8_t		 in[256 * 1024];
	size_t		 inlen;
	uint8_t		*out;
	size_t		 outlen;
	size_t		 outcap;
	int		 outstanding;
	uint32_t	 seq;
	int64_t		 sent_at[SLOT_MAX];	/* by seq */
	int		 bound;
	int64_t		 retry_at;	/* closed: connect again then */
};

struct entry {
	char		 id[PDU_MESSAGE_ID_MAX];
	int64_t		 t;		/* submit_sm sent */
	int		 count;		/* receipts */
	int		 acked;		/* its submit_sm_resp came */
};

static struct entry	*tab;
static size_t		 tabmask;
static double		*lat;
static int		 nlat;
static int64_t		 t_start, t_lastack, t_lastrcpt, t_all;

#define GRACE_MS	1000
#define RECONNECT_MS	50

static int64_t
mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t
hash(const char *s)
{
	size_t	 h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct entry *
lookup(const char *id, int add)
{
	size_t	 i = hash(id) & tabmask;

	while (tab[i].id[0] != '\0') {
		if (strcmp(tab[i].id, id) == 0)
			return &tab[i];
		i = (i + 1) & tabmask;
	}
	if (!add)
		return NULL;
	strlcpy(tab[i].id, id, sizeof(tab[i].id));
	return &tab[i];
}

static void
queue(struct lconn *c, struct pdu *p)
{
	size_t	 n = pdu_encoded_len(p);

	if (c->outlen + n > c->outcap) {
		c->outcap = (c->outlen + n) * 2;
		c->out = realloc(c->out, c->outcap);
		ck_assert_ptr_nonnull(c->out);
	}
	ck_assert_int_eq(pdu_encode(p, c->out + c->outlen, n), (int)n);
	c->outlen += n;
}

static void
queue_resp(struct lconn *c, uint32_t cmd, uint32_t seq)
{
	uint8_t	 buf[32];
	int	 n;

	n = pdu_encode_resp(cmd | SMPP_RESP_BIT, ESME_ROK, seq, buf,
	    sizeof(buf));
	ck_assert_int_gt(n, 0);
	if (c->outlen + (size_t)n > c->outcap) {
		c->outcap = (c->outlen + (size_t)n) * 2 + 4096;
		c->out = realloc(c->out, c->outcap);
		ck_assert_ptr_nonnull(c->out);
	}
	memcpy(c->out + c->outlen, buf, (size_t)n);
	c->outlen += (size_t)n;
}

static void
connect_bind(struct lconn *c, const struct load *l)
{
	struct sockaddr_in	 sin;
	struct pdu		 p;
	int			 on = 1;

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(l->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		ck_assert_msg(l->reconnect, "connect: %s", strerror(errno));
		close(c->fd);
		c->fd = -1;
		c->retry_at = mono_us() + RECONNECT_MS * 1000;
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	c->seq = 1;
	pdu_init(&p, SMPP_BIND_TRANSCEIVER, c->seq++);
	p.system_id = l->user;
	p.password = l->password;
	p.interface_version = 0x34;
	queue(c, &p);
}

/* The server closed c: its unanswered submit_sm go out again. */
static void
lost_bind(struct lconn *c, struct load *l)
{
	ck_assert_msg(l->reconnect, "server closed");
	close(c->fd);
	c->fd = -1;
	c->bound = 0;
	l->sent -= c->outstanding;
	c->outstanding = 0;
	c->inlen = c->outlen = 0;
	c->retry_at = mono_us() + RECONNECT_MS * 1000;
	l->reconnects++;
}

static void
submit(struct lconn *c, struct load *l)
{
	struct pdu	 p;
	uint32_t	 seq = c->seq++;

	pdu_init(&p, SMPP_SUBMIT_SM, seq);
	p.source_addr = "LOAD";
	p.destination_addr = l->dest;
	p.registered_delivery = l->registered_delivery;
	p.short_message = (const uint8_t *)"load test message";
	p.sm_length = 17;
	queue(c, &p);
	c->sent_at[seq % SLOT_MAX] = mono_us();
	c->outstanding++;
	l->sent++;
}

static void
on_receipt(struct load *l, const struct pdu *p)
{
	struct entry	*e;
	char		 id[PDU_MESSAGE_ID_MAX];
	int64_t		 now = mono_us();

	l->receipts++;
	if (pdu_tlv_str(p, TLV_RECEIPTED_MESSAGE_ID, id, sizeof(id)) < 0) {
		l->unknown++;
		return;
	}
	/*
	 * On another transceiver the receipt may be read before the
	 * submit_sm_resp of its message: count it, without a latency.
	 */
	e = lookup(id, 1);
	if (e->count++ > 0) {
		l->dups++;
		if (getenv("LOAD_DUPS") != NULL)
			fprintf(stderr, "dup %s %.3f\n", id,
			    (double)(now - t_start) / 1e6);
		return;
	}
	l->distinct++;
	if (e->t != 0)
		lat[nlat++] = (double)(now - e->t) / 1000.0;
	t_lastrcpt = now;
}

static void
on_pdu(struct lconn *c, struct load *l, const uint8_t *buf, size_t len)
{
	struct pdu	 p;
	struct entry	*e;

	ck_assert_uint_eq(pdu_decode(buf, len, &p), ESME_ROK);
	switch (p.command_id) {
	case SMPP_BIND_TRANSCEIVER_RESP:
		if (p.command_status != ESME_ROK && l->reconnect) {
			lost_bind(c, l);
			break;
		}
		ck_assert_uint_eq(p.command_status, ESME_ROK);
		c->bound = 1;
		break;
	case SMPP_SUBMIT_SM_RESP:
		c->outstanding--;
		if (p.command_status == ESME_RINVBNDSTS && l->reconnect) {
			l->sent--;	/* refused while unbinding: again */
			break;
		}
		if (p.command_status != ESME_ROK) {
			l->rejected++;
			break;
		}
		e = lookup(p.message_id, 1);
		if (e->count == 0)
			e->t = c->sent_at[p.sequence_number % SLOT_MAX];
		e->acked = 1;
		l->acked++;
		t_lastack = mono_us();
		if (l->hook != NULL)
			l->hook(l, l->acked);
		break;
	case SMPP_DELIVER_SM:
		queue_resp(c, SMPP_DELIVER_SM, p.sequence_number);
		on_receipt(l, &p);
		break;
	case SMPP_ENQUIRE_LINK:
		queue_resp(c, SMPP_ENQUIRE_LINK, p.sequence_number);
		break;
	case SMPP_UNBIND:
		/* Answered; no more submits; the server's close follows. */
		queue_resp(c, SMPP_UNBIND, p.sequence_number);
		c->bound = 0;
		break;
	default:
		break;
	}
	pdu_free(&p);
}

static void
do_read(struct lconn *c, struct load *l)
{
	size_t	 off = 0;
	uint32_t len;
	ssize_t	 n;

	n = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		lost_bind(c, l);
		return;
	}
	c->inlen += (size_t)n;
	while (c->fd != -1 && c->inlen - off >= 16) {
		len = (uint32_t)c->in[off] << 24 | c->in[off + 1] << 16 |
		    c->in[off + 2] << 8 | c->in[off + 3];
		ck_assert_uint_ge(len, 16);
		ck_assert_uint_le(len, sizeof(c->in));
		if (c->inlen - off < len)
			break;
		on_pdu(c, l, c->in + off, len);
		off += len;
	}
	if (c->fd == -1)
		return;
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

static void
do_write(struct lconn *c, struct load *l)
{
	ssize_t	 n;

	n = write(c->fd, c->out, c->outlen);
	if (n == -1 && errno != EAGAIN && errno != EINTR && l->reconnect)
		lost_bind(c, l);
	if (n <= 0)
		return;
	memmove(c->out, c->out + n, c->outlen - (size_t)n);
	c->outlen -= (size_t)n;
}

static int
cmpd(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
results(struct load *l)
{
	l->submit_s = (double)(t_lastack - t_start) / 1e6;
	l->receipt_s = nlat > 0 ? (double)(t_lastrcpt - t_start) / 1e6 : 0;
	if (nlat == 0)
		return;
	qsort(lat, (size_t)nlat, sizeof(*lat), cmpd);
	l->lat_p50_ms = lat[nlat / 2];
	l->lat_p99_ms = lat[(size_t)((double)nlat * 0.99) < (size_t)nlat ?
	    (size_t)((double)nlat * 0.99) : (size_t)nlat - 1];
	l->lat_max_ms = lat[nlat - 1];
}

/* Receipts for ids never acknowledged are unknown, not distinct. */
static void
unknowns(struct load *l)
{
	size_t	 i;

	for (i = 0; i <= tabmask; i++)
		if (tab[i].id[0] != '\0' && tab[i].count > 0 && !tab[i].acked) {
			l->unknown += tab[i].count;
			l->distinct--;
			l->dups -= tab[i].count - 1;
		} else if (tab[i].acked && tab[i].count == 0)
			l->lost++;
}

static int
finished(const struct load *l, int64_t now)
{
	int	 want = l->registered_delivery ? l->acked : 0;

	if (l->acked + l->rejected < l->total)
		return 0;
	if (l->distinct >= want && want == 0 && l->receipt_ms == 0)
		return 1;
	if (l->distinct >= want && want > 0) {
		/* All there: read on a while for late duplicates. */
		if (t_all == 0)
			t_all = now;
		return now - t_all >= (int64_t)(l->grace_ms == 0 ? GRACE_MS :
		    l->grace_ms < 0 ? 0 : l->grace_ms) * 1000;
	}
	return now - (t_lastrcpt > t_lastack ? t_lastrcpt : t_lastack) >
	    (int64_t)l->receipt_ms * 1000;
}

/* Whether the rate allows another submit_sm now. */
static int
allowed(const struct load *l)
{
	if (l->rate <= 0)
		return 1;
	return (double)l->sent < (double)(mono_us() - t_start) / 1e6 *
	    l->rate + l->binds;
}

int
load_run(struct load *l)
{
	struct lconn	*c;
	struct pollfd	*pfd;
	size_t		 size = 1;
	int		 i;

	while (size < (size_t)l->total * 2)
		size <<= 1;
	tab = calloc(size, sizeof(*tab));
	lat = calloc((size_t)l->total + 1, sizeof(*lat));
	c = calloc((size_t)l->binds, sizeof(*c));
	pfd = calloc((size_t)l->binds, sizeof(*pfd));
	ck_assert(tab && lat && c && pfd);
	tabmask = size - 1;
	nlat = 0;
	for (i = 0; i < l->binds; i++)
		connect_bind(&c[i], l);
	t_start = t_lastack = t_lastrcpt = mono_us();
	t_all = 0;
	while (!finished(l, mono_us())) {
		if (l->tick != NULL)
			l->tick(l);
		for (i = 0; i < l->binds; i++) {
			if (c[i].fd == -1 && mono_us() >= c[i].retry_at)
				connect_bind(&c[i], l);
			while (c[i].bound && c[i].outstanding < l->window &&
			    l->sent < l->total && allowed(l))
				submit(&c[i], l);
			pfd[i].fd = c[i].fd;
			pfd[i].events = POLLIN | (c[i].outlen ? POLLOUT : 0);
		}
		if (poll(pfd, (nfds_t)l->binds, l->rate || l->reconnect ? 1 :
		    100) <= 0)
			continue;
		for (i = 0; i < l->binds; i++) {
			if (c[i].fd != -1 && pfd[i].revents & POLLOUT)
				do_write(&c[i], l);
			if (c[i].fd != -1 &&
			    pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				do_read(&c[i], l);
		}
	}
	unknowns(l);
	results(l);
	for (i = 0; i < l->binds; i++) {
		if (c[i].fd != -1)
			close(c[i].fd);
		free(c[i].out);
	}
	free(c);
	free(pfd);
	free(tab);
	free(lat);
	return 0;
}

void
load_print(const struct load *l, const char *label)
{
	fprintf(stderr, "%s: %d binds x window %d: %d acked in %.2fs "
	    "(%.0f/s); %d receipts (%d distinct, %d dups, %d unknown, "
	    "%d lost) in %.2fs (%.0f/s); latency p50 %.1f ms p99 %.1f ms "
	    "max %.1f ms\n",
	    label, l->binds, l->window, l->acked, l->submit_s,
	    l->submit_s > 0 ? l->acked / l->submit_s : 0, l->receipts,
	    l->distinct, l->dups, l->unknown, l->lost, l->receipt_s,
	    l->receipt_s > 0 ? l->distinct / l->receipt_s : 0,
	    l->lat_p50_ms, l->lat_p99_ms, l->lat_max_ms);
}
