/*
 * crashfs.c - the disk states a power failure could leave, built from
 * a trace of what the programs did to the spool (crash_shim.c)
 *
 * SYNOPSIS
 *	m = crashfs_new(root)		before the run: its folders
 *	crashfs_load(m, trace)		after the run
 *	while (crashfs_step(m) != -1)	crashfs_build(m, dst, mode, seed)
 *	crashfs_nacked(m)	crashfs_acked(m, i)	crashfs_close(m)
 *	crashfs_ack(tracefd, id)	the client: id was answered
 *
 * DESCRIPTION
 *	The model follows POSIX, not one file system: data written to a
 *	file is durable once an fsync(2) or fdatasync(2) of that file
 *	returned; a name (made, linked, removed, renamed) is durable once
 *	an fsync(2) of its own folder returned, and a rename(2) between
 *	two folders is two changes, one in each.  crashfs_step() applies
 *	the next event; crashfs_build() writes into dst the state a power
 *	cut right there could leave: what was synced, and of the rest
 *	(mode) nothing, everything, or at random: for each file its
 *	unsynced pages each kept or lost (lost pages read as what was
 *	synced, or zeros past it, the size either one), for each folder
 *	a prefix of its unsynced name changes.  The folders, FIFOs and
 *	files that existed before the run (crashfs_new()) are taken as
 *	durable.
 *
 * DIAGNOSTICS
 *	-1 with errno (crashfs_step(): -1 at the end).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "crashfs.h"

#define PAGE	4096
#define ISDIR	(-2)		/* a name that is a folder */

struct obj {
	uint8_t		*dur;		/* synced contents */
	size_t		 durlen;
	size_t		*pend;		/* unsynced events (offsets in trace) */
	size_t		 npend;
	size_t		 cap;
};

struct name {
	char		*path;
	long		 obj;		/* index, or ISDIR */
};

struct dop {
	char		*dir;
	int		 kind;		/* 'a' add, 'd' delete, 'r' rename */
	char		*a, *b;
	long		 obj;
	int		 done;
};

struct crashfs {
	char		 root[1024];
	uint8_t		*trace;
	size_t		 len, off, pos, nev;
	struct obj	*objs;
	size_t		 nobjs;
	struct { uint64_t ino; long obj; } *inos;
	size_t		 ninos;
	struct name	*cur, *dur;
	size_t		 ncur, ndur;
	struct dop	*dops;
	size_t		 ndops;
	char		**init;		/* folders and FIFOs before the run */
	int		*initfifo;	/* a FIFO's mode, or 0 */
	size_t		 ninit;
	char		**acked;
	size_t		 nacked;
};

static struct crashfs	*walking;

static long	 ino_obj(struct crashfs *, uint64_t, int);
static void	 name_set(struct name **, size_t *, const char *, long);

static void *
grow(void *v, size_t n, size_t size)
{
	void	*p;

	if ((n & (n - 1)) != 0 && n != 0)
		return v;
	if ((p = realloc(v, (n ? n * 2 : 1) * size)) == NULL)
		abort();
	return p;
}

