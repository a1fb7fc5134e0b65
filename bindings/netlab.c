// SPDX-License-Identifier: MIT
/*
 * The netlab module (what belongs to no kernel object: version, sleep, the
 * processes a script started) and the loader that opens every module: its C
 * half, then its Lua half from the binary.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bind.h"
#include "bindings/embedded.h"
#include "core/labfile.h"
#include <lua-cjson.h>


static int l_sleep(lua_State *L)
{
	lua_Number s = luaL_checknumber(L, 1);
	struct timespec ts;

	/* NaN and infinity have no time_t: converting them is undefined. */
	if (!(s >= 0) || s > (lua_Number)INT32_MAX)
		return nlb_argerror(L, 1, "a duration of 0 to %d seconds expected", INT32_MAX);
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (lua_Number)ts.tv_sec) * 1e9);
	/* A signal ends the sleep early, so Ctrl-C reaches the script at once. */
	nanosleep(&ts, NULL);
	return 0;
}

/*
 * The processes scripts started with ns.spawn; only those may be signalled by
 * netlab.kill. Kept outside Lua so that a sandboxed run can still end them
 * at exit when the script leaves through os.exit. A process netlab.kill has
 * ended and reaped stays listed with its wait status until netlab.wait asks
 * for it: once reaped, waitpid() knows it no more (ECHILD).
 */
struct child {
	pid_t pid;
	int reaped; /* 1: status holds its wait status */
	int status;
};
static struct child *children;
static size_t nchildren, capchildren;

static int child_at(pid_t pid)
{
	size_t i;

	for (i = 0; i < nchildren; i++)
		if (children[i].pid == pid)
			return (int)i;
	return -1;
}

static int l_adopt(lua_State *L)
{
	pid_t pid = (pid_t)luaL_checkinteger(L, 1);

	if (nchildren == capchildren) {
		struct child *p = realloc(children, (capchildren = capchildren ? capchildren * 2 : 16) *
							    sizeof(*p));

		if (!p)
			return luaL_error(L, "out of memory");
		children = p;
	}
	children[nchildren++] = (struct child){ .pid = pid };
	return 0;
}

/* Waits up to ms for c to end; 1 and its status kept when it has. */
static int reap(struct child *c, int ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (; ms >= 0 && !c->reaped; ms -= 10) {
		if (waitpid(c->pid, &c->status, WNOHANG) == c->pid)
			c->reaped = 1;
		else if (ms)
			nanosleep(&tick, NULL);
	}
	return c->reaped;
}

/* Ends a process a script started with ns.spawn: SIGTERM, then SIGKILL after a second. */
static int kill_child(struct child *c)
{
	if (c->reaped)
		return 0;
	if (kill(c->pid, SIGTERM) < 0)
		return -errno;
	if (!reap(c, 1000)) {
		kill(c->pid, SIGKILL);
		reap(c, 1000);
	}
	return 0;
}

static struct child *check_child(lua_State *L, int idx)
{
	lua_Integer pid = luaL_checkinteger(L, idx);
	/* 2^32 + pid must not be taken as pid. */
	int i = pid > 0 && pid <= INT32_MAX ? child_at((pid_t)pid) : -1;

	if (i < 0 && (pid <= 0 || pid > INT32_MAX))
		nlb_argerror(L, idx, "a process id expected");
	if (i < 0)
		nlb_argerror(L, idx, "%d is not a process this script started", (int)pid);
	return &children[i];
}

static void forget_child(pid_t pid)
{
	int i = child_at(pid);

	if (i >= 0)
		children[i] = children[--nchildren];
}

