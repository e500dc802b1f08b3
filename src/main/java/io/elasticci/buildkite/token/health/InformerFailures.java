package io.elasticci.buildkite.token.health;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonMappingException;

import io.elasticci.buildkite.token.api.read.TolerantReader;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.config.InformerStoppedHandler;

/**
 * Remembers informers that stopped for good (the client gives up on errors it cannot retry, such as an object it
 * cannot deserialize), so health checks report it and Kubernetes restarts the pod instead of leaving it half-dead:
 * alive, but blind to every change.
 */
@ApplicationScoped
public class InformerFailures implements InformerStoppedHandler {

    private static final Logger LOG = Logger.getLogger(InformerFailures.class);

    private final Map<String, String> stopped = new ConcurrentHashMap<>();

    @Override
    @SuppressWarnings("rawtypes")
    public void onStop(SharedIndexInformer informer, Throwable cause) {
        if (cause == null) {
            return; // stopped on purpose: shutdown, or the controller stopping
        }
        String what = informer.getApiTypeClass().getSimpleName() + " informer";
        String why = describe(cause);
        stopped.put(what, why);
        LOG.errorf("%s stopped for good: %s; health checks now report DOWN so the pod is restarted", what, why);
    }

    /** Informer → why it stopped; empty while every informer runs. */
    public Map<String, String> stopped() {
        return Map.copyOf(stopped);
    }

    /**
     * The cause without values from the object: Jackson's messages quote the value it could not read, which in a
     * Secret's informer could be secret.
     */
    static String describe(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JsonMappingException mapping) {
                String path = TolerantReader.path(mapping);
                return "an object cannot be read at " + (path.isEmpty() ? "its root" : path.substring(1)) + " ("
                        + mapping.getClass().getSimpleName() + ")";
            }
        }
        List<String> chain = new java.util.ArrayList<>();
        for (Throwable t = cause; t != null && chain.size() < 3; t = t.getCause() == t ? null : t.getCause()) {
            chain.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        }
        return String.join(" <- ", chain);
    }
}
