package io.elasticci.buildkite.token.reconcile.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

/** A status write that meets a newer resourceVersion is written again on the fresh object, whole. */
class StatusWriterTest {

    private static final String PATH = "/apis/buildkite.elasticci.io/v1alpha1/namespaces/ci/buildkiteagenttokens/t";
    private static final Map<String, Object> CONFLICT = Map.of("kind", "Status", "apiVersion", "v1", "status",
            "Failure", "reason", "Conflict", "code", 409, "message", "the object has been modified");

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private static BuildkiteAgentToken token(String resourceVersion, String label) {
        BuildkiteAgentToken token = new BuildkiteAgentToken();
        token.setMetadata(new ObjectMetaBuilder().withNamespace("ci").withName("t")
                .withResourceVersion(resourceVersion).withLabels(Map.of("changed-by", label)).build());
        return token;
    }

    private static BuildkiteAgentTokenStatus learnt() {
        BuildkiteAgentTokenStatus status = new BuildkiteAgentTokenStatus();
        status.observedGeneration = 3L;
        status.currentVersionId = "v-learnt";
        return status;
    }

    @Test
    void aConflictIsWrittenAgainOnTheFreshObjectKeepingEverythingLearnt() throws Exception {
        server.expect().get().withPath(PATH).andReturn(200, token("1", "a")).once();
        server.expect().put().withPath(PATH + "/status").andReturn(409, CONFLICT).once();
        server.expect().get().withPath(PATH).andReturn(200, token("2", "someone-else")).once();
        server.expect().put().withPath(PATH + "/status").andReturn(200, token("3", "someone-else")).once();

        int attempts = new StatusWriter(client).write(token("1", "a"), learnt());

        assertThat(attempts).isEqualTo(2);
        RecordedRequest last = server.getLastRequest();
        String body = last.getBody().readUtf8();
        assertThat(last.getMethod()).isEqualTo("PUT");
        assertThat(body).contains("\"resourceVersion\":\"2\"").contains("\"changed-by\":\"someone-else\"")
                .contains("\"currentVersionId\":\"v-learnt\"").contains("\"observedGeneration\":3");
    }

    @Test
    void endlessConflictsGiveUpAfterTheLastAttemptAndAGoneResourceIsNotWritten() {
        server.expect().get().withPath(PATH).andReturn(200, token("1", "a")).always();
        server.expect().put().withPath(PATH + "/status").andReturn(409, CONFLICT).always();

        assertThatThrownBy(() -> new StatusWriter(client).write(token("1", "a"), learnt()))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        assertThat(server.getRequestCount()).isEqualTo(2 * StatusWriter.MAX_ATTEMPTS);
    }

    @Test
    void aResourceDeletedMeanwhileIsNotWritten() {
        server.expect().get().withPath(PATH).andReturn(404, Map.of("kind", "Status", "code", 404)).once();

        assertThat(new StatusWriter(client).write(token("1", "a"), learnt())).isZero();
    }
}
