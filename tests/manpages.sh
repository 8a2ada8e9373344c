#!/bin/sh
# manpages.sh - the manual pages agree with the code: every getopt(3)
# option of a program is in its page's SYNOPSIS and the other way round,
# and every key of smppd.conf (as smppd -T prints it) is described in
# smppd.conf(5), section by section, and the other way round.  Lints the
# pages with mandoc(1) when it is installed.

: "${top_srcdir:=..}"
: "${top_builddir:=..}"
failed=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

tmp=$(mktemp -d "./tmp-manpages.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# Option letters of the SYNOPSIS: the words after each Fl that are
# letters (".Op Fl lrvw", ".Fl t | T | s").
synopsis_options() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1" | awk '{
		for (i = 1; i <= NF; i++) {
			if ($i != "Fl" && $i != ".Fl")
				continue;
			for (j = i + 1; j <= NF; j++) {
				if ($j == "|")
					continue;
				# Stop at the next macro (Ar, Op, Ns, ...).
				if ($j !~ /^[A-Za-z0-9]+$/ || $j ~ /^[A-Z][a-z]+$/)
					break;
				n = split($j, c, "");
				for (k = 1; k <= n; k++)
					print c[k];
			}
		}
	}' | sort -u
}

# Option letters of the program's getopt(3) or getopt_long(3) strings:
# its main file's first, and those of its subcommands' files (PROG_*.c).
code_options() {
	{ grep -o 'getopt\(_long\)\{0,1\}(argc, argv, "[^"]*"' "$1" |
	    head -n 1
	  for f in "${1%.c}"_*.c; do
		[ -f "$f" ] && grep -o \
		    'getopt\(_long\)\{0,1\}(argc, argv, "[^"]*"' "$f"
	  done; } | sed 's/.*"\(.*\)".*/\1/' | tr -d ':+' | fold -w 1 |
	    sort -u
}

for page in "$top_srcdir"/man/*.[18]; do
	prog=$(basename "$page" | sed 's/\.[18]$//')
	src=$top_srcdir/src/$prog.c
	[ -f "$src" ] || { fail "$page: no src/$prog.c"; continue; }
	synopsis_options "$page" >"$tmp/page"
	code_options "$src" >"$tmp/code"
	if ! cmp -s "$tmp/page" "$tmp/code"; then
		fail "$prog: options in code but not in the page:" \
		    "$(comm -13 "$tmp/page" "$tmp/code" | tr '\n' ' ')" \
		    "in the page but not in code:" \
		    "$(comm -23 "$tmp/page" "$tmp/code" | tr '\n' ' ')"
	fi
done

# Keys: a configuration with one connector of each type, dumped.
cat >"$tmp/smppd.conf" <<CONF
[connector s]
type = sink
[connector p]
type = pipe
command = /bin/true
[connector u]
type = smpp
host = 127.0.0.1
system_id = up
[mt-routes]
default = s
CONF
chmod 600 "$tmp/smppd.conf"
"$top_builddir/src/smppd" -T -c "$tmp/smppd.conf" >"$tmp/dump" ||
    fail "smppd -T failed"
awk '/^\[/ { s = $0; sub(/^\[/, "", s); sub(/[] ].*/, "", s); next }
    /^[A-Za-z_][A-Za-z_0-9]* *=/ { k = $1; print s, k }' "$tmp/dump" |
    grep -v '^mt-routes \|^mo-routes ' | sort -u >"$tmp/keys.code"
awk '/^\.Ss The \[/ { s = $3; sub(/^\[/, "", s); sub(/[] ].*/, "", s);
    next }
    /^\.S[hs] / { s = "" }
    s != "" && /^\.It Cm / { print s, $3 }' \
    "$top_srcdir/man/smppd.conf.5" |
    grep -v '^mt-routes \|^mo-routes ' | sort -u >"$tmp/keys.page"
if ! cmp -s "$tmp/keys.page" "$tmp/keys.code"; then
	fail "smppd.conf(5): keys in code but not in the page:" \
	    "$(comm -13 "$tmp/keys.page" "$tmp/keys.code" | tr '\n' ',')" \
	    "in the page but not in code:" \
	    "$(comm -23 "$tmp/keys.page" "$tmp/keys.code" | tr '\n' ',')"
fi
[ -s "$tmp/keys.code" ] || fail "no keys found in the dump"

skipped=""
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$top_srcdir"/man/*.[1-8] ||
	    fail "mandoc -Tlint"
else
	skipped="mandoc"
fi
[ "$failed" -eq 0 ] || exit 1
if [ -n "$skipped" ]; then
	# A visible SKIP; under CI every tool is there, so it is a failure.
	echo "SKIP: not run for want of: $skipped"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
exit 0