static char *
dupn(const void *p, size_t n)
{
	char	*s;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* A file there before the run: durable, under its name. */
static void
snap_file(struct crashfs *m, const char *path, const struct stat *st)
{
	struct obj	*o;
	long		 obj = ino_obj(m, (uint64_t)st->st_ino, 1);
	ssize_t		 n;
	int		 fd;

	o = &m->objs[obj];
	if ((o->dur = malloc((size_t)st->st_size + 1)) == NULL)
		abort();
	if ((fd = open(path, O_RDONLY)) == -1)
		return;
	n = read(fd, o->dur, (size_t)st->st_size);
	o->durlen = n > 0 ? (size_t)n : 0;
	close(fd);
	name_set(&m->cur, &m->ncur, path, obj);
	name_set(&m->dur, &m->ndur, path, obj);
}

static int
snap(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct crashfs	*m = walking;

	(void)f;
	if (flag == FTW_F && S_ISREG(st->st_mode)) {
		snap_file(m, path, st);
		return 0;
	}
	if (flag != FTW_D && !S_ISFIFO(st->st_mode))
		return 0;
	m->init = grow(m->init, m->ninit, sizeof(*m->init));
	m->initfifo = grow(m->initfifo, m->ninit, sizeof(*m->initfifo));
	m->init[m->ninit] = strdup(path + strlen(m->root));
	/* A FIFO's mode, which says who may write it; 0 for a folder. */
	m->initfifo[m->ninit++] = S_ISFIFO(st->st_mode) ?
	    (int)(st->st_mode & 07777) : 0;
	return 0;
}

struct crashfs *
crashfs_new(const char *root)
{
	struct crashfs	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	strlcpy(m->root, root, sizeof(m->root));
	walking = m;
	if (nftw(root, snap, 16, FTW_PHYS) == -1) {
		free(m);
		return NULL;
	}
	return m;
}

int
crashfs_load(struct crashfs *m, const char *trace)
{
	struct stat	 st;
	int		 fd;
	ssize_t		 n;

	if ((fd = open(trace, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		return -1;
	if ((m->trace = malloc((size_t)st.st_size + 1)) == NULL)
		abort();
	for (m->len = 0; m->len < (size_t)st.st_size; m->len += (size_t)n)
		if ((n = read(fd, m->trace + m->len,
		    (size_t)st.st_size - m->len)) <= 0)
			break;
	close(fd);
	for (m->off = 0, m->nev = 0; m->off + sizeof(struct crashfs_ev) <=
	    m->len; m->nev++) {
		struct crashfs_ev	 ev;

		memcpy(&ev, m->trace + m->off, sizeof(ev));
		if (ev.magic != CRASHFS_MAGIC)
			break;
		m->off += sizeof(ev) + ev.l1 + ev.l2 + ev.len;
	}
	m->off = 0;
	return 0;
}

static long
obj_new(struct crashfs *m)
{
	m->objs = grow(m->objs, m->nobjs, sizeof(*m->objs));
	memset(&m->objs[m->nobjs], 0, sizeof(m->objs[0]));
	return (long)m->nobjs++;
}

static long
ino_obj(struct crashfs *m, uint64_t ino, int create)
{
	size_t	 i;

	if (!create)
		for (i = m->ninos; i-- > 0;)
			if (m->inos[i].ino == ino)
				return m->inos[i].obj;
	m->inos = grow(m->inos, m->ninos, sizeof(*m->inos));
	m->inos[m->ninos].ino = ino;
	m->inos[m->ninos].obj = obj_new(m);
	return m->inos[m->ninos++].obj;
}

static struct name *
name_find(struct name *v, size_t n, const char *path)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].path, path) == 0)
			return &v[i];
	return NULL;
}

static void
name_set(struct name **v, size_t *n, const char *path, long obj)
{
	struct name	*x;

	if ((x = name_find(*v, *n, path)) != NULL) {
		x->obj = obj;
		return;
	}
	*v = grow(*v, *n, sizeof(**v));
	(*v)[*n].path = strdup(path);
	(*v)[(*n)++].obj = obj;
}

static void
name_del(struct name *v, size_t *n, const char *path)
{
	struct name	*x;

	if ((x = name_find(v, *n, path)) == NULL)
		return;
	free(x->path);
	*x = v[--*n];
}

static char *
dirof(const char *path)
{
	const char	*s = strrchr(path, '/');

	return dupn(path, s == NULL ? 0 : (size_t)(s - path));
}

static void
dop_add(struct crashfs *m, int kind, const char *a, const char *b, long obj)
{
	struct dop	*d;

	m->dops = grow(m->dops, m->ndops, sizeof(*m->dops));
	d = &m->dops[m->ndops++];
	memset(d, 0, sizeof(*d));
	d->dir = dirof(kind == 'a' && b != NULL ? b : a);
	d->kind = kind;
	d->a = strdup(a);
	d->b = b != NULL ? strdup(b) : NULL;
	d->obj = obj;
}

static void
dop_apply(const struct dop *d, struct name **v, size_t *n)
{
	switch (d->kind) {
	case 'a':
		name_set(v, n, d->b != NULL ? d->b : d->a, d->obj);
		break;
	case 'd':
		name_del(*v, n, d->a);
		break;
	case 'r':
		name_del(*v, n, d->a);
		name_set(v, n, d->b, d->obj);
		break;
	}
}

static long
cur_obj(struct crashfs *m, const char *path)
{
	struct name	*x = name_find(m->cur, m->ncur, path);

	return x != NULL ? x->obj : obj_new(m);
}

