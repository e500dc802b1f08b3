package io.elasticci.buildkite.token.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Clients and rate limiters are per principal: an assumed role in another account never shares the operator's. */
class AwsClientsScopeTest {

    private static final OperatorConfig CONFIG = new SmallRyeConfigBuilder().withMapping(OperatorConfig.class)
            .withSources(new PropertiesConfigSource(Map.of("bkat.aws.max-attempts", "2"), "test", 500))
            .build().getConfigMapping(OperatorConfig.class);

    private final List<String> limiterScopes = new ArrayList<>();
    private final RateLimiters limiters = new RateLimiters(Map.of()) {
        @Override
        public java.util.function.Function<String, RateLimiter> forService(String service, String scope,
                String region) {
            limiterScopes.add(service + "/" + scope);
            return super.forService(service, scope, region);
        }
    };

    @Test
    void anAssumedRoleGetsItsOwnClientsAndItsAccountsRateLimiters() {
        AwsClients clients = new AwsClients(CONFIG.aws(), limiters);
        AwsPrincipal other = AwsPrincipal.assuming("arn:aws:iam::210987654321:role/buildkite-token-operator", "ext",
                "bkat-ns-name");
        try {
            SecretsManagerClient own = clients.secretsManager("us-east-1");
            SecretsManagerClient assumed = AwsScope.with(other, () -> clients.secretsManager("us-east-1"));

            assertThat(assumed).isNotSameAs(own);
            assertThat(AwsScope.with(other, () -> clients.secretsManager("us-east-1"))).isSameAs(assumed);
            assertThat(clients.secretsManager("us-east-1")).isSameAs(own);
            assertThat(limiterScopes).contains("secretsmanager/us-east-1", "secretsmanager/210987654321/us-east-1");
            assertThat(AwsScope.current()).isEqualTo(AwsPrincipal.OPERATOR);
        } finally {
            clients.close();
        }
    }

    @Test
    void cacheKeysKeepPrincipalsApartAndTheOperatorsKeysUnchanged() {
        AwsPrincipal other = AwsPrincipal.assuming("arn:aws:iam::210987654321:role/r", null, "s");

        assertThat(AwsScope.key("us-east-1|alias/x")).isEqualTo("us-east-1|alias/x");
        assertThat(AwsScope.with(other, () -> AwsScope.key("us-east-1|alias/x")))
                .isEqualTo("arn:aws:iam::210987654321:role/r||s|us-east-1|alias/x");
        assertThat(other.account()).contains("210987654321");
        assertThat(AwsPrincipal.OPERATOR.account()).isEmpty();
    }

    @Test
    void theOperatorsClientsShareOneCredentialsProviderAndAnAssumedRoleHasItsOwn() {
        AwsClients clients = new AwsClients(CONFIG.aws(), limiters);
        AwsPrincipal other = AwsPrincipal.assuming("arn:aws:iam::210987654321:role/buildkite-token-operator", "ext",
                "bkat-ns-name");
        try {
            var own = clients.secretsManager("us-east-1").serviceClientConfiguration().credentialsProvider();

            assertThat(clients.kms("eu-west-1").serviceClientConfiguration().credentialsProvider()).isSameAs(own);
            assertThat(clients.iam("aws").serviceClientConfiguration().credentialsProvider()).isSameAs(own);
            assertThat(AwsScope.with(other, () -> clients.secretsManager("us-east-1")).serviceClientConfiguration()
                    .credentialsProvider()).isNotSameAs(own);
        } finally {
            clients.close();
        }
    }
}
