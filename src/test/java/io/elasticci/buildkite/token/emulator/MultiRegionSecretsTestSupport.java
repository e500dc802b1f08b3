package io.elasticci.buildkite.token.emulator;

import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** One secret name and Secrets Manager clients in a primary and two replica regions, for the replication tests. */
abstract class MultiRegionSecretsTestSupport extends EmulatorTestSupport {

    static final String PRIMARY = "us-east-1";
    static final String WEST = "us-west-2";
    static final String EU = "eu-west-1";
    static final String NAME = "buildkite/agent-token";

    static SecretsManagerClient east;
    static SecretsManagerClient west;
    static SecretsManagerClient eu;

    @BeforeAll
    static void startRegionalClients() {
        east = clients.secretsManager(PRIMARY);
        west = clients.secretsManager(WEST);
        eu = clients.secretsManager(EU);
    }

    static SecretsManagerState state() {
        return emulator.secretsManager(AwsEmulator.DEFAULT_ACCOUNT);
    }
}
