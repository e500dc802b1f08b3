package io.elasticci.buildkite.token.aws;

/** AWS STS, as the operator needs it. */
public interface StsGateway {

    CallerIdentity callerIdentity();
}
