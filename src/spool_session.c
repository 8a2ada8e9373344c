/*
 * spool_session.c - the session registry and the wake-ups
 *
 * SYNOPSIS
 *	spool_session_add(dir, user, pid, "trx", max_bindings)
 *	spool_session_del(dir, user, pid)
 *	spool_session_count(dir, user)
 *	spool_session_pids(dir, user, receivers_only, pids, max)
 *	spool_session_live(dir, user, pid)
 *	spool_session_prune(dir, user, pid)
 *	spool_wake_conn(dir)		spool_wake_user(dir, user, sig)
 *	spool_wake_some(&wake, dir, user, sig, n)	spool_wake_free(&wake)
 *	spool_wake_committed(dir, name, len)
 *	spool_trigger_open(dir)		spool_trigger_drain(fd)
 *	spool_notice_open(dir)		spool_notice_read(fd, fn)
 *
 * DESCRIPTION
 *	Each bind is a file sessions/USER/PID.TYPE (TYPE tx, rx or trx)
 *	on which the bound process holds an exclusive flock(2) for as
 *	long as the bind lasts; pid must be the caller's own.  An entry
 *	whose lock is free belongs to a process that died: it is not
 *	counted, not signalled, and removed by the next
 *	spool_session_add().  The lock, unlike kill(pid, 0), cannot be
 *	fooled by a pid that was reused, after a reboot say, so no
 *	stranger ever gets a wake-up signal.
 *
 *	spool_session_add() counts and creates under an flock(2) of
 *	sessions/USER/.lock, so that binds racing in several children
 *	never exceed max_bindings (< 0: no limit); it returns 1 when the
 *	limit is reached.
 *
 *	spool_wake_conn() writes one octet to the trigger FIFO with
 *	O_NONBLOCK: ENXIO (smppconn is not running) and EAGAIN (the FIFO
 *	is full, smppconn has wake-ups pending anyway) are fine, since
 *	smppconn also rescans on a timer.  The descriptor stays open
 *	across calls; after an error (EPIPE: the reader went away, so the
 *	caller must ignore SIGPIPE) it is reopened once.  It returns 0
 *	when the octet was written, 1 when nobody needed it, -1 on other
 *	errors.  spool_trigger_open() is the reader's end, opened read and
 *	write so that it never sees end-of-file when writers come and go.
 *
 *	spool_wake_committed() writes the notice "TNAME LEN\n" to the FIFO
 *	notice in one write(2) (whole, as a FIFO keeps writes up to
 *	PIPE_BUF): LEN octets of the open segment mt/tmp/NAME are committed
 *	and synced, so that smppconn may read them now (smppconn_tail.c);
 *	same results.  That FIFO, unlike trigger, is the owner's alone
 *	(0600): spool_notice_open() makes it when missing and refuses one
 *	that others may write.  spool_notice_read() hands each notice to
 *	fn; anything else in it, or a notice that does not parse, is taken
 *	as a plain wake-up (the result 1).
 *
 *	spool_wake_user() sends sig to every receiver (rx, trx) of USER
 *	and returns how many it signalled.  spool_wake_some() sends it to
 *	n of them (all when n <= 0 or n is more), taking turns in the order
 *	of their pids: wake->turn counts the receivers tried so far, so
 *	that the calls of one writer go round them all.  smppconn wakes one
 *	receiver for each segment it published: the others would only look
 *	for a segment that one of them claims first.
 *
 *	struct spool_wake also keeps the receivers' entries between calls,
 *	since smppconn wakes them a hundred times a second and listing the
 *	folder with a lock test of each entry cost it a third of its
 *	system calls.  The folder is listed again when its modification or
 *	change time differs from the listing's, when it changed less than
 *	WAKE_RACY_US before the listing (a folder's times may not tell two
 *	changes within one clock tick, or one second, apart), and at least
 *	every WAKE_RELIST_US.  Only the receiver whose turn it is gets its
 *	lock tested, just before its signal, so that a process that died,
 *	or a stranger that got its pid, is never signalled; an entry not
 *	locked yet (a bind under way) keeps its place for the next turn.
 *	spool_wake_free() frees what a struct spool_wake holds.
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

#define HELD_MAX	8	/* binds of one process (one, in smppd) */
#define PIDS_MAX	1024	/* receivers signalled by one wake-up */
#define WAKE_RACY_US	2000000	/* a folder changed this recently: list again */
#define WAKE_RELIST_US	5000000	/* and any folder at least this often */

