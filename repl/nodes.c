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
 *   run    `netlab run --node NAME --nodes - --name LAB --as FILE -`: the
 *          node first prints its address as the controller reached it
 *          ($SSH_CONNECTION's third word, netlab.nodes[i].addr), then reads
 *          NAME=ADDR,… and the script from standard input, sent once every
 *          node has answered (send_list), so nothing is built unless all are
 *          reachable and run netlab; its last line says how many
 *          expectations it left;
 *   check  `netlab check --nodes NAME=ADDR,… …` with the script on standard
 *          input, only on the nodes that left expectations: they run once
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "repl/nodes.h"
#include "repl/nodes_int.h"

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

static int is_built(const struct node *nd)
{
	return nd->built;
}

/* Whether check has anything to do there: expectations left, or not told (an older netlab). */
static int has_later(const struct node *nd)
{
	return nd->later != 0;
}

/*
 * The run round's barrier: each node says its address first (NODES_ADDR),
 * then waits on standard input; once all have, each is sent the list of all
 * and the script. A node lost before (unreachable, no netlab, Ctrl-C) gets
 * nothing: every node's input ends, and none builds anything.
 */
static const char *sending; /* the script, while the run round waits */
static int listed;          /* the list went out */

static void send_list(struct ctl *c)
{
	char list[NODES_MAX * 80], *text = NULL;
	size_t k = 0, len = 0;
	int open_ = 0, all = 1, lost = interrupted != 0;
	FILE *f;

	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];

		if (nd->fd_w < 0)
			continue;
		open_ = 1;
		if (!strcmp(nd->addr, "-")) {
			nodes_say("node %s: no SSH_CONNECTION in its environment", nd->name);
			nd->addr[0] = '\0';
			lost = 1;
		} else if (!nd->addr[0]) {
			all = 0;
			lost |= nd->s[0].fd < 0;
		}
	}
	if (!open_ || (!lost && !all))
		return;
	if (!lost) {
		for (int i = 0; i < c->count; i++)
			text_append(list, sizeof(list), &k, "%s%s=%s", i ? "," : "", c->n[i].name,
				    c->n[i].addr);
		f = fopen(sending, "r");
		if (f) {
			text = malloc(1 << 20);
			len = text ? fread(text, 1, 1 << 20, f) : 0;
			fclose(f);
		}
		if (!text || len == 1 << 20) {
			nodes_say("cannot read %s (up to 1 MiB): %s", sending, text ? "too long" :
				  strerror(errno));
			lost = 1;
		}
	}
	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];

		if (nd->fd_w < 0)
			continue;
		if (!lost) {
			dprintf(nd->fd_w, "%s\n", list);
			for (size_t o = 0; o < len; ) {
				ssize_t r = write(nd->fd_w, text + o, len - o);

				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					break;
				o += (size_t)r;
			}
		}
		close(nd->fd_w);
		nd->fd_w = -1;
	}
	listed = !lost;
	free(text);
}

