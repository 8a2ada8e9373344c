/*
 * conf.h - the configuration model: smppd.conf, an INI file whose
 * [smpp-server] section is Jasmin's jasmin.cfg section, verbatim
 *
 * Named conf, not config, because autoconf owns config.h.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef RUNSTATEDIR
#define RUNSTATEDIR	"/run"
#endif

#define CONF_PATH_DEFAULT	SYSCONFDIR "/smppd/smppd.conf"
#define CONF_PATH_MAX		1024
#define CONF_NAME_MAX		32	/* ids, connector names, system_ids */
#define CONF_MAX_LISTEN		16
#define CONF_MAX_ARGV		32

/* One listening address, from [smpp-server] bind and port. */
struct conf_listen {
	char	 host[64];	/* numeric IPv4 or IPv6, "0.0.0.0", "::" */
	int	 port;
};

/* [smpp-server]: Jasmin's keys first, then smppd's own. */
struct conf_server {
	char	 id[CONF_NAME_MAX];		/* "smpps_01" */
	char	 bind[512];			/* as written */
	int	 port;				/* 2775 */
	int	 session_init_timer;		/* seconds: 30 */
	int	 enquire_link_timer;		/* 30 */
	int	 inactivity_timer;		/* 300 */
	int	 response_timer;		/* 60 */
	int	 pdu_read_timer;		/* 30 */
	int	 log_level;			/* LOGL_INFO */
	char	 log_file[CONF_PATH_MAX];	/* "": syslog */
	char	 log_format[256];
	char	 log_date_format[64];
	char	 log_rotate[32];		/* accepted; see smppd.conf(5) */
	int	 log_privacy;			/* no */
	int	 billing_feature;		/* yes */
	long	 dlr_expiry;			/* seconds: 86400 */

	int	 max_connections;		/* 1024 */
	int	 prefork;			/* idle children kept: 4 */
	uint32_t max_pdu_size;			/* command_length cap: 70000 */
	int	 deliver_window;		/* outstanding deliver_sm: 10 */
	char	 pid_file[CONF_PATH_MAX];
	char	 run_dir[CONF_PATH_MAX];	/* scoreboard */
	char	 user[CONF_NAME_MAX];		/* drop root to: "" = stay */
	char	 group[CONF_NAME_MAX];
	int	 proxy_protocol;		/* no */
	char	 proxy_from[512];		/* trusted proxies: "" */

	/* Defences against hostile clients (anvil.c, session_bind.c) */
	int	 max_connections_per_address;	/* 32 */
	int	 connection_rate_per_address;	/* per minute: 120 */
	int	 bind_failure_rate_per_address;	/* per minute: 10 */
	int	 max_bind_failures;		/* per connection: 3 */
	int	 address_ipv6_prefix;		/* bits: 64 */
	char	 limits_exempt[512];		/* networks: "" */
	int	 max_address_length;		/* characters: 20 */

	int		 nlisten;		/* parsed from bind, port */
	struct conf_listen listen[CONF_MAX_LISTEN];
};

/* [spool] */
struct conf_spool {
	char	 dir[CONF_PATH_MAX];		/* /var/spool/smppd */
	int	 sync;				/* yes: fdatasync before ack */
	size_t	 segment_max_bytes;		/* 1 MiB */
	int	 segment_max_messages;		/* 1000 */
	int	 segment_max_age_ms;		/* 200 */
	int	 read_open_segments;		/* yes: notices to smppconn */
	long	 max_age;			/* seconds a message lives: 2 days */
	int	 retry_min;			/* seconds: 30 */
	int	 retry_max;			/* seconds: 3600 */
	long	 failed_keep;			/* seconds failed/ is kept: 7 d */
};

/* [userdb] */
struct conf_userdb {
	char	 path[CONF_PATH_MAX];		/* /var/lib/smppd/users.db */
	char	 ledger[CONF_PATH_MAX];		/* "": path + ".ledger" */
	char	 rates[CONF_PATH_MAX];		/* rate card; "": none */
	char	 billing_log[CONF_PATH_MAX];	/* "": none */
};

/* [smppconn] */
struct conf_conn {
	char	 pid_file[CONF_PATH_MAX];
	char	 log_file[CONF_PATH_MAX];	/* unset: [smpp-server]'s */
	int	 log_level;			/* unset: [smpp-server]'s */
	char	 idmap[CONF_PATH_MAX];		/* upstream id map (GDBM) */
	int	 rescan;			/* seconds: 5 */
	int	 batch;				/* messages per out segment */
	char	 peers[1024];			/* "ID CONNECTOR, ..." */
	char	 homes[CONF_PATH_MAX];		/* account map: "" = none */
	long	 forward_expiry;		/* seconds: 3600 */
};

/* [smppconn] peers: another node's [smpp-server] id, the connector to it. */
#define CONF_PEERS_MAX		64
struct conf_peer {
	char	 id[CONF_NAME_MAX];
	char	 conn[CONF_NAME_MAX];
};

