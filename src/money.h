/*
 * money.h - exact amounts: int64 micro-units and their text (money.c)
 */
#ifndef MONEY_H
#define MONEY_H

#include <stddef.h>
#include <stdint.h>

#ifndef MICRO
#define MICRO		1000000LL	/* money: micro-units, exact */
#endif

int	 money_parse(const char *, int64_t *);
int	 money_format(char *, size_t, int64_t);

#endif /* MONEY_H */