static void
names(struct crashfs *m, const struct crashfs_ev *ev, const char *p1,
    const char *p2)
{
	long	 obj;
	char	*d1, *d2;

	switch (ev->op) {
	case CRASHFS_CREATE:
		obj = ino_obj(m, ev->ino, 1);
		name_set(&m->cur, &m->ncur, p1, obj);
		dop_add(m, 'a', p1, NULL, obj);
		break;
	case CRASHFS_MKDIR:
		name_set(&m->cur, &m->ncur, p1, ISDIR);
		dop_add(m, 'a', p1, NULL, ISDIR);
		break;
	case CRASHFS_LINK:
		obj = cur_obj(m, p1);
		name_set(&m->cur, &m->ncur, p2, obj);
		dop_add(m, 'a', p2, NULL, obj);
		break;
	case CRASHFS_UNLINK:
		name_del(m->cur, &m->ncur, p1);
		dop_add(m, 'd', p1, NULL, 0);
		break;
	case CRASHFS_RENAME:
		obj = cur_obj(m, p1);
		name_del(m->cur, &m->ncur, p1);
		name_set(&m->cur, &m->ncur, p2, obj);
		d1 = dirof(p1);
		d2 = dirof(p2);
		if (strcmp(d1, d2) == 0) {
			dop_add(m, 'r', p1, p2, obj);
		} else {
			dop_add(m, 'd', p1, NULL, 0);
			dop_add(m, 'a', p2, NULL, obj);
		}
		free(d1);
		free(d2);
		break;
	}
}

/* Contents of o with its unsynced events applied (all or by page). */
static uint8_t *
contents(struct crashfs *m, const struct obj *o, int all, size_t *len)
{
	struct crashfs_ev	 ev;
	uint8_t			*b;
	size_t			 cap = o->durlen, i, n = o->durlen;

	for (i = 0; i < o->npend && all; i++) {
		memcpy(&ev, m->trace + o->pend[i], sizeof(ev));
		if (ev.op == CRASHFS_WRITE && ev.off + ev.len > cap)
			cap = (size_t)(ev.off + ev.len);
		if (ev.op == CRASHFS_TRUNC && ev.off > cap)
			cap = (size_t)ev.off;	/* ftruncate(2) that grows */
	}
	if ((b = calloc(1, cap + 1)) == NULL)
		abort();
	if (o->durlen > 0)
		memcpy(b, o->dur, o->durlen);
	for (i = 0; i < o->npend && all; i++) {
		memcpy(&ev, m->trace + o->pend[i], sizeof(ev));
		if (ev.op == CRASHFS_WRITE) {
			memcpy(b + ev.off, m->trace + o->pend[i] + sizeof(ev) +
			    ev.l1 + ev.l2, (size_t)ev.len);
			if (ev.off + ev.len > n)
				n = (size_t)(ev.off + ev.len);
		} else if (ev.op == CRASHFS_TRUNC) {
			if (ev.off < n)
				memset(b + ev.off, 0, n - (size_t)ev.off);
			n = (size_t)ev.off;
		}
	}
	*len = n;
	return b;
}

static void
sync_obj(struct crashfs *m, struct obj *o)
{
	size_t	 n;
	uint8_t	*b = contents(m, o, 1, &n);

	free(o->dur);
	o->dur = b;
	o->durlen = n;
	o->npend = 0;
}

int
crashfs_step(struct crashfs *m)
{
	struct crashfs_ev	 ev;
	char			*p1, *p2;
	struct obj		*o;
	size_t			 i, at = m->off;

	if (m->pos >= m->nev)
		return -1;
	memcpy(&ev, m->trace + at, sizeof(ev));
	p1 = dupn(m->trace + at + sizeof(ev), ev.l1);
	p2 = dupn(m->trace + at + sizeof(ev) + ev.l1, ev.l2);
	m->off += sizeof(ev) + ev.l1 + ev.l2 + ev.len;
	m->pos++;
	switch (ev.op) {
	case CRASHFS_WRITE:
	case CRASHFS_TRUNC:
		o = &m->objs[ino_obj(m, ev.ino, 0)];
		o->pend = grow(o->pend, o->npend, sizeof(*o->pend));
		o->pend[o->npend++] = at;
		break;
	case CRASHFS_FSYNC:
		sync_obj(m, &m->objs[ino_obj(m, ev.ino, 0)]);
		break;
	case CRASHFS_DIRSYNC:
		for (i = 0; i < m->ndops; i++)
			if (!m->dops[i].done && strcmp(m->dops[i].dir, p1) == 0) {
				dop_apply(&m->dops[i], &m->dur, &m->ndur);
				m->dops[i].done = 1;
			}
		break;
	case CRASHFS_ACK:
		m->acked = grow(m->acked, m->nacked, sizeof(*m->acked));
		m->acked[m->nacked++] = strdup(p1);
		break;
	default:
		names(m, &ev, p1, p2);
	}
	free(p1);
	free(p2);
	return (int)ev.op;
}

