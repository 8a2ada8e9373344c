/*
 * crash_shim.c - an LD_PRELOAD library for the crash-state tests: it
 * records what a process does to the files under one folder
 *
 * SYNOPSIS
 *	CRASH_ROOT=/abs/spool CRASH_TRACE=/abs/trace \
 *	    LD_PRELOAD=.../crash_shim.so smppd ...
 *
 * DESCRIPTION
 *	Every write(2), pwrite(2), ftruncate(2), fsync(2), fdatasync(2)
 *	on a file opened under CRASH_ROOT, every creation of such a file,
 *	every fsync(2) of a folder there, and every rename(2), link(2),
 *	unlink(2) and mkdir(2) of a name there is appended to CRASH_TRACE
 *	as one event (crashfs.h), with the data written, after the call
 *	returned successfully.  One write(2) per event to a file opened
 *	O_APPEND keeps the events of several processes whole and in the
 *	order in which the calls completed.  crashfs.c builds from such a
 *	trace the disk states a power failure could leave.
 *
 *	Built for the tests only (tests/Makefile.am), never installed.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crashfs.h"

#define FD_MAX	4096

struct tfd {
	int		 on;
	int		 dir;
	uint64_t	 ino;
	char		 path[PATH_MAX];
};

static struct tfd	 fds[FD_MAX];
static char		 root[PATH_MAX];
static size_t		 rootlen;
static int		 tracefd = -1;
static int		 ready;

#define REAL(name, ret, args)						\
	static ret (*real_##name) args;					\
	static ret (*get_##name(void)) args {				\
		if (real_##name == NULL)				\
			real_##name = dlsym(RTLD_NEXT, #name);		\
		return real_##name;					\
	}

REAL(open, int, (const char *, int, ...))
REAL(openat, int, (int, const char *, int, ...))
REAL(write, ssize_t, (int, const void *, size_t))
REAL(pwrite, ssize_t, (int, const void *, size_t, off_t))
REAL(writev, ssize_t, (int, const struct iovec *, int))
REAL(ftruncate, int, (int, off_t))
REAL(fsync, int, (int))
REAL(fdatasync, int, (int))
REAL(close, int, (int))
REAL(rename, int, (const char *, const char *))
REAL(link, int, (const char *, const char *))
REAL(unlink, int, (const char *))
REAL(mkdir, int, (const char *, mode_t))

static void
init(void)
{
	const char	*r, *t;

	if (ready)
		return;
	ready = 1;
	if ((r = getenv("CRASH_ROOT")) == NULL ||
	    (t = getenv("CRASH_TRACE")) == NULL ||
	    strlen(r) >= sizeof(root))
		return;
	memcpy(root, r, strlen(r) + 1);
	rootlen = strlen(root);
	tracefd = get_open()(t, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
}

/* The absolute form of path, when it is under the root. */
static int
under(const char *path, char *abs)
{
	char	 cwd[PATH_MAX];
	size_t	 n = strlen(path == NULL ? "" : path);

	init();
	if (tracefd == -1 || path == NULL)
		return 0;
	if (path[0] == '/' && n < PATH_MAX)
		memcpy(abs, path, n + 1);
	else if (getcwd(cwd, sizeof(cwd)) != NULL &&
	    strlen(cwd) + n + 2 <= PATH_MAX) {
		memcpy(abs, cwd, strlen(cwd));
		abs[strlen(cwd)] = '/';
		memcpy(abs + strlen(cwd) + 1, path, n + 1);
	} else
		return 0;
	return strncmp(abs, root, rootlen) == 0 &&
	    (abs[rootlen] == '/' || abs[rootlen] == '\0');
}

