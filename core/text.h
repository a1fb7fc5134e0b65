/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_TEXT_H
#define NETLAB_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * The one way the core writes text piece by piece: appends at *k and never
 * past len. What does not fit is cut, *k stays below len and the text stays
 * terminated, so a long or odd value reads cut short, never past a buffer
 * (where adding each snprintf()'s return to k walks k past the end on the
 * first cut, and len - k then wraps).
 */
void text_vappend(char *buf, size_t len, size_t *k, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
void text_append(char *buf, size_t len, size_t *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
