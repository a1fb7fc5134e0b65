// SPDX-License-Identifier: MIT
/*
 * netlab run|down|ls --nodes NAME=DEST[,…]: a lab across machines, driven
 * over SSH. The distribution engine is OpenSSH, which every such machine
 * already runs: no agent of netlab's own. Each node gets one shared
 * connection (ControlMaster, its socket in a private temporary directory),
 * opened by the first round and reused by the next ones, so a node costs
 * one SSH handshake however many commands it is sent (per-command SSH is
 * what made meshnet-lab's 1089 nodes take hours). The rounds of a run:
 *
 *   hello  `netlab -e` prints $SSH_CONNECTION: the node is reachable, runs
 *          netlab, and its address as the controller reached it (which the
 *          script sees as netlab.nodes[i].addr);
 *   run    `netlab run --node NAME --nodes NAME=ADDR,… --name LAB --as FILE -`
 *          with the script on standard input;
 *   check  `netlab check …` the same way: the script's expectations, once
 *          every node has built its part (a pod on one node reaches a pod on
 *          another only then);
 *   down   on failure, on every node that built its part: all or nothing.
 *
 * The ssh client is run with execvp, no shell; NETLAB_SSH replaces its
 * command line ("ssh -F FILE" in the tests), NETLAB_REMOTE the netlab
 * command run on the nodes (default "netlab"). What a node prints comes back
 * line by line, prefixed by its name.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/text.h"
#include "repl/nodes.h"

#define NODES_MAX 64
#define WORDS_MAX 64
#define LINE_MAX_ 4096

enum mode {
	SHOW,    /* each line printed, prefixed by the node's name */
	CAPTURE, /* standard output kept in node.cap, standard error shown */
	QUIET,   /* nothing shown (ssh -O exit's chatter) */
};

struct stream {
	int fd;
	FILE *to;
	char buf[LINE_MAX_];
	size_t len;
};

struct node {
	char name[64];
	const char *dest;
	char addr[64];      /* the node's address as ssh reached it */
	pid_t pid;
	struct stream s[2]; /* standard output, standard error */
	char *cap;          /* CAPTURE: what it printed */
	size_t ncap;
	int code;           /* exit code: 255 is ssh's own failure */
	int built;          /* its part of the lab is up */
};

struct ctl {
	struct node n[NODES_MAX];
	int count;
	char dir[64];       /* the ControlPath sockets' directory */
	char *spec;         /* the spec, cut in place into names and dests */
	char *sshw, *remw;  /* NETLAB_SSH, NETLAB_REMOTE, cut into words */
	char *ssh[WORDS_MAX], *rem[WORDS_MAX];
	int nssh, nrem;
	enum mode mode;
};

/*
 * Ctrl-C reaches the controller alone (its ssh clients ignore SIGINT, which
 * ssh keeps ignored when it finds it so): the first lets the nodes finish
 * the round they are in, then rolls every node back, so an interrupted lab
 * is all or nothing too; the second ends the ssh clients, and what the
 * nodes made is then left to `netlab down LAB --nodes …`.
 */
static volatile sig_atomic_t interrupted;
static struct ctl *live;

static void on_interrupt(int sig)
{
	(void)sig;
	if (interrupted++ && live)
		for (int i = 0; i < live->count; i++)
			if (live->n[i].pid > 0)
				kill(live->n[i].pid, SIGTERM);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
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
			say("--nodes: \"%s\" is not NAME=DEST (DEST as ssh takes it: host, user@host)", t);
			return -1;
		}
		/* ssh would read a DEST that starts with - as one of its options. */
		if (eq[1] == '-') {
			say("--nodes: node %.*s: destination \"%s\" starts with -", (int)len, t, eq + 1);
			return -1;
		}
		if (len >= sizeof(nd->name) || strspn(t, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != len) {
			say("--nodes: node name \"%.*s\": letters, digits, _ and - only, "
			    "up to 63", (int)len, t);
			return -1;
		}
		if (c->count == NODES_MAX) {
			say("--nodes: more than %d nodes", NODES_MAX);
			return -1;
		}
		memcpy(nd->name, t, len);
		nd->name[len] = '\0';
		for (int i = 0; i < c->count; i++)
			if (!strcmp(c->n[i].name, nd->name)) {
				say("--nodes: node \"%s\" named twice", nd->name);
				return -1;
			}
		nd->dest = eq + 1;
		c->count++;
	}
	if (!c->count) {
		say("--nodes: no node given (NAME=DEST[,NAME=DEST…])");
		return -1;
	}
	return 0;
}

