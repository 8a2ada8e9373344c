/*
 * load.h - a load generator for the integration tests: several
 * transceiver binds, each with a window of submit_sm, counting the
 * acknowledged messages and the receipts that come back
 */
#ifndef LOAD_H
#define LOAD_H

#include <stdint.h>

struct load {
	/* what to do */
	int		 port;
	const char	*user;
	const char	*password;
	int		 binds;
	int		 window;
	int		 total;		/* submit_sm to send */
	int		 rate;		/* per second over all binds; 0: max */
	uint8_t		 registered_delivery;
	const char	*dest;
	int		 receipt_ms;	/* wait for receipts after the last ack */
	int		 grace_ms;	/* read on after the last receipt for
					   duplicates; 0: 1000, < 0: none */
	int		 reconnect;	/* a closed bind connects again and
					   its unanswered submit_sm are sent
					   anew (else a close fails) */
	void		(*hook)(struct load *, int);	/* after each ack */
	void		(*tick)(struct load *);		/* each turn */
	void		*arg;

	/* what happened */
	int		 sent;
	int		 acked;		/* submit_sm_resp OK */
	int		 rejected;
	int		 receipts;	/* deliver_sm received */
	int		 distinct;	/* acked ids with a receipt */
	int		 dups;		/* receipts beyond the first per id */
	int		 unknown;	/* receipts for ids never acked */
	int		 lost;		/* acked ids without a receipt */
	int		 reconnects;
	double		 submit_s;	/* first submit to last ack */
	double		 receipt_s;	/* first submit to last first receipt */
	double		 lat_p50_ms;	/* submit to receipt */
	double		 lat_p99_ms;
	double		 lat_max_ms;
};

int	 load_run(struct load *);
void	 load_print(const struct load *, const char *);

#endif /* LOAD_H */
