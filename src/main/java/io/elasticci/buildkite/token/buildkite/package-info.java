/**
 * Buildkite's REST API for cluster agent tokens. Not yet called by the reconciler (issue: mint, roll out and revoke
 * tokens); its settings:
 * bkat.buildkite.base-url (https://api.buildkite.com), api-token (an API access token with read_clusters and
 * write_clusters, e.g. BKAT_BUILDKITE_API_TOKEN from a Secret; absent, every Buildkite call fails as unauthorized
 * without being sent), connect-timeout (5 s), request-timeout (20 s), max-attempts (4), call-timeout (30 s,
 * retries and rate-limit waits included), initial-backoff (0.5 s), max-backoff (10 s),
 * organization-requests-per-minute (200) and user-requests-per-minute (50): Buildkite limits each organization and
 * each user (one API token) separately, and the operator keeps one limiter per organization and one per API token,
 * shared by every resource, corrected by Buildkite's RateLimit-* headers. 429, 5xx and network failures are retried
 * with backoff and jitter, never sooner than RateLimit-Reset or Retry-After; a create that Buildkite may have
 * performed (5xx, timeout, lost answer) is never repeated: the failure says the outcome is unknown. Redirects are not
 * followed, and no message, log line or metric holds the API token or a token value.
 */
package io.elasticci.buildkite.token.buildkite;
