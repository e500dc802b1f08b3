package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.elasticci.buildkite.token.emulator.KmsState.AliasInfo;
import io.elasticci.buildkite.token.emulator.KmsState.KeyInfo;

import java.time.Instant;

import static io.elasticci.buildkite.token.emulator.JsonProtocol.putTimestamp;

/** KMS over awsJson1.1 ({@code X-Amz-Target: TrentService.<Op>}): key metadata, aliases and key policies. */
final class KmsService extends JsonService {

    KmsService() {
        super("TrentService");
        operation("CreateKey", this::createKey);
        operation("DescribeKey", this::describeKey);
        operation("ListKeys", this::listKeys);
        operation("CreateAlias", this::createAlias);
        operation("UpdateAlias", this::updateAlias);
        operation("DeleteAlias", this::deleteAlias);
        operation("ListAliases", this::listAliases);
        operation("EnableKey", this::enableKey);
        operation("DisableKey", this::disableKey);
        operation("ScheduleKeyDeletion", this::scheduleKeyDeletion);
        operation("CancelKeyDeletion", this::cancelKeyDeletion);
        operation("GetKeyPolicy", this::getKeyPolicy);
        operation("PutKeyPolicy", this::putKeyPolicy);
    }

    @Override
    String name() {
        return "kms";
    }

    @Override
    String internalErrorCode() {
        return "KMSInternalException";
    }

    private ObjectNode createKey(CallContext ctx, JsonProtocol.Input in) {
        String usage = in.string("KeyUsage");
        if (usage != null && !usage.equals("ENCRYPT_DECRYPT")) {
            throw AwsError.of("UnsupportedOperationException", "The emulator only supports ENCRYPT_DECRYPT keys.");
        }
        KeyInfo key = ctx.kms().createKey(ctx.region(), in.string("Description"), in.string("Policy"));
        ObjectNode out = JsonProtocol.object();
        out.set("KeyMetadata", metadata(ctx, key));
        return out;
    }

    private ObjectNode describeKey(CallContext ctx, JsonProtocol.Input in) {
        KeyInfo key = ctx.kms().require(ctx.region(), in.requiredString("KeyId"));
        ObjectNode out = JsonProtocol.object();
        out.set("KeyMetadata", metadata(ctx, key));
        return out;
    }

    private ObjectNode listKeys(CallContext ctx, JsonProtocol.Input in) {
        ObjectNode out = JsonProtocol.object();
        ArrayNode keys = out.putArray("Keys");
        for (KeyInfo k : ctx.kms().keys(ctx.region())) {
            keys.addObject().put("KeyId", k.keyId()).put("KeyArn", k.arn());
        }
        out.put("Truncated", false);
        return out;
    }

    private ObjectNode createAlias(CallContext ctx, JsonProtocol.Input in) {
        ctx.kms().createAlias(ctx.region(), in.requiredString("AliasName"), in.requiredString("TargetKeyId"));
        return JsonProtocol.object();
    }

    private ObjectNode updateAlias(CallContext ctx, JsonProtocol.Input in) {
        ctx.kms().updateAlias(ctx.region(), in.requiredString("AliasName"), in.requiredString("TargetKeyId"));
        return JsonProtocol.object();
    }

    private ObjectNode deleteAlias(CallContext ctx, JsonProtocol.Input in) {
        ctx.kms().deleteAlias(ctx.region(), in.requiredString("AliasName"));
        return JsonProtocol.object();
    }

    private ObjectNode listAliases(CallContext ctx, JsonProtocol.Input in) {
        String keyId = null;
        if (in.has("KeyId")) {
            keyId = ctx.kms().require(ctx.region(), in.string("KeyId")).keyId();
        }
        ObjectNode out = JsonProtocol.object();
        ArrayNode aliases = out.putArray("Aliases");
        for (AliasInfo a : ctx.kms().aliases(ctx.region(), keyId)) {
            ObjectNode node = aliases.addObject();
            node.put("AliasName", a.aliasName());
            node.put("AliasArn", a.aliasArn());
            node.put("TargetKeyId", a.targetKeyId());
            putTimestamp(node, "CreationDate", a.creationDate());
            putTimestamp(node, "LastUpdatedDate", a.creationDate());
        }
        out.put("Truncated", false);
        return out;
    }

