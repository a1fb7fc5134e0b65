/* SPDX-License-Identifier: MIT */
/* A few lines of TAP for the C unit tests; tests/run.sh counts "ok" and "not ok". */
#ifndef NETLAB_CHECK_H
#define NETLAB_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed, check_passed;

#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (cond) {                                                       \
			check_passed++;                                           \
			printf("ok - ");                                          \
		} else {                                                          \
			check_failed++;                                           \
			printf("not ok - %s:%d: ", __FILE__, __LINE__);           \
		}                                                                 \
		printf(__VA_ARGS__);                                              \
		putchar('\n');                                                    \
	} while (0)

#define CHECK_STR(got, want, what)                                                \
	CHECK(strcmp((got), (want)) == 0, "%s: \"%s\" (want \"%s\")", what, got, want)

static inline int check_done(void)
{
	printf("# %d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
