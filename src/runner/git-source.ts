import fs from 'node:fs/promises';
import path from 'node:path';
import type { GitSource } from './job-spec.js';
import { exec, StepFailure, type StepContext } from './step-context.js';

/**
 * Get source: clones into `<work dir>/source`, checks out the commit if one is asked (the clone
 * is shallow otherwise), and moves the project directory to repoDir.
 */
export async function getSource(ctx: StepContext, git: GitSource): Promise<void> {
  const sourceDir = path.join(ctx.workDir, 'source');
  const branch = git.branch?.replace(/^refs\/heads\//, '');
  if (git.commit?.startsWith('-')) throw new StepFailure(`'${git.commit}' is not a commit`);
  const access = await gitAccess(ctx, git);
  const options = [...(branch ? ['--branch', branch] : []), ...(git.commit ? [] : ['--depth', '1'])];
  await exec(ctx, 'git', ['clone', ...options, '--', access.url, sourceDir], {
    cwd: ctx.workDir,
    env: access.env,
    display: ['git clone', ...options, git.repoUrl, 'source'].join(' '),
  });
  if (git.commit) {
    await exec(ctx, 'git', ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', git.commit, '--'], { cwd: sourceDir, env: access.env });
  }

  const projectDir = path.resolve(sourceDir, git.repoDir ?? '.');
  if (path.relative(sourceDir, projectDir).startsWith('..')) throw new StepFailure(`repoDir '${git.repoDir}' is outside the repository`);
  const stat = await fs.stat(projectDir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new StepFailure(`the repository has no directory '${git.repoDir}'`);
  ctx.projectDir = projectDir;
  if (git.repoDir) ctx.log(`Working in ${git.repoDir}`);
}

/**
 * How the clone authenticates. A token or a user name and password go into an HTTPS URL (a token
 * with the user name `git`: hosts take any name with a token, but not an empty one); an SSH key is
 * written to a file of the work dir for `GIT_SSH_COMMAND`, its passphrase given through
 * SSH_ASKPASS. Host keys are accepted on first sight: the runner has no known_hosts to check them
 * against. Every one of these values is among the log's masked secrets.
 */
async function gitAccess(ctx: StepContext, git: GitSource): Promise<{ url: string; env: Record<string, string> }> {
  const auth = git.auth ?? {};
  if (auth.sshPrivateKey) {
    const sshDir = path.join(ctx.workDir, 'ssh');
    await fs.mkdir(sshDir, { mode: 0o700 });
    const keyFile = path.join(sshDir, 'key');
    // ssh refuses a key whose last line has no newline.
    await fs.writeFile(keyFile, auth.sshPrivateKey.endsWith('\n') ? auth.sshPrivateKey : `${auth.sshPrivateKey}\n`, { mode: 0o600 });
    const sshCommand = ['ssh', '-i', quote(keyFile), '-o IdentitiesOnly=yes', '-o StrictHostKeyChecking=accept-new', `-o UserKnownHostsFile=${quote(path.join(sshDir, 'known_hosts'))}`];
    const env: Record<string, string> = { GIT_SSH_COMMAND: sshCommand.join(' ') };
    if (auth.sshPassword) {
      const askPass = path.join(sshDir, 'askpass');
      await fs.writeFile(askPass, '#!/bin/sh\nprintf "%s\\n" "$STACKYARD_SSH_PASSPHRASE"\n', { mode: 0o700 });
      Object.assign(env, { SSH_ASKPASS: askPass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0', STACKYARD_SSH_PASSPHRASE: auth.sshPassword });
    }
    return { url: git.repoUrl, env };
  }
  const secret = auth.accessToken || auth.password;
  if (secret && /^https?:\/\//i.test(git.repoUrl)) {
    const url = new URL(git.repoUrl);
    url.username = auth.username || (auth.accessToken ? 'git' : '');
    url.password = secret;
    return { url: url.href, env: {} };
  }
  return { url: git.repoUrl, env: {} };
}

/** For GIT_SSH_COMMAND, which a shell reads. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
