// Stands in, inside the bundle, for packages `soap` requires at load but this function never
// reaches (see scripts/build.mjs). Loading it is harmless; touching any export fails loudly, so a
// future use cannot silently get an empty module.
module.exports = new Proxy(
  {},
  {
    get(_target, property) {
      // Probes made by module interop helpers and promise resolution, not uses.
      if (typeof property === 'symbol' || property === '__esModule' || property === 'then') {
        return undefined;
      }
      throw new Error(
        `"${String(property)}" of a package left out of the bundle was used: see scripts/build.mjs`,
      );
    },
  },
);
