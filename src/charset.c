/*
 * charset.c - UTF-8 to and from GSM 03.38, IA5, Latin-1 and UCS-2
 *
 * SYNOPSIS
 *	charset_utf8_to_gsm()	charset_gsm_to_utf8()
 *	charset_utf8_to_ucs2()	charset_ucs2_to_utf8()
 *	charset_utf8_to_latin1() charset_latin1_to_utf8()
 *	charset_utf8_valid()	charset_fits_gsm()	charset_gsm_septets()
 *	charset_gsm_cost()	charset_choose()	charset_alphabet()
 *	charset_encode()	charset_decode()
 *	charset_parse_name()	charset_name()
 *
 * DESCRIPTION
 *	UTF-8 input is validated strictly: overlong forms, surrogates and
 *	code points above U+10FFFF are errors, as are truncated sequences.
 *
 *	GSM text is unpacked, one septet per octet, as SMPP carries
 *	data_coding 0; an extension character is 0x1B and its code.  0x09
 *	decodes to U+00C7 (capital C cedilla); both U+00C7 and U+00E7
 *	encode to it, as handsets show one glyph for both.  A lone 0x1B
 *	(at the end, or before an octet above 0x7F) decodes to U+00A0; an
 *	undefined 0x1B xx decodes as the basic character xx, so 0x1B 0x1B
 *	is one U+00A0.  Octets above 0x7F are not septets: U+FFFD.
	In every alphabet U+0000 decodes to U+FFFD, so that the result
	never holds a NUL before its end.
 *
 *	The Unicode to GSM direction takes the printable ASCII that GSM
 *	shares as is and looks everything else up in a table sorted by
 *	code point, with a binary search: no linear scan per character.
 *
 *	UCS-2 is UTF-16BE: characters beyond the BMP become surrogate
 *	pairs; on decoding, an unpaired surrogate or a trailing odd octet
 *	becomes U+FFFD.
 *
 *	The charset_utf8_to_*() functions and charset_encode() return the
 *	octets written, or -1 for invalid UTF-8, a character the target
 *	lacks or no room.  With out NULL the charset_utf8_to_*() functions
 *	only measure.  The decoders never fail: they write at most cap - 1
 *	octets, never a partial character, then a NUL.
 *
 *	charset_encode() and charset_decode() dispatch on data_coding
 *	through charset_alphabet(): 0 GSM, 1 IA5 (ASCII), 3 Latin-1,
 *	8 UCS-2, and the GSM 03.38 coding groups (0x10-0x1F, 0x40-0x5F,
 *	0xC0-0xFF) by their alphabet bits.  Everything else (2 and 4,
 *	binary; 5-7 and 9-14, tables this module lacks; compressed and
 *	reserved groups) is octets: charset_decode() writes them as
 *	lower-case hex and charset_encode() reads hex, so that binary
 *	content survives a trip through text.
 *
 *	charset_parse_name() knows the names a command line uses: gsm 0,
 *	ascii (or ia5) 1, latin1 3, ucs2 8, binary 4, auto CHARSET_AUTO
 *	(choose with charset_choose()), and decimal numbers 0-255; any
 *	other name is CHARSET_UNKNOWN.
 */
#include "config.h"

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "buf.h"
#include "charset.h"
#include "pdu.h"

#define UNI_NBSP	0x00A0
#define UNI_REPLACEMENT	0xFFFD
#define UNI_MAX		0x10FFFF
#define GSM_EXT_FLAG	0x100		/* in gsm_rev: needs the escape */

/* GSM 03.38 basic table; 0x1B, the escape, shows as U+00A0 alone. */
static const uint16_t gsm_basic[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,
	0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5,
	0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,
	0x03A3, 0x0398, 0x039E, 0x00A0, 0x00C6, 0x00E6, 0x00DF, 0x00C9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
	0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,
	0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0
};

/* Extension table, the octet after 0x1B; 0 means undefined. */
static const uint16_t gsm_ext[128] = {
	[0x0A] = 0x000C, [0x14] = 0x005E, [0x28] = 0x007B,
	[0x29] = 0x007D, [0x2F] = 0x005C, [0x3C] = 0x005B,
	[0x3D] = 0x007E, [0x3E] = 0x005D, [0x40] = 0x007C,
	[0x65] = 0x20AC
};

