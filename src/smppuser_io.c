/*
 * smppuser_io.c - smppuser(8)'s text formats: the export/import lines and
 * the figures (balance, submit_sm_count) as set, add, show and list
 * print and read them
 *
 * SYNOPSIS
 *	smppuser_io_export(item)		one export line on stdout
 *	smppuser_io_import(file, list)		every line of an export file
 *	smppuser_io_money(buf, len, v)		smppuser_io_count(buf, len, v)
 *	smppuser_io_figure(key, value, figures, err, errlen)
 *	smppuser_io_is_figure(key)		smppuser_io_field_flags(name)
 *	smppuser_io_add(account, list)		smppuser_io_find(list, user)
 *	smppuser_io_item_cmp(a, b)
 *
 * DESCRIPTION
 *	An export file starts with "# smppuser export format 1", then one
 *	line per account: the system_id and field=value words for what
 *	differs from the defaults, values %XX-escaped (buf_pct_encode), so
 *	that a line splits on blanks.  import reads such a file whole
 *	before anything changes: a line that does not parse, an unknown
 *	format version or an account listed twice ends it with EX_DATAERR
 *	and the line number.  Lists are kept sorted by system_id.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "compat.h"
#include "ledger.h"
#include "smppuser.h"
#include "userdb.h"

const char *
smppuser_io_money(char *buf, size_t len, int64_t v)
{
	if (v == LEDGER_UNLIMITED)
		strlcpy(buf, "unlimited", len);
	else if (ledger_money_format(buf, len, v) == -1)
		strlcpy(buf, "?", len);
	return buf;
}

const char *
smppuser_io_count(char *buf, size_t len, int64_t v)
{
	if (v == LEDGER_UNLIMITED)
		strlcpy(buf, "unlimited", len);
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

/* A balance or submit_sm_count value of set, add or import. */
int
smppuser_io_figure(const char *key, const char *v, struct figures *f,
    char *err, size_t errlen)
{
	const char	*errstr;
	char		 max[MONEY_LEN];
	int64_t		 n;

	if (strcmp(key, "balance") == 0) {
		if (strcmp(v, "unlimited") == 0)
			n = LEDGER_UNLIMITED;
		else if (ledger_money_parse(v, &n) == -1 || n < 0 || n > MONEY_MAX) {
			ledger_money_format(max, sizeof(max), MONEY_MAX);
			snprintf(err, errlen, "balance: \"%.128s\" is not "
			    "an amount 0..%s with up to 6 decimals, or "
			    "unlimited", v, max);
			return -1;
		}
		f->balance = n;
		return 0;
	}
	if (strcmp(v, "unlimited") == 0)
		n = LEDGER_UNLIMITED;
	else {
		n = (*v < '0' || *v > '9') ? -1 :
		    strtonum(v, 0, LEDGER_COUNT_MAX, &errstr);
		if (n == -1 || errstr != NULL) {
			snprintf(err, errlen, "submit_sm_count: \"%.128s\" is "
			    "not 0..%lld or unlimited", v, LEDGER_COUNT_MAX);
			return -1;
		}
	}
	f->count = n;
	return 0;
}

/* The flags of a record field, or -1 when there is none of that name. */
int
smppuser_io_field_flags(const char *name)
{
	const char	*f;
	int		 i, flags;

	for (i = 0; (f = account_field(i, &flags)) != NULL; i++)
		if (strcmp(f, name) == 0)
			return flags;
	return -1;
}

int
smppuser_io_is_figure(const char *key)
{
	return strcmp(key, "balance") == 0 ||
	    strcmp(key, "submit_sm_count") == 0;
}

int
smppuser_io_item_cmp(const void *x, const void *y)
{
	const struct item	*a = x, *b = y;

	return strcmp(a->a.system_id, b->a.system_id);
}

int
smppuser_io_add(const struct account *a, void *arg)
{
	struct items	*list = arg;
	struct item	*v;
	size_t		 cap;

	if (list->n == list->cap) {
		cap = list->cap == 0 ? 64 : list->cap * 2;
		if ((v = reallocarray(list->v, cap, sizeof(*v))) == NULL)
			err(EX_OSERR, "collect");
		list->v = v;
		list->cap = cap;
	}
	memset(&list->v[list->n], 0, sizeof(list->v[0]));
	list->v[list->n++].a = *a;
	return USERDB_OK;
}

/* Bytes outside 0x21..0x7e and '%' as %XX, so a value is one word. */
static void
escape(const char *s, char *out, size_t len)
{
	int	 n;

	if ((n = buf_pct_encode(out, len - 1, s, strlen(s))) == -1)
		n = 0;
	out[n] = '\0';
}

void
smppuser_io_export(const struct item *it)
{
	struct account	 d;
	const char	*name;
	char		 v[ACCOUNT_NETWORKS_MAX], dv[ACCOUNT_NETWORKS_MAX];
	char		 esc[3 * ACCOUNT_NETWORKS_MAX + 1];
	int		 i, flags;

	account_defaults(&d, it->a.system_id);
	printf("%s", it->a.system_id);
	for (i = 0; (name = account_field(i, &flags)) != NULL; i++) {
		if (!(flags & ACCOUNT_F_EXPORT) ||
		    account_field_get(&it->a, name, v, sizeof(v)) == -1 ||
		    account_field_get(&d, name, dv, sizeof(dv)) == -1 ||
		    strcmp(v, dv) == 0)
			continue;
		escape(v, esc, sizeof(esc));
		printf(" %s=%s", name, esc);
	}
	if (it->balance != LEDGER_UNLIMITED)
		printf(" balance=%s", smppuser_io_money(v, sizeof(v), it->balance));
	if (it->count != LEDGER_UNLIMITED)
		printf(" submit_sm_count=%s", smppuser_io_count(v, sizeof(v),
		    it->count));
	printf("\n");
}

