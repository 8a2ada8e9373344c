/*
 * fuzz_corpus.c - writes the seed corpus of fuzz_pdu
 *
 * SYNOPSIS
 *	fuzz_corpus dir
 *
 * DESCRIPTION
 *	Encodes every sample PDU of pdu_samples.c into dir/NAME, a few
 *	variants (header-only responses, a PDU whose short_message carries a
 *	UDH) and one stream of several PDUs back to back, as a session sends
 *	them.  The files are committed in tests/fuzz/corpus/; this program
 *	only regenerates them.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"
#include "pdu_samples.h"

static uint8_t	 stream[8192];
static size_t	 streamlen;

static void
put(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char	 path[1024];
	FILE	*fp;
	int	 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		errx(1, "%s/%s: path too long", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	if (fwrite(buf, 1, len, fp) != len || fclose(fp) == EOF)
		err(1, "%s", path);
}

static void
put_pdu(const char *dir, const char *name, const struct pdu *p)
{
	uint8_t	 buf[4096];
	int	 n;

	if ((n = pdu_encode(p, buf, sizeof(buf))) < 0)
		errx(1, "%s: cannot encode", name);
	put(dir, name, buf, (size_t)n);
	if (streamlen + (size_t)n <= sizeof(stream)) {
		memcpy(stream + streamlen, buf, (size_t)n);
		streamlen += (size_t)n;
	}
}

static void
variants(const char *dir)
{
	static const uint8_t	 udh[] = { 0x05, 0x00, 0x03, 0x2a, 0x02, 0x01,
	    'p', 'a', 'r', 't' };
	struct pdu		 p;
	uint8_t			 buf[64];
	int			 n;

	n = pdu_encode_resp(SMPP_DELIVER_SM, ESME_ROK, 7, buf, sizeof(buf));
	put(dir, "deliver_sm_resp_empty", buf, (size_t)n);
	n = pdu_encode_resp(SMPP_SUBMIT_SM, ESME_RTHROTTLED, 8, buf,
	    sizeof(buf));
	put(dir, "submit_sm_resp_throttled", buf, (size_t)n);
	n = pdu_encode_resp(SMPP_GENERIC_NACK, ESME_RINVCMDLEN, 0, buf,
	    sizeof(buf));
	put(dir, "generic_nack_cmdlen", buf, (size_t)n);
	pdu_init(&p, SMPP_SUBMIT_SM, 9);
	p.source_addr = "1";
	p.destination_addr = "2";
	p.esm_class = ESM_UDHI;
	p.sm_length = sizeof(udh);
	p.short_message = udh;
	put_pdu(dir, "submit_sm_udh", &p);
}

int
main(int argc, char *argv[])
{
	struct pdu	 p;
	int		 i;

	if (argc != 2)
		errx(2, "usage: fuzz_corpus dir");
	for (i = 0; sample_make(i, &p) == 0; i++)
		put_pdu(argv[1], sample_name(i), &p);
	variants(argv[1]);
	put(argv[1], "stream", stream, streamlen);
	return 0;
}
