/*
 * check_pdu_tables.c - unit tests of the PDU tables and helpers
 * (pdu_command.c, pdu_status.c, pdu_tlv.c, pdu_dump.c): names, parsing,
 * TLV accessors, and a golden-file test of pdu_dump()
 *
 * The golden test decodes every PDU of data/pdu_dump.hex and compares
 * the dumps with data/pdu_dump.ref.  After a deliberate change of the
 * dump format, regenerate the reference with
 *	PDU_DUMP_REGEN=../../tests/data/pdu_dump.ref ./check_pdu_tables
 * and review the diff.
 */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"

START_TEST(test_command_names)
{
	ck_assert_str_eq(pdu_command_name(0x4), "submit_sm");
	ck_assert_str_eq(pdu_command_name(SMPP_GENERIC_NACK), "generic_nack");
	ck_assert_str_eq(pdu_command_name(SMPP_BIND_TRANSCEIVER_RESP),
	    "bind_transceiver_resp");
	ck_assert_str_eq(pdu_command_name(SMPP_ALERT_NOTIFICATION),
	    "alert_notification");
	ck_assert_str_eq(pdu_command_name(SMPP_DATA_SM_RESP), "data_sm_resp");
	ck_assert_str_eq(pdu_command_name(SMPP_OUTBIND), "outbind");
	ck_assert_str_eq(pdu_command_name(0x0000000A), "unknown");
	ck_assert_str_eq(pdu_command_name(0x80000102), "unknown");
}
END_TEST

START_TEST(test_status_table)
{
	static const uint32_t	 all[] = { ESME_ROK, ESME_RINVMSGLEN,
	    ESME_RINVCMDLEN, ESME_RINVCMDID, ESME_RINVBNDSTS, ESME_RALYBND,
	    ESME_RINVPRTFLG, ESME_RINVREGDLVFLG, ESME_RSYSERR, ESME_RINVSRCADR,
	    ESME_RINVDSTADR, ESME_RINVMSGID, ESME_RBINDFAIL, ESME_RINVPASWD,
	    ESME_RINVSYSID, ESME_RCANCELFAIL, ESME_RREPLACEFAIL,
	    ESME_RMSGQFUL, ESME_RINVSERTYP, ESME_RINVNUMDESTS,
	    ESME_RINVDLNAME, ESME_RINVDESTFLAG, ESME_RINVSUBREP,
	    ESME_RINVESMCLASS, ESME_RCNTSUBDL, ESME_RSUBMITFAIL,
	    ESME_RINVSRCTON, ESME_RINVSRCNPI, ESME_RINVDSTTON, ESME_RINVDSTNPI,
	    ESME_RINVSYSTYP, ESME_RINVREPFLAG, ESME_RINVNUMMSGS,
	    ESME_RTHROTTLED, ESME_RINVSCHED, ESME_RINVEXPIRY,
	    ESME_RINVDFTMSGID, ESME_RX_T_APPN, ESME_RX_P_APPN, ESME_RX_R_APPN,
	    ESME_RQUERYFAIL, ESME_RINVOPTPARSTREAM, ESME_ROPTPARNOTALLWD,
	    ESME_RINVPARLEN, ESME_RMISSINGOPTPARAM, ESME_RINVOPTPARAMVAL,
	    ESME_RDELIVERYFAILURE, ESME_RUNKNOWNERR };
	const struct pdu_status_info	*t;
	size_t				 i, n;
	uint32_t			 v;

	t = pdu_status_table(&n);
	ck_assert_uint_eq(n, sizeof(all) / sizeof(all[0]));
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(t[i].status, all[i]);
		ck_assert(strncmp(t[i].name, "ESME_R", 6) == 0);
		ck_assert_uint_gt(strlen(t[i].text), 5);
		ck_assert_str_eq(pdu_status_name(all[i]), t[i].name);
		ck_assert_str_eq(pdu_status_text(all[i]), t[i].text);
		ck_assert_int_eq(pdu_status_parse(t[i].name, &v), 0);
		ck_assert_uint_eq(v, all[i]);
		if (i > 0)
			ck_assert_uint_gt(t[i].status, t[i - 1].status);
	}
	ck_assert_str_eq(pdu_status_name(0x58), "ESME_RTHROTTLED");
	ck_assert_str_eq(pdu_status_name(0x09), "unknown");
	ck_assert_str_eq(pdu_status_text(0x0E), "invalid password");
	ck_assert_str_eq(pdu_status_text(0x401), "SMSC vendor-specific error");
	ck_assert_str_eq(pdu_status_text(0x09), "reserved status");
}
END_TEST

