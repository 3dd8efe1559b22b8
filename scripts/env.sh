# Sourced by the other scripts: shared settings.
# Build output lives outside the clone so repeated runs (and CI on fresh clones) are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hallmark/target}"
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
