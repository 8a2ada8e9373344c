/*
 * account.c - one account of the user database: its fields, its record
 * text, its password and its network and address rules
 *
 * SYNOPSIS
 *	account_defaults(a, system_id)
 *	account_encode(a, buf, len)		-> length, or -1: too small
 *	account_decode(text, len, a)		ACCOUNT_OK, _ERROR, _VERSION_ERR
 *	account_field(i, &flags)		-> name of field i, or NULL
 *	account_field_set(a, name, value, err, errlen)
 *	account_field_unset(a, name)
 *	account_field_get(a, name, buf, len)
 *	account_binds_parse(s, &mask)	account_binds_name(mask, buf, len)
 *	account_set_password(a, password)
 *	account_check_password(a, password)	1: right
 *	account_network_allowed(a, peer)	1: allowed
 *	account_pattern_compile(re, pattern, err, errlen)
 *	account_pattern_match(re, address)	1: matches from the start
 *
 * DESCRIPTION
 *	A record is text: a version line "v1", then one "field=value" line
 *	per field of the table below, every field written, so that a later
 *	default never changes the meaning of a stored record.  A record of
 *	another version is refused with ACCOUNT_VERSION_ERR: a newer
 *	program may add fields, an older one must not guess at them.
 *	Values are printable ASCII, so that neither the record nor the
 *	export line of smppuser(8) needs more than %XX for blanks.
 *
 *	Every field is parsed and printed by one pair of functions, used
 *	by the record, by smppuser set and unset, and by export and import.
 *
 *	Passwords: crypt(3) with yescrypt at cost 2 and a random salt
 *	(libxcrypt), the library's preferred method where yescrypt is
 *	missing, or SHA-512 crypt with 16
 *	random salt characters where crypt_gensalt_rn() is missing.  The
 *	check runs crypt_r() and compares in constant time.  A password
 *	is 1 to 30 octets: what a bind PDU can carry.  Neither the password
 *	nor the hash is ever logged.
 *
 *	Address patterns are POSIX extended regular expressions that must
 *	match at the start of the address and may stop before its end, as
 *	Python's re.match() in Jasmin's filters.
 */
#include "config.h"

#include <sys/types.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

#ifdef HAVE_CRYPT_H
#include <crypt.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "account.h"
#include "compat.h"
#include "ledger.h"
#include "netacl.h"

#define THROUGHPUT_MAX	1000000
#define RATE_MAX	(1000000 * MICRO)
#define SALT_CHARS	16

struct account_field_def {
	const char	*name;
	int		 flags;
	int		(*set)(struct account *, const char *, char *, size_t);
	int		(*get)(const struct account *, char *, size_t);
	const char	*unset;		/* the value of the default */
};

static char	 account_errbuf[ACCOUNT_ERR_MAX];

