// SPDX-License-Identifier: MIT
/*
 * The interactive interpreter: GNU readline with history kept across
 * sessions, tab completion of Lua names and of live namespace and interface
 * names, expressions shown without print, multi-line chunks, Ctrl-C that
 * cancels a line or interrupts a running loop, and `!command` for the shell.
 * How values are shown, what completes and help() live in repl/repl.lua.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "bindings/bind.h"
#include "repl/repl.h"

#define PROMPT "netlab> "
#define PROMPT_SANDBOX "netlab[sandbox]> "
#define PROMPT_MORE ">> "
#define HISTORY_MAX 1000

static lua_State *repl_L;
static char *pending_text;     /* the lines of an unfinished chunk */
static int done;
static volatile sig_atomic_t got_sigint;

/* Standard input that is not a terminal is one script, as `lua -` reads it. */
static int run_stdin(lua_State *L)
{
	int status = luaL_loadfilex(L, NULL, "t");

	if (status == LUA_OK)
		status = netlab_pcall(L, 0, 0);
	return netlab_report(L, status) == LUA_OK ? 0 : -1;
}

/*
 * The history file: $XDG_STATE_HOME/netlab/history, or
 * ~/.local/state/netlab/history. netlab runs as root, and the file holds
 * whatever was typed (passwords too), so it is opened by descriptor, never
 * through a symbolic link (O_NOFOLLOW; a link planted there would otherwise
 * have root append to, or truncate, the file it names), only in a directory
 * no one else may write to, mode 0600, and owned by whoever owns the
 * directory (under sudo, the user whose home it is). readline's own history
 * functions take a path and follow links, so the file is read and written
 * here through the descriptor.
 */
static int history_fd = -1;
static long history_lines;

/* mkdir -p, each directory made 0700 and owned by the owner of the one above it. */
static int history_mkdir(char *path)
{
	struct stat st;
	char *p;
	uid_t uid = 0;
	gid_t gid = 0;

	for (p = path + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = '\0';
			if (stat(path, &st) == 0) {
				uid = st.st_uid;
				gid = st.st_gid;
			} else if (mkdir(path, 0700) == 0) {
				if (chown(path, uid, gid) < 0) {
					/* Left to whoever made it: still 0700. */
				}
			} else if (errno != EEXIST) {
				*p = c;
				return -1;
			}
			*p = c;
			if (!c)
				return 0;
		}
	}
}

static void history_open(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[4096], buf[4096];
	struct stat ds, fs;
	FILE *f;
	int dfd, fd;

	if (state && *state)
		snprintf(dir, sizeof(dir), "%s/netlab", state);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/netlab", home);
	else
		return;
	stifle_history(HISTORY_MAX);
	if (history_mkdir(dir) < 0)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	/* A directory others may write to could have the file swapped under us. */
	if (fstat(dfd, &ds) < 0 || (ds.st_mode & (S_IWGRP | S_IWOTH))) {
		close(dfd);
		return;
	}
	fd = openat(dfd, "history", O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return;
	if (fstat(fd, &fs) < 0 || !S_ISREG(fs.st_mode) || fs.st_nlink != 1 ||
	    (fs.st_uid != ds.st_uid && fs.st_uid != geteuid())) {
		close(fd);
		return;
	}
	if (fs.st_uid != ds.st_uid && fchown(fd, ds.st_uid, ds.st_gid) < 0) {
		close(fd);
		return;
	}
	if ((fs.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
		close(fd);
		return;
	}
	history_fd = fd;
	fd = fcntl(history_fd, F_DUPFD_CLOEXEC, 0);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0])
			add_history(buf);
		history_lines++;
	}
	fclose(f);
}

/* The file again from the list in memory, once it holds twice what is kept. */
static void history_rewrite(void)
{
	HIST_ENTRY **list = history_list();
	int i;

	if (ftruncate(history_fd, 0) < 0)
		return;
	history_lines = 0;
	for (i = 0; list && list[i]; i++) {
		if (dprintf(history_fd, "%s\n", list[i]->line) < 0)
			return;
		history_lines++;
	}
}

