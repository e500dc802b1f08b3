package io.elasticci.buildkite.token.api.crd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
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
                version.setAdditionalPrinterColumns(inDeclaredOrder(version.getAdditionalPrinterColumns()));
                JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
                JSONSchemaProps regions = spec == null ? null : spec.getProperties().get("regions");
                JSONSchemaProps tags = spec == null ? null : spec.getProperties().get("tags");
                if (tags != null && tags.getAdditionalProperties() != null
                        && tags.getAdditionalProperties().getSchema() != null) {
                    tags.getAdditionalProperties().getSchema().setMaxLength(256L);
                }
                if (regions != null) {
                    regions.setXKubernetesListType("map");
                    regions.setXKubernetesListMapKeys(List.of("region"));
                    JSONSchemaProps stacks = regions.getItems().getSchema().getProperties().get("stacks");
                    if (stacks != null) {
                        stacks.setXKubernetesListType("set");
                        stacks.getItems().getSchema().setMaxLength(128L); // bounds the CEL cost estimate
                    }
                }
            });
        }
        return crd;
    }

    /** The generator sorts printer columns by name; kubectl should show them in the order the class declares. */
    private static List<CustomResourceColumnDefinition> inDeclaredOrder(List<CustomResourceColumnDefinition> columns) {
        List<String> order = Arrays.stream(BuildkiteAgentToken.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        List<CustomResourceColumnDefinition> sorted = new ArrayList<>(columns);
        sorted.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
        return sorted;
    }
}
