/*
 * userdb.c - the GDBM database of accounts, opened briefly per operation
 *
 * SYNOPSIS
 *	userdb_valid_system_id(s)		1: a usable key
 *	userdb_get(path, system_id, &a)		USERDB_OK, _NOTFOUND, ...
 *	userdb_put(path, &a, USERDB_INSERT | USERDB_REPLACE)
 *	userdb_del(path, system_id)
 *	userdb_update(path, system_id, fn, arg)	read, fn, write: one open
 *	userdb_foreach(path, fn, arg)
 *	userdb_replace_all(path, accounts, n)	a new file, renamed over
 *	userdb_error()				the last error, one line
 *
 * DESCRIPTION
 *	GDBM lets many readers or one writer hold a database, so nobody
 *	holds it for long: the server opens it as a reader for one lookup
 *	per bind, smppuser as a writer for one edit, and both close it at
 *	once.  An open that finds the lock taken is retried with growing
 *	sleeps for about a second before USERDB_LOCKED.
 *
 *	The key is the system_id without its NUL; the value is the record
 *	text of account.c.  A system_id is 1 to 30 characters from
 *	[A-Za-z0-9_.-] and does not start with a dot, since it also names
 *	a folder of the spool.
 *
 *	userdb_replace_all() writes every account into a new file beside
 *	the old one (mkstemp(3), the old file's mode and owner), fsyncs it
 *	and renames it over the old one: readers see the old database or
 *	the new one, never a mix.
 *
 *	Files are created with mode 0600.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "userdb.h"

#define USERDB_WAIT_MS	1000	/* how long a locked database is retried */
#define USERDB_STEP_MS	50	/* the longest of the growing sleeps */

static char	 userdb_errbuf[USERDB_ERR_MAX];

