package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.ReplicaInfo;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.ReplicaRequest;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.SecretInfo;
import io.elasticci.buildkite.token.emulator.SecretsManagerState.VersionInfo;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.elasticci.buildkite.token.emulator.JsonProtocol.putIfNotNull;
import static io.elasticci.buildkite.token.emulator.JsonProtocol.putTimestamp;

/**
 * Secrets Manager over awsJson1.1 ({@code X-Amz-Target: secretsmanager.<Op>}). Translates JSON to
 * {@link SecretsManagerState} calls and back; the semantics live in the state class.
 */
final class SecretsManagerService extends JsonService {

    SecretsManagerService() {
        super("secretsmanager");
        operation("CreateSecret", this::createSecret);
        operation("DescribeSecret", this::describeSecret);
        operation("GetSecretValue", this::getSecretValue);
        operation("PutSecretValue", this::putSecretValue);
        operation("UpdateSecret", this::updateSecret);
        operation("ListSecretVersionIds", this::listSecretVersionIds);
        operation("UpdateSecretVersionStage", this::updateSecretVersionStage);
        operation("RotateSecret", this::rotateSecret);
        operation("CancelRotateSecret", this::cancelRotateSecret);
        operation("TagResource", this::tagResource);
        operation("UntagResource", this::untagResource);
        operation("ReplicateSecretToRegions", this::replicateSecretToRegions);
        operation("RemoveRegionsFromReplication", this::removeRegionsFromReplication);
        operation("StopReplicationToReplica", this::stopReplicationToReplica);
        operation("DeleteSecret", this::deleteSecret);
        operation("RestoreSecret", this::restoreSecret);
        operation("ListSecrets", this::listSecrets);
        operation("GetResourcePolicy", this::getResourcePolicy);
        operation("PutResourcePolicy", this::putResourcePolicy);
        operation("DeleteResourcePolicy", this::deleteResourcePolicy);
        operation("ValidateResourcePolicy", this::validateResourcePolicy);
    }

    @Override
    String name() {
        return "secretsmanager";
    }

    @Override
    String internalErrorCode() {
        return "InternalServiceError";
    }

    private ObjectNode createSecret(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Created created = ctx.secretsManager().create(ctx.region(), in.requiredString("Name"),
                in.string("Description"), in.string("KmsKeyId"), in.string("SecretString"), in.blob("SecretBinary"),
                in.string("ClientRequestToken"), tags(in), replicaRequests(in),
                in.bool("ForceOverwriteReplicaSecret", false));
        ObjectNode out = arnAndName(created.info());
        putIfNotNull(out, "VersionId", created.versionId());
        if (!created.replication().isEmpty()) {
            out.set("ReplicationStatus", replicationStatus(created.replication()));
        }
        return out;
    }

    private ObjectNode describeSecret(CallContext ctx, JsonProtocol.Input in) {
        SecretInfo s = ctx.secretsManager().describe(ctx.region(), in.requiredString("SecretId"));
        return describe(s, "VersionIdsToStages");
    }

    private ObjectNode getSecretValue(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Value v = ctx.secretsManager().getSecretValue(ctx.region(), in.requiredString("SecretId"),
                in.string("VersionId"), in.string("VersionStage"));
        ObjectNode out = arnAndName(v.info());
        out.put("VersionId", v.versionId());
        if (v.string() != null) {
            out.put("SecretString", v.string());
        }
        if (v.binary() != null) {
            out.put("SecretBinary", Base64.getEncoder().encodeToString(v.binary()));
        }
        out.set("VersionStages", JsonProtocol.strings(v.stages()));
        putTimestamp(out, "CreatedDate", v.createdDate());
        return out;
    }

    private ObjectNode putSecretValue(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Written w = ctx.secretsManager().putSecretValue(ctx.region(),
                in.requiredString("SecretId"), in.string("ClientRequestToken"), in.string("SecretString"),
                in.blob("SecretBinary"), in.strings("VersionStages"));
        ObjectNode out = arnAndName(w.info());
        out.put("VersionId", w.versionId());
        out.set("VersionStages", JsonProtocol.strings(w.stages()));
        return out;
    }

