package io.elasticci.buildkite.token.reconcile;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteStatus;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteTokenStatus;
import io.elasticci.buildkite.token.aws.AwsFailure;
import io.elasticci.buildkite.token.aws.SecretDescription;
import io.elasticci.buildkite.token.aws.SecretValue;
import io.elasticci.buildkite.token.aws.SecretsManagerGateway;
import io.elasticci.buildkite.token.buildkite.BuildkiteClients;
import io.elasticci.buildkite.token.buildkite.BuildkiteFailure;
import io.elasticci.buildkite.token.buildkite.BuildkiteTokens;
import io.elasticci.buildkite.token.buildkite.ClusterToken;
import io.elasticci.buildkite.token.buildkite.ClusterTokenRef;
import io.elasticci.buildkite.token.buildkite.MintedToken;
import io.elasticci.buildkite.token.buildkite.TokenRequest;
import io.elasticci.buildkite.token.plan.DesiredToken;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.plan.Durations;
import io.elasticci.buildkite.token.plan.MintedTokenPlanner;
import io.elasticci.buildkite.token.plan.MintedTokenPlanner.MintReason;
import io.elasticci.buildkite.token.plan.MintedTokenPlanner.Revocation;
import io.elasticci.buildkite.token.plan.OwnedToken;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.RotationState;
import io.elasticci.buildkite.token.plan.TokenDescriptions;
import io.elasticci.buildkite.token.reconcile.act.EventPublisher;
import io.elasticci.buildkite.token.reconcile.act.EventReason;
import io.elasticci.buildkite.token.reconcile.observe.TokenSource;
import io.elasticci.buildkite.token.reconcile.report.Problems;

/**
 * spec.buildkite around one convergence: before it, read the resource's tokens in Buildkite and mint one when due
 * (its value goes to the convergence as the desired value, and nowhere else); after it, revoke the tokens no running
 * instance can hold and those no secret version holds.
 */
@ApplicationScoped
public class MintedTokens {

    private static final int STATUS_TOKENS = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BuildkiteClients clients;
    private final SecretsManagerGateway secrets;
    private final EventPublisher events;
    private final Clock clock;

    @Inject
    public MintedTokens(BuildkiteClients clients, SecretsManagerGateway secrets, EventPublisher events, Clock clock) {
        this.clients = clients;
        this.secrets = secrets;
        this.events = events;
        this.clock = clock;
    }

    /** What prepare found and did; {@code minted} is the new token's value, for this reconcile only. */
    public record Prepared(Optional<Session> session, Optional<SecretValue> minted, Optional<Instant> nextRotation,
            Optional<Problem> problem) {

        static Prepared failed(Problem problem) {
            return new Prepared(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(problem));
        }
    }

    /** The Buildkite side of one reconcile. */
    public record Session(BuildkiteTokens api, ClusterTokenRef cluster, List<OwnedToken> tokens) {
    }

    /** What finish did: problems to report and the status of the Buildkite side. */
    public record Finished(List<Problem> problems, BuildkiteStatus status) {
    }

    /** @param mayMint false in dryRun or while the spec is not fully understood: only look */
    public Prepared prepare(BuildkiteAgentToken resource, DesiredToken desired, TokenSource.Read apiToken,
            VersionTokens versionTokens, boolean mayMint) {
        BuildkiteSpec spec = resource.getSpec().getBuildkite();
        if (apiToken.value().isEmpty()) {
            return Prepared.failed(Problem.secret(Reason.BuildkiteUnauthorized, null,
                    apiToken.problem().orElse("no API access token") + ": the operator needs a Buildkite API access "
                            + "token with read_clusters and write_clusters"));
        }
        BuildkiteTokens api = clients.forApiToken(apiToken.value().get());
        ClusterTokenRef cluster = new ClusterTokenRef(spec.getOrganization(), spec.getClusterId());
        try {
            List<OwnedToken> tokens = new ArrayList<>(owned(api.list(cluster), desired.owner()));
            Optional<SecretDescription> secret = secrets.describe(desired.primaryRegion(), desired.secretName());
            Optional<String> current = secret.filter(s -> !s.isReplica()).flatMap(SecretDescription::currentVersionId);
            Optional<Instant> created = current.flatMap(v -> secrets.versionCreated(desired.primaryRegion(),
                    secret.get().arn(), v));
            Optional<String> currentRotation = tokens.stream().filter(t -> current.isPresent()
                    && t.versionId().equals(current)).map(OwnedToken::rotationId).findFirst();
            MintedTokenPlanner.MintInputs inputs = new MintedTokenPlanner.MintInputs(secret.isPresent(), created,
                    desired.rollout().previous(), current, Optional.ofNullable(Durations.parse(spec.getRotateEvery())),
                    rotateAt(resource), currentRotation, clock.instant());
            Optional<MintReason> due = MintedTokenPlanner.mintDue(inputs);
            Session session = new Session(api, cluster, tokens);
            Optional<SecretValue> minted = due.filter(reason -> mayMint).map(reason -> mint(resource, desired, session,
                    versionTokens, reason, reason == MintReason.REQUESTED
                            ? MintedTokenPlanner.requestedRotationId(rotateAt(resource).orElseThrow())
                            : randomRotationId()));
            return new Prepared(Optional.of(session), minted, MintedTokenPlanner.nextRotation(inputs),
                    Optional.empty());
        } catch (BuildkiteFailure failure) {
            return Prepared.failed(BuildkiteProblems.of(failure));
        } catch (AwsFailure failure) {
            return Prepared.failed(Problems.fromFailure(failure, null, clock.instant()));
        }
    }