static void	 account_seterr(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static int	 field_set_hash(struct account *, const char *, char *,
		    size_t);
static int	 field_get_hash(const struct account *, char *, size_t);
static int	 field_set_enabled(struct account *, const char *, char *,
		    size_t);
static int	 field_get_enabled(const struct account *, char *, size_t);
static int	 field_set_binds(struct account *, const char *, char *,
		    size_t);
static int	 field_get_binds(const struct account *, char *, size_t);
static int	 field_set_max_bindings(struct account *, const char *,
		    char *, size_t);
static int	 field_get_max_bindings(const struct account *, char *,
		    size_t);
static int	 field_set_throughput(struct account *, const char *, char *,
		    size_t);
static int	 field_get_throughput(const struct account *, char *, size_t);
static int	 field_set_rate(struct account *, const char *, char *,
		    size_t);
static int	 field_get_rate(const struct account *, char *, size_t);
static int	 field_set_default_src(struct account *, const char *, char *,
		    size_t);
static int	 field_get_default_src(const struct account *, char *,
		    size_t);
static int	 field_set_src_pattern(struct account *, const char *, char *,
		    size_t);
static int	 field_get_src_pattern(const struct account *, char *,
		    size_t);
static int	 field_set_dst_pattern(struct account *, const char *, char *,
		    size_t);
static int	 field_get_dst_pattern(const struct account *, char *,
		    size_t);
static int	 field_set_networks(struct account *, const char *, char *,
		    size_t);
static int	 field_get_networks(const struct account *, char *, size_t);
static int	 field_set_slot(struct account *, const char *, char *,
		    size_t);
static int	 field_get_slot(const struct account *, char *, size_t);

#define F_AE	(ACCOUNT_F_ADMIN | ACCOUNT_F_EXPORT)

static const struct account_field_def fields[] = {
	{ "hash", ACCOUNT_F_EXPORT, field_set_hash, field_get_hash, "" },
	{ "enabled", F_AE, field_set_enabled, field_get_enabled, "yes" },
	{ "binds", F_AE, field_set_binds, field_get_binds, "all" },
	{ "max_bindings", F_AE, field_set_max_bindings,
	    field_get_max_bindings, "unlimited" },
	{ "throughput", F_AE, field_set_throughput, field_get_throughput,
	    "unlimited" },
	{ "rate", F_AE, field_set_rate, field_get_rate, "1" },
	{ "default_src", F_AE, field_set_default_src, field_get_default_src,
	    "" },
	{ "src_pattern", F_AE, field_set_src_pattern, field_get_src_pattern,
	    "" },
	{ "dst_pattern", F_AE, field_set_dst_pattern, field_get_dst_pattern,
	    "" },
	{ "networks", F_AE, field_set_networks, field_get_networks, "" },
	{ "slot", 0, field_set_slot, field_get_slot, "none" },
};

#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static const struct {
	const char	*name;
	const char	*alias;
	int		 mask;
} bind_names[] = {
	{ "tx", "transmitter", BIND_TX },
	{ "rx", "receiver", BIND_RX },
	{ "trx", "transceiver", BIND_TRX },
};

void
account_defaults(struct account *a, const char *system_id)
{
	memset(a, 0, sizeof(*a));
	a->version = ACCOUNT_VERSION;
	strlcpy(a->system_id, system_id, sizeof(a->system_id));
	a->enabled = 1;
	a->binds = BIND_ALL;
	a->max_bindings = -1;
	a->throughput = 0;
	a->rate = MICRO;
	a->slot = ACCOUNT_NO_SLOT;
}

static const struct account_field_def *
field_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

const char *
account_field(int i, int *flags)
{
	if (i < 0 || (size_t)i >= NFIELDS)
		return NULL;
	if (flags != NULL)
		*flags = fields[i].flags;
	return fields[i].name;
}

int
account_field_set(struct account *a, const char *name, const char *value,
    char *err, size_t errlen)
{
	const struct account_field_def	*f;

	if ((f = field_find(name)) == NULL) {
		snprintf(err, errlen, "unknown field \"%.128s\"", name);
		return -1;
	}
	return f->set(a, value, err, errlen);
}

int
account_field_unset(struct account *a, const char *name)
{
	const struct account_field_def	*f;
	char				 err[8];

	if ((f = field_find(name)) == NULL)
		return -1;
	return f->set(a, f->unset, err, sizeof(err));
}

int
account_field_get(const struct account *a, const char *name, char *buf,
    size_t len)
{
	const struct account_field_def	*f;

	if ((f = field_find(name)) == NULL)
		return -1;
	return f->get(a, buf, len);
}

/* Copy a string value of at most max - 1 printable ASCII characters. */
static int
field_string(char *dst, size_t max, const char *name, const char *v,
    char *err, size_t errlen)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e) {
			snprintf(err, errlen, "%s: only printable ASCII is "
			    "allowed", name);
			return -1;
		}
	if (strlen(v) >= max) {
		snprintf(err, errlen, "%s: longer than %zu characters", name,
		    max - 1);
		return -1;
	}
	strlcpy(dst, v, max);
	return 0;
}

