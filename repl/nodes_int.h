/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_NODES_INT_H
#define NETLAB_NODES_INT_H

/* What repl/nodes.c (the rounds of a lab across nodes) and repl/nodes_ssh.c (the fan-out) share. */
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define NODES_MAX 64
#define WORDS_MAX 64
#define LINE_MAX_ 4096

enum mode {
	SHOW,    /* each line printed, prefixed by the node's name */
	CAPTURE, /* standard output kept in node.cap, standard error shown */
	QUIET,   /* nothing shown (ssh -O exit's chatter) */
};

struct stream {
	int fd;
	FILE *to;
	char buf[LINE_MAX_];
	size_t len;
};

struct node {
	char name[64];
	const char *dest;
	char addr[64];      /* the node's address as ssh reached it */
	pid_t pid;
	struct stream s[2]; /* standard output, standard error */
	char *cap;          /* CAPTURE: what it printed */
	size_t ncap;
	int code;           /* exit code: 255 is ssh's own failure */
	int built;          /* its part of the lab is up */
	int later;          /* run: expectations it left for check (-1: not told) */
	int fd_w;           /* run: its standard input, until the list and script are sent */
};

/*
 * The last line `run --node` prints on a node: how many expectations it left
 * for the check round (lab/lab.lua). It starts with an ASCII record
 * separator, which a script's output has nowhere by accident; the
 * controller takes it in and does not show it, but shows what is before it
 * on the line (a script's last output without a newline).
 */
#define NODES_LATER "\036netlab-later "
/* The first line `run --nodes -` prints: the node's address as ssh reached it. */
#define NODES_ADDR "\036netlab-addr "


struct ctl {
	struct node n[NODES_MAX];
	int count;
	char dir[64];       /* the ControlPath sockets' directory */
	char *spec;         /* the spec, cut in place into names and dests */
	char *sshw, *remw;  /* NETLAB_SSH, NETLAB_REMOTE, cut into words */
	char *ssh[WORDS_MAX], *rem[WORDS_MAX];
	int nssh, nrem;
	enum mode mode;
	/* Called after each read while nodes_finish waits (NULL: none). */
	void (*step)(struct ctl *c);
};

/* One line on standard error after "netlab: ". */
void nodes_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads NAME=DEST,… and NETLAB_SSH/NETLAB_REMOTE; makes the sockets' directory. */
int nodes_ctl_init(struct ctl *c, const char *spec);
/* Ends each master connection; removes the directory. */
void nodes_ctl_fini(struct ctl *c);
/* ssh to nd with the remote words (NETLAB_REMOTE first unless raw), input from fd_in (-1: none). */
int nodes_start(struct ctl *c, struct node *nd, const char *const *words, int raw, int fd_in);
/* Until every started ssh has ended: output out, exit codes in. */
void nodes_finish(struct ctl *c);
/* The same words on every node where want(node) (NULL: all), at once; 0 when all exit 0. */
int nodes_round(struct ctl *c, const char *const *words, int (*want)(const struct node *),
		enum mode mode);
/* What went wrong on a node, in a person's words. */
void nodes_why(const struct node *nd, const char *what);

#endif
