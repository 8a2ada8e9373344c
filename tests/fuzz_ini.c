/*
 * fuzz_ini.c - libFuzzer target for the INI reader and the configuration
 *
 * SYNOPSIS
 *	./fuzz_ini [libFuzzer options] corpus-dir
 *
 * DESCRIPTION
 *	The input is a configuration file.  ini_parse() reads it with
 *	callbacks that check what the reader promises: a section name is
 *	not empty, a key is not empty and has no blank at either end,
 *	line numbers only grow; every other call returns -1 to walk the
 *	error paths.  ini_parse_buf() must count the same errors.  Then
 *	conf_load() reads it as smppd.conf; when it loads without error,
 *	conf_dump()'s text must load without error too and dump to the
 *	same text.  See tests/fuzz/README.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_util.h"
#include "ini.h"

struct seen {
	int	 line;
	int	 calls;
	int	 errs;
};

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
on_item(void *arg, const char *section, const char *key, const char *value,
    int line)
{
	struct seen	*s = arg;
	size_t		 n;

	if (section == NULL || section[0] == '\0')
		fuzz_fail("line %d: empty section name", line);
	if (line < s->line || line < 1)
		fuzz_fail("line %d after line %d", line, s->line);
	s->line = line;
	if (key != NULL) {
		n = strlen(key);
		if (value == NULL || n == 0 || blank(key[0]) ||
		    blank(key[n - 1]))
			fuzz_fail("line %d: key '%s'", line, key);
	}
	return ++s->calls % 2 == 0 ? -1 : 0;
}

static void
on_err(void *arg, const char *name, int line, const char *msg)
{
	struct seen	*s = arg;

	(void)name;
	if (msg == NULL || msg[0] == '\0')
		fuzz_fail("line %d: error without a message", line);
	s->errs++;
}

static int
ignore(void *arg, const char *section, const char *key, const char *value,
    int line)
{
	struct seen	*s = arg;

	(void)section; (void)key; (void)value; (void)line;
	return ++s->calls % 2 == 0 ? -1 : 0;
}

static void
quiet(const char *msg)
{
	(void)msg;
}

static char *
dump(const struct conf *c, size_t *len)
{
	char	*text = NULL;
	FILE	*fp;

	if ((fp = open_memstream(&text, len)) == NULL)
		abort();
	if (conf_dump(fp, c) == -1)
		fuzz_fail("conf_dump failed");
	fclose(fp);
	return text;
}

static void
reload(const struct conf *c)
{
	struct conf	 again;
	char		*t1, *t2;
	size_t		 n1, n2;

	t1 = dump(c, &n1);
	if (conf_load(&again, fuzz_file((uint8_t *)t1, n1), quiet) != 0)
		fuzz_fail("the dump does not load:\n%s", t1);
	t2 = dump(&again, &n2);
	if (n1 != n2 || memcmp(t1, t2, n1) != 0)
		fuzz_fail("dump, load, dump differs:\n%s\n----\n%s", t1, t2);
	conf_free(&again);
	free(t1);
	free(t2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen	 a = { 0, 0, 0 }, b = { 0, 0, 0 };
	struct conf	 c;
	char		 err[40];
	int		 na, nb;

	na = ini_parse((const char *)data, size, "fuzz", on_item, on_err, &a);
	if (na != a.errs + a.calls / 2)
		fuzz_fail("ini_parse: %d errors, %d reported, %d refused",
		    na, a.errs, a.calls / 2);
	nb = ini_parse_buf((const char *)data, size, "fuzz", ignore, &b, err,
	    sizeof(err));
	if (nb != na || strlen(err) >= sizeof(err) || (na > a.calls / 2) !=
	    (err[0] != '\0'))
		fuzz_fail("ini_parse_buf: %d errors, ini_parse %d, '%s'", nb,
		    na, err);
	if (conf_load(&c, fuzz_file(data, size), quiet) == 0)
		reload(&c);
	conf_free(&c);
	return 0;
}
