import type { ReactNode } from 'react';
import { SignInForm } from '../pages/SignIn';
import { useSession } from '../session';

/** Its children once signed in; the sign-in form in their place until then, on the same URL. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { token, user, loading } = useSession();
  if (loading) return <p className="loading">Loading…</p>;
  if (!token || !user) {
    return (
      <main id="main" className="center">
        <SignInForm />
      </main>
    );
  }
  return <>{children}</>;
}
