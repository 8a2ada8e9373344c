/*
 * smppsend.c - smppsend(1): bind, send one (long, unicode) message, wait
 * for its receipts or listen for deliver_sm
 *
 * SYNOPSIS
 *	smppsend [-lrvw] [-b bind] [-c coding] [-d dest] [-F file]
 *	    [-h host] [-n count] [-o tag=hex] [-P password] [-p port]
 *	    [-S system_type] [-s source] [-t timeout] [-u system_id]
 *	    [text ...]
 *
 * DESCRIPTION
 *	One blocking ESME session (esme.c): connect, bind, one submit_sm
 *	per part, each answered before the next goes, then, on request,
 *	a wait for the parts' receipts or a loop printing every deliver_sm.
 *	The text is UTF-8 from the arguments or stdin; charset.c encodes
 *	it and sms.c cuts it into parts.  Receipts are matched to parts by
 *	receipted_message_id, else by the id: of the receipt text, both
 *	through dlr_id_equal(), which tolerates the hex/decimal renderings
 *	real SMSCs use.
 *
 *	A deliver_sm that is not ours (a receipt of another message while
 *	we wait for ours, or anything while we only send) is answered
 *	ESME_RX_T_APPN, so that the server keeps it for a later bind.
 *
 * DIAGNOSTICS
 *	One line on stderr and an exit status of sysexits(3), see EXIT
 *	STATUS in smppsend(1): EX_USAGE, EX_DATAERR (the text cannot be
 *	encoded), EX_NOINPUT (password file), EX_UNAVAILABLE (connection),
 *	EX_PROTOCOL (submit_sm rejected), EX_TEMPFAIL (timeout), EX_NOPERM
 *	(bind rejected), 1 (a receipt that is not DELIVRD).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "buf.h"
#include "charset.h"
#include "client.h"
#include "compat.h"
#include "dlr.h"
#include "esme.h"
#include "pdu.h"
#include "smpptime.h"
#include "sms.h"

#define TEXT_MAX	(1024 * 1024)	/* octets of text read at most */
#define CONTENT_MAX	65535		/* encoded octets: message_payload */
#define USER_TLV_MAX	16
#define EX_NOTDELIVERED	1

struct user_tlv {
	uint16_t	 tag;
	uint16_t	 len;
	uint8_t		*val;
};

struct opts {
	const char	*host;
	int		 port;
	const char	*user;
	char		 password[PDU_PASSWORD_MAX];
	const char	*system_type;
	uint32_t	 bind;			/* 0: by mode */
	int		 connect_ms;
	int		 timeout_ms;
	const char	*source;
	const char	*dest;
	int		 ton[2], npi[2];	/* source, destination */
	int		 coding;		/* CHARSET_AUTO or a dc */
	int		 regdlv;		/* -1: by mode */
	char		 validity[PDU_TIME_MAX];
	char		 schedule[PDU_TIME_MAX];
	int		 priority;
	const char	*service_type;
	int		 protocol_id;
	struct user_tlv	 tlv[USER_TLV_MAX];
	int		 ntlv;
	enum sms_concat	 concat;
	int		 payload;
	int		 wait_dlr;
	int		 dlr_timeout_ms;
	int		 listen;
	long long	 count;
	int		 verbose;
};

/* One part sent, and what its receipt said. */
struct part {
	char	 id[PDU_MESSAGE_ID_MAX];
	int	 receipted;
	int	 delivered;
};

struct run {
	struct opts	*o;
	struct esme	 e;
	struct part	*parts;
	int		 nparts;	/* submitted so far */
	int		 ntotal;
	int		 nreceipts;	/* parts with their receipt */
	long long	 listened;	/* deliver_sm printed by --listen */
};

static void __attribute__((noreturn))
usage_exit(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: smppsend [-lrvw] [-b tx|rx|trx] [-c coding] [-d dest] "
	    "[-F file] [-h host]\n"
	    "\t[-n count] [-o tag=hex] [-P password] [-p port] "
	    "[-S system_type]\n"
	    "\t[-s source] [-t timeout] [-u system_id] [text ...]\n"
	    "\tlong options: see smppsend(1)\n");
	exit(status);
}

static void __attribute__((noreturn))
usage(void)
{
	usage_exit(EX_USAGE);
}

