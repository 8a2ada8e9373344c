/*
 * smppq.h - smppq's private header: walking the spool's records
 *
 * smppq.c lists and counts (text or JSON), smppq_edit.c changes records
 * (delete, retry, inject); smppq_census.c measures queues, spool and
 * daemons for smppq_prom.c (stats -p), smppq_metrics.c (metrics) and
 * smppq_check.c (check).  smppq_walk() calls fn for every record of
 * the spool with a decoded message valid only during the call; a
 * non-zero return of fn stops the walk and is its result.
 */
#ifndef SMPPQ_H
#define SMPPQ_H

#include <stdio.h>

#include "conf.h"
#include "connstate.h"
#include "record.h"
#include "spool.h"

/* Where a record is. */
struct qloc {
	const char	*state;		/* new, active, deferred, ... */
	const char	*area;		/* SPOOL/mt, SPOOL/out/USER, SPOOL/mo */
	const char	*folder;	/* new, active, failed, cur, ... */
	const char	*user;		/* out/USER: USER; else NULL */
	const char	*name;		/* the segment's name */
	const char	*path;		/* its path */
	unsigned	 index;		/* the record's, in the segment */
};

/* The command line: options before and after the command word. */
struct qopts {
	const char	*account;	/* -a */
	const char	*coding;	/* -C */
	const char	*config;	/* -c */
	const char	*from;		/* -f */
	const char	*state;		/* -s */
	const char	*to;		/* -t */
	int		 json;		/* -j */
	int		 prom;		/* -p */
	int		 hex;		/* -x */
	char		 given[16];	/* the letters given after the command */
};

/* Called for each unsettled record; non-zero stops the walk. */
typedef int (*qvisit_fn)(const struct qloc *, const struct msg *, void *);

/* Queue states: incoming, new, active, deferred, failed, out, corrupt, ? */
#define SMPPQ_NSTATES	8
extern const char *const smppq_states[SMPPQ_NSTATES];

/* A queue's depth and its oldest message (created, us; 0: none). */
struct smppq_qstat {
	unsigned	 n;
	int64_t		 oldest_us;
};

/* The connectors' state file, judged (smppq_conns()). */
enum smppq_cs {
	SMPPQ_CS_MISSING,	/* none: smppconn never ran here */
	SMPPQ_CS_DEAD,		/* smppconn does not run */
	SMPPQ_CS_STALE,		/* it runs, but the file is old */
	SMPPQ_CS_FRESH
};

struct smppq_conns {
	struct connstate_file	 f;
	enum smppq_cs		 status;
	int			 running;	/* smppconn */
	int64_t			 age;		/* seconds; -1: no file */
};

/* What smppq stats -p and smppq check look at. */
struct smppq_census {
	struct smppq_qstat	 state[SMPPQ_NSTATES];
	struct smppq_qstat	*conn;		/* [connector][state] */
	uint64_t		 spool_bytes;	/* files under the spool */
	uint64_t		 fs_free;	/* its filesystem, for us */
	uint64_t		 fs_size;
	int			 have_fs;
	long			 smppd;		/* pid, 0 down, -1 no file */
	long			 smppconn;
	struct smppq_conns	 cs;		/* connectors, as judged */
};

extern const struct conf *smppq_conf;

/* smppq.c */
int	 smppq_walk(qvisit_fn, void *);
void	 smppq_json_str(FILE *, const char *);
int	 smppq_conn_signal(int);

/* smppq_census.c */
void	 smppq_census(struct smppq_census *);
void	 smppq_census_free(struct smppq_census *);
int	 smppq_state_index(const char *);
long	 smppq_pidfile_pid(const char *);
int	 smppq_scoreboard(char *, size_t);

/* smppq_prom.c, smppq_metrics.c, smppq_check.c */
int	 smppq_prom(FILE *);
int	 smppq_metrics(void);
int	 smppq_check(const char *, int, char **);
/* smppq_conn.c */
int	 smppq_connectors(int);
int	 smppq_conns(struct smppq_conns *, long);

/* smppq_edit.c */
int	 smppq_delete(const char *);
int	 smppq_requeue(const char *);
int	 smppq_inject(const struct qopts *, int, char **);

/* smppq_forward.c */
int	 smppq_forward(void);

#endif /* SMPPQ_H */
