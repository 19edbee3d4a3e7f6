// The ESC part of `npm run bench`: open and check an environment of 1,000 values with 20 imports
// and 200 interpolations, from its YAML text to the evaluated result.
import type { EvalOptions } from '../src/esc/eval.js';

// The compiled code the server runs (`npm run bench` builds it first), not the TypeScript sources.
const { checkEnvironment, evalEnvironment, ExecContext } = (await import('../dist/esc/eval.js' as string)) as typeof import('../src/esc/eval.js');
const { loadYaml } = (await import('../dist/esc/load.js' as string)) as typeof import('../src/esc/load.js');

const importCount = 20;
const valuesPerImport = 10;
const rootValues = 1000;
const interpolations = 200;

/** Imported environments: a few values each, one of them a plaintext secret. */
function importedDefinition(index: number): string {
  const lines = ['values:'];
  for (let v = 0; v < valuesPerImport; v++) lines.push(`  shared_${index}_${v}: value ${index}.${v}`);
  lines.push(`  token_${index}:`, `    fn::secret: token-${index}`);
  return `${lines.join('\n')}\n`;
}

/** The root: literals of every kind, nested objects and lists, and interpolations of imported and local values. */
function rootDefinition(importPrefix = ''): string {
  const lines = ['imports:'];
  for (let i = 0; i < importCount; i++) lines.push(`  - ${importPrefix}imported-${i}`);
  lines.push('values:');
  for (let v = 0; v < rootValues - interpolations; v++) {
    if (v % 4 === 0) lines.push(`  value_${v}: plain text ${v}`);
    else if (v % 4 === 1) lines.push(`  value_${v}: ${v}.5`);
    else if (v % 4 === 2) lines.push(`  value_${v}:`, `    nested: [${v}, true, text]`, `    more: {deep: ${v}}`);
    else lines.push(`  value_${v}: ${v % 2 === 0}`);
  }
  for (let n = 0; n < interpolations; n++) {
    const imported = `shared_${n % importCount}_${n % valuesPerImport}`;
    lines.push(`  interpolated_${n}: "\${${imported}} and \${value_${(n * 4) % (rootValues - interpolations)}} (\${token_${n % importCount}})"`);
  }
  return `${lines.join('\n')}\n`;
}

const passThrough = { decrypt: async (bytes: Buffer) => bytes };

async function timeOnce(definitions: Map<string, string>, mode: 'open' | 'check'): Promise<number> {
  const started = process.hrtime.bigint();
  const options: EvalOptions = {
    decrypter: passThrough,
    providers: {
      loadProvider: async (name) => {
        throw new Error(`unknown provider ${name}`);
      },
      loadRotator: async (name) => {
        throw new Error(`unknown rotator ${name}`);
      },
    },
    environments: {
      loadEnvironment: async (name) => {
        const definition = definitions.get(name);
        if (definition === undefined) throw new Error(`environment ${name} not found`);
        return { definition, decrypter: passThrough };
      },
    },
    execContext: ExecContext.create({}),
  };
  const { env, diags } = loadYaml('bench', definitions.get('bench')!);
  const result = mode === 'open' ? await evalEnvironment('bench', env, options) : await checkEnvironment('bench', env, options, false);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const errors = [...diags, ...result.diags];
  if (errors.length > 0) throw new Error(`the benchmark environment has diagnostics: ${errors[0]!.summary}`);
  if (Object.keys(result.environment?.properties ?? {}).length < rootValues) throw new Error('the benchmark environment lost values');
  return elapsed;
}

/**
 * The first open of a fresh process (YAML parsing and JIT warm-up included), then the median of
 * `runs` opens and checks taken in turns, once both have run warm.
 */
export async function escBenchmark(runs: number) {
  const definitions = new Map([['bench', rootDefinition()]]);
  for (let i = 0; i < importCount; i++) definitions.set(`imported-${i}`, importedDefinition(i));
  const firstOpenMs = await timeOnce(definitions, 'open');
  for (let warm = 0; warm < 3; warm++) {
    await timeOnce(definitions, 'open');
    await timeOnce(definitions, 'check');
  }
  const times = { open: [] as number[], check: [] as number[] };
  for (let run = 0; run < runs; run++) {
    times.open.push(await timeOnce(definitions, 'open'));
    times.check.push(await timeOnce(definitions, 'check'));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { values: rootValues, imports: importCount, interpolations, firstOpenMs, openMs: median(times.open), checkMs: median(times.check) };
}

/**
 * The same environment opened through the API, as `pulumi env open` does: `POST …/open`, then
 * `GET …/open/{id}`, on a server that stores the 21 definitions (secrets encrypted). Medians and
 * 95th percentiles of `runs` opens after three warm ones: of the environment as it is (`same`),
 * and with one of its imports changed before each open (`changed`, untimed), so that every open
 * evaluates it again.
 */
export async function escHttpBenchmark(url: string, token: string, org: string, runs: number) {
  const call = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${url}${path}`, { method, headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' }, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text;
  };
  const base = `/api/esc/environments/${org}`;
  const define = async (name: string, yaml: string) => {
    await call('POST', base, JSON.stringify({ project: 'bench', name }));
    await call('PATCH', `${base}/bench/${name}`, yaml);
  };
  for (let i = 0; i < importCount; i++) await define(`imported-${i}`, importedDefinition(i));
  await define('root', rootDefinition('bench/'));
  const openOnce = async (run: number, change: boolean) => {
    if (change) await call('PATCH', `${base}/bench/imported-${run % importCount}`, `${importedDefinition(run % importCount)}  changed: ${run}\n`);
    const started = process.hrtime.bigint();
    const { id } = JSON.parse(await call('POST', `${base}/bench/root/open?duration=1h0m0s`)) as { id: string };
    const opened = JSON.parse(await call('GET', `${base}/bench/root/open/${id}`)) as { properties: Record<string, unknown> };
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (Object.keys(opened.properties).length < rootValues) throw new Error('the benchmark environment lost values');
    return elapsed;
  };
  const percentiles = async (change: boolean) => {
    for (let warm = 0; warm < 3; warm++) await openOnce(warm, change);
    const times: number[] = [];
    for (let run = 0; run < runs; run++) times.push(await openOnce(run, change));
    times.sort((a, b) => a - b);
    return { p50Ms: times[Math.floor(times.length / 2)]!, p95Ms: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]! };
  };
  return { same: await percentiles(false), changed: await percentiles(true) };
}
