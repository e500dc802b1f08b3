package io.elasticci.buildkite.token.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;
import io.elasticci.buildkite.token.aws.AwsClients;
import io.elasticci.buildkite.token.aws.RateLimiter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * A rotation whose Auto Scaling reads would queue behind many other calls for the account's quota is not followed
 * while the queue is long: the reconcile ends at once (InstancesRefreshed Throttled, saying how long the wait is),
 * and the rollout goes on once the queue is short again. The queue is made by callers the test puts in the
 * operator's own Auto Scaling limiter for us-east-1, as hundreds of other tokens' rotations would.
 */
@QuarkusTest
@WithKubernetesTestServer
@QuarkusTestResource(value = EmulatorResource.class, restrictToAnnotatedClass = true)
@TestProfile(RolloutQuotaE2ETest.SlowQuota.class)
class RolloutQuotaE2ETest extends E2ETestBase {

    /**
     * Auto Scaling at 2 calls a second: 40 callers waiting make a 20 s queue, beyond the 1 s progress interval;
     * a Throttled rollout is looked at again after 1 s.
     */
    public static class SlowQuota implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bkat.aws.rate-limits.autoscaling", "2", "bkat.progress-interval", "PT1S",
                    "bkat.transient-retry-interval", "PT1S");
        }
    }

    @Inject
    AwsClients clients;

    @Test
    void aRolloutIsNotFollowedWhileItsQuotaQueueIsLongAndGoesOnOnceItIsShort() throws Exception {
        k8s.tokenSecret("agent-token", TOKEN_V1);
        k8s.apply(k8s.fixture("token.yaml"));
        String v1 = k8s.awaitReady("ci-token").getStatus().currentVersionId;

        RateLimiter limiter = clients.limiter("autoscaling", "DescribeInstanceRefreshes", EAST);
        List<Thread> others = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Thread other = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    limiter.acquire(); // interrupted, it leaves the queue without a permit
                }
            });
            other.setDaemon(true);
            other.start();
            others.add(other);
        }
        try {
            long before = aws.calls().count("autoscaling", "DescribeInstanceRefreshes", EAST);
            k8s.tokenSecret("agent-token", TOKEN_V2);

            BuildkiteAgentToken deferred = k8s.await("ci-token", t -> k8s.condition("ci-token", "InstancesRefreshed")
                    .filter(c -> "Throttled".equals(c.getReason())).isPresent());
            Condition refreshed = k8s.condition("ci-token", "InstancesRefreshed").orElseThrow();
            assertThat(refreshed.getStatus()).isEqualTo("False");
            assertThat(refreshed.getMessage()).contains("Auto Scaling calls in " + EAST + " would wait")
                    .contains("bkat.aws.rate-limits.autoscaling");
            assertThat(deferred.getStatus().rotation.previousVersionId).as("the rotation is remembered").isEqualTo(v1);
            assertThat(aws.calls().count("autoscaling", "DescribeInstanceRefreshes", EAST))
                    .as("no read queued behind the others").isEqualTo(before);
        } finally {
            others.forEach(Thread::interrupt);
        }

        BuildkiteAgentToken done = k8s.awaitAdvancing("ci-token", Duration.ofSeconds(30),
                t -> t.getStatus().rotation != null && t.getStatus().rotation.revocableVersionIds.contains(v1));
        assertThat(done.getStatus().rotation.refreshes).hasSize(2);
        k8s.awaitReady("ci-token");
    }
}
