package io.elasticci.buildkite.token.e2e;


import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.emulator.AwsEmulator;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What an end-to-end test does through the Kubernetes API: apply YAML fixtures into a namespace of its own, wait for
 * conditions, read Events. Each test gets fresh names so tests share one operator and one emulator without reset.
 */
public final class OperatorHarness {

    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final AwsEmulator aws;
    public final String namespace;
    /** A suffix unique to this test, for secret names, aliases and stack names. */
    public final String id;

    public OperatorHarness(KubernetesClient client) {
        this(client, EmulatorResource.emulator());
    }

    /** For an operator that runs elsewhere (the packaged jar) against this API server and emulator. */
    public OperatorHarness(KubernetesClient client, AwsEmulator aws) {
        this.client = client;
        this.aws = aws;
        this.id = UUID.randomUUID().toString().substring(0, 8);
        this.namespace = "t-" + id;
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build()).create();
    }

    public AwsEmulator aws() {
        return aws;
    }

    public KubernetesClient client() {
        return client;
    }

    /** Loads a YAML fixture from src/test/resources/e2e, replacing ${ID} with this test's suffix. */
    public BuildkiteAgentToken fixture(String name) {
        try (InputStream in = getClass().getResourceAsStream("/e2e/" + name)) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${ID}", id);
            BuildkiteAgentToken token = Serialization.unmarshal(yaml, BuildkiteAgentToken.class);
            token.getMetadata().setNamespace(namespace);
            return token;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Creates a fixture as raw YAML, without this build's model in between: how a resource written against a newer
     * (or looser) CRD reaches the operator.
     */
    public GenericKubernetesResource applyRaw(String name) {
        try (InputStream in = getClass().getResourceAsStream("/e2e/" + name)) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${ID}", id);
            GenericKubernetesResource raw = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
            raw.getMetadata().setNamespace(namespace);
            return client.genericKubernetesResources(raw.getApiVersion(), raw.getKind()).inNamespace(namespace)
                    .resource(raw).create();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON merge patch, as {@code kubectl patch --type merge} sends it: the object is never read into the model. */
    public void mergePatch(String name, String json) {
        client.genericKubernetesResources(BuildkiteAgentToken.GROUP + "/" + BuildkiteAgentToken.VERSION,
                "BuildkiteAgentToken").inNamespace(namespace).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
    }

    public BuildkiteAgentToken apply(BuildkiteAgentToken token) {
        token.getMetadata().setNamespace(namespace);
        return client.resource(token).createOr(r -> r.update());
    }

    public BuildkiteAgentToken edit(String name, java.util.function.Consumer<BuildkiteAgentToken> change) {
        return client.resources(BuildkiteAgentToken.class).inNamespace(namespace).withName(name).edit(t -> {
            change.accept(t);
            return t;
        });
    }

    public BuildkiteAgentToken get(String name) {
        return client.resources(BuildkiteAgentToken.class).inNamespace(namespace).withName(name).get();
    }

    public Secret tokenSecret(String name, String value) {
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withStringData(Map.of("token", value)).build();
        return client.secrets().inNamespace(namespace).resource(secret).createOr(r -> r.update());
    }

    public Optional<Condition> condition(String name, String type) {
        BuildkiteAgentToken token = get(name);
        if (token == null || token.getStatus() == null) {
            return Optional.empty();
        }
        return token.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** Waits until condition {@code type} has this status and reason for the resource's current generation. */
    public BuildkiteAgentToken awaitCondition(String name, String type, String status, String reason) {
        untilOrExplain(name, () -> org.awaitility.Awaitility.await().atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100)).until(() -> {
            BuildkiteAgentToken token = get(name);
            return token != null && token.getStatus() != null
                    && token.getMetadata().getGeneration().equals(token.getStatus().observedGeneration)
                    && condition(name, type).filter(c -> status.equals(c.getStatus()) && reason.equals(c.getReason()))
                            .isPresent();
        }));
        return get(name);
    }

    /** Runs a wait; on time-out, says what the resource's conditions were. */
    private void untilOrExplain(String name, Runnable wait) {
        try {
            wait.run();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            BuildkiteAgentToken t = get(name);
            throw new AssertionError(e.getMessage() + "; conditions of " + name + ": "
                    + (t == null || t.getStatus() == null ? "no status" : t.getStatus().conditions + "; rotation: "
                            + Serialization.asJson(t.getStatus().rotation)), e);
        }
    }

    public BuildkiteAgentToken awaitReady(String name) {
        return awaitCondition(name, "Ready", "True", "Converged");
    }

    public BuildkiteAgentToken await(String name, Predicate<BuildkiteAgentToken> predicate) {
        org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            BuildkiteAgentToken token = get(name);
            return token != null && predicate.test(token);
        });
        return get(name);
    }

    /**
     * Waits for a rollout that runs on AWS's (the emulator's) time: moves the emulator clock a step at a time, giving
     * the operator's requeue a moment after each step, until the predicate holds.
     */
    public BuildkiteAgentToken awaitAdvancing(String name, Duration step, Predicate<BuildkiteAgentToken> predicate) {
        untilOrExplain(name, () -> org.awaitility.Awaitility.await().atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(300)).until(() -> {
                    BuildkiteAgentToken token = get(name);
                    if (token != null && predicate.test(token)) {
                        return true;
                    }
                    aws.clock().advance(step);
                    return false;
                }));
        return get(name);
    }

    /** Waits for an Event with this reason about the resource. */
    public void awaitEvent(String name, String reason) {
        org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> events(name).stream().anyMatch(e -> reason.equals(e.getReason())));
    }

    public java.util.List<Event> events(String name) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    /** Forces a reconcile now, as a person would with kubectl annotate. */
    public void delete(String name) {
        client.resources(BuildkiteAgentToken.class).inNamespace(namespace).withName(name).delete();
    }

    /** Waits until the resource is gone from the API: its finalizer was removed. */
    public void awaitGone(String name) {
        org.awaitility.Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> get(name) == null);
    }

    public void requestReconcile(String name) {
        client.resources(BuildkiteAgentToken.class).inNamespace(namespace).withName(name).edit(t -> {
            t.getMetadata().getAnnotations().put(BuildkiteAgentToken.REQUESTED_AT_ANNOTATION,
                    java.time.Instant.now().toString() + "-" + UUID.randomUUID());
            return t;
        });
    }
}
