package io.elasticci.buildkite.token.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.Condition;

/**
 * When the packaged operator as a whole cannot act (its cluster identity, its installation key, its AWS credentials,
 * STS out of reach), every resource says why in its status, and the log says it once per cause, without stack traces.
 * Each case is its own operator process, misconfigured the way a user could.
 */
class OperatorFailuresIT {

    private static final String NAMESPACE = "ops";
    private static StandaloneOperators servers;

    @BeforeAll
    static void startServers() {
        servers = new StandaloneOperators("failures", "kube-system", NAMESPACE);
    }

    @AfterAll
    static void stopServers() {
        servers.close();
    }

    private static void token(String name) {
        servers.adoptingToken(NAMESPACE, name, "buildkite/" + name);
    }

    private static Condition awaitReady(String name, String status) {
        return servers.awaitReady(NAMESPACE, name, status);
    }

    private static void assertLoggedOnceWithoutStackTrace(PackagedOperator operator, String cause) {
        String log = operator.log();
        assertThat(log.split(java.util.regex.Pattern.quote(cause), -1).length - 1).as("lines naming the cause in:\n"
                + log).isEqualTo(1);
        assertThat(log).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    @Test
    void withoutAClusterIdentityEveryResourceIsMisconfiguredAndTheLogSaysSoOnce() throws Exception {
        servers.api.client().namespaces().withName("kube-system").delete();
        try (PackagedOperator operator = PackagedOperator.start("no-cluster-id", servers.environment(NAMESPACE))
                .awaitStarted()) {
            token("first");
            token("second");

            for (String name : new String[] {"first", "second"}) {
                Condition ready = awaitReady(name, "False");
                assertThat(ready.getReason()).isEqualTo("OperatorMisconfigured");
                assertThat(ready.getMessage()).contains("kube-system").contains("bkat.cluster-id");
            }
            Thread.sleep(3_000); // a few slow retries (BKAT_ACCESS_DENIED_RETRY_INTERVAL=PT2S)
            assertLoggedOnceWithoutStackTrace(operator, "namespace kube-system");
        } finally {
            servers.api.createNamespace("kube-system");
            servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(NAMESPACE).delete();
        }
    }

    @Test
    void anInstallationKeyItMayNotReadIsReportedWithWhatToGrant() {
        Map<String, String> env = servers.environment(NAMESPACE);
        env.put("BKAT_HMAC_SECRET_NAMESPACE", "locked");
        servers.api.forbid("/api/v1/namespaces/locked/secrets/buildkite-token-operator-hmac");
        try (PackagedOperator operator = PackagedOperator.start("key-forbidden", env).awaitStarted()) {
            token("key-forbidden");

            Condition ready = awaitReady("key-forbidden", "False");

            assertThat(ready.getReason()).isEqualTo("OperatorMisconfigured");
            assertThat(ready.getMessage()).contains("locked/buildkite-token-operator-hmac").contains("HTTP 403");
        } finally {
            servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(NAMESPACE).delete();
        }
    }

    @Test
    void withoutAwsCredentialsEveryResourceSaysCredentialsUnavailable() throws Exception {
        Map<String, String> env = servers.environment(NAMESPACE);
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        try (PackagedOperator operator = PackagedOperator.start("no-credentials", env).awaitStarted()) {
            token("no-credentials");

            Condition ready = awaitReady("no-credentials", "False");

            assertThat(ready.getReason()).isEqualTo("CredentialsUnavailable");
            assertThat(ready.getMessage()).contains("sts").contains("default provider chain");
            Thread.sleep(3_000);
            assertLoggedOnceWithoutStackTrace(operator, "no AWS credentials found");
        } finally {
            servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(NAMESPACE).delete();
        }
    }

    @Test
    void anUnreachableStsIsReportedWithTheCause() throws Exception {
        Map<String, String> env = servers.environment(NAMESPACE);
        env.put("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"); // discard port: nothing listens
        try (PackagedOperator operator = PackagedOperator.start("no-sts", env).awaitStarted()) {
            token("no-sts");

            Condition ready = awaitReady("no-sts", "False");

            assertThat(ready.getReason()).isEqualTo("RegionUnavailable");
            assertThat(ready.getMessage()).contains("sts GetCallerIdentity").contains("Connection refused");
            assertThat(operator.log()).doesNotContain("\tat ");
        } finally {
            servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(NAMESPACE).delete();
        }
    }

    @Test
    void withoutANamespaceForTheInstallationKeyNothingGoesToDefault() {
        Map<String, String> env = servers.environment(NAMESPACE);
        // A kube context without a namespace, no POD_NAMESPACE, no bkat.hmac.secret-namespace; no Lease either.
        env.put("KUBECONFIG", servers.api.writeKubeconfig(PackagedOperatorEnvironment.WORK.resolve("failures")
                .resolve("kubeconfig-no-namespace"), null).toString());
        env.put("BKAT_LEADER_ELECTION_ENABLED", "false");
        try (PackagedOperator operator = PackagedOperator.start("no-namespace", env).awaitStarted()) {
            token("no-namespace");

            Condition ready = awaitReady("no-namespace", "False");

            assertThat(ready.getReason()).isEqualTo("OperatorMisconfigured");
            assertThat(ready.getMessage()).contains("bkat.hmac.secret-namespace");
            assertThat(servers.api.client().secrets().inNamespace("default").list().getItems()).isEmpty();
        } finally {
            servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(NAMESPACE).delete();
        }
    }

    @Test
    void leaderElectionCanBeSwitchedOffAtRunTime() {
        Map<String, String> env = servers.environment(NAMESPACE);
        env.put("BKAT_LEADER_ELECTION_ENABLED", "false");
        servers.api.client().leases().inNamespace(NAMESPACE).delete(); // left by the operators of other cases
        try (PackagedOperator operator = PackagedOperator.start("no-election", env).awaitStarted()) {
            token("no-election");

            assertThat(awaitReady("no-election", "True").getReason()).isEqualTo("Converged");
            assertThat(servers.api.client().leases().inNamespace(NAMESPACE).list().getItems()).isEmpty();
            assertThat(operator.log()).contains("leader election is off");
        } finally {
            servers.api.client().resources(BuildkiteAgentToken.class).inNamespace(NAMESPACE).delete();
        }
    }
}
