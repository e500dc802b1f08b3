package io.elasticci.buildkite.token.aws;

import java.util.Optional;

/**
 * Whom AWS calls act as: the operator's own credentials, or a role it assumes (spec.aws.roleArn) with an external ID
 * and a session name. Never holds credentials themselves.
 */
public record AwsPrincipal(Optional<String> roleArn, Optional<String> externalId, String sessionName) {

    public static final AwsPrincipal OPERATOR = new AwsPrincipal(Optional.empty(), Optional.empty(), "");

    public static AwsPrincipal assuming(String roleArn, String externalId, String sessionName) {
        return new AwsPrincipal(Optional.of(roleArn), Optional.ofNullable(externalId), sessionName);
    }

    public boolean assumesRole() {
        return roleArn.isPresent();
    }

    /** The account of the assumed role, from its ARN; empty for the operator's own credentials. */
    public Optional<String> account() {
        return roleArn.map(arn -> arn.split(":", 6)).filter(parts -> parts.length == 6).map(parts -> parts[4]);
    }

    /** Distinguishes what is cached per principal (clients, credentials, observations). */
    public String key() {
        return roleArn.map(r -> r + "|" + externalId.orElse("") + "|" + sessionName).orElse("operator");
    }
}
