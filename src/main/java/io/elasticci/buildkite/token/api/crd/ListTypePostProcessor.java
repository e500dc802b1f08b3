package io.elasticci.buildkite.token.api.crd;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;

/**
 * Adds the list semantics the CRD generator has no annotation for: {@code spec.regions} is a map keyed by region
 * (so server-side apply and Argo CD merge entries by region) and each region's {@code stacks} is a set.
 * Runs at build time, through {@code quarkus.operator-sdk.crd.post-processor}.
 */
public class ListTypePostProcessor implements CRDPostProcessor {

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition definition) {
            definition.getSpec().getVersions().forEach(version -> {
                JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
                JSONSchemaProps regions = spec == null ? null : spec.getProperties().get("regions");
                if (regions != null) {
                    regions.setXKubernetesListType("map");
                    regions.setXKubernetesListMapKeys(java.util.List.of("region"));
                    JSONSchemaProps stacks = regions.getItems().getSchema().getProperties().get("stacks");
                    if (stacks != null) {
                        stacks.setXKubernetesListType("set");
                    }
                }
            });
        }
        return crd;
    }
}