static int
field_put(char *buf, size_t len, const char *v)
{
	return strlcpy(buf, v, len) < len ? 0 : -1;
}

static int
field_put_int(char *buf, size_t len, long long v, long long unlimited)
{
	int	 n;

	if (v == unlimited)
		return field_put(buf, len, "unlimited");
	n = snprintf(buf, len, "%lld", v);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* An integer 0..max, or "unlimited" (-> unlimited). */
static int
field_int(const char *name, const char *v, long long max, long long unlimited,
    long long *out, char *err, size_t errlen)
{
	const char	*errstr;

	if (strcmp(v, "unlimited") == 0) {
		*out = unlimited;
		return 0;
	}
	if (*v >= '0' && *v <= '9') {
		*out = strtonum(v, 0, max, &errstr);
		if (errstr == NULL)
			return 0;
	}
	snprintf(err, errlen, "%s: \"%.128s\" is not 0..%lld or unlimited",
	    name, v, max);
	return -1;
}

static int
field_set_hash(struct account *a, const char *v, char *err, size_t errlen)
{
	static const char	 ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789"
				    "./$=,+-*!";

	if (v[strspn(v, ok)] != '\0') {
		snprintf(err, errlen, "hash: not a crypt(3) hash");
		return -1;
	}
	return field_string(a->hash, sizeof(a->hash), "hash", v, err, errlen);
}

static int
field_get_hash(const struct account *a, char *buf, size_t len)
{
	return field_put(buf, len, a->hash);
}

static int
field_set_enabled(struct account *a, const char *v, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			a->enabled = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			a->enabled = 0;
			return 0;
		}
	}
	snprintf(err, errlen, "enabled: \"%.128s\" is not yes or no", v);
	return -1;
}

static int
field_get_enabled(const struct account *a, char *buf, size_t len)
{
	return field_put(buf, len, a->enabled ? "yes" : "no");
}

int
account_binds_parse(const char *s, int *mask)
{
	const char	*p = s, *end;
	size_t		 i, n;

	*mask = 0;
	if (strcasecmp(s, "all") == 0) {
		*mask = BIND_ALL;
		return 0;
	}
	for (;;) {
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		for (i = 0; i < sizeof(bind_names) / sizeof(bind_names[0]);
		    i++)
			if ((strlen(bind_names[i].name) == n &&
			    strncasecmp(p, bind_names[i].name, n) == 0) ||
			    (strlen(bind_names[i].alias) == n &&
			    strncasecmp(p, bind_names[i].alias, n) == 0))
				break;
		if (i == sizeof(bind_names) / sizeof(bind_names[0]))
			return -1;
		*mask |= bind_names[i].mask;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

const char *
account_binds_name(int mask, char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(bind_names) / sizeof(bind_names[0]); i++) {
		if (!(mask & bind_names[i].mask))
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ",", len);
		strlcat(buf, bind_names[i].name, len);
	}
	if (buf[0] == '\0')
		strlcpy(buf, "none", len);
	return buf;
}

static int
field_set_binds(struct account *a, const char *v, char *err, size_t errlen)
{
	int	 mask;

	if (account_binds_parse(v, &mask) == -1) {
		snprintf(err, errlen, "binds: \"%.128s\" is not a list of tx, "
		    "rx, trx (or transmitter, receiver, transceiver) or all",
		    v);
		return -1;
	}
	a->binds = mask;
	return 0;
}

static int
field_get_binds(const struct account *a, char *buf, size_t len)
{
	char	 names[32];

	return field_put(buf, len, account_binds_name(a->binds, names,
	    sizeof(names)));
}

static int
field_set_max_bindings(struct account *a, const char *v, char *err,
    size_t errlen)
{
	long long	 n;

	if (field_int("max_bindings", v, INT_MAX, -1, &n, err, errlen) == -1)
		return -1;
	a->max_bindings = (int)n;
	return 0;
}