    private ObjectNode updateSecret(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Written w = ctx.secretsManager().updateSecret(ctx.region(),
                in.requiredString("SecretId"), in.string("ClientRequestToken"), in.string("Description"),
                in.string("KmsKeyId"), in.string("SecretString"), in.blob("SecretBinary"));
        ObjectNode out = arnAndName(w.info());
        putIfNotNull(out, "VersionId", w.versionId());
        return out;
    }

    private ObjectNode listSecretVersionIds(CallContext ctx, JsonProtocol.Input in) {
        SecretInfo s = ctx.secretsManager().listVersions(ctx.region(), in.requiredString("SecretId"));
        boolean includeDeprecated = in.bool("IncludeDeprecated", false);
        ObjectNode out = arnAndName(s);
        ArrayNode versions = out.putArray("Versions");
        for (VersionInfo v : s.versionDetails()) {
            if (!includeDeprecated && v.stages().isEmpty()) {
                continue;
            }
            ObjectNode node = versions.addObject();
            node.put("VersionId", v.versionId());
            node.set("VersionStages", JsonProtocol.strings(v.stages()));
            putTimestamp(node, "LastAccessedDate", v.lastAccessedDate());
            putTimestamp(node, "CreatedDate", v.createdDate());
        }
        return out;
    }

    private ObjectNode updateSecretVersionStage(CallContext ctx, JsonProtocol.Input in) {
        SecretInfo s = ctx.secretsManager().updateSecretVersionStage(ctx.region(), in.requiredString("SecretId"),
                in.requiredString("VersionStage"), in.string("MoveToVersionId"), in.string("RemoveFromVersionId"));
        return arnAndName(s);
    }

    private ObjectNode rotateSecret(CallContext ctx, JsonProtocol.Input in) {
        JsonProtocol.Input rules = in.object("RotationRules");
        SecretsManagerState.Rotated r = ctx.secretsManager().rotateSecret(ctx.region(), in.requiredString("SecretId"),
                in.string("ClientRequestToken"), in.string("RotationLambdaARN"),
                rules == null ? null : new SecretsManagerState.RotationRules(rules.number("AutomaticallyAfterDays"),
                        rules.string("ScheduleExpression"), rules.string("Duration")),
                in.bool("RotateImmediately"));
        ObjectNode out = arnAndName(r.info());
        putIfNotNull(out, "VersionId", r.versionId());
        return out;
    }

    private ObjectNode cancelRotateSecret(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Rotated r = ctx.secretsManager().cancelRotateSecret(ctx.region(),
                in.requiredString("SecretId"));
        ObjectNode out = arnAndName(r.info());
        putIfNotNull(out, "VersionId", r.versionId());
        return out;
    }

    private ObjectNode tagResource(CallContext ctx, JsonProtocol.Input in) {
        if (!in.has("Tags")) {
            throw JsonProtocol.Input.missing("Tags");
        }
        ctx.secretsManager().tagResource(ctx.region(), in.requiredString("SecretId"), tags(in));
        return JsonProtocol.object();
    }

    private ObjectNode untagResource(CallContext ctx, JsonProtocol.Input in) {
        List<String> keys = in.strings("TagKeys");
        if (keys == null) {
            throw JsonProtocol.Input.missing("TagKeys");
        }
        ctx.secretsManager().untagResource(ctx.region(), in.requiredString("SecretId"), keys);
        return JsonProtocol.object();
    }

    private ObjectNode replicateSecretToRegions(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Replicated r = ctx.secretsManager().replicateToRegions(ctx.region(),
                in.requiredString("SecretId"), replicaRequests(in), in.bool("ForceOverwriteReplicaSecret", false));
        ObjectNode out = JsonProtocol.object();
        out.put("ARN", r.info().arn());
        out.set("ReplicationStatus", replicationStatus(r.replication()));
        return out;
    }

    private ObjectNode removeRegionsFromReplication(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Replicated r = ctx.secretsManager().removeRegionsFromReplication(ctx.region(),
                in.requiredString("SecretId"), in.strings("RemoveReplicaRegions"));
        ObjectNode out = JsonProtocol.object();
        out.put("ARN", r.info().arn());
        out.set("ReplicationStatus", replicationStatus(r.replication()));
        return out;
    }

