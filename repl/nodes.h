/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NODES_H
#define NETLAB_NODES_H

/*
 * The controller of a lab across machines (`--nodes NAME=DEST[,…]`): netlab
 * on each node over SSH, all nodes at once, each line of their output
 * prefixed by the node's name. Each returns the exit code of the command.
 */

/* What the fan-out does on each node. */
struct nodes_cmd {
	const char *spec;    /* NAME=DEST[,NAME=DEST…] */
	const char *script;  /* run: the script's path (sent on standard input) */
	const char *lab;     /* the lab's name (run: NULL for the script's) */
	char **params;       /* run: key=value words */
	int nparams;
	int json;            /* ls --json */
};

/* run --nodes: every node builds its part, or none keeps any (all or nothing). */
int nodes_run(const struct nodes_cmd *c);
/* down LAB --nodes: down on every node. */
int nodes_down(const struct nodes_cmd *c);
/* ls [--json] [LAB] --nodes: each node's list. */
int nodes_ls(const struct nodes_cmd *c);

#endif
