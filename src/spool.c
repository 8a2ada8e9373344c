/*
 * spool.c - the spool directory: layout and checks, segment names,
 * listing, claiming and moving segments between state folders
 *
 * SYNOPSIS
 *	spool_init(dir, create)		spool_check(dir, err, errlen)
 *	spool_check_owner(dir, uid, err, errlen)
 *	spool_area(buf, len, dir, sub)	spool_path(buf, len, fmt, ...)
 *	spool_user_area(dir, user, create)	spool_user_valid(user)
 *	spool_name(buf, len, not_before)
 *	spool_name_time(name)  spool_name_writer(name)  spool_name_claimer(name)
 *	spool_list(folder, &names, &n)	spool_list_free(names, n)
 *	spool_claim(from, to, name, path, pathlen)
 *	spool_claim_group(from, to, names, n, mv)
 *	spool_claim_lock(folder, name, path, pathlen, &fd)	spool_held(path)
 *	spool_move(path, todir, newname)
 *	spool_quarantine(dir, path, why)	spool_remove(path)
 *	spool_corrupt_path(buf, len, dir, segment, index)
 *	clock_wall_us()
 *
 * DESCRIPTION
 *	Every state change of a segment is a move between folders of one
 *	file system (spool_durable_move(): link, folder fsync, unlink), so
 *	a crash leaves it in one state, or under two names of one file.
 *	The layout, the states and who moves what are in smppd-spool(5).
 *
 *	A name is SECONDS.MICROS.PID.SEQ: the time before which the
 *	segment is not to be claimed (its creation, or its next retry),
 *	the writer's pid and a per-process counter, which together are
 *	unique; a claimer appends ".PID" of its own.
 *
 *	spool_claim(from, to, name, ...) moves FROM/NAME to TO/NAME.PID
 *	and then its sidecar FROM/NAME.done along; it returns 1 when the
 *	segment is gone (another process claimed it first) or not free to
 *	claim yet: a segment with a second name (st_nlink above 1) is
 *	still being closed by its writer, whose tmp/ name goes only after
 *	the fsync of the new folder, or was left so by a writer that died
 *	there; recovery will move that tmp/ name onto the one in new/, and
 *	a claim before it would let recovery queue the segment a second
 *	time once the claimer had removed it.  spool_claim_group()
 *	claims several segments into one folder with one sync of it
 *	(spool_durable_move_group()).  The segment
 *	moves before its sidecar, so that a loser of the race never takes
 *	the winner's sidecar; a crash between the two renames leaves the
 *	sidecar where the segment returns to on recovery.
 *
 *	spool_claim_lock(folder, name, ...) claims FOLDER/NAME where it
 *	is, by an exclusive flock(2) on it held through *fd: no name
 *	changes, so nothing to sync, and a claimer that dies lets go of
 *	it with its last descriptor.  Every process that changes a name in
 *	such a folder (out/USER/new/) takes the lock first, so that the
 *	name the holder checked under the lock stays its own.  It returns
 *	1 when the segment is gone, locked by another process, or not free
 *	to claim (st_nlink other than 1, as for spool_claim(); 0 too: the
 *	holder before removed it after this process opened it); errno
 *	then tells the lock of another (EWOULDBLOCK) from the rest (ENOENT).
 *	spool_held(path) says whether another open file holds an flock(2)
 *	on path: a claim in place, a live writer, a live bind's entry.
 *
 *	spool_move(path, todir, newname) moves a segment and its sidecar
 *	to TODIR/NEWNAME; NEWNAME NULL means the segment's own name with
 *	a claimer's ".PID" suffix removed (the way back from active/ or
 *	cur/ to new/).  The sidecar moves first, so that a segment never
 *	arrives in a folder where it can be claimed without it.
 *
 *	spool_remove(path) deletes a segment whose records are all
 *	settled, then its sidecar: a crash in between leaves a stray
 *	NAME.done, never a segment whose settled records would be sent
 *	again.
 *
 * DIAGNOSTICS
 *	-1 with errno; spool_check() also writes a sentence naming the
 *	folder and what is wrong with it; spool_quarantine() logs a
 *	warning.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "log.h"
#include "spool.h"

#define DIR_MODE	0750
#define FIFO_MODE	0620
#define FIFO_PRIVATE	2	/* a FIFO only the owner may write: 0600 */

