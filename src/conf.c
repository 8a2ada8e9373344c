/*
 * conf.c - load smppd.conf: Jasmin's [smpp-server] section verbatim,
 * smppd's own sections, connectors and routes
 *
 * SYNOPSIS
 *	conf_defaults(conf)
 *	conf_load(conf, path, report)
 *	conf_free(conf)
 *	conf_connector(conf, name)
 *	conf_ledger_path(conf, buf, len)
 *	conf_route_account(route, account)
 *	conf_route_key(route, buf, len)
 *	conf_peers(text, peers, max, err, errlen)
 *
 * DESCRIPTION
 *	conf_load() fills every default, reads the file with ini.c, sets
 *	each key through conf_table.c, then runs the checks that need the
 *	whole file: bind and port into listen[], retry_min <= retry_max,
 *	each [mt-routes] connector exists, each [smppconn] peers entry
 *	names a connector, the owner and mode of the file (conf_mode.c),
 *	and [smppconn]'s logging inherited from [smpp-server].
 *
 *	conf_peers() parses [smppconn] peers ("ID CONNECTOR, ...") into
 *	peers, at most max: how many, or -1 with a message in err.  It reports every error it finds, not only the
 *	first, and returns their number.
 *
 *	On error the struct holds a mix of values and must not be used
 *	except by conf_free().  A SIGHUP reload therefore loads into a
 *	new struct and swaps only on success.
 *
 * DIAGNOSTICS
 *	Each error is one line "FILE:LINE: message" given to the report
 *	function (log_errorx() when it is NULL); a file that cannot be
 *	opened is one error "FILE: reason".
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conf_table.h"
#include "errclass.h"
#include "ini.h"
#include "netacl.h"
#include "log.h"

#define ROUTE_PREFIX_MAX	20	/* digits; SMPP addresses hold 20 */

struct conf_parse {
	struct conf	*conf;
	conf_report_fn	 report;
	int		 nerr;
	enum conf_sect	 sect;
	int		 sect_line[CS_COUNT];	/* of fixed sections */
	int		*key_line;		/* per conf_table entry */
	int		 cur;			/* connector read */
	size_t		 cap_conn, cap_mt, cap_mo;
};

static void conf_err(struct conf_parse *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

static void
conf_err(struct conf_parse *p, int line, const char *fmt, ...)
{
	char	 msg[512], out[1024 + 600];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(out, sizeof(out), "%s:%d: %s", p->conf->path, line,
		    msg);
	else
		snprintf(out, sizeof(out), "%s: %s", p->conf->path, msg);
	p->nerr++;
	if (p->report != NULL)
		p->report(out);
	else
		log_errorx("%s", out);
}

static void
conf_ini_err(void *arg, const char *name, int line, const char *msg)
{
	(void)name;
	conf_err(arg, line, "%s", msg);
}

/* Grow an array of n elements of size sz to hold one more. */
static void *
grow(void *a, size_t n, size_t *cap, size_t sz)
{
	size_t	 ncap;
	void	*na;

	if (n < *cap)
		return a;
	ncap = *cap == 0 ? 8 : *cap * 2;
	if (ncap > SIZE_MAX / sz || (na = realloc(a, ncap * sz)) == NULL)
		return NULL;
	*cap = ncap;
	return na;
}

/*
 * "host", "host:port", "[v6]" or "[v6]:port" into l; tok is changed.
 */
static int
listen_one(char *tok, int defport, struct conf_listen *l, char *err,
    size_t errlen)
{
	unsigned char	 addr[sizeof(struct in6_addr)];
	char		*host = tok, *port = NULL, *e;
	const char	*errstr;
	int		 af = AF_INET;

	if (*tok == '[') {
		af = AF_INET6;
		host = tok + 1;
		if ((e = strchr(host, ']')) == NULL || (e[1] != '\0' &&
		    e[1] != ':'))
			goto bad;
		port = e[1] == ':' ? e + 2 : NULL;
		*e = '\0';
	} else if ((e = strchr(tok, ':')) != NULL) {
		if (strchr(e + 1, ':') != NULL)
			af = AF_INET6;
		else {
			*e = '\0';
			port = e + 1;
		}
	}
	if (inet_pton(af, host, addr) != 1 || strlen(host) >= sizeof(l->host))
		goto bad;
	strlcpy(l->host, host, sizeof(l->host));
	l->port = defport;
	if (port != NULL) {
		l->port = strtonum(port, 1, 65535, &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "bind: port '%.32s' is %s "
			    "(1..65535)", port, errstr);
			return -1;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "bind: '%.64s' is not an IPv4 address or an "
	    "IPv6 address, with an optional :port ([v6]:port)", tok);
	return -1;
}

/* [smpp-server] bind and port into listen[]. */
static int
conf_listen_parse(struct conf_server *s, char *err, size_t errlen)
{
	char	 buf[sizeof(s->bind)], *tok, *save;
	int	 i;

	strlcpy(buf, s->bind, sizeof(buf));
	s->nlisten = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (s->nlisten == CONF_MAX_LISTEN) {
			snprintf(err, errlen, "bind: more than %d addresses",
			    CONF_MAX_LISTEN);
			return -1;
		}
		if (listen_one(tok, s->port, &s->listen[s->nlisten], err,
		    errlen) == -1)
			return -1;
		for (i = 0; i < s->nlisten; i++)
			if (strcmp(s->listen[i].host,
			    s->listen[s->nlisten].host) == 0 &&
			    s->listen[i].port == s->listen[s->nlisten].port) {
				snprintf(err, errlen, "bind: %s port %d is "
				    "listed twice", s->listen[i].host,
				    s->listen[i].port);
				return -1;
			}
		s->nlisten++;
	}
	if (s->nlisten == 0) {
		snprintf(err, errlen, "bind: no address");
		return -1;
	}
	return 0;
}

