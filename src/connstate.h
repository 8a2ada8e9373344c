/*
 * connstate.h - the connectors' state file that smppconn writes and
 * smppq reads: SPOOL/smppconn.state, versioned text
 */
#ifndef CONNSTATE_H
#define CONNSTATE_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "record.h"

#define CONNSTATE_VERSION	1
#define CONNSTATE_FILE		"smppconn.state"
/*
 * Readers take a file older than this for the state of a process that
 * no longer turns (it is rewritten every second).
 */
#define CONNSTATE_STALE		30

struct connstate {
	char		 name[CONF_NAME_MAX];
	char		 type[8];		/* sink, pipe, smpp */
	int		 up;
	int		 sessions;		/* bound, or programs running */
	int		 configured;		/* binds, or concurrency */
	int		 inflight;		/* window in use */
	int		 queued;		/* in the connector, not sent */
	unsigned	 inhand;		/* records smppconn holds for it */
	double		 rate;			/* now, per second; 0: unlimited */
	int		 throughput;		/* configured; 0: unlimited */
	uint64_t	 sent, ok, throttled, transient, permanent, expired;
	int64_t		 last_error_at;		/* 0: none */
	char		 last_error[RECORD_ERROR_MAX];
};

/* A whole state file, as connstate_load() reads it. */
struct connstate_file {
	int64_t		 wall;			/* when it was written */
	long		 pid;			/* smppconn's */
	int		 n;
	int		 bad;			/* lines that are not states */
	struct connstate *conn;			/* [n] */
};

int	 connstate_header(FILE *, int64_t, long);
int	 connstate_format(FILE *, const struct connstate *);
int	 connstate_parse_header(const char *, int64_t *, long *);
int	 connstate_parse(const char *, struct connstate *);
int	 connstate_load(const char *, struct connstate_file *);
void	 connstate_free(struct connstate_file *);
unsigned connstate_waiting(const struct connstate *);

#endif /* CONNSTATE_H */
