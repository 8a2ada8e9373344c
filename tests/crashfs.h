/*
 * crashfs.h - a trace of file system calls (crash_shim.c) and the disk
 * states a power failure could leave after any prefix of it
 */
#ifndef CRASHFS_H
#define CRASHFS_H

#include <stddef.h>
#include <stdint.h>

#define CRASHFS_MAGIC	0x43524653U

enum {
	CRASHFS_CREATE = 1,	/* p1 made, inode ino */
	CRASHFS_WRITE,		/* len octets at off of inode ino */
	CRASHFS_TRUNC,		/* inode ino cut to off */
	CRASHFS_FSYNC,		/* fsync/fdatasync of inode ino */
	CRASHFS_DIRSYNC,	/* fsync of folder p1 */
	CRASHFS_RENAME,		/* p1 -> p2 */
	CRASHFS_LINK,		/* p1 also as p2 */
	CRASHFS_UNLINK,		/* p1 */
	CRASHFS_MKDIR,		/* p1 */
	CRASHFS_ACK		/* p1: a message id the client was answered */
};

/* One event, followed by l1 + l2 octets of paths and len of data. */
struct crashfs_ev {
	uint32_t	 magic;
	uint32_t	 op;
	int32_t		 pid;
	uint32_t	 l1;
	uint32_t	 l2;
	uint32_t	 pad;
	uint64_t	 ino;
	uint64_t	 off;
	uint64_t	 len;
};

/* What happens to what was not synced at the cut. */
enum {
	CRASHFS_DROP,		/* every unsynced write and name change lost */
	CRASHFS_KEEP,		/* all of it reached the disk */
	CRASHFS_RANDOM		/* pages and name changes, at random (seed) */
};

struct crashfs;

struct crashfs	*crashfs_new(const char *);
int		 crashfs_load(struct crashfs *, const char *);
int		 crashfs_step(struct crashfs *);
size_t		 crashfs_pos(const struct crashfs *);
size_t		 crashfs_nevents(const struct crashfs *);
int		 crashfs_build(struct crashfs *, const char *, int, unsigned);
size_t		 crashfs_nacked(const struct crashfs *);
const char	*crashfs_acked(const struct crashfs *, size_t);
void		 crashfs_close(struct crashfs *);
int		 crashfs_ack(int, const char *);
size_t		 crashfs_early_acks(const struct crashfs *, char *, size_t);

#endif /* CRASHFS_H */