static int
unescape(const char *s, char *out, size_t len)
{
	return buf_pct_decode(out, len, s, strlen(s), BUF_PCT_NONUL) == -1 ?
	    -1 : 0;
}

/* One field=value word of an import line. */
static int
import_word(struct item *it, char *word, char *err, size_t errlen)
{
	struct figures	 f = { it->balance, it->count };
	char		 value[LINE_MAX_LEN], *eq;
	int		 flags;

	if ((eq = strchr(word, '=')) == NULL) {
		snprintf(err, errlen, "\"%.128s\" is not field=value", word);
		return -1;
	}
	*eq = '\0';
	if (unescape(eq + 1, value, sizeof(value)) == -1) {
		snprintf(err, errlen, "%s: bad %%XX escape", word);
		return -1;
	}
	if (smppuser_io_is_figure(word)) {
		if (smppuser_io_figure(word, value, &f, err, errlen) == -1)
			return -1;
		it->balance = f.balance;
		it->count = f.count;
		return 0;
	}
	if ((flags = smppuser_io_field_flags(word)) == -1 || !(flags & ACCOUNT_F_EXPORT)) {
		snprintf(err, errlen, "unknown field \"%.128s\"", word);
		return -1;
	}
	return account_field_set(&it->a, word, value, err, errlen);
}

/* One account line: USER field=value ...; -1 with err set. */
static int
import_line(char *line, struct item *it, char *err, size_t errlen)
{
	char	*word, *last, uerr[512];

	memset(it, 0, sizeof(*it));
	if ((word = strtok_r(line, " \t", &last)) == NULL)
		return 0;
	if (!userdb_valid_system_id(word)) {
		snprintf(err, errlen, "\"%.40s\" is not a valid system_id",
		    word);
		return -1;
	}
	account_defaults(&it->a, word);
	it->balance = it->count = LEDGER_UNLIMITED;
	while ((word = strtok_r(NULL, " \t", &last)) != NULL)
		if (import_word(it, word, uerr, sizeof(uerr)) == -1) {
			snprintf(err, errlen, "%s: %s", it->a.system_id, uerr);
			return -1;
		}
	if (it->a.hash[0] == '\0') {
		snprintf(err, errlen, "%s: no hash", it->a.system_id);
		return -1;
	}
	return 1;
}

/* "# smppuser export format N": N must be ours. */
static int
import_header(const char *line)
{
	const char	*errstr;
	size_t		 n = strlen(EXPORT_HEADER);

	if (strncmp(line, EXPORT_HEADER " ", n + 1) != 0)
		return 0;
	return strtonum(line + n + 1, 1, 1000, &errstr) == EXPORT_VERSION ?
	    0 : -1;
}

void
smppuser_io_import(const char *file, struct items *list)
{
	FILE		*fp;
	struct item	 it;
	char		 line[LINE_MAX_LEN], why[LINE_MAX_LEN];
	int		 lineno = 0, r;
	size_t		 i;

	memset(list, 0, sizeof(*list));
	if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "r")) == NULL)
		err(EX_NOINPUT, "%s", file);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (line[strcspn(line, "\n")] == '\0' && !feof(fp))
			errx(EX_DATAERR, "%s:%d: line too long", file, lineno);
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#') {
			if (import_header(line) == -1)
				errx(EX_DATAERR, "%s:%d: not export format %d",
				    file, lineno, EXPORT_VERSION);
			continue;
		}
		if ((r = import_line(line, &it, why, sizeof(why))) == -1)
			errx(EX_DATAERR, "%s:%d: %s", file, lineno, why);
		if (r == 0)
			continue;
		smppuser_io_add(&it.a, list);
		it.known = lineno;
		list->v[list->n - 1] = it;
	}
	if (ferror(fp))
		err(EX_IOERR, "%s", file);
	if (fp != stdin)
		fclose(fp);
	if (list->n > 0)
		qsort(list->v, list->n, sizeof(list->v[0]), smppuser_io_item_cmp);
	for (i = 1; i < list->n; i++) {
		int	 a = list->v[i - 1].known, b = list->v[i].known;

		if (smppuser_io_item_cmp(&list->v[i - 1], &list->v[i]) == 0)
			errx(EX_DATAERR, "%s:%d: %s is listed twice (line %d)",
			    file, a > b ? a : b, list->v[i].a.system_id,
			    a > b ? b : a);
	}
}

struct item *
smppuser_io_find(struct items *list, const char *user)
{
	struct item	 key;

	if (list->n == 0)
		return NULL;
	strlcpy(key.a.system_id, user, sizeof(key.a.system_id));
	return bsearch(&key, list->v, list->n, sizeof(list->v[0]), smppuser_io_item_cmp);
}
