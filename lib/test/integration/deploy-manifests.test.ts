import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serveCommand, SERVE_DEFAULTS } from '../../src/cli/commands/serve.js';
import { LIVENESS_PATH, METRICS_PATH, READINESS_PATH, startServer } from '../../src/serve/server.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { parseYamlDocuments, type Yaml } from '../helpers/yamlSubset.js';
import { makeRunFolder, testPreprocessor, TEST_CONFIG } from '../helpers/servingFixture.js';

/**
 * deploy/ parses and agrees with the server it deploys: the port, probe and metrics paths and CLI
 * flags are read from the server and CLI code, not restated here.
 */
const root = resolve(__dirname, '..', '..', '..', '..');
const deploy = join(root, 'deploy');
type Obj = { [key: string]: Yaml };
const obj = (v: Yaml | undefined, what: string): Obj => {
  assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${what} is a mapping`);
  return v as Obj;
};
const arr = (v: Yaml | undefined, what: string): Yaml[] => { assert.ok(Array.isArray(v), `${what} is a list`); return v as Yaml[]; };

function manifests(): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const f of readdirSync(join(deploy, 'k8s')).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const d of parseYamlDocuments(readFileSync(join(deploy, 'k8s', f), 'utf8'), f)) {
      const o = obj(d, f);
      assert.equal(typeof o.apiVersion, 'string', `${f}: apiVersion`);
      out.set(String(o.kind), o);
    }
  }
  return out;
}

/** `--flag value` pairs of an argument list, each flag checked against `vigil serve`'s real options. */
function serveFlags(args: string[], where: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    assert.ok(args[i].startsWith('--') && name in serveCommand.options, `${where}: '${args[i]}' is a vigil serve option`);
    assert.equal(serveCommand.options[name].type, 'string', `${where}: --${name} takes a value`);
    assert.ok(i + 1 < args.length, `${where}: --${name} has a value`);
    flags.set(name, args[i + 1]);
  }
  return flags;
}

test('the YAML subset reader: nesting, items with mappings, scalars, comments, documents; refuses what it cannot read', () => {
  const docs = parseYamlDocuments([
    'a: 1 # trailing', 'b:', '  - x', '  - "y: z"', '  - k: v', '    n: 2.5', 'c:', '- true', '- null', "d: 'it''s'", 'e: "8080"', '---', '# only', 'f: {}',
  ].join('\n').replace('f: {}', 'f: g'));
  assert.deepEqual(docs, [{ a: 1, b: ['x', 'y: z', { k: 'v', n: 2.5 }], c: [true, null], d: "it's", e: '8080' }, { f: 'g' }]);
  assert.throws(() => parseYamlDocuments('a: [1, 2]'), /does not support/);
  assert.throws(() => parseYamlDocuments('a: 1\n  b: 2'), /unexpected indentation/);
  assert.throws(() => parseYamlDocuments('a: 1\na: 2'), /duplicate key/);
});

test('Kubernetes manifests match the server: port, probe paths, flags, drain grace, selectors, HPA and PDB', () => {
  const m = manifests();
  for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) assert.ok(m.has(kind), `a ${kind}`);
  const dep = m.get('Deployment') as Obj;
  const spec = obj(dep.spec, 'spec');
  const pod = obj(obj(spec.template, 'template').spec, 'pod spec');
  const podLabels = obj(obj(obj(spec.template, 'template').metadata, 'template metadata').labels, 'pod labels');
  const containers = arr(pod.containers, 'containers');
  assert.equal(containers.length, 1);
  const c = obj(containers[0], 'container');
  const flags = serveFlags(arr(c.args, 'args').map(String), 'deployment args');
  assert.ok(flags.has('run'), '--run is given');

  // The container port is the port the server listens on.
  const port = Number(flags.get('port') ?? SERVE_DEFAULTS.port);
  const ports = arr(c.ports, 'ports').map((p) => obj(p, 'port'));
  const http = ports.find((p) => p.containerPort === port);
  assert.ok(http, `a containerPort ${port}`);
  assert.equal(flags.get('host') ?? SERVE_DEFAULTS.host, '0.0.0.0', 'listens on every interface (the kubelet probes the pod IP)');
  const portRef = (v: Yaml) => (typeof v === 'string' ? ports.find((p) => p.name === v)?.containerPort : v);

  // Probes on the real endpoints and port.
  const probe = (name: string) => obj(obj(c[name], name).httpGet, `${name}.httpGet`);
  assert.equal(probe('readinessProbe').path, READINESS_PATH);
  assert.equal(probe('livenessProbe').path, LIVENESS_PATH);
  for (const p of ['readinessProbe', 'livenessProbe', 'startupProbe']) assert.equal(portRef(probe(p).port), port, `${p} port`);
  const ann = obj(obj(obj(spec.template, 'template').metadata, 'template metadata').annotations, 'annotations');
  assert.equal(ann['prometheus.io/path'], METRICS_PATH);
  assert.equal(Number(ann['prometheus.io/port']), port);

  // Shutdown: the kubelet's grace period covers preStop + the server's drain grace, so the server
  // exits 0 by itself instead of being killed mid-drain.
  const drain = Number(flags.get('drain-grace-s') ?? SERVE_DEFAULTS.drainGraceS);
  const preStop = arr(obj(obj(obj(c.lifecycle, 'lifecycle').preStop, 'preStop').exec, 'exec').command, 'command').map(String);
  assert.equal(preStop[0], 'sleep');
  assert.ok(Number(pod.terminationGracePeriodSeconds) > drain + Number(preStop[1]),
    `terminationGracePeriodSeconds ${String(pod.terminationGracePeriodSeconds)} > preStop ${preStop[1]} + drain ${drain}`);
  assert.ok(Number(flags.get('max-in-flight') ?? SERVE_DEFAULTS.maxInFlight) >= 1);
  assert.equal(Number(flags.get('threads') ?? SERVE_DEFAULTS.threads), 1, 'one onnxruntime thread per process');

  // Resources (the HPA needs a CPU request), non-root, read-only run folder.
  const res = obj(c.resources, 'resources');
  assert.ok(obj(res.requests, 'requests').cpu && obj(res.requests, 'requests').memory, 'cpu and memory requests');
  assert.ok(obj(res.limits, 'limits').memory, 'a memory limit');
  assert.equal(obj(pod.securityContext, 'pod securityContext').runAsNonRoot, true);
  assert.ok(Number(obj(pod.securityContext, 'pod securityContext').runAsUser) > 0);
  const mounts = arr(c.volumeMounts, 'volumeMounts').map((v) => obj(v, 'mount'));
  const runMount = mounts.find((v) => String(flags.get('run')).startsWith(String(v.mountPath) + '/'));
  assert.ok(runMount, '--run lies under a mounted volume');
  assert.equal(runMount.readOnly, true, 'the run folder is mounted read-only');
  const vol = arr(pod.volumes, 'volumes').map((v) => obj(v, 'volume')).find((v) => v.name === runMount.name);
  assert.ok(vol, 'the mounted volume is declared');
  // `$(VAR)` in args is expanded by Kubernetes from the container's env.
  for (const ref of String(flags.get('run')).matchAll(/\$\((\w+)\)/g)) {
    assert.ok(arr(c.env, 'env').some((e) => obj(e, 'env').name === ref[1]), `env ${ref[1]} is defined`);
  }

  // Selectors: the Deployment's, the Service's, the PDB's all select the pod; the HPA targets the Deployment.
  const sel = obj(obj(spec.selector, 'selector').matchLabels, 'matchLabels');
  const selects = (s: Obj) => Object.entries(s).every(([k, v]) => podLabels[k] === v);
  assert.ok(selects(sel), 'deployment selector');
  const svc = obj((m.get('Service') as Obj).spec, 'service spec');
  assert.ok(selects(obj(svc.selector, 'service selector')), 'service selector');
  for (const p of arr(svc.ports, 'service ports').map((p) => obj(p, 'service port'))) assert.equal(portRef(p.targetPort), port, 'service targetPort');
  const pdb = obj((m.get('PodDisruptionBudget') as Obj).spec, 'pdb spec');
  assert.ok(selects(obj(obj(pdb.selector, 'pdb selector').matchLabels, 'pdb matchLabels')), 'pdb selector');
  assert.ok(pdb.maxUnavailable !== undefined || pdb.minAvailable !== undefined);
  const hpa = obj((m.get('HorizontalPodAutoscaler') as Obj).spec, 'hpa spec');
  const target = obj(hpa.scaleTargetRef, 'scaleTargetRef');
  assert.equal(target.kind, 'Deployment');
  assert.equal(target.name, obj(dep.metadata, 'metadata').name);
  const metric = obj(arr(hpa.metrics, 'hpa metrics').map((x) => obj(x, 'metric'))[0].resource, 'resource metric');
  assert.equal(metric.name, 'cpu');
  assert.ok(Number(hpa.minReplicas) >= 2 && Number(hpa.maxReplicas) > Number(hpa.minReplicas), 'min 2 so the PDB allows a drain');
});

test('Dockerfile: Node 20 slim, production install without install scripts, non-root, the real entry point, port and flags', () => {
  const text = readFileSync(join(deploy, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const instr = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
    const sp = l.indexOf(' ');
    return { op: l.slice(0, sp).toUpperCase(), arg: l.slice(sp + 1).trim() };
  });
  const lastFrom = instr.map((x) => x.op).lastIndexOf('FROM');
  const final = instr.slice(lastFrom);
  assert.match(final[0].arg, /^node:20(\.[\d.]+)?-[a-z]*-?slim$/, 'runtime image: Node 20 slim');
  const runs = final.filter((x) => x.op === 'RUN').map((x) => x.arg);
  assert.ok(runs.some((r) => /npm ci\b.*--omit=dev/.test(r)), 'npm ci --omit=dev in the runtime stage');
  assert.ok(final.some((x) => x.op === 'ENV' && /ONNXRUNTIME_NODE_INSTALL=skip/.test(x.arg)), 'ONNXRUNTIME_NODE_INSTALL=skip');
  const user = final.filter((x) => x.op === 'USER').pop()?.arg ?? 'root';
  assert.match(user, /^[1-9]\d*(:\d+)?$/, 'a numeric non-root USER (runAsNonRoot can verify it)');
  const entry = JSON.parse(final.find((x) => x.op === 'ENTRYPOINT')?.arg ?? '[]') as string[];
  const cmd = JSON.parse(final.find((x) => x.op === 'CMD')?.arg ?? '[]') as string[];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { vigil: string } };
  assert.deepEqual(entry, ['node', pkg.bin.vigil, 'serve'], 'runs `vigil serve` from the built CLI');
  assert.ok(final.some((x) => x.op === 'COPY' && x.arg.includes(pkg.bin.vigil.split('/cli/')[0])), 'copies the built lib');
  const flags = serveFlags(cmd, 'Dockerfile CMD');
  const port = Number(flags.get('port') ?? SERVE_DEFAULTS.port);
  assert.equal(Number(final.find((x) => x.op === 'EXPOSE')?.arg), port, 'EXPOSE is the serving port');
  assert.ok(flags.get('run')?.startsWith('/models/'), 'the run folder is expected under the /models mount');
  // The Kubernetes container uses the same image defaults (it overrides only args).
  const dep = manifests().get('Deployment') as Obj;
  const c = obj(arr(obj(obj(obj(dep.spec, 'spec').template, 'template').spec, 'pod').containers, 'containers')[0], 'container');
  assert.equal(c.command, undefined, 'the image ENTRYPOINT is kept');
  assert.ok(existsSync(join(deploy, 'Dockerfile.dockerignore')), 'the build context is narrowed');
});

test('the probe and metrics paths the manifests use answer 200 on a running server', async () => {
  const run = makeRunFolder({ seed: 5 });
  const srv = await startServer(async () => (await loadRunFolder(run.dir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) })).scorer,
    { port: 0, host: '127.0.0.1', log: () => undefined });
  try {
    await srv.ready;
    for (const p of [LIVENESS_PATH, READINESS_PATH, METRICS_PATH]) assert.equal((await fetch(`http://127.0.0.1:${srv.port}${p}`)).status, 200, p);
  } finally {
    await srv.shutdown('test end');
    rmSync(run.dir, { recursive: true, force: true });
  }
});
