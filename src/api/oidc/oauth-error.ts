/** RFC 6749 §5.2 and RFC 8693 §2.2.2 error codes, which the token endpoint answers with instead of Pulumi's error body. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_target' | 'temporarily_unavailable';

export class OAuthError extends Error {
  readonly status = 400;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }

  toBody(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
