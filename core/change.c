// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "change.h"
#include "nl.h"

static unsigned long fault_at, changes;
static int readonly;

void change_set_readonly(int on)
{
	readonly = on;
}

int change_readonly(void)
{
	return readonly;
}

void change_fault_init(void)
{
	const char *s = getenv("NETLAB_FAULT_AT");

	fault_at = s ? strtoul(s, NULL, 10) : 0;
	changes = 0;
}

unsigned long change_count(void)
{
	return changes;
}

int change_check(struct nl_err *err)
{
	if (readonly)
		return nl_fail(err, EROFS, "a dry run changes nothing in the kernel");
	changes++;
	if (fault_at && changes == fault_at)
		return nl_fail(err, EIO, "fault injected at kernel change %lu (NETLAB_FAULT_AT)",
			       changes);
	return 0;
}
