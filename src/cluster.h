/*
 * cluster.h - the other nodes of a cluster: [smppconn] peers and homes
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <stddef.h>

#include "conf.h"

#define CLUSTER_PEERS_MAX	64

/* One other node: its [smpp-server] id, and the connector that reaches it. */
struct cluster_peer {
	char	 id[CONF_NAME_MAX];
	char	 conn[CONF_NAME_MAX];
};

int	 cluster_peers(const char *, struct cluster_peer *, int, char *,
	    size_t);
int	 cluster_conf_check(const struct conf *, char *, size_t);
int	 cluster_warnings(const struct conf *, void (*)(const char *));
const struct cluster_peer *cluster_next(const struct conf *, const char *);
const struct cluster_peer *cluster_peer(const struct conf *, const char *);
int	 cluster_home(const char *, const char *, char *, size_t);
int	 cluster_origin(const char *, char *, size_t);

#endif /* CLUSTER_H */
