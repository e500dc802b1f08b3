package io.elasticci.buildkite.token.aws;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The AWS partition the operator's credentials live in (aws, aws-cn, aws-us-gov), learnt from STS once and used
 * to pick IAM's global endpoint and to build ARNs.
 */
@ApplicationScoped
public class PartitionHolder {

    private volatile String partition = "aws";

    public String get() {
        return partition;
    }

    public void set(String partition) {
        this.partition = partition;
    }
}
