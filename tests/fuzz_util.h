/*
 * fuzz_util.h - what the libFuzzer targets share (tests/fuzz/README)
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

FILE	*fuzz_devnull(void);
void	 fuzz_fail(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
uint8_t	*fuzz_copy(const uint8_t *, size_t);
char	*fuzz_cstr(const uint8_t *, size_t);
const char *fuzz_file(const uint8_t *, size_t);

#endif /* FUZZ_UTIL_H */
