# bash completion for vswagent (installed as .../bash-completion/completions/vswagent).
#
# vswagent takes options only (dist/test_install.sh checks that every option
# of `vswagent --help` is offered).

_vswagent()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}

	case $prev in
	--socket | --status)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--host)
		COMPREPLY=($(compgen -W "$(hostname 2>/dev/null)" -- "$cur"))
		return
		;;
	--prefix)
		COMPREPLY=($(compgen -W '/vsw/v1' -- "$cur"))
		return
		;;
	--etcd | --pa | --ttl | --hold | --resync | --watch-timeout)
		return
		;;
	esac
	COMPREPLY=($(compgen -W '--host --etcd --socket --pa --prefix --ttl --hold --resync
		--watch-timeout --status --help --version' -- "$cur"))
}

complete -F _vswagent vswagent
