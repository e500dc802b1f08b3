package io.elasticci.buildkite.token.reconcile.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.api.crd.CrdSchema;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.config.OperatorConfig;
import io.elasticci.buildkite.token.plan.Problem;
import io.elasticci.buildkite.token.plan.Reason;
import io.elasticci.buildkite.token.reconcile.Listing;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Compares the CRD installed in the cluster with the one this build ships: the API server silently drops fields its
 * CRD lacks, so an older CRD would lose spec settings and the status bookkeeping rotations depend on. Checked at
 * most once per {@code bkat.crd-check-interval}, so applying the new CRD heals without a restart.
 */
@ApplicationScoped
public class InstalledCrd {

    public static final String NAME = "buildkiteagenttokens." + BuildkiteAgentToken.GROUP;
    /** What CRDOutdated tells users to run (deploy/UPGRADING.md gives the same command). */
    public static final String APPLY_COMMAND = "kubectl apply --server-side -k crds/";
    static final String OWN = "META-INF/crds/" + NAME + "-v1.yml";
    private static final Logger LOG = Logger.getLogger(InstalledCrd.class);

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final Clock clock;
    private final String version;
    private final CrdSchema own;
    private volatile Check last;

    private record Check(Instant at, Optional<Problem> outdated) {
    }

    @Inject
    public InstalledCrd(KubernetesClient client, OperatorConfig config, Clock clock,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.client = client;
        this.config = config;
        this.clock = clock;
        this.version = version;
        this.own = CrdSchema.of(load(client, OWN), BuildkiteAgentToken.VERSION);
    }

    /** CRDOutdated when the installed CRD does not keep every field of this build's own. */
    public Optional<Problem> outdated() {
        Check check = last;
        Instant now = clock.instant();
        if (check == null || !now.isBefore(check.at().plus(config.crdCheckInterval()))) {
            check = new Check(now, compare());
            last = check;
        }
        return check.outdated();
    }

    private Optional<Problem> compare() {
        CustomResourceDefinition installed;
        try {
            installed = client.apiextensions().v1().customResourceDefinitions().withName(NAME).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot compare the installed CRD with this operator's (HTTP %d): grant get on "
                    + "customresourcedefinitions/%s to be told when it is outdated", e.getCode(), NAME);
            return Optional.empty();
        }
        if (installed == null) {
            return Optional.empty(); // the informer reports a missing CRD louder than this could
        }
        List<String> lost = own.notKeptBy(CrdSchema.of(installed, BuildkiteAgentToken.VERSION));
        if (lost.isEmpty()) {
            return Optional.empty();
        }
        String listed = Listing.firstFew(lost);
        return Optional.of(Problem.secret(Reason.CRDOutdated, null, "the installed CRD " + NAME
                + " is older than this operator (version " + version + ") needs: " + listed
                + "; the API server drops what it lacks, so nothing is changed in AWS until this release's CRD is "
                + "applied (" + APPLY_COMMAND + ", see deploy/UPGRADING.md)"));
    }

    static CustomResourceDefinition load(KubernetesClient client, String resource) {
        try (InputStream in = InstalledCrd.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not packaged: the build must copy crds/ into the jar");
            }
            return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
