/*
 * ledger.c - live counters of the accounts in a file of fixed slots
 *
 * SYNOPSIS
 *	ledger_open(l, path, oflags)	ledger_close(l)
 *	ledger_slot_alloc(l, system_id, &slot)
 *	ledger_slot_free(l, slot, system_id)
 *	ledger_read(l, slot, &entry)
 *	ledger_charge(l, slot, system_id, parts, rate, throughput, flags,
 *	    now_us)
 *	ledger_refund(l, slot, system_id, parts, rate, flags)
 *	ledger_bill(l, slot, system_id, &bill)	ledger_flush(l)
 *	ledger_hold(l, slot, system_id)	ledger_release(l)
 *	ledger_advance(l, slot, system_id, end, ino, fid)
 *	ledger_op_key(msgid, dest, kind, amount)
 *	ledger_credit(l, slot, system_id, delta)
 *	ledger_set(l, slot, system_id, balance, count)
 *	money_parse(s, &micro)		money_format(buf, len, micro)
 *	ledger_error()
 *
 * DESCRIPTION
 *	The file is a 128-octet header (magic, version, slot size and a
 *	byte-order mark) followed by 128-octet slots, so that a slot never
 *	straddles a disk sector.  Slot N starts at 128 * (N + 1).  A slot
 *	holds the system_id it belongs to (NUL-filled when free), the
 *	balance in micro-units, the submit_sm_count left, the throughput
 *	token bucket and the parts billed.
 *
 *	Every change of a slot is: F_SETLKW write lock of the slot's byte
 *	range, pread, compute, pwrite of the whole slot when the result is
 *	LEDGER_OK, unlock.  A refusal writes nothing.  The slot's
 *	system_id is checked on every access, so a caller holding a stale
 *	slot number gets LEDGER_ERR instead of charging another account.
 *	Only ledger_slot_alloc() locks the whole file, to find a free slot
 *	without racing another allocator.
 *
 *	ledger_hold() takes the slot's lock and reads it, and keeps both
 *	until ledger_release(): a smppd child holds its account's slot over
 *	one turn of its loop, so that the turn's charges cost two fcntl,
 *	one pread and one pwrite in all, where each cost the four (and ten
 *	children of one account queued on the lock forty thousand times a
 *	second).  Each charge is still decided on the slot as the ones
 *	before it left it.  Charges with a billing line are not held (the
 *	line comes first, below).  POSIX locks belong to the process, and
 *	any unlock drops them: so ledger_lock() writes and releases a hold
 *	before it takes any other lock, and ledger_close() does too.
 *
 *	The token bucket holds up to `throughput` tokens (one second's
 *	worth) in micro-tokens and refills at `throughput` tokens per
 *	second, computed from the time of the last charge; a charge takes
 *	one token per submit_sm whatever its parts.  A slot never used
 *	starts full; a clock that went back refills it.
 *
 *	ledger_bill() is a charge at submit, a later charge or a refund,
 *	with its billing log line written in the same step, before the
 *	change (ledger.h); ledger_advance() moves an account's base after
 *	a sync of the log (ledger_recover.c);
 *	ledger_charge() and ledger_refund() are its short forms with a
 *	flat rate and no line.
 *
 *	"charged" counts parts billed less parts refunded, so that
 *	balance = start - charged * rate holds for an account with one
 *	rate and no credits: the tests rely on it.
 *
 * DIAGNOSTICS
 *	LEDGER_ERR with ledger_error() naming the file, the slot and the
 *	reason; errno is kept from the failing call.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "billlog.h"
#include "clock.h"
#include "compat.h"
#include "ledger.h"
#include "ledger_local.h"
#include "spool.h"

#define LEDGER_MAGIC	"SMPPLDG\n"
#define LEDGER_VERSION	1
#define LEDGER_BOM	0x01020304U
#define LEDGER_SCAN	64	/* slots read at once by the allocator */
#define MICRO_TOKENS	1000000LL
#define BASE_MAGIC	"SMPPLDB\n"
#define BASE_SUFFIX	".base"

struct ledger_head {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 slot_size;
	uint32_t	 bom;
	uint8_t		 pad[LEDGER_HEAD - 20];
};

_Static_assert(sizeof(struct ledger_head) == LEDGER_HEAD, "ledger head");
_Static_assert(sizeof(struct ledger_slot) == LEDGER_SLOT, "ledger slot");
_Static_assert(sizeof(struct ledger_base) == LEDGER_SLOT, "ledger base");
_Static_assert(sizeof(struct ledger_base_head) == LEDGER_HEAD, "base head");

struct ledger_set_arg {
	int64_t		 balance;
	int64_t		 count;
};

