package io.elasticci.buildkite.token.buildkite;

import java.net.URI;
import java.time.Duration;

import io.elasticci.buildkite.token.config.OperatorConfig;

/** How the HTTP adapter reaches Buildkite; from {@code bkat.buildkite.*}, or built directly (tests, a CLI). */
public record BuildkiteSettings(URI baseUrl, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry) {

    public static BuildkiteSettings from(OperatorConfig.Buildkite config) {
        return new BuildkiteSettings(config.baseUrl(), config.connectTimeout(), config.requestTimeout(),
                new RetryPolicy(config.maxAttempts(), config.initialBackoff(), config.maxBackoff(),
                        config.callTimeout()));
    }

    public BuildkiteSettings {
        String scheme = baseUrl.getScheme();
        if (!"https".equals(scheme) && !"http".equals(scheme) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("the Buildkite base URL must be http(s)://host[:port]: " + baseUrl);
        }
    }
}
