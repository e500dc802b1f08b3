package io.elasticci.buildkite.token.api.read;

import java.io.IOException;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenSpec;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentTokenStatus;

/**
 * Reads spec and status through {@link TolerantReader}, whatever mapper the Kubernetes client, the informer or a test
 * uses: put on the resource's spec and status setters.
 */
public abstract class TolerantDeserializer<T extends CarriesReadNotes> extends JsonDeserializer<T> {

    private final Class<T> type;
    private final String root;
    private final Supplier<T> empty;

    protected TolerantDeserializer(Class<T> type, String root, Supplier<T> empty) {
        this.type = type;
        this.root = root;
        this.empty = empty;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = p.readValueAsTree();
        return TolerantReader.read(node, type, root, empty);
    }

    /** For {@code spec}. */
    public static final class Spec extends TolerantDeserializer<BuildkiteAgentTokenSpec> {
        public Spec() {
            super(BuildkiteAgentTokenSpec.class, "spec", BuildkiteAgentTokenSpec::new);
        }
    }

    /** For {@code status}. */
    public static final class Status extends TolerantDeserializer<BuildkiteAgentTokenStatus> {
        public Status() {
            super(BuildkiteAgentTokenStatus.class, "status", BuildkiteAgentTokenStatus::new);
        }
    }
}
