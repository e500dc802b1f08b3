package io.elasticci.buildkite.token.reconcile.report;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.api.v1alpha1.RotationStatus;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Resources, a controller cache and configuration for the metrics tests. */
final class MetricsFixtures {

    private MetricsFixtures() {
    }

    static OperatorConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(OperatorConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build()
                .getConfigMapping(OperatorConfig.class);
    }

    static BuildkiteAgentToken token(String name, String ready, String reason) {
        BuildkiteAgentToken token = new BuildkiteAgentToken();
        token.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName(name).build());
        BuildkiteAgentTokenStatus status = new BuildkiteAgentTokenStatus();
        status.conditions = List.of(new Condition("Ready", ready, reason, "", "2026-01-01T00:00:00Z", 1L),
                new Condition("Stalled", "False", reason, "", "2026-01-01T00:00:00Z", 1L));
        token.setStatus(status);
        return token;
    }

    /** A token whose status records a rotation from v1 to v2. */
    static BuildkiteAgentToken rotating(String name, String inSyncAt, String refreshStatus, List<String> revocable) {
        BuildkiteAgentToken token = token(name, "False", "RefreshInProgress");
        RotationStatus rotation = new RotationStatus();
        rotation.versionId = "v2";
        rotation.previousVersionId = "v1";
        rotation.observedAt = "2026-01-01T00:00:00Z";
        rotation.inSyncAt = inSyncAt;
        if (refreshStatus != null) {
            RotationStatus.RefreshStatus refresh = new RotationStatus.RefreshStatus();
            refresh.region = "us-east-1";
            refresh.stack = "ci";
            refresh.id = "r-1";
            refresh.status = refreshStatus;
            rotation.refreshes.add(refresh);
        }
        rotation.revocableVersionIds.addAll(revocable);
        token.getStatus().rotation = rotation;
        return token;
    }

    /** The controller's cache, as a map the test edits. */
    static final class Cache implements IndexedResourceCache<BuildkiteAgentToken> {
        private final Map<ResourceID, BuildkiteAgentToken> tokens = new ConcurrentHashMap<>();

        Cache put(BuildkiteAgentToken... added) {
            for (BuildkiteAgentToken token : added) {
                tokens.put(ResourceID.fromResource(token), token);
            }
            return this;
        }

        void remove(BuildkiteAgentToken token) {
            tokens.remove(ResourceID.fromResource(token));
        }

        @Override
        public Optional<BuildkiteAgentToken> get(ResourceID id) {
            return Optional.ofNullable(tokens.get(id));
        }

        @Override
        public Stream<ResourceID> keys() {
            return tokens.keySet().stream();
        }

        @Override
        public Stream<BuildkiteAgentToken> list(Predicate<BuildkiteAgentToken> predicate) {
            return tokens.values().stream().filter(predicate);
        }

        @Override
        public Stream<BuildkiteAgentToken> list(String namespace, Predicate<BuildkiteAgentToken> predicate) {
            return list(predicate.and(t -> namespace.equals(t.getMetadata().getNamespace())));
        }

        @Override
        public List<BuildkiteAgentToken> byIndex(String indexName, String indexKey) {
            throw new UnsupportedOperationException("no index in this test cache");
        }
    }
}