static int ctl_init(struct ctl *c, const char *spec)
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
		say("NETLAB_SSH or NETLAB_REMOTE: empty or too many words");
		return -1;
	}
	/* The control sockets live where no other user can reach them. */
	snprintf(c->dir, sizeof(c->dir), "/tmp/netlab-ssh.XXXXXX");
	if (!mkdtemp(c->dir)) {
		say("mkdtemp %s: %s", c->dir, strerror(errno));
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
static int start(struct ctl *c, struct node *nd, const char *const *words, int raw, int fd_in)
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
			say("node %s: the command is too long", nd->name);
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
static void finish(struct ctl *c)
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
static int round_all(struct ctl *c, const char *const *words, int (*want)(const struct node *),
		     enum mode mode)
{
	int bad = 0;

	c->mode = mode;
	for (int i = 0; i < c->count; i++) {
		c->n[i].code = -1;
		if (want && !want(&c->n[i]))
			continue;
		if (start(c, &c->n[i], words, 0, -1) < 0) {
			say("node %s: cannot start ssh: %s", c->n[i].name, strerror(errno));
			c->n[i].code = 127;
		}
	}
	finish(c);
	for (int i = 0; i < c->count; i++)
		if ((!want || want(&c->n[i])) && c->n[i].code != 0)
			bad = 1;
	return bad ? -1 : 0;
}

/* What went wrong on a node, in a person's words. */
static void why(const struct node *nd, const char *what)
{
	if (nd->code == 255)
		say("node %s (%s): cannot be reached over ssh", nd->name, nd->dest);
	else if (nd->code == 127)
		say("node %s (%s): netlab is not there (NETLAB_REMOTE names it)", nd->name, nd->dest);
	else
		say("node %s: %s failed (exit %d)", nd->name, what, nd->code);
}

/* The masters go: each ends its connection; the directory goes. */
static void ctl_fini(struct ctl *c)
{
	char path[160];

	c->mode = QUIET;
	/* No directory (ctl_init stopped before it): no master, nothing to remove. */
	for (int i = 0; i < c->count && c->dir[0]; i++) {
		const char *w[] = { "-O", "exit", c->n[i].dest, NULL };

		snprintf(path, sizeof(path), "%s/%s", c->dir, c->n[i].name);
		if (access(path, F_OK) == 0)
			start(c, &c->n[i], w, 1, -1);
	}
	finish(c);
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

/* hello: every node answers with the address ssh reached it at ($SSH_CONNECTION's third word). */
static int hello(struct ctl *c)
{
	const char *w[] = { "-e", "io.write(os.getenv('SSH_CONNECTION') or '')", NULL };
	int bad = 0;

	round_all(c, w, NULL, CAPTURE);
	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];
		char a[3][64];

		if (nd->code != 0) {
			why(nd, "netlab -e");
			bad = 1;
		} else if (!nd->cap || sscanf(nd->cap, "%63s %63s %63s", a[0], a[1], a[2]) != 3) {
			say("node %s: no SSH_CONNECTION in its environment", nd->name);
			bad = 1;
		} else {
			snprintf(nd->addr, sizeof(nd->addr), "%s", a[2]);
		}
	}
	return bad ? -1 : 0;
}

static int is_built(const struct node *nd)
{
	return nd->built;
}

/* run or check on every node, the script on standard input. */
static int script_round(struct ctl *c, const struct nodes_cmd *cmd, const char *verb,
			const char *lab, const char *as)
{
	char list[NODES_MAX * 80];
	const char *w[WORDS_MAX + 16];
	size_t k = 0;
	int bad = 0;

	for (int i = 0; i < c->count; i++)
		text_append(list, sizeof(list), &k, "%s%s=%s", i ? "," : "", c->n[i].name, c->n[i].addr);
	/* check runs the script again (as a dry run): its prints were seen once. */
	c->mode = strcmp(verb, "check") ? SHOW : CAPTURE;
	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];
		int n = 0, fd = open(cmd->script, O_RDONLY | O_CLOEXEC);

		nd->code = -1;
		if (fd < 0) {
			say("cannot open %s: %s", cmd->script, strerror(errno));
			nd->code = 1;
			continue;
		}
		w[n++] = verb;
		w[n++] = "--node";
		w[n++] = nd->name;
		w[n++] = "--nodes";
		w[n++] = list;
		w[n++] = "--name";
		w[n++] = lab;
		w[n++] = "--as";
		w[n++] = as;
		w[n++] = "-";
		for (int j = 0; j < cmd->nparams; j++)
			w[n++] = cmd->params[j];
		w[n] = NULL;
		if (start(c, nd, w, 0, fd) < 0) {
			say("node %s: cannot start ssh: %s", nd->name, strerror(errno));
			nd->code = 127;
		}
		close(fd);
	}
	finish(c);
	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];

		if (nd->code != 0) {
			why(nd, verb);
			bad = 1;
		} else if (c->mode == CAPTURE && nd->ncap > 1) {
			/* check's last line: how many probes were as the script expects. */
			char *last;

			nd->cap[--nd->ncap] = '\0';
			last = strrchr(nd->cap, '\n');
			printf("%s: %s\n", nd->name, last ? last + 1 : nd->cap);
		}
	}
	fflush(stdout);
	return bad ? -1 : 0;
}

