/*
 * conf_dump.c - print the effective configuration as smppd.conf text
 *
 * SYNOPSIS
 *	conf_dump(fp, conf)
 *
 * DESCRIPTION
 *	Every key of every section, defaults included, through the same
 *	table the loader uses, so that the output loads again to the same
 *	values (smppd -T; the tests reload it).  Passwords are printed as
 *	"********".  A value that would lose blanks or quotes on reading
 *	is put in double quotes: the reader strips exactly one pair.
 *
 * DIAGNOSTICS
 *	Returns -1 when writing fails, else 0.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "conf_table.h"
#include "ini.h"

static void
dump_pair(FILE *fp, const char *key, const char *v)
{
	size_t	 n = strlen(v);
	int	 quote;

	/* A CR at the end would read back as half of a CR LF line end. */
	quote = n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t' || v[n - 1] == '\r' || (n >= 2 &&
	    (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]));
	if (n == 0)
		fprintf(fp, "%s =\n", key);
	else if (quote)
		fprintf(fp, "%s = \"%s\"\n", key, v);
	else
		fprintf(fp, "%s = %s\n", key, v);
}

static void
dump_keys(FILE *fp, enum conf_sect sect, const void *base, int ctype)
{
	const struct conf_key	*k;
	char			 v[INI_LINE_MAX];

	for (k = conf_table; k < conf_table + conf_table_len; k++) {
		if (k->sect != sect || (ctype != 0 && !(k->ctypes & ctype)))
			continue;
		conf_table_format(k, base, v, sizeof(v));
		if ((k->flags & CK_SECRET) && v[0] != '\0')
			strlcpy(v, "********", sizeof(v));
		dump_pair(fp, k->name, v);
	}
}

static void
dump_routes(FILE *fp, const char *name, const struct conf_route *r, int n)
{
	char	 key[320];
	int	 i;

	fprintf(fp, "\n[%s]\n", name);
	for (i = 0; i < n; i++)
		dump_pair(fp, conf_route_key(&r[i], key, sizeof(key)),
		    r[i].target);
}

int
conf_dump(FILE *fp, const struct conf *conf)
{
	const struct conf_connector	*c;
	enum conf_sect			 s;
	int				 i;

	fprintf(fp, "# smppd.conf: the effective configuration%s%s\n",
	    conf->path[0] != '\0' ? " of " : "", conf->path);
	for (s = CS_SERVER; s <= CS_CONN; s++) {
		fprintf(fp, "%s[%s]\n", s == CS_SERVER ? "" : "\n",
		    conf_sect_name(s));
		dump_keys(fp, s, conf, 0);
	}
	/* By index: NULL + 0 is undefined when there are no connectors. */
	for (i = 0; i < conf->nconnectors; i++) {
		c = &conf->connectors[i];
		fprintf(fp, "\n[connector %s]\n", c->name);
		dump_keys(fp, CS_CONNECTOR, c, 1 << c->type);
	}
	dump_routes(fp, "mt-routes", conf->mt_routes, conf->nmt_routes);
	dump_routes(fp, "mo-routes", conf->mo_routes, conf->nmo_routes);
	if (fflush(fp) == EOF || ferror(fp))
		return -1;
	return 0;
}
