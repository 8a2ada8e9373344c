/*
 * spool_pend.c - provisional marks of MT sidecars, and the boot they
 * hold for
 *
 * SYNOPSIS
 *	spool_pend_recover(dir)		smppconn at start, before claims
 *
 * DESCRIPTION
 *	smppconn marks a record of a claimed MT segment settled
 *	provisionally (segdone_pend(), segdone.c) once the outcome of the
 *	record is written and before it is synced; the mark is true only
 *	while the page cache that holds both lives, that is until the
 *	machine stops.  The file mt/boot names the boot (clock_boot_id())
 *	in which the provisional marks under mt/ were written.
 *
 *	spool_pend_recover() compares it with the running boot.  The same
 *	boot: the process that wrote the marks died (kill -9) but the
 *	page cache did not, and the marks stand.  Another boot, or none
 *	known: every provisional mark of every sidecar under mt/ is turned
 *	back (segdone_demote(), synced), and only then mt/boot names the
 *	running boot (written to mt/boot.tmp, synced, renamed, folder
 *	synced).  A crash in between leaves the old name, and the next
 *	start demotes again.  Where the system does not name its boots
 *	mt/boot is removed, so that every start demotes.
 *
 * DIAGNOSTICS
 *	The number of marks turned back, or -1 (logged): then smppconn
 *	must not claim, as a provisional mark of a lost receipt could
 *	settle its record.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "log.h"
#include "spool.h"

#define BOOT_MAX	128

/* Whether mt/boot names the running boot. */
static int
same_boot(const char *path, const char *boot)
{
	char	 buf[BOOT_MAX];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, boot) == 0;
}

static int
suffixed(const char *name, const char *suffix)
{
	size_t	 n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

/* Demote the sidecars of one folder under mt/; marks, or -1. */
static int
demote_folder(const char *folder)
{
	char		 path[SPOOL_PATH_MAX];
	DIR		*d;
	struct dirent	*e;
	int		 n = 0, k, err = 0;

	if ((d = opendir(folder)) == NULL)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (!suffixed(e->d_name, SEGDONE_SUFFIX) ||
		    spool_path(path, sizeof(path), "%s/%s", folder,
		    e->d_name) == -1)
			continue;
		if ((k = segdone_demote(path)) == -1) {
			log_warn("spool: %s", path);
			err = 1;
		} else
			n += k;
	}
	closedir(d);
	return err ? -1 : n;
}

static int
write_boot(const char *mt, const char *boot)
{
	char	 path[SPOOL_PATH_MAX], tmp[SPOOL_PATH_MAX];
	size_t	 len = strlen(boot);
	int	 fd, rc;

	if (spool_path(path, sizeof(path), "%s/boot", mt) == -1 ||
	    spool_path(tmp, sizeof(tmp), "%s/boot.tmp", mt) == -1)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		return -1;
	rc = write(fd, boot, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
	    fsync(fd) == 0 ? 0 : -1;
	if (close(fd) == -1)
		rc = -1;
	if (rc == -1 || rename(tmp, path) == -1)
		return -1;
	return spool_durable_dir(mt);
}

int
spool_pend_recover(const char *dir)
{
	static const char *const sub[] = { "new", "active", "deferred",
	    "failed" };
	char	 mt[SPOOL_PATH_MAX], path[SPOOL_PATH_MAX], folder[SPOOL_PATH_MAX];
	char	 boot[BOOT_MAX];
	int	 known, n = 0, k;
	size_t	 i;

	if (spool_area(mt, sizeof(mt), dir, "mt") == -1 ||
	    spool_path(path, sizeof(path), "%s/boot", mt) == -1)
		return -1;
	known = clock_boot_id(boot, sizeof(boot)) == 0;
	if (known && same_boot(path, boot))
		return 0;
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (spool_path(folder, sizeof(folder), "%s/%s", mt,
		    sub[i]) == -1 || (k = demote_folder(folder)) == -1) {
			log_warnx("spool: provisional marks of %s/%s cannot "
			    "be turned back", mt, sub[i]);
			return -1;
		}
		n += k;
	}
	if (n > 0)
		log_info("spool: %d provisional mark(s) of a past boot turned "
		    "back: their records are handed on again", n);
	if (!known)
		return unlink(path) == -1 && errno != ENOENT ? -1 : n;
	if (write_boot(mt, boot) == -1) {
		log_warn("spool: %s", path);
		return -1;
	}
	return n;
}
