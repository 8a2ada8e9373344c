/*
 * buf.h - growable byte buffers with explicit lengths
 *
 * A struct buf owns its data (malloc'd); buf_free() releases it and
 * leaves an empty buffer that can be used again.  Every append either
 * succeeds whole or returns -1 (ENOMEM) with the buffer unchanged; the
 * data stays NUL-terminated past len.  buf_hex_decode() and the %XX
 * pair write into the caller's memory and return a length or -1 (see
 * below); none of them allocates.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INITIALIZER	{ NULL, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
int	 buf_reserve(struct buf *, size_t);
int	 buf_append(struct buf *, const void *, size_t);
int	 buf_putc(struct buf *, int);
int	 buf_puts(struct buf *, const char *);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_hex(struct buf *, const void *, size_t);
void	 buf_consume(struct buf *, size_t);
void	 buf_reset(struct buf *);
int	 buf_hex_decode(const char *, size_t, uint8_t *, size_t);

/*
 * %XX escaping, so that a value is one word of printable ASCII: octets
 * outside 0x21-0x7e and '%' itself become '%' and two upper-case hex
 * digits.  buf_pct_encode() writes the escaped form of len octets of src
 * to dst (no NUL) and returns its length, or -1 if it needs more than
 * cap octets (3 * len always suffices).  buf_pct_decode() writes the
 * decoded form of len octets of src to dst, NUL-terminated within cap
 * octets, and returns its length, or -1 for a malformed escape or no
 * room.  Flags: BUF_PCT_STRICT accepts only the canonical form
 * (upper-case digits, an escape only where one is needed, no raw octet
 * outside 0x21-0x7e); BUF_PCT_NONUL refuses %00.
 */
#define BUF_PCT_STRICT	0x01
#define BUF_PCT_NONUL	0x02
int	 buf_pct_encode(char *, size_t, const char *, size_t);
int	 buf_pct_decode(char *, size_t, const char *, size_t, int);

/* Hex digit value, or -1; cases: which letters count (BUF_HEX_*). */
#define BUF_HEX_LOWER	0x01
#define BUF_HEX_UPPER	0x02
#define BUF_HEX_ANY	(BUF_HEX_LOWER | BUF_HEX_UPPER)
static inline int
buf_hexval(int c, int cases)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((cases & BUF_HEX_LOWER) && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if ((cases & BUF_HEX_UPPER) && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* BUF_H */
