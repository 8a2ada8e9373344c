/*
 * idmap.c - the map from an upstream SMSC's message ids to ours (GDBM)
 *
 * SYNOPSIS
 *	idmap_open(path, err, errlen)		idmap_close(m)
 *	idmap_put(m, upstream_id, entry)	idmap_del(m, key)
 *	idmap_get(m, upstream_id, entry, key, keylen)
 *	idmap_group_put(m, our_id, dst, parts, expires)
 *	idmap_group_done(m, our_id, dst, success)
 *	idmap_sync(m)	idmap_expire(m, now, max)	idmap_count(m)
 *	idmap_encode(buf, len, entry)	idmap_decode(text, len, entry)
 *
 * DESCRIPTION
 *	When an upstream accepts a message it answers with its own
 *	message_id, and its receipts later name that id.  smppconn
 *	stores, under the upstream id, what a receipt for the account
 *	needs: our id, the account, the original addresses, the time it
 *	was accepted, its registered_delivery and the start of its text.
 *
 *	Upstreams print ids differently in receipts than in
 *	submit_sm_resp (hex against decimal, leading zeros, case), so an
 *	entry is stored under dlr_id_normalize() of the id, and a lookup
 *	tries the normalised receipt id and then its dlr_id_alt() forms:
 *	exactly the ids dlr_id_equal() calls equal.  idmap_get() writes
 *	the key it found, for idmap_del().
 *
 *	Each entry carries its expiry ([smpp-server] dlr_expiry after the
 *	upstream accepted it); an expired entry is not found, and
 *	idmap_expire() removes up to max expired ones per call.
 *
 *	A message split into parts (the smpp connector's split_payload)
 *	has an entry per part and one group record, under a key no
 *	upstream id can have (it starts with a NUL), that counts the
 *	parts not yet delivered.  idmap_group_done() with success counts
 *	one down: IDMAP_GROUP_DONE for the last part, IDMAP_GROUP_WAIT
 *	before; without success it removes the group and says
 *	IDMAP_GROUP_DONE, so that the first failed part is reported and
 *	the later receipts of the message find IDMAP_GROUP_GONE.
 *
 *	Values are one line of blank-separated fields, strings
 *	%XX-escaped as in spool records, after a version number:
 *
 *	    1 ID ACCOUNT STON SNPI SRC DTON DNPI DST SUBMITTED EXPIRES RD
 *	    PARTS TEXT
 *
 *	Stores are not synced one by one: idmap_sync() once per group of
 *	messages, before they are settled.
 *
 * DIAGNOSTICS
 *	idmap_open() returns NULL with a message in err; the others -1 on
 *	a database error (logged), idmap_get() 1 when nothing matches.
 */
#include "config.h"

#include <errno.h>
#include <gdbm.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "dlr.h"
#include "buf.h"
#include "idmap.h"
#include "log.h"

#define IDMAP_FIELDS	14
#define IDMAP_VALUE_MAX	1024
#define IDMAP_KEY_MAX	(PDU_MESSAGE_ID_MAX + PDU_ADDR_MAX_LONG + 4)

struct idmap {
	GDBM_FILE	 db;
	int		 dirty;
};


struct idmap *
idmap_open(const char *path, char *err, size_t errlen)
{
	struct idmap	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	m->db = gdbm_open(path, 0, GDBM_WRCREAT, 0600, NULL);
	if (m->db == NULL) {
		snprintf(err, errlen, "%s: %s", path,
		    gdbm_errno == GDBM_FILE_OPEN_ERROR ? strerror(errno) :
		    gdbm_strerror(gdbm_errno));
		free(m);
		return NULL;
	}
	return m;
}

void
idmap_close(struct idmap *m)
{
	if (m == NULL)
		return;
	if (m->dirty)
		(void)gdbm_sync(m->db);
	gdbm_close(m->db);
	free(m);
}