static void history_save(const char *chunk)
{
	add_history(chunk);
	if (history_fd < 0)
		return;
	/* Appended at once (O_APPEND), so two REPLs open side by side both keep theirs. */
	if (dprintf(history_fd, "%s\n", chunk) < 0)
		return;
	history_lines++;
	if (history_lines > 2 * HISTORY_MAX)
		history_rewrite();
}

/* Calls repl.FN with nargs values on the stack; leaves nres results. */
static int repl_call(lua_State *L, const char *fn, int nargs, int nres)
{
	lua_getglobal(L, "require");
	lua_pushliteral(L, "netlab.repl");
	if (lua_pcall(L, 1, 1, 0) != LUA_OK)
		return -1;
	lua_getfield(L, -1, fn);
	lua_remove(L, -2);
	lua_insert(L, -nargs - 1);
	return lua_pcall(L, nargs, nres, 0) == LUA_OK ? 0 : -1;
}

/* An unfinished chunk: the parser stopped at the end of the text. */
static int incomplete(lua_State *L, int status)
{
	size_t len;
	const char *msg;

	if (status != LUA_ERRSYNTAX)
		return 0;
	msg = lua_tolstring(L, -1, &len);
	return len >= 5 && !strcmp(msg + len - 5, "<eof>");
}

/*
 * Loads the chunk: first as an expression so that it shows its value, then
 * as statements. Returns the status; 1 when more lines are needed. Not
 * `return CHUNK`: that would tail-call `link.veth{…}` and drop the stdin:LINE
 * frame errors name; passing the values through a function keeps them all.
 */
static int load_chunk(lua_State *L, const char *chunk)
{
	const char *ret = lua_pushfstring(L, "return (function(...) return ... end)(%s\n)", chunk);
	int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");

	lua_remove(L, -2);
	if (status == LUA_OK)
		return status;
	lua_pop(L, 1);
	status = luaL_loadbuffer(L, chunk, strlen(chunk), "=stdin");
	if (incomplete(L, status)) {
		lua_pop(L, 1);
		return 1;
	}
	return status;
}

static void show_results(lua_State *L, int base)
{
	int n = lua_gettop(L) - base;

	if (n <= 0)
		return;
	if (repl_call(L, "show", n, 1) == 0 || lua_isstring(L, -1))
		puts(lua_tostring(L, -1));
	lua_settop(L, base);
}

/* `!command`: the learner's own shell, to compare with ip and nft. */
static void shell(lua_State *L, const char *cmd)
{
	lua_getglobal(L, "os");
	lua_getfield(L, -1, "execute");
	lua_pushstring(L, cmd);
	lua_pcall(L, 1, 0, 0);
	lua_settop(L, 0);
}

static void run_chunk(lua_State *L, const char *chunk)
{
	int base = lua_gettop(L);
	int status = load_chunk(L, chunk);

	if (status == 1)
		return;
	if (status == LUA_OK)
		status = netlab_pcall(L, 0, LUA_MULTRET);
	if (status == LUA_OK)
		show_results(L, base);
	else
		netlab_report(L, status);
	lua_settop(L, base);
	/*
	 * Cached namespace handles would keep a namespace alive after someone
	 * else deletes it while the REPL sits at its prompt.
	 */
	ns_release();
	fflush(stdout);
}

static const char *prompt(void)
{
	if (pending_text)
		return PROMPT_MORE;
	lua_getglobal(repl_L, "netlab");
	lua_getfield(repl_L, -1, "sandbox");
	{
		int sandbox = lua_toboolean(repl_L, -1);

		lua_pop(repl_L, 2);
		return sandbox ? PROMPT_SANDBOX : PROMPT;
	}
}

