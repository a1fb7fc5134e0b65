/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_ARGS_H
#define NETLAB_ARGS_H

/* What the command line asks for (repl/args.c reads it, repl/main.c does it). */
struct opts {
	int sandbox;	    /* 0, or 1 | the parts of --sandbox=… (SANDBOX_LAN) */
	int interactive;
	int dry_run;
	int verbose;
	const char *trace;  /* --trace: "" for standard error, else --trace=FILE */
	int script_help;    /* run FILE --help: the script's parameters */
	const char *lab;    /* --name */
	const char *down;   /* down LAB */
	int ls;
	int list;           /* netlab scripts, run --list */
	const char *ls_lab; /* ls LAB */
	int show;           /* show [NS ...] */
	char **names;       /* the names after ls or show */
	int nnames;
	int json;           /* ls --json, show --json */
	const char *script; /* run FILE */
	const char *chunk;  /* -e CHUNK */
	int check;	    /* check FILE|LAB: a dry run whose probes are sent */
	const char *check_arg; /* check's word as given, a lab's name or a file */
	const char *export; /* export --sh|--lua: "sh" or "lua" */
	const char *export_lab; /* export's LAB, NULL for --all */
	int ping;	    /* ping ARGS…: the matrix from the command line */
	int graph;	    /* graph ARGS…: the picture, graph._cli */
	char **pargs;	    /* ping's and graph's words */
	int why;	    /* why ARGS…: probe.why from the command line */
	int npargs;
	const char *nodes;  /* --nodes NAME=DEST,…: the controller; with --node, the list */
	const char *node;   /* --node NAME: this netlab is that node of a lab across nodes */
	const char *as;     /* --as FILE: the name of a script read from standard input */
	char **params;
	int nparams;
};

/* Fills o from argv; -1 after saying what is wrong. --help and --version exit. */
int parse_args(int argc, char **argv, struct opts *o);

#endif
