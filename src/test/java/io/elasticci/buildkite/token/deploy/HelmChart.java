package io.elasticci.buildkite.token.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import io.elasticci.buildkite.token.crd.Yaml;

/**
 * The chart in deploy/helm, linted and rendered by Helm itself (helm-java: Helm's Go code as a native library, no
 * helm binary, no cluster). Each rendering is kept under target/helm for reading after a failure.
 */
public final class HelmChart {

    public static final Path DIR = Path.of("deploy", "helm", "buildkite-token-operator");
    public static final Path CRD = DIR.resolve("crds").resolve("buildkiteagenttokens.buildkite.elasticci.io-v1.yml");
    /** The documented install: release and namespace both named after the operator, as deploy/base names things. */
    public static final String RELEASE = "buildkite-token-operator";
    public static final String NAMESPACE = "buildkite-token-operator";
    /** Labels the chart adds for Helm's bookkeeping; deploy/base has none of them. */
    public static final Set<String> BOOKKEEPING_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by",
            "app.kubernetes.io/instance", "app.kubernetes.io/version");
    private static final Path OUT = Path.of("target", "helm");
    private static final AtomicInteger RENDERINGS = new AtomicInteger();

    private HelmChart() {
    }

    /** {@code helm lint --strict} with the default values. */
    public static LintResult lint() {
        return new Helm(DIR).lint().strict().call();
    }

    /** {@code helm template} of the documented install with these values (YAML, may be empty). */
    public static Manifests template(String valuesYaml) {
        return template(RELEASE, NAMESPACE, Map.of(), valuesYaml);
    }

    /**
     * {@code helm template release DIR --namespace namespace --set k=v ... -f values}, plus the chart's crds/ (what
     * {@code --include-crds} adds, and {@code helm install} applies first).
     */
    public static Manifests template(String release, String namespace, Map<String, String> sets, String valuesYaml) {
        Path file = OUT.resolve(RENDERINGS.incrementAndGet() + "-" + release + ".yaml");
        String rendered = command(release, namespace, sets, valuesYaml, file).call();
        List<Map<String, Object>> objects = new ArrayList<>(Yaml.loadAll(write(file, rendered)));
        objects.addAll(Yaml.loadAll(CRD));
        return Manifests.of(objects);
    }

    /** The error that ends {@code helm template} with these values; fails when they render. */
    public static String failure(String valuesYaml) {
        Path file = OUT.resolve(RENDERINGS.incrementAndGet() + "-failing.yaml");
        TemplateCommand command = command(RELEASE, NAMESPACE, Map.of(), valuesYaml, file);
        StringBuilder message = new StringBuilder();
        assertThatThrownBy(command::call).as("helm template with values:\n%s", valuesYaml)
                .satisfies(e -> message.append(e.getMessage()));
        return message.toString();
    }

    private static TemplateCommand command(String release, String namespace, Map<String, String> sets,
            String valuesYaml, Path file) {
        TemplateCommand command = new Helm(DIR).template().withName(release).withNamespace(namespace)
                .withValuesFile(write(Path.of(file + ".values.yaml"), valuesYaml));
        sets.forEach(command::set);
        return command;
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
