// Stands in for `debug` in the function bundles (see scripts/build.mjs): every logger it makes is
// disabled, as `debug`'s are when DEBUG does not name them.
module.exports = function createDebug() {
  const log = () => {};
  log.enabled = false;
  log.extend = createDebug;
  return log;
};
