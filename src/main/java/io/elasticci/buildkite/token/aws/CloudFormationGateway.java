package io.elasticci.buildkite.token.aws;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** AWS CloudFormation, as the operator needs it. */
public interface CloudFormationGateway {

    /** Empty when the stack does not exist (CloudFormation answers a ValidationError, not a NotFound). */
    Optional<StackDescription> describe(String region, String stackName);

    /**
     * Every stack of the region that is not deleted (nested ones too), from one paginated ListStacks: what changed
     * since a stack was last described, for all the stacks of a region at the price of one call a page.
     */
    List<StackSummary> list(String region);

    /** Top-level resources of a stack (or of a nested stack, by its ID). */
    List<StackResource> resources(String region, String stackId);

    Optional<StackResource> resource(String region, String stackId, String logicalId);

    /**
     * Updates only the given parameters: the previous template, every other parameter at its previous value, the
     * capabilities an Elastic CI Stack needs. Returns false when CloudFormation says there is nothing to update.
     */
    boolean updateParameters(String region, String stackId, List<String> allParameterKeys,
            Map<String, String> newValues);
}