typedef int (*ledger_fn)(struct ledger_slot *, const void *);

static char	 ledger_errbuf[512];

void
ledger_seterr(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(ledger_errbuf, sizeof(ledger_errbuf), fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *
ledger_error(void)
{
	return ledger_errbuf;
}

off_t
ledger_offset(uint32_t slot)
{
	return (off_t)LEDGER_HEAD + (off_t)slot * LEDGER_SLOT;
}

/* Lock (F_RDLCK, F_WRLCK) or unlock (F_UNLCK) a byte range; 0 = to EOF. */
int
ledger_lock_fd(int fd, short type, off_t start, off_t len)
{
	struct flock	 fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	while (fcntl(fd, type == F_UNLCK ? F_SETLK : F_SETLKW, &fl) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
ledger_lock(struct ledger *l, short type, off_t start, off_t len)
{
	/*
	 * POSIX locks are the process's and any unlock drops them: a hold
	 * (ledger_hold()) is written and ends before any other lock.
	 */
	if (type != F_UNLCK && ledger_release(l) == -1)
		return -1;
	if (ledger_lock_fd(l->fd, type, start, len) == -1) {
		ledger_seterr("%s: lock: %s", l->path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ledger_pread(struct ledger *l, void *p, size_t len, off_t off)
{
	ssize_t	 n;

	while ((n = pread(l->fd, p, len, off)) == -1 && errno == EINTR)
		;
	if (n == -1) {
		ledger_seterr("%s: read: %s", l->path, strerror(errno));
		return -1;
	}
	return (int)n;
}

int
ledger_pwrite(struct ledger *l, const void *p, size_t len, off_t off)
{
	ssize_t	 n;

	while ((n = pwrite(l->fd, p, len, off)) == -1 && errno == EINTR)
		;
	if (n == -1 || (size_t)n != len) {
		ledger_seterr("%s: write: %s", l->path,
		    n == -1 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/* which: 0 the ledger, 1 its base file (when there is one). */
int
ledger_fsync(struct ledger *l, int which)
{
	int	 fd = which ? l->bfd : l->fd;

	if (fd == -1)
		return 0;
#ifdef HAVE_FDATASYNC
	if (fdatasync(fd) == 0)
		return 0;
#else
	if (fsync(fd) == 0)
		return 0;
#endif
	ledger_seterr("%s%s: sync: %s", l->path, which ? BASE_SUFFIX : "",
	    strerror(errno));
	return -1;
}

static int
ledger_sync(struct ledger *l)
{
	return ledger_fsync(l, 0);
}

static int
ledger_head_check(struct ledger *l)
{
	struct ledger_head	 h;
	int			 n;

	if ((n = ledger_pread(l, &h, sizeof(h), 0)) == -1)
		return -1;
	errno = EINVAL;		/* for every refusal below */
	if (n != (int)sizeof(h)) {
		ledger_seterr("%s: not a ledger (short header)", l->path);
		return -1;
	}
	if (memcmp(h.magic, LEDGER_MAGIC, sizeof(h.magic)) != 0) {
		ledger_seterr("%s: not a ledger (bad magic)", l->path);
		return -1;
	}
	if (h.bom != LEDGER_BOM) {
		ledger_seterr("%s: written on a host of another byte order",
		    l->path);
		return -1;
	}
	if (h.version != LEDGER_VERSION || h.slot_size != LEDGER_SLOT) {
		ledger_seterr("%s: ledger has format version %" PRIu32
		    ", this program reads %d", l->path, h.version,
		    LEDGER_VERSION);
		return -1;
	}
	return 0;
}

static int
ledger_head_init(struct ledger *l)
{
	struct ledger_head	 h;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, LEDGER_MAGIC, sizeof(h.magic));
	h.version = LEDGER_VERSION;
	h.slot_size = LEDGER_SLOT;
	h.bom = LEDGER_BOM;
	if (ledger_pwrite(l, &h, sizeof(h), 0) == -1)
		return -1;
	return ledger_sync(l);
}

/*
 * Under a lock of the header's range: write the header of a new file, or
 * check it.  Only the header: every smppd child opens the ledger at its
 * bind, and charges on the slots must not wait for that.
 */
static int
ledger_prepare(struct ledger *l, int writable)
{
	struct stat	 st;
	int		 r;

	if (ledger_lock(l, writable ? F_WRLCK : F_RDLCK, 0, LEDGER_HEAD) == -1)
		return -1;
	if (fstat(l->fd, &st) == -1) {
		ledger_seterr("%s: %s", l->path, strerror(errno));
		r = -1;
	} else if (st.st_size == 0 && writable) {
		r = ledger_head_init(l);
		if (r == 0 && spool_durable_parent(l->path) == -1) {
			ledger_seterr("%s: sync of its folder: %s", l->path,
			    strerror(errno));
			r = -1;
		}
	}
	else
		r = ledger_head_check(l);
	if (ledger_lock(l, F_UNLCK, 0, LEDGER_HEAD) == -1)
		r = -1;
	return r;
}

/*
 * The base file beside a writable ledger, made when missing; without
 * it (it cannot be made) the ledger works but cannot be recovered
 * after a power cut (ledger_recover.c).
 */
static void
base_open(struct ledger *l)
{
	struct ledger_base_head	 h;
	struct stat		 st;
	char			 path[sizeof(l->path) + 8];
	int			 fd, ok = 0;

	snprintf(path, sizeof(path), "%s%s", l->path, BASE_SUFFIX);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return;
	if (ledger_lock_fd(fd, F_WRLCK, 0, LEDGER_HEAD) == -1 ||
	    fstat(fd, &st) == -1)
		goto out;
	if (st.st_size == 0) {
		memset(&h, 0, sizeof(h));
		memcpy(h.magic, BASE_MAGIC, sizeof(h.magic));
		h.version = LEDGER_VERSION;
		h.bom = LEDGER_BOM;
		ok = pwrite(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		    fsync(fd) == 0 && spool_durable_parent(path) == 0;
	} else
		ok = pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		    memcmp(h.magic, BASE_MAGIC, sizeof(h.magic)) == 0 &&
		    h.bom == LEDGER_BOM;
 out:
	(void)ledger_lock_fd(fd, F_UNLCK, 0, LEDGER_HEAD);
	if (ok)
		l->bfd = fd;
	else
		close(fd);
}

int
ledger_open(struct ledger *l, const char *path, int oflags)
{
	l->fd = -1;
	l->bfd = -1;
	l->holding = l->dirty = 0;
	l->held = NULL;
	if (strlcpy(l->path, path, sizeof(l->path)) >= sizeof(l->path)) {
		errno = ENAMETOOLONG;
		ledger_seterr("%.64s...: path too long", path);
		return LEDGER_ERR;
	}
	if ((l->fd = open(path, oflags | O_CLOEXEC, 0600)) == -1) {
		ledger_seterr("%s: %s", path, strerror(errno));
		return LEDGER_ERR;
	}
	if (ledger_prepare(l, (oflags & O_ACCMODE) != O_RDONLY) == -1) {
		ledger_close(l);
		return LEDGER_ERR;
	}
	if ((oflags & O_ACCMODE) != O_RDONLY)
		base_open(l);
	return LEDGER_OK;
}

void
ledger_close(struct ledger *l)
{
	int	 saved = errno;

	/* What a hold charged is written: the caller may commit it yet. */
	(void)ledger_release(l);
	free(l->held);
	l->held = NULL;
	if (l->fd != -1) {
		close(l->fd);
		if (l->bfd != -1)
			close(l->bfd);
	}
	l->fd = -1;
	l->bfd = -1;
	errno = saved;
}

int
ledger_slot_get(struct ledger *l, uint32_t slot, struct ledger_slot *s)
{
	int	 n;

	if ((n = ledger_pread(l, s, sizeof(*s), ledger_offset(slot))) == -1)
		return -1;
	if (n != (int)sizeof(*s)) {
		errno = EINVAL;
		ledger_seterr("%s: slot %" PRIu32 " does not exist", l->path,
		    slot);
		return -1;
	}
	s->system_id[sizeof(s->system_id) - 1] = '\0';
	return 0;
}

/*
 * Lock the slot and read it, checking that it is the account's; -1 with
 * the slot unlocked when it cannot be.
 */
static int
ledger_slot_take(struct ledger *l, uint32_t slot, const char *system_id,
    struct ledger_slot *s)
{
	off_t	 off = ledger_offset(slot);

	if (ledger_lock(l, F_WRLCK, off, LEDGER_SLOT) == -1)
		return -1;
	if (ledger_slot_get(l, slot, s) == -1)
		goto fail;
	if (strncmp(s->system_id, system_id, sizeof(s->system_id)) != 0) {
		errno = EINVAL;
		ledger_seterr("%s: slot %" PRIu32 " belongs to \"%s\", not "
		    "to %s", l->path, slot, s->system_id, system_id);
		goto fail;
	}
	return 0;
 fail:
	(void)ledger_lock(l, F_UNLCK, off, LEDGER_SLOT);
	return -1;
}

/* An administrative change of v by old -> new, made to its base b too. */
static void
follow(int64_t *b, int64_t old, int64_t new)
{
	if (new == LEDGER_UNLIMITED || old == LEDGER_UNLIMITED ||
	    *b == LEDGER_UNLIMITED)
		*b = new;	/* lines since the base did not count */
	else
		*b += new - old;
}

/*
 * A credit, a set, a free: the base moves by the same change (the
 * lines after it stay what they were), synced like the slot.  A slot
 * freed frees its base.
 */
static int
base_follow(struct ledger *l, uint32_t slot, const struct ledger_slot *old,
    const struct ledger_slot *new)
{
	struct ledger_base	 b;
	ssize_t			 n;

	if (l->bfd == -1)
		return 0;
	n = pread(l->bfd, &b, sizeof(b), ledger_offset(slot));
	if (n != (ssize_t)sizeof(b) || strncmp(b.system_id, old->system_id,
	    sizeof(b.system_id)) != 0)
		return 0;	/* no base: the first recovery makes it */
	if (new->system_id[0] == '\0')
		memset(&b, 0, sizeof(b));
	else {
		follow(&b.balance, old->balance, new->balance);
		follow(&b.count, old->count, new->count);
	}
	if (ledger_base_write(l, slot, &b) == -1)
		return -1;
	return ledger_fsync(l, 1);
}

/*
 * The one read-modify-write of a slot: fn says what to do and returns
 * LEDGER_OK (then the slot is written) or a refusal (nothing written).
 */
static int
ledger_update(struct ledger *l, uint32_t slot, const char *system_id,
    ledger_fn fn, const void *arg, int durable)
{
	struct ledger_slot	 s, old;
	off_t			 off = ledger_offset(slot);
	int			 r = LEDGER_ERR;

	if (ledger_slot_take(l, slot, system_id, &s) == -1)
		return LEDGER_ERR;
	old = s;
	if ((r = fn(&s, arg)) != LEDGER_OK)
		goto out;
	if (ledger_pwrite(l, &s, sizeof(s), off) == -1 ||
	    (durable && ledger_sync(l) == -1) ||
	    base_follow(l, slot, &old, &s) == -1)
		r = LEDGER_ERR;
 out:
	if (ledger_lock(l, F_UNLCK, off, LEDGER_SLOT) == -1)
		r = LEDGER_ERR;
	return r;
}

/* Tokens in the bucket at now_us, and the new refill stamp. */
static int64_t
ledger_refill(const struct ledger_slot *s, int throughput, int64_t now_us)
{
	int64_t	 cap = (int64_t)throughput * MICRO_TOKENS, elapsed, tokens;

	elapsed = now_us - s->refill_us;
	if (s->refill_us == 0 || elapsed < 0 || elapsed >= 1000000)
		return cap;
	tokens = s->tokens + elapsed * throughput;
	return tokens < cap ? tokens : cap;
}

static int
ledger_cost(uint32_t parts, int64_t rate, int64_t *cost)
{
	if (rate < 0 || __builtin_mul_overflow((int64_t)parts, rate, cost)) {
		errno = ERANGE;
		ledger_seterr("rate %" PRId64 " x %" PRIu32 " parts is out of "
		    "range", rate, parts);
		return -1;
	}
	return 0;
}

/* The balance change of one operation; what it would be when unlimited. */
static int
slot_charge(struct ledger_slot *s, const struct ledger_bill *b,
    int64_t *delta)
{
	int64_t		 tokens = 0;
	int		 bill = !(b->flags & LEDGER_NOBILL);

	if (b->throughput > 0) {
		tokens = ledger_refill(s, b->throughput, b->now_us);
		if (tokens < MICRO_TOKENS)
			return LEDGER_THROTTLED;
	}
	if (bill) {
		if (s->count != LEDGER_UNLIMITED && s->count < b->parts)
			return LEDGER_NOQUOTA;
		if (s->balance != LEDGER_UNLIMITED && s->balance < b->need)
			return LEDGER_NOCREDIT;
	}
	if (b->throughput > 0) {
		s->tokens = tokens - MICRO_TOKENS;
		s->refill_us = b->now_us;
	}
	if (bill) {
		if (s->count != LEDGER_UNLIMITED)
			s->count -= b->parts;
		if (s->balance != LEDGER_UNLIMITED)
			s->balance -= b->amount;
		s->charged += b->parts;
		s->billed += b->amount;
		*delta = -b->amount;
	}
	return LEDGER_OK;
}

static int
bill_later(struct ledger_slot *s, const struct ledger_bill *b,
    int64_t *delta)
{
	if (s->balance != LEDGER_UNLIMITED && s->balance < b->amount) {
		s->shortfall += b->amount;
		return LEDGER_SHORT;
	}
	if (s->balance != LEDGER_UNLIMITED)
		s->balance -= b->amount;
	s->billed += b->amount;
	*delta = -b->amount;
	return LEDGER_OK;
}

static int
bill_refund(struct ledger_slot *s, const struct ledger_bill *b,
    int64_t *delta)
{
	int64_t		 count = s->count, balance = s->balance;

	if ((count != LEDGER_UNLIMITED &&
	    __builtin_add_overflow(count, (int64_t)b->parts, &count)) ||
	    (balance != LEDGER_UNLIMITED &&
	    __builtin_add_overflow(balance, b->amount, &balance))) {
		errno = ERANGE;
		ledger_seterr("refund to %s overflows", s->system_id);
		return LEDGER_ERR;
	}
	s->count = count;
	s->balance = balance;
	s->charged = s->charged > b->parts ? s->charged - b->parts : 0;
	s->refunded += b->amount;
	*delta = b->amount;
	return LEDGER_OK;
}

static int
bill_apply(struct ledger_slot *s, const struct ledger_bill *b,
    int64_t *delta)
{
	int	 r;

	*delta = 0;
	if (b->amount < 0 || b->need < 0) {
		errno = ERANGE;
		ledger_seterr("negative amount for %s", s->system_id);
		return LEDGER_ERR;
	}
	if (b->kind == LEDGER_CHARGE)
		return slot_charge(s, b, delta);
	if (b->flags & LEDGER_NOBILL)
		return LEDGER_OK;
	r = b->kind == LEDGER_LATER ? bill_later(s, b, delta) :
	    bill_refund(s, b, delta);
	if ((r == LEDGER_OK || r == LEDGER_SHORT) && b->key != 0)
		s->conn_key = b->key;
	return r;
}

/* FNV-1a over an operation's identity; never 0 ("none"). */
uint64_t
ledger_op_key(const char *msgid, const char *dest, int kind, int64_t amount)
{
	const char	*parts[2] = { msgid, dest != NULL ? dest : "" };
	uint64_t	 h = 14695981039346656037ULL;
	int		 i, k;

	for (i = 0; i < 2; i++) {
		for (k = 0; parts[i][k] != '\0'; k++)
			h = (h ^ (uint8_t)parts[i][k]) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	h = (h ^ (uint64_t)kind) * 1099511628211ULL;
	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(amount >> (8 * i))) * 1099511628211ULL;
	return h != 0 ? h : 1;
}

static void
add_limited(int64_t *v, int64_t d)
{
	if (*v != LEDGER_UNLIMITED && !__builtin_add_overflow(*v, d, v))
		return;
}

/*
 * The change a line says was made, made to the slot: how a line is
 * rolled forward after a kill (below) and replayed after a power cut
 * (ledger_recover.c).  A later charge or refund with a message id is
 * smppconn's: its key becomes the slot's (billing.c).
 */
void
ledger_slot_apply(struct ledger_slot *s, const struct billlog_entry *e)
{
	add_limited(&s->balance, e->amount);
	switch (e->kind) {
	case BILLLOG_CHARGE:
		add_limited(&s->count, -(int64_t)e->parts);
		s->charged += e->parts;
		s->billed -= e->amount;
		break;
	case BILLLOG_LATER:
		s->billed -= e->amount;
		s->conn_key = ledger_op_key(e->msgid, e->dest, LEDGER_LATER,
		    -e->amount);
		break;
	case BILLLOG_REFUND:
		add_limited(&s->count, (int64_t)e->parts);
		s->charged = s->charged > e->parts ? s->charged - e->parts : 0;
		s->refunded += e->amount;
		if (e->msgid[0] != '\0')
			s->conn_key = ledger_op_key(e->msgid, e->dest,
			    LEDGER_REFUND, e->amount);
		break;
	default:	/* "recovered", written by older versions */
		if (e->amount < 0)
			s->billed -= e->amount;
		else
			s->refunded += e->amount;
		break;
	}
}

/*
 * A process was killed during an operation of this slot: its line, if
 * it wrote one, is the account's first after pend_off - 1.  With the
 * line the change is made (the line says what it was); without it the
 * operation did not happen.  When the file was rotated away, the line
 * cannot be read: it is taken as not written.
 */
void
ledger_slot_resolve(struct ledger_slot *s, struct billlog *log)
{
	struct billlog_entry	 e;

	if (billlog_find(log, s->pend_off - 1, s->ino, s->system_id, &e) ==
	    1) {
		ledger_slot_apply(s, &e);
		s->last_end = e.end;
	}
	s->pend_off = 0;
}

/*
 * The change with its log line, as one step a kill cannot split: the
 * slot as it was with the log's size (the line goes there or after);
 * the line; the slot with the change.  A process killed after the line
 * leaves its change to the next (ledger_slot_resolve()).
 */
static int
bill_write_logged(struct ledger *l, uint32_t slot, struct ledger_slot *s,
    const struct ledger_slot *old, const struct ledger_bill *b,
    int64_t delta)
{
	struct ledger_slot	 pend = *old;
	off_t			 at = ledger_offset(slot);
	int64_t			 off, end;
	uint32_t		 ino;
	int			 saved;

	if (billlog_end(b->log, &off, &ino) == -1) {
		ledger_seterr("billing log %s: %s", b->log->path,
		    strerror(errno));
		return -1;
	}
	pend.pend_off = off + 1;
	pend.ino = ino;
	if (ledger_pwrite(l, &pend, sizeof(pend), at) == -1)
		return -1;
	if (billlog_put(b->log, b->line, delta, &end) == -1) {
		saved = errno;
		(void)ledger_pwrite(l, old, sizeof(*old), at);
		errno = saved;
		ledger_seterr("billing log %s: %s", b->log->path,
		    strerror(errno));
		return -1;
	}
	s->pend_off = 0;
	s->ino = ino;
	s->last_end = end;
	return ledger_pwrite(l, s, sizeof(*s), at);
}

/* ledger_bill() on the held copy: a refusal changes nothing. */
static int
bill_held(struct ledger *l, const struct ledger_bill *b)
{
	struct ledger_slot	 s = *l->held;
	int64_t			 delta;
	int			 r;

	r = bill_apply(&s, b, &delta);
	if (r == LEDGER_OK || r == LEDGER_SHORT) {
		*l->held = s;
		l->dirty = 1;
	}
	return r;
}

/*
 * Lock the account's slot and read it, until ledger_release(): the
 * charges without a billing line in between change the copy in memory
 * only.  Holding the slot already is no error.
 */
int
ledger_hold(struct ledger *l, uint32_t slot, const char *system_id)
{
	if (l->holding && l->held_slot == slot)
		return LEDGER_OK;
	if (l->held == NULL && (l->held = malloc(sizeof(*l->held))) == NULL) {
		ledger_seterr("%s: hold: %s", l->path, strerror(errno));
		return LEDGER_ERR;
	}
	if (ledger_slot_take(l, slot, system_id, l->held) == -1)
		return LEDGER_ERR;
	l->holding = 1;
	l->dirty = 0;
	l->held_slot = slot;
	return LEDGER_OK;
}

/*
 * Write the held slot once, if a charge changed it, and unlock it.  On
 * an error the held changes are lost (the slot keeps what it had) and
 * the slot is unlocked all the same.
 */
int
ledger_release(struct ledger *l)
{
	off_t	 off;
	int	 r = LEDGER_OK;

	if (!l->holding)
		return LEDGER_OK;
	off = ledger_offset(l->held_slot);
	l->holding = 0;
	if (l->dirty && ledger_pwrite(l, l->held, sizeof(*l->held), off) == -1)
		r = LEDGER_ERR;
	l->dirty = 0;
	if (ledger_lock(l, F_UNLCK, off, LEDGER_SLOT) == -1)
		r = LEDGER_ERR;
	return r;
}

int
ledger_bill(struct ledger *l, uint32_t slot, const char *system_id,
    const struct ledger_bill *b)
{
	struct ledger_slot	 s, old;
	off_t			 off = ledger_offset(slot);
	int64_t			 delta;
	int			 r = LEDGER_ERR, w = 0, resolved = 0;

	if (l->holding && l->held_slot == slot && b->log == NULL)
		return bill_held(l, b);
	if (ledger_slot_take(l, slot, system_id, &s) == -1)
		return LEDGER_ERR;
	if (b->log != NULL && s.pend_off != 0) {
		ledger_slot_resolve(&s, b->log);
		resolved = 1;
	}
	old = s;
	r = bill_apply(&s, b, &delta);
	if (r != LEDGER_OK && r != LEDGER_SHORT) {
		if (resolved)
			w = ledger_pwrite(l, &old, sizeof(old), off);
	} else if (b->log != NULL && b->line != NULL && delta != 0)
		w = bill_write_logged(l, slot, &s, &old, b, delta);
	else
		w = ledger_pwrite(l, &s, sizeof(s), off);
	if (w == -1)
		r = LEDGER_ERR;
	if (ledger_lock(l, F_UNLCK, off, LEDGER_SLOT) == -1)
		r = LEDGER_ERR;
	return r;
}

/*
 * After the billing log was synced up to end of file ino (fid, its
 * billlog_fid()): the slot's
 * base becomes what it is now when all its lines are before end (a
 * later commit moves it when not).  No sync: any base that reaches
 * the disk is one whose lines were there before it.
 */
int
ledger_advance(struct ledger *l, uint32_t slot, const char *system_id,
    int64_t end, uint32_t ino, uint64_t fid)
{
	struct ledger_slot	 s;
	struct ledger_base	 base;
	off_t			 off = ledger_offset(slot);
	int			 r = LEDGER_OK;

	if (l->bfd == -1)
		return LEDGER_OK;
	if (ledger_slot_take(l, slot, system_id, &s) == -1)
		return LEDGER_ERR;
	if (s.pend_off == 0 && s.ino == ino && s.last_end <= end) {
		ledger_base_of(&base, &s);
		base.off = end;
		base.ino = ino;
		base.fid = fid;
		if (ledger_base_write(l, slot, &base) == -1)
			r = LEDGER_ERR;
	}
	if (ledger_lock(l, F_UNLCK, off, LEDGER_SLOT) == -1)
		r = LEDGER_ERR;
	return r;
}

/* The money fields of a slot as a base record; where is left to set. */
void
ledger_base_of(struct ledger_base *b, const struct ledger_slot *s)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->system_id, s->system_id, sizeof(b->system_id));
	b->balance = s->balance;
	b->count = s->count;
	b->charged = s->charged;
	b->billed = s->billed;
	b->refunded = s->refunded;
}

int
ledger_base_write(struct ledger *l, uint32_t slot,
    const struct ledger_base *b)
{
	ssize_t	 n;

	while ((n = pwrite(l->bfd, b, sizeof(*b), ledger_offset(slot))) == -1
	    && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*b)) {
		ledger_seterr("%s%s: write: %s", l->path, BASE_SUFFIX,
		    n == -1 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

int
ledger_charge(struct ledger *l, uint32_t slot, const char *system_id,
    uint32_t parts, int64_t rate, int throughput, int flags, int64_t now_us)
{
	struct ledger_bill	 b;

	memset(&b, 0, sizeof(b));
	b.kind = LEDGER_CHARGE;
	b.parts = parts;
	b.throughput = throughput;
	b.flags = flags;
	b.now_us = now_us;
	if (!(flags & LEDGER_NOBILL) && ledger_cost(parts, rate, &b.amount) ==
	    -1)
		return LEDGER_ERR;
	b.need = b.amount;
	return ledger_bill(l, slot, system_id, &b);
}

int
ledger_refund(struct ledger *l, uint32_t slot, const char *system_id,
    uint32_t parts, int64_t rate, int flags)
{
	struct ledger_bill	 b;

	if (flags & LEDGER_NOBILL)
		return LEDGER_OK;
	memset(&b, 0, sizeof(b));
	b.kind = LEDGER_REFUND;
	b.parts = parts;
	if (ledger_cost(parts, rate, &b.amount) == -1)
		return LEDGER_ERR;
	return ledger_bill(l, slot, system_id, &b);
}

/* Charges are not synced one by one: a group commit calls this. */
int
ledger_flush(struct ledger *l)
{
	return ledger_sync(l);
}

static int
ledger_do_credit(struct ledger_slot *s, const void *arg)
{
	int64_t	 delta = *(const int64_t *)arg, balance;
	char	 have[32], want[32];

	if (s->balance == LEDGER_UNLIMITED) {
		errno = EINVAL;
		ledger_seterr("balance of %s is unlimited", s->system_id);
		return LEDGER_ERR;
	}
	if (__builtin_add_overflow(s->balance, delta, &balance) ||
	    balance > MONEY_MAX) {
		errno = ERANGE;
		money_format(have, sizeof(have), MONEY_MAX);
		ledger_seterr("balance of %s would exceed %s", s->system_id,
		    have);
		return LEDGER_ERR;
	}
	if (balance < 0) {
		money_format(have, sizeof(have), s->balance);
		money_format(want, sizeof(want), -delta);
		ledger_seterr("balance of %s is %s, less than %s",
		    s->system_id, have, want);
		return LEDGER_NOCREDIT;
	}
	s->balance = balance;
	return LEDGER_OK;
}

int
ledger_credit(struct ledger *l, uint32_t slot, const char *system_id,
    int64_t delta)
{
	return ledger_update(l, slot, system_id, ledger_do_credit, &delta, 1);
}

static int
ledger_do_set(struct ledger_slot *s, const void *arg)
{
	const struct ledger_set_arg	*a = arg;

	if (a->balance != LEDGER_KEEP)
		s->balance = a->balance;
	if (a->count != LEDGER_KEEP)
		s->count = a->count;
	return LEDGER_OK;
}

static int
ledger_value_ok(int64_t v, int64_t max)
{
	return v == LEDGER_KEEP || v == LEDGER_UNLIMITED || (v >= 0 &&
	    v <= max);
}

int
ledger_set(struct ledger *l, uint32_t slot, const char *system_id,
    int64_t balance, int64_t count)
{
	struct ledger_set_arg	 a = { balance, count };

	if (!ledger_value_ok(balance, MONEY_MAX) ||
	    !ledger_value_ok(count, LEDGER_COUNT_MAX)) {
		errno = ERANGE;
		ledger_seterr("balance or count of %s out of range",
		    system_id);
		return LEDGER_ERR;
	}
	return ledger_update(l, slot, system_id, ledger_do_set, &a, 1);
}

static int
ledger_do_free(struct ledger_slot *s, const void *arg)
{
	(void)arg;
	memset(s, 0, sizeof(*s));
	return LEDGER_OK;
}

int
ledger_slot_free(struct ledger *l, uint32_t slot, const char *system_id)
{
	return ledger_update(l, slot, system_id, ledger_do_free, NULL, 1);
}

int
ledger_read(struct ledger *l, uint32_t slot, struct ledger_entry *e)
{
	struct ledger_slot	 s;
	off_t			 off = ledger_offset(slot);
	int			 r;

	if (ledger_lock(l, F_RDLCK, off, LEDGER_SLOT) == -1)
		return LEDGER_ERR;
	r = ledger_slot_get(l, slot, &s);
	if (ledger_lock(l, F_UNLCK, off, LEDGER_SLOT) == -1 || r == -1)
		return LEDGER_ERR;
	memset(e, 0, sizeof(*e));
	memcpy(e->system_id, s.system_id, sizeof(e->system_id));
	e->balance = s.balance;
	e->count = s.count;
	e->tokens = s.tokens;
	e->refill_us = s.refill_us;
	e->charged = s.charged;
	e->billed = s.billed;
	e->refunded = s.refunded;
	e->shortfall = s.shortfall;
	e->conn_key = s.conn_key;
	e->pending = s.pend_off != 0;
	return LEDGER_OK;
}

/*
 * Under the whole-file lock: the first free slot, else a new one at the
 * end.  A slot still labelled with this system_id is not taken back: it
 * may be a live account's (two admins adding one name at once); one left
 * by a deletion that died half-way only wastes its 128 octets.
 */
static int
ledger_find(struct ledger *l, uint32_t *slot)
{
	struct ledger_slot	 s[LEDGER_SCAN];
	uint32_t		 i, base = 0;
	int			 n, k;

	for (;;) {
		n = ledger_pread(l, s, sizeof(s), ledger_offset(base));
		if (n == -1)
			return -1;
		k = n / LEDGER_SLOT;
		for (i = 0; i < (uint32_t)k; i++)
			if (s[i].system_id[0] == '\0') {
				*slot = base + i;
				return 0;
			}
		if (k < LEDGER_SCAN)
			break;
		if (base > UINT32_MAX - 2 * LEDGER_SCAN) {
			ledger_seterr("%s: no free slot", l->path);
			return -1;
		}
		base += LEDGER_SCAN;
	}
	*slot = base + (uint32_t)k;
	return 0;
}

/* A new account's base: its lines in the current log from now on. */
static int
base_new(struct ledger *l, uint32_t slot, const struct ledger_slot *s)
{
	struct ledger_base	 b;

	if (l->bfd == -1)
		return 0;
	ledger_base_of(&b, s);
	b.at_us = clock_wall_us();
	if (ledger_base_write(l, slot, &b) == -1)
		return -1;
	return ledger_fsync(l, 1);
}

int
ledger_slot_alloc(struct ledger *l, const char *system_id, uint32_t *slot)
{
	struct ledger_slot	 s;
	int			 r = LEDGER_ERR;

	if (system_id[0] == '\0' || strlen(system_id) >= sizeof(s.system_id)) {
		errno = EINVAL;
		ledger_seterr("bad system_id for a ledger slot");
		return LEDGER_ERR;
	}
	if (ledger_lock(l, F_WRLCK, 0, 0) == -1)
		return LEDGER_ERR;
	if (ledger_find(l, slot) == -1)
		goto out;
	memset(&s, 0, sizeof(s));
	strlcpy(s.system_id, system_id, sizeof(s.system_id));
	s.balance = LEDGER_UNLIMITED;
	s.count = LEDGER_UNLIMITED;
	if (ledger_pwrite(l, &s, sizeof(s), ledger_offset(*slot)) == 0 &&
	    ledger_sync(l) == 0 && base_new(l, *slot, &s) == 0)
		r = LEDGER_OK;
 out:
	if (ledger_lock(l, F_UNLCK, 0, 0) == -1)
		r = LEDGER_ERR;
	return r;
}
