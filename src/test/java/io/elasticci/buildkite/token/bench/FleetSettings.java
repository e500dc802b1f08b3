package io.elasticci.buildkite.token.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the fleet benchmark runs, from {@code -Dfleet.*} properties: the fleet's size, AWS's latency and quotas, and
 * the resync interval the steady-state phase runs at.
 *
 * @param tokens       BuildkiteAgentTokens ({@code fleet.tokens}, 200)
 * @param regions      regions per token, the first the primary ({@code fleet.regions}, 3)
 * @param stacks       stacks per token and region, current (two roles) and fixed-size (one) in turn
 *                     ({@code fleet.stacks}, 2)
 * @param latency      added to every AWS call ({@code fleet.latencyMs}, 25)
 * @param resync       the drift resync of the steady-state phase ({@code fleet.resync}, PT5M)
 * @param windows      resync waves the steady state is counted over ({@code fleet.windows}, 1)
 * @param iamPerSecond IAM's account-wide quota in the emulator ({@code fleet.iamRate}, 10)
 * @param cloudFormationPerSecond CloudFormation's quota per region in the emulator ({@code fleet.cloudFormationRate},
 *                     10)
 * @param aliases      whether tokens name their keys by alias (alias/buildkite-token) rather than by key ID
 *                     ({@code fleet.keys}=alias|id, alias)
 * @param scaleCaches  whether the operator's cache lifetimes are scaled with the resync interval, so that a shortened
 *                     resync sees cache refreshes as often as the production one does ({@code fleet.scaleCaches}, true)
 * @param timeout      the longest wait for convergence, and for the restart pass ({@code fleet.timeout}, PT40M)
 * @param quotas       false: no quotas in the emulator and no rate limits in the operator, to see the dependency
 *                     chain alone ({@code fleet.quotas}=aws|none, aws)
 * @param warmup       tokens of the same shape converged by the same process before the measured ones, so that these
 *                     are measured as a long-running operator meets a new token: warm JVM, SDK clients built
 *                     ({@code fleet.warmup}, 0: a process that has never reconciled). They stay in the fleet for the
 *                     steady-state phase.
 */
record FleetSettings(int tokens, int regions, int stacks, Duration latency, Duration resync, int windows,
        double iamPerSecond, double cloudFormationPerSecond, boolean aliases, boolean scaleCaches, Duration timeout,
        boolean quotas, int warmup) {

    static final List<String> REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
            "ap-southeast-2", "ap-northeast-1", "ca-central-1", "sa-east-1");
    /** The operator's default resync (OperatorConfig.resyncInterval): what cache lifetimes are scaled against. */
    static final Duration PRODUCTION_RESYNC = Duration.ofMinutes(10);

    FleetSettings {
        if (regions < 1 || regions > REGIONS.size()) {
            throw new IllegalArgumentException("fleet.regions must be within 1.." + REGIONS.size());
        }
        if (tokens < 1 || stacks < 0 || windows < 1 || warmup < 0) {
            throw new IllegalArgumentException("fleet.tokens and fleet.windows must be positive, fleet.stacks not "
                    + "negative");
        }
    }

    static FleetSettings fromSystemProperties() {
        return new FleetSettings(
                Integer.getInteger("fleet.tokens", 200),
                Integer.getInteger("fleet.regions", 3),
                Integer.getInteger("fleet.stacks", 2),
                Duration.ofMillis(Integer.getInteger("fleet.latencyMs", 25)),
                Duration.parse(System.getProperty("fleet.resync", "PT5M")),
                Integer.getInteger("fleet.windows", 1),
                Double.parseDouble(System.getProperty("fleet.iamRate", "10")),
                Double.parseDouble(System.getProperty("fleet.cloudFormationRate", "10")),
                !"id".equals(System.getProperty("fleet.keys", "alias")),
                Boolean.parseBoolean(System.getProperty("fleet.scaleCaches", "true")),
                Duration.parse(System.getProperty("fleet.timeout", "PT40M")),
                !"none".equals(System.getProperty("fleet.quotas", "aws")),
                Integer.getInteger("fleet.warmup", 0));
    }

    /** Every token of the fleet: the measured ones, then the warm-up ones. */
    int fleetSize() {
        return tokens + warmup;
    }

    List<String> regionNames() {
        return REGIONS.subList(0, regions);
    }

    /** A production duration scaled like the resync interval (or as it is, when caches are not scaled). */
    Duration scaled(Duration production) {
        if (!scaleCaches) {
            return production;
        }
        return Duration.ofMillis(Math.max(1, production.toMillis() * resync.toMillis() / PRODUCTION_RESYNC.toMillis()));
    }

    /** The size in words, e.g. "200 tokens × 3 regions × 2 stacks". */
    String size() {
        return tokens + " tokens × " + regions + " regions × " + stacks + " stacks";
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("tokens", tokens);
        map.put("regions", regions);
        map.put("stacksPerRegion", stacks);
        map.put("latencyMs", latency.toMillis());
        map.put("resync", resync.toString());
        map.put("windows", windows);
        map.put("iamQuotaPerSecond", iamPerSecond);
        map.put("cloudFormationQuotaPerSecondPerRegion", cloudFormationPerSecond);
        map.put("keys", aliases ? "alias" : "id");
        map.put("scaleCaches", scaleCaches);
        map.put("quotas", quotas ? "aws" : "none");
        map.put("warmup", warmup);
        return map;
    }
}
