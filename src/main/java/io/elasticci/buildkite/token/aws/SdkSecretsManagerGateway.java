package io.elasticci.buildkite.token.aws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** {@link SecretsManagerGateway} over the AWS SDK. */
@ApplicationScoped
public class SdkSecretsManagerGateway implements SecretsManagerGateway {

    private static final String SERVICE = "secretsmanager";

    private final AwsClients clients;

    @Inject
    public SdkSecretsManagerGateway(AwsClients clients) {
        this.clients = clients;
    }

    @Override
    public Optional<SecretDescription> describe(String region, String secretId) {
        return AwsCall.absentIfNotFound(() -> toDescription(region,
                call("DescribeSecret", region, c -> c.describeSecret(b -> b.secretId(secretId)))));
    }

    @Override
    public Optional<SecretValue> value(String region, String secretId, String versionId) {
        return AwsCall.absentIfNotFound(() -> SecretValue.of(call("GetSecretValue", region,
                c -> c.getSecretValue(b -> b.secretId(secretId).versionId(versionId))).secretString()));
    }

    @Override
    public List<String> versionIds(String region, String secretId) {
        return call("ListSecretVersionIds", region, c -> {
            List<String> ids = new ArrayList<>();
            c.listSecretVersionIdsPaginator(b -> b.secretId(secretId).includeDeprecated(true))
                    .forEach(page -> page.versions().forEach((SecretVersionsListEntry v) -> ids.add(v.versionId())));
            return ids;
        });
    }

    @Override
    public Optional<java.time.Instant> versionCreated(String region, String secretId, String versionId) {
        return AwsCall.absentIfNotFound(() -> call("ListSecretVersionIds", region, c -> {
            for (var page : c.listSecretVersionIdsPaginator(b -> b.secretId(secretId).includeDeprecated(true))) {
                for (SecretVersionsListEntry v : page.versions()) {
                    if (v.versionId().equals(versionId)) {
                        return v.createdDate();
                    }
                }
            }
            return null;
        }));
    }

    @Override
    public void configureRotation(String region, String secretId, String lambdaArn, String scheduleExpression) {
        call("RotateSecret", region, c -> c.rotateSecret(b -> b.secretId(secretId).rotationLambdaARN(lambdaArn)
                .rotationRules(r -> r.scheduleExpression(scheduleExpression)).rotateImmediately(false)));
    }

    @Override
    public String create(String region, String name, SecretValue value, String versionToken, String kmsKeyId,
            Map<String, String> tags) {
        return call("CreateSecret", region, c -> c.createSecret(b -> b.name(name).secretString(value.reveal())
                .clientRequestToken(versionToken).kmsKeyId(kmsKeyId).tags(toTags(tags)))).arn();
    }

    @Override
    public void putValue(String region, String secretId, SecretValue value, String versionToken) {
        call("PutSecretValue", region, c -> c.putSecretValue(
                b -> b.secretId(secretId).secretString(value.reveal()).clientRequestToken(versionToken)));
    }

    @Override
    public void moveCurrent(String region, String secretId, String toVersionId, String fromVersionId) {
        call("UpdateSecretVersionStage", region, c -> c.updateSecretVersionStage(b -> b.secretId(secretId)
                .versionStage(SecretDescription.AWSCURRENT).moveToVersionId(toVersionId)
                .removeFromVersionId(fromVersionId)));
    }

    @Override
    public void tag(String region, String secretId, Map<String, String> tags) {
        call("TagResource", region, c -> c.tagResource(b -> b.secretId(secretId).tags(toTags(tags))));
    }

    @Override
    public void untag(String region, String secretId, List<String> keys) {
        call("UntagResource", region, c -> c.untagResource(b -> b.secretId(secretId).tagKeys(keys)));
    }

    @Override
    public void updateKey(String region, String secretId, String kmsKeyId) {
        call("UpdateSecret", region, c -> c.updateSecret(b -> b.secretId(secretId).kmsKeyId(kmsKeyId)));
    }

