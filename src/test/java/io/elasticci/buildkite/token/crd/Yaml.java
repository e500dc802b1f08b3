package io.elasticci.buildkite.token.crd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/** Plain YAML reading (Jackson) into maps and lists, for tests of committed manifests. */
public final class Yaml {

    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private Yaml() {
    }

    /** Every non-empty document of a (possibly multi-document) YAML file. */
    public static List<Map<String, Object>> loadAll(Path file) {
        try (YAMLParser parser = FACTORY.createParser(file.toFile())) {
            MappingIterator<Map<String, Object>> documents = MAPPER.readValues(parser,
                    new TypeReference<Map<String, Object>>() {
                    });
            List<Map<String, Object>> result = new ArrayList<>();
            while (documents.hasNextValue()) {
                Map<String, Object> document = documents.nextValue();
                if (document != null) {
                    result.add(document);
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    public static Map<String, Object> load(Path file) {
        List<Map<String, Object>> documents = loadAll(file);
        if (documents.size() != 1) {
            throw new IllegalStateException(file + " holds " + documents.size() + " documents, expected 1");
        }
        return documents.get(0);
    }

    public static Map<String, Object> parse(String text) {
        try {
            return MAPPER.readValue(text, new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The map at a path of keys, failing with the path when something on the way is missing. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object root, String... keys) {
        Object current = root;
        StringBuilder path = new StringBuilder();
        for (String key : keys) {
            path.append('.').append(key);
            if (!(current instanceof Map<?, ?> map)) {
                throw new AssertionError("not a map at " + path);
            }
            current = map.get(key);
        }
        return (Map<String, Object>) Objects.requireNonNull(current, "nothing at " + path);
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    public static List<String> strings(Object value) {
        return value == null ? List.of() : (List<String>) value;
    }
}
