/*
 * spool_recover.c - what dead processes leave in the spool
 *
 * SYNOPSIS
 *	spool_recover_pid(dir, pid)	after reaping a child
 *	spool_recover_all(dir)		at start
 *	spool_recover_active(dir)	smppconn at start, after the above
 *
 * DESCRIPTION
 *	A dead process may leave open segments in mt/tmp/, mo/tmp/ and
 *	out/USER/tmp/, claimed segments in mt/active/ and out/USER/cur/,
 *	and entries in sessions/USER/.
 *
 *	An open segment holds acknowledged records.  It is validated
 *	(segr.c): what follows its last intact commit (the commit a crash
 *	interrupted, never acknowledged) is cut off with ftruncate(2); a
 *	damaged record before it is copied alone to corrupt/ and the rest
 *	is kept; a segment of format 1 that fails validation otherwise
 *	goes to corrupt/; one left without records is removed; the rest
 *	is moved (spool_durable_move()) to where its writer would have
 *	closed it: mt/new/ (mt/deferred/ when its name's time is still
 *	ahead, as for a retry segment), mo/failed/, out/USER/new/.  Its
 *	writer held an flock(2) on it while alive, and recovery takes
 *	that lock before touching it: a live writer -- including one
 *	whose pid is not the one its file name says, and a second
 *	recovery running at the same time -- is never disturbed.  A
 *	.NAME left in a tmp/ folder by a crash in the middle of creating
 *	a segment is empty and removed once unlocked.
 *
 *	A claimed segment returns to new/ without the claimer's suffix
 *	and with its NAME.done sidecar, so its settled records are not
 *	handed on again.  spool_recover_pid() takes those of the given
 *	pid.  spool_recover_all() takes those whose claimer no longer
 *	exists, and for out/USER/cur/ also those whose claimer holds no
 *	live session of USER (a test that survives pid reuse after a
 *	reboot), but none whose flock(2) another process holds.  Receivers
 *	claim out/USER/new/ in place (spool_claim_lock()), and a dead one's
 *	lock goes with it; out/USER/cur/ holds the claims of smppq(8),
 *	which keeps the lock over them, and those of receivers of an
 *	smppd from before the lock.  mt/active/ belongs
 *	to smppconn alone, which returns all of it with
 *	spool_recover_active() when it starts, after the provisional
 *	marks of its sidecars written before the machine last started
 *	are turned back (spool_pend_recover(), spool_pend.c); when
 *	those cannot be, it returns -1 at once and claims nothing.
 *
 *	A sidecar alone in mt/active/, NAME.PID.done without its segment,
 *	holds the marks of a segment smppconn read while it was written
 *	(smppconn_tail.c); spool_recover_active() moves it to the segment:
 *	to mt/new/NAME.done (unless smppq(8) gave that one its own), or
 *	while a live writer still holds mt/tmp/NAME, to the name the
 *	caller's claim of it will use; one whose segment is gone goes.
 *
 *	Session entries whose holder's lock is gone are removed.
 *
 * DIAGNOSTICS
 *	The number of segments moved, removed or quarantined, or -1 when
 *	some could not be handled (logged; the rest was done).
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "log.h"
#include "spool.h"

/* One recovery run: the leftovers of one pid, or (pid 0) of all dead. */
struct rec {
	const char	*dir;
	pid_t		 pid;
	int		 n;
	int		 err;
};

static void
rec_fail(struct rec *s, const char *what, const char *path)
{
	log_warn("spool: recovery: %s %s", what, path);
	s->err = 1;
}

/*
 * Read a segment to its end; 0 valid (maybe torn), -1 corrupt.  A
 * damaged record before the last intact commit is copied alone to
 * corrupt/ and the segment stays valid.
 */
