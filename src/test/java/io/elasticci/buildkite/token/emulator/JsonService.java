package io.elasticci.buildkite.token.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Base of the awsJson1.1 services: operations are registered by name and dispatched on X-Amz-Target. */
abstract class JsonService extends AwsService {

    @FunctionalInterface
    interface Operation {
        ObjectNode handle(CallContext context, JsonProtocol.Input input);
    }

    private final String targetPrefix;
    private final Map<String, Operation> operations = new LinkedHashMap<>();

    protected JsonService(String targetPrefix) {
        this.targetPrefix = targetPrefix;
    }

    protected final void operation(String name, Operation operation) {
        operations.put(name, operation);
    }

    Set<String> operations() {
        return operations.keySet();
    }

    @Override
    String operationOf(RawRequest request) {
        String target = request.header("x-amz-target");
        if (target == null || !target.startsWith(targetPrefix + ".")) {
            throw AwsError.of("UnknownOperationException", "");
        }
        return target.substring(targetPrefix.length() + 1);
    }

    @Override
    RawResponse invoke(CallContext context, RawRequest request) {
        Operation operation = operations.get(context.operation());
        if (operation == null) {
            throw AwsError.of("UnknownOperationException", "");
        }
        JsonProtocol.Input input = new JsonProtocol.Input(JsonProtocol.parse(request.body()));
        ObjectNode output = operation.handle(context, input);
        return JsonProtocol.ok(output == null ? JsonProtocol.object() : output, context.requestId());
    }

    @Override
    RawResponse errorResponse(AwsError error, String requestId) {
        return JsonProtocol.error(error, requestId);
    }

    @Override
    AwsError expiredToken() {
        return error("ExpiredTokenException", "The security token included in the request is expired");
    }

    @Override
    AwsError unknownAccessKey() {
        return error("UnrecognizedClientException", "The security token included in the request is invalid.");
    }

    @Override
    AwsError missingAuthentication() {
        return error("MissingAuthenticationTokenException", "Missing Authentication Token");
    }

    @Override
    AwsError throttled(String message) {
        return error("ThrottlingException", message);
    }
}
