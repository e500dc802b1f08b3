package io.elasticci.buildkite.token.reconcile;

import io.elasticci.buildkite.token.api.v1alpha1.AwsAccessSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.aws.AwsPrincipal;

/** Whom a resource's AWS calls act as: spec.aws, else the operator's own credentials. */
public final class AwsPrincipals {

    private static final int MAX_SESSION_NAME = 64;

    private AwsPrincipals() {
    }

    public static AwsPrincipal of(BuildkiteAgentToken resource) {
        AwsAccessSpec aws = resource.getSpec() == null ? null : resource.getSpec().getAws();
        if (aws == null) {
            return AwsPrincipal.OPERATOR;
        }
        String session = aws.getSessionName() != null ? aws.getSessionName()
                : defaultSessionName(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
        return AwsPrincipal.assuming(aws.getRoleArn(), aws.getExternalId(), session);
    }

    /** bkat-namespace-name, in the characters and length STS allows, so CloudTrail names the resource. */
    static String defaultSessionName(String namespace, String name) {
        String session = ("bkat-" + namespace + "-" + name).replaceAll("[^\\w+=,.@-]", "-");
        return session.length() > MAX_SESSION_NAME ? session.substring(0, MAX_SESSION_NAME) : session;
    }
}
