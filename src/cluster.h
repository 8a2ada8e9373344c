/*
 * cluster.h - the other nodes of a cluster: [smppconn] peers and homes
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <stddef.h>

#include "conf.h"

int	 cluster_warnings(const struct conf *, void (*)(const char *));
const struct conf_peer *cluster_next(const struct conf *, const char *);
const struct conf_peer *cluster_peer(const struct conf *, const char *);
int	 cluster_home(const char *, const char *, char *, size_t);
int	 cluster_origin(const char *, char *, size_t);

#endif /* CLUSTER_H */
