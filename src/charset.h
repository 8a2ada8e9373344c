/*
 * charset.h - UTF-8 to and from GSM 03.38, UCS-2 and Latin-1
 *
 * GSM text is unpacked: one septet per octet, as SMPP carries it with
 * data_coding 0, extension characters as 0x1B followed by their code.
 * UCS-2 is UTF-16BE: characters beyond the BMP become surrogate pairs.
 * The *_from_utf8 functions return the number of octets written, or -1
 * when the input is not valid UTF-8, a character has no encoding in the
 * target, or the output does not fit in cap octets.  The *_to_utf8
 * functions always succeed: what cannot be decoded becomes U+FFFD; they
 * write at most cap - 1 octets and a NUL, and return the octets written
 * without the NUL.
 */
#ifndef CHARSET_H
#define CHARSET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GSM_ESC		0x1B

ssize_t	 charset_utf8_to_gsm(const char *, size_t, uint8_t *, size_t);
size_t	 charset_gsm_to_utf8(const uint8_t *, size_t, char *, size_t);
ssize_t	 charset_utf8_to_ucs2(const char *, size_t, uint8_t *, size_t);
size_t	 charset_ucs2_to_utf8(const uint8_t *, size_t, char *, size_t);
ssize_t	 charset_utf8_to_latin1(const char *, size_t, uint8_t *, size_t);
size_t	 charset_latin1_to_utf8(const uint8_t *, size_t, char *, size_t);
int	 charset_utf8_valid(const char *, size_t);
int	 charset_fits_gsm(const char *, size_t);
ssize_t	 charset_gsm_septets(const char *, size_t);
int	 charset_choose(const char *, size_t);
ssize_t	 charset_encode(int, const char *, size_t, uint8_t *, size_t);
size_t	 charset_decode(int, const uint8_t *, size_t, char *, size_t);
int	 charset_parse_name(const char *);
const char *charset_name(int);

#endif /* CHARSET_H */
