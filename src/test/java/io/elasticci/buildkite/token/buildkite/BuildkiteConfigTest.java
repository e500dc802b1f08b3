package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** bkat.buildkite.* reaches the adapter through the constructor CDI uses. */
class BuildkiteConfigTest extends BuildkiteClientTestSupport {

    private static OperatorConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(OperatorConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build()
                .getConfigMapping(OperatorConfig.class);
    }

    @Test
    void defaultsFollowBuildkitesPublishedLimits() {
        OperatorConfig.Buildkite buildkite = config(Map.of()).buildkite();

        assertThat(buildkite.baseUrl()).isEqualTo(URI.create("https://api.buildkite.com"));
        assertThat(HttpBuildkiteTokens.apiToken(buildkite)).isEmpty();
        assertThat(buildkite.organizationRequestsPerMinute()).isEqualTo(200);
        assertThat(buildkite.userRequestsPerMinute()).isEqualTo(50);
        assertThat(BuildkiteSettings.from(buildkite)).isEqualTo(new BuildkiteSettings(
                URI.create("https://api.buildkite.com"), Duration.ofSeconds(5), Duration.ofSeconds(20),
                new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(30))));
    }

    @Test
    void theInjectedConstructorCallsTheConfiguredUrlWithTheConfiguredTokenWhichNoRenderingShows() {
        OperatorConfig config = config(Map.of("bkat.buildkite.base-url", buildkite.endpoint().toString(),
                "bkat.buildkite.api-token", BuildkiteEmulator.API_TOKEN,
                "bkat.buildkite.user-requests-per-minute", "7"));

        HttpBuildkiteTokens tokens = new HttpBuildkiteTokens(config, new BuildkiteRateLimits(config), registry,
                buildkite.clock(), sleeper);

        assertThat(tokens.list(ACME)).isEmpty();
        assertThat(buildkite.calls().all()).extracting(c -> c.user()).containsExactly(BuildkiteEmulator.USER);
        assertThat(new BuildkiteRateLimits(config).toString()).contains("user 7/min");
        assertThat(config.buildkite().toString() + config.buildkite().apiToken() + tokens)
                .doesNotContain(BuildkiteEmulator.API_TOKEN);
    }

    @Test
    void withoutAConfiguredApiTokenTheAdapterStartsAndEveryCallIsUnauthorizedUnsent() {
        OperatorConfig config = config(Map.of("bkat.buildkite.base-url", buildkite.endpoint().toString()));
        HttpBuildkiteTokens tokens = new HttpBuildkiteTokens(config, new BuildkiteRateLimits(config), registry,
                buildkite.clock(), sleeper);

        assertThatThrownBy(() -> tokens.list(ACME)).isInstanceOfSatisfying(BuildkiteFailure.class,
                e -> assertThat(e.kind()).isEqualTo(BuildkiteFailure.Kind.UNAUTHORIZED));
        assertThat(buildkite.calls().all()).isEmpty();
    }
}