/* "+90", "+10m", "+2h", "+1d" or an SMPP time as it is. */
static void
parse_time(const char *s, char *out, size_t cap, const char *what)
{
	char		*end;
	long		 v, mul = 1;

	if (s[0] != '+') {
		if (strlen(s) >= cap || !smpptime_valid(s))
			errx(EX_USAGE, "%s: %s is neither +N[smhd] nor an "
			    "SMPP time (YYMMDDhhmmsstnnp)", what, s);
		strlcpy(out, s, cap);
		return;
	}
	errno = 0;
	v = strtol(s + 1, &end, 10);
	switch (*end) {
	case 'd':
		mul *= 24;
		/* FALLTHROUGH */
	case 'h':
		mul *= 60;
		/* FALLTHROUGH */
	case 'm':
		mul *= 60;
		/* FALLTHROUGH */
	case 's':
		end++;
		break;
	}
	if (errno != 0 || end == s + 1 || *end != '\0' || v < 0 ||
	    v > 3153600000L / mul ||
	    smpptime_format_rel(out, cap, v * mul) == -1)
		errx(EX_USAGE, "%s: bad relative time %s", what, s);
}

/* -o tag=hex: a TLV by name or number, value in hex (may be empty). */
static void
parse_tlv(struct opts *o, const char *arg)
{
	struct user_tlv	*t;
	const char	*eq = strchr(arg, '=');
	char		 name[64];
	long long	 n;
	size_t		 hexlen;
	int		 len;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name))
		errx(EX_USAGE, "-o %s: want tag=hex", arg);
	if (o->ntlv == USER_TLV_MAX)
		errx(EX_USAGE, "-o: at most %d TLVs", USER_TLV_MAX);
	t = &o->tlv[o->ntlv];
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (pdu_tlv_parse_name(name, &t->tag) == -1) {
		if (client_number(name, 1, 0xFFFF, &n) == -1)
			errx(EX_USAGE, "-o: unknown TLV %s", name);
		t->tag = (uint16_t)n;
	}
	hexlen = strlen(eq + 1);
	if (hexlen / 2 > CONTENT_MAX)
		errx(EX_USAGE, "-o %s: value too long", name);
	if ((t->val = malloc(hexlen / 2 + 1)) == NULL)
		err(EX_OSERR, "malloc");
	if ((len = buf_hex_decode(eq + 1, hexlen, t->val, hexlen / 2)) == -1)
		errx(EX_USAGE, "-o %s: the value is not hex", name);
	t->len = (uint16_t)len;
	o->ntlv++;
}

enum {
	OPT_SRC_TON = 256, OPT_SRC_NPI, OPT_DST_TON, OPT_DST_NPI,
	OPT_REGDLV, OPT_VALIDITY, OPT_SCHEDULE, OPT_PRIORITY, OPT_UDH,
	OPT_UDH16, OPT_SAR, OPT_PAYLOAD, OPT_DLR_TIMEOUT, OPT_CONNECT_TIMEOUT,
	OPT_SERVICE_TYPE, OPT_PROTOCOL_ID, OPT_HELP
};

static const struct option longopts[] = {
	{ "bind", required_argument, NULL, 'b' },
	{ "coding", required_argument, NULL, 'c' },
	{ "dest", required_argument, NULL, 'd' },
	{ "password-file", required_argument, NULL, 'F' },
	{ "host", required_argument, NULL, 'h' },
	{ "listen", no_argument, NULL, 'l' },
	{ "count", required_argument, NULL, 'n' },
	{ "tlv", required_argument, NULL, 'o' },
	{ "password", required_argument, NULL, 'P' },
	{ "port", required_argument, NULL, 'p' },
	{ "receipt", no_argument, NULL, 'r' },
	{ "system-type", required_argument, NULL, 'S' },
	{ "source", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "wait-dlr", no_argument, NULL, 'w' },
	{ "src-ton", required_argument, NULL, OPT_SRC_TON },
	{ "src-npi", required_argument, NULL, OPT_SRC_NPI },
	{ "dst-ton", required_argument, NULL, OPT_DST_TON },
	{ "dst-npi", required_argument, NULL, OPT_DST_NPI },
	{ "registered-delivery", required_argument, NULL, OPT_REGDLV },
	{ "validity", required_argument, NULL, OPT_VALIDITY },
	{ "schedule", required_argument, NULL, OPT_SCHEDULE },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "udh", no_argument, NULL, OPT_UDH },
	{ "udh16", no_argument, NULL, OPT_UDH16 },
	{ "sar", no_argument, NULL, OPT_SAR },
	{ "payload", no_argument, NULL, OPT_PAYLOAD },
	{ "dlr-timeout", required_argument, NULL, OPT_DLR_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "service-type", required_argument, NULL, OPT_SERVICE_TYPE },
	{ "protocol-id", required_argument, NULL, OPT_PROTOCOL_ID },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static void
