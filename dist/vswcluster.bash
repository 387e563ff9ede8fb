# bash completion for vswcluster (installed as .../bash-completion/completions/vswcluster).
#
# The commands are those of `vswcluster --help` (dist/test_install.sh checks
# that every one of them is offered).  Subnet VSIDs, routing domain and host
# names come from etcd (vswcluster --json ... list, with the --etcd and
# --prefix of the line), when it answers within 2 seconds.

# Values of 'member' in the rows of `vswcluster --json NOUN list`.
_vswcluster_values()
{
	local prog=$1 member=$2 noun=$3
	shift 3
	timeout 2 "$prog" "$@" --json "$noun" list 2>/dev/null |
		grep -o "\"$member\":\(\"[^\"]*\"\|[0-9]*\)" | sed "s/^\"$member\"://; s/\"//g"
}

_vswcluster()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local prog=${COMP_WORDS[0]} i word noun="" verb="" sub="" nb_args=0
	local -a conn=()

	case $prev in
	-s | --socket)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--etcd | --prefix)
		return
		;;
	esac
	# The noun, its verb ("rd route" has a verb of its own) and the arguments after them.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--etcd | --prefix)
			conn+=("$word" "${COMP_WORDS[i + 1]}")
			((i++))
			continue
			;;
		-s | --socket)
			((i++))
			continue
			;;
		-*) continue ;;
		esac
		if [[ -z $noun ]]; then
			noun=$word
		elif [[ -z $verb ]]; then
			verb=$word
		elif [[ "$noun $verb" == "rd route" && -z $sub ]]; then
			sub=$word
		else
			((nb_args++))
		fi
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--etcd --prefix --json -s --socket -h --help --version' -- "$cur"))
		return
	fi
	if [[ -z $noun ]]; then
		COMPREPLY=($(compgen -W 'subnet vm rd host status' -- "$cur"))
		return
	fi
	if [[ -z $verb ]]; then
		case $noun in
		subnet) COMPREPLY=($(compgen -W 'add set del list' -- "$cur")) ;;
		vm) COMPREPLY=($(compgen -W 'add del list' -- "$cur")) ;;
		rd) COMPREPLY=($(compgen -W 'add del list route' -- "$cur")) ;;
		host) COMPREPLY=($(compgen -W 'list' -- "$cur")) ;;
		esac
		return
	fi
	case "$noun $verb" in
	"subnet add")
		if [[ $nb_args -ge 1 ]]; then
			if [[ $cur == rd=* ]]; then
				COMPREPLY=($(compgen -P rd= -W "$(_vswcluster_values "$prog" name rd "${conn[@]}")" -- "${cur#rd=}"))
				return
			fi
			COMPREPLY=($(compgen -W 'vsid= rd= gateway=' -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		;;
	"subnet set")
		if [[ $nb_args -eq 0 ]]; then
			COMPREPLY=($(compgen -W "$(_vswcluster_values "$prog" vsid subnet "${conn[@]}")" -- "$cur"))
		elif [[ $cur == rd=* ]]; then
			COMPREPLY=($(compgen -P rd= -W "none $(_vswcluster_values "$prog" name rd "${conn[@]}")" -- "${cur#rd=}"))
		else
			COMPREPLY=($(compgen -W 'rd= gateway=' -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		;;
	"subnet del" | "vm del" | "vm list")
		[[ $nb_args -eq 0 ]] && COMPREPLY=($(compgen -W "$(_vswcluster_values "$prog" vsid subnet "${conn[@]}")" -- "$cur"))
		;;
	"vm add")
		if [[ $nb_args -eq 0 ]]; then
			COMPREPLY=($(compgen -W "$(_vswcluster_values "$prog" vsid subnet "${conn[@]}")" -- "$cur"))
		elif [[ $nb_args -eq 3 && $cur == host=* ]]; then
			COMPREPLY=($(compgen -P host= -W "$(_vswcluster_values "$prog" name host "${conn[@]}")" -- "${cur#host=}"))
		elif [[ $nb_args -eq 3 ]]; then
			COMPREPLY=($(compgen -W 'host= pa=' -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		;;
	"rd add")
		if [[ $nb_args -eq 1 ]]; then
			COMPREPLY=($(compgen -W 'mac=' -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		;;
	"rd del")
		[[ $nb_args -eq 0 ]] && COMPREPLY=($(compgen -W "$(_vswcluster_values "$prog" name rd "${conn[@]}")" -- "$cur"))
		;;
	"rd route")
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W 'add del list' -- "$cur"))
		elif [[ $nb_args -eq 0 ]]; then
			COMPREPLY=($(compgen -W "$(_vswcluster_values "$prog" name rd "${conn[@]}")" -- "$cur"))
		elif [[ $sub == add && $nb_args -eq 2 ]]; then
			COMPREPLY=($(compgen -W 'via' -- "$cur"))
		fi
		;;
	esac
}

complete -F _vswcluster vswcluster
