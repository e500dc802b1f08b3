package io.elasticci.buildkite.token.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

class InformerFailuresTest {

    @Test
    void aDeserializationFailureIsDescribedByPathWithoutTheValue() {
        Exception cause;
        try {
            new KubernetesSerialization().unmarshal("""
                    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": "bkua_secret_value"}
                    """, Secret.class);
            throw new AssertionError("should not read");
        } catch (RuntimeException e) {
            cause = new WatcherException("Unexpected exception processing watch event", e);
        }

        String described = InformerFailures.describe(cause);

        assertThat(described).isEqualTo("an object cannot be read at data (MismatchedInputException)");
        assertThat(described).doesNotContain("bkua_secret_value");
    }

    @Test
    void otherCausesKeepTheirChain() {
        String described = InformerFailures.describe(new KubernetesClientException("list failed",
                new ConnectException("Connection refused")));

        assertThat(described).isEqualTo("KubernetesClientException: list failed <- ConnectException: Connection refused");
    }

    @Test
    void anInformerStoppedOnPurposeIsNotAFailure() {
        InformerFailures failures = new InformerFailures();

        failures.onStop(null, null);

        assertThat(failures.stopped()).isEmpty();
    }
}