void
conf_defaults(struct conf *conf)
{
	char	 err[128];

	memset(conf, 0, sizeof(*conf));
	conf_table_defaults(CS_SERVER, conf);
	conf_table_defaults(CS_SPOOL, conf);
	conf_table_defaults(CS_USERDB, conf);
	conf_table_defaults(CS_CONN, conf);
	if (conf_listen_parse(&conf->server, err, sizeof(err)) == -1)
		panic("default bind: %s", err);
}

/* The section as the messages show it: "smpp-server", "connector up". */
static const char *
sect_label(struct conf_parse *p, char *buf, size_t len)
{
	if (p->sect == CS_CONNECTOR && p->cur >= 0)
		snprintf(buf, len, "connector %s",
		    p->conf->connectors[p->cur].name);
	else
		snprintf(buf, len, "%s", conf_sect_name(p->sect));
	return buf;
}

static int
conf_connector_begin(struct conf_parse *p, const char *name, int line)
{
	struct conf		*conf = p->conf;
	const struct conf_connector *old;
	struct conf_connector	*c;
	size_t			 i;

	if (!conf_name_valid(name)) {
		conf_err(p, line, "bad connector name '%.64s' (1 to %d of "
		    "A-Z a-z 0-9 _ . -)", name, CONF_NAME_MAX - 1);
		return -1;
	}
	if ((old = conf_connector(conf, name)) != NULL) {
		conf_err(p, line, "duplicate section [connector %s] (first at "
		    "line %d)", name, old->line);
		return -1;
	}
	if ((c = grow(conf->connectors, conf->nconnectors, &p->cap_conn,
	    sizeof(*c))) == NULL) {
		conf_err(p, line, "out of memory");
		return -1;
	}
	conf->connectors = c;
	c = &conf->connectors[conf->nconnectors];
	memset(c, 0, sizeof(*c));
	strlcpy(c->name, name, sizeof(c->name));
	c->line = line;
	conf_table_defaults(CS_CONNECTOR, c);
	for (i = 0; i < conf_table_len; i++)
		if (conf_table[i].sect == CS_CONNECTOR)
			p->key_line[i] = 0;
	p->cur = conf->nconnectors++;
	p->sect = CS_CONNECTOR;
	return 0;
}

