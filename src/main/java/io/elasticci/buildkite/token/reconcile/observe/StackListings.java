package io.elasticci.buildkite.token.reconcile.observe;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.AwsScope;
import io.elasticci.buildkite.token.aws.CloudFormationGateway;
import io.elasticci.buildkite.token.aws.SharedReads;
import io.elasticci.buildkite.token.aws.StackSummary;
import io.elasticci.buildkite.token.config.OperatorConfig;

/**
 * One ListStacks of a region, shared by every token with stacks there for {@code maxAge}: describing each stack on
 * each pass is one CloudFormation call per stack, the most throttled reads after IAM's, while a listing costs one call
 * per page of the whole region. Concurrent passes that need a new listing of the same region wait for one call.
 * {@code maxAge} zero turns listings off; so does a role without {@code cloudformation:ListStacks} (a policy from
 * before listings), for that region and {@code maxAge}, with a warning: stacks are then described one by one.
 */
@ApplicationScoped
public class StackListings {

    private static final Logger LOG = Logger.getLogger(StackListings.class);

    private final CloudFormationGateway cloudFormation;
    private final Duration maxAge;
    /** Per principal and region: the latest listing, or the one being fetched. */
    private final SharedReads<Listing> listings;
    /** Principals and regions whose missing permission was logged: once each. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private record Listing(Map<String, StackSummary> byName) {
    }

    @Inject
    public StackListings(CloudFormationGateway cloudFormation, Clock clock, OperatorConfig config) {
        this(cloudFormation, clock, config.aws().stackListingMaxAge());
    }

    public StackListings(CloudFormationGateway cloudFormation, Clock clock, Duration maxAge) {
        this.cloudFormation = cloudFormation;
        this.maxAge = maxAge;
        this.listings = new SharedReads<>(clock, maxAge);
    }

    /** Listings off: every stack is described on every pass (the plan command, which runs once). */
    public static StackListings off(CloudFormationGateway cloudFormation) {
        return new StackListings(cloudFormation, Clock.systemUTC(), Duration.ZERO);
    }

    public boolean enabled() {
        return !maxAge.isZero() && !maxAge.isNegative();
    }

    /**
     * The stack as a listing at most {@code maxAge} old shows it; empty when listings are off or the stack is not
     * listed (created since, or gone: describe it to know).
     */
    public Optional<StackSummary> summary(String region, String stackName) {
        if (!enabled()) {
            return Optional.empty();
        }
        return Optional.ofNullable(listing(region).byName().get(stackName));
    }

    private Listing listing(String region) {
        String key = AwsScope.key(region);
        return listings.get(key, () -> {
            try {
                Map<String, StackSummary> byName = new HashMap<>();
                cloudFormation.list(region).forEach(s -> byName.put(s.name(), s));
                return new Listing(Map.copyOf(byName));
            } catch (AwsFailure f) {
                if (f.kind() != AwsFailure.Kind.ACCESS_DENIED) {
                    throw f;
                }
                if (warned.add(key)) {
                    LOG.warnf("cannot list the stacks of %s (%s): describing them one by one; grant "
                            + "cloudformation:ListStacks (deploy/iam/operator-policy.json) to save those calls",
                            region, f.getMessage());
                }
                return new Listing(Map.of());
            }
        }).value();
    }
}
