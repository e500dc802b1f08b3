package io.elasticci.buildkite.token.aws;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyState;

/** {@link KmsGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkKmsGateway implements KmsGateway {

    private final AwsClients clients;

    @Inject
    public SdkKmsGateway(AwsClients clients) {
        this.clients = clients;
    }

    @Override
    public Optional<KmsKey> describeKey(String region, String keyRef) {
        return AwsCall.absentIfNotFound(() -> AwsCall.run("kms", "DescribeKey", region,
                () -> clients.kms(region).describeKey(b -> b.keyId(keyRef)).keyMetadata()))
                .map(key -> new KmsKey(key.keyId(), key.arn(), key.keyState() == KeyState.ENABLED,
                        key.keyManager() == KeyManagerType.AWS));
    }

    @Override
    public String keyPolicy(String region, String keyId) {
        return AwsCall.run("kms", "GetKeyPolicy", region,
                () -> clients.kms(region).getKeyPolicy(b -> b.keyId(keyId).policyName("default")).policy());
    }
}