static void on_line(char *line)
{
	char *chunk;

	if (!line) {
		done = 1;
		return;
	}
	if (!pending_text && line[0] == '!') {
		history_save(line);
		rl_callback_handler_remove();
		shell(repl_L, line + 1);
		free(line);
		rl_callback_handler_install(prompt(), on_line);
		return;
	}
	if (pending_text) {
		chunk = malloc(strlen(pending_text) + strlen(line) + 2);
		if (!chunk) {
			free(line);
			return;
		}
		sprintf(chunk, "%s\n%s", pending_text, line);
		free(pending_text);
		pending_text = NULL;
	} else {
		chunk = strdup(line);
	}
	free(line);
	if (!chunk)
		return;
	{
		int base = lua_gettop(repl_L);
		int status = load_chunk(repl_L, chunk);

		lua_settop(repl_L, base);
		if (status == 1) {
			pending_text = chunk;
			rl_set_prompt(prompt());
			return;
		}
	}
	if (*chunk)
		history_save(chunk);
	/* Readline stays out of the way while the chunk runs and prints. */
	rl_callback_handler_remove();
	run_chunk(repl_L, chunk);
	free(chunk);
	rl_callback_handler_install(prompt(), on_line);
}

/* Completion: the candidates come from repl.complete, computed once per TAB. */
static char **candidates;
static int ncandidates, next_candidate;

static void free_candidates(void)
{
	int i;

	for (i = 0; i < ncandidates; i++)
		free(candidates[i]);
	free(candidates);
	candidates = NULL;
	ncandidates = next_candidate = 0;
}

static char *generator(const char *text, int state)
{
	(void)text;
	if (state == 0)
		next_candidate = 0;
	if (next_candidate < ncandidates)
		return strdup(candidates[next_candidate++]);
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	lua_State *L = repl_L;
	int i, n;

	(void)end;
	free_candidates();
	rl_attempted_completion_over = 1; /* no file names */
	lua_pushlstring(L, rl_line_buffer, (size_t)start);
	lua_pushstring(L, text);
	if (repl_call(L, "complete", 2, 1) != 0 || !lua_istable(L, -1)) {
		lua_settop(L, 0);
		return NULL;
	}
	n = (int)lua_rawlen(L, -1);
	candidates = calloc((size_t)n + 1, sizeof(*candidates));
	for (i = 0; candidates && i < n; i++) {
		lua_rawgeti(L, -1, i + 1);
		candidates[ncandidates++] = strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_settop(L, 0);
	/* A name ending in "(" or a quoted name needs no space after it. */
	rl_completion_append_character = '\0';
	if (ncandidates == 0)
		return NULL;
	return rl_completion_matches(text, generator);
}

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

/* Ctrl-C at the prompt: the line (and an unfinished chunk) is dropped. */
static void cancel_line(void)
{
	got_sigint = 0;
	free(pending_text);
	pending_text = NULL;
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_crlf();
	rl_callback_handler_remove();
	rl_callback_handler_install(prompt(), on_line);
}

int repl_main(lua_State *L, int tty)
{
	struct sigaction sa = { 0 }, old;

	if (!tty)
		return run_stdin(L);
	repl_L = L;
	if (repl_call(L, "install", 0, 0) != 0)
		lua_settop(L, 0);
	rl_readline_name = "netlab";
	/* '.' and ':' belong to the word, so link.ve<TAB> and purple:<TAB> complete. */
	rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{(,";
	rl_attempted_completion_function = complete;
	/* Readline's own handlers would exit on Ctrl-C; this REPL cancels the line. */
	rl_catch_signals = 0;
	history_open();
	printf("netlab %s: type help() to start, Ctrl-D to leave%s\n", NETLAB_VERSION,
	       strcmp(prompt(), PROMPT_SANDBOX) ? "" :
						   " (a sandbox: everything goes when you leave)");
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	rl_callback_handler_install(prompt(), on_line);
	while (!done) {
		fd_set in;
		int r;

		/* No SA_RESTART: a Ctrl-C ends the wait. netlab_pcall takes SIGINT over while Lua runs. */
		sigaction(SIGINT, &sa, &old);
		FD_ZERO(&in);
		FD_SET(STDIN_FILENO, &in);
		r = select(STDIN_FILENO + 1, &in, NULL, NULL, NULL);
		if (got_sigint) {
			cancel_line();
			continue;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		rl_callback_read_char();
	}
	rl_callback_handler_remove();
	free_candidates();
	free(pending_text);
	pending_text = NULL;
	signal(SIGINT, SIG_DFL);
	putchar('\n');
	return 0;
}