static const char *const types[] = { "tx", "rx", "trx" };

/* The entries this process holds locked. */
static struct {
	pid_t	 owner;
	int	 fd;
	char	 path[SPOOL_PATH_MAX];
} held[HELD_MAX];

/* SPOOL/sessions/USER[/NAME] */
static int
reg_path(char *buf, size_t len, const char *dir, const char *user,
    const char *name)
{
	if (!spool_user_valid(user)) {
		errno = EINVAL;
		return -1;
	}
	return spool_path(buf, len, "%s/sessions/%s%s%s", dir, user,
	    name != NULL ? "/" : "", name != NULL ? name : "");
}

/* "PID.TYPE": the pid, and whether TYPE receives; -1 if not an entry. */
static pid_t
entry_parse(const char *name, int *rx)
{
	const char	*dot = strchr(name, '.'), *err;
	char		 num[16];
	long long	 pid;
	size_t		 i;

	if (dot == NULL || dot == name || (size_t)(dot - name) >= sizeof(num))
		return -1;
	memcpy(num, name, (size_t)(dot - name));
	num[dot - name] = '\0';
	pid = strtonum(num, 1, INT32_MAX, &err);
	if (err != NULL)
		return -1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot + 1, types[i]) == 0) {
			*rx = i > 0;
			return (pid_t)pid;
		}
	return -1;
}

struct scan {
	int	 prune;		/* unlink dead entries (registry locked) */
	int	 rx_only;
	pid_t	 pid;		/* prune only this pid; 0: any */
	pid_t	*pids;
	int	 max;
	int	 n;		/* live entries seen */
	int	 removed;
	struct spool_wake *wake; /* every receiver's entry, live or not */
};

static int	 wake_keep(struct spool_wake *, pid_t, const char *);

