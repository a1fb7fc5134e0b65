// SPDX-License-Identifier: MIT
/*
 * The netlab module's file helpers for the lab engine and the Lua halves:
 * the lock, the lab directory and its files, directory listing, and what
 * Lua's io library cannot ask for (fsync, close-on-exec, isatty).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"
#include "core/dir.h"
#include "core/labfile.h"
#include "core/lock.h"

#define LOCK "netlab.lock"

/*
 * netlab._lock(path): an exclusive lock on a file, as a closeable handle;
 * nil and the holder's pid when another process holds it.
 */
static int l_lock(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int *h = lua_newuserdatauv(L, sizeof(int), 0);
	struct nl_err err;
	pid_t holder;
	int fd;

	*h = -1;
	luaL_setmetatable(L, LOCK);
	fd = lock_take(path, &holder, &err);
	if (fd == -EWOULDBLOCK) {
		lua_pushnil(L);
		lua_pushinteger(L, holder);
		return 2;
	}
	if (fd < 0) {
		/* No position: the lab engine's line means nothing to the user. */
		lua_pushfstring(L, "cannot open %s: %s", path, strerror(-fd));
		return lua_error(L);
	}
	*h = fd;
	return 1;
}

static int lock_close(lua_State *L)
{
	int *h = luaL_checkudata(L, 1, LOCK);

	if (*h >= 0)
		close(*h);
	*h = -1;
	return 0;
}

static int lock_tostring(lua_State *L)
{
	int *h = luaL_checkudata(L, 1, LOCK);

	lua_pushstring(L, *h >= 0 ? "netlab.lock (held)" : "netlab.lock (released)");
	return 1;
}

/* The close of a file handle made here, as liolib's own. */
static int labfile_fclose(lua_State *L)
{
	luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
	int ok = fclose(p->f) == 0;

	return luaL_fileresult(L, ok, NULL);
}

/*
 * netlab._labdir(dir): makes the lab directory (or a lab's log directory in
 * it) if missing and checks it is ours (a directory, not a symlink, our uid,
 * not group/world-writable). Raises otherwise.
 */
static int l_labdir(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	int fd = labfile_dir(dir);

	if (fd < 0) {
		/* No position, as _lock's: the lab engine's line means nothing to the user. */
		lua_pushfstring(L, "%s: %s", dir, fd == -EPERM ?
				"not a directory of this user's that only it can write" : strerror(-fd));
		return lua_error(L);
	}
	close(fd);
	return 0;
}

/*
 * netlab._labopen(dir, name, mode): a Lua file handle on DIR/NAME opened as
 * labfile_open does ('r', 'a' or 'w'), or nil, message, errno as io.open.
 */
static int l_labopen(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1), *name = luaL_checkstring(L, 2);
	const char *mode = luaL_checkstring(L, 3);
	int dfd, fd;
	luaL_Stream *p;

	luaL_argcheck(L, (mode[0] == 'r' || mode[0] == 'a' || mode[0] == 'w') && !mode[1], 3,
		      "'r', 'a' or 'w' expected");
	p = lua_newuserdatauv(L, sizeof(luaL_Stream), 0);
	p->closef = NULL; /* closed until it is open */
	luaL_setmetatable(L, LUA_FILEHANDLE);
	dfd = labfile_dir(dir);
	fd = dfd < 0 ? dfd : labfile_open(dfd, name, mode[0]);
	if (dfd >= 0)
		close(dfd);
	if (fd >= 0) {
		p->f = fdopen(fd, mode[0] == 'r' ? "r" : mode[0] == 'a' ? "a" : "w");
		if (!p->f) {
			int e = errno;

			close(fd);
			fd = -e;
		}
	}
	if (fd < 0) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s/%s: %s", dir, name, strerror(-fd));
		lua_pushinteger(L, -fd);
		return 3;
	}
	p->closef = labfile_fclose;
	return 1;
}

/* netlab._fsync(file): flushes a Lua file handle to the disk; true, or nil and a message. */
static int l_fsync(lua_State *L)
{
	luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);

	if (!p->closef)
		return luaL_error(L, "attempt to use a closed file");
	return luaL_fileresult(L, fflush(p->f) == 0 && fsync(fileno(p->f)) == 0, NULL);
}

/* netlab._ns_placeholder(name): removes an empty, unmounted /run/netns/NAME; true if it did. */
static int l_ns_placeholder(lua_State *L)
{
	int r = labfile_ns_placeholder(luaL_checkstring(L, 1));

	lua_pushboolean(L, r > 0);
	return 1;
}

static int ls_add(const char *name, void *data)
{
	lua_State *L = data;

	lua_pushstring(L, name);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* netlab._ls(dir): the names in a directory, sorted (an empty list if there is none). */
static int l_ls(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	struct nl_err err;

	lua_newtable(L);
	/* An unreadable directory lists as empty, as a missing one. */
	dir_list(dir, ls_add, L, &err);
	return 1;
}

/* netlab._isatty(fd) */
static int l_isatty(lua_State *L)
{
	lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
	return 1;
}

/*
 * netlab._cloexec(file): marks a file Lua opened close-on-exec. Lua's
 * io.open cannot ask for O_CLOEXEC, so the netlab Lua half wraps io.open
 * with this; no descriptor netlab opens reaches a command it runs (the
 * child's sweep in core/exec.c covers what is opened some other way).
 */
static int l_cloexec(lua_State *L)
{
	luaL_Stream *p = luaL_testudata(L, 1, LUA_FILEHANDLE);
	int fd;

	if (p && p->f && (fd = fileno(p->f)) >= 0)
		fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	return 0;
}

static const luaL_Reg funcs[] = {
	{ "_lock", l_lock },
	{ "_labdir", l_labdir },
	{ "_labopen", l_labopen },
	{ "_fsync", l_fsync },
	{ "_ns_placeholder", l_ns_placeholder },
	{ "_ls", l_ls },
	{ "_isatty", l_isatty },
	{ "_cloexec", l_cloexec },
	{ NULL, NULL },
};

void nlb_netlab_files(lua_State *L)
{
	/* One function for __gc and __close, as Lua's own files have. */
	luaL_newmetatable(L, LOCK);
	lua_pushcfunction(L, lock_close);
	lua_setfield(L, -2, "__gc");
	lua_pushcfunction(L, lock_close);
	lua_setfield(L, -2, "__close");
	lua_pushcfunction(L, lock_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, lock_close);
	lua_setfield(L, -2, "release");
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_setfuncs(L, funcs, 0);
}