/* run or check on every node where want(node) (NULL: all), the script on standard input. */
static int script_round(struct ctl *c, const struct nodes_cmd *cmd, const char *verb,
			const char *lab, const char *as, int (*want)(const struct node *))
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
		int n = 0, fd;

		/* A node left out has nothing to fail. */
		nd->code = want && !want(nd) ? 0 : -1;
		if (!nd->code)
			continue;
		nd->later = want ? nd->later : -1;
		nd->fd_w = -1;
		if (!want) {
			/* run: its input from the barrier above (the ends of others' pipes stay here). */
			int p[2];

			fd = pipe2(p, O_CLOEXEC) < 0 ? -1 : p[0];
			nd->fd_w = fd < 0 ? -1 : p[1];
			nd->addr[0] = '\0';
		} else {
			fd = open(cmd->script, O_RDONLY | O_CLOEXEC);
		}
		if (fd < 0) {
			nodes_say("cannot open %s: %s", cmd->script, strerror(errno));
			nd->code = 1;
			continue;
		}
		w[n++] = verb;
		w[n++] = "--node";
		w[n++] = nd->name;
		w[n++] = "--nodes";
		w[n++] = want ? list : "-";
		w[n++] = "--name";
		w[n++] = lab;
		w[n++] = "--as";
		w[n++] = as;
		w[n++] = "-";
		for (int j = 0; j < cmd->nparams; j++)
			w[n++] = cmd->params[j];
		w[n] = NULL;
		if (nodes_start(c, nd, w, 0, fd) < 0) {
			nodes_say("node %s: cannot start ssh: %s", nd->name, strerror(errno));
			nd->code = 127;
			nd->pid = 0;
			nd->s[0].fd = -1;
		}
		close(fd);
	}
	c->step = want ? NULL : send_list;
	sending = cmd->script;
	listed = 0;
	nodes_finish(c);
	c->step = NULL;
	for (int i = 0; i < c->count; i++) {
		struct node *nd = &c->n[i];

		if (want && !want(nd))
			continue;
		if (nd->code != 0) {
			nodes_why(nd, verb);
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
	int rc = 1, run;

	if (!c)
		return 1;
	if (cmd->nparams > WORDS_MAX) {
		nodes_say("run --nodes: more than %d parameters", WORDS_MAX);
		free(c);
		return 2;
	}
	if (nodes_ctl_init(c, cmd->spec) < 0)
		goto out;
	live = c;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	if (cmd->lab)
		snprintf(lab, sizeof(lab), "%s", cmd->lab);
	else
		snprintf(lab, sizeof(lab), "%.*s", (int)(strlen(as) > 4 &&
			 !strcmp(as + strlen(as) - 4, ".lua") ? strlen(as) - 4 : strlen(as)), as);
	signal(SIGPIPE, SIG_IGN); /* a node lost while its script is sent: its write fails */
	run = script_round(c, cmd, "run", lab, as, NULL);
	if (run < 0 && !listed) {
		nodes_say("lab \"%s\": not started: %s", lab, interrupted ? "interrupted" :
		    "every node must answer first");
		goto out;
	}
	if (run == 0 && !interrupted) {
		int later = 0;

		for (int i = 0; i < c->count; i++) {
			c->n[i].built = 1;
			later |= has_later(&c->n[i]);
		}
		/*
		 * Every part is up: now what crosses nodes can be checked, on
		 * the nodes whose script left expectations for it (a round of
		 * ssh and a second run of the script each, so none when none).
		 */
		if (!later || (script_round(c, cmd, "check", lab, as, has_later) == 0 &&
			       !interrupted)) {
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

		nodes_round(c, w, is_built, SHOW);
		for (int i = 0; i < c->count; i++)
			if (c->n[i].built)
				text_append(rolled, sizeof(rolled), &kr, "%s%s%s", kr ? ", " : "",
					    c->n[i].name, c->n[i].code == 0 ? "" : " (down failed)");
		if (k)
			nodes_say("lab \"%s\" failed on %s; rolled back on %s", lab, failed,
			    kr ? rolled : "no other node");
		else
			nodes_say("lab \"%s\" interrupted; rolled back on %s", lab, kr ? rolled : "no node");
	}
out:
	if (live) {
		sigaction(SIGINT, &old, NULL);
		live = NULL;
	}
	nodes_ctl_fini(c);
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
	if (nodes_ctl_init(c, cmd->spec) == 0) {
		rc = nodes_round(c, w, NULL, SHOW) < 0;
		for (int i = 0; i < c->count; i++)
			if (c->n[i].code != 0)
				nodes_why(&c->n[i], "down");
	}
	nodes_ctl_fini(c);
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
	if (nodes_ctl_init(c, cmd->spec) == 0) {
		rc = nodes_round(c, w, NULL, cmd->json ? CAPTURE : SHOW) < 0;
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
				nodes_why(&c->n[i], "ls");
	}
	nodes_ctl_fini(c);
	free(c);
	return rc;
}
