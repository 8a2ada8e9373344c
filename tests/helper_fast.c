/*
 * helper_fast.c - the trivial helper of the helper connector's
 * benchmark: answers DELIVERED (or, with -a, ACCEPTED with an upstream
 * id) to every MSG line at once, one write per read
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char	 in[1 << 20], out[1 << 20];

/* Answer one line; how many octets went into out. */
static size_t
answer(const char *line, size_t len, char *o, size_t cap, int accepted)
{
	const char	*id, *end;
	int		 n;

	if (len < 4 || memcmp(line, "MSG ", 4) != 0 ||
	    (id = strstr(line, " id=")) == NULL || id >= line + len)
		return 0;
	id += 4;
	end = memchr(id, ' ', (size_t)(line + len - id));
	if (end == NULL)
		end = line + len;
	n = accepted ? snprintf(o, cap, "ACCEPTED %.*s u%.*s\n",
	    (int)(end - id), id, (int)(end - id), id) :
	    snprintf(o, cap, "DELIVERED %.*s\n", (int)(end - id), id);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int
main(int argc, char *argv[])
{
	size_t	 have = 0, olen, i, start;
	ssize_t	 n;
	int	 accepted = argc > 1 && strcmp(argv[1], "-a") == 0;

	while ((n = read(0, in + have, sizeof(in) - 1 - have)) > 0) {
		have += (size_t)n;
		olen = 0;
		for (start = 0, i = 0; i < have; i++)
			if (in[i] == '\n') {
				in[i] = '\0';
				olen += answer(in + start, i - start,
				    out + olen, sizeof(out) - olen, accepted);
				start = i + 1;
			}
		memmove(in, in + start, have - start);
		have -= start;
		if (olen > 0 && write(1, out, olen) != (ssize_t)olen)
			return 1;
	}
	return 0;
}
