#!/bin/sh
# helper_test.sh - a helper program for the helper connector's tests
# (protocol: smppconn(8), THE HELPER CONNECTOR).  What it does depends
# on the first digit of the destination:
#   1  ACCEPTED with an upstream id, then a DLR for it (DELIVRD)
#   2  RETRY after 1 second the first time, then DELIVERED
#   3  FAILED 0x0B (ESME_RINVDSTADR)
#   4  exits without answering the first time, then DELIVERED
#   5  writes garbage the first time, then DELIVERED
#   6  held until the next 6: then both answered, the later first
#   7  DELIVERED, and an MO from 4477009 to 5599 saying "hi"
# Markers of "the first time" live in the folder given as $1.
dir=${1:?usage: helper_test.sh folder}
held=
first() {
	[ -e "$dir/$1.$2" ] && return 1
	: > "$dir/$1.$2"
	return 0
}
while IFS= read -r line; do
	case $line in
	MSG\ *) ;;
	*) continue ;;
	esac
	id=${line#* id=}
	id=${id%% *}
	dst=${line#* dst=}
	dst=${dst%% *}
	case $dst in
	1*)	echo "ACCEPTED $id up-$id"
		echo "DLR up-$id DELIVRD 0" ;;
	2*)	if first retry "$id"; then echo "RETRY $id 1 busy now"
		else echo "DELIVERED $id"; fi ;;
	3*)	echo "FAILED $id 0x0B no such number" ;;
	4*)	if first exit "$id"; then exit 3; fi
		echo "DELIVERED $id" ;;
	5*)	if first garbage "$id"; then echo "HELLO? is this thing on"
		else echo "DELIVERED $id"; fi ;;
	6*)	if [ -z "$held" ]; then held=$id
		else echo "DELIVERED $id"; echo "DELIVERED $held"; held=; fi ;;
	7*)	echo "DELIVERED $id"
		echo "MO 4477009 5599 6869" ;;
	*)	echo "DELIVERED $id" ;;
	esac
done
