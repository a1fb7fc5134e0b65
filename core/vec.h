/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_VEC_H
#define NETLAB_VEC_H

#include <stddef.h>

/*
 * The one growable array. Makes room for element n in array v of elements
 * of size bytes whose capacity is *cap: returns the array (moved perhaps,
 * *cap grown by doubling, from 16) or NULL when memory runs out or the size
 * would overflow; then v is untouched and still the caller's to free.
 *
 *	p = vec_room(d->v, &d->cap, d->n, sizeof(*d->v));
 *	if (!p)
 *		return -ENOMEM;
 *	d->v = p;
 */
void *vec_room(void *v, size_t *cap, size_t n, size_t size);

#endif
