/*
 * pdu_samples.h - valid PDUs of every SMPP v3.4 command with every field
 * set, and a field-by-field comparison, shared by the PDU tests, the fuzz
 * target and its corpus generator
 */
#ifndef PDU_SAMPLES_H
#define PDU_SAMPLES_H

#include <stddef.h>

#include "pdu.h"

int	 sample_make(int, struct pdu *);
const char *sample_name(int);
int	 sample_equal(const struct pdu *, const struct pdu *, char *, size_t);

#endif /* PDU_SAMPLES_H */