/* At the end of a [connector] section: the checks that need its type. */
static void
conf_connector_end(struct conf_parse *p)
{
	struct conf_connector	*c;
	const struct conf_key	*k, *tk;
	int			 mask, line;

	if (p->cur < 0)
		return;
	c = &p->conf->connectors[p->cur];
	p->cur = -1;
	tk = conf_table_find(CS_CONNECTOR, "type");
	if (c->type == 0) {
		if (p->key_line[tk - conf_table] == 0)
			conf_err(p, c->line, "[connector %s]: missing key "
			    "'type' (sink, pipe or smpp)", c->name);
		return;
	}
	mask = 1 << c->type;
	for (k = conf_table; k < conf_table + conf_table_len; k++) {
		if (k->sect != CS_CONNECTOR)
			continue;
		line = p->key_line[k - conf_table];
		if (line != 0 && !(k->ctypes & mask))
			conf_err(p, line, "key '%s' is not for a connector of "
			    "type %s", k->name, conf_conn_type_name(c->type));
		else if (line == 0 && (k->flags & CK_REQUIRED) &&
		    (k->ctypes & mask))
			conf_err(p, c->line, "[connector %s]: missing key '%s' "
			    "(required for type %s)", c->name, k->name,
			    conf_conn_type_name(c->type));
	}
	if (c->type == CONN_SMPP && c->reconnect_min > c->reconnect_max) {
		k = conf_table_find(CS_CONNECTOR, "reconnect_max");
		line = p->key_line[k - conf_table];
		conf_err(p, line != 0 ? line : c->line, "reconnect_min (%d) "
		    "is greater than reconnect_max (%d)", c->reconnect_min,
		    c->reconnect_max);
	}
}

static int
conf_section(struct conf_parse *p, const char *name, int line)
{
	int	 s;

	conf_connector_end(p);
	p->sect = CS_NONE;
	if (strncmp(name, "connector ", 10) == 0)
		return conf_connector_begin(p, name + 10, line);
	if (strcmp(name, "connector") == 0) {
		conf_err(p, line, "section [connector] needs a name: "
		    "[connector NAME]");
		return -1;
	}
	for (s = 0; s < CS_COUNT; s++)
		if (s != CS_CONNECTOR && strcmp(name, conf_sect_name(s)) == 0)
			break;
	if (s == CS_COUNT) {
		conf_err(p, line, "unknown section [%.64s]", name);
		return -1;
	}
	if (p->sect_line[s] != 0) {
		conf_err(p, line, "duplicate section [%s] (first at line %d)",
		    name, p->sect_line[s]);
		return -1;
	}
	p->sect_line[s] = line;
	p->sect = s;
	return 0;
}

static int
conf_key(struct conf_parse *p, const char *key, const char *value, int line)
{
	const struct conf_key	*k;
	char			 label[64], err[512];
	void			*base = p->conf;
	int			*seen;

	if ((k = conf_table_find(p->sect, key)) == NULL) {
		conf_err(p, line, "unknown key '%.64s' in [%s]", key,
		    sect_label(p, label, sizeof(label)));
		return -1;
	}
	seen = &p->key_line[k - conf_table];
	if (*seen != 0) {
		conf_err(p, line, "duplicate key '%s' in [%s] (first at line "
		    "%d)", key, sect_label(p, label, sizeof(label)), *seen);
		return -1;
	}
	*seen = line;
	if (p->sect == CS_CONNECTOR)
		base = &p->conf->connectors[p->cur];
	if (conf_table_set(k, base, value, err, sizeof(err)) == -1) {
		conf_err(p, line, "%s", err);
		return -1;
	}
	return 0;
}

/* "a, b,c" into "a,b,c", each a valid account. */
static int
route_accounts(char *list, char *out, size_t outlen)
{
	char	*tok, *save, *a;
	size_t	 n = 0;

	out[0] = '\0';
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		a = tok + strspn(tok, " \t");
		a[strcspn(a, " \t")] = '\0';
		if (!conf_account_valid(a))
			return -1;
		if (n++ > 0 && strlcat(out, ",", outlen) >= outlen)
			return -1;
		if (strlcat(out, a, outlen) >= outlen)
			return -1;
	}
	return n > 0 ? 0 : -1;
}

/*
 * A route key: "default", "[+]DIGITS", "src:[+]DIGITS" (MO) or
 * "[+]DIGITS@acct,..." (MT).
 */