/*
 * Unicode to GSM for every character that is not printable ASCII
 * mapped to itself (see gsm_identity()), sorted by code point for
 * bsearch(3).
 */
struct gsm_rev {
	uint16_t	 cp;
	uint16_t	 code;
};

static const struct gsm_rev gsm_rev[] = {
	{ 0x000A, 0x0A }, { 0x000C, GSM_EXT_FLAG | 0x0A }, { 0x000D, 0x0D },
	{ 0x0024, 0x02 }, { 0x0040, 0x00 },
	{ 0x005B, GSM_EXT_FLAG | 0x3C }, { 0x005C, GSM_EXT_FLAG | 0x2F },
	{ 0x005D, GSM_EXT_FLAG | 0x3E }, { 0x005E, GSM_EXT_FLAG | 0x14 },
	{ 0x005F, 0x11 },
	{ 0x007B, GSM_EXT_FLAG | 0x28 }, { 0x007C, GSM_EXT_FLAG | 0x40 },
	{ 0x007D, GSM_EXT_FLAG | 0x29 }, { 0x007E, GSM_EXT_FLAG | 0x3D },
	{ 0x00A1, 0x40 }, { 0x00A3, 0x01 }, { 0x00A4, 0x24 }, { 0x00A5, 0x03 },
	{ 0x00A7, 0x5F }, { 0x00BF, 0x60 }, { 0x00C4, 0x5B }, { 0x00C5, 0x0E },
	{ 0x00C6, 0x1C }, { 0x00C7, 0x09 }, { 0x00C9, 0x1F }, { 0x00D1, 0x5D },
	{ 0x00D6, 0x5C }, { 0x00D8, 0x0B }, { 0x00DC, 0x5E }, { 0x00DF, 0x1E },
	{ 0x00E0, 0x7F }, { 0x00E4, 0x7B }, { 0x00E5, 0x0F }, { 0x00E6, 0x1D },
	{ 0x00E7, 0x09 }, { 0x00E8, 0x04 }, { 0x00E9, 0x05 }, { 0x00EC, 0x07 },
	{ 0x00F1, 0x7D }, { 0x00F2, 0x08 }, { 0x00F6, 0x7C }, { 0x00F8, 0x0C },
	{ 0x00F9, 0x06 }, { 0x00FC, 0x7E },
	{ 0x0393, 0x13 }, { 0x0394, 0x10 }, { 0x0398, 0x19 }, { 0x039B, 0x14 },
	{ 0x039E, 0x1A }, { 0x03A0, 0x16 }, { 0x03A3, 0x18 }, { 0x03A6, 0x12 },
	{ 0x03A8, 0x17 }, { 0x03A9, 0x15 },
	{ 0x20AC, GSM_EXT_FLAG | 0x65 }
};

/* The names of charset_parse_name() and charset_name(). */
static const struct {
	const char	*name;
	int		 dc;
} charset_names[] = {
	{ "gsm", DC_DEFAULT },
	{ "ascii", DC_IA5 },
	{ "ia5", DC_IA5 },
	{ "binary", DC_BINARY4 },	/* first: what "binary" parses as */
	{ "binary", DC_BINARY },
	{ "latin1", DC_LATIN1 },
	{ "ucs2", DC_UCS2 },
	{ "auto", CHARSET_AUTO }
};

/* A bounded UTF-8 writer that always leaves room for the NUL. */
struct sink {
	char	*buf;
	size_t	 cap;
	size_t	 len;
	int	 full;
};

/*
 * Read one character from s[*pos .. len).  The lead octet sets the
 * length; 0xC0, 0xC1 and 0xF5-0xFF never start a valid sequence.
 */
