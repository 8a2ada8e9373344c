/*
 * dlr.c - delivery receipt text, SMPP v3.4 Appendix B
 *
 * SYNOPSIS
 *	dlr_format(buf, cap, dlr)
 *	dlr_parse(text, len, dlr)
 *	dlr_stat_state(word)		dlr_state_stat(state)
 *	dlr_id_normalize(id, out, cap)	dlr_id_alt(id, n, out, cap)
 *	dlr_id_equal(a, b)
 *
 * DESCRIPTION
 *	dlr_format() writes the receipt text this server sends:
 *
 *	    id:ID sub:001 dlvrd:001 submit date:YYMMDDhhmm
 *	    done date:YYMMDDhhmm stat:DELIVRD err:000 text:...
 *
 *	on one line, dates in UTC, sub, dlvrd and err zero-padded to three
 *	digits (negative, that is unknown, as 000), text the first 20
 *	octets of dlr->text as given: the caller reduces it to printable
 *	form.  It returns the length, or -1 if the text does not fit.
 *
 *	dlr_parse() reads what real SMSCs send: keys in any case, "Text:"
 *	or "text:", "submit_date" for "submit date", spaces around values,
 *	fields in any order, missing or unknown ones, dates of 10 or 12
 *	digits (YYMMDDhhmm[ss], UTC, YY 00-37 meaning 20YY, as SMPP times),
 *	sub, dlvrd and err of any number of digits.  What is missing or
 *	unreadable is -1 for the numbers, 0 for the dates.  text takes the
 *	rest of the line; it is cut to 20 octets, never inside a UTF-8
 *	character.  stat is stored in its 7-letter form when
 *	dlr_stat_state() knows the word ("DELIVERED" becomes "DELIVRD"),
 *	else upper-cased and cut to 7.  It succeeds (0) when the text has
 *	an id and a stat, else it returns -1, as it does for an id longer
 *	than a message_id can be.
 *
 *	dlr_stat_state() maps a stat word, in any case, to the
 *	message_state value (ENROUTE 1 ... REJECTD 8), long forms such as
 *	UNDELIVERABLE included; an unknown word is -1, so that a caller
 *	decides between dropping the receipt and MSTATE_UNKNOWN.
 *	dlr_state_stat() is the reverse; a value outside 1-8 is "UNKNOWN".
 *
 *	Ids: real SMSCs print the id of a receipt in another case, with
 *	leading zeros, or in hex where submit_sm_resp gave it in decimal
 *	(or the reverse).  dlr_id_equal() is true when two ids are equal
 *	ignoring case and leading zeros, or when one read as decimal equals
 *	the other read as hex; an id longer than 16 significant hex digits
 *	(or 20 decimal ones) is compared as a string only.  An id of digits
 *	alone is ambiguous: "10" equals both "10" and "16".
 *	dlr_id_normalize() writes the key a lookup table should use: lower
 *	case without leading zeros, and an id of hex digits with a letter
 *	in decimal.  Two ids are equal exactly when the key of one is the
 *	key of the other or one of its dlr_id_alt() keys (n 0 and 1: the
 *	decimal value of its hex reading, and the hex form of its decimal
 *	value when that is digits alone); dlr_id_alt() returns 0 when the
 *	id has no such alternative.  Both return the length written or -1
 *	when cap is too small.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "compat.h"
#include "dlr.h"
#include "smpptime.h"
#include "pdu.h"

#define DLR_TEXT_MAX	20
#define DLR_STAT_MAX	7
#define HEX_DIGITS_MAX	16	/* what fits in 64 bits */

enum dlr_field {
	F_ID, F_SUB, F_DLVRD, F_SUBMIT, F_DONE, F_STAT, F_ERR, F_TEXT
};

/* A space in a key stands for ' ', '_' or nothing. */
static const struct {
	const char	*key;
	enum dlr_field	 field;
} dlr_keys[] = {
	{ "id", F_ID }, { "sub", F_SUB }, { "dlvrd", F_DLVRD },
	{ "submit date", F_SUBMIT }, { "done date", F_DONE },
	{ "stat", F_STAT }, { "err", F_ERR }, { "text", F_TEXT }
};

static const struct {
	const char	*word;
	int		 state;
} dlr_stats[] = {
	{ "ENROUTE", MSTATE_ENROUTE }, { "DELIVRD", MSTATE_DELIVERED },
	{ "EXPIRED", MSTATE_EXPIRED }, { "DELETED", MSTATE_DELETED },
	{ "UNDELIV", MSTATE_UNDELIVERABLE }, { "ACCEPTD", MSTATE_ACCEPTED },
	{ "UNKNOWN", MSTATE_UNKNOWN }, { "REJECTD", MSTATE_REJECTED },
	/* long forms some SMSCs write */
	{ "DELIVERED", MSTATE_DELIVERED },
	{ "UNDELIVERABLE", MSTATE_UNDELIVERABLE },
	{ "ACCEPTED", MSTATE_ACCEPTED }, { "REJECTED", MSTATE_REJECTED }
};

