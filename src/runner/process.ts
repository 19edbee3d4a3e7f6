import { spawn } from 'node:child_process';
import readline from 'node:readline';

export interface CommandSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Each line of output as it comes, stdout and stderr alike. */
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /** Aborting interrupts the command, then kills it `killAfterMs` later if it is still there. */
  signal: AbortSignal;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs one command of a deployment; tests may pass their own. */
export type CommandRunner = (spec: CommandSpec) => Promise<CommandResult>;

/** Pulumi finishes the operations under way on an interrupt; this is how long it gets. */
export const killAfterMs = 10_000;
/** Output still open this long after the command exited belongs to something it left behind. */
const outputGraceMs = 2_000;

/**
 * Spawns the command in a process group of its own: an interrupt reaches everything it started
 * (a shell's children, Pulumi's plugins), a Ctrl-C meant for the runner reaches none of it, and
 * whatever it leaves running when it exits is killed. Rejects only when it cannot start.
 */
export const runCommand: CommandRunner = (spec) =>
  new Promise((resolve, reject) => {
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let killTimer: NodeJS.Timeout | undefined;
    let outputTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is gone already.
      }
    };
    const interrupt = () => {
      signalGroup('SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), killAfterMs);
    };

    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => spec.onLine(line, 'stdout'));
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => spec.onLine(line, 'stderr'));

    child.once('error', (error) => {
      spec.signal.removeEventListener('abort', interrupt);
      reject(new Error(`could not start ${spec.command}: ${error.message}`));
    });
    child.once('spawn', () => {
      if (spec.signal.aborted) interrupt();
      else spec.signal.addEventListener('abort', interrupt, { once: true });
    });
    child.once('exit', () => {
      spec.signal.removeEventListener('abort', interrupt);
      clearTimeout(killTimer);
      signalGroup('SIGKILL');
      outputTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, outputGraceMs);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(outputTimer);
      resolve({ exitCode, signal });
    });
  });
