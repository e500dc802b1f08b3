package io.elasticci.buildkite.token.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * When each token was first seen Ready=True, from a watch on the API (as kubectl get -w would see it), so that no
 * polling interval blurs the per-token convergence times.
 */
final class ReadyWatch implements AutoCloseable {

    private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    private final Map<String, String> lastReason = new ConcurrentHashMap<>();
    private final SharedIndexInformer<BuildkiteAgentToken> informer;

    ReadyWatch(KubernetesClient client, String namespace) {
        informer = client.resources(BuildkiteAgentToken.class).inNamespace(namespace).inform(
                new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(BuildkiteAgentToken token) {
                        observe(token);
                    }

                    @Override
                    public void onUpdate(BuildkiteAgentToken old, BuildkiteAgentToken token) {
                        observe(token);
                    }

                    @Override
                    public void onDelete(BuildkiteAgentToken token, boolean unknownFinalState) {
                    }
                });
    }

    private void observe(BuildkiteAgentToken token) {
        long now = System.nanoTime();
        if (token.getStatus() == null) {
            return;
        }
        token.getStatus().conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().ifPresent(c -> {
            lastReason.put(token.getMetadata().getName(), c.getStatus() + "/" + c.getReason());
            if ("True".equals(c.getStatus())) {
                readyAt.putIfAbsent(token.getMetadata().getName(), now);
            }
        });
    }

    /** Token name → System.nanoTime() when it was first seen Ready. */
    Map<String, Long> readyAt() {
        return Map.copyOf(readyAt);
    }

    int readyCount() {
        return readyAt.size();
    }

    /** How many tokens show each Ready status/reason now: what is holding back the ones not Ready. */
    Map<String, Integer> readyReasons() {
        Map<String, Integer> counts = new TreeMap<>();
        lastReason.values().forEach(r -> counts.merge(r, 1, Integer::sum));
        return counts;
    }

    @Override
    public void close() {
        informer.close();
    }
}