static int
is_sp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Zero-padded to 3 digits; unknown (negative) as 0. */
static int
dlr_num(int n)
{
	return n < 0 ? 0 : n;
}

static void
dlr_date(char out[11], time_t t)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    snprintf(out, 11, "%02d%02d%02d%02d%02d", tm.tm_year % 100,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min) != 10)
		strlcpy(out, "0000000000", 11);
}

int
dlr_format(char *buf, size_t cap, const struct dlr *d)
{
	char	 sub[11], done[11];
	int	 n;

	dlr_date(sub, d->submit_date);
	dlr_date(done, d->done_date);
	n = snprintf(buf, cap, "id:%.*s sub:%03d dlvrd:%03d submit date:%s "
	    "done date:%s stat:%.*s err:%03d text:%.*s",
	    (int)sizeof(d->id) - 1, d->id, dlr_num(d->sub), dlr_num(d->dlvrd),
	    sub, done, DLR_STAT_MAX, d->stat, dlr_num(d->err), DLR_TEXT_MAX,
	    d->text);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

/*
 * The key at s, a colon after it (spaces allowed before the colon):
 * returns the octets up to and with the colon, or 0.
 */
static size_t
dlr_key(const char *s, size_t len, enum dlr_field *field)
{
	const char	*k;
	size_t		 i, n;

	for (n = 0; n < sizeof(dlr_keys) / sizeof(dlr_keys[0]); n++) {
		for (i = 0, k = dlr_keys[n].key; *k != '\0' && i < len; k++) {
			if (*k == ' ') {
				if (s[i] == ' ' || s[i] == '_')
					i++;
			} else if (tolower((unsigned char)s[i]) == *k)
				i++;
			else
				break;
		}
		if (*k != '\0')
			continue;
		while (i < len && s[i] == ' ')
			i++;
		if (i < len && s[i] == ':') {
			*field = dlr_keys[n].field;
			return i + 1;
		}
	}
	return 0;
}

/* Digits only, at most 9 of them after leading zeros; else -1. */
static int
dlr_parse_num(const char *s, size_t len)
{
	size_t	 i;
	int	 n = 0;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]) || n > 99999999)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n;
}


static int
month_days(int y, int m)
{
	static const int	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* YYMMDDhhmm or YYMMDDhhmmss, UTC; 0 when it is neither. */
static time_t
dlr_parse_date(const char *s, size_t len)
{
	int	 f[6] = { 0, 0, 0, 0, 0, 0 };
	size_t	 i;

	if (len != 10 && len != 12)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		f[i / 2] = f[i / 2] * 10 + (s[i] - '0');
	}
	f[0] += f[0] < 38 ? 2000 : 1900;
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > month_days(f[0], f[1])
	    || f[3] > 23 || f[4] > 59 || f[5] > 59)
		return 0;
	return (time_t)(smpptime_days_from_civil(f[0], f[1], f[2]) * 86400 +
	    f[3] * 3600 + f[4] * 60 + f[5]);
}

static int
dlr_stat_lookup(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(dlr_stats) / sizeof(dlr_stats[0]); i++)
		if (strlen(dlr_stats[i].word) == len &&
		    strncasecmp(dlr_stats[i].word, s, len) == 0)
			return dlr_stats[i].state;
	return -1;
}

static void
dlr_set_stat(struct dlr *d, const char *s, size_t len)
{
	size_t	 i;
	int	 st;

	if ((st = dlr_stat_lookup(s, len)) != -1) {
		strlcpy(d->stat, dlr_state_stat(st), sizeof(d->stat));
		return;
	}
	for (i = 0; i < len && i < DLR_STAT_MAX; i++)
		d->stat[i] = (char)toupper((unsigned char)s[i]);
	d->stat[i] = '\0';
}

