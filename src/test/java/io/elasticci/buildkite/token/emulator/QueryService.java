package io.elasticci.buildkite.token.emulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Base of the query-protocol services (STS; later IAM, CloudFormation, Auto Scaling): form-encoded
 * {@code Action=...&Version=...} requests, XML answers wrapped in {@code <OpResponse><OpResult>} and
 * {@code <ErrorResponse>} errors.
 */
abstract class QueryService extends AwsService {

    static final String CONTENT_TYPE = "text/xml";

    @FunctionalInterface
    interface Operation {
        /** Writes the content of the {@code <OpResult>} element (nothing for operations without output). */
        void handle(CallContext context, QueryParams input, Xml result);
    }

    private final String xmlNamespace;
    private final String version;
    private final Map<String, Operation> operations = new LinkedHashMap<>();

    protected QueryService(String xmlNamespace, String version) {
        this.xmlNamespace = xmlNamespace;
        this.version = version;
    }

    protected final void operation(String name, Operation operation) {
        operations.put(name, operation);
    }

    Set<String> operations() {
        return operations.keySet();
    }

    @Override
    String operationOf(RawRequest request) {
        String action = request.formParams().get("Action");
        if (action == null) {
            throw error("MissingAction", "Missing Action");
        }
        return action;
    }

    @Override
    RawResponse invoke(CallContext context, RawRequest request) {
        Operation operation = operations.get(context.operation());
        if (operation == null) {
            throw error("InvalidAction", "Could not find operation " + context.operation() + " for version "
                    + version);
        }
        Xml result = new Xml();
        operation.handle(context, new QueryParams(request.formParams()), result);
        String op = context.operation();
        Xml body = new Xml().raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").open(op + "Response", xmlNamespace);
        if (!result.isEmpty()) {
            body.open(op + "Result").raw(result.toString()).close(op + "Result");
        }
        body.open("ResponseMetadata").element("RequestId", context.requestId()).close("ResponseMetadata")
                .close(op + "Response");
        return RawResponse.of(200, CONTENT_TYPE, body.toString(), context.requestId());
    }

    @Override
    RawResponse errorResponse(AwsError error, String requestId) {
        Xml body = new Xml().raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .open("ErrorResponse", xmlNamespace)
                .open("Error")
                .element("Type", error.serverFault() ? "Receiver" : "Sender")
                .element("Code", error.code())
                .element("Message", error.getMessage() == null ? "" : error.getMessage())
                .close("Error")
                .element("RequestId", requestId)
                .close("ErrorResponse");
        return RawResponse.of(error.status(), CONTENT_TYPE, body.toString(), requestId);
    }

    @Override
    AwsError expiredToken() {
        return error("ExpiredToken", "The security token included in the request is expired");
    }

    @Override
    AwsError unknownAccessKey() {
        return error("InvalidClientTokenId", "The security token included in the request is invalid.");
    }

    @Override
    AwsError missingAuthentication() {
        return error("MissingAuthenticationToken", "Request is missing Authentication Token");
    }

    @Override
    AwsError throttled(String message) {
        return error("Throttling", message);
    }

    @Override
    String internalErrorCode() {
        return "InternalFailure";
    }
}