/* netlab.kill(pid [, "INT"|"TERM"|"KILL"|n]): without a signal, TERM then KILL, and reaped. */
static int l_kill(lua_State *L)
{
	static const char *const names[] = { "INT", "TERM", "KILL", "HUP", "USR1", NULL };
	static const int sigs[] = { SIGINT, SIGTERM, SIGKILL, SIGHUP, SIGUSR1 };
	struct child *c = check_child(L, 1);
	int sig;

	if (lua_isnoneornil(L, 2)) {
		lua_pushboolean(L, kill_child(c) == 0);
		return 1;
	}
	if (lua_type(L, 2) == LUA_TNUMBER) {
		lua_Integer n = luaL_checkinteger(L, 2);

		if (n < 0 || n > SIGRTMAX)
			return nlb_argerror(L, 2, "a signal number of 0 to %d expected", SIGRTMAX);
		sig = (int)n;
	} else {
		sig = sigs[luaL_checkoption(L, 2, NULL, names)];
	}
	/* An ended process's pid may already be someone else's. */
	lua_pushboolean(L, !c->reaped && kill(c->pid, sig) == 0);
	return 1;
}

/* netlab.wait(pid [, seconds]): "exit", code or "signal", n; nil when it is still running. */
static int l_wait(lua_State *L)
{
	struct child *c = check_child(L, 1);
	lua_Number s = luaL_optnumber(L, 2, -1);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t pid = c->pid;
	int status = c->status;

	/* NaN would never count down. */
	if (!lua_isnoneornil(L, 2) && !(s >= 0))
		return nlb_argerror(L, 2, "a duration of 0 seconds or more expected");

	while (!c->reaped) {
		pid_t r = waitpid(pid, &status, s < 0 ? 0 : WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return nlb_argerror(L, 1, "cannot wait for %d: %s", (int)pid, strerror(errno));
		if (r == 0) {
			if (s <= 0)
				return 0;
			nanosleep(&tick, NULL);
			s -= 0.01;
		}
	}
	forget_child(pid);
	if (WIFEXITED(status)) {
		lua_pushliteral(L, "exit");
		lua_pushinteger(L, WEXITSTATUS(status));
	} else {
		lua_pushliteral(L, "signal");
		lua_pushinteger(L, WTERMSIG(status));
	}
	return 2;
}

/*
 * The state letter and start time (clock ticks after boot) of a process, from
 * /proc/PID/stat; the command may hold spaces and parentheses, so the fields
 * are counted after its last ')'. Returns 0, or -1 when there is no such process.
 */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	size_t n;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c", state) != 1)
		return -1;
	/* ") S ppid ..." : the state is field 3, the start time field 22. */
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start) != 1)
		return -1;
	return 0;
}

/* netlab._proc_start(pid): the start time of a live process, or nil (gone, or a zombie). */
static int l_proc_start(lua_State *L)
{
	pid_t pid = (pid_t)luaL_checkinteger(L, 1);
	unsigned long long start;
	char state;

	if (pid <= 0 || proc_stat(pid, &state, &start) < 0 || state == 'Z' || state == 'X')
		return 0;
	lua_pushinteger(L, (lua_Integer)start);
	return 1;
}

/* Whether the process that started at start is still there (not a zombie). */
static int still_running(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char state;

	waitpid(pid, NULL, WNOHANG); /* our own child: reaped, so it goes */
	return proc_stat(pid, &state, &now) == 0 && now == start && state != 'Z' && state != 'X';
}

