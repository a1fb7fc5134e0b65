// SPDX-License-Identifier: MIT
/*
 * The graph module's C half: graph.render(DOT, FORMAT), the DOT text the Lua
 * half builds from netlab.state() laid out by Graphviz linked as a library
 * (libgvc, libcgraph), so netlab runs no `dot` process. Everything else of
 * the picture (what is drawn, how it looks) is the Lua half's.
 *
 * Graphviz keeps state per process: one GVC_t, made at the first render and
 * kept (its plugins are loaded once; a second context would load them again).
 * Its error reporting is global too: agseterrf sends its messages here, so
 * that a failure is raised as one Lua error instead of lines on stderr.
 */
#include <stdio.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "bind.h"

static GVC_t *gvc;
static char gv_why[256];

/* Graphviz's messages (agerr) land here: the first of a render is kept. */
static int gv_err(char *msg)
{
	size_t n;

	if (gv_why[0])
		return 0;
	snprintf(gv_why, sizeof(gv_why), "%s", msg);
	n = strlen(gv_why);
	while (n && (gv_why[n - 1] == '\n' || gv_why[n - 1] == ' '))
		gv_why[--n] = '\0';
	return 0;
}

/* The formats netlab renders to: the ones the docs promise, not every plugin's. */
static const char *const formats[] = { "svg", "png", "pdf", NULL };

static int gv_fail(lua_State *L, const char *what)
{
	nlb_where(L);
	lua_pushfstring(L, "graph.render: %s%s%s", what, gv_why[0] ? ": " : "", gv_why);
	lua_concat(L, 2);
	return lua_error(L);
}

/* graph.render(DOT, FORMAT): the picture's bytes. */
static int l_render(lua_State *L)
{
	size_t n;
	const char *dot = luaL_checklstring(L, 1, &n);
	int f = luaL_checkoption(L, 2, NULL, formats);
	char *out = NULL;
	unsigned int len = 0;
	Agraph_t *g;
	int r;

	(void)n;
	if (!gvc) {
		agseterrf(gv_err);
		gvc = gvContext();
		if (!gvc)
			return gv_fail(L, "cannot start Graphviz");
	}
	gv_why[0] = '\0';
	g = agmemread(dot);
	if (!g)
		return gv_fail(L, "Graphviz cannot read the DOT text");
	if (gvLayout(gvc, g, "dot") != 0) {
		agclose(g);
		return gv_fail(L, "Graphviz cannot lay the graph out");
	}
	r = gvRenderData(gvc, g, formats[f], &out, &len);
	gvFreeLayout(gvc, g);
	agclose(g);
	if (r != 0 || !out) {
		if (out)
			gvFreeRenderData(out);
		lua_pushfstring(L, "cannot render %s (is Graphviz's cairo plugin installed?)",
				formats[f]);
		return gv_fail(L, lua_tostring(L, -1));
	}
	lua_pushlstring(L, out, len);
	gvFreeRenderData(out);
	return 1;
}

#ifdef __SANITIZE_ADDRESS__
/*
 * LeakSanitizer's suppressions, built into the sanitized binary so every run
 * of it has them. Graphviz 2.42 does not free what a layout caches (label
 * sizes, HTML labels, the dot layout's ranks) nor what loading its plugins
 * makes, and pango loads fonts on a thread of its own through fontconfig
 * and glib, whose caches live as long as the process. The stacks LSan
 * records are short (its fast unwinder stops in these libraries, built
 * without frame pointers), so they are named by library: what those
 * libraries allocate for themselves. netlab allocates nothing through them;
 * libcgraph (the graph agmemread makes, which agclose frees) stays checked.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\n"
	       "leak:libgvplugin_dot_layout.so\n"
	       "leak:libgvplugin_pango.so\n"
	       "leak:libgvplugin_core.so\n"
	       "leak:libpangoft2-1.0.so\n"
	       "leak:libfontconfig.so\n"
	       "leak:libglib-2.0.so\n";
}

/* Their count would be printed on every exit that rendered: quiet. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

static const luaL_Reg funcs[] = {
	{ "render", l_render },
	{ NULL, NULL },
};

int luaopen_graph(lua_State *L)
{
	luaL_newlib(L, funcs);
	return 1;
}
