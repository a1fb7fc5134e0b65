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
#include "repl/args.h"
#include "repl/interrupt.h"
#include "repl/nodes.h"
#include "repl/repl.h"
#include "repl/scripts.h"

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