static char *
mapped(const struct crashfs *m, const char *dst, const char *path)
{
	char	*s;

	if (asprintf(&s, "%s%s", dst, path + strlen(m->root)) == -1)
		abort();
	return s;
}

static void
put(const char *path, const uint8_t *b, size_t n)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return;		/* its folder did not survive */
	if (write(fd, b, n) != (ssize_t)n)
		abort();
	close(fd);
}

/* What of o is on disk after the cut. */
static void
put_obj(struct crashfs *m, const char *path, const struct obj *o, int mode)
{
	uint8_t	*v, *d;
	size_t	 vlen, dlen, n, p;

	if (mode == CRASHFS_DROP || o->npend == 0) {
		put(path, o->dur, o->durlen);
		return;
	}
	v = contents(m, o, 1, &vlen);
	if (mode == CRASHFS_RANDOM) {
		d = contents(m, o, 0, &dlen);
		n = rand() % 4 == 0 ? dlen : vlen;
		for (p = 0; p < n && p < vlen; p += PAGE)
			if (rand() % 2 == 0) {
				memset(v + p, 0, (vlen - p < PAGE ? vlen - p :
				    PAGE));
				if (p < dlen)
					memcpy(v + p, d + p, dlen - p < PAGE ?
					    dlen - p : PAGE);
			}
		vlen = n;
		free(d);
	}
	put(path, v, vlen);
	free(v);
}

static int
bylen(const void *a, const void *b)
{
	const struct name	*x = a, *y = b;

	return (int)strlen(x->path) - (int)strlen(y->path);
}

int
crashfs_build(struct crashfs *m, const char *dst, int mode, unsigned seed)
{
	struct name	*t = NULL;
	size_t		 nt = 0, i, j, k, n;
	char		*p;

	srand(seed);
	for (i = 0; i < m->ndur; i++)
		name_set(&t, &nt, m->dur[i].path, m->dur[i].obj);
	/* Each folder: a prefix of its unsynced changes. */
	for (i = 0; i < m->ndops; i++) {
		if (m->dops[i].done || (i > 0 && m->dops[i].done == 2))
			continue;
		for (j = i, n = 0; j < m->ndops; j++)
			if (!m->dops[j].done &&
			    strcmp(m->dops[j].dir, m->dops[i].dir) == 0)
				n++;
		k = mode == CRASHFS_KEEP ? n : mode == CRASHFS_DROP ? 0 :
		    (size_t)rand() % (n + 1);
		for (j = i; j < m->ndops; j++)
			if (!m->dops[j].done &&
			    strcmp(m->dops[j].dir, m->dops[i].dir) == 0) {
				if (k > 0) {
					dop_apply(&m->dops[j], &t, &nt);
					k--;
				}
				m->dops[j].done = 2;
			}
	}
	for (i = 0; i < m->ndops; i++)
		if (m->dops[i].done == 2)
			m->dops[i].done = 0;
	if (mkdir(dst, 0750) == -1)
		return -1;
	for (i = 0; i < m->ninit; i++) {
		if (asprintf(&p, "%s%s", dst, m->init[i]) == -1)
			abort();
		if (m->initfifo[i] != 0 && mkfifo(p, 0600) == 0)
			(void)chmod(p, (mode_t)m->initfifo[i]);
		else
			(void)mkdir(p, 0750);
		free(p);
	}
	qsort(t, nt, sizeof(*t), bylen);	/* folders before their files */
	for (i = 0; i < nt; i++) {
		p = mapped(m, dst, t[i].path);
		if (t[i].obj == ISDIR)
			(void)mkdir(p, 0750);
		else
			put_obj(m, p, &m->objs[t[i].obj], mode);
		free(p);
		free(t[i].path);
	}
	free(t);
	return 0;
}

