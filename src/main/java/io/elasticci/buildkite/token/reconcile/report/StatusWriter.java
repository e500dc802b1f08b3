package io.elasticci.buildkite.token.reconcile.report;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Writes a reconcile's status onto the resource as it is now: read it, replace its status, and write with its
 * resourceVersion; when someone else changed the resource in between (409), read it again and write again. The status
 * is the whole of what the reconcile learnt (rotation bookkeeping, stack updates started), so it is never lost to a
 * concurrent change of labels, annotations or spec; a spec change gets its own reconcile.
 */
@ApplicationScoped
public class StatusWriter {

    static final int MAX_ATTEMPTS = 5;
    private static final Logger LOG = Logger.getLogger(StatusWriter.class);

    private final KubernetesClient client;

    @Inject
    public StatusWriter(KubernetesClient client) {
        this.client = client;
    }

    /** @return how many writes it took (0 when the resource is gone) */
    public int write(BuildkiteAgentToken resource, BuildkiteAgentTokenStatus status) {
        var target = client.resources(BuildkiteAgentToken.class).inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName());
        for (int attempt = 1;; attempt++) {
            BuildkiteAgentToken fresh = target.get();
            if (fresh == null) {
                return 0; // deleted meanwhile: nothing to report on
            }
            fresh.setStatus(status);
            try {
                client.resource(fresh).updateStatus();
                return attempt;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.debugf("status of %s/%s met a newer resourceVersion; writing it on the fresh object",
                        resource.getMetadata().getNamespace(), resource.getMetadata().getName());
            }
        }
    }
}
