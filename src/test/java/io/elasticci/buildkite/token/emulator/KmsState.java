package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * KMS keys and aliases of one account, per region. Used by the KMS service handler, by Secrets Manager to resolve
 * and check the keys secrets name, and directly by tests to arrange fixtures. Thread-safe (one lock per account).
 */
public final class KmsState {

    public static final String CUSTOMER = "CUSTOMER";
    public static final String AWS = "AWS";
    public static final String ENABLED = "Enabled";
    public static final String DISABLED = "Disabled";
    public static final String PENDING_DELETION = "PendingDeletion";

    /** The alias of the AWS managed key that Secrets Manager uses by default. */
    public static final String SECRETS_MANAGER_ALIAS = "alias/aws/secretsmanager";

    /** AWS managed aliases that KMS creates on first reference, with their key's description. */
    private static final Map<String, String> MANAGED_ALIASES = Map.of(
            SECRETS_MANAGER_ALIAS, "Default key that protects my Secrets Manager data when no other key is defined");

    private static final Pattern ALIAS_NAME = Pattern.compile("alias/[a-zA-Z0-9/_-]{1,250}");
    private static final Pattern KEY_ID = Pattern.compile(
            "(mrk-[0-9a-f]{32})|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

    /**
     * A snapshot of a key.
     *
     * @param keyId        key ID (a UUID)
     * @param arn          {@code arn:aws:kms:REGION:ACCOUNT:key/ID}
     * @param region       region
     * @param manager      "CUSTOMER" or "AWS"
     * @param state        "Enabled", "Disabled" or "PendingDeletion"
     * @param description  description ("" when none)
     * @param creationDate creation time on the emulator clock
     */
    public record KeyInfo(String keyId, String arn, String region, String manager, String state, String description,
                          Instant creationDate) {

        public boolean enabled() {
            return ENABLED.equals(state);
        }

        public boolean awsManaged() {
            return AWS.equals(manager);
        }
    }

    /** A snapshot of an alias. */
    public record AliasInfo(String aliasName, String aliasArn, String targetKeyId, String region,
                            Instant creationDate) {
    }

    private static final class Key {
        final String id;
        final String arn;
        final String region;
        final String manager;
        final Instant created;
        String state = ENABLED;
        String description;
        String policy;
        Instant deletionDate;

        Key(String id, String arn, String region, String manager, Instant created, String description) {
            this.id = id;
            this.arn = arn;
            this.region = region;
            this.manager = manager;
            this.created = created;
            this.description = description;
        }

        KeyInfo info() {
            return new KeyInfo(id, arn, region, manager, state, description, created);
        }
    }

    private record Alias(String name, String targetKeyId, Instant created) {
    }

    private final String account;
    private final Clock clock;
    private final Map<String, Map<String, Key>> keys = new LinkedHashMap<>();
    private final Map<String, Map<String, Alias>> aliases = new LinkedHashMap<>();

    KmsState(String account, Clock clock) {
        this.account = account;
        this.clock = clock;
    }

    public String account() {
        return account;
    }

    /** Removes every key and alias (used by {@link AwsEmulator#reset()}). */
    synchronized void clear() {
        keys.clear();
        aliases.clear();
    }

    // ---------------------------------------------------------------- fixture API

    /** Creates an enabled customer managed symmetric key with the default key policy. */
    public KeyInfo createKey(String region) {
        return createKey(region, "");
    }

    public synchronized KeyInfo createKey(String region, String description) {
        return newKey(region, CUSTOMER, description == null ? "" : description, null).info();
    }

    /** Points an alias ({@code alias/...}) at a key (key ID or key ARN). */
    public synchronized void createAlias(String region, String aliasName, String keyId) {
        Key target = resolve(region, keyId);
        validateAliasName(aliasName);
        Map<String, Alias> regionAliases = aliasesIn(region);
        if (regionAliases.containsKey(aliasName)) {
            throw AwsError.of("AlreadyExistsException", "An alias with the name " + aliasArn(region, aliasName)
                    + " already exists");
        }
        regionAliases.put(aliasName, new Alias(aliasName, target.id, clock.instant()));
    }

    /** Points an existing alias at another key. */
    public synchronized void updateAlias(String region, String aliasName, String keyId) {
        Key target = resolve(region, keyId);
        Alias alias = aliasesIn(region).get(aliasName);
        if (alias == null) {
            throw AwsError.of("NotFoundException", "Alias " + aliasArn(region, aliasName) + " is not found.");
        }
        aliasesIn(region).put(aliasName, new Alias(aliasName, target.id, alias.created()));
    }

    public synchronized void deleteAlias(String region, String aliasName) {
        if (aliasesIn(region).remove(aliasName) == null) {
            throw AwsError.of("NotFoundException", "Alias " + aliasArn(region, aliasName) + " is not found.");
        }
    }

    /** keyId: any reference (key ID, key ARN, alias name, alias ARN). */
    public synchronized void disableKey(String region, String keyId) {
        Key key = resolve(region, keyId);
        requireNotPendingDeletion(key);
        key.state = DISABLED;
    }

    public synchronized void enableKey(String region, String keyId) {
        Key key = resolve(region, keyId);
        requireNotPendingDeletion(key);
        key.state = ENABLED;
    }

    /** Schedules deletion: the key goes to PendingDeletion (it is never actually removed). */
    public synchronized Instant scheduleKeyDeletion(String region, String keyId, int pendingWindowInDays) {
        Key key = resolve(region, keyId);
        if (key.manager.equals(AWS)) {
            throw AwsError.of("UnsupportedOperationException", key.arn + " is an AWS managed key.");
        }
        key.state = PENDING_DELETION;
        key.deletionDate = clock.instant().plus(Duration.ofDays(pendingWindowInDays));
        return key.deletionDate;
    }

    public synchronized void cancelKeyDeletion(String region, String keyId) {
        Key key = resolve(region, keyId);
        if (!PENDING_DELETION.equals(key.state)) {
            throw AwsError.of("KMSInvalidStateException", key.arn + " is not pending deletion.");
        }
        key.state = DISABLED;
        key.deletionDate = null;
    }

    /**
     * The key a reference names (key ID, key ARN, alias name, alias ARN), or empty. A reference to an AWS managed
     * alias such as {@code alias/aws/secretsmanager} creates that key on first use, as KMS does.
     */
    public synchronized Optional<KeyInfo> describe(String region, String keyRef) {
        return find(region, keyRef).map(Key::info);
    }

    /** The AWS managed key of Secrets Manager in that region, created on first reference. */
    public synchronized KeyInfo awsManagedKey(String region) {
        return managedKey(region, SECRETS_MANAGER_ALIAS).info();
    }

    public synchronized void setKeyPolicy(String region, String keyId, String policyJson) {
        Key key = resolve(region, keyId);
        validatePolicy(policyJson);
        key.policy = policyJson;
    }

    /**
     * Replaces a key's policy with one that does <em>not</em> delegate to IAM (no account-root statement): the
     * emulator's caller administers the key, and only the given roles may use it. For such a key an IAM policy
     * grant alone gives a role nothing.
     */
    public synchronized void setKeyPolicyWithoutRootDelegation(String region, String keyId,
                                                               String... allowedRoleArns) {
        StringBuilder b = new StringBuilder();
        b.append("{\n")
                .append("  \"Version\" : \"2012-10-17\",\n")
                .append("  \"Id\" : \"key-consolepolicy-3\",\n")
                .append("  \"Statement\" : [ {\n")
                .append("    \"Sid\" : \"Allow access for Key Administrators\",\n")
                .append("    \"Effect\" : \"Allow\",\n")
                .append("    \"Principal\" : {\n")
                .append("      \"AWS\" : \"").append(AwsEmulator.callerArn(account)).append("\"\n")
                .append("    },\n")
                .append("    \"Action\" : [ \"kms:Create*\", \"kms:Describe*\", \"kms:Enable*\", \"kms:List*\", ")
                .append("\"kms:Put*\", \"kms:Update*\", \"kms:Revoke*\", \"kms:Disable*\", \"kms:Get*\", ")
                .append("\"kms:Delete*\", \"kms:TagResource\", \"kms:UntagResource\", \"kms:ScheduleKeyDeletion\", ")
                .append("\"kms:CancelKeyDeletion\" ],\n")
                .append("    \"Resource\" : \"*\"\n")
                .append("  }");
        if (allowedRoleArns.length > 0) {
            b.append(", {\n")
                    .append("    \"Sid\" : \"Allow use of the key\",\n")
                    .append("    \"Effect\" : \"Allow\",\n")
                    .append("    \"Principal\" : {\n")
                    .append("      \"AWS\" : [ ");
            for (int i = 0; i < allowedRoleArns.length; i++) {
                b.append(i == 0 ? "" : ", ").append('"').append(allowedRoleArns[i]).append('"');
            }
            b.append(" ]\n")
                    .append("    },\n")
                    .append("    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", ")
                    .append("\"kms:GenerateDataKey*\", \"kms:DescribeKey\" ],\n")
                    .append("    \"Resource\" : \"*\"\n")
                    .append("  }");
        }
        b.append(" ]\n}");
        setKeyPolicy(region, keyId, b.toString());
    }

    public synchronized String keyPolicy(String region, String keyId) {
        Key key = resolve(region, keyId);
        return key.policy;
    }

    public synchronized List<KeyInfo> keys(String region) {
        return keysIn(region).values().stream().map(Key::info).toList();
    }

    public synchronized List<AliasInfo> aliases(String region, String keyIdOrNull) {
        List<AliasInfo> out = new ArrayList<>();
        for (Alias a : aliasesIn(region).values()) {
            if (keyIdOrNull == null || a.targetKeyId().equals(keyIdOrNull)) {
                out.add(new AliasInfo(a.name(), aliasArn(region, a.name()), a.targetKeyId(), region, a.created()));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- used by the services

    /** The key a reference names, or NotFoundException with KMS's message. */
    synchronized KeyInfo require(String region, String keyRef) {
        return resolve(region, keyRef).info();
    }

    /** Whether the key is usable for cryptographic operations; null when it is, else KMS's reason. */
    synchronized String unusableReason(String region, String keyArn) {
        Optional<Key> key = find(region, keyArn);
        if (key.isEmpty()) {
            return notFoundMessage(region, keyArn);
        }
        return switch (key.get().state) {
            case ENABLED -> null;
            case DISABLED -> key.get().arn + " is disabled.";
            default -> key.get().arn + " is pending deletion.";
        };
    }

    synchronized KeyInfo createKey(String region, String description, String policy) {
        if (policy != null) {
            validatePolicy(policy);
        }
        return newKey(region, CUSTOMER, description == null ? "" : description, policy).info();
    }

    static boolean isManagedAliasName(String aliasName) {
        return aliasName.startsWith("alias/aws/");
    }

    String aliasArn(String region, String aliasName) {
        return "arn:aws:kms:" + region + ":" + account + ":" + aliasName;
    }

    String keyArn(String region, String keyId) {
        return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId;
    }

    /** KMS's NotFoundException message for a reference that names nothing. */
    String notFoundMessage(String region, String keyRef) {
        if (keyRef.startsWith("arn:")) {
            String[] parts = keyRef.split(":", 6);
            if (parts.length == 6 && parts[5].startsWith("alias/")) {
                return "Alias " + keyRef + " is not found.";
            }
            return "Key '" + keyRef + "' does not exist";
        }
        if (keyRef.startsWith("alias/")) {
            return "Alias " + aliasArn(region, keyRef) + " is not found.";
        }
        if (KEY_ID.matcher(keyRef).matches()) {
            return "Key '" + keyArn(region, keyRef) + "' does not exist";
        }
        return "Invalid keyId " + keyRef;
    }

    // ---------------------------------------------------------------- internals

    private Key resolve(String region, String keyRef) {
        Objects.requireNonNull(keyRef, "keyRef");
        return find(region, keyRef).orElseThrow(
                () -> AwsError.of("NotFoundException", notFoundMessage(region, keyRef)));
    }

    private Optional<Key> find(String region, String keyRef) {
        if (keyRef == null || keyRef.isEmpty()) {
            return Optional.empty();
        }
        String ref = keyRef;
        if (ref.startsWith("arn:")) {
            // arn:aws:kms:REGION:ACCOUNT:key/ID or ...:alias/NAME
            String[] parts = ref.split(":", 6);
            if (parts.length != 6 || !parts[2].equals("kms") || !parts[3].equals(region)
                    || !parts[4].equals(account)) {
                return Optional.empty();
            }
            ref = parts[5];
            if (ref.startsWith("key/")) {
                return Optional.ofNullable(keysIn(region).get(ref.substring(4)));
            }
            if (!ref.startsWith("alias/")) {
                return Optional.empty();
            }
        }
        if (ref.startsWith("alias/")) {
            Alias alias = aliasesIn(region).get(ref);
            if (alias != null) {
                return Optional.ofNullable(keysIn(region).get(alias.targetKeyId()));
            }
            if (MANAGED_ALIASES.containsKey(ref)) {
                return Optional.of(managedKey(region, ref));
            }
            return Optional.empty();
        }
        return Optional.ofNullable(keysIn(region).get(ref));
    }

    private Key managedKey(String region, String aliasName) {
        Alias alias = aliasesIn(region).get(aliasName);
        if (alias != null) {
            return keysIn(region).get(alias.targetKeyId());
        }
        Key key = newKey(region, AWS, MANAGED_ALIASES.get(aliasName), null);
        key.policy = managedKeyPolicy(region, aliasName);
        aliasesIn(region).put(aliasName, new Alias(aliasName, key.id, clock.instant()));
        return key;
    }

    private Key newKey(String region, String manager, String description, String policy) {
        Objects.requireNonNull(region, "region");
        String id = UUID.randomUUID().toString();
        Key key = new Key(id, keyArn(region, id), region, manager, clock.instant(), description);
        key.policy = policy != null ? policy : defaultKeyPolicy();
        keysIn(region).put(id, key);
        return key;
    }

    private Map<String, Key> keysIn(String region) {
        return keys.computeIfAbsent(region, r -> new LinkedHashMap<>());
    }

    private Map<String, Alias> aliasesIn(String region) {
        return aliases.computeIfAbsent(region, r -> new LinkedHashMap<>());
    }

    private static void requireNotPendingDeletion(Key key) {
        if (PENDING_DELETION.equals(key.state)) {
            throw AwsError.of("KMSInvalidStateException", key.arn + " is pending deletion.");
        }
    }

    private static void validateAliasName(String aliasName) {
        if (aliasName == null || !ALIAS_NAME.matcher(aliasName).matches()) {
            throw AwsError.of("ValidationException", "Alias must start with the prefix \"alias/\" and contain only "
                    + "alphanumeric characters, forward slashes (/), underscores (_), and dashes (-).");
        }
        if (isManagedAliasName(aliasName)) {
            throw AwsError.of("InvalidAliasNameException",
                    "Alias names that begin with alias/aws/ are reserved for AWS managed keys.");
        }
    }

    private static void validatePolicy(String policyJson) {
        try {
            if (policyJson == null || !JsonProtocol.MAPPER.readTree(policyJson).isObject()) {
                throw AwsError.of("MalformedPolicyDocumentException", "The key policy is not a JSON object.");
            }
        } catch (JsonProcessingException e) {
            throw AwsError.of("MalformedPolicyDocumentException", "The key policy is not valid JSON.");
        }
    }

    private String defaultKeyPolicy() {
        return "{\n"
                + "  \"Version\" : \"2012-10-17\",\n"
                + "  \"Id\" : \"key-default-1\",\n"
                + "  \"Statement\" : [ {\n"
                + "    \"Sid\" : \"Enable IAM User Permissions\",\n"
                + "    \"Effect\" : \"Allow\",\n"
                + "    \"Principal\" : {\n"
                + "      \"AWS\" : \"arn:aws:iam::" + account + ":root\"\n"
                + "    },\n"
                + "    \"Action\" : \"kms:*\",\n"
                + "    \"Resource\" : \"*\"\n"
                + "  } ]\n"
                + "}";
    }

    private String managedKeyPolicy(String region, String aliasName) {
        String service = aliasName.substring("alias/aws/".length());
        return "{\n"
                + "  \"Version\" : \"2012-10-17\",\n"
                + "  \"Id\" : \"auto-" + service + "-2\",\n"
                + "  \"Statement\" : [ {\n"
                + "    \"Sid\" : \"Allow access through " + service + " for all principals in the account\",\n"
                + "    \"Effect\" : \"Allow\",\n"
                + "    \"Principal\" : {\n"
                + "      \"AWS\" : \"*\"\n"
                + "    },\n"
                + "    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", "
                + "\"kms:CreateGrant\", \"kms:DescribeKey\" ],\n"
                + "    \"Resource\" : \"*\",\n"
                + "    \"Condition\" : {\n"
                + "      \"StringEquals\" : {\n"
                + "        \"kms:CallerAccount\" : \"" + account + "\",\n"
                + "        \"kms:ViaService\" : \"" + service + "." + region + ".amazonaws.com\"\n"
                + "      }\n"
                + "    }\n"
                + "  }, {\n"
                + "    \"Sid\" : \"Allow direct access to key metadata to the account\",\n"
                + "    \"Effect\" : \"Allow\",\n"
                + "    \"Principal\" : {\n"
                + "      \"AWS\" : \"arn:aws:iam::" + account + ":root\"\n"
                + "    },\n"
                + "    \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\" ],\n"
                + "    \"Resource\" : \"*\"\n"
                + "  } ]\n"
                + "}";
    }

    synchronized Instant deletionDate(String region, String keyRef) {
        return resolve(region, keyRef).deletionDate;
    }
}
