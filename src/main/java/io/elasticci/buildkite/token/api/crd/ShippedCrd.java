package io.elasticci.buildkite.token.api.crd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;

/** The CRD this build ships in its jar ({@code META-INF/crds}), as plain maps: what the API server validates with. */
public final class ShippedCrd {

    public static final String RESOURCE = "META-INF/crds/buildkiteagenttokens." + BuildkiteAgentToken.GROUP
            + "-v1.yml";

    private static volatile Map<String, Object> crd;

    private ShippedCrd() {
    }

    /** The openAPIV3Schema of {@code spec} in the served version of this build. */
    public static Map<String, Object> specSchema() {
        Map<String, Object> version = SchemaValidator.Nodes.list(SchemaValidator.Nodes.map(crd(), "spec")
                .get("versions")).stream().map(SchemaValidator.Nodes::map)
                .filter(v -> BuildkiteAgentToken.VERSION.equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new IllegalStateException(RESOURCE + " has no version " + BuildkiteAgentToken.VERSION));
        return SchemaValidator.Nodes.map(version, "schema", "openAPIV3Schema", "properties", "spec");
    }

    private static Map<String, Object> crd() {
        if (crd == null) {
            try (InputStream in = ShippedCrd.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(RESOURCE + " is missing from the application");
                }
                crd = new ObjectMapper(new YAMLFactory()).readValue(in, new TypeReference<Map<String, Object>>() {
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return crd;
    }
}
