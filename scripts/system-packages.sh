#!/usr/bin/env bash
# Makes sure the servers the local system and the tests run are installed: MariaDB, Redis,
# ActiveMQ (with STOMP), Prometheus, Alertmanager, the MySQL and Redis exporters, Chromium.
# Installs what is missing from Debian's packages as root (or with sudo); anywhere else it
# says what is missing and how to get it, and fails.
set -euo pipefail

if [ "$(uname -s)" != Linux ] || [ "${BASH_VERSINFO[0]}" -lt 4 ]; then
  echo "system-packages: this installs the local system's servers from Debian/Ubuntu packages; on $(uname -s) install by hand MariaDB 10.6+, Redis 7, ActiveMQ Classic 5.17 with STOMP, Prometheus 2.x, Alertmanager, the mysqld and redis exporters and Chromium (or run in a Debian/Ubuntu VM)." >&2
  exit 1
fi

# command that proves the package is there -> Debian package
declare -A packages=(
  [mariadbd]=mariadb-server
  [mariadb]=mariadb-client
  [mariadb-dump]=mariadb-client
  [mariadb-backup]=mariadb-backup
  [redis-server]=redis-server
  [redis-cli]=redis-tools
  [activemq]=activemq
  [java]=default-jre-headless
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [prometheus-mysqld-exporter]=prometheus-mysqld-exporter
  [prometheus-redis-exporter]=prometheus-redis-exporter
  [openssl]=openssl
  [jq]=jq
  [/usr/share/java/xstream.jar]=libxstream-java
  [/usr/share/java/jettison.jar]=libjettison-java
)

# Chromium is only for the browser tests, and Ubuntu ships it as a snap: installed on its own below.
have_chromium() { [ -n "${CHROMIUM_PATH:-}" ] || have chromium || have chromium-browser || have google-chrome; }

have() { if [[ "$1" == /* ]]; then [ -e "$1" ]; else PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; fi; }

missing=()
for probe in "${!packages[@]}"; do
  have "$probe" || missing+=("${packages[$probe]}")
done
browser=()
have_chromium || browser=(chromium)
[ ${#missing[@]} -eq 0 ] && [ ${#browser[@]} -eq 0 ] && exit 0
if [ ${#missing[@]} -gt 0 ]; then mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u); fi

howto="sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]} ${browser[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: missing ${missing[*]} ${browser[*]}. This project installs them from Debian/Ubuntu packages; on this OS install the equivalents by hand (MariaDB 10.6+, Redis 7, ActiveMQ Classic 5.17 with STOMP, Prometheus 2.x, Alertmanager, mysqld and redis exporters, Chromium)." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ] && [ -t 2 ]; then
  echo "system-packages: installing ${missing[*]} ${browser[*]} needs root; sudo will ask for your password." >&2
  sudo=(sudo)
else
  echo "system-packages: missing ${missing[*]} ${browser[*]} and no rights to install them. Run: $howto" >&2
  exit 1
fi

echo "system-packages: installing ${missing[*]} ${browser[*]} (Debian packages; the services are not started system-wide)…" >&2
# The project starts its own server processes on its own ports; keep the packages' init
# scripts from starting system-wide daemons during the install.
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  created_policy=true
fi
trap '$created_policy && "${sudo[@]}" rm -f "$policy"' EXIT
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  "${sudo[@]}" apt-get update -qq >&2
fi
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
if [ ${#browser[@]} -gt 0 ] && ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >&2; then
  echo "system-packages: no chromium package here (Ubuntu ships it as a snap). Everything else is installed; the browser tests need a Chromium or Chrome: install one and, if it is not /usr/bin/chromium, chromium-browser or google-chrome, set CHROMIUM_PATH." >&2
fi
