# bash completion for vswctl (installed as .../bash-completion/completions/vswctl).
#
# Nouns and verbs come from `vswctl --help`, which prints vswctl's own
# command table (synopses in the first 46 columns, help after them), so completion never lists a command vswctl does not have.
# Port and bridge-domain names come from the running daemon (vswctl -t 1
# --json port list / bd list), when one answers on the socket in use.

# The "noun verb" pairs of `vswctl --help` (a lone noun stands for itself), once per shell.
_vswctl_commands()
{
	if [[ -z ${_vswctl_command_cache-} ]]; then
		_vswctl_command_cache=$("${1:-vswctl}" --help 2>/dev/null | awk '
			/^commands:/ { on = 1; next }
			on && /^$/ { exit }
			on && /^  [a-z]/ {
				# The synopsis is the first 46 columns; the help text follows it.
				split(substr($0, 3, 46), w, " ")
				print w[1] " " ((w[2] ~ /^[a-z]+$/) ? w[2] : "")
			}')
	fi
	printf '%s\n' "$_vswctl_command_cache"
}

# Names from a list method of the daemon (port.list, bd.list): the "name" members.
_vswctl_names()
{
	local prog=$1 method=$2
	shift 2
	"$prog" "$@" -t 1 --json call "$method" 2>/dev/null |
		grep -o '"name":"[^"]*"' | sed 's/^"name":"//; s/"$//'
}

_vswctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} i word noun="" verb="" nb_args=0
	local -a sock=()

	case $prev in
	-s | --socket)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-t | --timeout)
		return
		;;
	esac
	# Find the noun, the verb and how many words follow them; keep -s for the daemon queries.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-s | --socket)
			sock=(-s "${COMP_WORDS[i + 1]}")
			((i++))
			continue
			;;
		-t | --timeout)
			((i++))
			continue
			;;
		-*) continue ;;
		esac
		if [[ -z $noun ]]; then
			noun=$word
		elif [[ -z $verb ]] && _vswctl_commands "$prog" | grep -qx "$noun $word"; then
			verb=$word
		else
			((nb_args++))
		fi
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-s --socket -j --json -t --timeout -a --all -h --help --version' -- "$cur"))
		return
	fi
	if [[ -z $noun ]]; then
		COMPREPLY=($(compgen -W "$(_vswctl_commands "$prog" | cut -d' ' -f1 | sort -u)" -- "$cur"))
		return
	fi
	if [[ -z $verb && $nb_args -eq 0 ]]; then
		local verbs
		verbs=$(_vswctl_commands "$prog" | awk -v n="$noun" '$1 == n && $2 != "" { print $2 }')
		if [[ -n $verbs ]]; then
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
			return
		fi
	fi
	case "$noun $verb" in
	"port del" | "stats show" | "stats queues")
		[[ $nb_args -eq 0 ]] && COMPREPLY=($(compgen -W "$(_vswctl_names "$prog" port.list "${sock[@]}")" -- "$cur"))
		;;
	"port set" | "uplink set")
		if [[ $nb_args -eq 0 ]]; then
			COMPREPLY=($(compgen -W "$(_vswctl_names "$prog" port.list "${sock[@]}")" -- "$cur"))
		elif [[ "$cur" == vlan-mode=* ]]; then
			COMPREPLY=($(compgen -P vlan-mode= -W 'none access trunk' -- "${cur#vlan-mode=}"))
		elif [[ "$noun" == port ]]; then
			COMPREPLY=($(compgen -W 'max-macs= allowed-macs= vlan-mode= vlan= trunks= native=' -- "$cur"))
			compopt -o nospace 2>/dev/null
		else
			COMPREPLY=($(compgen -W 'mtu= vlan= force=true' -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		;;
	"port add")
		case $nb_args in
		1) COMPREPLY=($(compgen -W 'tap kernel vhost-user pcap ring null dpdk' -- "$cur")) ;;
		[2-9]*) COMPREPLY=($(compgen -W 'bd=' -- "$cur")) ;;
		esac
		compopt -o nospace 2>/dev/null
		;;
	"bd del" | "bd set" | "fdb show" | "fdb flush" | "fdb add" | "fdb del")
		if [[ $nb_args -eq 0 ]]; then
			COMPREPLY=($(compgen -W "$(_vswctl_names "$prog" bd.list "${sock[@]}")" -- "$cur"))
		elif [[ "$noun $verb" == "bd set" ]]; then
			COMPREPLY=($(compgen -W 'aging= max-macs= limit-action= learning= flap-moves= flap-window= flap-hold= vsid= vlan=' -- "$cur"))
			compopt -o nospace 2>/dev/null
		elif [[ "$noun $verb" == "fdb add" && $nb_args -eq 2 ]]; then
			COMPREPLY=($(compgen -W "$(_vswctl_names "$prog" port.list "${sock[@]}")" -- "$cur"))
		fi
		;;
	"log level")
		[[ $nb_args -eq 0 ]] && COMPREPLY=($(compgen -W 'err warning notice info debug' -- "$cur"))
		;;
	"route add")
		[[ $nb_args -eq 1 ]] && COMPREPLY=($(compgen -W 'via' -- "$cur"))
		;;
	esac
}

complete -F _vswctl vswctl
