// SPDX-License-Identifier: MIT
/*
 * netlab's command line read into struct opts: the subcommands and their
 * options (repl/main.c does what they ask). A wrong word is one line on
 * standard error, with the usage when it helps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "core/sandbox.h"
#include "repl/args.h"

static const char usage[] =
	"usage: netlab [--sandbox[=lan]]               open the REPL\n"
	"       netlab run [OPTIONS] FILE [key=value ...]  build a lab from a topology script\n"
	"                                              (FILE, or the name of a bundled script)\n"
	"       netlab scripts                         list the bundled scripts (or run --list)\n"
	"       netlab down LAB|FILE                   remove exactly what a lab made\n"
	"       netlab ls [--json] [LAB]               list labs and whether they are intact;\n"
	"                                              with LAB, what of it is gone or changed\n"
	"       netlab ping [--json] [--timeout S] [--from NS]... [TARGET...]\n"
	"                                              who reaches whom: every namespace (or\n"
	"                                              each NS) pings every address (or TARGET)\n"
	"       netlab why [--json] [--proto P] [--port N] FROM TO\n"
	"                                              why FROM reaches TO or not, hop by hop,\n"
	"                                              with the fix; exit 1 when it does not\n"
	"       netlab check FILE|LAB [key=value ...]  run a script's probes and expectations\n"
	"                                              against its lab as it is up; changes nothing\n"
	"       netlab show [--json] [NS ...]          the links, addresses, routes and nftables\n"
	"                                              of every namespace (or of those named)\n"
	"       netlab export --sh|--lua LAB|--all     a shell script of ip, nft and sysctl\n"
	"                                              commands that rebuilds a lab (or every\n"
	"                                              namespace) from nothing, or (--lua)\n"
	"                                              a netlab script that does\n"
	"       netlab graph [LAB|NS ...] [-o FILE] [--format svg|png|pdf|dot|mermaid]\n"
	"                                              the picture of the namespaces, bridges,\n"
	"                                              veth pairs, gateways and NAT (default dot)\n"
	"       netlab run|down|ls --nodes NAME=DEST[,NAME=DEST...] ...\n"
	"                                              the same on several machines over ssh\n"
	"                                              (DEST as ssh takes it), all at once\n"
	"       netlab -e CHUNK                        run a line of Lua\n"
	"       netlab --version | --help\n"
	"\n"
	"run options:\n"
	"  --sandbox   run in a throwaway network and mount namespace with a simulated\n"
	"              internet (203.0.113.1 behind wan0); everything vanishes on exit\n"
	"  --sandbox=lan  the same, and a LAN neighbour 172.17.0.3 (namespace lan) on\n"
	"              lan0 (172.17.0.2/16), as tutorial 004's other host\n"
	"  --name LAB  name the lab (default: the script's name without .lua)\n"
	"  --dry-run   print what a run would create, change, keep and remove, and the\n"
	"              commands it would run; changes nothing, runs nothing\n"
	"  --verbose   say what the run did even when standard error is not a terminal\n"
	"  --trace[=FILE]  each kernel change as the ip, nft or sysctl command that makes\n"
	"              it, on standard error (or into FILE); with --dry-run, the commands\n"
	"              the run would send (also before down: netlab --trace down LAB)\n"
	"  -i          after the script, open the REPL with its lab in place\n"
	"  --nodes NAME=DEST[,...]  run the script on each machine over ssh (NETLAB_SSH\n"
	"              replaces the ssh command): all nodes build their part, or none\n"
	"              keeps any; each line of output prefixed by its node's name\n"
	"  --node NAME --nodes NAME=ADDR,...  (what --nodes runs on each node) run as\n"
	"              node NAME of those; FILE - reads the script on standard input,\n"
	"              --as FILE names it in messages; --nodes - prints this node's\n"
	"              address ($SSH_CONNECTION) and reads the list first from input\n"
	"  --list      list the bundled scripts instead of running one\n"
	"  FILE --help the script's doc and parameters; changes nothing\n"
	"\n"
	"Scripts use the preloaded modules ns, link, bridge, route, nat, probe, graph and\n"
	"netlab; see netlab(1) and netlab-ns(3), netlab-link(3), netlab-bridge(3),\n"
	"netlab-route(3), netlab-nat(3), netlab-probe(3), netlab-graph(3).\n";

/*
 * The words of ls and show from argv[i] on: --json wherever it is, the rest
 * names (gathered in place into o->names). A wrong option is one line: the
 * usage after it would bury it.
 */
