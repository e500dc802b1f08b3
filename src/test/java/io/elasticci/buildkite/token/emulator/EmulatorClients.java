package io.elasticci.buildkite.token.emulator;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;

import java.util.ArrayList;
import java.util.List;

/** Real AWS SDK v2 clients pointed at an emulator, closed together. For the emulator's own tests. */
final class EmulatorClients implements AutoCloseable {

    private final AwsEmulator emulator;
    private final SdkHttpClient http = ApacheHttpClient.builder().maxConnections(32).build();
    private final List<SdkClient> clients = new ArrayList<>();

    EmulatorClients(AwsEmulator emulator) {
        this.emulator = emulator;
    }

    SecretsManagerClient secretsManager(String region) {
        return secretsManager(region, AwsEmulator.ACCESS_KEY);
    }

    SecretsManagerClient secretsManager(String region, String accessKeyId) {
        return track(SecretsManagerClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(region))
                .credentialsProvider(credentials(accessKeyId))
                .httpClient(http)
                .build());
    }

    KmsClient kms(String region) {
        return kms(region, AwsEmulator.ACCESS_KEY);
    }

    KmsClient kms(String region, String accessKeyId) {
        return track(KmsClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(region))
                .credentialsProvider(credentials(accessKeyId))
                .httpClient(http)
                .build());
    }

    StsClient sts(String region, String accessKeyId) {
        return track(StsClient.builder()
                .endpointOverride(emulator.endpoint())
                .region(Region.of(region))
                .credentialsProvider(credentials(accessKeyId))
                .httpClient(http)
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