    @Override
    public void replicate(String primaryRegion, String secretId, List<NewReplica> replicas) {
        List<ReplicaRegionType> regions = replicas.stream()
                .map(r -> ReplicaRegionType.builder().region(r.region()).kmsKeyId(r.kmsKeyId()).build()).toList();
        try {
            call("ReplicateSecretToRegions", primaryRegion, c -> c.replicateSecretToRegions(b -> b.secretId(secretId)
                    .forceOverwriteReplicaSecret(false).addReplicaRegions(regions)));
        } catch (AwsFailure f) {
            // Refused as "already replicated" when an earlier call for the same regions landed after the operator
            // stopped waiting for it (a slow answer): the replicas asked for are there, which is success.
            if (f.kind() != AwsFailure.Kind.INVALID_REQUEST || !replicatedTo(primaryRegion, secretId, replicas)) {
                throw f;
            }
        }
    }

    private boolean replicatedTo(String primaryRegion, String secretId, List<NewReplica> replicas) {
        return describe(primaryRegion, secretId).map(d -> replicas.stream()
                .allMatch(r -> d.replica(r.region()).isPresent())).orElse(false);
    }

    @Override
    public void removeReplica(String primaryRegion, String secretId, String replicaRegion) {
        call("RemoveRegionsFromReplication", primaryRegion,
                c -> c.removeRegionsFromReplication(b -> b.secretId(secretId).removeReplicaRegions(replicaRegion)));
    }

    @Override
    public void scheduleDeletion(String region, String secretId, int recoveryWindowInDays) {
        call("DeleteSecret", region, c -> c.deleteSecret(b -> b.secretId(secretId)
                .recoveryWindowInDays((long) recoveryWindowInDays)));
    }

    @Override
    public Optional<String> resourcePolicy(String region, String secretId) {
        return AwsCall.absentIfNotFound(() -> call("GetResourcePolicy", region,
                c -> c.getResourcePolicy(b -> b.secretId(secretId)).resourcePolicy()))
                .filter(policy -> !policy.isBlank());
    }

    @Override
    public void putResourcePolicy(String region, String secretId, String document) {
        call("PutResourcePolicy", region,
                c -> c.putResourcePolicy(b -> b.secretId(secretId).resourcePolicy(document).blockPublicPolicy(true)));
    }

    @Override
    public void deleteResourcePolicy(String region, String secretId) {
        call("DeleteResourcePolicy", region, c -> c.deleteResourcePolicy(b -> b.secretId(secretId)));
    }

    @Override
    public List<String> validateResourcePolicy(String region, String secretId, String document) {
        return call("ValidateResourcePolicy", region,
                c -> c.validateResourcePolicy(b -> b.secretId(secretId).resourcePolicy(document)))
                .validationErrors().stream().map(e -> e.checkName() + ": " + e.errorMessage()).toList();
    }

    private <T> T call(String operation, String region, Function<SecretsManagerClient, T> call) {
        SecretsManagerClient client = clients.secretsManager(region);
        return AwsCall.run(SERVICE, operation, region, () -> call.apply(client));
    }


    private static SecretDescription toDescription(String region, DescribeSecretResponse d) {
        Map<String, String> tags = new LinkedHashMap<>();
        d.tags().forEach(t -> tags.put(t.key(), t.value()));
        Map<String, Set<String>> stages = new LinkedHashMap<>();
        d.versionIdsToStages().forEach((id, s) -> stages.put(id, new LinkedHashSet<>(s)));
        List<ReplicaDescription> replicas = d.replicationStatus().stream()
                .map(r -> new ReplicaDescription(r.region(), r.kmsKeyId(), r.statusAsString(), r.statusMessage()))
                .toList();
        return new SecretDescription(d.arn(), d.name(), region, d.primaryRegion(), d.kmsKeyId(), tags, stages,
                replicas, d.deletedDate() != null, Boolean.TRUE.equals(d.rotationEnabled()) ? d.rotationLambdaARN() : null,
                d.rotationRules() == null ? null : d.rotationRules().scheduleExpression());
    }

    private static List<Tag> toTags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }
}