opts_defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = CLIENT_PORT_DEFAULT;
	o->user = "";
	o->system_type = "";
	o->connect_ms = 10000;
	o->timeout_ms = 10000;
	o->source = "";
	o->dest = NULL;
	o->coding = CHARSET_AUTO;
	o->regdlv = -1;
	o->service_type = "";
	o->concat = SMS_CONCAT_UDH8;
	o->dlr_timeout_ms = 60000;
}

static void
opt_long(struct opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_SRC_TON:
	case OPT_DST_TON:
		o->ton[ch == OPT_DST_TON] = (int)client_arg(arg, 0, 255, "TON");
		break;
	case OPT_SRC_NPI:
	case OPT_DST_NPI:
		o->npi[ch == OPT_DST_NPI] = (int)client_arg(arg, 0, 255, "NPI");
		break;
	case OPT_REGDLV:
		o->regdlv = (int)client_arg(arg, 0, 255, "registered_delivery");
		break;
	case OPT_VALIDITY:
		parse_time(arg, o->validity, sizeof(o->validity), "validity");
		break;
	case OPT_SCHEDULE:
		parse_time(arg, o->schedule, sizeof(o->schedule), "schedule");
		break;
	case OPT_PRIORITY:
		o->priority = (int)client_arg(arg, 0, 3, "priority");
		break;
	case OPT_UDH:
	case OPT_UDH16:
	case OPT_SAR:
		o->concat = ch == OPT_UDH ? SMS_CONCAT_UDH8 :
		    ch == OPT_UDH16 ? SMS_CONCAT_UDH16 : SMS_CONCAT_SAR;
		o->payload = 0;
		break;
	case OPT_PAYLOAD:
		o->payload = 1;
		break;
	case OPT_DLR_TIMEOUT:
		o->dlr_timeout_ms = (int)client_arg(arg, 1, 86400, "dlr-timeout") *
		    1000;
		break;
	case OPT_CONNECT_TIMEOUT:
		o->connect_ms = (int)client_arg(arg, 1, 3600, "connect-timeout") *
		    1000;
		break;
	case OPT_SERVICE_TYPE:
		if (strlen(arg) >= PDU_SERVICE_TYPE_MAX)
			errx(EX_USAGE, "service type %s too long", arg);
		o->service_type = arg;
		break;
	case OPT_PROTOCOL_ID:
		o->protocol_id = (int)client_arg(arg, 0, 255, "protocol-id");
		break;
	case OPT_HELP:
		usage_exit(0);
	default:
		usage();
	}
}

static void
opt_short(struct opts *o, int ch, const char **pwarg, const char **pwfile)
{
	switch (ch) {
	case 'b':
		if ((o->bind = client_bind_cmd(optarg)) == 0)
			errx(EX_USAGE, "-b %s: want tx, rx or trx", optarg);
		break;
	case 'c':
		o->coding = charset_parse_name(optarg);
		if (o->coding == CHARSET_UNKNOWN)
			errx(EX_USAGE, "-c %s: want auto, gsm, ascii, latin1, "
			    "ucs2, binary or a number", optarg);
		break;
	case 'd':
		o->dest = optarg;
		break;
	case 'F':
		*pwfile = optarg;
		break;
	case 'h':
		o->host = optarg;
		break;
	case 'l':
		o->listen = 1;
		break;
	case 'n':
		o->count = client_arg(optarg, 1, LLONG_MAX, "-n");
		break;
	case 'o':
		parse_tlv(o, optarg);
		break;
	case 'P':
		*pwarg = optarg;
		break;
	case 'p':
		o->port = (int)client_arg(optarg, 1, 65535, "port");
		break;
	case 'r':
		o->regdlv = 1;
		break;
	case 'S':
		o->system_type = optarg;
		break;
	case 's':
		o->source = optarg;
		break;
	case 't':
		o->timeout_ms = (int)client_arg(optarg, 1, 3600, "timeout") * 1000;
		break;
	case 'u':
		o->user = optarg;
		break;
	case 'v':
		o->verbose++;
		break;
	case 'w':
		o->wait_dlr = 1;
		break;
	default:
		opt_long(o, ch, optarg);
	}
}

