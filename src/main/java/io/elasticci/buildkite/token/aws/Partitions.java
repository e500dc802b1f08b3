package io.elasticci.buildkite.token.aws;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * Which AWS partition a region name belongs to: the SDK's metadata for the regions it knows, and for newer ones the
 * naming pattern AWS publishes for each partition (so a region launched after this build still works). A name that
 * fits no partition (a typo, an invented region) is no region at all.
 */
public final class Partitions {

    /** Each partition's region pattern (the endpoint rules' regionRegex), the specific ones first. */
    private static final Map<String, Pattern> PATTERNS = new LinkedHashMap<>();

    static {
        PATTERNS.put("aws-us-gov", Pattern.compile("^us-gov-\\w+-\\d+$"));
        PATTERNS.put("aws-iso", Pattern.compile("^us-iso-\\w+-\\d+$"));
        PATTERNS.put("aws-iso-b", Pattern.compile("^us-isob-\\w+-\\d+$"));
        PATTERNS.put("aws-iso-e", Pattern.compile("^eu-isoe-\\w+-\\d+$"));
        PATTERNS.put("aws-iso-f", Pattern.compile("^us-isof-\\w+-\\d+$"));
        PATTERNS.put("aws-cn", Pattern.compile("^cn-\\w+-\\d+$"));
        PATTERNS.put("aws", Pattern.compile("^(us|eu|ap|sa|ca|me|af|il|mx)-\\w+-\\d+$"));
    }

    private Partitions() {
    }

    /** The partition ID (aws, aws-cn, aws-us-gov, ...) of a region, or empty when no partition has such a region. */
    public static Optional<String> of(String region) {
        if (region == null || region.isEmpty()) {
            return Optional.empty();
        }
        Region known = Region.of(region);
        if (RegionMetadata.of(known) != null) {
            return Optional.of(PartitionMetadata.of(known).id());
        }
        return PATTERNS.entrySet().stream().filter(e -> e.getValue().matcher(region).matches())
                .map(Map.Entry::getKey).findFirst();
    }
}
