#!/usr/bin/env bash
# Install ScriptsManager as one machine-wide service (systemd) on a shared workstation.
#
#   sudo build/service/install-linux.sh [--prefix /opt/scriptsmanager] [--port 5000]
#        [--user scriptsmanager] [--home DIR] [--python python3.12] [--no-systemd]
#        [--admin NAME]
#
# - a system account owns the service and all its data; the data folder (the site data
#   folder, e.g. /usr/local/share/ScriptsManager, or --home) is mode 0700, so OS users
#   cannot read each other's runs or project files through the file system: they reach
#   them only through the app, with their own accounts and roles;
# - the app is installed into a virtual environment under --prefix (from this checkout);
# - the service listens on 127.0.0.1 only; users run `scriptsmanager --connect URL`.
# - the first admin is created before the service starts (--admin NAME asks for its
#   password), or the installer prints the one-time setup link: until an admin exists,
#   only a holder of that link can create one, so no local user can get there first.
# --no-systemd prepares everything but the unit (containers, tests).
set -euo pipefail

prefix=/opt/scriptsmanager
port=5000
user=scriptsmanager
home=""
python=python3.12
systemd=1
admin=""
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --user) user="$2"; shift 2 ;;
        --home) home="$2"; shift 2 ;;
        --python) python="$2"; shift 2 ;;
        --no-systemd) systemd=0; shift ;;
        --admin) admin="$2"; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "run as root (sudo)" >&2
    exit 1
fi
case "$port" in ''|*[!0-9]*) echo "--port must be a number" >&2; exit 2 ;; esac

echo "==> service account: $user"
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$prefix" --no-create-home \
        --shell /usr/sbin/nologin "$user"
fi

echo "==> application: $prefix"
"$python" -m venv "$prefix"
"$prefix/bin/pip" install --quiet --upgrade pip
"$prefix/bin/pip" install --quiet "$source_dir"
chmod -R go-w "$prefix"

if [ -z "$home" ]; then
    home="$("$prefix/bin/python" -c \
        'import platformdirs; print(platformdirs.site_data_dir("ScriptsManager", appauthor=False))')"
fi
echo "==> data: $home (owner $user, mode 0700)"
install -d -m 0700 -o "$user" -g "$user" "$home"
chown -R "$user:$user" "$home"
chmod 0700 "$home"

run_as_service() {
    runuser -u "$user" -- env SHARED_INSTALL=true SCRIPTSMANAGER_HOME="$home" "$@"
}
( cd "$home" && run_as_service "$prefix/bin/scriptsmanager" init-db )
if [ -n "$admin" ]; then
    echo "==> first admin: $admin"
    ( cd "$home" && run_as_service "$prefix/bin/scriptsmanager" create-admin --username "$admin" )
fi

if [ "$systemd" -eq 1 ]; then
    echo "==> systemd unit: /etc/systemd/system/scriptsmanager.service"
    sed -e "s|@USER@|$user|g" -e "s|@HOME@|$home|g" -e "s|@PREFIX@|$prefix|g" \
        -e "s|@PORT@|$port|g" "$source_dir/build/service/scriptsmanager.service" \
        > /etc/systemd/system/scriptsmanager.service
    systemctl daemon-reload
    systemctl enable --now scriptsmanager.service
fi

echo
echo "ScriptsManager is installed."
if [ -f "$home/setup_token" ]; then
    cat <<SETUP
  No admin exists yet. Create the first one with this one-time link (keep it to yourself):
    http://127.0.0.1:$port/setup?token=$(cat "$home/setup_token")
  or on this console (no default password exists):
    sudo runuser -u $user -- env SHARED_INSTALL=true SCRIPTSMANAGER_HOME=$home \\
        $prefix/bin/scriptsmanager create-admin --username <name>
SETUP
fi
cat <<DONE
  Each user opens it with:   scriptsmanager --connect http://127.0.0.1:$port/
  or in a browser:           http://127.0.0.1:$port/
DONE
