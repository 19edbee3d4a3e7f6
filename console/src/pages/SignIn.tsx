import { useState, type FormEvent } from 'react';
import { useSession } from '../session';

/** Sign in with an access token (`pulumi login` prints where to make one; `stackyard serve` prints the admin's). */
export function SignInForm({ title = 'Sign in to Stackyard' }: { title?: string }) {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(token.trim());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card signin" onSubmit={submit}>
      <h1>{title}</h1>
      <label htmlFor="token">Access token</label>
      <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || token.trim() === ''}>
        Sign in
      </button>
    </form>
  );
}
