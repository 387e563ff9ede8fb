#!/usr/bin/env bash
# The soak (issue 12) as a test: traffic, churn, subscribers and restarts of
# vswd on two hosts in network namespaces, for --minutes N (default 2).
# Everything is in soak.py; this wrapper gives it the binaries meson built.
#
# usage: soak.sh VSWD VSWCTL [--minutes N] [--seed S] [--inject NAME] [--keep]
#        (root; exits 77 when it cannot run)
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $0 PATH/TO/vswd PATH/TO/vswctl [--minutes N] [soak.py options]" >&2
	exit 2
fi
exec python3 -u "$(dirname "$(realpath "$0")")/soak.py" "$@"
