// SPDX-License-Identifier: MIT
/*
 * netlab: the command line. `netlab run FILE [key=value …]` runs a topology
 * script (FILE may name a bundled script: repl/scripts.c), `netlab -e CHUNK`
 * a line of Lua, `netlab` alone the REPL (or, with standard input not a
 * terminal, the script read from it).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "bindings/bind.h"
#include "core/change.h"
#include "core/ns.h"
#include "core/proc.h"
#include "core/sandbox.h"
#include "repl/interrupt.h"
#include "repl/nodes.h"
#include "repl/repl.h"
#include "repl/scripts.h"

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
	"              --as FILE names it in messages\n"
	"  --list      list the bundled scripts instead of running one\n"
	"  FILE --help the script's doc and parameters; changes nothing\n"
	"\n"
	"Scripts use the preloaded modules ns, link, bridge, route, nat, probe, graph and\n"
	"netlab; see netlab(1) and netlab-ns(3), netlab-link(3), netlab-bridge(3),\n"
	"netlab-route(3), netlab-nat(3), netlab-probe(3), netlab-graph(3).\n";

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


static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	/* A traceback only on request: the message already names the script line. */
	if (getenv("NETLAB_TRACEBACK"))
		luaL_traceback(L, L, msg, 1);
	return 1;
}

int netlab_pcall(lua_State *L, int nargs, int nres)
{
	int base = lua_gettop(L) - nargs, r;

	lua_pushcfunction(L, msghandler);
	lua_insert(L, base);
	interrupt_arm(L);
	r = lua_pcall(L, nargs, nres, base);
	interrupt_disarm();
	lua_remove(L, base);
	return r;
}

int netlab_report(lua_State *L, int status)
{
	if (status != LUA_OK) {
		fprintf(stderr, "netlab: %s\n", lua_tostring(L, -1));
		fflush(stderr);
		lua_pop(L, 1);
	}
	return status;
}

