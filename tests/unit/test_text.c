// SPDX-License-Identifier: MIT
/* The core's one bounded appender (core/text.h). */
#include "check.h"
#include "core/text.h"

static void text_appends(void)
{
	char b[8];
	size_t k = 0;

	text_append(b, sizeof(b), &k, "%s", "abc");
	text_append(b, sizeof(b), &k, "%d", 12345);
	CHECK(k == 7 && !strcmp(b, "abc1234"), "an append that does not fit is cut: \"%s\", k %zu",
	      b, k);
	text_append(b, sizeof(b), &k, "more");
	CHECK(k == 7 && !strcmp(b, "abc1234"), "a full buffer takes no more");
	k = 0;
	text_append(b, 0, &k, "x");
	CHECK(k == 0, "an empty buffer is not written");
}

int main(void)
{
	text_appends();
	return check_done();
}