START_TEST(test_status_parse)
{
	uint32_t	 v;

	ck_assert_int_eq(pdu_status_parse("ESME_RTHROTTLED", &v), 0);
	ck_assert_uint_eq(v, 0x58);
	v = 0;
	ck_assert_int_eq(pdu_status_parse("RTHROTTLED", &v), 0);
	ck_assert_uint_eq(v, 0x58);
	v = 0;
	ck_assert_int_eq(pdu_status_parse("esme_rthrottled", &v), 0);
	ck_assert_uint_eq(v, 0x58);
	ck_assert_int_eq(pdu_status_parse("0x58", &v), 0);
	ck_assert_uint_eq(v, 0x58);
	ck_assert_int_eq(pdu_status_parse("88", &v), 0);
	ck_assert_uint_eq(v, 88);
	ck_assert_int_eq(pdu_status_parse("0x0400", &v), 0);
	ck_assert_uint_eq(v, 0x400);
	ck_assert_int_eq(pdu_status_parse("0xffffffff", &v), 0);
	ck_assert_uint_eq(v, 0xffffffffU);
	ck_assert_int_eq(pdu_status_parse("ROK", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(pdu_status_parse("", &v), -1);
	ck_assert_int_eq(pdu_status_parse("ESME_", &v), -1);
	ck_assert_int_eq(pdu_status_parse("THROTTLED", &v), -1);
	ck_assert_int_eq(pdu_status_parse("0x", &v), -1);
	ck_assert_int_eq(pdu_status_parse("88x", &v), -1);
	ck_assert_int_eq(pdu_status_parse("0x100000000", &v), -1);
	ck_assert_int_eq(pdu_status_parse("-1", &v), -1);
	ck_assert_int_eq(pdu_status_parse(" 1", &v), -1);
}
END_TEST

START_TEST(test_message_states)
{
	static const char *const names[] = { "ENROUTE", "DELIVERED",
	    "EXPIRED", "DELETED", "UNDELIVERABLE", "ACCEPTED", "UNKNOWN",
	    "REJECTED" };
	static const char *const stats[] = { "ENROUTE", "DELIVRD", "EXPIRED",
	    "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD" };
	uint8_t		 s;

	for (s = MSTATE_ENROUTE; s <= MSTATE_REJECTED; s++) {
		ck_assert_str_eq(pdu_message_state_name(s), names[s - 1]);
		ck_assert_str_eq(pdu_message_state_stat(s), stats[s - 1]);
	}
	ck_assert_str_eq(pdu_message_state_name(2), "DELIVERED");
	ck_assert_str_eq(pdu_message_state_stat(2), "DELIVRD");
	ck_assert_str_eq(pdu_message_state_name(0), "unknown");
	ck_assert_str_eq(pdu_message_state_name(9), "unknown");
	ck_assert_str_eq(pdu_message_state_stat(255), "UNKNOWN");
}
END_TEST

START_TEST(test_tlv_table)
{
	static const uint16_t	 all[] = { TLV_DEST_ADDR_SUBUNIT,
	    TLV_DEST_NETWORK_TYPE, TLV_DEST_BEARER_TYPE,
	    TLV_DEST_TELEMATICS_ID, TLV_SOURCE_ADDR_SUBUNIT,
	    TLV_SOURCE_NETWORK_TYPE, TLV_SOURCE_BEARER_TYPE,
	    TLV_SOURCE_TELEMATICS_ID, TLV_QOS_TIME_TO_LIVE, TLV_PAYLOAD_TYPE,
	    TLV_ADDITIONAL_STATUS_INFO_TEXT, TLV_RECEIPTED_MESSAGE_ID,
	    TLV_MS_MSG_WAIT_FACILITIES, TLV_PRIVACY_INDICATOR,
	    TLV_SOURCE_SUBADDRESS, TLV_DEST_SUBADDRESS,
	    TLV_USER_MESSAGE_REFERENCE, TLV_USER_RESPONSE_CODE,
	    TLV_SOURCE_PORT, TLV_DESTINATION_PORT, TLV_SAR_MSG_REF_NUM,
	    TLV_LANGUAGE_INDICATOR, TLV_SAR_TOTAL_SEGMENTS,
	    TLV_SAR_SEGMENT_SEQNUM, TLV_SC_INTERFACE_VERSION,
	    TLV_CALLBACK_NUM_PRES_IND, TLV_CALLBACK_NUM_ATAG,
	    TLV_NUMBER_OF_MESSAGES, TLV_CALLBACK_NUM, TLV_DPF_RESULT,
	    TLV_SET_DPF, TLV_MS_AVAILABILITY_STATUS, TLV_NETWORK_ERROR_CODE,
	    TLV_MESSAGE_PAYLOAD, TLV_DELIVERY_FAILURE_REASON,
	    TLV_MORE_MESSAGES_TO_SEND, TLV_MESSAGE_STATE, TLV_USSD_SERVICE_OP,
	    TLV_DISPLAY_TIME, TLV_SMS_SIGNAL, TLV_MS_VALIDITY,
	    TLV_ALERT_ON_MESSAGE_DELIVERY, TLV_ITS_REPLY_TYPE,
	    TLV_ITS_SESSION_INFO };
	const struct pdu_tlv_info	*t;
	size_t				 i, j, n;
	uint16_t			 tag;

	t = pdu_tlv_table(&n);
	ck_assert_uint_eq(n, sizeof(all) / sizeof(all[0]));
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(t[i].tag, all[i]);
		ck_assert_ptr_eq(pdu_tlv_lookup(all[i]), &t[i]);
		ck_assert_str_eq(pdu_tlv_name(all[i]), t[i].name);
		ck_assert_int_eq(pdu_tlv_parse_name(t[i].name, &tag), 0);
		ck_assert_uint_eq(tag, all[i]);
		ck_assert_uint_le(t[i].min, t[i].max);
		if (t[i].type == PDU_TLV_INT)
			ck_assert(t[i].max == 1 || t[i].max == 2 ||
			    t[i].max == 4);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(t[i].name, t[j].name);
	}
	ck_assert_str_eq(pdu_tlv_name(0x0424), "message_payload");
	ck_assert_str_eq(pdu_tlv_name(0x001E), "receipted_message_id");
	ck_assert_str_eq(pdu_tlv_name(0x1400), "vendor");
	ck_assert_str_eq(pdu_tlv_name(0x3FFF), "vendor");
	ck_assert_str_eq(pdu_tlv_name(0x4000), "reserved");
	ck_assert_str_eq(pdu_tlv_name(0x0000), "reserved");
	ck_assert_ptr_null(pdu_tlv_lookup(0x1500));
	ck_assert_int_eq(pdu_tlv_parse_name("message_payload", &tag), 0);
	ck_assert_uint_eq(tag, 0x0424);
	tag = 0;
	ck_assert_int_eq(pdu_tlv_parse_name("0x0424", &tag), 0);
	ck_assert_uint_eq(tag, 0x0424);
	ck_assert_int_eq(pdu_tlv_parse_name("5377", &tag), 0);
	ck_assert_uint_eq(tag, 0x1501);
	ck_assert_int_eq(pdu_tlv_parse_name("0x10000", &tag), -1);
	ck_assert_int_eq(pdu_tlv_parse_name("nosuch", &tag), -1);
	ck_assert_int_eq(pdu_tlv_parse_name("", &tag), -1);
	ck_assert_int_eq(pdu_tlv_parse_name("0x04zz", &tag), -1);
}
END_TEST

START_TEST(test_tlv_access)
{
	static const uint8_t	 one[] = { 7 }, two[] = { 1, 2 },
	    four[] = { 1, 2, 3, 4 }, three[] = { 1, 2, 3 };
	struct pdu		 p;
	uint32_t		 v;
	char			 s[8];
	int			 i;

	pdu_init(&p, SMPP_SUBMIT_SM, 1);
	ck_assert_ptr_null(pdu_tlv_get(&p, TLV_SAR_MSG_REF_NUM));
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_SAR_TOTAL_SEGMENTS, 1, one), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_SAR_MSG_REF_NUM, 2, two), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_QOS_TIME_TO_LIVE, 4, four), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_NETWORK_ERROR_CODE, 3, three),
	    0);
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_RECEIPTED_MESSAGE_ID, 4, "abc"),
	    0);
	ck_assert_int_eq(pdu_tlv_add(&p, 0x1401, 3, "xyz"), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_SAR_TOTAL_SEGMENTS, 1, two), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, TLV_ALERT_ON_MESSAGE_DELIVERY, 0,
	    NULL), 0);
	ck_assert_uint_eq(p.ntlv, 8);
	ck_assert_int_eq(pdu_tlv_uint(&p, TLV_SAR_TOTAL_SEGMENTS, &v), 0);
	ck_assert_uint_eq(v, 7);		/* the first one wins */
	ck_assert_int_eq(pdu_tlv_uint(&p, TLV_SAR_MSG_REF_NUM, &v), 0);
	ck_assert_uint_eq(v, 0x0102);
	ck_assert_int_eq(pdu_tlv_uint(&p, TLV_QOS_TIME_TO_LIVE, &v), 0);
	ck_assert_uint_eq(v, 0x01020304);
	ck_assert_int_eq(pdu_tlv_uint(&p, TLV_NETWORK_ERROR_CODE, &v), -1);
	ck_assert_int_eq(pdu_tlv_uint(&p, TLV_MESSAGE_STATE, &v), -1);
	ck_assert_int_eq(pdu_tlv_str(&p, TLV_RECEIPTED_MESSAGE_ID, s,
	    sizeof(s)), 3);
	ck_assert_str_eq(s, "abc");
	ck_assert_int_eq(pdu_tlv_str(&p, 0x1401, s, sizeof(s)), 3);
	ck_assert_str_eq(s, "xyz");		/* without NUL on the wire */
	ck_assert_int_eq(pdu_tlv_str(&p, 0x1401, s, 3), -1);
	ck_assert_int_eq(pdu_tlv_str(&p, 0x1402, s, sizeof(s)), -1);
	ck_assert_int_eq(pdu_tlv_str(&p, TLV_ALERT_ON_MESSAGE_DELIVERY, s,
	    sizeof(s)), 0);
	ck_assert_str_eq(s, "");

	pdu_tlv_del(&p, TLV_SAR_TOTAL_SEGMENTS);
	ck_assert_uint_eq(p.ntlv, 6);
	ck_assert_ptr_null(pdu_tlv_get(&p, TLV_SAR_TOTAL_SEGMENTS));
	ck_assert_uint_eq(p.tlv[0].tag, TLV_SAR_MSG_REF_NUM);	/* order */
	ck_assert_uint_eq(p.tlv[4].tag, 0x1401);
	pdu_tlv_del(&p, 0x9999);
	ck_assert_uint_eq(p.ntlv, 6);

	for (i = 6; i < PDU_MAX_TLV; i++)
		ck_assert_int_eq(pdu_tlv_add(&p, 0x1400, 1, one), 0);
	ck_assert_int_eq(pdu_tlv_add(&p, 0x1400, 1, one), -1);
	ck_assert_uint_eq(p.ntlv, PDU_MAX_TLV);
}
END_TEST

