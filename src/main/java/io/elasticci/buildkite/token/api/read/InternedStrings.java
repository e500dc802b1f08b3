package io.elasticci.buildkite.token.api.read;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * Reads every string of a resource's spec and status as one shared instance per value. The informer keeps every
 * resource, and their status repeats the same few words (reasons, stack statuses, actions, region names, parameter
 * names) and the roles and stacks also held by the AWS caches: at 1,000 tokens the heap held CREATE_COMPLETE 21,001
 * times and Converged 9,001 times (BENCHMARKS.md, "Memory at 1,000 tokens"). The JVM's string table holds them
 * weakly. Only names and words reach here: spec and status never carry a token value.
 */
final class InternedStrings {

    private InternedStrings() {
    }

    static SimpleModule module() {
        return new SimpleModule("interned-strings")
                .addDeserializer(String.class, new Values())
                .addKeyDeserializer(String.class, new Keys());
    }

    /** Jackson's own reading of a string (and its coercion rules), then shared. */
    private static final class Values extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            return value == null ? null : value.intern();
        }
    }

    private static final class Keys extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) {
            return key.intern();
        }
    }
}