static void
emit(int op, uint64_t ino, uint64_t off, const char *p1, const char *p2,
    const void *data, uint64_t len)
{
	struct crashfs_ev	 ev;
	size_t			 l1 = p1 ? strlen(p1) : 0, l2 = p2 ? strlen(p2) : 0;
	size_t			 n = sizeof(ev) + l1 + l2 + len;
	char			*b;
	int			 save = errno;

	if ((b = malloc(n)) == NULL)
		abort();	/* a trace with a hole would lie */
	memset(&ev, 0, sizeof(ev));
	ev.magic = CRASHFS_MAGIC;
	ev.op = (uint32_t)op;
	ev.pid = (int32_t)getpid();
	ev.ino = ino;
	ev.off = off;
	ev.len = len;
	ev.l1 = (uint32_t)l1;
	ev.l2 = (uint32_t)l2;
	memcpy(b, &ev, sizeof(ev));
	if (l1)
		memcpy(b + sizeof(ev), p1, l1);
	if (l2)
		memcpy(b + sizeof(ev) + l1, p2, l2);
	if (len)
		memcpy(b + sizeof(ev) + l1 + l2, data, len);
	if (get_write()(tracefd, b, n) != (ssize_t)n)
		abort();
	free(b);
	errno = save;
}

static void
track(int fd, const char *abs, int created)
{
	struct stat	 st;

	if (fd < 0 || fd >= FD_MAX || fstat(fd, &st) == -1)
		return;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return;
	fds[fd].on = 1;
	fds[fd].dir = S_ISDIR(st.st_mode);
	fds[fd].ino = (uint64_t)st.st_ino;
	snprintf(fds[fd].path, sizeof(fds[fd].path), "%s", abs);
	if (created)
		emit(CRASHFS_CREATE, fds[fd].ino, 0, abs, NULL, NULL, 0);
}

static int
do_open(int dirfd, const char *path, int flags, mode_t mode, int at)
{
	char		 abs[PATH_MAX];
	struct stat	 st;
	int		 fd, on, existed = 1;

	on = (!at || dirfd == AT_FDCWD) && under(path, abs);
	if (on && (flags & O_CREAT))
		existed = lstat(path, &st) == 0;
	fd = at ? get_openat()(dirfd, path, flags, mode) :
	    get_open()(path, flags, mode);
	if (fd == -1 || !on)
		return fd;
	track(fd, abs, !existed);
	if (existed && (flags & O_TRUNC) && fds[fd].on && !fds[fd].dir)
		emit(CRASHFS_TRUNC, fds[fd].ino, 0, NULL, NULL, NULL, 0);
	return fd;
}

/* The mode argument of open(2), present with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, mode) do {					\
	va_list	 ap_;							\
									\
	if ((flags) & (O_CREAT | O_TMPFILE)) {				\
		va_start(ap_, flags);					\
		(mode) = (mode_t)va_arg(ap_, int);			\
		va_end(ap_);						\
	}								\
} while (0)

int
open(const char *path, int flags, ...)
{
	mode_t	 mode = 0;

	MODE_ARG(flags, mode);
	return do_open(AT_FDCWD, path, flags, mode, 0);
}

int
open64(const char *path, int flags, ...)
{
	mode_t	 mode = 0;

	MODE_ARG(flags, mode);
	return do_open(AT_FDCWD, path, flags, mode, 0);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t	 mode = 0;

	MODE_ARG(flags, mode);
	return do_open(dirfd, path, flags, mode, 1);
}

static struct tfd *
file(int fd)
{
	init();
	if (tracefd == -1 || fd < 0 || fd >= FD_MAX || !fds[fd].on)
		return NULL;
	return &fds[fd];
}

/*
 * Writes and syncs of files under the root are made and recorded under
 * one lock of all the processes (fcntl(2): forked children do not
 * share it), so that the trace has them in the order they happened: a
 * write another process finished before a sync began is before the
 * sync in the trace, as it is before it on the disk.
 */
