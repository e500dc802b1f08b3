package io.elasticci.buildkite.token.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Map;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The operator's own settings ({@code bkat.*}) for the plan command, read without starting Quarkus: the packaged
 * application.properties under BKAT_* environment variables, so allow-lists and rate limits match the operator's
 * when the CI job sets the same variables.
 */
final class CliSettings {

    private CliSettings() {
    }

    static OperatorConfig load(Map<String, String> environment) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withValidateUnknown(false)
                .withMapping(OperatorConfig.class)
                .withSources(new EnvConfigSource(environment, 300));
        URL packaged = CliSettings.class.getClassLoader().getResource("application.properties");
        if (packaged != null) {
            try {
                builder.withSources(new PropertiesConfigSource(packaged, 250));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        SmallRyeConfig config = builder.build();
        return config.getConfigMapping(OperatorConfig.class);
    }
}
