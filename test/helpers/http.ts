import zlib from 'node:zlib';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is (string or bytes) instead of JSON-encoding `body`. */
  rawBody?: string | Buffer;
  gzip?: boolean;
  headers?: Record<string, string>;
}

/** Speaks to a test server the way the Pulumi CLI does: JSON, `Accept: application/vnd.pulumi+9`. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = {
      Accept: 'application/vnd.pulumi+9',
      'Content-Type': 'application/json',
      ...options.headers,
    };
    const token = options.token === undefined ? this.token : options.token;
    if (token) headers.Authorization = `token ${token}`;
    let payload: Buffer | string | undefined =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined && options.gzip) {
      payload = zlib.gzipSync(payload);
      headers['Content-Encoding'] = 'gzip';
    }
    const body = typeof payload === 'string' || payload === undefined ? payload : new Uint8Array(payload);
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    const json = text.length > 0 && response.headers.get('content-type')?.includes('json');
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : undefined, text };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }
  post<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, { ...options, body });
  }
  put<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  patch<T = any>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }
  head(path: string, options?: RequestOptions) {
    return this.request('HEAD', path, options);
  }
}