static void
opts_parse(struct opts *o, int argc, char **argv)
{
	const char	*pwarg = NULL, *pwfile = NULL;
	int		 ch;

	opts_defaults(o);
	while ((ch = getopt_long(argc, argv, "b:c:d:F:h:ln:o:P:p:rS:s:t:u:vw",
	    longopts, NULL)) != -1)
		opt_short(o, ch, &pwarg, &pwfile);
	if (client_password(pwarg, pwfile, o->password,
	    sizeof(o->password)) == -1) {
		if (errno == ENAMETOOLONG)
			errx(EX_USAGE, "password longer than %d characters",
			    PDU_PASSWORD_MAX - 1);
		err(EX_NOINPUT, "%s", pwfile);
	}
	if (strlen(o->user) >= PDU_SYSTEM_ID_MAX ||
	    strlen(o->system_type) >= PDU_SYSTEM_TYPE_MAX)
		errx(EX_USAGE, "system_id or system_type too long");
	if (strlen(o->source) >= PDU_ADDR_MAX_LONG ||
	    (o->dest != NULL && strlen(o->dest) >= PDU_ADDR_MAX_LONG))
		errx(EX_USAGE, "address longer than %d characters",
		    PDU_ADDR_MAX_LONG - 1);
	if (o->wait_dlr && o->listen)
		errx(EX_USAGE, "--wait-dlr and --listen exclude each other");
	if (o->wait_dlr && o->regdlv == -1)
		o->regdlv = 1;
	if (o->bind == 0)
		o->bind = o->wait_dlr || o->listen ? SMPP_BIND_TRANSCEIVER :
		    SMPP_BIND_TRANSMITTER;
	if ((o->wait_dlr || o->listen) && o->bind == SMPP_BIND_TRANSMITTER)
		errx(EX_USAGE, "a transmitter receives nothing: use -b trx");
	if ((!o->listen || argc > optind) && o->bind == SMPP_BIND_RECEIVER)
		errx(EX_USAGE, "a receiver cannot send: use -b trx");
}

/* ---- tracing (-v) ---- */

/* A bind's password becomes stars before it is shown. */
static void
mask_password(uint8_t *raw, size_t len)
{
	uint32_t	 cmd;
	size_t		 i = PDU_HEADER_LEN;

	cmd = (uint32_t)raw[4] << 24 | raw[5] << 16 | raw[6] << 8 | raw[7];
	if (cmd != SMPP_BIND_TRANSMITTER && cmd != SMPP_BIND_RECEIVER &&
	    cmd != SMPP_BIND_TRANSCEIVER)
		return;
	while (i < len && raw[i] != '\0')
		i++;
	for (i++; i < len && raw[i] != '\0'; i++)
		raw[i] = '*';
}

static void
trace(void *arg, int dir, const uint8_t *pdu, size_t len)
{
	struct opts	*o = arg;
	struct pdu	 p;
	uint8_t		*copy;
	uint32_t	 st;

	if ((copy = malloc(len)) == NULL)
		return;
	memcpy(copy, pdu, len);
	mask_password(copy, len);
	fprintf(stderr, "%s ", dir == ESME_TRACE_OUT ? ">>>" : "<<<");
	st = pdu_decode(copy, len, &p);
	pdu_dump(stderr, &p, 0);
	if (st != ESME_ROK)
		fprintf(stderr, "  (malformed: %s)\n", pdu_status_name(st));
	if (o->verbose > 1)
		pdu_dump_hex(stderr, copy, len);
	pdu_free(&p);
	free(copy);
	fflush(stderr);
}

/* ---- the message ---- */

