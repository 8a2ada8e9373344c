/* placeholder */
#include "config.h"
#include "conn.h"

static int
smpp_room(struct connector *c)
{
	(void)c;
	return 0;
}

static void
smpp_submit(struct connector *c, struct item *it)
{
	(void)c;
	mt_complete(it, IR_TEMPFAIL, NULL, 0, "not yet");
}

const struct conn_ops smpp_ops = {
	.room = smpp_room,
	.submit = smpp_submit,
};
