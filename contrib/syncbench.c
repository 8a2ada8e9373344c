/*
 * syncbench.c - what a group commit's syncs cost on a file system:
 * N processes, each appending 10 records of 300 octets to a file of its
 * own (a segment) and, from mode 1 on, 10 lines of 102 octets to one
 * shared file (the billing log) and a 64-octet pwrite to a shared
 * slot file (the ledger), then syncing; commits per second in all.
 *
 *	cc -O2 -o syncbench contrib/syncbench.c
 *	./syncbench MODE PROCS SECONDS DIR
 *
 * MODE 0: fdatasync of the segment alone (no billing log);
 * 1: the segment, then the shared log (the billing log as a journal);
 * 2: as 1, with sync_file_range(2) started on the log before the
 *    segment's sync (Linux);
 * 3: the segment, the log and the slot file (the billing log before
 *    the journal: the ledger synced too).
 *
 *	./syncbench MODE PROCS SECONDS DIR RATE
 *
 * paced, RATE commits a second in all, the latency of each commit
 * (from its first write to the end of its sync) as p50, p99 and max:
 * MODE 4: fdatasync of the segment alone, as a child of smppd does;
 * 5: one syncfs(2) for every process's writes, made by whichever holds
 *    a flock(2) on DIR/lock while the others wait for a sync that
 *    began after their write (a group commit across processes).
 * DIR must be on the disk to measure, not a tmpfs.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORDS	10
#define LAT_MAX	1000000		/* commits timed in a paced run */

/* Shared by the processes of a paced run. */
struct paced {
	long	 ticket;		/* taken after each write */
	long	 done;			/* every ticket up to it is synced */
	long	 syncs;
	long	 n;
	double	 lat[LAT_MAX];		/* ms */
};

static double
now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static long
worker(int mode, int i, double secs, const char *dir, int lfd, int gfd)
{
	char	 p[1024], rec[300], line[102];
	double	 end = now() + secs;
	long	 c = 0;
	int	 sfd, k;

	snprintf(p, sizeof(p), "%s/seg%d", dir, i);
	if ((sfd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600)) == -1)
		return -1;
	memset(rec, 'x', sizeof(rec));
	rec[sizeof(rec) - 1] = '\n';
	memset(line, 'y', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	while (now() < end) {
		for (k = 0; k < RECORDS; k++) {
			if (write(sfd, rec, sizeof(rec)) == -1)
				return -1;
			if (mode > 0 && (write(lfd, line, sizeof(line)) == -1 ||
			    pwrite(gfd, line, 64, 128 * (off_t)i) == -1))
				return -1;
		}
#ifdef SYNC_FILE_RANGE_WRITE
		if (mode == 2)
			(void)sync_file_range(lfd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
		if (fdatasync(sfd) == -1 || (mode > 0 && fdatasync(lfd) == -1) ||
		    (mode == 3 && fdatasync(gfd) == -1))
			return -1;
		if (++c % 200 == 0 && ftruncate(sfd, 0) == -1)
			return -1;
	}
	return c;
}

/* Mode 5: wait for a syncfs(2) that began after this process's write. */
static int
group_sync(struct paced *sh, int fd, int lock)
{
	long	 my, upto;

	my = __atomic_add_fetch(&sh->ticket, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST) < my) {
		if (flock(lock, LOCK_EX) == -1)
			return -1;
		if (__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST) < my) {
			upto = __atomic_load_n(&sh->ticket, __ATOMIC_SEQ_CST);
			if (syncfs(fd) == -1)
				return -1;
			__atomic_add_fetch(&sh->syncs, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&sh->done, upto, __ATOMIC_SEQ_CST);
		}
		(void)flock(lock, LOCK_UN);
	}
	return 0;
}

/* Modes 4 and 5: one commit every n / rate seconds, each timed. */
static int
paced(struct paced *sh, int mode, int i, int n, double rate, double secs,
    const char *dir)
{
	char	 p[1024], rec[300 * RECORDS];
	double	 gap = n / rate, next, t, t0;
	long	 k;
	int	 sfd, lock;

	snprintf(p, sizeof(p), "%s/seg%d", dir, i);
	if ((sfd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600)) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s/lock", dir);
	if ((lock = open(p, O_RDWR | O_CREAT, 0600)) == -1)
		return -1;
	memset(rec, 'x', sizeof(rec));
	t0 = now() + 0.1;
	for (next = t0 + gap * i / n; next < t0 + secs; next += gap) {
		while ((t = now()) < next)
			usleep((useconds_t)((next - t) * 1e6));
		t = now();
		if (write(sfd, rec, sizeof(rec)) == -1)
			return -1;
		if (mode == 4) {
			if (fdatasync(sfd) == -1)
				return -1;
			__atomic_add_fetch(&sh->syncs, 1, __ATOMIC_SEQ_CST);
		} else if (group_sync(sh, sfd, lock) == -1)
			return -1;
		if ((k = __atomic_fetch_add(&sh->n, 1, __ATOMIC_SEQ_CST)) <
		    LAT_MAX)
			sh->lat[k] = (now() - t) * 1000;
	}
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
paced_run(int mode, int n, double secs, const char *dir, double rate)
{
	struct paced	*sh;
	long		 m;
	int		 i, st, bad = 0;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || rate <= 0) {
		perror("syncbench");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (fork() == 0)
			_exit(paced(sh, mode, i, n, rate, secs, dir) == 0 ? 0 : 1);
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	if (bad || (m = sh->n < LAT_MAX ? sh->n : LAT_MAX) == 0) {
		fprintf(stderr, "syncbench: a process failed\n");
		return 1;
	}
	qsort(sh->lat, (size_t)m, sizeof(double), cmp);
	printf("RESULT mode=%d procs=%d commits=%ld syncs_per_s=%.0f "
	    "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n", mode, n, m,
	    sh->syncs / secs, sh->lat[m / 2], sh->lat[m * 99 / 100],
	    sh->lat[m - 1]);
	return 0;
}

int
main(int argc, char **argv)
{
	char	 p[1024], zero[8192];
	double	 secs;
	long	 c, total = 0;
	int	 mode, n, i, lfd, gfd, pfd[2];

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: syncbench mode procs seconds dir "
		    "[rate]\n");
		return 64;
	}
	mode = atoi(argv[1]);
	n = atoi(argv[2]);
	secs = atof(argv[3]);
	if (mode >= 4)
		return paced_run(mode, n, secs, argv[4],
		    argc == 6 ? atof(argv[5]) : 0);
	snprintf(p, sizeof(p), "%s/log", argv[4]);
	lfd = open(p, O_RDWR | O_APPEND | O_CREAT | O_TRUNC, 0600);
	snprintf(p, sizeof(p), "%s/ledger", argv[4]);
	gfd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(zero, 0, sizeof(zero));
	if (lfd == -1 || gfd == -1 || write(gfd, zero, sizeof(zero)) == -1 ||
	    fsync(gfd) == -1 || pipe(pfd) == -1) {
		perror("syncbench");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (fork() == 0) {
			c = worker(mode, i, secs, argv[4], lfd, gfd);
			_exit(write(pfd[1], &c, sizeof(c)) == sizeof(c) ? 0 : 1);
		}
	for (i = 0; i < n; i++)
		if (read(pfd[0], &c, sizeof(c)) == sizeof(c) && c > 0)
			total += c;
	while (wait(NULL) > 0)
		;
	printf("RESULT mode=%d procs=%d commits_per_s=%.0f "
	    "records_per_s=%.0f\n", mode, n, total / secs,
	    total * RECORDS / secs);
	return 0;
}
