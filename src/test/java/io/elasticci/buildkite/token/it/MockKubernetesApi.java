package io.elasticci.buildkite.token.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * A Kubernetes API server for an operator in another process: the fabric8 mock server in CRUD mode on 127.0.0.1,
 * with the CRD from {@code crds/} applied as a person would, and reached through a kubeconfig file. It answers
 * SelfSubjectRulesReview as an API server whose RBAC grants the operator's ServiceAccount what deploy/ grants it (the
 * CRUD mock cannot evaluate RBAC and would answer 422, which stops leader election before it starts).
 */
public final class MockKubernetesApi implements AutoCloseable {

    public static final Path CRD = Path.of("crds", "buildkiteagenttokens.buildkite.elasticci.io-v1.yml");

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private MockKubernetesApi() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewStatus().withIncomplete(false)
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("get", "create", "update", "patch").endResourceRule().endStatus().build())
                .always();
        client = server.createClient();
    }

    /** An API server with the CRD applied and the namespaces a cluster has (kube-system gives the cluster ID). */
    public static MockKubernetesApi start(String... namespaces) {
        MockKubernetesApi api = new MockKubernetesApi();
        api.applyCrd();
        for (String namespace : namespaces) {
            api.createNamespace(namespace);
        }
        return api;
    }

    public KubernetesClient client() {
        return client;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Answers reads of this object and creates in its collection with 403, as RBAC would without those verbs. */
    public void forbid(String objectPath) {
        Map<String, Object> status = Map.of("kind", "Status", "apiVersion", "v1", "status", "Failure",
                "reason", "Forbidden", "code", 403, "message", "forbidden by the test");
        server.expect().get().withPath(objectPath).andReturn(403, status).always();
        server.expect().post().withPath(objectPath.substring(0, objectPath.lastIndexOf('/'))).andReturn(403, status)
                .always();
    }

    /** Every request the server received since the last call, oldest first (method, path and query, headers). */
    public List<RecordedRequest> takeRequests() {
        List<RecordedRequest> requests = new java.util.ArrayList<>();
        try {
            for (RecordedRequest r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS); r != null;
                    r = server.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                requests.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return requests;
    }

    public void createNamespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .createOr(r -> r.update());
    }

    private void applyCrd() {
        applyCrd(crd());
    }

    /** This build's CRD, as crds/ has it. */
    public static CustomResourceDefinition crd() {
        try (InputStream in = Files.newInputStream(CRD)) {
            return Serialization.unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CRD + " (run Maven from the repository root)", e);
        }
    }

    /** Applies a CRD, as {@code kubectl apply} would: created, or replaced when it exists. */
    public void applyCrd(CustomResourceDefinition crd) {
        crd.getMetadata().setResourceVersion(null);
        client.resource(crd).createOr(r -> r.update());
    }

    /**
     * Creates an object from raw JSON over HTTP, as an API server with a looser (or no) schema would store it: the
     * client's model never sees it. {@code collection} is its API path, e.g. {@code /api/v1/namespaces/x/secrets}.
     */
    public void createRaw(String collection, String json) {
        HttpRequest request = HttpRequest.newBuilder(java.net.URI.create(url() + collection))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("POST " + collection + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A kubeconfig whose current context points at this server, in {@code namespace} (null: a context without one);
     * returns the file.
     */
    public Path writeKubeconfig(Path file, String namespace) {
        Map<String, Object> context = new HashMap<>(Map.of("cluster", "mock", "user", "operator"));
        if (namespace != null) {
            context.put("namespace", namespace);
        }
        Map<String, Object> config = Map.of(
                "apiVersion", "v1",
                "kind", "Config",
                "clusters", List.of(Map.of("name", "mock", "cluster", Map.of("server", url()))),
                "users", List.of(Map.of("name", "operator", "user", Map.of("token", "mock-token"))),
                "contexts", List.of(Map.of("name", "mock", "context", context)),
                "current-context", "mock");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Serialization.asYaml(config));
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
