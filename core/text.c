// SPDX-License-Identifier: MIT
/* The bounded text appender (text.h). */
#include <stdio.h>

#include "text.h"

void text_vappend(char *buf, size_t len, size_t *k, const char *fmt, va_list ap)
{
	int r;

	if (!len || *k >= len)
		return;
	r = vsnprintf(buf + *k, len - *k, fmt, ap);
	if (r > 0)
		*k = *k + (size_t)r < len ? *k + (size_t)r : len - 1;
}

void text_append(char *buf, size_t len, size_t *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappend(buf, len, k, fmt, ap);
	va_end(ap);
}
