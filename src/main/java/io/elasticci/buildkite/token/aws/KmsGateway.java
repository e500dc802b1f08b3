package io.elasticci.buildkite.token.aws;

import java.util.Optional;

/** AWS KMS, as the operator needs it. */
public interface KmsGateway {

    /** Resolves a key ID, key ARN, alias name or alias ARN in a region; empty when KMS has no such key. */
    Optional<KmsKey> describeKey(String region, String keyRef);

    /** The key's default key policy document. */
    String keyPolicy(String region, String keyId);
}
