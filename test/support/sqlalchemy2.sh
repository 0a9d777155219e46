#!/usr/bin/env bash
# SQLAlchemy 2 for the BI-clients test, from Debian's own archive without touching the system's python: Debian 13's
# python3-sqlalchemy (2.0, pure Python) and the python3-typing-extensions it needs (>= 4.6; Debian 12 has 4.4) are
# downloaded with a throw-away apt configuration and unpacked (dpkg -x) into a cache folder that the test puts first on
# PYTHONPATH. Nothing is installed, and the system's apt sources, lists and preferences are left as they are.
#
#   bash test/support/sqlalchemy2.sh          # prints the folder to put on PYTHONPATH
#
# Needs apt-get, dpkg and deb.debian.org (CI's .ci/run calls it). The folder defaults to .doql-test-cache/sqlalchemy2
# in the repository (DOQL_SQLALCHEMY2_DIR overrides it); a complete one is reused, so a second run costs nothing.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
dest="${DOQL_SQLALCHEMY2_DIR:-$repo/.doql-test-cache/sqlalchemy2}"
suite=trixie
packages=(python3-sqlalchemy python3-typing-extensions)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
site="$dest/usr/lib/python3/dist-packages"
python=/usr/bin/python3

works() {
  # The psycopg 3 dialect is what SQLAlchemy 1.4 lacks; importing it also checks typing_extensions is new enough.
  [ -f "$dest/packages.txt" ] && PYTHONPATH="$site" "$python" -c 'import sqlalchemy.dialects.postgresql.psycopg' >/dev/null 2>&1
}

if works; then
  echo "$site"
  exit 0
fi

for tool in apt-get dpkg "$python"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "sqlalchemy2: $tool is missing (this needs Debian's apt, dpkg and python3)" >&2; exit 1; }
done
[ -f "$keyring" ] || { echo "sqlalchemy2: $keyring is missing (Debian: debian-archive-keyring)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt downloads as its unprivileged _apt user when run as root: it must reach the folders it writes to.
chmod 755 "$work"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/etc/preferences.d"
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$work/debs"; fi
echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main" >"$work/etc/sources.list"
: >"$work/etc/preferences"
apt=(
  -o "Dir::Etc::sourcelist=$work/etc/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::Etc::preferences=$work/etc/preferences" -o "Dir::Etc::preferencesparts=$work/etc/preferences.d"
  -o "Dir::State::lists=$work/lists" -o "Dir::Cache=$work/cache"
  -o "Debug::NoLocking=1" -o "APT::Get::List-Cleanup=0" -o "Acquire::Retries=3"
)
echo "sqlalchemy2: fetching Debian $suite's package lists (into a temporary folder)" >&2
apt-get "${apt[@]}" -qq update >&2
(cd "$work/debs" && apt-get "${apt[@]}" -qq download "${packages[@]}" >&2)

rm -rf "$dest.partial"
mkdir -p "$dest.partial"
for deb in "$work"/debs/*.deb; do
  dpkg -x "$deb" "$dest.partial"
  dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$dest.partial/packages.txt"
done
rm -rf "$dest"
mv "$dest.partial" "$dest"

if ! works; then
  echo "sqlalchemy2: unpacked $(tr '\n' ',' <"$dest/packages.txt") into $dest, but $python cannot import SQLAlchemy 2's psycopg dialect from it" >&2
  exit 1
fi
echo "sqlalchemy2: $(PYTHONPATH="$site" "$python" -c 'import sqlalchemy; print("SQLAlchemy", sqlalchemy.__version__)') in $site" >&2
echo "$site"
