/*
 * compat.h - replacements for what some libcs lack (src/compat/)
 *
 * Declared only when configure did not find the function in libc
 * (HAVE_*); the replacements behave as OpenBSD documents them:
 * strlcpy/strlcat return the length they tried to create (truncation
 * when >= size), strtonum returns 0 and sets *errstr on a bad number.
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t	 strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t	 strlcat(char *, const char *, size_t);
#endif
#ifndef HAVE_STRTONUM
long long strtonum(const char *, long long, long long, const char **);
#endif

#endif /* COMPAT_H */
