/*
 * buf.h - growable byte buffers with explicit lengths
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

#endif /* BUF_H */
