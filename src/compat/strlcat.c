/*
 * strlcat - size-bounded string concatenation, for libcs without it
 */
#include "config.h"

#include <string.h>

#include "compat.h"

/*
 * Append src to the string in dst of size dsize.  Returns the length of
 * the string it tried to make: a result >= dsize means truncation.
 */
size_t
strlcat(char *dst, const char *src, size_t dsize)
{
	size_t	 dlen = strnlen(dst, dsize);

	if (dlen == dsize)
		return dsize + strlen(src);
	return dlen + strlcpy(dst + dlen, src, dsize - dlen);
}
