#!/bin/sh
# trunk's post_build hook (Trunk.toml), in the staging directory of every build:
# 1. Versions the training worker. trunk content-hashes the app's own files but not a worker's
#    (`data-type="worker"` keeps the binary's name: train_worker.js, train_worker_bg.wasm), so a
#    browser or proxy could serve a stale worker after a deploy. The page starts the worker as
#    `train_worker_loader.js?v=<hash of the three worker files>` (the loader passes the version on
#    to the other two), reading that URL from index.html's <meta name="mnist-train-worker">:
#    the URLs change exactly when the worker's files change.
# 2. Makes 404.html a copy of index.html: GitHub Pages serves it for unknown paths, so deep
#    links and reloads work. (One script: trunk runs the hooks of a stage concurrently, and the
#    copy must come after the version is written.)
# 3. Stamps the service worker (see below).
set -eu
cd "$TRUNK_STAGING_DIR"
version=$(cat train_worker_loader.js train_worker.js train_worker_bg.wasm | sha256sum | cut -c1-16)
sed -i "s|content=\"train_worker_loader.js\"|content=\"train_worker_loader.js?v=$version\"|" index.html
grep -q "train_worker_loader.js?v=$version" index.html || {
  echo "post_build: the worker's <meta name=\"mnist-train-worker\"> is missing from index.html" >&2
  exit 1
}
cp index.html 404.html

# 3. The service worker (public/sw.js): writes in the build's file lists and the hashes that name
#    its caches (the app's files; data/), and the bound of what it may cache. index.html is listed
#    as './' (every route is served it).
app_files=$(find . -type f ! -path './data/*' ! -name sw.js ! -name 404.html ! -name index.html | sed 's|^\./||' | LC_ALL=C sort)
data_files=$(find ./data -type f | sed 's|^\./||' | LC_ALL=C sort)
app_hash=$( (cat index.html; for f in $app_files; do printf '%s\n' "$f"; cat "$f"; done) | sha256sum | cut -c1-16)
data_hash=$(for f in $data_files; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16)
js_list() { printf '['; sep=''; for f in "$@"; do printf "%s'%s'" "$sep" "$f"; sep=', '; done; printf ']'; }
on_install=$(printf '%s\n' $data_files | grep -E '^data/(models/|[^/]+/t10k-)' || true)
bound=$(cat index.html $app_files $data_files | wc -c)
sed -i \
  -e "s|^const APP_HASH = .*|const APP_HASH = '$app_hash';|" \
  -e "s|^const DATA_HASH = .*|const DATA_HASH = '$data_hash';|" \
  -e "s|^const APP_FILES = .*|const APP_FILES = $(js_list ./ $app_files);|" \
  -e "s|^const DATA_ON_INSTALL = .*|const DATA_ON_INSTALL = $(js_list $on_install);|" \
  -e "s|^const DATA_FILES = .*|const DATA_FILES = $(js_list $data_files);|" \
  -e "s|^const BOUND_BYTES = .*|const BOUND_BYTES = $bound;|" \
  sw.js
grep -q "APP_HASH = '$app_hash'" sw.js || { echo "post_build: sw.js was not stamped" >&2; exit 1; }
echo "post_build: service worker caches at most $((bound / 1048576)) MiB ($bound bytes): app $app_hash, data $data_hash"