static int cmd_words(int argc, char **argv, int i, const char *cmd, struct opts *o)
{
	o->names = argv + i;
	o->nnames = 0;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o->json = 1;
		} else if (!strcmp(argv[i], "--nodes") && i + 1 < argc && !strcmp(cmd, "ls")) {
			o->nodes = argv[++i];
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "netlab: %s: unknown option %s (netlab --help)\n", cmd, argv[i]);
			return -1;
		} else {
			o->names[o->nnames++] = argv[i];
		}
	}
	return 0;
}

/* --trace or --trace=FILE, wherever options go: 1 when a is one. */
static int trace_opt(const char *a, struct opts *o)
{
	if (!strcmp(a, "--trace"))
		o->trace = "";
	else if (!strncmp(a, "--trace=", 8) && a[8])
		o->trace = a + 8;
	else
		return 0;
	return 1;
}

/* export --sh|--lua LAB|--all, in any order. */
static int export_args(int argc, char **argv, int i, struct opts *o)
{
	int all = 0;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--sh") || !strcmp(argv[i], "--lua"))
			o->export = argv[i] + 2;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (argv[i][0] != '-' && !o->export_lab)
			o->export_lab = argv[i];
		else
			goto bad;
	}
	if (o->export && all != !!o->export_lab)
		return 0;
bad:
	fprintf(stderr, "netlab: export needs --sh (or --lua) and one lab name or --all\n%s", usage);
	return -1;
}

/* --sandbox or --sandbox=PART[,PART…]: the parts besides the internet ("lan"). */
static int sandbox_opt(const char *a, struct opts *o)
{
	const char *p = a + 9;

	o->sandbox |= 1;
	if (!*p)
		return 0;
	for (p++;;) {
		size_t n = strcspn(p, ",");

		if (n == 3 && !strncmp(p, "lan", 3)) {
			o->sandbox |= SANDBOX_LAN;
		} else if (!(n == 8 && !strncmp(p, "internet", 8))) {
			fprintf(stderr, "netlab: %s: unknown part \"%.*s\" (the sandbox has the internet, "
				"and on request lan)\n", a, (int)n, p);
			return -1;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/*
 * The options of run (and check, which takes the same) from argv[i] on,
 * then FILE and its key=value words.
 */
static int run_args(int argc, char **argv, int i, const char *cmd, struct opts *o)
{
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strncmp(argv[i], "--sandbox", 9) && (!argv[i][9] || argv[i][9] == '=')) {
			if (sandbox_opt(argv[i], o) < 0)
				return -1;
		} else if (!strcmp(argv[i], "-i")) {
			o->interactive = 1;
		} else if (!strcmp(argv[i], "--dry-run")) {
			o->dry_run = 1;
		} else if (trace_opt(argv[i], o)) {
			continue;
		} else if (!strcmp(argv[i], "--verbose")) {
			o->verbose = 1;
		} else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			o->lab = argv[++i];
		} else if (!strcmp(argv[i], "--nodes") && i + 1 < argc) {
			o->nodes = argv[++i];
		} else if (!strcmp(argv[i], "--node") && i + 1 < argc) {
			o->node = argv[++i];
		} else if (!strcmp(argv[i], "--as") && i + 1 < argc) {
			o->as = argv[++i];
		} else if (!strcmp(argv[i], "--list") && !o->check) {
			o->list = 1;
			return 0;
		} else {
			fprintf(stderr, "netlab: %s: unknown option %s\n%s", cmd, argv[i], usage);
			return -1;
		}
	}
	if (i == argc) {
		fprintf(stderr, "netlab: %s needs a script\n%s", cmd, usage);
		return -1;
	}
	if (o->node && !o->nodes) {
		fprintf(stderr, "netlab: %s: --node needs --nodes (the list of all)\n", cmd);
		return -1;
	}
	o->script = argv[i];
	o->params = argv + i + 1;
	o->nparams = argc - i - 1;
	/* `run FILE --help` asks the script for its parameters; nothing is built. */
	for (i = 0; i < o->nparams && !o->check; i++)
		if (!strcmp(o->params[i], "--help") || !strcmp(o->params[i], "-h")) {
			o->script_help = 1;
			o->params[i] = o->params[--o->nparams];
			i--;
		}
	return 0;
}

