package io.elasticci.buildkite.token.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.elasticci.buildkite.token.api.crd.SchemaValidator;
import io.elasticci.buildkite.token.api.crd.ShippedCrd;
import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.elasticci.buildkite.token.reconcile.SpecValidator;

/**
 * Everything that would stop a manifest before the operator acts: what the API server refuses (apiVersion, name,
 * the CRD's schema and CEL rules) and what the operator refuses (its own validator and allow-lists).
 */
final class ManifestCheck {

    private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A manifest and what was found: the typed resource when it is valid. */
    record Checked(Manifests.Manifest manifest, String namespace, Optional<BuildkiteAgentToken> resource,
            List<String> errors) {
    }

    private final SpecValidator validator;
    private final String defaultNamespace;

    ManifestCheck(SpecValidator validator, String defaultNamespace) {
        this.validator = validator;
        this.defaultNamespace = defaultNamespace;
    }

    Checked check(Manifests.Manifest manifest) {
        String namespace = manifest.namespace(defaultNamespace);
        if (manifest.unparsable().isPresent()) {
            return new Checked(manifest, namespace, Optional.empty(), List.of(manifest.unparsable().get()));
        }
        List<String> errors = new ArrayList<>();
        Map<String, Object> document = manifest.document();
        String apiVersion = BuildkiteAgentToken.GROUP + "/" + BuildkiteAgentToken.VERSION;
        if (!apiVersion.equals(document.get("apiVersion"))) {
            errors.add("apiVersion: this operator serves " + apiVersion);
        }
        String name = manifest.name();
        if (name == null || name.length() > 253 || !NAME.matcher(name).matches()) {
            errors.add("metadata.name: required, a DNS subdomain name");
        }
        Object spec = document.get("spec");
        if (spec == null) {
            errors.add("spec: required");
        } else {
            errors.addAll(SchemaValidator.validate(spec, ShippedCrd.specSchema(), "spec"));
        }
        if (!errors.isEmpty()) {
            return new Checked(manifest, namespace, Optional.empty(), errors);
        }
        BuildkiteAgentToken resource = JSON.convertValue(document, BuildkiteAgentToken.class);
        resource.getMetadata().setNamespace(namespace);
        errors.addAll(validator.validate(namespace, resource.getSpec()));
        return new Checked(manifest, namespace, errors.isEmpty() ? Optional.of(resource) : Optional.empty(), errors);
    }
}
