#!/bin/sh
# make docs: the tutorials' pictures, drawn by `netlab graph` from the kernel
# after each bundled script ran, each script in a fresh sandbox of its own.
#   tools/docs.sh NETLAB OUTDIR [NAME ...]
# writes OUTDIR/NAME.dot and OUTDIR/NAME.svg for scripts/NAME.lua; with no
# NAME, for every tutorial that has a page (docs/tutorials/NAME.md), which
# tools/docs.sh --list names. The DOT is what tests/sh/pictures.sh compares;
# DOCS_FORMATS="dot" draws only it. Exit 3: a script stopped because the
# kernel lacks what it needs (its one line on stderr); the others are drawn.
# Run from anywhere; the script names are the repository's.
set -eu
if [ "${1:-}" = --inside ]; then
	# In the sandbox (run by the netlab -e below, which passes the rest in
	# the environment): the script as a user runs it, then its picture.
	out=$DOCS_OUT/$DOCS_NAME
	"$DOCS_NETLAB" run "scripts/$DOCS_NAME.lua" >"$DOCS_LOG" 2>&1 || {
		# A script that says first what it needs of the kernel (as
		# scripts/vlans.lua does) stops with "this kernel has no … (CONFIG_…)":
		# there is no picture to draw here, which is not a failure (exit 3).
		if grep -q 'this kernel has no .*(CONFIG_[A-Z0-9_]*)' "$DOCS_LOG"; then
			cat "$DOCS_LOG" >&2
			exit 3
		fi
		echo "docs: scripts/$DOCS_NAME.lua failed in the sandbox:" >&2
		cat "$DOCS_LOG" >&2
		exit 1
	}
	# What the lab made (with the root namespace when it made something
	# there), and the simulated internet when the lab reaches it: when one
	# of its nftables rules masquerades. The others only probe that they
	# do not reach it, and graph draws it as a stub, "not drawn".
	what=$DOCS_NAME
	if "$DOCS_NETLAB" -e '
		for _, e in ipairs(netlab.state()) do
			for _, r in ipairs(e.nftables and e.nftables.rules or {}) do
				if r.lab == os.getenv("DOCS_NAME") and (r.text or ""):match("masquerade") then
					os.exit(0)
				end
			end
		end
		os.exit(1)'; then
		what="$what internet"
	fi
	for f in $DOCS_FORMATS; do
		"$DOCS_NETLAB" graph $what --format "$f" -o "$out.$f"
	done
	exit 0
fi

# The tutorials that have a picture: a page and a bundled script of one name.
tutorials() {
	for page in "$root"/docs/tutorials/*.md; do
		name=$(basename "$page" .md)
		[ -f "$root/scripts/$name.lua" ] && echo "$name"
	done
	return 0
}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ "${1:-}" = --list ]; then
	tutorials
	exit 0
fi
[ $# -ge 2 ] || { echo "usage: tools/docs.sh NETLAB OUTDIR [NAME ...] | --list" >&2; exit 2; }
netlab=$1
out=$2
shift 2
case $netlab in /*) ;; */*) netlab=$(pwd)/$netlab ;; esac
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
[ $# -gt 0 ] || set -- $(tutorials)
lacking=0
for name; do
	[ -f "scripts/$name.lua" ] || { echo "docs: no scripts/$name.lua" >&2; exit 1; }
	rc=0
	DOCS_NETLAB=$netlab DOCS_OUT=$out DOCS_LOG=$log DOCS_NAME=$name DOCS_FORMATS=${DOCS_FORMATS-dot svg} \
	DOCS_SELF=$here/docs.sh \
		"$netlab" --sandbox -e 'local _, _, c = os.execute("exec sh \"$DOCS_SELF\" --inside"); os.exit(c)' ||
		rc=$?
	if [ "$rc" = 3 ]; then
		# The others are still drawn; the exit code says one was not.
		echo "docs: $name: not drawn: this kernel lacks what scripts/$name.lua needs" >&2
		lacking=1
	elif [ "$rc" != 0 ]; then
		echo "docs: $name: no picture drawn" >&2
		exit 1
	fi
done
[ "$lacking" = 0 ] || exit 3
