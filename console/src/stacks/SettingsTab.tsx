import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { api, queryClient } from '../api';
import { useSession } from '../session';
import { stackPaths, useStack } from './stack-context';

/** Rename, transfer and delete, each behind the confirmation the CLI asks for. */
export function SettingsTab() {
  return (
    <>
      <RenameCard />
      <TransferCard />
      <DeleteCard />
    </>
  );
}

/** A form's submission state: its error as the API said it, and whether it is running. */
function useSubmit() {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (action: () => Promise<void>) => {
    setError('');
    setBusy(true);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const errorLine: ReactNode = error && (
    <p role="alert" className="error">
      {error}
    </p>
  );
  return { submit, busy, errorLine };
}

/** After a stack moved or went: lists and its old page must not show what was. */
const forgetStacks = () => queryClient.invalidateQueries();

function RenameCard() {
  const { stack, apiPath } = useStack();
  const navigate = useNavigate();
  const [name, setName] = useState(stack.stackName);
  const [project, setProject] = useState(stack.projectName);
  const { submit, busy, errorLine } = useSubmit();
  const rename = (event: FormEvent) => {
    event.preventDefault();
    void submit(async () => {
      await api.post(`${apiPath}/rename`, { newName: name.trim(), newProject: project.trim() });
      await forgetStacks();
      navigate(`${stackPaths(stack.orgName, project.trim(), name.trim()).pagePath}/settings`, { replace: true });
    });
  };
  const unchanged = name.trim() === stack.stackName && project.trim() === stack.projectName;
  return (
    <section className="card" aria-labelledby="rename-heading">
      <h2 id="rename-heading">Rename</h2>
      <p className="muted">The stack keeps its history; programs that reference it by name must use the new one.</p>
      <form className="toolbar" onSubmit={rename}>
        <label>
          Project
          <input value={project} onChange={(e) => setProject(e.target.value)} required />
        </label>
        <label>
          Stack name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <button type="submit" disabled={busy || unchanged}>
          Rename stack
        </button>
      </form>
      {errorLine}
    </section>
  );
}

function TransferCard() {
  const { stack, apiPath } = useStack();
  const { user } = useSession();
  const navigate = useNavigate();
  const others = (user?.organizations ?? []).filter((o) => o.githubLogin !== stack.orgName);
  const [toOrg, setToOrg] = useState('');
  const { submit, busy, errorLine } = useSubmit();
  const transfer = (event: FormEvent) => {
    event.preventDefault();
    void submit(async () => {
      await api.post(`${apiPath}/transfer`, { toOrg });
      await forgetStacks();
      navigate(stackPaths(toOrg, stack.projectName, stack.stackName).pagePath, { replace: true });
    });
  };
  return (
    <section className="card" aria-labelledby="transfer-heading">
      <h2 id="transfer-heading">Transfer</h2>
      {others.length === 0 ? (
        <p className="muted">You belong to no other organization to transfer this stack to.</p>
      ) : (
        <>
          <p className="muted">Team access granted in this organization does not follow the stack.</p>
          <form className="toolbar" onSubmit={transfer}>
            <label>
              Destination organization
              <select value={toOrg} onChange={(e) => setToOrg(e.target.value)} required>
                <option value="">Choose…</option>
                {others.map((o) => (
                  <option key={o.githubLogin} value={o.githubLogin}>
                    {o.name || o.githubLogin}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={busy || !toOrg}>
              Transfer stack
            </button>
          </form>
        </>
      )}
      {errorLine}
    </section>
  );
}

/** As `pulumi stack rm`: the name typed to confirm, and `--force` spelled out when resources remain. */
function DeleteCard() {
  const { stack, apiPath } = useStack();
  const navigate = useNavigate();
  const count = useQuery<{ resourceCount: number }>({ queryKey: [`${apiPath}/resources/count`] });
  const resources = count.data?.resourceCount ?? 0;
  const [typed, setTyped] = useState('');
  const [force, setForce] = useState(false);
  const { submit, busy, errorLine } = useSubmit();
  const confirmed = typed === stack.stackName && (resources === 0 || force);
  const remove = (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    void submit(async () => {
      await api.delete(`${apiPath}${force ? '?force=true' : ''}`);
      await forgetStacks();
      navigate(`/${encodeURIComponent(stack.orgName)}`, { replace: true });
    });
  };
  return (
    <section className="card danger-zone" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete stack</h2>
      <p>
        This removes the stack, its history and its configuration for good.{' '}
        {resources > 0 && (
          <strong>
            It still holds {resources} resource{resources === 1 ? '' : 's'}: deleting it leaves them running, unmanaged. Destroy them first with{' '}
            <code>pulumi destroy</code> unless you mean to.
          </strong>
        )}
      </p>
      <form onSubmit={remove} className="confirm-form">
        <label>
          <span>
            Type the stack name <code>{stack.stackName}</code> to confirm
          </span>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
        {resources > 0 && (
          <label className="check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Delete it with its {resources} resource
            {resources === 1 ? '' : 's'} still in the state (force)
          </label>
        )}
        <div className="actions">
          <button type="submit" className="danger" disabled={busy || !confirmed}>
            Delete stack
          </button>
        </div>
      </form>
      {errorLine}
    </section>
  );
}