/* Encode the text; returns the data_coding, the octets in out. */
static int
encode_text(const struct opts *o, const char *text, size_t len,
    uint8_t *out, size_t cap, size_t *outlen)
{
	ssize_t	 n;
	int	 dc = o->coding;

	if (dc == CHARSET_AUTO && (dc = charset_choose(text, len)) == -1)
		errx(EX_DATAERR, "the text is not UTF-8");
	if ((n = charset_encode(dc, text, len, out, cap)) == -1) {
		if (charset_alphabet(dc) == DC_BINARY)
			errx(EX_DATAERR, "binary content must be hex digits, "
			    "at most %zu octets", cap);
		errx(EX_DATAERR, "the text cannot be encoded as %s (or is "
		    "longer than %zu octets)", charset_name(dc), cap);
	}
	*outlen = (size_t)n;
	return dc;
}

/* Fields of every part: addresses, times, flags and -o TLVs. */
static void
submit_fields(const struct opts *o, struct pdu *p, int dc)
{
	int	 i;

	pdu_init(p, SMPP_SUBMIT_SM, 0);
	p->service_type = o->service_type;
	p->source_addr_ton = (uint8_t)o->ton[0];
	p->source_addr_npi = (uint8_t)o->npi[0];
	p->source_addr = o->source;
	p->dest_addr_ton = (uint8_t)o->ton[1];
	p->dest_addr_npi = (uint8_t)o->npi[1];
	p->destination_addr = o->dest;
	p->protocol_id = (uint8_t)o->protocol_id;
	p->priority_flag = (uint8_t)o->priority;
	p->schedule_delivery_time = o->schedule;
	p->validity_period = o->validity;
	p->registered_delivery = (uint8_t)(o->regdlv < 0 ? 0 : o->regdlv);
	p->data_coding = (uint8_t)dc;
	for (i = 0; i < o->ntlv; i++)
		pdu_tlv_add(p, o->tlv[i].tag, o->tlv[i].len, o->tlv[i].val);
}

/* ---- receipts and deliver_sm ---- */

/*
 * Text from the network, made safe for one line of a terminal.  A
 * field (ascii set: an address, an id) keeps printable ASCII but for
 * the space; a text (UTF-8 from charset_decode()) keeps all but the C0
 * and C1 controls and DEL, as a terminal may act on them.
 */
static void
put_escaped(FILE *fp, const char *s, size_t n, int ascii)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (c == '\\')
			fputs("\\\\", fp);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\r')
			fputs("\\r", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f || (ascii && (c == ' ' ||
		    c > 0x7f)))
			fprintf(fp, "\\x%02x", c);
		else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] < 0xa0)
			fprintf(fp, "\\u%04x", (unsigned char)s[++i]);
		else
			fputc(c, fp);
	}
}

