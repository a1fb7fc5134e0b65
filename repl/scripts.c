// SPDX-License-Identifier: MIT
/*
 * The bundled scripts: `netlab run NAME`, where NAME is not a file here, runs
 * the bundled script of that name, and `netlab scripts` lists them.
 *
 * The bundled scripts are the ones that came with this binary, so they are
 * looked for next to it first (/proc/self/exe): scripts/ of a source tree for
 * ./netlab and build-san/netlab, then ../share/netlab/scripts for an install
 * that was moved or made with DESTDIR, and only then the DATADIR the binary
 * was built for. A directory counts only when it holds .netlab-scripts, the
 * file every set of bundled scripts ships with for this (their library,
 * netlab.topo, is compiled in: bindings/topo.lua), so a stray scripts/ next
 * to an installed binary is never taken for them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repl/scripts.h"

#ifndef NETLAB_DATADIR
#define NETLAB_DATADIR "/usr/local/share/netlab"
#endif

/* What a set of bundled scripts always holds. */
#define MARKER "/.netlab-scripts"

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir (made canonical into out, PATH_MAX bytes) when it holds bundled scripts. */
static int try_dir(const char *dir, char *out)
{
	char marker[PATH_MAX];
	int k = snprintf(marker, sizeof(marker), "%s" MARKER, dir);

	if (k < 0 || (size_t)k >= sizeof(marker) || !is_file(marker))
		return 0;
	return realpath(dir, out) != NULL;
}

int scripts_dir(char out[PATH_MAX])
{
	static const char *const near_exe[] = { "scripts", "../scripts", "../share/netlab/scripts" };
	char exe[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; slash && i < sizeof(near_exe) / sizeof(near_exe[0]); i++) {
			int k = snprintf(dir, sizeof(dir), "%s/%s", exe, near_exe[i]);

			if (k > 0 && (size_t)k < sizeof(dir) && try_dir(dir, out))
				return 0;
		}
	}
	return try_dir(NETLAB_DATADIR "/scripts", out) ? 0 : -ENOENT;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

const char *scripts_find(const char *name, char out[PATH_MAX])
{
	char dir[PATH_MAX];
	struct stat st;
	int k;

	/* A path names one file (its errors are loadfile's); only a bare name can mean a bundled script. */
	if (stat(name, &st) == 0 || strchr(name, '/'))
		return name;
	if (!*name || scripts_dir(dir) < 0)
		return NULL;
	k = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (k > 0 && k < PATH_MAX && is_file(out))
		return out;
	/* `netlab run pod` as well as `netlab run pod.lua`. */
	if (has_suffix(name, ".lua"))
		return NULL;
	k = snprintf(out, PATH_MAX, "%s/%s.lua", dir, name);
	return k > 0 && k < PATH_MAX && is_file(out) ? out : NULL;
}

/* Copies the body of the Lua string literal at s (just after its opening quote) into doc. */
static void copy_literal(const char *s, char quote, char *doc, size_t n)
{
	size_t k = 0;

	for (; *s && *s != quote && *s != '\n' && k + 1 < n; s++) {
		if (*s == '\\' && s[1] && s[1] != '\n')
			s++;
		doc[k++] = *s;
	}
	doc[k] = '\0';
}

/*
 * A script's one-line doc, read from its text without running it: the doc
 * its netlab.params{doc = "..."} declares, else the first sentence of its
 * opening comment.
 */
static void script_doc(const char *path, char *doc, size_t n)
{
	char text[8192], *p, *line;
	FILE *f = fopen(path, "re");
	size_t len, k = 0;

	doc[0] = '\0';
	if (!f)
		return;
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	p = strstr(text, "netlab.params");
	if (p && (p = strstr(p, "doc"))) {
		p += 3;
		p += strspn(p, " \t");
		if (*p == '=') {
			p++;
			p += strspn(p, " \t\n");
			if (*p == '"' || *p == '\'') {
				copy_literal(p + 1, *p, doc, n);
				return;
			}
		}
	}
	line = text;
	if (!strncmp(line, "#!", 2))
		line += strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n');
	/* The comment's lines run together up to the first full stop. */
	while (!strncmp(line, "--", 2) && line[2] != '[' && k + 1 < n) {
		char *end = line + strcspn(line, "\n");
		size_t indent = strspn(line + 2, " \t");

		/* An indented line is an example command, an empty one a paragraph's end. */
		if (indent > 1 || line + 2 + indent >= end)
			break;
		line += 2 + indent;
		if (k)
			doc[k++] = ' ';
		while (line < end && k + 1 < n) {
			doc[k++] = *line;
			if (*line++ == '.' && (line == end || *line == ' ')) {
				doc[k] = '\0';
				return;
			}
		}
		line = *end ? end + 1 : end;
	}
	doc[k] = '\0';
}

/* A listing's line stays one line: a long doc is cut at a word, with "...". */
static void shorten(char *doc, size_t max)
{
	char *cut;

	if (strlen(doc) <= max || max < 4)
		return;
	doc[max - 3] = '\0';
	cut = strrchr(doc, ' ');
	memcpy(cut ? cut : doc + max - 3, "...", 4);
}

static int lua_file(const struct dirent *d)
{
	return d->d_name[0] != '.' && has_suffix(d->d_name, ".lua");
}

int scripts_list(FILE *out)
{
	char dir[PATH_MAX], path[PATH_MAX], doc[512];
	struct dirent **names;
	int n, i, width = 0;

	if (scripts_dir(dir) < 0) {
		fprintf(stderr, "netlab: no bundled scripts found (looked next to the binary and in "
				"%s/scripts)\n", NETLAB_DATADIR);
		return -ENOENT;
	}
	n = scandir(dir, &names, lua_file, alphasort);
	if (n < 0) {
		fprintf(stderr, "netlab: %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(names[i]->d_name) > width)
			width = (int)strlen(names[i]->d_name);
	fprintf(out, "bundled scripts in %s (netlab run NAME, NAME --help for its parameters):\n",
		dir);
	for (i = 0; i < n; i++) {
		int k = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);

		if (k > 0 && (size_t)k < sizeof(path) && is_file(path)) {
			script_doc(path, doc, sizeof(doc));
			shorten(doc, 90);
			fprintf(out, "  %-*s  %s\n", width, names[i]->d_name, doc);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}
