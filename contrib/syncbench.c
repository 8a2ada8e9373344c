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
 * DIR must be on the disk to measure, not a tmpfs.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORDS	10

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

int
main(int argc, char **argv)
{
	char	 p[1024], zero[8192];
	double	 secs;
	long	 c, total = 0;
	int	 mode, n, i, lfd, gfd, pfd[2];

	if (argc != 5) {
		fprintf(stderr, "usage: syncbench mode procs seconds dir\n");
		return 64;
	}
	mode = atoi(argv[1]);
	n = atoi(argv[2]);
	secs = atof(argv[3]);
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