    private ObjectNode stopReplicationToReplica(CallContext ctx, JsonProtocol.Input in) {
        SecretInfo s = ctx.secretsManager().stopReplicationToReplica(ctx.region(), in.requiredString("SecretId"));
        ObjectNode out = JsonProtocol.object();
        out.put("ARN", s.arn());
        return out;
    }

    private ObjectNode deleteSecret(CallContext ctx, JsonProtocol.Input in) {
        SecretInfo s = ctx.secretsManager().delete(ctx.region(), in.requiredString("SecretId"),
                in.number("RecoveryWindowInDays"), in.bool("ForceDeleteWithoutRecovery", false));
        ObjectNode out = arnAndName(s);
        putTimestamp(out, "DeletionDate", s.deletionDate());
        return out;
    }

    private ObjectNode restoreSecret(CallContext ctx, JsonProtocol.Input in) {
        return arnAndName(ctx.secretsManager().restore(ctx.region(), in.requiredString("SecretId")));
    }

    private ObjectNode listSecrets(CallContext ctx, JsonProtocol.Input in) {
        List<SecretInfo> secrets = ctx.secretsManager().list(ctx.region(), in.bool("IncludePlannedDeletion", false));
        List<JsonProtocol.Input> filters = in.objects("Filters");
        ObjectNode out = JsonProtocol.object();
        ArrayNode list = out.putArray("SecretList");
        for (SecretInfo s : secrets) {
            if (filters.stream().allMatch(f -> matches(s, f))) {
                list.add(describe(s, "SecretVersionsToStages"));
            }
        }
        return out;
    }

    private ObjectNode getResourcePolicy(CallContext ctx, JsonProtocol.Input in) {
        SecretsManagerState.Policy p = ctx.secretsManager().getResourcePolicy(ctx.region(),
                in.requiredString("SecretId"));
        ObjectNode out = arnAndName(p.info());
        putIfNotNull(out, "ResourcePolicy", p.policy());
        return out;
    }

    private ObjectNode putResourcePolicy(CallContext ctx, JsonProtocol.Input in) {
        return arnAndName(ctx.secretsManager().putResourcePolicy(ctx.region(), in.requiredString("SecretId"),
                in.requiredString("ResourcePolicy"), in.bool("BlockPublicPolicy", false)));
    }

    private ObjectNode deleteResourcePolicy(CallContext ctx, JsonProtocol.Input in) {
        return arnAndName(ctx.secretsManager().deleteResourcePolicy(ctx.region(), in.requiredString("SecretId")));
    }

    private ObjectNode validateResourcePolicy(CallContext ctx, JsonProtocol.Input in) {
        List<ResourcePolicies.Problem> problems = ctx.secretsManager().validateResourcePolicy(ctx.region(),
                in.string("SecretId"), in.requiredString("ResourcePolicy"));
        ObjectNode out = JsonProtocol.object();
        out.put("PolicyValidationPassed", problems.isEmpty());
        ArrayNode errors = out.putArray("ValidationErrors");
        problems.forEach(p -> errors.addObject().put("CheckName", p.checkName()).put("ErrorMessage", p.message()));
        return out;
    }

