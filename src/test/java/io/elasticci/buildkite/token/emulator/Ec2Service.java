package io.elasticci.buildkite.token.emulator;

import io.elasticci.buildkite.token.emulator.AutoScalingState.InstanceInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * EC2 over its own query protocol ({@code ec2}, API version 2016-11-15): {@code DescribeInstances} over the
 * instances of the Auto Scaling groups ({@link AutoScalingState} is the one source of truth). Requests are form
 * encoded like the query protocol, but lists are flat ({@code InstanceId.1}, {@code Filter.1.Value.1}); answers
 * have no {@code Result} wrapper ({@code <DescribeInstancesResponse><requestId>…</requestId><reservationSet>…}) and
 * errors read {@code <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors>
 * <RequestID>…</RequestID></Response>}.
 */
final class Ec2Service extends AwsService {

    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    static final String VERSION = "2016-11-15";
    static final String CONTENT_TYPE = "text/xml;charset=UTF-8";

    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8}([0-9a-f]{9})?");

    @FunctionalInterface
    interface Operation {
        /** Writes the content of the {@code <OpResponse>} element after its requestId. */
        void handle(CallContext context, QueryParams input, Xml result);
    }

    private final Map<String, Operation> operations = new LinkedHashMap<>();

    Ec2Service() {
        operations.put("DescribeInstances", this::describeInstances);
    }

    @Override
    String name() {
        return "ec2";
    }

    @Override
    String operationOf(RawRequest request) {
        String action = request.formParams().get("Action");
        if (action == null) {
            throw error("MissingAction", "The request must contain the parameter Action");
        }
        return action;
    }

    @Override
    RawResponse invoke(CallContext context, RawRequest request) {
        Operation operation = operations.get(context.operation());
        if (operation == null) {
            throw error("InvalidAction", "The action " + context.operation() + " is not valid for this web service.");
        }
        Xml result = new Xml();
        operation.handle(context, new QueryParams(request.formParams()), result);
        String tag = context.operation() + "Response";
        Xml body = new Xml().raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").open(tag, NAMESPACE)
                .element("requestId", context.requestId())
                .raw(result.toString())
                .close(tag);
        return RawResponse.of(200, CONTENT_TYPE, body.toString(), context.requestId());
    }

    @Override
    RawResponse errorResponse(AwsError error, String requestId) {
        Xml body = new Xml().raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .open("Response")
                .open("Errors").open("Error")
                .element("Code", error.code())
                .element("Message", error.getMessage() == null ? "" : error.getMessage())
                .close("Error").close("Errors")
                .element("RequestID", requestId)
                .close("Response");
        return RawResponse.of(error.status(), CONTENT_TYPE, body.toString(), requestId);
    }

    @Override
    AwsError expiredToken() {
        return error("RequestExpired", "The security token included in the request is expired");
    }

    @Override
    AwsError unknownAccessKey() {
        return error("AuthFailure", "AWS was not able to validate the provided access credentials");
    }

    @Override
    AwsError missingAuthentication() {
        return error("MissingParameter", "The request must contain the parameter AWSAccessKeyId");
    }

    /** EC2 throttles with RequestLimitExceeded and HTTP 503, whatever message the fault carries. */
    @Override
    AwsError throttled(String message) {
        return error("RequestLimitExceeded", "Request limit exceeded.");
    }

    @Override
    String internalErrorCode() {
        return "InternalError";
    }

    @Override
    int statusFor(String code) {
        return switch (code) {
            case "RequestLimitExceeded", "Unavailable", "ServiceUnavailable" -> 503;
            case "AuthFailure" -> 401;
            case "UnauthorizedOperation" -> 403;
            case "InternalError" -> 500;
            default -> 400;
        };
    }

    // ------------------------------------------------------------------ DescribeInstances

    private void describeInstances(CallContext ctx, QueryParams in, Xml out) {
        List<String> ids = flat(in, "InstanceId");
        Integer maxResults = in.integer("MaxResults");
        String nextToken = in.string("NextToken");
        if (maxResults != null && !ids.isEmpty()) {
            throw error("InvalidParameterCombination",
                    "The parameter instancesSet cannot be used with the parameter maxResults");
        }
        if (maxResults != null && (maxResults < 5 || maxResults > 1000)) {
            throw error("InvalidParameterValue", "Value ( " + maxResults + " ) for parameter maxResults is invalid. "
                    + "Expecting a value greater than 5.");
        }
        for (String id : ids) {
            if (!INSTANCE_ID.matcher(id).matches()) {
                throw error("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
            }
        }
        Predicate<InstanceInfo> filter = filters(in);
        List<InstanceInfo> all = ctx.emulator().autoScaling(ctx.account()).ec2Instances(ctx.region());
        List<InstanceInfo> selected;
        if (ids.isEmpty()) {
            selected = all.stream().filter(filter).toList();
        } else {
            Map<String, InstanceInfo> byId = new LinkedHashMap<>();
            all.forEach(i -> byId.put(i.instanceId(), i));
            List<String> missing = ids.stream().filter(id -> !byId.containsKey(id)).distinct().toList();
            if (!missing.isEmpty()) {
                throw error("InvalidInstanceID.NotFound", missing.size() == 1
                        ? "The instance ID '" + missing.get(0) + "' does not exist"
                        : "The instance IDs '" + String.join(", ", missing) + "' do not exist");
            }
            selected = ids.stream().distinct().map(byId::get).filter(filter).toList();
        }
        int from = 0;
        if (nextToken != null) {
            try {
                from = Integer.parseInt(nextToken.substring("emulator-".length()));
            } catch (RuntimeException e) {
                from = -1;
            }
            if (!nextToken.startsWith("emulator-") || from < 0 || from > selected.size()) {
                throw error("InvalidParameterValue", "Invalid value '" + nextToken + "' for nextToken");
            }
        }
        int to = maxResults == null ? selected.size() : Math.min(selected.size(), from + maxResults);
        out.open("reservationSet");
        for (InstanceInfo i : selected.subList(from, to)) {
            reservation(out, ctx.account(), i);
        }
        out.close("reservationSet");
        if (to < selected.size()) {
            out.element("nextToken", "emulator-" + to);
        }
    }

    /** One reservation per instance: Auto Scaling launches instances one by one. */
    private static void reservation(Xml out, String account, InstanceInfo i) {
        out.open("item")
                .element("reservationId", i.reservationId())
                .element("ownerId", account)
                .raw("<groupSet/>")
                .open("instancesSet").open("item")
                .element("instanceId", i.instanceId())
                .element("imageId", i.imageId())
                .open("instanceState").element("code", i.ec2StateCode()).element("name", i.ec2State())
                .close("instanceState");
        boolean running = i.ec2StateCode() != 48;
        String dns = "ip-" + i.privateIpAddress().replace('.', '-') + "." + i.region() + ".compute.internal";
        out.element("privateDnsName", running ? dns : "")
                .element("dnsName", "")
                .element("reason", running ? "" : "User initiated")
                .element("amiLaunchIndex", 0)
                .raw("<productCodes/>")
                .element("instanceType", AutoScalingState.INSTANCE_TYPE)
                .element("launchTime", i.launchTime())
                .open("placement")
                .element("availabilityZone", i.availabilityZone())
                .element("groupName", "")
                .element("tenancy", "default")
                .close("placement")
                .open("monitoring").element("state", "disabled").close("monitoring");
        if (running) {
            out.element("privateIpAddress", i.privateIpAddress());
        }
        out.element("architecture", "x86_64")
                .element("rootDeviceType", "ebs")
                .element("rootDeviceName", "/dev/xvda")
                .element("virtualizationType", "hvm");
        out.open("tagSet");
        for (Map.Entry<String, String> t : i.tags().entrySet()) {
            out.open("item").element("key", t.getKey()).element("value", t.getValue()).close("item");
        }
        out.close("tagSet");
        out.close("item").close("instancesSet").close("item");
    }

    /** {@code Filter.N.Name / Filter.N.Value.M}: filters ANDed, values ORed. */
    private Predicate<InstanceInfo> filters(QueryParams in) {
        Predicate<InstanceInfo> all = i -> true;
        for (int n = 1; in.has("Filter." + n + ".Name"); n++) {
            String name = in.string("Filter." + n + ".Name");
            List<String> values = flat(in, "Filter." + n + ".Value");
            Predicate<InstanceInfo> one;
            if (name.equals("instance-id")) {
                one = i -> values.contains(i.instanceId());
            } else if (name.equals("instance-state-name")) {
                one = i -> values.contains(i.ec2State());
            } else if (name.equals("instance-state-code")) {
                one = i -> values.contains(Integer.toString(i.ec2StateCode()));
            } else if (name.equals("availability-zone")) {
                one = i -> values.contains(i.availabilityZone());
            } else if (name.equals("tag-key")) {
                one = i -> i.tags().keySet().stream().anyMatch(values::contains);
            } else if (name.startsWith("tag:")) {
                String key = name.substring(4);
                one = i -> i.tags().containsKey(key) && values.contains(i.tags().get(key));
            } else {
                throw error("InvalidParameterValue", "The filter '" + name + "' is invalid");
            }
            all = all.and(one);
        }
        return all;
    }

    /** EC2's flat lists: {@code Name.1}, {@code Name.2}, ... */
    private static List<String> flat(QueryParams in, String name) {
        List<String> out = new ArrayList<>();
        for (int n = 1; in.has(name + "." + n); n++) {
            out.add(in.string(name + "." + n));
        }
        return out;
    }
}