static int
utf8_get(const uint8_t *s, size_t len, size_t *pos, uint32_t *cp)
{
	uint32_t	 c, min;
	size_t		 i = *pos, n, k;

	c = s[i];
	if (c < 0x80) {
		*cp = c;
		*pos = i + 1;
		return 0;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		c &= 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		return -1;
	if (len - i - 1 < n)
		return -1;
	for (k = 1; k <= n; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return -1;
		c = c << 6 | (s[i + k] & 0x3F);
	}
	if (c < min || c > UNI_MAX || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*cp = c;
	*pos = i + 1 + n;
	return 0;
}

static void
sink_init(struct sink *k, char *buf, size_t cap)
{
	k->buf = buf;
	k->cap = cap;
	k->len = 0;
	k->full = cap == 0;
}

/*
 * Append c, or nothing (and nothing after it) when it does not fit.
 * U+0000 becomes U+FFFD: the result is a C string, and a NUL inside it
 * would cut it short or, in a NUL-separated list such as the pipe
 * connector's environment, start a string of the sender's choosing.
 */
static void
sink_put(struct sink *k, uint32_t c)
{
	uint8_t	 u[4];
	size_t	 n;

	if (k->full)
		return;
	if (c == 0)
		c = UNI_REPLACEMENT;
	if (c < 0x80) {
		u[0] = (uint8_t)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (uint8_t)(0xC0 | c >> 6);
		u[1] = (uint8_t)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (uint8_t)(0xE0 | c >> 12);
		u[1] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
		u[2] = (uint8_t)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xF0 | c >> 18);
		u[1] = (uint8_t)(0x80 | (c >> 12 & 0x3F));
		u[2] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
		u[3] = (uint8_t)(0x80 | (c & 0x3F));
		n = 4;
	}
	if (k->cap - k->len <= n) {
		k->full = 1;
		return;
	}
	memcpy(k->buf + k->len, u, n);
	k->len += n;
}

static size_t
sink_end(struct sink *k)
{
	if (k->cap > 0)
		k->buf[k->len] = '\0';
	return k->len;
}

/* Printable ASCII that GSM carries unchanged. */
static int
gsm_identity(uint32_t c)
{
	if (c < 0x20 || c > 0x7A || c == 0x24 || c == 0x40)
		return 0;
	return c < 0x5B || c > 0x60;
}

static int
gsm_rev_cmp(const void *key, const void *elem)
{
	uint32_t			 c = *(const uint32_t *)key;
	const struct gsm_rev		*r = elem;

	return c < r->cp ? -1 : c > r->cp;
}

/* The GSM code of c, with GSM_EXT_FLAG for an escape, or -1. */
static int
gsm_lookup(uint32_t c)
{
	const struct gsm_rev	*r;

	if (gsm_identity(c))
		return (int)c;
	if (c > 0xFFFF)
		return -1;
	r = bsearch(&c, gsm_rev, sizeof(gsm_rev) / sizeof(gsm_rev[0]),
	    sizeof(gsm_rev[0]), gsm_rev_cmp);
	return r == NULL ? -1 : r->code;
}

/*
 * Septets c costs in GSM: 1 for the basic table, 2 for the extension
 * table, 0 when GSM lacks it.
 */
int
charset_gsm_cost(uint32_t c)
{
	int	 code;

	if ((code = gsm_lookup(c)) == -1)
		return 0;
	return (code & GSM_EXT_FLAG) ? 2 : 1;
}

/* The octets of c in alphabet a, into u; returns how many, or 0. */
static size_t
encode_char(int a, uint32_t c, uint8_t u[4])
{
	int	 code;

	switch (a) {
	case DC_DEFAULT:
		if ((code = gsm_lookup(c)) == -1)
			return 0;
		if ((code & GSM_EXT_FLAG) == 0) {
			u[0] = (uint8_t)code;
			return 1;
		}
		u[0] = GSM_ESC;
		u[1] = (uint8_t)(code & 0x7F);
		return 2;
	case DC_IA5:
	case DC_LATIN1:
		if (c > (a == DC_IA5 ? 0x7FU : 0xFFU))
			return 0;
		u[0] = (uint8_t)c;
		return 1;
	case DC_UCS2:
		if (c < 0x10000) {
			u[0] = (uint8_t)(c >> 8);
			u[1] = (uint8_t)c;
			return 2;
		}
		c -= 0x10000;
		u[0] = (uint8_t)(0xD8 | c >> 18);
		u[1] = (uint8_t)(c >> 10);
		u[2] = (uint8_t)(0xDC | (c >> 8 & 0x03));
		u[3] = (uint8_t)c;
		return 4;
	default:
		return 0;
	}
}

/*
 * UTF-8 to alphabet a, one pass, no allocation.  With out NULL only
 * the length is computed.
 */
static ssize_t
encode(int a, const char *s, size_t len, uint8_t *out, size_t cap)
{
	const uint8_t	*in = (const uint8_t *)s;
	uint8_t		 u[4];
	uint32_t	 c;
	size_t		 i = 0, o = 0, n;

	while (i < len) {
		if (utf8_get(in, len, &i, &c) == -1)
			return -1;
		if ((n = encode_char(a, c, u)) == 0)
			return -1;
		if (out != NULL) {
			if (cap - o < n)
				return -1;
			memcpy(out + o, u, n);
		}
		o += n;
		if (o > SSIZE_MAX - 4)
			return -1;
	}
	return (ssize_t)o;
}

ssize_t
charset_utf8_to_gsm(const char *s, size_t len, uint8_t *out, size_t cap)
{
	return encode(DC_DEFAULT, s, len, out, cap);
}

ssize_t
charset_utf8_to_ucs2(const char *s, size_t len, uint8_t *out, size_t cap)
{
	return encode(DC_UCS2, s, len, out, cap);
}

ssize_t
charset_utf8_to_latin1(const char *s, size_t len, uint8_t *out, size_t cap)
{
	return encode(DC_LATIN1, s, len, out, cap);
}

size_t
charset_gsm_to_utf8(const uint8_t *in, size_t len, char *out, size_t cap)
{
	struct sink	 k;
	size_t		 i;
	uint8_t		 b;

	sink_init(&k, out, cap);
	for (i = 0; i < len && !k.full; i++) {
		b = in[i];
		if (b > 0x7F) {
			sink_put(&k, UNI_REPLACEMENT);
			continue;
		}
		if (b == GSM_ESC && i + 1 < len && in[i + 1] <= 0x7F) {
			b = in[++i];
			sink_put(&k, gsm_ext[b] != 0 ? gsm_ext[b] :
			    gsm_basic[b]);
			continue;
		}
		sink_put(&k, gsm_basic[b]);
	}
	return sink_end(&k);
}

size_t
charset_ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t cap)
{
	struct sink	 k;
	uint32_t	 u, l;
	size_t		 i;

	sink_init(&k, out, cap);
	for (i = 0; i + 1 < len && !k.full; i += 2) {
		u = (uint32_t)in[i] << 8 | in[i + 1];
		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
			l = (uint32_t)in[i + 2] << 8 | in[i + 3];
			if (l >= 0xDC00 && l <= 0xDFFF) {
				sink_put(&k, 0x10000 + ((u - 0xD800) << 10) +
				    (l - 0xDC00));
				i += 2;
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = UNI_REPLACEMENT;
		sink_put(&k, u);
	}
	if (len % 2 != 0)
		sink_put(&k, UNI_REPLACEMENT);
	return sink_end(&k);
}

/* Latin-1, or IA5 when max is 0x7F: one octet, one character. */
static size_t
octets_to_utf8(const uint8_t *in, size_t len, char *out, size_t cap,
    uint8_t max)
{
	struct sink	 k;
	size_t		 i;

	sink_init(&k, out, cap);
	for (i = 0; i < len && !k.full; i++)
		sink_put(&k, in[i] <= max ? in[i] : UNI_REPLACEMENT);
	return sink_end(&k);
}

size_t
charset_latin1_to_utf8(const uint8_t *in, size_t len, char *out, size_t cap)
{
	return octets_to_utf8(in, len, out, cap, 0xFF);
}

/* Whole octets as lower-case hex, NUL-terminated. */
static size_t
hex_to_text(const uint8_t *in, size_t len, char *out, size_t cap)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i, o = 0;

	if (cap == 0)
		return 0;
	for (i = 0; i < len && cap - o > 2; i++) {
		out[o++] = digits[in[i] >> 4];
		out[o++] = digits[in[i] & 0x0F];
	}
	out[o] = '\0';
	return o;
}

