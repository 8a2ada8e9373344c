/*
 * conf_table.h - private to conf*.c: the one table of smppd.conf keys
 * with their types, defaults and ranges, and the value parsers
 */
#ifndef CONF_TABLE_H
#define CONF_TABLE_H

#include <stddef.h>

#include "conf.h"

/* Sections; the first ones are table driven. */
enum conf_sect {
	CS_NONE = -1,		/* after a bad header: keys are skipped */
	CS_SERVER, CS_SPOOL, CS_USERDB, CS_CONN, CS_CONNECTOR,
	CS_MT, CS_MO,
	CS_COUNT
};

enum conf_vtype {
	CV_INT, CV_LONG, CV_SIZE, CV_U32,	/* integers with a range */
	CV_BOOL,				/* yes/no true/false on/off */
	CV_STR,					/* string or path */
	CV_LEVEL,				/* log level name or number */
	CV_LOGFMT,				/* Python logging format */
	CV_ROTATE,				/* Jasmin's log_rotate */
	CV_MILLI,				/* seconds, 3 decimals: ms */
	CV_DECI,				/* percent, 1 decimal: 1/1000 */
	CV_BINDMODE,				/* transceiver | tx+rx */
	CV_CONNTYPE,				/* sink pipe smpp helper */
	CV_COMMAND				/* pipe command: argv */
};

#define CK_REQUIRED	0x01		/* connector: no default */
#define CK_SECRET	0x02		/* never printed */

#define CT_SINK		(1 << CONN_SINK)
#define CT_PIPE		(1 << CONN_PIPE)
#define CT_SMPP		(1 << CONN_SMPP)
#define CT_HELPER	(1 << CONN_HELPER)
#define CT_ALL		(CT_SINK | CT_PIPE | CT_SMPP | CT_HELPER)

struct conf_key {
	enum conf_sect	 sect;
	const char	*name;
	enum conf_vtype	 type;
	size_t		 off;		/* in conf, conf_connector */
	size_t		 size;
	long long	 min;
	long long	 max;
	const char	*def;		/* as a value; NULL: none */
	int		 ctypes;	/* CS_CONNECTOR: its CT_* */
	int		 flags;		/* CK_* */
};

extern const struct conf_key	 conf_table[];
extern const size_t		 conf_table_len;

/*
 * conf_table_find(): the key of a section, NULL when there is none.
 * conf_table_set(k, base, value, err, errlen): parse value into the
 * field of base (a struct conf or conf_connector) that k names; -1 with
 * the reason in err.  conf_table_defaults(): every key of a section to
 * its default.  conf_table_format(): a field back to text (-1: no
 * room).  The *_valid() checks return 1 for a good name.  Names returned
 * are static strings.
 */
const char	*conf_sect_name(enum conf_sect);
const struct conf_key *conf_table_find(enum conf_sect, const char *);
int		 conf_table_set(const struct conf_key *, void *,
		    const char *, char *, size_t);
void		 conf_table_defaults(enum conf_sect, void *);
int		 conf_table_format(const struct conf_key *, const void *,
		    char *, size_t);
const char	*conf_conn_type_name(enum conf_conn_type);
int		 conf_account_valid(const char *);
int		 conf_name_valid(const char *);

#endif /* CONF_TABLE_H */