static int
scan(const char *udir, struct scan *sc)
{
	char		 path[1200];
	struct dirent	*de;
	DIR		*d;
	pid_t		 pid;
	int		 rx;

	if ((d = opendir(udir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (pid = entry_parse(de->d_name, &rx)) == -1 ||
		    spool_path(path, sizeof(path), "%s/%s", udir,
		    de->d_name) == -1)
			continue;
		if (sc->wake != NULL) {
			if (rx && wake_keep(sc->wake, pid, de->d_name) == -1)
				break;
			continue;
		}
		if (!spool_held(path)) {
			if (sc->prune && (sc->pid == 0 || sc->pid == pid) &&
			    unlink(path) == 0)
				sc->removed++;
			continue;
		}
		if (sc->rx_only && !rx)
			continue;
		if (sc->pids != NULL && sc->n < sc->max)
			sc->pids[sc->n] = pid;
		sc->n++;
	}
	closedir(d);
	return de == NULL ? 0 : -1;
}

/* Take the registry lock of sessions/USER/, making the folder. */
static int
reg_lock(const char *udir)
{
	char	 path[1200];
	int	 fd;

	if (mkdir(udir, 0750) == 0)
		(void)chmod(udir, 0750);
	else if (errno != EEXIST)
		return -1;
	if (spool_path(path, sizeof(path), "%s/.lock", udir) == -1)
		return -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

/* Create the entry at path and keep it locked. */
static int
hold(const char *path)
{
	int	 i, fd, slot = -1;

	for (i = 0; i < HELD_MAX; i++) {
		if (held[i].owner != 0 && held[i].owner != getpid()) {
			close(held[i].fd);	/* inherited by fork(2) */
			held[i].owner = 0;
		}
		if (held[i].owner == 0 && slot == -1)
			slot = i;
	}
	if (slot == -1) {
		errno = EMFILE;
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;
	}
	held[slot].owner = getpid();
	held[slot].fd = fd;
	strlcpy(held[slot].path, path, sizeof(held[slot].path));
	return 0;
}

int
spool_session_add(const char *dir, const char *user, pid_t pid,
    const char *type, int max_bindings)
{
	struct scan	 sc = { 1, 0, 0, NULL, 0, 0, 0, NULL };
	char		 udir[SPOOL_PATH_MAX], name[32], path[1200];
	int		 lfd, rc, rx;

	if (spool_path(name, sizeof(name), "%ld.%s", (long)pid, type) == -1 ||
	    entry_parse(name, &rx) != pid) {
		errno = EINVAL;
		return -1;
	}
	if (reg_path(udir, sizeof(udir), dir, user, NULL) == -1 ||
	    reg_path(path, sizeof(path), dir, user, name) == -1 ||
	    (lfd = reg_lock(udir)) == -1)
		return -1;
	if ((rc = scan(udir, &sc)) == 0) {
		if (max_bindings >= 0 && sc.n >= max_bindings)
			rc = 1;
		else
			rc = hold(path);
	}
	close(lfd);
	return rc;
}

int
spool_session_del(const char *dir, const char *user, pid_t pid)
{
	char	 name[32], path[1200];
	size_t	 t;
	int	 i;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		snprintf(name, sizeof(name), "%ld.%s", (long)pid, types[t]);
		if (reg_path(path, sizeof(path), dir, user, name) == -1)
			return -1;
		if (unlink(path) == -1 && errno != ENOENT)
			return -1;
		for (i = 0; i < HELD_MAX; i++)
			if (held[i].owner == getpid() &&
			    strcmp(held[i].path, path) == 0) {
				close(held[i].fd);
				held[i].owner = 0;
			}
	}
	return 0;
}

int
spool_session_count(const char *dir, const char *user)
{
	return spool_session_pids(dir, user, 0, NULL, 0);
}

/* The live entries' pids (at most max into pids); their number. */
int
spool_session_pids(const char *dir, const char *user, int receivers_only,
    pid_t *pids, int max)
{
	struct scan	 sc = { 0, receivers_only, 0, pids, max, 0, 0, NULL };
	char		 udir[SPOOL_PATH_MAX];

	if (reg_path(udir, sizeof(udir), dir, user, NULL) == -1 ||
	    scan(udir, &sc) == -1)
		return -1;
	return pids != NULL && sc.n > max ? max : sc.n;
}

/* Whether pid holds a live bind of user. */
int
spool_session_live(const char *dir, const char *user, pid_t pid)
{
	char	 name[32], path[1200];
	size_t	 t;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		snprintf(name, sizeof(name), "%ld.%s", (long)pid, types[t]);
		if (reg_path(path, sizeof(path), dir, user, name) == 0 &&
		    spool_held(path))
			return 1;
	}
	return 0;
}

/* Remove the dead entries of pid (0: of anyone); how many. */
int
spool_session_prune(const char *dir, const char *user, pid_t pid)
{
	struct scan	 sc = { 1, 0, pid, NULL, 0, 0, 0, NULL };
	char		 udir[SPOOL_PATH_MAX];
	int		 lfd, rc;

	if (reg_path(udir, sizeof(udir), dir, user, NULL) == -1 ||
	    (lfd = reg_lock(udir)) == -1)
		return -1;
	rc = scan(udir, &sc);
	close(lfd);
	return rc == -1 ? -1 : sc.removed;
}

int
spool_wake_user(const char *dir, const char *user, int sig)
{
	struct spool_wake	 w;
	int			 rc;

	memset(&w, 0, sizeof(w));
	rc = spool_wake_some(&w, dir, user, sig, 0);
	spool_wake_free(&w);
	return rc;
}

