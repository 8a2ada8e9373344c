/*
 * fuzz_util.c - helpers of the libFuzzer targets
 *
 * SYNOPSIS
 *	fuzz_devnull()		a stream that discards, opened once
 *	fuzz_fail(fmt, ...)	say what property broke, then abort()
 *	fuzz_copy(buf, len)	a heap copy of exactly len octets (free it)
 *	fuzz_cstr(buf, len)	a NUL-terminated heap copy (free it)
 *	fuzz_file(buf, len)	the input as a file, for readers that
 *				take a path; the same file each time
 *
 * DESCRIPTION
 *	A target reports a broken property by aborting: libFuzzer saves
 *	the input as crash-<sha1>.  The copies are heap blocks of exactly
 *	the input's size (plus the NUL), so that AddressSanitizer sees any
 *	read past the end.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

FILE *
fuzz_devnull(void)
{
	static FILE	*fp;

	if (fp == NULL && (fp = fopen("/dev/null", "w")) == NULL)
		abort();
	return fp;
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

uint8_t *
fuzz_copy(const uint8_t *buf, size_t len)
{
	uint8_t	*p;

	if ((p = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(p, buf, len);
	return p;
}

char *
fuzz_cstr(const uint8_t *buf, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, buf, len);
	s[len] = '\0';
	return s;
}

static char	 fuzz_path[64];

static void
fuzz_file_remove(void)
{
	(void)unlink(fuzz_path);
}

const char *
fuzz_file(const uint8_t *buf, size_t len)
{
	static int	 fd = -1;
	const char	*tmp;

	if (fd == -1) {
		if ((tmp = getenv("TMPDIR")) == NULL || strlen(tmp) > 32)
			tmp = "/tmp";
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/fuzz.XXXXXX", tmp);
		if ((fd = mkstemp(fuzz_path)) == -1)
			abort();
		atexit(fuzz_file_remove);
	}
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, len, 0) != (ssize_t)len)
		abort();
	return fuzz_path;
}
