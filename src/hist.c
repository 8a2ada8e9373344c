/*
 * hist.c - latency histograms
 *
 * SYNOPSIS
 *	hist_init(h)	hist_add(h, value)	hist_pct(h, 99.0)
 *	hist_free(h)
 *
 * DESCRIPTION
 *	Values (microseconds, for smppbench) below HIST_LINEAR have a
 *	bucket each; above, every power of two is cut into HIST_SUB
 *	buckets, so a bucket is at most 1/512 of its values wide.  Adding
 *	is a shift and an increment, and the memory is the same for ten
 *	messages or a billion: smppbench keeps every latency of a run.
 *	A value beyond the last octave lands in the last bucket; max is
 *	kept exactly.
 *
 *	hist_pct(h, p) is the smallest value v such that at least p % of
 *	the values are <= v, rounded down to its bucket's lower bound
 *	(0 when empty; p 100 gives max).
 */
#include "config.h"

#include <stdlib.h>

#include "hist.h"

int
hist_init(struct hist *h)
{
	h->n = h->max = h->sum = 0;
	h->count = calloc(HIST_BUCKETS, sizeof(*h->count));
	return h->count == NULL ? -1 : 0;
}

void
hist_free(struct hist *h)
{
	free(h->count);
	h->count = NULL;
}

static unsigned
hist_bucket(uint64_t v)
{
	unsigned	 e;

	if (v < HIST_LINEAR)
		return (unsigned)v;
	e = 63 - (unsigned)__builtin_clzll(v);	/* >= 10 */
	if (e - 10 >= HIST_OCTAVES)
		return HIST_BUCKETS - 1;
	return HIST_LINEAR + (e - 10) * HIST_SUB +
	    (unsigned)((v >> (e - 9)) - HIST_SUB);
}

static uint64_t
hist_lower(unsigned b)
{
	unsigned	 e, sub;

	if (b < HIST_LINEAR)
		return b;
	e = (b - HIST_LINEAR) / HIST_SUB + 10;
	sub = (b - HIST_LINEAR) % HIST_SUB;
	return (uint64_t)(HIST_SUB + sub) << (e - 9);
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->count[hist_bucket(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

uint64_t
hist_pct(const struct hist *h, double p)
{
	uint64_t	 want, seen = 0;
	unsigned	 b;

	if (h->n == 0)
		return 0;
	if (p >= 100.0)
		return h->max;
	want = (uint64_t)(p / 100.0 * (double)h->n);
	if ((double)want < p / 100.0 * (double)h->n || want == 0)
		want++;
	for (b = 0; b < HIST_BUCKETS; b++) {
		seen += h->count[b];
		if (seen >= want)
			return hist_lower(b) < h->max ? hist_lower(b) : h->max;
	}
	return h->max;
}
