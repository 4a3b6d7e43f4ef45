# bash completion for fieldbook(1).
# Installed as $(PREFIX)/share/bash-completion/completions/fieldbook; or source it from
# ~/.bashrc.  Every word comes from the program itself (`fieldbook complete ...` reads
# its command table and field table; `fieldbook remote list` the remotes), so it follows
# whatever version is installed:
#   fieldbook <Tab>                  commands
#   fieldbook add <Tab>              record kinds
#   fieldbook add person <Tab>       field names of that kind, as name=
#   fieldbook add person occupation=<Tab>   the choice codes of the field
#   fieldbook list person --<Tab>    the command's options
#   fieldbook sync <Tab>, --for <Tab>, remote remove <Tab>   remote names
#   fieldbook remote <Tab>, bundle <Tab>, review <Tab>       sub-commands
#   file arguments (bundle files, CSV, key and token files) complete as file names

# _fieldbook_words ARGS...: the lines `fieldbook complete ARGS` prints, sorted, unique.
_fieldbook_words()
{
	"${_fieldbook_prog:-fieldbook}" complete "$@" 2> /dev/null | LC_ALL=C sort -u
}

_fieldbook_remotes()
{
	"${_fieldbook_prog:-fieldbook}" remote list 2> /dev/null | awk -F '\t' 'NF == 2 { print $1 }'
}

# _fieldbook_reply WORDS CUR: COMPREPLY = the words (one a line) that start with CUR.
_fieldbook_reply()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_fieldbook_files()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -- "$1"))
	if type compopt &> /dev/null; then compopt -o filenames 2> /dev/null; fi
}

_fieldbook()
{
	local cur prev= cmd= kind= i w cword line
	local -a pos=() words=()
	# The words are split at blanks from the line up to the cursor, not taken from
	# COMP_WORDS, which bash also splits at '=' (COMP_WORDBREAKS): FIELD=VALUE stays whole.
	line=${COMP_LINE:0:COMP_POINT}
	read -r -a words <<< "$line"
	[[ -z $line || $line == *[[:space:]] ]] && words+=("")
	cword=$((${#words[@]} - 1))
	cur=${words[cword]}
	_fieldbook_prog=${words[0]}
	[ "$cword" -gt 0 ] && prev=${words[cword - 1]}
	COMPREPLY=()
	_fieldbook_main
	# bash replaces only the part after the last '=' when '=' breaks words.
	if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
		local pre=${cur%=*}=
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
	return 0
}

_fieldbook_main()
{
	if [ "$cword" -le 1 ]; then
		_fieldbook_reply "$(_fieldbook_words commands)" "$cur"
		return 0
	fi
	cmd=${words[1]}
	# Positional words before the cursor (options and their values left out).
	for ((i = 2; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--kind | --for | --format | --limit | --after | --page | --by | --csv | --xlsx | \
			--reason | --from | --to | --month | --quarter | --year | --size | --keys | \
			--keys-file | --host-key | --token-file | --key-file | --pick | --value | \
			--device-label | --team | --operator | --override)
			i=$((i + 1)) ;;
		-*) ;;
		*) pos+=("$w") ;;
		esac
	done

	# Values of options.
	case $prev in
	--kind) _fieldbook_reply "$(_fieldbook_words kinds)" "$cur"; return 0 ;;
	--for) _fieldbook_reply "$(_fieldbook_remotes)" "$cur"; return 0 ;;
	--format) _fieldbook_reply $'table\ntsv\ntext\ncsv' "$cur"; return 0 ;;
	--by) _fieldbook_reply $'team\nsite\noccupation\nkind' "$cur"; return 0 ;;
	--csv | --xlsx | --keys-file | --token-file | --key-file) _fieldbook_files "$cur"; return 0 ;;
	--limit | --after | --page | --reason | --from | --to | --month | --quarter | --year | \
		--size | --keys | --host-key | --pick | --value | --device-label | --team | \
		--operator | --override)
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		_fieldbook_reply "$(_fieldbook_words options "$cmd")" "$cur"
		return 0
	fi

	case $cmd in
	add | list | export | import | fields)
		if [ ${#pos[@]} -eq 0 ]; then
			_fieldbook_reply "$(_fieldbook_words kinds)" "$cur"
			return 0
		fi
		kind=${pos[0]}
		[ "$cmd" = import ] && { _fieldbook_files "$cur"; return 0; }
		[ "$cmd" = add ] || [ "$cmd" = list ] || return 0
		;;
	edit)
		[ ${#pos[@]} -eq 0 ] && return 0 # a record id
		;;
	sync)
		[ ${#pos[@]} -eq 0 ] && _fieldbook_reply "$(_fieldbook_remotes)" "$cur"
		return 0
		;;
	remote)
		if [ ${#pos[@]} -eq 0 ]; then
			_fieldbook_reply "$(_fieldbook_words words remote)" "$cur"
		elif [ "${pos[0]}" = remove ] && [ ${#pos[@]} -eq 1 ]; then
			_fieldbook_reply "$(_fieldbook_remotes)" "$cur"
		fi
		return 0
		;;
	bundle)
		if [ ${#pos[@]} -eq 0 ]; then
			_fieldbook_reply "$(_fieldbook_words words bundle)" "$cur"
		else
			_fieldbook_files "$cur"
		fi
		return 0
		;;
	help)
		[ ${#pos[@]} -eq 0 ] &&
			_fieldbook_reply "$(_fieldbook_words commands)"$'\n'"$(_fieldbook_words words help)" "$cur"
		return 0
		;;
	*)
		[ ${#pos[@]} -eq 0 ] && _fieldbook_reply "$(_fieldbook_words words "$cmd")" "$cur"
		return 0
		;;
	esac

	# FIELD=VALUE for add, list (filters) and edit.
	if [[ $cur == *=* ]]; then
		local field=${cur%%=*} val=${cur#*=} k
		local IFS=$'\n'
		if [ -n "$kind" ]; then
			k=$kind
		else # edit: the field's kind is that of the record; offer choices of any kind
			k=
		fi
		local choices=
		if [ -n "$k" ]; then
			choices=$(_fieldbook_words choices "$k" "$field")
		else
			for k in $(_fieldbook_words kinds); do
				choices+=$(_fieldbook_words choices "$k" "$field")$'\n'
			done
		fi
		COMPREPLY=($(compgen -P "$field=" -W "$choices" -- "$val"))
		return 0
	fi
	local IFS=$'\n'
	COMPREPLY=($(compgen -S = -W "$(_fieldbook_words fields $kind)" -- "$cur"))
	if type compopt &> /dev/null; then compopt -o nospace 2> /dev/null; fi
	return 0
}

complete -F _fieldbook fieldbook