static int
route_key(struct conf_parse *p, const char *key, int mo,
    struct conf_route *r, int line)
{
	char	 buf[512], *pfx = buf, *acc;
	size_t	 n;

	if (strcmp(key, "default") == 0) {
		r->is_default = 1;
		return 0;
	}
	if (strlcpy(buf, key, sizeof(buf)) >= sizeof(buf))
		goto bad;
	if (strncmp(pfx, "src:", 4) == 0) {
		r->by_source = 1;
		pfx += 4;
	}
	if (!mo && (acc = strchr(pfx, '@')) != NULL) {
		*acc++ = '\0';
		if (route_accounts(acc, r->accounts, sizeof(r->accounts))
		    == -1) {
			conf_err(p, line, "route '%.64s': bad account list "
			    "(system_ids of 1 to 30 of A-Z a-z 0-9 _ . -, "
			    "separated by commas)", key);
			return -1;
		}
	}
	pfx += strspn(pfx, " \t");
	pfx[strcspn(pfx, " \t")] = '\0';
	if (*pfx == '+')
		pfx++;
	n = strlen(pfx);
	if (n >= 1 && n <= ROUTE_PREFIX_MAX &&
	    strspn(pfx, "0123456789") == n) {
		strlcpy(r->prefix, pfx, sizeof(r->prefix));
		return 0;
	}
bad:
	conf_err(p, line, "route '%.64s': the prefix must be 1 to %d digits, "
	    "a leading '+' ignored (keys: %s or default)", key,
	    ROUTE_PREFIX_MAX, mo ? "PREFIX, src:PREFIX" :
	    "PREFIX, src:PREFIX, PREFIX@ACCOUNT,...");
	return -1;
}

/* Whether two MT routes' account lists share an account. */
static int
accounts_overlap(const struct conf_route *a, const struct conf_route *b)
{
	char		 acct[CONF_NAME_MAX];
	const char	*s;
	size_t		 n;

	if (a->accounts[0] == '\0' || b->accounts[0] == '\0')
		return a->accounts[0] == b->accounts[0];
	for (s = a->accounts; *s != '\0'; s += n + (s[n] == ',')) {
		n = strcspn(s, ",");
		if (n >= sizeof(acct))
			continue;
		memcpy(acct, s, n);
		acct[n] = '\0';
		if (conf_route_account(b, acct))
			return 1;
	}
	return 0;
}

static const struct conf_route *
route_dup(const struct conf_route *rs, int n, const struct conf_route *r,
    int mo)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (rs[i].is_default != r->is_default)
			continue;
		if (r->is_default)
			return &rs[i];
		if (rs[i].by_source == r->by_source &&
		    strcmp(rs[i].prefix, r->prefix) == 0 &&
		    (mo || accounts_overlap(&rs[i], r)))
			return &rs[i];
	}
	return NULL;
}

/* One "NAME" or "NAME*WEIGHT" of an MT route, trimmed, into a hop. */
static const char *
route_hop(char *tok, struct conf_route_hop *h)
{
	char	*star, *end;
	long	 w = 1;
	size_t	 n;

	tok += strspn(tok, " \t");
	if ((star = strchr(tok, '*')) != NULL) {
		*star++ = '\0';
		star += strspn(star, " \t");
		w = strtol(star, &end, 10);
		end += strspn(end, " \t");
		if (end == star || *end != '\0' || w < 1 ||
		    w > CONF_ROUTE_WEIGHT_MAX)
			return "a weight is NAME*N, N from 1 to 1000";
	}
	n = strcspn(tok, " \t");
	if (tok[n + strspn(tok + n, " \t")] != '\0')
		return "connectors are separated by ',' or '|'";
	tok[n] = '\0';
	if (tok[0] == '\0')
		return "an empty connector name in the list";
	if (!conf_name_valid(tok))
		return "not a connector name";
	strlcpy(h->name, tok, sizeof(h->name));
	h->weight = (int)w;
	return NULL;
}

/*
 * An MT route's connectors: tiers separated by ',' tried in order,
 * the connectors of a tier separated by '|' sharing its traffic.
 */