/* Append " STRING", %XX-escaped; 0 or -1 when it does not fit. */
static int
put_str(char *buf, size_t len, size_t *off, const char *s)
{
	int	 n;

	if (*off + 2 >= len)
		return -1;
	buf[(*off)++] = ' ';
	/* Room for the NUL stays. */
	if ((n = buf_pct_encode(buf + *off, len - *off - 1, s,
	    strlen(s))) == -1)
		return -1;
	*off += (size_t)n;
	buf[*off] = '\0';
	return 0;
}

static int
put_num(char *buf, size_t len, size_t *off, int64_t v)
{
	int	 n;

	n = snprintf(buf + *off, len - *off, " %" PRId64, v);
	if (n < 0 || (size_t)n >= len - *off)
		return -1;
	*off += (size_t)n;
	return 0;
}

int
idmap_encode(char *buf, size_t len, const struct idmap_entry *e)
{
	const struct receipt_of	*o = &e->of;
	size_t			 off = 0;

	if (len < 2)
		return -1;
	buf[off++] = '1';
	buf[off] = '\0';
	if (put_str(buf, len, &off, o->id) == -1 ||
	    put_str(buf, len, &off, o->account) == -1 ||
	    put_num(buf, len, &off, o->src_ton) == -1 ||
	    put_num(buf, len, &off, o->src_npi) == -1 ||
	    put_str(buf, len, &off, o->src) == -1 ||
	    put_num(buf, len, &off, o->dst_ton) == -1 ||
	    put_num(buf, len, &off, o->dst_npi) == -1 ||
	    put_str(buf, len, &off, o->dst) == -1 ||
	    put_num(buf, len, &off, o->submitted) == -1 ||
	    put_num(buf, len, &off, e->expires) == -1 ||
	    put_num(buf, len, &off, o->registered_delivery) == -1 ||
	    put_num(buf, len, &off, e->parts) == -1 ||
	    put_str(buf, len, &off, o->text) == -1)
		return -1;
	return (int)off;
}


/* Unescape a field of n octets into dst (cap octets with the NUL). */
static int
get_str(const char *s, size_t n, char *dst, size_t cap)
{
	return buf_pct_decode(dst, cap, s, n, 0) == -1 ? -1 : 0;
}

static int
get_num(const char *s, size_t n, int64_t max, int64_t *v)
{
	size_t	 i;
	int	 neg = n > 0 && s[0] == '-';

	*v = 0;
	if (n == (size_t)neg || n > 20)
		return -1;
	for (i = (size_t)neg; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > (INT64_MAX - 9) / 10)
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	if (neg)
		*v = -*v;
	return *v > max ? -1 : 0;
}

/* Split a value into its fields: starts and lengths. */
static int
split(const char *s, size_t len, const char **f, size_t *fl, int max)
{
	size_t	 i, start = 0;
	int	 n = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		if (n == max)
			return -1;
		f[n] = s + start;
		fl[n++] = i - start;
		start = i + 1;
	}
	return n;
}

int
idmap_decode(const char *s, size_t len, struct idmap_entry *e)
{
	struct receipt_of	*o = &e->of;
	const char		*f[IDMAP_FIELDS];
	size_t			 fl[IDMAP_FIELDS];
	int64_t			 v[7];

	memset(e, 0, sizeof(*e));
	if (split(s, len, f, fl, IDMAP_FIELDS) != IDMAP_FIELDS ||
	    fl[0] != 1 || f[0][0] != '1' ||
	    get_str(f[1], fl[1], o->id, sizeof(o->id)) == -1 ||
	    get_str(f[2], fl[2], o->account, sizeof(o->account)) == -1 ||
	    get_num(f[3], fl[3], 255, &v[0]) == -1 ||
	    get_num(f[4], fl[4], 255, &v[1]) == -1 ||
	    get_str(f[5], fl[5], o->src, sizeof(o->src)) == -1 ||
	    get_num(f[6], fl[6], 255, &v[2]) == -1 ||
	    get_num(f[7], fl[7], 255, &v[3]) == -1 ||
	    get_str(f[8], fl[8], o->dst, sizeof(o->dst)) == -1 ||
	    get_num(f[9], fl[9], INT64_MAX, &o->submitted) == -1 ||
	    get_num(f[10], fl[10], INT64_MAX, &e->expires) == -1 ||
	    get_num(f[11], fl[11], 255, &v[4]) == -1 ||
	    get_num(f[12], fl[12], 255, &v[5]) == -1 ||
	    get_str(f[13], fl[13], o->text, sizeof(o->text)) == -1)
		return -1;
	if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || v[4] < 0 ||
	    v[5] < 0)
		return -1;
	o->src_ton = (uint8_t)v[0];
	o->src_npi = (uint8_t)v[1];
	o->dst_ton = (uint8_t)v[2];
	o->dst_npi = (uint8_t)v[3];
	o->registered_delivery = (uint8_t)v[4];
	e->parts = (uint8_t)v[5];
	return 0;
}