int nodes_run(const struct nodes_cmd *cmd)
{
	struct ctl *c = malloc(sizeof(*c));
	const char *slash = strrchr(cmd->script, '/'), *as = slash ? slash + 1 : cmd->script;
	char lab[256], failed[NODES_MAX * 66] = "";
	struct sigaction sa = { .sa_handler = on_interrupt }, old;
	size_t k = 0;
	int rc = 1;

	if (!c)
		return 1;
	if (cmd->nparams > WORDS_MAX) {
		say("run --nodes: more than %d parameters", WORDS_MAX);
		free(c);
		return 2;
	}
	if (ctl_init(c, cmd->spec) < 0)
		goto out;
	live = c;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	if (cmd->lab)
		snprintf(lab, sizeof(lab), "%s", cmd->lab);
	else
		snprintf(lab, sizeof(lab), "%.*s", (int)(strlen(as) > 4 &&
			 !strcmp(as + strlen(as) - 4, ".lua") ? strlen(as) - 4 : strlen(as)), as);
	if (hello(c) < 0 || interrupted) {
		say("lab \"%s\": not started: %s", lab, interrupted ? "interrupted" :
		    "every node must answer first");
		goto out;
	}
	if (script_round(c, cmd, "run", lab, as) == 0 && !interrupted) {
		for (int i = 0; i < c->count; i++)
			c->n[i].built = 1;
		/* Every part is up: now what crosses nodes can be checked. */
		if (script_round(c, cmd, "check", lab, as) == 0 && !interrupted) {
			rc = 0;
			goto out;
		}
	}
	for (int i = 0; i < c->count; i++) {
		c->n[i].built = c->n[i].built || c->n[i].code == 0;
		if (c->n[i].code != 0)
			text_append(failed, sizeof(failed), &k, "%s%s", k ? ", " : "", c->n[i].name);
	}
	/* All or nothing: what the other nodes built goes. */
	{
		const char *w[] = { "down", lab, NULL };
		size_t kr = 0;
		char rolled[NODES_MAX * 66] = "";

		round_all(c, w, is_built, SHOW);
		for (int i = 0; i < c->count; i++)
			if (c->n[i].built)
				text_append(rolled, sizeof(rolled), &kr, "%s%s%s", kr ? ", " : "",
					    c->n[i].name, c->n[i].code == 0 ? "" : " (down failed)");
		if (k)
			say("lab \"%s\" failed on %s; rolled back on %s", lab, failed,
			    kr ? rolled : "no other node");
		else
			say("lab \"%s\" interrupted; rolled back on %s", lab, kr ? rolled : "no node");
	}
out:
	if (live) {
		sigaction(SIGINT, &old, NULL);
		live = NULL;
	}
	ctl_fini(c);
	free(c);
	return rc;
}

int nodes_down(const struct nodes_cmd *cmd)
{
	struct ctl *c = malloc(sizeof(*c));
	const char *w[] = { "down", cmd->lab, NULL };
	int rc = 1;

	if (!c)
		return 1;
	if (ctl_init(c, cmd->spec) == 0) {
		rc = round_all(c, w, NULL, SHOW) < 0;
		for (int i = 0; i < c->count; i++)
			if (c->n[i].code != 0)
				why(&c->n[i], "down");
	}
	ctl_fini(c);
	free(c);
	return rc;
}

int nodes_ls(const struct nodes_cmd *cmd)
{
	struct ctl *c = malloc(sizeof(*c));
	const char *w[4] = { "ls" };
	int rc = 1, n = 1;

	if (!c)
		return 1;
	if (cmd->json)
		w[n++] = "--json";
	if (cmd->lab)
		w[n++] = cmd->lab;
	w[n] = NULL;
	if (ctl_init(c, cmd->spec) == 0) {
		rc = round_all(c, w, NULL, cmd->json ? CAPTURE : SHOW) < 0;
		/* --json: one object, each node's own JSON under its name. */
		if (cmd->json) {
			printf("{");
			for (int i = 0, first = 1; i < c->count; i++) {
				size_t len = c->n[i].ncap;

				if (c->n[i].code != 0 || !c->n[i].cap)
					continue;
				while (len && c->n[i].cap[len - 1] == '\n')
					len--;
				printf("%s\"%s\": %.*s", first ? "" : ", ", c->n[i].name, (int)len, c->n[i].cap);
				first = 0;
			}
			printf("}\n");
		}
		for (int i = 0; i < c->count; i++)
			if (c->n[i].code != 0)
				why(&c->n[i], "ls");
	}
	ctl_fini(c);
	free(c);
	return rc;
}