static const char *
data_path(const char *name)
{
	static char	 path[1024];
	const char	*dir;
	int		 n;

	if ((dir = getenv("srcdir")) == NULL)
		dir = SRCDIR;
	n = snprintf(path, sizeof(path), "%s/data/%s", dir, name);
	ck_assert(n > 0 && (size_t)n < sizeof(path));
	return path;
}

static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*s;
	long	 n;

	fp = fopen(path, "r");
	ck_assert_msg(fp != NULL, "%s", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	rewind(fp);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	*lenp = (size_t)n;
	return s;
}

/* Decode the PDU of one block of hex and dump it. */
static void
dump_block(FILE *out, const uint8_t *pdu, size_t n, int *count)
{
	struct pdu	 p;
	uint8_t		*copy;

	if (n == 0)
		return;
	copy = malloc(n);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, pdu, n);
	ck_assert_uint_eq(pdu_decode(copy, n, &p), ESME_ROK);
	if (*count > 0)
		fputc('\n', out);
	ck_assert_int_eq(pdu_dump(out, &p, 0), 0);
	pdu_free(&p);
	free(copy);
	(*count)++;
}

static void
dump_hexfile(FILE *out, const char *hex)
{
	uint8_t		 pdu[4096];
	size_t		 n = 0;
	const char	*s = hex, *eol;
	unsigned	 byte;
	int		 count = 0;

	for (; *s != '\0'; s = *eol == '\0' ? eol : eol + 1) {
		eol = strchr(s, '\n');
		if (eol == NULL)
			eol = s + strlen(s);
		if (*s == '#')
			continue;
		if (s == eol) {
			dump_block(out, pdu, n, &count);
			n = 0;
			continue;
		}
		for (; s < eol; s++) {
			if (isspace((unsigned char)*s))
				continue;
			ck_assert(sscanf(s, "%2x", &byte) == 1);
			ck_assert_uint_lt(n, sizeof(pdu));
			pdu[n++] = (uint8_t)byte;
			s++;
		}
	}
	dump_block(out, pdu, n, &count);
	ck_assert_int_ge(count, 20);
}