static const char *
route_hops(const char *value, struct conf_route *r)
{
	char		 buf[1024], *tier, *tok, *s1, *s2;
	const char	*err;
	int		 t = 0, i;

	if (strlcpy(buf, value, sizeof(buf)) >= sizeof(buf))
		return "the list is too long";
	for (tier = buf; tier != NULL; tier = s1, t++) {
		if ((s1 = strchr(tier, ',')) != NULL)
			*s1++ = '\0';
		for (tok = tier; tok != NULL; tok = s2) {
			if ((s2 = strchr(tok, '|')) != NULL)
				*s2++ = '\0';
			if (r->nhops == CONF_ROUTE_HOPS)
				return "more than 16 connectors";
			r->hops[r->nhops].tier = t;
			if ((err = route_hop(tok, &r->hops[r->nhops])) != NULL)
				return err;
			for (i = 0; i < r->nhops; i++)
				if (strcmp(r->hops[i].name,
				    r->hops[r->nhops].name) == 0)
					return "a connector named twice";
			r->nhops++;
		}
	}
	strlcpy(r->target, r->hops[0].name, sizeof(r->target));
	return NULL;
}

static int
conf_route(struct conf_parse *p, const char *key, const char *value,
    int line)
{
	struct conf		*conf = p->conf;
	int			 mo = p->sect == CS_MO;
	struct conf_route	 r, **rs = mo ? &conf->mo_routes :
				    &conf->mt_routes, *nrs;
	int			*n = mo ? &conf->nmo_routes :
				    &conf->nmt_routes;
	const struct conf_route	*d;
	const char		*err;

	memset(&r, 0, sizeof(r));
	r.line = line;
	if (route_key(p, key, mo, &r, line) == -1)
		return -1;
	if (mo && !conf_account_valid(value)) {
		conf_err(p, line, "route '%.64s': '%.64s' is not an account "
		    "(system_id)", key, value);
		return -1;
	}
	if (!mo && (err = route_hops(value, &r)) != NULL) {
		conf_err(p, line, "route '%.64s': '%.64s': %s", key, value,
		    err);
		return -1;
	}
	if (mo)
		strlcpy(r.target, value, sizeof(r.target));
	if ((d = route_dup(*rs, *n, &r, mo)) != NULL) {
		conf_err(p, line, "duplicate key '%.64s' in [%s] (first at "
		    "line %d)", key, conf_sect_name(p->sect), d->line);
		return -1;
	}
	if ((nrs = grow(*rs, *n, mo ? &p->cap_mo : &p->cap_mt,
	    sizeof(r))) == NULL) {
		conf_err(p, line, "out of memory");
		return -1;
	}
	*rs = nrs;
	nrs[(*n)++] = r;
	return 0;
}

static int
conf_ini_cb(void *arg, const char *section, const char *key,
    const char *value, int line)
{
	struct conf_parse	*p = arg;

	if (key == NULL)
		return conf_section(p, section, line);
	switch (p->sect) {
	case CS_NONE:
		return 0;		/* its header was reported */
	case CS_MT:
	case CS_MO:
		return conf_route(p, key, value, line);
	default:
		return conf_key(p, key, value, line);
	}
}

static int
key_line(struct conf_parse *p, enum conf_sect s, const char *name)
{
	return p->key_line[conf_table_find(s, name) - conf_table];
}

/*
 * The network lists of [smpp-server]; proxy_protocol = yes believes
 * headers only from the proxies listed in proxy_from, so it needs one.
 */
static void
conf_server_nets(struct conf_parse *p)
{
	struct conf_server	*s = &p->conf->server;
	char			 err[256];

	if (s->proxy_from[0] != '\0' &&
	    netacl_check(s->proxy_from, err, sizeof(err)) == -1)
		conf_err(p, key_line(p, CS_SERVER, "proxy_from"),
		    "proxy_from: %s", err);
	if (s->limits_exempt[0] != '\0' &&
	    netacl_check(s->limits_exempt, err, sizeof(err)) == -1)
		conf_err(p, key_line(p, CS_SERVER, "limits_exempt"),
		    "limits_exempt: %s", err);
	if (s->proxy_protocol && s->proxy_from[0] == '\0')
		conf_err(p, key_line(p, CS_SERVER, "proxy_protocol"),
		    "proxy_protocol = yes needs proxy_from: the addresses "
		    "of the proxies whose PROXY headers are believed");
}