static void
serial(const struct tfd *t, short type)
{
	struct flock	 fl;

	if (t == NULL)
		return;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_len = 1;
	while (fcntl(tracefd, F_SETLKW, &fl) == -1 && errno == EINTR)
		;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	struct tfd	*t = file(fd);
	ssize_t		 n;
	off_t		 end;

	serial(t, F_WRLCK);
	n = get_write()(fd, buf, len);
	if (n > 0 && t != NULL && !t->dir &&
	    (end = lseek(fd, 0, SEEK_CUR)) != -1)
		emit(CRASHFS_WRITE, t->ino, (uint64_t)(end - n), NULL, NULL,
		    buf, (uint64_t)n);
	serial(t, F_UNLCK);
	return n;
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	struct tfd	*t = file(fd);
	ssize_t		 n;

	serial(t, F_WRLCK);
	n = get_pwrite()(fd, buf, len, off);
	if (n > 0 && t != NULL && !t->dir)
		emit(CRASHFS_WRITE, t->ino, (uint64_t)off, NULL, NULL, buf,
		    (uint64_t)n);
	serial(t, F_UNLCK);
	return n;
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return pwrite(fd, buf, len, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	struct tfd	*t = file(fd);
	ssize_t		 n;
	off_t		 end;
	size_t		 left, k;
	int		 i;

	serial(t, F_WRLCK);
	n = get_writev()(fd, iov, cnt);
	if (n <= 0 || t == NULL || t->dir ||
	    (end = lseek(fd, 0, SEEK_CUR)) == -1) {
		serial(t, F_UNLCK);
		return n;
	}
	end -= n;
	for (i = 0, left = (size_t)n; i < cnt && left > 0; i++) {
		k = iov[i].iov_len < left ? iov[i].iov_len : left;
		emit(CRASHFS_WRITE, t->ino, (uint64_t)end, NULL, NULL,
		    iov[i].iov_base, k);
		end += (off_t)k;
		left -= k;
	}
	serial(t, F_UNLCK);
	return n;
}

int
ftruncate(int fd, off_t len)
{
	struct tfd	*t = file(fd);
	int		 rc;

	serial(t, F_WRLCK);
	rc = get_ftruncate()(fd, len);
	if (rc == 0 && t != NULL && !t->dir)
		emit(CRASHFS_TRUNC, t->ino, (uint64_t)len, NULL, NULL, NULL, 0);
	serial(t, F_UNLCK);
	return rc;
}

int
ftruncate64(int fd, off_t len)
{
	return ftruncate(fd, len);
}

static int
synced(int fd, int data)
{
	struct tfd	*t = file(fd);
	int		 rc;

	serial(t, F_WRLCK);
	rc = data ? get_fdatasync()(fd) : get_fsync()(fd);
	if (rc == 0 && t != NULL)
		emit(t->dir ? CRASHFS_DIRSYNC : CRASHFS_FSYNC, t->ino, 0,
		    t->dir ? t->path : NULL, NULL, NULL, 0);
	serial(t, F_UNLCK);
	return rc;
}

int
fsync(int fd)
{
	return synced(fd, 0);
}

int
fdatasync(int fd)
{
	return synced(fd, 1);
}

int
close(int fd)
{
	if (fd >= 0 && fd < FD_MAX)
		fds[fd].on = 0;
	return get_close()(fd);
}

/* A call on two names, recorded when it succeeded on names under root. */
static int
two_names(int op, int (*fn)(const char *, const char *), const char *a,
    const char *b)
{
	char	 x[PATH_MAX], y[PATH_MAX];
	int	 rc, on = under(a, x) && under(b, y);

	rc = fn(a, b);
	if (rc == 0 && on)
		emit(op, 0, 0, x, y, NULL, 0);
	return rc;
}

int
rename(const char *a, const char *b)
{
	return two_names(CRASHFS_RENAME, get_rename(), a, b);
}

int
link(const char *a, const char *b)
{
	return two_names(CRASHFS_LINK, get_link(), a, b);
}

int
unlink(const char *a)
{
	char	 x[PATH_MAX];
	int	 rc, on = under(a, x);

	rc = get_unlink()(a);
	if (rc == 0 && on)
		emit(CRASHFS_UNLINK, 0, 0, x, NULL, NULL, 0);
	return rc;
}

int
mkdir(const char *a, mode_t mode)
{
	char	 x[PATH_MAX];
	int	 rc, on = under(a, x);

	rc = get_mkdir()(a, mode);
	if (rc == 0 && on)
		emit(CRASHFS_MKDIR, 0, 0, x, NULL, NULL, 0);
	return rc;
}
