// The console's one way to speak to the API: same origin, `Authorization: token <access token>`,
// Pulumi's error body (`{code, message}`) turned into an ApiError that pages show as it is.
import { QueryClient, type QueryFunctionContext } from '@tanstack/react-query';

const tokenKey = 'stackyard.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The access token the browser signed in with, kept in this browser's storage until sign-out. */
export const storedToken = {
  get: (): string | null => window.localStorage.getItem(tokenKey),
  set: (token: string): void => window.localStorage.setItem(tokenKey, token),
  clear: (): void => window.localStorage.removeItem(tokenKey),
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Calls the API; resolves to the parsed JSON body (undefined for an empty one), rejects with an ApiError. */
export async function request<T = unknown>(method: Method, path: string, body?: unknown, token = storedToken.get()): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `token ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) {
    let message = text || response.statusText;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // Not Pulumi's error body: the text as it came.
    }
    if (response.status === 401 && token === storedToken.get()) window.dispatchEvent(new Event('stackyard:signed-out'));
    throw new ApiError(response.status, message);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T = unknown>(path: string) => request<T>('GET', path),
  post: <T = unknown>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T = unknown>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T = unknown>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  delete: <T = unknown>(path: string) => request<T>('DELETE', path),
};

/** Queries are keyed by the API path they read: `useQuery({ queryKey: ['/api/user'] })`. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      queryFn: ({ queryKey }: QueryFunctionContext) => api.get(String(queryKey[0])),
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      staleTime: 10_000,
    },
  },
});

/** A path segment as the API wants it in a URL. */
export const seg = (value: string): string => encodeURIComponent(value);
