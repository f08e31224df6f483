import { z } from 'zod';

/** RFC 8414 authorization server metadata. */
export const OAuthMetadata = z.object({
  issuer: z.string(),
  device_authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  revocation_endpoint: z.string(),
  grant_types_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  response_types_supported: z.array(z.string()).optional(),
});
export type OAuthMetadata = z.infer<typeof OAuthMetadata>;

/** RFC 8628 §3.2 device authorization response. */
export const DeviceAuthorizationResponse = z.object({
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
});
export type DeviceAuthorizationResponse = z.infer<typeof DeviceAuthorizationResponse>;

/** RFC 6749 §5.1 successful token response. */
export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
  refresh_token: z.string(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const OAuthErrorName = z.enum([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
]);
export type OAuthErrorName = z.infer<typeof OAuthErrorName>;

/** RFC 6749 §5.2 error response (HTTP 400 or 401). */
export const OAuthError = z.object({
  error: OAuthErrorName,
  error_description: z.string().optional(),
});
export type OAuthError = z.infer<typeof OAuthError>;
