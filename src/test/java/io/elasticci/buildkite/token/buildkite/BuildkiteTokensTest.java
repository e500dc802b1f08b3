package io.elasticci.buildkite.token.buildkite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.elasticci.buildkite.token.buildkite.emulator.BuildkiteEmulator;
import io.elasticci.buildkite.token.emulator.MutableClock;

/** The HTTP adapter does what the gateway promises, over real HTTP against the emulator. */
class BuildkiteTokensTest extends BuildkiteClientTestSupport {

    private final HttpBuildkiteTokens tokens = client();

    private List<String> emulatorDescriptions() {
        return buildkite.tokens().tokens(ACME.organization(), ACME.clusterId()).stream()
                .map(t -> t.description()).toList();
    }

    @Test
    void createReturnsTheTokenWithItsValueWhichNothingElseReturns() {
        MintedToken minted = tokens.create(ACME, TokenRequest.described("ci agents"));

        ClusterToken token = minted.token();
        assertThat(minted.value().reveal()).startsWith("bkct_");
        assertThat(buildkite.tokens().acceptsAgentToken(minted.value().reveal())).isTrue();
        assertThat(token.description()).isEqualTo("ci agents");
        assertThat(token.allowedIpAddresses()).containsExactly("0.0.0.0/0");
        assertThat(token.createdAt()).isEqualTo(MutableClock.START);
        assertThat(token.expiresAt()).isNull();
        assertThat(token.graphqlId()).isNotBlank();
        assertThat(token.url()).isEqualTo(buildkite.endpoint() + ACME.tokensPath() + "/" + token.id());
        // ClusterToken has no value: get and list cannot return one, and they return the very same token
        assertThat(tokens.get(ACME, token.id())).contains(token);
        assertThat(tokens.list(ACME)).containsExactly(token);
        assertThat(calls("createToken", "success")).isEqualTo(1);
    }

    @Test
    void createSendsTheExpiryAndTheAllowedAddressesAsOneString() {
        Instant expiry = MutableClock.START.plusSeconds(3600);

        MintedToken minted = tokens.create(ACME, TokenRequest.described("limited").expiringAt(expiry)
                .allowingOnly(List.of("10.0.0.0/8", "2001:db8::/32")));

        assertThat(minted.token().expiresAt()).isEqualTo(expiry);
        assertThat(minted.token().allowedIpAddresses()).containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(buildkite.tokens().tokens(ACME.organization(), ACME.clusterId()).get(0).allowedIpAddresses())
                .isEqualTo("10.0.0.0/8 2001:db8::/32");
        assertThat(minted.token().expiredAt(expiry.minusSeconds(1))).isFalse();
        assertThat(minted.token().expiredAt(expiry)).isTrue();
    }

    @Test
    void listFollowsTheNextLinksOverEveryPage() {
        buildkite.rateLimits().limits(1000, 1000);
        HttpBuildkiteTokens unpaced = client(BuildkiteEmulator.API_TOKEN,
                settings(retry(), java.time.Duration.ofSeconds(5)), new BuildkiteRateLimits(1000, 1000));
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 230; i++) {
            created.add(unpaced.create(ACME, TokenRequest.described("token " + i)).token().id());
        }

        List<ClusterToken> listed = unpaced.list(ACME);

        assertThat(listed).extracting(ClusterToken::id).containsExactlyElementsOf(created);
        assertThat(buildkite.calls().count("listTokens")).as("100 a page").isEqualTo(3);
    }

    @Test
    void getOfAnUnknownTokenIsEmpty() {
        assertThat(tokens.get(ACME, "8a5c5b6e-0000-0000-0000-000000000000")).isEmpty();
    }

    @Test
    void updatesChangeTheDescriptionAndTheAllowedAddresses() {
        String id = tokens.create(ACME, TokenRequest.described("old")).token().id();

        ClusterToken described = tokens.updateDescription(ACME, id, "new");
        ClusterToken narrowed = tokens.updateAllowedIpAddresses(ACME, id, List.of("192.168.0.0/16", "10.1.0.0/16"));
        ClusterToken widened = tokens.updateAllowedIpAddresses(ACME, id, List.of());

        assertThat(described.description()).isEqualTo("new");
        assertThat(narrowed.allowedIpAddresses()).containsExactly("192.168.0.0/16", "10.1.0.0/16");
        assertThat(narrowed.description()).isEqualTo("new");
        assertThat(widened.allowedIpAddresses()).as("empty means everywhere").containsExactly("0.0.0.0/0");
        assertThat(tokens.get(ACME, id)).contains(widened);
    }

    @Test
    void revokeIsIdempotentAndTheTokenIsGone() {
        MintedToken kept = tokens.create(ACME, TokenRequest.described("kept"));
        MintedToken revoked = tokens.create(ACME, TokenRequest.described("revoked"));

        assertThat(tokens.revoke(ACME, revoked.token().id())).isEqualTo(Revocation.REVOKED);
        assertThat(tokens.revoke(ACME, revoked.token().id())).isEqualTo(Revocation.ALREADY_GONE);

        assertThat(tokens.list(ACME)).containsExactly(kept.token());
        assertThat(tokens.get(ACME, revoked.token().id())).isEmpty();
        assertThat(buildkite.tokens().acceptsAgentToken(revoked.value().reveal())).isFalse();
        assertThat(emulatorDescriptions()).containsExactly("kept");
    }

    @Test
    void namesThatWouldLeaveTheirPathSegmentAreRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> tokens.get(ACME, "../../agents")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClusterTokenRef("acme/../other", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenRequest.described("x").allowingOnly(List.of("10.0.0.0/8 0.0.0.0/0")))
                .as("one list entry must not smuggle in a second CIDR").isInstanceOf(IllegalArgumentException.class);
        assertThat(buildkite.calls().all()).isEmpty();
    }
}
