package io.elasticci.buildkite.token.reconcile.act;

import java.time.Clock;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.reconcile.Printable;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Kubernetes Events about a resource, one per change, each with a reason from {@link EventReason}. */
@ApplicationScoped
public class EventPublisher {

    static final String COMPONENT = "buildkite-token-operator";
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final Clock clock;

    @Inject
    public EventPublisher(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The Event of an action done in AWS. */
    public void publish(HasMetadata resource, Action action) {
        publish(resource, EventReason.of(action),
                action.name() + " " + action.target() + " in " + action.region() + ": " + action.detail());
    }

    public void publish(HasMetadata resource, EventReason reason, String message) {
        String now = clock.instant().toString();
        String escaped = Printable.escaped(message);
        String text = escaped.length() > MAX_MESSAGE ? escaped.substring(0, MAX_MESSAGE) : escaped;
        try {
            client.v1().events().inNamespace(resource.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata()
                    .withGenerateName(resource.getMetadata().getName() + "." + reason.name().toLowerCase(Locale.ROOT)
                            + ".")
                    .withNamespace(resource.getMetadata().getNamespace()).endMetadata()
                    .withNewInvolvedObject().withApiVersion(resource.getApiVersion()).withKind(resource.getKind())
                    .withName(resource.getMetadata().getName())
                    .withNamespace(resource.getMetadata().getNamespace())
                    .withUid(resource.getMetadata().getUid()).endInvolvedObject()
                    .withReason(reason.name()).withMessage(text).withType(reason.type())
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build()).create();
        } catch (KubernetesClientException e) {
            // An Event that cannot be written must not fail the reconcile that caused it.
            LOG.warnf("could not record Event %s for %s: %s", reason, resource.getMetadata().getName(), e.getMessage());
        }
    }
}
