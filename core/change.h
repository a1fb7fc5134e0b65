/* SPDX-License-Identifier: MIT */
#ifndef NETLAB_CHANGE_H
#define NETLAB_CHANGE_H

struct nl_err;

/*
 * The gate every kernel change passes, netlink or not (a namespace mount, a
 * sysctl write): nl_talk() for rtnetlink NEW/DEL/SET requests and nftables
 * batches, ns.c and sysctl.c for theirs. It counts the changes, refuses them
 * in a dry run, and fails one on purpose in tests.
 */

/*
 * Called after a change's arguments are checked and before anything is made:
 * 0 to go on; -EROFS in a dry run; -EIO at the k-th change when the test-only
 * variable NETLAB_FAULT_AT=k is set, so tests can prove that every failure
 * point rolls back.
 */
int change_check(struct nl_err *err);
/* Reads NETLAB_FAULT_AT and starts counting from zero. */
void change_fault_init(void);
/* How many changes have passed the gate. */
unsigned long change_count(void);

/*
 * Read-only, for dry runs: while on, every change fails with EROFS at the
 * gate and ns_exec starts no process. A dry run's Lua wrappers plan instead
 * of calling the core; this is the wall behind them, should one call slip past.
 */
void change_set_readonly(int on);
int change_readonly(void);

#endif
