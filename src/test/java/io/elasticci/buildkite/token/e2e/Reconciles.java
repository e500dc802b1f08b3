package io.elasticci.buildkite.token.e2e;

import java.util.stream.StreamSupport;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.MeterRegistry;

/** How many reconciles the operator has started so far (JOSDK's count: one that throws counts too). */
final class Reconciles {

    private Reconciles() {
    }

    static double started(MeterRegistry metrics) {
        return metrics.find("reconciliations.started.total").meters().stream()
                .flatMap(m -> StreamSupport.stream(m.measure().spliterator(), false))
                .mapToDouble(Measurement::getValue).sum();
    }
}
