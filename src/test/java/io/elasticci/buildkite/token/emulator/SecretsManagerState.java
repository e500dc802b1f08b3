package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Secrets Manager secrets of one account, in every region (replication crosses regions). Holds all the semantics:
 * the service handler only translates JSON to these methods and back, and tests use the same methods to arrange
 * fixtures and to assert. Thread-safe: one lock per account; KMS is only ever called with this lock held, never
 * the other way round.
 *
 * <p>Replication: each replica is a secret of its own in the target region holding a copy of the primary's
 * versions, tags and description. A primary change marks its replicas InProgress; they are brought in sync (copy)
 * once {@link #setReplicationDelay(Duration) the replication delay} has passed on the emulator clock (at once with
 * the default delay 0). Until then a replica keeps serving the versions it had.
 *
 * <p>Replica version lag: new versions and staging-label moves can take longer than the rest to reach an existing
 * replica ({@link #setReplicaVersionLag(Duration)}, per region {@link #lagReplica(String, Duration)}). Each version
 * change on the primary is queued per replica as a snapshot of the primary's versions, delivered once its lag has
 * passed; meanwhile the replica serves its previous versions and stages (by ID and by label) and the primary reports
 * the region {@code InProgress} (no StatusMessage, as for any replication in progress), back to {@code InSync} and
 * "Replication succeeded" when the last snapshot has arrived. Tags, description, policy and rotation settings are
 * not held back. Everything is computed lazily when state is read: no threads.
 *
 * <p>No secret value ever appears in a message, a log or a toString.
 */
public final class SecretsManagerState {

    public static final String AWSCURRENT = "AWSCURRENT";
    public static final String AWSPREVIOUS = "AWSPREVIOUS";
    public static final String AWSPENDING = "AWSPENDING";
    public static final String IN_SYNC = "InSync";
    public static final String IN_PROGRESS = "InProgress";
    public static final String FAILED = "Failed";

    static final String NOT_FOUND = "Secrets Manager can't find the specified secret.";
    static final String REPLICA_REFUSED =
            "Operation not permitted on a replica secret. Call must be made in primary secret's region.";
    static final String MARKED_FOR_DELETION =
            "You can't perform this operation on the secret because it was marked for deletion.";
    static final String SCHEDULED_FOR_DELETION =
            "You can't create this secret because a secret with this name is already scheduled for deletion.";
    static final String NAME_EXISTS_IN_REGION = "Replication failed: Secret name already exists in region.";
    static final String REPLICATION_SUCCEEDED = "Replication succeeded";
    static final String NO_ROTATION_LAMBDA = "No Lambda rotation function ARN is associated with this secret.";
    static final String ROTATION_INCOMPLETE = "A previous rotation isn't complete. That rotation will be reattempted.";
    /** Prefix of the values a rotation generates. */
    public static final String ROTATED_VALUE_PREFIX = "bkua_rotated_";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]+");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
    private static final Pattern LAMBDA_ARN = Pattern.compile(
            "arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-[a-z]+)+-\\d+:\\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?");
    private static final String SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int MAX_SECRET_STRING = 65536;

    // ------------------------------------------------------------------ snapshots (public)

    /** Replication status of one replica region, as the primary reports it. */
    public record ReplicaInfo(String region, String kmsKeyId, String status, String statusMessage,
                              Instant lastAccessedDate) {
    }

    /** One version: its ID, staging labels (empty for a deprecated version) and creation time. */
    public record VersionInfo(String versionId, Set<String> stages, Instant createdDate, Instant lastAccessedDate) {
    }

    /**
     * A secret's rotation configuration as DescribeSecret shows it. {@code automaticallyAfterDays} is the value given,
     * or N for {@code rate(N days)}; {@code enabled} false after CancelRotateSecret (the rest stays, as AWS keeps it).
     *
     * @param lambdaArn              RotationLambdaARN
     * @param scheduleExpression     RotationRules.ScheduleExpression as given, or null
     * @param automaticallyAfterDays RotationRules.AutomaticallyAfterDays, or null
     * @param enabled                RotationEnabled
     * @param duration               RotationRules.Duration as given (e.g. "3h"), or null
     */
    public record RotationConfig(String lambdaArn, String scheduleExpression, Integer automaticallyAfterDays,
                                 boolean enabled, String duration) {

        public RotationConfig(String lambdaArn, String scheduleExpression, Integer automaticallyAfterDays,
                              boolean enabled) {
            this(lambdaArn, scheduleExpression, automaticallyAfterDays, enabled, null);
        }
    }

    /** Version values of a snapshot; toString never shows them. */
    public static final class SecretValues {
        private final Map<String, String> strings;
        private final Map<String, byte[]> binaries;

        SecretValues(Map<String, String> strings, Map<String, byte[]> binaries) {
            this.strings = Collections.unmodifiableMap(strings);
            this.binaries = Collections.unmodifiableMap(binaries);
        }

        public Optional<String> string(String versionId) {
            return Optional.ofNullable(strings.get(versionId));
        }

        public Optional<byte[]> binary(String versionId) {
            byte[] b = binaries.get(versionId);
            return b == null ? Optional.empty() : Optional.of(b.clone());
        }

        @Override
        public String toString() {
            return "SecretValues[redacted]";
        }
    }

    /**
     * An immutable snapshot of one secret in one region.
     *
     * @param arn             {@code arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX}
     * @param primaryRegion   for a replica, its primary's region; null for a primary or standalone secret
     * @param kmsKeyArn       ARN of the secret's customer managed key; null for the AWS managed key
     * @param versions        version ID to staging labels, in creation order (deprecated versions: empty set)
     * @param replicas        for a primary, the replication status of each replica region
     * @param deletedDate     when deletion was requested, null if not scheduled for deletion
     * @param deletionDate    when the secret will be removed, null if not scheduled for deletion
     * @param rotation        the rotation configuration, null if rotation was never configured
     * @param lastRotatedDate when the secret was last rotated (RotateSecret or {@link #rotateNow}), or null
     * @param nextRotationDate roughly when the next rotation is due while rotation is enabled with a schedule, or null
     */
    public record SecretInfo(String arn, String name, String region, String primaryRegion, String kmsKeyArn,
                             String description, Map<String, String> tags, Map<String, Set<String>> versions,
                             List<VersionInfo> versionDetails, SecretValues values, List<ReplicaInfo> replicas,
                             Instant createdDate, Instant lastChangedDate, Instant lastAccessedDate,
                             Instant deletedDate, Instant deletionDate, RotationConfig rotation,
                             Instant lastRotatedDate, Instant nextRotationDate) {

        /** The string value of a version, or null. */
        public String valueOf(String versionId) {
            return values.string(versionId).orElse(null);
        }

        public boolean isReplica() {
            return primaryRegion != null;
        }

        public boolean scheduledForDeletion() {
            return deletionDate != null;
        }

        /** The version holding that staging label. */
        public Optional<String> versionWithStage(String stage) {
            return versions.entrySet().stream().filter(e -> e.getValue().contains(stage)).map(Map.Entry::getKey)
                    .findFirst();
        }

        public Optional<String> currentVersionId() {
            return versionWithStage(AWSCURRENT);
        }

        /** The AWSCURRENT string value, or null. */
        public String currentValue() {
            return currentVersionId().map(this::valueOf).orElse(null);
        }

        public Optional<ReplicaInfo> replica(String region) {
            return replicas.stream().filter(r -> r.region().equals(region)).findFirst();
        }

        @Override
        public String toString() {
            return "SecretInfo[arn=" + arn + ", region=" + region + ", primaryRegion=" + primaryRegion
                    + ", kmsKeyArn=" + kmsKeyArn + ", tags=" + tags + ", versions=" + versions + ", replicas="
                    + replicas + ", deletedDate=" + deletedDate + ", rotation=" + rotation + ", values redacted]";
        }
    }

    // ------------------------------------------------------------------ results for the service handler

    record ReplicaRequest(String region, String kmsKeyId) {
    }

    record Created(SecretInfo info, String versionId, List<ReplicaInfo> replication) {
    }

    record Written(SecretInfo info, String versionId, Set<String> stages) {
    }

    record Replicated(SecretInfo info, List<ReplicaInfo> replication) {
    }

    /** RotateSecret's rules; any may be null. */
    record RotationRules(Long automaticallyAfterDays, String scheduleExpression, String duration) {
    }

    /** A secret after RotateSecret or CancelRotateSecret, with the version concerned (null: none). */
    record Rotated(SecretInfo info, String versionId) {
    }

    /** A secret and its resource policy as GetResourcePolicy shows it (null: none). */
    record Policy(SecretInfo info, String policy) {
    }

    /** A read value; toString never shows it. */
    record Value(SecretInfo info, String versionId, Set<String> stages, Instant createdDate, String string,
                 byte[] binary) {
        @Override
        public String toString() {
            return "Value[" + info.arn() + ", " + versionId + ", redacted]";
        }
    }

    // ------------------------------------------------------------------ internal model

    private static final class Version {
        final String id;
        final String string;
        final byte[] binary;
        final Instant created;
        final LinkedHashSet<String> stages = new LinkedHashSet<>();
        Instant lastAccessed;

        Version(String id, String string, byte[] binary, Instant created) {
            this.id = id;
            this.string = string;
            this.binary = binary;
            this.created = created;
        }

        boolean sameValue(String otherString, byte[] otherBinary) {
            return Objects.equals(string, otherString) && Arrays.equals(binary, otherBinary);
        }

        Version copy() {
            Version v = new Version(id, string, binary, created);
            v.stages.addAll(stages);
            return v;
        }
    }

    private static final class Secret {
        final String region;
        final String name;
        final String suffix;
        final String arn;
        final Instant created;
        String description;
        String kmsKeyArn;
        final LinkedHashMap<String, String> tags = new LinkedHashMap<>();
        LinkedHashMap<String, Version> versions = new LinkedHashMap<>();
        Instant lastChanged;
        Instant lastAccessed;
        Instant deletedDate;
        Instant deletionDate;
        /** Set on a replica: its primary. */
        Secret primary;
        /** On a primary: replication per replica region. */
        final LinkedHashMap<String, Replication> replications = new LinkedHashMap<>();
        /** The resource policy as stored: role principals pinned to their unique IDs (null: none). */
        ObjectNode policy;
        /** A document GetResourcePolicy answers verbatim though it is no JSON (a hostile answer); null: none. */
        String unparsedPolicy;
        /** Whether the last PutResourcePolicy set BlockPublicPolicy (null: never put). */
        Boolean blockPublicPolicy;
        /** Rotation configuration (null: never configured). */
        Rotation rotation;
        Instant lastRotated;

        Secret(String region, String name, String suffix, String arn, Instant created) {
            this.region = region;
            this.name = name;
            this.suffix = suffix;
            this.arn = arn;
            this.created = created;
            this.lastChanged = created;
        }
    }

    private static final class Rotation {
        String lambdaArn;
        Long afterDays;
        String schedule;
        String duration;
        boolean enabled;
        Instant configuredAt;

        Rotation copy() {
            Rotation r = new Rotation();
            r.lambdaArn = lambdaArn;
            r.afterDays = afterDays;
            r.schedule = schedule;
            r.duration = duration;
            r.enabled = enabled;
            r.configuredAt = configuredAt;
            return r;
        }
    }

    private static final class Replication {
        final String region;
        final boolean forceOverwrite;
        String kmsKeyId;
        String status;
        String message;
        /** When the next content sync is due; null: none pending. */
        Instant dueAt;
        Secret replica;
        /** Version snapshots on their way to the replica under a version lag, oldest first. */
        final ArrayDeque<PendingVersions> pendingVersions = new ArrayDeque<>();

        Replication(String region, String kmsKeyId, boolean forceOverwrite) {
            this.region = region;
            this.kmsKeyId = kmsKeyId;
            this.forceOverwrite = forceOverwrite;
        }
    }

    /** The primary's versions at one change, due at a replica at {@code dueAt}. */
    private record PendingVersions(Instant dueAt, LinkedHashMap<String, Version> versions) {
    }

    private final String account;
    private final KmsState kms;
    private final Clock clock;
    private final ResourcePolicies policies;
    private final Map<String, Map<String, Secret>> regions = new LinkedHashMap<>();
    private final Map<String, String> replicationFailures = new LinkedHashMap<>();
    private Duration replicationDelay = Duration.ZERO;
    private Duration replicaVersionLag = Duration.ZERO;
    private final Map<String, Duration> replicaVersionLags = new LinkedHashMap<>();

    SecretsManagerState(String account, KmsState kms, Clock clock, IamDirectory iam) {
        this.account = account;
        this.kms = kms;
        this.clock = clock;
        this.policies = new ResourcePolicies(iam);
    }

    public String account() {
        return account;
    }

    /**
     * Removes every secret and pending replication failure, delay and version lags back to zero
     * ({@link AwsEmulator#reset()}).
     */
    synchronized void clear() {
        regions.clear();
        replicationFailures.clear();
        replicationDelay = Duration.ZERO;
        replicaVersionLag = Duration.ZERO;
        replicaVersionLags.clear();
    }

    // ------------------------------------------------------------------ fixture API

    /** Creates a standalone secret with one AWSCURRENT version (kmsKeyRefOrNull null = AWS managed key). */
    public SecretInfo createSecret(String region, String name, String value, String kmsKeyRefOrNull,
                                   Map<String, String> tags) {
        return create(region, name, null, kmsKeyRefOrNull, value, null, UUID.randomUUID().toString(),
                tags == null ? Map.of() : tags, List.of(), false).info();
    }

    /** The secret by name or ARN in that region (also when scheduled for deletion), or empty. */
    public synchronized Optional<SecretInfo> secret(String region, String nameOrArn) {
        settle();
        return lookup(region, nameOrArn).map(this::info);
    }

    /** All secrets in a region (replicas included), by name. */
    public synchronized List<SecretInfo> secrets(String region) {
        settle();
        return secretsIn(region).values().stream().map(this::info).toList();
    }

    /** The string value of a version, by version ID or staging label. */
    public synchronized Optional<String> value(String region, String nameOrArn, String versionIdOrStage) {
        settle();
        return lookup(region, nameOrArn).flatMap(s -> {
            Version v = s.versions.get(versionIdOrStage);
            if (v == null) {
                v = withStage(s, versionIdOrStage);
            }
            return v == null ? Optional.empty() : Optional.ofNullable(v.string);
        });
    }

    /** Puts a new AWSCURRENT version as PutSecretValue does; returns its version ID. */
    public String putValue(String region, String nameOrArn, String value) {
        return putSecretValue(region, nameOrArn, UUID.randomUUID().toString(), value, null, null).versionId();
    }

    /** Replicates a primary secret to another region, as ReplicateSecretToRegions does. */
    public void replicate(String region, String nameOrArn, String targetRegion, String kmsKeyRefOrNull) {
        replicateToRegions(region, nameOrArn, List.of(new ReplicaRequest(targetRegion, kmsKeyRefOrNull)), false);
    }

    /** How long, on the emulator clock, a replica takes to get in sync. Default zero: at once. */
    public synchronized void setReplicationDelay(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("delay must be zero or positive");
        }
        this.replicationDelay = delay;
    }

    public synchronized Duration replicationDelay() {
        return replicationDelay;
    }

    /**
     * How long, on the emulator clock, a new version or a staging-label move on a primary takes to reach each of its
     * existing replicas (PutSecretValue, UpdateSecret with a value, UpdateSecretVersionStage, a rotation). Default
     * zero: as any other change, after the {@link #setReplicationDelay(Duration) replication delay}. A lag shorter
     * than the replication delay counts as the delay. Until it has passed, the replica keeps serving its previous
     * versions and stages and the primary reports the region {@code InProgress}. Applies to changes made after the
     * call; a {@link #lagReplica(String, Duration) per-region lag} wins over it. A replica that does not exist yet
     * (its first replication still in progress) gets the primary's versions as they are when it is created.
     */
    public synchronized void setReplicaVersionLag(Duration lag) {
        this.replicaVersionLag = requireLag(lag);
    }

    /** The version lag set by {@link #setReplicaVersionLag(Duration)} (not any per-region override). */
    public synchronized Duration replicaVersionLag() {
        return replicaVersionLag;
    }

    /**
     * Lags only the replica in that region (for "a replica that lags"): wins over
     * {@link #setReplicaVersionLag(Duration)}, also when zero. {@code null} removes the override.
     */
    public synchronized void lagReplica(String region, Duration lag) {
        Objects.requireNonNull(region, "region");
        if (lag == null) {
            replicaVersionLags.remove(region);
        } else {
            replicaVersionLags.put(region, requireLag(lag));
        }
    }

    /** The version lag that applies to replicas in that region: its override, else the global lag. */
    public synchronized Duration replicaVersionLag(String region) {
        return replicaVersionLags.getOrDefault(region, replicaVersionLag);
    }

    private static Duration requireLag(Duration lag) {
        if (lag == null || lag.isNegative()) {
            throw new IllegalArgumentException("lag must be zero or positive");
        }
        return lag;
    }

    /** The next replication into that region (initial or update) ends Failed with this status message. */
    public synchronized void failReplication(String region, String message) {
        replicationFailures.put(Objects.requireNonNull(region, "region"), Objects.requireNonNull(message));
    }

    /** Schedules a secret for deletion with the default 30-day recovery window, as DeleteSecret does. */
    public void scheduleDeletion(String region, String name) {
        delete(region, name, null, false);
    }

    /**
     * Rotates a primary (or standalone) secret once, as a rotation Lambda would: a new version with a generated value
     * ({@value #ROTATED_VALUE_PREFIX} + 32 hex digits) under AWSPENDING, then AWSCURRENT moved to it (the old current
     * becomes AWSPREVIOUS) and AWSPENDING removed; LastRotatedDate is now. Works whether rotation is configured or not
     * ("rotated by hand"), and leaves the configuration alone. Refused as RotateSecret refuses it: on a replica, on a
     * secret scheduled for deletion, while AWSPENDING is on a version other than AWSCURRENT. Replicas get the new
     * version after the replication delay and any {@link #setReplicaVersionLag(Duration) version lag}.
     *
     * @return the new version's ID
     */
    public synchronized String rotateNow(String region, String nameOrArn) {
        settle();
        Secret s = find(region, nameOrArn);
        requireNotReplica(s);
        requireNotDeleted(s);
        checkRotatable(s, null);
        String versionId = rotate(s, null);
        changed(s, true);
        return versionId;
    }

    /** The secret's rotation configuration in that region; empty when it was never configured or no such secret. */
    public synchronized Optional<RotationConfig> rotation(String region, String nameOrArn) {
        settle();
        return lookup(region, nameOrArn).map(s -> s.rotation == null ? null : config(s.rotation));
    }

    // ------------------------------------------------------------------ operations

    synchronized Created create(String region, String name, String description, String kmsKeyId, String string,
                                byte[] binary, String token, Map<String, String> tags,
                                List<ReplicaRequest> replicaRegions, boolean forceOverwrite) {
        settle();
        validateName(name);
        validateToken(token);
        boolean hasValue = validateValue(string, binary, false);
        validateTags(tags);
        Secret existing = secretsIn(region).get(name);
        if (existing != null) {
            if (existing.deletionDate != null) {
                throw AwsError.of("InvalidRequestException", SCHEDULED_FOR_DELETION);
            }
            Version same = token == null ? null : existing.versions.get(token);
            if (hasValue && same != null && same.sameValue(string, binary)) {
                // a retried CreateSecret with the same token and value: nothing to do
                return new Created(info(existing), token, statuses(existing, null));
            }
            throw AwsError.of("ResourceExistsException",
                    "The operation failed because the secret " + name + " already exists.");
        }
        validateReplicaRequests(region, null, replicaRegions);
        String keyArn = resolveKey(region, kmsKeyId);
        if (hasValue) {
            checkEncrypt(region, keyArn);
        }
        Instant now = clock.instant();
        String suffix = randomSuffix();
        Secret secret = new Secret(region, name, suffix, arn(region, name, suffix), now);
        secret.description = description;
        secret.kmsKeyArn = keyArn;
        secret.tags.putAll(tags);
        String versionId = null;
        if (hasValue) {
            versionId = token != null ? token : UUID.randomUUID().toString();
            addVersion(secret, versionId, string, binary, List.of(AWSCURRENT));
        }
        secretsIn(region).put(name, secret);
        for (ReplicaRequest r : replicaRegions) {
            addReplication(secret, r, forceOverwrite);
        }
        settle();
        return new Created(info(secret), versionId, statuses(secret, null));
    }

    synchronized SecretInfo describe(String region, String secretId) {
        settle();
        return info(find(region, secretId));
    }

    synchronized Value getSecretValue(String region, String secretId, String versionId, String stage) {
        settle();
        Secret s = find(region, secretId);
        requireNotDeleted(s);
        Version v;
        if (versionId != null) {
            v = s.versions.get(versionId);
            if (v == null || (stage != null && !v.stages.contains(stage))) {
                throw AwsError.of("ResourceNotFoundException", "Secrets Manager can't find the specified secret "
                        + "value for VersionId: " + versionId + (stage == null ? "" : " and staging label: " + stage));
            }
        } else {
            String label = stage != null ? stage : AWSCURRENT;
            v = withStage(s, label);
            if (v == null) {
                throw AwsError.of("ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret value for staging label: " + label);
            }
        }
        checkDecrypt(s.region, s.kmsKeyArn);
        Instant today = clock.instant().truncatedTo(ChronoUnit.DAYS);
        s.lastAccessed = today;
        v.lastAccessed = today;
        return new Value(info(s), v.id, Set.copyOf(v.stages), v.created, v.string,
                v.binary == null ? null : v.binary.clone());
    }

    synchronized Written putSecretValue(String region, String secretId, String token, String string, byte[] binary,
                                        List<String> stages) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        validateToken(token);
        validateValue(string, binary, true);
        List<String> labels = stages == null || stages.isEmpty() ? List.of(AWSCURRENT) : stages;
        String versionId = token != null ? token : UUID.randomUUID().toString();
        Version existing = s.versions.get(versionId);
        if (existing != null) {
            if (existing.sameValue(string, binary)) {
                return new Written(info(s), versionId, Set.copyOf(existing.stages));
            }
            throw AwsError.of("ResourceExistsException", "A version with this ClientRequestToken already exists "
                    + "with a different value. You can't modify an existing version; use a new token.");
        }
        checkEncrypt(s.region, s.kmsKeyArn);
        Version v = addVersion(s, versionId, string, binary, labels);
        changed(s, true);
        return new Written(info(s), versionId, Set.copyOf(v.stages));
    }

    synchronized Written updateSecret(String region, String secretId, String token, String description,
                                      String kmsKeyId, String string, byte[] binary) {
        settle();
        Secret s = find(region, secretId);
        requireNotDeleted(s);
        boolean hasValue = validateValue(string, binary, false);
        if (s.primary != null) {
            // in a replica's region only its KMS key can change
            if (hasValue || description != null || kmsKeyId == null) {
                throw AwsError.of("InvalidRequestException", REPLICA_REFUSED);
            }
            String keyArn = resolveKey(s.region, kmsKeyId);
            if (!s.versions.isEmpty()) {
                checkEncrypt(s.region, keyArn);
            }
            s.kmsKeyArn = keyArn;
            s.lastChanged = clock.instant();
            Replication r = s.primary.replications.get(s.region);
            if (r != null) {
                r.kmsKeyId = kmsKeyId.isEmpty() ? null : kmsKeyId;
            }
            return new Written(info(s), null, Set.of());
        }
        validateToken(token);
        if (kmsKeyId != null) {
            String keyArn = resolveKey(s.region, kmsKeyId);
            if (!s.versions.isEmpty() || hasValue) {
                checkEncrypt(s.region, keyArn);
            }
            s.kmsKeyArn = keyArn;
        }
        if (description != null) {
            s.description = description;
        }
        String versionId = null;
        Set<String> stages = Set.of();
        boolean newVersion = false;
        if (hasValue) {
            versionId = token != null ? token : UUID.randomUUID().toString();
            Version existing = s.versions.get(versionId);
            if (existing != null && !existing.sameValue(string, binary)) {
                throw AwsError.of("ResourceExistsException", "A version with this ClientRequestToken already "
                        + "exists with a different value. You can't modify an existing version; use a new token.");
            }
            if (existing == null) {
                checkEncrypt(s.region, s.kmsKeyArn);
                existing = addVersion(s, versionId, string, binary, List.of(AWSCURRENT));
                newVersion = true;
            }
            stages = Set.copyOf(existing.stages);
        }
        if (hasValue || description != null) {
            changed(s, newVersion); // replicated content changed
        } else {
            s.lastChanged = clock.instant(); // a primary's own key does not replicate
        }
        return new Written(info(s), versionId, stages);
    }

    synchronized SecretInfo updateSecretVersionStage(String region, String secretId, String stage,
                                                     String moveToVersionId, String removeFromVersionId) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        if (stage == null || stage.isEmpty()) {
            throw JsonProtocol.Input.missing("VersionStage");
        }
        Version moveTo = null;
        if (moveToVersionId != null) {
            moveTo = s.versions.get(moveToVersionId);
            if (moveTo == null) {
                throw AwsError.of("ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret value for VersionId: " + moveToVersionId);
            }
        }
        Version removeFrom = null;
        if (removeFromVersionId != null) {
            removeFrom = s.versions.get(removeFromVersionId);
            if (removeFrom == null || !removeFrom.stages.contains(stage)) {
                throw AwsError.of("InvalidParameterException", "The parameter RemoveFromVersionId is not valid: "
                        + "version " + removeFromVersionId + " doesn't have the staging label " + stage + ".");
            }
        }
        Version holder = withStage(s, stage);
        if (moveTo != null) {
            if (holder != null && holder != moveTo && removeFrom == null) {
                throw AwsError.of("InvalidParameterException", "The staging label " + stage + " is currently "
                        + "attached to version " + holder.id + ", so you must explicitly reference that version "
                        + "in RemoveFromVersionId.");
            }
            moveStage(s, stage, moveTo);
        } else if (removeFrom != null) {
            if (AWSCURRENT.equals(stage)) {
                throw AwsError.of("InvalidParameterException",
                        "You can't remove the staging label AWSCURRENT; move it to another version instead.");
            }
            removeFrom.stages.remove(stage);
        }
        changed(s, true);
        return info(s);
    }

    /**
     * RotateSecret: stores the configuration (given values replace the stored ones; a missing RotationLambdaARN keeps
     * the stored one) and enables rotation; with RotateImmediately (default true) rotates at once, as
     * {@link #rotateNow} does, with the ClientRequestToken as the new version's ID. A token whose version already
     * holds AWSCURRENT is a retry: nothing rotates again. No Lambda exists here: the ARN is only checked for shape.
     */
    synchronized Rotated rotateSecret(String region, String secretId, String token, String lambdaArn,
                                      RotationRules rules, Boolean rotateImmediately) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        validateToken(token);
        if (lambdaArn != null && !LAMBDA_ARN.matcher(lambdaArn).matches()) {
            throw AwsError.of("InvalidParameterException", "The RotationLambdaARN " + lambdaArn
                    + " isn't a valid Lambda function ARN.");
        }
        if (rules != null) {
            RotationSchedule.validate(rules.automaticallyAfterDays(), rules.scheduleExpression(), rules.duration());
        }
        String lambda = lambdaArn != null ? lambdaArn : s.rotation == null ? null : s.rotation.lambdaArn;
        if (lambda == null) {
            throw AwsError.of("InvalidRequestException", NO_ROTATION_LAMBDA);
        }
        boolean immediately = rotateImmediately == null || rotateImmediately;
        Version retried = token == null ? null : s.versions.get(token);
        boolean retry = immediately && retried != null && retried.stages.contains(AWSCURRENT);
        if (immediately && !retry) {
            checkRotatable(s, token);
        }
        Rotation r = s.rotation == null ? new Rotation() : s.rotation.copy();
        r.lambdaArn = lambda;
        if (rules != null) {
            r.afterDays = rules.automaticallyAfterDays();
            r.schedule = rules.scheduleExpression();
            r.duration = rules.duration();
        }
        r.enabled = true;
        r.configuredAt = clock.instant();
        s.rotation = r;
        String versionId = !immediately ? null : retry ? token : rotate(s, token);
        changed(s, immediately && !retry);
        return new Rotated(info(s), versionId);
    }

    /**
     * CancelRotateSecret: turns rotation off (the Lambda ARN and rules stay, RotationEnabled false). Answers the
     * version of a rotation in progress (AWSPENDING on a version other than AWSCURRENT), which keeps its label.
     */
    synchronized Rotated cancelRotateSecret(String region, String secretId) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        if (s.rotation != null && s.rotation.enabled) {
            Rotation r = s.rotation.copy();
            r.enabled = false;
            s.rotation = r;
            changed(s);
        }
        Version pending = withStage(s, AWSPENDING);
        return new Rotated(info(s), pending != null && !pending.stages.contains(AWSCURRENT) ? pending.id : null);
    }

    /** Refuses a rotation as AWS does: one still in progress, a token already used, a key that can't encrypt. */
    private void checkRotatable(Secret s, String token) {
        Version pending = withStage(s, AWSPENDING);
        if (pending != null && !pending.stages.contains(AWSCURRENT)) {
            throw AwsError.of("InvalidRequestException", ROTATION_INCOMPLETE);
        }
        if (token != null && s.versions.containsKey(token)) {
            throw AwsError.of("ResourceExistsException", "A version with this ClientRequestToken already exists "
                    + "with a different value. You can't modify an existing version; use a new token.");
        }
        checkEncrypt(s.region, s.kmsKeyArn);
    }

    /** One rotation as a rotation Lambda performs it (createSecret, then finishSecret); returns the new version. */
    private String rotate(Secret s, String token) {
        String versionId = token != null ? token : UUID.randomUUID().toString();
        String value = ROTATED_VALUE_PREFIX + UUID.randomUUID().toString().replace("-", "");
        Version pending = addVersion(s, versionId, value, null, List.of(AWSPENDING));
        moveStage(s, AWSCURRENT, pending);
        pending.stages.remove(AWSPENDING);
        s.lastRotated = clock.instant();
        return versionId;
    }

    private static RotationConfig config(Rotation r) {
        return new RotationConfig(r.lambdaArn, r.schedule, RotationSchedule.days(r.afterDays, r.schedule), r.enabled,
                r.duration);
    }

    /**
     * Roughly the next rotation while rotation is enabled with a schedule: from the last rotation or value change
     * (AWS counts PutSecretValue and UpdateSecret as a rotation), never before the configuration time.
     */
    private static Instant nextRotation(Secret s) {
        Rotation r = s.rotation;
        if (r == null || !r.enabled) {
            return null;
        }
        Instant base = null;
        Version current = withStage(s, AWSCURRENT);
        for (Instant candidate : Arrays.asList(s.lastRotated, current == null ? null : current.created)) {
            if (candidate != null && (base == null || candidate.isAfter(base))) {
                base = candidate;
            }
        }
        Instant next = RotationSchedule.next(r.afterDays, r.schedule, base == null ? r.configuredAt : base);
        if (next != null && next.isBefore(r.configuredAt)) {
            next = RotationSchedule.next(r.afterDays, r.schedule, r.configuredAt);
        }
        return next;
    }

    synchronized SecretInfo listVersions(String region, String secretId) {
        settle();
        return info(find(region, secretId));
    }

    synchronized SecretInfo tagResource(String region, String secretId, Map<String, String> tags) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        validateTags(tags);
        Map<String, String> merged = new LinkedHashMap<>(s.tags);
        merged.putAll(tags);
        if (merged.size() > 50) {
            throw AwsError.of("InvalidParameterException", "A secret can have at most 50 tags.");
        }
        s.tags.putAll(tags);
        changed(s);
        return info(s);
    }

    synchronized SecretInfo untagResource(String region, String secretId, List<String> tagKeys) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        tagKeys.forEach(s.tags::remove);
        changed(s);
        return info(s);
    }

    synchronized Replicated replicateToRegions(String region, String secretId, List<ReplicaRequest> requests,
                                               boolean forceOverwrite) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        requireNotDeleted(s);
        if (requests.isEmpty()) {
            throw JsonProtocol.Input.missing("AddReplicaRegions");
        }
        validateReplicaRequests(s.region, s, requests);
        for (ReplicaRequest r : requests) {
            addReplication(s, r, forceOverwrite);
        }
        settle();
        Set<String> asked = new LinkedHashSet<>();
        requests.forEach(r -> asked.add(r.region()));
        return new Replicated(info(s), statuses(s, asked));
    }

    synchronized Replicated removeRegionsFromReplication(String region, String secretId, List<String> regionsToRemove) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        if (regionsToRemove == null || regionsToRemove.isEmpty()) {
            throw JsonProtocol.Input.missing("RemoveReplicaRegions");
        }
        for (String r : regionsToRemove) {
            if (!s.replications.containsKey(r)) {
                throw AwsError.of("InvalidParameterException",
                        "The secret isn't replicated to region " + r + ".");
            }
        }
        for (String r : regionsToRemove) {
            Replication replication = s.replications.remove(r);
            if (replication.replica != null) {
                // AWS deletes the replica (StopReplicationToReplica is what promotes one to a standalone secret)
                secretsIn(r).remove(replication.replica.name);
                replication.replica.primary = null;
            }
        }
        s.lastChanged = clock.instant();
        return new Replicated(info(s), statuses(s, null));
    }

    synchronized SecretInfo stopReplicationToReplica(String region, String secretId) {
        settle();
        Secret s = find(region, secretId);
        if (s.primary == null) {
            throw AwsError.of("InvalidRequestException", "This operation is only permitted on a replica secret.");
        }
        Replication replication = s.primary.replications.get(s.region);
        if (replication != null && replication.replica == s) {
            s.primary.replications.remove(s.region);
        }
        s.primary = null;
        s.lastChanged = clock.instant();
        return info(s);
    }

    synchronized SecretInfo delete(String region, String secretId, Long recoveryWindowInDays, boolean force) {
        settle();
        if (force && recoveryWindowInDays != null) {
            throw AwsError.of("InvalidParameterException",
                    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        }
        if (recoveryWindowInDays != null && (recoveryWindowInDays < 7 || recoveryWindowInDays > 30)) {
            throw AwsError.of("InvalidParameterException",
                    "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
        }
        Secret s = find(region, secretId);
        requireNotReplica(s);
        if (!s.replications.isEmpty()) {
            throw AwsError.of("InvalidRequestException", "You can't delete secret " + s.name
                    + " that still has replica regions " + s.replications.keySet()
                    + ". Remove the replica regions first.");
        }
        if (s.deletionDate != null && !force) {
            throw AwsError.of("InvalidRequestException", MARKED_FOR_DELETION);
        }
        Instant now = clock.instant();
        if (force) {
            secretsIn(s.region).remove(s.name);
            s.deletedDate = now;
            s.deletionDate = now;
            return info(s);
        }
        s.deletedDate = now;
        s.deletionDate = now.plus(Duration.ofDays(recoveryWindowInDays == null ? 30 : recoveryWindowInDays));
        s.lastChanged = now;
        return info(s);
    }

    synchronized SecretInfo restore(String region, String secretId) {
        settle();
        Secret s = find(region, secretId);
        requireNotReplica(s);
        s.deletedDate = null;
        s.deletionDate = null;
        s.lastChanged = clock.instant();
        return info(s);
    }

    synchronized List<SecretInfo> list(String region, boolean includePlannedDeletion) {
        settle();
        return secretsIn(region).values().stream()
                .filter(s -> includePlannedDeletion || s.deletionDate == null)
                .sorted((a, b) -> a.name.compareTo(b.name))
                .map(this::info)
                .toList();
    }

    // ------------------------------------------------------------------ resource policies

    /**
     * The resource policy as GetResourcePolicy shows it in that region (a replica shows its primary's), or empty.
     */
    public synchronized Optional<String> resourcePolicy(String region, String nameOrArn) {
        settle();
        return lookup(region, nameOrArn).filter(s -> s.policy != null || s.unparsedPolicy != null)
                .map(s -> s.unparsedPolicy != null ? s.unparsedPolicy : policies.render(s.policy));
    }

    /** Whether the last PutResourcePolicy on the secret asked for BlockPublicPolicy; empty when none was made. */
    public synchronized Optional<Boolean> lastPutBlockedPublicPolicy(String region, String nameOrArn) {
        settle();
        return lookup(region, nameOrArn).map(s -> s.blockPublicPolicy);
    }

    /**
     * From now on GetResourcePolicy answers this text, as if AWS held a document that is not JSON; a
     * PutResourcePolicy or DeleteResourcePolicy replaces it.
     */
    public synchronized void setUnparsedResourcePolicy(String region, String nameOrArn, String text) {
        settle();
        Secret s = find(region, nameOrArn);
        s.unparsedPolicy = text;
        changed(s);
    }

    /** Puts a resource policy as PutResourcePolicy does (same checks; public policies not blocked). */
    public void setResourcePolicy(String region, String nameOrArn, String policyJson) {
        putResourcePolicy(region, nameOrArn, policyJson, false);
    }

    /**
     * Whether the saved resource policy of the secret (as replicated to that region) allows the role the action:
     * an Allow statement names the role's <em>current</em> unique ID (or {@code *}, its conditions permitting) and
     * no Deny statement applies. False when the secret, the policy or the role does not exist. A role re-created
     * after the policy was saved is not granted until the policy is saved again.
     */
    public synchronized boolean policyGrants(String region, String secretName, String roleArn, String action) {
        settle();
        Optional<Secret> secret = lookup(region, secretName);
        if (secret.isEmpty() || secret.get().policy == null) {
            return false;
        }
        return policies.roleByArn(roleArn)
                .map(role -> policies.grants(secret.get().policy, secret.get().arn, role, action))
                .orElse(false);
    }

    synchronized Policy getResourcePolicy(String region, String secretId) {
        settle();
        Secret s = find(region, secretId);
        return new Policy(info(s), s.unparsedPolicy != null ? s.unparsedPolicy
                : s.policy == null ? null : policies.render(s.policy));
    }

    synchronized SecretInfo putResourcePolicy(String region, String secretId, String policyJson,
                                              boolean blockPublicPolicy) {
        settle();
        Secret s = find(region, secretId);
        requirePolicyOnPrimary(s);
        requireNotDeleted(s);
        if (policyJson == null) {
            throw JsonProtocol.Input.missing("ResourcePolicy");
        }
        s.policy = policies.pin(policyJson, blockPublicPolicy);
        s.unparsedPolicy = null;
        s.blockPublicPolicy = blockPublicPolicy;
        changed(s);
        return info(s);
    }

    synchronized SecretInfo deleteResourcePolicy(String region, String secretId) {
        settle();
        Secret s = find(region, secretId);
        requirePolicyOnPrimary(s);
        requireNotDeleted(s);
        if (s.policy != null || s.unparsedPolicy != null) {
            s.policy = null;
            s.unparsedPolicy = null;
            changed(s);
        }
        return info(s);
    }

    synchronized List<ResourcePolicies.Problem> validateResourcePolicy(String region, String secretIdOrNull,
                                                                       String policyJson) {
        settle();
        if (secretIdOrNull != null) {
            find(region, secretIdOrNull);
        }
        if (policyJson == null) {
            throw JsonProtocol.Input.missing("ResourcePolicy");
        }
        return policies.validate(policyJson);
    }

    private static void requirePolicyOnPrimary(Secret s) {
        if (s.primary != null) {
            throw AwsError.of("InvalidParameterException", REPLICA_REFUSED);
        }
    }

    // ------------------------------------------------------------------ replication

    private void validateReplicaRequests(String primaryRegion, Secret primary, List<ReplicaRequest> requests) {
        Set<String> seen = new LinkedHashSet<>();
        for (ReplicaRequest r : requests) {
            if (r.region() == null) {
                throw JsonProtocol.Input.missing("Region");
            }
            if (!REGION.matcher(r.region()).matches()) {
                throw AwsError.of("InvalidParameterException", "Invalid replica region: " + r.region() + ".");
            }
            if (r.region().equals(primaryRegion)) {
                throw AwsError.of("InvalidParameterException",
                        "Invalid replica region: a secret can't be replicated into its primary region.");
            }
            if (!seen.add(r.region())) {
                throw AwsError.of("InvalidParameterException", "Duplicate replica region: " + r.region() + ".");
            }
            Replication existing = primary == null ? null : primary.replications.get(r.region());
            if (existing != null && !(FAILED.equals(existing.status) && existing.replica == null)) {
                throw AwsError.of("InvalidParameterException",
                        "The secret is already replicated to region " + r.region() + ".");
            }
        }
    }

    private void addReplication(Secret primary, ReplicaRequest request, boolean forceOverwrite) {
        String keyId = request.kmsKeyId() == null || request.kmsKeyId().isEmpty() ? null : request.kmsKeyId();
        Replication r = new Replication(request.region(), keyId, forceOverwrite);
        r.status = IN_PROGRESS;
        r.dueAt = clock.instant().plus(replicationDelay);
        primary.replications.put(request.region(), r);
        primary.lastChanged = clock.instant();
    }

    /** A primary changed (not its versions): its replicas go InProgress until the replication delay has passed. */
    private void changed(Secret s) {
        changed(s, false);
    }

    /**
     * A primary changed; with {@code versionsChanged} its versions or staging labels did, and each existing replica
     * gets a snapshot of them that arrives after that region's version lag (only while a lag applies or earlier
     * snapshots are still on their way, so that they arrive in order).
     */
    private void changed(Secret s, boolean versionsChanged) {
        Instant now = clock.instant();
        s.lastChanged = now;
        for (Replication r : s.replications.values()) {
            if (r.replica == null && FAILED.equals(r.status)) {
                continue; // failed before the replica existed: stays failed until replicated again
            }
            r.status = IN_PROGRESS;
            r.message = null;
            r.dueAt = now.plus(replicationDelay);
            Duration lag = replicaVersionLag(r.region);
            if (versionsChanged && r.replica != null && (!lag.isZero() || !r.pendingVersions.isEmpty())) {
                Instant due = now.plus(lag.compareTo(replicationDelay) > 0 ? lag : replicationDelay);
                PendingVersions last = r.pendingVersions.peekLast();
                if (last != null && due.isBefore(last.dueAt())) {
                    due = last.dueAt(); // replication keeps the order of changes
                }
                r.pendingVersions.addLast(new PendingVersions(due, copyVersions(s)));
            }
        }
        settle();
    }

    /** Brings due replications to an end and removes secrets whose recovery window is over. */
    private void settle() {
        Instant now = clock.instant();
        for (Map<String, Secret> secrets : regions.values()) {
            secrets.values().removeIf(s -> s.deletionDate != null && !now.isBefore(s.deletionDate));
        }
        List<Secret> primaries = new ArrayList<>();
        regions.values().forEach(m -> m.values().stream().filter(s -> !s.replications.isEmpty())
                .forEach(primaries::add));
        for (Secret p : primaries) {
            for (Replication r : new ArrayList<>(p.replications.values())) {
                if (IN_PROGRESS.equals(r.status)) {
                    progress(p, r, now);
                }
            }
        }
    }

    /** Applies what is due of one replication in progress; InSync once nothing is left on its way. */
    private void progress(Secret p, Replication r, Instant now) {
        if (r.dueAt != null && !now.isBefore(r.dueAt)) {
            r.dueAt = null;
            if (!complete(p, r)) {
                r.pendingVersions.clear();
                return;
            }
        }
        if (r.replica != null) {
            PendingVersions arrived = null;
            while (!r.pendingVersions.isEmpty() && !now.isBefore(r.pendingVersions.peekFirst().dueAt())) {
                arrived = r.pendingVersions.removeFirst();
            }
            if (arrived != null) {
                replaceVersions(r.replica, arrived.versions());
            }
        }
        if (r.dueAt == null && r.pendingVersions.isEmpty()) {
            r.status = IN_SYNC;
            r.message = REPLICATION_SUCCEEDED;
        }
    }

    /** Syncs a replica with its primary (creating it on the first sync); false when the replication failed. */
    private boolean complete(Secret p, Replication r) {
        String injected = replicationFailures.remove(r.region);
        if (injected != null) {
            fail(r, injected);
            return false;
        }
        String keyArn = null;
        if (r.kmsKeyId == null) {
            kms.awsManagedKey(r.region);
        } else {
            Optional<KmsState.KeyInfo> key = kms.describe(r.region, r.kmsKeyId);
            if (key.isEmpty()) {
                fail(r, "Replication failed: The KMS key " + r.kmsKeyId + " is invalid or doesn't exist in region "
                        + r.region + ".");
                return false;
            }
            if (!key.get().enabled()) {
                fail(r, "Replication failed: The KMS key " + key.get().arn() + " is "
                        + (KmsState.DISABLED.equals(key.get().state()) ? "disabled." : "pending deletion."));
                return false;
            }
            keyArn = key.get().awsManaged() ? null : key.get().arn();
        }
        if (r.replica == null) {
            Secret existing = secretsIn(r.region).get(p.name);
            if (existing != null) {
                if (!r.forceOverwrite) {
                    fail(r, NAME_EXISTS_IN_REGION);
                    return false;
                }
                evict(existing);
            }
            Secret replica = new Secret(r.region, p.name, p.suffix, arn(r.region, p.name, p.suffix), clock.instant());
            replica.primary = p;
            replica.kmsKeyArn = keyArn;
            secretsIn(r.region).put(p.name, replica);
            r.replica = replica;
        }
        Secret replica = r.replica;
        replica.description = p.description;
        replica.tags.clear();
        replica.tags.putAll(p.tags);
        if (r.pendingVersions.isEmpty()) {
            replaceVersions(replica, copyVersions(p)); // else versions arrive as their lag passes
        }
        replica.policy = p.policy == null ? null : p.policy.deepCopy();
        replica.rotation = p.rotation == null ? null : p.rotation.copy();
        replica.lastRotated = p.lastRotated;
        replica.lastChanged = p.lastChanged;
        return true;
    }

    private static LinkedHashMap<String, Version> copyVersions(Secret s) {
        LinkedHashMap<String, Version> copies = new LinkedHashMap<>();
        s.versions.forEach((id, v) -> copies.put(id, v.copy()));
        return copies;
    }

    /** Gives a replica copies of these versions, keeping when it last read each one it already had. */
    private static void replaceVersions(Secret replica, LinkedHashMap<String, Version> versions) {
        LinkedHashMap<String, Version> copies = new LinkedHashMap<>();
        versions.forEach((id, v) -> {
            Version copy = v.copy();
            Version had = replica.versions.get(id);
            if (had != null) {
                copy.lastAccessed = had.lastAccessed;
            }
            copies.put(id, copy);
        });
        replica.versions = copies;
    }

    private static void fail(Replication r, String message) {
        r.status = FAILED;
        r.message = message;
    }

    /** Removes a secret that a forced replication overwrites, unlinking it from any replication. */
    private void evict(Secret victim) {
        if (victim.primary != null) {
            Replication r = victim.primary.replications.get(victim.region);
            if (r != null && r.replica == victim) {
                victim.primary.replications.remove(victim.region);
            }
        }
        for (Replication r : victim.replications.values()) {
            if (r.replica != null) {
                r.replica.primary = null;
            }
        }
        victim.replications.clear();
        secretsIn(victim.region).remove(victim.name);
    }

    // ------------------------------------------------------------------ versions

    private Version addVersion(Secret s, String versionId, String string, byte[] binary, List<String> stages) {
        Version v = new Version(versionId, string, binary == null ? null : binary.clone(), clock.instant());
        s.versions.put(versionId, v);
        for (String stage : stages) {
            moveStage(s, stage, v);
        }
        return v;
    }

    /** Moves a label to a version; moving AWSCURRENT puts AWSPREVIOUS on the version that had it. */
    private static void moveStage(Secret s, String stage, Version target) {
        Version holder = withStage(s, stage);
        if (holder == target) {
            return;
        }
        if (holder != null) {
            holder.stages.remove(stage);
        }
        target.stages.add(stage);
        if (AWSCURRENT.equals(stage) && holder != null) {
            Version previous = withStage(s, AWSPREVIOUS);
            if (previous != null) {
                previous.stages.remove(AWSPREVIOUS);
            }
            holder.stages.add(AWSPREVIOUS);
        }
    }

    private static Version withStage(Secret s, String stage) {
        for (Version v : s.versions.values()) {
            if (v.stages.contains(stage)) {
                return v;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ KMS

    /** A KmsKeyId as Secrets Manager takes it: null/empty/the managed alias = AWS managed key (null). */
    private String resolveKey(String region, String kmsKeyId) {
        if (kmsKeyId == null || kmsKeyId.isEmpty()) {
            kms.awsManagedKey(region);
            return null;
        }
        Optional<KmsState.KeyInfo> key = kms.describe(region, kmsKeyId);
        if (key.isEmpty()) {
            throw AwsError.of("InvalidParameterException", "The operation failed because of an invalid KMS key: "
                    + kms.notFoundMessage(region, kmsKeyId));
        }
        return key.get().awsManaged() ? null : key.get().arn();
    }

    private void checkEncrypt(String region, String keyArn) {
        String reason = kms.unusableReason(region, keyArn != null ? keyArn : kms.awsManagedKey(region).arn());
        if (reason != null) {
            throw AwsError.of("EncryptionFailure",
                    "Secrets Manager can't encrypt the protected secret text using the provided KMS key: " + reason);
        }
    }

    private void checkDecrypt(String region, String keyArn) {
        String reason = kms.unusableReason(region, keyArn != null ? keyArn : kms.awsManagedKey(region).arn());
        if (reason != null) {
            throw AwsError.of("DecryptionFailure",
                    "Secrets Manager can't decrypt the protected secret text using the provided KMS key: " + reason);
        }
    }

    // ------------------------------------------------------------------ lookup & validation

    private Map<String, Secret> secretsIn(String region) {
        return regions.computeIfAbsent(Objects.requireNonNull(region, "region"), r -> new LinkedHashMap<>());
    }

    private Secret find(String region, String secretId) {
        if (secretId == null) {
            throw JsonProtocol.Input.missing("SecretId");
        }
        return lookup(region, secretId).orElseThrow(() -> AwsError.of("ResourceNotFoundException", NOT_FOUND));
    }

    /** By name, full ARN, or partial ARN (without the random suffix), within the region. */
    private Optional<Secret> lookup(String region, String secretId) {
        Map<String, Secret> secrets = secretsIn(region);
        if (!secretId.startsWith("arn:")) {
            return Optional.ofNullable(secrets.get(secretId));
        }
        String[] parts = secretId.split(":", 7);
        if (parts.length != 7 || !parts[2].equals("secretsmanager") || !parts[3].equals(region)
                || !parts[4].equals(account) || !parts[5].equals("secret")) {
            return Optional.empty();
        }
        for (Secret s : secrets.values()) {
            if (s.arn.equals(secretId)) {
                return Optional.of(s);
            }
        }
        return Optional.ofNullable(secrets.get(parts[6]));
    }

    private static void requireNotReplica(Secret s) {
        if (s.primary != null) {
            throw AwsError.of("InvalidRequestException", REPLICA_REFUSED);
        }
    }

    private static void requireNotDeleted(Secret s) {
        if (s.deletionDate != null) {
            throw AwsError.of("InvalidRequestException", MARKED_FOR_DELETION);
        }
    }

    static void validateName(String name) {
        if (name == null) {
            throw JsonProtocol.Input.missing("Name");
        }
        if (name.isEmpty() || name.length() > 512) {
            throw AwsError.of("ValidationException", "1 validation error detected: Value at 'name' failed to "
                    + "satisfy constraint: Member must have length between 1 and 512");
        }
        if (!NAME.matcher(name).matches()) {
            throw AwsError.of("InvalidParameterException", "Invalid name. Must be a valid name containing "
                    + "alphanumeric characters, or any of the following: -/_+=.@!");
        }
    }

    private static void validateToken(String token) {
        if (token != null && (token.length() < 32 || token.length() > 64)) {
            throw AwsError.of("ValidationException", "1 validation error detected: Value at 'clientRequestToken' "
                    + "failed to satisfy constraint: Member must have length between 32 and 64");
        }
    }

    /** Returns whether a value was given. */
    private static boolean validateValue(String string, byte[] binary, boolean required) {
        if (string != null && binary != null) {
            throw AwsError.of("InvalidParameterException",
                    "You can't specify both a binary secret value and a string secret value in the same secret.");
        }
        if (string == null && binary == null) {
            if (required) {
                throw AwsError.of("InvalidRequestException", "You must provide either SecretString or SecretBinary.");
            }
            return false;
        }
        if ((string != null && string.length() > MAX_SECRET_STRING)
                || (binary != null && binary.length > MAX_SECRET_STRING)) {
            throw AwsError.of("ValidationException", "1 validation error detected: Value at 'secretString' failed "
                    + "to satisfy constraint: Member must have length less than or equal to 65536");
        }
        return true;
    }

    private static void validateTags(Map<String, String> tags) {
        for (Map.Entry<String, String> t : tags.entrySet()) {
            if (t.getKey() == null || t.getKey().isEmpty() || t.getKey().length() > 128) {
                throw AwsError.of("InvalidParameterException", "Tag keys must be 1 to 128 characters long.");
            }
            if (t.getValue() != null && t.getValue().length() > 256) {
                throw AwsError.of("InvalidParameterException", "Tag values can be at most 256 characters long.");
            }
            if (t.getKey().toLowerCase().startsWith("aws:")) {
                throw AwsError.of("InvalidParameterException", "Tag keys can't start with the reserved prefix aws:.");
            }
        }
        if (tags.size() > 50) {
            throw AwsError.of("InvalidParameterException", "A secret can have at most 50 tags.");
        }
    }

    private String arn(String region, String name, String suffix) {
        return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:" + name + "-" + suffix;
    }

    private static String randomSuffix() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder b = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            b.append(SUFFIX_CHARS.charAt(random.nextInt(SUFFIX_CHARS.length())));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ snapshots

    private List<ReplicaInfo> statuses(Secret s, Set<String> onlyRegions) {
        List<ReplicaInfo> out = new ArrayList<>();
        for (Replication r : s.replications.values()) {
            if (onlyRegions == null || onlyRegions.contains(r.region)) {
                out.add(new ReplicaInfo(r.region, r.kmsKeyId, r.status, r.message,
                        r.replica == null ? null : r.replica.lastAccessed));
            }
        }
        return List.copyOf(out);
    }

    private SecretInfo info(Secret s) {
        Map<String, Set<String>> versions = new LinkedHashMap<>();
        List<VersionInfo> details = new ArrayList<>();
        Map<String, String> strings = new LinkedHashMap<>();
        Map<String, byte[]> binaries = new LinkedHashMap<>();
        for (Version v : s.versions.values()) {
            Set<String> stages = Collections.unmodifiableSet(new LinkedHashSet<>(v.stages));
            versions.put(v.id, stages);
            details.add(new VersionInfo(v.id, stages, v.created, v.lastAccessed));
            if (v.string != null) {
                strings.put(v.id, v.string);
            }
            if (v.binary != null) {
                binaries.put(v.id, v.binary.clone());
            }
        }
        return new SecretInfo(s.arn, s.name, s.region, s.primary == null ? null : s.primary.region, s.kmsKeyArn,
                s.description, Collections.unmodifiableMap(new LinkedHashMap<>(s.tags)),
                Collections.unmodifiableMap(versions), List.copyOf(details), new SecretValues(strings, binaries),
                statuses(s, null), s.created, s.lastChanged, s.lastAccessed, s.deletedDate, s.deletionDate,
                s.rotation == null ? null : config(s.rotation), s.lastRotated, nextRotation(s));
    }

    @Override
    public String toString() {
        return "SecretsManagerState[" + account + "]";
    }
}
