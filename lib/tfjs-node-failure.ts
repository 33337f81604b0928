/**
 * Why the optional native backend (tfjs-node) did not load, in words a user can act on.
 *
 * NO_BINDING: tfjs-node installed without running its install script (which downloads
 * libtensorflow and builds the binding): `npm install --ignore-scripts`, or npm 11 skipping
 * the install scripts of dependencies the project has not approved.
 */
const NO_BINDING = /tfjs_binding\.node\)? can ?not be found|libtensorflow\.so.*cannot open/i;
const BINDING_HINT =
  " (its install script, which downloads libtensorflow, did not run: allow it with `npm install-scripts approve @tensorflow/tfjs-node` on npm 11, then `npm rebuild @tensorflow/tfjs-node`; or uninstall it to silence this)";

/**
 * What a failed `require("@tensorflow/tfjs-node")` means: not installed (the ordinary case,
 * `missing`), or installed and broken, with how to mend it where that is known.
 */
export function tfjsNodeFailure(err: unknown): { missing: boolean; note: string } {
  const { code, message = String(err) } = (err ?? {}) as { code?: string; message?: string };
  if (code === "MODULE_NOT_FOUND" && /tfjs-node['"]/.test(message)) return { missing: true, note: "tfjs-node not installed (optional dependency; needs libtensorflow)" };
  return { missing: false, note: `tfjs-node failed to load: ${message.split("\n")[0].trim()}${NO_BINDING.test(message) ? BINDING_HINT : ""}` };
}