static void
userdb_seterr(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(userdb_errbuf, sizeof(userdb_errbuf), fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *
userdb_error(void)
{
	return userdb_errbuf;
}

int
userdb_valid_system_id(const char *s)
{
	static const char	 ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789_.-";
	size_t			 n = strlen(s);

	return n >= 1 && n <= SYSTEM_ID_LEN && s[0] != '.' &&
	    strspn(s, ok) == n;
}

/* GDBM's reason for the last failure, with errno's when it has one. */
static const char *
userdb_gdbm_reason(void)
{
	if (gdbm_check_syserr(gdbm_errno) && errno != 0)
		return strerror(errno);
	return gdbm_strerror(gdbm_errno);
}

static int
userdb_busy(void)
{
	return gdbm_errno == GDBM_CANT_BE_READER ||
	    gdbm_errno == GDBM_CANT_BE_WRITER || errno == EAGAIN ||
	    errno == EWOULDBLOCK;
}

static void
userdb_nap(int ms)
{
	struct timespec	 ts;

	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Open with retries while another process holds the lock. */
static GDBM_FILE
userdb_open(const char *path, int mode, int *rc)
{
	GDBM_FILE	 db;
	int		 waited = 0, step = 1, saved;

	for (;;) {
		errno = 0;
		db = gdbm_open(path, 0, mode | GDBM_CLOEXEC, 0600, NULL);
		if (db != NULL)
			return db;
		saved = errno;
		if (!userdb_busy()) {
			userdb_seterr("%s: %s", path, userdb_gdbm_reason());
			errno = saved;
			*rc = USERDB_ERROR;
			return NULL;
		}
		if (waited >= USERDB_WAIT_MS) {
			userdb_seterr("%s: database locked by another process",
			    path);
			errno = EWOULDBLOCK;
			*rc = USERDB_LOCKED;
			return NULL;
		}
		userdb_nap(step);
		waited += step;
		step = step * 2 > USERDB_STEP_MS ? USERDB_STEP_MS : step * 2;
	}
}

/* Close a writer after making its changes durable. */
static int
userdb_close(GDBM_FILE db, const char *path, int rc)
{
	if (rc >= 0 && gdbm_sync(db) != 0) {
		userdb_seterr("%s: sync: %s", path, userdb_gdbm_reason());
		rc = USERDB_ERROR;
	}
	if (gdbm_close(db) != 0 && rc >= 0) {
		userdb_seterr("%s: close: %s", path, userdb_gdbm_reason());
		rc = USERDB_ERROR;
	}
	return rc;
}

static int
userdb_check_id(const char *system_id)
{
	if (userdb_valid_system_id(system_id))
		return 0;
	userdb_seterr("\"%.40s\" is not a valid system_id (1 to %d of "
	    "A-Z a-z 0-9 _ . -, not starting with a dot)", system_id,
	    SYSTEM_ID_LEN);
	errno = EINVAL;
	return -1;
}

static int
userdb_key(const char *system_id, datum *key)
{
	if (userdb_check_id(system_id) == -1)
		return -1;
	key->dptr = (char *)system_id;
	key->dsize = (int)strlen(system_id);
	return 0;
}

/* Fetch and decode system_id from an open database. */
static int
userdb_fetch(GDBM_FILE db, const char *system_id, struct account *a)
{
	datum	 key, val;
	int	 rc;

	if (userdb_key(system_id, &key) == -1)
		return USERDB_NOTFOUND;
	val = gdbm_fetch(db, key);
	if (val.dptr == NULL) {
		if (gdbm_errno == GDBM_ITEM_NOT_FOUND) {
			userdb_seterr("unknown user %s", system_id);
			return USERDB_NOTFOUND;
		}
		userdb_seterr("%s: %s", system_id, userdb_gdbm_reason());
		return USERDB_ERROR;
	}
	account_defaults(a, system_id);
	rc = account_decode(val.dptr, (size_t)val.dsize, a);
	free(val.dptr);
	if (rc == ACCOUNT_OK)
		return USERDB_OK;
	userdb_seterr("%s", account_error());
	return rc == ACCOUNT_VERSION_ERR ? USERDB_VERSION_ERR : USERDB_ERROR;
}

int
userdb_get(const char *path, const char *system_id, struct account *a)
{
	GDBM_FILE	 db;
	int		 rc;

	if (userdb_check_id(system_id) == -1)
		return USERDB_NOTFOUND;
	if ((db = userdb_open(path, GDBM_READER, &rc)) == NULL)
		return rc;
	rc = userdb_fetch(db, system_id, a);
	gdbm_close(db);
	return rc;
}

static int
userdb_store(GDBM_FILE db, const struct account *a, int flag)
{
	char	 text[ACCOUNT_RECORD_MAX];
	datum	 key, val;
	int	 n, r;

	if (userdb_key(a->system_id, &key) == -1)
		return USERDB_ERROR;
	if ((n = account_encode(a, text, sizeof(text))) == -1) {
		userdb_seterr("record of %s too long", a->system_id);
		return USERDB_ERROR;
	}
	val.dptr = text;
	val.dsize = n;
	if ((r = gdbm_store(db, key, val, flag)) == 1) {
		userdb_seterr("user %s exists", a->system_id);
		return USERDB_EXISTS;
	}
	if (r != 0) {
		userdb_seterr("%s: store: %s", a->system_id,
		    userdb_gdbm_reason());
		return USERDB_ERROR;
	}
	return USERDB_OK;
}

int
userdb_put(const char *path, const struct account *a, int mode)
{
	GDBM_FILE	 db;
	int		 rc;

	if (userdb_check_id(a->system_id) == -1)
		return USERDB_ERROR;
	db = userdb_open(path, mode == USERDB_INSERT ? GDBM_WRCREAT :
	    GDBM_WRITER, &rc);
	if (db == NULL)
		return rc;
	rc = userdb_store(db, a, mode == USERDB_INSERT ? GDBM_INSERT :
	    GDBM_REPLACE);
	return userdb_close(db, path, rc);
}

int
userdb_del(const char *path, const char *system_id)
{
	GDBM_FILE	 db;
	datum		 key;
	int		 rc;

	if (userdb_key(system_id, &key) == -1)
		return USERDB_NOTFOUND;
	if ((db = userdb_open(path, GDBM_WRITER, &rc)) == NULL)
		return rc;
	rc = USERDB_OK;
	if (gdbm_delete(db, key) != 0) {
		if (gdbm_errno == GDBM_ITEM_NOT_FOUND) {
			userdb_seterr("unknown user %s", system_id);
			rc = USERDB_NOTFOUND;
		} else {
			userdb_seterr("%s: delete: %s", system_id,
			    userdb_gdbm_reason());
			rc = USERDB_ERROR;
		}
	}
	return userdb_close(db, path, rc);
}

/*
 * Read, change and write one account under one writer open, so that two
 * admins editing one account at once do not lose an edit.  fn returns
 * USERDB_OK to store the account, anything else to leave it.
 */
int
userdb_update(const char *path, const char *system_id,
    int (*fn)(struct account *, void *), void *arg)
{
	struct account	 a;
	GDBM_FILE	 db;
	int		 rc;

	if (userdb_check_id(system_id) == -1)
		return USERDB_NOTFOUND;
	if ((db = userdb_open(path, GDBM_WRITER, &rc)) == NULL)
		return rc;
	if ((rc = userdb_fetch(db, system_id, &a)) == USERDB_OK &&
	    (rc = fn(&a, arg)) == USERDB_OK)
		rc = userdb_store(db, &a, GDBM_REPLACE);
	return userdb_close(db, path, rc);
}

/*
 * Call fn for every account, in GDBM's order, while the database is
 * open as a reader: fn must be quick and must not open the database.
 * A nonzero result of fn stops the walk and is returned.
 */
int
userdb_foreach(const char *path, int (*fn)(const struct account *, void *),
    void *arg)
{
	struct account	 a;
	GDBM_FILE	 db;
	datum		 key, next;
	char		 id[SYSTEM_ID_LEN + 1];
	int		 rc = USERDB_OK;

	if ((db = userdb_open(path, GDBM_READER, &rc)) == NULL)
		return rc;
	for (key = gdbm_firstkey(db); key.dptr != NULL; key = next) {
		if (key.dsize <= 0 || key.dsize > SYSTEM_ID_LEN) {
			userdb_seterr("%s: a key is not a system_id", path);
			rc = USERDB_ERROR;
		} else {
			memcpy(id, key.dptr, (size_t)key.dsize);
			id[key.dsize] = '\0';
			rc = userdb_fetch(db, id, &a);
			if (rc == USERDB_NOTFOUND)
				rc = USERDB_ERROR;
			if (rc == USERDB_OK)
				rc = fn(&a, arg);
		}
		if (rc != USERDB_OK) {
			free(key.dptr);
			break;
		}
		next = gdbm_nextkey(db, key);
		free(key.dptr);
	}
	if (rc == USERDB_OK && gdbm_errno != GDBM_ITEM_NOT_FOUND &&
	    gdbm_errno != GDBM_NO_ERROR) {
		userdb_seterr("%s: %s", path, userdb_gdbm_reason());
		rc = USERDB_ERROR;
	}
	gdbm_close(db);
	return rc;
}

/* Make the rename of a file in path's folder durable. */
static int
userdb_sync_dir(const char *path)
{
	char	 dir[1024];
	int	 fd, r;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return -1;
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* A temporary file beside path with path's mode and owner, or 0600. */
static int
userdb_temp(const char *path, char *tmp, size_t len)
{
	struct stat	 st;
	int		 fd;

	if ((size_t)snprintf(tmp, len, "%s.XXXXXX", path) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1)
		return -1;
	if (stat(path, &st) == 0) {
		if (fchmod(fd, st.st_mode & 07777) == -1 || (geteuid() == 0 &&
		    fchown(fd, st.st_uid, st.st_gid) == -1)) {
			close(fd);
			unlink(tmp);
			return -1;
		}
	}
	return close(fd);
}

static int
userdb_fill(const char *tmp, const struct account *a, size_t n)
{
	GDBM_FILE	 db;
	size_t		 i;
	int		 rc = USERDB_OK;

	db = gdbm_open(tmp, 0, GDBM_NEWDB | GDBM_CLOEXEC | GDBM_NOLOCK, 0600,
	    NULL);
	if (db == NULL) {
		userdb_seterr("%s: %s", tmp, userdb_gdbm_reason());
		return USERDB_ERROR;
	}
	for (i = 0; i < n && rc == USERDB_OK; i++)
		rc = userdb_store(db, &a[i], GDBM_INSERT);
	if (rc == USERDB_EXISTS) {
		userdb_seterr("user %s is listed twice", a[i - 1].system_id);
		rc = USERDB_ERROR;
	}
	return userdb_close(db, tmp, rc);
}

int
userdb_replace_all(const char *path, const struct account *a, size_t n)
{
	char	 tmp[1024];
	int	 rc;

	if (userdb_temp(path, tmp, sizeof(tmp)) == -1) {
		userdb_seterr("%s: temporary file: %s", path, strerror(errno));
		return USERDB_ERROR;
	}
	if ((rc = userdb_fill(tmp, a, n)) != USERDB_OK) {
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) == -1) {
		userdb_seterr("%s: rename: %s", path, strerror(errno));
		unlink(tmp);
		return USERDB_ERROR;
	}
	if (userdb_sync_dir(path) == -1) {
		userdb_seterr("%s: sync folder: %s", path, strerror(errno));
		return USERDB_ERROR;
	}
	return USERDB_OK;
}
