package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** How requests read as RBAC calls, and the two questions RbacUseIT asks of the operator's own. */
class RbacRulesTest {

    @Test
    void requestsReadAsTheAuthorizerReadsThem() {
        assertThat(RbacRules.call("GET", "/api/v1/namespaces/kube-system").permission())
                .isEqualTo("core namespaces get");
        assertThat(RbacRules.call("GET", "/api/v1/secrets?watch=true&resourceVersion=5").permission())
                .isEqualTo("core secrets watch");
        assertThat(RbacRules.call("GET", "/api/v1/namespaces/a/secrets?labelSelector=x%3Dy"))
                .satisfies(c -> assertThat(c.permission()).isEqualTo("core secrets list"))
                .satisfies(c -> assertThat(c.namespace()).isEqualTo("a"));
        assertThat(RbacRules.call("PUT", "/apis/buildkite.elasticci.io/v1alpha1/namespaces/a/buildkiteagenttokens/t/status")
                .permission()).isEqualTo("buildkite.elasticci.io buildkiteagenttokens/status update");
        assertThat(RbacRules.call("GET", "/apis/coordination.k8s.io/v1/namespaces/op/leases?fieldSelector=metadata.name%3Dl")
                .name()).isEqualTo("l");
        assertThat(RbacRules.call("GET", "/version").grantedToEveryone()).isTrue();
        assertThat(RbacRules.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .grantedToEveryone()).isTrue();
    }

    @Test
    void aRoleGrantsInItsNamespaceOnlyAndNamesNarrow() {
        Map<String, Object> role = Map.of("kind", "Role", "metadata", Map.of("namespace", "op"), "rules", List.of(
                Map.of("apiGroups", List.of(""), "resources", List.of("secrets"), "verbs", List.of("get"),
                        "resourceNames", List.of("key")),
                Map.of("apiGroups", List.of(""), "resources", List.of("secrets"), "verbs", List.of("create"))));
        List<RbacRules.Grant> grants = RbacRules.grants(role);
        List<RbacRules.Call> calls = List.of(RbacRules.call("GET", "/api/v1/namespaces/op/secrets/key"),
                RbacRules.call("GET", "/api/v1/namespaces/op/secrets/other"),
                RbacRules.call("GET", "/api/v1/namespaces/elsewhere/secrets/key"));

        assertThat(RbacRules.refused(grants, calls)).extracting(RbacRules.Call::path)
                .containsExactly("/api/v1/namespaces/op/secrets/other", "/api/v1/namespaces/elsewhere/secrets/key");
        assertThat(RbacRules.unused(grants, calls)).extracting(RbacRules.Grant::verb).containsExactly("create");
    }
}