static void
conf_errclass_lists(struct conf_parse *p, const struct conf_connector *c)
{
	char	 err[128];

	if (errclass_list_check(c->throttling_errors, err, sizeof(err)) ==
	    -1 || errclass_list_check(c->transient_errors, err,
	    sizeof(err)) == -1 || errclass_list_check(c->permanent_errors, err,
	    sizeof(err)) == -1)
		conf_err(p, c->line, "[connector %s]: error lists: %s",
		    c->name, err);
}

static int
peer_one(char *item, struct conf_peer *p, char *err, size_t errlen)
{
	char	*id, *conn, *rest;

	id = item + strspn(item, " \t");
	conn = id + strcspn(id, " \t");
	if (*conn != '\0')
		*conn++ = '\0';
	conn += strspn(conn, " \t");
	rest = conn + strcspn(conn, " \t");
	if (*rest != '\0')
		*rest++ = '\0';
	rest += strspn(rest, " \t");
	if (*id == '\0' || *conn == '\0' || *rest != '\0') {
		snprintf(err, errlen, "peers: '%.64s' is not 'ID CONNECTOR'",
		    item);
		return -1;
	}
	if (strlcpy(p->id, id, sizeof(p->id)) >= sizeof(p->id) ||
	    strlcpy(p->conn, conn, sizeof(p->conn)) >= sizeof(p->conn)) {
		snprintf(err, errlen, "peers: '%.64s' is too long", id);
		return -1;
	}
	return 0;
}

int
conf_peers(const char *text, struct conf_peer *peers, int max,
    char *err, size_t errlen)
{
	char	 buf[1024], *item, *next;
	int	 n = 0;

	if (strlcpy(buf, text, sizeof(buf)) >= sizeof(buf)) {
		snprintf(err, errlen, "peers: too long");
		return -1;
	}
	for (item = buf; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if (item[strspn(item, " \t")] == '\0' && next == NULL && n == 0)
			break;		/* empty: no peers */
		if (n == max) {
			snprintf(err, errlen, "peers: more than %d", max);
			return -1;
		}
		if (peer_one(item, &peers[n], err, errlen) == -1)
			return -1;
		n++;
	}
	return n;
}

/* [smppconn] peers parse, and each names a connector. */
static int
conf_peers_check(const struct conf *conf, char *err, size_t errlen)
{
	struct conf_peer	 peers[CONF_PEERS_MAX];
	int			 i, n;

	n = conf_peers(conf->conn.peers, peers, CONF_PEERS_MAX, err,
	    errlen);
	for (i = 0; i < n; i++)
		if (conf_connector(conf, peers[i].conn) == NULL) {
			snprintf(err, errlen, "peers: %s: no [connector %s]",
			    peers[i].id, peers[i].conn);
			return -1;
		}
	return n < 0 ? -1 : 0;
}

/* The checks that need the whole file. */
static void
conf_finish(struct conf_parse *p, const struct stat *st)
{
	struct conf		*conf = p->conf;
	struct conf_connector	*c;
	const struct conf_route	*r;
	char			 err[256], key[320];
	int			 i, j;

	if (conf_listen_parse(&conf->server, err, sizeof(err)) == -1)
		conf_err(p, key_line(p, CS_SERVER, "bind"), "%s", err);
	conf_server_nets(p);
	if (conf->spool.retry_min > conf->spool.retry_max)
		conf_err(p, key_line(p, CS_SPOOL, "retry_max") != 0 ?
		    key_line(p, CS_SPOOL, "retry_max") :
		    key_line(p, CS_SPOOL, "retry_min"), "retry_min (%d) is "
		    "greater than retry_max (%d)", conf->spool.retry_min,
		    conf->spool.retry_max);
	if (key_line(p, CS_CONN, "log_file") == 0)
		strlcpy(conf->conn.log_file, conf->server.log_file,
		    sizeof(conf->conn.log_file));
	if (key_line(p, CS_CONN, "log_level") == 0)
		conf->conn.log_level = conf->server.log_level;
	if (conf_peers_check(conf, err, sizeof(err)) == -1)
		conf_err(p, key_line(p, CS_CONN, "peers"), "%s", err);
	/* By index: NULL + 0 is undefined when there are no routes. */
	for (i = 0; i < conf->nmt_routes; i++) {
		r = &conf->mt_routes[i];
		for (j = 0; j < r->nhops; j++)
			if (conf_connector(conf, r->hops[j].name) == NULL)
				conf_err(p, r->line, "route '%s': no "
				    "[connector %s]", conf_route_key(r, key,
				    sizeof(key)), r->hops[j].name);
	}
	for (i = 0; i < conf->nconnectors; i++) {
		c = &conf->connectors[i];
		if (c->type == CONN_PIPE || c->type == CONN_HELPER)
			(void)conf_argv(c, err, sizeof(err));
		conf_errclass_lists(p, c);
		if (c->type == CONN_SMPP &&
		    conf_mode_secret(conf, st, err, sizeof(err)) == -1) {
			conf_err(p, c->line, "[connector %s]: %s", c->name,
			    err);
			break;
		}
	}
	if (conf_mode_owner(conf, st, err, sizeof(err)) == -1)
		conf_err(p, 0, "%s", err);
}

