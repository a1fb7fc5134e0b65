// SPDX-License-Identifier: MIT
/* Listing a directory in name order (readdir's own order is the file system's). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "core/dir.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_list(const char *dir, int (*cb)(const char *name, void *data), void *data,
	     struct nl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : nl_fail(err, errno, "cannot read %s", dir);
	while ((e = readdir(d))) {
		char **p;

		if (e->d_name[0] == '.')
			continue;
		p = vec_room(names, &cap, n, sizeof(*names));
		if (!p) {
			r = nl_fail(err, ENOMEM, NULL);
			goto out;
		}
		names = p;
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			r = nl_fail(err, ENOMEM, NULL);
			goto out;
		}
		n++;
	}
	/* An empty directory, no array: qsort() must not be given NULL, even for 0 items. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && r == 0; i++)
		r = cb(names[i], data);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}