    /** Mints a token, names in its description the version that will hold it, then hands its value back. */
    private static String randomRotationId() {
        byte[] id = new byte[4];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private SecretValue mint(BuildkiteAgentToken resource, DesiredToken desired, Session session,
            VersionTokens versionTokens, MintReason reason, String rotationId) {
        BuildkiteSpec spec = resource.getSpec().getBuildkite();
        String name = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        TokenRequest request = TokenRequest.described(TokenDescriptions.pending(name, desired.owner(), rotationId));
        TokenRequest withExpiry = Optional.ofNullable(Durations.parse(spec.getTokenExpiresAfter()))
                .map(after -> request.expiringAt(clock.instant().plus(after))).orElse(request);
        TokenRequest full = spec.getAllowedIpAddresses() == null ? withExpiry
                : withExpiry.allowingOnly(List.of(spec.getAllowedIpAddresses().split(" ")));
        MintedToken minted = session.api().create(session.cluster(), full);
        String versionId = versionTokens.tokenFor(desired.secretName(), minted.value());
        // Until this description names the version, the token is an orphan to the next reconcile: revoked.
        session.api().updateDescription(session.cluster(), minted.token().id(),
                TokenDescriptions.written(name, desired.owner(), rotationId, versionId));
        session.tokens().add(0, new OwnedToken(minted.token().id(), rotationId, Optional.of(versionId),
                minted.token().createdAt(), Optional.ofNullable(minted.token().expiresAt())));
        events.publish(resource, EventReason.BuildkiteTokenCreated, "token " + minted.token().id() + " minted for version "
                + versionId + " (" + reason.name().toLowerCase() + ")");
        return minted.value();
    }

    /** @param mayRevoke false in dryRun or while the spec is not fully understood: only report */
    public Finished finish(BuildkiteAgentToken resource, DesiredToken desired, Prepared prepared,
            Convergence.Result result, boolean mayRevoke) {
        List<Problem> problems = new ArrayList<>();
        List<BuildkiteTokenStatus> revoked = new ArrayList<>();
        Optional<SecretDescription> secret = result.snapshot().flatMap(s -> s.secret());
        Optional<String> current = secret.flatMap(SecretDescription::currentVersionId);
        Session session = prepared.session().orElseThrow();
        List<OwnedToken> remaining = new ArrayList<>(session.tokens());
        if (mayRevoke && result.snapshot().isPresent()) { // never decide on what could not be observed
            try {
                Set<String> versions = versions(desired, secret, session.tokens());
                List<String> revocable = result.rotation().map(RotationState::revocableVersionIds).orElse(List.of());
                for (Revocation revocation : MintedTokenPlanner.revocations(session.tokens(), versions, current,
                        revocable, resource.getSpec().getBuildkite().revokesOldTokens())) {
                    session.api().revoke(session.cluster(), revocation.tokenId());
                    remaining.removeIf(t -> t.id().equals(revocation.tokenId()));
                    revoked.add(revokedStatus(session.tokens(), revocation));
                    boolean orphan = revocation.why() == Revocation.Why.ORPHAN;
                    events.publish(resource, orphan ? EventReason.OrphanTokenRevoked : EventReason.BuildkiteTokenRevoked,
                            "token " + revocation.tokenId() + (orphan ? ", which no secret version holds,"
                                    : " of revocable version " + revocation.versionId().orElse("?"))
                                    + " revoked in Buildkite");
                }
            } catch (BuildkiteFailure failure) {
                problems.add(BuildkiteProblems.of(failure));
            } catch (AwsFailure failure) {
                problems.add(Problems.fromFailure(failure, null, clock.instant()));
            }
        }
        // a token minted now starts the next period now
        Optional<Instant> next = prepared.minted().isPresent()
                ? Optional.ofNullable(Durations.parse(resource.getSpec().getBuildkite().getRotateEvery()))
                        .map(clock.instant()::plus)
                : prepared.nextRotation();
        return new Finished(problems, status(resource, remaining, revoked, current, next));
    }

    /** The secret's version IDs: its staged ones, or all of them when a token names another. */
    private Set<String> versions(DesiredToken desired, Optional<SecretDescription> secret, List<OwnedToken> tokens) {
        if (secret.isEmpty()) {
            return Set.of();
        }
        Set<String> staged = secret.get().versionStages().keySet();
        boolean unstaged = tokens.stream().anyMatch(t -> t.versionId().filter(v -> !staged.contains(v)).isPresent());
        return unstaged ? new HashSet<>(secrets.versionIds(desired.primaryRegion(), secret.get().arn())) : staged;
    }

    private static List<OwnedToken> owned(List<ClusterToken> listed, String owner) {
        List<OwnedToken> owned = new ArrayList<>();
        for (ClusterToken token : listed) {
            TokenDescriptions.parse(token.description(), owner).ifPresent(parsed -> owned.add(new OwnedToken(
                    token.id(), parsed.rotationId(), parsed.versionId(), token.createdAt(),
                    Optional.ofNullable(token.expiresAt()))));
        }
        owned.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
        return owned;
    }

    private static Optional<Instant> rotateAt(BuildkiteAgentToken resource) {
        String value = resource.getMetadata().getAnnotations() == null ? null
                : resource.getMetadata().getAnnotations().get(BuildkiteAgentToken.ROTATE_AT_ANNOTATION);
        try {
            return Optional.ofNullable(value).map(v -> java.time.OffsetDateTime.parse(v).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty(); // SpecValidator refuses it with a message; nothing is minted meanwhile
        }
    }

    private BuildkiteTokenStatus revokedStatus(List<OwnedToken> tokens, Revocation revocation) {
        BuildkiteTokenStatus status = tokens.stream().filter(t -> t.id().equals(revocation.tokenId())).findFirst()
                .map(MintedTokens::statusOf).orElseGet(BuildkiteTokenStatus::new);
        status.revoked = true;
        status.revokedAt = clock.instant().toString();
        return status;
    }

    private static BuildkiteTokenStatus statusOf(OwnedToken token) {
        BuildkiteTokenStatus status = new BuildkiteTokenStatus();
        status.id = token.id();
        status.versionId = token.versionId().orElse(null);
        status.createdAt = token.createdAt() == null ? null : token.createdAt().toString();
        status.expiresAt = token.expiresAt().map(Instant::toString).orElse(null);
        return status;
    }

    private static BuildkiteStatus status(BuildkiteAgentToken resource, List<OwnedToken> listed,
            List<BuildkiteTokenStatus> revoked, Optional<String> current, Optional<Instant> nextRotation) {
        BuildkiteStatus status = new BuildkiteStatus();
        status.currentTokenId = listed.stream().filter(t -> t.versionId().isPresent() && t.versionId().equals(current))
                .map(OwnedToken::id).findFirst().orElse(null);
        status.nextRotationAt = nextRotation.map(Instant::toString).orElse(null);
        if (status.currentTokenId == null && current.isPresent()) {
            status.message = "version " + current.get() + " holds a token this operator did not mint: it is left alone "
                    + "and never revoked; annotate " + BuildkiteAgentToken.ROTATE_AT_ANNOTATION
                    + " to replace it with a minted one";
        }
        listed.forEach(t -> status.tokens.add(statusOf(t)));
        status.tokens.addAll(revoked);
        if (resource.getStatus() != null && resource.getStatus().buildkite != null) {
            resource.getStatus().buildkite.tokens.stream().filter(t -> Boolean.TRUE.equals(t.revoked))
                    .filter(t -> status.tokens.stream().noneMatch(s -> s.id != null && s.id.equals(t.id)))
                    .forEach(status.tokens::add);
        }
        if (status.tokens.size() > STATUS_TOKENS) {
            status.tokens = new ArrayList<>(status.tokens.subList(0, STATUS_TOKENS));
        }
        return status;
    }
}
