/*
 * strlcpy - size-bounded string copying, for libcs without it
 */
#include "config.h"

#include <string.h>

#include "compat.h"

/*
 * Copy src into dst of size dsize, always NUL-terminating when dsize > 0.
 * Returns strlen(src): a result >= dsize means the copy was truncated.
 */
size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t	 len = strlen(src);

	if (dsize != 0) {
		size_t n = len < dsize - 1 ? len : dsize - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