static void
put_date(FILE *fp, const char *key, time_t t)
{
	struct tm	 tm;
	char		 s[32];

	if (t == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%MZ", &tm) == 0)
		strlcpy(s, "-", sizeof(s));
	fprintf(fp, " %s=%s", key, s);
}

/* A receipt's fields from its text and TLVs; 0 or -1 (not a receipt). */
static int
receipt_parse(const struct pdu *p, struct dlr *d, char *rid, size_t ridlen)
{
	const uint8_t	*data;
	char		 text[1024];
	size_t		 len;
	uint32_t	 state;

	if ((p->esm_class & ESM_TYPE_MASK) != ESM_TYPE_RECEIPT &&
	    (p->esm_class & ESM_TYPE_MASK) != ESM_TYPE_INTERMEDIATE)
		return -1;
	data = pdu_content(p, &len, NULL);
	/*
	 * Receipt text is ASCII in practice whatever data_coding says;
	 * read as GSM, the '_' of an id would become a section sign.
	 */
	if (charset_alphabet(p->data_coding) == DC_UCS2)
		len = charset_decode(DC_UCS2, data, len, text, sizeof(text));
	else {
		len = len < sizeof(text) ? len : sizeof(text) - 1;
		memcpy(text, data, len);
	}
	if (dlr_parse(text, len, d) == -1) {
		memset(d, 0, sizeof(*d));
		d->err = -1;
	}
	if (pdu_tlv_str(p, TLV_RECEIPTED_MESSAGE_ID, rid, ridlen) == -1)
		strlcpy(rid, d->id, ridlen);
	if (d->stat[0] == '\0' &&
	    pdu_tlv_uint(p, TLV_MESSAGE_STATE, &state) == 0)
		strlcpy(d->stat, dlr_state_stat((int)state), sizeof(d->stat));
	return rid[0] != '\0' ? 0 : -1;
}

static void
put_field(const char *key, const char *value)
{
	printf(" %s=", key);
	put_escaped(stdout, value, strlen(value), 1);
}

static void
print_addrs(const struct pdu *p)
{
	put_field("src", p->source_addr);
	put_field("dst", p->destination_addr);
}

static void
print_receipt(const struct pdu *p, const struct dlr *d, const char *rid,
    int part, int total)
{
	printf("receipt");
	put_field("id", rid);
	put_field("stat", d->stat[0] ? d->stat : "-");
	if (d->err >= 0)
		printf(" err=%03d", d->err);
	else
		printf(" err=-");
	put_date(stdout, "submit_date", d->submit_date);
	put_date(stdout, "done_date", d->done_date);
	if (part > 0)
		printf(" part=%d/%d", part, total);
	print_addrs(p);
	printf("\n");
	fflush(stdout);
}

/* One line for an MO (or any deliver_sm that is not a receipt). */
static void
print_mo(const struct pdu *p)
{
	static char		 text[CONTENT_MAX * 3 + 1];
	struct sms_concat_info	 ci;
	const uint8_t		*data;
	size_t			 len, hdr = 0, n;
	int			 cat = 0;

	data = pdu_content(p, &len, NULL);
	if ((p->esm_class & ESM_UDHI) && (cat = sms_udh_parse(data, len, &ci,
	    &hdr)) == -1)
		hdr = 0;
	else if (!(p->esm_class & ESM_UDHI))
		cat = sms_sar_parse(p, &ci);
	n = charset_decode(p->data_coding, data + hdr, len - hdr, text,
	    sizeof(text));
	printf("deliver_sm");
	print_addrs(p);
	printf(" dc=0x%02x esm=0x%02x", p->data_coding, p->esm_class);
	if (cat == 1)
		printf(" part=%u/%u ref=%u", ci.seq, ci.total, ci.ref);
	printf(" text=");
	put_escaped(stdout, text, n, 0);
	printf("\n");
	fflush(stdout);
}

/* The part a receipt is for: its index, or -1. */
static int
part_of(const struct run *r, const char *rid)
{
	int	 i;

	for (i = 0; i < r->nparts; i++)
		if (dlr_id_equal(r->parts[i].id, rid))
			return i;
	return -1;
}

/* A deliver_sm while we send or wait: ours, or kept for later. */
static void
on_deliver(struct esme *e, const struct pdu *p, void *arg)
{
	struct run	*r = arg;
	struct dlr	 d;
	char		 rid[PDU_MESSAGE_ID_MAX];
	int		 i = -1;

	if (p->command_id != SMPP_DELIVER_SM) {
		esme_default(e, p, ESME_ROK);
		return;
	}
	if (r->o->listen) {
		if (receipt_parse(p, &d, rid, sizeof(rid)) == 0)
			print_receipt(p, &d, rid, 0, 0);
		else
			print_mo(p);
		r->listened++;
		esme_queue_resp(e, SMPP_DELIVER_SM, ESME_ROK,
		    p->sequence_number);
		return;
	}
	if (!r->o->wait_dlr || receipt_parse(p, &d, rid, sizeof(rid)) == -1 ||
	    (i = part_of(r, rid)) == -1 || r->parts[i].receipted) {
		esme_queue_resp(e, SMPP_DELIVER_SM, ESME_RX_T_APPN,
		    p->sequence_number);
		return;
	}
	esme_queue_resp(e, SMPP_DELIVER_SM, ESME_ROK, p->sequence_number);
	print_receipt(p, &d, rid, i + 1, r->ntotal);
	/* Intermediate notifications are shown but do not settle. */
	if ((p->esm_class & ESM_TYPE_MASK) == ESM_TYPE_INTERMEDIATE)
		return;
	r->parts[i].receipted = 1;
	r->parts[i].delivered = strcmp(d.stat, "DELIVRD") == 0;
	r->nreceipts++;
}

/* ---- the session ---- */

static int
fail_exit(const struct esme *e)
{
	switch (e->fail) {
	case ESME_FAIL_TIMEOUT:
		return EX_TEMPFAIL;
	case ESME_FAIL_NOMEM:
		return EX_SOFTWARE;
	default:
		return EX_UNAVAILABLE;
	}
}

static void
session_open(struct run *r)
{
	struct opts	*o = r->o;
	uint32_t	 st;

	esme_init(&r->e);
	if (o->verbose) {
		r->e.trace = trace;
		r->e.trace_arg = o;
	}
	if (esme_connect(&r->e, o->host, o->port, o->connect_ms) == -1)
		errx(EX_UNAVAILABLE, "%s", r->e.err);
	if (esme_bind(&r->e, o->bind, o->user, o->password, o->system_type,
	    o->timeout_ms, &st) == -1)
		errx(fail_exit(&r->e), "%s: %s", pdu_command_name(o->bind),
		    r->e.err);
	explicit_bzero(o->password, sizeof(o->password));
	if (st != ESME_ROK)
		errx(EX_NOPERM, "%s as %s refused: %s (%s)",
		    pdu_command_name(o->bind), o->user, pdu_status_name(st),
		    pdu_status_text(st));
}

/* Submit one part; its message_id goes into r->parts and stdout. */
static void
submit_one(struct run *r, struct pdu *req, int seq)
{
	struct pdu	 resp;
	uint32_t	 st;

	req->sequence_number = 0;
	if (esme_transact(&r->e, req, &resp, r->o->timeout_ms, on_deliver,
	    r) == -1)
		errx(fail_exit(&r->e), "submit_sm part %d/%d: %s", seq,
		    r->ntotal, r->e.err);
	st = resp.command_status;
	if (st != ESME_ROK)
		errx(EX_PROTOCOL, "submit_sm part %d/%d refused: %s (%s)",
		    seq, r->ntotal, pdu_status_name(st), pdu_status_text(st));
	if (resp.command_id != SMPP_SUBMIT_SM_RESP)
		errx(EX_PROTOCOL, "submit_sm part %d/%d answered by %s", seq,
		    r->ntotal, pdu_command_name(resp.command_id));
	strlcpy(r->parts[r->nparts].id, resp.message_id ? resp.message_id :
	    "", sizeof(r->parts[0].id));
	r->nparts++;
	printf("%s\n", resp.message_id ? resp.message_id : "");
	fflush(stdout);
}

static void
alloc_parts(struct run *r, int n)
{
	r->ntotal = n;
	if ((r->parts = calloc((size_t)n, sizeof(*r->parts))) == NULL)
		err(EX_OSERR, "calloc");
}

/* Split and submit: one part, UDH or SAR parts, or one payload. */
static void
send_message(struct run *r, const char *text, size_t textlen)
{
	static uint8_t		 data[CONTENT_MAX], sm[PDU_SM_MAX];
	struct sms_part		 parts[SMS_MAX_PARTS];
	struct pdu		 req;
	const struct opts	*o = r->o;
	uint8_t			 sar[4];
	size_t			 len, udhlen;
	uint16_t		 ref;
	int			 dc, n, i;

	dc = encode_text(o, text, textlen, data, sizeof(data), &len);
	submit_fields(o, &req, dc);
	if (o->payload) {
		alloc_parts(r, 1);
		pdu_tlv_add(&req, TLV_MESSAGE_PAYLOAD, (uint16_t)len, data);
		submit_one(r, &req, 1);
		return;
	}
	if ((n = sms_split(dc, data, len, o->concat, parts,
	    SMS_MAX_PARTS)) == -1)
		errx(EX_DATAERR, "the text needs more than %d parts",
		    SMS_MAX_PARTS);
	alloc_parts(r, n);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	ref = (uint16_t)(random() & (o->concat == SMS_CONCAT_UDH16 ?
	    0xFFFF : 0xFF));
	for (i = 0; i < n; i++) {
		submit_fields(o, &req, dc);
		udhlen = 0;
		if (n > 1 && o->concat == SMS_CONCAT_SAR) {
			sar[0] = ref >> 8;
			sar[1] = ref & 0xff;
			sar[2] = (uint8_t)n;
			sar[3] = (uint8_t)(i + 1);
			pdu_tlv_add(&req, TLV_SAR_MSG_REF_NUM, 2, sar);
			pdu_tlv_add(&req, TLV_SAR_TOTAL_SEGMENTS, 1, sar + 2);
			pdu_tlv_add(&req, TLV_SAR_SEGMENT_SEQNUM, 1, sar + 3);
		} else if (n > 1) {
			udhlen = sms_udh_build(sm, sizeof(sm), ref,
			    o->concat == SMS_CONCAT_UDH16, (uint8_t)n,
			    (uint8_t)(i + 1));
			req.esm_class |= ESM_UDHI;
		}
		memcpy(sm + udhlen, data + parts[i].off, parts[i].len);
		req.short_message = sm;
		req.sm_length = (uint8_t)(udhlen + parts[i].len);
		submit_one(r, &req, i + 1);
	}
}

/*
 * Take and handle what came in until done() or the deadline (0: none).
 * Returns 0 when done, else an exit status.
 */
static int
pump(struct run *r, int (*done)(const struct run *), long long deadline)
{
	struct pdu	 p;
	uint32_t	 st;
	long long	 left;
	int		 rc, dead = 0;

	for (;;) {
		while ((rc = esme_next(&r->e, &p, &st)) == 1) {
			if (p.command_id == SMPP_DELIVER_SM && st == ESME_ROK)
				on_deliver(&r->e, &p, r);
			else if (esme_default(&r->e, &p, st) == -1)
				dead = 1;
			pdu_free(&p);
			if (done(r))
				return 0;
		}
		if (rc == -1 || dead) {
			warnx("%s", r->e.err);
			return EX_UNAVAILABLE;
		}
		if (client_stop)
			return -1;
		if (esme_pending(&r->e) > 0 && esme_flush(&r->e) == -1)
			dead = 1;
		left = deadline ? (deadline - clock_mono_us()) / 1000 : 1000;
		if (left <= 0)
			return EX_TEMPFAIL;
		if (esme_wait(&r->e, left > 1000 ? 1000 : (int)left) == -1)
			dead = 1;	/* after what was read before */
	}
}

static int
all_receipted(const struct run *r)
{
	return r->nreceipts == r->ntotal;
}

static int
count_reached(const struct run *r)
{
	return r->o->count > 0 && r->listened >= r->o->count;
}

static int
wait_receipts(struct run *r)
{
	int	 i, rc, bad = 0;

	if (all_receipted(r))
		rc = 0;
	else
		rc = pump(r, all_receipted, clock_mono_us() +
		    (long long)r->o->dlr_timeout_ms * 1000);
	if (rc != 0) {
		warnx("%d of %d receipts arrived%s", r->nreceipts, r->ntotal,
		    rc == -1 ? " before the signal" : " in time");
		return rc == -1 || rc == EX_TEMPFAIL ? EX_TEMPFAIL : rc;
	}
	for (i = 0; i < r->ntotal; i++)
		bad += !r->parts[i].delivered;
	return bad ? EX_NOTDELIVERED : 0;
}

int
main(int argc, char **argv)
{
	struct opts	 o;
	struct run	 r;
	char		*text = NULL;
	size_t		 textlen = 0;
	int		 rc = 0;

	opts_parse(&o, argc, argv);
	argc -= optind;
	argv += optind;
	if (!o.listen || argc > 0) {
		if (o.dest == NULL)
			errx(EX_USAGE, "no destination: -d number");
		text = client_read_text(argc, argv, TEXT_MAX, &textlen);
	}
	client_signals();
	memset(&r, 0, sizeof(r));
	r.o = &o;
	session_open(&r);
	if (text != NULL)
		send_message(&r, text, textlen);
	if (o.wait_dlr)
		rc = wait_receipts(&r);
	else if (o.listen) {
		rc = pump(&r, count_reached, 0);
		if (rc == -1)
			rc = 0;
	}
	if (rc != EX_UNAVAILABLE && esme_unbind(&r.e, o.timeout_ms) == -1 &&
	    rc == 0)
		warnx("unbind: %s", r.e.err);
	esme_close(&r.e);
	free(r.parts);
	free(text);
	while (o.ntlv > 0)
		free(o.tlv[--o.ntlv].val);
	return rc;
}
