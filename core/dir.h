// SPDX-License-Identifier: MIT
/* Listing a directory. */
#ifndef NETLAB_DIR_H
#define NETLAB_DIR_H

#include "core/nl.h"

/*
 * Calls cb with each name in dir but the hidden ones, sorted, until cb
 * returns non-zero (which is returned). A missing dir is empty. Returns 0,
 * cb's value, or -errno with err filled.
 */
int dir_list(const char *dir, int (*cb)(const char *name, void *data), void *data,
	     struct nl_err *err);

#endif
