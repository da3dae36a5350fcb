/**
 * Vega-Lite → SVG in Node. vega and vega-lite are ESM-only, so they are loaded with a dynamic
 * import() (kept as import() by the node16 module setting) and cached after the first chart.
 */
// The packages' own types: a dynamic import() from this CommonJS file resolves them in ESM mode.
const importModules = () => Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
type VegaModules = Awaited<ReturnType<typeof importModules>>;
/** What vega-lite compiles: the specs built in charts.ts (plain JSON) are Vega-Lite top-level specs. */
type TopLevelSpec = Parameters<VegaModules['vl']['compile']>[0];
let loading: Promise<VegaModules> | null = null;

function load(): Promise<VegaModules> {
  loading ??= importModules();
  return loading;
}

/** A Vega-Lite spec as plain JSON (kept loose: the specs are built in charts.ts and compiled here). */
export type VlSpec = Record<string, unknown>;

const BASE_CONFIG = {
  font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eceff3' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
  view: { stroke: '#d0d5dd' },
};

/** Compile a Vega-Lite spec and render it headlessly to an SVG string. */
export async function renderVegaLite(spec: VlSpec): Promise<string> {
  const { vega, vl } = await load();
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', ...spec, config: { ...BASE_CONFIG, ...(spec.config as object | undefined) } };
  const compiled = vl.compile(full as TopLevelSpec);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