int parse_args(int argc, char **argv, struct opts *o)
{
	int i = 1;

	for (; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--version") || !strcmp(a, "-v")) {
			printf("netlab %s (%s)\n", NETLAB_VERSION, LUA_RELEASE);
			exit(0);
		} else if (!strncmp(a, "--sandbox", 9) && (!a[9] || a[9] == '=')) {
			if (sandbox_opt(a, o) < 0)
				return -1;
		} else if (trace_opt(a, o)) {
			continue;
		} else if (!strcmp(a, "-i")) {
			o->interactive = 1;
		} else if (!strcmp(a, "-e")) {
			if (++i == argc) {
				fprintf(stderr, "netlab: -e needs a chunk of Lua\n");
				return -1;
			}
			o->chunk = argv[i];
		} else if ((!strcmp(a, "run") || !strcmp(a, "check")) && !o->script && !o->chunk) {
			o->check = !strcmp(a, "check");
			return run_args(argc, argv, i + 1, a, o);
		} else if (!strcmp(a, "down") && !o->script && !o->chunk) {
			for (i++; i < argc; i++) {
				if (!strcmp(argv[i], "--nodes") && i + 1 < argc)
					o->nodes = argv[++i];
				else if (argv[i][0] != '-' && !o->down)
					o->down = argv[i];
				else
					break;
			}
			if (i != argc || !o->down) {
				fprintf(stderr, "netlab: down needs one lab name or script\n%s", usage);
				return -1;
			}
			return 0;
		} else if (!strcmp(a, "ls") && !o->script && !o->chunk) {
			if (cmd_words(argc, argv, i + 1, "ls", o) < 0)
				return -1;
			if (o->nnames > 1) {
				fprintf(stderr, "netlab: ls takes at most one lab name\n%s", usage);
				return -1;
			}
			o->ls = 1;
			o->ls_lab = o->nnames ? o->names[0] : NULL;
			return 0;
		} else if (!strcmp(a, "export") && !o->script && !o->chunk) {
			return export_args(argc, argv, i + 1, o);
		} else if (!strcmp(a, "show") && !o->script && !o->chunk) {
			if (cmd_words(argc, argv, i + 1, "show", o) < 0)
				return -1;
			o->show = 1;
			return 0;
		} else if (!strcmp(a, "ping") && !o->script && !o->chunk) {
			o->ping = 1;
			o->pargs = argv + i + 1;
			o->npargs = argc - i - 1;
			return 0;
		} else if (!strcmp(a, "graph") && !o->script && !o->chunk) {
			o->graph = 1;
			o->pargs = argv + i + 1;
			o->npargs = argc - i - 1;
			return 0;
		} else if (!strcmp(a, "why") && !o->script && !o->chunk) {
			o->why = 1;
			o->pargs = argv + i + 1;
			o->npargs = argc - i - 1;
			return 0;
		} else if (!strcmp(a, "scripts") && !o->script && !o->chunk && i + 1 == argc) {
			o->list = 1;
			return 0;
		} else {
			fprintf(stderr, "netlab: unknown argument %s\n%s", a, usage);
			return -1;
		}
	}
	return 0;
}
