/*
 * smsc.h - a scripted upstream SMSC for integration tests: the test
 * accepts smppconn's binds and sends it receipts and MO
 */
#ifndef SMSC_H
#define SMSC_H

#include <stdint.h>

#include "harness.h"

int	 smsc_listen(int);
void	 smsc_accept(struct tc *, int, const char *);
void	 smsc_next(struct tc *, uint32_t);
void	 smsc_answer_submit(struct tc *, uint32_t, const char *);
void	 smsc_deliver(struct tc *, const char *, const char *, uint8_t,
	    const char *, const char *, int);

#endif /* SMSC_H */