START_TEST(test_dump_golden)
{
	char		*hex, *ref, *got = NULL;
	size_t		 hexlen, reflen, gotlen = 0;
	const char	*regen;
	FILE		*out;

	hex = slurp(data_path("pdu_dump.hex"), &hexlen);
	out = open_memstream(&got, &gotlen);
	ck_assert_ptr_nonnull(out);
	dump_hexfile(out, hex);
	ck_assert_int_eq(fclose(out), 0);
	if ((regen = getenv("PDU_DUMP_REGEN")) != NULL) {
		out = fopen(regen, "w");
		ck_assert_ptr_nonnull(out);
		fputs(got, out);
		fclose(out);
	}
	ref = slurp(data_path("pdu_dump.ref"), &reflen);
	if (gotlen != reflen || memcmp(got, ref, reflen) != 0) {
		fprintf(stderr, "pdu_dump output differs from pdu_dump.ref:\n"
		    "%s", got);
		ck_abort_msg("pdu_dump.ref mismatch");
	}
	free(hex);
	free(ref);
	free(got);
}
END_TEST

START_TEST(test_dump_hex)
{
	static const uint8_t	 b[18] = { 0x00, 0x41, 0x7f, 0x20, 'h', 'i',
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x42 };
	struct pdu		 p;
	char			*got = NULL;
	size_t			 gotlen = 0;
	FILE			*out;

	out = open_memstream(&got, &gotlen);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(pdu_dump_hex(out, b, sizeof(b)), 0);
	fclose(out);
	ck_assert_str_eq(got,
	    "  0000: 00 41 7f 20 68 69 00 00 00 00 00 00 00 00 00 00"
	    "  .A. hi..........\n"
	    "  0010: ff 42                                          "
	    "  .B\n");
	free(got);

	pdu_init(&p, SMPP_ENQUIRE_LINK, 0x01020304);
	out = open_memstream(&got, &gotlen);
	ck_assert_int_eq(pdu_dump(out, &p, PDU_DUMP_HEX), 0);
	fclose(out);
	ck_assert_str_eq(got, "enquire_link\n"
	    "  command_length: 16\n"
	    "  command_id: 0x00000015\n"
	    "  command_status: 0x00000000 ESME_ROK\n"
	    "  sequence_number: 16909060\n"
	    "  0000: 00 00 00 10 00 00 00 15 00 00 00 00 01 02 03 04"
	    "  ................\n");
	free(got);
}
END_TEST