static int
field_get_max_bindings(const struct account *a, char *buf, size_t len)
{
	return field_put_int(buf, len, a->max_bindings, -1);
}

static int
field_set_throughput(struct account *a, const char *v, char *err,
    size_t errlen)
{
	long long	 n;

	if (field_int("throughput", v, THROUGHPUT_MAX, 0, &n, err,
	    errlen) == -1)
		return -1;
	a->throughput = (int)n;
	return 0;
}

static int
field_get_throughput(const struct account *a, char *buf, size_t len)
{
	return field_put_int(buf, len, a->throughput, 0);
}

static int
field_set_rate(struct account *a, const char *v, char *err, size_t errlen)
{
	int64_t	 rate;

	if (ledger_money_parse(v, &rate) == -1 || rate < 0 || rate > RATE_MAX) {
		snprintf(err, errlen, "rate: \"%.128s\" is not an amount "
		    "0..%lld with up to 6 decimals", v, RATE_MAX / MICRO);
		return -1;
	}
	a->rate = rate;
	return 0;
}

static int
field_get_rate(const struct account *a, char *buf, size_t len)
{
	return ledger_money_format(buf, len, a->rate);
}

static int
field_set_default_src(struct account *a, const char *v, char *err,
    size_t errlen)
{
	return field_string(a->default_src, sizeof(a->default_src),
	    "default_src", v, err, errlen);
}

static int
field_get_default_src(const struct account *a, char *buf, size_t len)
{
	return field_put(buf, len, a->default_src);
}

static int
field_pattern(char *dst, size_t max, const char *name, const char *v,
    char *err, size_t errlen)
{
	regex_t	 re;
	char	 why[128];

	if (field_string(dst, max, name, v, err, errlen) == -1)
		return -1;
	if (*v == '\0')
		return 0;
	if (account_pattern_compile(&re, v, why, sizeof(why)) == -1) {
		dst[0] = '\0';
		snprintf(err, errlen, "%s: \"%.128s\" is not an extended "
		    "regular expression: %s", name, v, why);
		return -1;
	}
	regfree(&re);
	return 0;
}

static int
field_set_src_pattern(struct account *a, const char *v, char *err,
    size_t errlen)
{
	return field_pattern(a->src_pattern, sizeof(a->src_pattern),
	    "src_pattern", v, err, errlen);
}

static int
field_get_src_pattern(const struct account *a, char *buf, size_t len)
{
	return field_put(buf, len, a->src_pattern);
}

static int
field_set_dst_pattern(struct account *a, const char *v, char *err,
    size_t errlen)
{
	return field_pattern(a->dst_pattern, sizeof(a->dst_pattern),
	    "dst_pattern", v, err, errlen);
}

static int
field_get_dst_pattern(const struct account *a, char *buf, size_t len)
{
	return field_put(buf, len, a->dst_pattern);
}

static int
field_set_networks(struct account *a, const char *v, char *err,
    size_t errlen)
{
	char	 why[160];

	if (strcmp(v, "any") == 0)
		v = "";
	if (*v != '\0' && netacl_check(v, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "networks: %s (a comma-separated list of "
		    "IPv4 or IPv6 addresses or CIDRs, or any)", why);
		return -1;
	}
	return field_string(a->networks, sizeof(a->networks), "networks", v,
	    err, errlen);
}

static int
field_get_networks(const struct account *a, char *buf, size_t len)
{
	return field_put(buf, len, a->networks);
}

static int
field_set_slot(struct account *a, const char *v, char *err, size_t errlen)
{
	long long	 n;

	if (strcmp(v, "none") == 0) {
		a->slot = ACCOUNT_NO_SLOT;
		return 0;
	}
	if (field_int("slot", v, (long long)ACCOUNT_NO_SLOT - 1,
	    ACCOUNT_NO_SLOT, &n, err, errlen) == -1)
		return -1;
	a->slot = (uint32_t)n;
	return 0;
}