static int
validate(const char *dir, struct segr *r, char *why, size_t len)
{
	struct msg	 m;
	int		 rc;

	record_msg_init(&m);
	while ((rc = segr_next(r, &m)) == SEGR_OK || rc == SEGR_BAD)
		if (rc == SEGR_BAD)
			(void)segr_quarantine(r, dir, &m);
	if (rc == SEGR_CORRUPT && m.badline > 0)
		snprintf(why, len, "record %u: %s at line %u (%s)",
		    r->index + 1, record_bad_name(m.bad), m.badline,
		    m.badkey);
	else if (rc == SEGR_CORRUPT)
		snprintf(why, len, "record %u: %s", r->index + 1,
		    record_bad_name(m.bad));
	else if (rc == SEGR_ERROR)
		snprintf(why, len, "%s", strerror(errno));
	record_msg_free(&m);
	return rc == SEGR_EOF ? 0 : rc;
}

/* Where an open segment goes: what its writer's segw_close() did. */
static const char *
tmp_dest(const char *area, const char *name)
{
	size_t	 n = strlen(area);

	if (n >= 3 && strcmp(area + n - 3, "/mo") == 0)
		return "failed";
	if (n >= 3 && strcmp(area + n - 3, "/mt") == 0 &&
	    spool_name_time(name) > clock_wall_us() / 1000000)
		return "deferred";
	return "new";
}

/* The validated segment at path (locked by fd) goes on or away. */
static void
finish(struct rec *s, int fd, const char *area, const char *name,
    const char *path)
{
	char		 dst[SPOOL_PATH_MAX], why[256];
	struct segr	 r;
	int		 rc;

	if (segr_open(&r, path) == -1) {
		rec_fail(s, "cannot read", path);
		return;
	}
	if ((rc = validate(s->dir, &r, why, sizeof(why))) == SEGR_ERROR)
		rec_fail(s, "cannot validate", path);
	else if (rc == SEGR_CORRUPT) {
		if (spool_quarantine(s->dir, path, why) == 0)
			s->n++;
	} else if (r.torn && ftruncate(fd, (off_t)r.off) == -1)
		rec_fail(s, "cannot cut the torn tail of", path);
	else {
		if (r.torn && !segr_torn_zeros(&r))
			log_warnx("spool: %s: %zu octets after the last intact "
			    "commit dropped (never acknowledged)", path,
			    r.len - r.off);
		if (r.index == 0 && unlink(path) == 0)
			s->n++;
		else if (r.index > 0 && (spool_path(dst, sizeof(dst),
		    "%s/%s/%s", area, tmp_dest(area, name), name) == -1 ||
		    spool_durable_move(path, dst) != 0))
			rec_fail(s, "cannot move", path);
		else if (r.index > 0) {
			log_info("spool: %s: %u records of a dead writer "
			    "moved to %s", path, r.index, dst);
			s->n++;
		}
	}
	segr_close(&r);
}