int
conf_load(struct conf *conf, const char *path, conf_report_fn report)
{
	struct conf_parse	 p;
	struct stat		 st;
	int			 fd;

	conf_defaults(conf);
	memset(&p, 0, sizeof(p));
	p.conf = conf;
	p.report = report;
	p.sect = CS_NONE;
	p.cur = -1;
	if (strlcpy(conf->path, path, sizeof(conf->path)) >=
	    sizeof(conf->path)) {
		conf_err(&p, 0, "path too long");
		return p.nerr;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		conf_err(&p, 0, "%s", strerror(errno));
		if (fd != -1)
			close(fd);
		return p.nerr;
	}
	if ((p.key_line = calloc(conf_table_len, sizeof(int))) == NULL) {
		conf_err(&p, 0, "out of memory");
		close(fd);
		return p.nerr;
	}
	(void)ini_parse_fd(fd, path, conf_ini_cb, conf_ini_err, &p);
	close(fd);
	conf_connector_end(&p);
	conf_finish(&p, &st);
	free(p.key_line);
	return p.nerr;
}

void
conf_free(struct conf *conf)
{
	free(conf->connectors);
	free(conf->mt_routes);
	free(conf->mo_routes);
	conf->connectors = NULL;
	conf->mt_routes = conf->mo_routes = NULL;
	conf->nconnectors = conf->nmt_routes = conf->nmo_routes = 0;
}

/* Whether a route applies to an account: unrestricted, or listed. */
int
conf_route_account(const struct conf_route *r, const char *account)
{
	const char	*s;
	size_t		 n, alen;

	if (r->accounts[0] == '\0')
		return 1;
	if (account == NULL)
		return 0;
	alen = strlen(account);
	for (s = r->accounts; *s != '\0'; s += n + (s[n] == ',')) {
		n = strcspn(s, ",");
		if (n == alen && memcmp(s, account, n) == 0)
			return 1;
	}
	return 0;
}

/* The key of a route as written: "default", "src:44", "44@a,b". */
const char *
conf_route_key(const struct conf_route *r, char *buf, size_t len)
{
	if (r->is_default)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%s%s%s%s", r->by_source ? "src:" : "",
		    r->prefix, r->accounts[0] != '\0' ? "@" : "", r->accounts);
	return buf;
}

const struct conf_connector *
conf_connector(const struct conf *conf, const char *name)
{
	int	 i;

	for (i = 0; i < conf->nconnectors; i++)
		if (strcmp(conf->connectors[i].name, name) == 0)
			return &conf->connectors[i];
	return NULL;
}

const char *
conf_ledger_path(const struct conf *conf, char *buf, size_t len)
{
	int	 n;

	if (conf->userdb.ledger[0] != '\0')
		n = snprintf(buf, len, "%s", conf->userdb.ledger);
	else
		n = snprintf(buf, len, "%s.ledger", conf->userdb.path);
	if (n < 0 || (size_t)n >= len)
		return NULL;
	return buf;
}
