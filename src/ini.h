/*
 * ini.h - a line-oriented INI reader that reports file:line
 *
 * [section] headers, "key = value" or "key: value" lines, comments
 * starting with ; or # at the start of a line (after blanks), blank
 * lines.  A value in double or single quotes loses them (Jasmin's
 * id = "smpps_01").  Blanks around keys and values are dropped.
 * Inline comments are not stripped: a value may hold '#' or ';'.
 */
#ifndef INI_H
#define INI_H

#include <stddef.h>

#define INI_LINE_MAX	4096		/* octets a line, without \n */
#define INI_FILE_MAX	(4 * 1024 * 1024)

/*
 * Called for each section header (key == NULL) and each key.  Returns
 * 0 to go on, -1 after reporting an error of its own.
 */
typedef int (*ini_fn)(void *, const char *, const char *, const char *,
	    int);

/*
 * Called for each error of the reader itself (file name, line, message
 * without the "file:line: " prefix); line 0 when the error has none.
 */
typedef void (*ini_err_fn)(void *, const char *, int, const char *);

/*
 * Each returns the number of errors: the reader's own plus the
 * callbacks that returned -1; 0 means clean.  The reader goes on after
 * an error to find more.  The _buf and _file forms put the first error
 * of the reader itself, as "file:line: message", into the buffer.
 */
int	 ini_parse_buf(const char *, size_t, const char *, ini_fn, void *,
	    char *, size_t);
int	 ini_parse_file(const char *, ini_fn, void *, char *, size_t);
int	 ini_parse(const char *, size_t, const char *, ini_fn, ini_err_fn,
	    void *);
int	 ini_parse_fd(int, const char *, ini_fn, ini_err_fn, void *);

#endif /* INI_H */