    private ObjectNode enableKey(CallContext ctx, JsonProtocol.Input in) {
        ctx.kms().enableKey(ctx.region(), in.requiredString("KeyId"));
        return JsonProtocol.object();
    }

    private ObjectNode disableKey(CallContext ctx, JsonProtocol.Input in) {
        ctx.kms().disableKey(ctx.region(), in.requiredString("KeyId"));
        return JsonProtocol.object();
    }

    private ObjectNode scheduleKeyDeletion(CallContext ctx, JsonProtocol.Input in) {
        Long days = in.number("PendingWindowInDays");
        int window = days == null ? 30 : days.intValue();
        if (window < 7 || window > 30) {
            throw AwsError.of("ValidationException", "1 validation error detected: Value '" + window
                    + "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 "
                    + "and 30");
        }
        KeyInfo key = ctx.kms().require(ctx.region(), in.requiredString("KeyId"));
        Instant deletion = ctx.kms().scheduleKeyDeletion(ctx.region(), key.keyId(), window);
        ObjectNode out = JsonProtocol.object();
        out.put("KeyId", key.arn());
        putTimestamp(out, "DeletionDate", deletion);
        out.put("KeyState", KmsState.PENDING_DELETION);
        out.put("PendingWindowInDays", window);
        return out;
    }

    private ObjectNode cancelKeyDeletion(CallContext ctx, JsonProtocol.Input in) {
        KeyInfo key = ctx.kms().require(ctx.region(), in.requiredString("KeyId"));
        ctx.kms().cancelKeyDeletion(ctx.region(), key.keyId());
        ObjectNode out = JsonProtocol.object();
        out.put("KeyId", key.arn());
        return out;
    }

    private ObjectNode getKeyPolicy(CallContext ctx, JsonProtocol.Input in) {
        String policyName = policyName(in);
        String policy = ctx.kms().keyPolicy(ctx.region(), in.requiredString("KeyId"));
        ObjectNode out = JsonProtocol.object();
        out.put("Policy", policy);
        out.put("PolicyName", policyName);
        return out;
    }

    private ObjectNode putKeyPolicy(CallContext ctx, JsonProtocol.Input in) {
        policyName(in);
        ctx.kms().setKeyPolicy(ctx.region(), in.requiredString("KeyId"), in.requiredString("Policy"));
        return JsonProtocol.object();
    }

    private static String policyName(JsonProtocol.Input in) {
        String name = in.string("PolicyName");
        if (name != null && !name.equals("default")) {
            throw AwsError.of("NotFoundException", "Policy " + name + " is not found.");
        }
        return "default";
    }

    private static ObjectNode metadata(CallContext ctx, KeyInfo key) {
        ObjectNode m = JsonProtocol.object();
        m.put("AWSAccountId", ctx.account());
        m.put("KeyId", key.keyId());
        m.put("Arn", key.arn());
        putTimestamp(m, "CreationDate", key.creationDate());
        m.put("Enabled", key.enabled());
        m.put("Description", key.description());
        m.put("KeyUsage", "ENCRYPT_DECRYPT");
        m.put("KeyState", key.state());
        putTimestamp(m, "DeletionDate", ctx.kms().deletionDate(ctx.region(), key.keyId()));
        m.put("Origin", "AWS_KMS");
        m.put("KeyManager", key.manager());
        m.put("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT");
        m.put("KeySpec", "SYMMETRIC_DEFAULT");
        m.putArray("EncryptionAlgorithms").add("SYMMETRIC_DEFAULT");
        m.put("MultiRegion", false);
        return m;
    }
}
