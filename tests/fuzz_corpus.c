/*
 * fuzz_corpus.c - writes the seed corpora of fuzz_pdu and fuzz_record
 *
 * SYNOPSIS
 *	fuzz_corpus pdu-dir [record-dir]
 *
 * DESCRIPTION
 *	Encodes every sample PDU of pdu_samples.c into pdu-dir/NAME, a few
 *	variants (header-only responses, a PDU whose short_message carries a
 *	UDH) and one stream of several PDUs back to back, as a session sends
 *	them.  With record-dir, writes the spool records of the samples a
 *	spool holds, in fuzz_record's two forms: "body-NAME" (octet 1, then
 *	a record's body) and "segment" (octet 0, then every record back to
 *	back).  The files are committed in tests/fuzz/pdu/ and
 *	tests/fuzz/record/; this program only regenerates them.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compat.h"
#include "pdu.h"
#include "pdu_samples.h"
#include "record.h"

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

/* A record of the sample PDU i, of the kind its command implies. */
static int
put_record(const char *dir, int i, struct buf *seg)
{
	struct msg_meta	 m;
	struct pdu	 p;
	struct buf	 b = BUF_INITIALIZER;
	char		 name[64];
	size_t		 h;

	if (sample_make(i, &p) == -1 || (p.command_id != SMPP_SUBMIT_SM &&
	    p.command_id != SMPP_DATA_SM && p.command_id != SMPP_DELIVER_SM))
		return 0;
	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "smpps_01-0193a1b2c3d4e0000010000%d", i);
	m.kind = p.command_id == SMPP_DELIVER_SM ? MSG_DLR : MSG_MT;
	strlcpy(m.account, i % 2 ? "acme" : "acme 100%", sizeof(m.account));
	m.created_us = 1795933655123456LL;
	m.expires = i % 2 ? 0 : 1795933655 + 86400;
	m.attempts = i % 3;
	m.parts = 1;
	strlcpy(m.route, "sink", sizeof(m.route));
	if (m.kind == MSG_DLR)
		strlcpy(m.ref, "orig-1", sizeof(m.ref));
	if (buf_putc(&b, 1) == -1 || record_write(&b, &m, &p) == -1 ||
	    buf_append(seg, b.data + 1, b.len - 1) == -1)
		errx(1, "%s: cannot write a record", sample_name(i));
	h = strchr((char *)b.data + 1, '\n') - (char *)b.data;
	b.data[h] = 1;
	snprintf(name, sizeof(name), "body-%s", sample_name(i));
	put(dir, name, b.data + h, b.len - h);
	buf_free(&b);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct pdu	 p;
	struct buf	 seg = BUF_INITIALIZER;
	int		 i;

	if (argc != 2 && argc != 3)
		errx(2, "usage: fuzz_corpus pdu-dir [record-dir]");
	for (i = 0; sample_make(i, &p) == 0; i++)
		put_pdu(argv[1], sample_name(i), &p);
	variants(argv[1]);
	put(argv[1], "stream", stream, streamlen);
	if (argc == 2)
		return 0;
	if (buf_putc(&seg, 0) == -1)
		err(1, "segment");
	for (i = 0; sample_make(i, &p) == 0; i++)
		(void)put_record(argv[2], i, &seg);
	put(argv[2], "segment", seg.data, seg.len);
	buf_free(&seg);
	return 0;
}