static int gone_within(pid_t pid, unsigned long long start, int ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (; ms >= 0; ms -= 10) {
		if (!still_running(pid, start))
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/*
 * netlab._end(pid, start): ends a process a lab started (ns.spawn), which
 * need not be this netlab's child: `netlab down` ends what the run left
 * running. Only when its start time is the one recorded, so a PID used again
 * by someone else's process is left alone. SIGTERM, then SIGKILL after a
 * second. True when it was running.
 */
static int l_end(lua_State *L)
{
	pid_t pid = (pid_t)luaL_checkinteger(L, 1);
	unsigned long long start = (unsigned long long)luaL_checkinteger(L, 2);

	if (pid <= 0 || !still_running(pid, start)) {
		lua_pushboolean(L, 0);
		return 1;
	}
	forget_child(pid);
	kill(pid, SIGTERM);
	if (!gone_within(pid, start, 1000)) {
		kill(pid, SIGKILL);
		gone_within(pid, start, 1000);
	}
	lua_pushboolean(L, 1);
	return 1;
}

/* netlab._name(fn, "mod.fn"): how errors raised under fn name it (for wrappers). */
static int l_name(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	luaL_checkstring(L, 2);
	lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names");
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_rawset(L, -3);
	return 0;
}

/* netlab._function_name(fn): "link.veth" for netlab's functions, else nil. */
static int l_function_name(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names");
	lua_pushvalue(L, 1);
	lua_rawget(L, -2);
	return 1;
}

/* netlab._man("netlab-link.3"): the man page compiled into netlab, or nil. */
static int l_man(lua_State *L)
{
	const char *page = luaL_checkstring(L, 1);
	const struct nlb_chunk *c;

	for (c = nlb_chunks; c->name; c++)
		if (!strncmp(c->name, "man/", 4) && !strcmp(c->name + 4, page)) {
			lua_pushlstring(L, c->src, c->len);
			return 1;
		}
	return 0;
}

/* netlab._changes(): how many kernel-changing requests this process has made. */
static int l_changes(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)nl_changes());
	return 1;
}

/* netlab._readonly(on): a dry run's wall in the core (see nl_set_readonly). */
static int l_readonly(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TBOOLEAN);
	nl_set_readonly(lua_toboolean(L, 1));
	return 0;
}

static lua_State *interruptible;
static volatile sig_atomic_t critical, pending;

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	if (critical) {
		pending = 1;
		return;
	}
	pending = 0;
	luaL_error(L, "interrupted");
}

