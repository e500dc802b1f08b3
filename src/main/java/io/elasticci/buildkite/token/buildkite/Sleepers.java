package io.elasticci.buildkite.token.buildkite;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/** The real sleeper; a test that replaces the operator's Clock replaces this too (a sleeper that moves that clock). */
@ApplicationScoped
public class Sleepers {

    @Produces
    @DefaultBean
    @Singleton
    Sleeper systemSleeper() {
        return Sleeper.system();
    }
}
