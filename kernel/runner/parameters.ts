/**
 * papermill-style parameters: the notebook's cell tagged "parameters" holds defaults
 * (declared with `let`), and overrides go into a new cell right after it, tagged
 * "injected-parameters", as TypeScript assignments.
 */
import { hasTag, newCellId, type CodeCell, type Notebook } from "./notebook";

export type ParameterValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Parse `name=value`; the value is JSON when it parses as JSON, otherwise a string. */
export function parseParameter(spec: string): [string, ParameterValue] {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new Error(`--param expects name=value, got ${JSON.stringify(spec)} (example: --param iterations=100)`);
  const name = spec.slice(0, eq).trim();
  if (!NAME.test(name)) throw new Error(`--param name ${JSON.stringify(name)} is not a TypeScript identifier`);
  const raw = spec.slice(eq + 1);
  try {
    return [name, JSON.parse(raw) as ParameterValue];
  } catch {
    return [name, raw];
  }
}

/** The source of the injected cell: one assignment per parameter. */
export function parameterSource(params: Record<string, ParameterValue>): string {
  const lines = ["// Parameters injected by seqlab run"];
  for (const [name, value] of Object.entries(params)) lines.push(`${name} = ${JSON.stringify(value)};`);
  return lines.join("\n");
}

/**
 * Insert the injected-parameters cell after the (first) cell tagged "parameters", replacing
 * one injected by an earlier run. Returns the notebook unchanged when there is nothing to inject.
 */
export function injectParameters(nb: Notebook, params: Record<string, ParameterValue>): Notebook {
  if (Object.keys(params).length === 0) return nb;
  const cells = nb.cells.filter((c) => !hasTag(c, "injected-parameters"));
  const at = cells.findIndex((c) => c.cell_type === "code" && hasTag(c, "parameters"));
  if (at < 0) {
    throw new Error(
      `the notebook has no code cell tagged "parameters", so ${Object.keys(params).join(", ")} cannot be set; ` +
        `tag the cell that declares the defaults (with let) as "parameters"`,
    );
  }
  const injected: CodeCell = {
    cell_type: "code",
    id: newCellId(),
    source: parameterSource(params),
    metadata: { tags: ["injected-parameters"] },
    execution_count: null,
    outputs: [],
  };
  cells.splice(at + 1, 0, injected);
  return { ...nb, cells };
}
