import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { queryClient, request, storedToken } from './api';

export interface Organization {
  githubLogin: string;
  name: string;
  avatarUrl?: string;
}

export interface User {
  name: string;
  githubLogin: string;
  email?: string;
  avatarUrl?: string;
  organizations: Organization[];
}

interface Session {
  token: string | null;
  user: User | undefined;
  loading: boolean;
  /** Checks the token against the API before keeping it; rejects with the API's message. */
  signIn(token: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => storedToken.get());
  const user = useQuery<User>({ queryKey: ['/api/user', token], queryFn: () => request<User>('GET', '/api/user'), enabled: token !== null });

  const signOut = useCallback(() => {
    storedToken.clear();
    queryClient.clear();
    setToken(null);
  }, []);

  useEffect(() => {
    window.addEventListener('stackyard:signed-out', signOut);
    return () => window.removeEventListener('stackyard:signed-out', signOut);
  }, [signOut]);

  const signIn = useCallback(async (candidate: string) => {
    await request<User>('GET', '/api/user', undefined, candidate);
    storedToken.set(candidate);
    queryClient.clear();
    setToken(candidate);
  }, []);

  return (
    <SessionContext.Provider value={{ token, user: user.data, loading: token !== null && user.isPending, signIn, signOut }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