enum conf_conn_type { CONN_SINK = 1, CONN_PIPE, CONN_SMPP, CONN_HELPER };
enum conf_bind_mode { BIND_MODE_TRX = 1, BIND_MODE_TX_RX };

/* [connector NAME] */
struct conf_connector {
	char			 name[CONF_NAME_MAX];
	enum conf_conn_type	 type;
	int			 line;		/* of its header */

	/* sink */
	int			 delay_ms;		/* 0 */
	int			 undeliv_permille;	/* 0..1000 */
	int			 undeliv_err;		/* 1 */

	/* pipe */
	char			 command[1024];		/* as written */
	int			 argc;
	/* Into argbuf, this very struct: a copy must conf_argv() again. */
	char			*argv[CONF_MAX_ARGV + 1];
	char			 argbuf[1024];
	int			 timeout;		/* seconds: 30 */
	int			 concurrency;		/* 4 */

	/* smpp */
	char			 host[256];
	int			 port;			/* 2775 */
	char			 system_id[CONF_NAME_MAX];
	char			 password[CONF_NAME_MAX];
	char			 system_type[16];
	enum conf_bind_mode	 bind_mode;		/* transceiver */
	int			 binds;			/* 1 */
	int			 window;		/* 10 */
	int			 throughput;		/* 0: unlimited */
	int			 enquire_link;		/* seconds: 30 */
	int			 response_timeout;	/* seconds: 30 */
	int			 reconnect_min;		/* seconds: 1 */
	int			 reconnect_max;		/* seconds: 60 */
	int			 split_payload;		/* no */

	/* smpp, pipe: overrides of errclass.c's table */
	char			 throttling_errors[256];
	char			 transient_errors[256];
	char			 permanent_errors[256];
};

#define CONF_ROUTE_HOPS		16	/* connectors of one MT route */
#define CONF_ROUTE_WEIGHT_MAX	1000

/* One connector of an MT route: "A*3" in "A*3 | B, C". */
struct conf_route_hop {
	char	 name[CONF_NAME_MAX];
	int	 weight;			/* its share in its tier: 1 */
	int	 tier;				/* 0, then the fallbacks */
};

/* One line of [mt-routes] or [mo-routes]. */
struct conf_route {
	char	 prefix[32];
	int	 is_default;
	int	 by_source;			/* "src:PREFIX" */
	char	 accounts[256];			/* mt: "a,b" or "" = all */
	char	 target[CONF_NAME_MAX];		/* account, or first hop */
	int	 nhops;				/* mt */
	struct conf_route_hop hops[CONF_ROUTE_HOPS];
	int	 line;
};

struct conf {
	char			 path[CONF_PATH_MAX];
	struct conf_server	 server;
	struct conf_spool	 spool;
	struct conf_userdb	 userdb;
	struct conf_conn	 conn;
	int			 nconnectors;
	struct conf_connector	*connectors;
	int			 nmt_routes;
	struct conf_route	*mt_routes;
	int			 nmo_routes;
	struct conf_route	*mo_routes;
};

/*
 * conf_defaults() fills c with every key's default.  conf_load() reads
 * path into c (defaults first); each error is one line "path:line: ..."
 * given to report, and it returns the number of errors after the whole
 * file was read (0: loaded), so that all errors are shown at once.  c
 * owns every string and table it points to until conf_free(), also
 * after a failed load.  conf_connector() and the route tables point
 * into c.  conf_ledger_path() writes the ledger's path (beside the user
 * db unless set) into buf and returns buf, or NULL when it does not
 * fit.  conf_argv() splits a pipe connector's command into its argv
 * (quotes as in sh, no expansion); -1 with the reason in err.
 * conf_route_account(r, acct): 1 when route r applies to acct;
 * conf_route_key(r, buf, len): the route's key as written, for
 * messages.  conf_dump() prints c in the file's own syntax (-1: write
 * error).
 */
typedef void (*conf_report_fn)(const char *);

void	 conf_defaults(struct conf *);
int	 conf_load(struct conf *, const char *, conf_report_fn);
void	 conf_free(struct conf *);
int	 conf_dump(FILE *, const struct conf *);
const struct conf_connector *conf_connector(const struct conf *,
	    const char *);
const char *conf_ledger_path(const struct conf *, char *, size_t);
int	 conf_argv(struct conf_connector *, char *, size_t);
int	 conf_route_account(const struct conf_route *, const char *);
const char *conf_route_key(const struct conf_route *, char *, size_t);
int	 conf_peers(const char *, struct conf_peer *, int, char *, size_t);

/* conf_mode.c: who may change and read the file (0, or -1 and why). */
struct stat;
int	 conf_mode_owner(const struct conf *, const struct stat *, char *,
	    size_t);
int	 conf_mode_secret(const struct conf *, const struct stat *, char *,
	    size_t);

#endif /* CONF_H */
