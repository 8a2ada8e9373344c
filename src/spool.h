/*
 * spool.h - the spool directory: segments of records moving between
 * state folders by rename(2), the session registry and the wake-ups
 *
 *	mt/tmp/ -> mt/new/ -> mt/active/ -> (deleted | mt/deferred/ | mt/failed/)
 *	out/USER/tmp/ -> out/USER/new/ -> out/USER/cur/ -> deleted
 *	mo/tmp/ -> mo/failed/	MO without a route, for an admin
 *	corrupt/		segments that failed validation
 *	sessions/USER/PID.BINDTYPE	one file per live bind
 *	trigger			FIFO that wakes smppconn
 *
 * A segment's name is "SECONDS.MICROS.PID.SEQ": SECONDS is the time
 * before which it must not be claimed (its creation, or the next retry),
 * PID the process that wrote it.  A claimed segment gets ".PID" of the
 * claimer appended in active/ and cur/; its settled records are marked
 * in a sidecar "NAME.done" (one octet per record, '1' = settled).  See
 * smppd-spool(5) for the states and what a crash leaves.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "record.h"

#define SPOOL_DIR_DEFAULT	LOCALSTATEDIR "/spool/smppd"
#define SPOOL_NAME_MAX		64
/*
 * Size of every buffer that holds a path inside the spool: the spool
 * directory (at most CONF_PATH_MAX, 1024 with its NUL) plus the longest
 * tail put under it, "/out/" + a system_id (30) + "/cur/" + a segment
 * name with its suffix, and slack.  Paths that would not fit are refused
 * by spool_path() (snprintf truncation is an error), never cut.
 */
#define SPOOL_PATH_MAX		1100

/* An open segment being appended to (a writer). */
struct segw {
	char		 area[1024];	/* SPOOL/mt or SPOOL/out/USER */
	char		 name[SPOOL_NAME_MAX];
	int		 fd;		/* -1: none open */
	int		 sync;		/* fdatasync before commit returns */
	int		 dir_synced;	/* tmp/ entry made durable */
	int64_t		 not_before;	/* seconds, for the name; 0: now */
	size_t		 bytes;		/* committed to the file */
	size_t		 size;		/* the file's: reserved zeros after */
	unsigned	 count;		/* records committed */
	int64_t		 opened_us;
	struct buf	 pending;	/* records added, not yet committed */
	unsigned	 npending;
	char		 dest[16];	/* segw_close() into AREA/dest/ */
	int		 broken;	/* a failed commit could not be undone */
	size_t		 framed;	/* pending group with its commit line */
	size_t		 written;	/* pending group written, not synced */
	int		 tmp_lazy;	/* tmp/ name never synced: closed first */
	int		 reserve;	/* grows the file ahead (segw_set_reserve) */
};

/* A segment read into memory (a reader). */
struct segr {
	char		 path[SPOOL_PATH_MAX];
	char		*data;
	size_t		 len;
	size_t		 cap;		/* octets data has room for */
	size_t		 off;
	size_t		 end;		/* of the last intact commit */
	unsigned	 index;		/* of the next record */
	int		 torn;		/* a torn tail was dropped */
	int		 version;	/* 1: no commit lines; 2 */
	size_t		 bad_off;	/* SEGR_BAD: the damaged octets */
	size_t		 bad_len;
	char		 prev_id[PDU_MESSAGE_ID_MAX];	/* last good record */
	int		 tail;	/* segr_tail(): still written, fd open */
	int		 fd;
};

/* The settled-records sidecar of a claimed segment. */
struct segdone {
	int		 fd;
	uint8_t		*map;		/* one octet per record */
	size_t		 n;
	char		 path[SPOOL_PATH_MAX];	/* SEGMENT.done, made on first mark */
	unsigned	 later_from;	/* segdone_mark_later(): a run of */
	unsigned	 later_n;	/* ... marks not written yet */
};

#define SEGDONE_SUFFIX	".done"	/* a segment's sidecar: SEGMENT.done */
#define SEGDONE_BILL	"lsr"	/* billing marks: later, short, refund */
#define SEGDONE_PEND	"pLSR"	/* provisional marks over "", l, s, r */
#define SEGDONE_RUN_MAX	256	/* marks in one pwrite(2) */

