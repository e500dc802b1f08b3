package io.elasticci.buildkite.token.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.elasticci.buildkite.token.api.v1alpha1.BuildkiteAgentToken;

/** Finds the BuildkiteAgentToken documents in files and directories; other kinds are skipped. */
final class Manifests {

    static final String KIND = "BuildkiteAgentToken";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * One document of kind BuildkiteAgentToken, as plain maps, or a file that could not be parsed.
     *
     * @param source file and document number, for messages
     */
    record Manifest(String source, Map<String, Object> document, Optional<String> unparsable) {

        String namespace(String fallback) {
            Object ns = metadata().get("namespace");
            return ns instanceof String s && !s.isBlank() ? s : fallback;
        }

        String name() {
            return metadata().get("name") instanceof String s ? s : null;
        }

        private Map<?, ?> metadata() {
            return document.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        }
    }

    private Manifests() {
    }

    static List<Manifest> read(List<Path> paths) throws PlanArguments.UsageException {
        List<Manifest> found = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new PlanArguments.UsageException(path + " does not exist");
            }
            for (Path file : files(path)) {
                found.addAll(readFile(file));
            }
        }
        return found;
    }

    private static List<Path> files(Path path) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile).filter(f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
            }).sorted().toList();
        } catch (IOException e) {
            return List.of(path); // reported as unparsable below
        }
    }

    private static List<Manifest> readFile(Path file) {
        List<Manifest> found = new ArrayList<>();
        int index = 0;
        try (MappingIterator<Object> documents = YAML.readerFor(new TypeReference<Object>() {
        }).readValues(file.toFile())) {
            while (documents.hasNextValue()) {
                Object document = documents.nextValue();
                index++;
                if (document instanceof Map<?, ?> map && isToken(map)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> typed = (Map<String, Object>) map;
                    found.add(new Manifest(file + "#" + index, typed, Optional.empty()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Jackson's message may quote the document: say only where parsing stopped.
            found.add(new Manifest(file + "#" + (index + 1), Map.of(),
                    Optional.of("not valid YAML or JSON (document " + (index + 1) + ")")));
        }
        return found;
    }

    private static boolean isToken(Map<?, ?> document) {
        return KIND.equals(document.get("kind")) && document.get("apiVersion") instanceof String api
                && api.startsWith(BuildkiteAgentToken.GROUP + "/");
    }
}
