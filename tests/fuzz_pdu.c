/*
 * fuzz_pdu.c - libFuzzer target for the PDU decoder
 *
 * SYNOPSIS
 *	./fuzz_pdu [libFuzzer options] corpus-dir
 *
 * DESCRIPTION
 *	Each input is read as a stream of PDUs the way the server reads a
 *	socket: the header is checked with pdu_header(), then exactly
 *	command_length octets are copied into a buffer of that size (so
 *	that AddressSanitizer sees any read past it) and decoded.  When a
 *	PDU decodes, pdu_check() and pdu_dump() run over it, it is encoded
 *	again, the encoding must equal the input (or be its bare header
 *	when the spec omits an error response's body) and decode to the
 *	same fields.  Any difference aborts.  See tests/fuzz/README.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "pdu.h"
#include "pdu_samples.h"

static int
body_omitted(const struct pdu *p)
{
	switch (p->command_id) {
	case SMPP_BIND_RECEIVER_RESP:
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_TRANSCEIVER_RESP:
	case SMPP_SUBMIT_SM_RESP:
	case SMPP_DELIVER_SM_RESP:
	case SMPP_QUERY_SM_RESP:
		return p->command_status != ESME_ROK;
	default:
		return 0;
	}
}

static void
roundtrip(const uint8_t *buf, size_t len, struct pdu *p)
{
	static struct pdu	 q;
	uint8_t			*out;
	char			 why[64];
	size_t			 n;
	int			 w;

	n = pdu_encoded_len(p);
	if (n == 0 || (out = malloc(n)) == NULL)
		abort();
	if ((w = pdu_encode(p, out, n)) < 0 || (size_t)w != n)
		abort();
	if (n == len) {
		if (memcmp(out, buf, len) != 0)
			abort();
	} else if (n != PDU_HEADER_LEN || !body_omitted(p) ||
	    memcmp(out + 4, buf + 4, PDU_HEADER_LEN - 4) != 0)
		abort();
	if (pdu_decode(out, n, &q) != ESME_ROK)
		abort();
	if (n == len && !sample_equal(p, &q, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		abort();
	}
	pdu_free(&q);
	free(out);
}

static void
one(const uint8_t *buf, size_t len)
{
	static struct pdu	 p;
	uint8_t			*copy;

	copy = fuzz_copy(buf, len);
	if (pdu_decode(copy, len, &p) == ESME_ROK) {
		(void)pdu_check(&p);
		(void)pdu_dump(fuzz_devnull(), &p, PDU_DUMP_HEX);
		roundtrip(copy, len, &p);
	}
	pdu_free(&p);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdu_hdr	 h;

	/* The first PDU also goes in whole, mismatched length and all. */
	if (size < 1024)
		one(data, size);
	while (size >= PDU_HEADER_LEN &&
	    pdu_header(data, size, &h, 0) == ESME_ROK &&
	    h.command_length <= size) {
		one(data, h.command_length);
		data += h.command_length;
		size -= h.command_length;
	}
	return 0;
}
