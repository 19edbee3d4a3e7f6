// A test-only stand-in for Pulumi's Node.js language host (`pulumi-language-nodejs`), which cannot
// be built here. It serves the part of pulumirpc.LanguageRuntime the CLI uses for JavaScript
// policy packs: starting a pack (RunPlugin, kind "analyzer") and installing a downloaded pack's
// dependencies (InstallDependencies). Every other method answers UNIMPLEMENTED (grpc-js default).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import languageGrpc from '@pulumi/pulumi/proto/language_grpc_pb.js';
import languagePb from '@pulumi/pulumi/proto/language_pb.js';
import pluginPb from '@pulumi/pulumi/proto/plugin_pb.js';

type Request<T> = grpc.ServerWritableStream<T, unknown>;
type InstallRequest = InstanceType<typeof languagePb.InstallDependenciesRequest>;
type RunPluginRequest = InstanceType<typeof languagePb.RunPluginRequest>;

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const projectModules = path.join(projectRoot, 'node_modules');
const sdkVersion = (JSON.parse(fs.readFileSync(path.join(projectModules, '@pulumi/pulumi/package.json'), 'utf8')) as {
  version: string;
}).version;

/** Packs started by RunPlugin, stopped when their call is cancelled or the host is interrupted. */
const running = new Set<ChildProcess>();

/** A gRPC error the CLI shows as the failure of the call. */
function failure(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

/** Whether `name` resolves from `dir`: a node_modules on the way up holds it, as Node looks. */
function isInstalled(dir: string, name: string): boolean {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'node_modules', name, 'package.json'))) return true;
    if (path.dirname(at) === at) return false;
  }
}

/**
 * The real host runs `npm install` (or yarn/pnpm/bun) here. This one never touches the network:
 * a pack outside this repository (a downloaded pack in $PULUMI_HOME/policies/…) gets a
 * `node_modules` symlink to the repository's own, so its dependencies must be ones this repository
 * installs; a pack inside the repository already resolves them by walking up.
 */
function installDependencies(call: Request<InstallRequest>): void {
  const req = call.request;
  const dir = path.resolve(req.getInfo()?.getProgramDirectory() || req.getDirectory());
  const out = (text: string) => call.write(new languagePb.InstallDependenciesResponse().setStdout(Buffer.from(text)));
  const err = (text: string) => call.write(new languagePb.InstallDependenciesResponse().setStderr(Buffer.from(text)));
  try {
    out('Installing dependencies...\n\n');
    const link = path.join(dir, 'node_modules');
    const inProject = !path.relative(projectRoot, dir).startsWith('..');
    if (!inProject && !fs.existsSync(link)) {
      fs.symlinkSync(projectModules, link, 'dir');
      out(`Linked ${link} -> ${projectModules} (test host: no npm install)\n`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const missing = Object.keys(manifest.dependencies ?? {}).filter((name) => !isInstalled(dir, name));
    if (missing.length > 0) {
      err(`Not installed in ${projectModules}: ${missing.join(', ')}\n`);
      call.emit('error', failure(grpc.status.FAILED_PRECONDITION, `dependencies not available to the test host: ${missing.join(', ')}`));
      return;
    }
    out('Finished installing dependencies\n\n');
    call.end();
  } catch (e) {
    call.emit('error', failure(grpc.status.INTERNAL, `installing dependencies in ${dir}: ${(e as Error).message}`));
  }
}

/**
 * Starts a policy pack as the real host does for kind "analyzer": `node run-policy-pack <args…>
 * <pack dir>` with the pack dir as cwd (the SDK reads the pack's version from ./package.json),
 * the CLI's environment, and run-policy-pack resolved from the pack dir. The pack prints its
 * port on stdout, which reaches the CLI through the stream; the exit code ends the stream.
 */
function runPlugin(call: Request<RunPluginRequest>): void {
  const req = call.request;
  if (req.getKind() !== 'analyzer') {
    call.emit('error', failure(grpc.status.UNIMPLEMENTED, `the test language host runs only analyzer plugins, not ${req.getKind()}`));
    return;
  }
  const packDir = path.resolve(req.getInfo()?.getProgramDirectory() || req.getPwd());
  let runPolicyPack: string;
  try {
    runPolicyPack = createRequire(path.join(packDir, 'package.json')).resolve('@pulumi/pulumi/cmd/run-policy-pack');
  } catch {
    call.emit('error', failure(grpc.status.FAILED_PRECONDITION,
      `It looks like the Pulumi SDK has not been installed. Have you run npm install in ${packDir}?`));
    return;
  }
  const env: Record<string, string> = {};
  for (const entry of req.getEnvList()) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const child = spawn(process.execPath, [runPolicyPack, ...req.getArgsList(), packDir], {
    cwd: packDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const send = (message: InstanceType<typeof languagePb.RunPluginResponse>) => {
    if (!call.cancelled && !call.writableEnded) call.write(message);
  };
  child.stdout.on('data', (chunk: Buffer) => send(new languagePb.RunPluginResponse().setStdout(chunk)));
  child.stderr.on('data', (chunk: Buffer) => send(new languagePb.RunPluginResponse().setStderr(chunk)));
  // The CLI cancels the call to stop the pack (Plugin.Kill of a RunPlugin plugin).
  call.on('cancelled', () => child.kill('SIGTERM'));
  child.on('error', (e) => {
    running.delete(child);
    if (!call.cancelled) call.emit('error', failure(grpc.status.INTERNAL, `starting the policy pack: ${e.message}`));
  });
  // 'close' comes after both output streams have drained, so the exit code is the last message.
  child.on('close', (code, signal) => {
    running.delete(child);
    if (call.cancelled || call.writableEnded) return;
    send(new languagePb.RunPluginResponse().setExitcode(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    call.end();
  });
}

const handlers: grpc.UntypedServiceImplementation = {
  handshake(_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) {
    done(null, new languagePb.LanguageHandshakeResponse());
  },
  getPluginInfo(_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) {
    // Must parse as semver (the CLI's GetPluginInfo); the SDK version says what runs the packs.
    done(null, new pluginPb.PluginInfo().setVersion(sdkVersion));
  },
  getRequiredPlugins(_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) {
    done(null, new languagePb.GetRequiredPluginsResponse());
  },
  getRequiredPackages(_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) {
    done(null, new languagePb.GetRequiredPackagesResponse());
  },
  installDependencies,
  runPlugin,
  // The CLI sends Cancel before it kills the host; the packs stop with their RunPlugin calls.
  cancel(_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) {
    done(null, new emptyPb.Empty());
  },
};

function shutdown(): void {
  for (const child of running) child.kill('SIGTERM');
  process.exit(0);
}

// The CLI interrupts the host's process group to stop it; if the CLI dies without doing so, the
// host notices that it has been re-parented and exits instead of lingering.
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
const parent = process.ppid;
setInterval(() => process.ppid !== parent && shutdown(), 1000).unref();

const server = new grpc.Server();
server.addService(languageGrpc.LanguageRuntimeService, handlers);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`pulumi-language-nodejs (test host): ${error.message}\n`);
    process.exit(1);
  }
  // The plugin protocol: the first line on stdout is the port; nothing else goes to stdout.
  process.stdout.write(`${port}\n`);
});
