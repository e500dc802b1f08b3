package io.elasticci.buildkite.token.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Each shard elects its own leader: its Lease name follows from its name, else from its selector. */
class LeaderElectionTest {

    private static OperatorConfig.Shard shard(String selector, String name) {
        return new OperatorConfig.Shard() {
            public Optional<String> selector() {
                return Optional.ofNullable(selector);
            }

            public Optional<String> name() {
                return Optional.ofNullable(name);
            }
        };
    }

    @Test
    void anUnshardedOperatorKeepsTheLeaseItAlwaysHad() {
        assertThat(LeaderElection.leaseName(shard(null, null))).isEqualTo("buildkite-token-operator-lease");
    }

    @Test
    void aNamedShardHasTheLeaseOfItsName() {
        assertThat(LeaderElection.leaseName(shard("buildkite.elasticci.io/shard=a", "a")))
                .isEqualTo("buildkite-token-operator-lease-a");
    }

    @Test
    void shardsNamedOnlyByTheirSelectorsHaveLeasesOfTheirOwn() {
        String a = LeaderElection.leaseName(shard("buildkite.elasticci.io/shard=a", null));
        String b = LeaderElection.leaseName(shard("buildkite.elasticci.io/shard=b", null));
        assertThat(a).startsWith("buildkite-token-operator-lease-").matches("[a-z0-9.-]{1,253}").isNotEqualTo(b)
                .isEqualTo(LeaderElection.leaseName(shard("buildkite.elasticci.io/shard=a", null)));
    }

    @Test
    void aNameALeaseCannotEndWithStopsTheStart() {
        assertThatThrownBy(() -> LeaderElection.leaseName(shard("x=y", "Shard_A")))
                .hasMessageContaining("bkat.shard.name");
    }
}
