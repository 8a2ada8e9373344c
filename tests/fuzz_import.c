/*
 * fuzz_import.c - libFuzzer target for the import format of smppuser(8)
 *
 * SYNOPSIS
 *	./fuzz_import [libFuzzer options] corpus-dir
 *
 * DESCRIPTION
 *	The input is an export file: each line goes through the parser of
 *	"smppuser import" as the command reads it (comment lines through
 *	the header check, the others through the account line parser).
 *	An account line that is accepted is exported again, and that
 *	line must parse and export to the very same text: export and
 *	import are inverses.  See tests/fuzz/README.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

/* The import parser is private to smppuser_io.c: take the file whole. */
#include "smppuser_io.c"

/* What smppuser_io_export() prints for it, as a heap string. */
static char *
exported(const struct item *it, size_t *len)
{
	FILE	*saved = stdout, *fp;
	char	*text = NULL;

	if ((fp = open_memstream(&text, len)) == NULL)
		abort();
	stdout = fp;
	smppuser_io_export(it);
	stdout = saved;
	fclose(fp);
	return text;
}

static void
round_trip(const struct item *it)
{
	struct item	 again;
	char		 why[LINE_MAX_LEN], *t1, *t2;
	size_t		 n1, n2;

	t1 = exported(it, &n1);
	if (n1 == 0 || t1[n1 - 1] != '\n' || n1 >= LINE_MAX_LEN)
		fuzz_fail("export gave '%s'", t1);
	t1[n1 - 1] = '\0';
	t2 = fuzz_cstr((uint8_t *)t1, n1);
	if (import_line(t2, &again, why, sizeof(why)) != 1)
		fuzz_fail("'%s' does not import: %s", t1, why);
	free(t2);
	t2 = exported(&again, &n2);
	if (n2 != n1 || memcmp(t1, t2, n1 - 1) != 0)
		fuzz_fail("import, export differs:\n%s\n%s", t1, t2);
	free(t1);
	free(t2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct item	 it;
	char		 why[LINE_MAX_LEN], *line;
	const uint8_t	*p = data, *end = data + size, *nl;
	size_t		 n;

	for (; p < end; p = nl != NULL ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		/* As fgets() with its buffer: no NUL, no longer line. */
		if (n >= LINE_MAX_LEN - 1 || memchr(p, '\0', n) != NULL)
			continue;
		line = fuzz_cstr(p, n);
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '#')
			(void)import_header(line);
		else if (import_line(line, &it, why, sizeof(why)) == 1)
			round_trip(&it);
		free(line);
	}
	return 0;
}
