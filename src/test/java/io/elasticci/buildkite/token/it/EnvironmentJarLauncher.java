package io.elasticci.buildkite.token.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.DefaultJarLauncher;

/**
 * Starts the packaged jar for {@code @QuarkusIntegrationTest} as a user runs it: with the image's JVM flags, and with
 * the test resources' settings as environment variables, not as the {@code -D} system properties Quarkus would pass.
 * Test resources mark those settings with {@link #asEnvironment}. Registered through META-INF/services, which is how
 * Quarkus lets a project replace its jar launcher.
 */
public class EnvironmentJarLauncher extends DefaultJarLauncher {

    private static final String PREFIX = "launcher.env.";

    private final Map<String, String> env = new HashMap<>();

    /** Settings a test resource returns that reach the jar as environment variables. */
    public static Map<String, String> asEnvironment(Map<String, String> env) {
        Map<String, String> marked = new LinkedHashMap<>();
        env.forEach((k, v) -> marked.put(PREFIX + k, v));
        return marked;
    }

    @Override
    public void init(JarInitContext context) {
        env.putAll(context.env());
        List<String> argLine = new ArrayList<>(ContainerImage.read().jvmArgs());
        argLine.addAll(context.argLine());
        super.init(new Context(context, argLine, env));
    }

    @Override
    public void includeAsSysProps(Map<String, String> properties) {
        Map<String, String> systemProperties = new HashMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                env.put(k.substring(PREFIX.length()), v);
            } else {
                systemProperties.put(k, v);
            }
        });
        super.includeAsSysProps(systemProperties);
    }

    /** Quarkus's launch context with our JVM flags and (mutable, filled before start) environment. */
    private record Context(JarInitContext delegate, List<String> argLine, Map<String, String> env)
            implements JarInitContext {

        public int httpPort() {
            return delegate.httpPort();
        }

        public int httpsPort() {
            return delegate.httpsPort();
        }

        public Duration waitTime() {
            return delegate.waitTime();
        }

        public Duration shutdownTimeout() {
            return delegate.shutdownTimeout();
        }

        public String testProfile() {
            return delegate.testProfile();
        }

        public DevServicesLaunchResult getDevServicesLaunchResult() {
            return delegate.getDevServicesLaunchResult();
        }

        public Path jarPath() {
            return delegate.jarPath();
        }

        public boolean generateAotFile() {
            return delegate.generateAotFile();
        }

        public List<String> additionalRecordingArgs() {
            return delegate.additionalRecordingArgs();
        }
    }
}
