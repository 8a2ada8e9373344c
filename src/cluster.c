/*
 * cluster.c - the other nodes of a cluster: [smppconn] peers, the ring
 * an unknown receipt travels, and the account map that says where an
 * account is homed
 *
 * SYNOPSIS
 *	cluster_warnings(conf, report)
 *	cluster_next(conf, origin)		cluster_peer(conf, id)
 *	cluster_home(mapfile, account, node, len)
 *	cluster_origin(msgid, id, len)
 *
 * DESCRIPTION
 *	[smppconn] peers lists the other nodes, comma-separated, each as
 *	its [smpp-server] id and the [connector] that reaches it:
 *
 *	    peers = smpps_b peer_b, smpps_c peer_c
 *
 *	conf_peers() (conf.c) parses that, and conf_load() checks that each
 *	names a connector.
 *
 *	A receipt no node's id map knows goes round a ring: the ids of
 *	this node and its peers, sorted, each node passing it to the one
 *	after itself.  cluster_next() is that next node, or NULL when it
 *	is the node the receipt started from (origin), which means every
 *	node has seen it, or when there are no peers.  Every node computes
 *	the same ring whatever order its peers are written in.
 *
 *	cluster_origin() is the node that gave a message its id: the
 *	[smpp-server] id before the 24 characters msgid.c appends.
 *
 *	The account map ([smppconn] homes) is the file HAProxy reads:
 *	one line per account, the account's system_id in upper-case hex
 *	(HAProxy cannot turn the bind's octets back into text), a blank,
 *	the id of its home node; lines beginning with '#' are comments.
 *	cluster_home() finds an account's node: 1, 0 when the account is
 *	not in the map, -1 when the file cannot be read.  The file is read
 *	again when its modification time or size changes.
 *
 *	cluster_warnings() is what smppd -t adds:
 *	a node that lists its own id among its peers, or one id twice,
 *	has copied another node's configuration without giving each node
 *	its own id, and its message ids would not be unique.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "cluster.h"

#define MSGID_TAIL	24	/* "-" and 23 hex digits, see msgid.c */

/* One "ID CONNECTOR" item, blanks trimmed. */
int
cluster_warnings(const struct conf *conf, void (*report)(const char *))
{
	struct conf_peer	 peers[CONF_PEERS_MAX];
	char			 err[256], msg[512];
	int			 i, j, n, nw = 0;

	n = conf_peers(conf->conn.peers, peers, CONF_PEERS_MAX, err,
	    sizeof(err));
	for (i = 0; i < n; i++) {
		if (strcmp(peers[i].id, conf->server.id) == 0) {
			snprintf(msg, sizeof(msg), "warning: [smppconn] peers "
			    "lists this node's own [smpp-server] id %.32s: "
			    "each node needs an id of its own", peers[i].id);
			report(msg);
			nw++;
		}
		for (j = 0; j < i; j++)
			if (strcmp(peers[i].id, peers[j].id) == 0) {
				snprintf(msg, sizeof(msg), "warning: "
				    "[smppconn] peers lists %.32s twice: two "
				    "nodes share an id", peers[i].id);
				report(msg);
				nw++;
			}
	}
	return nw;
}

const struct conf_peer *
cluster_peer(const struct conf *conf, const char *id)
{
	static struct conf_peer	 peers[CONF_PEERS_MAX];
	char				 err[256];
	int				 i, n;

	n = conf_peers(conf->conn.peers, peers, CONF_PEERS_MAX, err,
	    sizeof(err));
	for (i = 0; i < n; i++)
		if (strcmp(peers[i].id, id) == 0)
			return &peers[i];
	return NULL;
}

const struct conf_peer *
cluster_next(const struct conf *conf, const char *origin)
{
	struct conf_peer	 peers[CONF_PEERS_MAX];
	const char		*self = conf->server.id, *next = NULL;
	const char		*lowest = NULL;
	char			 err[256];
	int			 i, n;

	n = conf_peers(conf->conn.peers, peers, CONF_PEERS_MAX, err,
	    sizeof(err));
	/* The smallest id above ours, else the smallest of all: a ring. */
	for (i = 0; i < n; i++) {
		if (strcmp(peers[i].id, self) > 0 &&
		    (next == NULL || strcmp(peers[i].id, next) < 0))
			next = peers[i].id;
		if (lowest == NULL || strcmp(peers[i].id, lowest) < 0)
			lowest = peers[i].id;
	}
	if (next == NULL)
		next = lowest;
	if (next == NULL || strcmp(next, origin) == 0)
		return NULL;
	return cluster_peer(conf, next);
}

int
cluster_origin(const char *msgid, char *id, size_t len)
{
	size_t	 n = strlen(msgid);

	if (n <= MSGID_TAIL || msgid[n - MSGID_TAIL] != '-' ||
	    n - MSGID_TAIL >= len)
		return -1;
	memcpy(id, msgid, n - MSGID_TAIL);
	id[n - MSGID_TAIL] = '\0';
	return 0;
}

/* The account map, as last read. */
static struct {
	char	 path[CONF_PATH_MAX];
	time_t	 mtime;
	long	 mtime_ns;
	off_t	 size;
	char	*text;		/* the file, lines NUL-terminated */
	size_t	 len;
} map;

static int
map_load(const char *path)
{
	struct stat	 st;
	FILE		*f;
	char		*text;

	if (stat(path, &st) == -1)
		return -1;
	if (map.text != NULL && strcmp(map.path, path) == 0 &&
	    st.st_mtime == map.mtime && st.st_mtim.tv_nsec == map.mtime_ns &&
	    st.st_size == map.size)
		return 0;
	if (st.st_size > 64 * 1024 * 1024 || (f = fopen(path, "r")) == NULL)
		return -1;
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	map.len = fread(text, 1, (size_t)st.st_size, f);
	fclose(f);
	text[map.len] = '\0';
	free(map.text);
	map.text = text;
	strlcpy(map.path, path, sizeof(map.path));
	map.mtime = st.st_mtime;
	map.mtime_ns = st.st_mtim.tv_nsec;
	map.size = st.st_size;
	return 0;
}

/* Does the map line begin with the hex of account, then a blank? */
static const char *
map_match(const char *line, const char *hex, size_t hexlen)
{
	if (strncasecmp(line, hex, hexlen) != 0 ||
	    (line[hexlen] != ' ' && line[hexlen] != '\t'))
		return NULL;
	return line + hexlen + strspn(line + hexlen, " \t");
}

int
cluster_home(const char *path, const char *account, char *node, size_t len)
{
	static const char	 digits[] = "0123456789ABCDEF";
	char			 hex[2 * CONF_NAME_MAX + 1];
	const char		*line, *v, *end;
	size_t			 i, n = strlen(account), vlen;

	if (n >= CONF_NAME_MAX || map_load(path) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[(unsigned char)account[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)account[i] & 15];
	}
	hex[2 * n] = '\0';
	for (line = map.text; line < map.text + map.len; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL)
			end = map.text + map.len;
		if (*line == '#' || (v = map_match(line, hex, 2 * n)) == NULL)
			continue;
		vlen = strcspn(v, " \t\r\n");
		if (vlen == 0 || vlen >= len)
			return -1;
		memcpy(node, v, vlen);
		node[vlen] = '\0';
		return 1;
	}
	return 0;
}
