import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, seg } from '../api';
import { Query } from '../shell/Query';
import { permissionLabel, stackPermissions } from './format';
import { useOrgRole } from './role';
import { ActionOutcome, useAction } from './useAction';

interface Organization {
  githubLogin: string;
  name: string;
  defaultStackPermission: number;
}

/**
 * `/{org}/settings`: what `GET /api/orgs/{org}` tells, and the one setting `PATCH` changes: the
 * permission every member holds on every stack (teams and stack creators may hold more).
 */
export function SettingsPage() {
  const org = useParams().org!;
  const path = `/api/orgs/${seg(org)}`;
  const organization = useQuery<Organization>({ queryKey: [path] });
  const admin = useOrgRole(org) === 'admin';

  return (
    <section>
      <h1>Settings of {org}</h1>
      <Query query={organization}>{(o) => <SettingsForm key={o.githubLogin} path={path} organization={o} admin={admin} />}</Query>
    </section>
  );
}

function SettingsForm({ path, organization, admin }: { path: string; organization: Organization; admin: boolean }) {
  const [permission, setPermission] = useState(organization.defaultStackPermission);
  const action = useAction();

  function save(event: FormEvent) {
    event.preventDefault();
    void action.run(() => api.patch(path, { setDefaultStackPermission: permission }), `Members now hold ${permissionLabel(permission)} on every stack.`, [path]);
  }

  return (
    <form className="card" onSubmit={save}>
      <dl className="facts">
        <dt>Organization</dt>
        <dd>{organization.githubLogin}</dd>
        <dt>Display name</dt>
        <dd>{organization.name}</dd>
      </dl>
      <h2>Default stack permission</h2>
      <p className="muted">What every member may do on every stack. Admins, a stack's creator and teams' grants may give more.</p>
      <div className="toolbar">
        <label>
          Default stack permission
          <select value={permission} onChange={(e) => setPermission(Number(e.target.value))} disabled={!admin}>
            {stackPermissions.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!admin || action.busy || permission === organization.defaultStackPermission}>
          Save
        </button>
      </div>
      {!admin && <p className="muted">Only the organization's admins can change its settings.</p>}
      <ActionOutcome {...action} />
    </form>
  );
}
