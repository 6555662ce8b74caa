#!/usr/bin/env bash
# Install the .desktop entry and the app icons for the current user (XDG locations).
#
# The entry's Exec points at an absolute path, so it works without PATH changes: the
# bundle (dist/assistants-playground/assistants-playground) when it has been built,
# otherwise the venv's launcher (.venv/bin/assistants-playground).
# Undo with: packaging/install-desktop.sh --uninstall
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="assistants-playground"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
APPS="$DATA_HOME/applications"
ICONS="$DATA_HOME/icons/hicolor"

refresh_caches() {
    # Desktops pick new entries up without these too; they only make it immediate.
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$APPS" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
    fi
}

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$APPS/$NAME.desktop"
    find "$ICONS" -path "*/apps/$NAME.*" -delete 2>/dev/null || true
    refresh_caches
    echo "Removed the $NAME desktop entry and icons from $DATA_HOME."
    exit 0
fi

if [[ -x "$ROOT/dist/$NAME/$NAME" ]]; then
    EXEC="$ROOT/dist/$NAME/$NAME"
elif [[ -x "$ROOT/.venv/bin/$NAME" ]]; then
    EXEC="$ROOT/.venv/bin/$NAME"
else
    echo "Nothing to launch yet: run 'make bundle' (or 'make run' once) first." >&2
    exit 1
fi

mkdir -p "$APPS"
for dir in "$ROOT"/resources/icons/hicolor/*/apps; do
    size="$(basename "$(dirname "$dir")")"
    mkdir -p "$ICONS/$size/apps"
    cp "$dir"/"$NAME".* "$ICONS/$size/apps/"
done
# Quote the path per the Desktop Entry spec in case the checkout path has spaces.
sed -e "s|^Exec=.*|Exec=\"$EXEC\" %U|" -e "s|^TryExec=.*|TryExec=$EXEC|" \
    "$ROOT/resources/$NAME.desktop" >"$APPS/$NAME.desktop"
chmod 644 "$APPS/$NAME.desktop"
refresh_caches
echo "Installed $APPS/$NAME.desktop (runs $EXEC) and icons under $ICONS."
