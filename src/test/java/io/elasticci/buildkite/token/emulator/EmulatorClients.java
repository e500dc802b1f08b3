package io.elasticci.buildkite.token.emulator;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.util.ArrayList;
import java.util.List;

/** Real AWS SDK v2 clients pointed at an emulator, closed together. For the emulator's own tests. */
final class EmulatorClients implements AutoCloseable {

    private final AwsEmulator emulator;
    private final boolean retries;
    private final SdkHttpClient http = Apache5HttpClient.builder().maxConnections(32).build();
    private final List<SdkClient> clients = new ArrayList<>();

    /** Clients with the SDK's default retry behaviour. */
    EmulatorClients(AwsEmulator emulator) {
        this(emulator, true);
    }

    /** retries false: clients that make one attempt only (fast checks of error shapes). */
    EmulatorClients(AwsEmulator emulator, boolean retries) {
        this.emulator = emulator;
        this.retries = retries;
    }

    private ClientOverrideConfiguration overrides() {
        ClientOverrideConfiguration.Builder b = ClientOverrideConfiguration.builder();
        if (!retries) {
            b.retryStrategy(AwsRetryStrategy.doNotRetry());
        }
        return b.build();
    }

    SecretsManagerClient secretsManager(String region) {
        return secretsManager(region, AwsEmulator.ACCESS_KEY);
    }

    SecretsManagerClient secretsManager(String region, String accessKeyId) {
        return build(SecretsManagerClient.builder(), Region.of(region), accessKeyId);
    }

    /** IAM is global: the client uses the aws-global region, as the operator's would. */
    IamClient iam() {
        return build(IamClient.builder(), Region.AWS_GLOBAL, AwsEmulator.ACCESS_KEY);
    }

    CloudFormationClient cloudFormation(String region) {
        return build(CloudFormationClient.builder(), Region.of(region), AwsEmulator.ACCESS_KEY);
    }

    KmsClient kms(String region) {
        return kms(region, AwsEmulator.ACCESS_KEY);
    }

    KmsClient kms(String region, String accessKeyId) {
        return build(KmsClient.builder(), Region.of(region), accessKeyId);
    }

    AutoScalingClient autoScaling(String region) {
        return build(AutoScalingClient.builder(), Region.of(region), AwsEmulator.ACCESS_KEY);
    }

    Ec2Client ec2(String region) {
        return build(Ec2Client.builder(), Region.of(region), AwsEmulator.ACCESS_KEY);
    }

    StsClient sts(String region, String accessKeyId) {
        return build(StsClient.builder(), Region.of(region), accessKeyId);
    }

    /** Any service's client: pointed at the emulator, signed with accessKeyId, on the shared HTTP client, tracked. */
    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C extends SdkClient> C build(
            B builder, Region region, String accessKeyId) {
        return track(builder
                .endpointOverride(emulator.endpoint())
                .region(region)
                .credentialsProvider(credentials(accessKeyId))
                .httpClient(http)
                .overrideConfiguration(overrides())
                .build());
    }

    private static StaticCredentialsProvider credentials(String accessKeyId) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, AwsEmulator.SECRET_KEY));
    }

    private synchronized <T extends SdkClient> T track(T client) {
        clients.add(client);
        return client;
    }

    @Override
    public synchronized void close() {
        clients.forEach(SdkClient::close);
        clients.clear();
        http.close();
    }
}
