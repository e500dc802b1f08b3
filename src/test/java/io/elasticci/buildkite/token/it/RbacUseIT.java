package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.deploy.HelmChart;
import io.elasticci.buildkite.token.deploy.Kustomize;
import io.elasticci.buildkite.token.deploy.Manifests;
import io.elasticci.buildkite.token.deploy.RbacRules;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The RBAC the operator is installed with against the Kubernetes API calls it makes: the packaged jar, configured as
 * the Helm chart's Deployment configures it (leader election on, the cluster ID read from kube-system, the
 * installation key in its own namespace), runs a token through its life (created from a Secret, rotated, deleted)
 * while the API server records every request it sends. Each request must be allowed by deploy/base's and the chart's
 * rules; each permission they grant must have been used. The same for the chart's watchNamespaces, whose Roles in
 * each watched namespace replace the cluster-wide grants.
 */
class RbacUseIT {

    /** The namespace deploy/base and the chart's documented install put the operator (and its Role) in. */
    private static final String OPERATOR_NAMESPACE = "buildkite-token-operator";
    private static final String TEAM = "team-a";
    private static final Path REQUESTS = Path.of("target", "it", "logs", "rbac-use-requests.txt");

    @Test
    void everyPermissionGrantedIsUsedAndEveryCallMadeIsGranted() {
        List<RbacRules.Call> calls = callsOfTokenLives("", TEAM);

        check("deploy/base", Kustomize.render(Path.of("deploy", "base")), calls);
        check("the Helm chart", HelmChart.template(""), calls);
    }

    /**
     * With watchNamespaces, the chart grants the namespaced permissions in a Role per watched namespace: a token lives
     * in each, one in an unwatched namespace is never looked at, and no request may need a cluster-wide grant.
     */
    @Test
    void withWatchedNamespacesEachNamespacesRoleIsUsedAndSuffices() {
        String values = "watchNamespaces: [team-a, team-b]";
        List<RbacRules.Call> calls = callsOfTokenLives(values, "team-a", "team-b");

        check("the Helm chart with " + values, HelmChart.template(values), calls);
    }

    /**
     * The operator's requests while, configured as the chart's Deployment with these values, it takes a token in
     * each of these namespaces through its life. A token in the namespace "elsewhere" waits beside them.
     */
    private static List<RbacRules.Call> callsOfTokenLives(String values, String... namespaces) {
        List<RbacRules.Call> calls = new ArrayList<>();
        List<String> all = new ArrayList<>(List.of("kube-system", OPERATOR_NAMESPACE, "elsewhere"));
        all.addAll(List.of(namespaces));
        String name = values.isEmpty() ? "rbac-use" : "rbac-use-watched";
        try (StandaloneOperators servers = new StandaloneOperators(name, all.toArray(String[]::new))) {
            Map<String, String> env = servers.chartEnvironment(OPERATOR_NAMESPACE, values);
            servers.api.takeRequests(); // the set-up's own
            try (PackagedOperator operator = PackagedOperator.start(name, env).awaitStarted()) {
                servers.adoptingToken("elsewhere", "elsewhere", "buildkite/elsewhere");
                for (String namespace : namespaces) {
                    liveAToken(servers, namespace);
                }
                // the leader renews its Lease every retry period: wait for one renewal among the requests
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                    calls.addAll(operatorCalls(servers.api.takeRequests()));
                    return calls.stream().anyMatch(c -> c.permission().equals("coordination.k8s.io leases patch"));
                });
            }
        }
        return calls;
    }

    /** A token created from a Secret, rotated (Events, a status update), deleted (cleanup, the finalizer's removal). */
    private static void liveAToken(StandaloneOperators servers, String namespace) {
        var tokens = servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(namespace);
        secret(servers, namespace, "bkct_rbac_first_value_0001");
        BuildkiteAgentToken token = Serialization.unmarshal("""
                apiVersion: buildkite.elasticci.io/v1alpha1
                kind: BuildkiteAgentToken
                metadata: {name: rbac}
                spec:
                  primaryRegion: us-east-1
                  regions: [{region: us-east-1}]
                  tokenSecretRef: {name: agent-token}
                """, BuildkiteAgentToken.class);
        token.getMetadata().setNamespace(namespace);
        token.getSpec().setSecretName("buildkite/rbac-" + namespace);
        tokens.resource(token).create();
        servers.awaitReady(namespace, "rbac", "True");
        String first = tokens.withName("rbac").get().getStatus().currentVersionId;

        secret(servers, namespace, "bkct_rbac_second_value_0002");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !first.equals(
                tokens.withName("rbac").get().getStatus().currentVersionId));
        tokens.withName("rbac").delete();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> tokens.withName("rbac").get() == null);
    }

    private static void check(String source, Manifests manifests, List<RbacRules.Call> calls) {
        List<RbacRules.Grant> grants = new ArrayList<>(RbacRules.grants(manifests.only("ClusterRole")));
        manifests.all("Role").forEach(role -> grants.addAll(RbacRules.grants(role)));
        assertThat(RbacRules.refused(grants, calls)).as("calls %s does not allow", source).isEmpty();
        assertThat(RbacRules.unused(grants, calls)).as("permissions of %s never used (calls: %s)", source,
                calls.stream().map(RbacRules.Call::permission).distinct().sorted().toList()).isEmpty();
    }

    private static void secret(StandaloneOperators servers, String namespace, String value) {
        servers.api.client().secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                .withName("agent-token").withNamespace(namespace).endMetadata()
                .withStringData(Map.of("token", value)).build()).createOr(r -> r.update());
    }

    /** The operator's requests: those carrying its kubeconfig's token (the test's own client sends none). */
    private static List<RbacRules.Call> operatorCalls(List<RecordedRequest> requests) {
        try { // kept for reading after a failure
            java.nio.file.Files.write(REQUESTS, requests.stream().map(r -> r.getMethod() + " " + r.getPath() + " "
                    + r.getHeader("Authorization")).toList(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return requests.stream().filter(r -> "Bearer mock-token".equals(r.getHeader("Authorization")))
                .map(r -> RbacRules.call(r.getMethod(), r.getPath())).flatMap(RbacUseIT::withLeaseCheck).toList();
    }

    /**
     * Before electing, the operator (JOSDK) asks a SelfSubjectRulesReview whether it may get, create and update the
     * Lease, and does not start without all three: permissions used by that question though never called.
     */
    private static Stream<RbacRules.Call> withLeaseCheck(RbacRules.Call call) {
        if (!"selfsubjectrulesreviews".equals(call.resource())) {
            return Stream.of(call);
        }
        return Stream.concat(Stream.of(call), Stream.of("get", "create", "update").map(verb -> new RbacRules.Call(
                "coordination.k8s.io", "leases", verb, OPERATOR_NAMESPACE, null, "(lease access check: " + verb + ")")));
    }
}