/* The script's parameters: key=value words become params.key = "value". */
static int set_params(lua_State *L, const struct opts *o)
{
	int i;

	lua_createtable(L, 0, o->nparams);
	for (i = 0; i < o->nparams; i++) {
		const char *eq = strchr(o->params[i], '=');

		if (!eq || eq == o->params[i]) {
			fprintf(stderr, "netlab: parameter \"%s\" is not key=value\n", o->params[i]);
			return -1;
		}
		lua_pushlstring(L, o->params[i], (size_t)(eq - o->params[i]));
		lua_pushstring(L, eq + 1);
		lua_rawset(L, -3);
	}
	lua_setglobal(L, "params");
	/* arg, as lua(1) sets it: arg[0] the script, then its words. */
	lua_createtable(L, o->nparams, 1);
	lua_pushstring(L, o->script ? o->script : "netlab");
	lua_rawseti(L, -2, 0);
	for (i = 0; i < o->nparams; i++) {
		lua_pushstring(L, o->params[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setglobal(L, "arg");
	return 0;
}

/* Modules a script keeps next to itself are found by require. */
static void add_script_dir(lua_State *L, const char *script)
{
	const char *slash = strrchr(script, '/');

	lua_getglobal(L, "package");
	if (slash)
		lua_pushlstring(L, script, (size_t)(slash - script) + 1);
	else
		lua_pushliteral(L, "./");
	lua_pushliteral(L, "?.lua;");
	lua_getfield(L, -3, "path");
	lua_concat(L, 3);
	lua_setfield(L, -2, "path");
	lua_settop(L, 0);
}

static int open_all(lua_State *L)
{
	luaL_openlibs(L);
	nlb_openlibs(L, interrupt_funcs);
	return 0;
}

/* CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21), from /proc/self/status. */
static int privileged(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> 12 & 1) && (eff >> 21 & 1);
}

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

/* netlab.trace(true | FILE), once the sandbox is made: its own links are not the script's. */
static int trace_start(lua_State *L, const struct opts *o)
{
	lua_getglobal(L, "netlab");
	lua_getfield(L, -1, "trace");
	lua_remove(L, -2);
	if (*o->trace)
		lua_pushstring(L, o->trace);
	else
		lua_pushboolean(L, 1);
	return netlab_report(L, lua_pcall(L, 1, 0, 0));
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
 * netlab.sandbox: false, or what the sandbox has: {internet = "203.0.113.1"
 * [, lan = "172.17.0.3"]}, which prints as "internet 203.0.113.1, lan …".
 */
static int sandbox_tostring(lua_State *L)
{
	lua_getfield(L, 1, "lan");
	if (lua_isstring(L, -1))
		lua_pushfstring(L, "internet %s, lan %s", SANDBOX_INTERNET_ADDR, lua_tostring(L, -1));
	else
		lua_pushfstring(L, "internet %s", SANDBOX_INTERNET_ADDR);
	return 1;
}

static void push_sandbox(lua_State *L, int parts)
{
	if (!parts) {
		lua_pushboolean(L, 0);
		return;
	}
	lua_createtable(L, 0, 2);
	lua_pushliteral(L, SANDBOX_INTERNET_ADDR);
	lua_setfield(L, -2, "internet");
	if (parts & SANDBOX_LAN) {
		lua_pushliteral(L, SANDBOX_LAN_ADDR);
		lua_setfield(L, -2, "lan");
	}
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, sandbox_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_setmetatable(L, -2);
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

static int parse_args(int argc, char **argv, struct opts *o)
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

/*
 * Calls a function of the lab engine (lab/lab.lua) with the arguments
 * pushed by the caller; its boolean result says whether it went well.
 */
static int lab_call(lua_State *L, const char *fn, int nargs)
{
	int status;

	lua_getglobal(L, "require");
	lua_pushliteral(L, "netlab.lab");
	status = netlab_pcall(L, 1, 1);
	if (status != LUA_OK)
		return netlab_report(L, status);
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
	lua_insert(L, -nargs - 1);
	status = netlab_pcall(L, nargs, 1);
	if (status != LUA_OK)
		return netlab_report(L, status);
	status = lua_toboolean(L, -1) ? LUA_OK : LUA_ERRRUN;
	lua_pop(L, 1);
	return status;
}

/*
 * netlab ping, why and graph ARGS: probe._cli (bindings/probe_cli.lua),
 * probe._why_cli (bindings/probe_why_text.lua) and graph._cli give the exit code.
 */
static int words_cli(lua_State *L, const char *mod, const char *fn, const struct opts *o, int *code)
{
	int i, status;

	lua_getglobal(L, mod);
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
	lua_createtable(L, o->npargs, 0);
	for (i = 0; i < o->npargs; i++) {
		lua_pushstring(L, o->pargs[i]);
		lua_rawseti(L, -2, i + 1);
	}
	status = netlab_pcall(L, 1, 1);
	if (status != LUA_OK)
		return netlab_report(L, status);
	*code = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return LUA_OK;
}

static int run_lab(lua_State *L, const struct opts *o)
{
	const char *slash = strrchr(o->script, '/');
	const char *base = slash ? slash + 1 : o->script;
	size_t n = strlen(base);

	lua_pushstring(L, o->script);
	if (o->lab)
		lua_pushstring(L, o->lab);
	else
		lua_pushlstring(L, base, n > 4 && !strcmp(base + n - 4, ".lua") ? n - 4 : n);
	lua_createtable(L, 0, 4);
	lua_pushboolean(L, o->dry_run);
	lua_setfield(L, -2, "dry_run");
	lua_pushboolean(L, o->script_help);
	lua_setfield(L, -2, "help");
	lua_pushboolean(L, o->verbose);
	lua_setfield(L, -2, "verbose");
	lua_pushboolean(L, o->interactive);
	lua_setfield(L, -2, "interactive");
	lua_pushboolean(L, o->check);
	lua_setfield(L, -2, "check");
	lua_pushstring(L, o->as);
	lua_setfield(L, -2, "as");
	return lab_call(L, "cli_run", 3);
}

/* netlab check FILE|LAB: lab/lab.lua's cli_check tells which it is. */
static int check_lab(lua_State *L, const struct opts *o)
{
	lua_pushstring(L, o->check_arg);
	if (*o->script)
		lua_pushstring(L, o->script);
	else
		lua_pushnil(L);
	if (o->lab)
		lua_pushstring(L, o->lab);
	else
		lua_pushnil(L);
	lua_createtable(L, 0, 2);
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "check");
	lua_pushstring(L, o->as);
	lua_setfield(L, -2, "as");
	return lab_call(L, "cli_check", 4);
}

/* run|down|ls --nodes: the same on each node, over ssh (repl/nodes.c). */
static int fan_out(const struct opts *o)
{
	struct nodes_cmd c = { .spec = o->nodes, .lab = o->lab, .params = o->params,
			       .nparams = o->nparams, .json = o->json };

	if (o->sandbox || o->interactive || o->dry_run || o->trace || o->check) {
		fprintf(stderr, "netlab: --nodes: --sandbox, -i, --dry-run, --trace and check "
				"are for one machine (run them on a node)\n");
		return 2;
	}
	if (o->script && !strcmp(o->script, "-")) {
		fprintf(stderr, "netlab: run --nodes: the script must be a file (each node is sent it)\n");
		return 2;
	}
	if (o->script) {
		c.script = o->script;
		return nodes_run(&c);
	}
	if (o->down) {
		c.lab = o->down;
		return nodes_down(&c);
	}
	if (o->ls) {
		c.lab = o->ls_lab;
		return nodes_ls(&c);
	}
	fprintf(stderr, "netlab: --nodes goes with run, down and ls\n");
	return 2;
}

/* --node NAME --nodes NAME=ADDR,…: netlab.node, netlab.nodes and on() (bindings/netlab.lua). */
static int set_node(lua_State *L, const struct opts *o)
{
	lua_getglobal(L, "netlab");
	lua_getfield(L, -1, "_set_nodes");
	lua_remove(L, -2);
	lua_pushstring(L, o->node);
	lua_pushstring(L, o->nodes);
	return netlab_report(L, lua_pcall(L, 2, 0, 0));
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct nl_err err = { 0 };
	char found[PATH_MAX];
	lua_State *L;
	int status = LUA_OK, code = 0, i;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	/* Reading the scripts' files changes nothing: no root needed. */
	if (o.list)
		return scripts_list(stdout) < 0;
	if (o.script) {
		/* FILE -: the script on standard input (what --nodes sends each node). */
		const char *path = strcmp(o.script, "-") ? scripts_find(o.script, found) : "-";

		/* check LAB: a name that is no file may be a lab's (lab/lab.lua's cli_check). */
		if (o.check) {
			o.check_arg = o.script;
			path = path ? path : "";
		}
		if (!path) {
			fprintf(stderr, "netlab: cannot open %s: no such file here, nor a bundled "
					"script of that name (netlab scripts lists them)\n", o.script);
			return 1;
		}
		o.script = path;
	}
	/* --nodes alone: this netlab drives the nodes over ssh; it needs no root here. */
	if (o.nodes && !o.node && !o.script_help)
		return fan_out(&o);
	/*
	 * A chunk may only compute (netlab.cidr, netlab.host): without
	 * privileges it runs, and the kernel refuses what it may not do.
	 */
	if (!o.script_help && !o.sandbox && !o.chunk && !privileged()) {
		fprintf(stderr, "netlab: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to work with the "
				"host's network namespaces; try sudo, or --sandbox, which works "
				"without root (netlab --sandbox, netlab run --sandbox FILE)\n");
		return 1;
	}
	if (o.script_help) {
		/*
		 * run FILE --help runs the script as a dry run, which changes
		 * nothing. A second wall behind that one: it runs in a throwaway
		 * network and mount namespace, so a path the dry run misses
		 * cannot reach the host. Without privileges it gets there through
		 * a user namespace, where it may also read what the script reads
		 * (nftables) as root can. When the wall cannot be raised (no user
		 * namespaces, a chroot) the dry run still stands, and without
		 * privileges the kernel refuses changes anyway; so its failure is
		 * not an error. NETLAB_HELP_NO_SANDBOX lets a test try the dry
		 * run alone.
		 */
		o.sandbox = 0;
		o.interactive = 0;
		if (!getenv("NETLAB_HELP_NO_SANDBOX")) {
			if (!privileged())
				sandbox_user(&err);
			sandbox_enter(&err);
		}
	}
	/* Without privileges the sandbox starts with a user namespace in which netlab is root. */
	if (o.sandbox && !privileged() && sandbox_user(&err) < 0) {
		fprintf(stderr, "netlab: --sandbox without root: %s (%s)\n", err.msg, nlb_errname(err.code));
		return 1;
	}
	if (o.sandbox && sandbox_enter(&err) < 0) {
		fprintf(stderr, "netlab: sandbox: %s (%s)\n", err.msg, strerror(err.code));
		return 1;
	}
	if (ns_init(&err) < 0) {
		fprintf(stderr, "netlab: %s: %s\n", err.msg, strerror(err.code));
		return 1;
	}
	if (o.sandbox && sandbox_uplink(o.sandbox, &err) < 0) {
		fprintf(stderr, "netlab: sandbox uplink: %s: %s (%s)\n", err.obj,
			err.msg[0] ? err.msg : strerror(err.code), nlb_errname(err.code));
		return 1;
	}
	/* What a sandboxed script left running ends with it, however it exits. */
	if (o.sandbox)
		atexit(proc_kill_all);
	change_fault_init();
	L = luaL_newstate();
	if (!L) {
		fprintf(stderr, "netlab: out of memory\n");
		return 1;
	}
	lua_pushcfunction(L, open_all);
	if (netlab_report(L, lua_pcall(L, 0, 0, 0)) != LUA_OK)
		return 1;
	if (set_params(L, &o) < 0)
		return 2;
	/*
	 * netlab.sandbox: the REPL says so in its prompt, and a script probes
	 * the simulated internet only then (no packet leaves the machine). A
	 * netlab started inside the sandbox (a test's, run -i's shell) is in it too.
	 */
	lua_getglobal(L, "netlab");
	push_sandbox(L, o.sandbox ? o.sandbox : sandbox_inside());
	lua_setfield(L, -2, "sandbox");
	lua_pop(L, 1);
	if (o.node && set_node(L, &o) != LUA_OK)
		return 1;
	if (o.trace && trace_start(L, &o) != LUA_OK)
		return 1;
	if (o.export) {
		lua_pushstring(L, o.export);
		if (o.export_lab)
			lua_pushstring(L, o.export_lab);
		status = lab_call(L, "cli_export", o.export_lab ? 2 : 1);
	} else if (o.down) {
		lua_pushstring(L, o.down);
		status = lab_call(L, "cli_down", 1);
	} else if (o.ls) {
		lua_pushboolean(L, o.json);
		if (o.ls_lab)
			lua_pushstring(L, o.ls_lab);
		status = lab_call(L, "cli_ls", o.ls_lab ? 2 : 1);
	} else if (o.show) {
		lua_pushboolean(L, o.json);
		lua_createtable(L, o.nnames, 0);
		for (i = 0; i < o.nnames; i++) {
			lua_pushstring(L, o.names[i]);
			lua_rawseti(L, -2, i + 1);
		}
		status = lab_call(L, "cli_show", 2);
	} else if (o.ping) {
		status = words_cli(L, "probe", "_cli", &o, &code);
	} else if (o.graph) {
		status = words_cli(L, "graph", "_cli", &o, &code);
	} else if (o.why) {
		status = words_cli(L, "probe", "_why_cli", &o, &code);
	} else if (o.check) {
		status = check_lab(L, &o);
	} else if (o.script) {
		add_script_dir(L, o.script);
		status = run_lab(L, &o);
	} else if (o.chunk) {
		status = luaL_loadbufferx(L, o.chunk, strlen(o.chunk), "=(command line)", "t");
		if (status == LUA_OK)
			status = netlab_pcall(L, 0, 0);
		netlab_report(L, status);
	}
	if ((!o.script && !o.chunk && !o.down && !o.ls && !o.show && !o.ping && !o.export && !o.graph && !o.why) ||
	    (o.interactive && status == LUA_OK))
		status = repl_main(L, isatty(STDIN_FILENO)) < 0 ? LUA_ERRRUN : LUA_OK;
	/* run -i: what was typed at the prompt is saved with the lab. */
	if (o.script && o.interactive && lab_call(L, "cli_leave", 0) != LUA_OK)
		status = LUA_ERRRUN;
	lua_close(L);
	ns_fini();
	return status == LUA_OK ? code : 1;
}