int
charset_utf8_valid(const char *s, size_t len)
{
	const uint8_t	*in = (const uint8_t *)s;
	uint32_t	 c;
	size_t		 i = 0;

	while (i < len)
		if (utf8_get(in, len, &i, &c) == -1)
			return 0;
	return 1;
}

int
charset_fits_gsm(const char *s, size_t len)
{
	return encode(DC_DEFAULT, s, len, NULL, 0) >= 0;
}

/* Unpacked, a septet is an octet: the GSM length is the count. */
ssize_t
charset_gsm_septets(const char *s, size_t len)
{
	return encode(DC_DEFAULT, s, len, NULL, 0);
}

/* DC_DEFAULT when GSM can carry s, else DC_UCS2; -1 if not UTF-8. */
int
charset_choose(const char *s, size_t len)
{
	if (!charset_utf8_valid(s, len))
		return -1;
	return charset_fits_gsm(s, len) ? DC_DEFAULT : DC_UCS2;
}

/*
 * The alphabet a data_coding value means: DC_DEFAULT, DC_IA5,
 * DC_LATIN1, DC_UCS2, or DC_BINARY for octets this module does not
 * translate; -1 when dc is not an octet value.  The GSM 03.38 groups
 * carry the alphabet in bits 3-2 (00xx and 01xx, uncompressed) or in
 * their group (1100-1110 message waiting, 1111 with bit 2).
 */
