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

/* A missing string (NULL) fails the case, never the test program. */
#define CHECK_STR(got, want, what)                                                \
	do {                                                                      \
		const char *got_ = (got), *want_ = (want);                        \
		CHECK(got_ && strcmp(got_, want_) == 0, "%s: \"%s\" (want \"%s\")",   \
		      what, got_ ? got_ : "(none)", want_);                       \
	} while (0)

static inline int check_done(void)
{
	printf("# %d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
