/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_EMBEDDED_H
#define NETLAB_EMBEDDED_H

#include <stddef.h>

/* The Lua sources compiled into the binary (see tools/embed.sh). */
struct nlb_chunk {
	const char *name;
	const char *src;
	size_t len;
};

extern const struct nlb_chunk nlb_chunks[];

/* The chunk named name ("netlab_show", "man/netlab-link.3"), or NULL (bindings/init.c). */
const struct nlb_chunk *nlb_chunk_find(const char *name);

#endif
