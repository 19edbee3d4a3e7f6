/** Every error the API can answer with, and the HTTP status each one carries. */
const statusByCode = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  internal: 500,
  insufficient_storage: 507,
} as const;

export type ApiErrorCode = keyof typeof statusByCode;

/** Prefixes Pulumi Cloud puts in front of messages; the CLI matches some messages exactly. */
const reasonByStatus: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  507: 'Insufficient Storage',
};

export class ApiError extends Error {
  readonly status: number;

  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.status = statusByCode[code];
  }

  /** Pulumi's error body: `{"code": <status>, "message": "<Reason>: <detail>"}`. */
  toBody(): { code: number; message: string } {
    return { code: this.status, message: `${reasonByStatus[this.status]}: ${this.message}` };
  }
}
