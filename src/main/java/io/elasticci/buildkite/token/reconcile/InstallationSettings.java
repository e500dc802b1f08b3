package io.elasticci.buildkite.token.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What makes this installation itself: the cluster ID in ownership tags and the HMAC key behind version tokens.
 * Both are read once, lazily, and must stay stable across restarts.
 */
@ApplicationScoped
public class InstallationSettings {

    private static final Logger LOG = Logger.getLogger(InstallationSettings.class);
    private static final String KEY_FIELD = "hmac-key";

    private final KubernetesClient client;
    private final OperatorConfig config;
    private volatile String clusterId;
    private volatile VersionTokens versionTokens;

    @Inject
    public InstallationSettings(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.config = config;
    }

    /**
     * The configured cluster ID, else the UID of kube-system (stable for the cluster's lifetime).
     *
     * @throws OperatorSetupException when neither is available; asked again on the next reconcile
     */
    public String clusterId() {
        if (clusterId == null) {
            clusterId = config.clusterId().orElseGet(this::kubeSystemUid);
        }
        return clusterId;
    }

    private String kubeSystemUid() {
        Namespace kubeSystem;
        try {
            kubeSystem = client.namespaces().withName("kube-system").get();
        } catch (KubernetesClientException e) {
            throw new OperatorSetupException("cannot identify the cluster: reading namespace kube-system failed (HTTP "
                    + e.getCode() + "); grant get on namespaces or set bkat.cluster-id");
        }
        if (kubeSystem == null || kubeSystem.getMetadata().getUid() == null) {
            throw new OperatorSetupException("cannot identify the cluster: there is no namespace kube-system to take "
                    + "the UID of; set bkat.cluster-id");
        }
        return kubeSystem.getMetadata().getUid();
    }

    public VersionTokens versionTokens() {
        if (versionTokens == null) {
            synchronized (this) {
                if (versionTokens == null) {
                    versionTokens = new VersionTokens(installationKey());
                }
            }
        }
        return versionTokens;
    }

    /**
     * Where the installation key Secret lives: configured, else the operator's own namespace (POD_NAMESPACE from the
     * Deployment), else the namespace the Kubernetes client is set to (the service account's in a cluster, the current
     * kube context's outside one). Never silently {@code default}.
     */
    String keyNamespace() {
        return config.hmac().secretNamespace()
                .or(() -> Optional.ofNullable(System.getenv("POD_NAMESPACE")).filter(n -> !n.isBlank()))
                .or(() -> Optional.ofNullable(client.getConfiguration().getNamespace()).filter(n -> !n.isBlank()))
                .orElseThrow(() -> new OperatorSetupException("cannot tell where to keep the installation key: set "
                        + "bkat.hmac.secret-namespace (or POD_NAMESPACE, or a namespace in the kube context)"));
    }

    private byte[] installationKey() {
        Optional<String> configured = config.hmac().key();
        if (configured.isPresent()) {
            return configured.get().getBytes(StandardCharsets.UTF_8);
        }
        String namespace = keyNamespace();
        String name = config.hmac().secretName();
        try {
            return readOrCreateKey(namespace, name);
        } catch (KubernetesClientException e) {
            throw new OperatorSetupException("cannot read or create the installation key Secret " + namespace + "/"
                    + name + " (HTTP " + e.getCode() + "); grant get/create on that Secret or set bkat.hmac.key");
        }
    }

    private byte[] readOrCreateKey(String namespace, String name) {
        Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
        if (existing != null && existing.getData() != null && existing.getData().containsKey(KEY_FIELD)) {
            return Base64.getDecoder().decode(existing.getData().get(KEY_FIELD));
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "buildkite-token-operator").endMetadata()
                .withData(Map.of(KEY_FIELD, Base64.getEncoder().encodeToString(key))).build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            LOG.infof("created the installation key Secret %s/%s", namespace, name);
            return key;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) { // another replica won the race: use its key
                return Base64.getDecoder().decode(
                        client.secrets().inNamespace(namespace).withName(name).get().getData().get(KEY_FIELD));
            }
            throw e;
        }
    }
}