/* Same file at path as on fd: not renamed away before we locked it. */
static int
still_there(int fd, const char *path)
{
	struct stat	 a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * A writer that died between the link(2) and the unlink(2) of
 * spool_durable_move() left the segment under two names.  Make sure
 * the other name is durable, then the one in tmp/ may go.  Another
 * name that is not where the writer put it was moved on by a claimer
 * that synced it.
 */
static int
published(const char *area, const char *name, int fd)
{
	static const char *const dests[] = { "new", "deferred", "failed" };
	char		 path[SPOOL_PATH_MAX];
	struct stat	 a, b;
	size_t		 i;

	if (fstat(fd, &a) == -1 || a.st_nlink < 2)
		return 0;
	for (i = 0; i < sizeof(dests) / sizeof(dests[0]); i++)
		if (spool_path(path, sizeof(path), "%s/%s/%s", area, dests[i],
		    name) == 0 && lstat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return spool_durable_parent(path) == 0;
	return 1;
}

static void
recover_open(struct rec *s, const char *area, const char *name)
{
	char	 path[SPOOL_PATH_MAX];
	int	 fd;

	if (spool_path(path, sizeof(path), "%s/tmp/%s", area, name) == -1)
		return;
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			rec_fail(s, "cannot open", path);
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 && still_there(fd, path)) {
		if (name[0] == '.') {
			if (unlink(path) == 0)
				log_info("spool: %s: litter removed", path);
		} else if (published(area, name, fd)) {
			if (unlink(path) == 0)
				log_info("spool: %s: already moved on; the name "
				    "left in tmp/ removed", path);
		} else
			finish(s, fd, area, name, path);
	}
	close(fd);
}

/*
 * AREA/SUB listed whole, then fn on each name that keep accepts:
 * renaming while readdir(3) runs could skip entries.
 */
static void
each_name(struct rec *s, const char *area, const char *sub,
    int (*keep)(const struct rec *, const char *),
    void (*fn)(struct rec *, const char *, const char *))
{
	struct dirent	*de;
	char		 dir[SPOOL_PATH_MAX], **v = NULL, **nv;
	size_t		 n = 0, cap = 0, i;
	DIR		*d;

	if (spool_path(dir, sizeof(dir), "%s/%s", area, sub) == -1 ||
	    (d = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			rec_fail(s, "cannot list", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || !keep(s, de->d_name))
			continue;
		if (n == cap) {
			if ((nv = reallocarray(v, cap * 2 + 16,
			    sizeof(*v))) == NULL) {
				s->err = 1;
				break;
			}
			v = nv;
			cap = cap * 2 + 16;
		}
		if ((v[n] = strdup(de->d_name)) == NULL) {
			s->err = 1;
			break;
		}
		n++;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		fn(s, area, v[i]);
	spool_list_free(v, n);
}

/* In AREA/tmp/: a dead writer's, when the run is for all or for its pid. */
static int
tmp_keep(const struct rec *s, const char *name)
{
	return s->pid == 0 || name[0] == '.' ||
	    spool_name_writer(name) == s->pid;
}

/* AREA/tmp/: the open segments of dead writers. */
static void
recover_tmp(struct rec *s, const char *area)
{
	each_name(s, area, "tmp", tmp_keep, recover_open);
}

/* Whether the claimer of a segment in AREA/CLAIMED is gone. */
static int
claimer_gone(const struct rec *s, const char *user, pid_t pid)
{
	if (s->pid != 0)
		return pid == s->pid;
	if (pid == getpid())
		return 0;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	return user != NULL && !spool_session_live(s->dir, user, pid);
}

/* AREA/CLAIMED/NAME.PID back to AREA/new/NAME with its sidecar. */
static void
recover_claims(struct rec *s, const char *area, const char *claimed,
    const char *user, int all)
{
	char	 from[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX], path[SPOOL_PATH_MAX], **v;
	size_t	 n, i;
	pid_t	 pid;

	if (spool_path(from, sizeof(from), "%s/%s", area, claimed) == -1 ||
	    spool_path(to, sizeof(to), "%s/new", area) == -1)
		return;
	if (spool_list(from, &v, &n) == -1) {
		if (errno != ENOENT)
			rec_fail(s, "cannot list", from);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((pid = spool_name_claimer(v[i])) <= 0 ||
		    (!all && !claimer_gone(s, user, pid)) ||
		    spool_path(path, sizeof(path), "%s/%s", from, v[i]) == -1 ||
		    (user != NULL && spool_held(path)))
			continue;	/* smppq at work holds its claims' lock */
		if (spool_move(path, to, NULL) == -1) {
			if (errno != ENOENT)
				rec_fail(s, "cannot move back", path);
			continue;
		}
		log_info("spool: %s: claim of process %ld returned to %s",
		    path, (long)pid, to);
		s->n++;
	}
	spool_list_free(v, n);
}

/* Every account's out/USER/ and sessions/USER/. */
static void
recover_users(struct rec *s, const char *sub)
{
	char		 top[SPOOL_PATH_MAX], area[SPOOL_PATH_MAX];
	struct dirent	*de;
	DIR		*d;

	if (spool_area(top, sizeof(top), s->dir, sub) == -1 ||
	    (d = opendir(top)) == NULL) {
		rec_fail(s, "cannot list", s->dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!spool_user_valid(de->d_name))
			continue;
		if (strcmp(sub, "sessions") == 0) {
			(void)spool_session_prune(s->dir, de->d_name, s->pid);
			continue;
		}
		if (spool_path(area, sizeof(area), "%s/%s", top,
		    de->d_name) == -1)
			continue;
		recover_tmp(s, area);
		recover_claims(s, area, "cur", de->d_name, 0);
	}
	closedir(d);
}

static int
recover(const char *dir, pid_t pid)
{
	struct rec	 s = { dir, pid, 0, 0 };
	char		 area[SPOOL_PATH_MAX];

	if (spool_area(area, sizeof(area), dir, "mt") == 0) {
		recover_tmp(&s, area);
		recover_claims(&s, area, "active", NULL, 0);
	}
	if (spool_area(area, sizeof(area), dir, "mo") == 0)
		recover_tmp(&s, area);
	recover_users(&s, "out");
	recover_users(&s, "sessions");
	return s.err ? -1 : s.n;
}

int
spool_recover_pid(const char *dir, pid_t pid)
{
	if (pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	return recover(dir, pid);
}

int
spool_recover_all(const char *dir)
{
	return recover(dir, 0);
}

/* Whether AREA/SUB/NAME exists. */
static int
exists(const char *area, const char *sub, const char *name)
{
	char		 path[SPOOL_PATH_MAX];
	struct stat	 st;

	return spool_path(path, sizeof(path), "%s/%s/%s", area, sub,
	    name) == 0 && lstat(path, &st) == 0;
}

/*
 * A sidecar NAME.PID.done alone in mt/active/: smppconn read NAME while
 * smppd wrote it (smppconn_tail.c) and stopped before claiming it.  Its
 * marks go where the segment is now: to mt/new/NAME.done, or, while
 * NAME is still written, to the name this smppconn's claim of it will
 * use; a segment that is gone takes its sidecar along.
 */
static void
recover_orphan(struct rec *s, const char *area, const char *done)
{
	char	 name[SPOOL_NAME_MAX], sidecar[SPOOL_NAME_MAX + 8];
	char	 from[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX];
	size_t	 n = strlen(done) - (sizeof(".done") - 1);

	if (n >= sizeof(name))
		return;
	memcpy(name, done, n);
	name[n] = '\0';
	if (spool_name_claimer(name) <= 0 || exists(area, "active", name) ||
	    spool_path(from, sizeof(from), "%s/active/%s", area, done) == -1)
		return;
	*strrchr(name, '.') = '\0';		/* without the claimer */
	snprintf(sidecar, sizeof(sidecar), "%s.done", name);
	to[0] = '\0';
	if (exists(area, "tmp", name))
		(void)spool_path(to, sizeof(to), "%s/active/%s.%ld.done", area,
		    name, (long)getpid());
	else if (exists(area, "new", name) && !exists(area, "new", sidecar))
		(void)spool_path(to, sizeof(to), "%s/new/%s", area, sidecar);
	if (to[0] == '\0') {
		if (unlink(from) == -1)
			rec_fail(s, "cannot remove", from);
		else
			s->n++;
		return;
	}
	if (strcmp(from, to) == 0)
		return;
	if (rename(from, to) == -1) {
		rec_fail(s, "cannot move", from);
		return;
	}
	s->n++;
	log_info("spool: %s: marks of a segment read while written "
	    "moved to %s", from, to);
}

static int
is_sidecar(const struct rec *s, const char *name)
{
	size_t	 len = strlen(name);

	(void)s;
	return len > 5 && strcmp(name + len - 5, ".done") == 0;
}

/* The sidecars of mt/active/ whose segments are not there. */
static void
recover_orphans(struct rec *s, const char *area)
{
	each_name(s, area, "active", is_sidecar, recover_orphan);
}

/* All of mt/active/ back to mt/new/: smppconn at start, alone. */
int
spool_recover_active(const char *dir)
{
	struct rec	 s = { dir, 0, 0, 0 };
	char		 area[SPOOL_PATH_MAX];

	if (spool_area(area, sizeof(area), dir, "mt") == -1)
		return -1;
	/* Marks of a past boot first: the claims carry their sidecars. */
	if (spool_pend_recover(dir) == -1)
		return -1;
	recover_claims(&s, area, "active", NULL, 1);
	recover_orphans(&s, area);
	return s.err ? -1 : s.n;
}