/* Results of segr_next(). */
#define SEGR_OK		0
#define SEGR_EOF	1
#define SEGR_CORRUPT	(-1)
#define SEGR_ERROR	(-2)	/* out of memory: errno */
#define SEGR_BAD	2	/* a damaged record, skipped: quarantine it */

/* segr_grow() to the end of the file: its writer is done. */
#define SEGR_ALL	((size_t)-1)

/* The first line of a segment of format 2; see segmark.c. */
#define SEGMARK_HEADER	"%segment 2\n"


int	 spool_init(const char *, int);
int	 spool_check(const char *, char *, size_t);
int	 spool_check_owner(const char *, uid_t, char *, size_t);
int	 spool_area(char *, size_t, const char *, const char *);
int	 spool_path(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 spool_user_area(const char *, const char *, int);
int	 spool_read_all(int, char *, size_t, size_t *);
int	 spool_pend_recover(const char *);

/*
 * segw_init(w, "SPOOL/mt", sync); segw_set_dest(w, "deferred") to close
 * into another folder than new/ (set w->not_before for its name);
 * segw_due(w, max_bytes, max_count, max_age_ms, now_us): 1 when a limit
 * is reached (0: no limit; now_us 0: the clock).  Commit, then answer.
 */
void	 segw_init(struct segw *, const char *, int);
void	 segw_set_dest(struct segw *, const char *);
int	 segw_add(struct segw *, const struct msg_meta *, const struct pdu *);
int	 segw_commit(struct segw *);
int	 segw_commit_group(struct segw *, int, int *);
int	 segw_prepare(struct segw *);
int	 segw_write(struct segw *);
void	 segw_cancel(struct segw *);
void	 segw_discard(struct segw *);
int	 segw_due(const struct segw *, size_t, unsigned, int, int64_t);
int	 segw_close(struct segw *);
int	 segw_close_group(struct segw *, int, int *);
int	 segw_publish_group(struct segw *, int, int *);
void	 segw_set_tmp_lazy(struct segw *);
void	 segw_set_reserve(struct segw *);
void	 segw_free(struct segw *);

int	 segr_open(struct segr *, const char *);
int	 segr_tail(struct segr *, const char *);
int	 segr_grow(struct segr *, size_t);
int	 segr_next(struct segr *, struct msg *);
int	 segr_torn_zeros(const struct segr *);
int	 segr_quarantine(const struct segr *, const char *,
	    const struct msg *);
void	 segr_close(struct segr *);

int	 segmark_put(struct buf *, unsigned, const void *, size_t);
int	 segmark_parse(const char *, size_t, unsigned *, size_t *, uint32_t *,
	    size_t *);
int	 segmark_is_header(const char *, size_t);
size_t	 segmark_line_start(const char *, size_t, size_t);

/*
 * spool_durable_move(src, dst): link, fsync of dst's folder, unlink;
 * 0, 1 when src was gone (another claimer won), -1.
 */
void	 spool_durable_set(int);
int	 spool_durable_dir(const char *);
int	 spool_durable_parent(const char *);
int	 spool_durable_move(const char *, const char *);

/*
 * One move of spool_durable_move_group(): every dst in one folder; rc
 * as spool_durable_move() returns (errno in err), made (internal) when
 * this move made dst.
 */
#define SPOOL_MV_LINKED	2	/* internal: linked, not yet unlinked */
struct spool_mv {
	char	 src[SPOOL_PATH_MAX];
	char	 dst[SPOOL_PATH_MAX];
	int	 rc;
	int	 err;
	int	 made;
};
int	 spool_mv_set(struct spool_mv *, const char *, const char *);
void	 spool_durable_move_group(struct spool_mv *, size_t);
void	 spool_durable_link_group(struct spool_mv *, size_t);
void	 spool_durable_unlink_group(struct spool_mv *, size_t);

int	 segdone_open(struct segdone *, const char *, unsigned);
int	 segdone_mark(struct segdone *, unsigned);
int	 segdone_mark_run(struct segdone *, unsigned, unsigned);
int	 segdone_mark_later(struct segdone *, unsigned);
int	 segdone_flush(struct segdone *);
int	 segdone_test(const struct segdone *, unsigned);
int	 segdone_bill_mark(struct segdone *, unsigned, int);
int	 segdone_billed(const struct segdone *, unsigned);
int	 segdone_ready(struct segdone *);
int	 segdone_pend(struct segdone *, unsigned, unsigned);
int	 segdone_unpend(struct segdone *, unsigned);
int	 segdone_demote(const char *);
int	 segdone_all(const struct segdone *, unsigned);
int	 segdone_reopen(struct segdone *);
void	 segdone_close(struct segdone *);

int	 spool_name(char *, size_t, int64_t);
int64_t	 spool_name_time(const char *);
pid_t	 spool_name_claimer(const char *);
pid_t	 spool_name_writer(const char *);
int	 spool_user_valid(const char *);
int	 spool_list(const char *, char ***, size_t *);
void	 spool_list_free(char **, size_t);
/*
 * spool_claim(fromdir, todir, name, path, pathlen): 0 claimed (path set),
 * 1 gone (another process won), -1 error; spool_claim_group(fromdir,
 * todir, names, n, mv) claims n with one sync of todir (how many of mv[]
 * it tried).  spool_claim_lock(folder, name, path, pathlen, &fd): the
 * same results, claimed in place by the flock(2) held on *fd;
 * spool_held(path): whether another open file holds path's flock(2).
 * spool_move(path, todir,
 * newname): newname NULL keeps the name minus a claimer's ".PID".
 * spool_quarantine(spooldir, path, why).  spool_remove(path): a segment
 * whose records are all settled, then its sidecar.  All take NAME.done
 * along.
 */
int	 spool_claim(const char *, const char *, const char *, char *, size_t);
size_t	 spool_claim_group(const char *, const char *, char *const *, size_t,
	    struct spool_mv *);
int	 spool_claim_lock(const char *, const char *, char *, size_t, int *);
int	 spool_held(const char *);
int	 spool_move(const char *, const char *, const char *);
int	 spool_quarantine(const char *, const char *, const char *);
int	 spool_corrupt_path(char *, size_t, const char *, const char *,
	    unsigned);
int	 spool_remove(const char *);
int	 spool_done_path(char *, size_t, const char *);
int	 spool_done_remove(const char *);

int	 spool_recover_pid(const char *, pid_t);
int	 spool_recover_all(const char *);
int	 spool_recover_active(const char *);

/*
 * spool_session_add(dir, user, getpid(), "tx"|"rx"|"trx", max_bindings):
 * 0 added (the caller holds it locked until spool_session_del() or its
 * death), 1 max_bindings reached (< 0: no limit), -1 error.
 * spool_wake_conn(): 0 written, 1 nobody needed it, -1 error; ignore
 * SIGPIPE.  spool_wake_committed() likewise.
 */
#define TRIGGER_NOTICE_MAX	(SPOOL_NAME_MAX + 32)	/* "TNAME LEN\n" */
/*
 * The receivers a writer wakes, kept between its spool_wake_some() calls;
 * zeroed before the first, spool_wake_free() after the last.
 */
struct spool_wake_rx {
	pid_t		 pid;
	char		 name[24];	/* PID.rx or PID.trx */
};
struct spool_wake {
	struct spool_wake_rx *rx;
	int		 n;
	int		 cap;
	unsigned	 turn;		/* receivers tried so far */
	int64_t		 listed;	/* clock_mono_us(); 0: list again */
	ino_t		 ino;		/* sessions/USER/ at the listing */
	struct timespec	 mtime;
	struct timespec	 ctime;
};
int	 spool_session_add(const char *, const char *, pid_t, const char *,
	    int);
int	 spool_session_del(const char *, const char *, pid_t);
int	 spool_session_count(const char *, const char *);
int	 spool_session_pids(const char *, const char *, int, pid_t *, int);
int	 spool_session_live(const char *, const char *, pid_t);
int	 spool_session_prune(const char *, const char *, pid_t);
int	 spool_wake_conn(const char *);
int	 spool_wake_user(const char *, const char *, int);
int	 spool_wake_some(struct spool_wake *, const char *, const char *, int,
	    int);
void	 spool_wake_free(struct spool_wake *);
int	 spool_trigger_open(const char *);
int	 spool_trigger_drain(int);
int	 spool_wake_committed(const char *, const char *, size_t);
int	 spool_notice_open(const char *);
int	 spool_notice_read(int, void (*)(const char *, size_t));


#endif /* SPOOL_H */
