// SPDX-License-Identifier: MIT
/*
 * The fan-out under `--nodes` (repl/nodes.c says what the rounds are): one
 * ssh client per node, all at once, over one shared connection per node
 * (ControlMaster, its socket in a private temporary directory), each line a
 * node prints prefixed by its name. The ssh client is run with execvp, no
 * shell; NETLAB_SSH replaces its command line, NETLAB_REMOTE the netlab
 * command run on the nodes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/text.h"
#include "repl/nodes_int.h"

void nodes_say(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("netlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Words split at blanks, in place: a command line without a shell's quoting. */
static int split(char *s, char **w, int max)
{
	int n = 0;

	for (char *t = strtok(s, " \t"); t; t = strtok(NULL, " \t")) {
		if (n == max - 1)
			return -1;
		w[n++] = t;
	}
	w[n] = NULL;
	return n;
}

/* NAME=DEST,…: names a script can use and compare, each once. */
static int parse_spec(struct ctl *c, const char *spec)
{
	char *save = NULL;

	c->spec = strdup(spec);
	if (!c->spec)
		return -1;
	for (char *t = strtok_r(c->spec, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		struct node *nd = &c->n[c->count];
		size_t len = eq ? (size_t)(eq - t) : 0;

		if (!eq || !len || !eq[1]) {
			nodes_say("--nodes: \"%s\" is not NAME=DEST (DEST as ssh takes it: host, user@host)", t);
			return -1;
		}
		/* ssh would read a DEST that starts with - as one of its options. */
		if (eq[1] == '-') {
			nodes_say("--nodes: node %.*s: destination \"%s\" starts with -", (int)len, t, eq + 1);
			return -1;
		}
		if (len >= sizeof(nd->name) || strspn(t, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != len) {
			nodes_say("--nodes: node name \"%.*s\": letters, digits, _ and - only, "
			    "up to 63", (int)len, t);
			return -1;
		}
		if (c->count == NODES_MAX) {
			nodes_say("--nodes: more than %d nodes", NODES_MAX);
			return -1;
		}
		nd->fd_w = -1;
		memcpy(nd->name, t, len);
		nd->name[len] = '\0';
		for (int i = 0; i < c->count; i++)
			if (!strcmp(c->n[i].name, nd->name)) {
				nodes_say("--nodes: node \"%s\" named twice", nd->name);
				return -1;
			}
		nd->dest = eq + 1;
		c->count++;
	}
	if (!c->count) {
		nodes_say("--nodes: no node given (NAME=DEST[,NAME=DEST…])");
		return -1;
	}
	return 0;
}

int nodes_ctl_init(struct ctl *c, const char *spec)
{
	const char *ssh = getenv("NETLAB_SSH"), *rem = getenv("NETLAB_REMOTE");

	memset(c, 0, sizeof(*c));
	if (parse_spec(c, spec) < 0)
		return -1;
	c->sshw = strdup(ssh && *ssh ? ssh : "ssh");
	c->remw = strdup(rem && *rem ? rem : "netlab");
	if (!c->sshw || !c->remw)
		return -1;
	/* Room for the options, the destination and the command after them. */
	c->nssh = split(c->sshw, c->ssh, WORDS_MAX - 12);
	c->nrem = split(c->remw, c->rem, WORDS_MAX);
	if (c->nssh <= 0 || c->nrem <= 0) {
		nodes_say("NETLAB_SSH or NETLAB_REMOTE: empty or too many words");
		return -1;
	}
	/* The control sockets live where no other user can reach them. */
	snprintf(c->dir, sizeof(c->dir), "/tmp/netlab-ssh.XXXXXX");
	if (!mkdtemp(c->dir)) {
		nodes_say("mkdtemp %s: %s", c->dir, strerror(errno));
		c->dir[0] = '\0';
		return -1;
	}
	return 0;
}

/* One word for the remote shell, which sshd runs the command with: '…'. */
static void quote(char *buf, size_t len, size_t *k, const char *w)
{
	text_append(buf, len, k, *k ? " '" : "'");
	for (; *w; w++)
		text_append(buf, len, k, *w == '\'' ? "'\\''" : "%c", *w);
	text_append(buf, len, k, "'");
}

/*
 * Starts ssh to nd with the remote command words (NETLAB_REMOTE first
 * unless raw), standard input from fd_in (-1: /dev/null).
 */
int nodes_start(struct ctl *c, struct node *nd, const char *const *words, int raw, int fd_in)
{
	char path[160], cmd[16384];
	const char *argv[WORDS_MAX + 8];
	size_t k = 0;
	int n = 0, out[2], err[2];

	snprintf(path, sizeof(path), "ControlPath=%s/%s", c->dir, nd->name);
	for (int i = 0; i < c->nssh; i++)
		argv[n++] = c->ssh[i];
	argv[n++] = "-o";
	argv[n++] = "ControlMaster=auto";
	argv[n++] = "-o";
	argv[n++] = path;
	/* The master outlives a command for the next round; idle a minute, it ends itself. */
	argv[n++] = "-o";
	argv[n++] = "ControlPersist=60";
	if (raw) {
		for (; *words; words++)
			argv[n++] = *words;
	} else {
		argv[n++] = "-T";
		argv[n++] = nd->dest;
		for (int i = 0; i < c->nrem; i++)
			quote(cmd, sizeof(cmd), &k, c->rem[i]);
		for (; *words; words++)
			quote(cmd, sizeof(cmd), &k, *words);
		if (k >= sizeof(cmd) - 1) {
			nodes_say("node %s: the command is too long", nd->name);
			return -1;
		}
		argv[n++] = cmd;
	}
	argv[n] = NULL;
	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	nd->pid = fork();
	if (nd->pid == 0) {
		int in = fd_in >= 0 ? fd_in : open("/dev/null", O_RDONLY);

		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		signal(SIGPIPE, SIG_DFL); /* run --nodes ignores it for itself */
		if (in < 0 || dup2(in, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (nd->pid < 0) {
		close(out[0]);
		close(err[0]);
		return -1;
	}
	nd->s[0] = (struct stream){ .fd = out[0], .to = stdout };
	nd->s[1] = (struct stream){ .fd = err[0], .to = stderr };
	free(nd->cap);
	nd->cap = NULL;
	nd->ncap = 0;
	return 0;
}

static void emit(struct ctl *c, struct node *nd, struct stream *s, const char *p, size_t n)
{
	if (c->mode == QUIET)
		return;
	if (s == &nd->s[0] && n >= strlen(NODES_ADDR) &&
	    !memcmp(p, NODES_ADDR, strlen(NODES_ADDR))) {
		/* "-": it has no address to say (repl/nodes.c's send_list names it). */
		if (n > strlen(NODES_ADDR))
			snprintf(nd->addr, sizeof(nd->addr), "%.*s", (int)(n - strlen(NODES_ADDR)),
				 p + strlen(NODES_ADDR));
		else
			snprintf(nd->addr, sizeof(nd->addr), "-");
		return;
	}
	/* After a script's last print that had no newline, the line is that text and the count. */
	for (size_t o = 0, m = strlen(NODES_LATER); s == &nd->s[0] && o + m < n; o++)
		if (!memcmp(p + o, NODES_LATER, m)) {
			nd->later = atoi(p + o + m);
			if (!o)
				return;
			n = o;
			break;
		}
	if (c->mode == CAPTURE && s == &nd->s[0]) {
		char *m = realloc(nd->cap, nd->ncap + n + 1);

		if (!m)
			return;
		nd->cap = m;
		memcpy(nd->cap + nd->ncap, p, n);
		nd->ncap += n;
		nd->cap[nd->ncap] = '\0';
		return;
	}
	fprintf(s->to, "%s: %.*s\n", nd->name, (int)n, p);
	fflush(s->to);
}

/* Reads what is there; complete lines (or a full buffer) go out. 0 at the end. */
static int drain(struct ctl *c, struct node *nd, struct stream *s)
{
	ssize_t r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	char *nl;

	if (r < 0 && errno == EINTR)
		return 1;
	if (r <= 0) {
		if (s->len)
			emit(c, nd, s, s->buf, s->len);
		s->len = 0;
		close(s->fd);
		s->fd = -1;
		return 0;
	}
	s->len += (size_t)r;
	while ((nl = memchr(s->buf, '\n', s->len))) {
		size_t n = (size_t)(nl - s->buf);

		/* CAPTURE keeps the text whole: its newline too. */
		emit(c, nd, s, s->buf, c->mode == CAPTURE && s == &nd->s[0] ? n + 1 : n);
		memmove(s->buf, nl + 1, s->len - n - 1);
		s->len -= n + 1;
	}
	if (s->len == sizeof(s->buf)) {
		emit(c, nd, s, s->buf, s->len);
		s->len = 0;
	}
	return 1;
}

/* Until every started ssh has ended: their output out, their exit codes in. */
void nodes_finish(struct ctl *c)
{
	for (;;) {
		struct pollfd p[2 * NODES_MAX];
		struct stream *of[2 * NODES_MAX];
		struct node *by[2 * NODES_MAX];
		int n = 0;

		for (int i = 0; i < c->count; i++)
			for (int j = 0; j < 2; j++)
				if (c->n[i].pid > 0 && c->n[i].s[j].fd >= 0) {
					p[n] = (struct pollfd){ .fd = c->n[i].s[j].fd, .events = POLLIN };
					of[n] = &c->n[i].s[j];
					by[n++] = &c->n[i];
				}
		if (!n)
			break;
		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++)
			if (p[i].revents)
				drain(c, by[i], of[i]);
		if (c->step)
			c->step(c);
	}
	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];
		int st;

		if (nd->pid <= 0)
			continue;
		while (waitpid(nd->pid, &st, 0) < 0 && errno == EINTR)
			;
		nd->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		nd->pid = 0;
	}
}

/* The same words on every node where want(node) (NULL: all), at once. 0 when all exit 0. */
int nodes_round(struct ctl *c, const char *const *words, int (*want)(const struct node *),
		     enum mode mode)
{
	int bad = 0;

	c->mode = mode;
	for (int i = 0; i < c->count; i++) {
		c->n[i].code = -1;
		if (want && !want(&c->n[i]))
			continue;
		if (nodes_start(c, &c->n[i], words, 0, -1) < 0) {
			nodes_say("node %s: cannot start ssh: %s", c->n[i].name, strerror(errno));
			c->n[i].code = 127;
		}
	}
	nodes_finish(c);
	for (int i = 0; i < c->count; i++)
		if ((!want || want(&c->n[i])) && c->n[i].code != 0)
			bad = 1;
	return bad ? -1 : 0;
}

/* What went wrong on a node, in a person's words. */
void nodes_why(const struct node *nd, const char *what)
{
	if (nd->code == 255)
		nodes_say("node %s (%s): cannot be reached over ssh", nd->name, nd->dest);
	else if (nd->code == 127)
		nodes_say("node %s (%s): netlab is not there (NETLAB_REMOTE names it)", nd->name, nd->dest);
	else
		nodes_say("node %s: %s failed (exit %d)", nd->name, what, nd->code);
}

/* One framed message of OpenSSH's PROTOCOL.mux: length, then big-endian words. */
static int mux_send(int fd, const unsigned *w, int n)
{
	unsigned char b[4 * 4];

	for (int i = -1; i < n; i++) {
		unsigned v = i < 0 ? (unsigned)(4 * n) : w[i];

		for (int j = 0; j < 4; j++)
			b[4 * (i + 1) + j] = (unsigned char)(v >> (24 - 8 * j));
	}
	return write(fd, b, (size_t)(4 * (n + 1))) == 4 * (n + 1) ? 0 : -1;
}

/* The first word of the master's next message (a second at most); 0 when it hung up. */
static int mux_recv(int fd, unsigned *type)
{
	unsigned char b[256];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t r;

	*type = 0;
	if (poll(&p, 1, 1000) != 1 || (r = read(fd, b, sizeof(b))) < 0 || (r > 0 && r < 8))
		return -1;
	if (r == 0)
		return 0;
	*type = (unsigned)b[4] << 24 | (unsigned)b[5] << 16 | (unsigned)b[6] << 8 | b[7];
	return 0;
}

/*
 * Asks the master on path to end, as `ssh -O exit` does (hello, then
 * MUX_C_TERMINATE), without starting an ssh client for it: that costs a
 * process and tens of milliseconds per node at the end of every command.
 * The master answers MUX_S_OK, or (OpenSSH 9.2) hangs up as it ends; a
 * master that answers anything else is left to ssh -O exit.
 */
static int mux_exit(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const unsigned hello[] = { 0x00000001, 4 }, term[] = { 0x10000005, 1 };
	unsigned type;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	if (strlen(path) >= sizeof(a.sun_path)) {
		close(fd);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && mux_send(fd, hello, 2) == 0 &&
	    mux_recv(fd, &type) == 0 && type == 0x00000001 && mux_send(fd, term, 2) == 0 &&
	    mux_recv(fd, &type) == 0 && (type == 0x80000001 || type == 0))
		rc = 0;
	close(fd);
	return rc;
}

/* The masters go: each ends its connection; the directory goes. */
void nodes_ctl_fini(struct ctl *c)
{
	char path[160];

	c->mode = QUIET;
	/* No directory (ctl_init stopped before it): no master, nothing to remove. */
	for (int i = 0; i < c->count && c->dir[0]; i++) {
		const char *w[] = { "-O", "exit", c->n[i].dest, NULL };

		snprintf(path, sizeof(path), "%s/%s", c->dir, c->n[i].name);
		if (access(path, F_OK) == 0 && mux_exit(path) < 0)
			nodes_start(c, &c->n[i], w, 1, -1);
	}
	nodes_finish(c);
	for (int i = 0; i < c->count; i++) {
		if (c->dir[0]) {
			snprintf(path, sizeof(path), "%s/%s", c->dir, c->n[i].name);
			unlink(path);
		}
		free(c->n[i].cap);
	}
	if (c->dir[0])
		rmdir(c->dir);
	free(c->spec);
	free(c->sshw);
	free(c->remw);
}
