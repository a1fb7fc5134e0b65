/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_SCRIPTS_H
#define NETLAB_SCRIPTS_H

#include <limits.h>
#include <stdio.h>

/*
 * The directory of the bundled scripts into out: the first of
 * EXEDIR/scripts, EXEDIR/../scripts (a source tree),
 * EXEDIR/../share/netlab/scripts and DATADIR/scripts that holds
 * .netlab-scripts. 0, or -ENOENT when there is none.
 */
int scripts_dir(char out[PATH_MAX]);

/*
 * The file `netlab run NAME` runs: NAME itself when it exists, else for a
 * bare NAME the bundled script NAME (or NAME.lua), written into out.
 * A NAME with a / is returned as it is. NULL when there is neither.
 */
const char *scripts_find(const char *name, char out[PATH_MAX]);

/* `netlab scripts`: each bundled script with its one-line doc. */
int scripts_list(FILE *out);

#endif
