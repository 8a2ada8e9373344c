/*
 * errclass.h - the class of an upstream's error status: throttling,
 * transient or permanent, with a connector's overrides
 */
#ifndef ERRCLASS_H
#define ERRCLASS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum errclass {
	EC_THROTTLING,	/* same connector again, at a lower rate */
	EC_TRANSIENT,	/* later, or on the route's next connector */
	EC_PERMANENT	/* failed for good: a failure receipt */
};

enum errclass	 errclass_of(const struct conf_connector *, uint32_t);
const char	*errclass_name(enum errclass);
int		 errclass_list_check(const char *, char *, size_t);

#endif /* ERRCLASS_H */