static void arm_hook(lua_State *L)
{
	lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

static void on_signal(int sig)
{
	/* A second one while the first is still pending ends netlab at once. */
	if (pending && !critical)
		signal(sig, SIG_DFL);
	pending = 1;
	if (interruptible && !critical)
		arm_hook(interruptible);
}

void nlb_interrupt_arm(lua_State *L)
{
	interruptible = L;
	pending = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

void nlb_interrupt_disarm(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	interruptible = NULL;
	pending = 0;
}

/*
 * netlab._critical(on [, discard]): while a lab is rolled back or saved,
 * Ctrl-C and SIGTERM wait; the interruption is raised when the section ends,
 * unless discard says the run is failing anyway.
 */
static int l_critical(lua_State *L)
{
	critical = lua_toboolean(L, 1);
	if (critical) {
		lua_sethook(L, NULL, 0, 0);
	} else if (lua_toboolean(L, 2)) {
		pending = 0;
	} else if (pending && interruptible) {
		arm_hook(interruptible);
	}
	return 0;
}

/*
 * netlab._lock(path): an exclusive lock on a file, as a closeable handle;
 * nil and the holder's pid when another process holds it.
 */
#define LOCK "netlab.lock"

static int l_lock(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int *h = lua_newuserdatauv(L, sizeof(int), 0);
	char buf[32];

	*h = -1;
	luaL_setmetatable(L, LOCK);
	for (;;) {
		struct stat a, b;
		/* Never through a symlink: a planted one would have us truncate its target. */
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		ssize_t n;

		if (fd < 0)
			return luaL_error(L, "cannot open %s: %s", path, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			lua_pushnil(L);
			lua_pushinteger(L, n > 0 ? (buf[n] = '\0', atoi(buf)) : 0);
			return 2;
		}
		/* Whoever held it may have removed the file meanwhile: lock the file that is there. */
		if (fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_ino == b.st_ino) {
			n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
			if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n)
				(void)0; /* the pid is only informative */
			*h = fd;
			return 1;
		}
		close(fd);
	}
}

/* The close of a file handle made here, as liolib's own. */
static int labfile_fclose(lua_State *L)
{
	luaL_Stream *p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
	int ok = fclose(p->f) == 0;

	return luaL_fileresult(L, ok, NULL);
}

/*
 * netlab._labdir(dir): makes the lab directory if missing and checks it is
 * ours (a directory, not a symlink, our uid, not group/world-writable).
 * Raises otherwise.
 */
static int l_labdir(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	int fd = labfile_dir(dir);

	if (fd < 0)
		return luaL_error(L, "%s: %s", dir, fd == -EPERM ?
				  "not a directory of this user's that only it can write" : strerror(-fd));
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

/* netlab._mkdir(path): creates a directory (and its parents), mode 0755; fine if it exists. */
static int l_mkdir(lua_State *L)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s", luaL_checkstring(L, 1));
	for (p = path + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return luaL_error(L, "cannot create %s: %s", path, strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* netlab._ls(dir): the names in a directory, sorted (an empty list if there is none). */
static int l_ls(lua_State *L)
{
	DIR *d = opendir(luaL_checkstring(L, 1));
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0, i;

	lua_newtable(L);
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!p)
				break;
			v = p;
		}
		v[n] = strdup(e->d_name);
		if (v[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	for (i = 0; i < n; i++) {
		lua_pushstring(L, v[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
		free(v[i]);
	}
	free(v);
	return 1;
}

/* netlab._release(): lets go of cached namespace handles (see ns_release). */
static int l_release(lua_State *L)
{
	(void)L;
	ns_release();
	return 0;
}

/* netlab._isatty(fd) */
static int l_isatty(lua_State *L)
{
	lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
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

void nlb_kill_children(void)
{
	while (nchildren)
		kill_child(&children[--nchildren]);
	free(children);
	children = NULL;
	capchildren = 0;
}

static int l_meta(lua_State *L)
{
	luaL_newmetatable(L, luaL_checkstring(L, 1));
	return 1;
}

static int l_where(lua_State *L)
{
	nlb_where(L);
	return 1;
}

/* netlab.error(msg): raises "FILE:LINE: mod.fn: msg" for the Lua halves. */
static int l_error(lua_State *L)
{
	struct nl_err err = { 0 };
	const char *msg = luaL_checkstring(L, 1);
	const char *name = luaL_optstring(L, 2, NULL);

	/* No errno by default: a Lua half's message says what is wrong in words. */
	err.code = (int)luaL_optinteger(L, 3, 0);
	snprintf(err.msg, sizeof(err.msg), "%s", msg);
	if (name)
		snprintf(err.obj, sizeof(err.obj), "%s", name);
	return nlb_error(L, &err);
}

static int l_argerror(lua_State *L)
{
	return nlb_argerror(L, (int)luaL_checkinteger(L, 1), "%s", luaL_checkstring(L, 2));
}

/*
 * netlab._fields(t, arg, {"lo", "ipv6", …} [, npos]): nlb_checkfields for the
 * Lua halves, with the spec as a list; one check and one "did you mean".
 */
static int l_fields(lua_State *L)
{
	const char *known[64];
	lua_Integer i, n;

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 3, LUA_TTABLE);
	n = (lua_Integer)lua_rawlen(L, 3);
	luaL_argcheck(L, n < (lua_Integer)(sizeof(known) / sizeof(known[0])), 3, "too many fields");
	for (i = 0; i < n; i++) {
		lua_rawgeti(L, 3, i + 1);
		/* The list keeps each string alive while the check runs. */
		known[i] = luaL_checkstring(L, -1);
		lua_pop(L, 1);
	}
	known[n] = NULL;
	nlb_checkfields(L, 1, (int)luaL_checkinteger(L, 2), luaL_optinteger(L, 4, 1), known);
	return 0;
}

/* netlab.cidr("10.0.0.1/24"[, need_prefix]) -> {family =, addr =, plen =, network =} or nil, why */
static int l_cidr(lua_State *L)
{
	const char *s = luaL_checkstring(L, 1);
	int need = lua_isnoneornil(L, 2) ? 1 : lua_toboolean(L, 2);
	char why[PARSE_WHY], b[64];
	struct cidr c;

	if (!lua_isnoneornil(L, 2) && !lua_isboolean(L, 2))
		return nlb_argerror(L, 2, "boolean expected, got %s", luaL_typename(L, 2));
	if (cidr_parse(s, need, &c, why) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, why);
		return 2;
	}
	lua_createtable(L, 0, 4);
	lua_pushstring(L, c.family == AF_INET ? "inet" : "inet6");
	lua_setfield(L, -2, "family");
	lua_pushinteger(L, c.plen);
	lua_setfield(L, -2, "plen");
	inet_ntop(c.family, c.a.b, b, sizeof(b));
	lua_pushstring(L, b);
	lua_setfield(L, -2, "addr");
	cidr_network(&c);
	cidr_fmt(&c, b, sizeof(b));
	lua_pushstring(L, b);
	lua_setfield(L, -2, "network");
	return 1;
}

/*
 * Host N of SUBNET as text, with its prefix when plen is set. Returns 1 with
 * the text pushed, or 0 with why filled (nothing pushed); which argument was
 * wrong goes to *arg.
 */
static int push_host(lua_State *L, int plen, char *why, int *arg)
{
	const char *s = luaL_checkstring(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	char b[INET6_ADDRSTRLEN + 4];
	struct cidr net, c;

	*arg = 1;
	if (cidr_parse(s, 1, &net, why) < 0)
		return 0;
	*arg = 2;
	if (cidr_host(&net, (long long)n, &c, why) < 0)
		return 0;
	if (plen) {
		cidr_fmt(&c, b, sizeof(b));
	} else {
		inet_ntop(c.family, c.a.b, b, sizeof(b));
	}
	lua_pushstring(L, b);
	return 1;
}

/* The host's text (with its prefix when plen is set); on error, raise or return nil, why. */
static int host_result(lua_State *L, int plen, int raise)
{
	char why[PARSE_WHY];
	int arg;

	if (push_host(L, plen, why, &arg))
		return 1;
	if (raise)
		return nlb_argerror(L, arg, "%s", why);
	lua_pushnil(L);
	lua_pushstring(L, why);
	return 2;
}

/* netlab.host("10.0.0.0/24", 2) -> "10.0.0.2" */
static int l_host(lua_State *L)
{
	return host_result(L, 0, 1);
}

/* netlab.hostcidr("10.0.0.0/24", 2) -> "10.0.0.2/24" */
static int l_hostcidr(lua_State *L)
{
	return host_result(L, 1, 1);
}

/* netlab._hostcidr(subnet, n): as netlab.hostcidr, but nil and why for libraries to word. */
static int l_hostcidr_try(lua_State *L)
{
	return host_result(L, 1, 0);
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

static const luaL_Reg netlab_funcs[] = {
	{ "cidr", l_cidr },
	{ "host", l_host },
	{ "hostcidr", l_hostcidr },
	{ "_hostcidr", l_hostcidr_try },
	{ "sleep", l_sleep },
	{ "kill", l_kill },
	{ "wait", l_wait },
	{ "_name", l_name },
	{ "_changes", l_changes },
	{ "_readonly", l_readonly },
	{ "_function_name", l_function_name },
	{ "_man", l_man },
	{ "_critical", l_critical },
	{ "_lock", l_lock },
	{ "_mkdir", l_mkdir },
	{ "_labdir", l_labdir },
	{ "_labopen", l_labopen },
	{ "_fsync", l_fsync },
	{ "_ns_placeholder", l_ns_placeholder },
	{ "_ls", l_ls },
	{ "_isatty", l_isatty },
	{ "_release", l_release },
	{ "_adopt", l_adopt },
	{ "_end", l_end },
	{ "_proc_start", l_proc_start },
	{ "_meta", l_meta },
	{ "_where", l_where },
	{ "_error", l_error },
	{ "_argerror", l_argerror },
	{ "_fields", l_fields },
	{ "_cloexec", l_cloexec },
	{ NULL, NULL },
};

int luaopen_netlab(lua_State *L)
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
	luaL_newlib(L, netlab_funcs);
	lua_pushliteral(L, NETLAB_VERSION);
	lua_setfield(L, -2, "version");
	return 1;
}

static const struct nlb_chunk *chunk(const char *name)
{
	const struct nlb_chunk *c;

	for (c = nlb_chunks; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int load_chunk(lua_State *L, const struct nlb_chunk *c)
{
	char chunkname[64];

	snprintf(chunkname, sizeof(chunkname), "=netlab/%s.lua", c->name);
	return luaL_loadbufferx(L, c->src, c->len, chunkname, "t");
}

/* package.preload loader for the Lua-only libraries (require "netlab.lan"). */
static int preload(lua_State *L)
{
	const struct nlb_chunk *c = chunk(luaL_checkstring(L, 1));

	if (!c || load_chunk(L, c) != LUA_OK)
		return lua_error(L);
	lua_pushvalue(L, 1);
	lua_call(L, 1, 1);
	return 1;
}

/* Names every module function "mod.fn", for error messages and help. */
static void name_functions(lua_State *L, const char *mod)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "netlab.names");
	lua_getglobal(L, mod);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_isfunction(L, -1) && lua_type(L, -2) == LUA_TSTRING) {
			lua_pushvalue(L, -1);
			/* names, module, key, value, names[value] */
			if (lua_rawget(L, -5) == LUA_TNIL) {
				lua_pushvalue(L, -2);
				lua_pushfstring(L, "%s.%s", mod, lua_tostring(L, -4));
				lua_rawset(L, -7);
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static const struct {
	const char *name;
	lua_CFunction open;
} modules[] = {
	{ "netlab", luaopen_netlab },
	{ "ns", luaopen_ns },
	{ "link", luaopen_link },
	{ "bridge", NULL },
	{ "route", luaopen_route },
	{ "nat", luaopen_nat },
};

#define NMODULES (sizeof(modules) / sizeof(modules[0]))

void nlb_openlibs(lua_State *L)
{
	const struct nlb_chunk *c;
	size_t i;

	/* The objects' metatables exist before any module makes an object. */
	luaL_newmetatable(L, NLB_NS);
	lua_pop(L, 1);
	luaL_newmetatable(L, NLB_LINK);
	lua_pop(L, 1);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "netlab.names");
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	for (i = 0; i < NMODULES; i++) {
		if (modules[i].open)
			luaL_requiref(L, modules[i].name, modules[i].open, 1);
		else
			lua_newtable(L);
		/* The Lua half gets the C half's table and adds to it. */
		c = chunk(modules[i].name);
		if (c) {
			if (load_chunk(L, c) != LUA_OK)
				lua_error(L);
			lua_pushvalue(L, -2);
			lua_call(L, 1, 1);
			if (lua_istable(L, -1))
				lua_replace(L, -2);
			else
				lua_pop(L, 1);
		}
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, modules[i].name);
		lua_setglobal(L, modules[i].name);
	}
	lua_pop(L, 1);
	for (i = 0; i < NMODULES; i++) {
		name_functions(L, modules[i].name);
		/* Last, so that the Lua halves could still test for what is not there. */
		lua_getglobal(L, modules[i].name);
		nlb_strictmodule(L, -1, modules[i].name);
		lua_pop(L, 1);
	}
	/* The rest are libraries a script may require. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	/* lua-cjson: lab records are JSON, and scripts may read and write it too. */
	lua_pushcfunction(L, luaopen_cjson);
	lua_setfield(L, -2, "cjson");
	for (c = nlb_chunks; c->name; c++) {
		if (!strncmp(c->name, "man/", 4))
			continue;
		for (i = 0; i < NMODULES && strcmp(modules[i].name, c->name); i++)
			;
		if (i == NMODULES) {
			lua_pushcfunction(L, preload);
			lua_setfield(L, -2, c->name);
		}
	}
	lua_pop(L, 1);
}
