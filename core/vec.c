// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdlib.h>

#include "vec.h"

void *vec_room(void *v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *p;

	if (n < *cap)
		return v;
	while (c <= n) {
		if (c > SIZE_MAX / 2)
			return NULL;
		c *= 2;
	}
	if (size && c > SIZE_MAX / size)
		return NULL;
	p = realloc(v, c * size);
	if (p)
		*cap = c;
	return p;
}