static datum
mkdatum(const char *s, size_t len)
{
	datum	 d;

	d.dptr = (char *)s;
	d.dsize = (int)len;
	return d;
}

static int
store(struct idmap *m, datum k, const char *val, size_t len)
{
	if (gdbm_store(m->db, k, mkdatum(val, len), GDBM_REPLACE) != 0) {
		log_warnx("idmap: store: %s", gdbm_strerror(gdbm_errno));
		return -1;
	}
	m->dirty = 1;
	return 0;
}

int
idmap_put(struct idmap *m, const char *upstream, const struct idmap_entry *e)
{
	char	 key[PDU_MESSAGE_ID_MAX], val[IDMAP_VALUE_MAX];
	int	 klen, vlen;

	if ((klen = dlr_id_normalize(upstream, key, sizeof(key))) <= 0 ||
	    (vlen = idmap_encode(val, sizeof(val), e)) == -1) {
		errno = EINVAL;
		return -1;
	}
	return store(m, mkdatum(key, (size_t)klen), val, (size_t)vlen);
}

/* Fetch and decode one key; 0 found and current, 1 not. */
static int
fetch(struct idmap *m, const char *key, int klen, struct idmap_entry *e)
{
	datum	 v;
	int	 rc;

	v = gdbm_fetch(m->db, mkdatum(key, (size_t)klen));
	if (v.dptr == NULL)
		return 1;
	rc = idmap_decode(v.dptr, (size_t)v.dsize, e);
	free(v.dptr);
	if (rc == -1) {
		log_warnx("idmap: entry %.*s does not decode", klen, key);
		return 1;
	}
	return e->expires < (int64_t)time(NULL) ? 1 : 0;
}

int
idmap_get(struct idmap *m, const char *upstream, struct idmap_entry *e,
    char *found, size_t foundlen)
{
	char	 key[PDU_MESSAGE_ID_MAX];
	int	 i, klen;

	for (i = -1; i < 2; i++) {
		klen = i < 0 ? dlr_id_normalize(upstream, key, sizeof(key)) :
		    dlr_id_alt(upstream, i, key, sizeof(key));
		if (klen <= 0)
			continue;
		if (fetch(m, key, klen, e) == 0) {
			if (found != NULL)
				strlcpy(found, key, foundlen);
			return 0;
		}
	}
	return 1;
}

int
idmap_del(struct idmap *m, const char *key)
{
	if (gdbm_delete(m->db, mkdatum(key, strlen(key))) != 0 &&
	    gdbm_errno != GDBM_ITEM_NOT_FOUND) {
		log_warnx("idmap: delete: %s", gdbm_strerror(gdbm_errno));
		return -1;
	}
	m->dirty = 1;
	return 0;
}

/* "\0g" OURID "\0" DST: no upstream id starts with a NUL. */
static int
group_key(char *buf, size_t len, const char *id, const char *dst)
{
	size_t	 a = strlen(id), b = strlen(dst);

	if (a + b + 3 > len)
		return -1;
	buf[0] = '\0';
	buf[1] = 'g';
	memcpy(buf + 2, id, a);
	buf[2 + a] = '\0';
	memcpy(buf + 3 + a, dst, b);
	return (int)(a + b + 3);
}

