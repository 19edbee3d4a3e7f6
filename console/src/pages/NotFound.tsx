import { Link } from 'react-router';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <section className="card">
      <h1>Not found</h1>
      <p>
        This {what} does not exist, or you may not see it. <Link to="/">Back to the start</Link>
      </p>
    </section>
  );
}
