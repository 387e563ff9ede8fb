#!/bin/bash
# `meson install` into a temporary DESTDIR puts every file where it belongs,
# and each works there: the man pages render without warnings and name every
# option and command of --help, systemd-analyze verify accepts the unit, and
# the bash completions complete the words of vswctl, vswagent and vswcluster
# from the installed programs.
#
# usage: test_install.sh BUILD-DIR DIST-SOURCE-DIR PREFIX MANDIR DATADIR BINDIR
set -euo pipefail
BUILD=$1 PREFIX=$3 MANDIR=$4 DATADIR=$5 BINDIR=$6
[[ $MANDIR == /* ]] || MANDIR=$PREFIX/$MANDIR
[[ $DATADIR == /* ]] || DATADIR=$PREFIX/$DATADIR
[[ $BINDIR == /* ]] || BINDIR=$PREFIX/$BINDIR
command -v man >/dev/null || { echo "SKIP: man is not installed (apt-get install man-db)"; exit 77; }
DEST=$(mktemp -d /tmp/vsw-install.XXXXXX)
trap 'rm -rf "$DEST"' EXIT
nb_pass=0
pass() { nb_pass=$((nb_pass + 1)); echo "PASS: $*"; }
fail() { echo "FAIL: $1"; [ -z "${2:-}" ] || sed 's/^/    /' "$2" | head -40; exit 1; }

meson install -C "$BUILD" --no-rebuild --destdir "$DEST" >"$DEST.log" 2>&1 || fail "meson install --destdir" "$DEST.log"
rm -f "$DEST.log"
UNIT=$DEST$PREFIX/lib/systemd/system/vswd.service
for f in "$BINDIR/vswd" "$BINDIR/vswctl" "$BINDIR/vswagent" "$BINDIR/vswcluster" \
	"${UNIT#"$DEST"}" "$MANDIR/man8/vswd.8" "$MANDIR/man8/vswctl.8" \
	"$MANDIR/man8/vswagent.8" "$MANDIR/man8/vswcluster.8" \
	"$DATADIR/bash-completion/completions/vswctl" "$DATADIR/bash-completion/completions/vswagent" \
	"$DATADIR/bash-completion/completions/vswcluster"; do
	[ -f "$DEST$f" ] || fail "$f is not installed (files under $DEST: $(cd "$DEST" && find . -type f | tr '\n' ' '))"
	pass "installed $f"
done
[ -x "$DEST$BINDIR/vswd" ] && [ -x "$DEST$BINDIR/vswctl" ] || fail "vswd or vswctl is not executable"
grep -qx "ExecStart=$BINDIR/vswd \$VSWD_OPTS" "$UNIT" || fail "ExecStart does not run $BINDIR/vswd" "$UNIT"
pass "the unit runs $BINDIR/vswd"
# The unit's directories are vswd's defaults.
"$DEST$BINDIR/vswd" --help | grep -q '/run/vsw/vswd.sock' && grep -qx 'RuntimeDirectory=vsw' "$UNIT" || fail "RuntimeDirectory does not match vswd's default socket"
"$DEST$BINDIR/vswd" --help | grep -q '/var/lib/vsw/config.json' && grep -qx 'StateDirectory=vsw' "$UNIT" || fail "StateDirectory does not match vswd's default configuration"
pass "RuntimeDirectory and StateDirectory are vswd's defaults"

# ---- man pages: no warnings; every option and command of --help is there.
for page in vswd vswctl vswagent vswcluster; do
	src=$DEST$MANDIR/man8/$page.8
	LC_ALL=C MANWIDTH=80 man --warnings -l "$src" >"$DEST/$page.txt" 2>"$DEST/$page.err" || fail "man -l $page.8" "$DEST/$page.err"
	[ ! -s "$DEST/$page.err" ] || fail "man --warnings -l $page.8 warns" "$DEST/$page.err"
	pass "man --warnings -l $page.8 renders without warnings"
done
# Hyphenation may split words at the margin: compare against the page with lines joined.
tr -s ' \n' '  ' <"$DEST/vswd.txt" | sed 's/- //g' >"$DEST/vswd.flat"
missing=$("$DEST$BINDIR/vswd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u | while read -r opt; do
	grep -q -- "$opt" "$DEST/vswd.flat" || echo "$opt"
done)
[ -z "$missing" ] || fail "vswd.8 lacks options of vswd --help: $missing"
pass "vswd.8 documents every option of vswd --help"
tr -s ' \n' '  ' <"$DEST/vswctl.txt" >"$DEST/vswctl.flat"
missing=$("$DEST$BINDIR/vswctl" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
	on && /^  [a-z]/ { split(substr($0, 3, 46), w, " "); print w[1] (w[2] ~ /^[a-z]+$/ ? " " w[2] : "") }' | while read -r cmd; do
	grep -q -- "$cmd" "$DEST/vswctl.flat" || echo "'$cmd'"
done)
[ -z "$missing" ] || fail "vswctl.8 lacks commands of vswctl --help: $missing"
missing=$("$DEST$BINDIR/vswctl" --help | grep -o -- ' -[a-z], --[a-z]*' | awk '{print $2}' | while read -r opt; do
	grep -q -- "$opt" "$DEST/vswctl.flat" || echo "$opt"
done)
[ -z "$missing" ] || fail "vswctl.8 lacks options of vswctl --help: $missing"
pass "vswctl.8 documents every command and option of vswctl --help"
tr -s ' \n' '  ' <"$DEST/vswagent.txt" | sed 's/- //g' >"$DEST/vswagent.flat"
agent_opts=$("$DEST$BINDIR/vswagent" --help | awk '/^  --/ { print $1 } /^usage:/ { on = 1 }' | sort -u)
[ -n "$agent_opts" ] || fail "vswagent --help lists no option"
missing=$(for opt in $agent_opts --version; do grep -q -- "$opt" "$DEST/vswagent.flat" || echo "$opt"; done)
[ -z "$missing" ] || fail "vswagent.8 lacks options of vswagent --help: $missing"
pass "vswagent.8 documents every option of vswagent --help"
# vswcluster's commands: the leading lower-case words of each command line of
# --help (the synopsis; the help text starts at column 35).
cluster_cmds() {
	"$DEST$BINDIR/vswcluster" --help | awk '/^  [a-z]/ { n = split(substr($0, 3, 32), w, " ")
		c = w[1]
		for (i = 2; i <= 3 && i <= n && w[i] ~ /^[a-z]+$/; i++) c = c " " w[i]
		print c }'
}
[ "$(cluster_cmds | wc -l)" -ge 15 ] || fail "vswcluster --help lists too few commands: $(cluster_cmds | tr '\n' ',')"
tr -s ' \n' '  ' <"$DEST/vswcluster.txt" >"$DEST/vswcluster.flat"
missing=$(cluster_cmds | while read -r cmd; do grep -q -- "$cmd" "$DEST/vswcluster.flat" || echo "'$cmd'"; done)
[ -z "$missing" ] || fail "vswcluster.8 lacks commands of vswcluster --help: $missing"
missing=$("$DEST$BINDIR/vswcluster" --help | grep -o -- '--[a-z]*\| -s ' | while read -r opt; do
	grep -q -- "$opt" "$DEST/vswcluster.flat" || echo "$opt"
done)
[ -z "$missing" ] || fail "vswcluster.8 lacks options of vswcluster --help: $missing"
pass "vswcluster.8 documents every command and option of vswcluster --help"
for page in vswagent vswcluster; do
	for code in 0 1 2; do
		sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$DEST/$page.txt" | grep -q "^       $code " ||
			fail "$page.8 does not explain exit status $code" "$DEST/$page.txt"
	done
done
pass "vswagent.8 and vswcluster.8 explain their exit statuses"

# ---- the unit
if command -v systemd-analyze >/dev/null; then
	# The host's units (sysinit.target...) but the installed binary; the man
	# pages are checked above, they are not on the host's man path.
	mkdir -p "$DEST/verify"
	sed "s|^ExecStart=$BINDIR/|ExecStart=$DEST$BINDIR/|" "$UNIT" >"$DEST/verify/vswd.service"
	if systemd-analyze verify --man=no "$DEST/verify/vswd.service" >"$DEST/verify.out" 2>&1 &&
		! grep -q . "$DEST/verify.out"; then
		pass "systemd-analyze verify vswd.service: no complaint"
	else
		fail "systemd-analyze verify finds fault with vswd.service" "$DEST/verify.out"
	fi
else
	echo "NOTE: systemd-analyze not installed: the unit is not verified"
fi

# ---- bash completion, from the installed vswctl
# complete_words PROG WORD... : what PROG's installed completion offers for the last word.
complete_words() {
	PATH=$DEST$BINDIR:$PATH bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
		"_$1"
		echo "${COMPREPLY[*]}"' _ "$DEST$DATADIR/bash-completion/completions/$1" "$@"
}
expect() {
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || fail "completing '$*': got '$got', want '$want'"
	pass "'$*<TAB>' -> $want"
}
expect "port" vswctl po
expect "add del set list" vswctl port ""
expect "pmd" vswctl stats p
expect "level" vswctl log ""
expect "debug" vswctl log level d
expect "ring" vswctl -s /nonexistent port add vm1 r
expect "aging=" vswctl bd set blue ag
expect "--json" vswctl --js
expect "" vswctl show ""
expect "show pmd queues" vswctl stats ""
nouns=$(complete_words vswctl "")
for n in $("$DEST$BINDIR/vswctl" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' | sort -u); do
	[[ " $nouns " == *" $n "* ]] || fail "'vswctl <TAB>' does not offer '$n' (got: $nouns)"
done
pass "'vswctl <TAB>' offers every noun of vswctl --help"

expect "--socket --status" vswagent --s
expect "--watch-timeout" vswagent --hold 5 --wa
expect "/vsw/v1" vswagent --prefix ""
offered=" $(complete_words vswagent --) "
for opt in $agent_opts --version; do
	[[ $offered == *" $opt "* ]] || fail "'vswagent --<TAB>' does not offer $opt (got:$offered)"
done
pass "'vswagent --<TAB>' offers every option of vswagent --help"

# vswcluster: every command of --help can be typed word by word with TAB. An
# etcd that is not there (port 9, discard) gives no names, and no hang.
expect "route" vswcluster rd ro
expect "add del list" vswcluster --etcd http://127.0.0.1:9 rd route ""
expect "via" vswcluster rd route add red 0.0.0.0/0 v
expect "host= pa=" vswcluster vm add 5001 203.0.113.1 02:00:00:00:01:01 ""
expect "rd= gateway=" vswcluster subnet set 5001 ""
expect "rd=none" vswcluster --etcd http://127.0.0.1:9 subnet set 5001 rd=n
expect "--json" vswcluster --js
expect "" vswcluster --etcd http://127.0.0.1:9 rd del ""
while read -r cmd; do
	read -ra w <<<"$cmd"
	for ((k = 0; k < ${#w[@]}; k++)); do
		offered=" $(complete_words vswcluster --etcd http://127.0.0.1:9 "${w[@]:0:k}" "") "
		[[ $offered == *" ${w[k]} "* ]] ||
			fail "'vswcluster ${w[*]:0:k} <TAB>' does not offer '${w[k]}' (got:$offered)"
	done
done < <(cluster_cmds)
pass "'vswcluster' completes every command of vswcluster --help word by word"
echo "all $nb_pass checks passed"
