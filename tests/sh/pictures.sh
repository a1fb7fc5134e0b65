#!/bin/sh
# The tutorials' pictures are what the scripts build: each tutorial's script
# runs in a fresh sandbox (tools/docs.sh, as `make docs` runs it), `netlab graph
# --format dot` draws the kernel after it, and the DOT must be the committed
# docs/tutorials/pictures/NAME.dot byte for byte (text, not pixels). A page
# must show its picture and the committed SVG must be there.
#   NETLAB=./netlab sh tests/sh/pictures.sh [NAME ...]
set -u
bin=$(cd "$(dirname "${NETLAB:-./netlab}")" && pwd)/$(basename "${NETLAB:-./netlab}")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pics=docs/tutorials/pictures
failed=0
[ $# -gt 0 ] || set -- $(sh tools/docs.sh --list)
[ $# -gt 0 ] || { echo "not ok - pictures: no tutorial page has a script"; exit 1; }
for name; do
	rc=0
	DOCS_FORMATS=dot sh tools/docs.sh "$bin" "$tmp" "$name" >"$tmp/err" 2>&1 || rc=$?
	if [ "$rc" = 3 ]; then
		# This kernel lacks what the script needs: it must stop with one line
		# naming the kernel option, and there is nothing to compare here.
		line=$(grep 'this kernel has no .*(CONFIG_[A-Z0-9_]*)' "$tmp/err")
		if [ -n "$line" ] && [ "$(printf '%s\n' "$line" | wc -l)" = 1 ]; then
			echo "ok - pictures: $name: this kernel cannot run scripts/$name.lua, which says so: $line"
		else
			failed=1
			echo "not ok - pictures: $name: scripts/$name.lua stopped without its one line"
			sed 's/^/# /' "$tmp/err" | head -20
		fi
		continue
	fi
	if [ "$rc" != 0 ]; then
		failed=1
		echo "not ok - pictures: $name: tools/docs.sh could not draw scripts/$name.lua"
		sed 's/^/# /' "$tmp/err" | head -20
	elif [ ! -f "$pics/$name.dot" ]; then
		failed=1
		echo "not ok - pictures: $name: no $pics/$name.dot (run make docs and commit it)"
	elif diff -U1 --label "$pics/$name.dot (committed)" --label "scripts/$name.lua (built now)" \
		"$pics/$name.dot" "$tmp/$name.dot" >"$tmp/diff"; then
		echo "ok - pictures: $name: scripts/$name.lua draws $pics/$name.dot exactly"
	else
		failed=1
		echo "not ok - pictures: $name: $pics/$name.dot no longer matches what scripts/$name.lua builds (make docs, look, commit)"
		sed 's/^/# /' "$tmp/diff" | head -24
	fi
	if [ -s "$pics/$name.svg" ] && grep -q "](pictures/$name.svg)" "docs/tutorials/$name.md"; then
		echo "ok - pictures: $name: docs/tutorials/$name.md shows $pics/$name.svg"
	else
		failed=1
		echo "not ok - pictures: $name: docs/tutorials/$name.md does not show $pics/$name.svg"
	fi
done
exit $failed
