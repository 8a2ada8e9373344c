/*
 * hist.h - latency histograms: every value counted, percentiles within
 * 0.2 %, a fixed size whatever the count
 *
 * hist_init() allocates the buckets (0, or -1 when out of memory) and
 * hist_free() releases them; hist_add() cannot fail.  hist_pct(h, p)
 * is the smallest value v such that at least p % of the values are at
 * most v (0 for an empty histogram).
 */
#ifndef HIST_H
#define HIST_H

#include <stdint.h>

#define HIST_LINEAR	1024		/* values below: exact */
#define HIST_SUB	512		/* buckets per octave above */
#define HIST_OCTAVES	30		/* up to 2^40: 12 days in us */
#define HIST_BUCKETS	(HIST_LINEAR + HIST_OCTAVES * HIST_SUB)

struct hist {
	uint64_t	 n;
	uint64_t	 max;
	uint64_t	 sum;
	uint64_t	*count;		/* HIST_BUCKETS */
};

int	 hist_init(struct hist *);
void	 hist_free(struct hist *);
void	 hist_add(struct hist *, uint64_t);
uint64_t hist_pct(const struct hist *, double);

#endif /* HIST_H */