size_t
crashfs_pos(const struct crashfs *m)
{
	return m->pos;
}

size_t
crashfs_nevents(const struct crashfs *m)
{
	return m->nev;
}

size_t
crashfs_nacked(const struct crashfs *m)
{
	return m->nacked;
}

const char *
crashfs_acked(const struct crashfs *m, size_t i)
{
	return m->acked[i];
}

void
crashfs_close(struct crashfs *m)
{
	size_t	 i;

	for (i = 0; i < m->nobjs; i++) {
		free(m->objs[i].dur);
		free(m->objs[i].pend);
	}
	for (i = 0; i < m->ncur; i++)
		free(m->cur[i].path);
	for (i = 0; i < m->ndur; i++)
		free(m->dur[i].path);
	for (i = 0; i < m->ndops; i++) {
		free(m->dops[i].dir);
		free(m->dops[i].a);
		free(m->dops[i].b);
	}
	for (i = 0; i < m->ninit; i++)
		free(m->init[i]);
	for (i = 0; i < m->nacked; i++)
		free(m->acked[i]);
	free(m->objs);
	free(m->inos);
	free(m->cur);
	free(m->dur);
	free(m->dops);
	free(m->init);
	free(m->initfifo);
	free(m->acked);
	free(m->trace);
	free(m);
}

/*
 * The order write -> fdatasync -> answer, from the trace alone: every
 * acknowledged id must be in a record written to a file that was
 * synced after that write and before the client got its answer.
 * Returns the number of answers that came too early; the first in bad.
 */
size_t
crashfs_early_acks(const struct crashfs *m, char *bad, size_t badlen)
{
	struct crashfs_ev	 ev;
	struct { char *id; uint64_t ino; int synced; } *w = NULL;
	size_t			 nw = 0, off, i, n = 0, l;
	const char		*d, *p, *nl;
	int			 ok;

	bad[0] = '\0';
	for (off = 0; off + sizeof(ev) <= m->len; off += sizeof(ev) + ev.l1 +
	    ev.l2 + ev.len) {
		memcpy(&ev, m->trace + off, sizeof(ev));
		if (ev.magic != CRASHFS_MAGIC)
			break;
		d = (const char *)m->trace + off + sizeof(ev) + ev.l1 + ev.l2;
		if (ev.op == CRASHFS_WRITE)
			for (p = d; (p = memmem(p, (size_t)ev.len - (size_t)(p -
			    d), "\nid: ", 5)) != NULL; p = nl) {
				if ((nl = memchr(p + 5, '\n', (size_t)ev.len -
				    (size_t)(p + 5 - d))) == NULL)
					break;
				w = grow(w, nw, sizeof(*w));
				w[nw].id = dupn(p + 5, (size_t)(nl - p - 5));
				w[nw].ino = ev.ino;
				w[nw++].synced = 0;
			}
		else if (ev.op == CRASHFS_FSYNC)
			for (i = 0; i < nw; i++)
				if (w[i].ino == ev.ino)
					w[i].synced = 1;
		if (ev.op != CRASHFS_ACK)
			continue;
		l = ev.l1;
		for (i = nw, ok = 0; i-- > 0;)
			if (strlen(w[i].id) == l && memcmp(w[i].id, m->trace +
			    off + sizeof(ev), l) == 0) {
				ok = w[i].synced;
				break;
			}
		if (!ok && n++ == 0)
			snprintf(bad, badlen, "%.*s", (int)l,
			    (const char *)m->trace + off + sizeof(ev));
	}
	for (i = 0; i < nw; i++)
		free(w[i].id);
	free(w);
	return n;
}

/* The client got the answer for id: one event, after the fact. */
int
crashfs_ack(int fd, const char *id)
{
	struct crashfs_ev	 ev;
	char			 b[sizeof(ev) + 128];
	size_t			 l = strlen(id);

	if (l > 128) {
		errno = EINVAL;
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.magic = CRASHFS_MAGIC;
	ev.op = CRASHFS_ACK;
	ev.pid = (int32_t)getpid();
	ev.l1 = (uint32_t)l;
	memcpy(b, &ev, sizeof(ev));
	memcpy(b + sizeof(ev), id, l);
	return write(fd, b, sizeof(ev) + l) == (ssize_t)(sizeof(ev) + l) ?
	    0 : -1;
}