static const struct {
	const char	*sub;
	int		 fifo;
} layout[] = {
	{ "", 0 }, { "mt", 0 }, { "mt/tmp", 0 }, { "mt/new", 0 },
	{ "mt/active", 0 }, { "mt/deferred", 0 }, { "mt/failed", 0 },
	{ "out", 0 }, { "mo", 0 }, { "mo/tmp", 0 }, { "mo/failed", 0 },
	{ "corrupt", 0 }, { "sessions", 0 }, { "trigger", 1 },
	/* Made, not checked: smppconn makes it when missing (older spools). */
	{ "notice", FIFO_PRIVATE }
};

/* SPOOL/TOP/USER/SUB; check_users() checks the first four. */
static const struct {
	const char	*top;
	const char	*sub;
} user_layout[] = {
	{ "out", "" }, { "out", "/tmp" }, { "out", "/new" }, { "out", "/cur" },
	{ "sessions", "" }
};


/* snprintf(3) that fails (ENAMETOOLONG) rather than truncate. */
int
spool_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* DIR/SUB, or DIR itself for an empty or NULL SUB. */
int
spool_area(char *buf, size_t len, const char *dir, const char *sub)
{
	if (sub == NULL || *sub == '\0')
		return spool_path(buf, len, "%s", dir);
	return spool_path(buf, len, "%s/%s", dir, sub);
}

