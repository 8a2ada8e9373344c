/*
 * ini.h - a line-oriented INI reader that reports file:line
 *
 * [section] headers, "key = value" or "key: value" lines, comments
 * starting with ; or # at the start of a line (after blanks), blank
 * lines.  A value in double or single quotes loses them (Jasmin's
 * id = "smpps_01").  Blanks around keys and values are dropped.
 */
#ifndef INI_H
#define INI_H

#include <stddef.h>

/*
 * Called for each section header (key == NULL) and each key.  Returns
 * 0 to go on, -1 after reporting an error of its own.
 */
typedef int (*ini_fn)(void *, const char *, const char *, const char *,
	    int);

int	 ini_parse_file(const char *, ini_fn, void *, char *, size_t);
int	 ini_parse_buf(const char *, size_t, const char *, ini_fn, void *,
	    char *, size_t);

#endif /* INI_H */