/* The first 20 octets, backing off to the start of a UTF-8 character. */
static void
dlr_set_text(struct dlr *d, const char *s, size_t len)
{
	while (len > 0 && is_sp(s[len - 1]))
		len--;
	if (len > DLR_TEXT_MAX) {
		len = DLR_TEXT_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(d->text, s, len);
	d->text[len] = '\0';
}

static int
dlr_store(struct dlr *d, enum dlr_field f, const char *v, size_t vlen)
{
	switch (f) {
	case F_ID:
		if (vlen >= sizeof(d->id))
			return -1;
		memcpy(d->id, v, vlen);
		d->id[vlen] = '\0';
		break;
	case F_SUB:
		d->sub = dlr_parse_num(v, vlen);
		break;
	case F_DLVRD:
		d->dlvrd = dlr_parse_num(v, vlen);
		break;
	case F_SUBMIT:
		d->submit_date = dlr_parse_date(v, vlen);
		break;
	case F_DONE:
		d->done_date = dlr_parse_date(v, vlen);
		break;
	case F_STAT:
		dlr_set_stat(d, v, vlen);
		break;
	case F_ERR:
		d->err = dlr_parse_num(v, vlen);
		break;
	case F_TEXT:
		dlr_set_text(d, v, vlen);
		break;
	}
	return 0;
}

/*
 * Scan key:value tokens.  A value ends at white space, but text takes
 * the rest of the line; a value that is itself a key (as in
 * "err: stat:DELIVRD") is an empty value.
 */
int
dlr_parse(const char *s, size_t len, struct dlr *d)
{
	enum dlr_field	 f, g;
	size_t		 p = 0, v, k;

	memset(d, 0, sizeof(*d));
	d->sub = d->dlvrd = d->err = -1;
	len = strnlen(s, len);
	while (p < len) {
		while (p < len && is_sp(s[p]))
			p++;
		if (p == len)
			break;
		if ((k = dlr_key(s + p, len - p, &f)) == 0) {
			while (p < len && !is_sp(s[p]))
				p++;
			continue;
		}
		for (p += k; p < len && s[p] == ' '; p++)
			;
		v = p;
		if (f == F_TEXT)
			p = len;
		else if (dlr_key(s + v, len - v, &g) == 0)
			while (p < len && !is_sp(s[p]))
				p++;
		if (dlr_store(d, f, s + v, p - v) == -1)
			return -1;
	}
	return d->id[0] != '\0' && d->stat[0] != '\0' ? 0 : -1;
}

int
dlr_stat_state(const char *word)
{
	return dlr_stat_lookup(word, strlen(word));
}

const char *
dlr_state_stat(int state)
{
	size_t	 i;

	for (i = 0; i < sizeof(dlr_stats) / sizeof(dlr_stats[0]); i++)
		if (dlr_stats[i].state == state)
			return dlr_stats[i].word;
	return "UNKNOWN";
}

/* Past the leading zeros, keeping the last character. */
static const char *
id_skip_zeros(const char *id)
{
	while (id[0] == '0' && id[1] != '\0')
		id++;
	return id;
}

/* s as a decimal number that fits 64 bits. */
static int
id_dec(const char *s, uint64_t *v)
{
	uint64_t	 n = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) ||
		    n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return 0;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 1;
}

/* s as hex digits, 16 at most (s has no leading zeros). */
static int
id_hex(const char *s, uint64_t *v)
{
	uint64_t	 n = 0;
	size_t		 i;
	int		 c;

	for (i = 0; s[i] != '\0'; i++) {
		c = tolower((unsigned char)s[i]);
		if (i == HEX_DIGITS_MAX || !isxdigit(c))
			return 0;
		n = n << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	*v = n;
	return i > 0;
}

static int
id_fold(const char *s, char *out, size_t cap)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i + 1 >= cap)
			return -1;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	if (cap == 0)
		return -1;
	out[i] = '\0';
	return (int)i;
}

static int
id_print(char *out, size_t cap, const char *fmt, uint64_t v)
{
	int	 n;

	n = snprintf(out, cap, fmt, v);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int
dlr_id_normalize(const char *id, char *out, size_t cap)
{
	uint64_t	 v;

	id = id_skip_zeros(id);
	if (!id_dec(id, &v) && id_hex(id, &v))
		return id_print(out, cap, "%" PRIu64, v);
	return id_fold(id, out, cap);
}

int
dlr_id_alt(const char *id, int n, char *out, size_t cap)
{
	char		 hex[HEX_DIGITS_MAX + 1];
	uint64_t	 v;

	id = id_skip_zeros(id);
	if (!id_dec(id, &v))
		return 0;
	if (n == 0)
		return id_hex(id, &v) ? id_print(out, cap, "%" PRIu64, v) : 0;
	if (n != 1 || id_print(hex, sizeof(hex), "%" PRIx64, v) == -1 ||
	    strspn(hex, "0123456789") != strlen(hex))
		return 0;
	return id_fold(hex, out, cap);
}

int
dlr_id_equal(const char *a, const char *b)
{
	uint64_t	 x, y;

	a = id_skip_zeros(a);
	b = id_skip_zeros(b);
	if (strcasecmp(a, b) == 0)
		return 1;
	if (id_dec(a, &x) && id_hex(b, &y) && x == y)
		return 1;
	return id_hex(a, &x) && id_dec(b, &y) && x == y;
}
