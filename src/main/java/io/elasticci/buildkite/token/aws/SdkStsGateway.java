package io.elasticci.buildkite.token.aws;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** {@link StsGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkStsGateway implements StsGateway {

    private final AwsClients clients;
    private final String region;

    @Inject
    public SdkStsGateway(AwsClients clients) {
        this(clients, defaultRegion());
    }

    public SdkStsGateway(AwsClients clients, String region) {
        this.clients = clients;
        this.region = region;
    }

    @Override
    public CallerIdentity callerIdentity() {
        GetCallerIdentityResponse identity = AwsCall.run("sts", "GetCallerIdentity", region,
                () -> clients.sts(region).getCallerIdentity());
        return CallerIdentity.fromArn(identity.account(), identity.arn());
    }

    private static String defaultRegion() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (RuntimeException e) {
            return "us-east-1"; // STS answers GetCallerIdentity in every region
        }
    }
}