static int
rx_cmp(const void *a, const void *b)
{
	const struct spool_wake_rx *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Keep a receiver's entry NAME (a valid one: PID.rx or PID.trx). */
static int
wake_keep(struct spool_wake *w, pid_t pid, const char *name)
{
	struct spool_wake_rx	*v;

	if (w->n == PIDS_MAX)
		return 0;
	if (w->n == w->cap) {
		if ((v = reallocarray(w->rx, (size_t)w->cap + 16,
		    sizeof(*v))) == NULL)
			return -1;
		w->rx = v;
		w->cap += 16;
	}
	w->rx[w->n].pid = pid;
	strlcpy(w->rx[w->n].name, name, sizeof(w->rx[w->n].name));
	w->n++;
	return 0;
}

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* List udir's receivers into w unless the listing w holds is current. */
static int
wake_list(struct spool_wake *w, const char *udir)
{
	struct scan	 sc = { 0, 1, 0, NULL, 0, 0, 0, w };
	struct stat	 st;
	int64_t		 mtime_us, now = clock_mono_us();

	if (stat(udir, &st) == -1) {
		w->n = 0;
		w->listed = 0;
		return errno == ENOENT ? 0 : -1;
	}
	if (w->listed != 0 && now - w->listed < WAKE_RELIST_US &&
	    st.st_ino == w->ino && same_time(&st.st_mtim, &w->mtime) &&
	    same_time(&st.st_ctim, &w->ctime))
		return 0;
	w->n = 0;
	w->listed = 0;
	if (scan(udir, &sc) == -1)
		return -1;
	if (w->n > 1)
		qsort(w->rx, (size_t)w->n, sizeof(w->rx[0]), rx_cmp);
	mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 +
	    st.st_mtim.tv_nsec / 1000;
	/* Changed just now: the next change may leave the same times. */
	if (clock_wall_us() - mtime_us >= WAKE_RACY_US) {
		w->listed = now;
		w->ino = st.st_ino;
		w->mtime = st.st_mtim;
		w->ctime = st.st_ctim;
	}
	return 0;
}

int
spool_wake_some(struct spool_wake *w, const char *dir, const char *user,
    int sig, int n)
{
	char			 udir[SPOOL_PATH_MAX], path[SPOOL_PATH_MAX];
	struct spool_wake_rx	*r;
	int			 i, sent = 0;

	if (reg_path(udir, sizeof(udir), dir, user, NULL) == -1 ||
	    wake_list(w, udir) == -1)
		return -1;
	if (n <= 0 || n > w->n)
		n = w->n;
	/* An entry not locked passes its turn to the next. */
	for (i = 0; i < w->n && sent < n; i++) {
		r = &w->rx[(w->turn + (unsigned)i) % (unsigned)w->n];
		if (spool_path(path, sizeof(path), "%s/%s", udir,
		    r->name) == 0 && spool_held(path) &&
		    kill(r->pid, sig) == 0)
			sent++;
	}
	w->turn += (unsigned)i;
	return sent;
}

void
spool_wake_free(struct spool_wake *w)
{
	free(w->rx);
	memset(w, 0, sizeof(*w));
}

/* The name of an open segment: a writer's, not a claimer's (nor -1). */
static int
open_name(const char *name)
{
	return spool_name_claimer(name) == 0;
}

/* A FIFO a process writes to, kept open across calls. */
struct fifo_out {
	int	 fd;
	char	 path[SPOOL_PATH_MAX];
};

static struct fifo_out	 trig_out = { -1, "" }, note_out = { -1, "" };

/* One message to FIFO SUB: a single write(2), whole or not at all. */
static int
fifo_write(struct fifo_out *f, const char *dir, const char *sub,
    const char *msg, size_t len)
{
	char	 path[SPOOL_PATH_MAX];
	int	 tries;

	if (spool_area(path, sizeof(path), dir, sub) == -1)
		return -1;
	if (f->fd != -1 && strcmp(path, f->path) != 0) {
		close(f->fd);
		f->fd = -1;
	}
	for (tries = 0; tries < 2; tries++) {
		if (f->fd == -1) {
			f->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
			if (f->fd == -1)
				return errno == ENXIO ? 1 : -1;
			strlcpy(f->path, path, sizeof(f->path));
		}
		if (write(f->fd, msg, len) == (ssize_t)len)
			return 0;
		if (errno == EAGAIN)
			return 1;
		close(f->fd);
		f->fd = -1;
	}
	return -1;
}

int
spool_wake_conn(const char *dir)
{
	return fifo_write(&trig_out, dir, "trigger", "w", 1);
}

int
spool_wake_committed(const char *dir, const char *name, size_t len)
{
	char	 msg[TRIGGER_NOTICE_MAX];
	int	 n;

	n = snprintf(msg, sizeof(msg), "T%s %zu\n", name, len);
	if (n < 0 || (size_t)n >= sizeof(msg) || !open_name(name)) {
		errno = EINVAL;
		return -1;
	}
	return fifo_write(&note_out, dir, "notice", msg, (size_t)n);
}

int
spool_trigger_open(const char *dir)
{
	char	 path[SPOOL_PATH_MAX];

	if (spool_area(path, sizeof(path), dir, "trigger") == -1)
		return -1;
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

/*
 * The reader's end of the notice FIFO, made when missing (a spool from
 * before it).  Only the spool's owner may write it: a notice makes
 * smppconn read a segment up to the length it names, so nobody else may
 * name one.  -1 (EPERM) when it is not a FIFO of ours closed to others.
 */
int
spool_notice_open(const char *dir)
{
	char		 path[SPOOL_PATH_MAX];
	struct stat	 st;
	int		 fd;

	if (spool_area(path, sizeof(path), dir, "notice") == -1)
		return -1;
	if (mkfifo(path, 0600) == 0) {
		if (chmod(path, 0600) == -1)
			return -1;
	} else if (errno != EEXIST)
		return -1;
	if ((fd = open(path, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/* Empty the FIFO after a wake-up; the number of octets read. */
int
spool_trigger_drain(int fd)
{
	char	 buf[512];
	ssize_t	 n;
	int	 total = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (int)n;
	return total;
}

/* "NAME LEN" of a notice, without its 'T' and newline, to fn. */
static int
notice(char *line, void (*fn)(const char *, size_t))
{
	char			*sp, *end;
	unsigned long long	 v;

	if ((sp = strchr(line, ' ')) == NULL)
		return -1;
	*sp++ = '\0';
	if (!open_name(line) || *sp < '0' || *sp > '9')
		return -1;
	errno = 0;
	v = strtoull(sp, &end, 10);
	if (errno != 0 || *end != '\0' || v > SIZE_MAX)
		return -1;
	fn(line, (size_t)v);
	return 0;
}

/*
 * Read what the notice FIFO holds: notices go to fn; anything else sets
 * the result, to be taken as a wake-up.  A notice cut between two reads
 * is kept for the next call; one that is too long or malformed is
 * dropped, and counts as a wake-up, so nothing a writer meant is lost
 * but the shortcut.
 */
int
spool_notice_read(int fd, void (*fn)(const char *, size_t))
{
	static char	 line[TRIGGER_NOTICE_MAX];
	static size_t	 have;
	static int	 in, skip;
	char		 buf[4096];
	ssize_t		 n, i;
	int		 woken = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++) {
			if (!in) {
				if (buf[i] == 'T') {
					in = 1;
					have = 0;
					skip = 0;
				} else
					woken = 1;
				continue;
			}
			if (buf[i] != '\n') {
				if (have + 1 < sizeof(line))
					line[have++] = buf[i];
				else
					skip = 1;
				continue;
			}
			in = 0;
			line[have] = '\0';
			if (skip || notice(line, fn) == -1)
				woken = 1;
		}
	return woken;
}
