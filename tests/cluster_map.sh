#!/bin/sh
# cluster_map.sh - contrib/cluster/smppd-accounts-map against the real
# smppuser(8): every account of the database in the map, in hex, spread
# over the nodes; with the current map, accounts keep their node when
# one is added, and new ones go to the node with the fewest.

: "${top_builddir:=..}"
: "${top_srcdir:=..}"
: "${builddir:=.}"
MAP=$top_srcdir/contrib/cluster/smppd-accounts-map
PATH=$top_builddir/src:$PATH
export PATH

tmp=$(mktemp -d "$builddir/tmp-cluster-map.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
db=$tmp/users.db
failed=0

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

add() {
	echo pw | smppuser -d "$db" add "$1" --password-stdin >/dev/null ||
	    fail "smppuser add $1"
}

# home MAP ACCOUNT-HEX: the node the map gives
home() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

add acme
add beta
add gamma
sh "$MAP" -d "$db" node_a node_b >"$tmp/m1" || fail "map exits $?"
[ "$(home "$tmp/m1" 61636D65)" = node_a ] || fail "acme not on node_a"
[ "$(home "$tmp/m1" 62657461)" = node_b ] || fail "beta not on node_b"
[ "$(home "$tmp/m1" 67616D6D61)" = node_a ] || fail "gamma not on node_a"
grep -q '^# acme$' "$tmp/m1" || fail "no comment with the name"

add delta
add eps
sh "$MAP" -d "$db" -o "$tmp/m1" node_a node_b node_c >"$tmp/m2" ||
    fail "map -o exits $?"
for k in 61636D65 62657461 67616D6D61; do
	[ "$(home "$tmp/m2" $k)" = "$(home "$tmp/m1" $k)" ] ||
	    fail "$k moved"
done
[ "$(home "$tmp/m2" 64656C7461)" = node_c ] || fail "delta not on node_c"
[ "$(home "$tmp/m2" 657073)" = node_b ] || fail "eps not on node_b"
# A node that leaves: its accounts go elsewhere, the others stay.
sh "$MAP" -d "$db" -o "$tmp/m2" node_a node_c >"$tmp/m3" ||
    fail "map without node_b exits $?"
[ "$(home "$tmp/m3" 61636D65)" = node_a ] || fail "acme moved"
[ "$(home "$tmp/m3" 62657461)" != node_b ] || fail "beta still on node_b"
sh "$MAP" -d "$db" >/dev/null 2>&1 && fail "no node accepted"

[ $failed -eq 0 ] || exit 1
echo "PASS: cluster_map.sh"