int
charset_alphabet(int dc)
{
	static const int	 bits32[4] = {
		DC_DEFAULT, DC_BINARY, DC_UCS2, DC_BINARY
	};

	if (dc < 0 || dc > 0xFF)
		return -1;
	switch (dc) {
	case DC_DEFAULT:
	case DC_IA5:
	case DC_LATIN1:
	case DC_UCS2:
		return dc;
	}
	if (dc < 0x10 || (dc >= 0x80 && dc < 0xC0))
		return DC_BINARY;
	if (dc < 0x80)
		return (dc & 0x20) ? DC_BINARY : bits32[dc >> 2 & 0x03];
	if (dc < 0xE0)
		return DC_DEFAULT;
	if (dc < 0xF0)
		return DC_UCS2;
	return (dc & 0x04) ? DC_BINARY : DC_DEFAULT;
}

ssize_t
charset_encode(int dc, const char *s, size_t len, uint8_t *out, size_t cap)
{
	int	 a;

	if ((a = charset_alphabet(dc)) == -1)
		return -1;
	if (a == DC_BINARY)
		return out == NULL ? -1 : buf_hex_decode(s, len, out, cap);
	return encode(a, s, len, out, cap);
}

size_t
charset_decode(int dc, const uint8_t *in, size_t len, char *out, size_t cap)
{
	switch (charset_alphabet(dc)) {
	case DC_DEFAULT:
		return charset_gsm_to_utf8(in, len, out, cap);
	case DC_IA5:
		return octets_to_utf8(in, len, out, cap, 0x7F);
	case DC_LATIN1:
		return charset_latin1_to_utf8(in, len, out, cap);
	case DC_UCS2:
		return charset_ucs2_to_utf8(in, len, out, cap);
	default:
		return hex_to_text(in, len, out, cap);
	}
}

int
charset_parse_name(const char *name)
{
	const char	*errstr;
	size_t		 i;
	long long	 n;

	if (name == NULL)
		return CHARSET_UNKNOWN;
	for (i = 0; i < sizeof(charset_names) / sizeof(charset_names[0]); i++)
		if (strcasecmp(name, charset_names[i].name) == 0)
			return charset_names[i].dc;
	n = strtonum(name, 0, 0xFF, &errstr);
	return errstr == NULL ? (int)n : CHARSET_UNKNOWN;
}

/* The name of dc for a command line or a log; "unknown" if it has none. */
const char *
charset_name(int dc)
{
	size_t	 i;

	for (i = 0; i < sizeof(charset_names) / sizeof(charset_names[0]); i++)
		if (charset_names[i].dc == dc)
			return charset_names[i].name;
	return "unknown";
}
