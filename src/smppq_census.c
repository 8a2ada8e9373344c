/*
 * smppq_census.c - what smppq stats -p and smppq check measure: queue
 * depth and oldest message per state and per connector, the spool's
 * size and free space, whether smppd and smppconn run, and the state
 * of smppconn's connectors
 *
 * SYNOPSIS
 *	smppq_census(c)		smppq_census_free(c)
 *	smppq_state_index(state)	smppq_pidfile_pid(path)
 *	smppq_scoreboard(path, len)
 *
 * DESCRIPTION
 *	smppq_census() walks every unsettled record once (smppq_walk) and
 *	counts it under its state and, for an MT record, under the
 *	connector its route names (the route chosen at submit; a record
 *	whose connector no longer exists counts under no connector).  The
 *	oldest message is the smallest created time seen.  The spool's
 *	octets are the sizes of its files, a few levels deep as the
 *	layout is; free space is what statvfs(3) gives an unprivileged
 *	writer.  The connectors' state comes from smppconn's state file
 *	(smppq_conns()); when it is not fresh no connector is up, so that
 *	a stopped or wedged smppconn never looks well.
 *
 *	smppq_pidfile_pid() reads a pid file that its daemon holds locked
 *	(daemon.c): the pid when the lock is held, so the process lives;
 *	0 when nobody holds it; -1 when no path is configured.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "compat.h"
#include "sb.h"
#include "smppq.h"

/* spool/out/USER/new/SEGMENT is the deepest file. */
#define DU_DEPTH	4

const char *const smppq_states[SMPPQ_NSTATES] = {
	"incoming", "new", "active", "deferred", "failed", "out", "corrupt",
	"?"
};

int
smppq_state_index(const char *s)
{
	int	 i;

	for (i = 0; i < SMPPQ_NSTATES - 1; i++)
		if (strcmp(smppq_states[i], s) == 0)
			return i;
	return SMPPQ_NSTATES - 1;
}

static void
note(struct smppq_qstat *q, const struct msg *m)
{
	q->n++;
	if (m != NULL && m->meta.created_us > 0 &&
	    (q->oldest_us == 0 || m->meta.created_us < q->oldest_us))
		q->oldest_us = m->meta.created_us;
}

static int
census_one(const struct qloc *l, const struct msg *m, void *arg)
{
	struct smppq_census	*c = arg;
	int			 k = smppq_state_index(l->state), i;

	note(&c->state[k], m);
	if (m == NULL || m->meta.kind != MSG_MT || m->meta.route[0] == '\0')
		return 0;
	for (i = 0; i < smppq_conf->nconnectors; i++)
		if (strcmp(smppq_conf->connectors[i].name, m->meta.route) ==
		    0) {
			note(&c->conn[i * SMPPQ_NSTATES + k], m);
			break;
		}
	return 0;
}

/* The octets of the files under dirfd, depth levels down; closes dirfd. */
static uint64_t
du(int dirfd, int depth)
{
	struct dirent	*e;
	struct stat	 st;
	uint64_t	 n = 0;
	DIR		*d;
	int		 fd;

	if ((d = fdopendir(dirfd)) == NULL) {
		close(dirfd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (S_ISREG(st.st_mode))
			n += (uint64_t)st.st_size;
		else if (S_ISDIR(st.st_mode) && depth > 0 &&
		    (fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) != -1)
			n += du(fd, depth - 1);
	}
	closedir(d);
	return n;
}

static void
measure_spool(struct smppq_census *c)
{
	struct statvfs	 vfs;
	int		 fd;

	fd = open(smppq_conf->spool.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1)
		c->spool_bytes = du(fd, DU_DEPTH);
	if (statvfs(smppq_conf->spool.dir, &vfs) == 0 && vfs.f_blocks > 0) {
		c->have_fs = 1;
		c->fs_free = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		c->fs_size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	}
}

/* Map smppd's scoreboard (sb_board()); its path into path.  0 or -1. */
int
smppq_scoreboard(char *path, size_t len)
{
	if (snprintf(path, len, "%s/%s", smppq_conf->server.run_dir,
	    SB_FILE) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return sb_attach(path);
}

long
smppq_pidfile_pid(const char *path)
{
	char	 buf[32];
	ssize_t	 n;
	long	 pid = 0;
	int	 fd;

	if (path[0] == '\0')
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		pid = strtol(buf, NULL, 10);
		if (pid <= 1)
			pid = 0;
	}
	close(fd);
	return pid;
}

/*
 * The connectors as the metrics and the check see them: smppconn's
 * state when fresh; else nothing is up, no session, nothing in hand
 * (the counters and rates stay as they were last written); without a state file, the configured
 * connectors, down.
 */
static void
connectors(struct smppq_census *c)
{
	struct smppq_conns	*cs = &c->cs;
	struct connstate	*s;
	int			 i;

	if (smppq_conns(cs, c->smppconn) == -1) {
		cs->f.conn = calloc((size_t)smppq_conf->nconnectors + 1,
		    sizeof(*cs->f.conn));
		if (cs->f.conn == NULL)
			err(EX_OSERR, "malloc");
		for (i = 0; i < smppq_conf->nconnectors; i++)
			strlcpy(cs->f.conn[i].name,
			    smppq_conf->connectors[i].name,
			    sizeof(cs->f.conn[i].name));
		cs->f.n = smppq_conf->nconnectors;
	}
	if (cs->status == SMPPQ_CS_FRESH)
		return;
	for (i = 0; i < cs->f.n; i++) {
		s = &cs->f.conn[i];
		s->up = s->sessions = s->inflight = s->queued = 0;
		s->inhand = 0;
	}
}

void
smppq_census(struct smppq_census *c)
{
	memset(c, 0, sizeof(*c));
	c->conn = calloc((size_t)smppq_conf->nconnectors + 1,
	    SMPPQ_NSTATES * sizeof(*c->conn));
	if (c->conn == NULL)
		err(EX_OSERR, "malloc");
	smppq_walk(census_one, c);
	measure_spool(c);
	c->smppd = smppq_pidfile_pid(smppq_conf->server.pid_file);
	c->smppconn = smppq_pidfile_pid(smppq_conf->conn.pid_file);
	connectors(c);
}

void
smppq_census_free(struct smppq_census *c)
{
	free(c->conn);
	c->conn = NULL;
	connstate_free(&c->cs.f);
}
