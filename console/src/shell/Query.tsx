import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

/** A query's data through `children`, or its loading state, or its error as the API said it. */
export function Query<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <p className="loading">Loading…</p>;
  if (query.isError) {
    return (
      <p role="alert" className="error">
        {query.error.message}
      </p>
    );
  }
  return <>{children(query.data)}</>;
}
