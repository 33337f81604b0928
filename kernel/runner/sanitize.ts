/**
 * Sanitising the HTML of markdown cells for `seqlab run --html`, as JupyterLab does before
 * showing markdown: an allow-list of elements and attributes, URLs limited to safe schemes,
 * no scripts, styles or event handlers. Outputs of code cells are not passed through here:
 * the user ran that code, so its output is trusted (JupyterLab trusts it the same way).
 *
 * Built over linkedom's DOM (already a dependency) because no sanitiser library is
 * installed; sanitize-html (on the installed htmlparser2) would be the one to add.
 */
import { parseHTML } from "linkedom";

/** Elements kept (with their allowed attributes); their children are sanitised in turn. */
const ELEMENTS = new Set(
  (
    "a abbr b bdi bdo blockquote br caption cite code col colgroup dd del details dfn div dl dt em " +
    "figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q rp rt ruby s samp small " +
    "span strike strong sub summary sup table tbody td tfoot th thead tr tt u ul var"
  ).split(" "),
);

/** Elements dropped with everything inside them (their text is code or would mislead). */
const DROPPED = new Set(
  "script style noscript template iframe frame frameset object embed applet form input button select option textarea link meta base svg math".split(" "),
);

const ATTRIBUTES = new Set(
  "class id title alt width height align valign colspan rowspan span start reversed type open lang dir name cite datetime abbr scope headers".split(" "),
);

/** Attributes holding a URL, by element. */
const URL_ATTRIBUTES: Record<string, string[]> = { a: ["href"], img: ["src"], blockquote: ["cite"], q: ["cite"], del: ["cite"], ins: ["cite"] };

/** A URL that cannot run code: relative, #anchor, http(s), mailto, or an image (bitmap or SVG) as data:. */
export function isSafeUrl(url: string, element: string): boolean {
  // Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(compact)?.[1];
  if (scheme === undefined) return true;
  if (scheme === "http" || scheme === "https" || scheme === "mailto") return true;
  // SVG shown through <img> runs no scripts, so it is as safe there as the bitmaps.
  return element === "img" && /^data:image\/(png|jpe?g|gif|webp|svg\+xml);/.test(compact);
}

interface DomNode {
  nodeType: number;
  childNodes: ArrayLike<DomNode>;
  tagName?: string;
  attributes?: ArrayLike<{ name: string; value: string }>;
  removeAttribute(name: string): void;
  remove(): void;
  replaceWith(...nodes: DomNode[]): void;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function sanitizeNode(node: DomNode): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === TEXT_NODE) continue;
    if (child.nodeType !== ELEMENT_NODE) {
      child.remove(); // comments, processing instructions
      continue;
    }
    const tag = (child.tagName ?? "").toLowerCase();
    if (DROPPED.has(tag)) {
      child.remove();
      continue;
    }
    sanitizeNode(child);
    if (!ELEMENTS.has(tag)) {
      child.replaceWith(...Array.from(child.childNodes)); // unknown element: keep its content
      continue;
    }
    const urls = URL_ATTRIBUTES[tag] ?? [];
    for (const { name, value } of Array.from(child.attributes ?? [])) {
      const attribute = name.toLowerCase();
      const keep = urls.includes(attribute) ? isSafeUrl(value, tag) : ATTRIBUTES.has(attribute);
      if (!keep) child.removeAttribute(name);
    }
  }
}

/** The HTML with only allowed elements, attributes and URLs left. */
export function sanitizeHtml(html: string): string {
  const { document } = parseHTML(`<!doctype html><html><body><div id="sanitize-root"></div></body></html>`);
  const root = document.getElementById("sanitize-root") as unknown as DomNode & { innerHTML: string };
  root.innerHTML = html;
  sanitizeNode(root);
  return root.innerHTML;
}