/* A system_id usable as a folder name: 1-30 printable, no '/', no '.'. */
int
spool_user_valid(const char *user)
{
	size_t	 i, n = strnlen(user, PDU_SYSTEM_ID_MAX);

	if (n == 0 || n >= PDU_SYSTEM_ID_MAX || user[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (user[i] < 0x21 || user[i] > 0x7e || user[i] == '/')
			return 0;
	return 1;
}

/* mkdir/mkfifo with the exact mode, whatever the umask. */
static int
make(const char *path, int fifo)
{
	mode_t	 mode = fifo == FIFO_PRIVATE ? 0600 : fifo ? FIFO_MODE :
		    DIR_MODE;
	int	 rc;

	rc = fifo ? mkfifo(path, mode) : mkdir(path, mode);
	if (rc == -1)
		return errno == EEXIST ? 0 : -1;
	/* A folder made at run time (out/USER/) holds acknowledged data. */
	if (chmod(path, mode) == -1)
		return -1;
	return spool_durable_parent(path);
}

static int
make_or_find(const char *path, int fifo, int create)
{
	struct stat	 st;

	if (create)
		return make(path, fifo);
	return stat(path, &st);
}

int
spool_init(const char *dir, int create)
{
	char	 path[1024];
	size_t	 i;

	for (i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
		if (spool_area(path, sizeof(path), dir, layout[i].sub) == -1 ||
		    ((create || layout[i].fifo != FIFO_PRIVATE) &&
		    make_or_find(path, layout[i].fifo, create) == -1))
			return -1;
	return 0;
}

int
spool_user_area(const char *dir, const char *user, int create)
{
	char	 path[1024];
	size_t	 i;

	if (!spool_user_valid(user)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < sizeof(user_layout) / sizeof(user_layout[0]); i++)
		if (spool_path(path, sizeof(path), "%s/%s/%s%s", dir,
		    user_layout[i].top, user, user_layout[i].sub) == -1 ||
		    make_or_find(path, 0, create) == -1)
			return -1;
	return 0;
}

/* What is wrong with one folder (or the FIFO), or NULL. */
static const char *
check_one(const char *path, int fifo, int top, uid_t uid, char *why,
    size_t len)
{
	struct stat	 st;
	int		 rc;

	rc = top ? stat(path, &st) : lstat(path, &st);
	if (rc == -1) {
		snprintf(why, len, "%s", errno == ENOENT ? "missing" :
		    strerror(errno));
		return why;
	}
	if (fifo ? !S_ISFIFO(st.st_mode) : !S_ISDIR(st.st_mode))
		return fifo ? "not a FIFO" : "not a directory";
	if (st.st_uid != uid) {
		snprintf(why, len, "owned by uid %lu, not by uid %lu (the "
		    "user smppd runs as)", (unsigned long)st.st_uid,
		    (unsigned long)uid);
		return why;
	}
	if ((st.st_mode & 0700) != (fifo ? 0600 : 0700))
		snprintf(why, len, "mode %04o: its owner lacks access",
		    (unsigned)(st.st_mode & 07777));
	else if ((st.st_mode & S_IWOTH) || (!fifo && (st.st_mode & S_IWGRP)))
		snprintf(why, len, "mode %04o lets %s write (want %04o)",
		    (unsigned)(st.st_mode & 07777),
		    (st.st_mode & S_IWOTH) ? "others" : "the group",
		    fifo ? FIFO_MODE : DIR_MODE);
	else
		return NULL;
	return why;
}

static int
check_fail(char *err, size_t len, const char *path, const char *why)
{
	snprintf(err, len, "spool %s: %s", path, why);
	errno = EPERM;
	return -1;
}

/*
 * A subfolder of out/USER/ that a power failure took while the
 * account's first receipt made the area (the mkdir of out/USER/ on
 * disk, its subfolder's not): made again by the area's owner, who is
 * the daemon at its start.
 */
static int
repair(const char *path, size_t i)
{
	char		 top[1024], *slash;
	struct stat	 st;

	if (i == 0 || strlcpy(top, path, sizeof(top)) >= sizeof(top) ||
	    (slash = strrchr(top, '/')) == NULL)
		return 0;
	*slash = '\0';
	if (lstat(path, &st) == 0 || errno != ENOENT ||
	    lstat(top, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid())
		return 0;
	return make(path, 0) == 0;
}

/* The areas of each account that exists under out/. */
static int
check_users(const char *dir, uid_t uid, char *err, size_t len)
{
	char		 path[1024], why[128];
	const char	*w;
	struct dirent	*de;
	DIR		*d;
	size_t		 i;
	int		 rc = 0;

	if (spool_area(path, sizeof(path), dir, "out") == -1 ||
	    (d = opendir(path)) == NULL)
		return check_fail(err, len, path, strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		for (i = 0; rc == 0 && i < 4; i++) {
			if (spool_path(path, sizeof(path), "%s/out/%s%s", dir,
			    de->d_name, user_layout[i].sub) == -1)
				rc = check_fail(err, len, de->d_name,
				    "name too long");
			else if ((w = check_one(path, 0, 0, uid, why,
			    sizeof(why))) != NULL && !repair(path, i))
				rc = check_fail(err, len, path, w);
		}
	}
	closedir(d);
	return rc;
}

/*
 * Verify the layout: every folder and the FIFO exist, belong to uid
 * (spool_check(): the effective uid; smppd -t run as root: the
 * configured user), and neither others nor (except the FIFO, which
 * the group may write to wake smppconn) the group can write them.
 */
int
spool_check(const char *dir, char *err, size_t len)
{
	return spool_check_owner(dir, geteuid(), err, len);
}

int
spool_check_owner(const char *dir, uid_t uid, char *err, size_t len)
{
	char		 path[1024], why[128];
	const char	*w;
	size_t		 i;

	for (i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
		if (layout[i].fifo == FIFO_PRIVATE)
			continue;	/* spool_notice_open() checks it */
		if (spool_area(path, sizeof(path), dir, layout[i].sub) == -1)
			return check_fail(err, len, dir, "path too long");
		if ((w = check_one(path, layout[i].fifo, i == 0, uid, why,
		    sizeof(why))) != NULL)
			return check_fail(err, len, path, w);
	}
	return check_users(dir, uid, err, len);
}

/* Name fields; claimer is 0 when there is no ".PID" suffix. */
struct spool_nm {
	int64_t		 sec;
	long		 usec;
	pid_t		 writer;
	pid_t		 claimer;
};

/* Up to max decimal digits (at least one) at *s. */
static int
take_num(const char **s, int min, int max, int64_t *v)
{
	int	 n = 0;

	for (*v = 0; **s >= '0' && **s <= '9'; (*s)++) {
		if (++n > max)
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return n < min ? -1 : 0;
}

static int
name_parse(const char *name, struct spool_nm *nm)
{
	const char	*s = name;
	int64_t		 v[5];
	int		 i;

	nm->claimer = 0;
	for (i = 0; i < 5; i++) {
		if (take_num(&s, i == 1 ? 6 : 1, i == 1 ? 6 : i == 0 ? 12 : 10,
		    &v[i]) == -1)
			return -1;
		if (*s == '\0')
			break;
		if (*s++ != '.' || i == 4)
			return -1;
	}
	if (i < 3 || v[2] <= 0 || v[2] > INT32_MAX ||
	    (i == 4 && (v[4] <= 0 || v[4] > INT32_MAX)))
		return -1;
	nm->sec = v[0];
	nm->usec = (long)v[1];
	nm->writer = (pid_t)v[2];
	if (i == 4)
		nm->claimer = (pid_t)v[4];
	return 0;
}

int64_t
spool_name_time(const char *name)
{
	struct spool_nm	 nm;

	return name_parse(name, &nm) == -1 ? -1 : nm.sec;
}

pid_t
spool_name_writer(const char *name)
{
	struct spool_nm	 nm;

	return name_parse(name, &nm) == -1 ? -1 : nm.writer;
}

pid_t
spool_name_claimer(const char *name)
{
	struct spool_nm	 nm;

	return name_parse(name, &nm) == -1 ? -1 : nm.claimer;
}

/* A new segment name; unique per process by its counter. */
int
spool_name(char *buf, size_t len, int64_t not_before)
{
	static pid_t	 pid;
	static unsigned	 seq;
	int64_t		 now = clock_wall_us();
	pid_t		 me = getpid();

	if (me != pid) {
		pid = me;
		seq = 0;
	}
	return spool_path(buf, len, "%lld.%06ld.%ld.%u",
	    (long long)(not_before > 0 ? not_before : now / 1000000),
	    (long)(now % 1000000), (long)pid, ++seq);
}

static int
by_time(const void *a, const void *b)
{
	const char	*x = *(char *const *)a, *y = *(char *const *)b;
	struct spool_nm	 p, q;

	if (name_parse(x, &p) == -1)
		p.sec = -1, p.usec = 0;
	if (name_parse(y, &q) == -1)
		q.sec = -1, q.usec = 0;
	if (p.sec != q.sec)
		return p.sec < q.sec ? -1 : 1;
	if (p.usec != q.usec)
		return p.usec < q.usec ? -1 : 1;
	return strcmp(x, y);
}

static int
is_listed(const char *name)
{
	size_t	 n = strlen(name), s = sizeof(SEGDONE_SUFFIX) - 1;

	return name[0] != '.' &&
	    !(n >= s && strcmp(name + n - s, SEGDONE_SUFFIX) == 0);
}

/*
 * The segments in a folder, oldest first: all names but dotfiles and
 * sidecars.  Names that do not parse sort first, so that whoever
 * lists can quarantine them.
 */
int
spool_list(const char *folder, char ***names, size_t *n)
{
	struct dirent	*de;
	char		**v = NULL, **nv;
	size_t		 cap = 0;
	DIR		*d;

	*names = NULL;
	*n = 0;
	if ((d = opendir(folder)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!is_listed(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), by_time);
	*names = v;
	return 0;
fail:
	closedir(d);
	spool_list_free(v, *n);
	*n = 0;
	errno = ENOMEM;
	return -1;
}

void
spool_list_free(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Rename a segment's sidecar; a segment without one is fine. */
static int
move_done(const char *from, const char *to)
{
	char	 a[SPOOL_PATH_MAX], b[SPOOL_PATH_MAX];

	if (spool_done_path(a, sizeof(a), from) == -1 ||
	    spool_done_path(b, sizeof(b), to) == -1)
		return -1;
	if (rename(a, b) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * The two names of a claim of FROM/NAME, into src and dst (dst is
 * TO/NAME.PID): 0 when it may be claimed, 1 when it is gone or still
 * has a second name, -1.
 */
static int
claim_names(const char *from, const char *to, const char *name, char *src,
    char *dst, size_t len)
{
	char		 sfx[24];
	struct stat	 st;

	snprintf(sfx, sizeof(sfx), ".%ld", (long)getpid());
	if (spool_path(src, SPOOL_PATH_MAX, "%s/%s", from, name) == -1 ||
	    spool_path(dst, len, "%s/%s%s", to, name, sfx) == -1)
		return -1;
	if (lstat(src, &st) == -1)
		return errno == ENOENT ? 1 : -1;
	return st.st_nlink > 1 ? 1 : 0;
}

/*
 * Claim FROM/NAME as TO/NAME.PID; its path goes to path.  Returns 0,
 * 1 when it is gone, or -1.
 */
int
spool_claim(const char *from, const char *to, const char *name, char *path,
    size_t len)
{
	char	 src[SPOOL_PATH_MAX];
	int	 rc;

	if ((rc = claim_names(from, to, name, src, path, len)) != 0)
		return rc;
	if ((rc = spool_durable_move(src, path)) != 0)
		return rc;
	if (move_done(src, path) == -1)
		log_warn("spool: %s: cannot take its sidecar along", path);
	return 0;
}

/*
 * Claim FROM/NAMES[i] as TO/NAMES[i].PID, n of them with one sync of
 * TO (spool_durable_move_group()).  Returns k, the moves tried, in
 * mv[0..k): mv[i].rc 0 claimed (its path in mv[i].dst), 1 gone, -1.
 * Names that are gone or not free to claim (spool_claim()) are left
 * out, and so, with a log line, are those whose path does not fit.
 * The sidecars come along after their segments.
 */
size_t
spool_claim_group(const char *from, const char *to, char *const *names,
    size_t n, struct spool_mv *mv)
{
	size_t	 i, k = 0;
	int	 rc;

	for (i = 0; i < n; i++) {
		rc = claim_names(from, to, names[i], mv[k].src, mv[k].dst,
		    sizeof(mv[k].dst));
		if (rc == 0)
			mv[k++].made = 0;
		else if (rc == -1)
			log_warn("spool: claiming %s/%s", from, names[i]);
	}
	spool_durable_move_group(mv, k);
	for (i = 0; i < k; i++)
		if (mv[i].rc == 0 && move_done(mv[i].src, mv[i].dst) == -1)
			log_warn("spool: %s: cannot take its sidecar along",
			    mv[i].dst);
	return k;
}

/* The last component of a path. */
static const char *
base(const char *path)
{
	const char	*s = strrchr(path, '/');

	return s == NULL ? path : s + 1;
}

/* A segment to lock: never through a symlink, never blocking on a FIFO. */
static int
open_lockable(const char *path)
{
	return open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
}

/* Close *fd, leaving err in errno; rc. */
static int
let_go(int *fd, int err, int rc)
{
	close(*fd);
	*fd = -1;
	errno = err;
	return rc;
}

/*
 * Claim FOLDER/NAME in place: the descriptor holding its flock(2) in
 * *fd, its path in path.  Returns 0, 1 when it is gone or held, or -1.
 */
int
spool_claim_lock(const char *folder, const char *name, char *path,
    size_t len, int *fd)
{
	struct stat	 held, named;

	if (spool_path(path, len, "%s/%s", folder, name) == -1)
		return -1;
	if ((*fd = open_lockable(path)) == -1)
		return errno == ENOENT ? 1 : -1;
	if (flock(*fd, LOCK_EX | LOCK_NB) == -1)
		return let_go(fd, errno, errno == EWOULDBLOCK ? 1 : -1);
	/* The name may have been removed or moved before the lock. */
	if (fstat(*fd, &held) == -1 || !S_ISREG(held.st_mode) ||
	    held.st_nlink != 1 || lstat(path, &named) == -1 ||
	    named.st_dev != held.st_dev || named.st_ino != held.st_ino)
		return let_go(fd, ENOENT, 1);
	return 0;
}

int
spool_held(const char *path)
{
	int	 fd, held;

	if ((fd = open_lockable(path)) == -1)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* A claimed name without its ".PID", into buf. */
static int
unclaimed(const char *name, char *buf, size_t len)
{
	const char	*dot;

	if (strlcpy(buf, name, len) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (spool_name_claimer(name) > 0 && (dot = strrchr(name, '.')) != NULL)
		buf[dot - name] = '\0';
	return 0;
}

int
spool_move(const char *path, const char *todir, const char *newname)
{
	char	 name[SPOOL_NAME_MAX + 16], dst[SPOOL_PATH_MAX];
	int	 save, rc;

	if (newname == NULL) {
		if (unclaimed(base(path), name, sizeof(name)) == -1)
			return -1;
		newname = name;
	}
	if (spool_path(dst, sizeof(dst), "%s/%s", todir, newname) == -1 ||
	    move_done(path, dst) == -1)
		return -1;
	if ((rc = spool_durable_move(path, dst)) != 0) {
		save = rc == 1 ? ENOENT : errno;
		(void)move_done(dst, path);
		errno = save;
		return -1;
	}
	return 0;
}

int
spool_remove(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return spool_done_remove(path);
}

/* The name of a segment's sidecar: the one place that builds it. */
int
spool_done_path(char *buf, size_t len, const char *segpath)
{
	return spool_path(buf, len, "%s" SEGDONE_SUFFIX, segpath);
}

/* Remove a segment's sidecar; none is fine. */
int
spool_done_remove(const char *segpath)
{
	char	 path[SPOOL_PATH_MAX];

	if (spool_done_path(path, sizeof(path), segpath) == -1)
		return -1;
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * Move a segment that failed validation (and its sidecar) to
 * SPOOL/corrupt/, never over an earlier one of the same name.
 */
int
spool_quarantine(const char *dir, const char *path, const char *why)
{
	char		 cdir[1024], dst[SPOOL_PATH_MAX], name[SPOOL_NAME_MAX + 24];
	struct stat	 st;
	int		 i, rc;

	if (spool_area(cdir, sizeof(cdir), dir, "corrupt") == -1)
		return -1;
	for (i = 0; i < 100; i++) {
		rc = i == 0 ? spool_path(name, sizeof(name), "%s", base(path)) :
		    spool_path(name, sizeof(name), "%s.%d", base(path), i);
		if (rc == -1 || spool_path(dst, sizeof(dst), "%s/%s", cdir,
		    name) == -1)
			break;
		if (lstat(dst, &st) == -1 && errno == ENOENT) {
			if (spool_move(path, cdir, name) == -1)
				break;
			log_warnx("spool: %s: %s; moved to %s", path, why,
			    dst);
			return 0;
		}
	}
	if (i == 100)
		errno = EEXIST;
	log_warn("spool: %s: %s; cannot move it to %s", path, why, cdir);
	return -1;
}

/*
 * The path in SPOOL/corrupt/ of record index of the segment at path:
 * SEGMENT.rN, the segment's name without its claim.
 */
int
spool_corrupt_path(char *dst, size_t len, const char *dir, const char *path,
    unsigned index)
{
	char	 name[SPOOL_NAME_MAX + 16];

	if (unclaimed(base(path), name, sizeof(name)) == -1)
		return -1;
	return spool_path(dst, len, "%s/corrupt/%s.r%u", dir, name, index);
}

/* Read up to len octets; *got says how many (fewer at end of file). */
int
spool_read_all(int fd, char *p, size_t len, size_t *got)
{
	ssize_t	 n;

	*got = 0;
	while (*got < len) {
		if ((n = read(fd, p + *got, len - *got)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}
