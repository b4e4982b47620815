// The training Web Worker's first script (a classic worker: trunk builds the worker binary with
// wasm-bindgen's no-modules target, which defines the global `wasm_bindgen`). The page starts it
// as `train_worker_loader.js?v=<version>&root=<site URL>`; the version is a hash of the worker's
// files written into index.html at build time (scripts/post_build.sh), and it is passed on to
// the two files loaded here, whose names trunk does not hash: after a deploy, the new page asks
// for new URLs and no cache can hand it an old worker. Relative URLs resolve against this
// script's URL, so the site works under any sub-path.
(function () {
  var version = encodeURIComponent(new URL(self.location.href).searchParams.get('v') || '');
  function fail(error) {
    // The page's message format: [report JSON, ...transferred arrays].
    self.postMessage([JSON.stringify({
      type: 'Error',
      message: 'The training worker could not start: ' + error + '.',
    })]);
  }
  try {
    importScripts('train_worker.js?v=' + version);
    wasm_bindgen({ module_or_path: 'train_worker_bg.wasm?v=' + version }).catch(fail);
  } catch (error) {
    fail(error);
  }
})();