    /** ListSecrets filters: name, description, tag-key, tag-value, primary-region, all (prefix match). */
    private static boolean matches(SecretInfo s, JsonProtocol.Input filter) {
        String key = filter.requiredString("Key");
        List<String> values = filter.strings("Values");
        if (values == null || values.isEmpty()) {
            return true;
        }
        for (String value : values) {
            boolean negate = value.startsWith("!");
            String v = negate ? value.substring(1) : value;
            boolean hit = switch (key) {
                case "name" -> s.name().startsWith(v);
                case "description" -> s.description() != null && s.description().startsWith(v);
                case "tag-key" -> s.tags().keySet().stream().anyMatch(k -> k.startsWith(v));
                case "tag-value" -> s.tags().values().stream().anyMatch(t -> t != null && t.startsWith(v));
                case "primary-region" -> primaryRegion(s).startsWith(v);
                case "all" -> s.name().startsWith(v) || (s.description() != null && s.description().startsWith(v))
                        || s.tags().keySet().stream().anyMatch(k -> k.startsWith(v))
                        || s.tags().values().stream().anyMatch(t -> t != null && t.startsWith(v));
                default -> throw AwsError.of("InvalidParameterException", "Invalid filter key: " + key);
            };
            if (hit != negate) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ shapes

    private static ObjectNode describe(SecretInfo s, String versionsField) {
        ObjectNode out = arnAndName(s);
        putIfNotNull(out, "Description", s.description());
        putIfNotNull(out, "KmsKeyId", s.kmsKeyArn());
        SecretsManagerState.RotationConfig rotation = s.rotation();
        out.put("RotationEnabled", rotation != null && rotation.enabled());
        if (rotation != null) {
            putIfNotNull(out, "RotationLambdaARN", rotation.lambdaArn());
            ObjectNode rules = JsonProtocol.object();
            if (rotation.automaticallyAfterDays() != null) {
                rules.put("AutomaticallyAfterDays", rotation.automaticallyAfterDays());
            }
            putIfNotNull(rules, "Duration", rotation.duration());
            putIfNotNull(rules, "ScheduleExpression", rotation.scheduleExpression());
            if (!rules.isEmpty()) {
                out.set("RotationRules", rules);
            }
        }
        putTimestamp(out, "LastRotatedDate", s.lastRotatedDate());
        putTimestamp(out, "NextRotationDate", s.nextRotationDate());
        putTimestamp(out, "LastChangedDate", s.lastChangedDate());
        putTimestamp(out, "LastAccessedDate", s.lastAccessedDate());
        putTimestamp(out, "DeletedDate", s.deletedDate());
        if (!s.tags().isEmpty()) {
            out.set("Tags", JsonProtocol.tags(s.tags()));
        }
        ObjectNode versions = JsonProtocol.object();
        s.versions().forEach((id, stages) -> {
            if (!stages.isEmpty()) {
                versions.set(id, JsonProtocol.strings(stages));
            }
        });
        out.set(versionsField, versions);
        putTimestamp(out, "CreatedDate", s.createdDate());
        out.put("PrimaryRegion", primaryRegion(s));
        if (!s.replicas().isEmpty()) {
            out.set("ReplicationStatus", replicationStatus(s.replicas()));
        }
        return out;
    }

    private static String primaryRegion(SecretInfo s) {
        return s.isReplica() ? s.primaryRegion() : s.region();
    }

    private static ObjectNode arnAndName(SecretInfo s) {
        ObjectNode out = JsonProtocol.object();
        out.put("ARN", s.arn());
        out.put("Name", s.name());
        return out;
    }

    private static ArrayNode replicationStatus(List<ReplicaInfo> replicas) {
        ArrayNode array = JsonProtocol.array();
        for (ReplicaInfo r : replicas) {
            ObjectNode node = array.addObject();
            node.put("Region", r.region());
            putIfNotNull(node, "KmsKeyId", r.kmsKeyId());
            node.put("Status", r.status());
            putIfNotNull(node, "StatusMessage", r.statusMessage());
            putTimestamp(node, "LastAccessedDate", r.lastAccessedDate());
        }
        return array;
    }

    private static Map<String, String> tags(JsonProtocol.Input in) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonProtocol.Input tag : in.objects("Tags")) {
            String key = tag.string("Key");
            if (key == null) {
                throw AwsError.of("InvalidParameterException", "Tag keys must be 1 to 128 characters long.");
            }
            tags.put(key, tag.string("Value") == null ? "" : tag.string("Value"));
        }
        return tags;
    }

    private static List<ReplicaRequest> replicaRequests(JsonProtocol.Input in) {
        List<ReplicaRequest> out = new ArrayList<>();
        for (JsonProtocol.Input r : in.objects("AddReplicaRegions")) {
            out.add(new ReplicaRequest(r.string("Region"), r.string("KmsKeyId")));
        }
        return out;
    }
}
