package io.elasticci.buildkite.token.api.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

/**
 * Reads a part of a resource so that nothing in it can stop the informer that carries every resource: a field this
 * build does not know is skipped and noted, a part that cannot be read at all (a field of the wrong type, admitted by
 * an older or looser CRD) becomes an empty part noting why. The notes name paths and expected types, never values.
 */
public final class TolerantReader {

    /**
     * Types as the API server checks them: no coercion of a number into a string ({@code secretName: 12345}), a
     * string into a boolean ({@code dryRun: "false"}) or a fraction into an integer. What the schema would refuse is
     * unreadable, never silently read as something else.
     */
    private static final ObjectMapper MAPPER = strict(JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(InternedStrings.module())
            .build());

    private static ObjectMapper strict(ObjectMapper mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return mapper;
    }

    private TolerantReader() {
    }

    /** Reads {@code node} as {@code type}; {@code root} names the part in the notes ("spec", "status"). */
    public static <T extends CarriesReadNotes> T read(JsonNode node, Class<T> type, String root, Supplier<T> empty) {
        List<String> unknown = new ArrayList<>();
        DeserializationProblemHandler noteUnknown = new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
                unknown.add(path(root, p.getParsingContext()));
                p.skipChildren();
                return true;
            }
        };
        try {
            T value = MAPPER.readerFor(type).withHandler(noteUnknown).readValue(node);
            value.readNotes(new ReadNotes(unknown, Optional.empty()));
            return value;
        } catch (IOException e) {
            T value = empty.get();
            value.readNotes(ReadNotes.unreadable(describe(root, e)));
            return value;
        }
    }

    /** Path of the field the parser stands on, e.g. {@code spec.regions[0].foo}. */
    private static String path(String root, JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                parts.add(0, "." + c.getCurrentName());
            }
        }
        return root + String.join("", parts);
    }

    /** The path and the expected type; Jackson's own message is not used because it quotes the value. */
    static String describe(String root, IOException e) {
        if (!(e instanceof JsonMappingException mapping)) {
            return root + " cannot be read (" + e.getClass().getSimpleName() + ")";
        }
        String path = root + path(mapping);
        if (mapping instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return path + ": expected " + expected(mismatch.getTargetType());
        }
        return path + " cannot be read (" + e.getClass().getSimpleName() + ")";
    }

    /** Where reading failed, as {@code .regions[0].stacks}: field names and indexes, never values. */
    public static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
    }

    private static String expected(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", "));
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "a map";
        }
        if (type == String.class || type == Character.class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        return "an object";
    }
}
