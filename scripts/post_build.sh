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
set -eu
cd "$TRUNK_STAGING_DIR"
version=$(cat train_worker_loader.js train_worker.js train_worker_bg.wasm | sha256sum | cut -c1-16)
sed -i "s|content=\"train_worker_loader.js\"|content=\"train_worker_loader.js?v=$version\"|" index.html
grep -q "train_worker_loader.js?v=$version" index.html || {
  echo "post_build: the worker's <meta name=\"mnist-train-worker\"> is missing from index.html" >&2
  exit 1
}
cp index.html 404.html
