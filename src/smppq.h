/*
 * smppq.h - smppq's private header: walking the spool's records
 *
 * smppq.c lists and counts (text or JSON), smppq_edit.c changes records
 * (delete, retry, inject).  smppq_walk() calls fn for every record of
 * the spool with a decoded message valid only during the call; a
 * non-zero return of fn stops the walk and is its result.
 */
#ifndef SMPPQ_H
#define SMPPQ_H

#include <stdio.h>

#include "conf.h"
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
	int		 hex;		/* -x */
	char		 given[16];	/* the letters given after the command */
};

/* Called for each unsettled record; non-zero stops the walk. */
typedef int (*qvisit_fn)(const struct qloc *, const struct msg *, void *);

extern const struct conf *smppq_conf;

/* smppq.c */
int	 smppq_walk(qvisit_fn, void *);
void	 smppq_json_str(FILE *, const char *);
int	 smppq_conn_signal(int);

/* smppq_conn.c */
int	 smppq_connectors(int);

/* smppq_edit.c */
int	 smppq_delete(const char *);
int	 smppq_requeue(const char *);
int	 smppq_inject(const struct qopts *, int, char **);

#endif /* SMPPQ_H */