START_TEST(test_dump_escapes)
{
	static const uint8_t	 sm[] = { 'a', '"', '\\', '\n', '\r', '\t',
	    0x00, 0x1b, 0x7f, 0xc3, 0xa9 };
	struct pdu		 p;
	char			*got = NULL;
	size_t			 gotlen = 0;
	FILE			*out;

	pdu_init(&p, SMPP_SUBMIT_SM, 1);
	p.source_addr = "a\"b";
	p.sm_length = sizeof(sm);
	p.short_message = sm;
	pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, sizeof(sm), sm);
	out = open_memstream(&got, &gotlen);
	ck_assert_int_eq(pdu_dump(out, &p, 0), 0);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(got,
	    "\n  source_addr: 0/0 \"a\\\"b\"\n"));
	ck_assert_ptr_nonnull(strstr(got, "\n  short_message: "
	    "\"a\\\"\\\\\\n\\r\\t\\x00\\x1b\\x7f\\xc3\\xa9\"\n"));
	ck_assert_ptr_nonnull(strstr(got, "\n  tlv 0x0424 message_payload "
	    "[11]: \"a\\\"\\\\\\n"));
	free(got);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("pdu_tables");
	TCase	*tc = tcase_create("tables");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_command_names);
	tcase_add_test(tc, test_status_table);
	tcase_add_test(tc, test_status_parse);
	tcase_add_test(tc, test_message_states);
	tcase_add_test(tc, test_tlv_table);
	tcase_add_test(tc, test_tlv_access);
	tcase_add_test(tc, test_dump_golden);
	tcase_add_test(tc, test_dump_hex);
	tcase_add_test(tc, test_dump_escapes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
