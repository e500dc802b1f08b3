package io.elasticci.buildkite.token.api.v1alpha1;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.elasticci.buildkite.token.api.read.TolerantDeserializer;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A Buildkite agent token kept in AWS Secrets Manager and readable by the Elastic CI Stacks that need it. */
@Group(BuildkiteAgentToken.GROUP)
@Version(BuildkiteAgentToken.VERSION)
@ShortNames("bkat")
@Categories("buildkite")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Regions", jsonPath = ".status.regionsReady", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Stacks", jsonPath = ".status.stacksReady", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Secret", jsonPath = ".spec.secretName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Primary", jsonPath = ".spec.primaryRegion", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Version", jsonPath = ".status.currentVersionId", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.conditions[?(@.type==\"Ready\")].message", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class BuildkiteAgentToken extends CustomResource<BuildkiteAgentTokenSpec, BuildkiteAgentTokenStatus>
        implements Namespaced {

    public static final String GROUP = "buildkite.elasticci.io";
    public static final String VERSION = "v1alpha1";
    /** Any new value forces a reconcile now. */
    public static final String REQUESTED_AT_ANNOTATION = GROUP + "/requested-at";
    /** With spec.buildkite: an RFC 3339 time; a new token is minted when the current version is older. */
    public static final String ROTATE_AT_ANNOTATION = GROUP + "/rotate-at";
    /** Tag on the secret naming the resource that owns it. */
    public static final String OWNER_TAG = GROUP + "/owner";
    /** Tag on the secret listing the spec tag keys the operator set, so a key dropped from the spec is removed. */
    public static final String MANAGED_TAGS_TAG = GROUP + "/managed-tags";
    /**
     * Tag on the secret listing the owner hashes of resources deleted with retainGrants: the next owner removes their
     * statements and inline policies once its own grants are in place (a hand-over without a gap).
     */
    public static final String RETAINED_GRANTS_TAG = GROUP + "/retained-grants";

    /**
     * No status until the operator writes one: an empty status object in a copy would make the status patch address
     * fields under a status the server may hold as null.
     */
    @Override
    protected BuildkiteAgentTokenStatus initStatus() {
        return null;
    }

    /** Read tolerantly: one resource with fields this build does not know must not stop the informer. */
    @Override
    @JsonDeserialize(using = TolerantDeserializer.Spec.class)
    public void setSpec(BuildkiteAgentTokenSpec spec) {
        super.setSpec(spec);
    }

    @Override
    @JsonDeserialize(using = TolerantDeserializer.Status.class)
    public void setStatus(BuildkiteAgentTokenStatus status) {
        super.setStatus(status);
    }
}
