/*
 * owner.h - root-run tools act as the owner of the folder they touch
 */
#ifndef OWNER_H
#define OWNER_H

int	 owner_become(const char *);

#endif /* OWNER_H */
