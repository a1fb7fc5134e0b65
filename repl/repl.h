/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_REPL_H
#define NETLAB_REPL_H

#include <lua.h>

/* Calls the function below nargs arguments with the message handler and Ctrl-C as an error. */
int netlab_pcall(lua_State *L, int nargs, int nres);
/* Prints a failed call's message as "netlab: …"; returns status. */
int netlab_report(lua_State *L, int status);

/* The REPL on a terminal; without one, standard input is run as a script. */
int repl_main(lua_State *L, int tty);

#endif
