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
 *
 * With out NULL, the *_from_utf8 functions (charset_utf8_to_*) only
 * measure.  charset_alphabet() maps any data_coding (the GSM 03.38
 * coding groups included) to DC_DEFAULT, DC_IA5, DC_LATIN1, DC_UCS2 or
 * DC_BINARY; charset_encode() and charset_decode() dispatch on it, and
 * for DC_BINARY charset_decode() writes lower-case hex and
 * charset_encode() reads hex (its out must not be NULL).
 * charset_gsm_cost() is the septets a character costs
 * in GSM (1, 2 for an escape, 0 when GSM lacks it).  charset_choose()
 * returns -1 for invalid UTF-8.  charset_parse_name() returns
 * CHARSET_AUTO for "auto" and CHARSET_UNKNOWN for a name it does not
 * know; charset_name() returns "unknown" for a value without a name.
 */
#ifndef CHARSET_H
#define CHARSET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GSM_ESC		0x1B
#define CHARSET_AUTO	(-1)	/* charset_parse_name("auto"): choose */
#define CHARSET_UNKNOWN	(-2)	/* charset_parse_name(): no such name */

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
int	 charset_gsm_cost(uint32_t);
int	 charset_alphabet(int);
ssize_t	 charset_encode(int, const char *, size_t, uint8_t *, size_t);
size_t	 charset_decode(int, const uint8_t *, size_t, char *, size_t);
int	 charset_parse_name(const char *);
const char *charset_name(int);

#endif /* CHARSET_H */