static int
field_get_slot(const struct account *a, char *buf, size_t len)
{
	if (a->slot == ACCOUNT_NO_SLOT)
		return field_put(buf, len, "none");
	return field_put_int(buf, len, a->slot, -1);
}

int
account_encode(const struct account *a, char *buf, size_t len)
{
	char	 v[ACCOUNT_NETWORKS_MAX];
	size_t	 i, off;
	int	 n;

	n = snprintf(buf, len, "v%d\n", ACCOUNT_VERSION);
	if (n < 0 || (size_t)n >= len)
		return -1;
	off = (size_t)n;
	for (i = 0; i < NFIELDS; i++) {
		if (fields[i].get(a, v, sizeof(v)) == -1)
			return -1;
		n = snprintf(buf + off, len - off, "%s=%s\n", fields[i].name,
		    v);
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return (int)off;
}

/* The version line: "vN\n"; N, or -1 when it is not one. */
static int
account_version(const char *p, size_t len, size_t *used)
{
	const char	*nl, *errstr;
	char		 num[12];
	size_t		 n;
	int		 v;

	if (len < 3 || p[0] != 'v' || (nl = memchr(p, '\n', len)) == NULL)
		return -1;
	n = (size_t)(nl - p - 1);
	if (n == 0 || n >= sizeof(num) || p[1] < '0' || p[1] > '9')
		return -1;
	memcpy(num, p + 1, n);
	num[n] = '\0';
	v = (int)strtonum(num, 1, INT_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	*used = n + 2;
	return v;
}

/* One "field=value" line of len octets (no newline). */
static int
account_decode_line(struct account *a, const char *p, size_t len)
{
	char		 line[ACCOUNT_RECORD_MAX], err[256], *eq;

	if (len >= sizeof(line) || memchr(p, '\0', len) != NULL) {
		account_seterr("record of %s: bad line", a->system_id);
		return ACCOUNT_ERROR;
	}
	memcpy(line, p, len);
	line[len] = '\0';
	if ((eq = strchr(line, '=')) == NULL) {
		account_seterr("record of %s: line without '='", a->system_id);
		return ACCOUNT_ERROR;
	}
	*eq = '\0';
	if (account_field_set(a, line, eq + 1, err, sizeof(err)) == -1) {
		account_seterr("record of %s: %s", a->system_id, err);
		return ACCOUNT_ERROR;
	}
	return ACCOUNT_OK;
}

/* a->system_id (the key) is the caller's: set it before, it is kept. */
int
account_decode(const char *text, size_t len, struct account *a)
{
	char		 id[SYSTEM_ID_LEN + 1];
	const char	*p, *end = text + len, *nl;
	size_t		 used;
	int		 v, r;

	memcpy(id, a->system_id, sizeof(id));
	id[SYSTEM_ID_LEN] = '\0';
	account_defaults(a, id);
	if ((v = account_version(text, len, &used)) == -1) {
		errno = EINVAL;
		account_seterr("record of %s is not an account record", id);
		return ACCOUNT_ERROR;
	}
	if (v != ACCOUNT_VERSION) {
		errno = EINVAL;
		account_seterr("record of %s has format version %d, this "
		    "program reads %d", id, v, ACCOUNT_VERSION);
		return ACCOUNT_VERSION_ERR;
	}
	for (p = text + used; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((r = account_decode_line(a, p, (size_t)(nl - p))) != 0) {
			errno = EINVAL;
			return r;
		}
	}
	return ACCOUNT_OK;
}

static int
account_random(void *buf, size_t len)
{
	ssize_t	 n = -1;
	int	 fd;

#ifdef HAVE_GETRANDOM
	while ((n = getrandom(buf, len, 0)) == -1 && errno == EINTR)
		;
	if (n == (ssize_t)len)
		return 0;
#endif
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* The setting (method and salt) for a new hash. */
static int
account_salt(char *setting, size_t len)
{
	static const char	 b64[] = "./0123456789"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz";
	unsigned char		 rnd[SALT_CHARS];
	size_t			 i;

#ifdef HAVE_CRYPT_GENSALT_RN
	/*
	 * yescrypt at cost 2 takes about 2 ms to check on a current CPU;
	 * the library's default (cost 5) takes 12 ms, which would make the
	 * password check alone cap a 2-core server near 160 binds a second.
	 */
	if (crypt_gensalt_rn("$y$", 2, NULL, 0, setting, (int)len) != NULL &&
	    setting[0] != '*')
		return 0;
	if (crypt_gensalt_rn(NULL, 0, NULL, 0, setting, (int)len) != NULL &&
	    setting[0] != '*')
		return 0;
#endif
	if (len < 4 + SALT_CHARS || account_random(rnd, sizeof(rnd)) == -1)
		return -1;
	memcpy(setting, "$6$", 3);
	for (i = 0; i < SALT_CHARS; i++)
		setting[3 + i] = b64[rnd[i] & 63];
	setting[3 + SALT_CHARS] = '\0';
	return 0;
}

/* crypt_r() into out; the work area is big, so it lives on the heap. */
static int
account_crypt(const char *password, const char *setting, char *out,
    size_t len)
{
	struct crypt_data	*cd;
	const char		*h;
	int			 r = -1;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_r(password, setting, cd);
	if (h != NULL && h[0] != '*' && strlcpy(out, h, len) < len)
		r = 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

static int
account_password_ok(const char *password)
{
	size_t	 n = strlen(password);

	return n >= 1 && n <= ACCOUNT_PASSWORD_MAX;
}

int
account_set_password(struct account *a, const char *password)
{
	char	 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char	 hash[ACCOUNT_HASH_MAX];

	if (!account_password_ok(password)) {
		errno = EINVAL;
		account_seterr("password of %s must be 1 to %d characters",
		    a->system_id, ACCOUNT_PASSWORD_MAX);
		return -1;
	}
	if (account_salt(setting, sizeof(setting)) == -1 ||
	    account_crypt(password, setting, hash, sizeof(hash)) == -1) {
		account_seterr("password of %s: crypt(3) failed",
		    a->system_id);
		return -1;
	}
	strlcpy(a->hash, hash, sizeof(a->hash));
	explicit_bzero(hash, sizeof(hash));
	return 0;
}

int
account_check_password(const struct account *a, const char *password)
{
	char		 hash[ACCOUNT_HASH_MAX];
	size_t		 i, n;
	unsigned char	 diff = 0;

	if (a->hash[0] != '$' || !account_password_ok(password) ||
	    account_crypt(password, a->hash, hash, sizeof(hash)) == -1)
		return 0;
	n = strlen(a->hash);
	if (strlen(hash) != n)
		return 0;
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(hash[i] ^ a->hash[i]);
	explicit_bzero(hash, sizeof(hash));
	return diff == 0;
}

int
account_network_allowed(const struct account *a, const struct sockaddr *sa)
{
	if (a->networks[0] == '\0')
		return 1;
	return netacl_match(a->networks, sa);
}

int
account_pattern_compile(regex_t *re, const char *pattern, char *err,
    size_t errlen)
{
	int	 rc;

	if ((rc = regcomp(re, pattern, REG_EXTENDED)) != 0) {
		regerror(rc, re, err, errlen);
		return -1;
	}
	return 0;
}

/*
 * POSIX finds the leftmost match, so a match at offset 0 exists exactly
 * when the leftmost one starts there.
 */
int
account_pattern_match(const regex_t *re, const char *s)
{
	regmatch_t	 m;

	return regexec(re, s, 1, &m, 0) == 0 && m.rm_so == 0;
}

/* Say why the last call failed; errno is kept. */
static void
account_seterr(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(account_errbuf, sizeof(account_errbuf), fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *
account_error(void)
{
	return account_errbuf;
}