int
idmap_group_put(struct idmap *m, const char *id, const char *dst, int parts,
    int64_t expires)
{
	char	 key[IDMAP_KEY_MAX], val[64];
	int	 klen, vlen;

	if ((klen = group_key(key, sizeof(key), id, dst)) == -1)
		return -1;
	vlen = snprintf(val, sizeof(val), "g %d %" PRId64, parts, expires);
	return store(m, mkdatum(key, (size_t)klen), val, (size_t)vlen);
}

int
idmap_group_done(struct idmap *m, const char *id, const char *dst,
    int success)
{
	char		 key[IDMAP_KEY_MAX], val[64];
	datum		 k, v;
	long long	 expires;
	int		 klen, left = 0, n = 0;

	if ((klen = group_key(key, sizeof(key), id, dst)) == -1)
		return IDMAP_GROUP_GONE;
	k = mkdatum(key, (size_t)klen);
	v = gdbm_fetch(m->db, k);
	if (v.dptr == NULL)
		return IDMAP_GROUP_GONE;
	if ((size_t)v.dsize < sizeof(val)) {
		memcpy(val, v.dptr, (size_t)v.dsize);
		val[v.dsize] = '\0';
		n = sscanf(val, "g %d %lld", &left, &expires);
	}
	free(v.dptr);
	if (n != 2 || !success || --left <= 0) {
		if (gdbm_delete(m->db, k) == 0)
			m->dirty = 1;
		return n == 2 ? IDMAP_GROUP_DONE : IDMAP_GROUP_GONE;
	}
	n = snprintf(val, sizeof(val), "g %d %lld", left, expires);
	(void)store(m, k, val, (size_t)n);
	return IDMAP_GROUP_WAIT;
}

int
idmap_sync(struct idmap *m)
{
	if (!m->dirty)
		return 0;
	if (gdbm_sync(m->db) != 0) {
		log_warnx("idmap: sync: %s", gdbm_strerror(gdbm_errno));
		return -1;
	}
	m->dirty = 0;
	return 0;
}

/* The expiry of a stored value, or -1 when it does not decode. */
static int64_t
value_expiry(const datum *v)
{
	struct idmap_entry	 e;
	char			 val[64];
	long long		 exp;
	int			 left;

	if (v->dsize > 0 && v->dptr[0] == 'g') {
		if ((size_t)v->dsize >= sizeof(val))
			return -1;
		memcpy(val, v->dptr, (size_t)v->dsize);
		val[v->dsize] = '\0';
		return sscanf(val, "g %d %lld", &left, &exp) == 2 ? exp : -1;
	}
	return idmap_decode(v->dptr, (size_t)v->dsize, &e) == 0 ? e.expires :
	    -1;
}

/*
 * Remove up to max entries that expired before now (or do not decode).
 * GDBM forbids deleting while walking the keys: collect, then delete.
 */
int
idmap_expire(struct idmap *m, int64_t now, int max)
{
	datum	*dead, k, next, v;
	int	 n = 0, i;
	int64_t	 exp;

	if (max <= 0 || (dead = calloc((size_t)max, sizeof(*dead))) == NULL)
		return -1;
	for (k = gdbm_firstkey(m->db); k.dptr != NULL && n < max; k = next) {
		v = gdbm_fetch(m->db, k);
		exp = v.dptr != NULL ? value_expiry(&v) : -1;
		free(v.dptr);
		next = gdbm_nextkey(m->db, k);
		if (exp < now)
			dead[n++] = k;
		else
			free(k.dptr);
	}
	if (k.dptr != NULL)
		free(k.dptr);
	for (i = 0; i < n; i++) {
		if (gdbm_delete(m->db, dead[i]) == 0)
			m->dirty = 1;
		free(dead[i].dptr);
	}
	free(dead);
	return n;
}

int
idmap_count(struct idmap *m)
{
	gdbm_count_t	 n;

	if (gdbm_count(m->db, &n) != 0)
		return -1;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}
