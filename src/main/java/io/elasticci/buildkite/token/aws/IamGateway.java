package io.elasticci.buildkite.token.aws;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** AWS IAM (global per partition), as the operator needs it. */
public interface IamGateway {

    /** The name prefix of the operator's own inline policies (one per owner, on each role it grants). */
    String OWN_POLICY_PREFIX = "BuildkiteAgentToken-";

    Optional<RoleInfo> role(String roleName);

    Optional<String> inlinePolicy(String roleName, String policyName);

    void putInlinePolicy(String roleName, String policyName, String document);

    /**
     * Forgets what is known of roles and inline policies, e.g. when a role turned out to be re-created under its name.
     */
    void forgetInlinePolicies();

    /** Deletes the inline policy; absent already is fine. */
    void deleteInlinePolicy(String roleName, String policyName);

    /**
     * Whether the role's identity policies allow each action on its resource (SimulatePrincipalPolicy); keys are
     * "action resource".
     */
    Map<String, Boolean> simulate(String roleArn, List<String> actions, List<String> resources,
            Map<String, String> context);
}
